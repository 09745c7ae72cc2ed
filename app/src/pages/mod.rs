//! The UI: the HTML shell, the router and the page frame (zh-CN first, English second).

mod admin;
mod aftercare;
mod ballots;
mod calendar;
mod cases;
pub(crate) mod evidence;
mod home;
mod import;
mod invite;
mod login;
mod minutes;
mod panel;
mod pdf_view;
mod pool;
pub(crate) mod room;
mod schedule;
mod settings;
mod sitting;
mod stats;
mod ui;

use crate::api::{Logout, who_am_i};
use crate::domain::access::{Action, permits};
use crate::error::ApiError;
use crate::i18n::{LANG_COOKIE, Lang};
use crate::model::Me;
use leptos::prelude::*;
use leptos_meta::{Html, MetaTags, Title, provide_meta_context};
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// Who is logged in, shared by every component; `changed()` after login/logout
/// makes everything that depends on it load again.
#[derive(Clone, Copy)]
pub struct Session {
    version: RwSignal<u32>,
    pub me: Resource<Result<Option<Me>, ApiError>>,
}

impl Session {
    fn new() -> Self {
        let version = RwSignal::new(0);
        let me = Resource::new(move || version.get(), |_| who_am_i());
        Session { version, me }
    }

    /// Changes whenever who is logged in may have changed.
    pub fn version(&self) -> u32 {
        self.version.get()
    }

    pub fn changed(&self) {
        self.version.update(|v| *v += 1);
    }

    /// The account, once known (`None` while loading or when logged out).
    pub fn current(&self) -> Option<Me> {
        self.me.get().and_then(Result::ok).flatten()
    }
}

/// The reader's language, shared by every component; switching re-renders in place.
#[derive(Clone, Copy)]
pub struct UiLang(pub RwSignal<Lang>);

pub fn use_lang() -> RwSignal<Lang> {
    use_context::<UiLang>()
        .map(|l| l.0)
        .unwrap_or_else(|| RwSignal::new(Lang::Zh))
}

/// The document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                // The stylesheet is named by its content like the script (see
                // server::bundle), so only the server, which knows the name,
                // writes the link: the shell is never hydrated.
                <link rel="stylesheet" href=format!("/pkg/{}.css", options.output_name) />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Pages carry a nonce-based CSP: only our own hydration script may run inline.
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    use http::header::{CONTENT_SECURITY_POLICY, HeaderValue};
    let Some(nonce) = leptos::nonce::use_nonce() else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    );
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(&policy),
    ) {
        response.insert_header(CONTENT_SECURITY_POLICY, value);
        // Pages may show private data: never from a cache or the back button after logout.
        response.insert_header(
            http::header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        );
    }
}

/// The language the page starts in: the cookie, read the same way on both sides
/// so that hydration sees what the server rendered.
fn initial_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| {
                parts
                    .headers
                    .get(http::header::COOKIE)
                    .and_then(|v| v.to_str().ok())
                    .map(Lang::from_cookie_header)
            })
            .unwrap_or_default()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        use wasm_bindgen::JsCast;
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
            .and_then(|d| d.cookie().ok())
            .map(|c| Lang::from_cookie_header(&c))
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        Lang::default()
    }
}

/// Remembers the choice for the next page load; the switch itself needs no reload.
fn remember_lang(lang: Lang) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(doc) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
        {
            let cookie = format!(
                "{LANG_COOKIE}={}; path=/; max-age=31536000; samesite=lax",
                lang.code()
            );
            // A refused cookie only means the next load starts in Chinese again.
            let _ = doc.set_cookie(&cookie);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (lang, LANG_COOKIE);
    }
}

/// Marks `<html data-hydrated>` once the app is live in the browser, so tests
/// (and styles) can tell a server-rendered page from an interactive one.
fn mark_hydrated() {
    Effect::new(move || {
        #[cfg(feature = "hydrate")]
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // The language lives in a reference-counted signal; the page reads it
    // through an arena handle, but the <head>'s title and the <html lang>,
    // which the server writes after an async route's body, hold the signal
    // itself: by then the page's arena may be gone (a busy server), and reading
    // an arena handle there panics.
    let lang_shared = ArcRwSignal::new(initial_lang());
    let lang = RwSignal::from(lang_shared.clone());
    provide_context(UiLang(lang));
    let session = Session::new();
    provide_context(session);
    let t = move || lang.get().texts();
    let switch = move |_| {
        let next = match lang.get_untracked() {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        };
        lang.set(next);
        remember_lang(next);
    };

    mark_hydrated();

    view! {
        <Html {..} lang={
            let lang = lang_shared.clone();
            move || lang.get().code()
        } />
        <Title text=move || {
            let t = lang_shared.get().texts();
            format!("{} · {}", t.app_name, t.app_subtitle)
        } />
        <Router>
            <header class="topbar">
                <A href="/" attr:class="brand">
                    <span class="brand-mark">{move || t().app_name}</span>
                    <span class="brand-sub">{move || t().app_subtitle}</span>
                </A>
                <nav class="topnav" data-testid="menu">
                    <Transition>
                        {move || {
                            let me = session.current();
                            let actor = me.as_ref().map(Me::actor);
                            let may = |action| permits(actor.as_ref(), action, None);
                            view! {
                                {may(Action::ListHearings)
                                    .then(|| view! { <A href="/">{move || t().nav_hearings}</A> })}
                                {may(Action::ViewCases)
                                    .then(|| view! { <A href="/cases">{move || t().nav_cases}</A> })}
                                {may(Action::ViewCalendar)
                                    .then(|| view! { <A href="/calendar">{move || t().nav_calendar}</A> })}
                                {may(Action::ViewPool)
                                    .then(|| view! { <A href="/pool">{move || t().nav_pool}</A> })}
                                // Those who take part in hearings: staff on them, panel members, parties.
                                {(may(Action::SubscribeCalendar) || me.as_ref().is_some_and(|m| m.party.is_some()))
                                    .then(|| view! { <A href="/my">{move || t().nav_my_hearings}</A> })}
                                {may(Action::ManageAftercare)
                                    .then(|| view! { <A href="/aftercare">{move || if lang.get() == Lang::Zh { "回访" } else { "Visits" }}</A> })}
                                {may(Action::ViewStatistics)
                                    .then(|| view! { <A href="/stats">{move || if lang.get() == Lang::Zh { "统计" } else { "Statistics" }}</A> })}
                                {may(Action::SearchArchive)
                                    .then(|| view! { <A href="/archive">{move || if lang.get() == Lang::Zh { "档案" } else { "Archive" }}</A> })}
                                {may(Action::ManageAccounts)
                                    .then(|| view! { <A href="/admin/accounts">{move || t().nav_accounts}</A> })}
                                {may(Action::ViewAudit)
                                    .then(|| view! { <A href="/admin/audit">{move || t().nav_audit}</A> })}
                                {may(Action::ManageSettings)
                                    .then(|| view! { <A href="/admin/settings">{move || t().nav_settings}</A> })}
                            }
                        }}
                    </Transition>
                </nav>
                <Transition>
                    <AccountBox />
                </Transition>
                <button class="lang-switch" data-testid="lang-switch" on:click=switch>
                    {move || t().switch_to_other}
                </button>
            </header>
            <main class="page">
                <Routes fallback=move || view! { <p class="notice">{move || t().not_found}</p> }>
                    <Route path=path!("/") view=home::HomePage />
                    <Route path=path!("/login") view=login::LoginPage />
                    <Route path=path!("/admin/accounts") view=admin::AccountsPage />
                    <Route path=path!("/admin/audit") view=admin::AuditPage />
                    <Route path=path!("/admin/settings") view=settings::SettingsPage />
                    // Static segments before `:id`: the first route that matches wins.
                    <Route path=path!("/cases") view=cases::CasesPage />
                    <Route path=path!("/cases/new") view=cases::NewCasePage />
                    <Route path=path!("/cases/import") view=import::ImportPage />
                    <Route path=path!("/cases/:id") view=cases::CaseDetailPage />
                    <Route path=path!("/cases/:id/edit") view=cases::EditCasePage />
                    <Route path=path!("/hearings/new") view=schedule::NewHearingPage />
                    <Route path=path!("/hearings/:id/plan") view=schedule::HearingPlanPage />
                    <Route path=path!("/hearings/:id/panel") view=panel::PanelDrawPage />
                    <Route path=path!("/hearings/:id/evidence") view=evidence::HearingEvidence />
                    <Route path=path!("/pool") view=pool::PoolPage />
                    <Route path=path!("/pool/new") view=pool::NewMemberPage />
                    <Route path=path!("/pool/:id") view=pool::MemberPage />
                    <Route path=path!("/calendar") view=calendar::CalendarPage />
                    <Route path=path!("/archive") view=minutes::ArchivePage />
                    <Route path=path!("/stats") view=stats::StatsPage />
                    <Route path=path!("/aftercare") view=aftercare::VisitsPage />
                    <Route path=path!("/hearings/:id/aftercare") view=aftercare::AftercarePage />
                    <Route path=path!("/my") view=calendar::MyHearingsPage />
                    <Route path=path!("/hearings/:id") view=room::HearingRoom />
                    // Async: the status (404 for a hearing that is not public) must be
                    // known before the first byte is sent.
                    <Route path=path!("/public/hearings/:id") view=room::ObserverRoom ssr=SsrMode::Async />
                </Routes>
            </main>
        </Router>
    }
}

/// The name and roles of who is logged in, with 退出登录; or the 登录 link.
#[component]
fn AccountBox() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let session = expect_context::<Session>();
    let logout = ServerAction::<Logout>::new();
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move || {
        if let Some(Ok(())) = logout.value().get() {
            session.changed();
            navigate("/login", Default::default());
        }
    });
    move || match session.current() {
        Some(me) => {
            let roles = me.roles.clone();
            let role_names = move || {
                roles
                    .iter()
                    .map(|r| {
                        if lang.get() == Lang::Zh {
                            r.label_zh()
                        } else {
                            r.label_en()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("、")
            };
            view! {
                <span class="account" data-testid="account">
                    <span class="account-name">{me.display_name.clone()}</span>
                    <span class="account-roles">{role_names}</span>
                    <button class="link-button" data-testid="logout" on:click=move |_| {
                        logout.dispatch(Logout {});
                    }>{move || t().logout}</button>
                </span>
            }
            .into_any()
        }
        None => {
            view! { <A href="/login" attr:data-testid="login-link">{move || t().login_link}</A> }
                .into_any()
        }
    }
}

/// Why the last submit of a form was refused, in the reader's language; nothing
/// while it has not failed. What the reader typed stays in the form.
#[component]
pub fn ActionError<T>(
    #[prop(into)] result: Signal<Option<Result<T, ApiError>>>,
    testid: &'static str,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
{
    let lang = use_lang();
    // "请先登录" means the session ended (idle, logout elsewhere, lifetime): the
    // header learns it at once (no stale name), and the way back is offered.
    let session = use_context::<Session>();
    Effect::new(move || {
        let ended = result.with(|r| matches!(r, Some(Err(ApiError::NotLoggedIn))));
        if ended && let Some(session) = session {
            session.changed();
        }
    });
    move || {
        result.get().and_then(|r| r.err()).map(|e| {
            let ended = matches!(e, ApiError::NotLoggedIn);
            view! {
                <p class="error" role="alert" data-testid=testid>
                    {move || e.message(lang.get())}
                    {ended.then(|| view! {
                        " " <a href="/login" rel="external" data-testid="log-in-again">
                            {move || if lang.get() == Lang::Zh { "重新登录" } else { "Log in again" }}
                        </a>
                    }.into_any())}
                </p>
            }
            .into_any()
        })
    }
}
