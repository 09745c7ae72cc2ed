//! 排期 scheduling rules for hearings: the form of a hearing, the notice period,
//! who may host, and double bookings of rooms and people.

use serde::{Deserialize, Serialize};

use super::case::Coded;

/// 听证形式: a public hearing is open to observers and announced (听证公告).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HearingKind {
    /// 公开听证
    Public,
    /// 不公开听证
    Closed,
}

impl Coded for HearingKind {
    const ALL: &'static [Self] = &[HearingKind::Public, HearingKind::Closed];
    fn code(self) -> &'static str {
        match self {
            HearingKind::Public => "public",
            HearingKind::Closed => "closed",
        }
    }
    fn label_zh(self) -> &'static str {
        match self {
            HearingKind::Public => "公开听证",
            HearingKind::Closed => "不公开听证",
        }
    }
    fn label_en(self) -> &'static str {
        match self {
            HearingKind::Public => "Public hearing",
            HearingKind::Closed => "Closed hearing",
        }
    }
}

/// Where a hearing stands by its log, beside its plan's [`HearingStatus`]:
/// the log, not the planned time, says whether it has been held.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sitting {
    /// 未开始: not opened yet.
    #[default]
    NotOpened,
    /// 进行中: opened (宣布开始), not yet closed.
    InSession,
    /// 已举行: closed (闭会).
    Closed,
}

impl Sitting {
    /// From the times the log recorded (`hearings.opened_at`/`closed_at`).
    pub fn of(opened_at_ms: Option<i64>, closed_at_ms: Option<i64>) -> Sitting {
        match (opened_at_ms, closed_at_ms) {
            (_, Some(_)) => Sitting::Closed,
            (Some(_), None) => Sitting::InSession,
            (None, None) => Sitting::NotOpened,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Sitting::NotOpened => "not_opened",
            Sitting::InSession => "in_session",
            Sitting::Closed => "closed",
        }
    }
}

/// Where a hearing stands on the calendar.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HearingStatus {
    /// 已排期 on the calendar; its room and people are booked.
    Scheduled,
    /// 延期 postponed, new date not yet fixed; books nothing.
    Postponed,
    /// 已取消 cancelled; books nothing, stays in the history.
    Cancelled,
}

impl Coded for HearingStatus {
    const ALL: &'static [Self] = &[
        HearingStatus::Scheduled,
        HearingStatus::Postponed,
        HearingStatus::Cancelled,
    ];
    fn code(self) -> &'static str {
        match self {
            HearingStatus::Scheduled => "scheduled",
            HearingStatus::Postponed => "postponed",
            HearingStatus::Cancelled => "cancelled",
        }
    }
    fn label_zh(self) -> &'static str {
        match self {
            HearingStatus::Scheduled => "已排期",
            HearingStatus::Postponed => "已延期",
            HearingStatus::Cancelled => "已取消",
        }
    }
    fn label_en(self) -> &'static str {
        match self {
            HearingStatus::Scheduled => "Scheduled",
            HearingStatus::Postponed => "Postponed",
            HearingStatus::Cancelled => "Cancelled",
        }
    }
}

/// What a change to a hearing's plan was, as its history and notices show it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleChange {
    /// 排期 first scheduled.
    Scheduled,
    /// 修改 details changed (title, host, questions …) without moving it.
    Edited,
    /// 改期 moved to another time or room.
    Rescheduled,
    /// 延期 postponed without a new date.
    Postponed,
    /// 取消 cancelled.
    Cancelled,
}

impl Coded for ScheduleChange {
    const ALL: &'static [Self] = &[
        ScheduleChange::Scheduled,
        ScheduleChange::Edited,
        ScheduleChange::Rescheduled,
        ScheduleChange::Postponed,
        ScheduleChange::Cancelled,
    ];
    fn code(self) -> &'static str {
        match self {
            ScheduleChange::Scheduled => "scheduled",
            ScheduleChange::Edited => "edited",
            ScheduleChange::Rescheduled => "rescheduled",
            ScheduleChange::Postponed => "postponed",
            ScheduleChange::Cancelled => "cancelled",
        }
    }
    fn label_zh(self) -> &'static str {
        match self {
            ScheduleChange::Scheduled => "排期",
            ScheduleChange::Edited => "修改",
            ScheduleChange::Rescheduled => "改期",
            ScheduleChange::Postponed => "延期",
            ScheduleChange::Cancelled => "取消",
        }
    }
    fn label_en(self) -> &'static str {
        match self {
            ScheduleChange::Scheduled => "Scheduled",
            ScheduleChange::Edited => "Edited",
            ScheduleChange::Rescheduled => "Rescheduled",
            ScheduleChange::Postponed => "Postponed",
            ScheduleChange::Cancelled => "Cancelled",
        }
    }
}

/// The plan of a hearing as a host enters it (also the API's body).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HearingPlan {
    pub title: String,
    pub kind: HearingKind,
    pub starts_at_ms: i64,
    pub duration_min: u32,
    /// 听证室 the room, if held in one.
    pub room: Option<String>,
    /// 线上 whether participants may join online (video reception is normal).
    pub online: bool,
    pub host_id: String,
    pub clerk_id: Option<String>,
    /// 评议团人数: odd, 3–15.
    pub panel_size: u32,
    /// 表决事项 the questions the panel will vote on (#8 gives them options).
    pub questions: Vec<String>,
    /// Why the notice period is shorter than the office's rule, when it is.
    pub short_notice_reason: Option<String>,
    /// 名额要求 the quota template the panel draw (#5) must satisfy; the office's
    /// standard template when left out.
    #[serde(default)]
    pub quotas: Vec<super::sortition::Quota>,
}

/// Why a plan was refused. Each names what to fix.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum PlanError {
    #[error("title empty")]
    TitleEmpty,
    #[error("title too long")]
    TitleTooLong { max: usize },
    #[error("duration out of range")]
    Duration { min: u32, max: u32 },
    #[error("neither a room nor online")]
    NoPlace,
    #[error("room name too long")]
    RoomTooLong { max: usize },
    #[error("panel size must be odd, 3-15")]
    PanelSize,
    #[error("question empty or too long")]
    Question { max: usize },
    #[error("too many questions")]
    TooManyQuestions { max: usize },
    #[error("starts in the past")]
    StartsInPast,
    #[error("notice period too short")]
    NoticeTooShort {
        notice_days: u32,
        /// The earliest start day that keeps the rule, `YYYY-MM-DD`.
        earliest: String,
    },
    #[error("host and clerk are the same person")]
    HostIsClerk,
    #[error("host investigated the case")]
    HostIsInvestigator,
    #[error("reason needed")]
    ReasonNeeded,
    #[error("reason too long")]
    ReasonTooLong { max: usize },
    /// A quota with an unknown category, min above max, or more seats than the panel.
    #[error("quota invalid")]
    Quota { tag: String },
    /// The quotas' minimums need more seats than the panel has.
    #[error("quota minimums exceed the panel")]
    QuotaSum { needed: u32, panel_size: u32 },
}

impl PlanError {
    pub fn message_zh(&self) -> String {
        match self {
            PlanError::TitleEmpty => "请填写听证会名称".into(),
            PlanError::TitleTooLong { max } => format!("名称不能超过 {max} 个字"),
            PlanError::Duration { min, max } => {
                format!("预计时长须在 {min}–{max} 分钟之间")
            }
            PlanError::NoPlace => "请填写听证室，或选择线上参加".into(),
            PlanError::RoomTooLong { max } => format!("听证室名称不能超过 {max} 个字"),
            PlanError::PanelSize => "评议团人数须为 3 至 15 之间的单数".into(),
            PlanError::Question { max } => format!("表决事项不能为空，且不超过 {max} 个字"),
            PlanError::TooManyQuestions { max } => format!("表决事项最多 {max} 项"),
            PlanError::StartsInPast => "听证时间不能早于现在".into(),
            PlanError::NoticeTooShort {
                notice_days,
                earliest,
            } => format!(
                "书面通知须在听证 {notice_days} 日前送达当事人：最早可安排在 {earliest}；如确需提前，请填写理由"
            ),
            PlanError::HostIsClerk => "主持人和记录员不能是同一人".into(),
            PlanError::HostIsInvestigator => {
                "主持人不能由本事项的承办人担任（应当回避），请另选主持人".into()
            }
            PlanError::ReasonNeeded => "请填写理由".into(),
            PlanError::ReasonTooLong { max } => format!("理由不能超过 {max} 个字"),
            PlanError::Quota { tag } => format!(
                "名额要求「{}」无效：类别须为评议团名册中的类别，至少人数不能大于至多人数，也不能超过评议团人数",
                super::sortition::tag_label_zh(tag)
            ),
            PlanError::QuotaSum { needed, panel_size } => {
                format!("名额要求的最少人数合计 {needed} 人，超过评议团人数 {panel_size} 人")
            }
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            PlanError::TitleEmpty => "Enter the hearing's title".into(),
            PlanError::TitleTooLong { max } => {
                format!("The title may have at most {max} characters")
            }
            PlanError::Duration { min, max } => {
                format!("The expected duration must be {min}–{max} minutes")
            }
            PlanError::NoPlace => "Enter a room or choose online".into(),
            PlanError::RoomTooLong { max } => format!("The room may have at most {max} characters"),
            PlanError::PanelSize => "The panel size must be an odd number from 3 to 15".into(),
            PlanError::Question { max } => {
                format!("A ballot question must not be empty or longer than {max} characters")
            }
            PlanError::TooManyQuestions { max } => format!("At most {max} ballot questions"),
            PlanError::StartsInPast => "The hearing cannot start in the past".into(),
            PlanError::NoticeTooShort {
                notice_days,
                earliest,
            } => format!(
                "The written notice is due {notice_days} days before the hearing: the earliest date is {earliest}; give a reason to hold it sooner"
            ),
            PlanError::HostIsClerk => "The host and the clerk must be different people".into(),
            PlanError::HostIsInvestigator => {
                "The case's investigator may not host its hearing; choose another host".into()
            }
            PlanError::ReasonNeeded => "Give a reason".into(),
            PlanError::ReasonTooLong { max } => {
                format!("The reason may have at most {max} characters")
            }
            PlanError::Quota { tag } => format!(
                "The quota for “{}” is invalid: use a pool category, a minimum not above the maximum, within the panel size",
                super::sortition::tag_label_en(tag)
            ),
            PlanError::QuotaSum { needed, panel_size } => format!(
                "The quotas' minimums need {needed} seats, more than the panel's {panel_size}"
            ),
        }
    }
}

impl HearingPlan {
    pub const TITLE_MAX: usize = 200;
    pub const ROOM_MAX: usize = 100;
    pub const QUESTION_MAX: usize = 500;
    pub const QUESTIONS_MAX: usize = 20;
    pub const REASON_MAX: usize = 500;
    pub const DURATION_MIN: u32 = 15;
    pub const DURATION_MAX: u32 = 12 * 60;
    pub const DEFAULT_PANEL_SIZE: u32 = 7;

    /// "第一听证室", "线上", or "第一听证室 + 线上" — written on notices and lists.
    pub fn place_label_zh(&self) -> String {
        match (&self.room, self.online) {
            (Some(room), true) => format!("{room} + 线上"),
            (Some(room), false) => room.clone(),
            (None, _) => "线上".into(),
        }
    }

    pub fn ends_at_ms(&self) -> i64 {
        self.starts_at_ms + i64::from(self.duration_min) * 60_000
    }

    /// Tidies the texts and checks the plan on its own (no calendar, no clock),
    /// with the standard categories only.
    pub fn validate(self) -> Result<HearingPlan, Vec<PlanError>> {
        self.validate_with(&super::sortition::is_known_tag)
    }

    /// As [`HearingPlan::validate`], with the office's categories: a quota may
    /// name any tag `known` accepts.
    pub fn validate_with(
        mut self,
        known: &dyn Fn(&str) -> bool,
    ) -> Result<HearingPlan, Vec<PlanError>> {
        self.title = super::case::collapse_spaces(&self.title);
        self.room = self
            .room
            .take()
            .map(|r| super::case::collapse_spaces(&r))
            .filter(|r| !r.is_empty());
        self.clerk_id = self.clerk_id.take().filter(|c| !c.trim().is_empty());
        self.short_notice_reason = self
            .short_notice_reason
            .take()
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty());
        self.questions = self
            .questions
            .iter()
            .map(|q| q.trim().to_string())
            .filter(|q| !q.is_empty())
            .collect();

        let mut errors = Vec::new();
        if self.title.is_empty() {
            errors.push(PlanError::TitleEmpty);
        } else if self.title.chars().count() > Self::TITLE_MAX {
            errors.push(PlanError::TitleTooLong {
                max: Self::TITLE_MAX,
            });
        }
        if !(Self::DURATION_MIN..=Self::DURATION_MAX).contains(&self.duration_min) {
            errors.push(PlanError::Duration {
                min: Self::DURATION_MIN,
                max: Self::DURATION_MAX,
            });
        }
        match &self.room {
            None if !self.online => errors.push(PlanError::NoPlace),
            Some(room) if room.chars().count() > Self::ROOM_MAX => {
                errors.push(PlanError::RoomTooLong {
                    max: Self::ROOM_MAX,
                })
            }
            _ => {}
        }
        if !is_valid_panel_size(self.panel_size) {
            errors.push(PlanError::PanelSize);
        }
        if self.questions.len() > Self::QUESTIONS_MAX {
            errors.push(PlanError::TooManyQuestions {
                max: Self::QUESTIONS_MAX,
            });
        }
        if self
            .questions
            .iter()
            .any(|q| q.chars().count() > Self::QUESTION_MAX)
        {
            errors.push(PlanError::Question {
                max: Self::QUESTION_MAX,
            });
        }
        if self
            .short_notice_reason
            .as_ref()
            .is_some_and(|r| r.chars().count() > Self::REASON_MAX)
        {
            errors.push(PlanError::ReasonTooLong {
                max: Self::REASON_MAX,
            });
        }
        if self.quotas.is_empty() {
            self.quotas = super::sortition::default_quotas(self.panel_size);
        }
        errors.extend(quota_errors(&self.quotas, self.panel_size, known));
        if self.clerk_id.as_deref() == Some(self.host_id.as_str()) {
            errors.push(PlanError::HostIsClerk);
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }
}

/// A change to a hearing's plan, as the host asks for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PlanRequest {
    /// New plan: edited in place, or rescheduled when its time or room moved
    /// (a postponed hearing comes back on the calendar this way).
    Update { plan: HearingPlan },
    /// 延期 off the calendar until a new date is fixed.
    Postpone,
    /// 取消
    Cancel,
}

/// What is wrong with a quota template for a panel of `panel_size`.
fn quota_errors(
    quotas: &[super::sortition::Quota],
    panel_size: u32,
    known: &dyn Fn(&str) -> bool,
) -> Vec<PlanError> {
    let mut errors: Vec<PlanError> = quotas
        .iter()
        .filter(|q| !known(&q.tag) || q.min > q.max || q.min > panel_size)
        .map(|q| PlanError::Quota { tag: q.tag.clone() })
        .collect();
    let needed: u32 = quotas.iter().map(|q| q.min).sum();
    if needed > panel_size {
        errors.push(PlanError::QuotaSum { needed, panel_size });
    }
    errors
}

/// 评议团人数: odd (a majority always exists), 3 to 15.
pub fn is_valid_panel_size(size: u32) -> bool {
    (3..=15).contains(&size) && size % 2 == 1
}

/// The written notice (听证通知书) must reach the parties `notice_days` before
/// the hearing; a shorter notice is allowed only with a reason, which is recorded.
/// Days count from the office's local day of `now_ms`.
pub fn check_notice(
    now_ms: i64,
    starts_at_ms: i64,
    notice_days: u32,
    reason: Option<&str>,
    offset_seconds: i32,
) -> Result<(), PlanError> {
    use super::case::CalendarDate;
    if starts_at_ms <= now_ms {
        return Err(PlanError::StartsInPast);
    }
    let today = CalendarDate::of_instant(now_ms, offset_seconds);
    let start_day = CalendarDate::of_instant(starts_at_ms, offset_seconds);
    let earliest = today.plus_days(notice_days.into());
    let has_reason = reason.is_some_and(|r| !r.trim().is_empty());
    if start_day < earliest && !has_reason {
        return Err(PlanError::NoticeTooShort {
            notice_days,
            earliest: earliest.to_string(),
        });
    }
    Ok(())
}

/// The host must not be the case's investigator (承办人回避).
pub fn check_host(host_id: &str, investigator_id: Option<&str>) -> Result<(), PlanError> {
    if investigator_id == Some(host_id) {
        Err(PlanError::HostIsInvestigator)
    } else {
        Ok(())
    }
}

/// A hearing's hold on rooms and people, as the conflict check sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    pub hearing_id: String,
    pub title: String,
    pub starts_at_ms: i64,
    pub ends_at_ms: i64,
    pub room: Option<String>,
    pub host_id: String,
    pub clerk_id: Option<String>,
    /// Seated panel members (their account ids).
    pub juror_ids: Vec<String>,
}

/// The part a person plays in a hearing.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// 主持人
    Host,
    /// 记录员
    Clerk,
    /// 评议员
    Juror,
}

impl Part {
    pub fn label_zh(self) -> &'static str {
        match self {
            Part::Host => "主持人",
            Part::Clerk => "记录员",
            Part::Juror => "评议员",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Part::Host => "host",
            Part::Clerk => "clerk",
            Part::Juror => "panel member",
        }
    }
}

/// What is double-booked.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum Clash {
    Room {
        room: String,
    },
    Person {
        account_id: String,
        here: Part,
        there: Part,
    },
}

/// A double booking: what clashes, and with which hearing.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub clash: Clash,
    pub other_hearing_id: String,
    pub other_title: String,
    pub other_starts_at_ms: i64,
    pub other_ends_at_ms: i64,
}

impl Booking {
    /// Everyone this booking holds, with their part (a person appears once, at
    /// their first part: a host seated as a juror is still one person).
    pub fn people(&self) -> Vec<(&str, Part)> {
        let mut people: Vec<(&str, Part)> = vec![(self.host_id.as_str(), Part::Host)];
        if let Some(clerk) = &self.clerk_id {
            people.push((clerk.as_str(), Part::Clerk));
        }
        people.extend(self.juror_ids.iter().map(|j| (j.as_str(), Part::Juror)));
        let mut seen = std::collections::HashSet::new();
        people.retain(|(id, _)| seen.insert(*id));
        people
    }

    /// Half-open intervals: a hearing ending at 10:00 and one starting at 10:00
    /// do not overlap.
    pub fn overlaps(&self, other: &Booking) -> bool {
        self.starts_at_ms < other.ends_at_ms && other.starts_at_ms < self.ends_at_ms
    }
}

/// Rooms match whatever the spacing and letter case ("第一 听证室" = "第一听证室").
pub fn same_room(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect()
    };
    norm(a) == norm(b)
}

/// Every double booking `candidate` would make against `existing` (the other
/// hearings that book; the candidate's own earlier version is skipped by id).
/// Sorted by the other hearing's start so the message names the first clash first.
pub fn conflicts(candidate: &Booking, existing: &[Booking]) -> Vec<Conflict> {
    let mut found = Vec::new();
    let mine = candidate.people();
    for other in existing {
        if other.hearing_id == candidate.hearing_id || !candidate.overlaps(other) {
            continue;
        }
        let conflict = |clash| Conflict {
            clash,
            other_hearing_id: other.hearing_id.clone(),
            other_title: other.title.clone(),
            other_starts_at_ms: other.starts_at_ms,
            other_ends_at_ms: other.ends_at_ms,
        };
        if let (Some(a), Some(b)) = (&candidate.room, &other.room)
            && same_room(a, b)
        {
            found.push(conflict(Clash::Room { room: a.clone() }));
        }
        let theirs = other.people();
        for (id, here) in &mine {
            if let Some((_, there)) = theirs.iter().find(|(other_id, _)| other_id == id) {
                found.push(conflict(Clash::Person {
                    account_id: (*id).to_string(),
                    here: *here,
                    there: *there,
                }));
            }
        }
    }
    found.sort_by_key(|c| (c.other_starts_at_ms, c.other_hearing_id.clone()));
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HOUR: i64 = 3_600_000;
    const DAY: i64 = 24 * HOUR;
    const CHINA: i32 = 8 * 3600;

    fn booking(id: &str, start_h: i64, hours: i64, room: Option<&str>, host: &str) -> Booking {
        Booking {
            hearing_id: id.into(),
            title: format!("听证会 {id}"),
            starts_at_ms: start_h * HOUR,
            ends_at_ms: (start_h + hours) * HOUR,
            room: room.map(Into::into),
            host_id: host.into(),
            clerk_id: None,
            juror_ids: vec![],
        }
    }

    fn plan() -> HearingPlan {
        HearingPlan {
            title: " 关于张某征地补偿的听证 ".into(),
            kind: HearingKind::Public,
            starts_at_ms: 0,
            duration_min: 120,
            room: Some(" 第一听证室 ".into()),
            online: false,
            host_id: "host".into(),
            clerk_id: Some("clerk".into()),
            panel_size: 7,
            questions: vec!["信访人诉求是否合理".into(), " ".into()],
            short_notice_reason: Some("  ".into()),
            quotas: vec![],
        }
    }

    #[test]
    fn plan_is_tidied() {
        let p = plan().validate().expect("valid");
        assert_eq!(p.title, "关于张某征地补偿的听证");
        assert_eq!(p.room.as_deref(), Some("第一听证室"));
        assert_eq!(p.questions.len(), 1);
        assert_eq!(p.short_notice_reason, None);
    }

    #[test]
    fn plan_errors_name_the_rule() {
        let mut p = plan();
        p.panel_size = 8;
        p.room = None;
        p.clerk_id = Some("host".into());
        p.duration_min = 5;
        let errors = p.validate().expect_err("invalid");
        assert!(errors.contains(&PlanError::PanelSize));
        assert!(errors.contains(&PlanError::NoPlace));
        assert!(errors.contains(&PlanError::HostIsClerk));
        assert!(
            errors
                .iter()
                .any(|e| matches!(e, PlanError::Duration { .. }))
        );
    }

    #[test]
    fn quotas_default_to_the_office_template_and_are_checked() {
        let p = plan().validate().expect("valid");
        assert_eq!(p.quotas, super::super::sortition::default_quotas(7));
        let mut bad = plan();
        bad.quotas = vec![
            super::super::sortition::Quota::at_least("lawyer", 5),
            super::super::sortition::Quota::at_least("deputy", 3),
            super::super::sortition::Quota::at_least("astronaut", 1),
        ];
        let errors = bad.validate().expect_err("invalid");
        assert!(errors.contains(&PlanError::Quota {
            tag: "astronaut".into()
        }));
        assert!(errors.contains(&PlanError::QuotaSum {
            needed: 9,
            panel_size: 7
        }));
    }

    #[test]
    fn panel_sizes() {
        let ok: Vec<u32> = (0..20).filter(|n| is_valid_panel_size(*n)).collect();
        assert_eq!(ok, vec![3, 5, 7, 9, 11, 13, 15]);
    }

    #[test]
    fn notice_period_needs_seven_days_or_a_reason() {
        // now: 2026-11-22 10:00 Beijing
        let now = CalendarDateMs::beijing(2026, 11, 22, 10);
        let on = |d: u8, h: i64| CalendarDateMs::beijing(2026, 11, d, h);
        assert_eq!(check_notice(now, on(29, 9), 7, None, CHINA), Ok(()));
        let err = check_notice(now, on(28, 18), 7, None, CHINA).expect_err("too soon");
        assert_eq!(
            err,
            PlanError::NoticeTooShort {
                notice_days: 7,
                earliest: "2026-11-29".into()
            }
        );
        assert!(err.message_zh().contains("2026-11-29"));
        assert_eq!(
            check_notice(now, on(28, 18), 7, Some("信访人即将外出务工"), CHINA),
            Ok(())
        );
        assert_eq!(
            check_notice(now, on(28, 18), 7, Some("  "), CHINA),
            Err(err)
        );
        assert_eq!(
            check_notice(now, now - HOUR, 7, Some("x"), CHINA),
            Err(PlanError::StartsInPast)
        );
        assert_eq!(check_notice(now, on(22, 11), 0, None, CHINA), Ok(()));
    }

    struct CalendarDateMs;
    impl CalendarDateMs {
        fn beijing(y: i32, m: u8, d: u8, h: i64) -> i64 {
            super::super::case::CalendarDate::new(y, m, d)
                .expect("date")
                .start_ms(CHINA)
                + h * HOUR
        }
    }

    #[test]
    fn investigator_may_not_host() {
        assert_eq!(
            check_host("a", Some("a")),
            Err(PlanError::HostIsInvestigator)
        );
        assert_eq!(check_host("a", Some("b")), Ok(()));
        assert_eq!(check_host("a", None), Ok(()));
    }

    #[test]
    fn conflicts_name_who_and_which_hearing() {
        let existing = vec![
            booking("h1", 9, 2, Some("第一听证室"), "wang"),
            booking("h2", 11, 2, Some("第二听证室"), "li"),
        ];
        let mut mine = booking("new", 10, 2, Some("第一 听证室"), "li");
        mine.juror_ids = vec!["li".into()];
        let found = conflicts(&mine, &existing);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].other_hearing_id, "h1");
        assert_eq!(
            found[0].clash,
            Clash::Room {
                room: "第一 听证室".into()
            }
        );
        assert_eq!(
            found[1].clash,
            Clash::Person {
                account_id: "li".into(),
                here: Part::Host,
                there: Part::Host
            }
        );
        // Back to back is fine; its own earlier version never clashes.
        let after = booking("later", 13, 1, Some("第二听证室"), "li");
        assert!(conflicts(&after, &existing).is_empty());
        let moved = booking("h1", 9, 3, Some("第一听证室"), "wang");
        assert!(conflicts(&moved, &existing[..1]).is_empty());
    }

    #[test]
    fn a_clerk_elsewhere_is_a_person_clash() {
        let mut other = booking("h1", 9, 2, None, "wang");
        other.clerk_id = Some("zhao".into());
        let mut mine = booking("new", 10, 1, None, "zhao");
        mine.clerk_id = Some("qian".into());
        let found = conflicts(&mine, &[other]);
        assert_eq!(
            found[0].clash,
            Clash::Person {
                account_id: "zhao".into(),
                here: Part::Host,
                there: Part::Clerk
            }
        );
    }

    fn arb_booking(index: usize) -> impl Strategy<Value = Booking> {
        (
            0i64..48,
            1i64..4,
            proptest::option::of(0u8..3),
            0u8..5,
            proptest::option::of(0u8..5),
            proptest::collection::vec(0u8..8, 0..3),
        )
            .prop_map(move |(start, hours, room, host, clerk, jurors)| Booking {
                hearing_id: format!("h{index}"),
                title: format!("第{index}场"),
                starts_at_ms: start * HOUR,
                ends_at_ms: (start + hours) * HOUR,
                room: room.map(|r| format!("听证室{r}")),
                host_id: format!("p{host}"),
                clerk_id: clerk.map(|c| format!("p{c}")),
                juror_ids: jurors.into_iter().map(|j| format!("p{j}")).collect(),
            })
    }

    fn arb_bookings() -> impl Strategy<Value = Vec<Booking>> {
        (0usize..12).prop_flat_map(|n| (0..n).map(arb_booking).collect::<Vec<_>>())
    }

    proptest! {
        /// Whatever the order requests arrive in, the bookings accepted by the
        /// check never double-book a person or a room.
        #[test]
        fn accepted_bookings_never_overlap(requests in arb_bookings(), order in any::<u64>()) {
            let mut queue = requests;
            // A deterministic shuffle from `order`.
            let len = queue.len().max(1) as u64;
            queue.rotate_left((order % len) as usize);
            if order % 2 == 1 { queue.reverse(); }
            let mut accepted: Vec<Booking> = Vec::new();
            for request in queue {
                if conflicts(&request, &accepted).is_empty() {
                    accepted.push(request);
                }
            }
            for (i, a) in accepted.iter().enumerate() {
                for b in &accepted[i + 1..] {
                    if !a.overlaps(b) { continue; }
                    if let (Some(ra), Some(rb)) = (&a.room, &b.room) {
                        prop_assert!(!same_room(ra, rb), "room {ra} double-booked");
                    }
                    for (person, _) in a.people() {
                        prop_assert!(b.people().iter().all(|(p, _)| *p != person), "{person} double-booked");
                    }
                }
            }
        }

        /// The check is symmetric: if A clashes with B, B clashes with A.
        #[test]
        fn conflicts_are_symmetric(a in arb_booking(0), b in arb_booking(1)) {
            prop_assert_eq!(conflicts(&a, std::slice::from_ref(&b)).is_empty(), conflicts(&b, std::slice::from_ref(&a)).is_empty());
        }

        #[test]
        fn notice_is_monotonic(days_ahead in 0i64..30, notice in 0u32..15) {
            let now = 1_795_000_000_000;
            let start = now + days_ahead * DAY + HOUR;
            let ok = check_notice(now, start, notice, None, CHINA).is_ok();
            let later_ok = check_notice(now, start + DAY, notice, None, CHINA).is_ok();
            prop_assert!(!ok || later_ok);
        }
    }
}
