//! 代为录入 waiting for the member's confirmation (#8): the host's entry of a vote
//! for a member without a device, kept apart from the hearing's log until the
//! member confirms it with their own password on the clerk's screen.

use super::{Db, DbError, new_id, now_ms};
use sqlx::Row;

/// One entry waiting for confirmation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyRequest {
    pub id: String,
    pub hearing_id: String,
    pub ballot_id: String,
    pub voter_id: String,
    /// The host's entry in a named ballot; None in a secret one.
    pub option: Option<usize>,
    pub reason: String,
    /// The vote's idempotency key: a confirmation retried never counts twice.
    pub key: String,
    pub requested_by: String,
    pub requested_at_ms: i64,
}

/// What the host enters.
pub struct NewProxyRequest<'a> {
    pub hearing_id: &'a str,
    pub ballot_id: &'a str,
    pub voter_id: &'a str,
    pub option: Option<usize>,
    pub reason: &'a str,
    pub key: &'a str,
    pub requested_by: &'a str,
}

/// Stores the entry, replacing an earlier one for the same member and ballot
/// (the host corrected it before the member confirmed). Returns its id.
pub async fn put(db: &Db, entry: &NewProxyRequest<'_>) -> Result<String, DbError> {
    let id = new_id();
    let option = entry
        .option
        .map(i64::try_from)
        .transpose()
        .map_err(|e| DbError::Corrupt(e.to_string()))?;
    sqlx::query(
        "INSERT INTO proxy_vote_requests (id, hearing_id, ballot_id, voter_id, option_index, \
         reason, vote_key, requested_by, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (hearing_id, ballot_id, voter_id) DO UPDATE SET id = excluded.id, \
         option_index = excluded.option_index, reason = excluded.reason, \
         vote_key = excluded.vote_key, requested_by = excluded.requested_by, \
         requested_at = excluded.requested_at",
    )
    .bind(&id)
    .bind(entry.hearing_id)
    .bind(entry.ballot_id)
    .bind(entry.voter_id)
    .bind(option)
    .bind(entry.reason)
    .bind(entry.key)
    .bind(entry.requested_by)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(id)
}

const SELECT: &str = "SELECT id, hearing_id, ballot_id, voter_id, option_index, reason, \
                      vote_key, requested_by, requested_at FROM proxy_vote_requests";

fn read(row: &sqlx::any::AnyRow) -> Result<ProxyRequest, DbError> {
    let option: Option<i64> = row.try_get("option_index")?;
    Ok(ProxyRequest {
        id: row.try_get("id")?,
        hearing_id: row.try_get("hearing_id")?,
        ballot_id: row.try_get("ballot_id")?,
        voter_id: row.try_get("voter_id")?,
        option: option
            .map(usize::try_from)
            .transpose()
            .map_err(|e| DbError::Corrupt(e.to_string()))?,
        reason: row.try_get("reason")?,
        key: row.try_get("vote_key")?,
        requested_by: row.try_get("requested_by")?,
        requested_at_ms: row.try_get("requested_at")?,
    })
}

pub async fn get(db: &Db, id: &str) -> Result<Option<ProxyRequest>, DbError> {
    sqlx::query(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(read)
        .transpose()
}

/// A hearing's entries waiting for confirmation, oldest first.
pub async fn of_hearing(db: &Db, hearing_id: &str) -> Result<Vec<ProxyRequest>, DbError> {
    sqlx::query(&format!(
        "{SELECT} WHERE hearing_id = $1 ORDER BY requested_at, id"
    ))
    .bind(hearing_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(read)
    .collect()
}

/// Removes a confirmed entry inside the transaction that counts its vote, so
/// both happen or neither does. `false` when the entry is no longer there
/// (replaced by the host or removed by another confirmation meanwhile).
pub async fn remove_in(conn: &mut sqlx::AnyConnection, id: &str) -> Result<bool, DbError> {
    let removed = sqlx::query("DELETE FROM proxy_vote_requests WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(removed.rows_affected() == 1)
}

/// Done with an entry whose vote counted already (removing it twice is harmless).
pub async fn remove(db: &Db, id: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM proxy_vote_requests WHERE id = $1")
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}
