//! Server functions: thin edges that check who asks, call the domain and the
//! database, and map errors to [`ApiError`]. Paths are fixed (`/rpc/…`) so that
//! other clients and the tests can call them; see docs/api.md.

use crate::error::ApiError;
use crate::model::{HearingSummary, Me, RoomSnapshot};
use leptos::prelude::*;

mod admin;
mod aftercare;
mod ballots;
mod cases;
mod evidence;
mod hearings;
mod invitations;
mod minutes;
mod panel;
mod sitting;
mod tokens;
pub use admin::*;
pub use aftercare::*;
pub use ballots::*;
pub use cases::*;
pub use evidence::*;
pub use hearings::*;
pub use invitations::*;
pub use minutes::*;
pub use panel::*;
pub use sitting::*;
pub use tokens::*;

#[cfg(feature = "ssr")]
pub(crate) mod guard {
    //! Who is asking, and may they: every server function starts here.
    use crate::auth::AuthSession;
    use crate::domain::access::{Action, Actor, HearingStaff, permits};
    use crate::error::ApiError;
    use crate::state::AppState;
    use leptos::prelude::*;

    pub fn state() -> Result<AppState, ApiError> {
        use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from the server-function context");
            ApiError::Internal
        })
    }

    pub async fn session() -> Result<AuthSession, ApiError> {
        leptos_axum::extract::<AuthSession>().await.map_err(|e| {
            tracing::error!(error = %e, "auth session missing");
            ApiError::Internal
        })
    }

    /// The client's address, for rate limits and the audit log: the peer, or
    /// behind a configured trusted proxy the address it forwards (never a
    /// header anybody could write).
    pub async fn client_ip() -> Option<String> {
        use axum::extract::ConnectInfo;
        let ConnectInfo(peer) = leptos_axum::extract::<ConnectInfo<std::net::SocketAddr>>()
            .await
            .ok()?;
        let trusted = use_context::<http::request::Parts>()
            .and_then(|parts| {
                let proxies = parts.extensions.get::<crate::auth::TrustedProxies>()?;
                Some(proxies.client_address(peer.ip(), &parts.headers))
            })
            .unwrap_or(peer.ip());
        Some(trusted.to_string())
    }

    /// Whether this call is a plain HTML form post (a page not yet hydrated):
    /// its answer is then a redirect, not data.
    pub fn plain_form_post() -> bool {
        use_context::<http::request::Parts>().is_some_and(|parts| {
            parts
                .headers
                .get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html"))
        })
    }

    pub async fn actor() -> Result<Option<(Actor, String)>, ApiError> {
        let auth = session().await?;
        Ok(crate::auth::current_actor(&state()?.db, &auth).await?)
    }

    /// Allows `action` (on `hearing_id` if given) or refuses it. A hearing the
    /// actor may not see answers as if it did not exist.
    pub async fn require(
        action: Action,
        hearing_id: Option<&str>,
    ) -> Result<(AppState, Actor, String), ApiError> {
        let state = state()?;
        let (actor, name) = actor().await?.ok_or(ApiError::NotLoggedIn)?;
        let staff: Option<HearingStaff> = match hearing_id {
            Some(id) => Some(
                crate::db::hearings::staff(&state.db, id)
                    .await?
                    .ok_or(ApiError::HearingNotFound)?,
            ),
            None => None,
        };
        if permits(Some(&actor), action, staff.as_ref()) {
            Ok((state, actor, name))
        } else if hearing_id.is_some() && !permits(Some(&actor), Action::ViewRoom, staff.as_ref()) {
            Err(ApiError::HearingNotFound)
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// Sets the HTTP status that matches a failure, so plain HTTP clients can tell
    /// a refusal (4xx) from a fault (5xx) without reading the body.
    /// A plain form post (no script yet) keeps the redirect back to its page,
    /// which carries the error in its URL and shows it.
    pub fn answer<T>(result: Result<T, ApiError>) -> Result<T, ApiError> {
        if plain_form_post() {
            return result;
        }
        if let (Err(e), Some(response)) = (&result, use_context::<leptos_axum::ResponseOptions>())
            && let Ok(status) = http::StatusCode::from_u16(e.status())
        {
            response.set_status(status);
        }
        result
    }
}

#[server(prefix = "/rpc", endpoint = "list_hearings")]
pub async fn list_hearings() -> Result<Vec<HearingSummary>, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, actor, _) = guard::require(Action::ListHearings, None).await?;
            // A panel member's phone lists the hearings they sit on, no other.
            if crate::domain::access::lists_own_hearings_only(&actor) {
                return hearings::home_list_of_member(&state.db, &actor.account_id).await;
            }
            hearings::home_list(&state.db).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "load_room")]
pub async fn load_room(hearing_id: String) -> Result<RoomSnapshot, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, actor, _) = guard::require(Action::ViewRoom, Some(&hearing_id)).await?;
            let hearing = crate::db::hearings::get(&state.db, &hearing_id)
                .await?
                .ok_or(ApiError::HearingNotFound)?;
            let staff = crate::db::hearings::staff(&state.db, &hearing_id).await?;
            let may = |action| crate::domain::access::permits(Some(&actor), action, staff.as_ref());
            // The closed deliberation reaches the panel, host and clerk only.
            let sees_panel = may(Action::SeeDeliberation);
            let seated = if may(Action::MarkAttendance) {
                crate::db::hearings::seated_voters(&state.db, &hearing_id).await?
            } else {
                Vec::new()
            };
            let planned_questions = if may(Action::RunBallot) {
                crate::db::hearings::planned_questions(&state.db, &hearing_id).await?
            } else {
                Vec::new()
            };
            let events = crate::db::events::all(&state.db, &hearing_id)
                .await?
                .iter()
                .map(|e| e.seen_by(sees_panel).into_owned())
                .collect();
            Ok(RoomSnapshot {
                planned_questions,
                hearing,
                events,
                can_record: may(Action::RecordNote),
                can_invite: may(Action::InviteParties),
                can_download: may(Action::DownloadMinutes),
                can_show: may(Action::ManageEvidence),
                can_run: may(Action::RunProcedure),
                can_mark: may(Action::MarkAttendance),
                can_check_in: may(Action::CheckIn),
                can_deliberate: may(Action::Deliberate),
                can_see_deliberation: sees_panel,
                can_keep_notes: may(Action::KeepPrivateNotes),
                can_vote: may(Action::CastVote),
                can_run_ballot: may(Action::RunBallot),
                can_confirm_proxy_votes: may(Action::ConfirmProxyVote),
                can_confirm_minutes: may(Action::ConfirmMinutes),
                can_finalise_minutes: may(Action::FinaliseMinutes),
                can_export_evidence: may(Action::ExportEvidence),
                my_account_id: actor.party_of.is_none().then(|| actor.account_id.clone()),
                my_side: actor.party_kind,
                seated,
                base: None,
            })
        }
        .await,
    )
}

/// 记入笔录: the clerk (or host) adds a line to the live record, said by the
/// speaker on the floor unless `own_note` (the clerk's note of the
/// proceedings, attributed to nobody). Returns the committed seq.
#[server(prefix = "/rpc", endpoint = "record_note")]
pub async fn record_note(
    hearing_id: String,
    text: String,
    #[server(default)] own_note: bool,
) -> Result<u64, ApiError> {
    use crate::domain::access::Action;
    use crate::domain::{EventPayload, RecordText};
    guard::answer(
        async {
            let (state, _, author) = guard::require(Action::RecordNote, Some(&hearing_id)).await?;
            let text = RecordText::parse(&text)?;
            crate::sitting::decide_and_commit(&state, &hearing_id, |room| {
                room.may_record()?;
                Ok(EventPayload::RecordEntered {
                    author,
                    text: text.into_inner(),
                    speaker: (!own_note).then(|| room.floor_speaker()).flatten(),
                })
            })
            .await
        }
        .await,
    )
}

/// The most lines one paste may add to the record at once.
pub const MAX_RECORD_LINES_AT_ONCE: usize = 200;

/// 分条记入: the clerk pastes prepared text; each non-empty line becomes one
/// record line, all committed together (one transaction) and then sent to the
/// room. Returns the committed seqs. Any refused line refuses the whole paste.
#[server(prefix = "/rpc", endpoint = "record_notes")]
pub async fn record_notes(
    hearing_id: String,
    text: String,
    #[server(default)] own_note: bool,
) -> Result<Vec<u64>, ApiError> {
    use crate::domain::access::Action;
    use crate::domain::{EventPayload, RecordText};
    guard::answer(
        async {
            let (state, _, author) = guard::require(Action::RecordNote, Some(&hearing_id)).await?;
            let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
            if lines.len() > MAX_RECORD_LINES_AT_ONCE {
                return Err(ApiError::TooManyLines {
                    max: MAX_RECORD_LINES_AT_ONCE,
                });
            }
            if lines.is_empty() {
                RecordText::parse("")?;
            }
            let lines = lines
                .into_iter()
                .map(|line| Ok(RecordText::parse(line)?.into_inner()))
                .collect::<Result<Vec<_>, ApiError>>()?;
            crate::sitting::decide_all(&state, &hearing_id, |room| {
                room.may_record()?;
                let speaker = (!own_note).then(|| room.floor_speaker()).flatten();
                Ok(lines
                    .into_iter()
                    .map(|text| EventPayload::RecordEntered {
                        author: author.clone(),
                        text,
                        speaker: speaker.clone(),
                    })
                    .collect())
            })
            .await
        }
        .await,
    )
}

/// The logged-in account, or `None`.
#[server(prefix = "/rpc", endpoint = "who_am_i")]
pub async fn who_am_i() -> Result<Option<Me>, ApiError> {
    guard::answer(
        async {
            let auth = guard::session().await?;
            if let Some(u) = &auth.user {
                return Ok(Some(Me {
                    id: u.id.clone(),
                    username: u.username.clone(),
                    display_name: u.display_name.clone(),
                    roles: u.roles.clone(),
                    party: None,
                }));
            }
            let Some((actor, name)) = guard::actor().await? else {
                return Ok(None);
            };
            let pass = crate::auth::party_pass(&auth).await;
            Ok(Some(Me {
                id: actor.account_id,
                username: String::new(),
                display_name: name,
                roles: Vec::new(),
                party: pass.map(|p| (p.kind, p.hearing_id)),
            }))
        }
        .await,
    )
}

/// 登录. Rate-limited per client address and per username; every attempt is audited.
#[server(prefix = "/rpc", endpoint = "login")]
pub async fn login(username: String, password: String) -> Result<Me, ApiError> {
    use crate::auth::Credentials;
    use crate::db::audit::{AuditEntry, record};
    guard::answer(
        async {
            let state = guard::state()?;
            let ip = guard::client_ip().await;
            let username = username.trim().to_owned();
            let audit = |action: &'static str, actor: Option<String>| {
                let (db, username, ip) = (state.db.clone(), username.clone(), ip.clone());
                async move {
                    let entry = AuditEntry {
                        actor: actor.as_deref(),
                        action,
                        subject: Some(&username),
                        detail: "",
                        ip: ip.as_deref(),
                    };
                    record(&db, &entry).await
                }
            };
            let address = ip.clone().unwrap_or_else(|| "-".to_owned());
            if let Err(retry_after_secs) = state.login_limits.check(&address, &username) {
                audit("login_rate_limited", None).await?;
                return Err(ApiError::RateLimited { retry_after_secs });
            }
            let mut session = guard::session().await?;
            let creds = Credentials {
                username: username.clone(),
                password,
            };
            let authenticated = session.authenticate(creds).await.map_err(|e| {
                tracing::error!(error = %e, "authentication failed to run");
                ApiError::Internal
            })?;
            let Some(user) = authenticated else {
                audit("login_failed", None).await?;
                return Err(ApiError::BadCredentials);
            };
            // A new session id at every login, even over a session that was logged
            // in before (axum-login only cycles a fresh one): no fixation.
            session.session.cycle_id().await.map_err(|e| {
                tracing::error!(error = %e, "session id could not be cycled");
                ApiError::Internal
            })?;
            session.login(&user).await.map_err(|e| {
                tracing::error!(error = %e, "session login failed");
                ApiError::Internal
            })?;
            state.login_limits.succeeded(&address, &username);
            audit("login", Some(user.id.clone())).await?;
            if guard::plain_form_post() {
                // Submitted before the page was interactive: go where the
                // script would have gone (a failure goes back to the form,
                // which shows the error carried in its URL).
                leptos_axum::redirect(crate::domain::access::landing_page(&user.roles));
            }
            Ok(Me {
                id: user.id.clone(),
                username: user.username.clone(),
                display_name: user.display_name.clone(),
                roles: user.roles.clone(),
                party: None,
            })
        }
        .await,
    )
}

/// 退出登录: the session is deleted from the store, not just forgotten by the browser.
#[server(prefix = "/rpc", endpoint = "logout")]
pub async fn logout() -> Result<(), ApiError> {
    guard::answer(
        async {
            let mut session = guard::session().await?;
            let ended = session.session.id();
            let logged_out = session.logout().await;
            if let Some(id) = ended {
                // Its open live sockets close at once (4401), not at the next heartbeat.
                guard::state()?
                    .access
                    .changed(&crate::auth::session_ended_key(&id.to_string()));
            }
            if let Some(user) = logged_out.map_err(|e| {
                tracing::error!(error = %e, "session logout failed");
                ApiError::Internal
            })? {
                let ip = guard::client_ip().await;
                let entry = crate::db::audit::AuditEntry {
                    actor: Some(&user.id),
                    action: "logout",
                    subject: Some(&user.username),
                    detail: "",
                    ip: ip.as_deref(),
                };
                crate::db::audit::record(&guard::state()?.db, &entry).await?;
            }
            Ok(())
        }
        .await,
    )
}

/// How many record lines the public observer page receives at load (the
/// signed minutes hold the whole record).
pub const OBSERVER_RECORD_LINES: usize = 200;

/// The public room of each observed hearing, folded from the log as the public
/// reads it and kept bounded, so that a load reads only the events committed
/// since the last one (a thousand observers arriving at once do not each read
/// and fold the whole log).
#[cfg(feature = "ssr")]
async fn public_room(
    state: &crate::state::AppState,
    hearing_id: &str,
) -> Result<crate::domain::RoomState, ApiError> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock, PoisonError};
    type Rooms = Mutex<HashMap<String, crate::domain::RoomState>>;
    static ROOMS: OnceLock<Rooms> = OnceLock::new();
    /// More hearings than are watched at once; beyond it the cache starts over.
    const MAX_ROOMS: usize = 256;
    let rooms = ROOMS.get_or_init(Rooms::default);
    let cached = rooms
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(hearing_id)
        .cloned();
    let mut room = cached.unwrap_or_default();
    loop {
        let tail = crate::db::events::since(&state.db, hearing_id, room.last_seq, 5_000).await?;
        if tail.is_empty() {
            break;
        }
        for event in &tail {
            if let Err(e) = room.apply(&event.seen_by(false)) {
                tracing::error!(error = %e, hearing = %hearing_id, "hearing log does not fold");
                return Err(ApiError::Internal);
            }
        }
        room = room.bounded(OBSERVER_RECORD_LINES);
    }
    let mut kept = rooms.lock().unwrap_or_else(PoisonError::into_inner);
    if kept.len() >= MAX_ROOMS {
        kept.clear();
    }
    // Another request may have folded further meanwhile: keep the newer.
    if kept
        .get(hearing_id)
        .is_none_or(|other| other.last_seq < room.last_seq)
    {
        kept.insert(hearing_id.to_owned(), room.clone());
    }
    Ok(room)
}

/// 旁听: a public hearing as an observer sees it, without logging in. A hearing
/// that is not public does not exist for observers (404).
#[server(prefix = "/rpc", endpoint = "observe_hearing")]
pub async fn observe_hearing(hearing_id: String) -> Result<RoomSnapshot, ApiError> {
    use crate::domain::access::{Action, permits};
    guard::answer(
        async {
            let state = guard::state()?;
            let staff = crate::db::hearings::staff(&state.db, &hearing_id).await?;
            if !permits(None, Action::ObserveHearing, staff.as_ref()) {
                return Err(ApiError::HearingNotFound);
            }
            let hearing = crate::db::hearings::get(&state.db, &hearing_id)
                .await?
                .ok_or(ApiError::HearingNotFound)?;
            // Bounded, whatever the log's length: the room folded as the public
            // sees it, with its last record lines; the socket goes on from there.
            let room = public_room(&state, &hearing_id).await?;
            Ok(RoomSnapshot {
                hearing,
                events: Vec::new(),
                base: Some(room),
                can_record: false,
                can_invite: false,
                can_download: false,
                can_show: false,
                can_run: false,
                can_mark: false,
                can_check_in: false,
                can_deliberate: false,
                can_see_deliberation: false,
                can_keep_notes: false,
                can_vote: false,
                can_run_ballot: false,
                can_confirm_proxy_votes: false,
                can_confirm_minutes: false,
                can_finalise_minutes: false,
                can_export_evidence: false,
                my_account_id: None,
                my_side: None,
                planned_questions: Vec::new(),
                seated: Vec::new(),
            })
        }
        .await,
    )
}
