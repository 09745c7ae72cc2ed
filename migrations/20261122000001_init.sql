-- Portable SQL: runs unchanged on SQLite and PostgreSQL.
-- Times are BIGINT milliseconds since the Unix epoch (UTC); ids are TEXT (UUID v7).

CREATE TABLE cases (
    id          TEXT PRIMARY KEY,
    number      TEXT NOT NULL UNIQUE,   -- 案号, e.g. 海宁信访〔2026〕123号
    title       TEXT NOT NULL,
    summary     TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);

CREATE TABLE hearings (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL REFERENCES cases (id),
    title         TEXT NOT NULL,
    starts_at     BIGINT NOT NULL,
    duration_min  BIGINT NOT NULL,
    place         TEXT NOT NULL,
    -- The seq of the last committed event; bumping it is how a writer takes its turn.
    last_seq      BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL
);

CREATE INDEX hearings_by_start ON hearings (starts_at);

-- The append-only event log of each hearing (see docs/ARCHITECTURE.md).
CREATE TABLE hearing_events (
    hearing_id  TEXT NOT NULL REFERENCES hearings (id),
    seq         BIGINT NOT NULL,
    at_ms       BIGINT NOT NULL,
    payload     TEXT NOT NULL,          -- JSON of domain::EventPayload
    hash        TEXT NOT NULL,          -- hex SHA-256 chain link
    PRIMARY KEY (hearing_id, seq)
);
