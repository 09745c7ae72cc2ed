//! Private notes (评议员个人笔记): read and written by their author only.

use super::{Db, DbError, now_ms};
use sqlx::Row;

pub async fn get(
    db: &Db,
    hearing_id: &str,
    author_id: &str,
) -> Result<Option<(String, i64)>, DbError> {
    let row = sqlx::query(
        "SELECT text, updated_at FROM private_notes WHERE hearing_id = $1 AND author_id = $2",
    )
    .bind(hearing_id)
    .bind(author_id)
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| Ok((r.try_get("text")?, r.try_get("updated_at")?)))
        .transpose()
}

/// Saves the notepad whole (last write wins: it has one author).
pub async fn save(db: &Db, hearing_id: &str, author_id: &str, text: &str) -> Result<i64, DbError> {
    let at = now_ms();
    sqlx::query(
        "INSERT INTO private_notes (hearing_id, author_id, text, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (hearing_id, author_id) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at",
    )
    .bind(hearing_id)
    .bind(author_id)
    .bind(text)
    .bind(at)
    .execute(db.pool())
    .await?;
    Ok(at)
}
