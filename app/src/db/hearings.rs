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

/// The hearings starting at or after `from_ms`, in time order: the home page's
/// list (the recent past and what is to come; older hearings are reached from
/// their case, the calendar and the archive).
pub async fn list_from(db: &Db, from_ms: i64) -> Result<Vec<HearingSummary>, DbError> {
    let sql = format!("{SUMMARY_SELECT} WHERE h.starts_at >= $1 ORDER BY h.starts_at, h.id");
    let rows = sqlx::query(&sql).bind(from_ms).fetch_all(db.pool()).await?;
    rows.iter().map(summary_from_row).collect()
}

/// [`list_from`], only the hearings `account_id` is seated on now (the seats
/// that let a member into the room: invited or accepted).
pub async fn list_seated_from(
    db: &Db,
    account_id: &str,
    from_ms: i64,
) -> Result<Vec<HearingSummary>, DbError> {
    let sql = format!(
        "{SUMMARY_SELECT} WHERE h.starts_at >= $1 AND h.id IN (SELECT s.hearing_id FROM panel_seats s \
         WHERE s.account_id = $2 AND s.status IN ('invited', 'accepted')) ORDER BY h.starts_at, h.id"
    );
    let rows = sqlx::query(&sql)
        .bind(from_ms)
        .bind(account_id)
        .fetch_all(db.pool())
        .await?;
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

/// 表决事项 as planned at scheduling (empty for a hearing made without a plan).
pub async fn planned_questions(db: &Db, hearing_id: &str) -> Result<Vec<String>, DbError> {
    let row = sqlx::query("SELECT questions FROM hearings WHERE id = $1")
        .bind(hearing_id)
        .fetch_optional(db.pool())
        .await?;
    let Some(row) = row else {
        return Ok(Vec::new());
    };
    let questions: String = row.try_get("questions")?;
    serde_json::from_str(&questions)
        .map_err(|_| DbError::Corrupt(format!("questions: {questions}")))
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
        sqlx::query("SELECT account_id FROM panel_seats WHERE hearing_id = $1 AND status IN ('invited', 'accepted') ORDER BY account_id")
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

/// The members holding a seat now (invited or accepted), as a ballot freezes them:
/// by account, with the name they check in under. Read under the write turn.
pub async fn seated_voters_in(
    conn: &mut sqlx::AnyConnection,
    hearing_id: &str,
) -> Result<Vec<crate::domain::ballot::Voter>, DbError> {
    sqlx::query(
        "SELECT s.account_id, a.display_name FROM panel_seats s JOIN accounts a ON a.id = s.account_id \
         WHERE s.hearing_id = $1 AND s.status IN ('invited', 'accepted') ORDER BY s.seated_at, s.account_id",
    )
    .bind(hearing_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(crate::domain::ballot::Voter {
            voter_id: r.try_get("account_id")?,
            name: r.try_get("display_name")?,
        })
    })
    .collect()
}

/// [`seated_voters_in`] outside a write turn.
pub async fn seated_voters(
    db: &Db,
    hearing_id: &str,
) -> Result<Vec<crate::domain::ballot::Voter>, DbError> {
    let mut conn = db.pool().acquire().await?;
    seated_voters_in(&mut conn, hearing_id).await
}

/// Whether the hearing's minutes are final (its record takes no more changes).
pub async fn is_sealed(db: &Db, hearing_id: &str) -> Result<bool, DbError> {
    let row = sqlx::query("SELECT sealed_at FROM hearings WHERE id = $1")
        .bind(hearing_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(match row {
        Some(r) => r.try_get::<Option<i64>, _>("sealed_at")?.is_some(),
        None => false,
    })
}

/// Each seat's pool member and the account that member signs in with.
pub async fn seat_accounts(db: &Db, hearing_id: &str) -> Result<Vec<(String, String)>, DbError> {
    sqlx::query(
        "SELECT member_id, account_id FROM panel_seats WHERE hearing_id = $1 AND member_id IS NOT NULL",
    )
    .bind(hearing_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| Ok((r.try_get("member_id")?, r.try_get("account_id")?)))
    .collect()
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

/// Seats an account on a hearing directly, accepted (the demo's past hearing and
/// tests; real panels are seated by `panel::reveal`).
pub async fn seat_juror(db: &Db, hearing_id: &str, account_id: &str) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO panel_seats (hearing_id, account_id, seated_at, member_id) \
         VALUES ($1, $2, $3, (SELECT id FROM pool_members WHERE account_id = $4))",
    )
    .bind(hearing_id)
    .bind(account_id)
    .bind(now_ms())
    .bind(account_id)
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

// ---- Hearing plans (排期), their versions and bookings -------------------------

use crate::domain::case::Coded;
use crate::domain::schedule::{Booking, HearingKind, HearingPlan, HearingStatus, ScheduleChange};
use crate::model::{Changer, HearingRecord, HearingVersion, PersonRef};
use sqlx::AnyConnection;

const RECORD_SELECT: &str = "SELECT h.id, h.case_id, c.number, c.title AS case_title, h.title, \
     h.is_public, h.starts_at, h.duration_min, h.room, h.online, h.host_id, h.clerk_id, \
     h.panel_size, h.questions, h.quota_template, h.short_notice_reason, h.status, h.version, h.updated_at, \
     h.opened_at, h.closed_at, ha.display_name AS host_name, ca.display_name AS clerk_name \
     FROM hearings h JOIN cases c ON c.id = h.case_id \
     LEFT JOIN accounts ha ON ha.id = h.host_id LEFT JOIN accounts ca ON ca.id = h.clerk_id";

fn plan_from_row(row: &AnyRow) -> Result<HearingPlan, DbError> {
    let questions: String = row.try_get("questions")?;
    let quotas: String = row.try_get("quota_template")?;
    let duration: i64 = row.try_get("duration_min")?;
    let panel: i64 = row.try_get("panel_size")?;
    Ok(HearingPlan {
        title: row.try_get("title")?,
        kind: if row.try_get::<i64, _>("is_public")? != 0 {
            HearingKind::Public
        } else {
            HearingKind::Closed
        },
        starts_at_ms: row.try_get("starts_at")?,
        duration_min: u32::try_from(duration).unwrap_or(0),
        room: row.try_get("room")?,
        online: row.try_get::<i64, _>("online")? != 0,
        host_id: row
            .try_get::<Option<String>, _>("host_id")?
            .unwrap_or_default(),
        clerk_id: row.try_get("clerk_id")?,
        panel_size: u32::try_from(panel).unwrap_or(0),
        questions: serde_json::from_str(&questions)
            .map_err(|_| DbError::Corrupt(format!("questions: {questions}")))?,
        short_notice_reason: row.try_get("short_notice_reason")?,
        quotas: serde_json::from_str(&quotas)
            .map_err(|_| DbError::Corrupt(format!("quota_template: {quotas}")))?,
    })
}

fn status_from(raw: &str) -> Result<HearingStatus, DbError> {
    HearingStatus::parse_code(raw).ok_or_else(|| DbError::Corrupt(format!("status {raw}")))
}

fn person(id: Option<String>, name: Option<String>) -> Option<PersonRef> {
    id.map(|id| PersonRef {
        name: name.unwrap_or_else(|| id.clone()),
        id,
    })
}

async fn record_from_row(db: &Db, row: &AnyRow) -> Result<HearingRecord, DbError> {
    let id: String = row.try_get("id")?;
    let jurors = seated(db, &id).await?;
    Ok(HearingRecord {
        case_id: row.try_get("case_id")?,
        case_number: row.try_get("number")?,
        case_title: row.try_get("case_title")?,
        plan: plan_from_row(row)?,
        status: status_from(&row.try_get::<String, _>("status")?)?,
        sitting: crate::domain::schedule::Sitting::of(
            row.try_get("opened_at")?,
            row.try_get("closed_at")?,
        ),
        version: row.try_get("version")?,
        host: person(row.try_get("host_id")?, row.try_get("host_name")?),
        clerk: person(row.try_get("clerk_id")?, row.try_get("clerk_name")?),
        updated_at_ms: row.try_get("updated_at")?,
        jurors,
        id,
    })
}

/// The seated panel of a hearing, by name.
pub async fn seated(db: &Db, hearing_id: &str) -> Result<Vec<PersonRef>, DbError> {
    let rows = sqlx::query(
        "SELECT a.id, a.display_name FROM panel_seats s JOIN accounts a ON a.id = s.account_id \
         WHERE s.hearing_id = $1 AND s.status IN ('invited', 'accepted') ORDER BY a.display_name, a.id",
    )
    .bind(hearing_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PersonRef {
                id: r.try_get("id")?,
                name: r.try_get("display_name")?,
            })
        })
        .collect()
}

pub async fn record(db: &Db, hearing_id: &str) -> Result<Option<HearingRecord>, DbError> {
    let row = sqlx::query(&format!("{RECORD_SELECT} WHERE h.id = $1"))
        .bind(hearing_id)
        .fetch_optional(db.pool())
        .await?;
    match row {
        Some(row) => Ok(Some(record_from_row(db, &row).await?)),
        None => Ok(None),
    }
}

/// What a hearing list may be narrowed to; all optional.
#[derive(Clone, Debug, Default)]
pub struct HearingQuery {
    /// Hearings that end after this instant.
    pub from_ms: Option<i64>,
    /// Hearings that start before this instant.
    pub to_ms: Option<i64>,
    pub case_id: Option<String>,
    pub status: Option<HearingStatus>,
    /// Hearings this account hosts, clerks or sits on.
    pub person_id: Option<String>,
    /// Only public hearings (公开听证).
    pub public_only: bool,
    pub limit: u32,
    pub offset: u32,
}

pub async fn query(db: &Db, q: &HearingQuery) -> Result<Vec<HearingRecord>, DbError> {
    let mut conditions: Vec<String> = Vec::new();
    let mut next = 0usize;
    let mut place = || {
        next += 1;
        format!("${next}")
    };
    // Binds go in placeholder order; texts and numbers are merged below.
    let mut order: Vec<Result<String, i64>> = Vec::new();
    if let Some(from) = q.from_ms {
        conditions.push(format!(
            "h.starts_at + h.duration_min * 60000 > {}",
            place()
        ));
        order.push(Err(from));
    }
    if let Some(to) = q.to_ms {
        conditions.push(format!("h.starts_at < {}", place()));
        order.push(Err(to));
    }
    if let Some(case_id) = &q.case_id {
        conditions.push(format!("h.case_id = {}", place()));
        order.push(Ok(case_id.clone()));
    }
    if let Some(status) = q.status {
        conditions.push(format!("h.status = {}", place()));
        order.push(Ok(status.code().to_string()));
    }
    if let Some(person_id) = &q.person_id {
        let (a, b, c) = (place(), place(), place());
        conditions.push(format!(
            "(h.host_id = {a} OR h.clerk_id = {b} OR EXISTS (SELECT 1 FROM panel_seats s \
             WHERE s.hearing_id = h.id AND s.account_id = {c} AND s.status IN ('invited', 'accepted')))"
        ));
        for _ in 0..3 {
            order.push(Ok(person_id.clone()));
        }
    }
    if q.public_only {
        conditions.push("h.is_public = 1".into());
    }
    let where_clause = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    let limit = if q.limit == 0 { 500 } else { q.limit.min(500) };
    let sql = format!(
        "{RECORD_SELECT}{where_clause} ORDER BY h.starts_at, h.id LIMIT {limit} OFFSET {}",
        q.offset
    );
    let mut query = sqlx::query(&sql);
    for bind in order {
        query = match bind {
            Ok(text) => query.bind(text),
            Err(number) => query.bind(number),
        };
    }
    let rows = query.fetch_all(db.pool()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(record_from_row(db, row).await?);
    }
    Ok(out)
}

/// The hearings that hold rooms and people (scheduled ones) overlapping
/// [from, to), read inside the scheduling turn.
pub async fn bookings(
    conn: &mut AnyConnection,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<Booking>, DbError> {
    let rows = sqlx::query(
        "SELECT id, title, starts_at, duration_min, room, host_id, clerk_id FROM hearings \
         WHERE status = 'scheduled' AND starts_at < $1 AND starts_at + duration_min * 60000 > $2 \
         ORDER BY starts_at, id",
    )
    .bind(to_ms)
    .bind(from_ms)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let id: String = row.try_get("id")?;
        let starts: i64 = row.try_get("starts_at")?;
        let duration: i64 = row.try_get("duration_min")?;
        let jurors = sqlx::query(
            "SELECT account_id FROM panel_seats WHERE hearing_id = $1 AND status IN ('invited', 'accepted')",
        )
            .bind(&id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>("account_id"))
            .collect::<Result<Vec<_>, _>>()?;
        out.push(Booking {
            title: row.try_get("title")?,
            starts_at_ms: starts,
            ends_at_ms: starts + duration * 60_000,
            room: row.try_get("room")?,
            host_id: row
                .try_get::<Option<String>, _>("host_id")?
                .unwrap_or_default(),
            clerk_id: row.try_get("clerk_id")?,
            juror_ids: jurors,
            hearing_id: id,
        });
    }
    Ok(out)
}

/// Seated jurors of one hearing, inside a transaction.
pub async fn seated_ids(
    conn: &mut AnyConnection,
    hearing_id: &str,
) -> Result<Vec<String>, DbError> {
    sqlx::query(
        "SELECT account_id FROM panel_seats WHERE hearing_id = $1 AND status IN ('invited', 'accepted') ORDER BY account_id",
    )
    .bind(hearing_id)
    .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>("account_id").map_err(DbError::from))
        .collect()
}

fn quotas_json(plan: &HearingPlan) -> Result<String, DbError> {
    serde_json::to_string(&plan.quotas).map_err(|e| DbError::Corrupt(e.to_string()))
}

/// What a step of the procedure is decided against, read in the caller's
/// write turn: now, the planned start and whether it is on the calendar.
pub async fn step_plan_in(
    conn: &mut AnyConnection,
    hearing_id: &str,
) -> Result<Option<crate::domain::room::StepPlan>, DbError> {
    let row = sqlx::query("SELECT starts_at, status FROM hearings WHERE id = $1")
        .bind(hearing_id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| {
        Ok(crate::domain::room::StepPlan {
            now_ms: now_ms(),
            planned_start_ms: r.try_get("starts_at")?,
            on_calendar: status_from(&r.try_get::<String, _>("status")?)?
                == HearingStatus::Scheduled,
        })
    })
    .transpose()
}

/// Inserts a planned hearing and its first version.
pub async fn insert_planned(
    conn: &mut AnyConnection,
    case_id: &str,
    plan: &HearingPlan,
    by: &Changer,
) -> Result<String, DbError> {
    let id = new_id();
    let now = now_ms();
    let questions =
        serde_json::to_string(&plan.questions).map_err(|e| DbError::Corrupt(e.to_string()))?;
    sqlx::query(
        "INSERT INTO hearings (id, case_id, title, starts_at, duration_min, place, last_seq, \
         created_at, host_id, clerk_id, is_public, room, online, panel_size, questions, status, \
         short_notice_reason, version, updated_at, quota_template) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9, $10, $11, $12, $13, $14, 'scheduled', $15, 1, $7, $16)",
    )
    .bind(&id)
    .bind(case_id)
    .bind(&plan.title)
    .bind(plan.starts_at_ms)
    .bind(i64::from(plan.duration_min))
    .bind(plan.place_label_zh())
    .bind(now)
    .bind(&plan.host_id)
    .bind(plan.clerk_id.as_deref())
    .bind(i64::from(plan.kind == HearingKind::Public))
    .bind(plan.room.as_deref())
    .bind(i64::from(plan.online))
    .bind(i64::from(plan.panel_size))
    .bind(questions)
    .bind(plan.short_notice_reason.as_deref())
    .bind(quotas_json(plan)?)
    .execute(&mut *conn)
    .await?;
    insert_version(
        conn,
        &id,
        1,
        by,
        ScheduleChange::Scheduled,
        None,
        HearingStatus::Scheduled,
        plan,
    )
    .await?;
    Ok(id)
}

/// Stores a changed plan made from `expected_version` and its history entry.
/// `Ok(None)`: the hearing changed meanwhile; nothing was written.
#[allow(clippy::too_many_arguments)]
pub async fn update_plan(
    conn: &mut AnyConnection,
    hearing_id: &str,
    expected_version: i64,
    plan: &HearingPlan,
    status: HearingStatus,
    change: ScheduleChange,
    reason: Option<&str>,
    by: &Changer,
) -> Result<Option<i64>, DbError> {
    let questions =
        serde_json::to_string(&plan.questions).map_err(|e| DbError::Corrupt(e.to_string()))?;
    let updated = sqlx::query(
        "UPDATE hearings SET title = $1, starts_at = $2, duration_min = $3, place = $4, \
         host_id = $5, clerk_id = $6, is_public = $7, room = $8, online = $9, panel_size = $10, \
         questions = $11, status = $12, short_notice_reason = $13, version = version + 1, \
         updated_at = $14, quota_template = $15 WHERE id = $16 AND version = $17",
    )
    .bind(&plan.title)
    .bind(plan.starts_at_ms)
    .bind(i64::from(plan.duration_min))
    .bind(plan.place_label_zh())
    .bind(&plan.host_id)
    .bind(plan.clerk_id.as_deref())
    .bind(i64::from(plan.kind == HearingKind::Public))
    .bind(plan.room.as_deref())
    .bind(i64::from(plan.online))
    .bind(i64::from(plan.panel_size))
    .bind(questions)
    .bind(status.code())
    .bind(plan.short_notice_reason.as_deref())
    .bind(now_ms())
    .bind(quotas_json(plan)?)
    .bind(hearing_id)
    .bind(expected_version)
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() != 1 {
        return Ok(None);
    }
    let version = expected_version + 1;
    insert_version(conn, hearing_id, version, by, change, reason, status, plan).await?;
    Ok(Some(version))
}

#[allow(clippy::too_many_arguments)]
async fn insert_version(
    conn: &mut AnyConnection,
    hearing_id: &str,
    version: i64,
    by: &Changer,
    change: ScheduleChange,
    reason: Option<&str>,
    status: HearingStatus,
    plan: &HearingPlan,
) -> Result<(), DbError> {
    let snapshot = serde_json::json!({ "status": status, "plan": plan }).to_string();
    sqlx::query(
        "INSERT INTO hearing_versions (hearing_id, version, at_ms, actor, actor_id, change, reason, plan_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(hearing_id)
    .bind(version)
    .bind(now_ms())
    .bind(&by.name)
    .bind(by.id.as_deref())
    .bind(change.code())
    .bind(reason)
    .bind(snapshot)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Every version of a hearing's plan, oldest first.
pub async fn versions(db: &Db, hearing_id: &str) -> Result<Vec<HearingVersion>, DbError> {
    #[derive(serde::Deserialize)]
    struct Snapshot {
        status: HearingStatus,
        plan: HearingPlan,
    }
    let rows = sqlx::query(
        "SELECT version, at_ms, actor, change, reason, plan_json FROM hearing_versions \
         WHERE hearing_id = $1 ORDER BY version",
    )
    .bind(hearing_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let raw: String = row.try_get("plan_json")?;
            let snapshot: Snapshot = serde_json::from_str(&raw)
                .map_err(|_| DbError::Corrupt(format!("hearing version {raw}")))?;
            let change: String = row.try_get("change")?;
            Ok(HearingVersion {
                version: row.try_get("version")?,
                at_ms: row.try_get("at_ms")?,
                actor: row.try_get("actor")?,
                change: ScheduleChange::parse_code(&change)
                    .ok_or_else(|| DbError::Corrupt(format!("change {change}")))?,
                reason: row.try_get("reason")?,
                status: snapshot.status,
                plan: snapshot.plan,
            })
        })
        .collect()
}
