-- After the hearing (#10): the handling decision and how the case ended, the
-- two-way commitment, follow-up visits, satisfaction, repeat petitions; and the
-- district (属地) the statistics filter by.

ALTER TABLE cases ADD COLUMN district TEXT NOT NULL DEFAULT '';   -- 属地, e.g. 硖石街道

-- 处理结果: one per hearing; a correction replaces it (the audit log keeps the old one).
CREATE TABLE hearing_outcomes (
    hearing_id   TEXT PRIMARY KEY REFERENCES hearings (id),
    decision     TEXT NOT NULL,          -- 处理决定
    decided_on   TEXT NOT NULL,          -- YYYY-MM-DD
    resolution   TEXT NOT NULL,          -- resolved | unresolved | procedural
    recorded_by  TEXT NOT NULL,          -- display name
    recorded_at  BIGINT NOT NULL
);

-- 双向承诺书: the agency's and the petitioner's commitments and who confirmed them.
CREATE TABLE commitments (
    hearing_id               TEXT PRIMARY KEY REFERENCES hearings (id),
    agency_text              TEXT NOT NULL,
    petitioner_text          TEXT NOT NULL,
    agency_confirmed_by      TEXT,
    agency_confirmed_at      BIGINT,
    agency_on_paper          BIGINT NOT NULL DEFAULT 0,
    petitioner_confirmed_by  TEXT,
    petitioner_confirmed_at  BIGINT,
    petitioner_on_paper      BIGINT NOT NULL DEFAULT 0,
    scan_sha256              TEXT,         -- the signed scan in the content-addressed store
    scan_kind                TEXT,         -- pdf | jpeg | png | webp
    drafted_by               TEXT NOT NULL,
    drafted_at               BIGINT NOT NULL
);

-- 回访: visits scheduled from the decision date, each assigned to a staff member.
CREATE TABLE follow_ups (
    id           TEXT PRIMARY KEY,
    hearing_id   TEXT NOT NULL REFERENCES hearings (id),
    due_on       TEXT NOT NULL,          -- YYYY-MM-DD
    assignee_id  TEXT REFERENCES accounts (id),
    done_on      TEXT,
    note         TEXT,
    recorded_by  TEXT,
    recorded_at  BIGINT
);
CREATE INDEX follow_ups_by_hearing ON follow_ups (hearing_id, due_on);
CREATE INDEX follow_ups_open ON follow_ups (done_on, due_on);

-- 满意度: the latest rating counts; every rating stays (history of calls and changes).
CREATE TABLE satisfaction_ratings (
    id           TEXT PRIMARY KEY,
    hearing_id   TEXT NOT NULL REFERENCES hearings (id),
    rating       TEXT NOT NULL,          -- satisfied | fairly_satisfied | dissatisfied
    comment      TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL,          -- petitioner | staff
    recorded_by  TEXT NOT NULL,
    recorded_at  BIGINT NOT NULL
);
CREATE INDEX satisfaction_by_hearing ON satisfaction_ratings (hearing_id, recorded_at);

-- 重复信访: a case petitioned again after an earlier case's hearing.
CREATE TABLE repeat_petitions (
    case_id             TEXT PRIMARY KEY REFERENCES cases (id),
    earlier_hearing_id  TEXT NOT NULL REFERENCES hearings (id),
    marked_by           TEXT NOT NULL,
    marked_at           BIGINT NOT NULL
);
CREATE INDEX repeat_petitions_by_hearing ON repeat_petitions (earlier_hearing_id);

