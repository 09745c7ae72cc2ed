//! Frames of the live protocol (docs/live-protocol.md), shared by the server's
//! socket handler and the browser.

use crate::domain::HearingEvent;
use serde::{Deserialize, Serialize};

/// Largest frame a client may send; anything bigger is refused with an error frame.
pub const MAX_CLIENT_FRAME_BYTES: usize = 16 * 1024;

/// Close code (private range) for "your access to this room was withdrawn":
/// clients must not reconnect.
pub const CLOSE_ACCESS_WITHDRAWN: u16 = 4403;

/// Close code (private range) for "your session ended" (logout here or
/// elsewhere, the idle timeout, the absolute lifetime): clients must not
/// reconnect with it, but log in again (a party: open its link again).
pub const CLOSE_SESSION_ENDED: u16 = 4401;

/// Most events sent in one resume batch before switching to the live feed.
pub const RESUME_BATCH: u32 = 500;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// First frame: which hearing, and the seq of its last committed event.
    Hello {
        hearing_id: String,
        head_seq: u64,
        /// The server's clock (Unix ms) when it said hello: screens count the
        /// speaking time down against it, not against their own clock.
        #[serde(default)]
        server_now_ms: i64,
    },
    /// A committed event, in seq order, never one the client already acknowledged by `after`.
    Event {
        event: HearingEvent,
    },
    Pong,
    /// Something the client sent was refused; the connection stays open.
    Error {
        code: ErrorCode,
        message: String,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    Ping,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Not JSON, or not a known frame type.
    BadFrame,
    /// Larger than [`MAX_CLIENT_FRAME_BYTES`].
    FrameTooLarge,
    /// Binary frames are not part of the protocol.
    BinaryNotSupported,
    /// More than [`MAX_CLIENT_FRAMES_PER_SECOND`] frames in a second.
    RateLimited,
}

/// Most frames a client may send per second, control frames (ping, pong)
/// included; beyond, they are refused, and a client that keeps flooding (5×
/// the limit) is disconnected (close 1008).
pub const MAX_CLIENT_FRAMES_PER_SECOND: u32 = 20;

/// Per-connection frame counter over one-second windows. Pure: `now_ms` is given.
#[derive(Clone, Copy, Debug, Default)]
pub struct FrameRate {
    window_start_ms: i64,
    count: u32,
}

/// What to do with an incoming frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateVerdict {
    Accept,
    Refuse,
    Disconnect,
}

impl FrameRate {
    pub fn admit(&mut self, now_ms: i64) -> RateVerdict {
        if now_ms - self.window_start_ms >= 1000 {
            self.window_start_ms = now_ms;
            self.count = 0;
        }
        self.count += 1;
        if self.count <= MAX_CLIENT_FRAMES_PER_SECOND {
            RateVerdict::Accept
        } else if self.count <= 5 * MAX_CLIENT_FRAMES_PER_SECOND {
            RateVerdict::Refuse
        } else {
            RateVerdict::Disconnect
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_is_refused_then_disconnected_and_the_next_second_is_fresh() {
        let mut rate = FrameRate::default();
        let t = 10_000;
        for _ in 0..MAX_CLIENT_FRAMES_PER_SECOND {
            assert_eq!(rate.admit(t), RateVerdict::Accept);
        }
        assert_eq!(rate.admit(t + 10), RateVerdict::Refuse);
        for _ in 0..(4 * MAX_CLIENT_FRAMES_PER_SECOND - 1) {
            rate.admit(t + 20);
        }
        assert_eq!(rate.admit(t + 30), RateVerdict::Disconnect);
        assert_eq!(rate.admit(t + 1000), RateVerdict::Accept);
    }
}
