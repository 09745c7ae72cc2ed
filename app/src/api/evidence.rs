//! 证据材料: the evidence list of a hearing and what the host, the parties and
//! the panel do with exhibits. Files arrive by `POST /hearings/{id}/exhibits`
//! (multipart, streamed; see server/src/evidence_http.rs), not through here.

#[cfg(feature = "ssr")]
use super::guard;
use crate::domain::evidence::{ExhibitSwitch, Opinion};
use crate::error::ApiError;
use crate::model::{CustodyEntry, EvidencePage, IntegrityReport};
use leptos::prelude::*;

/// The asker as the custody log names them; only people with a session act.
#[cfg(feature = "ssr")]
async fn filer() -> Result<(crate::state::AppState, crate::evidence::Filer), ApiError> {
    let state = guard::state()?;
    let (actor, name) = guard::actor().await?.ok_or(ApiError::NotLoggedIn)?;
    Ok((state, crate::evidence::Filer { actor, name }))
}

/// The exhibits this asker may see, with what they may do. Observers of a public
/// hearing get the exhibits shown live.
#[server(prefix = "/rpc", endpoint = "evidence_list")]
pub async fn evidence_list(hearing_id: String) -> Result<EvidencePage, ApiError> {
    use crate::domain::access::{Action, permits};
    use crate::domain::evidence::{
        Viewer, may_see, may_withdraw, shows_on_own_floor, submit_sides, viewer_of,
    };
    use crate::model::ExhibitView;
    guard::answer(
        async {
            let state = guard::state()?;
            let actor = guard::actor().await?.map(|(actor, _)| actor);
            let staff = crate::db::hearings::staff(&state.db, &hearing_id)
                .await?
                .ok_or(ApiError::HearingNotFound)?;
            let viewer = viewer_of(actor.as_ref(), &staff).ok_or(ApiError::HearingNotFound)?;
            let hearing = crate::db::hearings::get(&state.db, &hearing_id)
                .await?
                .ok_or(ApiError::HearingNotFound)?;
            let may = |action| permits(actor.as_ref(), action, Some(&staff));
            let may_manage = may(Action::ManageEvidence);
            let may_give_opinion = may(Action::GiveEvidenceOpinion);
            let opinions = crate::db::evidence::opinions_of_hearing(&state.db, &hearing_id).await?;
            let me = actor.as_ref().map(|a| a.account_id.as_str());
            let exhibits = crate::db::evidence::list(&state.db, &hearing_id)
                .await?
                .into_iter()
                .filter(|e| may_see(viewer, e.exposure()))
                .map(|exhibit| {
                    let on_this: Vec<_> = opinions
                        .iter()
                        .filter(|o| o.exhibit_id == exhibit.id)
                        .collect();
                    ExhibitView {
                        challenged: crate::domain::minutes::challenged(
                            on_this.iter().map(|o| &o.opinion),
                        ),
                        opinions: on_this
                            .into_iter()
                            .filter(|o| viewer == Viewer::Staff || Some(o.author_id.as_str()) == me)
                            .cloned()
                            .collect(),
                        may_withdraw: may_withdraw(viewer, may_manage, exhibit.exposure()),
                        shows_on_own_floor: shows_on_own_floor(viewer, exhibit.exposure()),
                        exhibit,
                    }
                })
                .collect();
            Ok(EvidencePage {
                hearing,
                exhibits,
                submit_as: submit_sides(actor.as_ref(), &staff),
                may_manage,
                may_give_opinion,
                may_view_custody: viewer == Viewer::Staff,
                limits: state.evidence.limits.clone(),
            })
        }
        .await,
    )
}

/// 保管链: every action on one exhibit (the hearing's staff only).
#[server(prefix = "/rpc", endpoint = "exhibit_custody")]
pub async fn exhibit_custody(exhibit_id: String) -> Result<Vec<CustodyEntry>, ApiError> {
    use crate::domain::access::{Action, permits};
    guard::answer(
        async {
            let (state, by) = filer().await?;
            let (exhibit, staff, _) =
                crate::evidence::visible_exhibit(&state, Some(&by.actor), &exhibit_id).await?;
            if !permits(Some(&by.actor), Action::ViewAllEvidence, Some(&staff)) {
                return Err(ApiError::Forbidden);
            }
            Ok(crate::db::evidence::custody_of(&state.db, &exhibit.id).await?)
        }
        .await,
    )
}

/// 向各方公开 / 向评议员公开 (or take it back).
#[server(prefix = "/rpc", endpoint = "switch_exhibit")]
pub async fn switch_exhibit(
    exhibit_id: String,
    what: ExhibitSwitch,
    on: bool,
) -> Result<(), ApiError> {
    guard::answer(
        async {
            let (state, by) = filer().await?;
            crate::evidence::switch(&state, &by, &exhibit_id, what, on).await
        }
        .await,
    )
}

/// 采纳
#[server(prefix = "/rpc", endpoint = "admit_exhibit")]
pub async fn admit_exhibit(exhibit_id: String) -> Result<(), ApiError> {
    guard::answer(
        async {
            let (state, by) = filer().await?;
            crate::evidence::admit(&state, &by, &exhibit_id).await
        }
        .await,
    )
}

/// 撤回, with a reason; nothing is deleted.
#[server(prefix = "/rpc", endpoint = "withdraw_exhibit")]
pub async fn withdraw_exhibit(exhibit_id: String, reason: String) -> Result<(), ApiError> {
    guard::answer(
        async {
            let (state, by) = filer().await?;
            crate::evidence::withdraw(&state, &by, &exhibit_id, &reason).await
        }
        .await,
    )
}

/// 当庭展示: returns the committed event's seq.
#[server(prefix = "/rpc", endpoint = "show_exhibit")]
pub async fn show_exhibit(exhibit_id: String) -> Result<u64, ApiError> {
    guard::answer(
        async {
            let (state, by) = filer().await?;
            crate::evidence::show(&state, &by, &exhibit_id).await
        }
        .await,
    )
}

/// 结束展示: the room's screens go back to the procedure.
#[server(prefix = "/rpc", endpoint = "clear_shown_exhibit")]
pub async fn clear_shown_exhibit(hearing_id: String) -> Result<u64, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, actor, name) =
                guard::require(Action::ManageEvidence, Some(&hearing_id)).await?;
            let by = crate::evidence::Filer { actor, name };
            crate::evidence::clear_shown(&state, &by, &hearing_id).await
        }
        .await,
    )
}

/// 质证意见 on one exhibit.
#[server(prefix = "/rpc", endpoint = "give_exhibit_opinion", input = leptos::server_fn::codec::Json)]
pub async fn give_exhibit_opinion(exhibit_id: String, opinion: Opinion) -> Result<(), ApiError> {
    guard::answer(
        async {
            let (state, by) = filer().await?;
            crate::evidence::give_opinion(&state, &by, &exhibit_id, opinion).await
        }
        .await,
    )
}

/// 完整性校验: re-hash every stored file of the hearing.
#[server(prefix = "/rpc", endpoint = "check_evidence")]
pub async fn check_evidence(hearing_id: String) -> Result<IntegrityReport, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, actor, name) =
                guard::require(Action::ViewAllEvidence, Some(&hearing_id)).await?;
            let by = crate::evidence::Filer { actor, name };
            crate::evidence::check_integrity(&state, &by, &hearing_id).await
        }
        .await,
    )
}
