//! tower-sessions storage in our own database, through the same portable SQL as
//! everything else (the published sqlx stores are per-engine, not for `Any`).

use super::{Db, now_ms};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: Db,
    /// What this instance last wrote per session (data hash, expiry), so that a
    /// burst of requests (a member voting) does not rewrite an unchanged session
    /// with an expiry a few milliseconds later each time.
    written: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<Id, (u64, i64)>>>,
}

/// An unchanged session's idle deadline is rewritten at most this often; the
/// 30-minute idle timeout is then exact to within a second.
const EXPIRY_SLACK_MS: i64 = 1000;

/// More sessions than one instance serves at once; beyond it the memo starts over.
const MAX_REMEMBERED: usize = 50_000;

impl DbSessionStore {
    pub fn new(db: Db) -> Self {
        DbSessionStore {
            db,
            written: Default::default(),
        }
    }

    fn remembered(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<Id, (u64, i64)>> {
        self.written
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
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

fn expiry_ms(record: &Record) -> i64 {
    i64::try_from(record.expiry_date.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

#[async_trait::async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = encode(record)?;
        // Ids are 128 random bits; on the impossible collision, draw again.
        loop {
            let inserted = sqlx::query(
                "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
            )
            .bind(record.id.to_string())
            .bind(&data)
            .bind(expiry_ms(record))
            .execute(self.db.pool())
            .await
            .map_err(backend)?;
            if inserted.rows_affected() == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = encode(record)?;
        let (hash, expires) = (hash_of(&data), expiry_ms(record));
        let unchanged = self
            .remembered()
            .get(&record.id)
            .is_some_and(|(h, e)| *h == hash && expires - *e < EXPIRY_SLACK_MS);
        if unchanged {
            return Ok(());
        }
        // Through the write turn: on SQLite writers queue in-process instead of
        // sleeping in the busy handler behind a hearing's commit.
        let mut tx = self.db.begin_write().await.map_err(backend)?;
        sqlx::query(
            "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at",
        )
        .bind(record.id.to_string())
        .bind(&data)
        .bind(expires)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        let mut remembered = self.remembered();
        if remembered.len() >= MAX_REMEMBERED {
            remembered.clear();
        }
        remembered.insert(record.id, (hash, expires));
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        use sqlx::Row;
        let row =
            sqlx::query("SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2")
                .bind(id.to_string())
                .bind(now_ms())
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
