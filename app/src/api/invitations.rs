//! 邀请当事人: the host invites parties to a hearing by single-use links.

#[cfg(feature = "ssr")]
use super::guard;
#[cfg(feature = "ssr")]
use crate::domain::access::{Action, PartyKind};
use crate::error::ApiError;
use crate::model::{InvitationLink, InvitationSummary};
use leptos::prelude::*;

/// The base URL links point at ([`AppState::public_base`](crate::state::AppState::public_base)).
#[cfg(feature = "ssr")]
pub(crate) fn public_base(state: &crate::state::AppState) -> String {
    state.public_base()
}

#[cfg(feature = "ssr")]
fn qr_svg(url: &str) -> Result<String, ApiError> {
    let code = qrcode::QrCode::new(url.as_bytes()).map_err(|e| {
        tracing::error!(error = %e, "QR encoding failed");
        ApiError::Internal
    })?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(180, 180)
        .quiet_zone(true)
        .build())
}

#[server(prefix = "/rpc", endpoint = "invite_party")]
pub async fn invite_party(
    hearing_id: String,
    party_kind: String,
    party_name: String,
    valid_days: u32,
) -> Result<InvitationLink, ApiError> {
    use crate::domain::invitation::{VALID_DAYS, token_from_bytes, token_hash};
    guard::answer(
        async {
            let (state, actor, _) =
                guard::require(Action::InviteParties, Some(&hearing_id)).await?;
            let kind = PartyKind::from_code(&party_kind).ok_or(ApiError::InvalidPartyKind)?;
            let name = party_name.trim();
            if name.is_empty() || name.chars().count() > 100 {
                return Err(ApiError::InvalidPartyName);
            }
            if !VALID_DAYS.contains(&valid_days) {
                return Err(ApiError::InvalidValidity {
                    min: *VALID_DAYS.start(),
                    max: *VALID_DAYS.end(),
                });
            }
            // After the minutes are final, only the two sides are invited back:
            // to confirm the commitment and (the petitioner) to rate the handling.
            let after_hearing = crate::domain::aftercare::CommitmentSide::of_party(kind).is_some();
            if !after_hearing && crate::db::hearings::is_sealed(&state.db, &hearing_id).await? {
                return Err(ApiError::MinutesRefused {
                    refusal: crate::domain::minutes::MinutesRefusal::Finalised,
                });
            }
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).map_err(|e| {
                tracing::error!(error = %e, "no randomness for a token");
                ApiError::Internal
            })?;
            let token = token_from_bytes(&bytes);
            let expires_at_ms = crate::db::now_ms() + i64::from(valid_days) * 24 * 3600 * 1000;
            let new = crate::db::invitations::NewInvitation {
                hearing_id: &hearing_id,
                kind,
                name,
                token_hash: &token_hash(&token),
                expires_at: expires_at_ms,
                created_by: &actor.account_id,
            };
            let id = crate::db::invitations::create(&state.db, &new).await?;
            let ip = guard::client_ip().await;
            let entry = crate::db::audit::AuditEntry {
                actor: Some(&actor.account_id),
                action: "invitation_created",
                subject: Some(&id),
                detail: &format!("{} {name}", kind.code()),
                ip: ip.as_deref(),
            };
            crate::db::audit::record(&state.db, &entry).await?;
            let url = format!("{}/invite/{token}", public_base(&state));
            Ok(InvitationLink {
                id,
                qr_svg: qr_svg(&url)?,
                url,
                expires_at_ms,
            })
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "list_invitations")]
pub async fn list_invitations(hearing_id: String) -> Result<Vec<InvitationSummary>, ApiError> {
    guard::answer(
        async {
            let (state, _, _) = guard::require(Action::InviteParties, Some(&hearing_id)).await?;
            Ok(crate::db::invitations::list(&state.db, &hearing_id)
                .await?
                .into_iter()
                .map(|i| InvitationSummary {
                    id: i.id,
                    kind: i.kind,
                    name: i.name,
                    expires_at_ms: i.expires_at,
                    used_at_ms: i.used_at,
                    revoked_at_ms: i.revoked_at,
                })
                .collect())
        }
        .await,
    )
}

/// Revokes a link; a party already admitted by it loses access at its next request.
#[server(prefix = "/rpc", endpoint = "revoke_invitation")]
pub async fn revoke_invitation(hearing_id: String, invitation_id: String) -> Result<(), ApiError> {
    guard::answer(
        async {
            let (state, actor, _) =
                guard::require(Action::InviteParties, Some(&hearing_id)).await?;
            if !crate::db::invitations::revoke(&state.db, &hearing_id, &invitation_id).await? {
                return Err(ApiError::InvitationNotFound);
            }
            let ip = guard::client_ip().await;
            let entry = crate::db::audit::AuditEntry {
                actor: Some(&actor.account_id),
                action: "invitation_revoked",
                subject: Some(&invitation_id),
                detail: "",
                ip: ip.as_deref(),
            };
            crate::db::audit::record(&state.db, &entry).await?;
            state.access.changed(&invitation_id);
            Ok(())
        }
        .await,
    )
}

/// 重新发送: a party who cannot get back in (another phone, a lost cookie) gets
/// a new link in one tap; the old link is revoked (a session it admitted ends),
/// so only one link per party is ever usable. The new link is valid for the
/// default number of days.
#[server(prefix = "/rpc", endpoint = "reissue_invitation")]
pub async fn reissue_invitation(
    hearing_id: String,
    invitation_id: String,
) -> Result<InvitationLink, ApiError> {
    use crate::domain::invitation::DEFAULT_VALID_DAYS;
    let found = async {
        guard::require(Action::InviteParties, Some(&hearing_id)).await?;
        let state = guard::state()?;
        crate::db::invitations::get(&state.db, &invitation_id)
            .await?
            .filter(|i| i.hearing_id == hearing_id)
            .ok_or(ApiError::InvitationNotFound)
    }
    .await;
    let old = match found {
        Ok(old) => old,
        Err(e) => return guard::answer(Err(e)),
    };
    // The new link first: a failure leaves the party its old one.
    let link = invite_party(
        hearing_id.clone(),
        old.kind.code().to_owned(),
        old.name.clone(),
        DEFAULT_VALID_DAYS,
    )
    .await?;
    if old.revoked_at.is_none() {
        revoke_invitation(hearing_id, invitation_id).await?;
    }
    Ok(link)
}
