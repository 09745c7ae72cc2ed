//! The audit log (审计日志): logins, failures, role changes, invitations.

use super::{Db, DbError, new_id, now_ms};

pub struct AuditEntry<'a> {
    pub actor: Option<&'a str>,
    pub action: &'a str,
    pub subject: Option<&'a str>,
    pub detail: &'a str,
    pub ip: Option<&'a str>,
}

pub async fn record(db: &Db, entry: &AuditEntry<'_>) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO audit_log (id, at_ms, actor, action, subject, detail, ip) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(now_ms())
    .bind(entry.actor)
    .bind(entry.action)
    .bind(entry.subject)
    .bind(entry.detail)
    .bind(entry.ip)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// (action, subject) of the newest entries, newest first: for tests and the admin view.
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<(String, Option<String>)>, DbError> {
    use sqlx::Row;
    let rows =
        sqlx::query("SELECT action, subject FROM audit_log ORDER BY at_ms DESC, id DESC LIMIT $1")
            .bind(limit)
            .fetch_all(db.pool())
            .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("action")?, r.try_get("subject")?)))
        .collect()
}

/// The newest entries first, with the actor's display name.
pub async fn list(db: &Db, limit: i64) -> Result<Vec<crate::model::AuditLine>, DbError> {
    use sqlx::Row;
    let rows = sqlx::query(
        "SELECT l.at_ms, a.display_name, l.action, l.subject, l.detail, l.ip \
         FROM audit_log l LEFT JOIN accounts a ON a.id = l.actor \
         ORDER BY l.at_ms DESC, l.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(crate::model::AuditLine {
                at_ms: r.try_get("at_ms")?,
                actor_name: r.try_get("display_name")?,
                action: r.try_get("action")?,
                subject: r.try_get("subject")?,
                detail: r.try_get("detail")?,
                ip: r.try_get("ip")?,
            })
        })
        .collect()
}
