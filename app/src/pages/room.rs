//! The hearing room (skeleton): the hearing, its live record, and the clerk's input.
//!
//! The record on screen is `fold(events)`: the snapshot loaded with the page, then
//! every committed event the live socket delivers.

use super::home::format_when;
use super::use_lang;
use crate::api::{
    ClearShownExhibit, CorrectRecord, RecordNote, RecordNotes, TurnExhibitPage, load_room,
    observe_hearing,
};
use crate::domain::case::Coded;
use crate::domain::clock::{CHINA_OFFSET_SECONDS, format_time_of_day};
use crate::domain::room::PlanNotice;
use crate::domain::schedule::{HearingStatus, ScheduleChange};
use crate::domain::{RoomState, fold};
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::model::{HearingSummary, RoomSnapshot};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
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
    /// The viewer's session ended (logout, idle timeout, lifetime): close 4401.
    SessionEnded,
}

/// How far the server's clock is ahead of this browser's (ms), learnt from the
/// live socket's hello: countdowns run on the server's time.
#[derive(Clone, Copy)]
pub struct ServerClock(pub RwSignal<i64>);

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
        can_show,
        can_run,
        can_mark,
        can_check_in,
        can_deliberate,
        can_see_deliberation,
        can_keep_notes,
        can_vote,
        can_run_ballot,
        can_confirm_proxy_votes,
        can_confirm_minutes,
        can_finalise_minutes,
        can_export_evidence,
        my_account_id,
        my_side,
        planned_questions,
        seated,
        base,
    } = snapshot;
    // A log the server sent is contiguous; if not, show what folds and let the
    // live socket resume from there. A bounded snapshot (the observer page)
    // comes folded already, its last record lines only.
    let initial = match base {
        Some(mut room) => {
            for event in &events {
                if room.apply(event).is_err() {
                    break;
                }
            }
            room
        }
        None => fold(&events).unwrap_or_default(),
    };
    // Once the minutes are final the log is sealed: no control that would write
    // to it is offered (the server refuses them anyway). Read at load; the
    // record form and the invitations also hide live when the seal comes.
    let sealed_at_load = initial.minutes.finalised.is_some();
    let (can_record, can_invite, can_show, can_run, can_mark, can_check_in) = (
        can_record && !sealed_at_load,
        can_invite && !sealed_at_load,
        can_show && !sealed_at_load,
        can_run && !sealed_at_load,
        can_mark && !sealed_at_load,
        can_check_in && !sealed_at_load,
    );
    let (can_deliberate, can_vote, can_run_ballot, can_confirm_proxy) = (
        can_deliberate && !sealed_at_load,
        can_vote && !sealed_at_load,
        can_run_ballot && !sealed_at_load,
        can_confirm_proxy_votes && !sealed_at_load,
    );
    let room = RwSignal::new(initial);
    let status = RwSignal::new(LiveStatus::Connecting);
    let clock = ServerClock(RwSignal::new(0));
    provide_context(clock);

    #[cfg(feature = "hydrate")]
    crate::live_client::follow_room(
        hearing.id.clone(),
        room,
        status,
        clock.0,
        use_context::<ObserverView>().is_some(),
    );

    let evidence_href = format!("/hearings/{}/evidence", hearing.id);
    // Observers have no evidence page: what is shown live is all they see.
    let observer = use_context::<ObserverView>().is_some();
    let tr = super::ui::use_tr();
    // Type-erased parts: one view this deep overflows the compiler.
    let sitting = view! {
        <super::sitting::ProcedureBar room hearing_id=hearing.id.clone() can_run />
        <super::sitting::DeliberationPanel room hearing_id=hearing.id.clone() can_deliberate sees_panel=can_see_deliberation />
        {view! { <super::ballots::BallotPanel room hearing_id=hearing.id.clone()
            rights=super::ballots::BallotRights { can_vote, can_run: can_run_ballot, can_confirm_proxy, sees_panel: can_see_deliberation }
            planned=planned_questions.clone() /> }.into_any()}
        {view! { <AnnouncedConclusion room /> }.into_any()}
        <OnScreen room hearing_id=hearing.id.clone() can_clear=can_show my_side=my_side.filter(|_| !sealed_at_load) />
        <super::sitting::FloorPanel room hearing_id=hearing.id.clone() can_run />
    }
    .into_any();
    let attendance = (!observer).then(|| {
        view! {
            <super::sitting::AttendancePanel room hearing_id=hearing.id.clone() can_mark can_check_in seated />
            {can_keep_notes.then(|| view! { <super::sitting::PrivateNotes hearing_id=hearing.id.clone() /> })}
        }
        .into_any()
    });
    view! {
        <HearingHeader hearing=hearing.clone() />
        <PlanNoticeBanner room />
        {sitting}
        {(!observer).then(|| view! {
            <p><a class="button secondary" href=evidence_href data-testid="evidence-link">{move || if lang.get() == Lang::Zh { "证据材料" } else { "Evidence" }}</a></p>
        })}
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
                        LiveStatus::SessionEnded => t().live_session_ended,
                    }}
                </span>
            </div>
            <Show when=move || status.get() == LiveStatus::SessionEnded>
                <p class="error" role="alert" data-testid="session-ended">
                    {move || t().live_session_ended} " "
                    <a href="/login" rel="external" data-testid="session-ended-login">{move || t().live_log_in_again}</a>
                </p>
            </Show>
            <RecordList room hearing_id=hearing.id.clone() can_correct=can_record />
            {can_record.then(|| {
                let id = hearing.id.clone();
                view! {
                    <Show when=move || room.with(|r| r.minutes.finalised.is_none())>
                        <RecordForm room hearing_id=id.clone() />
                    </Show>
                }
                .into_any()
            })}
        </section>
        {attendance}
        {can_invite.then(|| {
            let id = hearing.id.clone();
            view! {
                <Show when=move || room.with(|r| r.minutes.finalised.is_none())>
                    <super::invite::InvitePanel hearing_id=id.clone() />
                </Show>
            }
            .into_any()
        })}
        {(can_download || can_confirm_minutes || can_finalise_minutes || can_export_evidence).then(|| {
            let rights = super::minutes::MinutesRights {
                can_confirm: can_confirm_minutes,
                can_finalise: can_finalise_minutes,
                can_download,
                can_export: can_export_evidence,
                my_account_id: my_account_id.clone(),
            };
            view! { <super::minutes::MinutesPanel room hearing_id=hearing.id.clone() rights /> }.into_any()
        })}
        <p class="actions">
            // The public has no list behind a login: its way back is 听证公告.
            {if observer {
                view! { <a href="/public/hearings" rel="external" data-testid="back-to-public-list">{tr.s("返回听证公告", "Back to public hearings")}</a> }.into_any()
            } else {
                view! { <a href="/">{move || t().back_to_list}</a> }.into_any()
            }}
        </p>
    }
}

/// Marks the observer's page, which has no evidence list to link to.
#[derive(Clone, Copy)]
struct ObserverView;

/// 当庭展示: the exhibit on every screen now, with its number and hash; it
/// follows the room's log, so a host's "show" reaches everyone at once.
#[component]
fn OnScreen(
    room: RwSignal<RoomState>,
    hearing_id: String,
    can_clear: bool,
    my_side: Option<crate::domain::access::PartyKind>,
) -> impl IntoView {
    let lang = use_lang();
    let zh = move || lang.get() == Lang::Zh;
    let clear = ServerAction::<ClearShownExhibit>::new();
    let hearing_id = StoredValue::new(hearing_id);
    move || {
        room.with(|r| r.on_screen.clone()).map(|shown| {
            let kind_label = move || crate::pages::ui::label(lang.get(), shown.kind);
            view! {
                <section class="card on-screen" data-testid="on-screen" data-label=shown.label.clone()>
                    <div class="card-head">
                        <h2>{move || if zh() { "当庭展示" } else { "Shown in the room" }}</h2>
                        {can_clear.then(|| view! {
                            <button type="button" class="button secondary" data-testid="clear-shown"
                                on:click=move |_| { clear.dispatch(ClearShownExhibit { hearing_id: hearing_id.get_value() }); }>
                                {move || if zh() { "结束展示" } else { "Stop showing" }}
                            </button>
                        })}
                    </div>
                    <p><strong data-testid="on-screen-label">{shown.label.clone()}</strong>" "{shown.title.clone()}" · "{kind_label}</p>
                    <details class="tech-info">
                        <summary>{move || if zh() { "技术信息" } else { "Technical details" }}</summary>
                        <p class="hint">{move || if zh() { "文件摘要（SHA-256）：" } else { "File digest (SHA-256): " }}<code class="sha" data-testid="on-screen-sha">{shown.sha256.clone()}</code></p>
                    </details>
                    {if shown.kind == crate::domain::evidence::FileKind::Pdf {
                        // A party turns the pages of its own exhibit while its side has the floor.
                        let submitter = shown.submitter;
                        let can_turn = Signal::derive(move || {
                            can_clear
                                || my_side.is_some_and(|side| {
                                    submitter == Some(side.into())
                                        && room.with(|r| r.floor.as_ref().map(|f| f.part))
                                            == Some(crate::domain::sitting::Part::of_party(side))
                                })
                        });
                        view! { <ShownPdf room exhibit_id=shown.exhibit_id.clone() title=shown.title.clone() hearing_id=hearing_id.get_value() can_turn /> }.into_any()
                    } else {
                        view! { <super::evidence::ExhibitPreview id=shown.exhibit_id.clone() kind=shown.kind title=shown.title.clone() /> }.into_any()
                    }}
                </section>
            }
        })
    }
}

/// A PDF on every screen at the page the host (or the party showing it) turned to.
#[component]
fn ShownPdf(
    room: RwSignal<RoomState>,
    exhibit_id: String,
    title: String,
    hearing_id: String,
    can_turn: Signal<bool>,
) -> impl IntoView {
    let lang = use_lang();
    let zh = move || lang.get() == Lang::Zh;
    let page = Signal::derive(move || room.with(|r| r.on_screen_page.max(1)));
    let pages = RwSignal::new(0u32);
    let turn = ServerAction::<TurnExhibitPage>::new();
    let hearing_id = StoredValue::new(hearing_id);
    let go = move |delta: i64| {
        let to = (i64::from(page.get_untracked()) + delta).max(1);
        turn.dispatch(TurnExhibitPage {
            hearing_id: hearing_id.get_value(),
            page: u32::try_from(to).unwrap_or(1),
        });
    };
    // The last page is known once pdf.js has read the document.
    let at_last = move || pages.get() > 0 && page.get() >= pages.get();
    let of_pages = move || match pages.get() {
        0 => String::new(),
        n if zh() => format!(" / 共 {n} 页"),
        n => format!(" of {n}"),
    };
    view! {
        <p class="row">
            <span data-testid="on-screen-page">{move || if zh() { format!("第 {} 页", page.get()) } else { format!("Page {}", page.get()) }}</span>
            <span class="muted">{of_pages}</span>
            <Show when=move || can_turn.get()>
                <button type="button" class="button secondary" data-testid="page-prev" on:click=move |_| go(-1)>{move || if zh() { "上一页" } else { "Previous" }}</button>
                <button type="button" class="button secondary" data-testid="page-next" disabled=at_last on:click=move |_| go(1)>{move || if zh() { "下一页" } else { "Next" }}</button>
            </Show>
        </p>
        <super::ActionError result=turn.value() testid="page-turn-error" />
        <super::pdf_view::PdfPages src=super::evidence::file_href(&exhibit_id, false) title page pages />
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
fn RecordList(room: RwSignal<RoomState>, hearing_id: String, can_correct: bool) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let hearing_id = StoredValue::new(hearing_id);
    view! {
        <Show
            when=move || room.with(|r| !r.record.is_empty())
            fallback=move || view! { <p class="muted">{move || t().record_empty}</p> }
        >
            // A bounded snapshot (the public page) starts at a later line.
            {move || {
                let omitted = room.with(|r| r.record_omitted);
                (omitted > 0).then(|| view! {
                    <p class="muted" data-testid="record-omitted">{move || if lang.get() == Lang::Zh {
                        format!("此前的 {omitted} 行笔录未在此显示，完整笔录以会议纪要为准。")
                    } else {
                        format!("{omitted} earlier lines are not shown here; the minutes hold the whole record.")
                    }}</p>
                })
            }}
            <ol class="record" data-testid="record">
                <For
                    each=move || room.with(|r| r.record.clone())
                    // A corrected line is drawn again.
                    key=|line| (line.seq, line.corrections.len())
                    children=move |line| view! { <RecordItem line hearing_id=hearing_id.get_value() can_correct /> }
                />
            </ol>
        </Show>
    }
}

/// One line of the record; corrected lines show their earlier wordings, and the
/// clerk may correct a line in place.
#[component]
fn RecordItem(
    line: crate::domain::RecordLine,
    hearing_id: String,
    can_correct: bool,
) -> impl IntoView {
    let lang = use_lang();
    let zh = move || lang.get() == Lang::Zh;
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(line.text.clone());
    let correct = ServerAction::<CorrectRecord>::new();
    Effect::new(move || {
        if let Some(Ok(_)) = correct.value().get() {
            editing.set(false);
        }
    });
    let seq = line.seq;
    let corrected = !line.corrections.is_empty();
    let history = line.corrections.clone();
    view! {
        <li data-seq=seq data-corrected=corrected.to_string()>
            // 笔录 names who spoke (信访人张某：…); a line said by nobody is the
            // clerk's note, under the clerk's name.
            <span class="record-meta" title=line.author.clone()>
                {format_time_of_day(line.at_ms, CHINA_OFFSET_SECONDS)} " "
                {match &line.speaker {
                    Some(s) => {
                        let (part, name) = (s.part, s.name.clone());
                        view! { <span data-testid="record-speaker-name">{move || if zh() { format!("{}{name}", part.label_zh()) } else { format!("{} {name}", part.label_en()) }}</span> }.into_any()
                    }
                    None => line.author.clone().into_any(),
                }}
                "："
            </span>
            <span class="record-text" data-testid="record-text">{line.text.clone()}</span>
            {corrected.then(|| view! {
                <details class="corrections">
                    <summary>{move || if zh() { "（已更正）" } else { "(corrected)" }}</summary>
                    <ul>
                        {history.iter().map(|c| view! {
                            <li class="struck">{c.previous.clone()}</li>
                            <li class="hint">{format!("{} {}", format_time_of_day(c.at_ms, CHINA_OFFSET_SECONDS), c.by)}</li>
                        }).collect_view()}
                    </ul>
                </details>
            })}
            {can_correct.then(|| view! {
                <Show when=move || editing.get() fallback=move || view! {
                    <button type="button" class="link-button record-fix" data-testid="record-correct" on:click=move |_| editing.set(true)>
                        {move || if zh() { "更正" } else { "Correct" }}
                    </button>
                }>
                    <form method="post" class="record-form" on:submit={
                        let hearing_id = hearing_id.clone();
                        move |ev: leptos::ev::SubmitEvent| {
                            ev.prevent_default();
                            correct.dispatch(CorrectRecord { hearing_id: hearing_id.clone(), line_seq: seq, text: draft.get_untracked() });
                        }
                    }>
                        <textarea rows="2" data-testid="record-correct-input" prop:value=move || draft.get() on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
                        <super::ActionError result=correct.value() testid="record-correct-error" />
                        <button type="submit" data-testid="record-correct-save">{move || if zh() { "保存更正" } else { "Save correction" }}</button>
                    </form>
                </Show>
            })}
        </li>
    }
}

#[component]
fn RecordForm(room: RwSignal<RoomState>, hearing_id: String) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    // The same rule as the server's (RoomState::may_record): before the opening
    // the clerk may prepare text here, but it enters the record only once the
    // hearing is opened; nothing is taken after the close.
    let refused = Signal::derive(move || room.with(|r| r.may_record().err()));
    let record = ServerAction::<RecordNote>::new();
    let record_lines = ServerAction::<RecordNotes>::new();
    let text = RwSignal::new(String::new());
    // 分条记入: a pasted block becomes one record line per line of text.
    let by_line = RwSignal::new(false);
    // 记录员说明: a note of the proceedings, said by nobody; otherwise the line
    // is the floor speaker's (the server attributes it by the same rule).
    let own_note = RwSignal::new(false);
    let pending = Signal::derive(move || record.pending().get() || record_lines.pending().get());
    // Before hydration the browser posts the line itself (see the form).
    let form_hearing_id = hearing_id.clone();
    let result = record.value();
    let lines_result = record_lines.value();

    // A save clears the input; a refusal keeps it, so nothing typed is lost.
    Effect::new(move || {
        if let Some(Ok(_)) = result.get() {
            text.set(String::new());
        }
    });
    Effect::new(move || {
        if let Some(Ok(_)) = lines_result.get() {
            text.set(String::new());
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if by_line.get_untracked() {
            record_lines.dispatch(RecordNotes {
                hearing_id: hearing_id.clone(),
                text: text.get_untracked(),
                own_note: own_note.get_untracked(),
            });
        } else {
            record.dispatch(RecordNote {
                hearing_id: hearing_id.clone(),
                text: text.get_untracked(),
                own_note: own_note.get_untracked(),
            });
        }
    };

    view! {
        // Works before hydration too: the browser posts `hearing_id` and `text`
        // to the server function, which sends it back to this page.
        <form method="post" action=RecordNote::PATH class="record-form" on:submit=submit>
            <input type="hidden" name="hearing_id" value=form_hearing_id />
            <label for="record-input">{move || t().record_input_label}</label>
            <textarea
                id="record-input"
                name="text"
                rows="3"
                data-testid="record-input"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
            ></textarea>
            <p class="hint" data-testid="record-speaker">{move || {
                let zh = lang.get() == Lang::Zh;
                match (own_note.get(), room.with(|r| r.floor_speaker())) {
                    (false, Some(s)) if zh => format!("发言人：{}{}（当前发言人）", s.part.label_zh(), s.name),
                    (false, Some(s)) => format!("Said by: {} ({}, on the floor)", s.name, s.part.label_en()),
                    (_, _) if zh => "本条为记录员说明，不标注发言人。".to_owned(),
                    (_, _) => "A note of the proceedings, said by nobody.".to_owned(),
                }
            }}</p>
            <label class="row">
                <input type="checkbox" name="own_note" value="true" data-testid="record-own-note" prop:checked=move || own_note.get()
                    on:change=move |ev| own_note.set(event_target_checked(&ev)) />
                <span>{move || if lang.get() == Lang::Zh { "记录员说明（不标注发言人）" } else { "Note of the proceedings (no speaker)" }}</span>
            </label>
            <label class="row">
                <input type="checkbox" data-testid="record-by-line" prop:checked=move || by_line.get()
                    on:change=move |ev| by_line.set(event_target_checked(&ev)) />
                <span>{move || if lang.get() == Lang::Zh { "每行记为一条（粘贴整理好的笔录）" } else { "One record line per line (paste prepared text)" }}</span>
            </label>
            {move || {
                use crate::domain::room::RecordRefused;
                let zh = lang.get() == Lang::Zh;
                let hint = match refused.get()? {
                    RecordRefused::NotOpened if zh => "听证会尚未宣布开始：可先在此准备，宣布开始后再记入笔录。",
                    RecordRefused::NotOpened => "Not opened yet: prepare the text here and record it once the hearing is opened.",
                    RecordRefused::Closed if zh => "听证会已闭会，笔录不再增加；如有错漏，请更正原笔录。",
                    RecordRefused::Closed => "The hearing is closed: correct a line instead of adding one.",
                    RecordRefused::ClosedSession if zh => "评议、表决不公开进行，此时不记入公开笔录。",
                    RecordRefused::ClosedSession => "The panel sits in closed session: nothing enters the public record now.",
                };
                Some(view! { <p class="hint" data-testid="record-not-now">{hint}</p> })
            }}
            <super::ActionError result=result testid="record-error" />
            <super::ActionError result=lines_result testid="record-lines-error" />
            <button type="submit" data-testid="record-submit" disabled=move || pending.get() || refused.get().is_some()>
                {move || if pending.get() { t().record_saving } else { t().record_submit }}
            </button>
        </form>
    }
}

/// 宣布评议意见: from the announcement on, everyone in the room (the parties
/// and the public too) reads the panel's conclusion as the host recorded it.
#[component]
fn AnnouncedConclusion(room: RwSignal<RoomState>) -> impl IntoView {
    let lang = use_lang();
    let conclusion = move || {
        room.with(|r| {
            r.results_announced
                .then(|| r.minutes.conclusion.as_ref().map(|c| c.text.clone()))
                .flatten()
        })
    };
    move || {
        conclusion().map(|text| {
            view! {
                <section class="card" data-testid="announced-conclusion" aria-live="polite">
                    <h2 class="section-title">
                        {move || if lang.get() == Lang::Zh { "评议结论" } else { "The panel's conclusion" }}
                    </h2>
                    <p>{text}</p>
                </section>
            }
        })
    }
}

/// 旁听: the public observer's read-only view of a public hearing.
#[component]
pub fn ObserverRoom() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let snapshot = Resource::new(hearing_id_param(), observe_hearing);
    provide_context(ObserverView);
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
