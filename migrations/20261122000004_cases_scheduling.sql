-- Cases (信访事项) in full, hearing plans with their version history, office
-- settings, API tokens and calendar feeds.

ALTER TABLE cases ADD COLUMN petitioners TEXT NOT NULL DEFAULT '[]';    -- JSON array of names
ALTER TABLE cases ADD COLUMN agencies TEXT NOT NULL DEFAULT '[]';       -- JSON array of names
ALTER TABLE cases ADD COLUMN received_on TEXT NOT NULL DEFAULT '1970-01-01';  -- YYYY-MM-DD
ALTER TABLE cases ADD COLUMN accepted_on TEXT;
ALTER TABLE cases ADD COLUMN category TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN risk TEXT NOT NULL DEFAULT 'green';        -- red | yellow | green
ALTER TABLE cases ADD COLUMN class TEXT NOT NULL DEFAULT 'c';           -- a | b | c
ALTER TABLE cases ADD COLUMN status TEXT NOT NULL DEFAULT 'registered';
ALTER TABLE cases ADD COLUMN investigator_id TEXT REFERENCES accounts (id);
ALTER TABLE cases ADD COLUMN version BIGINT NOT NULL DEFAULT 1;         -- bumped by every edit
ALTER TABLE cases ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
-- Lower-cased text the list searches (number, title, claim, names), kept by the writer.
ALTER TABLE cases ADD COLUMN search_text TEXT NOT NULL DEFAULT '';

CREATE INDEX cases_by_received ON cases (received_on);

-- Every change to a case: who, when, the whole case before and after (JSON).
CREATE TABLE case_changes (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    at_ms       BIGINT NOT NULL,
    actor       TEXT NOT NULL,          -- display name of the account or API token
    actor_id    TEXT,                   -- account id or token id
    change      TEXT NOT NULL,          -- created | edited | imported
    before_json TEXT,
    after_json  TEXT NOT NULL
);
CREATE INDEX case_changes_by_case ON case_changes (case_id, at_ms);

ALTER TABLE hearings ADD COLUMN room TEXT;                      -- 听证室, NULL when online only
ALTER TABLE hearings ADD COLUMN online BIGINT NOT NULL DEFAULT 0;
ALTER TABLE hearings ADD COLUMN panel_size BIGINT NOT NULL DEFAULT 7;
ALTER TABLE hearings ADD COLUMN questions TEXT NOT NULL DEFAULT '[]';     -- JSON array (#8)
ALTER TABLE hearings ADD COLUMN quota_template TEXT NOT NULL DEFAULT '[]'; -- JSON (#5)
ALTER TABLE hearings ADD COLUMN status TEXT NOT NULL DEFAULT 'scheduled'; -- scheduled | postponed | cancelled
ALTER TABLE hearings ADD COLUMN short_notice_reason TEXT;
ALTER TABLE hearings ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE hearings ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;

CREATE INDEX hearings_by_status_start ON hearings (status, starts_at);

-- Every version of a hearing's plan; the current one is also in `hearings`.
CREATE TABLE hearing_versions (
    hearing_id  TEXT NOT NULL REFERENCES hearings (id),
    version     BIGINT NOT NULL,
    at_ms       BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    actor_id    TEXT,
    change      TEXT NOT NULL,          -- scheduled | edited | rescheduled | postponed | cancelled
    reason      TEXT,
    plan_json   TEXT NOT NULL,          -- the plan as it stood after this change
    PRIMARY KEY (hearing_id, version)
);

-- The office's own rules (deadlines, notice period): key → value text.
CREATE TABLE office_settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

-- Tokens other systems use for /api/v1. Only the SHA-256 of a token is kept.
CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    scopes        TEXT NOT NULL,          -- comma-separated, e.g. cases:read,cases:write
    created_by    TEXT NOT NULL REFERENCES accounts (id),
    created_at    BIGINT NOT NULL,
    revoked_at    BIGINT,
    last_used_at  BIGINT
);

-- Personal calendar feeds (.ics) for hosts and jurors: calendar apps carry no
-- cookie, so the feed URL holds a secret; only its hash is kept.
CREATE TABLE calendar_feeds (
    account_id  TEXT PRIMARY KEY REFERENCES accounts (id),
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL
);

-- The row whose lock serialises booking checks (see db::settings::take_schedule_turn).
INSERT INTO office_settings (key, value) VALUES ('schedule_turn', '');
