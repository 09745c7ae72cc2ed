//! Invitation links for parties: stored by the hash of their token, used once.

use super::{Db, DbError, new_id, now_ms};
use crate::domain::access::PartyKind;
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Clone, Debug)]
pub struct Invitation {
    pub id: String,
    pub hearing_id: String,
    pub kind: PartyKind,
    pub name: String,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// What opening a link found.
#[derive(Clone, Debug)]
pub enum Redeemed {
    Admitted(Invitation),
    Unknown,
    Expired,
    AlreadyUsed,
    Revoked,
}

const SELECT: &str = "SELECT id, hearing_id, party_kind, party_name, expires_at, used_at, revoked_at FROM invitations";

fn from_row(row: &AnyRow) -> Result<Invitation, DbError> {
    let kind: String = row.try_get("party_kind")?;
    Ok(Invitation {
        id: row.try_get("id")?,
        hearing_id: row.try_get("hearing_id")?,
        kind: PartyKind::from_code(&kind)
            .ok_or_else(|| DbError::Corrupt(format!("party kind {kind}")))?,
        name: row.try_get("party_name")?,
        expires_at: row.try_get("expires_at")?,
        used_at: row.try_get("used_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

pub struct NewInvitation<'a> {
    pub hearing_id: &'a str,
    pub kind: PartyKind,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub expires_at: i64,
    pub created_by: &'a str,
}

pub async fn create(db: &Db, inv: &NewInvitation<'_>) -> Result<String, DbError> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO invitations (id, hearing_id, party_kind, party_name, token_hash, expires_at, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(inv.hearing_id)
    .bind(inv.kind.code())
    .bind(inv.name)
    .bind(inv.token_hash)
    .bind(inv.expires_at)
    .bind(inv.created_by)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(id)
}

/// Uses the link if it is valid: one atomic update, so two simultaneous openings
/// cannot both get in.
pub async fn redeem(db: &Db, token_hash: &str) -> Result<Redeemed, DbError> {
    let now = now_ms();
    let admitted = sqlx::query(
        "UPDATE invitations SET used_at = $1 \
         WHERE token_hash = $2 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $1 \
         RETURNING id, hearing_id, party_kind, party_name, expires_at, used_at, revoked_at",
    )
    .bind(now)
    .bind(token_hash)
    .fetch_optional(db.pool())
    .await?;
    if let Some(row) = admitted {
        return Ok(Redeemed::Admitted(from_row(&row)?));
    }
    why_not(db, token_hash).await
}

/// What opening the link would find, without using it up: a link preview (chat
/// apps fetch links) or a second look must not spend a single-use link.
pub async fn peek(db: &Db, token_hash: &str) -> Result<Redeemed, DbError> {
    let row = sqlx::query(&format!("{SELECT} WHERE token_hash = $1"))
        .bind(token_hash)
        .fetch_optional(db.pool())
        .await?;
    Ok(match row.as_ref().map(from_row).transpose()? {
        Some(inv)
            if inv.revoked_at.is_none() && inv.used_at.is_none() && inv.expires_at > now_ms() =>
        {
            Redeemed::Admitted(inv)
        }
        _ => why_not(db, token_hash).await?,
    })
}

/// Why a link cannot be used (it was not admitted).
async fn why_not(db: &Db, token_hash: &str) -> Result<Redeemed, DbError> {
    let row = sqlx::query(&format!("{SELECT} WHERE token_hash = $1"))
        .bind(token_hash)
        .fetch_optional(db.pool())
        .await?;
    Ok(match row.as_ref().map(from_row).transpose()? {
        None => Redeemed::Unknown,
        Some(inv) if inv.revoked_at.is_some() => Redeemed::Revoked,
        Some(inv) if inv.used_at.is_some() => Redeemed::AlreadyUsed,
        Some(_) => Redeemed::Expired,
    })
}

pub async fn get(db: &Db, id: &str) -> Result<Option<Invitation>, DbError> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn list(db: &Db, hearing_id: &str) -> Result<Vec<Invitation>, DbError> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE hearing_id = $1 ORDER BY created_at, id"
    ))
    .bind(hearing_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(from_row).collect()
}

/// Revokes a link of this hearing; its party's session ends with it.
pub async fn revoke(db: &Db, hearing_id: &str, id: &str) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE invitations SET revoked_at = $1 WHERE id = $2 AND hearing_id = $3 AND revoked_at IS NULL",
    )
    .bind(now_ms())
    .bind(id)
    .bind(hearing_id)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// For tests and operators: moves a link's expiry (e.g. to the past).
pub async fn set_expiry(db: &Db, id: &str, expires_at: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE invitations SET expires_at = $1 WHERE id = $2")
        .bind(expires_at)
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Remembers which device entered by this invitation (the SHA-256 of the
/// device cookie it was given), so that the same device can enter again.
pub async fn set_device(db: &Db, id: &str, device_hash: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE invitations SET device_hash = $1 WHERE id = $2")
        .bind(device_hash)
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// A used link opened again: admitted only from the device that used it, and
/// only while the link is neither revoked nor expired (#21: a party whose
/// session ended gets back in on its own phone; a forwarded link does not).
pub async fn reenter(db: &Db, token_hash: &str, device_hash: &str) -> Result<Redeemed, DbError> {
    let row = sqlx::query(&format!(
        "{SELECT} WHERE token_hash = $1 AND device_hash = $2 AND used_at IS NOT NULL"
    ))
    .bind(token_hash)
    .bind(device_hash)
    .fetch_optional(db.pool())
    .await?;
    Ok(match row.as_ref().map(from_row).transpose()? {
        Some(inv) if inv.revoked_at.is_none() && inv.expires_at > now_ms() => {
            Redeemed::Admitted(inv)
        }
        _ => why_not(db, token_hash).await?,
    })
}
