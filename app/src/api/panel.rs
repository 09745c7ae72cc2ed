//! 评议团: the pool, and seating a hearing's panel by a public draw.

#[cfg(feature = "ssr")]
use super::cases::{changer, clock};
#[cfg(feature = "ssr")]
use super::guard;
use crate::domain::pool::{DrawChoices, Leaving, MemberDraft, PanelState, SeatStatus};
use crate::domain::sortition::Quota;
use crate::error::ApiError;
use crate::model::{DrawRecord, HearingRecord, MemberRow, ServedHearing};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The pool list and whether the asker may change it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolPage {
    pub members: Vec<MemberRow>,
    pub can_manage: bool,
}

/// One member with the hearings it was seated on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberDetail {
    pub row: MemberRow,
    pub history: Vec<ServedHearing>,
    pub can_manage: bool,
}

/// An exclusion with the member's name, as the host reviews it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExcludedView {
    pub member_id: String,
    pub name: String,
    pub reason: String,
}

/// What a commit would freeze now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawPreview {
    pub pool_size: usize,
    pub quotas: Vec<Quota>,
    pub excluded: Vec<ExcludedView>,
    /// Why no panel can be drawn (Chinese), before anything is committed.
    pub problem: Option<String>,
}

/// The host's panel page: the hearing, its draws, the panel as it stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelPage {
    pub hearing: HearingRecord,
    pub draws: Vec<DrawRecord>,
    pub panel: PanelState,
    pub can_draw: bool,
}

#[server(prefix = "/rpc", endpoint = "list_pool")]
pub async fn list_pool(
    text: String,
    category: String,
    status: String,
) -> Result<PoolPage, ApiError> {
    use crate::domain::access::{Action, permits};
    use crate::domain::case::Coded;
    use crate::domain::pool::MemberStatus;
    guard::answer(
        async {
            let (state, actor, _) = guard::require(Action::ViewPool, None).await?;
            let text = text.trim().to_lowercase();
            let query = crate::db::pool::MemberQuery {
                text: (!text.is_empty()).then_some(text),
                category: (!category.trim().is_empty()).then(|| category.trim().to_owned()),
                status: MemberStatus::parse_code(&status),
            };
            Ok(PoolPage {
                members: crate::db::pool::list(&state.db, &query).await?,
                can_manage: permits(Some(&actor), Action::ManagePool, None),
            })
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "pool_member")]
pub async fn pool_member(member_id: String) -> Result<MemberDetail, ApiError> {
    use crate::domain::access::{Action, permits};
    guard::answer(
        async {
            let (state, actor, _) = guard::require(Action::ViewPool, None).await?;
            let row = crate::db::pool::get(&state.db, &member_id)
                .await?
                .ok_or(ApiError::MemberNotFound)?;
            Ok(MemberDetail {
                history: crate::db::pool::history(&state.db, &member_id).await?,
                can_manage: permits(Some(&actor), Action::ManagePool, None),
                row,
            })
        }
        .await,
    )
}

/// Adds a member (`member_id` None: the next free code; an account without a
/// password is created for it) or edits one from `version`.
#[server(prefix = "/rpc", endpoint = "save_member", input = leptos::server_fn::codec::Json)]
pub async fn save_member(
    member_id: Option<String>,
    version: Option<i64>,
    draft: MemberDraft,
) -> Result<MemberRow, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, _, _) = guard::require(Action::ManagePool, None).await?;
            let id =
                crate::pool_admin::save(&state.db, member_id.as_deref(), version, draft).await?;
            crate::db::pool::get(&state.db, &id)
                .await?
                .ok_or(ApiError::MemberNotFound)
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "panel_view")]
pub async fn panel_view(hearing_id: String) -> Result<PanelPage, ApiError> {
    use crate::domain::access::{Action, permits};
    guard::answer(
        async {
            let state = guard::state()?;
            let (actor, _) = guard::actor().await?.ok_or(ApiError::NotLoggedIn)?;
            let staff = crate::db::hearings::staff(&state.db, &hearing_id)
                .await?
                .ok_or(ApiError::HearingNotFound)?;
            let may = |action| permits(Some(&actor), action, Some(&staff));
            // Whoever may see the hearing's plan may see how its panel was seated.
            if !(may(Action::ViewRoom) || may(Action::ViewCalendar)) {
                return Err(ApiError::HearingNotFound);
            }
            // Names, districts and the words of exclusion reasons (a relative,
            // an employer) are for those who keep the pool; parties and members
            // see what the public record shows.
            let mut draws = crate::db::pool::draws_of(&state.db, &hearing_id).await?;
            if !permits(Some(&actor), Action::ViewPool, None) {
                draws = draws.iter().map(crate::model::DrawRecord::public).collect();
            }
            Ok(PanelPage {
                hearing: crate::scheduling::hearing(&state.db, &hearing_id).await?,
                draws,
                panel: crate::panel::panel(&state.db, &hearing_id).await?,
                can_draw: may(Action::DrawPanel),
            })
        }
        .await,
    )
}

/// The input a commit would freeze with these choices, and whether it can be drawn.
#[server(prefix = "/rpc", endpoint = "preview_draw", input = leptos::server_fn::codec::Json)]
pub async fn preview_draw(
    hearing_id: String,
    choices: DrawChoices,
) -> Result<DrawPreview, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, _, _) = guard::require(Action::DrawPanel, Some(&hearing_id)).await?;
            let (input, problem) =
                crate::panel::preview(&state.db, &hearing_id, &choices, clock()).await?;
            let name_of = |e: &crate::domain::sortition::Exclusion| {
                input
                    .pool
                    .iter()
                    .find(|m| m.id == e.member_id)
                    .map(|m| m.name.clone())
                    .unwrap_or_else(|| e.member_id.clone())
            };
            Ok(DrawPreview {
                pool_size: input.pool.len(),
                excluded: input
                    .excluded
                    .iter()
                    .map(|e| ExcludedView {
                        name: name_of(e),
                        member_id: e.member_id.clone(),
                        reason: e.reason.clone(),
                    })
                    .collect(),
                quotas: input.quotas.clone(),
                problem: problem.map(|p| p.message_zh()),
            })
        }
        .await,
    )
}

/// 冻结名单并公布输入摘要.
#[server(prefix = "/rpc", endpoint = "commit_draw", input = leptos::server_fn::codec::Json)]
pub async fn commit_draw(hearing_id: String, choices: DrawChoices) -> Result<DrawRecord, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, actor, name) = guard::require(Action::DrawPanel, Some(&hearing_id)).await?;
            let by = changer(&actor, name);
            let (record, events) =
                crate::panel::commit(&state.db, &by, &hearing_id, &choices, clock()).await?;
            state.publish_all(events);
            Ok(record)
        }
        .await,
    )
}

/// 抽选: reveal the public values and draw.
#[server(prefix = "/rpc", endpoint = "reveal_draw", input = leptos::server_fn::codec::Json)]
pub async fn reveal_draw(
    hearing_id: String,
    draw_id: String,
    public_values: Vec<String>,
) -> Result<DrawRecord, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, actor, name) = guard::require(Action::DrawPanel, Some(&hearing_id)).await?;
            let by = changer(&actor, name);
            let (record, events) =
                crate::panel::reveal(&state.db, &by, &hearing_id, &draw_id, &public_values).await?;
            state.publish_all(events);
            Ok(record)
        }
        .await,
    )
}

/// Sets a committed draw aside, with a reason everyone sees.
#[server(prefix = "/rpc", endpoint = "void_draw")]
pub async fn void_draw(
    hearing_id: String,
    draw_id: String,
    reason: String,
) -> Result<(), ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, _, _) = guard::require(Action::DrawPanel, Some(&hearing_id)).await?;
            let events = crate::panel::void(&state.db, &hearing_id, &draw_id, &reason).await?;
            state.publish_all(events);
            Ok(())
        }
        .await,
    )
}

/// The host records a decline given by phone, or grants a recusal (申请回避),
/// with the reason; the next suitable alternate is promoted.
#[server(prefix = "/rpc", endpoint = "record_seat_change", input = leptos::server_fn::codec::Json)]
pub async fn record_seat_change(
    hearing_id: String,
    member_id: String,
    how: Leaving,
    reason: String,
) -> Result<PanelState, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, _, name) = guard::require(Action::DrawPanel, Some(&hearing_id)).await?;
            let events = crate::panel::leave(
                &state.db,
                &hearing_id,
                &member_id,
                how,
                &reason,
                Some(&name),
            )
            .await?;
            state.publish_all(events);
            crate::panel::panel(&state.db, &hearing_id).await
        }
        .await,
    )
}

/// A seated member accepts or declines its own seat.
#[server(prefix = "/rpc", endpoint = "answer_seat")]
pub async fn answer_seat(
    hearing_id: String,
    accept: bool,
    reason: Option<String>,
) -> Result<PanelState, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, actor, _) = guard::require(Action::AnswerSeat, Some(&hearing_id)).await?;
            let events = crate::panel::answer(
                &state.db,
                &actor.account_id,
                &hearing_id,
                accept,
                reason.as_deref(),
            )
            .await?;
            state.publish_all(events);
            crate::panel::panel(&state.db, &hearing_id).await
        }
        .await,
    )
}

/// The asker's seats (as a pool member): hearing id → seat status.
#[server(prefix = "/rpc", endpoint = "my_seats")]
pub async fn my_seats() -> Result<Vec<(String, SeatStatus)>, ApiError> {
    guard::answer(
        async {
            let state = guard::state()?;
            let (actor, _) = guard::actor().await?.ok_or(ApiError::NotLoggedIn)?;
            let Some(member) = crate::db::pool::by_account(&state.db, &actor.account_id).await?
            else {
                return Ok(Vec::new());
            };
            Ok(crate::db::pool::history(&state.db, &member.member.id)
                .await?
                .into_iter()
                .map(|h| (h.hearing_id, h.status))
                .collect())
        }
        .await,
    )
}

/// Reads a pool spreadsheet (base64) into a preview with per-row errors.
#[server(prefix = "/rpc", endpoint = "preview_pool_import")]
pub async fn preview_pool_import(
    data_base64: String,
) -> Result<crate::pool_import::PoolImportPreview, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, _, _) = guard::require(Action::ManagePool, None).await?;
            pool_preview(&state.db, &data_base64).await
        }
        .await,
    )
}

/// Imports the spreadsheet if, and only if, every row is valid; returns how
/// many members were added or updated.
#[server(prefix = "/rpc", endpoint = "commit_pool_import")]
pub async fn commit_pool_import(data_base64: String) -> Result<usize, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, _, _) = guard::require(Action::ManagePool, None).await?;
            let preview = pool_preview(&state.db, &data_base64).await?;
            if !preview.is_valid() {
                return Err(ApiError::ImportRejected);
            }
            crate::pool_admin::import(&state.db, &preview).await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
async fn pool_preview(
    db: &crate::db::Db,
    data_base64: &str,
) -> Result<crate::pool_import::PoolImportPreview, ApiError> {
    let bytes = super::cases::uploaded_bytes(data_base64)?;
    let existing = crate::db::pool::list(db, &Default::default())
        .await?
        .into_iter()
        .map(|m| m.member.id)
        .collect();
    let categories = crate::db::settings::pool_categories(db).await?;
    crate::pool_import::parse(&bytes, &existing, &categories)
        .map_err(|reason| ApiError::ImportUnreadable { reason })
}

/// 轮空: after sitting on a hearing, a member rests for the office's next N
/// hearings (0: off).
#[server(prefix = "/rpc", endpoint = "draw_settings")]
pub async fn draw_settings() -> Result<u32, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, _, _) = guard::require(Action::ViewPool, None).await?;
            Ok(crate::db::settings::rest_hearings(&state.db).await?)
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "save_draw_settings")]
pub async fn save_draw_settings(rest_hearings: u32) -> Result<(), ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, actor, _) = guard::require(Action::ManageSettings, None).await?;
            if rest_hearings > crate::domain::pool::MAX_REST_HEARINGS {
                return Err(ApiError::RotationInvalid {
                    max: crate::domain::pool::MAX_REST_HEARINGS,
                });
            }
            crate::db::settings::save_rest_hearings(&state.db, rest_hearings).await?;
            let detail = format!("draw_rest_hearings={rest_hearings}");
            super::cases::audit_settings(&state.db, &actor, &detail).await
        }
        .await,
    )
}

/// The office's own pool categories (besides the standard ones), for forms.
#[server(prefix = "/rpc", endpoint = "pool_categories")]
pub async fn pool_categories() -> Result<Vec<String>, ApiError> {
    guard::answer(
        async {
            let state = guard::state()?;
            guard::actor().await?.ok_or(ApiError::NotLoggedIn)?;
            Ok(crate::db::settings::pool_categories(&state.db)
                .await?
                .custom)
        }
        .await,
    )
}

/// Replaces the office's own categories. Members keep categories that are
/// removed here; they are refused only when such a member is edited next.
#[server(prefix = "/rpc", endpoint = "save_pool_categories", input = leptos::server_fn::codec::Json)]
pub async fn save_pool_categories(names: Vec<String>) -> Result<Vec<String>, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, actor, _) = guard::require(Action::ManageSettings, None).await?;
            let categories = crate::domain::pool::Categories::check_custom(&names)
                .map_err(|reason| ApiError::CategoriesInvalid { reason })?;
            crate::db::settings::save_pool_categories(&state.db, &categories).await?;
            let detail = format!("pool_categories={}", categories.custom.join("、"));
            super::cases::audit_settings(&state.db, &actor, &detail).await?;
            Ok(categories.custom)
        }
        .await,
    )
}
