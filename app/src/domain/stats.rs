//! 统计 the figures offices judge themselves by (#10): resolution, repeat
//! petitions after review, satisfaction, and how often each pool member served.
//! Pure: every figure on the dashboard is one of these functions, each tested on
//! a fixed data set with the number it must give.

use super::aftercare::FollowUpState;
use super::case::{
    CalendarDate, CaseStatus, Coded, DeadlineKind, DeadlinePolicy, DueState, ProgressClass,
    RiskColour, coded_enum, current_deadline,
};
use super::csv::csv_cell;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

coded_enum! {
    /// 化解情况: how a reviewed case ended.
    Resolution {
        /// 化解: the dispute is settled.
        Resolved = ("resolved", "化解", "Resolved"),
        /// 未化解: not settled.
        Unresolved = ("unresolved", "未化解", "Not resolved"),
        /// 程序性办结: closed by procedure without settlement (e.g. withdrawn).
        Procedural = ("procedural", "程序性办结", "Closed by procedure"),
    }
}

coded_enum! {
    /// 满意度: the petitioner's rating of the handling.
    Satisfaction {
        Satisfied = ("satisfied", "满意", "Satisfied"),
        FairlySatisfied = ("fairly_satisfied", "基本满意", "Fairly satisfied"),
        Dissatisfied = ("dissatisfied", "不满意", "Dissatisfied"),
    }
}

/// A share as the offices print it: numerator, denominator and the percentage
/// rounded half up to two decimals ("94.12%"); `None` when nothing was counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    pub count: u32,
    pub of: u32,
}

impl Rate {
    pub fn new(count: u32, of: u32) -> Rate {
        Rate { count, of }
    }

    /// Hundredths of a percent (9412 for 94.12%), rounded half up; `None` for 0/0.
    pub fn basis_points(self) -> Option<u32> {
        if self.of == 0 {
            return None;
        }
        let scaled = u64::from(self.count) * 10_000 * 2 + u64::from(self.of);
        u32::try_from(scaled / (2 * u64::from(self.of))).ok()
    }

    /// "94.12%", or "—" when nothing was counted.
    pub fn percent_text(self) -> String {
        match self.basis_points() {
            Some(bp) => format!("{}.{:02}%", bp / 100, bp % 100),
            None => "—".into(),
        }
    }
}

/// 化解率: resolved cases among the reviewed cases with an outcome recorded.
/// Cases still open (no outcome yet) are not in the denominator.
pub fn resolution_rate(outcomes: &[Option<Resolution>]) -> Rate {
    let decided = outcomes.iter().flatten();
    let of = decided.clone().count();
    let resolved = decided.filter(|r| **r == Resolution::Resolved).count();
    Rate::new(clamp(resolved), clamp(of))
}

/// 复访率的反面, as Haining counts it: reviewed cases **not** petitioned again
/// afterwards (32 of 34 → 94.12%). `repeated[i]` says whether review i was
/// followed by a repeat petition linked to it.
pub fn no_repeat_rate(repeated: &[bool]) -> Rate {
    let clean = repeated.iter().filter(|r| !**r).count();
    Rate::new(clamp(clean), clamp(repeated.len()))
}

/// 重复信访率 (repeat-petition rate): reviewed cases petitioned again
/// afterwards (2 of 34 → 5.88%), the figure [`no_repeat_rate`] is the other side of.
pub fn repeat_rate(repeated: &[bool]) -> Rate {
    let again = repeated.iter().filter(|r| **r).count();
    Rate::new(clamp(again), clamp(repeated.len()))
}

/// 满意率: 满意 and 基本满意 among the ratings given (Weifang's 96.9%).
pub fn satisfaction_rate(ratings: &[Satisfaction]) -> Rate {
    let content = ratings
        .iter()
        .filter(|r| **r != Satisfaction::Dissatisfied)
        .count();
    Rate::new(clamp(content), clamp(ratings.len()))
}

fn clamp(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// How often each member served: (member, times), most first, then by id; and
/// the spread (most − fewest among those who could serve), the fairness check
/// of the draw over time. `pool` lists everyone who could have been drawn.
pub fn participation(pool: &[String], seatings: &[String]) -> (Vec<(String, u32)>, u32) {
    let mut counts: Vec<(String, u32)> = pool.iter().map(|m| (m.clone(), 0)).collect();
    for seated in seatings {
        match counts.iter_mut().find(|(m, _)| m == seated) {
            Some((_, n)) => *n += 1,
            None => counts.push((seated.clone(), 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let most = counts.first().map_or(0, |c| c.1);
    let fewest = counts.last().map_or(0, |c| c.1);
    (counts, most - fewest)
}

/// A calendar month, written `2026-11` (the dashboard's period is whole months).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    pub year: i32,
    pub month: u8,
}

impl YearMonth {
    pub fn of(date: CalendarDate) -> YearMonth {
        YearMonth {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn next(self) -> YearMonth {
        if self.month == 12 {
            YearMonth {
                year: self.year + 1,
                month: 1,
            }
        } else {
            YearMonth {
                month: self.month + 1,
                ..self
            }
        }
    }

    /// This month and `n − 1` before it: the `n` months ending with this one.
    pub fn back(self, n: u32) -> YearMonth {
        let index = self.index() - i64::from(n.saturating_sub(1));
        YearMonth::from_index(index)
    }

    fn index(self) -> i64 {
        i64::from(self.year) * 12 + i64::from(self.month) - 1
    }

    fn from_index(index: i64) -> YearMonth {
        YearMonth {
            year: i32::try_from(index.div_euclid(12)).unwrap_or(i32::MAX),
            month: u8::try_from(index.rem_euclid(12) + 1).unwrap_or(1),
        }
    }

    /// Months from `self` to `later`, both included (0 when `later` is earlier).
    pub fn months_through(self, later: YearMonth) -> u32 {
        u32::try_from(later.index() - self.index() + 1).unwrap_or(0)
    }

    pub fn contains(self, date: CalendarDate) -> bool {
        YearMonth::of(date) == self
    }

    /// "2026年11月"
    pub fn format_zh(self) -> String {
        format!("{}年{}月", self.year, self.month)
    }
}

/// A month as a chart's axis names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthLabel {
    /// "12月", under the column.
    pub month: String,
    /// "2025年", under the first month and under each January, when the period
    /// spans more than one calendar year.
    pub year: Option<String>,
    /// For the chart's text alternative: "2025年12月", or "12月" within one year.
    pub full: String,
}

/// The axis labels of `months`: within one calendar year the month alone; over
/// several years the year too, else the months of a longer period repeat
/// ("1月" twice) and cannot be told apart.
pub fn month_labels(months: &[YearMonth]) -> Vec<MonthLabel> {
    let spans_years = months
        .first()
        .zip(months.last())
        .is_some_and(|(first, last)| first.year != last.year);
    months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let month = format!("{}月", m.month);
            MonthLabel {
                year: (spans_years && (i == 0 || m.month == 1)).then(|| format!("{}年", m.year)),
                full: if spans_years {
                    m.format_zh()
                } else {
                    month.clone()
                },
                month,
            }
        })
        .collect()
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for YearMonth {
    type Err = StatsRefusal;

    /// `2026-11` or `2026/11` (what a month input and a spreadsheet give).
    fn from_str(raw: &str) -> Result<Self, StatsRefusal> {
        let bad = || StatsRefusal::MonthInvalid {
            value: raw.trim().chars().take(20).collect(),
        };
        let (year, month) = raw.trim().split_once(['-', '/']).ok_or_else(bad)?;
        let year: i32 = year.parse().map_err(|_| bad())?;
        let month: u8 = month.parse().map_err(|_| bad())?;
        if !(1900..=9999).contains(&year) || !(1..=12).contains(&month) {
            return Err(bad());
        }
        Ok(YearMonth { year, month })
    }
}

impl Serialize for YearMonth {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

/// What the dashboard shows: whole months `from`–`to`, one district or all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsFilter {
    pub from: YearMonth,
    pub to: YearMonth,
    /// 属地; `None` for the whole office.
    pub district: Option<String>,
}

impl StatsFilter {
    /// At most five years at once: a chart of more months cannot be read.
    pub const MAX_MONTHS: u32 = 60;

    /// The last twelve months up to and including today's.
    pub fn last_twelve_months(today: CalendarDate) -> StatsFilter {
        let to = YearMonth::of(today);
        StatsFilter {
            from: to.back(12),
            to,
            district: None,
        }
    }

    /// From the page's or the export link's fields (empty: the last twelve months).
    pub fn parse(
        from: &str,
        to: &str,
        district: &str,
        today: CalendarDate,
    ) -> Result<StatsFilter, StatsRefusal> {
        let default = StatsFilter::last_twelve_months(today);
        let month = |raw: &str, fallback: YearMonth| {
            if raw.trim().is_empty() {
                Ok(fallback)
            } else {
                raw.parse()
            }
        };
        let filter = StatsFilter {
            from: month(from, default.from)?,
            to: month(to, default.to)?,
            district: Some(district.trim().to_owned()).filter(|d| !d.is_empty()),
        };
        match filter.from.months_through(filter.to) {
            0 => Err(StatsRefusal::PeriodReversed),
            n if n > Self::MAX_MONTHS => Err(StatsRefusal::PeriodTooLong {
                max: Self::MAX_MONTHS,
            }),
            _ => Ok(filter),
        }
    }

    pub fn months(&self) -> Vec<YearMonth> {
        let mut months = Vec::new();
        let mut month = self.from;
        while month <= self.to {
            months.push(month);
            month = month.next();
        }
        months
    }

    pub fn covers(&self, date: CalendarDate) -> bool {
        (self.from..=self.to).contains(&YearMonth::of(date))
    }

    fn in_district(&self, district: &str) -> bool {
        self.district.as_deref().is_none_or(|d| d == district)
    }
}

/// Why a dashboard request was refused.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum StatsRefusal {
    #[error("not a month in the form YYYY-MM: {value}")]
    MonthInvalid { value: String },
    #[error("the period ends before it starts")]
    PeriodReversed,
    #[error("a period of more than {max} months")]
    PeriodTooLong { max: u32 },
}

impl StatsRefusal {
    pub fn message_zh(&self) -> String {
        match self {
            StatsRefusal::MonthInvalid { value } => {
                format!("“{value}”不是有效的月份，应为 年-月，如 2026-11")
            }
            StatsRefusal::PeriodReversed => "统计期间的结束月份不能早于开始月份".into(),
            StatsRefusal::PeriodTooLong { max } => format!("统计期间最长 {max} 个月"),
        }
    }
}

/// One hearing that has been held, with what followed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldHearing {
    pub case_number: String,
    pub district: String,
    pub held_on: CalendarDate,
    /// 化解情况, once the handling decision is recorded.
    pub resolution: Option<Resolution>,
    /// A later case was marked as a repeat petition of this hearing.
    pub repeated: bool,
    /// The latest satisfaction rating, if any.
    pub rating: Option<Satisfaction>,
    /// Pool member ids who served on the panel: the seats held (invited or
    /// accepted, `SeatStatus::holds_seat`), not those declined or recused.
    pub served: Vec<String>,
}

/// One case, for the risk table and the running deadlines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFact {
    pub number: String,
    pub district: String,
    pub received_on: CalendarDate,
    pub accepted_on: Option<CalendarDate>,
    pub risk: RiskColour,
    pub class: ProgressClass,
    pub status: CaseStatus,
}

/// One scheduled follow-up visit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitFact {
    pub case_number: String,
    pub district: String,
    pub due_on: CalendarDate,
    pub done_on: Option<CalendarDate>,
    pub assignee: String,
}

/// A pool member who could serve.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberFact {
    pub id: String,
    pub name: String,
}

/// Everything the dashboard is computed from, as read from the database.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsData {
    pub hearings: Vec<HeldHearing>,
    pub cases: Vec<CaseFact>,
    pub visits: Vec<VisitFact>,
    pub members: Vec<MemberFact>,
}

/// One late item: a case deadline or a follow-up visit past its day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overdue {
    pub case_number: String,
    pub district: String,
    /// 受理期限, 办理期限 or 回访.
    pub what_zh: String,
    pub due_on: CalendarDate,
    pub days: i64,
    /// The follow-up's assignee; empty for case deadlines.
    pub assignee: String,
}

/// Everything the dashboard shows; every figure comes from the functions above.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub filter: StatsFilter,
    pub today: CalendarDate,
    /// Every district in the data, for the filter.
    pub districts: Vec<String>,
    /// 听证场次 per month of the period (months without a hearing included).
    pub held_per_month: Vec<(YearMonth, u32)>,
    /// 听证场次 in the whole period.
    pub held_total: u32,
    pub resolution: Rate,
    /// 化解 / 未化解 / 程序性办结 / 待录入 counts.
    pub resolution_counts: Vec<(String, u32)>,
    /// 评议后未再信访 (Haining's 94.12%).
    pub no_repeat: Rate,
    /// 重复信访率: the reviews followed by a repeat petition (2 of 34 → 5.88%).
    pub repeat: Rate,
    pub satisfaction: Rate,
    pub satisfaction_counts: Vec<(Satisfaction, u32)>,
    /// Cases received in the period: rows red, yellow, green; columns class A, B, C.
    pub risk_by_class: Vec<(RiskColour, Vec<u32>)>,
    /// Cases received in the period per risk colour (the rows' 合计), in the
    /// order of `risk_by_class`.
    pub risk_totals: Vec<(RiskColour, u32)>,
    /// Running deadlines and visits late today (not limited to the period: they
    /// are late now).
    pub overdue: Vec<Overdue>,
    /// How many items are late today (逾期事项).
    pub overdue_count: u32,
    /// How often each member served in the period, most first.
    pub participation: Vec<(String, u32)>,
    /// Most − fewest services: the fairness check of the draw over time.
    pub participation_spread: u32,
}

/// The dashboard for `filter` on `today`.
pub fn dashboard(
    data: &StatsData,
    filter: &StatsFilter,
    policy: &DeadlinePolicy,
    today: CalendarDate,
) -> Dashboard {
    let held: Vec<&HeldHearing> = data
        .hearings
        .iter()
        .filter(|h| {
            h.held_on <= today && filter.covers(h.held_on) && filter.in_district(&h.district)
        })
        .collect();
    let outcomes: Vec<Option<Resolution>> = held.iter().map(|h| h.resolution).collect();
    let ratings: Vec<Satisfaction> = held.iter().filter_map(|h| h.rating).collect();
    let repeated: Vec<bool> = held.iter().map(|h| h.repeated).collect();
    let members: Vec<String> = data.members.iter().map(|m| m.id.clone()).collect();
    let seatings: Vec<String> = held.iter().flat_map(|h| h.served.iter().cloned()).collect();
    let (counts, participation_spread) = participation(&members, &seatings);
    let name_of = |id: &str| {
        data.members
            .iter()
            .find(|m| m.id == id)
            .map_or_else(|| id.to_owned(), |m| format!("{}（{}）", m.name, m.id))
    };
    let risk = risk_by_class(data, filter);
    let late = overdue(data, filter, policy, today);
    Dashboard {
        filter: filter.clone(),
        today,
        districts: districts(data),
        held_per_month: held_per_month(&held, filter),
        held_total: clamp(held.len()),
        resolution: resolution_rate(&outcomes),
        resolution_counts: resolution_counts(&outcomes),
        no_repeat: no_repeat_rate(&repeated),
        repeat: repeat_rate(&repeated),
        satisfaction: satisfaction_rate(&ratings),
        satisfaction_counts: Satisfaction::ALL
            .iter()
            .map(|s| (*s, clamp(ratings.iter().filter(|r| *r == s).count())))
            .collect(),
        risk_totals: risk_totals(&risk),
        risk_by_class: risk,
        overdue_count: clamp(late.len()),
        overdue: late,
        participation: counts
            .into_iter()
            .map(|(id, n)| (name_of(&id), n))
            .collect(),
        participation_spread,
    }
}

fn districts(data: &StatsData) -> Vec<String> {
    let mut all: Vec<String> = data
        .cases
        .iter()
        .map(|c| c.district.clone())
        .chain(data.hearings.iter().map(|h| h.district.clone()))
        .filter(|d| !d.is_empty())
        .collect();
    all.sort();
    all.dedup();
    all
}

/// 听证场次: hearings held in each month of the period.
pub fn held_per_month(held: &[&HeldHearing], filter: &StatsFilter) -> Vec<(YearMonth, u32)> {
    filter
        .months()
        .into_iter()
        .map(|m| {
            (
                m,
                clamp(held.iter().filter(|h| m.contains(h.held_on)).count()),
            )
        })
        .collect()
}

fn resolution_counts(outcomes: &[Option<Resolution>]) -> Vec<(String, u32)> {
    let mut counts: Vec<(String, u32)> = Resolution::ALL
        .iter()
        .map(|r| {
            let n = outcomes.iter().filter(|o| **o == Some(*r)).count();
            (r.label_zh().to_owned(), clamp(n))
        })
        .collect();
    counts.push((
        "待录入".into(),
        clamp(outcomes.iter().filter(|o| o.is_none()).count()),
    ));
    counts
}

/// 三色三类: cases received in the period, by risk colour and progress class.
pub fn risk_by_class(data: &StatsData, filter: &StatsFilter) -> Vec<(RiskColour, Vec<u32>)> {
    let cases: Vec<&CaseFact> = data
        .cases
        .iter()
        .filter(|c| filter.covers(c.received_on) && filter.in_district(&c.district))
        .collect();
    RiskColour::ALL
        .iter()
        .map(|risk| {
            let row = ProgressClass::ALL
                .iter()
                .map(|class| {
                    clamp(
                        cases
                            .iter()
                            .filter(|c| c.risk == *risk && c.class == *class)
                            .count(),
                    )
                })
                .collect();
            (*risk, row)
        })
        .collect()
}

/// 合计 of each risk colour's row.
pub fn risk_totals(risk_by_class: &[(RiskColour, Vec<u32>)]) -> Vec<(RiskColour, u32)> {
    risk_by_class
        .iter()
        .map(|(risk, row)| (*risk, row.iter().sum()))
        .collect()
}

/// Deadlines and follow-up visits late on `today`, most late first.
pub fn overdue(
    data: &StatsData,
    filter: &StatsFilter,
    policy: &DeadlinePolicy,
    today: CalendarDate,
) -> Vec<Overdue> {
    let cases = data
        .cases
        .iter()
        .filter(|c| filter.in_district(&c.district));
    let late_cases = cases.filter_map(|c| {
        let deadline = current_deadline(c.status, c.received_on, c.accepted_on, policy, today)?;
        let DueState::Overdue { days } = deadline.state else {
            return None;
        };
        Some(Overdue {
            case_number: c.number.clone(),
            district: c.district.clone(),
            what_zh: match deadline.kind {
                DeadlineKind::Accept => "受理期限".into(),
                DeadlineKind::Handle => "办理期限".into(),
            },
            due_on: deadline.due,
            days,
            assignee: String::new(),
        })
    });
    let visits = data
        .visits
        .iter()
        .filter(|v| filter.in_district(&v.district));
    let late_visits = visits.filter_map(|v| match FollowUpState::of(v.due_on, v.done_on, today) {
        FollowUpState::Overdue { days } => Some(Overdue {
            case_number: v.case_number.clone(),
            district: v.district.clone(),
            what_zh: "回访".into(),
            due_on: v.due_on,
            days,
            assignee: v.assignee.clone(),
        }),
        _ => None,
    });
    let mut all: Vec<Overdue> = late_cases.chain(late_visits).collect();
    all.sort_by(|a, b| {
        b.days
            .cmp(&a.days)
            .then_with(|| a.case_number.cmp(&b.case_number))
    });
    all
}

/// A table of the dashboard, as the page shows it next to its chart and as the
/// CSV and XLSX exports write it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsTable {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// A cell: text, or a count a spreadsheet can add up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cell {
    Text(String),
    Count(u32),
}

impl Cell {
    pub fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Count(n) => n.to_string(),
        }
    }
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn rate_row(label: &str, rate: Rate) -> Vec<Cell> {
    vec![
        text(label),
        Cell::Count(rate.count),
        Cell::Count(rate.of),
        text(rate.percent_text()),
    ]
}

impl Dashboard {
    /// Every figure of the dashboard as tables, in the page's order.
    pub fn tables(&self) -> Vec<StatsTable> {
        let period = format!(
            "{}至{}{}",
            self.filter.from.format_zh(),
            self.filter.to.format_zh(),
            self.filter
                .district
                .as_ref()
                .map(|d| format!("，{d}"))
                .unwrap_or_default()
        );
        vec![
            StatsTable {
                title: format!("主要指标（{period}）"),
                headers: ["指标", "分子", "分母", "比率"].map(String::from).to_vec(),
                rows: vec![
                    rate_row("化解率", self.resolution),
                    rate_row("评议后未重复信访率", self.no_repeat),
                    rate_row("重复信访率", self.repeat),
                    rate_row("满意率（满意+基本满意）", self.satisfaction),
                ],
            },
            StatsTable {
                title: "每月听证场次".into(),
                headers: ["月份", "场次"].map(String::from).to_vec(),
                rows: self
                    .held_per_month
                    .iter()
                    .map(|(m, n)| vec![text(m.to_string()), Cell::Count(*n)])
                    .chain(std::iter::once(vec![
                        text("合计"),
                        Cell::Count(self.held_total),
                    ]))
                    .collect(),
            },
            StatsTable {
                title: "化解情况".into(),
                headers: ["情况", "件数"].map(String::from).to_vec(),
                rows: self
                    .resolution_counts
                    .iter()
                    .map(|(label, n)| vec![text(label.clone()), Cell::Count(*n)])
                    .collect(),
            },
            StatsTable {
                title: "满意度".into(),
                headers: ["评价", "件数"].map(String::from).to_vec(),
                rows: self
                    .satisfaction_counts
                    .iter()
                    .map(|(s, n)| vec![text(s.label_zh()), Cell::Count(*n)])
                    .collect(),
            },
            StatsTable {
                title: "案件风险等级与分类（期间收件）".into(),
                headers: std::iter::once("风险等级".to_owned())
                    .chain(ProgressClass::ALL.iter().map(|c| c.label_zh().to_owned()))
                    .chain(std::iter::once("合计".to_owned()))
                    .collect(),
                rows: self
                    .risk_by_class
                    .iter()
                    .zip(&self.risk_totals)
                    .map(|((risk, row), (_, total))| {
                        std::iter::once(text(risk.label_zh()))
                            .chain(row.iter().map(|n| Cell::Count(*n)))
                            .chain(std::iter::once(Cell::Count(*total)))
                            .collect()
                    })
                    .collect(),
            },
            StatsTable {
                title: format!("逾期事项（截至{}）", self.today.format_zh()),
                headers: ["案号", "属地", "事项", "到期日", "逾期天数", "回访人"]
                    .map(String::from)
                    .to_vec(),
                rows: self
                    .overdue
                    .iter()
                    .map(|o| {
                        vec![
                            text(o.case_number.clone()),
                            text(o.district.clone()),
                            text(o.what_zh.clone()),
                            text(o.due_on.to_string()),
                            Cell::Count(u32::try_from(o.days).unwrap_or(u32::MAX)),
                            text(o.assignee.clone()),
                        ]
                    })
                    .collect(),
            },
            StatsTable {
                title: format!(
                    "评议员参与次数（最多与最少相差 {} 次）",
                    self.participation_spread
                ),
                headers: ["评议员", "参与次数"].map(String::from).to_vec(),
                rows: self
                    .participation
                    .iter()
                    .map(|(name, n)| vec![text(name.clone()), Cell::Count(*n)])
                    .collect(),
            },
        ]
    }
}

/// The tables as one CSV file: UTF-8 with a byte-order mark (so Excel reads the
/// Chinese), each table under its title, a blank line between tables.
pub fn tables_csv(tables: &[StatsTable]) -> String {
    let mut out = String::from("\u{feff}");
    for (i, table) in tables.iter().enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        out.push_str(&csv_cell(&table.title));
        out.push_str("\r\n");
        let header: Vec<String> = table.headers.iter().map(|h| csv_cell(h)).collect();
        out.push_str(&header.join(","));
        out.push_str("\r\n");
        for row in &table.rows {
            let cells: Vec<String> = row.iter().map(|c| csv_cell(&c.text())).collect();
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {

    fn day(raw: &str) -> CalendarDate {
        raw.parse().unwrap()
    }

    fn month(raw: &str) -> YearMonth {
        raw.parse().unwrap()
    }

    /// A fixed office: 34 hearings reviewed from January to November 2026 in two
    /// districts, 2 followed by a repeat petition; 30 decided (24 化解, 4 未化解,
    /// 2 程序性办结); 32 rated (25 满意, 6 基本满意, 1 不满意).
    fn fixed_office() -> StatsData {
        let mut hearings = Vec::new();
        for i in 0..34u8 {
            let held_on = CalendarDate::new(2026, 1 + i % 11, 1 + i / 11).unwrap();
            hearings.push(HeldHearing {
                case_number: format!("海宁信访〔2026〕{:03}号", i + 1),
                district: if i % 2 == 0 {
                    "硖石街道"
                } else {
                    "长安镇"
                }
                .into(),
                held_on,
                resolution: match i {
                    0..24 => Some(Resolution::Resolved),
                    24..28 => Some(Resolution::Unresolved),
                    28..30 => Some(Resolution::Procedural),
                    _ => None,
                },
                repeated: i == 3 || i == 20,
                rating: match i {
                    0..25 => Some(Satisfaction::Satisfied),
                    25..31 => Some(Satisfaction::FairlySatisfied),
                    31 => Some(Satisfaction::Dissatisfied),
                    _ => None,
                },
                served: vec![format!("M{:03}", 1 + i % 5), "M001".into()],
            });
        }
        let case = |n: &str,
                    district: &str,
                    received: &str,
                    risk,
                    class,
                    status,
                    accepted: Option<&str>| CaseFact {
            number: n.into(),
            district: district.into(),
            received_on: day(received),
            accepted_on: accepted.map(day),
            risk,
            class,
            status,
        };
        StatsData {
            hearings,
            cases: vec![
                case(
                    "A",
                    "硖石街道",
                    "2026-11-01",
                    RiskColour::Red,
                    ProgressClass::A,
                    CaseStatus::Accepted,
                    Some("2026-11-02"),
                ),
                case(
                    "B",
                    "硖石街道",
                    "2026-11-25",
                    RiskColour::Red,
                    ProgressClass::B,
                    CaseStatus::Registered,
                    None,
                ),
                case(
                    "C",
                    "长安镇",
                    "2026-06-01",
                    RiskColour::Green,
                    ProgressClass::C,
                    CaseStatus::Concluded,
                    Some("2026-06-02"),
                ),
                case(
                    "D",
                    "长安镇",
                    "2025-12-20",
                    RiskColour::Yellow,
                    ProgressClass::A,
                    CaseStatus::Registered,
                    None,
                ),
            ],
            visits: vec![
                VisitFact {
                    case_number: "海宁信访〔2026〕001号".into(),
                    district: "硖石街道".into(),
                    due_on: day("2026-11-20"),
                    done_on: None,
                    assignee: "李红".into(),
                },
                VisitFact {
                    case_number: "海宁信访〔2026〕002号".into(),
                    district: "长安镇".into(),
                    due_on: day("2026-11-10"),
                    done_on: Some(day("2026-11-09")),
                    assignee: "李红".into(),
                },
                VisitFact {
                    case_number: "海宁信访〔2026〕004号".into(),
                    district: "长安镇".into(),
                    due_on: day("2026-12-30"),
                    done_on: None,
                    assignee: "陈静".into(),
                },
            ],
            members: (1..=6)
                .map(|i| MemberFact {
                    id: format!("M{i:03}"),
                    name: format!("委员{i}"),
                })
                .collect(),
        }
    }

    fn year_2026() -> StatsFilter {
        StatsFilter {
            from: month("2026-01"),
            to: month("2026-12"),
            district: None,
        }
    }

    #[test]
    fn the_dashboard_of_the_fixed_office_gives_the_numbers_offices_count() {
        let today = day("2026-12-01");
        let d = dashboard(
            &fixed_office(),
            &year_2026(),
            &DeadlinePolicy::default(),
            today,
        );
        assert_eq!(d.no_repeat, Rate::new(32, 34));
        assert_eq!(d.no_repeat.percent_text(), "94.12%");
        assert_eq!(
            d.repeat,
            Rate::new(2, 34),
            "hearings 3 and 20 were repeated"
        );
        assert_eq!(d.repeat.percent_text(), "5.88%");
        assert_eq!(d.resolution, Rate::new(24, 30));
        assert_eq!(d.resolution.percent_text(), "80.00%");
        assert_eq!(d.satisfaction, Rate::new(31, 32));
        assert_eq!(d.satisfaction.percent_text(), "96.88%");
        let per_month: Vec<u32> = d.held_per_month.iter().map(|(_, n)| *n).collect();
        assert_eq!(per_month, vec![4, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0]);
        assert_eq!(d.held_total, 34, "听证场次 of the year");
        assert_eq!(
            d.resolution_counts,
            vec![
                ("化解".into(), 24),
                ("未化解".into(), 4),
                ("程序性办结".into(), 2),
                ("待录入".into(), 4)
            ]
        );
        // Cases received in 2026: A (red, A), B (red, B), C (green, C); D is from 2025.
        assert_eq!(
            d.risk_by_class,
            vec![
                (RiskColour::Red, vec![1, 1, 0]),
                (RiskColour::Yellow, vec![0, 0, 0]),
                (RiskColour::Green, vec![0, 0, 1])
            ]
        );
        assert_eq!(
            d.risk_totals,
            vec![
                (RiskColour::Red, 2),
                (RiskColour::Yellow, 0),
                (RiskColour::Green, 1)
            ]
        );
        // Late today: D's acceptance (due 2025-12-25, 341 days), A's handling (due
        // 2026-11-22, 9 days), the visit of 001 (due 2026-11-20, 11 days). B is due 11-30 → 1 day.
        let late: Vec<(&str, &str, i64)> = d
            .overdue
            .iter()
            .map(|o| (o.case_number.as_str(), o.what_zh.as_str(), o.days))
            .collect();
        assert_eq!(
            late,
            vec![
                ("D", "受理期限", 341),
                ("海宁信访〔2026〕001号", "回访", 11),
                ("A", "办理期限", 9),
                ("B", "受理期限", 1)
            ]
        );
        assert_eq!(d.overdue_count, 4, "逾期事项");
        // M001 sits on every panel (34) and once more in its turn of five (7).
        assert_eq!(d.participation[0], ("委员1（M001）".into(), 41));
        assert_eq!(d.participation.last(), Some(&("委员6（M006）".into(), 0)));
        assert_eq!(d.participation_spread, 41);
        assert_eq!(
            d.districts,
            vec!["硖石街道".to_owned(), "长安镇".to_owned()]
        );
    }

    #[test]
    fn a_district_and_a_shorter_period_narrow_every_figure() {
        let filter = StatsFilter {
            from: month("2026-01"),
            to: month("2026-06"),
            district: Some("长安镇".into()),
        };
        let d = dashboard(
            &fixed_office(),
            &filter,
            &DeadlinePolicy::default(),
            day("2026-12-01"),
        );
        // 长安镇 holds the odd hearings; January–June: i = 1, 3, 5, 11, 13, 15, 23, 25, 27, 33.
        assert_eq!(d.no_repeat, Rate::new(9, 10), "hearing 3 was repeated");
        assert_eq!(d.repeat, Rate::new(1, 10));
        assert_eq!(d.resolution, Rate::new(7, 9), "33 has no outcome yet");
        assert_eq!(d.held_per_month.len(), 6);
        assert_eq!(d.held_per_month.iter().map(|(_, n)| n).sum::<u32>(), 10);
        assert_eq!(d.held_total, 10);
        assert_eq!(d.risk_by_class[2], (RiskColour::Green, vec![0, 0, 1]));
        assert_eq!(
            d.risk_totals,
            vec![
                (RiskColour::Red, 0),
                (RiskColour::Yellow, 0),
                (RiskColour::Green, 1)
            ]
        );
        let late: Vec<&str> = d.overdue.iter().map(|o| o.case_number.as_str()).collect();
        assert_eq!(
            late,
            vec!["D"],
            "late items of the district only, whatever the period"
        );
        assert_eq!(d.overdue_count, 1);
    }

    #[test]
    fn hearings_still_to_come_are_not_counted_as_held() {
        let mut data = fixed_office();
        data.hearings[33].held_on = day("2026-12-20");
        let d = dashboard(
            &data,
            &year_2026(),
            &DeadlinePolicy::default(),
            day("2026-12-01"),
        );
        assert_eq!(d.no_repeat.of, 33);
    }

    #[test]
    fn month_labels_carry_the_year_only_when_the_period_spans_years() {
        let year = StatsFilter {
            from: month("2026-01"),
            to: month("2026-03"),
            district: None,
        };
        let labels = month_labels(&year.months());
        let months: Vec<&str> = labels.iter().map(|l| l.month.as_str()).collect();
        assert_eq!(months, vec!["1月", "2月", "3月"]);
        assert!(labels.iter().all(|l| l.year.is_none() && l.full == l.month));
        // Fourteen months from November 2025: "1月" twice, told apart by the year.
        let longer = StatsFilter {
            from: month("2025-11"),
            to: month("2026-12"),
            district: None,
        };
        let labels = month_labels(&longer.months());
        assert_eq!(labels.len(), 14);
        let years: Vec<(usize, &str)> = labels
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.year.as_deref().map(|y| (i, y)))
            .collect();
        assert_eq!(years, vec![(0, "2025年"), (2, "2026年")]);
        assert_eq!(labels[0].full, "2025年11月");
        assert_eq!(labels[2].month, "1月");
        assert_eq!(labels[2].full, "2026年1月");
        assert_eq!(labels[13].full, "2026年12月");
        assert!(month_labels(&[]).is_empty());
    }

    #[test]
    fn months_parse_step_and_bound_the_period() {
        assert_eq!(month("2026/3").to_string(), "2026-03");
        assert_eq!(month("2026-12").next(), month("2027-01"));
        assert_eq!(month("2026-11").back(12), month("2025-12"));
        assert_eq!(month("2026-01").months_through(month("2026-12")), 12);
        let today = day("2026-12-01");
        let default = StatsFilter::parse("", "", " ", today).unwrap();
        assert_eq!(
            (default.from, default.to, default.district),
            (month("2026-01"), month("2026-12"), None)
        );
        assert_eq!(
            StatsFilter::parse("2026-05", "2026-04", "", today),
            Err(StatsRefusal::PeriodReversed)
        );
        assert_eq!(
            StatsFilter::parse("2020-01", "2026-01", "", today),
            Err(StatsRefusal::PeriodTooLong { max: 60 })
        );
        let bad = StatsFilter::parse("2026-13", "", "", today).unwrap_err();
        assert_eq!(
            bad.message_zh(),
            "“2026-13”不是有效的月份，应为 年-月，如 2026-11"
        );
    }

    #[test]
    fn the_csv_export_carries_every_table_and_never_a_formula() {
        let d = dashboard(
            &fixed_office(),
            &year_2026(),
            &DeadlinePolicy::default(),
            day("2026-12-01"),
        );
        let csv = tables_csv(&d.tables());
        assert!(csv.starts_with('\u{feff}'));
        assert!(csv.contains("评议后未重复信访率,32,34,94.12%\r\n"), "{csv}");
        // Its own line: "评议后未重复信访率,…" also contains "重复信访率,".
        assert!(csv.contains("\r\n重复信访率,2,34,5.88%\r\n"), "{csv}");
        assert!(csv.contains("化解率,24,30,80.00%\r\n"));
        assert!(csv.contains("满意率（满意+基本满意）,31,32,96.88%\r\n"));
        assert!(csv.contains("2026-01,4\r\n"));
        assert!(csv.contains("2026-12,0\r\n合计,34\r\n"), "{csv}");
        assert!(csv.contains("红,1,1,0,2\r\n"));
        assert!(csv.contains("绿,0,0,1,1\r\n"));
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("-1"), "'-1");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("张三"), "张三");
    }
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn haining_counts_32_of_34_reviews_without_a_repeat_as_94_12_percent() {
        let mut repeated = vec![false; 34];
        repeated[3] = true;
        repeated[20] = true;
        let rate = no_repeat_rate(&repeated);
        assert_eq!(rate, Rate::new(32, 34));
        assert_eq!(rate.percent_text(), "94.12%");
        let again = repeat_rate(&repeated);
        assert_eq!(again, Rate::new(2, 34));
        assert_eq!(again.percent_text(), "5.88%");
    }

    #[test]
    fn weifang_satisfaction_counts_fairly_satisfied_as_content() {
        // 31 of 32: 25 满意, 6 基本满意, 1 不满意 → 96.88%.
        let mut ratings = vec![Satisfaction::Satisfied; 25];
        ratings.extend([Satisfaction::FairlySatisfied; 6]);
        ratings.push(Satisfaction::Dissatisfied);
        let rate = satisfaction_rate(&ratings);
        assert_eq!(rate, Rate::new(31, 32));
        assert_eq!(rate.percent_text(), "96.88%");
    }

    #[test]
    fn resolution_rate_leaves_open_cases_out() {
        let outcomes = [
            Some(Resolution::Resolved),
            Some(Resolution::Resolved),
            Some(Resolution::Unresolved),
            Some(Resolution::Procedural),
            None,
        ];
        let rate = resolution_rate(&outcomes);
        assert_eq!(rate, Rate::new(2, 4));
        assert_eq!(rate.percent_text(), "50.00%");
        assert_eq!(resolution_rate(&[None]).percent_text(), "—");
    }

    #[test]
    fn rounding_is_half_up_at_two_decimals() {
        assert_eq!(Rate::new(1, 3).percent_text(), "33.33%");
        assert_eq!(Rate::new(2, 3).percent_text(), "66.67%");
        assert_eq!(Rate::new(1, 8).percent_text(), "12.50%");
        assert_eq!(Rate::new(1, 80_000).percent_text(), "0.00%");
        assert_eq!(Rate::new(1, 20_000).percent_text(), "0.01%");
        assert_eq!(Rate::new(7, 7).percent_text(), "100.00%");
    }

    #[test]
    fn participation_counts_everyone_in_the_pool_and_the_spread() {
        let pool: Vec<String> = ["M1", "M2", "M3"].map(String::from).to_vec();
        let seatings: Vec<String> = ["M1", "M2", "M1"].map(String::from).to_vec();
        let (counts, spread) = participation(&pool, &seatings);
        assert_eq!(
            counts,
            vec![("M1".into(), 2), ("M2".into(), 1), ("M3".into(), 0)]
        );
        assert_eq!(spread, 2);
    }

    proptest! {
        /// A rate is never above 100% and is exact to the basis point.
        #[test]
        fn rates_stay_within_bounds(count in 0u32..100_000, extra in 0u32..100_000) {
            let rate = Rate::new(count, count + extra);
            if let Some(bp) = rate.basis_points() {
                prop_assert!(bp <= 10_000);
                let exact = f64::from(count) * 10_000.0 / f64::from(count + extra);
                prop_assert!((f64::from(bp) - exact).abs() <= 0.5 + 1e-9);
            } else {
                prop_assert_eq!(count + extra, 0);
            }
        }
    }
}
