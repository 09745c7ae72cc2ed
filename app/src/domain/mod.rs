//! Pure rules of Pingyi: no IO, no async, no leptos, no sqlx.
//!
//! Compiled into both the server and the browser bundle, so the screen and the
//! server always agree (the fold the browser runs is the fold the minutes use).

pub mod access;
pub mod aftercare;
pub mod ballot;
pub mod case;
pub mod clock;
pub mod csv;
pub mod event;
pub mod evidence;
pub mod invitation;
pub mod minutes;
pub mod pool;
pub mod procedure;
pub mod room;
pub mod schedule;
pub mod search;
pub mod sitting;
pub mod sortition;
pub mod stats;

pub use event::{ChainHash, EventPayload, HearingEvent, RecordText, RecordTextError};
pub use room::{FoldError, RecordLine, RoomState, fold, verify_chain};
