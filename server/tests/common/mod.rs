//! Test plumbing: a real server on a random port against a fresh database —
//! SQLite by default, PostgreSQL when PINGYI_TEST_POSTGRES names a server.
#![allow(dead_code, clippy::unwrap_used)]

use app::db::Db;
use server::config::ServeArgs;
use std::path::PathBuf;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct TestServer {
    pub base: String,
    pub ws_base: String,
    pub db: Db,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
    postgres: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

/// The font the Makefile fetched; the PDF tests need it and say so.
pub fn font_path() -> PathBuf {
    let path = PathBuf::from(
        std::env::var("PINGYI_FONT").expect("PINGYI_FONT must be set (run through `make test`)"),
    );
    assert!(
        path.exists(),
        "PINGYI_FONT {} does not exist (run `make font`)",
        path.display()
    );
    path
}

async fn fresh_postgres(admin_url: &str) -> (String, String) {
    use sqlx::Connection;
    let name = format!("pingyi_t_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(admin_url)
        .await
        .expect("connect to PINGYI_TEST_POSTGRES");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(admin_url);
    (format!("{base}/{name}"), name)
}

impl TestServer {
    pub async fn start() -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let (database_url, postgres) = match std::env::var("PINGYI_TEST_POSTGRES") {
            Ok(admin) if !admin.is_empty() => {
                let (url, name) = fresh_postgres(&admin).await;
                (url, Some((admin, name)))
            }
            _ => (
                format!("sqlite:{}", dir.path().join("pingyi.db").display()),
                None,
            ),
        };
        let config = server::config::Config {
            database_url,
            data_dir: dir.path().to_path_buf(),
        };
        let db = server::open_database(&config).await.unwrap();
        assert!(server::load_demo_if_empty(&db).await.unwrap());
        let listener = server::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let args = ServeArgs {
            addr,
            site_root: dir.path().join("site"),
            font: font_path(),
            no_demo: true,
        };
        let (stop, stopped) = oneshot::channel::<()>();
        let serve_db = db.clone();
        let task = tokio::spawn(async move {
            server::serve(&args, serve_db, listener, async {
                let _ = stopped.await;
            })
            .await
        });
        TestServer {
            base: format!("http://{addr}"),
            ws_base: format!("ws://{addr}"),
            db,
            stop: Some(stop),
            task: Some(task),
            postgres,
            _dir: dir,
        }
    }

    /// Graceful stop, then the PostgreSQL test database is dropped.
    pub async fn finish(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
        self.db.close().await;
        if let Some((admin, name)) = self.postgres.take() {
            use sqlx::Connection;
            let mut admin = sqlx::PgConnection::connect(&admin).await.unwrap();
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await
                .unwrap();
        }
    }

    pub async fn record(&self, hearing_id: &str, text: &str) -> reqwest::Response {
        reqwest::Client::new()
            .post(format!("{}/rpc/record_note", self.base))
            .form(&[("hearing_id", hearing_id), ("text", text)])
            .send()
            .await
            .unwrap()
    }

    /// The demo hearing that already has a record (the earliest one).
    pub async fn held_hearing(&self) -> String {
        app::db::hearings::list(&self.db).await.unwrap()[0]
            .id
            .clone()
    }
}
