//! The hearing while it sits (server only): every step is decided against the
//! room as it stands — `fold(events)` read under the hearing's write turn — then
//! committed as an event and published after the commit.

use crate::db::{self, DbError};
use crate::domain::EventPayload;
use crate::domain::room::RoomState;
use crate::error::ApiError;
use crate::state::AppState;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// What a decision asks for.
pub enum Decision<T> {
    /// Commit this event; the caller gets its seq.
    Commit(EventPayload),
    /// Nothing to commit (e.g. a retried vote already counted): answer this.
    Answer(T),
}

/// Folds the hearing's log under its write turn, lets `decide` choose the event
/// (or refuse), commits it and tells the room. Returns the committed seq.
pub async fn decide_and_commit(
    state: &AppState,
    hearing_id: &str,
    decide: impl FnOnce(&RoomState) -> Result<EventPayload, ApiError>,
) -> Result<u64, ApiError> {
    decide_or_answer(state, hearing_id, |room| decide(room).map(Decision::Commit))
        .await
        .map(|(seq, _)| seq)
}

/// Like [`decide_and_commit`], but `decide` may also answer without committing.
/// Returns the committed seq (or `Answer`'s value) and whether it was committed.
pub async fn decide_or_answer(
    state: &AppState,
    hearing_id: &str,
    decide: impl FnOnce(&RoomState) -> Result<Decision<u64>, ApiError>,
) -> Result<(u64, bool), ApiError> {
    decide_with(state, hearing_id, async |_| Ok(()), |room, ()| decide(room)).await
}

/// Like [`decide_or_answer`], with `read` run first under the same write turn
/// for what the decision needs beyond the log (e.g. who holds a seat now).
pub async fn decide_with<T>(
    state: &AppState,
    hearing_id: &str,
    read: impl AsyncFnOnce(&mut sqlx::AnyConnection) -> Result<T, ApiError>,
    decide: impl FnOnce(&RoomState, T) -> Result<Decision<u64>, ApiError>,
) -> Result<(u64, bool), ApiError> {
    decide_in_turn(
        state,
        hearing_id,
        async |tx, room| {
            let extra = read(tx).await?;
            Ok((decide(room, extra)?, ()))
        },
        async |_, _, ()| Ok(()),
    )
    .await
}

/// The one write turn every decision takes: fold under the turn, let `decide`
/// (which may read and do slow work, e.g. render the minutes) choose the event,
/// append it, let `after` write what goes with it in the same transaction,
/// commit, and only then tell the room. A refusal or any error rolls back.
pub async fn decide_in_turn<T>(
    state: &AppState,
    hearing_id: &str,
    decide: impl AsyncFnOnce(
        &mut sqlx::AnyConnection,
        &RoomState,
    ) -> Result<(Decision<u64>, T), ApiError>,
    after: impl AsyncFnOnce(
        &mut sqlx::AnyConnection,
        &crate::domain::HearingEvent,
        T,
    ) -> Result<(), ApiError>,
) -> Result<(u64, bool), ApiError> {
    let outcome = turn(
        state,
        hearing_id,
        async |tx, room| {
            let (decision, extra) = decide(tx, room).await?;
            let plan = match decision {
                Decision::Commit(payload) => Plan::Append(vec![payload]),
                Decision::Answer(seq) => Plan::Answer(seq),
            };
            Ok((plan, extra))
        },
        async |tx, events: &[crate::domain::HearingEvent], extra| {
            after(tx, &events[0], extra).await
        },
    )
    .await?;
    Ok(match outcome {
        Ok(events) => (events[0].seq, true),
        Err(seq) => (seq, false),
    })
}

/// Several events decided together against the room (e.g. a pasted record, one
/// line each), committed in one transaction, then told to the room in order.
/// Returns their seqs.
pub async fn decide_all(
    state: &AppState,
    hearing_id: &str,
    decide: impl FnOnce(&RoomState) -> Result<Vec<EventPayload>, ApiError>,
) -> Result<Vec<u64>, ApiError> {
    let outcome = turn(
        state,
        hearing_id,
        async |_, room| Ok((Plan::Append(decide(room)?), ())),
        async |_, _, ()| Ok(()),
    )
    .await?;
    Ok(outcome
        .map(|events| events.iter().map(|e| e.seq).collect())
        .unwrap_or_default())
}

/// Several events decided together in one write turn, with reads and writes
/// of other rows in the same transaction (e.g. a ballot's close and the secret
/// opinions it publishes, whose held rows it deletes). Returns their seqs.
pub async fn decide_events_in_turn<T>(
    state: &AppState,
    hearing_id: &str,
    decide: impl AsyncFnOnce(
        &mut sqlx::AnyConnection,
        &RoomState,
    ) -> Result<(Vec<EventPayload>, T), ApiError>,
    after: impl AsyncFnOnce(
        &mut sqlx::AnyConnection,
        &[crate::domain::HearingEvent],
        T,
    ) -> Result<(), ApiError>,
) -> Result<Vec<u64>, ApiError> {
    let outcome = turn(
        state,
        hearing_id,
        async |tx, room| {
            let (payloads, extra) = decide(tx, room).await?;
            Ok((Plan::Append(payloads), extra))
        },
        after,
    )
    .await?;
    Ok(outcome
        .map(|events| events.iter().map(|e| e.seq).collect())
        .unwrap_or_default())
}

/// What a turn writes: these events, or nothing and this answer.
enum Plan {
    Append(Vec<EventPayload>),
    Answer(u64),
}

/// The write turn itself: the events committed (`Ok`), or the answer given
/// without writing (`Err(seq)`).
async fn turn<T>(
    state: &AppState,
    hearing_id: &str,
    decide: impl AsyncFnOnce(&mut sqlx::AnyConnection, &RoomState) -> Result<(Plan, T), ApiError>,
    after: impl AsyncFnOnce(
        &mut sqlx::AnyConnection,
        &[crate::domain::HearingEvent],
        T,
    ) -> Result<(), ApiError>,
) -> Result<Result<Vec<crate::domain::HearingEvent>, u64>, ApiError> {
    let mut tx = state.db.begin_write().await?;
    if !db::pool::lock_hearing(&mut tx, hearing_id).await? {
        return Err(ApiError::HearingNotFound);
    }
    let mut room = state.rooms.catch_up(&mut tx, hearing_id).await?;
    let (payloads, extra) = match decide(&mut tx, &room).await {
        Ok((Plan::Append(payloads), extra)) if !payloads.is_empty() => (payloads, extra),
        // No event: whatever `after` writes beside the log (e.g. a secret
        // opinion held until the close) still commits under the turn.
        Ok((Plan::Append(_), extra)) => {
            if let Err(e) = after(&mut tx, &[], extra).await {
                let _ = tx.rollback().await;
                return Err(e);
            }
            tx.commit().await.map_err(DbError::from)?;
            state.rooms.keep(hearing_id, room);
            return Ok(Ok(Vec::new()));
        }
        Ok((Plan::Answer(seq), _)) => {
            tx.rollback().await.map_err(DbError::from)?;
            state.rooms.keep(hearing_id, room);
            return Ok(Err(seq));
        }
        Err(refused) => {
            tx.rollback().await.map_err(DbError::from)?;
            state.rooms.keep(hearing_id, room);
            return Err(refused);
        }
    };
    // A failure from here on rolls back before the turn is given up, so the
    // next writer never waits behind a rollback still queued on the connection.
    let appended = async {
        let mut events = Vec::with_capacity(payloads.len());
        for payload in &payloads {
            let event = db::events::append_in(&mut tx, hearing_id, payload)
                .await?
                .ok_or(ApiError::HearingNotFound)?;
            events.push(event);
        }
        after(&mut tx, &events, extra).await?;
        Ok::<_, ApiError>(events)
    }
    .await;
    let events = match appended {
        Ok(events) => events,
        Err(e) => {
            let _ = tx.rollback().await;
            return Err(e);
        }
    };
    tx.commit().await.map_err(DbError::from)?;
    // Only now are the events part of the log: the cache and the room learn of them.
    if events.iter().all(|event| room.apply(event).is_ok()) {
        state.rooms.keep(hearing_id, room);
    }
    state.publish_all(events.clone());
    Ok(Ok(events))
}

/// A decision waiting for its hearing's next group commit, with where to answer.
type Job = (
    Box<dyn FnOnce(&RoomState) -> Result<Decision<u64>, ApiError> + Send>,
    tokio::sync::oneshot::Sender<Result<(u64, bool), ApiError>>,
);

/// Group commit: decisions of one hearing that arrive while a commit is under
/// way are decided one after another against the room and committed together
/// (one fsync for many votes), each answered only after that commit.
#[derive(Clone, Default)]
pub struct GroupCommits {
    queues: Arc<Mutex<HashMap<String, Vec<Job>>>>,
}

impl GroupCommits {
    /// Queues a job; `true` when the queue was empty (the caller starts a group).
    fn push(&self, hearing_id: &str, job: Job) -> bool {
        let mut queues = self.queues.lock().unwrap_or_else(PoisonError::into_inner);
        let queue = queues.entry(hearing_id.to_owned()).or_default();
        queue.push(job);
        queue.len() == 1
    }

    fn take(&self, hearing_id: &str) -> Vec<Job> {
        self.queues
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(hearing_id)
            .unwrap_or_default()
    }
}

/// Like [`decide_or_answer`], committed in a group with the hearing's other
/// decisions pending at the same moment (votes of a whole panel at once).
pub async fn decide_grouped(
    state: &AppState,
    hearing_id: &str,
    decide: impl FnOnce(&RoomState) -> Result<Decision<u64>, ApiError> + Send + 'static,
) -> Result<(u64, bool), ApiError> {
    let (reply, answer) = tokio::sync::oneshot::channel();
    if state.groups.push(hearing_id, (Box::new(decide), reply)) {
        // Its own task: a client that hangs up must not strand the others' votes.
        let (state, hearing_id) = (state.clone(), hearing_id.to_owned());
        tokio::spawn(async move { commit_group(&state, &hearing_id).await });
    }
    answer.await.map_err(|_| {
        tracing::error!(hearing = %hearing_id, "group commit ended without an answer");
        ApiError::Internal
    })?
}

async fn commit_group(state: &AppState, hearing_id: &str) {
    let mut tx = match state.db.begin_write().await {
        Ok(tx) => tx,
        Err(e) => return fail(state.groups.take(hearing_id), &ApiError::from(e)),
    };
    // The hearing's lock is the turn on PostgreSQL (BEGIN there takes none).
    let locked = db::pool::lock_hearing(&mut tx, hearing_id).await;
    // Everyone who queued while we waited for the turn joins this commit.
    let jobs = state.groups.take(hearing_id);
    let refusal = match locked {
        Ok(true) => None,
        Ok(false) => Some(ApiError::HearingNotFound),
        Err(e) => Some(ApiError::from(e)),
    };
    if let Some(error) = refusal {
        let _ = tx.rollback().await;
        return fail(jobs, &error);
    }
    match decide_group(state, &mut tx, hearing_id, jobs).await {
        Ok((room, events, answers)) => {
            if let Err(e) = tx.commit().await {
                let error = ApiError::from(DbError::from(e));
                return fail(answers.into_iter().map(|(reply, _)| reply), &error);
            }
            state.rooms.keep(hearing_id, room);
            state.publish_all(events);
            for (reply, outcome) in answers {
                let _ = reply.send(outcome);
            }
        }
        Err((replies, error)) => {
            let _ = tx.rollback().await;
            fail(replies, &error);
        }
    }
}

type Answers = Vec<(
    tokio::sync::oneshot::Sender<Result<(u64, bool), ApiError>>,
    Result<(u64, bool), ApiError>,
)>;

/// Decides and appends each job in order (under the hearing's lock), the room
/// following each event. A
/// storage error fails the whole group (rolled back; clients retry with their
/// idempotency keys). Nothing is answered here: only after the commit.
async fn decide_group(
    state: &AppState,
    tx: &mut sqlx::AnyConnection,
    hearing_id: &str,
    jobs: Vec<Job>,
) -> Result<
    (RoomState, Vec<crate::domain::HearingEvent>, Answers),
    (
        Vec<tokio::sync::oneshot::Sender<Result<(u64, bool), ApiError>>>,
        ApiError,
    ),
> {
    let (decisions, replies): (Vec<_>, Vec<_>) = jobs.into_iter().unzip();
    let mut room = match state.rooms.catch_up(tx, hearing_id).await {
        Ok(room) => room,
        Err(e) => return Err((replies, e)),
    };
    let mut events = Vec::new();
    let mut outcomes = Vec::with_capacity(decisions.len());
    for decide in decisions {
        let outcome = match decide(&room) {
            Ok(Decision::Answer(seq)) => Ok((seq, false)),
            Err(refused) => Err(refused),
            Ok(Decision::Commit(payload)) => {
                match db::events::append_in(tx, hearing_id, &payload).await {
                    Ok(Some(event)) => {
                        let seq = event.seq;
                        if room.apply(&event).is_err() {
                            return Err((replies, ApiError::Internal));
                        }
                        events.push(event);
                        Ok((seq, true))
                    }
                    Ok(None) => Err(ApiError::HearingNotFound),
                    Err(e) => return Err((replies, ApiError::from(e))),
                }
            }
        };
        outcomes.push(outcome);
    }
    Ok((room, events, replies.into_iter().zip(outcomes).collect()))
}

fn fail(replies: impl IntoIterator<Item = impl Into<Reply>>, error: &ApiError) {
    for reply in replies {
        let _ = reply.into().0.send(Err(error.clone()));
    }
}

/// Where a job is answered (a queued job, or one already decided).
struct Reply(tokio::sync::oneshot::Sender<Result<(u64, bool), ApiError>>);

impl From<Job> for Reply {
    fn from((_, reply): Job) -> Self {
        Reply(reply)
    }
}

impl From<tokio::sync::oneshot::Sender<Result<(u64, bool), ApiError>>> for Reply {
    fn from(reply: tokio::sync::oneshot::Sender<Result<(u64, bool), ApiError>>) -> Self {
        Reply(reply)
    }
}

/// The folded room of recently active hearings, so that a decision reads only the
/// events committed since (by this instance or another) instead of the whole log.
/// Entries are taken out while a write turn uses them and put back after: a failed
/// turn simply leaves the hearing to be folded afresh next time.
#[derive(Clone, Default)]
pub struct RoomCache {
    rooms: Arc<Mutex<HashMap<String, RoomState>>>,
}

/// More hearings than sit at once in any office; beyond it the cache starts over.
const MAX_CACHED_ROOMS: usize = 256;

impl RoomCache {
    /// The room as committed, read under the caller's write turn.
    async fn catch_up(
        &self,
        tx: &mut sqlx::AnyConnection,
        hearing_id: &str,
    ) -> Result<RoomState, ApiError> {
        let cached = self
            .rooms
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(hearing_id);
        let mut room = cached.unwrap_or_default();
        let tail = db::events::since_in(tx, hearing_id, room.last_seq).await?;
        for event in &tail {
            if let Err(e) = room.apply(event) {
                tracing::error!(error = %e, hearing = %hearing_id, "hearing log does not fold");
                return Err(ApiError::Internal);
            }
        }
        Ok(room)
    }

    fn keep(&self, hearing_id: &str, room: RoomState) {
        let mut rooms = self.rooms.lock().unwrap_or_else(PoisonError::into_inner);
        if rooms.len() >= MAX_CACHED_ROOMS {
            rooms.clear();
        }
        rooms.insert(hearing_id.to_owned(), room);
    }
}
