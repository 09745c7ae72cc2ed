-- Parties (信访人, 责任单位, 第三人) join one hearing by a single-use invitation link.

CREATE TABLE invitations (
    id           TEXT PRIMARY KEY,
    hearing_id   TEXT NOT NULL REFERENCES hearings (id),
    party_kind   TEXT NOT NULL,            -- petitioner | agency | third_party
    party_name   TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,     -- hex SHA-256 of the link's token; the token is never stored
    expires_at   BIGINT NOT NULL,
    used_at      BIGINT,
    revoked_at   BIGINT,
    created_by   TEXT NOT NULL REFERENCES accounts (id),
    created_at   BIGINT NOT NULL
);
CREATE INDEX invitations_by_hearing ON invitations (hearing_id);

-- 公开听证 (public) hearings are open to observers; others are invisible to them.
ALTER TABLE hearings ADD COLUMN is_public BIGINT NOT NULL DEFAULT 0;
