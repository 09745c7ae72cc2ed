-- 代为录入 (#8): the host enters the vote of a member without a device; it counts
-- only once that member confirms it with their own password on the clerk's
-- screen. Until then it waits here, never in the hearing's log.
CREATE TABLE proxy_vote_requests (
    id               TEXT PRIMARY KEY,
    hearing_id       TEXT NOT NULL REFERENCES hearings (id),
    ballot_id        TEXT NOT NULL,
    voter_id         TEXT NOT NULL REFERENCES accounts (id),
    option_index     BIGINT NOT NULL,
    reason           TEXT NOT NULL,
    vote_key         TEXT NOT NULL,     -- the vote's idempotency key
    requested_by     TEXT NOT NULL,     -- the host's display name
    requested_at     BIGINT NOT NULL,
    -- One request per member and ballot: a new entry replaces the earlier one.
    UNIQUE (hearing_id, ballot_id, voter_id)
);
