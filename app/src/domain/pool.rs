//! 评议团成员库 the review-panel pool, who may not sit on a given hearing, and the
//! panel a draw seats (pure: the server, the browser and the minutes share it).

use super::case::{CalendarDate, Coded, coded_enum, collapse_spaces};
use super::event::{EventPayload, HearingEvent};
use super::sortition::{Exclusion, ExclusionKind, PoolMember, is_known_tag};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

coded_enum! {
    /// Whether a member can be drawn: only active members enter a draw's frozen pool.
    MemberStatus {
        /// 在册 active.
        Active = ("active", "在册", "Active"),
        /// 暂停 paused (long absence, illness …), keeps the history.
        Paused = ("paused", "暂停", "Paused"),
        /// 退出 retired from the pool.
        Retired = ("retired", "已退出", "Retired"),
    }
}

/// The categories a member can be filed under (the first tag of a member).
pub const CATEGORIES: [&str; 8] = [
    "deputy",
    "cppcc",
    "lawyer",
    "expert",
    "grassroots",
    "media",
    "social_org",
    "government",
];

/// The office's categories: the standard [`CATEGORIES`] and its own (e.g.
/// 退休法官, 心理咨询师), which are named in Chinese and use that name as their
/// code, so every page shows them as they were written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Categories {
    pub custom: Vec<String>,
}

/// Most categories of its own an office may add.
pub const MAX_CUSTOM_CATEGORIES: usize = 30;

impl Categories {
    /// Every category code, the standard ones first.
    pub fn all(&self) -> Vec<String> {
        CATEGORIES
            .iter()
            .map(|c| (*c).to_owned())
            .chain(self.custom.iter().cloned())
            .collect()
    }

    /// The code for a code or a Chinese label ("律师" → "lawyer", "退休法官" → itself).
    pub fn code_for(&self, raw: &str) -> Option<String> {
        let raw = raw.trim();
        CATEGORIES
            .into_iter()
            .find(|c| *c == raw || super::sortition::tag_label_zh(c) == raw)
            .map(str::to_owned)
            .or_else(|| self.custom.iter().find(|c| *c == raw).cloned())
    }

    /// Whether quotas may name `tag` (a category, or `representative`).
    pub fn is_known(&self, tag: &str) -> bool {
        is_known_tag(tag) || self.custom.iter().any(|c| c == tag)
    }

    /// "人大代表、政协委员、…": the categories for messages and forms.
    pub fn list_zh(&self) -> String {
        self.all()
            .iter()
            .map(|c| super::sortition::tag_label_zh(c).to_owned())
            .collect::<Vec<_>>()
            .join("、")
    }

    /// Tidies an office's own categories (one name each) or says what is wrong.
    pub fn check_custom(names: &[String]) -> Result<Categories, String> {
        let mut custom: Vec<String> = Vec::new();
        for name in names
            .iter()
            .map(|n| collapse_spaces(n))
            .filter(|n| !n.is_empty())
        {
            let len = name.chars().count();
            if !(2..=20).contains(&len) || name.chars().any(char::is_control) {
                return Err(format!("类别名称「{name}」须为 2–20 个字"));
            }
            if Categories::default().code_for(&name).is_some() || name == "representative" {
                return Err(format!("「{name}」已是标准类别，无需添加"));
            }
            if custom.contains(&name) {
                return Err(format!("类别「{name}」重复"));
            }
            custom.push(name);
        }
        if custom.len() > MAX_CUSTOM_CATEGORIES {
            return Err(format!("自定义类别最多 {MAX_CUSTOM_CATEGORIES} 个"));
        }
        Ok(Categories { custom })
    }
}

/// Longest name, organisation, contact or relation the pool keeps.
pub const MAX_FIELD_CHARS: usize = 100;
/// Most declared relations and unavailable dates per member.
pub const MAX_LIST_ITEMS: usize = 100;

/// A pool member as an office edits it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberDraft {
    pub name: String,
    /// One of [`CATEGORIES`].
    pub category: String,
    /// Further tags (e.g. a deputy who also works for a government body carries `government`).
    #[serde(default)]
    pub extra_tags: Vec<String>,
    /// 工作单位
    #[serde(default)]
    pub organisation: String,
    /// 所在镇街
    #[serde(default)]
    pub district: String,
    /// 联系方式
    #[serde(default)]
    pub contact: String,
    pub status: MemberStatus,
    /// 不可参加日期: days the member cannot sit.
    #[serde(default)]
    pub unavailable: Vec<CalendarDate>,
    /// 申报的利害关系: names of relatives, former clients, employers … a member
    /// with a relation to a party or agency of a case is excluded from its draw.
    #[serde(default)]
    pub relations: Vec<String>,
}

/// What is wrong with a member draft, per field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum MemberError {
    NameMissing,
    UnknownCategory { category: String, known: String },
    UnknownTag { tag: String },
    TooLong { field: String, max: usize },
    TooMany { field: String, max: usize },
    ControlCharacter { field: String },
}

impl MemberError {
    pub fn message_zh(&self) -> String {
        match self {
            MemberError::NameMissing => "请填写姓名".into(),
            MemberError::UnknownCategory { category, known } => {
                format!("类别「{category}」不在成员库的类别中（可用：{known}）")
            }
            MemberError::UnknownTag { tag } => format!("标签「{tag}」无法识别"),
            MemberError::TooLong { field, max } => format!("「{field}」不能超过 {max} 个字"),
            MemberError::TooMany { field, max } => format!("「{field}」最多 {max} 项"),
            MemberError::ControlCharacter { field } => format!("「{field}」含有不可见的控制字符"),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            MemberError::NameMissing => "The name is missing".into(),
            MemberError::UnknownCategory { category, .. } => {
                format!("Unknown category `{category}`")
            }
            MemberError::UnknownTag { tag } => format!("Unknown tag `{tag}`"),
            MemberError::TooLong { field, max } => format!("{field}: at most {max} characters"),
            MemberError::TooMany { field, max } => format!("{field}: at most {max} items"),
            MemberError::ControlCharacter { field } => {
                format!("{field} contains a control character")
            }
        }
    }
}

impl MemberDraft {
    /// Tidies (spaces collapsed, lists deduplicated) and checks every field
    /// against the office's categories.
    pub fn validate(mut self, categories: &Categories) -> Result<MemberDraft, Vec<MemberError>> {
        let mut errors = Vec::new();
        self.name = collapse_spaces(&self.name);
        self.organisation = collapse_spaces(&self.organisation);
        self.district = collapse_spaces(&self.district);
        self.contact = collapse_spaces(&self.contact);
        if self.name.is_empty() {
            errors.push(MemberError::NameMissing);
        }
        match categories.code_for(&self.category) {
            Some(code) => self.category = code,
            None => errors.push(MemberError::UnknownCategory {
                category: self.category.trim().to_owned(),
                known: categories.list_zh(),
            }),
        }
        self.extra_tags = tidy_list(&self.extra_tags)
            .into_iter()
            .map(|t| categories.code_for(&t).unwrap_or(t))
            .filter(|t| *t != self.category)
            .collect();
        self.extra_tags.sort();
        self.extra_tags.dedup();
        for tag in &self.extra_tags {
            if !categories.is_known(tag) || tag == "representative" {
                errors.push(MemberError::UnknownTag { tag: tag.clone() });
            }
        }
        self.relations = tidy_list(&self.relations);
        self.unavailable.sort();
        self.unavailable.dedup();
        for (field, text) in [
            ("姓名", &self.name),
            ("工作单位", &self.organisation),
            ("所在镇街", &self.district),
            ("联系方式", &self.contact),
        ] {
            check_text(field, text, &mut errors);
        }
        for relation in &self.relations {
            check_text("利害关系", relation, &mut errors);
        }
        for (field, len) in [
            ("利害关系", self.relations.len()),
            ("不可参加日期", self.unavailable.len()),
        ] {
            if len > MAX_LIST_ITEMS {
                errors.push(MemberError::TooMany {
                    field: field.into(),
                    max: MAX_LIST_ITEMS,
                });
            }
        }
        errors.dedup();
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }

    /// The tags the draw's quotas count: the category, the extra tags, and
    /// `representative` for deputies and CPPCC members (the "deputy or CPPCC
    /// member" quota).
    pub fn tags(&self) -> Vec<String> {
        let mut tags = vec![self.category.clone()];
        tags.extend(self.extra_tags.iter().cloned());
        if tags.iter().any(|t| t == "deputy" || t == "cppcc") {
            tags.push("representative".into());
        }
        tags.sort();
        tags.dedup();
        tags
    }
}

fn tidy_list(items: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let item = collapse_spaces(item);
        if !item.is_empty() && !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

fn check_text(field: &str, text: &str, errors: &mut Vec<MemberError>) {
    if text.chars().count() > MAX_FIELD_CHARS {
        errors.push(MemberError::TooLong {
            field: field.into(),
            max: MAX_FIELD_CHARS,
        });
    }
    if text.chars().any(char::is_control) {
        errors.push(MemberError::ControlCharacter {
            field: field.into(),
        });
    }
}

/// A member as stored: the draft plus its code and history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// 编号, e.g. M001: the id the draw publishes.
    pub id: String,
    pub account_id: String,
    pub draft: MemberDraft,
    pub version: i64,
}

impl Member {
    /// How the member enters a draw's frozen pool (no contact details: the pool
    /// is published).
    pub fn frozen(&self) -> PoolMember {
        PoolMember {
            id: self.id.clone(),
            name: self.draft.name.clone(),
            categories: self.draft.tags(),
            district: self.draft.district.clone(),
        }
    }
}

/// What the exclusions of one hearing's draw depend on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawContext {
    /// The hearing's day (China time).
    pub hearing_day: Option<CalendarDate>,
    /// Names of the petitioners (信访人) of the case.
    pub petitioners: Vec<String>,
    /// Names of the responding agencies (责任单位) of the case.
    pub agencies: Vec<String>,
    /// Members already seated on another hearing at an overlapping time.
    pub busy: BTreeSet<String>,
    /// Members who sat on one of the office's last N hearings (rotation; empty
    /// when the office does not rest members).
    pub rested: BTreeSet<String>,
    /// Recusals and other exclusions the host records, with their reasons.
    pub recusals: Vec<Exclusion>,
}

/// A declared relation (or an organisation) matches a party when one name
/// contains the other: "张建国（配偶之兄）" matches the petitioner 张建国. Only
/// containment, which a person can predict (offices declare full names); a
/// single character never matches.
fn related(declared: &str, party: &str) -> bool {
    let (a, b) = (collapse_spaces(declared), collapse_spaces(party));
    if a.chars().count() < 2 || b.chars().count() < 2 {
        return false;
    }
    a.contains(&b) || b.contains(&a)
}

/// The exclusions of a draw, each with the reason the record publishes: the
/// host's recusals first, then declared relations to a party or agency, work
/// for a responding agency, unavailability, another hearing at the same time,
/// and rotation. One reason per member (the first that applies).
pub fn exclusions(members: &[Member], ctx: &DrawContext) -> Vec<Exclusion> {
    let mut out: Vec<Exclusion> = Vec::new();
    let mut push = |id: &str, kind: ExclusionKind, reason: String| {
        if !out.iter().any(|e| e.member_id == id) {
            out.push(Exclusion::new(id, kind, &reason));
        }
    };
    for recusal in &ctx.recusals {
        if members.iter().any(|m| m.id == recusal.member_id) {
            push(&recusal.member_id, recusal.kind, recusal.reason.clone());
        }
    }
    for m in members
        .iter()
        .filter(|m| m.draft.status == MemberStatus::Active)
    {
        if let Some((kind, reason)) = conflict_reason(m, ctx) {
            push(&m.id, kind, reason);
        }
    }
    out.sort();
    out
}

/// Why a member may not sit on this panel, if anything: the kind the record
/// publishes and the words the office keeps.
fn conflict_reason(m: &Member, ctx: &DrawContext) -> Option<(ExclusionKind, String)> {
    let parties = ctx
        .petitioners
        .iter()
        .map(|p| ("信访人", p))
        .chain(ctx.agencies.iter().map(|a| ("责任单位", a)));
    for (role, party) in parties {
        if let Some(relation) = m.draft.relations.iter().find(|r| related(r, party)) {
            return Some((
                ExclusionKind::Conflict,
                format!("申报与{role}「{party}」有利害关系（{relation}），回避"),
            ));
        }
        if role == "责任单位" && related(&m.draft.organisation, party) {
            return Some((
                ExclusionKind::Conflict,
                format!("任职于责任单位「{party}」，回避"),
            ));
        }
    }
    if let Some(day) = ctx.hearing_day
        && m.draft.unavailable.contains(&day)
    {
        return Some((
            ExclusionKind::Unavailable,
            format!("{} 不能参加（已申报）", day.format_zh()),
        ));
    }
    if ctx.busy.contains(&m.id) {
        return Some((ExclusionKind::Busy, "同一时段已在其他听证担任评议员".into()));
    }
    if ctx.rested.contains(&m.id) {
        return Some((ExclusionKind::Rested, "近期已参加评议，本次轮空".into()));
    }
    None
}

coded_enum! {
    /// Where a seat on the panel stands.
    SeatStatus {
        /// 待确认: drawn or promoted, not yet answered.
        Invited = ("invited", "待确认", "Awaiting answer"),
        /// 已接受
        Accepted = ("accepted", "已接受", "Accepted"),
        /// 已谢绝: the member declined.
        Declined = ("declined", "已谢绝", "Declined"),
        /// 已回避: recused (申请回避 granted by the host, or a conflict found late).
        Recused = ("recused", "已回避", "Recused"),
    }
}

impl SeatStatus {
    /// Whether the member holds the seat (may enter the room and vote).
    pub fn holds_seat(self) -> bool {
        matches!(self, SeatStatus::Invited | SeatStatus::Accepted)
    }
}

coded_enum! {
    /// Where a draw record stands.
    DrawStatus {
        /// 已公布输入摘要: input frozen, hash published, waiting for public values.
        Committed = ("committed", "已公布输入摘要，待抽选", "Committed"),
        /// 已抽选
        Drawn = ("drawn", "已抽选", "Drawn"),
        /// 已作废: set aside before drawing, with a published reason.
        Void = ("void", "已作废", "Void"),
    }
}

/// A panel member as the events name them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatHolder {
    pub member_id: String,
    pub name: String,
    /// The member's tags, for showing the category.
    pub categories: Vec<String>,
}

/// One seat on the panel and how it came to be.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seat {
    pub holder: SeatHolder,
    pub status: SeatStatus,
    /// Seated by the draw, or promoted from the alternates in place of this member.
    pub replaces: Option<String>,
    /// Why the member declined or was recused.
    pub reason: Option<String>,
}

/// The panel of a hearing: `fold` of its panel events.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelState {
    /// The draw whose panel this is (None until a panel is drawn).
    pub draw_id: Option<String>,
    /// The committed input hash waiting for its public values, if any.
    pub committed_hash: Option<String>,
    pub seats: Vec<Seat>,
    /// Ranked alternates not yet used.
    pub alternates: Vec<SeatHolder>,
    /// Seats left empty because no alternate could keep the quotas.
    pub vacancies: u32,
}

impl PanelState {
    /// Members holding a seat now (invited or accepted).
    pub fn seated_ids(&self) -> Vec<String> {
        self.seats
            .iter()
            .filter(|s| s.status.holds_seat())
            .map(|s| s.holder.member_id.clone())
            .collect()
    }

    /// Members who left the panel (declined or recused): never promoted back.
    pub fn left_ids(&self) -> Vec<String> {
        self.seats
            .iter()
            .filter(|s| !s.status.holds_seat())
            .map(|s| s.holder.member_id.clone())
            .collect()
    }

    pub fn seat_of(&self, member_id: &str) -> Option<&Seat> {
        self.seats.iter().find(|s| s.holder.member_id == member_id)
    }

    fn seat_mut(&mut self, member_id: &str) -> Option<&mut Seat> {
        self.seats
            .iter_mut()
            .find(|s| s.holder.member_id == member_id)
    }

    /// Applies one event (events other than panel events change nothing).
    pub fn apply(&mut self, payload: &EventPayload) {
        match payload {
            EventPayload::DrawCommitted { input_hash, .. } => {
                self.committed_hash = Some(input_hash.clone());
            }
            EventPayload::DrawVoided { .. } => self.committed_hash = None,
            EventPayload::PanelDrawn {
                draw_id,
                seated,
                alternates,
                ..
            } => {
                self.committed_hash = None;
                self.draw_id = Some(draw_id.clone());
                self.seats = seated.iter().map(|h| new_seat(h, None)).collect();
                self.alternates = alternates.clone();
                self.vacancies = 0;
            }
            EventPayload::SeatAnswered {
                member_id,
                accepted,
                reason,
                ..
            } => {
                if let Some(seat) = self.seat_mut(member_id) {
                    seat.status = if *accepted {
                        SeatStatus::Accepted
                    } else {
                        SeatStatus::Declined
                    };
                    seat.reason = reason.clone();
                }
            }
            EventPayload::MemberRecused {
                member_id, reason, ..
            } => {
                if let Some(seat) = self.seat_mut(member_id) {
                    seat.status = SeatStatus::Recused;
                    seat.reason = Some(reason.clone());
                }
            }
            EventPayload::AlternatePromoted { holder, replaces } => {
                self.alternates.retain(|a| a.member_id != holder.member_id);
                self.seats.push(new_seat(holder, Some(replaces.clone())));
            }
            EventPayload::SeatLeftVacant { .. } => self.vacancies += 1,
            EventPayload::RecordEntered { .. }
            | EventPayload::ConclusionRecorded { .. }
            | EventPayload::MinutesConfirmed { .. }
            | EventPayload::MinutesFinalised { .. }
            | EventPayload::PlanChanged { .. }
            | EventPayload::ExhibitShown { .. }
            | EventPayload::ExhibitCleared { .. }
            | EventPayload::ProcedureStepped { .. }
            | EventPayload::AttendanceMarked { .. }
            | EventPayload::FloorGiven { .. }
            | EventPayload::FloorEnded { .. }
            | EventPayload::DeliberationMessage { .. }
            | EventPayload::RecordCorrected { .. }
            | EventPayload::ExhibitPageTurned { .. }
            | EventPayload::BallotDrafted { .. }
            | EventPayload::BallotOpened { .. }
            | EventPayload::VoteCast { .. }
            | EventPayload::VoteSealed { .. }
            | EventPayload::OpinionGiven { .. }
            | EventPayload::BallotClosed { .. }
            | EventPayload::ResultsAnnounced { .. }
            | EventPayload::Withheld => {}
        }
    }
}

fn new_seat(holder: &SeatHolder, replaces: Option<String>) -> Seat {
    Seat {
        holder: holder.clone(),
        status: SeatStatus::Invited,
        replaces,
        reason: None,
    }
}

/// The panel after `events`, in order.
pub fn panel_of(events: &[HearingEvent]) -> PanelState {
    let mut panel = PanelState::default();
    for event in events {
        panel.apply(&event.payload);
    }
    panel
}

/// Alternates drawn when the host does not say: enough for the usual declines.
pub const DEFAULT_ALTERNATES: u32 = 3;
/// Most alternates one draw ranks.
pub const MAX_ALTERNATES: u32 = 10;
/// Longest rotation an office may set (members rest after sitting, 轮空).
pub const MAX_REST_HEARINGS: u32 = 20;

/// What the host decides before committing: how many alternates, and the
/// recusals (申请回避 granted, other exclusions) with their reasons.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawChoices {
    pub alternates: u32,
    pub recusals: Vec<Exclusion>,
}

/// How a member leaves a seat.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Leaving {
    /// 谢绝: the member declines (in the app, or by phone as recorded by staff).
    Declined,
    /// 回避: the host grants a recusal.
    Recused,
}

/// Trims the public values a host entered (骰子点数, 彩票号码 …), drops empty
/// ones, and checks there is at least one and none is unreasonably long.
pub fn tidy_public_values(raw: &[String]) -> Result<Vec<String>, PublicValuesError> {
    let values: Vec<String> = raw
        .iter()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect();
    if values.is_empty() {
        return Err(PublicValuesError::Missing);
    }
    if values.len() > MAX_PUBLIC_VALUES {
        return Err(PublicValuesError::TooMany {
            max: MAX_PUBLIC_VALUES,
        });
    }
    if values
        .iter()
        .any(|v| v.chars().count() > 100 || v.chars().any(char::is_control))
    {
        return Err(PublicValuesError::Unreadable);
    }
    Ok(values)
}

/// Most public values one draw takes.
pub const MAX_PUBLIC_VALUES: usize = 12;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublicValuesError {
    Missing,
    TooMany { max: usize },
    Unreadable,
}

impl PublicValuesError {
    pub fn message_zh(self) -> String {
        match self {
            PublicValuesError::Missing => {
                "请填写至少一个公开随机数（如现场掷骰点数、当期彩票开奖号码）".into()
            }
            PublicValuesError::TooMany { max } => format!("公开随机数最多 {max} 个"),
            PublicValuesError::Unreadable => {
                "每个公开随机数不超过 100 个字，且不能含控制字符".into()
            }
        }
    }

    pub fn message_en(self) -> String {
        match self {
            PublicValuesError::Missing => "Enter at least one public value (dice, lottery)".into(),
            PublicValuesError::TooMany { max } => format!("At most {max} public values"),
            PublicValuesError::Unreadable => {
                "Public values: at most 100 characters, no control characters".into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn member(id: &str, category: &str) -> Member {
        Member {
            id: id.into(),
            account_id: format!("acc-{id}"),
            draft: MemberDraft {
                name: format!("成员{id}"),
                category: category.into(),
                extra_tags: vec![],
                organisation: String::new(),
                district: "硖石街道".into(),
                contact: String::new(),
                status: MemberStatus::Active,
                unavailable: vec![],
                relations: vec![],
            },
            version: 1,
        }
    }

    fn holder(id: &str) -> SeatHolder {
        SeatHolder {
            member_id: id.into(),
            name: id.into(),
            categories: vec!["expert".into()],
        }
    }

    #[test]
    fn drafts_are_tidied_and_checked() {
        let mut m = member("M1", " 律师 ").draft;
        m.name = "  王  五 ".into();
        m.extra_tags = vec!["政府机关".into(), "lawyer".into()];
        m.relations = vec![" 张三 ".into(), "张三".into(), "".into()];
        let ok = m.validate(&Categories::default()).expect("present");
        assert_eq!(ok.name, "王 五");
        assert_eq!(ok.category, "lawyer");
        assert_eq!(ok.extra_tags, vec!["government".to_string()]);
        assert_eq!(ok.relations, vec!["张三".to_string()]);

        let mut bad = member("M2", "厨师").draft;
        bad.name = " ".into();
        bad.contact = "a\u{7}".into();
        bad.extra_tags = vec!["unknown".into()];
        let errors = bad.validate(&Categories::default()).expect_err("must fail");
        assert!(errors.contains(&MemberError::NameMissing));
        assert!(matches!(errors[1], MemberError::UnknownCategory { .. }));
        assert!(errors.iter().any(|e| e.message_zh().contains("控制字符")));
        assert!(errors.iter().any(|e| e.message_zh().contains("unknown")));
    }

    #[test]
    fn an_office_adds_its_own_categories() {
        let names = vec![" 退休法官 ".to_string(), "".into(), "心理咨询师".into()];
        let cats = Categories::check_custom(&names).expect("valid");
        assert_eq!(cats.custom, vec!["退休法官", "心理咨询师"]);
        assert!(cats.is_known("退休法官") && !Categories::default().is_known("退休法官"));
        let mut judge = member("M9", "退休法官").draft;
        judge.extra_tags = vec!["心理咨询师".into()];
        let ok = judge.clone().validate(&cats).expect("valid");
        assert_eq!(ok.tags(), vec!["心理咨询师", "退休法官"]);
        let refused = judge.validate(&Categories::default()).expect_err("unknown");
        assert!(refused[0].message_zh().contains("律师"));
        for bad in [
            vec!["律师".to_string()],
            vec!["法".into()],
            vec!["甲乙".into(), "甲乙".into()],
        ] {
            assert!(Categories::check_custom(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn deputies_and_cppcc_members_carry_the_representative_tag() {
        assert_eq!(
            member("M1", "deputy").draft.tags(),
            vec!["deputy".to_string(), "representative".into()]
        );
        let mut lawyer = member("M2", "lawyer").draft;
        lawyer.extra_tags = vec!["cppcc".into()];
        assert_eq!(lawyer.tags(), vec!["cppcc", "lawyer", "representative"]);
        assert_eq!(member("M3", "media").draft.tags(), vec!["media"]);
    }

    #[test]
    fn conflicts_unavailability_and_recusals_exclude_with_reasons() {
        let day = CalendarDate::new(2026, 12, 1).expect("present");
        let mut relative = member("M1", "expert");
        relative.draft.relations = vec!["张建国（配偶之兄）".into()];
        let mut employee = member("M2", "government");
        employee.draft.organisation = "海宁市住房和城乡建设局".into();
        let mut away = member("M3", "media");
        away.draft.unavailable = vec![day];
        let busy = member("M4", "lawyer");
        let recused = member("M5", "lawyer");
        let mut paused = member("M6", "lawyer");
        paused.draft.status = MemberStatus::Paused;
        paused.draft.relations = vec!["张建国".into()];
        let free = member("M7", "expert");
        let members = vec![relative, employee, away, busy, recused, paused, free];
        let ctx = DrawContext {
            hearing_day: Some(day),
            petitioners: vec!["张建国".into()],
            agencies: vec!["海宁市住房和城乡建设局".into()],
            busy: ["M4".to_string()].into(),
            rested: BTreeSet::new(),
            recusals: vec![Exclusion::new(
                "M5",
                ExclusionKind::Recusal,
                "信访人申请回避，主持人决定准许",
            )],
        };
        let found = exclusions(&members, &ctx);
        let ids: Vec<&str> = found.iter().map(|e| e.member_id.as_str()).collect();
        assert_eq!(ids, vec!["M1", "M2", "M3", "M4", "M5"]);
        assert!(found[0].reason.contains("张建国"));
        assert!(found[1].reason.contains("任职于责任单位"));
        assert!(found[2].reason.contains("2026年12月1日"));
        assert!(found[3].reason.contains("同一时段"));
        assert_eq!(found[4].reason, "信访人申请回避，主持人决定准许");
    }

    #[test]
    fn one_character_fragments_never_match() {
        assert!(!related("张", "张建国"));
        assert!(related("张建国", "张建国"));
        assert!(!related("李四", "张建国"));
    }

    #[test]
    fn the_panel_is_the_fold_of_its_events() {
        let mut panel = PanelState::default();
        panel.apply(&EventPayload::DrawCommitted {
            draw_id: "D".into(),
            input_hash: "h".into(),
            pool_size: 10,
            excluded: 1,
        });
        assert_eq!(panel.committed_hash.as_deref(), Some("h"));
        panel.apply(&EventPayload::PanelDrawn {
            draw_id: "D".into(),
            input_hash: "h".into(),
            public_values: vec!["3".into()],
            seed: "s".into(),
            seated: vec![holder("A"), holder("B"), holder("C")],
            alternates: vec![holder("X"), holder("Y")],
        });
        assert_eq!(panel.seated_ids(), vec!["A", "B", "C"]);
        panel.apply(&EventPayload::SeatAnswered {
            member_id: "A".into(),
            name: "A".into(),
            accepted: true,
            reason: None,
            recorded_by: None,
        });
        panel.apply(&EventPayload::SeatAnswered {
            member_id: "B".into(),
            name: "B".into(),
            accepted: false,
            reason: Some("出差".into()),
            recorded_by: None,
        });
        panel.apply(&EventPayload::AlternatePromoted {
            holder: holder("X"),
            replaces: "B".into(),
        });
        panel.apply(&EventPayload::MemberRecused {
            member_id: "C".into(),
            name: "C".into(),
            reason: "回避".into(),
            decided_by: "主持人".into(),
        });
        panel.apply(&EventPayload::SeatLeftVacant {
            replaces: "C".into(),
        });
        assert_eq!(panel.seated_ids(), vec!["A", "X"]);
        assert_eq!(panel.left_ids(), vec!["B", "C"]);
        assert_eq!(
            panel.seat_of("A").expect("present").status,
            SeatStatus::Accepted
        );
        assert_eq!(
            panel.seat_of("X").expect("present").replaces.as_deref(),
            Some("B")
        );
        assert_eq!(panel.alternates, vec![holder("Y")]);
        assert_eq!(panel.vacancies, 1);
    }

    #[test]
    fn public_values_are_trimmed_and_bounded() {
        let values = vec![" 3 ".to_string(), "".into(), "07 12 25".into()];
        assert_eq!(
            tidy_public_values(&values).expect("present"),
            vec!["3", "07 12 25"]
        );
        assert_eq!(
            tidy_public_values(&[" ".into()]),
            Err(PublicValuesError::Missing)
        );
        assert_eq!(
            tidy_public_values(&["x".repeat(101)]),
            Err(PublicValuesError::Unreadable)
        );
        assert!(
            tidy_public_values(&vec!["1".to_string(); 13])
                .expect_err("must fail")
                .message_zh()
                .contains("12")
        );
    }

    proptest! {
        /// Whatever members and context: every exclusion names a member of the
        /// pool, once, with a non-empty reason; paused members' conflicts are not
        /// listed (they are not in the frozen pool at all).
        #[test]
        fn exclusions_are_unique_and_known(
            statuses in proptest::collection::vec(0usize..3, 1..20),
            busy in proptest::collection::btree_set(0usize..25, 0..6),
            recused in proptest::collection::vec(0usize..25, 0..4),
        ) {
            let members: Vec<Member> = statuses.iter().enumerate().map(|(i, s)| {
                let mut m = member(&format!("M{i}"), "expert");
                m.draft.status = MemberStatus::ALL[*s];
                m
            }).collect();
            let ctx = DrawContext {
                busy: busy.iter().map(|i| format!("M{i}")).collect(),
                recusals: recused.iter().map(|i| Exclusion::new(&format!("M{i}"), ExclusionKind::Recusal, "回避")).collect(),
                ..Default::default()
            };
            let found = exclusions(&members, &ctx);
            let ids: BTreeSet<&str> = found.iter().map(|e| e.member_id.as_str()).collect();
            prop_assert_eq!(ids.len(), found.len());
            for e in &found {
                let m = members.iter().find(|m| m.id == e.member_id);
                prop_assert!(m.is_some());
                prop_assert!(!e.reason.is_empty());
            }
        }
    }
}
