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
    /// The address people reach this server at (`PINGYI_PUBLIC_URL`); `None`:
    /// see [`AppState::public_base`].
    pub public_url: Option<String>,
    /// The address the server listens on.
    pub listen_addr: std::net::SocketAddr,
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
    /// The one rule for every address the platform hands out — invitation links,
    /// the verification address printed and QR-coded on signed minutes, calendar
    /// links: the configured public URL; else the address the asking browser
    /// used (its Host); else the address the server listens on.
    pub fn public_base(&self) -> String {
        if let Some(url) = &self.public_url {
            return url.trim().trim_end_matches('/').to_owned();
        }
        let host = leptos::prelude::use_context::<http::request::Parts>().and_then(|p| {
            p.headers
                .get(http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_owned)
        });
        format!(
            "http://{}",
            host.unwrap_or_else(|| self.listen_addr.to_string())
        )
    }

    /// Whether `base` would send people to this machine itself (localhost,
    /// 127.x, ::1, or an unspecified address) while the server listens beyond
    /// loopback: such an address printed on a document reaches nobody else.
    pub fn base_unreachable_from_outside(&self, base: &str) -> bool {
        let reachable_only_here = self.listen_addr.ip().is_loopback();
        !reachable_only_here && address_is_local(base)
    }

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

/// Whether a base URL names this machine (or no machine at all).
pub fn address_is_local(base: &str) -> bool {
    let rest = base.split_once("://").map_or(base, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    if host.eq_ignore_ascii_case("localhost") || host.is_empty() {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified())
}

#[cfg(test)]
mod tests {
    use super::address_is_local;

    #[test]
    fn local_addresses_are_recognised() {
        for local in [
            "http://127.0.0.1:3000",
            "http://localhost:3000/",
            "http://[::1]:8080",
            "http://0.0.0.0:3000",
            "http://127.8.9.1",
        ] {
            assert!(address_is_local(local), "{local}");
        }
        for outside in [
            "https://pingyi.haining.gov.cn",
            "http://192.168.1.20:3000",
            "http://[2001:db8::1]:3000",
        ] {
            assert!(!address_is_local(outside), "{outside}");
        }
    }
}
