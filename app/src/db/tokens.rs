//! API tokens and personal calendar feeds: looked up by the hash of the secret.

use super::{Db, DbError, new_id, now_ms};
use crate::domain::access::{ApiScope, parse_scopes};
use crate::model::ApiTokenSummary;
use crate::tokens::secret_hash;
use sqlx::Row;

pub async fn create_api_token(
    db: &Db,
    name: &str,
    scopes: &[ApiScope],
    secret: &str,
    created_by: &str,
) -> Result<String, DbError> {
    let id = new_id();
    let codes: Vec<&str> = scopes.iter().map(|s| s.code()).collect();
    sqlx::query(
        "INSERT INTO api_tokens (id, name, token_hash, scopes, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(name)
    .bind(secret_hash(secret))
    .bind(codes.join(","))
    .bind(created_by)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(id)
}

/// A live (not revoked) token by its secret: (id, name, scopes); marks it used.
pub async fn authenticate(
    db: &Db,
    secret: &str,
) -> Result<Option<(String, String, Vec<ApiScope>)>, DbError> {
    let row = sqlx::query(
        "SELECT id, name, scopes FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(secret_hash(secret))
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let id: String = row.try_get("id")?;
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(&id)
        .execute(db.pool())
        .await?;
    Ok(Some((
        id,
        row.try_get("name")?,
        parse_scopes(&row.try_get::<String, _>("scopes")?),
    )))
}

pub async fn list_api_tokens(db: &Db) -> Result<Vec<ApiTokenSummary>, DbError> {
    let rows = sqlx::query(
        "SELECT id, name, scopes, created_at, revoked_at, last_used_at FROM api_tokens \
         ORDER BY created_at DESC, id",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ApiTokenSummary {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                scopes: parse_scopes(&row.try_get::<String, _>("scopes")?)
                    .into_iter()
                    .map(|s| s.code().to_string())
                    .collect(),
                created_at_ms: row.try_get("created_at")?,
                revoked_at_ms: row.try_get("revoked_at")?,
                last_used_at_ms: row.try_get("last_used_at")?,
            })
        })
        .collect()
}

/// Revokes a token; `false` when there is no such live token.
pub async fn revoke_api_token(db: &Db, id: &str) -> Result<bool, DbError> {
    let done =
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now_ms())
            .bind(id)
            .execute(db.pool())
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives an account a new calendar feed secret (the old URL stops working).
pub async fn set_calendar_feed(db: &Db, account_id: &str, secret: &str) -> Result<(), DbError> {
    let mut tx = db.pool().begin().await?;
    sqlx::query("DELETE FROM calendar_feeds WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO calendar_feeds (account_id, token_hash, created_at) VALUES ($1, $2, $3)",
    )
    .bind(account_id)
    .bind(secret_hash(secret))
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The enabled account a calendar feed secret belongs to.
pub async fn calendar_feed_owner(db: &Db, secret: &str) -> Result<Option<String>, DbError> {
    let row = sqlx::query(
        "SELECT f.account_id FROM calendar_feeds f JOIN accounts a ON a.id = f.account_id \
         WHERE f.token_hash = $1 AND a.disabled = 0",
    )
    .bind(secret_hash(secret))
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| r.try_get("account_id"))
        .transpose()
        .map_err(DbError::from)
}
