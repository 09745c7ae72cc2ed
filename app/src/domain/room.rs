//! Room state is `fold(events)`: the one function both the server and the browser
//! run to know where a hearing stands.

use super::event::{ChainHash, EventPayload, HearingEvent};
use serde::{Deserialize, Serialize};

/// One line of the live record (笔录) as the room shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordLine {
    pub seq: u64,
    pub at_ms: i64,
    pub author: String,
    pub text: String,
}

/// Everything a participant's screen needs to know about the hearing room.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomState {
    /// The last seq applied; the next event must carry `last_seq + 1`.
    pub last_seq: u64,
    pub record: Vec<RecordLine>,
    /// The latest change to the hearing's plan (改期、延期、取消), shown as a notice.
    pub plan_notice: Option<PlanNotice>,
    /// The panel (评议团) as drawn and changed since.
    #[serde(default)]
    pub panel: super::pool::PanelState,
}

/// A change of plan as the room announces it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanNotice {
    pub seq: u64,
    pub at_ms: i64,
    pub change: super::schedule::ScheduleChange,
    pub status: super::schedule::HearingStatus,
    pub starts_at_ms: i64,
    pub place: String,
    pub reason: Option<String>,
}

/// An event that cannot follow the state: the caller must fetch what it missed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FoldError {
    #[error("expected event {expected}, got {got}")]
    OutOfOrder { expected: u64, got: u64 },
}

impl RoomState {
    /// Applies the next event. Duplicates (an event already applied, e.g. sent both
    /// in the resume batch and live) are ignored; a gap is an error.
    pub fn apply(&mut self, event: &HearingEvent) -> Result<bool, FoldError> {
        if event.seq <= self.last_seq {
            return Ok(false);
        }
        if event.seq != self.last_seq + 1 {
            return Err(FoldError::OutOfOrder {
                expected: self.last_seq + 1,
                got: event.seq,
            });
        }
        match &event.payload {
            EventPayload::RecordEntered { author, text } => self.record.push(RecordLine {
                seq: event.seq,
                at_ms: event.at_ms,
                author: author.clone(),
                text: text.clone(),
            }),
            EventPayload::PlanChanged {
                change,
                status,
                starts_at_ms,
                place,
                reason,
                ..
            } => {
                self.plan_notice = Some(PlanNotice {
                    seq: event.seq,
                    at_ms: event.at_ms,
                    change: *change,
                    status: *status,
                    starts_at_ms: *starts_at_ms,
                    place: place.clone(),
                    reason: reason.clone(),
                })
            }
            panel_event => self.panel.apply(panel_event),
        }
        self.last_seq = event.seq;
        Ok(true)
    }
}

/// Folds a hearing's log, in order, into its room state.
pub fn fold<'a>(
    events: impl IntoIterator<Item = &'a HearingEvent>,
) -> Result<RoomState, FoldError> {
    let mut state = RoomState::default();
    for event in events {
        state.apply(event)?;
    }
    Ok(state)
}

/// Checks a whole log's hash chain; returns the head, or the first seq that breaks it.
pub fn verify_chain<'a>(
    events: impl IntoIterator<Item = &'a HearingEvent>,
) -> Result<ChainHash, u64> {
    let mut link = ChainHash::GENESIS;
    for event in events {
        link = link.next(&event.hearing_id, event.seq, event.at_ms, &event.payload);
        if ChainHash::from_hex(&event.hash) != Some(link) {
            return Err(event.seq);
        }
    }
    Ok(link)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn log(texts: &[String]) -> Vec<HearingEvent> {
        let mut link = ChainHash::GENESIS;
        texts
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let seq = i as u64 + 1;
                let payload = EventPayload::RecordEntered {
                    author: "记录员".into(),
                    text: text.clone(),
                };
                link = link.next("h", seq, seq as i64 * 1000, &payload);
                HearingEvent {
                    hearing_id: "h".into(),
                    seq,
                    at_ms: seq as i64 * 1000,
                    payload,
                    hash: link.to_hex(),
                }
            })
            .collect()
    }

    #[test]
    fn gap_is_refused_and_duplicate_ignored() {
        let events = log(&["一".into(), "二".into(), "三".into()]);
        let mut state = RoomState::default();
        assert_eq!(state.apply(&events[0]), Ok(true));
        assert_eq!(state.apply(&events[0]), Ok(false));
        assert_eq!(
            state.apply(&events[2]),
            Err(FoldError::OutOfOrder {
                expected: 2,
                got: 3
            })
        );
        assert_eq!(state.record.len(), 1);
    }

    #[test]
    fn tampered_log_breaks_the_chain() {
        let mut events = log(&["一".into(), "二".into()]);
        assert!(verify_chain(&events).is_ok());
        events[0].payload = EventPayload::RecordEntered {
            author: "记录员".into(),
            text: "改".into(),
        };
        assert_eq!(verify_chain(&events), Err(1));
    }

    proptest! {
        /// A client that received the log in any chunking, with resends, ends where
        /// the server's single fold ends.
        #[test]
        fn chunked_delivery_with_resends_matches_fold(
            texts in proptest::collection::vec(".{0,20}", 0..30),
            cuts in proptest::collection::vec(0usize..30, 0..10),
        ) {
            let events = log(&texts);
            let server = fold(&events).expect("contiguous log");
            let mut client = RoomState::default();
            let mut start = 0;
            for cut in cuts.into_iter().chain([events.len()]) {
                let end = cut.min(events.len()).max(start);
                // Resend from one before `start`, as a reconnect racing the live feed does.
                for event in &events[start.saturating_sub(1)..end] {
                    client.apply(event).expect("no gap");
                }
                start = end;
            }
            prop_assert_eq!(client, server);
        }
    }
}
