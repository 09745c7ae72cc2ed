//! `GET /invite/{token}`: a party opens its invitation link. A valid link is used
//! up at once and admits this browser to that one hearing; anything else gets a
//! plain Chinese page saying what is wrong and whom to ask.

use app::auth::{AuthSession, PARTY_KEY, PartyPass};
use app::db::invitations::{Redeemed, redeem};
use app::domain::invitation::{looks_like_token, token_hash};
use app::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

fn refusal(status: StatusCode, zh: &str, en: &str) -> Response {
    let page = format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>邀请链接无效 · 评议</title><link rel=\"stylesheet\" href=\"/pkg/pingyi.css\"></head>\
         <body><header class=\"topbar\"><span class=\"brand\"><span class=\"brand-mark\">评议</span>\
         <span class=\"brand-sub\">信访听证评议平台</span></span></header>\
         <main class=\"page\"><section class=\"card narrow\" data-testid=\"invite-refusal\">\
         <h1>邀请链接无效</h1><p class=\"error\">{zh}</p><p class=\"muted\" lang=\"en\">{en}</p>\
         <p>如需参加听证，请联系主持人重新发送邀请链接。</p></section></main></body></html>"
    );
    let mut response = (status, Html(page)).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'self'; frame-ancestors 'none'"),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub async fn open(
    Path(token): Path<String>,
    State(state): State<AppState>,
    mut auth: AuthSession,
) -> Response {
    if !looks_like_token(&token) {
        return refusal(
            StatusCode::NOT_FOUND,
            "链接不完整或有误，请核对后重新打开。",
            "This link is incomplete or wrong.",
        );
    }
    let invitation = match redeem(&state.db, &token_hash(&token)).await {
        Ok(Redeemed::Admitted(invitation)) => invitation,
        Ok(Redeemed::Unknown) => {
            return refusal(
                StatusCode::NOT_FOUND,
                "链接不存在。",
                "This link does not exist.",
            );
        }
        Ok(Redeemed::AlreadyUsed) => {
            return refusal(
                StatusCode::GONE,
                "该链接已被使用过，每个链接只能使用一次。",
                "This link has already been used.",
            );
        }
        Ok(Redeemed::Expired) => {
            return refusal(StatusCode::GONE, "该链接已过期。", "This link has expired.");
        }
        Ok(Redeemed::Revoked) => {
            return refusal(
                StatusCode::GONE,
                "该链接已被主持人撤销。",
                "This link was revoked by the host.",
            );
        }
        Err(e) => {
            tracing::error!(error = %e, "invitation lookup failed");
            return refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                "服务器内部错误，请稍后重试。",
                "Internal error; please retry.",
            );
        }
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
