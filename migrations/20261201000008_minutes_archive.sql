-- 定稿: once a hearing's minutes are finalised its log is sealed (no more events).
ALTER TABLE hearings ADD COLUMN sealed_at BIGINT;

-- The archive (档案): one finalised, signed minutes document per hearing. The PDF
-- itself is in the blob store under its SHA-256; never deleted by any UI action.
CREATE TABLE minutes_archive (
    hearing_id     TEXT PRIMARY KEY REFERENCES hearings (id),
    sha256         TEXT NOT NULL UNIQUE,    -- of the signed PDF
    byte_size      BIGINT NOT NULL,
    chain_head     TEXT NOT NULL,           -- the log head the minutes print
    final_seq      BIGINT NOT NULL,         -- seq of the MinutesFinalised event
    outcome        TEXT NOT NULL,           -- ballot results and conclusion, for search
    members        TEXT NOT NULL,           -- panel members' names, for search
    cert_sha256    TEXT NOT NULL,           -- the signing certificate's fingerprint
    finalised_at   BIGINT NOT NULL,
    finalised_by   TEXT NOT NULL,
    -- The case and hearing as the minutes print them (later edits do not apply).
    case_number    TEXT NOT NULL,
    case_title     TEXT NOT NULL,
    hearing_title  TEXT NOT NULL,
    starts_at      BIGINT NOT NULL,
    place          TEXT NOT NULL
);

CREATE INDEX minutes_archive_by_time ON minutes_archive (finalised_at);
