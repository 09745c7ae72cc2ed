//! `GET /invite/{token}`: a party opens its invitation link. A valid link is used
//! up at once and admits this browser to that one hearing; anything else gets a
//! plain Chinese page saying what is wrong and whom to ask.

use crate::router::Extras;
use app::auth::{AuthSession, PARTY_KEY, PartyPass};
use app::db::invitations::{Redeemed, peek, redeem, reenter};
use app::domain::invitation::{looks_like_token, token_hash};
use app::state::AppState;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use std::sync::Arc;

/// The cookie by which the device that entered by a link may enter again (#21):
/// only its hash is stored with the invitation; it is sent only to `/invite`.
const DEVICE_COOKIE: &str = "pingyi_device";

/// The device cookie this request carries, if any, as stored (hashed).
fn device_hash(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == DEVICE_COOKIE && looks_like_token(value))
        .map(|(_, value)| token_hash(value))
}

/// What opening the link finds for this device: a used link is usable again
/// from the device that used it (while neither revoked nor expired).
async fn for_device(
    state: &AppState,
    token: &str,
    headers: &HeaderMap,
    found: Result<Redeemed, app::db::DbError>,
) -> (Result<Redeemed, app::db::DbError>, bool) {
    match (&found, device_hash(headers)) {
        (Ok(Redeemed::AlreadyUsed), Some(device)) => {
            let again = reenter(&state.db, &token_hash(token), &device).await;
            let admitted = matches!(again, Ok(Redeemed::Admitted(_)));
            (again, admitted)
        }
        _ => (found, false),
    }
}

/// Text for HTML: names and titles are typed by people.
use crate::html::{escape, page};

fn refusal(status: StatusCode, zh: &str, en: &str) -> Response {
    let body = format!(
        "<div data-testid=\"invite-refusal\"><h1>邀请链接无效</h1><p class=\"error\">{zh}</p>\
         <p class=\"muted\" lang=\"en\">{en}</p><p>如需参加听证，请联系主持人重新发送邀请链接。</p></div>"
    );
    page(status, "邀请链接无效", &body)
}

/// The page for a link that cannot be used, or `None` when it can.
fn refusal_for(found: &Result<Redeemed, app::db::DbError>) -> Option<Response> {
    match found {
        Ok(Redeemed::Admitted(_)) => None,
        Ok(Redeemed::Unknown) => Some(refusal(
            StatusCode::NOT_FOUND,
            "链接不存在。",
            "This link does not exist.",
        )),
        Ok(Redeemed::AlreadyUsed) => Some(refusal(
            StatusCode::GONE,
            "该链接已被使用过，每个链接只能在首次进入的设备上使用。如需在本设备进入，请联系主持人重新发送邀请链接。",
            "This link was used on another device; ask the host for a new link.",
        )),
        Ok(Redeemed::Expired) => Some(refusal(
            StatusCode::GONE,
            "该链接已过期。",
            "This link has expired.",
        )),
        Ok(Redeemed::Revoked) => Some(refusal(
            StatusCode::GONE,
            "该链接已被主持人撤销。",
            "This link was revoked by the host.",
        )),
        Err(e) => {
            tracing::error!(error = %e, "invitation lookup failed");
            Some(refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                "服务器内部错误，请稍后重试。",
                "Internal error; please retry.",
            ))
        }
    }
}

fn malformed() -> Response {
    refusal(
        StatusCode::NOT_FOUND,
        "链接不完整或有误，请核对后重新打开。",
        "This link is incomplete or wrong.",
    )
}

/// `GET`: says what the link is for and asks to enter. Opening it (or a chat app
/// fetching a preview) does not use it up.
pub async fn show(
    Path(token): Path<String>,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Response {
    if !looks_like_token(&token) {
        return malformed();
    }
    let found = peek(&state.db, &token_hash(&token)).await;
    let (found, again) = for_device(&state, &token, &headers, found).await;
    if let Some(refused) = refusal_for(&found) {
        return refused;
    }
    let Ok(Redeemed::Admitted(invitation)) = found else {
        return malformed();
    };
    let hearing = app::db::hearings::get(&state.db, &invitation.hearing_id)
        .await
        .ok()
        .flatten();
    let (title, number) = hearing
        .map(|h| (h.title, h.case_number))
        .unwrap_or_default();
    let note = if again {
        "<p class=\"muted\" data-testid=\"invite-again\">您此前已在本设备上使用此链接进入；登录结束后可在本设备上再次进入。\
         <span lang=\"en\">You entered with this link on this device before; you may enter again here.</span></p>"
    } else {
        "<p class=\"muted\">此链接仅可在首次进入的设备上使用，请勿转发。<span lang=\"en\">This link works on the first device that enters with it; do not forward it.</span></p>"
    };
    let body = format!(
        "<h1>听证邀请</h1><p>{name}，您受邀以<strong>{kind}</strong>身份参加：</p>\
         <p data-testid=\"invite-hearing\"><strong>{title}</strong><br><span class=\"muted\">案号 {number}</span></p>\
         <form method=\"post\" action=\"/invite/{token}\"><button type=\"submit\" data-testid=\"invite-enter\">进入听证</button></form>\
         {note}",
        name = escape(&invitation.name),
        kind = invitation.kind.label_zh(),
        title = escape(&title),
        number = escape(&number),
    );
    page(StatusCode::OK, "听证邀请", &body)
}

/// `POST` (from the page above): uses the link up and admits this browser.
pub async fn enter(
    Path(token): Path<String>,
    State(state): State<AppState>,
    Extension(extras): Extension<Arc<Extras>>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    mut auth: AuthSession,
) -> Response {
    if !looks_like_token(&token) {
        return malformed();
    }
    let found = redeem(&state.db, &token_hash(&token)).await;
    let (found, again) = for_device(&state, &token, &headers, found).await;
    if let Some(refused) = refusal_for(&found) {
        return refused;
    }
    let Ok(Redeemed::Admitted(invitation)) = found else {
        return malformed();
    };
    // A fresh session for the party: whoever was logged in here is logged out, and
    // the session id changes (no fixation).
    let admitted = async {
        if auth.user.is_some() {
            // Staff opening a party's link become that party here; not both at once.
            let _ = auth.logout().await;
        }
        auth.session.cycle_id().await?;
        let pass = PartyPass {
            invitation_id: invitation.id.clone(),
            hearing_id: invitation.hearing_id.clone(),
            kind: invitation.kind,
            name: invitation.name.clone(),
        };
        auth.session.insert(PARTY_KEY, pass).await
    };
    if let Err(e) = admitted.await {
        tracing::error!(error = %e, "party session could not be stored");
        return refusal(
            StatusCode::INTERNAL_SERVER_ERROR,
            "服务器内部错误，请稍后重试。",
            "Internal error; please retry.",
        );
    }
    let entry = app::db::audit::AuditEntry {
        actor: None,
        action: "invitation_used",
        subject: Some(&invitation.id),
        detail: &format!(
            "{} {}{}",
            invitation.kind.code(),
            invitation.name,
            if again {
                " (同一设备再次进入 / re-entered)"
            } else {
                ""
            }
        ),
        ip: Some(
            &extras
                .trusted_proxies
                .client_address(peer.ip(), &headers)
                .to_string(),
        ),
    };
    if let Err(e) = app::db::audit::record(&state.db, &entry).await {
        tracing::error!(error = %e, "audit write failed");
    }
    let mut response =
        Redirect::to(&format!("/hearings/{}", invitation.hearing_id)).into_response();
    // The first entry gives this device its way back in (a second entry keeps
    // the cookie it has).
    if !again {
        let device = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        match app::db::invitations::set_device(&state.db, &invitation.id, &token_hash(&device))
            .await
        {
            Ok(()) => {
                let lifetime = (invitation.expires_at - app::db::now_ms()).max(0) / 1000;
                let cookie = tower_sessions::cookie::Cookie::build((DEVICE_COOKIE, device))
                    .path("/invite")
                    .http_only(true)
                    .same_site(tower_sessions::cookie::SameSite::Lax)
                    .secure(extras.secure_cookies)
                    .max_age(time::Duration::seconds(lifetime))
                    .build();
                if let Ok(value) = cookie.to_string().parse() {
                    response.headers_mut().append(header::SET_COOKIE, value);
                }
            }
            Err(e) => tracing::error!(error = %e, "device of an invitation not stored"),
        }
    }
    response
}
