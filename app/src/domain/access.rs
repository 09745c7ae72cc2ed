//! Who may do what (权限): the one table every server function, HTTP handler and
//! socket asks. Deny by default: an action not listed here is refused.

use serde::{Deserialize, Serialize};

/// A staff or panel role an account can hold (several at once).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 管理员 manages accounts, rooms, the pool.
    Admin,
    /// 主持人 schedules and runs hearings.
    Host,
    /// 记录员 keeps the record.
    Clerk,
    /// 档案员 searches closed hearings and verifies minutes.
    Archivist,
    /// 评议员 a panel member from the pool.
    Juror,
    /// 局领导 a bureau head: reads the statistics and the cases, changes nothing.
    Head,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Host,
        Role::Clerk,
        Role::Archivist,
        Role::Juror,
        Role::Head,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Host => "host",
            Role::Clerk => "clerk",
            Role::Archivist => "archivist",
            Role::Juror => "juror",
            Role::Head => "head",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code.trim())
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Admin => "管理员",
            Role::Host => "主持人",
            Role::Clerk => "记录员",
            Role::Archivist => "档案员",
            Role::Juror => "评议员",
            Role::Head => "局领导",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::Host => "Host",
            Role::Clerk => "Clerk",
            Role::Archivist => "Archivist",
            Role::Juror => "Panel member",
            Role::Head => "Bureau head",
        }
    }
}

/// Roles as stored: a comma-separated list of codes; unknown codes are dropped.
pub fn parse_roles(stored: &str) -> Vec<Role> {
    let mut roles: Vec<Role> = stored.split(',').filter_map(Role::from_code).collect();
    roles.sort_by_key(|r| Role::ALL.iter().position(|x| x == r));
    roles.dedup();
    roles
}

pub fn format_roles(roles: &[Role]) -> String {
    roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
}

/// Everything that can be asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// See the list of hearings.
    ListHearings,
    /// Enter a hearing room and follow it live.
    ViewRoom,
    /// Add a line to the record (笔录).
    RecordNote,
    /// Download the record / minutes PDF.
    DownloadMinutes,
    /// Create, disable, re-role accounts, reset passwords.
    ManageAccounts,
    /// Read the audit log.
    ViewAudit,
    /// Invite parties to a hearing by link, list and revoke the links.
    InviteParties,
    /// 旁听: watch a public hearing read-only, without an account.
    ObserveHearing,
    /// See cases (信访事项), their deadlines and history.
    ViewCases,
    /// Register, edit and import cases.
    EditCases,
    /// Put a new hearing on the calendar (any host may be named).
    ScheduleHearing,
    /// Change this hearing's plan: edit, reschedule, postpone, cancel.
    ChangeHearingPlan,
    /// Print the written notices (听证通知书) of this hearing.
    PrintNotices,
    /// See the office's week and month calendar.
    ViewCalendar,
    /// Keep a personal calendar feed (.ics) of one's own hearings.
    SubscribeCalendar,
    /// Change the office's rules (deadlines, notice period).
    ManageSettings,
    /// Issue and revoke tokens for the integration API.
    ManageApiTokens,
    /// See the pool (评议团成员库) with contacts and history.
    ViewPool,
    /// Add, edit, import members of the pool.
    ManagePool,
    /// Seat this hearing's panel: freeze the pool, draw, record declines and recusals.
    DrawPanel,
    /// Accept or decline one's own seat on this hearing's panel.
    AnswerSeat,
    /// 提交证据: file exhibits for this hearing (a party for its own side, staff for any).
    SubmitEvidence,
    /// See every exhibit of this hearing, whoever filed it and whatever its state.
    ViewAllEvidence,
    /// See the exhibits released to the panel (a seated member).
    ViewReleasedEvidence,
    /// Share, release, admit and show exhibits live; check their integrity.
    ManageEvidence,
    /// 质证: record an opinion on an exhibit's authenticity, legality, relevance.
    GiveEvidenceOpinion,
    /// Drive the procedure (stages, pause, adjourn) and give the floor.
    RunProcedure,
    /// Mark who is present (签到), the clerk in the room or the host.
    MarkAttendance,
    /// 签到 oneself online.
    CheckIn,
    /// Write in the closed deliberation (评议).
    Deliberate,
    /// Read the closed deliberation.
    SeeDeliberation,
    /// Keep one's own private notes on this hearing (a seated member).
    KeepPrivateNotes,
    /// 投票: vote on this hearing's ballots and give reasons (a seated member).
    CastVote,
    /// 表决: define, open and close this hearing's ballots; enter a vote for a
    /// member without a device (the host); it counts once the member confirms.
    RunBallot,
    /// 代为录入确认: the member without a device confirms the host's entry of
    /// their vote with their own password, on the clerk's screen.
    ConfirmProxyVote,
    /// 确认纪要: confirm the minutes as they stand (a seated member, the host).
    ConfirmMinutes,
    /// 评议结论 and 定稿: record the conclusion and finalise the minutes (the host).
    FinaliseMinutes,
    /// 档案: search finalised minutes.
    SearchArchive,
    /// Download a hearing's whole evidence bundle (all exhibits with a manifest).
    ExportEvidence,
    /// 统计: the dashboard of outcomes, satisfaction, repeats, deadlines, participation.
    ViewStatistics,
    /// 听后跟踪: record the handling decision, draft the commitment, schedule and
    /// record follow-up visits, record satisfaction after a call, mark repeats.
    ManageAftercare,
    /// A party confirms its side of the commitment; the petitioner rates the handling.
    GiveFeedback,
}

impl Action {
    pub const ALL: [Action; 42] = [
        Action::ConfirmProxyVote,
        Action::ViewStatistics,
        Action::ManageAftercare,
        Action::GiveFeedback,
        Action::ConfirmMinutes,
        Action::FinaliseMinutes,
        Action::SearchArchive,
        Action::ExportEvidence,
        Action::CastVote,
        Action::RunBallot,
        Action::KeepPrivateNotes,
        Action::RunProcedure,
        Action::MarkAttendance,
        Action::CheckIn,
        Action::Deliberate,
        Action::SeeDeliberation,
        Action::SubmitEvidence,
        Action::ViewAllEvidence,
        Action::ViewReleasedEvidence,
        Action::ManageEvidence,
        Action::GiveEvidenceOpinion,
        Action::ViewPool,
        Action::ManagePool,
        Action::DrawPanel,
        Action::AnswerSeat,
        Action::ViewCases,
        Action::EditCases,
        Action::ScheduleHearing,
        Action::ChangeHearingPlan,
        Action::PrintNotices,
        Action::ViewCalendar,
        Action::SubscribeCalendar,
        Action::ManageSettings,
        Action::ManageApiTokens,
        Action::ObserveHearing,
        Action::InviteParties,
        Action::ListHearings,
        Action::ViewRoom,
        Action::RecordNote,
        Action::DownloadMinutes,
        Action::ManageAccounts,
        Action::ViewAudit,
    ];
}

/// A party to one hearing (信访人, 责任单位, 第三人): no account, only the hearing
/// its invitation link was for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    /// 信访人
    Petitioner,
    /// 责任单位
    Agency,
    /// 第三人
    ThirdParty,
}

impl PartyKind {
    pub const ALL: [PartyKind; 3] = [
        PartyKind::Petitioner,
        PartyKind::Agency,
        PartyKind::ThirdParty,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PartyKind::Petitioner => "petitioner",
            PartyKind::Agency => "agency",
            PartyKind::ThirdParty => "third_party",
        }
    }

    pub fn from_code(code: &str) -> Option<PartyKind> {
        PartyKind::ALL.into_iter().find(|k| k.code() == code.trim())
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            PartyKind::Petitioner => "信访人",
            PartyKind::Agency => "责任单位",
            PartyKind::ThirdParty => "第三人",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            PartyKind::Petitioner => "Petitioner",
            PartyKind::Agency => "Responding agency",
            PartyKind::ThirdParty => "Third party",
        }
    }
}

/// What an integration API token may do (`/api/v1`); an administrator picks them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ApiScope {
    #[serde(rename = "cases:read")]
    CasesRead,
    #[serde(rename = "cases:write")]
    CasesWrite,
    #[serde(rename = "hearings:read")]
    HearingsRead,
    #[serde(rename = "hearings:write")]
    HearingsWrite,
}

impl ApiScope {
    pub const ALL: [ApiScope; 4] = [
        ApiScope::CasesRead,
        ApiScope::CasesWrite,
        ApiScope::HearingsRead,
        ApiScope::HearingsWrite,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ApiScope::CasesRead => "cases:read",
            ApiScope::CasesWrite => "cases:write",
            ApiScope::HearingsRead => "hearings:read",
            ApiScope::HearingsWrite => "hearings:write",
        }
    }

    pub fn from_code(code: &str) -> Option<ApiScope> {
        ApiScope::ALL.into_iter().find(|s| s.code() == code.trim())
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ApiScope::CasesRead => "读取信访事项",
            ApiScope::CasesWrite => "新增、修改信访事项",
            ApiScope::HearingsRead => "读取听证排期",
            ApiScope::HearingsWrite => "安排、变更、取消听证",
        }
    }
}

/// Scopes as stored: comma-separated codes; unknown codes are dropped.
pub fn parse_scopes(stored: &str) -> Vec<ApiScope> {
    let mut scopes: Vec<ApiScope> = stored.split(',').filter_map(ApiScope::from_code).collect();
    scopes.sort_by_key(|s| ApiScope::ALL.iter().position(|x| x == s));
    scopes.dedup();
    scopes
}

/// Who is asking: an account (roles), or a party admitted to one hearing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub account_id: String,
    pub roles: Vec<Role>,
    /// Set for a party: the one hearing it may take part in.
    #[serde(default)]
    pub party_of: Option<String>,
    /// Set for a party: which side it is (信访人, 责任单位, 第三人).
    #[serde(default)]
    pub party_kind: Option<PartyKind>,
}

impl Actor {
    pub fn account(account_id: impl Into<String>, roles: Vec<Role>) -> Actor {
        Actor {
            account_id: account_id.into(),
            roles,
            party_of: None,
            party_kind: None,
        }
    }

    pub fn party(
        invitation_id: impl Into<String>,
        hearing_id: impl Into<String>,
        kind: PartyKind,
    ) -> Actor {
        Actor {
            account_id: invitation_id.into(),
            roles: Vec::new(),
            party_of: Some(hearing_id.into()),
            party_kind: Some(kind),
        }
    }
}

/// Who holds which place in one hearing: what per-hearing grants look at.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HearingStaff {
    pub hearing_id: String,
    /// 公开听证: observers may watch without an account.
    #[serde(default)]
    pub is_public: bool,
    pub host_id: Option<String>,
    pub clerk_id: Option<String>,
    /// Seated panel members (评议员 on this hearing's panel).
    pub jurors: Vec<String>,
}

/// One way of being allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Grant {
    /// Holds the role, whatever the hearing.
    Role(Role),
    /// Is this hearing's host.
    HostOfHearing,
    /// Is this hearing's clerk.
    ClerkOfHearing,
    /// Is seated on this hearing's panel.
    SeatedJuror,
    /// Is a party admitted to this hearing by invitation.
    PartyOfHearing,
    /// Anybody, logged in or not, when the hearing is public (公开听证).
    PublicHearing,
}

/// The table. Reading down a row says who may do it.
const RULES: &[(Action, &[Grant])] = &[
    (
        Action::ListHearings,
        &[
            Grant::Role(Role::Admin),
            Grant::Role(Role::Host),
            Grant::Role(Role::Clerk),
            Grant::Role(Role::Archivist),
            Grant::Role(Role::Juror),
        ],
    ),
    (
        Action::ViewRoom,
        &[
            Grant::Role(Role::Admin),
            Grant::Role(Role::Archivist),
            Grant::HostOfHearing,
            Grant::ClerkOfHearing,
            Grant::SeatedJuror,
            Grant::PartyOfHearing,
        ],
    ),
    (
        Action::RecordNote,
        &[Grant::HostOfHearing, Grant::ClerkOfHearing],
    ),
    (
        Action::DownloadMinutes,
        &[
            Grant::Role(Role::Archivist),
            Grant::Role(Role::Head),
            Grant::HostOfHearing,
            Grant::ClerkOfHearing,
            Grant::SeatedJuror,
        ],
    ),
    (Action::ManageAccounts, &[Grant::Role(Role::Admin)]),
    (Action::ViewAudit, &[Grant::Role(Role::Admin)]),
    (Action::InviteParties, &[Grant::HostOfHearing]),
    (Action::ObserveHearing, &[Grant::PublicHearing]),
    (
        Action::ViewCases,
        &[
            Grant::Role(Role::Admin),
            Grant::Role(Role::Host),
            Grant::Role(Role::Clerk),
            Grant::Role(Role::Archivist),
            Grant::Role(Role::Head),
        ],
    ),
    (
        Action::EditCases,
        &[
            Grant::Role(Role::Admin),
            Grant::Role(Role::Host),
            Grant::Role(Role::Clerk),
        ],
    ),
    (
        Action::ScheduleHearing,
        &[Grant::Role(Role::Admin), Grant::Role(Role::Host)],
    ),
    (
        Action::ChangeHearingPlan,
        &[Grant::Role(Role::Admin), Grant::HostOfHearing],
    ),
    (
        Action::PrintNotices,
        &[
            Grant::Role(Role::Admin),
            Grant::HostOfHearing,
            Grant::ClerkOfHearing,
        ],
    ),
    (
        Action::ViewCalendar,
        &[
            Grant::Role(Role::Admin),
            Grant::Role(Role::Host),
            Grant::Role(Role::Clerk),
        ],
    ),
    (
        Action::SubscribeCalendar,
        &[
            Grant::Role(Role::Host),
            Grant::Role(Role::Clerk),
            Grant::Role(Role::Juror),
        ],
    ),
    (Action::ManageSettings, &[Grant::Role(Role::Admin)]),
    (Action::ManageApiTokens, &[Grant::Role(Role::Admin)]),
    (
        Action::ViewPool,
        &[
            Grant::Role(Role::Admin),
            Grant::Role(Role::Host),
            Grant::Role(Role::Clerk),
        ],
    ),
    (Action::ManagePool, &[Grant::Role(Role::Admin)]),
    (Action::DrawPanel, &[Grant::HostOfHearing]),
    (Action::AnswerSeat, &[Grant::SeatedJuror]),
    (
        Action::SubmitEvidence,
        &[
            Grant::HostOfHearing,
            Grant::ClerkOfHearing,
            Grant::PartyOfHearing,
        ],
    ),
    (
        Action::ViewAllEvidence,
        &[
            Grant::Role(Role::Admin),
            Grant::Role(Role::Archivist),
            Grant::HostOfHearing,
            Grant::ClerkOfHearing,
        ],
    ),
    (Action::ViewReleasedEvidence, &[Grant::SeatedJuror]),
    (Action::ManageEvidence, &[Grant::HostOfHearing]),
    (
        Action::GiveEvidenceOpinion,
        &[Grant::PartyOfHearing, Grant::SeatedJuror],
    ),
    (Action::RunProcedure, &[Grant::HostOfHearing]),
    (
        Action::MarkAttendance,
        &[Grant::HostOfHearing, Grant::ClerkOfHearing],
    ),
    (
        Action::CheckIn,
        &[Grant::PartyOfHearing, Grant::SeatedJuror],
    ),
    (
        Action::Deliberate,
        &[Grant::HostOfHearing, Grant::SeatedJuror],
    ),
    (Action::KeepPrivateNotes, &[Grant::SeatedJuror]),
    (Action::CastVote, &[Grant::SeatedJuror]),
    (Action::RunBallot, &[Grant::HostOfHearing]),
    (Action::ConfirmProxyVote, &[Grant::ClerkOfHearing]),
    (
        Action::ConfirmMinutes,
        &[Grant::HostOfHearing, Grant::SeatedJuror],
    ),
    (Action::FinaliseMinutes, &[Grant::HostOfHearing]),
    (
        Action::SearchArchive,
        &[
            Grant::Role(Role::Admin),
            Grant::Role(Role::Archivist),
            Grant::Role(Role::Head),
        ],
    ),
    (
        Action::ExportEvidence,
        &[
            Grant::Role(Role::Archivist),
            Grant::HostOfHearing,
            Grant::ClerkOfHearing,
        ],
    ),
    (
        Action::ViewStatistics,
        &[Grant::Role(Role::Admin), Grant::Role(Role::Head)],
    ),
    (
        Action::ManageAftercare,
        &[
            Grant::Role(Role::Admin),
            Grant::Role(Role::Host),
            Grant::Role(Role::Clerk),
        ],
    ),
    (Action::GiveFeedback, &[Grant::PartyOfHearing]),
    (
        Action::SeeDeliberation,
        &[
            Grant::HostOfHearing,
            Grant::ClerkOfHearing,
            Grant::SeatedJuror,
        ],
    ),
];

fn holds(actor: Option<&Actor>, grant: Grant, hearing: Option<&HearingStaff>) -> bool {
    if let (Grant::PublicHearing, Some(h)) = (grant, hearing) {
        return h.is_public;
    }
    // Every other grant needs somebody.
    let Some(actor) = actor else { return false };
    let is = |id: &Option<String>| id.as_deref() == Some(actor.account_id.as_str());
    match (grant, hearing) {
        (Grant::PublicHearing, _) => false,
        (Grant::Role(role), _) => actor.roles.contains(&role),
        (Grant::HostOfHearing, Some(h)) => actor.roles.contains(&Role::Host) && is(&h.host_id),
        (Grant::ClerkOfHearing, Some(h)) => {
            (actor.roles.contains(&Role::Clerk) || actor.roles.contains(&Role::Host))
                && is(&h.clerk_id)
        }
        (Grant::PartyOfHearing, Some(h)) => {
            actor.party_of.as_deref() == Some(h.hearing_id.as_str())
        }
        (Grant::SeatedJuror, Some(h)) => {
            actor.roles.contains(&Role::Juror) && h.jurors.contains(&actor.account_id)
        }
        // A per-hearing grant without a hearing never applies.
        (_, None) => false,
    }
}

/// May `actor` (None: not logged in) do `action`, on `hearing` when it concerns one?
pub fn permits(actor: Option<&Actor>, action: Action, hearing: Option<&HearingStaff>) -> bool {
    RULES
        .iter()
        .filter(|(a, _)| *a == action)
        .flat_map(|(_, grants)| grants.iter())
        .any(|grant| holds(actor, *grant, hearing))
}

/// How much of the closed deliberation a reader may be shown now: the one rule
/// every route, export and document asks before it shows deliberation
/// messages, ballots (turnout, counts, results), opinions or the conclusion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Disclosure {
    /// The panel's own view (the panel, this hearing's host and clerk): the
    /// deliberation, ballots as they happen, opinions, the draft conclusion
    /// (a secret ballot's choices and authors are still hidden, by
    /// `HearingEvent::seen_by`). Everyone else reads the log redacted.
    pub panel: bool,
    /// Ballot results: the panel at once; everyone else from 宣布评议意见 on.
    pub results: bool,
    /// Deliberation content and opinions as the minutes keep them: the panel
    /// at once; everyone else (administrators, the bureau head, the archivist,
    /// parties) only once the hearing is closed (闭会). The conclusion (评议结论)
    /// reaches everyone from 宣布评议意见 on, carried by the log itself
    /// (`ResultsAnnounced`, an `announced` `ConclusionRecorded`).
    pub deliberation: bool,
}

/// See [`Disclosure`]. `procedure` is where the hearing stands now.
pub fn disclosure(
    actor: Option<&Actor>,
    hearing: Option<&HearingStaff>,
    procedure: super::procedure::Procedure,
) -> Disclosure {
    use super::procedure::{Procedure, Stage};
    let panel = permits(actor, Action::SeeDeliberation, hearing);
    let closed = procedure == Procedure::Closed;
    let announced = closed || procedure.stage() == Some(Stage::Announcement);
    Disclosure {
        panel,
        results: panel || announced,
        deliberation: panel || closed,
    }
}

/// Where an account lands after logging in: the first page of these its
/// roles may use (the bureau head, who lists no hearings, lands on 统计).
pub fn landing_page(roles: &[Role]) -> &'static str {
    let actor = Actor {
        account_id: String::new(),
        roles: roles.to_vec(),
        party_of: None,
        party_kind: None,
    };
    [
        ("/", Action::ListHearings),
        ("/stats", Action::ViewStatistics),
        ("/archive", Action::SearchArchive),
        ("/cases", Action::ViewCases),
    ]
    .into_iter()
    .find(|(_, action)| permits(Some(&actor), *action, None))
    .map_or("/my", |(path, _)| path)
}

/// Whether the list of hearings shows `actor` only the hearings they sit on:
/// an account that is a panel member and holds no staff role (a member's
/// phone shows no other hearing, not even its title).
pub fn lists_own_hearings_only(actor: &Actor) -> bool {
    !actor
        .roles
        .iter()
        .any(|r| matches!(r, Role::Admin | Role::Host | Role::Clerk | Role::Archivist))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_lands_on_a_page_it_may_use() {
        assert_eq!(landing_page(&[Role::Head]), "/stats");
        assert_eq!(landing_page(&[Role::Admin]), "/");
        assert_eq!(landing_page(&[Role::Host]), "/");
        assert_eq!(landing_page(&[Role::Juror]), "/");
        assert_eq!(landing_page(&[Role::Archivist]), "/");
        assert_eq!(landing_page(&[]), "/my");
        for role in Role::ALL {
            let actor = Actor {
                account_id: "a".into(),
                roles: vec![role],
                party_of: None,
                party_kind: None,
            };
            let path = landing_page(&[role]);
            let action = match path {
                "/" => Action::ListHearings,
                "/stats" => Action::ViewStatistics,
                "/archive" => Action::SearchArchive,
                "/cases" => Action::ViewCases,
                _ => continue,
            };
            assert!(permits(Some(&actor), action, None), "{role:?} → {path}");
        }
    }
    use proptest::prelude::*;

    #[test]
    fn deliberation_reaches_outsiders_only_after_the_close_and_results_after_the_announcement() {
        use crate::domain::procedure::{Procedure, Stage};
        let staff = hearing();
        let running = |stage| Procedure::Running { stage };
        let outsiders = [
            actor("a", &[Role::Admin]),
            actor("x", &[Role::Head]),
            actor("r", &[Role::Archivist]),
            actor("other-host", &[Role::Host]),
            Actor::party("inv", "H", PartyKind::Petitioner),
        ];
        for who in &outsiders {
            for stage in [Stage::Deliberation, Stage::Vote] {
                let d = disclosure(Some(who), Some(&staff), running(stage));
                assert_eq!(
                    (d.panel, d.results, d.deliberation),
                    (false, false, false),
                    "{who:?}"
                );
            }
            let d = disclosure(Some(who), Some(&staff), running(Stage::Announcement));
            assert_eq!((d.panel, d.results, d.deliberation), (false, true, false));
            let d = disclosure(Some(who), Some(&staff), Procedure::Closed);
            assert_eq!((d.panel, d.results, d.deliberation), (false, true, true));
        }
        assert!(!disclosure(None, Some(&staff), running(Stage::Vote)).results);
        for insider in [
            actor("h", &[Role::Host]),
            actor("c", &[Role::Clerk]),
            actor("j", &[Role::Juror]),
        ] {
            let d = disclosure(Some(&insider), Some(&staff), running(Stage::Deliberation));
            assert_eq!((d.panel, d.results, d.deliberation), (true, true, true));
        }
    }

    #[test]
    fn a_member_without_a_staff_role_lists_only_their_own_hearings() {
        assert!(lists_own_hearings_only(&actor("j", &[Role::Juror])));
        assert!(lists_own_hearings_only(&actor(
            "j",
            &[Role::Juror, Role::Head]
        )));
        assert!(!lists_own_hearings_only(&actor(
            "j",
            &[Role::Juror, Role::Clerk]
        )));
        assert!(!lists_own_hearings_only(&actor("a", &[Role::Admin])));
    }

    fn actor(id: &str, roles: &[Role]) -> Actor {
        Actor::account(id, roles.to_vec())
    }

    fn hearing() -> HearingStaff {
        HearingStaff {
            hearing_id: "H".into(),
            is_public: false,
            host_id: Some("h".into()),
            clerk_id: Some("c".into()),
            jurors: vec!["j".into()],
        }
    }

    #[test]
    fn a_party_sees_only_its_own_hearing_and_does_nothing_else() {
        let party = Actor::party("inv-1", "H", PartyKind::Petitioner);
        assert!(permits(Some(&party), Action::ViewRoom, Some(&hearing())));
        let other = HearingStaff {
            hearing_id: "other".into(),
            ..hearing()
        };
        assert!(!permits(Some(&party), Action::ViewRoom, Some(&other)));
        let party_may = [
            Action::ViewRoom,
            Action::SubmitEvidence,
            Action::GiveEvidenceOpinion,
            Action::CheckIn,
            Action::GiveFeedback,
        ];
        for action in Action::ALL.into_iter().filter(|a| !party_may.contains(a)) {
            assert!(
                !permits(Some(&party), action, Some(&hearing())),
                "{action:?}"
            );
        }
        // An account id that happens to equal an invitation id gains nothing.
        assert!(!permits(
            Some(&actor("inv-1", &[])),
            Action::ViewRoom,
            Some(&hearing())
        ));
    }

    #[test]
    fn anonymous_visitors_only_observe_public_hearings() {
        for action in Action::ALL {
            assert!(!permits(None, action, Some(&hearing())), "{action:?}");
        }
        let public = HearingStaff {
            is_public: true,
            ..hearing()
        };
        for action in Action::ALL {
            assert_eq!(
                permits(None, action, Some(&public)),
                action == Action::ObserveHearing,
                "{action:?}"
            );
        }
        assert!(!permits(None, Action::ObserveHearing, None));
    }

    #[test]
    fn per_hearing_grants_need_the_place_not_just_the_role() {
        let h = hearing();
        assert!(permits(
            Some(&actor("c", &[Role::Clerk])),
            Action::RecordNote,
            Some(&h)
        ));
        assert!(!permits(
            Some(&actor("c2", &[Role::Clerk])),
            Action::RecordNote,
            Some(&h)
        ));
        assert!(permits(
            Some(&actor("h", &[Role::Host])),
            Action::RecordNote,
            Some(&h)
        ));
        assert!(!permits(
            Some(&actor("h", &[Role::Host])),
            Action::RecordNote,
            None
        ));
        assert!(permits(
            Some(&actor("j", &[Role::Juror])),
            Action::ViewRoom,
            Some(&h)
        ));
        assert!(!permits(
            Some(&actor("j2", &[Role::Juror])),
            Action::ViewRoom,
            Some(&h)
        ));
        assert!(!permits(
            Some(&actor("j", &[Role::Juror])),
            Action::RecordNote,
            Some(&h)
        ));
        // A juror id in the host slot does not make a non-host a host.
        let odd = HearingStaff {
            host_id: Some("j".into()),
            ..hearing()
        };
        assert!(!permits(
            Some(&actor("j", &[Role::Juror])),
            Action::RecordNote,
            Some(&odd)
        ));
    }

    #[test]
    fn only_admins_manage_accounts() {
        for role in Role::ALL {
            assert_eq!(
                permits(Some(&actor("x", &[role])), Action::ManageAccounts, None),
                role == Role::Admin
            );
        }
    }

    #[test]
    fn roles_round_trip_through_storage() {
        assert_eq!(
            parse_roles("juror,admin,bogus,admin"),
            vec![Role::Admin, Role::Juror]
        );
        assert_eq!(format_roles(&parse_roles("clerk,host")), "host,clerk");
        assert_eq!(parse_roles(""), Vec::<Role>::new());
    }

    proptest! {
        /// Adding a role never takes a permission away (monotone), and an actor
        /// without roles is refused everything.
        #[test]
        fn more_roles_never_permit_less(mask in 0u8..64, extra in 0usize..6, id in "[hcj]") {
            let roles: Vec<Role> = Role::ALL.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, r)| *r).collect();
            let base = actor(&id, &roles);
            let mut more = base.clone();
            more.roles.push(Role::ALL[extra]);
            for action in Action::ALL {
                for h in [None, Some(hearing())] {
                    if permits(Some(&base), action, h.as_ref()) {
                        prop_assert!(permits(Some(&more), action, h.as_ref()));
                    }
                    prop_assert!(!permits(Some(&actor(&id, &[])), action, h.as_ref()));
                }
            }
        }
    }
}
