//! The HTTP surface: pages and server functions (Leptos), the live socket, the
//! minutes download, health; wrapped in limits and security headers.

use crate::config::ServeArgs;
use crate::{csrf, invite, minutes, notices, ws};
use app::auth::{Backend, LoginLimits, TrustedProxies};
use app::db::Db;
use app::db::sessions::{DbSessionStore, SessionPolicy};
use app::live::{AccessFeed, Hub};
use app::state::AppState;
use app::{App, shell};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use axum_login::{AuthManagerLayer, AuthManagerLayerBuilder};
use leptos::config::LeptosOptions;
use leptos_axum::{
    AxumRouteListing, LeptosRoutes, file_and_error_handler_with_context, generate_route_list,
};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// Largest request body: a CSV import of 10,000 cases arrives base64-encoded in one call.
const BODY_LIMIT_BYTES: usize = 16 * 1024 * 1024;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// An evidence upload from a phone on a slow line may take minutes.
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// Responses that are not pages (files, JSON, PDF) get this strict policy; pages set
/// their own with the hydration script's nonce.
const DEFAULT_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// Strict-Transport-Security when serving over TLS: one year.
pub const HSTS: &str = "max-age=31536000";

/// Server-side resources that are not part of the Leptos state.
pub struct Extras {
    pub office: crate::notices::Office,
    pub stopping: Stopping,
    /// The session store, for the live sockets' heartbeat (keep alive, notice the end).
    pub sessions: DbSessionStore,
    /// Live sockets per client address and in total.
    pub sockets: Arc<crate::ws::SocketCaps>,
    /// Whose X-Forwarded-For names the client.
    pub trusted_proxies: TrustedProxies,
    /// Cookies are marked Secure (serving over TLS).
    pub secure_cookies: bool,
    /// Bounds on the public minutes verification (no login needed).
    pub verify: crate::archive::VerifyGate,
}

/// How a stopping server reaches its live sockets, which the HTTP drain does not
/// wait for: `closing` tells each to send 1012, `sockets` lets `serve` wait for
/// them before it closes the database under them.
#[derive(Clone, Default)]
pub struct Stopping {
    pub closing: CancellationToken,
    pub sockets: tokio_util::task::TaskTracker,
}

/// How long sessions live, from the settings.
pub fn session_policy(args: &ServeArgs) -> SessionPolicy {
    SessionPolicy::new(args.session_idle_minutes, args.session_max_hours)
}

/// Sessions live in the database (a restart logs nobody out; instances share
/// them); the cookie is HttpOnly, SameSite=Lax, Secure when serving over TLS.
/// The store decides when a session ends (idle timeout, absolute lifetime);
/// the cookie only lasts no longer than the lifetime.
fn auth_layer(
    store: &DbSessionStore,
    args: &ServeArgs,
) -> AuthManagerLayer<Backend, DbSessionStore> {
    let db = store.db().clone();
    let sessions = SessionManagerLayer::new(store.clone())
        .with_name("pingyi_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(args.secure_cookies)
        // Save on every request, so the idle timeout really counts idleness.
        .with_always_save(true)
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(
            args.session_max_hours.max(1),
        )));
    AuthManagerLayerBuilder::new(Backend::new(db), sessions).build()
}

/// The live sockets' total cap, kept below the open-file limit (with room for
/// the database, logins and `/healthz`), so that sockets alone never exhaust it.
fn socket_total(configured: usize) -> usize {
    #[cfg(unix)]
    {
        const RESERVE: u64 = 256;
        if let Ok((soft, _)) = rlimit::Resource::NOFILE.get() {
            let room = usize::try_from(soft.saturating_sub(RESERVE).max(16)).unwrap_or(usize::MAX);
            if room < configured {
                tracing::warn!(
                    configured,
                    open_file_limit = soft,
                    cap = room,
                    "PINGYI_WS_MAX_TOTAL 超出打开文件数上限，已降低 / lowered below the open-file limit"
                );
                return room;
            }
        }
    }
    configured
}

/// The evidence store and limits, or a clear error when the directory is unusable.
fn evidence(args: &ServeArgs) -> anyhow::Result<app::evidence::Evidence> {
    let dir = args
        .evidence_dir
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from("data/evidence"));
    let store = app::evidence::DirStore::open(&dir).map_err(|e| {
        anyhow::anyhow!(
            "证据存储目录不可用 / evidence directory {} is not usable: {e}",
            dir.display()
        )
    })?;
    Ok(app::evidence::Evidence {
        store: Arc::new(store),
        limits: args.evidence_limits()?,
    })
}

pub fn build(
    args: &ServeArgs,
    db: Db,
    hub: Hub,
    stopping: Stopping,
) -> anyhow::Result<(Router, AppState)> {
    let leptos = LeptosOptions::builder()
        .output_name(crate::bundle::stem(&args.site_root))
        .site_root(args.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(args.addr)
        .build();
    let trusted_proxies =
        TrustedProxies::parse(&args.guard.trusted_proxies).map_err(anyhow::Error::msg)?;
    let session_store = DbSessionStore::with_policy(db.clone(), session_policy(args));
    let auth = auth_layer(&session_store, args);
    let state = AppState {
        leptos,
        db,
        hub,
        login_limits: LoginLimits::default(),
        access: AccessFeed::default(),
        public_url: args.public_url.clone().filter(|u| !u.trim().is_empty()),
        listen_addr: args.addr,
        evidence: evidence(args)?,
        rooms: Default::default(),
        groups: Default::default(),
        press: Arc::new(minutes::Press::new(
            args.font.clone(),
            args.signing_dir
                .clone()
                .unwrap_or_else(|| std::path::PathBuf::from("data/signing")),
            args.office_name.trim().to_owned(),
        )),
        office_name: args.office_name.trim().to_owned(),
    };
    let upload_ceiling = usize::try_from(state.evidence.limits.max_file_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(1024 * 1024);
    let extras = Arc::new(Extras {
        office: crate::notices::Office {
            name: args.office_name.trim().to_owned(),
            zone: crate::ics::IcsZone {
                name: args.timezone.trim().to_owned(),
                offset_seconds: args.utc_offset,
            },
        },
        stopping,
        sessions: session_store,
        sockets: crate::ws::SocketCaps::new(
            args.guard.ws_max_per_address,
            socket_total(args.guard.ws_max_total),
        ),
        trusted_proxies: trusted_proxies.clone(),
        secure_cookies: args.secure_cookies,
        verify: crate::archive::VerifyGate::new(
            args.verify_concurrency,
            Duration::from_secs(args.verify_upload_seconds),
        ),
    });
    let routes = app_routes();
    let options = state.leptos.clone();
    let (api, openapi) = crate::api_v1::router();
    let openapi = Arc::new(openapi);

    // Uploads stream to disk under their own caps (checked while reading) and a
    // long timeout; everything else gets the small body limit and 30 s.
    let uploads = Router::new()
        .route(
            "/hearings/{id}/exhibits",
            axum::routing::post(crate::evidence_http::upload),
        )
        .route(
            "/verify",
            axum::routing::post(crate::archive::verify_upload),
        )
        .route(
            "/hearings/{id}/commitment/scan",
            axum::routing::post(crate::aftercare_http::upload_scan),
        )
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(
            upload_ceiling.max(crate::archive::MAX_VERIFY_BYTES),
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            UPLOAD_TIMEOUT,
        ));

    let router = Router::new()
        .merge(api)
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let doc = openapi.clone();
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .route(
            "/api/v1/{*rest}",
            axum::routing::any(crate::api_v1::not_found),
        )
        .route("/hearings/{id}/notices", get(notices::notices))
        .route("/hearings/{id}/calendar.ics", get(notices::hearing_ics))
        .route("/feeds/{file}", get(notices::personal_feed))
        .route("/public/hearings", get(notices::announcements))
        .route(
            "/public/hearings/{id}/announcement",
            get(notices::announcement),
        )
        .route("/pool/export.csv", get(crate::draws::export_pool))
        .route("/public/draws/{id}", get(crate::draws::page))
        .route(
            "/public/draws/{id}/record.json",
            get(crate::draws::record_json),
        )
        .route("/healthz", get(healthz))
        .route("/favicon.ico", get(favicon))
        .route("/ws/hearings/{id}", get(ws::upgrade))
        .route("/hearings/{id}/minutes.pdf", get(minutes::download))
        .route(
            "/hearings/{id}/evidence.zip",
            get(crate::archive::evidence_bundle),
        )
        .route("/verify", get(crate::archive::verify_page))
        .route("/verify/{id}", get(crate::archive::verify_copy_page))
        .route(
            "/hearings/{id}/commitment/scan",
            get(crate::aftercare_http::download_scan),
        )
        .route(
            "/hearings/{id}/commitment/print",
            get(crate::aftercare_http::print_commitment),
        )
        .route("/stats/export.csv", get(crate::aftercare_http::export_csv))
        .route(
            "/stats/export.xlsx",
            get(crate::aftercare_http::export_xlsx),
        )
        .route("/exhibits/{id}/file", get(crate::evidence_http::file))
        .nest_service("/pdfjs", pdfjs_files(&args.site_root))
        .nest_service("/pkg", crate::bundle::files(&args.site_root))
        .route("/invite/{token}", get(invite::show).post(invite::enter))
        .leptos_routes_with_context(&state, routes, leptos::nonce::provide_nonce, move || {
            shell(options.clone())
        })
        .fallback(file_and_error_handler_with_context::<AppState, _>(
            leptos::nonce::provide_nonce,
            shell,
        ))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .merge(uploads)
        .layer(axum::Extension(extras))
        // Server functions read the client's address through it (login delays, audit).
        .layer(axum::Extension(trusted_proxies))
        .layer(axum::middleware::from_fn(form_posted_to_a_page))
        .layer(auth)
        .layer(axum::middleware::from_fn(csrf::reject_cross_site))
        .layer(axum::middleware::from_fn(
            crate::rpc_errors::arguments_refused_clearly,
        ))
        .layer(axum::middleware::from_fn(
            crate::caching::private_by_default,
        ))
        .layer(
            tower::ServiceBuilder::new()
                // Spans name the path without its query and without the
                // secret of an invitation link or a calendar feed.
                .layer(TraceLayer::new_for_http().make_span_with(
                    |request: &axum::http::Request<axum::body::Body>| {
                        tracing::debug_span!(
                            "request",
                            method = %request.method(),
                            path = %csrf::loggable_path(request.uri().path()),
                        )
                    },
                ))
                .layer(CompressionLayer::new())
                .layer(SetResponseHeaderLayer::overriding(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ))
                .layer(SetResponseHeaderLayer::overriding(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("same-origin"),
                ))
                // Evidence files allow framing by our own pages; all else is DENY.
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::X_FRAME_OPTIONS,
                    HeaderValue::from_static("DENY"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(DEFAULT_CSP),
                )),
        )
        .with_state(state.clone());
    // Behind TLS (secure cookies on), browsers are told to come back only over
    // HTTPS: no first request in clear text that could be intercepted.
    let router = if args.secure_cookies {
        router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        ))
    } else {
        router
    };
    Ok((router, state))
}

/// A form submitted before the page's script ran, on a form that needs the
/// script (no server-function action): the page is shown again (303) instead
/// of a bare "405 Method Not Allowed". Forms post, so nothing typed ever lands
/// in a URL, the history or a log.
async fn form_posted_to_a_page(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let is_form_post = request.method() == axum::http::Method::POST
        && request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    if is_form_post && response.status() == StatusCode::METHOD_NOT_ALLOWED {
        // Never `//host/…`: that would send the browser to another site.
        let back = if path.starts_with("//") { "/" } else { &path };
        return axum::response::Redirect::to(back).into_response();
    }
    response
}

/// pdf.js (`make pdfjs`: target/site/pdfjs), which renders PDF exhibits on a
/// canvas. Its worker takes the CSP of its own script's response: it may load
/// its decoders (wasm) and the CJK character maps from here, nothing else.
fn pdfjs_files(site_root: &std::path::Path) -> Router {
    Router::new()
        .fallback_service(tower_http::services::ServeDir::new(site_root.join("pdfjs")))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
            ),
        ))
}

/// The tab's icon (a red seal), built into the binary: no page of the site
/// answers its browser's first request with a 404.
async fn favicon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/x-icon"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_bytes!("../assets/favicon.ico").as_slice(),
    )
}

/// 200 when the database answers, 503 otherwise: for load balancers and `make run`.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.ping().await {
        Ok(()) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({ "status": "ok" })),
        ),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({ "status": "unavailable" })),
            )
        }
    }
}

/// The app's route list, made once per process.
///
/// Making it renders the app with resource loading suppressed by a
/// process-wide flag (leptos_server's `SuppressResourceLoad`): a page whose
/// resource is first polled on another thread in that moment waits forever
/// (leptos issue 4773). A server makes its router once, before it serves, so
/// only a process holding several servers (the integration tests) could be
/// hit: a rare observer page that outlasted the 30 s limit (408) while another
/// test started its server.
fn app_routes() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}
