//! Small pieces the case and scheduling pages share: two-language strings, chips,
//! dates in China time, and the clock.

use super::use_lang;
use crate::domain::case::{CalendarDate, Coded, Deadline, DeadlineKind, DueState, RiskColour};
use crate::domain::clock::CHINA_OFFSET_SECONDS;
use crate::domain::schedule::HearingStatus;
use crate::i18n::Lang;
use leptos::prelude::*;

/// Picks the page-local Chinese or English text. These pages keep their strings
/// beside the markup (zh first) instead of in `i18n::Texts`: most appear once.
#[derive(Clone, Copy)]
pub struct Tr(pub RwSignal<Lang>);

impl Tr {
    /// A reactive text: re-renders in place when the reader switches language.
    pub fn s(
        self,
        zh: &'static str,
        en: &'static str,
    ) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
        move || if self.0.get() == Lang::Zh { zh } else { en }
    }

    pub fn lang(self) -> Lang {
        self.0.get()
    }

    pub fn is_zh(self) -> bool {
        self.0.get() == Lang::Zh
    }
}

pub fn use_tr() -> Tr {
    Tr(use_lang())
}

/// A code's label in the reader's language.
pub fn label<C: Coded>(lang: Lang, value: C) -> &'static str {
    match lang {
        Lang::Zh => value.label_zh(),
        Lang::En => value.label_en(),
    }
}

/// Now, in epoch milliseconds, on either side (std's clock panics in wasm).
pub fn now_ms() -> i64 {
    #[cfg(feature = "ssr")]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        web_sys::js_sys::Date::now() as i64
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        0
    }
}

/// Today in the office's time zone.
pub fn today() -> CalendarDate {
    CalendarDate::of_instant(now_ms(), CHINA_OFFSET_SECONDS)
}

/// "11月7日" / "Nov 7" — for deadlines, where the year is obvious.
pub fn short_date(lang: Lang, date: CalendarDate) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    match lang {
        Lang::Zh => format!("{}月{}日", date.month(), date.day()),
        Lang::En => {
            let month = MONTHS
                .get(usize::from(date.month().saturating_sub(1)))
                .copied()
                .unwrap_or("");
            format!("{month} {}", date.day())
        }
    }
}

/// "2026-12-03" and "09:30" in China time: what `<input type=date|time>` hold.
pub fn date_and_time(ms: i64) -> (String, String) {
    let day = CalendarDate::of_instant(ms, CHINA_OFFSET_SECONDS);
    let minutes = (ms - day.start_ms(CHINA_OFFSET_SECONDS)) / 60_000;
    (
        day.to_string(),
        format!("{:02}:{:02}", minutes / 60, minutes % 60),
    )
}

/// The instant of a date and a "HH:MM" time in China time; None when either is
/// not filled in properly.
pub fn instant_of(date: &str, time: &str) -> Option<i64> {
    let day: CalendarDate = date.parse().ok()?;
    let (h, m) = time.trim().split_once(':')?;
    let (h, m): (i64, i64) = (h.parse().ok()?, m.get(..2).unwrap_or(m).parse().ok()?);
    if !(0..24).contains(&h) || !(0..60).contains(&m) {
        return None;
    }
    Some(day.start_ms(CHINA_OFFSET_SECONDS) + (h * 60 + m) * 60_000)
}

/// "受理期限 11月7日 · 已超期 2 天".
pub fn deadline_text(lang: Lang, d: &Deadline) -> String {
    let (when, state) = deadline_parts(lang, d);
    format!("{when} · {state}")
}

/// ("受理期限 11月7日", "已超期 2 天"): lists put the two on separate lines.
fn deadline_parts(lang: Lang, d: &Deadline) -> (String, String) {
    let zh = lang == Lang::Zh;
    let kind = match (d.kind, zh) {
        (DeadlineKind::Accept, true) => "受理期限",
        (DeadlineKind::Handle, true) => "办理期限",
        (DeadlineKind::Accept, false) => "Accept by",
        (DeadlineKind::Handle, false) => "Handle by",
    };
    let state = match (d.state, zh) {
        (DueState::Overdue { days }, true) => format!("已超期 {days} 天"),
        (DueState::Overdue { days }, false) => format!("overdue by {days} d"),
        (DueState::DueSoon { days_left: 0 }, true) => "临期 · 今日到期".into(),
        (DueState::DueSoon { days_left: 0 }, false) => "due soon · due today".into(),
        (DueState::DueSoon { days_left }, true) => format!("临期 · 剩 {days_left} 天"),
        (DueState::DueSoon { days_left }, false) => format!("due soon · {days_left} d left"),
        (DueState::OnTrack { days_left }, true) => format!("剩 {days_left} 天"),
        (DueState::OnTrack { days_left }, false) => format!("{days_left} d left"),
    };
    (format!("{kind} {}", short_date(lang, d.due)), state)
}

/// The CSS class of a deadline: red when overdue, amber when due soon.
pub fn deadline_class(d: &Deadline) -> &'static str {
    match d.state {
        DueState::Overdue { .. } => "due due-over",
        DueState::DueSoon { .. } => "due due-soon",
        DueState::OnTrack { .. } => "due due-ok",
    }
}

/// A case's running deadline, or a dash when none runs (concluded, not accepted).
#[component]
pub fn DeadlineBadge(deadline: Option<Deadline>) -> impl IntoView {
    let lang = use_lang();
    match deadline {
        Some(d) => view! {
            <span
                class=deadline_class(&d)
                data-testid="deadline"
                data-state=due_code(&d)
                title=move || deadline_text(lang.get(), &d)
            >
                <span class="due-when">{move || deadline_parts(lang.get(), &d).0}</span>
                <span class="due-sep">" · "</span>
                <span class="due-state">{move || deadline_parts(lang.get(), &d).1}</span>
            </span>
        }
        .into_any(),
        None => view! { <span class="muted">"—"</span> }.into_any(),
    }
}

fn due_code(d: &Deadline) -> &'static str {
    match d.state {
        DueState::Overdue { .. } => "overdue",
        DueState::DueSoon { .. } => "due_soon",
        DueState::OnTrack { .. } => "on_track",
    }
}

/// 红 / 黄 / 绿 as a coloured chip.
#[component]
pub fn RiskChip(risk: RiskColour) -> impl IntoView {
    let lang = use_lang();
    view! {
        <span class=format!("chip risk-{}", risk.code()) data-risk=risk.code()>
            {move || label(lang.get(), risk)}
        </span>
    }
}

/// 已排期 / 已延期 / 已取消 as a chip.
#[component]
pub fn StatusChip(
    status: HearingStatus,
    /// Once the log shows it opened, that is what the chip says (进行中, 已举行).
    #[prop(optional)]
    sitting: crate::domain::schedule::Sitting,
) -> impl IntoView {
    use crate::domain::schedule::Sitting;
    let lang = use_lang();
    let text = move || match (sitting, lang.get()) {
        (Sitting::InSession, Lang::Zh) => "进行中".to_owned(),
        (Sitting::InSession, Lang::En) => "In session".to_owned(),
        (Sitting::Closed, Lang::Zh) => "已举行".to_owned(),
        (Sitting::Closed, Lang::En) => "Held".to_owned(),
        (Sitting::NotOpened, lang) => label(lang, status).to_owned(),
    };
    let class = match sitting {
        Sitting::NotOpened => format!("chip status-{}", status.code()),
        held => format!("chip status-{}", held.code()),
    };
    view! {
        <span class=class data-testid="hearing-status" data-status=status.code() data-sitting=sitting.code()>
            {text}
        </span>
    }
}

/// A refusal made in the browser before anything was sent (a date not filled in…).
#[component]
pub fn LocalError(
    message: RwSignal<Option<(&'static str, &'static str)>>,
    testid: &'static str,
) -> impl IntoView {
    let tr = use_tr();
    move || {
        message.get().map(|(zh, en)| {
            view! {
                <p class="error" role="alert" data-testid=testid>
                    {tr.s(zh, en)}
                </p>
            }
        })
    }
}

/// A query string from pairs, leaving out empty values.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", percent_encode(v)))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// Percent-encodes everything but the unreserved characters (RFC 3986).
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn china_time_round_trips_through_form_fields() {
        let ms = instant_of("2026-12-01", "09:30").expect("valid");
        assert_eq!(date_and_time(ms), ("2026-12-01".into(), "09:30".into()));
        // Midnight of 2026-12-01 in Beijing, plus nine and a half hours.
        assert_eq!(ms, 1_796_054_400_000 + 570 * 60_000);
        assert_eq!(instant_of("2026-12-01", ""), None);
        assert_eq!(instant_of("", "09:30"), None);
        assert_eq!(instant_of("2026-12-01", "25:00"), None);
        // Some browsers send seconds.
        assert_eq!(instant_of("2026-12-01", "09:30:00"), Some(ms));
    }

    #[test]
    fn deadlines_read_like_the_office_writes_them() {
        let d = Deadline {
            kind: DeadlineKind::Accept,
            due: CalendarDate::new(2026, 11, 7).expect("date"),
            state: DueState::Overdue { days: 2 },
        };
        assert_eq!(
            deadline_text(Lang::Zh, &d),
            "受理期限 11月7日 · 已超期 2 天"
        );
        let soon = Deadline {
            state: DueState::DueSoon { days_left: 1 },
            ..d
        };
        assert_eq!(
            deadline_text(Lang::Zh, &soon),
            "受理期限 11月7日 · 临期 · 剩 1 天"
        );
    }

    #[test]
    fn queries_are_encoded() {
        assert_eq!(
            query_string(&[("q", "电梯 补偿".into()), ("risk", String::new())]),
            "?q=%E7%94%B5%E6%A2%AF%20%E8%A1%A5%E5%81%BF"
        );
        assert_eq!(query_string(&[]), "");
    }
}
