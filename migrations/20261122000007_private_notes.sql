-- A panel member's private notes on a hearing: one notepad per member and
-- hearing, never shown to anyone else, never broadcast, not in the minutes.
CREATE TABLE private_notes (
    hearing_id   TEXT NOT NULL REFERENCES hearings (id),
    author_id    TEXT NOT NULL,
    text         TEXT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (hearing_id, author_id)
);
