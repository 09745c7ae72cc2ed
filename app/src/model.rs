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
    /// Whether the asker may invite parties (the host of this hearing).
    pub can_invite: bool,
    /// Whether the asker may download the record / minutes.
    pub can_download: bool,
}

/// The logged-in account, as pages need it (menu, name, roles).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<crate::domain::access::Role>,
    /// For a party admitted by invitation: its kind and its one hearing.
    pub party: Option<(crate::domain::access::PartyKind, String)>,
}

impl Me {
    pub fn actor(&self) -> crate::domain::access::Actor {
        match &self.party {
            Some((_, hearing_id)) => {
                crate::domain::access::Actor::party(self.id.clone(), hearing_id.clone())
            }
            None => crate::domain::access::Actor::account(self.id.clone(), self.roles.clone()),
        }
    }
}

/// A freshly made invitation link: the only time its token is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationLink {
    pub id: String,
    pub url: String,
    /// The link as a QR code (SVG markup made on the server).
    pub qr_svg: String,
    pub expires_at_ms: i64,
}

/// An invitation as the host's list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationSummary {
    pub id: String,
    pub kind: crate::domain::access::PartyKind,
    pub name: String,
    pub expires_at_ms: i64,
    pub used_at_ms: Option<i64>,
    pub revoked_at_ms: Option<i64>,
}

/// An account as the administrator's list shows it (never the password hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<crate::domain::access::Role>,
    pub disabled: bool,
}

/// One line of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLine {
    pub at_ms: i64,
    pub actor_name: Option<String>,
    pub action: String,
    pub subject: Option<String>,
    pub detail: String,
    pub ip: Option<String>,
}
