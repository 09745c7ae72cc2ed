//! The hearing room (skeleton): the hearing, its live record, and the clerk's input.
//!
//! The record on screen is `fold(events)`: the snapshot loaded with the page, then
//! every committed event the live socket delivers.

use super::home::format_when;
use super::use_lang;
use crate::api::{RecordNote, load_room, observe_hearing};
use crate::domain::case::Coded;
use crate::domain::clock::{CHINA_OFFSET_SECONDS, format_time_of_day};
use crate::domain::room::PlanNotice;
use crate::domain::schedule::{HearingStatus, ScheduleChange};
use crate::domain::{RoomState, fold};
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::model::{HearingSummary, RoomSnapshot};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// Whether the live socket is delivering events.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiveStatus {
    Connecting,
    Connected,
    Reconnecting,
    /// The server withdrew this viewer's access (roles changed, link revoked).
    Withdrawn,
}

/// The hearing id in the page's path.
fn hearing_id_param() -> impl Fn() -> String + Clone + Send + Sync + 'static {
    let params = use_params_map();
    move || params.with(|p| p.get("id").unwrap_or_default())
}

/// A room once its snapshot has loaded, or why it cannot be shown.
#[component]
fn RoomLoader(snapshot: Resource<Result<RoomSnapshot, ApiError>>) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    view! {
        <Suspense fallback=move || view! { <p class="muted">{move || t().loading}</p> }>
            {move || {
                snapshot
                    .get()
                    .map(|result| match result {
                        Ok(snapshot) => view! { <Room snapshot /> }.into_any(),
                        Err(e) => view! { <super::home::Refusal error=e /> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

/// A participant's view of the hearing room.
#[component]
pub fn HearingRoom() -> impl IntoView {
    let snapshot = Resource::new(hearing_id_param(), load_room);
    view! { <RoomLoader snapshot /> }
}

#[component]
fn Room(snapshot: RoomSnapshot) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let RoomSnapshot {
        hearing,
        events,
        can_record,
        can_invite,
        can_download,
    } = snapshot;
    // A log the server sent is contiguous; if not, show what folds and let the
    // live socket resume from there.
    let initial = fold(&events).unwrap_or_default();
    let room = RwSignal::new(initial);
    let status = RwSignal::new(LiveStatus::Connecting);

    #[cfg(feature = "hydrate")]
    crate::live_client::follow_room(hearing.id.clone(), room, status);

    let minutes_href = format!("/hearings/{}/minutes.pdf", hearing.id);
    view! {
        <HearingHeader hearing=hearing.clone() />
        <PlanNoticeBanner room />
        <section class="card">
            <div class="card-head">
                <h2>{move || t().record_heading}</h2>
                <span
                    class="live"
                    class:live-on=move || status.get() == LiveStatus::Connected
                    data-testid="live-status"
                    data-status=move || format!("{:?}", status.get()).to_lowercase()
                >
                    {move || match status.get() {
                        LiveStatus::Connecting => t().live_connecting,
                        LiveStatus::Connected => t().live_connected,
                        LiveStatus::Reconnecting => t().live_reconnecting,
                        LiveStatus::Withdrawn => t().live_withdrawn,
                    }}
                </span>
            </div>
            <RecordList room />
            {can_record.then(|| view! { <RecordForm hearing_id=hearing.id.clone() /> })}
        </section>
        {can_invite.then(|| view! { <super::invite::InvitePanel hearing_id=hearing.id.clone() /> })}
        <p class="actions">
            {can_download
                .then(|| {
                    view! {
                        <a class="button secondary" href=minutes_href rel="external" data-testid="minutes-link">
                            {move || t().download_minutes}
                        </a>
                    }
                })}
            <a href="/">{move || t().back_to_list}</a>
        </p>
    }
}

#[component]
fn HearingHeader(hearing: HearingSummary) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let starts = hearing.starts_at_ms;
    view! {
        <h1 data-testid="hearing-title">{hearing.title}</h1>
        <dl class="facts">
            <dt>{move || t().case_number}</dt>
            <dd>{hearing.case_number}</dd>
            <dt>{move || t().case_title}</dt>
            <dd>{hearing.case_title}</dd>
            <dt>{move || t().scheduled}</dt>
            <dd>{move || format_when(lang.get(), starts)}</dd>
            <dt>{move || t().place}</dt>
            <dd>{hearing.place}</dd>
        </dl>
    }
}

/// The latest change of plan (改期、延期、取消), as everyone in the room is told it.
/// It arrives live: a host's change shows here without a reload.
#[component]
fn PlanNoticeBanner(room: RwSignal<RoomState>) -> impl IntoView {
    let lang = use_lang();
    move || {
        room.with(|r| r.plan_notice.clone()).and_then(|notice| {
            let cancelled = notice.status == HearingStatus::Cancelled;
            let change = notice.change.code();
            let text = move || plan_notice_text(lang.get(), &notice);
            text().map(|_| {
                view! {
                    <p
                        class="notice-bar plan-notice"
                        class:plan-cancelled=cancelled
                        role="status"
                        data-testid="plan-notice"
                        data-change=change
                    >
                        {text}
                    </p>
                }
            })
        })
    }
}

/// "本场听证已改期至 2026年12月8日 09:00，地点：第一听证室。理由：…"; None for
/// changes that need no announcement (the first scheduling).
pub fn plan_notice_text(lang: Lang, n: &PlanNotice) -> Option<String> {
    let zh = lang == Lang::Zh;
    let when = format_when(lang, n.starts_at_ms);
    let place = &n.place;
    let why = match (&n.reason, zh) {
        (Some(r), true) => format!("理由：{r}"),
        (Some(r), false) => format!(" Reason: {r}"),
        (None, _) => String::new(),
    };
    let text = match (n.status, n.change, zh) {
        (HearingStatus::Cancelled, _, true) => format!("本场听证已取消。{why}"),
        (HearingStatus::Cancelled, _, false) => format!("This hearing is cancelled.{why}"),
        (HearingStatus::Postponed, _, true) => format!("本场听证已延期，新的时间另行通知。{why}"),
        (HearingStatus::Postponed, _, false) => {
            format!("This hearing is postponed; the new date will follow.{why}")
        }
        (_, ScheduleChange::Rescheduled, true) => {
            format!("本场听证已改期至 {when}，地点：{place}。{why}")
        }
        (_, ScheduleChange::Rescheduled, false) => {
            format!("This hearing is moved to {when}, at {place}.{why}")
        }
        (_, ScheduleChange::Edited, true) => {
            format!("本场听证安排已更新：{when}，地点：{place}。{why}")
        }
        (_, ScheduleChange::Edited, false) => {
            format!("The hearing's plan was updated: {when}, at {place}.{why}")
        }
        _ => return None,
    };
    Some(text)
}

#[component]
fn RecordList(room: RwSignal<RoomState>) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    view! {
        <Show
            when=move || room.with(|r| !r.record.is_empty())
            fallback=move || view! { <p class="muted">{move || t().record_empty}</p> }
        >
            <ol class="record" data-testid="record">
                <For
                    each=move || room.with(|r| r.record.clone())
                    key=|line| line.seq
                    children=|line| {
                        view! {
                            <li data-seq=line.seq>
                                <span class="record-meta">
                                    {format_time_of_day(line.at_ms, CHINA_OFFSET_SECONDS)} " "
                                    {line.author} "："
                                </span>
                                <span class="record-text">{line.text}</span>
                            </li>
                        }
                    }
                />
            </ol>
        </Show>
    }
}

#[component]
fn RecordForm(hearing_id: String) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let record = ServerAction::<RecordNote>::new();
    let text = RwSignal::new(String::new());
    let pending = record.pending();
    let result = record.value();

    // A saved line clears the input; a refused one keeps it, so nothing typed is lost.
    Effect::new(move || {
        if let Some(Ok(_)) = result.get() {
            text.set(String::new());
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        record.dispatch(RecordNote {
            hearing_id: hearing_id.clone(),
            text: text.get_untracked(),
        });
    };

    view! {
        <form class="record-form" on:submit=submit>
            <label for="record-input">{move || t().record_input_label}</label>
            <textarea
                id="record-input"
                name="text"
                rows="3"
                data-testid="record-input"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
            ></textarea>
            <super::ActionError result=result testid="record-error" />
            <button type="submit" data-testid="record-submit" disabled=move || pending.get()>
                {move || if pending.get() { t().record_saving } else { t().record_submit }}
            </button>
        </form>
    }
}

/// 旁听: the public observer's read-only view of a public hearing.
#[component]
pub fn ObserverRoom() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let snapshot = Resource::new(hearing_id_param(), observe_hearing);
    view! {
        <p class="notice-bar" data-testid="observer-banner">{move || t().observer_banner}</p>
        <RoomLoader snapshot />
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_changes_are_announced_in_full_sentences() {
        let notice = PlanNotice {
            seq: 3,
            at_ms: 0,
            change: ScheduleChange::Rescheduled,
            status: HearingStatus::Scheduled,
            // 2026-12-08 09:00 in Beijing.
            starts_at_ms: 1_796_691_600_000,
            place: "第一听证室".into(),
            reason: Some("主持人公务冲突".into()),
        };
        assert_eq!(
            plan_notice_text(Lang::Zh, &notice).as_deref(),
            Some("本场听证已改期至 2026年12月8日 09:00，地点：第一听证室。理由：主持人公务冲突")
        );
        let cancelled = PlanNotice {
            change: ScheduleChange::Cancelled,
            status: HearingStatus::Cancelled,
            ..notice.clone()
        };
        assert_eq!(
            plan_notice_text(Lang::Zh, &cancelled).as_deref(),
            Some("本场听证已取消。理由：主持人公务冲突")
        );
        let first = PlanNotice {
            change: ScheduleChange::Scheduled,
            ..notice
        };
        assert_eq!(plan_notice_text(Lang::Zh, &first), None);
    }
}
