//! Data shapes the server sends to pages (serde, compiled for both sides).

use crate::domain::HearingEvent;
use serde::{Deserialize, Serialize};

/// A hearing as lists and headers show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HearingSummary {
    pub id: String,
    pub title: String,
    pub case_number: String,
    pub case_title: String,
    pub starts_at_ms: i64,
    pub place: String,
}

/// Everything the hearing room page needs at load: the hearing and its log so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomSnapshot {
    pub hearing: HearingSummary,
    pub events: Vec<HearingEvent>,
}
