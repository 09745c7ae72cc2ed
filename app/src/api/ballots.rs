//! 表决: the host defines, opens and closes ballots; seated members vote and give
//! reasons. Every step is one event in the hearing's log, decided against the
//! room as committed (`crate::sitting::decide_or_answer`) and acknowledged only
//! after its transaction commits.

#[cfg(feature = "ssr")]
use super::guard;
use crate::domain::ballot::{BallotMode, MajorityRule};
use crate::error::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The answer to a vote: the seq that recorded it, and whether this request was
/// a retry of a vote already counted (then nothing new was committed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteAck {
    pub seq: u64,
    pub option: usize,
    pub already_counted: bool,
}

/// The asker's own standing on each ballot: their current choice (known to them
/// alone in a secret ballot) and their own opinion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyBallot {
    pub ballot_id: String,
    pub choice: Option<usize>,
    pub opinion: Option<(String, bool)>,
}

/// A ballot's definition as the host types it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BallotForm {
    /// Empty for a new ballot; an existing draft's id to change it.
    pub ballot_id: String,
    pub question: String,
    pub options: Vec<String>,
    pub rule: MajorityRule,
    pub mode: BallotMode,
    pub live_tally: bool,
}

#[cfg(feature = "ssr")]
fn refused(refusal: crate::domain::ballot::VoteRefusal) -> ApiError {
    ApiError::VoteRefused { refusal }
}

#[cfg(feature = "ssr")]
fn ballot_in<'a>(
    room: &'a crate::domain::room::RoomState,
    ballot_id: &str,
) -> Result<&'a crate::domain::ballot::BallotState, ApiError> {
    room.ballot(ballot_id)
        .ok_or(refused(crate::domain::ballot::VoteRefusal::UnknownBallot))
}

/// Defines a ballot (表决事项) or changes a draft. Returns its id.
#[server(prefix = "/rpc", endpoint = "draft_ballot", input = leptos::server_fn::codec::Json)]
pub async fn draft_ballot(hearing_id: String, form: BallotForm) -> Result<String, ApiError> {
    use crate::domain::EventPayload;
    use crate::domain::access::Action;
    use crate::domain::ballot::BallotSpec;
    guard::answer(
        async {
            let (state, _, by) = guard::require(Action::RunBallot, Some(&hearing_id)).await?;
            let ballot_id = if form.ballot_id.is_empty() {
                crate::db::new_id()
            } else {
                form.ballot_id.clone()
            };
            let spec = BallotSpec::parse(
                ballot_id.clone(),
                &form.question,
                &form.options,
                form.rule,
                form.mode,
                form.live_tally,
            )
            .map_err(refused)?;
            crate::sitting::decide_and_commit(&state, &hearing_id, |room| {
                if !form.ballot_id.is_empty() {
                    ballot_in(room, &form.ballot_id)?
                        .check_editable()
                        .map_err(refused)?;
                }
                Ok(EventPayload::BallotDrafted { spec, by })
            })
            .await?;
            Ok(ballot_id)
        }
        .await,
    )
}

/// 开始表决: freezes the ballot with the members seated now; needs the closed
/// stages (评议 or 表决) and two thirds of the seated members present.
#[server(prefix = "/rpc", endpoint = "open_ballot")]
pub async fn open_ballot(hearing_id: String, ballot_id: String) -> Result<u64, ApiError> {
    use crate::domain::EventPayload;
    use crate::domain::access::Action;
    use crate::domain::ballot::{VoteRefusal, Voter};
    use crate::sitting::Decision;
    guard::answer(
        async {
            let (state, _, by) = guard::require(Action::RunBallot, Some(&hearing_id)).await?;
            // The seats are read under the same write turn as the decision, so a
            // recusal cannot slip in between.
            let seats = async |conn: &mut sqlx::AnyConnection| {
                Ok(crate::db::hearings::seated_voters_in(conn, &hearing_id).await?)
            };
            let decide = |room: &crate::domain::room::RoomState, voters: Vec<Voter>| {
                if !room.deliberating() {
                    return Err(refused(VoteRefusal::NotVotingStage));
                }
                let present = room.present_among(&voters);
                ballot_in(room, &ballot_id)?
                    .check_open(&voters, present)
                    .map_err(refused)?;
                Ok(Decision::Commit(EventPayload::BallotOpened {
                    ballot_id,
                    voters,
                    present,
                    by,
                }))
            };
            crate::sitting::decide_with(&state, &hearing_id, seats, decide)
                .await
                .map(|(seq, _)| seq)
        }
        .await,
    )
}

/// 投票: the asker's vote. `key` is the client's idempotency key: the same
/// request again is answered with the same seq and counted once.
#[server(prefix = "/rpc", endpoint = "cast_vote")]
pub async fn cast_vote(
    hearing_id: String,
    ballot_id: String,
    option: usize,
    key: String,
) -> Result<VoteAck, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, actor, _) = guard::require(Action::CastVote, Some(&hearing_id)).await?;
            commit_vote(
                &state,
                &hearing_id,
                &ballot_id,
                &actor.account_id,
                option,
                key,
            )
            .await
        }
        .await,
    )
}

/// 代为录入: the host enters the vote of a seated member who has no device, with
/// a reason — in a named ballot with the member's choice, in a secret ballot
/// without (the member chooses at the clerk's desk). Nothing counts yet: the
/// entry waits until that member confirms it on the clerk's screen with a
/// one-time code issued to them ([`issue_proxy_code`]: shown on their own
/// phone, or printed by the host for a member without one) —
/// [`confirm_proxy_vote`]. Never their password. Returns the waiting entry's
/// id. A new entry for the same member and ballot replaces the earlier one
/// (and voids its code).
#[server(prefix = "/rpc", endpoint = "record_vote_for")]
pub async fn record_vote_for(
    hearing_id: String,
    ballot_id: String,
    voter_id: String,
    option: Option<usize>,
    key: String,
    reason: String,
) -> Result<String, ApiError> {
    use crate::domain::access::Action;
    use crate::domain::ballot::{BallotStatus, VoteRefusal};
    guard::answer(
        async {
            let (state, actor, by) = guard::require(Action::RunBallot, Some(&hearing_id)).await?;
            let reason = crate::domain::event::clean_text(&reason, false);
            if reason.is_empty() || reason.chars().count() > 500 {
                return Err(refused(VoteRefusal::ProxyReasonMissing));
            }
            let room = folded_room(&state, &hearing_id).await?;
            let ballot = ballot_in(&room, &ballot_id)?;
            match ballot.status {
                BallotStatus::Draft => return Err(refused(VoteRefusal::NotOpen)),
                BallotStatus::Closed => return Err(refused(VoteRefusal::Closed)),
                BallotStatus::Open => {}
            }
            if !ballot.voters.iter().any(|v| v.voter_id == voter_id) {
                return Err(refused(VoteRefusal::NotSeated));
            }
            ballot.check_proxy_entry(option).map_err(refused)?;
            let entry = crate::db::proxy::NewProxyRequest {
                hearing_id: &hearing_id,
                ballot_id: &ballot_id,
                voter_id: &voter_id,
                option,
                reason: &reason,
                key: &key,
                requested_by: &by,
            };
            let id = crate::db::proxy::put(&state.db, &entry).await?;
            let ip = guard::client_ip().await;
            let audit = crate::db::audit::AuditEntry {
                actor: Some(&actor.account_id),
                action: "proxy_vote_entered",
                subject: Some(&voter_id),
                detail: &reason,
                ip: ip.as_deref(),
            };
            crate::db::audit::record(&state.db, &audit).await?;
            Ok(id)
        }
        .await,
    )
}

/// The hearing's log, folded (for reads outside a write turn).
#[cfg(feature = "ssr")]
async fn folded_room(
    state: &crate::state::AppState,
    hearing_id: &str,
) -> Result<crate::domain::room::RoomState, ApiError> {
    let events = crate::db::events::all(&state.db, hearing_id).await?;
    crate::domain::fold(&events).map_err(|e| {
        tracing::error!(error = ?e, hearing = %hearing_id, "the hearing log does not fold");
        ApiError::Internal
    })
}

/// A vote the host entered, waiting on the clerk's screen for the member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingProxyVote {
    pub id: String,
    pub ballot_id: String,
    pub question: String,
    pub voter_id: String,
    pub voter_name: String,
    /// The option the host entered, in a named (记名) ballot; None in a secret
    /// one, where the member chooses among `options` at the clerk's desk.
    pub choice: Option<String>,
    pub options: Vec<String>,
    pub reason: String,
    pub requested_by: String,
    pub requested_at_ms: i64,
}

/// 待确认的代为录入: what waits for members' confirmation on open ballots.
#[server(prefix = "/rpc", endpoint = "pending_proxy_votes")]
pub async fn pending_proxy_votes(hearing_id: String) -> Result<Vec<PendingProxyVote>, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, _, _) = guard::require(Action::ConfirmProxyVote, Some(&hearing_id)).await?;
            let room = folded_room(&state, &hearing_id).await?;
            let pending = crate::db::proxy::of_hearing(&state.db, &hearing_id).await?;
            Ok(pending
                .into_iter()
                .filter_map(|p| pending_view(&room, p))
                .collect())
        }
        .await,
    )
}

/// A waiting entry as the screens show it, while its ballot is open.
#[cfg(feature = "ssr")]
fn pending_view(
    room: &crate::domain::room::RoomState,
    p: crate::db::proxy::ProxyRequest,
) -> Option<PendingProxyVote> {
    use crate::domain::ballot::{BallotMode, BallotStatus};
    let ballot = room.ballot(&p.ballot_id)?;
    if ballot.status != BallotStatus::Open {
        return None;
    }
    let voter = ballot.voters.iter().find(|v| v.voter_id == p.voter_id)?;
    let choice = (ballot.spec.mode == BallotMode::Named)
        .then(|| p.option.and_then(|o| ballot.spec.options.get(o).cloned()))
        .flatten();
    Some(PendingProxyVote {
        id: p.id,
        ballot_id: p.ballot_id,
        question: ballot.spec.question.clone(),
        voter_id: p.voter_id,
        voter_name: voter.name.clone(),
        choice,
        options: ballot.spec.options.clone(),
        reason: p.reason,
        requested_by: p.requested_by,
        requested_at_ms: p.requested_at_ms,
    })
}

/// What the clerk's screen learns of a confirmed entry: that it counted, never
/// the choice (in a secret ballot the member made it on this screen unseen).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProxyConfirmed {
    pub seq: u64,
    pub already_counted: bool,
}

/// A one-time code that confirms one 代为录入 entry, as issued (the server keeps
/// only its hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProxyCode {
    pub request_id: String,
    pub code: String,
    pub expires_at_ms: i64,
}

/// 获取验证码: issues a new one-time code for a waiting entry (voiding any
/// earlier one). The member asks on their own phone, which then shows it; the
/// host asks to print it for a member without a device (audited as such).
/// Valid for 10 minutes and for this entry only (its ballot, its member).
#[server(prefix = "/rpc", endpoint = "issue_proxy_code")]
pub async fn issue_proxy_code(request_id: String) -> Result<ProxyCode, ApiError> {
    use crate::domain::access::Action;
    use crate::domain::ballot::{
        BallotStatus, PROXY_CODE_ATTEMPTS, PROXY_CODE_DIGITS, PROXY_CODE_TTL_MS, VoteRefusal,
        proxy_code_hash,
    };
    guard::answer(
        async {
            let state = guard::state()?;
            let pending = crate::db::proxy::get(&state.db, &request_id)
                .await?
                .ok_or(ApiError::ProxyNotFound)?;
            // The member for their own entry; else the host of the hearing.
            let (state, actor, _) =
                match guard::require(Action::CastVote, Some(&pending.hearing_id)).await {
                    Ok(asker) if asker.1.account_id == pending.voter_id => asker,
                    _ => guard::require(Action::RunBallot, Some(&pending.hearing_id)).await?,
                };
            let room = folded_room(&state, &pending.hearing_id).await?;
            if ballot_in(&room, &pending.ballot_id)?.status != BallotStatus::Open {
                return Err(refused(VoteRefusal::Closed));
            }
            // Too many wrong codes voided the entry: a new code would not revive
            // it (the host enters it again).
            let issued = crate::db::proxy::code(&state.db, &pending.id).await?;
            if issued.is_some_and(|c| c.failed_attempts >= PROXY_CODE_ATTEMPTS) {
                return Err(refused(VoteRefusal::ProxyCodeLocked));
            }
            let number = u128::from_be_bytes(*uuid::Uuid::new_v4().as_bytes())
                % 10u128.pow(PROXY_CODE_DIGITS as u32);
            let code = format!("{number:0width$}", width = PROXY_CODE_DIGITS);
            let hash = proxy_code_hash(&pending.id, &pending.ballot_id, &pending.voter_id, &code);
            let expires_at_ms = crate::db::now_ms() + PROXY_CODE_TTL_MS;
            if !crate::db::proxy::set_code(&state.db, &pending.id, &hash, expires_at_ms).await? {
                return Err(ApiError::ProxyNotFound);
            }
            let by_member = actor.account_id == pending.voter_id;
            let ip = guard::client_ip().await;
            let audit = crate::db::audit::AuditEntry {
                actor: Some(&actor.account_id),
                action: if by_member {
                    "proxy_code_shown_to_member"
                } else {
                    "proxy_code_printed_by_host"
                },
                subject: Some(&pending.voter_id),
                detail: &pending.ballot_id,
                ip: ip.as_deref(),
            };
            crate::db::audit::record(&state.db, &audit).await?;
            Ok(ProxyCode {
                request_id: pending.id,
                code,
                expires_at_ms,
            })
        }
        .await,
    )
}

/// The asker's own entries waiting for confirmation (a seated member's phone
/// shows them, with the host's entry of the choice in a named ballot, and
/// offers to show a code).
#[server(prefix = "/rpc", endpoint = "my_proxy_entries")]
pub async fn my_proxy_entries(hearing_id: String) -> Result<Vec<PendingProxyVote>, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, actor, _) = guard::require(Action::CastVote, Some(&hearing_id)).await?;
            let room = folded_room(&state, &hearing_id).await?;
            let mine =
                crate::db::proxy::of_member(&state.db, &hearing_id, &actor.account_id).await?;
            Ok(mine
                .into_iter()
                .filter_map(|p| pending_view(&room, p))
                .collect())
        }
        .await,
    )
}

/// 本人确认: the clerk's screen takes the one-time code the member reads from
/// their own phone (or from the slip the host printed) and, in a secret ballot,
/// the member's choice made there; only then does the entry count, as a vote
/// marked 代为录入 with its reason. The code is single-use, expires after 10
/// minutes and allows 5 wrong tries; the member's password is never asked.
#[server(prefix = "/rpc", endpoint = "confirm_proxy_vote")]
pub async fn confirm_proxy_vote(
    request_id: String,
    code: String,
    option: Option<usize>,
) -> Result<ProxyConfirmed, ApiError> {
    use crate::domain::access::Action;
    use crate::domain::ballot::{check_proxy_code, proxy_code_hash};
    guard::answer(
        async {
            let state = guard::state()?;
            let pending = crate::db::proxy::get(&state.db, &request_id)
                .await?
                .ok_or(ApiError::ProxyNotFound)?;
            let (state, actor, _) =
                guard::require(Action::ConfirmProxyVote, Some(&pending.hearing_id)).await?;
            let room = folded_room(&state, &pending.hearing_id).await?;
            let choice = ballot_in(&room, &pending.ballot_id)?
                .proxy_choice(pending.option, option)
                .map_err(refused)?;
            let code: String = code
                .chars()
                .filter(|c| !c.is_whitespace())
                .take(32)
                .collect();
            let offered =
                proxy_code_hash(&pending.id, &pending.ballot_id, &pending.voter_id, &code);
            // The attempt is counted before the code is compared (one atomic
            // update), so confirmations sent at once stay within the bound.
            let now = crate::db::now_ms();
            let claimed = crate::db::proxy::claim_code_attempt(
                &state.db,
                &pending.id,
                now,
                crate::domain::ballot::PROXY_CODE_ATTEMPTS,
            )
            .await?;
            let was_claimed = claimed.is_some();
            let issued = match claimed {
                Some(issued) => Some(issued),
                // No attempt left, or no live code: the stored state says which.
                None => crate::db::proxy::code(&state.db, &pending.id).await?,
            };
            let verdict = check_proxy_code(issued.as_ref(), &offered, now);
            if was_claimed && verdict.is_ok() {
                crate::db::proxy::code_accepted(&state.db, &pending.id).await?;
            }
            let audit = crate::db::audit::AuditEntry {
                actor: Some(&actor.account_id),
                action: if verdict.is_ok() {
                    "proxy_vote_confirmed"
                } else {
                    "proxy_vote_refused"
                },
                subject: Some(&pending.voter_id),
                detail: &pending.ballot_id,
                ip: None,
            };
            crate::db::audit::record(&state.db, &audit).await?;
            verdict.map_err(refused)?;
            count_confirmed_entry(&state, pending, choice).await
        }
        .await,
    )
}

/// Counts a confirmed entry: its vote and the entry's removal are one
/// transaction, so a crash can never leave an entry that already counted still
/// waiting on the clerk's screen (confirmed again after the member had voted
/// since, it would be refused as a replay). The vote takes a write turn of its
/// own rather than the hearing's group commit: confirmations come one member
/// at a time at the clerk's desk, so there is nothing to batch, and the group
/// commit has no place for a second write in the vote's transaction.
#[cfg(feature = "ssr")]
async fn count_confirmed_entry(
    state: &crate::state::AppState,
    pending: crate::db::proxy::ProxyRequest,
    choice: usize,
) -> Result<ProxyConfirmed, ApiError> {
    use crate::domain::ballot::{CastVote, ProxyEntry};
    let vote = CastVote {
        juror_id: pending.voter_id.clone(),
        option: choice,
        key: pending.key.clone(),
        seq: 0,
    };
    let proxy = ProxyEntry {
        entered_by: pending.requested_by.clone(),
        reason: pending.reason.clone(),
    };
    let (seq, committed) = crate::sitting::decide_in_turn(
        state,
        &pending.hearing_id,
        async move |_, room| {
            Ok((
                decide_vote(room, &pending.ballot_id, vote, Some(proxy))?,
                (),
            ))
        },
        async |tx, _, ()| {
            // Gone since we read it: the host replaced the entry, so the member
            // confirmed what is no longer entered; the vote rolls back with it.
            if crate::db::proxy::remove_in(tx, &pending.id).await? {
                Ok(())
            } else {
                Err(ApiError::ProxyNotFound)
            }
        },
    )
    .await?;
    if !committed {
        // Counted already under the entry's key (a confirmation of the same
        // entry took the turn first): the entry is done, not refused as a
        // replay, and removing it again changes nothing.
        crate::db::proxy::remove(&state.db, &pending.id).await?;
    }
    Ok(ProxyConfirmed {
        seq,
        already_counted: !committed,
    })
}

#[cfg(feature = "ssr")]
async fn commit_vote(
    state: &crate::state::AppState,
    hearing_id: &str,
    ballot_id: &str,
    voter_id: &str,
    option: usize,
    key: String,
) -> Result<VoteAck, ApiError> {
    use crate::domain::ballot::CastVote;
    let vote = CastVote {
        juror_id: voter_id.to_owned(),
        option,
        key,
        seq: 0,
    };
    let ballot_id = ballot_id.to_owned();
    let (seq, committed) = crate::sitting::decide_grouped(state, hearing_id, move |room| {
        decide_vote(room, &ballot_id, vote, None)
    })
    .await?;
    Ok(VoteAck {
        seq,
        option,
        already_counted: !committed,
    })
}

/// A vote decided against the room as committed: the event to record, or the
/// seq of the same vote already counted.
#[cfg(feature = "ssr")]
fn decide_vote(
    room: &crate::domain::room::RoomState,
    ballot_id: &str,
    vote: crate::domain::ballot::CastVote,
    proxy: Option<crate::domain::ballot::ProxyEntry>,
) -> Result<crate::sitting::Decision<u64>, ApiError> {
    use crate::domain::EventPayload;
    use crate::domain::ballot::VoteDecision;
    use crate::sitting::Decision;
    let ballot = ballot_in(room, ballot_id)?;
    Ok(match ballot.decide_vote(&vote).map_err(refused)? {
        VoteDecision::AlreadyCounted { seq } => Decision::Answer(seq),
        VoteDecision::Record => Decision::Commit(EventPayload::VoteCast {
            ballot_id: ballot_id.to_owned(),
            voter: vote.juror_id,
            option: vote.option,
            key: vote.key,
            sealed: ballot.spec.sealed(),
            proxy,
            salt: crate::db::new_salt(),
        }),
    })
}

/// 评议意见 / 少数意见: the asker's written reasons on a ballot (replacing their
/// earlier ones), while it is open or after its close. Returns the committed
/// seq — or 0 in a secret ballot still open: there the opinion is held by the
/// server (off the log) and published with the others at the close, in an
/// order that says nothing of who wrote it or when.
#[server(prefix = "/rpc", endpoint = "give_ballot_opinion")]
pub async fn give_ballot_opinion(
    hearing_id: String,
    ballot_id: String,
    text: String,
    minority: bool,
) -> Result<u64, ApiError> {
    use crate::domain::EventPayload;
    use crate::domain::access::Action;
    use crate::domain::ballot::{BallotMode, HeldOpinion};
    guard::answer(
        async {
            let (state, actor, name) = guard::require(Action::CastVote, Some(&hearing_id)).await?;
            let seqs = crate::sitting::decide_events_in_turn(
                &state,
                &hearing_id,
                async |_, room| {
                    let ballot = ballot_in(room, &ballot_id)?;
                    let text = ballot
                        .check_opinion(&actor.account_id, &text)
                        .map_err(refused)?;
                    if ballot.holds_opinions() {
                        // Decided under the turn, so a close cannot slip in
                        // between and leave this opinion held for ever.
                        let held = HeldOpinion {
                            voter_id: actor.account_id.clone(),
                            name: name.clone(),
                            text,
                            minority,
                        };
                        return Ok((Vec::new(), Some(held)));
                    }
                    let opinion_id = ballot
                        .opinions
                        .iter()
                        .find(|o| o.voter_id == actor.account_id)
                        .map_or_else(crate::db::new_salt, |o| o.opinion_id.clone());
                    let event = EventPayload::OpinionGiven {
                        ballot_id: ballot_id.clone(),
                        opinion_id,
                        voter_id: actor.account_id.clone(),
                        name: name.clone(),
                        text,
                        minority,
                        anonymous: ballot.spec.mode == BallotMode::Secret,
                        salt: crate::db::new_salt(),
                    };
                    Ok((vec![event], None))
                },
                async |tx, _, held: Option<HeldOpinion>| {
                    if let Some(held) = held {
                        crate::db::proxy::hold_opinion_in(tx, &hearing_id, &ballot_id, &held)
                            .await?;
                    }
                    Ok(())
                },
            )
            .await?;
            Ok(seqs.first().copied().unwrap_or(0))
        }
        .await,
    )
}

/// 结束表决: counts by the one tally and announces the result to the panel; in
/// a secret ballot the opinions held while it was open are published in the
/// same commit. Parties and the public learn the result at 宣布评议意见.
#[server(prefix = "/rpc", endpoint = "close_ballot")]
pub async fn close_ballot(hearing_id: String, ballot_id: String) -> Result<u64, ApiError> {
    use crate::domain::EventPayload;
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, _, by) = guard::require(Action::RunBallot, Some(&hearing_id)).await?;
            let seqs = crate::sitting::decide_events_in_turn(
                &state,
                &hearing_id,
                async |tx, room| {
                    let ballot = ballot_in(room, &ballot_id)?;
                    let (result, named) = ballot.closing().map_err(refused)?;
                    let held =
                        crate::db::proxy::held_opinions_in(tx, &hearing_id, &ballot_id).await?;
                    let mut events = vec![EventPayload::BallotClosed {
                        ballot_id: ballot_id.clone(),
                        result,
                        named,
                        by,
                        salt: crate::db::new_salt(),
                    }];
                    // Random ids (not time-ordered ones) and the domain's order.
                    for (opinion_id, held) in ballot.release_held(held, crate::db::new_salt) {
                        events.push(EventPayload::OpinionGiven {
                            ballot_id: ballot_id.clone(),
                            opinion_id,
                            voter_id: held.voter_id,
                            name: held.name,
                            text: held.text,
                            minority: held.minority,
                            anonymous: true,
                            salt: crate::db::new_salt(),
                        });
                    }
                    Ok((events, ()))
                },
                async |tx, _, ()| {
                    crate::db::proxy::release_held_in(tx, &hearing_id, &ballot_id).await?;
                    Ok(())
                },
            )
            .await?;
            seqs.first().copied().ok_or(ApiError::Internal)
        }
        .await,
    )
}

/// The asker's own choices and opinions (a seated member): what their screen
/// shows as "您已投：…", even in a secret ballot.
#[server(prefix = "/rpc", endpoint = "my_ballots")]
pub async fn my_ballots(hearing_id: String) -> Result<Vec<MyBallot>, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, actor, _) = guard::require(Action::CastVote, Some(&hearing_id)).await?;
            let room = folded_room(&state, &hearing_id).await?;
            // A secret ballot's opinion waiting for the close is the member's own.
            let held = crate::db::proxy::held_opinion_of(&state.db, &hearing_id, &actor.account_id)
                .await?;
            Ok(room
                .ballots
                .iter()
                .map(|b| MyBallot {
                    ballot_id: b.spec.ballot_id.clone(),
                    choice: b.choice_of(&actor.account_id),
                    opinion: held
                        .iter()
                        .find(|(ballot, _)| *ballot == b.spec.ballot_id)
                        .map(|(_, h)| (h.text.clone(), h.minority))
                        .or_else(|| {
                            b.opinions
                                .iter()
                                .find(|o| o.voter_id == actor.account_id)
                                .map(|o| (o.text.clone(), o.minority))
                        }),
                })
                .collect())
        }
        .await,
    )
}
