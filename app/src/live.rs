//! In-process fan-out of committed events to the hearing's open sockets (server only).
//!
//! Only committed events enter the hub ([`crate::state::AppState::commit_event`]);
//! a socket that lags behind the channel falls back to reading the log, so the hub
//! may drop messages but never invents or reorders them.

use crate::domain::HearingEvent;
use axum::extract::ws::Utf8Bytes;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::broadcast;

/// Per-hearing buffer; a client further behind re-reads from the database.
const CHANNEL_CAPACITY: usize = 256;

#[derive(Clone, Default)]
pub struct Hub {
    channels: Arc<Mutex<HashMap<String, Channel>>>,
}

/// A committed event on its way to the sockets: serialized once per audience,
/// and the bytes shared by every socket that sends it.
pub struct LiveEvent {
    pub event: HearingEvent,
    whole: std::sync::OnceLock<Utf8Bytes>,
    withheld: std::sync::OnceLock<Utf8Bytes>,
}

impl LiveEvent {
    pub fn new(event: HearingEvent) -> Self {
        LiveEvent {
            event,
            whole: std::sync::OnceLock::new(),
            withheld: std::sync::OnceLock::new(),
        }
    }

    /// The `event` frame as this receiver may see it (docs/live-protocol.md).
    pub fn frame(&self, sees_panel: bool) -> Utf8Bytes {
        let cell = if sees_panel
            || self.event.payload.audience() == crate::domain::sitting::Audience::Everyone
        {
            &self.whole
        } else {
            &self.withheld
        };
        cell.get_or_init(|| event_frame(&self.event, sees_panel))
            .clone()
    }
}

/// The JSON text of an `event` frame.
pub fn event_frame(event: &HearingEvent, sees_panel: bool) -> Utf8Bytes {
    let frame = crate::protocol::ServerFrame::Event {
        event: event.seen_by(sees_panel).into_owned(),
    };
    // Serializing our own plain data cannot fail; an empty frame would be refused
    // by the client's parser, never misread.
    Utf8Bytes::from(serde_json::to_string(&frame).unwrap_or_default())
}

struct Channel {
    sender: broadcast::Sender<Arc<LiveEvent>>,
    /// The highest seq published: an event heard twice (committed here and
    /// announced by the database) goes out once.
    last_seq: u64,
}

impl Hub {
    pub fn subscribe(&self, hearing_id: &str) -> broadcast::Receiver<Arc<LiveEvent>> {
        let mut channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        channels
            .entry(hearing_id.to_owned())
            .or_insert_with(|| Channel {
                sender: broadcast::channel(CHANNEL_CAPACITY).0,
                last_seq: 0,
            })
            .sender
            .subscribe()
    }

    /// Whether any socket of this instance follows the hearing.
    pub fn is_watched(&self, hearing_id: &str) -> bool {
        let channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        channels.contains_key(hearing_id)
    }

    /// Each watched hearing with the highest seq this instance published.
    pub fn watched_heads(&self) -> Vec<(String, u64)> {
        let channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        channels
            .iter()
            .map(|(id, channel)| (id.clone(), channel.last_seq))
            .collect()
    }

    /// Sends a committed event to everyone watching its hearing. An event no
    /// newer than the last one sent is dropped: sockets that miss an older one
    /// notice the gap at the next event and read the log.
    pub fn publish(&self, event: HearingEvent) {
        let mut channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(channel) = channels.get_mut(&event.hearing_id) {
            if event.seq <= channel.last_seq {
                return;
            }
            channel.last_seq = event.seq;
            let hearing_id = event.hearing_id.clone();
            if channel
                .sender
                .send(Arc::new(LiveEvent::new(event)))
                .is_err()
            {
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

/// The PostgreSQL channel on which committed events are announced to every instance.
pub const NOTIFY_CHANNEL: &str = "pingyi_events";

/// "An event was committed": which hearing, which seq. The event itself is read
/// from the log, so the bus carries no content and no secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wakeup {
    pub hearing_id: String,
    pub seq: u64,
}

impl Wakeup {
    /// "hearing_id seq"
    pub fn encode(hearing_id: &str, seq: u64) -> String {
        format!("{hearing_id} {seq}")
    }

    pub fn decode(payload: &str) -> Option<Wakeup> {
        let (hearing_id, seq) = payload.split_once(' ')?;
        Some(Wakeup {
            hearing_id: hearing_id.to_owned(),
            seq: seq.parse().ok()?,
        })
    }
}

/// Where wake-ups from other instances come from: PostgreSQL LISTEN today; a
/// NATS subject could implement the same.
pub trait Bus {
    /// The next wake-up; `None` when the bus is gone for good.
    fn next(&mut self) -> impl std::future::Future<Output = Option<Wakeup>> + Send;
}

/// LISTEN on the database every instance shares.
pub struct PgBus {
    listener: sqlx::postgres::PgListener,
}

impl PgBus {
    pub async fn connect(url: &str) -> Result<PgBus, sqlx::Error> {
        let mut listener = sqlx::postgres::PgListener::connect(url).await?;
        listener.listen(NOTIFY_CHANNEL).await?;
        Ok(PgBus { listener })
    }
}

impl Bus for PgBus {
    async fn next(&mut self) -> Option<Wakeup> {
        loop {
            match self.listener.recv().await {
                Ok(note) => match Wakeup::decode(note.payload()) {
                    Some(wakeup) => return Some(wakeup),
                    None => tracing::warn!(payload = note.payload(), "unreadable wake-up ignored"),
                },
                // `recv` reconnects on the next call; wake-ups sent meanwhile are
                // lost: the relay's sweep ([`sweep_heads`]) publishes what they
                // announced, and the sockets' gap check reads the rest from the log.
                Err(e) => {
                    tracing::warn!(error = %e, "LISTEN connection lost; reconnecting");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            }
        }
    }
}

/// How often the relay compares the watched hearings' heads with the log, for
/// wake-ups the bus lost (a dropped LISTEN connection hears nothing meanwhile).
const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(3);

/// Publishes on this instance's hub what any instance committed: each wake-up
/// is read back from the log (committed, hence readable) and published; the
/// hub drops what this instance already published itself. A sweep beside it
/// repairs lost wake-ups, so a quiet room never stays behind.
pub async fn relay(mut bus: impl Bus, db: crate::db::Db, hub: Hub) {
    // Stopped with the relay, however it ends (the server aborts the relay's
    // task at shutdown: the guard is dropped with it).
    let _sweeper = AbortOnDrop(tokio::spawn(sweep_forever(db.clone(), hub.clone())));
    while let Some(wakeup) = bus.next().await {
        if hub.is_watched(&wakeup.hearing_id) {
            publish_head(&db, &hub, &wakeup.hearing_id, wakeup.seq).await;
        }
    }
}

/// A task that ends when its handle is dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn sweep_forever(db: crate::db::Db, hub: Hub) {
    let mut tick = tokio::time::interval(SWEEP_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        sweep_heads(&db, &hub).await;
    }
}

/// For each watched hearing whose log is ahead of what this instance published,
/// publishes the head event: sockets further behind notice the gap and read
/// the rest from the log.
pub async fn sweep_heads(db: &crate::db::Db, hub: &Hub) {
    for (hearing_id, published) in hub.watched_heads() {
        match crate::db::hearings::head_seq(db, &hearing_id).await {
            Ok(Some(head)) if head > published => publish_head(db, hub, &hearing_id, head).await,
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, hearing = %hearing_id, "head unreadable in the sweep")
            }
        }
    }
}

/// Reads event `seq` of the hearing from the log and publishes it.
async fn publish_head(db: &crate::db::Db, hub: &Hub, hearing_id: &str, seq: u64) {
    match crate::db::events::since(db, hearing_id, seq.saturating_sub(1), 1).await {
        Ok(events) => events.into_iter().for_each(|event| hub.publish(event)),
        Err(e) => tracing::error!(error = %e, "event from another instance unreadable"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wakeups_round_trip() {
        let wakeup = Wakeup::decode(&Wakeup::encode("h-1", 42));
        assert_eq!(
            wakeup,
            Some(Wakeup {
                hearing_id: "h-1".into(),
                seq: 42
            })
        );
        assert_eq!(Wakeup::decode("h-1 not-a-number"), None);
        assert_eq!(Wakeup::decode("x"), None);
    }

    fn event(seq: u64) -> HearingEvent {
        HearingEvent {
            hearing_id: "h".into(),
            seq,
            at_ms: 0,
            payload: crate::domain::EventPayload::FloorEnded {
                by: "主持人".into(),
            },
            hash: String::new(),
        }
    }

    #[test]
    fn a_frame_is_serialized_once_and_withheld_for_outsiders() {
        let secret = HearingEvent {
            payload: crate::domain::EventPayload::DeliberationMessage {
                author: "评议员".into(),
                text: "意见".into(),
            },
            ..event(1)
        };
        let live = LiveEvent::new(secret);
        let inside = live.frame(true);
        assert!(inside.as_str().contains("意见"));
        let outside = live.frame(false);
        assert!(!outside.as_str().contains("意见"));
        assert!(outside.as_str().contains("withheld"));
        // The same shared bytes each time.
        assert_eq!(
            live.frame(false).as_str().as_ptr(),
            outside.as_str().as_ptr()
        );
    }

    #[tokio::test]
    async fn an_event_heard_twice_goes_out_once() {
        let hub = Hub::default();
        let mut feed = hub.subscribe("h");
        for seq in [1, 2, 1, 2, 3] {
            hub.publish(event(seq));
        }
        for expected in [1, 2, 3] {
            assert_eq!(feed.recv().await.map(|e| e.event.seq).ok(), Some(expected));
        }
        assert!(feed.try_recv().is_err());
    }
}
