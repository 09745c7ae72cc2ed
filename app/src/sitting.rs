//! The hearing while it sits (server only): every step is decided against the
//! room as it stands — `fold(events)` read under the hearing's write turn — then
//! committed as an event and published after the commit.

use crate::db::{self, DbError};
use crate::domain::room::RoomState;
use crate::domain::{EventPayload, fold};
use crate::error::ApiError;
use crate::state::AppState;

/// Folds the hearing's log under its write turn, lets `decide` choose the event
/// (or refuse), commits it and tells the room. Returns the committed seq.
pub async fn decide_and_commit(
    state: &AppState,
    hearing_id: &str,
    decide: impl FnOnce(&RoomState) -> Result<EventPayload, ApiError>,
) -> Result<u64, ApiError> {
    let mut tx = state.db.begin().await?;
    if !db::pool::lock_hearing(&mut tx, hearing_id).await? {
        return Err(ApiError::HearingNotFound);
    }
    let events = db::events::all_in(&mut tx, hearing_id).await?;
    let room = fold(&events).map_err(|e| {
        tracing::error!(error = %e, hearing = %hearing_id, "hearing log does not fold");
        ApiError::Internal
    })?;
    let payload = decide(&room)?;
    let event = db::events::append_in(&mut tx, hearing_id, &payload)
        .await?
        .ok_or(ApiError::HearingNotFound)?;
    tx.commit().await.map_err(DbError::from)?;
    let seq = event.seq;
    state.publish_all(vec![event]);
    Ok(seq)
}
