-- The review-panel pool (评议团成员库), draw records (抽选记录) and seat status.

-- Every member has an account (role juror) to answer seats and vote; members
-- added by the office get one without a password until an administrator sets it.
CREATE TABLE pool_members (
    id            TEXT PRIMARY KEY,            -- 编号, e.g. M001: the id a draw publishes
    account_id    TEXT NOT NULL UNIQUE REFERENCES accounts (id),
    name          TEXT NOT NULL,
    category      TEXT NOT NULL,               -- category code: deputy, cppcc, lawyer …
    extra_tags    TEXT NOT NULL DEFAULT '[]',  -- JSON array of further tags
    organisation  TEXT NOT NULL DEFAULT '',
    district      TEXT NOT NULL DEFAULT '',
    contact       TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'active',  -- active | paused | retired
    unavailable   TEXT NOT NULL DEFAULT '[]',  -- JSON array of YYYY-MM-DD
    relations     TEXT NOT NULL DEFAULT '[]',  -- JSON array of declared relations
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX pool_members_by_category ON pool_members (category, id);

-- One draw per row: the frozen input and its hash (committed), then the public
-- values, seed and result (drawn). A committed draw may be voided before it is
-- drawn; a drawn one is final.
CREATE TABLE panel_draws (
    id             TEXT PRIMARY KEY,
    hearing_id     TEXT NOT NULL REFERENCES hearings (id),
    status         TEXT NOT NULL,              -- committed | drawn | void
    input_json     TEXT NOT NULL,              -- canonical DrawInput
    input_hash     TEXT NOT NULL,
    committed_at   BIGINT NOT NULL,
    committed_by   TEXT NOT NULL,
    public_values  TEXT,                       -- JSON array, once drawn
    result_json    TEXT,                       -- DrawResult, once drawn
    drawn_at       BIGINT,
    drawn_by       TEXT,
    void_reason    TEXT
);
CREATE INDEX panel_draws_by_hearing ON panel_draws (hearing_id, committed_at);

-- Seats keep their history: a member who declined or was recused stays, with
-- the reason; only invited and accepted seats give access to the hearing.
ALTER TABLE panel_seats ADD COLUMN status TEXT NOT NULL DEFAULT 'accepted';
ALTER TABLE panel_seats ADD COLUMN member_id TEXT;
ALTER TABLE panel_seats ADD COLUMN reason TEXT;
ALTER TABLE panel_seats ADD COLUMN changed_at BIGINT;
