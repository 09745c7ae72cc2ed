//! 听后跟踪 after the hearing (#10): the handling decision and how the case
//! ended, the two-way commitment (双向承诺书), follow-up visits (回访), the
//! petitioner's satisfaction, and repeat petitions (重复信访).
//!
//! Hengkou's rule “三个不结案” (a case is not closed while the petitioner is
//! unsatisfied) is why satisfaction and follow-ups are tracked per hearing and
//! why an overdue visit is flagged rather than silently dropped.

use super::case::{CalendarDate, CaseStatus};
use super::stats::{Resolution, Satisfaction};
use serde::{Deserialize, Serialize};

/// Longest handling decision (处理决定) kept, in characters.
pub const DECISION_MAX: usize = 2000;
/// Longest side of a commitment (承诺内容), in characters.
pub const COMMITMENT_MAX: usize = 2000;
/// Longest follow-up note (回访记录), in characters.
pub const NOTE_MAX: usize = 2000;
/// Longest satisfaction comment (评价意见), in characters.
pub const COMMENT_MAX: usize = 500;

/// 回访 policy: days after the handling decision at which visits fall due
/// (30 and 90 by default; an office setting).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpPolicy {
    pub offsets_days: Vec<u32>,
}

impl Default for FollowUpPolicy {
    fn default() -> Self {
        FollowUpPolicy {
            offsets_days: vec![30, 90],
        }
    }
}

impl FollowUpPolicy {
    pub const MAX_VISITS: usize = 6;
    pub const MAX_DAYS: u32 = 730;

    /// From the settings text "30,90" (also "30，90" or "30 90" as typed).
    pub fn parse(raw: &str) -> Result<FollowUpPolicy, AftercareRefusal> {
        let offsets_days = raw
            .split([',', '，', ' ', '、'])
            .filter(|part| !part.trim().is_empty())
            .map(|part| part.trim().parse::<u32>())
            .collect::<Result<Vec<u32>, _>>()
            .map_err(|_| AftercareRefusal::PolicyInvalid)?;
        let policy = FollowUpPolicy { offsets_days };
        if policy.is_valid() {
            Ok(policy)
        } else {
            Err(AftercareRefusal::PolicyInvalid)
        }
    }

    /// One to six visits, each 1–730 days after the decision, in increasing order.
    pub fn is_valid(&self) -> bool {
        let days = &self.offsets_days;
        (1..=Self::MAX_VISITS).contains(&days.len())
            && days.iter().all(|d| (1..=Self::MAX_DAYS).contains(d))
            && days.windows(2).all(|w| w[0] < w[1])
    }

    /// "30,90", as stored.
    pub fn to_setting_text(&self) -> String {
        self.offsets_days
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The days visits fall due for a decision made on `decided_on`.
    pub fn due_dates(&self, decided_on: CalendarDate) -> Vec<CalendarDate> {
        self.offsets_days
            .iter()
            .map(|days| decided_on.plus_days(i64::from(*days)))
            .collect()
    }
}

/// Where a follow-up visit stands on a given day.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum FollowUpState {
    /// 已回访
    Done,
    /// 已逾期 by this many days.
    Overdue { days: i64 },
    /// 待回访, due in this many days (0: today).
    Pending { days_left: i64 },
}

impl FollowUpState {
    pub fn of(due_on: CalendarDate, done_on: Option<CalendarDate>, today: CalendarDate) -> Self {
        if done_on.is_some() {
            return FollowUpState::Done;
        }
        let days_left = today.days_until(due_on);
        if days_left < 0 {
            FollowUpState::Overdue { days: -days_left }
        } else {
            FollowUpState::Pending { days_left }
        }
    }

    pub fn label_zh(self) -> String {
        match self {
            FollowUpState::Done => "已回访".into(),
            FollowUpState::Overdue { days } => format!("已逾期 {days} 天"),
            FollowUpState::Pending { days_left: 0 } => "今日到期".into(),
            FollowUpState::Pending { days_left } => format!("{days_left} 天后到期"),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            FollowUpState::Done => "done",
            FollowUpState::Overdue { .. } => "overdue",
            FollowUpState::Pending { .. } => "pending",
        }
    }
}

/// 处理结果: what the office decided after the hearing, and how the case ended.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// 处理决定 (or 答复意见) that followed the panel's opinion.
    pub decision: String,
    pub decided_on: CalendarDate,
    pub resolution: Resolution,
}

/// The outcome as it may be stored: text trimmed and within bounds; the decision
/// no earlier than the hearing and not in the future.
pub fn check_outcome(
    outcome: Outcome,
    held_on: CalendarDate,
    today: CalendarDate,
) -> Result<Outcome, AftercareRefusal> {
    if held_on > today {
        return Err(AftercareRefusal::NotHeldYet);
    }
    let decision = checked_text(&outcome.decision, AftercareField::Decision, DECISION_MAX)?;
    if decision.is_empty() {
        return Err(AftercareRefusal::Empty {
            field: AftercareField::Decision,
        });
    }
    if outcome.decided_on < held_on {
        return Err(AftercareRefusal::DecidedBeforeHearing { held_on });
    }
    if outcome.decided_on > today {
        return Err(AftercareRefusal::InTheFuture);
    }
    Ok(Outcome {
        decision,
        ..outcome
    })
}

/// 双向承诺书: one side of the commitment.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitmentSide {
    /// 责任单位承诺
    Agency,
    /// 信访人承诺
    Petitioner,
}

impl CommitmentSide {
    pub fn code(self) -> &'static str {
        match self {
            CommitmentSide::Agency => "agency",
            CommitmentSide::Petitioner => "petitioner",
        }
    }

    pub fn from_code(code: &str) -> Option<CommitmentSide> {
        [CommitmentSide::Agency, CommitmentSide::Petitioner]
            .into_iter()
            .find(|s| s.code() == code.trim())
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            CommitmentSide::Agency => "责任单位",
            CommitmentSide::Petitioner => "信访人",
        }
    }

    /// The side a party speaks for: the petitioner and the agency each confirm
    /// their own commitment; a third party confirms neither.
    pub fn of_party(kind: super::access::PartyKind) -> Option<CommitmentSide> {
        match kind {
            super::access::PartyKind::Petitioner => Some(CommitmentSide::Petitioner),
            super::access::PartyKind::Agency => Some(CommitmentSide::Agency),
            super::access::PartyKind::ThirdParty => None,
        }
    }
}

/// Who confirmed one side, and how.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    /// The name as recorded: the party's invitation name or the staff member's.
    pub by: String,
    pub at_ms: i64,
    /// Signed on paper, the scan attached by staff (rather than in the app).
    pub on_paper: bool,
}

/// The commitment as it stands.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commitment {
    pub agency_text: String,
    pub petitioner_text: String,
    pub agency: Option<Confirmation>,
    pub petitioner: Option<Confirmation>,
    /// SHA-256 of the signed scan (PDF or image), when one was attached.
    pub scan_sha256: Option<String>,
}

impl Commitment {
    pub fn confirmation(&self, side: CommitmentSide) -> Option<&Confirmation> {
        match side {
            CommitmentSide::Agency => self.agency.as_ref(),
            CommitmentSide::Petitioner => self.petitioner.as_ref(),
        }
    }

    /// Both sides have confirmed (in the app or on paper).
    pub fn is_complete(&self) -> bool {
        self.agency.is_some() && self.petitioner.is_some()
    }

    /// The commitment after staff (re)draft it: a changed text voids the
    /// confirmations given to the old wording; an unchanged one keeps them.
    pub fn redrafted(
        previous: Option<&Commitment>,
        agency_text: &str,
        petitioner_text: &str,
    ) -> Result<Commitment, AftercareRefusal> {
        let agency_text = checked_text(
            agency_text,
            AftercareField::AgencyCommitment,
            COMMITMENT_MAX,
        )?;
        let petitioner_text = checked_text(
            petitioner_text,
            AftercareField::PetitionerCommitment,
            COMMITMENT_MAX,
        )?;
        for (text, field) in [
            (&agency_text, AftercareField::AgencyCommitment),
            (&petitioner_text, AftercareField::PetitionerCommitment),
        ] {
            if text.is_empty() {
                return Err(AftercareRefusal::Empty { field });
            }
        }
        let keep = |old: Option<&Confirmation>, same: bool| if same { old.cloned() } else { None };
        Ok(Commitment {
            agency: keep(
                previous.and_then(|p| p.agency.as_ref()),
                previous.is_some_and(|p| p.agency_text == agency_text),
            ),
            petitioner: keep(
                previous.and_then(|p| p.petitioner.as_ref()),
                previous.is_some_and(|p| p.petitioner_text == petitioner_text),
            ),
            scan_sha256: previous
                .filter(|p| p.agency_text == agency_text && p.petitioner_text == petitioner_text)
                .and_then(|p| p.scan_sha256.clone()),
            agency_text,
            petitioner_text,
        })
    }

    /// `side` confirms in the app (a party through its invitation).
    pub fn confirmed_by(
        &self,
        side: CommitmentSide,
        confirmation: Confirmation,
    ) -> Result<Commitment, AftercareRefusal> {
        if self.confirmation(side).is_some() {
            return Err(AftercareRefusal::AlreadyConfirmed { side });
        }
        let mut next = self.clone();
        match side {
            CommitmentSide::Agency => next.agency = Some(confirmation),
            CommitmentSide::Petitioner => next.petitioner = Some(confirmation),
        }
        Ok(next)
    }

    /// Staff attach the scan signed by both sides on paper: both confirmed.
    pub fn signed_on_paper(&self, scan_sha256: String, by: String, at_ms: i64) -> Commitment {
        let paper = Confirmation {
            by,
            at_ms,
            on_paper: true,
        };
        Commitment {
            agency: self.agency.clone().or_else(|| Some(paper.clone())),
            petitioner: self.petitioner.clone().or(Some(paper)),
            scan_sha256: Some(scan_sha256),
            ..self.clone()
        }
    }
}

/// The two sides' wording of a commitment, before it is saved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitmentWording {
    pub agency_text: String,
    pub petitioner_text: String,
}

/// 双向承诺书 generated from the hearing, for staff to edit before saving: the
/// agency undertakes to carry out the recorded handling decision (处理决定),
/// the petitioner to abide by the conclusion and not petition again on the
/// same matter. Each side is named as the case names it. Each text fits
/// [`COMMITMENT_MAX`], so the draft can be saved as it is.
pub fn generated_commitment(
    petitioners: &[String],
    agencies: &[String],
    outcome: Option<&Outcome>,
) -> CommitmentWording {
    let agency = names_or(agencies, "责任单位");
    let petitioner = names_or(petitioners, "信访人");
    let undertaking =
        "在规定期限内落实到位，并将落实情况告知信访人，接受信访工作机构的回访和监督。";
    let agency_text = match outcome {
        Some(o) => {
            let opening = format!(
                "{agency}承诺：认真执行{}作出的处理决定：",
                o.decided_on.format_zh()
            );
            let room = COMMITMENT_MAX
                .saturating_sub(opening.chars().count() + undertaking.chars().count() + 1);
            let decision = shortened(
                o.decision.trim().trim_end_matches(['。', '；', ';', '.']),
                room,
            );
            format!("{opening}{decision}；{undertaking}")
        }
        None => format!("{agency}承诺：认真执行听证评议后作出的处理决定，{undertaking}"),
    };
    CommitmentWording {
        agency_text,
        petitioner_text: format!(
            "{petitioner}承诺：服从评议结论及处理决定，配合{agency}落实处理决定，\
             不再就同一事项重复信访；如有新的诉求，依法通过正当渠道反映。"
        ),
    }
}

/// "张建国、李梅", or `fallback` when the case names nobody.
fn names_or(names: &[String], fallback: &str) -> String {
    let named: Vec<&str> = names
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .collect();
    if named.is_empty() {
        fallback.to_owned()
    } else {
        named.join("、")
    }
}

/// At most `max` characters, the cut marked with "…".
fn shortened(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let kept: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{kept}…")
}

/// Where the satisfaction rating came from.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatingSource {
    /// The petitioner, through the invitation link.
    Petitioner,
    /// Staff, after a call or a visit (电话回访).
    Staff,
}

impl RatingSource {
    pub fn code(self) -> &'static str {
        match self {
            RatingSource::Petitioner => "petitioner",
            RatingSource::Staff => "staff",
        }
    }

    pub fn from_code(code: &str) -> Option<RatingSource> {
        [RatingSource::Petitioner, RatingSource::Staff]
            .into_iter()
            .find(|s| s.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            RatingSource::Petitioner => "信访人在线评价",
            RatingSource::Staff => "工作人员回访录入",
        }
    }
}

/// 满意度评价: the latest rating of a hearing's handling counts.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub rating: Satisfaction,
    pub comment: String,
    pub source: RatingSource,
    pub recorded_by: String,
    pub at_ms: i64,
}

/// The comment as it may be stored.
pub fn check_comment(comment: &str) -> Result<String, AftercareRefusal> {
    checked_text(comment, AftercareField::Comment, COMMENT_MAX)
}

/// A follow-up visit's record: done on a day (not in the future, not before the
/// decision it follows) with a note of what was found.
pub fn check_visit(
    done_on: CalendarDate,
    note: &str,
    decided_on: CalendarDate,
    today: CalendarDate,
) -> Result<String, AftercareRefusal> {
    if done_on > today {
        return Err(AftercareRefusal::InTheFuture);
    }
    if done_on < decided_on {
        return Err(AftercareRefusal::VisitBeforeDecision { decided_on });
    }
    let note = checked_text(note, AftercareField::Note, NOTE_MAX)?;
    if note.is_empty() {
        return Err(AftercareRefusal::Empty {
            field: AftercareField::Note,
        });
    }
    Ok(note)
}

/// 重复信访: a case may be marked as a repeat of a hearing held earlier on
/// another case, received on or after that hearing's day.
pub fn check_repeat(
    case_id: &str,
    case_received_on: CalendarDate,
    earlier_case_id: &str,
    earlier_held_on: CalendarDate,
    today: CalendarDate,
) -> Result<(), AftercareRefusal> {
    if case_id == earlier_case_id {
        return Err(AftercareRefusal::RepeatOfItself);
    }
    if earlier_held_on > today {
        return Err(AftercareRefusal::NotHeldYet);
    }
    if case_received_on < earlier_held_on {
        return Err(AftercareRefusal::RepeatBeforeHearing {
            held_on: earlier_held_on,
        });
    }
    Ok(())
}

/// What one hearing of a case still leaves to do, as far as closing the case
/// is concerned (三个不结案).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClosingFacts {
    /// The latest satisfaction rating (the one that counts), if any.
    pub latest_rating: Option<Satisfaction>,
    /// Follow-up visits not yet recorded, pending or overdue.
    pub open_visits: usize,
    /// Of those, the ones past their day.
    pub overdue_visits: usize,
    /// `None` when no commitment was drafted; else whether both sides confirmed it.
    pub commitment_confirmed: Option<bool>,
}

/// Why a case may not be closed yet: each of Hengkou's “三个不结案” that applies.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StillOpen {
    /// 信访人不满意: a hearing's latest rating is 不满意.
    pub petitioner_dissatisfied: bool,
    /// 回访未完成: a follow-up visit is still to make.
    pub visits_open: bool,
    /// 双向承诺书未经双方确认: drafted, but not confirmed by both sides.
    pub commitment_unconfirmed: bool,
}

impl StillOpen {
    /// What the case's hearings leave open, all of them together.
    pub fn of(hearings: &[ClosingFacts]) -> StillOpen {
        StillOpen {
            petitioner_dissatisfied: hearings
                .iter()
                .any(|h| h.latest_rating == Some(Satisfaction::Dissatisfied)),
            visits_open: hearings.iter().any(|h| h.open_visits > 0),
            commitment_unconfirmed: hearings
                .iter()
                .any(|h| h.commitment_confirmed == Some(false)),
        }
    }

    pub fn is_clear(self) -> bool {
        self == StillOpen::default()
    }

    /// The open items as the office names them, in the rule's order.
    pub fn items_zh(self) -> Vec<&'static str> {
        self.items().into_iter().map(|(zh, _)| zh).collect()
    }

    pub fn items_en(self) -> Vec<&'static str> {
        self.items().into_iter().map(|(_, en)| en).collect()
    }

    fn items(self) -> Vec<(&'static str, &'static str)> {
        [
            (
                self.petitioner_dissatisfied,
                ("信访人不满意", "the petitioner is dissatisfied"),
            ),
            (
                self.visits_open,
                ("回访未完成", "a follow-up visit is still open"),
            ),
            (
                self.commitment_unconfirmed,
                (
                    "双向承诺书未经双方确认",
                    "the two-way commitment is not confirmed by both sides",
                ),
            ),
        ]
        .into_iter()
        .filter(|(open, _)| *open)
        .map(|(_, words)| words)
        .collect()
    }
}

/// 三个不结案 (Hengkou): a case changed to 已办结 is refused while, for any of its
/// hearings, the petitioner's latest rating is 不满意, a follow-up visit is
/// still open, or a drafted commitment lacks a side's confirmation. Every other
/// change of status, and a case without hearings, passes.
pub fn check_case_closing(
    from: CaseStatus,
    to: CaseStatus,
    hearings: &[ClosingFacts],
) -> Result<(), AftercareRefusal> {
    let closing = to == CaseStatus::Concluded && from != CaseStatus::Concluded;
    let open = StillOpen::of(hearings);
    if closing && !open.is_clear() {
        Err(AftercareRefusal::CaseStillOpen { open })
    } else {
        Ok(())
    }
}

/// 三个不结案 after the fact: a case already 已办结 whose hearings now leave
/// something open (a 不满意 rating given later, a visit still to make). The
/// office does not reopen it behind its staff's back: the case and hearing
/// pages warn, naming what is open, and staff decide (set it back to 办理中,
/// or complete the visit). `None` for a case not concluded or with nothing open.
///
/// A visit counts here once it is overdue: a case is often concluded with the
/// 90-day visit still to come, and that is not news.
pub fn concluded_but_open(status: CaseStatus, hearings: &[ClosingFacts]) -> Option<StillOpen> {
    let due: Vec<ClosingFacts> = hearings
        .iter()
        .map(|h| ClosingFacts {
            open_visits: h.overdue_visits,
            ..*h
        })
        .collect();
    let open = StillOpen::of(&due);
    (status == CaseStatus::Concluded && !open.is_clear()).then_some(open)
}

/// Trimmed, within `max` characters, without control characters (new lines
/// allowed: decisions and notes are paragraphs).
fn checked_text(raw: &str, field: AftercareField, max: usize) -> Result<String, AftercareRefusal> {
    let text = raw.trim();
    if text.chars().count() > max {
        return Err(AftercareRefusal::TooLong { field, max });
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(AftercareRefusal::ControlCharacters { field });
    }
    Ok(text.replace("\r\n", "\n"))
}

/// The fields of the after-hearing forms, for messages.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AftercareField {
    Decision,
    AgencyCommitment,
    PetitionerCommitment,
    Note,
    Comment,
}

impl AftercareField {
    pub fn label_zh(self) -> &'static str {
        match self {
            AftercareField::Decision => "处理决定",
            AftercareField::AgencyCommitment => "责任单位承诺",
            AftercareField::PetitionerCommitment => "信访人承诺",
            AftercareField::Note => "回访记录",
            AftercareField::Comment => "评价意见",
        }
    }
}

/// Why an after-hearing record was refused.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum AftercareRefusal {
    #[error("{field:?} is empty")]
    Empty { field: AftercareField },
    #[error("{field:?} longer than {max} characters")]
    TooLong { field: AftercareField, max: usize },
    #[error("{field:?} contains control characters")]
    ControlCharacters { field: AftercareField },
    #[error("the hearing has not been held yet")]
    NotHeldYet,
    #[error("decided before the hearing ({held_on})")]
    DecidedBeforeHearing { held_on: CalendarDate },
    #[error("a date in the future")]
    InTheFuture,
    #[error("visit before the decision ({decided_on})")]
    VisitBeforeDecision { decided_on: CalendarDate },
    #[error("no handling decision recorded yet")]
    NoOutcome,
    #[error("no commitment drafted yet")]
    NoCommitment,
    #[error("{side:?} has already confirmed")]
    AlreadyConfirmed { side: CommitmentSide },
    #[error("only the petitioner and the agency confirm a commitment; only the petitioner rates")]
    NotThatParty,
    #[error("a case cannot repeat its own hearing")]
    RepeatOfItself,
    #[error("the case is already marked as a repeat petition")]
    AlreadyRepeat,
    #[error("the commitment's wording changed since it was shown")]
    WordingChanged,
    #[error("this visit is already recorded")]
    VisitRecorded,
    #[error("the case was received before the hearing ({held_on})")]
    RepeatBeforeHearing { held_on: CalendarDate },
    #[error("follow-up days must be 1–6 increasing numbers of 1–730")]
    PolicyInvalid,
    #[error("the scan must be a PDF, JPEG, PNG or WebP file")]
    ScanType,
    /// 三个不结案: the case may not be concluded while these stay open.
    #[error("the case cannot be concluded yet: {}", .open.items_en().join("; "))]
    CaseStillOpen { open: StillOpen },
}

impl AftercareRefusal {
    pub fn message_zh(self) -> String {
        match self {
            AftercareRefusal::Empty { field } => format!("{}不能为空", field.label_zh()),
            AftercareRefusal::TooLong { field, max } => {
                format!("{}不能超过 {max} 字", field.label_zh())
            }
            AftercareRefusal::ControlCharacters { field } => {
                format!("{}含有不可见的控制字符，请删除后重试", field.label_zh())
            }
            AftercareRefusal::NotHeldYet => "听证尚未举行".into(),
            AftercareRefusal::DecidedBeforeHearing { held_on } => {
                format!("处理决定日期不能早于听证日期（{}）", held_on.format_zh())
            }
            AftercareRefusal::InTheFuture => "日期不能晚于今天".into(),
            AftercareRefusal::VisitBeforeDecision { decided_on } => {
                format!("回访日期不能早于处理决定日期（{}）", decided_on.format_zh())
            }
            AftercareRefusal::NoOutcome => "请先录入处理结果".into(),
            AftercareRefusal::NoCommitment => "承诺书尚未拟定".into(),
            AftercareRefusal::AlreadyConfirmed { side } => {
                format!("{}已确认承诺，无需重复确认", side.label_zh())
            }
            AftercareRefusal::NotThatParty => {
                "承诺书由信访人和责任单位各自确认；满意度由信访人评价".into()
            }
            AftercareRefusal::RepeatOfItself => "不能把案件关联为本案听证的重复信访".into(),
            AftercareRefusal::AlreadyRepeat => "该案已登记为重复信访，如有误请先解除原关联".into(),
            AftercareRefusal::WordingChanged => {
                "承诺书内容已被修改，请刷新页面阅读新的内容后再确认".into()
            }
            AftercareRefusal::VisitRecorded => "该次回访已记录，不能再修改".into(),
            AftercareRefusal::RepeatBeforeHearing { held_on } => format!(
                "该案收件日期早于所关联的听证（{}），不属于评议后的重复信访",
                held_on.format_zh()
            ),
            AftercareRefusal::PolicyInvalid => {
                "回访天数应为 1 至 6 个递增的天数（1–730），用逗号分隔，如 30,90".into()
            }
            AftercareRefusal::ScanType => "承诺书扫描件须为 PDF、JPEG、PNG 或 WebP 文件".into(),
            AftercareRefusal::CaseStillOpen { open } => format!(
                "按“三个不结案”的规定，本案暂不能办结：{}",
                open.items_zh().join("、")
            ),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_concluded_case_left_open_afterwards_is_flagged_not_reopened() {
        let dissatisfied = ClosingFacts {
            latest_rating: Some(Satisfaction::Dissatisfied),
            ..ClosingFacts::default()
        };
        let open = concluded_but_open(CaseStatus::Concluded, &[dissatisfied]).unwrap();
        assert_eq!(open.items_zh(), ["信访人不满意"]);
        assert_eq!(
            concluded_but_open(CaseStatus::Accepted, &[dissatisfied]),
            None
        );
        assert_eq!(
            concluded_but_open(CaseStatus::Concluded, &[ClosingFacts::default()]),
            None
        );
        let visit_to_come = ClosingFacts {
            open_visits: 1,
            ..ClosingFacts::default()
        };
        assert_eq!(
            concluded_but_open(CaseStatus::Concluded, &[visit_to_come]),
            None
        );
        let overdue = ClosingFacts {
            overdue_visits: 1,
            ..visit_to_come
        };
        let open = concluded_but_open(CaseStatus::Concluded, &[overdue]).unwrap();
        assert_eq!(open.items_zh(), ["回访未完成"]);
    }

    use proptest::prelude::*;

    fn day(raw: &str) -> CalendarDate {
        raw.parse().unwrap()
    }

    #[test]
    fn visits_fall_due_30_and_90_days_after_the_decision_by_default() {
        let dates = FollowUpPolicy::default().due_dates(day("2026-10-10"));
        assert_eq!(dates, vec![day("2026-11-09"), day("2027-01-08")]);
    }

    #[test]
    fn the_policy_reads_what_offices_type_and_refuses_nonsense() {
        assert_eq!(
            FollowUpPolicy::parse("15，45、90").unwrap().offsets_days,
            vec![15, 45, 90]
        );
        assert_eq!(
            FollowUpPolicy::parse(" 30 , 90 ")
                .unwrap()
                .to_setting_text(),
            "30,90"
        );
        for bad in ["", "0", "90,30", "30,30", "abc", "1,2,3,4,5,6,7", "731"] {
            assert_eq!(
                FollowUpPolicy::parse(bad),
                Err(AftercareRefusal::PolicyInvalid),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_visit_is_overdue_the_day_after_it_falls_due_and_never_once_done() {
        let due = day("2026-11-30");
        assert_eq!(
            FollowUpState::of(due, None, day("2026-11-30")),
            FollowUpState::Pending { days_left: 0 }
        );
        assert_eq!(
            FollowUpState::of(due, None, day("2026-12-03")),
            FollowUpState::Overdue { days: 3 }
        );
        assert_eq!(
            FollowUpState::of(due, Some(day("2026-12-02")), day("2026-12-03")),
            FollowUpState::Done
        );
        assert_eq!(FollowUpState::Overdue { days: 3 }.label_zh(), "已逾期 3 天");
    }

    #[test]
    fn an_outcome_falls_between_the_hearing_and_today() {
        let outcome = |decided: &str, text: &str| Outcome {
            decision: text.into(),
            decided_on: day(decided),
            resolution: Resolution::Resolved,
        };
        let (held, today) = (day("2026-11-01"), day("2026-11-20"));
        let ok = check_outcome(
            outcome("2026-11-05", "  责令责任单位补发工资  "),
            held,
            today,
        )
        .unwrap();
        assert_eq!(ok.decision, "责令责任单位补发工资");
        assert_eq!(
            check_outcome(outcome("2026-10-31", "x"), held, today),
            Err(AftercareRefusal::DecidedBeforeHearing { held_on: held })
        );
        assert_eq!(
            check_outcome(outcome("2026-11-21", "x"), held, today),
            Err(AftercareRefusal::InTheFuture)
        );
        assert_eq!(
            check_outcome(outcome("2026-11-05", "   "), held, today),
            Err(AftercareRefusal::Empty {
                field: AftercareField::Decision
            })
        );
        assert_eq!(
            check_outcome(outcome("2026-11-05", "a\u{7}b"), held, today),
            Err(AftercareRefusal::ControlCharacters {
                field: AftercareField::Decision
            })
        );
        assert_eq!(
            check_outcome(outcome("2026-11-05", "x"), day("2026-11-21"), today),
            Err(AftercareRefusal::NotHeldYet)
        );
        assert_eq!(
            AftercareRefusal::DecidedBeforeHearing { held_on: held }.message_zh(),
            "处理决定日期不能早于听证日期（2026年11月1日）"
        );
    }

    fn confirmation(by: &str) -> Confirmation {
        Confirmation {
            by: by.into(),
            at_ms: 1,
            on_paper: false,
        }
    }

    #[test]
    fn a_changed_wording_needs_a_new_confirmation_and_an_unchanged_one_keeps_it() {
        let first = Commitment::redrafted(None, "三十日内补发工资", "不再就此事重复信访").unwrap();
        let first = first
            .confirmed_by(CommitmentSide::Agency, confirmation("某某镇"))
            .unwrap();
        let first = first
            .confirmed_by(CommitmentSide::Petitioner, confirmation("张某"))
            .unwrap();
        assert!(first.is_complete());
        assert_eq!(
            first.confirmed_by(CommitmentSide::Agency, confirmation("某某镇")),
            Err(AftercareRefusal::AlreadyConfirmed {
                side: CommitmentSide::Agency
            })
        );
        let same = Commitment::redrafted(Some(&first), "三十日内补发工资", " 不再就此事重复信访 ")
            .unwrap();
        assert!(same.is_complete());
        let changed =
            Commitment::redrafted(Some(&first), "十五日内补发工资", "不再就此事重复信访").unwrap();
        assert_eq!(changed.agency, None, "the agency confirmed other words");
        assert_eq!(changed.petitioner, Some(confirmation("张某")));
        assert_eq!(
            Commitment::redrafted(None, "", "x"),
            Err(AftercareRefusal::Empty {
                field: AftercareField::AgencyCommitment
            })
        );
    }

    #[test]
    fn a_paper_scan_confirms_both_sides_and_keeps_earlier_app_confirmations() {
        let drafted = Commitment::redrafted(None, "甲", "乙").unwrap();
        let agency = drafted
            .confirmed_by(CommitmentSide::Agency, confirmation("某局"))
            .unwrap();
        let paper = agency.signed_on_paper("ab".repeat(32), "李红".into(), 9);
        assert!(paper.is_complete());
        assert_eq!(paper.agency, Some(confirmation("某局")));
        assert!(paper.petitioner.as_ref().unwrap().on_paper);
        // A new wording voids the scan too: it shows the old one.
        let redrafted = Commitment::redrafted(Some(&paper), "甲", "丙").unwrap();
        assert_eq!(redrafted.scan_sha256, None);
    }

    #[test]
    fn the_commitment_is_generated_from_the_hearing_and_can_be_saved_as_it_is() {
        let petitioners = vec!["张建国".to_owned()];
        let agencies: Vec<String> = ["某镇人民政府", " ", "某县人社局"]
            .map(String::from)
            .to_vec();
        let outcome = Outcome {
            decision: "责令某镇人民政府三十日内补发拖欠工资 42,000 元。".into(),
            decided_on: day("2026-11-05"),
            resolution: Resolution::Resolved,
        };
        let wording = generated_commitment(&petitioners, &agencies, Some(&outcome));
        assert_eq!(
            wording.agency_text,
            "某镇人民政府、某县人社局承诺：认真执行2026年11月5日作出的处理决定：\
             责令某镇人民政府三十日内补发拖欠工资 42,000 元；\
             在规定期限内落实到位，并将落实情况告知信访人，接受信访工作机构的回访和监督。"
        );
        assert_eq!(
            wording.petitioner_text,
            "张建国承诺：服从评议结论及处理决定，配合某镇人民政府、某县人社局落实处理决定，\
             不再就同一事项重复信访；如有新的诉求，依法通过正当渠道反映。"
        );
        // Before the decision is recorded, and for a case naming nobody.
        let early = generated_commitment(&[], &[], None);
        assert!(
            early
                .agency_text
                .starts_with("责任单位承诺：认真执行听证评议后作出的处理决定")
        );
        assert!(
            early
                .petitioner_text
                .starts_with("信访人承诺：服从评议结论及处理决定，配合责任单位")
        );
        // The longest decision still gives a wording the form accepts.
        let long = Outcome {
            decision: "补".repeat(DECISION_MAX),
            ..outcome
        };
        let wording = generated_commitment(&petitioners, &agencies, Some(&long));
        assert_eq!(wording.agency_text.chars().count(), COMMITMENT_MAX);
        assert!(wording.agency_text.contains("补…；在规定期限内"));
        assert!(
            Commitment::redrafted(None, &wording.agency_text, &wording.petitioner_text).is_ok()
        );
    }

    #[test]
    fn only_the_two_sides_confirm() {
        use super::super::access::PartyKind;
        assert_eq!(
            CommitmentSide::of_party(PartyKind::Petitioner),
            Some(CommitmentSide::Petitioner)
        );
        assert_eq!(
            CommitmentSide::of_party(PartyKind::Agency),
            Some(CommitmentSide::Agency)
        );
        assert_eq!(CommitmentSide::of_party(PartyKind::ThirdParty), None);
    }

    #[test]
    fn a_repeat_follows_a_hearing_on_another_case() {
        let (held, today) = (day("2026-06-01"), day("2026-11-20"));
        assert_eq!(
            check_repeat("c2", day("2026-07-01"), "c1", held, today),
            Ok(())
        );
        assert_eq!(
            check_repeat("c2", day("2026-06-01"), "c1", held, today),
            Ok(()),
            "same day counts"
        );
        assert_eq!(
            check_repeat("c1", day("2026-07-01"), "c1", held, today),
            Err(AftercareRefusal::RepeatOfItself)
        );
        assert_eq!(
            check_repeat("c2", day("2026-05-31"), "c1", held, today),
            Err(AftercareRefusal::RepeatBeforeHearing { held_on: held })
        );
        assert_eq!(
            check_repeat("c2", day("2026-12-01"), "c1", day("2026-12-01"), today),
            Err(AftercareRefusal::NotHeldYet)
        );
    }

    #[test]
    fn a_visit_is_recorded_between_the_decision_and_today_with_a_note() {
        let (decided, today) = (day("2026-10-01"), day("2026-11-20"));
        assert_eq!(
            check_visit(day("2026-11-01"), " 电话回访，已履行 ", decided, today),
            Ok("电话回访，已履行".into())
        );
        assert_eq!(
            check_visit(day("2026-11-21"), "x", decided, today),
            Err(AftercareRefusal::InTheFuture)
        );
        assert_eq!(
            check_visit(day("2026-09-30"), "x", decided, today),
            Err(AftercareRefusal::VisitBeforeDecision {
                decided_on: decided
            })
        );
        assert_eq!(
            check_visit(day("2026-11-01"), "", decided, today),
            Err(AftercareRefusal::Empty {
                field: AftercareField::Note
            })
        );
        assert_eq!(
            check_comment(&"好".repeat(COMMENT_MAX + 1)),
            Err(AftercareRefusal::TooLong {
                field: AftercareField::Comment,
                max: COMMENT_MAX
            })
        );
    }

    /// A hearing with nothing left to do: rated content, visits made, the
    /// commitment confirmed by both sides.
    fn settled() -> ClosingFacts {
        ClosingFacts {
            latest_rating: Some(Satisfaction::Satisfied),
            open_visits: 0,
            overdue_visits: 0,
            commitment_confirmed: Some(true),
        }
    }

    fn closing(hearings: &[ClosingFacts]) -> Result<(), AftercareRefusal> {
        check_case_closing(CaseStatus::Accepted, CaseStatus::Concluded, hearings)
    }

    #[test]
    fn a_case_is_not_concluded_while_the_petitioner_is_dissatisfied() {
        let unhappy = ClosingFacts {
            latest_rating: Some(Satisfaction::Dissatisfied),
            ..settled()
        };
        let refused = closing(&[settled(), unhappy]);
        assert_eq!(
            refused,
            Err(AftercareRefusal::CaseStillOpen {
                open: StillOpen {
                    petitioner_dissatisfied: true,
                    ..StillOpen::default()
                }
            }),
            "one hearing of the case is enough"
        );
        // 基本满意 is content; so is a hearing nobody rated yet.
        let fairly = ClosingFacts {
            latest_rating: Some(Satisfaction::FairlySatisfied),
            ..settled()
        };
        let unrated = ClosingFacts {
            latest_rating: None,
            ..settled()
        };
        assert_eq!(closing(&[fairly, unrated]), Ok(()));
    }

    #[test]
    fn a_case_is_not_concluded_with_a_visit_open_or_a_commitment_half_confirmed() {
        let visit = ClosingFacts {
            open_visits: 1,
            ..settled()
        };
        let half = ClosingFacts {
            commitment_confirmed: Some(false),
            ..settled()
        };
        let Err(AftercareRefusal::CaseStillOpen { open }) = closing(&[visit, half]) else {
            panic!("refused");
        };
        assert_eq!(
            open.items_zh(),
            vec!["回访未完成", "双向承诺书未经双方确认"]
        );
        // No commitment drafted at all is not an unconfirmed one.
        let none = ClosingFacts {
            commitment_confirmed: None,
            ..settled()
        };
        assert_eq!(closing(&[none]), Ok(()));
    }

    #[test]
    fn the_refusal_names_everything_still_open() {
        let everything = ClosingFacts {
            latest_rating: Some(Satisfaction::Dissatisfied),
            open_visits: 2,
            overdue_visits: 1,
            commitment_confirmed: Some(false),
        };
        let refusal = closing(&[everything]).unwrap_err();
        assert_eq!(
            refusal.message_zh(),
            "按“三个不结案”的规定，本案暂不能办结：信访人不满意、回访未完成、双向承诺书未经双方确认"
        );
        assert_eq!(
            refusal.to_string(),
            "the case cannot be concluded yet: the petitioner is dissatisfied; \
             a follow-up visit is still open; the two-way commitment is not confirmed by both sides"
        );
    }

    #[test]
    fn only_the_change_to_concluded_is_checked() {
        let everything = ClosingFacts {
            latest_rating: Some(Satisfaction::Dissatisfied),
            open_visits: 2,
            overdue_visits: 1,
            commitment_confirmed: Some(false),
        };
        for (from, to) in [
            (CaseStatus::Registered, CaseStatus::Accepted),
            (CaseStatus::Accepted, CaseStatus::NotAccepted),
            (CaseStatus::Concluded, CaseStatus::Accepted),
            // Already concluded (e.g. imported history): other edits pass.
            (CaseStatus::Concluded, CaseStatus::Concluded),
        ] {
            assert_eq!(
                check_case_closing(from, to, &[everything]),
                Ok(()),
                "{from:?} → {to:?}"
            );
        }
        for from in [CaseStatus::Registered, CaseStatus::NotAccepted] {
            assert!(check_case_closing(from, CaseStatus::Concluded, &[everything]).is_err());
        }
        assert_eq!(closing(&[]), Ok(()), "a case without hearings");
    }

    proptest! {
        /// Visits are due in the policy's order, each its offset after the decision.
        #[test]
        fn due_dates_follow_the_policy(start in 0i64..40_000, mut days in proptest::collection::btree_set(1u32..=730, 1..=6)) {
            let policy = FollowUpPolicy { offsets_days: std::mem::take(&mut days).into_iter().collect() };
            prop_assert!(policy.is_valid());
            let decided = CalendarDate::new(1970, 1, 1).unwrap().plus_days(start);
            let due = policy.due_dates(decided);
            prop_assert_eq!(due.len(), policy.offsets_days.len());
            for (d, offset) in due.iter().zip(&policy.offsets_days) {
                prop_assert_eq!(decided.days_until(*d), i64::from(*offset));
            }
            prop_assert_eq!(FollowUpPolicy::parse(&policy.to_setting_text()), Ok(policy));
        }
    }
}
