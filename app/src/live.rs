//! In-process fan-out of committed events to the hearing's open sockets (server only).
//!
//! Only committed events enter the hub ([`crate::state::AppState::commit_event`]);
//! a socket that lags behind the channel falls back to reading the log, so the hub
//! may drop messages but never invents or reorders them.

use crate::domain::HearingEvent;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::broadcast;

/// Per-hearing buffer; a client further behind re-reads from the database.
const CHANNEL_CAPACITY: usize = 256;

#[derive(Clone, Default)]
pub struct Hub {
    channels: Arc<Mutex<HashMap<String, broadcast::Sender<Arc<HearingEvent>>>>>,
}

impl Hub {
    pub fn subscribe(&self, hearing_id: &str) -> broadcast::Receiver<Arc<HearingEvent>> {
        let mut channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        channels
            .entry(hearing_id.to_owned())
            .or_insert_with(|| broadcast::channel(CHANNEL_CAPACITY).0)
            .subscribe()
    }

    /// Sends a committed event to everyone watching its hearing.
    pub fn publish(&self, event: HearingEvent) {
        let mut channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(sender) = channels.get(&event.hearing_id) {
            let hearing_id = event.hearing_id.clone();
            if sender.send(Arc::new(event)).is_err() {
                // Nobody is watching any more: forget the channel.
                channels.remove(&hearing_id);
            }
        }
    }
}

/// Tells open live sessions that an account's access changed (roles, disabled,
/// password), so that they re-check at once instead of at the next request.
#[derive(Clone)]
pub struct AccessFeed {
    sender: broadcast::Sender<String>,
}

impl Default for AccessFeed {
    fn default() -> Self {
        AccessFeed {
            sender: broadcast::channel(CHANNEL_CAPACITY).0,
        }
    }
}

impl AccessFeed {
    /// `account_id`'s access changed; nobody listening is fine.
    pub fn changed(&self, account_id: &str) {
        let _ = self.sender.send(account_id.to_owned());
    }

    pub fn subscribe(&self) -> broadcast::Receiver<String> {
        self.sender.subscribe()
    }
}
