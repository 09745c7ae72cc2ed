//! 庭审进行: the host drives the procedure and the floor, the clerk marks who is
//! present, participants check in, the panel deliberates. Each is one event in
//! the hearing's log, decided against the room as it stands.

#[cfg(feature = "ssr")]
use super::guard;
use crate::domain::procedure::Step;
use crate::domain::sitting::{Part, Presence};
use crate::error::ApiError;
use leptos::prelude::*;

/// 开始 / 下一环节 / 回到… / 暂停 / 休会 / 继续 / 闭会. Returns the committed seq.
#[server(prefix = "/rpc", endpoint = "step_procedure", input = leptos::server_fn::codec::Json)]
pub async fn step_procedure(hearing_id: String, step: Step) -> Result<u64, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, _, by) = guard::require(Action::RunProcedure, Some(&hearing_id)).await?;
            // Into 宣布评议意见, the closed ballots' results are announced in the
            // same commit (domain::room::RoomState::decide_step). The plan is
            // read inside the write turn, so a reschedule cannot slip between.
            let seqs = crate::sitting::decide_events_in_turn(
                &state,
                &hearing_id,
                async |tx, room| {
                    let when = crate::db::hearings::step_plan_in(tx, &hearing_id)
                        .await?
                        .ok_or(ApiError::HearingNotFound)?;
                    let events = room
                        .decide_step(step, &by, when)
                        .map_err(|reason| ApiError::StepRefused { reason })?;
                    Ok((events, ()))
                },
                async |_, _, ()| Ok(()),
            )
            .await?;
            seqs.first().copied().ok_or(ApiError::Internal)
        }
        .await,
    )
}

/// Gives the floor to `speaker` for `minutes` (1–60) while the hearing runs.
#[server(prefix = "/rpc", endpoint = "give_floor", input = leptos::server_fn::codec::Json)]
pub async fn give_floor(
    hearing_id: String,
    speaker: String,
    part: Part,
    minutes: u32,
) -> Result<u64, ApiError> {
    use crate::domain::access::Action;
    use crate::domain::procedure::Procedure;
    use crate::domain::sitting::MAX_FLOOR_MINUTES;
    guard::answer(
        async {
            let (state, _, by) = guard::require(Action::RunProcedure, Some(&hearing_id)).await?;
            let speaker =
                crate::domain::sitting::check_attendance(&speaker, part, Presence::Online)
                    .map_err(|reason| ApiError::AttendanceInvalid { reason })?;
            if !(1..=MAX_FLOOR_MINUTES).contains(&minutes) {
                return Err(ApiError::FloorMinutesInvalid {
                    max: MAX_FLOOR_MINUTES,
                });
            }
            crate::sitting::decide_and_commit(&state, &hearing_id, |room| {
                if !matches!(room.procedure, Procedure::Running { .. }) {
                    return Err(ApiError::StepRefused {
                        reason: crate::domain::procedure::StepRefused::NotNow,
                    });
                }
                if room.in_closed_session() {
                    return Err(ApiError::ClosedSession);
                }
                Ok(crate::domain::EventPayload::FloorGiven {
                    speaker,
                    part,
                    seconds: minutes * 60,
                    by,
                })
            })
            .await
        }
        .await,
    )
}

/// Ends the turn on the floor.
#[server(prefix = "/rpc", endpoint = "end_floor")]
pub async fn end_floor(hearing_id: String) -> Result<u64, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, _, by) = guard::require(Action::RunProcedure, Some(&hearing_id)).await?;
            crate::sitting::decide_and_commit(&state, &hearing_id, |room| {
                if room.floor.is_none() {
                    return Err(ApiError::NoFloor);
                }
                Ok(crate::domain::EventPayload::FloorEnded { by })
            })
            .await
        }
        .await,
    )
}

/// 签到 by the clerk (or host): anyone's presence or absence. A panel member is
/// picked by `account` from the members seated now (or named by the name exactly
/// one of them bears), so the quorum counts their account.
#[server(prefix = "/rpc", endpoint = "mark_attendance", input = leptos::server_fn::codec::Json)]
pub async fn mark_attendance(
    hearing_id: String,
    name: String,
    part: Part,
    presence: Presence,
    #[server(default)] account: Option<String>,
) -> Result<u64, ApiError> {
    use crate::domain::access::Action;
    use crate::domain::sitting::{check_attendance, seated_member};
    use crate::sitting::Decision;
    guard::answer(
        async {
            let (state, _, by) = guard::require(Action::MarkAttendance, Some(&hearing_id)).await?;
            let invalid = |reason| ApiError::AttendanceInvalid { reason };
            let name = check_attendance(&name, part, presence).map_err(invalid)?;
            let seated = async |conn: &mut sqlx::AnyConnection| {
                if part != Part::Juror {
                    return Ok(Vec::new());
                }
                Ok(crate::db::hearings::seated_voters_in(conn, &hearing_id).await?)
            };
            let decide = |_: &crate::domain::room::RoomState, seated: Vec<_>| {
                // A member goes in under the account and the name on the panel.
                let (name, account) = match part {
                    Part::Juror => {
                        let member =
                            seated_member(&name, account.as_deref(), &seated).map_err(invalid)?;
                        (member.name.clone(), Some(member.voter_id.clone()))
                    }
                    _ => (name, None),
                };
                Ok(Decision::Commit(
                    crate::domain::EventPayload::AttendanceMarked {
                        name,
                        account,
                        part,
                        presence,
                        by,
                    },
                ))
            };
            crate::sitting::decide_with(&state, &hearing_id, seated, decide)
                .await
                .map(|(seq, _)| seq)
        }
        .await,
    )
}

/// 签到 oneself online: a party (by its invitation) or a seated panel member.
#[server(prefix = "/rpc", endpoint = "check_in")]
pub async fn check_in(hearing_id: String) -> Result<u64, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, actor, name) = guard::require(Action::CheckIn, Some(&hearing_id)).await?;
            let part = match actor.party_kind {
                Some(crate::domain::access::PartyKind::Petitioner) => Part::Petitioner,
                Some(crate::domain::access::PartyKind::Agency) => Part::Agency,
                Some(crate::domain::access::PartyKind::ThirdParty) => Part::ThirdParty,
                None => Part::Juror,
            };
            crate::sitting::decide_and_commit(&state, &hearing_id, |_| {
                Ok(crate::domain::EventPayload::AttendanceMarked {
                    name: name.clone(),
                    account: Some(actor.account_id.clone()),
                    part,
                    presence: Presence::Online,
                    by: name,
                })
            })
            .await
        }
        .await,
    )
}

/// 评议: a message in the closed deliberation, only while it is under way.
#[server(prefix = "/rpc", endpoint = "post_deliberation")]
pub async fn post_deliberation(hearing_id: String, text: String) -> Result<u64, ApiError> {
    use crate::domain::RecordText;
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, _, author) = guard::require(Action::Deliberate, Some(&hearing_id)).await?;
            let text = RecordText::parse(&text)?.into_inner();
            crate::sitting::decide_and_commit(&state, &hearing_id, |room| {
                if !room.deliberating() {
                    return Err(ApiError::NotInDeliberation);
                }
                Ok(crate::domain::EventPayload::DeliberationMessage { author, text })
            })
            .await
        }
        .await,
    )
}

/// 更正笔录: replaces a line's text; the earlier wording stays in its history.
#[server(prefix = "/rpc", endpoint = "correct_record")]
pub async fn correct_record(
    hearing_id: String,
    line_seq: u64,
    text: String,
) -> Result<u64, ApiError> {
    use crate::domain::RecordText;
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, _, by) = guard::require(Action::RecordNote, Some(&hearing_id)).await?;
            let text = RecordText::parse(&text)?.into_inner();
            crate::sitting::decide_and_commit(&state, &hearing_id, |room| {
                if room.in_closed_session() {
                    return Err(ApiError::ClosedSession);
                }
                let line = room
                    .record
                    .iter()
                    .find(|l| l.seq == line_seq)
                    .ok_or(ApiError::RecordLineNotFound)?;
                if line.text == text {
                    return Err(ApiError::NothingChanged);
                }
                Ok(crate::domain::EventPayload::RecordCorrected { line_seq, text, by })
            })
            .await
        }
        .await,
    )
}

/// Turns the shown PDF to `page` on every screen (the host, or the party
/// showing its own exhibit while its side has the floor).
#[server(prefix = "/rpc", endpoint = "turn_exhibit_page")]
pub async fn turn_exhibit_page(hearing_id: String, page: u32) -> Result<u64, ApiError> {
    guard::answer(
        async {
            let state = guard::state()?;
            let (actor, name) = guard::actor().await?.ok_or(ApiError::NotLoggedIn)?;
            let by = crate::evidence::Filer { actor, name };
            crate::evidence::turn_page(&state, &by, &hearing_id, page).await
        }
        .await,
    )
}

/// The asker's private notes on a hearing (a seated member): text and last save.
#[server(prefix = "/rpc", endpoint = "my_private_notes")]
pub async fn my_private_notes(hearing_id: String) -> Result<Option<(String, i64)>, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, actor, _) =
                guard::require(Action::KeepPrivateNotes, Some(&hearing_id)).await?;
            Ok(crate::db::notes::get(&state.db, &hearing_id, &actor.account_id).await?)
        }
        .await,
    )
}

/// Saves the asker's private notes; returns the save time.
#[server(prefix = "/rpc", endpoint = "save_private_notes")]
pub async fn save_private_notes(hearing_id: String, text: String) -> Result<i64, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, actor, _) =
                guard::require(Action::KeepPrivateNotes, Some(&hearing_id)).await?;
            if text.chars().count() > PRIVATE_NOTES_MAX_CHARS {
                return Err(ApiError::NotesTooLong {
                    max: PRIVATE_NOTES_MAX_CHARS,
                });
            }
            Ok(crate::db::notes::save(&state.db, &hearing_id, &actor.account_id, &text).await?)
        }
        .await,
    )
}

/// The longest private notepad.
pub const PRIVATE_NOTES_MAX_CHARS: usize = 20_000;
