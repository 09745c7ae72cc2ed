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
    let mut tx = state.db.begin_write().await?;
    if !db::pool::lock_hearing(&mut tx, hearing_id).await? {
        return Err(ApiError::HearingNotFound);
    }
    let mut room = state.rooms.catch_up(&mut tx, hearing_id).await?;
    let (payload, extra) = match decide(&mut tx, &room).await {
        Ok((Decision::Commit(payload), extra)) => (payload, extra),
        // Nothing to write: end the turn at once (the gate opens after the rollback).
        Ok((Decision::Answer(seq), _)) => {
            tx.rollback().await.map_err(DbError::from)?;
            state.rooms.keep(hearing_id, room);
            return Ok((seq, false));
        }
        Err(refused) => {
            tx.rollback().await.map_err(DbError::from)?;
            state.rooms.keep(hearing_id, room);
            return Err(refused);
        }
    };
    let event = db::events::append_in(&mut tx, hearing_id, &payload)
        .await?
        .ok_or(ApiError::HearingNotFound)?;
    after(&mut tx, &event, extra).await?;
    tx.commit().await.map_err(DbError::from)?;
    // Only now is the event part of the log: the cache and the room learn of it.
    if room.apply(&event).is_ok() {
        state.rooms.keep(hearing_id, room);
    }
    let seq = event.seq;
    state.publish_all(vec![event]);
    Ok((seq, true))
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
