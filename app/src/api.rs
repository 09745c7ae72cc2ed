//! Server functions: thin edges that validate, call the domain and the database,
//! and map errors to [`ApiError`]. Paths are fixed (`/rpc/…`) so that other
//! clients and the tests can call them; see docs/api.md.

use crate::error::ApiError;
use crate::model::{HearingSummary, RoomSnapshot};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn state() -> Result<crate::state::AppState, ApiError> {
    use_context::<crate::state::AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server-function context");
        ApiError::Internal
    })
}

/// Sets the HTTP status that matches a failure, so plain HTTP clients can tell a
/// refusal (4xx) from a fault (5xx) without reading the body.
#[cfg(feature = "ssr")]
fn answer<T>(result: Result<T, ApiError>) -> Result<T, ApiError> {
    if let Err(e) = &result {
        if let (Some(response), Ok(status)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            http::StatusCode::from_u16(e.status()),
        ) {
            response.set_status(status);
        }
    }
    result
}

#[server(prefix = "/rpc", endpoint = "list_hearings")]
pub async fn list_hearings() -> Result<Vec<HearingSummary>, ApiError> {
    answer(async { Ok(crate::db::hearings::list(&state()?.db).await?) }.await)
}

#[server(prefix = "/rpc", endpoint = "load_room")]
pub async fn load_room(hearing_id: String) -> Result<RoomSnapshot, ApiError> {
    answer(
        async {
            let state = state()?;
            let hearing = crate::db::hearings::get(&state.db, &hearing_id)
                .await?
                .ok_or(ApiError::HearingNotFound)?;
            let events = crate::db::events::all(&state.db, &hearing_id).await?;
            Ok(RoomSnapshot { hearing, events })
        }
        .await,
    )
}

/// 记入笔录: the clerk adds a line to the live record. Returns the committed seq.
#[server(prefix = "/rpc", endpoint = "record_note")]
pub async fn record_note(hearing_id: String, text: String) -> Result<u64, ApiError> {
    use crate::domain::{EventPayload, RecordText};
    answer(
        async {
            let text = RecordText::parse(&text)?;
            let payload = EventPayload::RecordEntered {
                // Until accounts exist (#3) every entry is the clerk's.
                author: "记录员".to_owned(),
                text: text.into_inner(),
            };
            let event = state()?
                .commit_event(&hearing_id, &payload)
                .await?
                .ok_or(ApiError::HearingNotFound)?;
            Ok(event.seq)
        }
        .await,
    )
}
