-- #21 deliberation secrecy.
--
-- 代为录入 is confirmed with a one-time code issued to the member (shown on their
-- own device, or printed by the host for a member without one), never with the
-- member's password. Only the code's SHA-256, bound to the entry, its ballot and
-- its member, is kept; it expires, and wrong attempts are counted.
ALTER TABLE proxy_vote_requests ADD COLUMN code_hash TEXT;
ALTER TABLE proxy_vote_requests ADD COLUMN code_expires_at BIGINT;
ALTER TABLE proxy_vote_requests ADD COLUMN code_failures BIGINT NOT NULL DEFAULT 0;

-- 评议意见 in a secret ballot while it is open: held here, off the log, until the
-- ballot closes; the close publishes them together (in an order that says
-- nothing of who wrote them or when) and deletes them, in its transaction.
-- One per member and ballot: a changed opinion replaces the held one.
CREATE TABLE held_opinions (
    hearing_id   TEXT NOT NULL REFERENCES hearings (id),
    ballot_id    TEXT NOT NULL,
    voter_id     TEXT NOT NULL REFERENCES accounts (id),
    name         TEXT NOT NULL,
    body         TEXT NOT NULL,
    minority     BIGINT NOT NULL DEFAULT 0,
    given_at     BIGINT NOT NULL,
    PRIMARY KEY (hearing_id, ballot_id, voter_id)
);
