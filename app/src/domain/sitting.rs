//! 庭审进行 what happens in the room while the hearing sits: attendance (签到),
//! the floor and its speaking timer (发言计时), and who may see what (the closed
//! deliberation 评议 is for the panel and the host only). Pure.

use super::case::{Coded, coded_enum};
use super::procedure::Stage;
use serde::{Deserialize, Serialize};

coded_enum! {
    /// How a participant is (or is not) present.
    Presence {
        /// 线上参加
        Online = ("online", "线上出席", "Present online"),
        /// 现场出席 (marked by the clerk)
        InRoom = ("in_room", "现场出席", "Present in the room"),
        /// 缺席
        Absent = ("absent", "缺席", "Absent"),
        /// 无正当理由缺席，视为放弃 (a petitioner's unexcused absence)
        AbsentWaived = ("absent_waived", "无故缺席（视为放弃）", "Absent without excuse (waived)"),
    }
}

coded_enum! {
    /// The part a person plays in the room.
    Part {
        Host = ("host", "主持人", "Host"),
        Clerk = ("clerk", "记录员", "Clerk"),
        Juror = ("juror", "评议员", "Panel member"),
        Petitioner = ("petitioner", "信访人", "Petitioner"),
        Agency = ("agency", "责任单位", "Responding agency"),
        ThirdParty = ("third_party", "第三人", "Third party"),
    }
}

impl Part {
    /// The part a party plays in the room: its side.
    pub fn of_party(kind: super::access::PartyKind) -> Self {
        match kind {
            super::access::PartyKind::Petitioner => Part::Petitioner,
            super::access::PartyKind::Agency => Part::Agency,
            super::access::PartyKind::ThirdParty => Part::ThirdParty,
        }
    }
}

impl Presence {
    /// Online or in the room: counts for the quorum.
    pub fn is_present(self) -> bool {
        matches!(self, Presence::Online | Presence::InRoom)
    }
}

/// One line of the attendance list, as last marked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendanceLine {
    pub name: String,
    /// The account of the person marked, when known (an online check-in, or a
    /// seated member the clerk picked by name): quorum counts by account, so a
    /// renamed or namesake member is never counted twice or missed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    pub part: Part,
    pub presence: Presence,
    pub at_ms: i64,
    pub marked_by: String,
}

impl AttendanceLine {
    /// Whether this line is about the person named `name` (with `account`, if
    /// known): by account when both sides have one, else by name.
    pub fn is_same_person(&self, name: &str, account: Option<&str>) -> bool {
        match (self.account.as_deref(), account) {
            (Some(mine), Some(theirs)) => mine == theirs,
            _ => self.name == name,
        }
    }
}

/// Why an attendance mark was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum AttendanceError {
    #[error("name empty or too long")]
    BadName,
    /// Only a petitioner's absence may be recorded as a waiver.
    #[error("waiver only for a petitioner")]
    WaiverNotForThisPart,
    /// A panel member is marked by the name of a member seated on this panel.
    #[error("no seated member by that name")]
    NotOnPanel,
    /// Two seated members share the name: each must check in online.
    #[error("several seated members by that name")]
    AmbiguousMember,
}

impl AttendanceError {
    pub fn message_zh(self) -> &'static str {
        match self {
            AttendanceError::BadName => "请填写姓名（不超过 50 个字）",
            AttendanceError::WaiverNotForThisPart => "只有信访人无故缺席可记为“视为放弃”",
            AttendanceError::NotOnPanel => "评议团中没有这位评议员，请核对姓名",
            AttendanceError::AmbiguousMember => "评议团中有同名评议员，请由本人线上签到",
        }
    }
}

/// Checks a mark before it is committed.
pub fn check_attendance(
    name: &str,
    part: Part,
    presence: Presence,
) -> Result<String, AttendanceError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 50 {
        return Err(AttendanceError::BadName);
    }
    if presence == Presence::AbsentWaived && part != Part::Petitioner {
        return Err(AttendanceError::WaiverNotForThisPart);
    }
    Ok(name.to_owned())
}

/// The seated member a clerk marks: picked by account (the clerk's list), or
/// by a name exactly one seated member bears (a typo must not leave a present
/// member out of the quorum).
pub fn seated_member<'a>(
    name: &str,
    account: Option<&str>,
    seated: &'a [super::ballot::Voter],
) -> Result<&'a super::ballot::Voter, AttendanceError> {
    if let Some(account) = account {
        return seated
            .iter()
            .find(|v| v.voter_id == account)
            .ok_or(AttendanceError::NotOnPanel);
    }
    let mut named = seated.iter().filter(|v| v.name == name);
    match (named.next(), named.next()) {
        (Some(member), None) => Ok(member),
        (Some(_), Some(_)) => Err(AttendanceError::AmbiguousMember),
        (None, _) => Err(AttendanceError::NotOnPanel),
    }
}

/// 发言人: who said a line of the record, as the clerk attributes it (by
/// default the speaker on the floor when it was entered).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Speaker {
    pub name: String,
    pub part: Part,
}

/// The floor: who speaks now, since when, for how long.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Floor {
    pub speaker: String,
    pub part: Part,
    pub since_ms: i64,
    pub allotted_secs: u32,
    pub stage: Option<Stage>,
}

/// A finished turn, for the record: who spoke when and for how long.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpeakingTurn {
    pub speaker: String,
    pub part: Part,
    pub stage: Option<Stage>,
    pub from_ms: i64,
    pub to_ms: i64,
    pub allotted_secs: u32,
}

impl SpeakingTurn {
    pub fn spoken_secs(&self) -> i64 {
        (self.to_ms - self.from_ms).max(0) / 1000
    }

    pub fn overtime_secs(&self) -> i64 {
        (self.spoken_secs() - i64::from(self.allotted_secs)).max(0)
    }
}

/// Longest single turn the host may give (a long statement is given in turns).
pub const MAX_FLOOR_MINUTES: u32 = 60;

/// What the countdown shows at `now_ms`: seconds left, or (negative) overtime.
pub fn seconds_left(floor: &Floor, now_ms: i64) -> i64 {
    let elapsed = (now_ms - floor.since_ms).max(0) / 1000;
    i64::from(floor.allotted_secs) - elapsed
}

/// "04:59", "-00:35" (overtime).
pub fn format_countdown(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.unsigned_abs();
    format!("{sign}{:02}:{:02}", s / 60, s % 60)
}

/// Who receives an event's content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Audience {
    /// Everyone in the room, observers of a public hearing included.
    Everyone,
    /// The panel, the host and the clerk: 评议 is closed.
    Panel,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ballot::Voter;

    fn voter(id: &str, name: &str) -> Voter {
        Voter {
            voter_id: id.into(),
            name: name.into(),
        }
    }

    #[test]
    fn a_clerk_marks_a_member_by_the_one_seated_name() {
        let seated = [
            voter("a1", "王芳"),
            voter("a2", "李强"),
            voter("a3", "李强"),
        ];
        let marked =
            |name, account| seated_member(name, account, &seated).map(|v| v.voter_id.clone());
        assert_eq!(marked("王芳", None), Ok("a1".into()));
        assert_eq!(marked("王方", None), Err(AttendanceError::NotOnPanel));
        assert_eq!(marked("李强", None), Err(AttendanceError::AmbiguousMember));
        // Picked from the clerk's list: namesakes are told apart by account.
        assert_eq!(marked("", Some("a3")), Ok("a3".into()));
        assert_eq!(marked("李强", Some("x1")), Err(AttendanceError::NotOnPanel));
    }

    #[test]
    fn only_a_petitioner_can_waive_by_absence() {
        assert_eq!(
            check_attendance(" 张三 ", Part::Petitioner, Presence::AbsentWaived),
            Ok("张三".into())
        );
        assert_eq!(
            check_attendance("住建局", Part::Agency, Presence::AbsentWaived),
            Err(AttendanceError::WaiverNotForThisPart)
        );
        assert_eq!(
            check_attendance("  ", Part::Agency, Presence::InRoom),
            Err(AttendanceError::BadName)
        );
    }

    #[test]
    fn the_countdown_runs_into_overtime() {
        let floor = Floor {
            speaker: "张三".into(),
            part: Part::Petitioner,
            since_ms: 1_000_000,
            allotted_secs: 300,
            stage: Some(Stage::PetitionerStatement),
        };
        assert_eq!(seconds_left(&floor, 1_000_000), 300);
        assert_eq!(format_countdown(seconds_left(&floor, 1_001_000)), "04:59");
        assert_eq!(format_countdown(seconds_left(&floor, 1_335_000)), "-00:35");
        let turn = SpeakingTurn {
            speaker: "张三".into(),
            part: Part::Petitioner,
            stage: floor.stage,
            from_ms: 1_000_000,
            to_ms: 1_335_000,
            allotted_secs: 300,
        };
        assert_eq!((turn.spoken_secs(), turn.overtime_secs()), (335, 35));
    }
}
