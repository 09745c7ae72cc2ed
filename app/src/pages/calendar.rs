//! 日历 (week and month, for the office) and 我的听证 (for everyone who takes part),
//! with the personal calendar feed.

use super::cases::may;
use super::home::Refusal;
use super::schedule::time_range;
use super::ui::{StatusChip, Tr, label, now_ms, query_string, today, use_tr};
use super::{ActionError, Session};
use crate::api::{AnswerSeat, RenewCalendarFeed, calendar, my_hearings, my_seats};
use crate::domain::access::Action;
use crate::domain::case::CalendarDate;
use crate::domain::clock::{CHINA_OFFSET_SECONDS, format_time_of_day};
use crate::domain::pool::SeatStatus;
use crate::domain::schedule::{HearingKind, HearingStatus, Sitting};
use crate::model::HearingRecord;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Span {
    Week,
    Month,
}

impl Span {
    fn code(self) -> &'static str {
        match self {
            Span::Week => "week",
            Span::Month => "month",
        }
    }
}

/// The first day of the grid and how many days it shows (whole weeks, Monday first).
fn grid(span: Span, date: CalendarDate) -> (CalendarDate, i64) {
    let monday = |d: CalendarDate| d.plus_days(-i64::from(d.weekday_from_monday()));
    match span {
        Span::Week => (monday(date), 7),
        Span::Month => {
            let first = month_start(date);
            let start = monday(first);
            let end = next_month(first);
            let days = start.days_until(end);
            (start, (days + 6) / 7 * 7)
        }
    }
}

fn month_start(d: CalendarDate) -> CalendarDate {
    d.plus_days(1 - i64::from(d.day()))
}

fn next_month(d: CalendarDate) -> CalendarDate {
    // The 28th plus 4 days is always in the next month.
    month_start(month_start(d).plus_days(27).plus_days(4))
}

fn prev_month(d: CalendarDate) -> CalendarDate {
    month_start(month_start(d).plus_days(-1))
}

fn calendar_href(span: Span, date: CalendarDate) -> String {
    format!(
        "/calendar{}",
        query_string(&[("view", span.code().into()), ("date", date.to_string())])
    )
}

/// "2026年12月" or "2026年11月30日 – 12月6日".
fn heading(tr: Tr, span: Span, start: CalendarDate, days: i64, date: CalendarDate) -> String {
    let last = start.plus_days(days - 1);
    match (span, tr.is_zh()) {
        (Span::Month, true) => format!("{}年{}月", date.year(), date.month()),
        (Span::Month, false) => format!("{}-{:02}", date.year(), date.month()),
        (Span::Week, true) => format!("{} – {}月{}日", start.format_zh(), last.month(), last.day()),
        (Span::Week, false) => format!("{start} – {last}"),
    }
}

const WEEKDAYS_ZH: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
const WEEKDAYS_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

#[component]
pub fn CalendarPage() -> impl IntoView {
    let tr = use_tr();
    let session = expect_context::<Session>();
    let query = use_query_map();
    let wanted = Memo::new(move |_| {
        query.with(|q| {
            let span = match q.get("view").as_deref() {
                Some("month") => Span::Month,
                _ => Span::Week,
            };
            let date = q
                .get("date")
                .and_then(|d| d.parse().ok())
                .unwrap_or_else(today);
            (span, date)
        })
    });
    let hearings = Resource::new(
        move || (session.version(), wanted.get()),
        |(_, (span, date))| {
            let (start, days) = grid(span, date);
            let from = start.start_ms(CHINA_OFFSET_SECONDS);
            calendar(from, start.plus_days(days).start_ms(CHINA_OFFSET_SECONDS))
        },
    );
    let nav = move || {
        let (span, date) = wanted.get();
        let (prev, next) = match span {
            Span::Week => (date.plus_days(-7), date.plus_days(7)),
            Span::Month => (prev_month(date), next_month(date)),
        };
        let (start, days) = grid(span, date);
        view! {
            <div class="cal-nav" data-testid="calendar-nav">
                <a class="button secondary" href=calendar_href(span, prev) data-testid="cal-prev">
                    {tr.s("‹ 上一", "‹ Previous")}{move || match (span, tr.is_zh()) {
                        (Span::Week, true) => "周",
                        (Span::Month, true) => "月",
                        _ => "",
                    }}
                </a>
                <a class="button secondary" href=calendar_href(span, today()) data-testid="cal-today">
                    {tr.s("今天", "Today")}
                </a>
                <a class="button secondary" href=calendar_href(span, next) data-testid="cal-next">
                    {tr.s("下一", "Next")}{move || match (span, tr.is_zh()) {
                        (Span::Week, true) => "周 ›",
                        (Span::Month, true) => "月 ›",
                        _ => " ›",
                    }}
                </a>
                <h2 class="cal-title" data-testid="cal-title">{move || heading(tr, span, start, days, date)}</h2>
                <span class="segmented">
                    <a href=calendar_href(Span::Week, date) class:on=span == Span::Week data-testid="cal-week">
                        {tr.s("周", "Week")}
                    </a>
                    <a href=calendar_href(Span::Month, date) class:on=span == Span::Month data-testid="cal-month">
                        {tr.s("月", "Month")}
                    </a>
                </span>
            </div>
        }
    };
    view! {
        <div class="page-head">
            <h1>{tr.s("听证日历", "Hearing calendar")}</h1>
            <Transition>{move || may(session, Action::SubscribeCalendar).then(|| view! { <FeedButton /> })}</Transition>
        </div>
        {nav}
        <Transition fallback=move || view! { <p class="muted">{tr.s("加载中…", "Loading…")}</p> }>
            {move || {
                hearings
                    .get()
                    .map(|r| match r {
                        Ok(list) => {
                            let (span, date) = wanted.get_untracked();
                            view! { <CalendarGrid list span date /> }.into_any()
                        }
                        Err(e) => view! { <Refusal error=e /> }.into_any(),
                    })
            }}
        </Transition>
    }
}

#[component]
fn CalendarGrid(list: Vec<HearingRecord>, span: Span, date: CalendarDate) -> impl IntoView {
    let tr = use_tr();
    let (start, days) = grid(span, date);
    let this_day = today();
    let month = date.month();
    let mut list = list;
    list.sort_by_key(|h| h.plan.starts_at_ms);
    let cells = (0..days)
        .map(|i| {
            let day = start.plus_days(i);
            let mine: Vec<HearingRecord> = list
                .iter()
                .filter(|h| CalendarDate::of_instant(h.plan.starts_at_ms, CHINA_OFFSET_SECONDS) == day)
                .cloned()
                .collect();
            let outside = span == Span::Month && day.month() != month;
            let weekday = usize::from(day.weekday_from_monday());
            let empty = mine.is_empty();
            view! {
                <div
                    class="cal-cell"
                    class:today=day == this_day
                    class:outside=outside
                    class:empty=empty
                    data-date=day.to_string()
                >
                    <div class="cal-day">
                        <span class="cal-weekday">
                            {move || if tr.is_zh() { format!("周{}", WEEKDAYS_ZH[weekday % 7]) } else { WEEKDAYS_EN[weekday % 7].to_owned() }}
                        </span>
                        " "
                        {if day.day() == 1 || i == 0 { format!("{}/{}", day.month(), day.day()) } else { day.day().to_string() }}
                    </div>
                    {mine.into_iter().map(|h| view! { <CalendarItem hearing=h /> }).collect_view()}
                </div>
            }
        })
        .collect_view();
    view! {
        <div class="cal-grid" class:cal-month=span == Span::Month data-testid="calendar-grid" data-view=span.code()>
            {(0..7)
                .map(|i| {
                    view! {
                        <div class="cal-head">{move || if tr.is_zh() { WEEKDAYS_ZH[i] } else { WEEKDAYS_EN[i] }}</div>
                    }
                })
                .collect_view()}
            {cells}
        </div>
    }
}

#[component]
fn CalendarItem(hearing: HearingRecord) -> impl IntoView {
    let tr = use_tr();
    let h = hearing;
    let time = format_time_of_day(h.plan.starts_at_ms, CHINA_OFFSET_SECONDS);
    let time = time.get(..5).unwrap_or(&time).to_owned();
    let status = h.status;
    view! {
        <a
            class=format!("cal-item status-{}", status_code(status))
            href=format!("/hearings/{}/plan", h.id)
            data-testid="calendar-item"
            data-status=status_code(status)
            title=h.plan.title.clone()
        >
            <span class="cal-time">{time}</span>
            " "
            <span class="cal-item-title">{h.plan.title.clone()}</span>
            <span class="cal-room">{h.plan.place_label_zh()}</span>
            {(status != HearingStatus::Scheduled || h.sitting != Sitting::NotOpened)
                .then(|| view! { <StatusChip status sitting=h.sitting /> })}
            {(h.plan.kind == HearingKind::Public)
                .then(|| view! { <span class="cal-public">{tr.s("公开", "Public")}</span> })}
        </a>
    }
}

fn status_code(status: HearingStatus) -> &'static str {
    use crate::domain::case::Coded;
    status.code()
}

/// 订阅我的日历: makes (or replaces) the personal feed and shows its address once.
#[component]
pub fn FeedButton() -> impl IntoView {
    let tr = use_tr();
    let renew = ServerAction::<RenewCalendarFeed>::new();
    let pending = renew.pending();
    view! {
        <div class="feed" data-testid="calendar-feed">
            <button
                type="button"
                class="button secondary"
                data-testid="subscribe-calendar"
                disabled=move || pending.get()
                on:click=move |_| {
                    renew.dispatch(RenewCalendarFeed {});
                }
            >
                {tr.s("订阅我的日历", "Subscribe to my calendar")}
            </button>
            <ActionError result=renew.value() testid="feed-error" />
            {move || {
                renew
                    .value()
                    .get()
                    .and_then(Result::ok)
                    .map(|url| {
                        view! {
                            <div class="secret-box" data-testid="feed-box">
                                <p>
                                    {tr.s(
                                        "在手机或电脑日历中“订阅日历”并粘贴此地址：",
                                        "In your phone or computer calendar choose “subscribe to calendar” and paste this address:",
                                    )}
                                </p>
                                <input
                                    readonly
                                    data-testid="feed-url"
                                    prop:value=url
                                    on:focus=move |ev| select_all(&ev)
                                />
                                <p class="muted">
                                    {tr.s(
                                        "此地址只显示这一次，请勿转发他人；再次生成后，旧地址即失效。",
                                        "The address is shown only now; keep it private. Making a new one disables the old one.",
                                    )}
                                </p>
                            </div>
                        }
                    })
            }}
        </div>
    }
}

/// Selects a read-only input's text so that it can be copied at once.
pub fn select_all(ev: &leptos::ev::FocusEvent) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            input.select();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}

// ---- 我的听证 --------------------------------------------------------------------

#[component]
pub fn MyHearingsPage() -> impl IntoView {
    let tr = use_tr();
    let session = expect_context::<Session>();
    let hearings = Resource::new(move || session.version(), |_| my_hearings());
    let seats = Resource::new(move || session.version(), |_| my_seats());
    let declined = DeclinedSeat(RwSignal::new(None));
    provide_context(declined);
    view! {
        <div class="page-head">
            <h1>{tr.s("我的听证", "My hearings")}</h1>
            <Transition>{move || may(session, Action::SubscribeCalendar).then(|| view! { <FeedButton /> })}</Transition>
        </div>
        {move || declined.0.get().map(|title| view! {
            <p class="notice-bar" role="status" data-testid="seat-declined">
                {tr.s("您已谢绝参加", "You declined the seat at ")}"「"{title}"」"
                {tr.s(
                    "的评议。候补评议员将依次递补，感谢您及时告知。",
                    ". An alternate will take it; thank you for telling us in time.",
                )}
            </p>
        })}
        <Transition fallback=move || view! { <p class="muted">{tr.s("加载中…", "Loading…")}</p> }>
            {move || {
                hearings
                    .get()
                    .map(|r| match r {
                        Ok(list) => {
                            let seats = seats.get().and_then(Result::ok).unwrap_or_default();
                            view! { <MyHearingList list seats /> }.into_any()
                        }
                        Err(e) => view! { <Refusal error=e /> }.into_any(),
                    })
            }}
        </Transition>
    }
}

#[component]
fn MyHearingList(list: Vec<HearingRecord>, seats: Vec<(String, SeatStatus)>) -> impl IntoView {
    let seat_of = move |id: &str| seats.iter().find(|(h, _)| h == id).map(|(_, s)| *s);
    let tr = use_tr();
    let now = now_ms();
    let mut list = list;
    list.sort_by_key(|h| h.plan.starts_at_ms);
    // The log says what has been held: a closed hearing is past whatever its
    // plan said, an open one is under way (listed first, as 进行中).
    let (upcoming, past): (Vec<_>, Vec<_>) = list.into_iter().partition(|h| match h.sitting {
        Sitting::Closed => false,
        Sitting::InSession => true,
        Sitting::NotOpened => h.plan.ends_at_ms() >= now || h.status == HearingStatus::Postponed,
    });
    let past: Vec<_> = past.into_iter().rev().collect();
    if upcoming.is_empty() && past.is_empty() {
        return view! { <p class="muted" data-testid="no-my-hearings">{tr.s("暂无您参加的听证评议会。", "You take part in no hearings yet.")}</p> }
            .into_any();
    }
    view! {
        <section data-testid="my-upcoming">
            <h2 class="section-title">{tr.s("即将举行", "Upcoming")}</h2>
            {if upcoming.is_empty() {
                view! { <p class="muted">{tr.s("暂无。", "None.")}</p> }.into_any()
            } else {
                upcoming.into_iter().map(|h| { let seat = seat_of(&h.id); view! { <MyHearingCard hearing=h seat /> } }).collect_view().into_any()
            }}
        </section>
        {(!past.is_empty())
            .then(|| {
                view! {
                    <section data-testid="my-past">
                        <h2 class="section-title">{tr.s("近期已举行", "Recent")}</h2>
                        {past.into_iter().map(|h| { let seat = seat_of(&h.id); view! { <MyHearingCard hearing=h seat /> } }).collect_view()}
                    </section>
                }
            })}
    }
    .into_any()
}

#[component]
fn MyHearingCard(hearing: HearingRecord, seat: Option<SeatStatus>) -> impl IntoView {
    let tr = use_tr();
    let h = hearing;
    let status = h.status;
    let plan = h.plan.clone();
    let changed = h.version > 1 && status == HearingStatus::Scheduled;
    let updated = h.updated_at_ms;
    let notice = move || match (status, tr.is_zh()) {
        (HearingStatus::Postponed, true) => Some("本场听证已延期，新的时间另行通知。".to_owned()),
        (HearingStatus::Postponed, false) => {
            Some("Postponed; the new date will follow.".to_owned())
        }
        (HearingStatus::Cancelled, true) => Some("本场听证已取消。".to_owned()),
        (HearingStatus::Cancelled, false) => Some("Cancelled.".to_owned()),
        (HearingStatus::Scheduled, true) if changed => Some(format!(
            "安排已于 {} 变更，请以本页时间地点为准。",
            super::home::format_when(tr.lang(), updated)
        )),
        (HearingStatus::Scheduled, false) if changed => Some(format!(
            "The plan changed on {}; the time and place here are current.",
            super::home::format_when(tr.lang(), updated)
        )),
        _ => None,
    };
    let id = h.id.clone();
    // A party (by invitation) confirms the commitment and rates the handling there.
    let is_party = expect_context::<super::Session>()
        .current()
        .and_then(|me| me.party)
        .and_then(|(kind, _)| crate::domain::aftercare::CommitmentSide::of_party(kind))
        .is_some()
        && status != HearingStatus::Cancelled;
    view! {
        <article
            class="card my-card"
            class:my-off=status != HearingStatus::Scheduled
            data-testid="my-hearing"
            data-status=status_code(status)
            data-sitting=h.sitting.code()
        >
            <div class="card-head">
                <h3>{plan.title.clone()}</h3>
                <StatusChip status sitting=h.sitting />
            </div>
            {move || notice().map(|n| view! { <p class="notice-bar" data-testid="my-hearing-notice">{n}</p> })}
            <dl class="facts compact">
                <dt>{tr.s("信访事项", "Case")}</dt>
                <dd>{h.case_number.clone()} " " {h.case_title.clone()}</dd>
                <dt>{tr.s("时间", "When")}</dt>
                <dd class:struck=status == HearingStatus::Cancelled>{move || time_range(tr, &plan)}</dd>
                <dt>{tr.s("地点", "Place")}</dt>
                <dd>{h.plan.place_label_zh()}</dd>
            </dl>
            {(seat == Some(SeatStatus::Invited) && status != HearingStatus::Cancelled)
                .then(|| view! { <SeatAnswer hearing_id=id.clone() title=h.plan.title.clone() /> })}
            {seat.filter(|s| *s != SeatStatus::Invited).map(|s| view! {
                <p class="muted" data-testid="my-seat-status">{tr.s("评议团席位：", "Panel seat: ")}{move || label(tr.lang(), s)}</p>
            })}
            <p class="actions wrap">
                {(status != HearingStatus::Cancelled)
                    .then(|| {
                        view! {
                            <a class="button" href=format!("/hearings/{id}") data-testid="my-enter-room">
                                {tr.s("进入听证室", "Enter the room")}
                            </a>
                        }
                    })}
                <a class="button secondary" href=format!("/hearings/{id}/calendar.ics") rel="external" data-testid="my-ics">
                    {tr.s("加入日历（.ics）", "Add to calendar (.ics)")}
                </a>
                <a href=format!("/hearings/{id}/plan") data-testid="my-plan">{tr.s("安排详情", "Plan details")}</a>
                {is_party.then(|| view! {
                    <a href=format!("/hearings/{id}/aftercare") data-testid="my-aftercare">{tr.s("承诺书与满意度评价", "Commitment and your rating")}</a>
                })}
            </p>
        </article>
    }
}

/// The seat a member has just declined (its hearing's title): the card leaves
/// the list with the seat, so the page itself says it was done.
#[derive(Clone, Copy)]
struct DeclinedSeat(RwSignal<Option<String>>);

/// 评议团席位: a drawn member accepts or declines (with an optional reason).
#[component]
fn SeatAnswer(hearing_id: String, title: String) -> impl IntoView {
    let tr = use_tr();
    let session = expect_context::<Session>();
    let declined = use_context::<DeclinedSeat>();
    let answer = ServerAction::<AnswerSeat>::new();
    let declining = RwSignal::new(false);
    // Which answer was sent last (the decline form may be open when 接受 is tapped).
    let declined_last = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    Effect::new(move || {
        if let Some(Ok(_)) = answer.value().get() {
            if declined_last.get_untracked()
                && let Some(declined) = declined
            {
                declined.0.set(Some(title.clone()));
            }
            session.changed();
        }
    });
    let id = hearing_id.clone();
    let accept = move |_| {
        declined_last.set(false);
        answer.dispatch(AnswerSeat {
            hearing_id: id.clone(),
            accept: true,
            reason: None,
        });
    };
    let decline = move |_| {
        declined_last.set(true);
        let reason = reason.get_untracked();
        answer.dispatch(AnswerSeat {
            hearing_id: hearing_id.clone(),
            accept: false,
            reason: (!reason.trim().is_empty()).then_some(reason),
        });
    };
    view! {
        <div class="notice-bar stack" data-testid="seat-invitation">
            <p>{tr.s(
                "您已被抽选为本场听证的评议员，请确认是否参加。",
                "You were drawn for this hearing's panel. Please confirm whether you will sit.",
            )}</p>
            <p class="actions wrap">
                <button type="button" class="button" data-testid="seat-accept" on:click=accept disabled=move || answer.pending().get()>
                    {tr.s("接受，按时参加", "Accept")}
                </button>
                <button type="button" class="button secondary" data-testid="seat-decline-open" on:click=move |_| declining.set(true)>
                    {tr.s("不能参加", "I cannot sit")}
                </button>
            </p>
            {move || declining.get().then(|| view! {
                <label>
                    <span>{tr.s("理由（选填）", "Reason (optional)")}</span>
                    <input data-testid="seat-decline-reason" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
                </label>
                <p class="muted">{tr.s("谢绝后由候补人员依次递补，且不能撤回。", "A decline cannot be undone; an alternate takes the seat.")}</p>
                <button type="button" class="button danger" data-testid="seat-decline" on:click=decline.clone()>
                    {tr.s("确认谢绝", "Confirm decline")}
                </button>
            })}
            <ActionError result=answer.value() testid="seat-answer-error" />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> CalendarDate {
        s.parse().expect("date")
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2026-12-03 is a Thursday.
        assert_eq!(grid(Span::Week, d("2026-12-03")), (d("2026-11-30"), 7));
        assert_eq!(grid(Span::Week, d("2026-12-06")), (d("2026-11-30"), 7));
    }

    #[test]
    fn months_are_whole_weeks_within_the_calendar_limit() {
        // December 2026 starts on a Tuesday and ends on a Thursday.
        let (start, days) = grid(Span::Month, d("2026-12-15"));
        assert_eq!(start, d("2026-11-30"));
        assert_eq!(days, 35);
        assert_eq!(next_month(d("2026-12-15")), d("2027-01-01"));
        assert_eq!(prev_month(d("2026-03-31")), d("2026-02-01"));
        // No month needs more than six weeks (the server allows 45 days).
        let mut day = d("2026-01-01");
        for _ in 0..24 {
            let (_, days) = grid(Span::Month, day);
            assert!(days <= 42 && days % 7 == 0);
            day = next_month(day);
        }
    }
}
