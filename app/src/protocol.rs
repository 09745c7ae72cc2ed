//! Frames of the live protocol (docs/live-protocol.md), shared by the server's
//! socket handler and the browser.

use crate::domain::HearingEvent;
use serde::{Deserialize, Serialize};

/// Largest frame a client may send; anything bigger is refused with an error frame.
pub const MAX_CLIENT_FRAME_BYTES: usize = 16 * 1024;

/// Close code (private range) for "your access to this room was withdrawn":
/// clients must not reconnect.
pub const CLOSE_ACCESS_WITHDRAWN: u16 = 4403;

/// Most events sent in one resume batch before switching to the live feed.
pub const RESUME_BATCH: u32 = 500;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// First frame: which hearing, and the seq of its last committed event.
    Hello {
        hearing_id: String,
        head_seq: u64,
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
}
