//! 听后跟踪 and 统计: after the hearing (outcome, commitment, follow-up visits,
//! satisfaction, repeat petitions) and the dashboard. Staff record; a party
//! confirms its side of the commitment and the petitioner rates the handling;
//! administrators and bureau heads read the figures. Every change is audited.

#[cfg(feature = "ssr")]
use super::guard;
use crate::domain::stats::Dashboard;
use crate::error::ApiError;
use crate::model::{AftercareView, VisitTask};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
mod edge {
    use super::guard;
    use crate::domain::access::{Action, Actor, HearingStaff, permits};
    use crate::domain::aftercare::{AftercareRefusal, CommitmentSide};
    use crate::domain::case::CalendarDate;
    use crate::domain::clock::CHINA_OFFSET_SECONDS;
    use crate::error::ApiError;
    use crate::state::AppState;

    /// Today in the office's zone.
    pub fn today() -> CalendarDate {
        CalendarDate::of_instant(crate::db::now_ms(), CHINA_OFFSET_SECONDS)
    }

    pub fn refused(refusal: AftercareRefusal) -> ApiError {
        ApiError::AftercareRefused { refusal }
    }

    /// Who asks about one hearing's aftercare, and what they may do there.
    pub struct Asker {
        pub state: AppState,
        pub actor: Actor,
        pub name: String,
        pub staff: HearingStaff,
    }

    impl Asker {
        pub fn may(&self, action: Action) -> bool {
            permits(Some(&self.actor), action, Some(&self.staff))
        }

        /// The side of the commitment this asker speaks for, when a party.
        pub fn side(&self) -> Option<CommitmentSide> {
            self.actor.party_kind.and_then(CommitmentSide::of_party)
        }
    }

    /// The asker of one hearing's page: staff, a bureau head, or one of the two
    /// sides (a third party has no commitment to confirm and no rating to give,
    /// and sees neither side's). Anybody else is told the hearing does not exist.
    pub async fn asker(hearing_id: &str) -> Result<Asker, ApiError> {
        let state = guard::state()?;
        let (actor, name) = guard::actor().await?.ok_or(ApiError::NotLoggedIn)?;
        let staff = crate::db::hearings::staff(&state.db, hearing_id)
            .await?
            .ok_or(ApiError::HearingNotFound)?;
        let asker = Asker {
            state,
            actor,
            name,
            staff,
        };
        let entitled = asker.may(Action::ManageAftercare)
            || asker.may(Action::ViewStatistics)
            || (asker.may(Action::GiveFeedback) && asker.side().is_some());
        if entitled {
            Ok(asker)
        } else if asker.may(Action::ViewRoom) {
            Err(ApiError::Forbidden)
        } else {
            Err(ApiError::HearingNotFound)
        }
    }

    /// The asker must be petition office staff.
    pub fn require_staff(asker: &Asker) -> Result<(), ApiError> {
        if asker.may(Action::ManageAftercare) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// The hearing, its case, its day, and whether it has been held: its log
    /// shows it opened (宣布开始). The day is the day it opened, else the
    /// planned one.
    pub struct Held {
        pub hearing: crate::model::HearingSummary,
        pub case_id: String,
        pub day: CalendarDate,
        pub is_held: bool,
    }

    pub async fn held(state: &AppState, hearing_id: &str) -> Result<Held, ApiError> {
        let hearing = crate::db::hearings::get(&state.db, hearing_id)
            .await?
            .ok_or(ApiError::HearingNotFound)?;
        let found = crate::db::aftercare::case_of(&state.db, hearing_id)
            .await?
            .ok_or(ApiError::HearingNotFound)?;
        let day_ms = found.opened_at_ms.unwrap_or(hearing.starts_at_ms);
        Ok(Held {
            day: CalendarDate::of_instant(day_ms, CHINA_OFFSET_SECONDS),
            is_held: found.opened_at_ms.is_some(),
            hearing,
            case_id: found.case_id,
        })
    }

    /// The hearing, refused unless it has taken place.
    pub async fn taken_place(state: &AppState, hearing_id: &str) -> Result<Held, ApiError> {
        let held = held(state, hearing_id).await?;
        if held.is_held {
            Ok(held)
        } else {
            Err(refused(AftercareRefusal::NotHeldYet))
        }
    }

    pub async fn audit(
        state: &AppState,
        actor: &Actor,
        action: &str,
        hearing_id: &str,
        detail: &str,
    ) -> Result<(), ApiError> {
        let ip = guard::client_ip().await;
        let entry = crate::db::audit::AuditEntry {
            actor: Some(&actor.account_id),
            action,
            subject: Some(hearing_id),
            detail,
            ip: ip.as_deref(),
        };
        crate::db::audit::record(&state.db, &entry).await?;
        Ok(())
    }

    /// Who may make follow-up visits: active accounts of the petition office
    /// staff (those who may manage the aftercare).
    pub async fn visitors(db: &crate::db::Db) -> Result<Vec<crate::model::PersonRef>, ApiError> {
        let accounts = crate::db::accounts::list(db).await?;
        Ok(accounts
            .into_iter()
            .filter(|a| !a.disabled)
            .filter(|a| {
                permits(
                    Some(&Actor::account(a.id.clone(), a.roles.clone())),
                    Action::ManageAftercare,
                    None,
                )
            })
            .map(|a| crate::model::PersonRef {
                id: a.id,
                name: a.display_name,
            })
            .collect())
    }

    /// A form date: empty or malformed gets the Chinese date message.
    pub fn form_date(raw: &str) -> Result<CalendarDate, ApiError> {
        raw.parse().map_err(|_| ApiError::DateInvalid {
            value: raw.trim().chars().take(20).collect(),
        })
    }

    /// A visit by id with its outcome's date, refused once recorded.
    pub async fn open_visit(
        state: &AppState,
        follow_up_id: &str,
    ) -> Result<crate::model::VisitTask, ApiError> {
        let visit = crate::db::aftercare::visit(&state.db, follow_up_id, today())
            .await?
            .ok_or(ApiError::FollowUpNotFound)?;
        if visit.follow_up.done_on.is_some() {
            return Err(refused(AftercareRefusal::VisitRecorded));
        }
        Ok(visit)
    }

    /// Why a visit's guarded write changed nothing: recorded meanwhile by a
    /// colleague (该次回访已记录), or gone because a corrected decision
    /// rescheduled the visits (回访任务不存在). A recorded visit is never
    /// deleted, so reading it afterwards tells the two apart.
    pub async fn visit_unchanged(state: &AppState, follow_up_id: &str) -> ApiError {
        match crate::db::aftercare::visit(&state.db, follow_up_id, today()).await {
            Ok(Some(visit)) if visit.follow_up.done_on.is_some() => {
                refused(AftercareRefusal::VisitRecorded)
            }
            Ok(_) => ApiError::FollowUpNotFound,
            Err(e) => ApiError::from(e),
        }
    }
}

/// 听后跟踪: everything that followed one hearing, as far as the asker may see.
#[server(prefix = "/rpc", endpoint = "aftercare")]
pub async fn aftercare(hearing_id: String) -> Result<AftercareView, ApiError> {
    use crate::domain::access::{Action, PartyKind};
    use crate::domain::aftercare::RatingSource;
    guard::answer(
        async {
            let asker = edge::asker(&hearing_id).await?;
            let db = &asker.state.db;
            let held = edge::held(&asker.state, &hearing_id).await?;
            let today = edge::today();
            let can_manage = asker.may(Action::ManageAftercare);
            let is_staff = can_manage || asker.may(Action::ViewStatistics);
            let side = asker.side().filter(|_| !is_staff);
            let is_petitioner =
                side.is_some() && asker.actor.party_kind == Some(PartyKind::Petitioner);
            let mut ratings = crate::db::aftercare::ratings(db, &hearing_id).await?;
            if !is_staff {
                // The petitioner sees what it said itself; the agency nothing of it.
                ratings.retain(|r| is_petitioner && r.source == RatingSource::Petitioner);
                ratings.truncate(1);
            }
            // The panel's opinion is for those who may read the room or the
            // figures, not for every host and clerk of the office — and, for
            // anyone outside the panel, not before it was announced (宣布评议意见)
            // or the hearing closed (domain::access::disclosure).
            let conclusion =
                if asker.may(Action::ViewRoom) && is_staff || asker.may(Action::ViewStatistics) {
                    let events = crate::db::events::all(db, &hearing_id).await?;
                    crate::domain::fold(&events)
                        .ok()
                        .filter(|room| {
                            room.results_announced
                                || crate::domain::access::disclosure(
                                    Some(&asker.actor),
                                    Some(&asker.staff),
                                    room.procedure,
                                )
                                .deliberation
                        })
                        .and_then(|room| room.minutes.conclusion.map(|c| c.text))
                } else {
                    None
                };
            // The names the staff's commitment draft is generated with.
            let (petitioners, agencies) = match can_manage {
                true => crate::db::aftercare::case_sides(db, &held.case_id)
                    .await?
                    .unwrap_or_default(),
                false => (Vec::new(), Vec::new()),
            };
            let case_still_open = match is_staff {
                true => {
                    let status = crate::db::cases::status_of(db, &held.case_id).await?;
                    let facts =
                        crate::db::aftercare::closing_facts(db, &held.case_id, today).await?;
                    status.and_then(|s| crate::domain::aftercare::concluded_but_open(s, &facts))
                }
                false => None,
            };
            Ok(AftercareView {
                case_still_open,
                case_id: held.case_id.clone(),
                held_on: held.day,
                is_held: held.is_held,
                panel_conclusion: conclusion,
                outcome: match is_staff {
                    true => crate::db::aftercare::outcome(db, &hearing_id).await?,
                    false => None,
                },
                commitment: crate::db::aftercare::commitment(db, &hearing_id).await?,
                follow_ups: match is_staff {
                    true => crate::db::aftercare::follow_ups(db, &hearing_id, today).await?,
                    false => Vec::new(),
                },
                ratings,
                repeats: match is_staff {
                    true => crate::db::aftercare::repeats_of(db, &hearing_id).await?,
                    false => Vec::new(),
                },
                repeat_candidates: match can_manage {
                    true => {
                        crate::db::aftercare::repeat_candidates(db, &held.case_id, held.day).await?
                    }
                    false => Vec::new(),
                },
                staff: match can_manage {
                    true => edge::visitors(db).await?,
                    false => Vec::new(),
                },
                can_manage,
                is_party: side.is_some(),
                can_invite: asker.may(Action::InviteParties),
                my_side: side,
                may_rate: is_petitioner,
                policy: crate::db::aftercare::policy(db).await?,
                petitioners,
                agencies,
                hearing: held.hearing,
            })
        }
        .await,
    )
}

/// 处理结果: the handling decision, its date and how the case ended; schedules
/// the follow-up visits from the decision date (office policy, 30/90 days).
#[server(prefix = "/rpc", endpoint = "record_outcome")]
pub async fn record_outcome(
    hearing_id: String,
    decision: String,
    decided_on: String,
    resolution: String,
) -> Result<(), ApiError> {
    use crate::domain::aftercare::{Outcome, check_outcome};
    use crate::domain::case::Coded;
    use crate::domain::stats::Resolution;
    guard::answer(
        async {
            let asker = edge::asker(&hearing_id).await?;
            edge::require_staff(&asker)?;
            let held = edge::taken_place(&asker.state, &hearing_id).await?;
            let resolution =
                Resolution::parse_code(&resolution).ok_or_else(|| ApiError::BadRequest {
                    detail: "化解情况须为 化解、未化解 或 程序性办结".into(),
                })?;
            let outcome = Outcome {
                decision,
                decided_on: edge::form_date(&decided_on)?,
                resolution,
            };
            let outcome = check_outcome(outcome, held.day, edge::today()).map_err(edge::refused)?;
            let db = &asker.state.db;
            let policy = crate::db::aftercare::policy(db).await?;
            // New visits go to whoever hosted the hearing until somebody reassigns them.
            let assignee = asker.staff.host_id.clone();
            crate::db::aftercare::save_outcome(
                db,
                &hearing_id,
                &outcome,
                &asker.name,
                &policy,
                assignee.as_deref(),
            )
            .await?;
            let detail = format!(
                "{} {} {}",
                outcome.resolution.code(),
                outcome.decided_on,
                outcome.decision
            );
            edge::audit(
                &asker.state,
                &asker.actor,
                "outcome_recorded",
                &hearing_id,
                &detail,
            )
            .await
        }
        .await,
    )
}

/// 双向承诺书: staff draft (or redraft) both sides' commitments; a changed
/// wording must be confirmed again.
#[server(prefix = "/rpc", endpoint = "draft_commitment")]
pub async fn draft_commitment(
    hearing_id: String,
    agency_text: String,
    petitioner_text: String,
) -> Result<(), ApiError> {
    use crate::domain::aftercare::Commitment;
    guard::answer(
        async {
            let asker = edge::asker(&hearing_id).await?;
            edge::require_staff(&asker)?;
            edge::taken_place(&asker.state, &hearing_id).await?;
            crate::db::aftercare::update_commitment(
                &asker.state.db,
                &hearing_id,
                &asker.name,
                None,
                |previous| Commitment::redrafted(previous, &agency_text, &petitioner_text),
            )
            .await?
            .map_err(edge::refused)?;
            edge::audit(
                &asker.state,
                &asker.actor,
                "commitment_drafted",
                &hearing_id,
                "",
            )
            .await
        }
        .await,
    )
}

/// 确认承诺: a party confirms its own side of the commitment (the petitioner
/// its own, the agency its own) through its invitation. `agency_text` and
/// `petitioner_text` are the wording the party was shown: a confirmation of
/// words changed since is refused.
#[server(prefix = "/rpc", endpoint = "confirm_commitment")]
pub async fn confirm_commitment(
    hearing_id: String,
    agency_text: String,
    petitioner_text: String,
) -> Result<(), ApiError> {
    use crate::domain::access::Action;
    use crate::domain::aftercare::{AftercareRefusal, Confirmation};
    guard::answer(
        async {
            let asker = edge::asker(&hearing_id).await?;
            if !asker.may(Action::GiveFeedback) {
                return Err(ApiError::Forbidden);
            }
            let side = asker
                .side()
                .ok_or_else(|| edge::refused(AftercareRefusal::NotThatParty))?;
            let confirmation = Confirmation {
                by: asker.name.clone(),
                at_ms: crate::db::now_ms(),
                on_paper: false,
            };
            crate::db::aftercare::update_commitment(
                &asker.state.db,
                &hearing_id,
                &asker.name,
                None,
                |current| {
                    let current = current.ok_or(AftercareRefusal::NoCommitment)?;
                    if current.agency_text != agency_text.trim()
                        || current.petitioner_text != petitioner_text.trim()
                    {
                        return Err(AftercareRefusal::WordingChanged);
                    }
                    current.confirmed_by(side, confirmation)
                },
            )
            .await?
            .map_err(edge::refused)?;
            edge::audit(
                &asker.state,
                &asker.actor,
                "commitment_confirmed",
                &hearing_id,
                side.code(),
            )
            .await
        }
        .await,
    )
}

/// 满意度评价: the petitioner rates the handling through its invitation, or
/// staff record the rating given on a call. The latest rating counts.
#[server(prefix = "/rpc", endpoint = "rate_handling")]
pub async fn rate_handling(
    hearing_id: String,
    rating: String,
    comment: String,
) -> Result<(), ApiError> {
    use crate::domain::access::{Action, PartyKind};
    use crate::domain::aftercare::{AftercareRefusal, Rating, RatingSource, check_comment};
    use crate::domain::case::Coded;
    use crate::domain::stats::Satisfaction;
    guard::answer(
        async {
            let asker = edge::asker(&hearing_id).await?;
            let source = if asker.may(Action::ManageAftercare) {
                RatingSource::Staff
            } else if asker.may(Action::GiveFeedback)
                && asker.actor.party_kind == Some(PartyKind::Petitioner)
            {
                RatingSource::Petitioner
            } else if asker.may(Action::GiveFeedback) {
                return Err(edge::refused(AftercareRefusal::NotThatParty));
            } else {
                return Err(ApiError::Forbidden);
            };
            edge::taken_place(&asker.state, &hearing_id).await?;
            let rating = Satisfaction::parse_code(&rating).ok_or_else(|| ApiError::BadRequest {
                detail: "请选择 满意、基本满意 或 不满意".into(),
            })?;
            let rating = Rating {
                rating,
                comment: check_comment(&comment).map_err(edge::refused)?,
                source,
                recorded_by: asker.name.clone(),
                at_ms: crate::db::now_ms(),
            };
            crate::db::aftercare::add_rating(&asker.state.db, &hearing_id, &rating).await?;
            let detail = format!("{} {}", rating.rating.code(), source.code());
            edge::audit(
                &asker.state,
                &asker.actor,
                "satisfaction_recorded",
                &hearing_id,
                &detail,
            )
            .await
        }
        .await,
    )
}

/// 回访: who makes a visit (one still to make).
#[server(prefix = "/rpc", endpoint = "assign_visit")]
pub async fn assign_visit(follow_up_id: String, assignee_id: String) -> Result<(), ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, actor, _) = guard::require(Action::ManageAftercare, None).await?;
            let visit = edge::open_visit(&state, &follow_up_id).await?;
            let staff = edge::visitors(&state.db).await?;
            let person =
                staff
                    .iter()
                    .find(|p| p.id == assignee_id)
                    .ok_or(ApiError::UnknownPerson {
                        part: crate::domain::case::PersonPart::Visitor,
                    })?;
            if !crate::db::aftercare::assign_visit(&state.db, &follow_up_id, &person.id).await? {
                return Err(edge::visit_unchanged(&state, &follow_up_id).await);
            }
            let detail = format!(
                "{} {} → {}",
                follow_up_id, visit.follow_up.due_on, person.name
            );
            edge::audit(&state, &actor, "visit_assigned", &visit.hearing_id, &detail).await
        }
        .await,
    )
}

/// 回访记录: a visit made, on a day, with what was found. Recorded once.
#[server(prefix = "/rpc", endpoint = "record_visit")]
pub async fn record_visit(
    follow_up_id: String,
    done_on: String,
    note: String,
) -> Result<(), ApiError> {
    use crate::domain::access::Action;
    use crate::domain::aftercare::{AftercareRefusal, check_visit};
    guard::answer(
        async {
            let (state, actor, name) = guard::require(Action::ManageAftercare, None).await?;
            let visit = edge::open_visit(&state, &follow_up_id).await?;
            let outcome = crate::db::aftercare::outcome(&state.db, &visit.hearing_id)
                .await?
                .ok_or_else(|| edge::refused(AftercareRefusal::NoOutcome))?;
            let done_on = edge::form_date(&done_on)?;
            let note = check_visit(done_on, &note, outcome.outcome.decided_on, edge::today())
                .map_err(edge::refused)?;
            // Only while still open: a visit recorded meanwhile is not overwritten,
            // and one rescheduled away meanwhile is not silently lost.
            if !crate::db::aftercare::record_visit(&state.db, &follow_up_id, done_on, &note, &name)
                .await?
            {
                return Err(edge::visit_unchanged(&state, &follow_up_id).await);
            }
            let detail = format!("{follow_up_id} {done_on}");
            edge::audit(&state, &actor, "visit_recorded", &visit.hearing_id, &detail).await
        }
        .await,
    )
}

/// 回访任务: visits still to make, the earliest first (the asker's own, or
/// everybody's when `everyone`).
#[server(prefix = "/rpc", endpoint = "open_visits")]
pub async fn open_visits(everyone: bool) -> Result<Vec<VisitTask>, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, actor, _) = guard::require(Action::ManageAftercare, None).await?;
            let who = (!everyone).then_some(actor.account_id.as_str());
            Ok(crate::db::aftercare::open_visits(&state.db, who, edge::today()).await?)
        }
        .await,
    )
}

/// 重复信访: marks a later case as petitioned again after this hearing.
#[server(prefix = "/rpc", endpoint = "mark_repeat")]
pub async fn mark_repeat(hearing_id: String, case_id: String) -> Result<(), ApiError> {
    use crate::domain::aftercare::{AftercareRefusal, check_repeat};
    guard::answer(
        async {
            let asker = edge::asker(&hearing_id).await?;
            edge::require_staff(&asker)?;
            let held = edge::taken_place(&asker.state, &hearing_id).await?;
            let db = &asker.state.db;
            let received = crate::db::aftercare::case_received(db, &case_id)
                .await?
                .ok_or(ApiError::CaseNotFound)?;
            check_repeat(&case_id, received, &held.case_id, held.day, edge::today())
                .map_err(edge::refused)?;
            if !crate::db::aftercare::mark_repeat(db, &case_id, &hearing_id, &asker.name).await? {
                return Err(edge::refused(AftercareRefusal::AlreadyRepeat));
            }
            edge::audit(
                &asker.state,
                &asker.actor,
                "repeat_marked",
                &hearing_id,
                &case_id,
            )
            .await
        }
        .await,
    )
}

/// Removes a repeat link recorded by mistake.
#[server(prefix = "/rpc", endpoint = "unmark_repeat")]
pub async fn unmark_repeat(hearing_id: String, case_id: String) -> Result<(), ApiError> {
    guard::answer(
        async {
            let asker = edge::asker(&hearing_id).await?;
            edge::require_staff(&asker)?;
            if !crate::db::aftercare::unmark_repeat(&asker.state.db, &case_id, &hearing_id).await? {
                return Err(ApiError::NothingChanged);
            }
            edge::audit(
                &asker.state,
                &asker.actor,
                "repeat_unmarked",
                &hearing_id,
                &case_id,
            )
            .await
        }
        .await,
    )
}

/// 回访天数: the office's follow-up policy as typed ("30,90").
#[server(prefix = "/rpc", endpoint = "save_follow_up_policy")]
pub async fn save_follow_up_policy(days: String) -> Result<String, ApiError> {
    use crate::domain::access::Action;
    use crate::domain::aftercare::FollowUpPolicy;
    guard::answer(
        async {
            let (state, actor, _) = guard::require(Action::ManageSettings, None).await?;
            let policy = FollowUpPolicy::parse(&days).map_err(edge::refused)?;
            crate::db::aftercare::save_policy(&state.db, &policy).await?;
            let text = policy.to_setting_text();
            super::cases::audit_settings(&state.db, &actor, &format!("follow_up_days={text}"))
                .await?;
            Ok(text)
        }
        .await,
    )
}

/// 统计: the dashboard for whole months `from`–`to` (YYYY-MM; empty: the last
/// twelve months) and one district (empty: all).
#[server(prefix = "/rpc", endpoint = "statistics")]
pub async fn statistics(from: String, to: String, district: String) -> Result<Dashboard, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, _, _) = guard::require(Action::ViewStatistics, None).await?;
            crate::stats_export::dashboard_for(&state, &from, &to, &district).await
        }
        .await,
    )
}

/// 回访天数 as stored ("30,90").
#[server(prefix = "/rpc", endpoint = "follow_up_policy")]
pub async fn follow_up_policy() -> Result<String, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, _, _) = guard::require(Action::ManageSettings, None).await?;
            Ok(crate::db::aftercare::policy(&state.db)
                .await?
                .to_setting_text())
        }
        .await,
    )
}
