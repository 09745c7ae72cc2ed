//! tower-sessions storage in our own database, through the same portable SQL as
//! everything else (the published sqlx stores are per-engine, not for `Any`).
//!
//! The store, not the cookie, decides how long a session lives (#21): the idle
//! timeout counts from the last request *or* the last heartbeat of an open live
//! socket ([`DbSessionStore::touch`]), and no session outlives its absolute
//! lifetime from the login, however active. A session that was deleted (logout,
//! a password change, a disabled account) or has expired is never written back:
//! `save` only updates a row that is still alive, so a request that was still
//! running when its session ended cannot bring it back.

use super::{Db, now_ms};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

/// How long sessions live: idle timeout and absolute lifetime, in ms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionPolicy {
    pub idle_ms: i64,
    pub max_ms: i64,
}

impl Default for SessionPolicy {
    /// 30 minutes idle, 12 hours at most.
    fn default() -> Self {
        SessionPolicy::new(30, 12)
    }
}

impl SessionPolicy {
    pub fn new(idle_minutes: i64, max_hours: i64) -> Self {
        SessionPolicy {
            idle_ms: idle_minutes.max(1).saturating_mul(60_000),
            max_ms: max_hours.max(1).saturating_mul(3_600_000),
        }
    }

    /// The deadline a session begun at `created` gets from activity at `now`:
    /// idle time from now, never past the absolute lifetime. Pure.
    pub fn deadline(&self, created: i64, now: i64) -> i64 {
        now.saturating_add(self.idle_ms)
            .min(created.saturating_add(self.max_ms))
    }
}

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: Db,
    policy: SessionPolicy,
    /// What this instance last wrote per session (data hash, expiry), so that a
    /// burst of requests (a member voting) does not rewrite an unchanged session
    /// with an expiry a few milliseconds later each time.
    written: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<Id, (u64, i64)>>>,
}

/// An unchanged session's idle deadline is rewritten at most this often; the
/// idle timeout is then exact to within a second.
const EXPIRY_SLACK_MS: i64 = 1000;

/// More sessions than one instance serves at once; beyond it the memo starts over.
const MAX_REMEMBERED: usize = 50_000;

impl DbSessionStore {
    pub fn new(db: Db) -> Self {
        Self::with_policy(db, SessionPolicy::default())
    }

    pub fn with_policy(db: Db, policy: SessionPolicy) -> Self {
        DbSessionStore {
            db,
            policy,
            written: Default::default(),
        }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn policy(&self) -> SessionPolicy {
        self.policy
    }

    fn remembered(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<Id, (u64, i64)>> {
        self.written
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// An open live socket's sign of life (its heartbeat): the session's idle
    /// deadline moves on as a request would move it, within the absolute
    /// lifetime. `false` when the session has ended (deleted, expired, past its
    /// lifetime): the socket must then close. The row is rewritten only when
    /// the deadline would move by more than a tenth of the idle time, so a
    /// thousand listening phones cost a few writes a second, not one per beat.
    pub async fn touch(&self, id: &Id) -> Result<bool, super::DbError> {
        use sqlx::Row;
        let now = now_ms();
        let row = sqlx::query(
            "SELECT expires_at, created_at FROM sessions WHERE id = $1 AND expires_at > $2 AND created_at > $3",
        )
        .bind(id.to_string())
        .bind(now)
        .bind(now.saturating_sub(self.policy.max_ms))
        .fetch_optional(self.db.pool())
        .await?;
        let Some(row) = row else { return Ok(false) };
        let expires: i64 = row.try_get("expires_at")?;
        let created: i64 = row.try_get("created_at")?;
        let deadline = self.policy.deadline(created, now);
        if deadline - expires < self.policy.idle_ms / 10 {
            return Ok(true);
        }
        let mut tx = self.db.begin_write().await?;
        let moved =
            sqlx::query("UPDATE sessions SET expires_at = $1 WHERE id = $2 AND expires_at > $3")
                .bind(deadline)
                .bind(id.to_string())
                .bind(now)
                .execute(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(moved.rows_affected() == 1)
    }

    /// Whether the session is still alive, without touching it.
    pub async fn alive(&self, id: &Id) -> Result<bool, super::DbError> {
        let now = now_ms();
        let row = sqlx::query(
            "SELECT id FROM sessions WHERE id = $1 AND expires_at > $2 AND created_at > $3",
        )
        .bind(id.to_string())
        .bind(now)
        .bind(now.saturating_sub(self.policy.max_ms))
        .fetch_optional(self.db.pool())
        .await?;
        Ok(row.is_some())
    }
}

fn hash_of(data: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    data.hash(&mut h);
    h.finish()
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn encode(record: &Record) -> session_store::Result<String> {
    serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))
}

#[async_trait::async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = encode(record)?;
        let now = now_ms();
        // The cookie's own expiry is not ours to trust: the deadline is the policy's.
        let expires = self.policy.deadline(now, now);
        // Ids are 128 random bits; on the impossible collision, draw again.
        loop {
            let inserted = sqlx::query(
                "INSERT INTO sessions (id, data, expires_at, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
            )
            .bind(record.id.to_string())
            .bind(&data)
            .bind(expires)
            .bind(now)
            .execute(self.db.pool())
            .await
            .map_err(backend)?;
            if inserted.rows_affected() == 1 {
                self.remembered()
                    .insert(record.id, (hash_of(&data), expires));
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    /// Update-only: a session deleted or expired meanwhile stays gone.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = encode(record)?;
        let now = now_ms();
        let hash = hash_of(&data);
        let unchanged = self
            .remembered()
            .get(&record.id)
            .is_some_and(|(h, e)| *h == hash && now + self.policy.idle_ms - *e < EXPIRY_SLACK_MS);
        if unchanged {
            return Ok(());
        }
        // Through the write turn: on SQLite writers queue in-process instead of
        // sleeping in the busy handler behind a hearing's commit. The deadline
        // is idle time from now, capped at the session's absolute lifetime.
        let mut tx = self.db.begin_write().await.map_err(backend)?;
        let updated = sqlx::query(
            "UPDATE sessions SET data = $1, \
             expires_at = CASE WHEN created_at + $2 < $3 THEN created_at + $2 ELSE $3 END \
             WHERE id = $4 AND expires_at > $5 AND created_at > $6",
        )
        .bind(&data)
        .bind(self.policy.max_ms)
        .bind(now.saturating_add(self.policy.idle_ms))
        .bind(record.id.to_string())
        .bind(now)
        .bind(now.saturating_sub(self.policy.max_ms))
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        let mut remembered = self.remembered();
        if updated.rows_affected() == 0 {
            // Ended meanwhile (logout, expiry, lifetime): not recreated.
            remembered.remove(&record.id);
            return Ok(());
        }
        if remembered.len() >= MAX_REMEMBERED {
            remembered.clear();
        }
        remembered.insert(record.id, (hash, now.saturating_add(self.policy.idle_ms)));
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        use sqlx::Row;
        let now = now_ms();
        let row = sqlx::query(
            "SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2 AND created_at > $3",
        )
        .bind(id.to_string())
        .bind(now)
        .bind(now.saturating_sub(self.policy.max_ms))
        .fetch_optional(self.db.pool())
        .await
        .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let data: String = row.try_get("data").map_err(backend)?;
        let expires: i64 = row.try_get("expires_at").map_err(backend)?;
        let expiry_date =
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(expires) * 1_000_000)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data: serde_json::from_str(&data)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.remembered().remove(id);
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id.to_string())
            .execute(self.db.pool())
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now_ms())
            .execute(self.db.pool())
            .await
            .map_err(backend)?;
        Ok(())
    }
}

/// When a stored session expires (ms), for tests and operators.
pub async fn expiry_of(db: &Db, id: &str) -> Result<Option<i64>, super::DbError> {
    use sqlx::Row;
    let row = sqlx::query("SELECT expires_at FROM sessions WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|r| r.try_get("expires_at")).transpose()?)
}

#[cfg(test)]
mod tests {
    use super::SessionPolicy;

    #[test]
    fn activity_moves_the_deadline_only_up_to_the_lifetime() {
        let policy = SessionPolicy::new(30, 12);
        let created = 1_000_000;
        assert_eq!(policy.deadline(created, created), created + 30 * 60_000);
        let late = created + 12 * 3_600_000 - 60_000;
        assert_eq!(policy.deadline(created, late), created + 12 * 3_600_000);
        assert_eq!(
            SessionPolicy::new(0, 0),
            SessionPolicy::new(1, 1),
            "at least a minute and an hour"
        );
    }
}
