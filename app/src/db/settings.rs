//! The office's own rules, stored as key → value text in `office_settings`.

use super::{Db, DbError};
use crate::domain::case::DeadlinePolicy;
use sqlx::{AnyConnection, Row};

const KEYS: [&str; 4] = ["accept_days", "handle_days", "due_soon_days", "notice_days"];

/// The office's deadline policy; a missing or unreadable value keeps its default.
pub async fn policy(db: &Db) -> Result<DeadlinePolicy, DbError> {
    let rows = sqlx::query("SELECT key, value FROM office_settings")
        .fetch_all(db.pool())
        .await?;
    let mut policy = DeadlinePolicy::default();
    for row in rows {
        let key: String = row.try_get("key")?;
        let value: String = row.try_get("value")?;
        let Ok(days) = value.trim().parse::<u32>() else {
            continue;
        };
        match key.as_str() {
            "accept_days" => policy.accept_days = days,
            "handle_days" => policy.handle_days = days,
            "due_soon_days" => policy.due_soon_days = days,
            "notice_days" => policy.notice_days = days,
            _ => {}
        }
    }
    Ok(if policy.is_valid() {
        policy
    } else {
        DeadlinePolicy::default()
    })
}

pub async fn save_policy(db: &Db, policy: &DeadlinePolicy) -> Result<(), DbError> {
    let mut tx = db.pool().begin().await?;
    let values = [
        policy.accept_days,
        policy.handle_days,
        policy.due_soon_days,
        policy.notice_days,
    ];
    for (key, value) in KEYS.iter().zip(values) {
        sqlx::query("DELETE FROM office_settings WHERE key = $1")
            .bind(*key)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO office_settings (key, value) VALUES ($1, $2)")
            .bind(*key)
            .bind(value.to_string())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// 轮空: how many of the office's latest hearings a member rests after sitting
/// on one (0: no rotation, the default).
pub async fn rest_hearings(db: &Db) -> Result<u32, DbError> {
    let row = sqlx::query("SELECT value FROM office_settings WHERE key = 'draw_rest_hearings'")
        .fetch_optional(db.pool())
        .await?;
    Ok(row
        .map(|r| r.try_get::<String, _>("value"))
        .transpose()?
        .and_then(|v| v.trim().parse().ok())
        .filter(|n| *n <= crate::domain::pool::MAX_REST_HEARINGS)
        .unwrap_or(0))
}

pub async fn save_rest_hearings(db: &Db, n: u32) -> Result<(), DbError> {
    let mut tx = db.pool().begin().await?;
    sqlx::query("DELETE FROM office_settings WHERE key = 'draw_rest_hearings'")
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO office_settings (key, value) VALUES ('draw_rest_hearings', $1)")
        .bind(n.to_string())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The office's own pool categories (names), in the order it gave them.
pub async fn pool_categories(db: &Db) -> Result<crate::domain::pool::Categories, DbError> {
    let row = sqlx::query("SELECT value FROM office_settings WHERE key = 'pool_categories'")
        .fetch_optional(db.pool())
        .await?;
    let custom: Vec<String> = match row {
        Some(r) => serde_json::from_str(&r.try_get::<String, _>("value")?)
            .map_err(|e| DbError::Corrupt(format!("pool_categories: {e}")))?,
        None => Vec::new(),
    };
    Ok(crate::domain::pool::Categories { custom })
}

pub async fn save_pool_categories(
    db: &Db,
    categories: &crate::domain::pool::Categories,
) -> Result<(), DbError> {
    let value =
        serde_json::to_string(&categories.custom).map_err(|e| DbError::Corrupt(e.to_string()))?;
    let mut tx = db.pool().begin().await?;
    sqlx::query("DELETE FROM office_settings WHERE key = 'pool_categories'")
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO office_settings (key, value) VALUES ('pool_categories', $1)")
        .bind(value)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Takes the office-wide scheduling turn inside a transaction: the first statement
/// of the transaction and a write, so that two bookings checked at once are
/// checked one after the other (row lock in PostgreSQL, the write lock in SQLite).
pub async fn take_schedule_turn(conn: &mut AnyConnection) -> Result<(), DbError> {
    let updated =
        sqlx::query("UPDATE office_settings SET value = value WHERE key = 'schedule_turn'")
            .execute(&mut *conn)
            .await?;
    if updated.rows_affected() == 0 {
        sqlx::query("INSERT INTO office_settings (key, value) VALUES ('schedule_turn', '')")
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
