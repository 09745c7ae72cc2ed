//! The archive of finalised minutes (档案) and the seal on a finalised hearing.

use super::{Db, DbError};
use crate::model::{ArchiveEntry, ArchiveQuery};
use sqlx::Row;
use sqlx::any::AnyRow;

/// What goes into the archive when the minutes are finalised.
pub struct NewArchiveEntry<'a> {
    /// The hearing as printed in the minutes.
    pub hearing: &'a crate::model::HearingSummary,
    pub sha256: &'a str,
    pub byte_size: i64,
    pub chain_head: &'a str,
    pub final_seq: i64,
    pub outcome: &'a str,
    pub members: &'a str,
    pub cert_sha256: &'a str,
    pub finalised_at_ms: i64,
    pub finalised_by: &'a str,
}

/// Files the minutes and seals the hearing's log, inside the finalising turn.
pub async fn archive_in(
    tx: &mut sqlx::AnyConnection,
    entry: &NewArchiveEntry<'_>,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO minutes_archive (hearing_id, sha256, byte_size, chain_head, final_seq, outcome, \
         members, cert_sha256, finalised_at, finalised_by, case_number, case_title, hearing_title, \
         starts_at, place) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(&entry.hearing.id)
    .bind(entry.sha256)
    .bind(entry.byte_size)
    .bind(entry.chain_head)
    .bind(entry.final_seq)
    .bind(entry.outcome)
    .bind(entry.members)
    .bind(entry.cert_sha256)
    .bind(entry.finalised_at_ms)
    .bind(entry.finalised_by)
    .bind(&entry.hearing.case_number)
    .bind(&entry.hearing.case_title)
    .bind(&entry.hearing.title)
    // When it sat (the opening the log recorded; see minutes::finalise).
    .bind(entry.hearing.starts_at_ms)
    .bind(&entry.hearing.place)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE hearings SET sealed_at = $1 WHERE id = $2")
        .bind(entry.finalised_at_ms)
        .bind(&entry.hearing.id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// The archive keeps the case and hearing as the minutes printed them: a later
/// edit of the case does not change what the archive says the document is.
const ENTRY_SELECT: &str = "SELECT m.hearing_id, m.case_number AS number, m.case_title, m.hearing_title AS title, \
     m.starts_at, m.place, m.outcome, m.members, m.sha256, m.byte_size, m.cert_sha256, m.finalised_at, \
     m.finalised_by, c.summary FROM minutes_archive m JOIN hearings h ON h.id = m.hearing_id \
     JOIN cases c ON c.id = h.case_id";

fn entry_from_row(row: &AnyRow) -> Result<ArchiveEntry, DbError> {
    Ok(ArchiveEntry {
        hearing_id: row.try_get("hearing_id")?,
        case_number: row.try_get("number")?,
        case_title: row.try_get("case_title")?,
        hearing_title: row.try_get("title")?,
        starts_at_ms: row.try_get("starts_at")?,
        place: row.try_get("place")?,
        outcome: row.try_get("outcome")?,
        members: row.try_get("members")?,
        sha256: row.try_get("sha256")?,
        byte_size: row.try_get("byte_size")?,
        cert_sha256: row.try_get("cert_sha256")?,
        finalised_at_ms: row.try_get("finalised_at")?,
        finalised_by: row.try_get("finalised_by")?,
    })
}

pub async fn entry(db: &Db, hearing_id: &str) -> Result<Option<ArchiveEntry>, DbError> {
    let sql = format!("{ENTRY_SELECT} WHERE m.hearing_id = $1");
    let row = sqlx::query(&sql)
        .bind(hearing_id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(entry_from_row).transpose()
}

/// The archived minutes whose signed PDF has this SHA-256 (the verification page).
pub async fn entry_by_sha256(db: &Db, sha256: &str) -> Result<Option<ArchiveEntry>, DbError> {
    let sql = format!("{ENTRY_SELECT} WHERE m.sha256 = $1");
    let row = sqlx::query(&sql)
        .bind(sha256)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(entry_from_row).transpose()
}

/// Every archived minutes document, oldest hearing first (for export).
pub async fn all(db: &Db) -> Result<Vec<ArchiveEntry>, DbError> {
    let sql = format!("{ENTRY_SELECT} ORDER BY m.starts_at, m.hearing_id");
    let rows = sqlx::query(&sql).fetch_all(db.pool()).await?;
    rows.iter().map(entry_from_row).collect()
}

/// Most entries one search returns.
pub const SEARCH_LIMIT: i64 = 200;

/// Escapes `%`, `_` and `\` so that a searched string matches literally.
fn like_pattern(needle: &str) -> String {
    let mut out = String::from("%");
    for c in needle.trim().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Searches the archive; every non-empty field narrows the result (newest first).
/// `from_ms` / `until_ms` bound the hearing's start, `until_ms` exclusive.
pub async fn search(
    db: &Db,
    query: &ArchiveQuery,
    from_ms: Option<i64>,
    until_ms: Option<i64>,
) -> Result<Vec<ArchiveEntry>, DbError> {
    let mut sql = format!("{ENTRY_SELECT} WHERE 1 = 1");
    let mut binds: Vec<String> = Vec::new();
    let mut like = |sql: &mut String, columns: &[&str], needle: &str| {
        if needle.trim().is_empty() {
            return;
        }
        binds.push(like_pattern(needle));
        let n = binds.len();
        let any: Vec<String> = columns
            .iter()
            .map(|c| format!("{c} LIKE ${n} ESCAPE '\\'"))
            .collect();
        sql.push_str(&format!(" AND ({})", any.join(" OR ")));
    };
    like(&mut sql, &["m.case_number"], &query.case_number);
    like(
        &mut sql,
        // The parties' names too: an archivist is asked for "周某's hearing".
        &[
            "m.case_title",
            "m.hearing_title",
            "c.summary",
            "m.outcome",
            "c.petitioners",
            "c.agencies",
        ],
        &query.text,
    );
    like(&mut sql, &["m.outcome"], &query.outcome);
    like(&mut sql, &["m.members"], &query.member);
    let n = binds.len();
    if from_ms.is_some() {
        sql.push_str(&format!(" AND m.starts_at >= ${}", n + 1));
    }
    if until_ms.is_some() {
        let k = n + 1 + usize::from(from_ms.is_some());
        sql.push_str(&format!(" AND m.starts_at < ${k}"));
    }
    sql.push_str(&format!(
        " ORDER BY m.starts_at DESC, m.hearing_id LIMIT {SEARCH_LIMIT}"
    ));
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    if let Some(from) = from_ms {
        q = q.bind(from);
    }
    if let Some(until) = until_ms {
        q = q.bind(until);
    }
    let rows = q.fetch_all(db.pool()).await?;
    rows.iter().map(entry_from_row).collect()
}
