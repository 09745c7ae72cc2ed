-- Accounts, sessions, the audit log, and who holds which place in a hearing.

CREATE TABLE accounts (
    id             TEXT PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    password_hash  TEXT NOT NULL,          -- argon2id PHC string
    roles          TEXT NOT NULL,          -- comma-separated role codes
    disabled       BIGINT NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

-- tower-sessions records; data is JSON so one column type fits both engines.
CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    data        TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE audit_log (
    id        TEXT PRIMARY KEY,
    at_ms     BIGINT NOT NULL,
    actor     TEXT,                        -- account id, or NULL for anonymous
    action    TEXT NOT NULL,               -- e.g. login, login_failed, role_changed
    subject   TEXT,                        -- what it concerned (username, account id …)
    detail    TEXT NOT NULL DEFAULT '',
    ip        TEXT
);
CREATE INDEX audit_by_time ON audit_log (at_ms);

ALTER TABLE hearings ADD COLUMN host_id TEXT REFERENCES accounts (id);
ALTER TABLE hearings ADD COLUMN clerk_id TEXT REFERENCES accounts (id);

-- Seated panel members; the draw (#5) fills this, the demo seats one.
CREATE TABLE panel_seats (
    hearing_id  TEXT NOT NULL REFERENCES hearings (id),
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    seated_at   BIGINT NOT NULL,
    PRIMARY KEY (hearing_id, account_id)
);
