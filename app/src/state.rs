//! What every request handler and server function shares (server only).

use crate::db::{self, Db, DbError};
use crate::domain::{EventPayload, HearingEvent};
use crate::live::Hub;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;

#[derive(Clone)]
pub struct AppState {
    pub leptos: LeptosOptions,
    pub db: Db,
    pub hub: Hub,
    pub login_limits: crate::auth::LoginLimits,
    pub access: crate::live::AccessFeed,
    /// Where evidence files are stored and what is accepted.
    pub evidence: crate::evidence::Evidence,
    /// The address people reach this server at (for invitation links); `None`:
    /// taken from the request's Host header.
    pub public_url: Option<String>,
    /// Folded rooms of active hearings (see [`crate::sitting::RoomCache`]).
    pub rooms: crate::sitting::RoomCache,
    /// Decisions waiting for their hearing's next group commit (votes).
    pub groups: crate::sitting::GroupCommits,
    /// Renders and signs the minutes (the server's fonts and key).
    pub press: std::sync::Arc<dyn crate::minutes::MinutesPress>,
    /// The office's name, printed in the minutes' header.
    pub office_name: String,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

impl AppState {
    /// The one way an event enters a hearing: commit first, then tell the room.
    /// `None` when the hearing does not exist.
    pub async fn commit_event(
        &self,
        hearing_id: &str,
        payload: &EventPayload,
    ) -> Result<Option<HearingEvent>, DbError> {
        let event = db::events::append(&self.db, hearing_id, payload).await?;
        if let Some(event) = &event {
            self.hub.publish(event.clone());
        }
        Ok(event)
    }

    /// Tells the rooms about events already committed, in order.
    pub fn publish_all(&self, events: Vec<HearingEvent>) {
        for event in events {
            self.hub.publish(event);
        }
    }

    /// Changes a hearing's plan (the pages and `/api/v1` both come here): the
    /// change and its room event commit together, then the room is told.
    pub async fn change_hearing(
        &self,
        by: &crate::model::Changer,
        hearing_id: &str,
        expected_version: i64,
        request: crate::domain::schedule::PlanRequest,
        reason: Option<&str>,
        clock: crate::scheduling::OfficeClock,
    ) -> Result<crate::model::HearingRecord, crate::error::ApiError> {
        let (record, event) = crate::scheduling::change_hearing(
            &self.db,
            by,
            hearing_id,
            expected_version,
            request,
            reason,
            clock,
        )
        .await?;
        if let Some(event) = event {
            self.hub.publish(event);
        }
        Ok(record)
    }
}
