//! The `pingyi` server: configuration, the HTTP router, the live sockets, the
//! minutes PDF, the demo data. Everything with IO that is not a page.

pub mod accounts;
pub mod aftercare_http;
pub mod api_v1;
pub mod archive;
pub mod bundle;
pub mod caching;
pub mod config;
pub mod csrf;
pub mod demo;
pub mod demo_history;
pub mod draws;
pub mod evidence_http;
pub mod html;
pub mod http_error;
pub mod ics;
pub mod invite;
pub mod minutes;
pub mod minutes_pdf;
pub mod notices;
pub mod router;
pub mod rpc_errors;
pub mod signing;
pub mod ws;

use anyhow::Context;
use app::db::{self, Db};
use config::{Config, ServeArgs};
use std::future::{Future, IntoFuture};
use tokio::net::TcpListener;

/// How long a stopping server waits for its live sockets to say goodbye.
const SOCKETS_CLOSE_WITHIN: std::time::Duration = std::time::Duration::from_secs(5);

/// How long the pool may take to hand back its connections when closing.
const POOL_CLOSE_WITHIN: std::time::Duration = std::time::Duration::from_secs(5);

/// Opens (creating when missing) and migrates the database the config names.
pub async fn open_database(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    Ok(db)
}

/// Binds the address with a message an operator can act on.
pub async fn bind(addr: std::net::SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr).await.map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::AddrInUse => "端口已被占用 / address already in use".to_owned(),
            std::io::ErrorKind::PermissionDenied => "权限不足 / permission denied".to_owned(),
            _ => e.to_string(),
        };
        anyhow::anyhow!("无法监听 / cannot listen on {addr}: {why}")
    })
}

/// Serves until `shutdown` resolves, then closes live sockets and drains requests.
pub async fn serve(
    args: &ServeArgs,
    db: Db,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    raise_open_file_limit();
    let stopping = router::Stopping::default();
    // Expired sessions are deleted hourly, so the table does not grow forever.
    let sweeper = {
        use tower_sessions::session_store::ExpiredDeletion;
        let store = app::db::sessions::DbSessionStore::with_policy(
            db.clone(),
            router::session_policy(args),
        );
        tokio::spawn(async move {
            let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
            loop {
                every_hour.tick().await;
                if let Err(e) = store.delete_expired().await {
                    tracing::warn!(error = %e, "expired sessions could not be deleted");
                }
            }
        })
    };
    let hub = app::live::Hub::default();
    minutes::warn_if_font_missing(&args.font);
    warn_if_public_url_missing(args);
    let (app, state) = router::build(args, db.clone(), hub.clone(), stopping.clone())?;
    // Load (or create) the signing key now, off the runtime, so that the first
    // finalisation does not generate it while holding the hearing's write turn.
    {
        let press = state.press.clone();
        tokio::task::spawn_blocking(move || {
            if let Err(e) = press.certificate_sha256() {
                tracing::warn!(error = %e, "纪要签章密钥不可用 / minutes signing key unavailable");
            }
        });
    }
    if args.demo_loaded {
        // The demo's held hearing gets its finalised, signed minutes (needs the press).
        if let Err(e) = demo::finalise_held(&state).await {
            tracing::warn!(error = %e, "演示听证纪要未能定稿 / demo minutes not finalised");
        }
    }
    let relay = start_relay(&db, &hub).await?;
    let local = listener.local_addr().context("listener address")?;
    tracing::info!(address = %local, backend = ?db.backend(), "pingyi 已启动 / serving");
    let (draining, drain_started) = tokio::sync::oneshot::channel::<()>();
    let closing = stopping.closing.clone();
    let serving = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        tracing::info!("正在停止 / shutting down");
        // Live sockets are upgraded connections the HTTP drain does not wait for:
        // tell them to close so clients reconnect elsewhere.
        closing.cancel();
        let _ = draining.send(());
    });
    // Requests still in flight (a download, a page streaming to a client that went
    // quiet) get the grace period; then the stop ends without them, since a stop
    // that never ends is escalated to SIGKILL by the service manager mid-write.
    let grace = std::time::Duration::from_secs(args.shutdown_grace_seconds);
    let drain_deadline = async {
        match drain_started.await {
            Ok(()) => tokio::time::sleep(grace).await,
            // The server ended before any stop was asked: its own result tells why.
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        served = serving.into_future() => served.context("server error")?,
        () = drain_deadline => tracing::warn!(
            grace_seconds = args.shutdown_grace_seconds,
            "requests still open at shutdown: stopping without them"
        ),
    }
    // The sockets' last reads and close frames need the database still open.
    stopping.sockets.close();
    if tokio::time::timeout(SOCKETS_CLOSE_WITHIN, stopping.sockets.wait())
        .await
        .is_err()
    {
        tracing::warn!(
            open = stopping.sockets.len(),
            "live sockets still open at shutdown"
        );
    }
    sweeper.abort();
    if let Some(relay) = relay {
        relay.abort();
    }
    if tokio::time::timeout(POOL_CLOSE_WITHIN, db.close())
        .await
        .is_err()
    {
        tracing::warn!("database connections still in use at shutdown");
    }
    Ok(())
}

/// Raises this process's open-file soft limit to its hard limit: every live
/// socket holds a descriptor, and the usual soft limit (1024) is far below
/// what one room of observers needs. What is left is reported, not fatal.
pub fn raise_open_file_limit() {
    #[cfg(unix)]
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => tracing::debug!(open_files = limit, "open-file limit"),
        Err(e) => tracing::warn!(error = %e, "打开文件数上限未能提高 / open-file limit not raised"),
    }
}

/// With PostgreSQL, several instances may serve one database: each listens for
/// the others' commits and relays them to its own sockets.
async fn start_relay(
    db: &Db,
    hub: &app::live::Hub,
) -> anyhow::Result<Option<tokio::task::JoinHandle<()>>> {
    if db.backend() != db::Backend::Postgres {
        return Ok(None);
    }
    let bus = app::live::PgBus::connect(db.url())
        .await
        .context("LISTEN on PostgreSQL")?;
    let task = tokio::spawn(app::live::relay(bus, db.clone(), hub.clone()));
    Ok(Some(task))
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

/// Loads the demo when the database holds no case yet. Returns whether it did.
pub async fn load_demo_if_empty(db: &Db) -> anyhow::Result<bool> {
    if db::hearings::is_empty(db).await? {
        demo::load(db).await?;
        return Ok(true);
    }
    Ok(false)
}

/// Without `PINGYI_PUBLIC_URL`, links and the verification address on signed
/// minutes follow the address each browser used; a server reachable from other
/// machines should say where people reach it (finalising refuses to print a
/// loopback address).
fn warn_if_public_url_missing(args: &ServeArgs) {
    let unset = args
        .public_url
        .as_deref()
        .is_none_or(|url| url.trim().is_empty());
    if unset && !args.addr.ip().is_loopback() {
        tracing::warn!(
            addr = %args.addr,
            "未设置 PINGYI_PUBLIC_URL：邀请链接和纪要核验地址将取自访问者所用的地址；请设置本平台的对外访问地址 / PINGYI_PUBLIC_URL is not set while listening beyond loopback"
        );
    }
}
