//! The pool (评议团成员库), draw records and seats.

use super::{Db, DbError, new_id, now_ms};
use crate::domain::case::{CalendarDate, Coded};
use crate::domain::pool::{Member, MemberDraft, MemberStatus, SeatStatus};
use crate::domain::sortition::{DrawInput, DrawResult};
use crate::model::{DrawRecord, DrawStatus, MemberRow, ServedHearing};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

const MEMBER_SELECT: &str = "SELECT m.id, m.account_id, m.name, m.category, m.extra_tags, \
     m.organisation, m.district, m.contact, m.status, m.unavailable, m.relations, m.version, \
     a.username, \
     (SELECT COUNT(*) FROM panel_seats s JOIN hearings h ON h.id = s.hearing_id \
      WHERE s.member_id = m.id AND s.status IN ('invited', 'accepted') \
      AND h.status <> 'cancelled') AS served \
     FROM pool_members m JOIN accounts a ON a.id = m.account_id";

fn json_list<T: serde::de::DeserializeOwned>(row: &AnyRow, column: &str) -> Result<T, DbError> {
    let text: String = row.try_get(column)?;
    serde_json::from_str(&text).map_err(|e| DbError::Corrupt(format!("{column}: {e}")))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, DbError> {
    serde_json::to_string(value).map_err(|e| DbError::Corrupt(e.to_string()))
}

fn member_from_row(row: &AnyRow) -> Result<MemberRow, DbError> {
    let status: String = row.try_get("status")?;
    let unavailable: Vec<CalendarDate> = json_list(row, "unavailable")?;
    Ok(MemberRow {
        member: Member {
            id: row.try_get("id")?,
            account_id: row.try_get("account_id")?,
            version: row.try_get("version")?,
            draft: MemberDraft {
                name: row.try_get("name")?,
                category: row.try_get("category")?,
                extra_tags: json_list(row, "extra_tags")?,
                organisation: row.try_get("organisation")?,
                district: row.try_get("district")?,
                contact: row.try_get("contact")?,
                status: MemberStatus::parse_code(&status)
                    .ok_or_else(|| DbError::Corrupt(format!("member status {status}")))?,
                unavailable,
                relations: json_list(row, "relations")?,
            },
        },
        username: row.try_get("username")?,
        served: row.try_get("served")?,
    })
}

/// Which members a list shows.
#[derive(Clone, Debug, Default)]
pub struct MemberQuery {
    /// Lower-cased text in the name, organisation, district or id.
    pub text: Option<String>,
    pub category: Option<String>,
    pub status: Option<MemberStatus>,
}

/// Members matching the query, by id. The pool is a few hundred people at most,
/// so the text filter runs here rather than in SQL (Chinese has no word case).
pub async fn list(db: &Db, query: &MemberQuery) -> Result<Vec<MemberRow>, DbError> {
    let rows = sqlx::query(&format!("{MEMBER_SELECT} ORDER BY m.id"))
        .fetch_all(db.pool())
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let member = member_from_row(row)?;
        let draft = &member.member.draft;
        let text_ok = query.text.as_ref().is_none_or(|t| {
            [
                &member.member.id,
                &draft.name,
                &draft.organisation,
                &draft.district,
            ]
            .iter()
            .any(|field| field.to_lowercase().contains(t))
        });
        let category_ok = query
            .category
            .as_ref()
            .is_none_or(|c| draft.category == *c || draft.extra_tags.contains(c));
        let status_ok = query.status.is_none_or(|s| draft.status == s);
        if text_ok && category_ok && status_ok {
            out.push(member);
        }
    }
    Ok(out)
}

/// Every member, inside a transaction (the draw freezes the pool from this).
pub async fn all_in(conn: &mut AnyConnection) -> Result<Vec<Member>, DbError> {
    let rows = sqlx::query(&format!("{MEMBER_SELECT} ORDER BY m.id"))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| member_from_row(r).map(|m| m.member))
        .collect()
}

pub async fn get(db: &Db, id: &str) -> Result<Option<MemberRow>, DbError> {
    let row = sqlx::query(&format!("{MEMBER_SELECT} WHERE m.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(member_from_row).transpose()
}

/// One member inside a transaction.
pub async fn get_in(conn: &mut AnyConnection, id: &str) -> Result<Option<Member>, DbError> {
    let row = sqlx::query(&format!("{MEMBER_SELECT} WHERE m.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref()
        .map(|r| member_from_row(r).map(|m| m.member))
        .transpose()
}

/// The member an account is, if any.
pub async fn by_account(db: &Db, account_id: &str) -> Result<Option<MemberRow>, DbError> {
    let row = sqlx::query(&format!("{MEMBER_SELECT} WHERE m.account_id = $1"))
        .bind(account_id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(member_from_row).transpose()
}

/// The next free code: M + one more than the highest number in use (M001 …).
pub async fn next_id(conn: &mut AnyConnection) -> Result<String, DbError> {
    let ids: Vec<String> = sqlx::query("SELECT id FROM pool_members")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>("id"))
        .collect::<Result<_, _>>()?;
    let highest = ids
        .iter()
        .filter_map(|id| id.strip_prefix('M')?.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    Ok(format!("M{:03}", highest + 1))
}

pub async fn exists_in(conn: &mut AnyConnection, id: &str) -> Result<bool, DbError> {
    Ok(sqlx::query("SELECT 1 FROM pool_members WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .is_some())
}

/// Adds a member linked to `account_id` (created by the caller in the same transaction).
pub async fn insert_in(
    conn: &mut AnyConnection,
    id: &str,
    account_id: &str,
    draft: &MemberDraft,
) -> Result<(), DbError> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO pool_members (id, account_id, name, category, extra_tags, organisation, \
         district, contact, status, unavailable, relations, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $12)",
    )
    .bind(id)
    .bind(account_id)
    .bind(&draft.name)
    .bind(&draft.category)
    .bind(to_json(&draft.extra_tags)?)
    .bind(&draft.organisation)
    .bind(&draft.district)
    .bind(&draft.contact)
    .bind(draft.status.code())
    .bind(to_json(&draft.unavailable)?)
    .bind(to_json(&draft.relations)?)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Replaces a member's fields if its version is still `expected`; `false` when
/// somebody changed it meanwhile (or it does not exist).
pub async fn update_in(
    conn: &mut AnyConnection,
    id: &str,
    expected: i64,
    draft: &MemberDraft,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE pool_members SET name = $1, category = $2, extra_tags = $3, organisation = $4, \
         district = $5, contact = $6, status = $7, unavailable = $8, relations = $9, \
         version = version + 1, updated_at = $10 WHERE id = $11 AND version = $12",
    )
    .bind(&draft.name)
    .bind(&draft.category)
    .bind(to_json(&draft.extra_tags)?)
    .bind(&draft.organisation)
    .bind(&draft.district)
    .bind(&draft.contact)
    .bind(draft.status.code())
    .bind(to_json(&draft.unavailable)?)
    .bind(to_json(&draft.relations)?)
    .bind(now_ms())
    .bind(id)
    .bind(expected)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The hearings a member was seated on (any seat status), newest first.
pub async fn history(db: &Db, member_id: &str) -> Result<Vec<ServedHearing>, DbError> {
    let rows = sqlx::query(
        "SELECT h.id, h.title, h.starts_at, s.status, s.reason FROM panel_seats s \
         JOIN hearings h ON h.id = s.hearing_id WHERE s.member_id = $1 \
         ORDER BY h.starts_at DESC, h.id",
    )
    .bind(member_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let status: String = r.try_get("status")?;
            Ok(ServedHearing {
                hearing_id: r.try_get("id")?,
                title: r.try_get("title")?,
                starts_at_ms: r.try_get("starts_at")?,
                status: SeatStatus::parse_code(&status)
                    .ok_or_else(|| DbError::Corrupt(format!("seat status {status}")))?,
                reason: r.try_get("reason")?,
            })
        })
        .collect()
}

/// Members seated on the office's last `n` hearings (before `before_ms`) that
/// were not cancelled: the rotation rule rests them.
pub async fn recent_servers_in(
    conn: &mut AnyConnection,
    n: u32,
    before_ms: i64,
    except_hearing: &str,
) -> Result<Vec<String>, DbError> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT DISTINCT s.member_id FROM panel_seats s WHERE s.member_id IS NOT NULL \
         AND s.status IN ('invited', 'accepted') AND s.hearing_id IN \
         (SELECT h.id FROM hearings h WHERE h.status <> 'cancelled' AND h.starts_at < $1 \
          AND h.id <> $2 AND EXISTS (SELECT 1 FROM panel_seats x WHERE x.hearing_id = h.id) \
          ORDER BY h.starts_at DESC LIMIT {n})"
    );
    sqlx::query(&sql)
        .bind(before_ms)
        .bind(except_hearing)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>("member_id").map_err(DbError::from))
        .collect()
}

// ---- Draw records ------------------------------------------------------------

const DRAW_SELECT: &str = "SELECT id, hearing_id, status, input_json, input_hash, committed_at, \
     committed_by, public_values, result_json, drawn_at, drawn_by, void_reason FROM panel_draws";

fn draw_from_row(row: &AnyRow) -> Result<DrawRecord, DbError> {
    let status: String = row.try_get("status")?;
    let input_json: String = row.try_get("input_json")?;
    let public_values: Option<String> = row.try_get("public_values")?;
    let result_json: Option<String> = row.try_get("result_json")?;
    let corrupt = |e: serde_json::Error| DbError::Corrupt(format!("draw: {e}"));
    Ok(DrawRecord {
        id: row.try_get("id")?,
        hearing_id: row.try_get("hearing_id")?,
        status: DrawStatus::parse_code(&status)
            .ok_or_else(|| DbError::Corrupt(format!("draw status {status}")))?,
        input: serde_json::from_str::<DrawInput>(&input_json).map_err(corrupt)?,
        input_hash: row.try_get("input_hash")?,
        committed_at_ms: row.try_get("committed_at")?,
        committed_by: row.try_get("committed_by")?,
        public_values: public_values
            .map(|v| serde_json::from_str(&v))
            .transpose()
            .map_err(corrupt)?,
        result: result_json
            .map(|v| serde_json::from_str::<DrawResult>(&v))
            .transpose()
            .map_err(corrupt)?,
        drawn_at_ms: row.try_get("drawn_at")?,
        drawn_by: row.try_get("drawn_by")?,
        void_reason: row.try_get("void_reason")?,
    })
}

pub async fn draw(db: &Db, id: &str) -> Result<Option<DrawRecord>, DbError> {
    let row = sqlx::query(&format!("{DRAW_SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(draw_from_row).transpose()
}

/// Every draw of a hearing, oldest first (voided ones included: they are public too).
pub async fn draws_of(db: &Db, hearing_id: &str) -> Result<Vec<DrawRecord>, DbError> {
    let rows = sqlx::query(&format!(
        "{DRAW_SELECT} WHERE hearing_id = $1 ORDER BY committed_at, id"
    ))
    .bind(hearing_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(draw_from_row).collect()
}

/// The hearing's draw that is not void (committed or drawn), inside a transaction.
pub async fn live_draw_in(
    conn: &mut AnyConnection,
    hearing_id: &str,
) -> Result<Option<DrawRecord>, DbError> {
    let row = sqlx::query(&format!(
        "{DRAW_SELECT} WHERE hearing_id = $1 AND status <> 'void' ORDER BY committed_at DESC LIMIT 1"
    ))
    .bind(hearing_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(draw_from_row).transpose()
}

pub async fn insert_draw_in(
    conn: &mut AnyConnection,
    hearing_id: &str,
    input: &DrawInput,
    input_hash: &str,
    committed_by: &str,
) -> Result<String, DbError> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO panel_draws (id, hearing_id, status, input_json, input_hash, committed_at, committed_by) \
         VALUES ($1, $2, 'committed', $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(hearing_id)
    .bind(to_json(input)?)
    .bind(input_hash)
    .bind(now_ms())
    .bind(committed_by)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

pub async fn set_drawn_in(
    conn: &mut AnyConnection,
    draw_id: &str,
    public_values: &[String],
    result: &DrawResult,
    drawn_by: &str,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE panel_draws SET status = 'drawn', public_values = $1, result_json = $2, \
         drawn_at = $3, drawn_by = $4 WHERE id = $5 AND status = 'committed'",
    )
    .bind(to_json(&public_values)?)
    .bind(to_json(result)?)
    .bind(now_ms())
    .bind(drawn_by)
    .bind(draw_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn set_void_in(
    conn: &mut AnyConnection,
    draw_id: &str,
    reason: &str,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE panel_draws SET status = 'void', void_reason = $1 WHERE id = $2 AND status = 'committed'",
    )
    .bind(reason)
    .bind(draw_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

// ---- Seats -----------------------------------------------------------------------

/// Gives `member` a seat (status invited) on the hearing.
pub async fn seat_in(
    conn: &mut AnyConnection,
    hearing_id: &str,
    member: &Member,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO panel_seats (hearing_id, account_id, seated_at, status, member_id, changed_at) \
         VALUES ($1, $2, $3, 'invited', $4, $3)",
    )
    .bind(hearing_id)
    .bind(&member.account_id)
    .bind(now_ms())
    .bind(&member.id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records a seat's new status (accepted, declined, recused) and its reason.
pub async fn set_seat_in(
    conn: &mut AnyConnection,
    hearing_id: &str,
    member_id: &str,
    status: SeatStatus,
    reason: Option<&str>,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE panel_seats SET status = $1, reason = $2, changed_at = $3 \
         WHERE hearing_id = $4 AND member_id = $5",
    )
    .bind(status.code())
    .bind(reason)
    .bind(now_ms())
    .bind(hearing_id)
    .bind(member_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Takes the hearing's write turn: a no-op write that holds the hearing row
/// (PostgreSQL) or the database's write lock (SQLite) until the transaction
/// ends, so two panel decisions on one hearing never interleave. `false` when
/// the hearing does not exist.
pub async fn lock_hearing(conn: &mut AnyConnection, hearing_id: &str) -> Result<bool, DbError> {
    // A hearing whose minutes are final (sealed) takes no more changes of any
    // kind: events, exhibits, opinions, seats.
    let done =
        sqlx::query("UPDATE hearings SET last_seq = last_seq WHERE id = $1 AND sealed_at IS NULL")
            .bind(hearing_id)
            .execute(&mut *conn)
            .await?;
    if done.rows_affected() == 1 {
        return Ok(true);
    }
    let exists = sqlx::query("SELECT 1 FROM hearings WHERE id = $1")
        .bind(hearing_id)
        .fetch_optional(&mut *conn)
        .await?;
    match exists {
        Some(_) => Err(DbError::Sealed),
        None => Ok(false),
    }
}
