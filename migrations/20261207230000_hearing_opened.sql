-- #22 the record tells the truth: a hearing has been held when its log shows
-- it opened (宣布开始), not when its planned start has passed. The times are
-- kept beside the plan, written by the same transaction as the event that
-- opens or closes the hearing (db::events::append_in), so the statistics and
-- the aftercare pages ask one column instead of folding every log.
ALTER TABLE hearings ADD COLUMN opened_at BIGINT;
ALTER TABLE hearings ADD COLUMN closed_at BIGINT;

-- Logs written before this migration: the first step from 未开始 is the
-- opening (the only step whose payload says "start"), the step to 闭会 the close.
UPDATE hearings SET opened_at = (
    SELECT MIN(e.at_ms) FROM hearing_events e
    WHERE e.hearing_id = hearings.id
      AND e.payload LIKE '%"type":"procedure_stepped"%'
      AND e.payload LIKE '%"step":{"step":"start"}%'
);
UPDATE hearings SET closed_at = (
    SELECT MIN(e.at_ms) FROM hearing_events e
    WHERE e.hearing_id = hearings.id
      AND e.payload LIKE '%"type":"procedure_stepped"%'
      AND e.payload LIKE '%"to":{"state":"closed"}%'
);

-- Hearings imported from the earlier petition system were held on paper, and
-- so were those whose aftercare the office already recorded (a handling
-- decision, a rating, a visit, a commitment) though their log never shows an
-- opening: the planned time is the one recorded, and they are over.
UPDATE hearings SET opened_at = starts_at, closed_at = starts_at + duration_min * 60000
WHERE opened_at IS NULL AND (
    EXISTS (
        SELECT 1 FROM hearing_versions v
        WHERE v.hearing_id = hearings.id AND v.version = 1
          AND v.actor = '原信访信息系统（历史数据导入）'
    )
    OR EXISTS (SELECT 1 FROM hearing_outcomes o WHERE o.hearing_id = hearings.id)
    OR EXISTS (SELECT 1 FROM satisfaction_ratings s WHERE s.hearing_id = hearings.id)
    OR EXISTS (SELECT 1 FROM follow_ups f WHERE f.hearing_id = hearings.id)
    OR EXISTS (SELECT 1 FROM commitments c WHERE c.hearing_id = hearings.id)
);

CREATE INDEX hearings_by_opened ON hearings (opened_at);
