//! 信访事项 petition cases: their fields, validation and deadlines.
//!
//! Deadlines follow Weifang's “520” practice: accept within 5 days of receipt,
//! handle within 20 days of acceptance. Both numbers are an office setting
//! ([`DeadlinePolicy`]); days are calendar days in the office's time zone.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use time::{Date, Month};

/// A calendar day in the office's time zone, written `YYYY-MM-DD` everywhere
/// (forms, CSV, JSON, the database).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CalendarDate(Date);

impl CalendarDate {
    pub fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        let month = Month::try_from(month).ok()?;
        Date::from_calendar_date(year, month, day).ok().map(Self)
    }

    /// The local day of an instant, for an office `offset_seconds` east of UTC.
    pub fn of_instant(ms: i64, offset_seconds: i32) -> Self {
        let local_days = (ms + i64::from(offset_seconds) * 1000).div_euclid(86_400_000);
        Self::from_days_since_epoch(local_days)
    }

    fn from_days_since_epoch(days: i64) -> Self {
        let julian = EPOCH_JULIAN_DAY + days;
        let julian = i32::try_from(julian).unwrap_or(EPOCH_JULIAN_DAY as i32);
        Self(Date::from_julian_day(julian).unwrap_or(Date::MIN))
    }

    pub fn days_since_epoch(self) -> i64 {
        i64::from(self.0.to_julian_day()) - EPOCH_JULIAN_DAY
    }

    pub fn plus_days(self, days: i64) -> Self {
        Self::from_days_since_epoch(self.days_since_epoch() + days)
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: CalendarDate) -> i64 {
        later.days_since_epoch() - self.days_since_epoch()
    }

    /// Midnight at the start of this day in the office's zone, as UTC ms.
    pub fn start_ms(self, offset_seconds: i32) -> i64 {
        self.days_since_epoch() * 86_400_000 - i64::from(offset_seconds) * 1000
    }

    pub fn year(self) -> i32 {
        self.0.year()
    }
    pub fn month(self) -> u8 {
        u8::from(self.0.month())
    }
    pub fn day(self) -> u8 {
        self.0.day()
    }
    /// 0 = Monday … 6 = Sunday: Chinese calendars start the week on Monday.
    pub fn weekday_from_monday(self) -> u8 {
        self.0.weekday().number_days_from_monday()
    }

    /// "2026年12月3日"
    pub fn format_zh(self) -> String {
        format!("{}年{}月{}日", self.year(), self.month(), self.day())
    }
}

/// Julian day number of 1970-01-01.
const EPOCH_JULIAN_DAY: i64 = 2_440_588;

impl fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.year(),
            self.month(),
            self.day()
        )
    }
}

/// Why a date was not understood.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a date in the form YYYY-MM-DD")]
pub struct BadDate;

impl FromStr for CalendarDate {
    type Err = BadDate;

    /// Accepts `2026-12-03`, `2026/12/3` and `2026.12.3` (the forms spreadsheets
    /// in these offices produce).
    fn from_str(raw: &str) -> Result<Self, BadDate> {
        let mut parts = raw.trim().split(['-', '/', '.']);
        let mut next = || parts.next().ok_or(BadDate);
        let year: i32 = next()?.parse().map_err(|_| BadDate)?;
        let month: u8 = next()?.parse().map_err(|_| BadDate)?;
        let day: u8 = next()?.parse().map_err(|_| BadDate)?;
        if parts.next().is_some() || !(1900..=9999).contains(&year) {
            return Err(BadDate);
        }
        CalendarDate::new(year, month, day).ok_or(BadDate)
    }
}

/// In the OpenAPI document a date is a string in the form `YYYY-MM-DD`.
#[cfg(feature = "ssr")]
impl utoipa::PartialSchema for CalendarDate {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .examples(["2026-11-02"])
            .into()
    }
}

#[cfg(feature = "ssr")]
impl utoipa::ToSchema for CalendarDate {}

impl Serialize for CalendarDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CalendarDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

/// A closed set of codes with Chinese and English labels (colour, class, status…).
pub trait Coded: Sized + Copy + 'static {
    const ALL: &'static [Self];
    fn code(self) -> &'static str;
    fn label_zh(self) -> &'static str;
    fn label_en(self) -> &'static str;

    /// By code, or by its Chinese label (what a CSV from an office contains).
    fn parse_code(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        Self::ALL.iter().copied().find(|v| {
            v.code().eq_ignore_ascii_case(raw) || v.label_zh() == raw || v.label_en() == raw
        })
    }
}

macro_rules! coded_enum_impl {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = ($code:literal, $zh:literal, $en:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl Coded for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn code(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            fn label_zh(self) -> &'static str { match self { $($name::$variant => $zh),+ } }
            fn label_en(self) -> &'static str { match self { $($name::$variant => $en),+ } }
        }
    };
}
pub(crate) use coded_enum_impl as coded_enum;

coded_enum! {
    /// 三色 risk colour (Hengkou): red is the highest risk.
    RiskColour {
        Red = ("red", "红", "Red"),
        Yellow = ("yellow", "黄", "Yellow"),
        Green = ("green", "绿", "Green"),
    }
}

coded_enum! {
    /// 三类 progress class (Hengkou).
    ProgressClass {
        A = ("a", "A类", "Class A"),
        B = ("b", "B类", "Class B"),
        C = ("c", "C类", "Class C"),
    }
}

coded_enum! {
    /// Where a case stands in the closed loop 登记受理 → 办理 → 答复 → 回访.
    CaseStatus {
        /// 待受理 registered, not yet accepted.
        Registered = ("registered", "待受理", "Registered"),
        /// 办理中 accepted and being handled.
        Accepted = ("accepted", "办理中", "Being handled"),
        /// 已办结 concluded.
        Concluded = ("concluded", "已办结", "Concluded"),
        /// 不予受理 not accepted.
        NotAccepted = ("not_accepted", "不予受理", "Not accepted"),
    }
}

/// An office's deadline rules (“520” by default).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlinePolicy {
    /// Days from receipt to acceptance (受理时限).
    pub accept_days: u32,
    /// Days from acceptance to the end of handling (办理时限).
    pub handle_days: u32,
    /// A deadline this many days away or closer is “due soon” (临期).
    pub due_soon_days: u32,
    /// Days between the written notice and the hearing (听证通知提前天数).
    pub notice_days: u32,
}

impl Default for DeadlinePolicy {
    fn default() -> Self {
        Self {
            accept_days: 5,
            handle_days: 20,
            due_soon_days: 2,
            notice_days: 7,
        }
    }
}

impl DeadlinePolicy {
    pub const MAX_DAYS: u32 = 365;

    /// Every figure within 0–365 days (notice may be 0: some offices hear at once;
    /// accept and handle must be at least a day).
    pub fn is_valid(&self) -> bool {
        (1..=Self::MAX_DAYS).contains(&self.accept_days)
            && (1..=Self::MAX_DAYS).contains(&self.handle_days)
            && self.due_soon_days <= Self::MAX_DAYS
            && self.notice_days <= Self::MAX_DAYS
    }
}

/// The deadline that matters now for a case, and how close it is.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub kind: DeadlineKind,
    pub due: CalendarDate,
    pub state: DueState,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// 受理期限
    Accept,
    /// 办理期限
    Handle,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DueState {
    /// 已超期 by this many days.
    Overdue {
        days: i64,
    },
    /// 临期: due today (0) or within the policy's window.
    DueSoon {
        days_left: i64,
    },
    OnTrack {
        days_left: i64,
    },
}

impl DueState {
    pub fn is_overdue(self) -> bool {
        matches!(self, DueState::Overdue { .. })
    }
}

/// The running deadline of a case on `today`, or `None` when nothing is running
/// (concluded, not accepted). Due day itself is still in time.
pub fn current_deadline(
    status: CaseStatus,
    received_on: CalendarDate,
    accepted_on: Option<CalendarDate>,
    policy: &DeadlinePolicy,
    today: CalendarDate,
) -> Option<Deadline> {
    let (kind, due) = match (status, accepted_on) {
        (CaseStatus::Registered, _) => (
            DeadlineKind::Accept,
            received_on.plus_days(policy.accept_days.into()),
        ),
        (CaseStatus::Accepted, Some(accepted)) => (
            DeadlineKind::Handle,
            accepted.plus_days(policy.handle_days.into()),
        ),
        // Accepted without a date cannot pass validation; be safe and count from receipt.
        (CaseStatus::Accepted, None) => (
            DeadlineKind::Handle,
            received_on.plus_days(i64::from(policy.accept_days) + i64::from(policy.handle_days)),
        ),
        (CaseStatus::Concluded | CaseStatus::NotAccepted, _) => return None,
    };
    let days_left = today.days_until(due);
    let state = if days_left < 0 {
        DueState::Overdue { days: -days_left }
    } else if days_left <= i64::from(policy.due_soon_days) {
        DueState::DueSoon { days_left }
    } else {
        DueState::OnTrack { days_left }
    };
    Some(Deadline { kind, due, state })
}

/// A case as entered by a person, an import row or an API client, before it is
/// accepted by [`CaseDraft::validate`].
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseDraft {
    /// 信访事项编号, e.g. 海宁信访〔2026〕123号; unique.
    pub number: String,
    pub title: String,
    /// 信访人 (one or more).
    pub petitioners: Vec<String>,
    /// 责任单位 responding agencies (one or more).
    pub agencies: Vec<String>,
    /// 诉求 what the petitioner asks for.
    pub summary: String,
    pub received_on: CalendarDate,
    pub accepted_on: Option<CalendarDate>,
    /// 问题类别, e.g. 征地拆迁, 劳动社保 (free text, office's own list).
    pub category: String,
    /// 属地 the town or street (镇街) the matter belongs to, e.g. 硖石街道, 长安镇;
    /// free text, may be empty (absent in JSON reads as empty).
    #[serde(default)]
    pub district: String,
    pub risk: RiskColour,
    pub class: ProgressClass,
    pub status: CaseStatus,
    /// 承办人 the staff account that investigated the case; may not host its hearing.
    pub investigator_id: Option<String>,
}

/// One thing wrong with a draft; a form or a CSV row shows all of them at once.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "field_error", rename_all = "snake_case")]
pub enum CaseFieldError {
    #[error("case number is empty")]
    NumberEmpty,
    #[error("case number too long")]
    NumberTooLong { max: usize },
    #[error("title is empty")]
    TitleEmpty,
    #[error("text too long")]
    TooLong { field: CaseField, max: usize },
    #[error("no petitioner")]
    NoPetitioner,
    #[error("no agency")]
    NoAgency,
    #[error("acceptance date missing")]
    AcceptedOnMissing,
    #[error("accepted before received")]
    AcceptedBeforeReceived,
    #[error("control characters")]
    ControlCharacters { field: CaseField },
}

/// The fields of a case, for error messages and CSV headers.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseField {
    Number,
    Title,
    Petitioners,
    Agencies,
    Summary,
    ReceivedOn,
    AcceptedOn,
    Category,
    District,
    Risk,
    Class,
    Status,
    Investigator,
}

impl CaseField {
    pub fn label_zh(self) -> &'static str {
        match self {
            CaseField::Number => "编号",
            CaseField::Title => "标题",
            CaseField::Petitioners => "信访人",
            CaseField::Agencies => "责任单位",
            CaseField::Summary => "诉求",
            CaseField::ReceivedOn => "收件日期",
            CaseField::AcceptedOn => "受理日期",
            CaseField::Category => "类别",
            CaseField::District => "属地",
            CaseField::Risk => "风险等级",
            CaseField::Class => "分类",
            CaseField::Status => "状态",
            CaseField::Investigator => "承办人",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            CaseField::Number => "number",
            CaseField::Title => "title",
            CaseField::Petitioners => "petitioners",
            CaseField::Agencies => "agencies",
            CaseField::Summary => "claim",
            CaseField::ReceivedOn => "received on",
            CaseField::AcceptedOn => "accepted on",
            CaseField::Category => "category",
            CaseField::District => "district",
            CaseField::Risk => "risk colour",
            CaseField::Class => "class",
            CaseField::Status => "status",
            CaseField::Investigator => "investigator",
        }
    }
}

impl CaseFieldError {
    pub fn message_zh(&self) -> String {
        match self {
            CaseFieldError::NumberEmpty => "请填写信访事项编号".into(),
            CaseFieldError::NumberTooLong { max } => format!("编号不能超过 {max} 个字"),
            CaseFieldError::TitleEmpty => "请填写标题".into(),
            CaseFieldError::TooLong { field, max } => {
                format!("「{}」不能超过 {max} 个字", field.label_zh())
            }
            CaseFieldError::NoPetitioner => "请至少填写一名信访人".into(),
            CaseFieldError::NoAgency => "请至少填写一个责任单位".into(),
            CaseFieldError::AcceptedOnMissing => "已受理的事项须填写受理日期".into(),
            CaseFieldError::AcceptedBeforeReceived => "受理日期不能早于收件日期".into(),
            CaseFieldError::ControlCharacters { field } => {
                format!("「{}」含有不可见的控制字符", field.label_zh())
            }
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            CaseFieldError::NumberEmpty => "Enter the case number".into(),
            CaseFieldError::NumberTooLong { max } => {
                format!("The case number may have at most {max} characters")
            }
            CaseFieldError::TitleEmpty => "Enter a title".into(),
            CaseFieldError::TooLong { field, max } => {
                format!("“{}” may have at most {max} characters", field.label_en())
            }
            CaseFieldError::NoPetitioner => "Name at least one petitioner".into(),
            CaseFieldError::NoAgency => "Name at least one responding agency".into(),
            CaseFieldError::AcceptedOnMissing => {
                "An accepted case needs its acceptance date".into()
            }
            CaseFieldError::AcceptedBeforeReceived => {
                "The acceptance date cannot be before the date received".into()
            }
            CaseFieldError::ControlCharacters { field } => {
                format!(
                    "“{}” contains invisible control characters",
                    field.label_en()
                )
            }
        }
    }
}

impl CaseDraft {
    pub const NUMBER_MAX: usize = 64;
    pub const TITLE_MAX: usize = 200;
    pub const NAME_MAX: usize = 100;
    pub const SUMMARY_MAX: usize = 5000;
    pub const CATEGORY_MAX: usize = 50;
    pub const DISTRICT_MAX: usize = 40;

    /// Trims every text, drops empty names and duplicates, then checks the rules.
    /// Returns the tidy draft, or every problem found.
    pub fn validate(mut self) -> Result<CaseDraft, Vec<CaseFieldError>> {
        self.tidy();
        let mut errors = Vec::new();
        let texts = [
            (CaseField::Number, &self.number, Self::NUMBER_MAX),
            (CaseField::Title, &self.title, Self::TITLE_MAX),
            (CaseField::Summary, &self.summary, Self::SUMMARY_MAX),
            (CaseField::Category, &self.category, Self::CATEGORY_MAX),
            (CaseField::District, &self.district, Self::DISTRICT_MAX),
        ];
        for (field, text, max) in texts {
            check_text(field, text, max, &mut errors);
        }
        for (field, names) in [
            (CaseField::Petitioners, &self.petitioners),
            (CaseField::Agencies, &self.agencies),
        ] {
            for name in names {
                check_text(field, name, Self::NAME_MAX, &mut errors);
            }
        }
        if self.number.is_empty() {
            errors.push(CaseFieldError::NumberEmpty);
        }
        if self.title.is_empty() {
            errors.push(CaseFieldError::TitleEmpty);
        }
        if self.petitioners.is_empty() {
            errors.push(CaseFieldError::NoPetitioner);
        }
        if self.agencies.is_empty() {
            errors.push(CaseFieldError::NoAgency);
        }
        let needs_acceptance = matches!(self.status, CaseStatus::Accepted | CaseStatus::Concluded);
        match self.accepted_on {
            None if needs_acceptance => errors.push(CaseFieldError::AcceptedOnMissing),
            Some(accepted) if accepted < self.received_on => {
                errors.push(CaseFieldError::AcceptedBeforeReceived)
            }
            _ => {}
        }
        errors.dedup();
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }

    fn tidy(&mut self) {
        self.number = collapse_spaces(&self.number);
        self.title = collapse_spaces(&self.title);
        self.summary = self.summary.trim().to_string();
        self.category = collapse_spaces(&self.category);
        self.district = collapse_spaces(&self.district);
        self.investigator_id = self
            .investigator_id
            .take()
            .map(|id| id.trim().to_string())
            .filter(|id| !id.is_empty());
        for names in [&mut self.petitioners, &mut self.agencies] {
            let mut tidy: Vec<String> = Vec::new();
            for name in names.iter().map(|n| collapse_spaces(n)) {
                if !name.is_empty() && !tidy.contains(&name) {
                    tidy.push(name);
                }
            }
            *names = tidy;
        }
    }
}

fn check_text(field: CaseField, text: &str, max: usize, errors: &mut Vec<CaseFieldError>) {
    // Line breaks are fine in the claim; other control characters never are.
    if text
        .chars()
        .any(|c| c.is_control() && !(field == CaseField::Summary && (c == '\n' || c == '\t')))
    {
        errors.push(CaseFieldError::ControlCharacters { field });
    }
    if text.chars().count() > max {
        errors.push(match field {
            CaseField::Number => CaseFieldError::NumberTooLong { max },
            _ => CaseFieldError::TooLong { field, max },
        });
    }
}

/// Trim and turn runs of whitespace (including the full-width space) into one space.
pub fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Split a list typed into one field: 、，, ; ； and new lines all separate names.
pub fn split_names(text: &str) -> Vec<String> {
    text.split(['、', '，', ',', ';', '；', '\n'])
        .map(collapse_spaces)
        .filter(|n| !n.is_empty())
        .collect()
}

/// A person named on a case or a hearing, for "unknown person" errors.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonPart {
    /// 承办人
    Investigator,
    /// 主持人
    Host,
    /// 记录员
    Clerk,
    /// 回访人 who makes a follow-up visit.
    Visitor,
}

impl PersonPart {
    pub fn label_zh(self) -> &'static str {
        match self {
            PersonPart::Investigator => "承办人",
            PersonPart::Host => "主持人",
            PersonPart::Clerk => "记录员",
            PersonPart::Visitor => "回访人",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            PersonPart::Investigator => "investigator",
            PersonPart::Host => "host",
            PersonPart::Clerk => "clerk",
            PersonPart::Visitor => "visitor",
        }
    }
}

/// Filters of the case list; every field optional. Pure so the browser can show
/// what a filter means and the server can apply it the same way.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFilter {
    /// Part of the number, title, claim, a petitioner's or agency's name.
    pub text: Option<String>,
    pub risk: Option<RiskColour>,
    pub class: Option<ProgressClass>,
    pub status: Option<CaseStatus>,
    /// 属地, matched exactly (after trimming); `None` or empty: every district.
    #[serde(default)]
    pub district: Option<String>,
    /// Only cases whose running deadline is overdue.
    pub overdue_only: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(s: &str) -> CalendarDate {
        s.parse().expect("test date")
    }

    fn draft() -> CaseDraft {
        CaseDraft {
            number: " 海宁信访〔2026〕123号 ".into(),
            title: "某村土地征收补偿争议".into(),
            petitioners: vec!["张建国".into(), " ".into(), "张建国".into()],
            agencies: vec!["海宁市自然资源和规划局".into()],
            summary: "要求按新标准补偿".into(),
            received_on: date("2026-11-02"),
            accepted_on: Some(date("2026-11-05")),
            category: "征地拆迁".into(),
            district: " 硖石街道 ".into(),
            risk: RiskColour::Red,
            class: ProgressClass::A,
            status: CaseStatus::Accepted,
            investigator_id: None,
        }
    }

    #[test]
    fn validate_tidies_names_and_numbers() {
        let ok = draft().validate().expect("valid");
        assert_eq!(ok.number, "海宁信访〔2026〕123号");
        assert_eq!(ok.petitioners, vec!["张建国".to_string()]);
    }

    #[test]
    fn validate_reports_every_problem() {
        let mut bad = draft();
        bad.number = "  ".into();
        bad.petitioners = vec![];
        bad.accepted_on = Some(date("2026-11-01"));
        let errors = bad.validate().expect_err("invalid");
        assert!(errors.contains(&CaseFieldError::NumberEmpty));
        assert!(errors.contains(&CaseFieldError::NoPetitioner));
        assert!(errors.contains(&CaseFieldError::AcceptedBeforeReceived));
        assert!(errors.iter().all(|e| !e.message_zh().is_empty()));
    }

    #[test]
    fn district_is_tidied_and_checked() {
        assert_eq!(draft().validate().expect("valid").district, "硖石街道");
        let mut none = draft();
        none.district = "   ".into();
        assert_eq!(none.validate().expect("valid").district, "", "optional");

        let mut long = draft();
        long.district = "镇".repeat(CaseDraft::DISTRICT_MAX + 1);
        let errors = long.validate().expect_err("too long");
        assert_eq!(
            errors,
            vec![CaseFieldError::TooLong {
                field: CaseField::District,
                max: 40
            }]
        );
        assert_eq!(errors[0].message_zh(), "「属地」不能超过 40 个字");
        assert_eq!(
            errors[0].message_en(),
            "“district” may have at most 40 characters"
        );
        let mut exact = draft();
        exact.district = "镇".repeat(CaseDraft::DISTRICT_MAX);
        assert!(exact.validate().is_ok());

        let mut control = draft();
        control.district = "硖石\u{7}街道".into();
        assert_eq!(
            control.validate(),
            Err(vec![CaseFieldError::ControlCharacters {
                field: CaseField::District
            }])
        );
        // A line break inside is whitespace, collapsed like in the other one-line fields.
        let mut broken = draft();
        broken.district = "长安\n镇".into();
        assert_eq!(broken.validate().expect("valid").district, "长安 镇");
    }

    #[test]
    fn a_draft_without_district_still_reads() {
        let mut json = serde_json::to_value(draft()).expect("json");
        json.as_object_mut().expect("object").remove("district");
        let read: CaseDraft = serde_json::from_value(json).expect("reads");
        assert_eq!(read.district, "");
        let filter: CaseFilter = serde_json::from_str(
            r#"{"text":null,"risk":null,"class":null,"status":null,"overdue_only":false}"#,
        )
        .expect("old filter");
        assert_eq!(filter, CaseFilter::default());
    }

    #[test]
    fn accepted_case_needs_acceptance_date() {
        let mut bad = draft();
        bad.accepted_on = None;
        assert_eq!(bad.validate(), Err(vec![CaseFieldError::AcceptedOnMissing]));
    }

    #[test]
    fn dates_parse_in_office_forms() {
        assert_eq!(date("2026/1/5"), date("2026-01-05"));
        assert_eq!(date("2026.1.5").to_string(), "2026-01-05");
        assert!("2026-02-30".parse::<CalendarDate>().is_err());
        assert!("2026-02".parse::<CalendarDate>().is_err());
        assert!("明天".parse::<CalendarDate>().is_err());
    }

    #[test]
    fn the_520_rule() {
        let policy = DeadlinePolicy::default();
        let received = date("2026-11-02");
        let d =
            |today| current_deadline(CaseStatus::Registered, received, None, &policy, date(today));
        let due = d("2026-11-02").expect("running");
        assert_eq!(due.kind, DeadlineKind::Accept);
        assert_eq!(due.due, date("2026-11-07"));
        assert_eq!(due.state, DueState::OnTrack { days_left: 5 });
        assert_eq!(
            d("2026-11-05").expect("running").state,
            DueState::DueSoon { days_left: 2 }
        );
        assert_eq!(
            d("2026-11-07").expect("running").state,
            DueState::DueSoon { days_left: 0 }
        );
        assert_eq!(
            d("2026-11-09").expect("running").state,
            DueState::Overdue { days: 2 }
        );

        let handling = current_deadline(
            CaseStatus::Accepted,
            received,
            Some(date("2026-11-05")),
            &policy,
            date("2026-11-26"),
        )
        .expect("running");
        assert_eq!(handling.kind, DeadlineKind::Handle);
        assert_eq!(handling.due, date("2026-11-25"));
        assert!(handling.state.is_overdue());
        assert_eq!(
            current_deadline(
                CaseStatus::Concluded,
                received,
                None,
                &policy,
                date("2030-01-01")
            ),
            None
        );
    }

    #[test]
    fn local_day_of_an_instant_uses_the_office_zone() {
        // 2026-11-30T16:30Z is already 1 December in Beijing.
        let ms = 1_796_056_200_000;
        assert_eq!(CalendarDate::of_instant(ms, 8 * 3600), date("2026-12-01"));
        assert_eq!(CalendarDate::of_instant(ms, 0), date("2026-11-30"));
        assert_eq!(date("2026-12-01").start_ms(8 * 3600), 1_796_054_400_000);
    }

    #[test]
    fn codes_parse_from_chinese_labels() {
        assert_eq!(RiskColour::parse_code("红"), Some(RiskColour::Red));
        assert_eq!(ProgressClass::parse_code("B"), Some(ProgressClass::B));
        assert_eq!(ProgressClass::parse_code("C类"), Some(ProgressClass::C));
        assert_eq!(CaseStatus::parse_code("办理中"), Some(CaseStatus::Accepted));
        assert_eq!(RiskColour::parse_code("紫"), None);
    }

    proptest! {
        #[test]
        fn deadline_state_is_monotonic_in_time(offset in 0i64..400, later in 0i64..400, accept in 1u32..30) {
            let policy = DeadlinePolicy { accept_days: accept, ..DeadlinePolicy::default() };
            let received = date("2026-01-01");
            let at = |d: i64| current_deadline(CaseStatus::Registered, received, None, &policy, received.plus_days(d)).expect("running");
            let early = at(offset);
            let late = at(offset + later);
            // Once overdue, a case stays overdue as days pass.
            prop_assert!(!early.state.is_overdue() || late.state.is_overdue());
            prop_assert_eq!(early.due, late.due);
        }

        #[test]
        fn date_round_trips(days in -20_000i64..60_000) {
            let d = CalendarDate::from_days_since_epoch(days);
            prop_assert_eq!(d.days_since_epoch(), days);
            prop_assert_eq!(d.to_string().parse::<CalendarDate>(), Ok(d));
        }
    }
}
