//! What the statistics dashboard is computed from (`domain::stats::dashboard`):
//! held hearings with their outcome, repeat links, latest rating and panel;
//! cases; follow-up visits; the pool. Read in one pass, figures computed in Rust.

use super::{Db, DbError, stored_code, stored_date};
use crate::domain::case::CalendarDate;
use crate::domain::clock::CHINA_OFFSET_SECONDS;
use crate::domain::pool::SeatStatus;
use crate::domain::stats::{CaseFact, HeldHearing, MemberFact, StatsData, VisitFact};
use sqlx::Row;
use std::collections::HashMap;

/// Everything the dashboard needs, as of `now_ms` (hearings after it are not held).
pub async fn data(db: &Db, now_ms: i64) -> Result<StatsData, DbError> {
    Ok(StatsData {
        hearings: held_hearings(db, now_ms).await?,
        cases: cases(db).await?,
        visits: visits(db).await?,
        members: members(db).await?,
    })
}

/// Hearings that took place: their log shows them opened (宣布开始; imported
/// history carries the time recorded in the earlier system), the same rule as
/// the aftercare pages (`api::aftercare::edge::held`). Each counts on the day
/// it opened.
async fn held_hearings(db: &Db, now_ms: i64) -> Result<Vec<HeldHearing>, DbError> {
    let mut served = panel_members(db).await?;
    let rows = sqlx::query(
        "SELECT h.id, h.opened_at, c.number, c.district, o.resolution, \
         (SELECT COUNT(*) FROM repeat_petitions r WHERE r.earlier_hearing_id = h.id) AS repeats, \
         (SELECT s.rating FROM satisfaction_ratings s WHERE s.hearing_id = h.id \
          ORDER BY s.recorded_at DESC, s.id DESC LIMIT 1) AS rating \
         FROM hearings h JOIN cases c ON c.id = h.case_id \
         LEFT JOIN hearing_outcomes o ON o.hearing_id = h.id \
         WHERE h.opened_at IS NOT NULL AND h.opened_at <= $1 ORDER BY h.opened_at, h.id",
    )
    .bind(now_ms)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let id: String = r.try_get("id")?;
            let resolution: Option<String> = r.try_get("resolution")?;
            let rating: Option<String> = r.try_get("rating")?;
            Ok(HeldHearing {
                case_number: r.try_get("number")?,
                district: r.try_get("district")?,
                held_on: CalendarDate::of_instant(r.try_get("opened_at")?, CHINA_OFFSET_SECONDS),
                resolution: resolution.as_deref().map(stored_code).transpose()?,
                repeated: r.try_get::<i64, _>("repeats")? > 0,
                rating: rating.as_deref().map(stored_code).transpose()?,
                served: served.remove(&id).unwrap_or_default(),
            })
        })
        .collect()
}

/// Each hearing's pool members who served: the seats held (invited or
/// accepted) by the one rule the room and the ballots use,
/// [`SeatStatus::holds_seat`]; a declined or recused seat is not a service.
async fn panel_members(db: &Db) -> Result<HashMap<String, Vec<String>>, DbError> {
    let seats = sqlx::query(
        "SELECT hearing_id, member_id, status FROM panel_seats WHERE member_id IS NOT NULL \
         ORDER BY hearing_id, member_id",
    )
    .fetch_all(db.pool())
    .await?;
    let mut served: HashMap<String, Vec<String>> = HashMap::new();
    for seat in &seats {
        let status: SeatStatus = stored_code(&seat.try_get::<String, _>("status")?)?;
        if status.holds_seat() {
            served
                .entry(seat.try_get("hearing_id")?)
                .or_default()
                .push(seat.try_get("member_id")?);
        }
    }
    Ok(served)
}

async fn cases(db: &Db) -> Result<Vec<CaseFact>, DbError> {
    let rows = sqlx::query(
        "SELECT number, district, received_on, accepted_on, risk, class, status FROM cases ORDER BY number",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let accepted: Option<String> = r.try_get("accepted_on")?;
            Ok(CaseFact {
                number: r.try_get("number")?,
                district: r.try_get("district")?,
                received_on: stored_date(&r.try_get::<String, _>("received_on")?)?,
                accepted_on: accepted.as_deref().map(stored_date).transpose()?,
                risk: stored_code(&r.try_get::<String, _>("risk")?)?,
                class: stored_code(&r.try_get::<String, _>("class")?)?,
                status: stored_code(&r.try_get::<String, _>("status")?)?,
            })
        })
        .collect()
}

async fn visits(db: &Db) -> Result<Vec<VisitFact>, DbError> {
    let rows = sqlx::query(
        "SELECT c.number, c.district, f.due_on, f.done_on, a.display_name FROM follow_ups f \
         JOIN hearings h ON h.id = f.hearing_id JOIN cases c ON c.id = h.case_id \
         LEFT JOIN accounts a ON a.id = f.assignee_id WHERE h.status = 'scheduled' \
         ORDER BY f.due_on, f.id",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let done: Option<String> = r.try_get("done_on")?;
            let assignee: Option<String> = r.try_get("display_name")?;
            Ok(VisitFact {
                case_number: r.try_get("number")?,
                district: r.try_get("district")?,
                due_on: stored_date(&r.try_get::<String, _>("due_on")?)?,
                done_on: done.as_deref().map(stored_date).transpose()?,
                assignee: assignee.unwrap_or_default(),
            })
        })
        .collect()
}

/// Members who could be drawn: the active pool.
async fn members(db: &Db) -> Result<Vec<MemberFact>, DbError> {
    let rows = sqlx::query("SELECT id, name FROM pool_members WHERE status = 'active' ORDER BY id")
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(MemberFact {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
            })
        })
        .collect()
}
