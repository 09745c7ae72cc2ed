//! Storage (server only): one portable SQL dialect for SQLite and PostgreSQL
//! through sqlx's `Any` driver, one module per aggregate.
//!
//! Portability rules kept by every query here: `$n` placeholders, BIGINT for
//! integers and times (milliseconds UTC), TEXT ids, `UPDATE … RETURNING`.

pub mod accounts;
pub mod aftercare;
pub mod audit;
pub mod cases;
pub mod events;
pub mod evidence;
pub mod hearings;
pub mod invitations;
pub mod minutes;
pub mod notes;
pub mod pool;
pub mod proxy;
pub mod sessions;
pub mod settings;
pub mod stats;
pub mod tokens;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor, Row};
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("DATABASE_URL 无效 / invalid DATABASE_URL `{url}`: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("无法连接数据库 / cannot connect to the database: {0}")]
    Connect(sqlx::Error),
    #[error("数据库迁移失败 / migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("SQLite 未处于 WAL + synchronous=FULL 模式 / SQLite durability check failed: {0}")]
    Durability(String),
    #[error("数据库错误 / database error: {0}")]
    Query(#[from] sqlx::Error),
    #[error("存储的事件无法解析 / stored event is unreadable: {0}")]
    Corrupt(String),
    /// The hearing's minutes are finalised: its log takes no more events.
    #[error("纪要已定稿，听证记录不可再更改 / the minutes are finalised")]
    Sealed,
    /// The hearing's log holds `domain::event::MAX_EVENTS_PER_HEARING` events.
    #[error("听证记录已达上限 / the hearing's log is full")]
    LogFull,
}

/// Which engine is behind the pool; the few statements that differ ask this.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// Kept for connections outside the pool (PostgreSQL LISTEN); never logged.
    url: std::sync::Arc<str>,
    /// SQLite has one writer: write turns of this process queue here, in order,
    /// instead of polling the file lock in SQLite's busy handler (which sleeps).
    write_gate: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// A write turn (see [`Db::begin_write`]): the transaction, and on SQLite this
/// process's place at the one writer's desk until commit or drop.
pub struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    /// Ends the turn without writing; the gate opens once the rollback is done.
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

/// The longest a writer queues for SQLite's one write turn; commits take
/// milliseconds, so this is only reached when something holds the turn stuck.
const WRITE_TURN_WAIT: Duration = Duration::from_secs(30);

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Classifies a DATABASE_URL before anything touches the disk or network, so a typo
/// gets a one-line error instead of a driver's.
pub fn backend_of(url: &str) -> Result<Backend, DbError> {
    let invalid = |reason: &str| DbError::InvalidUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let (scheme, rest) = url.split_once(':').ok_or_else(|| {
        invalid("缺少协议（sqlite: 或 postgres://）/ missing scheme (sqlite: or postgres://)")
    })?;
    match scheme {
        "sqlite" if !rest.trim_start_matches('/').is_empty() => Ok(Backend::Sqlite),
        "sqlite" => Err(invalid("缺少文件路径 / missing file path")),
        "postgres" | "postgresql" if rest.starts_with("//") && rest.len() > 2 => {
            Ok(Backend::Postgres)
        }
        "postgres" | "postgresql" => Err(invalid(
            "应为 postgres://用户@主机/库 / expected postgres://user@host/db",
        )),
        _ => Err(invalid(
            "仅支持 sqlite: 与 postgres:// / only sqlite: and postgres:// are supported",
        )),
    }
}

impl Db {
    /// Connects and configures each connection; SQLite files are created when missing.
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let backend = backend_of(url)?;
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url).map_err(|e| DbError::InvalidUrl {
            url: url.clone(),
            reason: e.to_string(),
        })?;
        let pool = AnyPoolOptions::new()
            // SQLite has one writer anyway; a few readers keep pages and sockets apart.
            .max_connections(if backend == Backend::Sqlite { 4 } else { 16 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // Durability before speed: an acknowledged write survives power loss.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                        conn.execute("PRAGMA busy_timeout = 5000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(DbError::Connect)?;
        let db = Db {
            pool,
            backend,
            url: url.as_str().into(),
            write_gate: Default::default(),
        };
        db.check_durability().await?;
        Ok(db)
    }

    /// The URL this pool was opened with (it may hold a password: do not log it).
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A transaction, for callers outside this module that write several rows at once.
    pub async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, DbError> {
        Ok(self.pool.begin().await?)
    }

    /// A write turn: on SQLite `BEGIN IMMEDIATE` takes the one write lock at once
    /// (waiting up to busy_timeout), so two writers never deadlock upgrading a
    /// read; PostgreSQL serialises per hearing with the row lock taken first.
    pub async fn begin_write(&self) -> Result<WriteTx, DbError> {
        Ok(match self.backend {
            Backend::Sqlite => {
                // Bounded like the pool's own wait: a turn that never comes is an
                // error the request reports, never a request that hangs forever.
                let turn = tokio::time::timeout(
                    WRITE_TURN_WAIT,
                    self.write_gate.clone().lock_owned(),
                )
                .await
                .map_err(|_| {
                    tracing::error!(within = ?WRITE_TURN_WAIT, "SQLite write turn not granted");
                    DbError::Query(sqlx::Error::PoolTimedOut)
                })?;
                WriteTx {
                    tx: self.pool.begin_with("BEGIN IMMEDIATE").await?,
                    _turn: Some(turn),
                }
            }
            Backend::Postgres => WriteTx {
                tx: self.pool.begin().await?,
                _turn: None,
            },
        })
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn migrate(&self) -> Result<(), DbError> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    /// Cheap liveness probe for /healthz.
    pub async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Refuses to run on SQLite unless WAL and synchronous=FULL really took effect.
    async fn check_durability(&self) -> Result<(), DbError> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        let mut conn = self.pool.acquire().await.map_err(DbError::Connect)?;
        let mode: String = sqlx::query("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
        let sync: i64 = sqlx::query("PRAGMA synchronous")
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
        if !mode.eq_ignore_ascii_case("wal") || sync != 2 {
            return Err(DbError::Durability(format!(
                "journal_mode={mode}, synchronous={sync}"
            )));
        }
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Milliseconds since the Unix epoch, the one time unit stored.
/// A `YYYY-MM-DD` column as written by this program; anything else is corruption.
pub(crate) fn stored_date(raw: &str) -> Result<crate::domain::case::CalendarDate, DbError> {
    raw.parse()
        .map_err(|_| DbError::Corrupt(format!("stored date {raw:?}")))
}

/// A code column (colour, status, rating …) as written by this program.
pub(crate) fn stored_code<C: crate::domain::case::Coded>(raw: &str) -> Result<C, DbError> {
    C::parse_code(raw).ok_or_else(|| DbError::Corrupt(format!("stored code {raw:?}")))
}

pub fn now_ms() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

/// A fresh, time-ordered id (UUID v7) for any new row.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// 244 random bits (two v4 UUIDs) for an event's salt: unguessable, never sent
/// where the event is redacted.
pub fn new_salt() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_classified_before_connecting() {
        assert_eq!(
            backend_of("sqlite:./data/pingyi.db").ok(),
            Some(Backend::Sqlite)
        );
        assert_eq!(backend_of("sqlite::memory:").ok(), Some(Backend::Sqlite));
        assert_eq!(
            backend_of("postgres://postgres@127.0.0.1/test").ok(),
            Some(Backend::Postgres)
        );
        for bad in [
            "",
            "pingyi.db",
            "mysql://x",
            "sqlite:",
            "postgres:foo",
            "postgres://",
        ] {
            assert!(backend_of(bad).is_err(), "{bad} should be refused");
        }
    }
}
