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
    /// Whether the asker may add to the record (the form is shown only then).
    pub can_record: bool,
}

/// The logged-in account, as pages need it (menu, name, roles).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<crate::domain::access::Role>,
}

impl Me {
    pub fn actor(&self) -> crate::domain::access::Actor {
        crate::domain::access::Actor {
            account_id: self.id.clone(),
            roles: self.roles.clone(),
        }
    }
}
