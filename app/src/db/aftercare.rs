//! 听后跟踪 storage: outcomes, commitments, follow-up visits, satisfaction
//! ratings and repeat-petition links (migration 9). The rules are in
//! `domain::aftercare`; this module only reads and writes rows.

use super::{Db, DbError, new_id, now_ms, stored_code, stored_date};
use crate::domain::aftercare::{
    AftercareRefusal, ClosingFacts, Commitment, Confirmation, FollowUpPolicy, FollowUpState,
    Outcome, Rating, RatingSource,
};
use crate::domain::case::{CalendarDate, Coded};
use crate::domain::stats::{Resolution, Satisfaction};
use crate::model::{CaseRef, FollowUpRecord, OutcomeRecord, RepeatLink, VisitTask};
use sqlx::Row;
use sqlx::any::AnyRow;

fn opt_date(raw: Option<String>) -> Result<Option<CalendarDate>, DbError> {
    raw.as_deref().map(stored_date).transpose()
}

/// The case a hearing belongs to, and when the hearing opened.
pub async fn case_of(db: &Db, hearing_id: &str) -> Result<Option<HearingCase>, DbError> {
    let row = sqlx::query(
        "SELECT c.id, h.opened_at FROM hearings h JOIN cases c ON c.id = h.case_id WHERE h.id = $1",
    )
    .bind(hearing_id)
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| {
        Ok(HearingCase {
            case_id: r.try_get("id")?,
            opened_at_ms: r.try_get("opened_at")?,
        })
    })
    .transpose()
}

/// A hearing's case, and when the hearing opened (宣布开始, from its log;
/// `None` while it has not been held).
pub struct HearingCase {
    pub case_id: String,
    pub opened_at_ms: Option<i64>,
}

/// The case's 信访人 and 责任单位 as it names them: (petitioners, agencies).
pub async fn case_sides(
    db: &Db,
    case_id: &str,
) -> Result<Option<(Vec<String>, Vec<String>)>, DbError> {
    let row = sqlx::query("SELECT petitioners, agencies FROM cases WHERE id = $1")
        .bind(case_id)
        .fetch_optional(db.pool())
        .await?;
    let names = |r: &AnyRow, column: &str| -> Result<Vec<String>, DbError> {
        let raw: String = r.try_get(column)?;
        serde_json::from_str(&raw).map_err(|_| DbError::Corrupt(format!("case {column}: {raw}")))
    };
    row.map(|r| Ok((names(&r, "petitioners")?, names(&r, "agencies")?)))
        .transpose()
}

pub async fn outcome(db: &Db, hearing_id: &str) -> Result<Option<OutcomeRecord>, DbError> {
    let row = sqlx::query(
        "SELECT decision, decided_on, resolution, recorded_by, recorded_at FROM hearing_outcomes WHERE hearing_id = $1",
    )
    .bind(hearing_id)
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| {
        Ok(OutcomeRecord {
            outcome: Outcome {
                decision: r.try_get("decision")?,
                decided_on: stored_date(&r.try_get::<String, _>("decided_on")?)?,
                resolution: stored_code::<Resolution>(&r.try_get::<String, _>("resolution")?)?,
            },
            recorded_by: r.try_get("recorded_by")?,
            recorded_at_ms: r.try_get("recorded_at")?,
        })
    })
    .transpose()
}

/// Stores the outcome (replacing an earlier one) and schedules the follow-up
/// visits from its date: visits already made stay; the ones still to make are
/// set again from the (possibly corrected) decision date, keeping assignees.
pub async fn save_outcome(
    db: &Db,
    hearing_id: &str,
    outcome: &Outcome,
    by: &str,
    policy: &FollowUpPolicy,
    default_assignee: Option<&str>,
) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM hearing_outcomes WHERE hearing_id = $1")
        .bind(hearing_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO hearing_outcomes (hearing_id, decision, decided_on, resolution, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(hearing_id)
    .bind(&outcome.decision)
    .bind(outcome.decided_on.to_string())
    .bind(outcome.resolution.code())
    .bind(by)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    // Visits made stay. The ones still to make follow the (possibly corrected)
    // decision date: matched by position, each keeps its id and its assignee, so a
    // colleague's open page and a reassignment survive a corrected decision.
    let done: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM follow_ups WHERE hearing_id = $1 AND done_on IS NOT NULL",
    )
    .bind(hearing_id)
    .fetch_one(&mut *tx)
    .await?
    .try_get("n")?;
    let open = sqlx::query(
        "SELECT id, assignee_id FROM follow_ups WHERE hearing_id = $1 AND done_on IS NULL ORDER BY due_on, id",
    )
    .bind(hearing_id)
    .fetch_all(&mut *tx)
    .await?;
    let open: Vec<(String, Option<String>)> = open
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("assignee_id")?)))
        .collect::<Result<_, DbError>>()?;
    let skip = usize::try_from(done).unwrap_or(0);
    let due: Vec<CalendarDate> = policy
        .due_dates(outcome.decided_on)
        .into_iter()
        .skip(skip)
        .collect();
    let new_assignee = open
        .last()
        .and_then(|(_, a)| a.clone())
        .or(default_assignee.map(str::to_owned));
    for (i, day) in due.iter().enumerate() {
        match open.get(i) {
            Some((id, _)) => {
                sqlx::query("UPDATE follow_ups SET due_on = $1 WHERE id = $2")
                    .bind(day.to_string())
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            None => {
                sqlx::query(
                    "INSERT INTO follow_ups (id, hearing_id, due_on, assignee_id) VALUES ($1, $2, $3, $4)",
                )
                .bind(new_id())
                .bind(hearing_id)
                .bind(day.to_string())
                .bind(new_assignee.as_deref())
                .execute(&mut *tx)
                .await?;
            }
        }
    }
    for (id, _) in open.iter().skip(due.len()) {
        sqlx::query("DELETE FROM follow_ups WHERE id = $1 AND done_on IS NULL")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn commitment(db: &Db, hearing_id: &str) -> Result<Option<Commitment>, DbError> {
    let row = sqlx::query("SELECT * FROM commitments WHERE hearing_id = $1")
        .bind(hearing_id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(commitment_from_row).transpose()
}

fn commitment_from_row(r: &AnyRow) -> Result<Commitment, DbError> {
    let side = |prefix: &str| -> Result<Option<Confirmation>, DbError> {
        let by: Option<String> = r.try_get(format!("{prefix}_confirmed_by").as_str())?;
        let at: Option<i64> = r.try_get(format!("{prefix}_confirmed_at").as_str())?;
        let paper: i64 = r.try_get(format!("{prefix}_on_paper").as_str())?;
        Ok(by.zip(at).map(|(by, at_ms)| Confirmation {
            by,
            at_ms,
            on_paper: paper != 0,
        }))
    };
    Ok(Commitment {
        agency_text: r.try_get("agency_text")?,
        petitioner_text: r.try_get("petitioner_text")?,
        agency: side("agency")?,
        petitioner: side("petitioner")?,
        scan_sha256: r.try_get("scan_sha256")?,
    })
}

/// Changes the commitment in one write turn: `change` sees the commitment as
/// stored now (not as some page saw it earlier) and returns the next one or a
/// refusal, which leaves the row as it was. `drafted_by` records who last
/// changed the wording; a confirmation or a scan leaves it.
pub async fn update_commitment(
    db: &Db,
    hearing_id: &str,
    by: &str,
    scan_kind: Option<&str>,
    change: impl FnOnce(Option<&Commitment>) -> Result<Commitment, AftercareRefusal>,
) -> Result<Result<Commitment, AftercareRefusal>, DbError> {
    let mut tx = db.begin_write().await?;
    let row = sqlx::query("SELECT * FROM commitments WHERE hearing_id = $1")
        .bind(hearing_id)
        .fetch_optional(&mut *tx)
        .await?;
    let current = row.as_ref().map(commitment_from_row).transpose()?;
    let next = match change(current.as_ref()) {
        Ok(next) => next,
        Err(refusal) => {
            tx.rollback().await?;
            return Ok(Err(refusal));
        }
    };
    let kept_kind: Option<String> = match &row {
        Some(r) => r.try_get("scan_kind")?,
        None => None,
    };
    let kind = next
        .scan_sha256
        .as_ref()
        .and(scan_kind.map(str::to_owned).or(kept_kind));
    let same_words = current.as_ref().is_some_and(|c| {
        c.agency_text == next.agency_text && c.petitioner_text == next.petitioner_text
    });
    let (drafted_by, drafted_at): (String, i64) = match &row {
        Some(r) if same_words => (r.try_get("drafted_by")?, r.try_get("drafted_at")?),
        _ => (by.to_owned(), now_ms()),
    };
    sqlx::query("DELETE FROM commitments WHERE hearing_id = $1")
        .bind(hearing_id)
        .execute(&mut *tx)
        .await?;
    let (a, p) = (next.agency.as_ref(), next.petitioner.as_ref());
    sqlx::query(
        "INSERT INTO commitments (hearing_id, agency_text, petitioner_text, agency_confirmed_by, \
         agency_confirmed_at, agency_on_paper, petitioner_confirmed_by, petitioner_confirmed_at, \
         petitioner_on_paper, scan_sha256, scan_kind, drafted_by, drafted_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(hearing_id)
    .bind(&next.agency_text)
    .bind(&next.petitioner_text)
    .bind(a.map(|x| x.by.clone()))
    .bind(a.map(|x| x.at_ms))
    .bind(i64::from(a.is_some_and(|x| x.on_paper)))
    .bind(p.map(|x| x.by.clone()))
    .bind(p.map(|x| x.at_ms))
    .bind(i64::from(p.is_some_and(|x| x.on_paper)))
    .bind(next.scan_sha256.as_deref())
    .bind(kind)
    .bind(drafted_by)
    .bind(drafted_at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Ok(next))
}

/// The signed scan of a hearing's commitment: (sha256, kind code).
pub async fn commitment_scan(
    db: &Db,
    hearing_id: &str,
) -> Result<Option<(String, String)>, DbError> {
    let row = sqlx::query("SELECT scan_sha256, scan_kind FROM commitments WHERE hearing_id = $1")
        .bind(hearing_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row
        .map(|r| -> Result<_, DbError> {
            let sha: Option<String> = r.try_get("scan_sha256")?;
            let kind: Option<String> = r.try_get("scan_kind")?;
            Ok(sha.zip(kind))
        })
        .transpose()?
        .flatten())
}

const FOLLOW_UP_SELECT: &str = "SELECT f.id, f.hearing_id, f.due_on, f.assignee_id, a.display_name AS assignee_name, \
     f.done_on, f.note, f.recorded_by, c.number, c.title FROM follow_ups f \
     JOIN hearings h ON h.id = f.hearing_id JOIN cases c ON c.id = h.case_id \
     LEFT JOIN accounts a ON a.id = f.assignee_id";

fn follow_up_from_row(r: &AnyRow, today: CalendarDate) -> Result<VisitTask, DbError> {
    let due_on = stored_date(&r.try_get::<String, _>("due_on")?)?;
    let done_on = opt_date(r.try_get("done_on")?)?;
    Ok(VisitTask {
        follow_up: FollowUpRecord {
            id: r.try_get("id")?,
            due_on,
            assignee_id: r.try_get("assignee_id")?,
            assignee_name: r.try_get("assignee_name")?,
            done_on,
            note: r.try_get("note")?,
            recorded_by: r.try_get("recorded_by")?,
            state: FollowUpState::of(due_on, done_on, today),
        },
        hearing_id: r.try_get("hearing_id")?,
        case_number: r.try_get("number")?,
        case_title: r.try_get("title")?,
    })
}

pub async fn follow_ups(
    db: &Db,
    hearing_id: &str,
    today: CalendarDate,
) -> Result<Vec<FollowUpRecord>, DbError> {
    let sql = format!("{FOLLOW_UP_SELECT} WHERE f.hearing_id = $1 ORDER BY f.due_on, f.id");
    let rows = sqlx::query(&sql)
        .bind(hearing_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| follow_up_from_row(r, today).map(|t| t.follow_up))
        .collect()
}

/// One visit with its hearing, by id.
pub async fn visit(db: &Db, id: &str, today: CalendarDate) -> Result<Option<VisitTask>, DbError> {
    let sql = format!("{FOLLOW_UP_SELECT} WHERE f.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(db.pool()).await?;
    row.map(|r| follow_up_from_row(&r, today)).transpose()
}

/// Visits still to make, the earliest due first; only `assignee`'s when given.
pub async fn open_visits(
    db: &Db,
    assignee: Option<&str>,
    today: CalendarDate,
) -> Result<Vec<VisitTask>, DbError> {
    let order = "ORDER BY f.due_on, f.id";
    let rows = match assignee {
        Some(who) => {
            let sql = format!(
                "{FOLLOW_UP_SELECT} WHERE f.done_on IS NULL AND f.assignee_id = $1 {order}"
            );
            sqlx::query(&sql).bind(who).fetch_all(db.pool()).await?
        }
        None => {
            let sql = format!("{FOLLOW_UP_SELECT} WHERE f.done_on IS NULL {order}");
            sqlx::query(&sql).fetch_all(db.pool()).await?
        }
    };
    rows.iter().map(|r| follow_up_from_row(r, today)).collect()
}

pub async fn assign_visit(db: &Db, id: &str, assignee_id: &str) -> Result<bool, DbError> {
    let done =
        sqlx::query("UPDATE follow_ups SET assignee_id = $1 WHERE id = $2 AND done_on IS NULL")
            .bind(assignee_id)
            .bind(id)
            .execute(db.pool())
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a visit still to make; false when it is not one (recorded meanwhile,
/// or removed by a corrected decision): the caller reads it again to say which.
pub async fn record_visit(
    db: &Db,
    id: &str,
    done_on: CalendarDate,
    note: &str,
    by: &str,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE follow_ups SET done_on = $1, note = $2, recorded_by = $3, recorded_at = $4 \
         WHERE id = $5 AND done_on IS NULL",
    )
    .bind(done_on.to_string())
    .bind(note)
    .bind(by)
    .bind(now_ms())
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Every rating of the hearing, the latest (the one that counts) first.
pub async fn ratings(db: &Db, hearing_id: &str) -> Result<Vec<Rating>, DbError> {
    let rows = sqlx::query(
        "SELECT rating, comment, source, recorded_by, recorded_at FROM satisfaction_ratings \
         WHERE hearing_id = $1 ORDER BY recorded_at DESC, id DESC",
    )
    .bind(hearing_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let source: String = r.try_get("source")?;
            Ok(Rating {
                rating: stored_code::<Satisfaction>(&r.try_get::<String, _>("rating")?)?,
                comment: r.try_get("comment")?,
                source: RatingSource::from_code(&source)
                    .ok_or_else(|| DbError::Corrupt(format!("rating source {source:?}")))?,
                recorded_by: r.try_get("recorded_by")?,
                at_ms: r.try_get("recorded_at")?,
            })
        })
        .collect()
}

pub async fn add_rating(db: &Db, hearing_id: &str, rating: &Rating) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO satisfaction_ratings (id, hearing_id, rating, comment, source, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(hearing_id)
    .bind(rating.rating.code())
    .bind(&rating.comment)
    .bind(rating.source.code())
    .bind(&rating.recorded_by)
    .bind(rating.at_ms)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// What each hearing of the case leaves to do before the case may be closed
/// (三个不结案): its latest rating, its visits still to make, and whether its
/// commitment is confirmed by both sides. Empty for a case without hearings.
pub async fn closing_facts(
    db: &Db,
    case_id: &str,
    today: CalendarDate,
) -> Result<Vec<ClosingFacts>, DbError> {
    let rows = sqlx::query("SELECT id FROM hearings WHERE case_id = $1 ORDER BY id")
        .bind(case_id)
        .fetch_all(db.pool())
        .await?;
    let mut facts = Vec::with_capacity(rows.len());
    for row in &rows {
        let hearing_id: String = row.try_get("id")?;
        facts.push(hearing_closing_facts(db, &hearing_id, today).await?);
    }
    Ok(facts)
}

async fn hearing_closing_facts(
    db: &Db,
    hearing_id: &str,
    today: CalendarDate,
) -> Result<ClosingFacts, DbError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN due_on < $2 THEN 1 ELSE 0 END), 0) AS overdue \
         FROM follow_ups WHERE hearing_id = $1 AND done_on IS NULL",
    )
    .bind(hearing_id)
    .bind(today.to_string())
    .fetch_one(db.pool())
    .await?;
    let count = |column: &str| -> Result<usize, DbError> {
        Ok(usize::try_from(row.try_get::<i64, _>(column)?).unwrap_or(usize::MAX))
    };
    Ok(ClosingFacts {
        latest_rating: ratings(db, hearing_id).await?.first().map(|r| r.rating),
        open_visits: count("n")?,
        overdue_visits: count("overdue")?,
        commitment_confirmed: commitment(db, hearing_id).await?.map(|c| c.is_complete()),
    })
}

/// Later cases marked as repeats of this hearing.
pub async fn repeats_of(db: &Db, hearing_id: &str) -> Result<Vec<RepeatLink>, DbError> {
    let rows = sqlx::query(
        "SELECT c.id, c.number, c.title, r.marked_by, r.marked_at FROM repeat_petitions r \
         JOIN cases c ON c.id = r.case_id WHERE r.earlier_hearing_id = $1 ORDER BY c.number",
    )
    .bind(hearing_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(RepeatLink {
                case: CaseRef {
                    id: r.try_get("id")?,
                    number: r.try_get("number")?,
                    title: r.try_get("title")?,
                },
                marked_by: r.try_get("marked_by")?,
                marked_at_ms: r.try_get("marked_at")?,
            })
        })
        .collect()
}

/// Cases received on or after `since` (other than `case_id`), not yet marked as
/// a repeat of any hearing: what staff may link to this hearing.
pub async fn repeat_candidates(
    db: &Db,
    case_id: &str,
    since: CalendarDate,
) -> Result<Vec<CaseRef>, DbError> {
    let rows = sqlx::query(
        "SELECT c.id, c.number, c.title FROM cases c WHERE c.id <> $1 AND c.received_on >= $2 \
         AND NOT EXISTS (SELECT 1 FROM repeat_petitions r WHERE r.case_id = c.id) ORDER BY c.received_on DESC, c.number LIMIT 200",
    )
    .bind(case_id)
    .bind(since.to_string())
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CaseRef {
                id: r.try_get("id")?,
                number: r.try_get("number")?,
                title: r.try_get("title")?,
            })
        })
        .collect()
}

/// The case's received date, when it exists.
pub async fn case_received(db: &Db, case_id: &str) -> Result<Option<CalendarDate>, DbError> {
    let row = sqlx::query("SELECT received_on FROM cases WHERE id = $1")
        .bind(case_id)
        .fetch_optional(db.pool())
        .await?;
    row.map(|r| stored_date(&r.try_get::<String, _>("received_on")?))
        .transpose()
}

/// Marks `case_id` as a repeat of `hearing_id`; false when it already is one
/// (of this or another hearing).
pub async fn mark_repeat(
    db: &Db,
    case_id: &str,
    hearing_id: &str,
    by: &str,
) -> Result<bool, DbError> {
    let mut tx = db.begin_write().await?;
    let exists = sqlx::query("SELECT 1 AS x FROM repeat_petitions WHERE case_id = $1")
        .bind(case_id)
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
    if exists {
        tx.rollback().await?;
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO repeat_petitions (case_id, earlier_hearing_id, marked_by, marked_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(case_id)
    .bind(hearing_id)
    .bind(by)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Removes a mistaken link; true when there was one to this hearing.
pub async fn unmark_repeat(db: &Db, case_id: &str, hearing_id: &str) -> Result<bool, DbError> {
    let done =
        sqlx::query("DELETE FROM repeat_petitions WHERE case_id = $1 AND earlier_hearing_id = $2")
            .bind(case_id)
            .bind(hearing_id)
            .execute(db.pool())
            .await?;
    Ok(done.rows_affected() == 1)
}

/// The office's follow-up policy (回访天数), or the default 30 and 90 days.
pub async fn policy(db: &Db) -> Result<FollowUpPolicy, DbError> {
    let row = sqlx::query("SELECT value FROM office_settings WHERE key = 'follow_up_days'")
        .fetch_optional(db.pool())
        .await?;
    Ok(match row {
        Some(r) => FollowUpPolicy::parse(&r.try_get::<String, _>("value")?).unwrap_or_default(),
        None => FollowUpPolicy::default(),
    })
}

pub async fn save_policy(db: &Db, policy: &FollowUpPolicy) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM office_settings WHERE key = 'follow_up_days'")
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO office_settings (key, value) VALUES ('follow_up_days', $1)")
        .bind(policy.to_setting_text())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
