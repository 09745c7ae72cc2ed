//! `GET /invite/{token}`: a party opens its invitation link. A valid link is used
//! up at once and admits this browser to that one hearing; anything else gets a
//! plain Chinese page saying what is wrong and whom to ask.

use app::auth::{AuthSession, PARTY_KEY, PartyPass};
use app::db::invitations::{Redeemed, peek, redeem};
use app::domain::invitation::{looks_like_token, token_hash};
use app::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

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
            "该链接已被使用过，每个链接只能使用一次。",
            "This link has already been used.",
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
pub async fn show(Path(token): Path<String>, State(state): State<AppState>) -> Response {
    if !looks_like_token(&token) {
        return malformed();
    }
    let found = peek(&state.db, &token_hash(&token)).await;
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
    let body = format!(
        "<h1>听证邀请</h1><p>{name}，您受邀以<strong>{kind}</strong>身份参加：</p>\
         <p data-testid=\"invite-hearing\"><strong>{title}</strong><br><span class=\"muted\">案号 {number}</span></p>\
         <form method=\"post\" action=\"/invite/{token}\"><button type=\"submit\" data-testid=\"invite-enter\">进入听证</button></form>\
         <p class=\"muted\">此链接仅可使用一次，请勿转发。<span lang=\"en\">This link works once; do not forward it.</span></p>",
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
    mut auth: AuthSession,
) -> Response {
    if !looks_like_token(&token) {
        return malformed();
    }
    let found = redeem(&state.db, &token_hash(&token)).await;
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
        detail: &format!("{} {}", invitation.kind.code(), invitation.name),
        ip: None,
    };
    if let Err(e) = app::db::audit::record(&state.db, &entry).await {
        tracing::error!(error = %e, "audit write failed");
    }
    Redirect::to(&format!("/hearings/{}", invitation.hearing_id)).into_response()
}
