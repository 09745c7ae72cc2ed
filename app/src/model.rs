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
    /// Whether the asker may show exhibits live and take them off the screens.
    #[serde(default)]
    pub can_show: bool,
    /// Drive the procedure and the floor (the host).
    #[serde(default)]
    pub can_run: bool,
    /// Mark attendance (host, clerk).
    #[serde(default)]
    pub can_mark: bool,
    /// Check oneself in (parties, seated members).
    #[serde(default)]
    pub can_check_in: bool,
    /// Write in the closed deliberation (panel, host).
    #[serde(default)]
    pub can_deliberate: bool,
    /// Read the closed deliberation (panel, host, clerk); others get it withheld.
    #[serde(default)]
    pub can_see_deliberation: bool,
    /// Keep private notes (a seated member).
    #[serde(default)]
    pub can_keep_notes: bool,
    /// Vote on the ballots (a seated member).
    #[serde(default)]
    pub can_vote: bool,
    /// Define, open and close ballots (the host).
    #[serde(default)]
    pub can_run_ballot: bool,
    /// Let a member confirm the host's entry of their vote (the clerk's screen).
    #[serde(default)]
    pub can_confirm_proxy_votes: bool,
    /// 确认纪要 (a seated member, the host).
    #[serde(default)]
    pub can_confirm_minutes: bool,
    /// Record the conclusion and finalise the minutes (the host).
    #[serde(default)]
    pub can_finalise_minutes: bool,
    /// Download the whole evidence bundle (archivist, host, clerk).
    #[serde(default)]
    pub can_export_evidence: bool,
    /// The asker's account id (whose confirmation is theirs); None for a party.
    #[serde(default)]
    pub my_account_id: Option<String>,
    /// A party's side: with the floor, it turns the pages of its own exhibit.
    #[serde(default)]
    pub my_side: Option<crate::domain::access::PartyKind>,
    /// 表决事项 planned at scheduling, for whoever puts ballots (else empty):
    /// the room's new-ballot form starts from them.
    #[serde(default)]
    pub planned_questions: Vec<String>,
    /// The members seated now, for whoever marks attendance (else empty).
    #[serde(default)]
    pub seated: Vec<crate::domain::ballot::Voter>,
    /// A bounded snapshot's folded room (the public observer page), which
    /// `events` then continue; None when `events` is the whole log.
    #[serde(default)]
    pub base: Option<crate::domain::room::RoomState>,
}

/// 档案: one finalised minutes document as the archive lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveEntry {
    pub hearing_id: String,
    pub case_number: String,
    pub case_title: String,
    pub hearing_title: String,
    pub starts_at_ms: i64,
    pub place: String,
    /// The ballots' results and the conclusion, as searched.
    pub outcome: String,
    /// The panel members' names ("、"-joined).
    pub members: String,
    pub sha256: String,
    pub byte_size: i64,
    /// The certificate that signed it (SHA-256), kept so that minutes signed
    /// before a key change still verify.
    pub cert_sha256: String,
    pub finalised_at_ms: i64,
    pub finalised_by: String,
}

/// What an archivist searches for; empty fields do not filter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveQuery {
    /// Part of the case number.
    #[serde(default)]
    pub case_number: String,
    /// Words in the case or hearing title, the case summary, the outcome, or a
    /// petitioner's or responsible agency's name.
    #[serde(default)]
    pub text: String,
    /// Part of the outcome ("支持", "不支持" …).
    #[serde(default)]
    pub outcome: String,
    /// A panel member's name.
    #[serde(default)]
    pub member: String,
    /// Hearing date from / to, "YYYY-MM-DD" (China time), inclusive.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

/// The verdict on an uploaded minutes PDF (验证结果).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinutesVerdict {
    /// 验证通过: signed by this platform, untouched, and in the archive.
    pub authentic: bool,
    /// What was found, in Chinese, one finding per line.
    pub findings: Vec<String>,
    /// The archived hearing the file belongs to, when it is authentic.
    pub entry: Option<ArchiveEntry>,
    pub sha256: String,
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
            Some((kind, hearing_id)) => {
                crate::domain::access::Actor::party(self.id.clone(), hearing_id.clone(), *kind)
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

/// Who made a change to a case or a hearing: a person's account or an API token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changer {
    /// The name history shows (display name, or "API：<token name>").
    pub name: String,
    /// The account id, or the token id for an API client.
    pub id: Option<String>,
    /// True when `id` is an API token, not an account.
    #[serde(default)]
    pub via_api: bool,
}

/// A case as stored, with the deadline running on the day it was read.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRecord {
    pub id: String,
    /// Bumped by every edit; an edit names the version it started from.
    pub version: i64,
    pub case: crate::domain::case::CaseDraft,
    pub investigator_name: Option<String>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    pub deadline: Option<crate::domain::case::Deadline>,
}

/// One page of the case list.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CasePage {
    pub items: Vec<CaseRecord>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// One entry of a case's change history: the case before and after.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseChangeEntry {
    pub at_ms: i64,
    pub actor: String,
    /// created | edited | imported
    pub change: String,
    pub before: Option<crate::domain::case::CaseDraft>,
    pub after: crate::domain::case::CaseDraft,
}

/// A person as lists show them.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRef {
    pub id: String,
    pub name: String,
}

/// A hearing's plan and where it stands.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HearingRecord {
    pub id: String,
    pub case_id: String,
    pub case_number: String,
    pub case_title: String,
    pub plan: crate::domain::schedule::HearingPlan,
    pub status: crate::domain::schedule::HearingStatus,
    /// Whether it has been opened or closed, by its log.
    #[serde(default)]
    pub sitting: crate::domain::schedule::Sitting,
    pub version: i64,
    pub host: Option<PersonRef>,
    pub clerk: Option<PersonRef>,
    pub jurors: Vec<PersonRef>,
    pub updated_at_ms: i64,
}

/// One version of a hearing's plan in its history.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HearingVersion {
    pub version: i64,
    pub at_ms: i64,
    pub actor: String,
    pub change: crate::domain::schedule::ScheduleChange,
    pub reason: Option<String>,
    pub status: crate::domain::schedule::HearingStatus,
    pub plan: crate::domain::schedule::HearingPlan,
}

/// A double booking with the person's name resolved, as errors show it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedConflict {
    pub conflict: crate::domain::schedule::Conflict,
    /// The double-booked person's display name (None for a room).
    pub person_name: Option<String>,
}

/// An API token as the administrator's list shows it (never the token).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenSummary {
    pub id: String,
    pub name: String,
    pub scopes: Vec<String>,
    pub created_at_ms: i64,
    pub revoked_at_ms: Option<i64>,
    pub last_used_at_ms: Option<i64>,
}

impl NamedConflict {
    /// "与「…」（2026年12月1日 09:00 起）冲突：李明在该场担任主持人"
    pub fn message(&self, lang: crate::i18n::Lang) -> String {
        use crate::domain::clock::{CHINA_OFFSET_SECONDS, format_iso, format_zh};
        use crate::domain::schedule::Clash;
        let c = &self.conflict;
        let who = self.person_name.clone().unwrap_or_default();
        if lang == crate::i18n::Lang::Zh {
            let when = format_zh(c.other_starts_at_ms, CHINA_OFFSET_SECONDS);
            match &c.clash {
                Clash::Room { room } => {
                    format!("听证室「{room}」已被「{}」（{when} 起）占用", c.other_title)
                }
                Clash::Person { here, there, .. } => format!(
                    "{who}（本场{}）同一时间在「{}」（{when} 起）担任{}",
                    here.label_zh(),
                    c.other_title,
                    there.label_zh()
                ),
            }
        } else {
            let when = format_iso(c.other_starts_at_ms, CHINA_OFFSET_SECONDS);
            match &c.clash {
                Clash::Room { room } => format!(
                    "Room “{room}” is taken by “{}” (from {when})",
                    c.other_title
                ),
                Clash::Person { here, there, .. } => format!(
                    "{who} ({} here) is {} of “{}” at the same time (from {when})",
                    here.label_en(),
                    there.label_en(),
                    c.other_title
                ),
            }
        }
    }
}

pub use crate::domain::pool::DrawStatus;

/// A pool member with its login and how often it has sat (not counting
/// declined, recused or cancelled hearings).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    pub member: crate::domain::pool::Member,
    pub username: String,
    pub served: i64,
}

/// One hearing in a member's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServedHearing {
    pub hearing_id: String,
    pub title: String,
    pub starts_at_ms: i64,
    pub status: crate::domain::pool::SeatStatus,
    pub reason: Option<String>,
}

/// A draw as recorded: everything anyone needs to re-run it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawRecord {
    pub id: String,
    pub hearing_id: String,
    pub status: DrawStatus,
    pub input: crate::domain::sortition::DrawInput,
    pub input_hash: String,
    pub committed_at_ms: i64,
    pub committed_by: String,
    pub public_values: Option<Vec<String>>,
    pub result: Option<crate::domain::sortition::DrawResult>,
    pub drawn_at_ms: Option<i64>,
    pub drawn_by: Option<String>,
    pub void_reason: Option<String>,
}

impl DrawRecord {
    /// The record as anyone may read it (`/public/draws/{id}`): everything a
    /// re-run needs, nothing personal ([`DrawInput::public`](crate::domain::sortition::DrawInput::public)).
    pub fn public(&self) -> DrawRecord {
        DrawRecord {
            input: self.input.public(),
            ..self.clone()
        }
    }
}

/// An exhibit (证据) as stored and as pages show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExhibitRecord {
    pub id: String,
    pub hearing_id: String,
    /// 申-1, 被-2 …
    pub label: String,
    pub submitter: crate::domain::evidence::Submitter,
    pub number: u32,
    pub title: String,
    pub description: String,
    /// 证明目的
    pub purpose: String,
    pub file_name: String,
    pub kind: crate::domain::evidence::FileKind,
    pub sha256: String,
    pub size_bytes: u64,
    /// Account or invitation id: stays on the server.
    #[serde(skip, default)]
    pub submitted_by_id: String,
    pub submitted_by_name: String,
    pub submitted_at_ms: i64,
    pub status: crate::domain::evidence::ExhibitStatus,
    pub shared_with_parties: bool,
    pub released_to_panel: bool,
    pub shown_live: bool,
}

/// One link of an exhibit's chain of custody (保管链).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustodyEntry {
    pub action: crate::domain::evidence::CustodyAction,
    pub actor_name: String,
    pub detail: String,
    pub at_ms: i64,
}

/// One person's current 质证 opinion on an exhibit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpinionEntry {
    pub exhibit_id: String,
    #[serde(skip, default)]
    pub author_id: String,
    pub author_name: String,
    /// petitioner | agency | third_party | juror
    pub author_role: String,
    pub opinion: crate::domain::evidence::Opinion,
    pub at_ms: i64,
}

/// An exhibit with what this viewer may know and do about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExhibitView {
    pub exhibit: ExhibitRecord,
    /// Some opinion disputes it (有异议).
    pub challenged: bool,
    /// The opinions this viewer may read: all for staff, their own otherwise.
    pub opinions: Vec<OpinionEntry>,
    pub may_withdraw: bool,
    /// A party's own exhibit: it may show it in the room while its side has the floor.
    pub shows_on_own_floor: bool,
}

/// A hearing's evidence page: the exhibits this viewer may see, and what they may do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidencePage {
    pub hearing: HearingSummary,
    pub exhibits: Vec<ExhibitView>,
    /// The sides this viewer may file for (a party: its own; staff: any).
    pub submit_as: Vec<crate::domain::evidence::Submitter>,
    pub may_manage: bool,
    pub may_give_opinion: bool,
    /// The hearing's staff may read each exhibit's chain of custody.
    pub may_view_custody: bool,
    pub limits: crate::domain::evidence::IntakeLimits,
}

/// The result of re-hashing every stored file of a hearing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrityReport {
    pub checked: u32,
    /// (exhibit label, recorded SHA-256, what is wrong)
    pub faults: Vec<(String, String, crate::domain::evidence::IntegrityFault)>,
}

/// 听后跟踪: what followed one hearing, as its page shows it. Parties get only
/// the commitment and their rating; staff get everything.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AftercareView {
    pub hearing: HearingSummary,
    pub case_id: String,
    pub held_on: crate::domain::case::CalendarDate,
    /// The hearing has been held: its log shows it opened (宣布开始).
    pub is_held: bool,
    /// 评议结论 as the host recorded it for the minutes (staff only).
    pub panel_conclusion: Option<String>,
    pub outcome: Option<OutcomeRecord>,
    pub commitment: Option<crate::domain::aftercare::Commitment>,
    pub follow_ups: Vec<FollowUpRecord>,
    /// The latest rating first, then the earlier ones (staff see all; the
    /// petitioner sees its own latest).
    pub ratings: Vec<crate::domain::aftercare::Rating>,
    /// Later cases marked as repeat petitions of this hearing.
    pub repeats: Vec<RepeatLink>,
    /// Cases that could be marked as repeats (received since the hearing, not
    /// yet linked), for the staff's form.
    pub repeat_candidates: Vec<CaseRef>,
    /// Who follow-ups may be assigned to.
    pub staff: Vec<PersonRef>,
    /// Record and change everything here (petition office staff).
    pub can_manage: bool,
    /// The asker is a party of the hearing (sees only the commitment and rating).
    pub is_party: bool,
    /// The asker hosted the hearing and may invite the two sides back (by link)
    /// to confirm the commitment and rate the handling.
    pub can_invite: bool,
    /// The side of the commitment this party confirms, when the asker is a party.
    pub my_side: Option<crate::domain::aftercare::CommitmentSide>,
    /// The asker is the petitioner and may rate the handling.
    pub may_rate: bool,
    pub policy: crate::domain::aftercare::FollowUpPolicy,
    /// Staff only: the case is 已办结 but its hearings now leave something
    /// open (三个不结案), e.g. a 不满意 rating recorded afterwards.
    #[serde(default)]
    pub case_still_open: Option<crate::domain::aftercare::StillOpen>,
    /// 信访人 and 责任单位 as the case names them, for the commitment generated
    /// from the hearing (staff who manage the aftercare; empty for others).
    #[serde(default)]
    pub petitioners: Vec<String>,
    #[serde(default)]
    pub agencies: Vec<String>,
}

/// The handling decision with who recorded it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeRecord {
    pub outcome: crate::domain::aftercare::Outcome,
    pub recorded_by: String,
    pub recorded_at_ms: i64,
}

/// One follow-up visit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpRecord {
    pub id: String,
    pub due_on: crate::domain::case::CalendarDate,
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
    pub done_on: Option<crate::domain::case::CalendarDate>,
    pub note: Option<String>,
    pub recorded_by: Option<String>,
    pub state: crate::domain::aftercare::FollowUpState,
}

/// A case, briefly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRef {
    pub id: String,
    pub number: String,
    pub title: String,
}

/// A later case marked as a repeat petition of a hearing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepeatLink {
    pub case: CaseRef,
    pub marked_by: String,
    pub marked_at_ms: i64,
}

/// A follow-up visit in somebody's list of visits to make (回访任务).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitTask {
    pub follow_up: FollowUpRecord,
    pub hearing_id: String,
    pub case_number: String,
    pub case_title: String,
}
