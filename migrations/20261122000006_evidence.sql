-- Evidence intake (证据材料) with a chain of custody (保管链).

-- Stored files, content-addressed: one row (and one file under the data
-- directory's evidence store) per distinct SHA-256, however often it is filed.
CREATE TABLE evidence_blobs (
    sha256      TEXT PRIMARY KEY,
    size_bytes  BIGINT NOT NULL,
    kind        TEXT NOT NULL,                 -- pdf | jpeg | png | … (by magic bytes)
    stored_at   BIGINT NOT NULL
);

-- Exhibits, numbered per hearing and submitting side (申-1, 被-1 …). Never
-- deleted: withdrawing only changes the status.
CREATE TABLE exhibits (
    id                   TEXT PRIMARY KEY,
    hearing_id           TEXT NOT NULL REFERENCES hearings (id),
    submitter            TEXT NOT NULL,        -- petitioner | agency | third_party | office
    number               BIGINT NOT NULL,
    title                TEXT NOT NULL,
    description          TEXT NOT NULL DEFAULT '',
    purpose              TEXT NOT NULL DEFAULT '',  -- 证明目的
    file_name            TEXT NOT NULL,        -- cleaned; shown and offered, never a path
    kind                 TEXT NOT NULL,
    sha256               TEXT NOT NULL REFERENCES evidence_blobs (sha256),
    size_bytes           BIGINT NOT NULL,
    submitted_by_id      TEXT NOT NULL,        -- account id or invitation id
    submitted_by_name    TEXT NOT NULL,
    submitted_at         BIGINT NOT NULL,
    status               TEXT NOT NULL DEFAULT 'submitted',  -- submitted | admitted | withdrawn
    shared_with_parties  BIGINT NOT NULL DEFAULT 0,
    released_to_panel    BIGINT NOT NULL DEFAULT 0,
    shown_live           BIGINT NOT NULL DEFAULT 0,
    UNIQUE (hearing_id, submitter, number)
);
CREATE INDEX exhibits_by_hearing ON exhibits (hearing_id, submitter, number);

-- Every action on an exhibit, append-only.
CREATE TABLE exhibit_custody (
    id           TEXT PRIMARY KEY,
    exhibit_id   TEXT NOT NULL REFERENCES exhibits (id),
    hearing_id   TEXT NOT NULL,
    action       TEXT NOT NULL,                -- submitted | viewed | shared | released | …
    actor_id     TEXT,                         -- account or invitation id; NULL for observers
    actor_name   TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT '',
    at_ms        BIGINT NOT NULL
);
CREATE INDEX exhibit_custody_by_exhibit ON exhibit_custody (exhibit_id, at_ms);

-- 质证意见: each party's and juror's opinion; a new opinion by the same person
-- is a new row (the latest counts, the history stays).
CREATE TABLE exhibit_opinions (
    id            TEXT PRIMARY KEY,
    exhibit_id    TEXT NOT NULL REFERENCES exhibits (id),
    author_id     TEXT NOT NULL,
    author_name   TEXT NOT NULL,
    author_role   TEXT NOT NULL,               -- petitioner | agency | third_party | juror | office
    authenticity  TEXT NOT NULL,               -- agree | dispute | no_comment
    legality      TEXT NOT NULL,
    relevance     TEXT NOT NULL,
    comment       TEXT NOT NULL DEFAULT '',
    at_ms         BIGINT NOT NULL
);
CREATE INDEX exhibit_opinions_by_exhibit ON exhibit_opinions (exhibit_id, at_ms);
