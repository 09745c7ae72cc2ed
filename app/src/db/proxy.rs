//! Ballot rows kept off the hearing's log until they may count or be read:
//!
//! - 代为录入 waiting for the member's confirmation (#8, #21): the host's entry
//!   of a vote for a member without a device, until the member confirms it on
//!   the clerk's screen with a one-time code issued to them (only its hash is
//!   stored; never the member's password);
//! - a secret ballot's opinions while it is open (#21), until its close
//!   publishes them together.

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
         requested_at = excluded.requested_at, code_hash = NULL, code_expires_at = NULL, \
         code_failures = 0",
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

/// Stores a new confirmation code's hash for the entry (replacing any earlier
/// code; the wrong attempts still count: only a new entry by the host starts
/// them again). `false` when the entry is gone.
pub async fn set_code(
    db: &Db,
    id: &str,
    code_hash: &str,
    expires_at_ms: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE proxy_vote_requests SET code_hash = $1, code_expires_at = $2 WHERE id = $3",
    )
    .bind(code_hash)
    .bind(expires_at_ms)
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The entry's code as issued, if one is.
pub async fn code(db: &Db, id: &str) -> Result<Option<crate::domain::ballot::IssuedCode>, DbError> {
    let row = sqlx::query(
        "SELECT code_hash, code_expires_at, code_failures FROM proxy_vote_requests WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let hash: Option<String> = row.try_get("code_hash")?;
    let expires: Option<i64> = row.try_get("code_expires_at")?;
    let failures: i64 = row.try_get("code_failures")?;
    Ok(match (hash, expires) {
        (Some(hash), Some(expires_at_ms)) => Some(crate::domain::ballot::IssuedCode {
            hash,
            expires_at_ms,
            failed_attempts: u32::try_from(failures).unwrap_or(u32::MAX),
        }),
        _ => None,
    })
}

/// Takes one attempt at the entry's live code, atomically: the attempt is
/// counted before the code is compared, so confirmations sent at once cannot
/// try more codes than the bound allows. `None`: no live code (none issued, or
/// expired) or the bound already reached — [`code`] tells which. The answer's
/// `failed_attempts` are those before this attempt.
pub async fn claim_code_attempt(
    db: &Db,
    id: &str,
    now_ms: i64,
    max_attempts: u32,
) -> Result<Option<crate::domain::ballot::IssuedCode>, DbError> {
    let row = sqlx::query(
        "UPDATE proxy_vote_requests SET code_failures = code_failures + 1 \
         WHERE id = $1 AND code_hash IS NOT NULL AND code_expires_at > $2 AND code_failures < $3 \
         RETURNING code_hash, code_expires_at, code_failures",
    )
    .bind(id)
    .bind(now_ms)
    .bind(i64::from(max_attempts))
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let failures: i64 = row.try_get("code_failures")?;
    Ok(Some(crate::domain::ballot::IssuedCode {
        hash: row.try_get("code_hash")?,
        expires_at_ms: row.try_get("code_expires_at")?,
        failed_attempts: u32::try_from(failures.saturating_sub(1)).unwrap_or(u32::MAX),
    }))
}

/// A right code gives its claimed attempt back.
pub async fn code_accepted(db: &Db, id: &str) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE proxy_vote_requests SET code_failures = code_failures - 1 \
         WHERE id = $1 AND code_failures > 0",
    )
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// A member's own entries waiting on the given hearing (their phone shows them).
pub async fn of_member(
    db: &Db,
    hearing_id: &str,
    voter_id: &str,
) -> Result<Vec<ProxyRequest>, DbError> {
    sqlx::query(&format!(
        "{SELECT} WHERE hearing_id = $1 AND voter_id = $2 ORDER BY requested_at, id"
    ))
    .bind(hearing_id)
    .bind(voter_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(read)
    .collect()
}

/// Holds a secret ballot's opinion until the close (replacing the member's
/// earlier held one).
pub async fn hold_opinion_in(
    conn: &mut sqlx::AnyConnection,
    hearing_id: &str,
    ballot_id: &str,
    opinion: &crate::domain::ballot::HeldOpinion,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO held_opinions (hearing_id, ballot_id, voter_id, name, body, minority, given_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (hearing_id, ballot_id, voter_id) DO UPDATE SET name = excluded.name, \
         body = excluded.body, minority = excluded.minority, given_at = excluded.given_at",
    )
    .bind(hearing_id)
    .bind(ballot_id)
    .bind(&opinion.voter_id)
    .bind(&opinion.name)
    .bind(&opinion.text)
    .bind(i64::from(opinion.minority))
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn read_held(row: &sqlx::any::AnyRow) -> Result<crate::domain::ballot::HeldOpinion, DbError> {
    Ok(crate::domain::ballot::HeldOpinion {
        voter_id: row.try_get("voter_id")?,
        name: row.try_get("name")?,
        text: row.try_get("body")?,
        minority: row.try_get::<i64, _>("minority")? != 0,
    })
}

/// A ballot's held opinions, inside the close's write turn. The order is the
/// domain's to choose ([`crate::domain::ballot::BallotState::release_held`]).
pub async fn held_opinions_in(
    conn: &mut sqlx::AnyConnection,
    hearing_id: &str,
    ballot_id: &str,
) -> Result<Vec<crate::domain::ballot::HeldOpinion>, DbError> {
    sqlx::query(
        "SELECT voter_id, name, body, minority FROM held_opinions \
         WHERE hearing_id = $1 AND ballot_id = $2",
    )
    .bind(hearing_id)
    .bind(ballot_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(read_held)
    .collect()
}

/// The member's own held opinion on a ballot (their screen shows it).
pub async fn held_opinion_of(
    db: &Db,
    hearing_id: &str,
    voter_id: &str,
) -> Result<Vec<(String, crate::domain::ballot::HeldOpinion)>, DbError> {
    sqlx::query(
        "SELECT ballot_id, voter_id, name, body, minority FROM held_opinions \
         WHERE hearing_id = $1 AND voter_id = $2",
    )
    .bind(hearing_id)
    .bind(voter_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|row| Ok((row.try_get("ballot_id")?, read_held(row)?)))
    .collect()
}

/// Deletes a ballot's held opinions in the close's transaction (published by it).
pub async fn release_held_in(
    conn: &mut sqlx::AnyConnection,
    hearing_id: &str,
    ballot_id: &str,
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM held_opinions WHERE hearing_id = $1 AND ballot_id = $2")
        .bind(hearing_id)
        .bind(ballot_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
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
