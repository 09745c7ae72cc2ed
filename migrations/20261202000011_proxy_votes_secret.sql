-- 代为录入 in a secret ballot (#8): the host enters only the reason and the member
-- chooses at the clerk's desk, so a waiting entry may have no option. The table
-- holds only entries not yet confirmed: recreated with option_index nullable
-- (the same on SQLite and PostgreSQL; a pending entry dropped here is entered again).
DROP TABLE proxy_vote_requests;

CREATE TABLE proxy_vote_requests (
    id               TEXT PRIMARY KEY,
    hearing_id       TEXT NOT NULL REFERENCES hearings (id),
    ballot_id        TEXT NOT NULL,
    voter_id         TEXT NOT NULL REFERENCES accounts (id),
    -- The host's entry of the choice in a named ballot; NULL in a secret one,
    -- where the member chooses at the clerk's desk and the host never learns it.
    option_index     BIGINT,
    reason           TEXT NOT NULL,
    vote_key         TEXT NOT NULL,     -- the vote's idempotency key
    requested_by     TEXT NOT NULL,     -- the host's display name
    requested_at     BIGINT NOT NULL,
    -- One request per member and ballot: a new entry replaces the earlier one.
    UNIQUE (hearing_id, ballot_id, voter_id)
);
