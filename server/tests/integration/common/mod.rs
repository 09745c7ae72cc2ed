//! Test plumbing: a real server on a random port against a fresh database —
//! SQLite by default, PostgreSQL when PINGYI_TEST_POSTGRES names a server.
#![allow(dead_code, clippy::unwrap_used)]

use app::db::Db;
use server::config::ServeArgs;
use std::path::PathBuf;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The longest any one request of a test may take.
const REQUEST_WITHIN: std::time::Duration = std::time::Duration::from_secs(60);
/// How long a stopping test server waits for requests still open.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(3);
/// Public verifications a test server runs at once, and how long one upload may take.
pub const VERIFY_CONCURRENCY: usize = 4;
pub const VERIFY_UPLOAD_SECONDS: u64 = 5;
/// The longest a graceful stop may take: past the grace, the stop itself hangs.
const STOP_WITHIN: std::time::Duration = std::time::Duration::from_secs(30);

pub struct TestServer {
    pub base: String,
    /// The database the server runs on (for the CLI tests).
    pub database_url: String,
    pub ws_base: String,
    pub db: Db,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
    postgres: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

/// `make test` sets PINGYI_REQUIRE_PDF_TOOLS=1 (and installs the tools first): a
/// missing checker then fails the test, where a skip would pass on a fresh machine.
pub fn pdf_tools_required() -> bool {
    std::env::var("PINGYI_REQUIRE_PDF_TOOLS").is_ok_and(|v| v == "1")
}

/// Whether poppler's `name` runs; if not, fails under `make test` and skips
/// its checks loudly for a developer running cargo test by hand.
pub fn pdf_tool(name: &str) -> bool {
    let found = std::process::Command::new(name).arg("-v").output().is_ok();
    if !found {
        assert!(
            !pdf_tools_required(),
            "{name} not found and PINGYI_REQUIRE_PDF_TOOLS=1: `make pdf-tools` installs poppler-utils"
        );
        eprintln!("!!! {name} not found (poppler-utils): its checks are SKIPPED");
    }
    found
}

/// A PDF's text as poppler's `pdftotext` reads it (UTF-8), or `None` where the
/// tool is missing outside `make test` (see [`pdf_tool`]).
pub fn pdf_text(pdf: &[u8]) -> Option<String> {
    if !pdf_tool("pdftotext") {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("document.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(out.status.success(), "pdftotext failed on the document");
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
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
        Self::start_signing_from(signing_dir()).await
    }

    /// A server whose minutes signing key lives in `signing` (e.g. a broken one).
    pub async fn start_signing_from(signing: std::path::PathBuf) -> TestServer {
        Self::start_with(signing, |_| {}).await
    }

    /// A server whose settings `tweak` changes (limits, secure cookies …).
    pub async fn start_tweaked(tweak: fn(&mut ServeArgs)) -> TestServer {
        Self::start_with(signing_dir(), tweak).await
    }

    async fn start_with(signing: std::path::PathBuf, tweak: fn(&mut ServeArgs)) -> TestServer {
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
            database_url: database_url.clone(),
            data_dir: dir.path().to_path_buf(),
        };
        let db = server::open_database(&config).await.unwrap();
        assert!(server::load_demo_if_empty(&db).await.unwrap());
        Self::serve(db, database_url, postgres, dir, signing, tweak).await
    }

    async fn serve(
        db: Db,
        database_url: String,
        postgres: Option<(String, String)>,
        dir: tempfile::TempDir,
        signing: std::path::PathBuf,
        tweak: fn(&mut ServeArgs),
    ) -> TestServer {
        let listener = server::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut args = ServeArgs {
            addr,
            site_root: dir.path().join("site"),
            font: font_path(),
            no_demo: true,
            secure_cookies: false,
            public_url: None,
            session_idle_minutes: 30,
            session_max_hours: 12,
            guard: Default::default(),
            shutdown_grace_seconds: SHUTDOWN_GRACE.as_secs(),
            office_name: "海宁市信访局".into(),
            timezone: "Asia/Shanghai".into(),
            utc_offset: 8 * 3600,
            evidence_dir: Some(dir.path().join("evidence")),
            evidence_max_file_mb: 2,
            evidence_max_hearing_mb: 5,
            evidence_types: "pdf,jpeg,png,webp,mp3,m4a,mp4,docx,xlsx".into(),
            // One key for every test server: created once, not per test.
            signing_dir: Some(signing),
            verify_concurrency: VERIFY_CONCURRENCY,
            verify_upload_seconds: VERIFY_UPLOAD_SECONDS,
            demo_loaded: false,
        };
        tweak(&mut args);
        let (stop, stopped) = oneshot::channel::<()>();
        let serve_db = db.clone();
        let task = tokio::spawn(async move {
            server::serve(&args, serve_db, listener, async {
                let _ = stopped.await;
            })
            .await
        });
        TestServer {
            database_url,
            base: format!("http://{addr}"),
            ws_base: format!("ws://{addr}"),
            db,
            stop: Some(stop),
            task: Some(task),
            postgres,
            _dir: dir,
        }
    }

    /// A second server on the same database (its own port and data directory),
    /// as a second instance behind a load balancer would be.
    pub async fn another_instance(&self) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let config = server::config::Config {
            database_url: self.database_url.clone(),
            data_dir: dir.path().to_path_buf(),
        };
        let db = server::open_database(&config).await.unwrap();
        Self::serve(
            db,
            self.database_url.clone(),
            None,
            dir,
            signing_dir(),
            |_| {},
        )
        .await
    }

    /// Graceful stop of this instance only (its sockets are told to reconnect).
    /// The server bounds its own drain; a stop that still does not end is a hang.
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let started = std::time::Instant::now();
            let stopped = tokio::time::timeout(STOP_WITHIN, task)
                .await
                .unwrap_or_else(|_| panic!("the server did not stop within {STOP_WITHIN:?}"));
            stopped.unwrap().unwrap();
            if started.elapsed() >= SHUTDOWN_GRACE {
                eprintln!(
                    "!!! the server took {:?} to stop: a request was still open",
                    started.elapsed()
                );
            }
        }
    }

    /// Graceful stop, then the PostgreSQL test database is dropped.
    pub async fn finish(mut self) {
        self.stop().await;
        // A connection some task never handed back would make this wait forever.
        tokio::time::timeout(STOP_WITHIN, self.db.close())
            .await
            .expect("the test's pool closes: no task still holds a connection");
        if let Some((admin, name)) = self.postgres.take() {
            use sqlx::Connection;
            let mut admin = sqlx::PgConnection::connect(&admin).await.unwrap();
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await
                .unwrap();
        }
    }

    /// A client logged in as a demo account ("admin", "host", "clerk", "archivist",
    /// "juror"), or anonymous for "".
    pub async fn client(&self, username: &str) -> Client {
        self.client_from(username, None).await
    }

    /// Like [`TestServer::client`], connecting from `source` (another loopback
    /// address: each member on their own phone, not 50 logins from one address).
    pub async fn client_from(&self, username: &str, source: Option<std::net::IpAddr>) -> Client {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            // A server that never answers fails the test with the URL, not CI's clock.
            .timeout(REQUEST_WITHIN)
            .local_address(source)
            .build()
            .unwrap();
        let client = Client {
            http,
            jar,
            base: self.base.clone(),
        };
        if !username.is_empty() {
            let res = client.login(username, server::demo::DEMO_PASSWORD).await;
            assert_eq!(res.status(), 200, "login as {username}");
        }
        client
    }

    /// POSTs a JSON server function as this client and returns (status, body).
    pub async fn json_rpc(
        client: &Client,
        name: &str,
        body: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let res = client
            .http
            .post(format!("{}/rpc/{name}", client.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// Adds a record line as the demo clerk.
    pub async fn record(&self, hearing_id: &str, text: &str) -> reqwest::Response {
        self.client("clerk").await.record(hearing_id, text).await
    }

    /// Today's demo hearing, about to begin (the earliest one): closed to the
    /// public, the demo juror seated, nothing in its log yet.
    pub async fn todays_hearing(&self) -> String {
        self.demo_hearings().await[0].id.clone()
    }

    /// Today's demo hearing, opened by its host (宣布开始): the record is
    /// taken from here on.
    pub async fn opened_todays_hearing(&self) -> String {
        let hearing = self.todays_hearing().await;
        self.open(&hearing).await;
        hearing
    }

    /// Today's demo hearing opened, with three record lines: four events in
    /// its log (head seq 4).
    pub async fn todays_hearing_with_record(&self) -> String {
        let hearing = self.opened_todays_hearing().await;
        let clerk = self.client("clerk").await;
        for text in [
            "主持人宣布听证评议会开始，宣布会场纪律，核实到场人员身份，告知各方权利义务。",
            "信访人陈述：尚有工资28,600元未获支付，提交考勤记录及微信聊天记录。",
            "责任单位陈述：已启动工资保证金支付程序，预计十五个工作日内完成。",
        ] {
            assert_eq!(clerk.record(&hearing, text).await.status(), 200);
        }
        hearing
    }

    /// As if the day of `hearing_id` had come: its planned start is now (a
    /// fixture for tests of what happens once a hearing sits; the rule that
    /// refuses an early opening has its own test).
    pub async fn due_now(&self, hearing_id: &str) {
        let mut tx = self.db.begin().await.unwrap();
        sqlx::query("UPDATE hearings SET starts_at = $1 WHERE id = $2")
            .bind(app::db::now_ms())
            .bind(hearing_id)
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }

    /// The demo host opens `hearing_id` (it must be due: an hour before its
    /// planned start at the earliest).
    pub async fn open(&self, hearing_id: &str) {
        let host = self.client("host").await;
        let step = serde_json::json!({"hearing_id": hearing_id, "step": {"step": "start"}});
        let (status, body) = Self::json_rpc(&host, "step_procedure", step).await;
        assert_eq!(status, 200, "the host opens the hearing: {body}");
    }

    /// The demo hearings in time order, without the completed one (its log is
    /// closed) and without the imported history (`server::demo_history`).
    async fn demo_hearings(&self) -> Vec<app::model::HearingSummary> {
        app::db::hearings::list(&self.db)
            .await
            .unwrap()
            .into_iter()
            .filter(|h| {
                server::demo::is_demo_case(&h.case_number)
                    && h.case_number != server::demo::COMPLETED_CASE
            })
            .collect()
    }

    /// The demo hearing held from opening to the close (minutes not yet final).
    pub async fn completed_hearing(&self) -> String {
        app::db::hearings::list(&self.db)
            .await
            .unwrap()
            .into_iter()
            .find(|h| h.case_number == server::demo::COMPLETED_CASE)
            .expect("completed demo hearing")
            .id
    }

    /// The demo hearing still to come (no juror seated).
    pub async fn upcoming_hearing(&self) -> String {
        self.demo_hearings().await[1].id.clone()
    }
}

impl TestServer {
    /// The server's data directory (the evidence store lives under it).
    pub fn data_dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    /// A party of `hearing_id` admitted through a fresh invitation link.
    pub async fn party(&self, hearing_id: &str, kind: &str, name: &str) -> Client {
        let host = self.client("host").await;
        let link = host.invite(hearing_id, kind, name, "7").await;
        let party = self.client("").await;
        let url = link["url"].as_str().expect("invitation url");
        let entered = party.http.post(url).send().await.unwrap();
        assert_eq!(entered.status(), 200, "party admitted");
        party
    }
}

pub struct Client {
    pub http: reqwest::Client,
    jar: std::sync::Arc<reqwest::cookie::Jar>,
    pub base: String,
}

impl Client {
    /// Invites a party as this (host) client: the link's JSON (`id`, `url`, …).
    pub async fn invite(
        &self,
        hearing_id: &str,
        kind: &str,
        name: &str,
        valid_days: &str,
    ) -> serde_json::Value {
        let form = [
            ("hearing_id", hearing_id),
            ("party_kind", kind),
            ("party_name", name),
            ("valid_days", valid_days),
        ];
        self.rpc("invite_party", &form).await.json().await.unwrap()
    }

    pub async fn rpc(&self, name: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(format!("{}/rpc/{name}", self.base))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    pub async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        self.rpc("login", &[("username", username), ("password", password)])
            .await
    }

    pub async fn record(&self, hearing_id: &str, text: &str) -> reqwest::Response {
        self.rpc("record_note", &[("hearing_id", hearing_id), ("text", text)])
            .await
    }

    /// Files one exhibit through the upload endpoint; returns (status, JSON body).
    pub async fn upload(
        &self,
        hearing_id: &str,
        submitter: Option<&str>,
        title: &str,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> (u16, serde_json::Value) {
        let mut form = reqwest::multipart::Form::new()
            .text("title", title.to_owned())
            .text("description", "测试说明".to_owned())
            .text("purpose", "证明测试事实".to_owned());
        if let Some(side) = submitter {
            form = form.text("submitter", side.to_owned());
        }
        let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned());
        let res = self
            .http
            .post(format!("{}/hearings/{hearing_id}/exhibits", self.base))
            .multipart(form.part("file", part))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    /// The session cookie, for clients that are not reqwest (websockets).
    pub fn cookie_header(&self) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let url = self.base.parse().unwrap();
        self.jar
            .cookies(&url)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    /// Opens the live socket with this client's session; Err carries the HTTP status.
    pub async fn socket(&self, hearing_id: &str, after: u64) -> Result<Socket, u16> {
        self.socket_from(hearing_id, after, None).await
    }

    /// Like [`Client::socket`], the handshake naming `origin` as a browser would.
    pub async fn socket_from(
        &self,
        hearing_id: &str,
        after: u64,
        origin: Option<&str>,
    ) -> Result<Socket, u16> {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let url = format!(
            "{}/ws/hearings/{hearing_id}?after={after}",
            self.base.replacen("http", "ws", 1)
        );
        let mut request = url.into_client_request().unwrap();
        if let Some(cookie) = self.cookie_header() {
            request
                .headers_mut()
                .insert("cookie", cookie.parse().unwrap());
        }
        if let Some(origin) = origin {
            request
                .headers_mut()
                .insert("origin", origin.parse().unwrap());
        }
        match tokio_tungstenite::connect_async(request).await {
            Ok((socket, _)) => Ok(socket),
            Err(tokio_tungstenite::tungstenite::Error::Http(res)) => Err(res.status().as_u16()),
            Err(e) => panic!("websocket: {e}"),
        }
    }
}

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A panel member seated for a test, logged in.
#[allow(dead_code)]
pub struct Member {
    pub account_id: String,
    pub name: String,
    pub username: String,
    pub client: Client,
}

impl TestServer {
    /// Seats `count` more panel members on `hearing_id` (accounts `v1`… with the
    /// demo password) and logs each in. The password is hashed once for all.
    #[allow(dead_code)]
    pub async fn seat_members(&self, hearing_id: &str, count: usize) -> Vec<Member> {
        use app::domain::access::Role;
        let hash = app::auth::hash_password(server::demo::DEMO_PASSWORD.to_owned())
            .await
            .unwrap();
        let mut members = Vec::new();
        for i in 1..=count {
            let username = format!("v{i}");
            let name = format!("评议员{i:02}");
            let account = app::db::accounts::NewAccount {
                username: &username,
                display_name: &name,
                password_hash: &hash,
                roles: &[Role::Juror],
            };
            let account_id = app::db::accounts::create(&self.db, &account)
                .await
                .unwrap()
                .expect("fresh username");
            app::db::hearings::seat_juror(&self.db, hearing_id, &account_id)
                .await
                .unwrap();
            let source = std::net::Ipv4Addr::new(127, 0, 1, u8::try_from(i % 250 + 1).unwrap());
            let client = self.client_from(&username, Some(source.into())).await;
            members.push(Member {
                account_id,
                name,
                username,
                client,
            });
        }
        members
    }
}

/// The signing key every test server shares (under cargo's per-target temp dir).
pub fn signing_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("signing")
}

/// The binary under test, on the address and database the test chose.
#[allow(dead_code)]
pub struct Pingyi {
    pub addr: String,
    pub database_url: String,
    pub data_dir: std::path::PathBuf,
    pub child: Option<std::process::Child>,
}

#[allow(dead_code)]
impl Pingyi {
    pub fn start(&mut self) {
        use std::process::{Command, Stdio};
        let child = Command::new(env!("CARGO_BIN_EXE_pingyi"))
            .args(["serve", "--addr", &self.addr])
            .env("DATABASE_URL", &self.database_url)
            .env("PINGYI_DATA_DIR", &self.data_dir)
            .env("PINGYI_SITE_ROOT", self.data_dir.join("site"))
            .env("PINGYI_FONT", font_path())
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start pingyi");
        self.child = Some(child);
    }

    /// SIGKILL: no shutdown code runs, exactly like a power cut for the process.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub async fn wait_ready(&self, http: &reqwest::Client) {
        use std::time::{Duration, Instant};
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(res) = http
                .get(format!("http://{}/healthz", self.addr))
                .send()
                .await
                && res.status().is_success()
            {
                return;
            }
            assert!(Instant::now() < deadline, "pingyi did not come back");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Pingyi {
    fn drop(&mut self) {
        self.kill();
    }
}
