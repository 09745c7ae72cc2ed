//! 听证排期: scheduling hearings, changing their plan, the calendar and
//! personal calendar feeds.

#[cfg(feature = "ssr")]
use super::cases::{changer, clock};
#[cfg(feature = "ssr")]
use super::guard;
use crate::domain::schedule::{HearingPlan, PlanRequest};
use crate::error::ApiError;
use crate::model::{HearingRecord, HearingVersion};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// How far back the home page's list of hearings reaches, in days: a year of
/// past hearings would drown what is coming.
pub const HOME_LIST_DAYS_BACK: i64 = 30;

/// The home page's hearings (`list_hearings`): those starting on or after
/// midnight (office time) [`HOME_LIST_DAYS_BACK`] days ago, in time order.
#[cfg(feature = "ssr")]
pub(crate) async fn home_list(
    db: &crate::db::Db,
) -> Result<Vec<crate::model::HearingSummary>, ApiError> {
    let clock = clock();
    let from = clock
        .today()
        .plus_days(-HOME_LIST_DAYS_BACK)
        .start_ms(clock.offset_seconds);
    Ok(crate::db::hearings::list_from(db, from).await?)
}

/// [`home_list`] for a panel member: only the hearings they are seated on.
#[cfg(feature = "ssr")]
pub(crate) async fn home_list_of_member(
    db: &crate::db::Db,
    account_id: &str,
) -> Result<Vec<crate::model::HearingSummary>, ApiError> {
    let clock = clock();
    let from = clock
        .today()
        .plus_days(-HOME_LIST_DAYS_BACK)
        .start_ms(clock.offset_seconds);
    Ok(crate::db::hearings::list_seated_from(db, account_id, from).await?)
}

/// A hearing's plan page: the plan, every version of it, and what the asker may do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HearingView {
    pub hearing: HearingRecord,
    pub history: Vec<HearingVersion>,
    pub can_change: bool,
    pub can_print_notices: bool,
    pub can_enter_room: bool,
}

#[server(prefix = "/rpc", endpoint = "schedule_hearing", input = leptos::server_fn::codec::Json)]
pub async fn schedule_hearing(
    case_id: String,
    plan: HearingPlan,
) -> Result<HearingRecord, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, actor, name) = guard::require(Action::ScheduleHearing, None).await?;
            let by = changer(&actor, name);
            crate::scheduling::schedule_hearing(&state.db, &by, &case_id, plan, clock()).await
        }
        .await,
    )
}

/// Edits, reschedules, postpones or cancels; the room is told at once.
#[server(prefix = "/rpc", endpoint = "change_hearing", input = leptos::server_fn::codec::Json)]
pub async fn change_hearing(
    hearing_id: String,
    version: i64,
    request: PlanRequest,
    reason: Option<String>,
) -> Result<HearingRecord, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, actor, name) =
                guard::require(Action::ChangeHearingPlan, Some(&hearing_id)).await?;
            let by = changer(&actor, name);
            state
                .change_hearing(
                    &by,
                    &hearing_id,
                    version,
                    request,
                    reason.as_deref(),
                    clock(),
                )
                .await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "hearing_detail")]
pub async fn hearing_detail(hearing_id: String) -> Result<HearingView, ApiError> {
    use crate::domain::access::{Action, permits};
    guard::answer(
        async {
            let state = guard::state()?;
            let (actor, _) = guard::actor().await?.ok_or(ApiError::NotLoggedIn)?;
            let staff = crate::db::hearings::staff(&state.db, &hearing_id)
                .await?
                .ok_or(ApiError::HearingNotFound)?;
            let may = |action| permits(Some(&actor), action, Some(&staff));
            // Whoever may enter the room or plan hearings may see the plan.
            if !(may(Action::ViewRoom) || may(Action::ViewCalendar)) {
                return Err(ApiError::HearingNotFound);
            }
            Ok(HearingView {
                hearing: crate::scheduling::hearing(&state.db, &hearing_id).await?,
                history: crate::scheduling::hearing_history(&state.db, &hearing_id).await?,
                can_change: may(Action::ChangeHearingPlan),
                can_print_notices: may(Action::PrintNotices),
                can_enter_room: may(Action::ViewRoom),
            })
        }
        .await,
    )
}

/// The office calendar between two instants (week or month view).
#[server(prefix = "/rpc", endpoint = "calendar")]
pub async fn calendar(from_ms: i64, to_ms: i64) -> Result<Vec<HearingRecord>, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, _, _) = guard::require(Action::ViewCalendar, None).await?;
            if to_ms <= from_ms || to_ms - from_ms > 45 * 24 * 3_600_000 {
                return Err(ApiError::BadRequest {
                    detail: "from_ms/to_ms".into(),
                });
            }
            let query = crate::db::hearings::HearingQuery {
                from_ms: Some(from_ms),
                to_ms: Some(to_ms),
                ..Default::default()
            };
            crate::scheduling::find_hearings(&state.db, &query).await
        }
        .await,
    )
}

/// 我的听证: the hearings the asker hosts, clerks or sits on — or, for a party,
/// its one hearing. Upcoming and recent (the last 30 days).
#[server(prefix = "/rpc", endpoint = "my_hearings")]
pub async fn my_hearings() -> Result<Vec<HearingRecord>, ApiError> {
    guard::answer(
        async {
            let state = guard::state()?;
            let (actor, _) = guard::actor().await?.ok_or(ApiError::NotLoggedIn)?;
            if let Some(hearing_id) = &actor.party_of {
                return Ok(vec![
                    crate::scheduling::hearing(&state.db, hearing_id).await?,
                ]);
            }
            let query = crate::db::hearings::HearingQuery {
                from_ms: Some(crate::db::now_ms() - 30 * 24 * 3_600_000),
                person_id: Some(actor.account_id.clone()),
                ..Default::default()
            };
            crate::scheduling::find_hearings(&state.db, &query).await
        }
        .await,
    )
}

/// Issues (or replaces) the asker's personal calendar feed; the only time the
/// secret URL is shown.
#[server(prefix = "/rpc", endpoint = "renew_calendar_feed")]
pub async fn renew_calendar_feed() -> Result<String, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, actor, _) = guard::require(Action::SubscribeCalendar, None).await?;
            let token = crate::tokens::new_secret("pyc")?;
            crate::db::tokens::set_calendar_feed(&state.db, &actor.account_id, &token).await?;
            Ok(format!(
                "{}/feeds/{token}.ics",
                super::invitations::public_base(&state)
            ))
        }
        .await,
    )
}
