//! Cases and hearings, as much as the skeleton needs: the demo creates them,
//! pages list and show them.

use super::{Db, DbError, new_id, now_ms};
use crate::model::HearingSummary;
use sqlx::Row;
use sqlx::any::AnyRow;

const SUMMARY_SELECT: &str = "SELECT h.id, h.title, c.number, c.title AS case_title, h.starts_at, h.place \
     FROM hearings h JOIN cases c ON c.id = h.case_id";

fn summary_from_row(row: &AnyRow) -> Result<HearingSummary, DbError> {
    Ok(HearingSummary {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        case_number: row.try_get("number")?,
        case_title: row.try_get("case_title")?,
        starts_at_ms: row.try_get("starts_at")?,
        place: row.try_get("place")?,
    })
}

pub async fn list(db: &Db) -> Result<Vec<HearingSummary>, DbError> {
    let sql = format!("{SUMMARY_SELECT} ORDER BY h.starts_at, h.id");
    let rows = sqlx::query(&sql).fetch_all(db.pool()).await?;
    rows.iter().map(summary_from_row).collect()
}

pub async fn get(db: &Db, hearing_id: &str) -> Result<Option<HearingSummary>, DbError> {
    let sql = format!("{SUMMARY_SELECT} WHERE h.id = $1");
    let row = sqlx::query(&sql)
        .bind(hearing_id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(summary_from_row).transpose()
}

/// True when no case exists yet: the moment to offer the demo data.
pub async fn is_empty(db: &Db) -> Result<bool, DbError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM cases")
        .fetch_one(db.pool())
        .await?;
    Ok(row.try_get::<i64, _>("n")? == 0)
}

pub struct NewCase<'a> {
    pub number: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
}

pub async fn create_case(db: &Db, case: &NewCase<'_>) -> Result<String, DbError> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO cases (id, number, title, summary, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(case.number)
    .bind(case.title)
    .bind(case.summary)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(id)
}

pub struct NewHearing<'a> {
    pub case_id: &'a str,
    pub title: &'a str,
    pub starts_at_ms: i64,
    pub duration_min: i64,
    pub place: &'a str,
}

pub async fn create_hearing(db: &Db, hearing: &NewHearing<'_>) -> Result<String, DbError> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO hearings (id, case_id, title, starts_at, duration_min, place, last_seq, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7)",
    )
    .bind(&id)
    .bind(hearing.case_id)
    .bind(hearing.title)
    .bind(hearing.starts_at_ms)
    .bind(hearing.duration_min)
    .bind(hearing.place)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(id)
}

/// The seq of the hearing's last committed event; `None` when there is no such hearing.
pub async fn head_seq(db: &Db, hearing_id: &str) -> Result<Option<u64>, DbError> {
    let row = sqlx::query("SELECT last_seq FROM hearings WHERE id = $1")
        .bind(hearing_id)
        .fetch_optional(db.pool())
        .await?;
    match row {
        None => Ok(None),
        Some(row) => {
            let seq: i64 = row.try_get("last_seq")?;
            Ok(Some(u64::try_from(seq).map_err(|_| {
                DbError::Corrupt(format!("last_seq {seq}"))
            })?))
        }
    }
}

/// Who holds which place in the hearing; `None` when there is no such hearing.
pub async fn staff(
    db: &Db,
    hearing_id: &str,
) -> Result<Option<crate::domain::access::HearingStaff>, DbError> {
    let Some(row) = sqlx::query("SELECT host_id, clerk_id, is_public FROM hearings WHERE id = $1")
        .bind(hearing_id)
        .fetch_optional(db.pool())
        .await?
    else {
        return Ok(None);
    };
    let jurors =
        sqlx::query("SELECT account_id FROM panel_seats WHERE hearing_id = $1 ORDER BY account_id")
            .bind(hearing_id)
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>("account_id"))
            .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(crate::domain::access::HearingStaff {
        hearing_id: hearing_id.to_owned(),
        is_public: row.try_get::<i64, _>("is_public")? != 0,
        host_id: row.try_get("host_id")?,
        clerk_id: row.try_get("clerk_id")?,
        jurors,
    }))
}

/// Assigns the hearing's host and clerk.
pub async fn assign_staff(
    db: &Db,
    hearing_id: &str,
    host_id: Option<&str>,
    clerk_id: Option<&str>,
) -> Result<(), DbError> {
    sqlx::query("UPDATE hearings SET host_id = $1, clerk_id = $2 WHERE id = $3")
        .bind(host_id)
        .bind(clerk_id)
        .bind(hearing_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Seats a panel member on a hearing (the draw of #5 will call this).
pub async fn seat_juror(db: &Db, hearing_id: &str, account_id: &str) -> Result<(), DbError> {
    sqlx::query("INSERT INTO panel_seats (hearing_id, account_id, seated_at) VALUES ($1, $2, $3)")
        .bind(hearing_id)
        .bind(account_id)
        .bind(now_ms())
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Marks a hearing public (公开听证) or not.
pub async fn set_public(db: &Db, hearing_id: &str, public: bool) -> Result<(), DbError> {
    sqlx::query("UPDATE hearings SET is_public = $1 WHERE id = $2")
        .bind(i64::from(public))
        .bind(hearing_id)
        .execute(db.pool())
        .await?;
    Ok(())
}
