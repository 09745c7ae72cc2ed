-- Sessions get an absolute lifetime (#21): when each began. Sessions from before
-- this migration count as begun at 0, so they end once at the upgrade (everyone
-- logs in again) instead of living on without a limit.
ALTER TABLE sessions ADD COLUMN created_at BIGINT NOT NULL DEFAULT 0;

-- A party's way back in (#21): the device that entered by an invitation link keeps
-- a cookie whose SHA-256 is stored here, so that the same device may enter again
-- by the same link after its session ended (while the link is neither expired nor
-- revoked). Any other device still finds the link used up.
ALTER TABLE invitations ADD COLUMN device_hash TEXT;
