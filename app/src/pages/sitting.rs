//! The room while the hearing sits: the procedure bar and the host's controls,
//! the floor with its countdown, attendance, and the closed deliberation. All of
//! it is drawn from `fold(events)`, so every screen follows the log live.

use super::ui::{label, now_ms, use_tr};
use super::{ActionError, use_lang};
use crate::api::{CheckIn, EndFloor, GiveFloor, MarkAttendance, PostDeliberation, StepProcedure};
use crate::domain::case::Coded;
use crate::domain::clock::{CHINA_OFFSET_SECONDS, format_time_of_day};
use crate::domain::procedure::{Procedure, Stage, Step};
use crate::domain::room::RoomState;
use crate::domain::sitting::{Part, Presence, format_countdown, seconds_left};
use crate::i18n::Lang;
use leptos::prelude::*;

fn stage_label(lang: Lang, stage: Stage) -> &'static str {
    match lang {
        Lang::Zh => stage.label_zh(),
        Lang::En => stage.label_en(),
    }
}

/// "第三环节：质证 · 进行中" and its English twin.
pub fn procedure_text(lang: Lang, p: Procedure) -> String {
    let zh = lang == Lang::Zh;
    match (p, zh) {
        (Procedure::NotStarted, true) => "听证尚未开始".into(),
        (Procedure::NotStarted, false) => "Not started".into(),
        (Procedure::Closed, true) => "听证已闭会".into(),
        (Procedure::Closed, false) => "Closed".into(),
        (Procedure::Running { stage }, true) => format!("{} · 进行中", stage.label_zh()),
        (Procedure::Running { stage }, false) => format!("{} · in progress", stage.label_en()),
        (Procedure::Paused { stage }, true) => format!("{} · 暂停", stage.label_zh()),
        (Procedure::Paused { stage }, false) => format!("{} · paused", stage.label_en()),
        (Procedure::Adjourned { stage }, true) => format!("{} · 休会", stage.label_zh()),
        (Procedure::Adjourned { stage }, false) => format!("{} · adjourned", stage.label_en()),
    }
}

/// The procedure: where the hearing stands, every stage in order, and (for the
/// host) the buttons that move it.
#[component]
pub fn ProcedureBar(room: RwSignal<RoomState>, hearing_id: String, can_run: bool) -> impl IntoView {
    let lang = use_lang();
    let procedure = move || room.with(|r| r.procedure);
    let current = move || procedure().stage();
    view! {
        <section class="card procedure" data-testid="procedure"
            data-state=move || match procedure() {
                Procedure::NotStarted => "not_started",
                Procedure::Running { .. } => "running",
                Procedure::Paused { .. } => "paused",
                Procedure::Adjourned { .. } => "adjourned",
                Procedure::Closed => "closed",
            }
            data-stage=move || current().map(|s| s.code()).unwrap_or_default()>
            <p class="procedure-now" data-testid="procedure-now">{move || procedure_text(lang.get(), procedure())}</p>
            <ol class="stages">
                {Stage::ALL.iter().map(|stage| {
                    let stage = *stage;
                    view! {
                        <li class:stage-done=move || current().is_some_and(|c| c > stage) || procedure() == Procedure::Closed
                            class:stage-now=move || current() == Some(stage)>
                            {move || stage_label(lang.get(), stage)}
                        </li>
                    }
                }).collect_view()}
            </ol>
            {can_run.then(|| view! { <ProcedureControls room hearing_id=hearing_id.clone() /> }.into_any())}
        </section>
    }
}

#[component]
fn ProcedureControls(room: RwSignal<RoomState>, hearing_id: String) -> impl IntoView {
    let tr = use_tr();
    let action = ServerAction::<StepProcedure>::new();
    let hearing_id = StoredValue::new(hearing_id);
    let procedure = move || room.with(|r| r.procedure);
    // Offer only the steps the rules allow now: the same `apply` the server runs.
    let allowed = move |step: Step| procedure().apply(step).is_ok();
    let button = move |step: Step, zh: &'static str, en: &'static str, testid: &'static str| {
        view! {
            <Show when=move || allowed(step)>
                <button type="button" class="button secondary" data-testid=testid
                    disabled=move || action.pending().get()
                    on:click=move |_| { action.dispatch(StepProcedure { hearing_id: hearing_id.get_value(), step }); }>
                    {tr.s(zh, en)}
                </button>
            </Show>
        }
    };
    let back_to = RwSignal::new(String::new());
    let go_back = move |_| {
        if let Some(to) = Stage::ALL
            .iter()
            .copied()
            .find(|s| s.code() == back_to.get_untracked())
        {
            action.dispatch(StepProcedure {
                hearing_id: hearing_id.get_value(),
                step: Step::GoBack { to },
            });
        }
    };
    let earlier = move || {
        procedure()
            .stage()
            .map(|now| {
                Stage::ALL
                    .iter()
                    .copied()
                    .filter(|s| *s < now && !s.is_closed_session())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    view! {
        <div class="row procedure-controls">
            {button(Step::Start, "宣布开始", "Open the hearing", "step-start")}
            {button(Step::Advance, "进入下一环节", "Next stage", "step-advance")}
            {button(Step::Pause, "暂停", "Pause", "step-pause")}
            {button(Step::Resume, "继续", "Resume", "step-resume")}
            {button(Step::Adjourn, "休会", "Adjourn", "step-adjourn")}
            {button(Step::Close, "闭会", "Close", "step-close")}
            <Show when=move || earlier().iter().any(|s| allowed(Step::GoBack { to: *s }))>
                <select data-testid="step-back-to" on:change=move |ev| back_to.set(event_target_value(&ev))>
                    <option value="">{tr.s("回到环节…", "Back to…")}</option>
                    {move || earlier().into_iter().map(|s| view! { <option value=s.code()>{stage_label(tr.lang(), s)}</option> }).collect_view()}
                </select>
                <button type="button" class="button secondary" data-testid="step-back" on:click=go_back>{tr.s("回到", "Go back")}</button>
            </Show>
        </div>
        <ActionError result=action.value() testid="step-error" />
    }
}

/// The floor: who speaks, the countdown everybody sees (overtime in red), the
/// host's controls and the turns so far.
#[component]
pub fn FloorPanel(room: RwSignal<RoomState>, hearing_id: String, can_run: bool) -> impl IntoView {
    let tr = use_tr();
    let lang = use_lang();
    // The clock starts in the browser; the server and the first paint show "--:--".
    let now = RwSignal::new(None::<i64>);
    Effect::new(move || {
        now.set(Some(now_ms()));
        #[cfg(feature = "hydrate")]
        {
            let handle = set_interval_with_handle(
                move || now.set(Some(now_ms())),
                std::time::Duration::from_millis(500),
            );
            if let Ok(handle) = handle {
                on_cleanup(move || handle.clear());
            }
        }
    });
    // The browser's clock corrected to the server's (a phone set wrong would
    // otherwise show a wrong countdown or a false overtime).
    let offset = use_context::<super::room::ServerClock>().map(|c| c.0);
    let left = move || {
        let skew = offset.map_or(0, |o| o.get());
        room.with(|r| r.floor.clone())
            .zip(now.get())
            .map(|(floor, now)| seconds_left(&floor, now + skew))
    };
    view! {
        <section class="card floor" data-testid="floor">
            <h2>{tr.s("发言", "The floor")}</h2>
            {move || match room.with(|r| r.floor.clone()) {
                None => view! { <p class="muted" data-testid="floor-empty">{tr.s("目前无人发言。", "Nobody has the floor.")}</p> }.into_any(),
                Some(floor) => view! {
                    <p class="floor-now">
                        <strong data-testid="floor-speaker">{floor.speaker.clone()}</strong>
                        " (" {move || label(lang.get(), floor.part)} ") "
                        <span class="countdown" data-testid="countdown"
                            class:overtime=move || left().is_some_and(|s| s < 0)>
                            {move || left().map(format_countdown).unwrap_or_else(|| "--:--".into())}
                        </span>
                        {move || left().is_some_and(|s| s < 0).then(|| view! { <span class="chip chip-warn">{tr.s("已超时", "Overtime")}</span> })}
                    </p>
                }.into_any(),
            }}
            {can_run.then(|| view! { <FloorControls room hearing_id=hearing_id.clone() /> }.into_any())}
            <Show when=move || room.with(|r| !r.speeches.is_empty())>
                <details class="speeches">
                    <summary>{tr.s("发言记录", "Turns so far")}</summary>
                    <ol class="history" data-testid="speeches">
                        {move || room.with(|r| r.speeches.clone()).into_iter().map(|t| {
                            let (spoken, over) = (t.spoken_secs(), t.overtime_secs());
                            view! {
                                <li>
                                    {format_time_of_day(t.from_ms, CHINA_OFFSET_SECONDS)}" "
                                    <strong>{t.speaker.clone()}</strong>" · "{format_countdown(spoken)}
                                    {(over > 0).then(|| format!("（超时 {}）", format_countdown(over)))}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                </details>
            </Show>
        </section>
    }
}

fn part_select(
    value: RwSignal<Part>,
    testid: &'static str,
    parts: &'static [Part],
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <select data-testid=testid on:change=move |ev| {
            if let Some(p) = Part::parse_code(&event_target_value(&ev)) { value.set(p) }
        }>
            {parts.iter().map(|p| {
                let p = *p;
                view! { <option value=p.code() selected=move || value.get() == p>{move || label(lang.get(), p)}</option> }
            }).collect_view()}
        </select>
    }
}

#[component]
fn FloorControls(room: RwSignal<RoomState>, hearing_id: String) -> impl IntoView {
    let tr = use_tr();
    let give = ServerAction::<GiveFloor>::new();
    let end = ServerAction::<EndFloor>::new();
    let speaker = RwSignal::new(String::new());
    let part = RwSignal::new(Part::Petitioner);
    let minutes = RwSignal::new("5".to_owned());
    let hearing_id = StoredValue::new(hearing_id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        give.dispatch(GiveFloor {
            hearing_id: hearing_id.get_value(),
            speaker: speaker.get_untracked(),
            part: part.get_untracked(),
            minutes: minutes.get_untracked().trim().parse().unwrap_or(0),
        });
    };
    view! {
        <form method="post" class="row" on:submit=submit>
            <label class="stack grow">
                <span>{tr.s("发言人", "Speaker")}</span>
                <input data-testid="floor-name" prop:value=move || speaker.get() on:input=move |ev| speaker.set(event_target_value(&ev)) />
            </label>
            <label class="stack">
                <span>{tr.s("身份", "Part")}</span>
                {part_select(part, "floor-part", Part::ALL)}
            </label>
            <label class="stack">
                <span>{tr.s("时长（分钟）", "Minutes")}</span>
                <input type="number" min="1" max="60" data-testid="floor-minutes" prop:value=move || minutes.get() on:input=move |ev| minutes.set(event_target_value(&ev)) />
            </label>
            <button type="submit" data-testid="floor-give">{tr.s("给予发言", "Give the floor")}</button>
            <Show when=move || room.with(|r| r.floor.is_some())>
                <button type="button" class="button secondary" data-testid="floor-end"
                    on:click=move |_| { end.dispatch(EndFloor { hearing_id: hearing_id.get_value() }); }>
                    {tr.s("结束发言", "End the turn")}
                </button>
            </Show>
        </form>
        <ActionError result=give.value() testid="floor-error" />
        <ActionError result=end.value() testid="floor-end-error" />
    }
}

/// 签到: who is present, how; the clerk marks people in the room, participants
/// check themselves in online.
#[component]
pub fn AttendancePanel(
    room: RwSignal<RoomState>,
    hearing_id: String,
    can_mark: bool,
    can_check_in: bool,
    /// The members seated now (for the clerk's list).
    seated: Vec<crate::domain::ballot::Voter>,
) -> impl IntoView {
    let tr = use_tr();
    let lang = use_lang();
    let check_in = ServerAction::<CheckIn>::new();
    let hearing = StoredValue::new(hearing_id.clone());
    view! {
        <section class="card attendance" data-testid="attendance">
            <div class="card-head">
                <h2>{tr.s("出席情况", "Attendance")}</h2>
                {can_check_in.then(|| view! {
                    <button type="button" class="button" data-testid="check-in"
                        on:click=move |_| { check_in.dispatch(CheckIn { hearing_id: hearing.get_value() }); }>
                        {tr.s("签到（线上出席）", "Check in online")}
                    </button>
                })}
            </div>
            <ActionError result=check_in.value() testid="check-in-error" />
            <Show when=move || room.with(|r| !r.attendance.is_empty())
                fallback=move || view! { <p class="muted">{tr.s("尚无人签到。", "Nobody has checked in yet.")}</p> }>
                <ul class="attendance-list" data-testid="attendance-list">
                    {move || room.with(|r| r.attendance.clone()).into_iter().map(|a| view! {
                        <li data-presence=a.presence.code()>
                            <strong>{a.name.clone()}</strong>" · "{move || label(lang.get(), a.part)}" · "
                            <span class:error=matches!(a.presence, Presence::Absent | Presence::AbsentWaived)>{move || label(lang.get(), a.presence)}</span>
                        </li>
                    }).collect_view()}
                </ul>
            </Show>
            {can_mark.then(|| view! { <AttendanceForm hearing_id=hearing_id.clone() seated=seated.clone() /> }.into_any())}
        </section>
    }
}

#[component]
fn AttendanceForm(hearing_id: String, seated: Vec<crate::domain::ballot::Voter>) -> impl IntoView {
    let tr = use_tr();
    let lang = use_lang();
    let action = ServerAction::<MarkAttendance>::new();
    let name = RwSignal::new(String::new());
    // A panel member is picked from the members seated now (namesakes apart).
    let member = RwSignal::new(String::new());
    let part = RwSignal::new(Part::Petitioner);
    let presence = RwSignal::new(Presence::InRoom);
    let seated = StoredValue::new(seated);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let juror = part.get_untracked() == Part::Juror;
        let picked = seated.with_value(|s| {
            s.iter()
                .find(|v| v.voter_id == member.get_untracked())
                .cloned()
        });
        action.dispatch(MarkAttendance {
            hearing_id: hearing_id.clone(),
            name: match (&picked, juror) {
                (Some(v), true) => v.name.clone(),
                _ => name.get_untracked(),
            },
            part: part.get_untracked(),
            presence: presence.get_untracked(),
            account: picked.filter(|_| juror).map(|v| v.voter_id),
        });
    };
    let is_juror = move || part.get() == Part::Juror;
    view! {
        <form method="post" class="row" on:submit=submit>
            <Show when=is_juror fallback=move || view! {
                <label class="stack grow">
                    <span>{tr.s("姓名 / 单位", "Name")}</span>
                    <input data-testid="attendance-name" autocomplete="off"
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                </label>
            }>
                <label class="stack grow">
                    <span>{tr.s("评议员", "Panel member")}</span>
                    <select data-testid="attendance-member" on:change=move |ev| member.set(event_target_value(&ev))>
                        <option value="" selected=move || member.get().is_empty()>{tr.s("（选择评议员）", "(choose)")}</option>
                        {seated.get_value().into_iter().map(|v| {
                            let id = v.voter_id.clone();
                            view! { <option value=v.voter_id.clone() selected=move || member.get() == id>{v.name.clone()}</option> }
                        }).collect_view()}
                    </select>
                </label>
            </Show>
            <label class="stack">
                <span>{tr.s("身份", "Part")}</span>
                {part_select(part, "attendance-part", Part::ALL)}
            </label>
            <label class="stack">
                <span>{tr.s("出席", "Presence")}</span>
                <select data-testid="attendance-presence" on:change=move |ev| {
                    if let Some(p) = Presence::parse_code(&event_target_value(&ev)) { presence.set(p) }
                }>
                    {Presence::ALL.iter().map(|p| {
                        let p = *p;
                        view! { <option value=p.code() selected=move || presence.get() == p>{move || label(lang.get(), p)}</option> }
                    }).collect_view()}
                </select>
            </label>
            <button type="submit" data-testid="attendance-submit">{tr.s("登记", "Record")}</button>
        </form>
        <ActionError result=action.value() testid="attendance-error" />
    }
}

/// 评议: the closed deliberation. The panel and the host read and write here;
/// everyone else sees only that the panel is deliberating.
#[component]
pub fn DeliberationPanel(
    room: RwSignal<RoomState>,
    hearing_id: String,
    can_deliberate: bool,
    sees_panel: bool,
) -> impl IntoView {
    let tr = use_tr();
    let closed = move || room.with(|r| r.in_closed_session());
    if !sees_panel {
        return view! {
            <Show when=closed>
                <p class="notice-bar deliberating" role="status" data-testid="deliberating">
                    {tr.s("评议中：评议团正在闭门评议，请稍候。", "The panel is deliberating in private; please wait.")}
                </p>
            </Show>
        }
        .into_any();
    }
    let action = ServerAction::<PostDeliberation>::new();
    let text = RwSignal::new(String::new());
    Effect::new(move || {
        if let Some(Ok(_)) = action.value().get() {
            text.set(String::new());
        }
    });
    let hearing_id = StoredValue::new(hearing_id);
    view! {
        <Show when=move || closed() || room.with(|r| !r.deliberation.is_empty())>
            <section class="card deliberation" data-testid="deliberation">
                <h2>{tr.s("评议（不公开）", "Deliberation (closed)")}</h2>
                <ol class="record">
                    {move || room.with(|r| r.deliberation.clone()).into_iter().map(|line| view! {
                        <li><span class="record-meta">{format_time_of_day(line.at_ms, CHINA_OFFSET_SECONDS)}" "{line.author.clone()}"："</span>
                            <span class="record-text">{line.text.clone()}</span></li>
                    }).collect_view()}
                </ol>
                {(can_deliberate).then(|| view! {
                    // Not while adjourned (休会): the panel writes when it sits.
                    <Show when=move || room.with(|r| r.deliberating())>
                        <form method="post" class="record-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                            ev.prevent_default();
                            action.dispatch(PostDeliberation { hearing_id: hearing_id.get_value(), text: text.get_untracked() });
                        }>
                            <textarea rows="2" data-testid="deliberation-input" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                            <ActionError result=action.value() testid="deliberation-error" />
                            <button type="submit" data-testid="deliberation-submit">{tr.s("发表评议意见", "Post")}</button>
                        </form>
                    </Show>
                })}
            </section>
        </Show>
    }
    .into_any()
}

/// 个人笔记: a panel member's own notes on the hearing, seen by nobody else.
#[component]
pub fn PrivateNotes(hearing_id: String) -> impl IntoView {
    let tr = use_tr();
    let loaded = Resource::new(
        {
            let id = hearing_id.clone();
            move || id.clone()
        },
        crate::api::my_private_notes,
    );
    view! {
        <section class="card notes" data-testid="private-notes">
            <h2>{tr.s("个人笔记（仅本人可见）", "My notes (only you see them)")}</h2>
            <Suspense fallback=move || view! { <p class="muted">{tr.s("加载中…", "Loading…")}</p> }>
                {move || loaded.get().map(|r| match r {
                    Ok(found) => view! { <NotesEditor hearing_id=hearing_id.clone() found /> }.into_any(),
                    Err(e) => view! { <p class="error">{e.message(tr.lang())}</p> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn NotesEditor(hearing_id: String, found: Option<(String, i64)>) -> impl IntoView {
    let tr = use_tr();
    let save = ServerAction::<crate::api::SavePrivateNotes>::new();
    let (start, saved_at) = found.unwrap_or_default();
    let text = RwSignal::new(start);
    let saved = RwSignal::new((saved_at > 0).then_some(saved_at));
    Effect::new(move || {
        if let Some(Ok(at)) = save.value().get() {
            saved.set(Some(at));
        }
    });
    view! {
        <form method="post" class="record-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            save.dispatch(crate::api::SavePrivateNotes { hearing_id: hearing_id.clone(), text: text.get_untracked() });
        }>
            <textarea rows="4" data-testid="notes-input" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <ActionError result=save.value() testid="notes-error" />
            <div class="row">
                <button type="submit" data-testid="notes-save">{tr.s("保存笔记", "Save notes")}</button>
                {move || saved.get().map(|at| view! {
                    <span class="hint" data-testid="notes-saved">{tr.s("已保存 ", "Saved ")}{format_time_of_day(at, CHINA_OFFSET_SECONDS)}</span>
                })}
            </div>
        </form>
    }
}
