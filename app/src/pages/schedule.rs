//! 听证排期: scheduling a hearing of a case, and the hearing's plan page where
//! the host edits, reschedules, postpones or cancels it and sees every version.

use super::cases::{id_param, may};
use super::home::{Refusal, format_when};
use super::ui::{LocalError, StatusChip, Tr, date_and_time, instant_of, label, today, use_tr};
use super::{ActionError, Session};
use crate::api::{
    ChangeHearing, HearingView, ScheduleHearing, StaffChoices, calendar, case_detail,
    hearing_detail, office_settings, staff_options,
};
use crate::domain::access::Action;
use crate::domain::case::{CalendarDate, Coded, DeadlinePolicy};
use crate::domain::clock::{CHINA_OFFSET_SECONDS, format_time_of_day};
use crate::domain::schedule::{HearingKind, HearingPlan, HearingStatus, PlanRequest};
use crate::domain::sortition::{Quota, default_quotas, describe_quota_zh};
use crate::error::ApiError;
use crate::model::{HearingRecord, HearingVersion, PersonRef};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

const PANEL_SIZES: [u32; 7] = [3, 5, 7, 9, 11, 13, 15];
const DEFAULT_DURATION_MIN: u32 = 120;

/// Everything the plan form needs besides the plan: who can host or clerk, the
/// rooms in use (for suggestions) and the office's notice period.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct FormContext {
    staff: StaffChoices,
    rooms: Vec<String>,
    notice_days: u32,
}

/// Loads the form's context; the room suggestions are a convenience, so a
/// refusal there (no calendar permission) just means none.
async fn form_context() -> Result<FormContext, ApiError> {
    let staff = staff_options().await?;
    let policy = office_settings()
        .await
        .unwrap_or_else(|_| DeadlinePolicy::default());
    let now = super::ui::now_ms();
    let rooms = match calendar(now - 30 * 86_400_000, now + 14 * 86_400_000).await {
        Ok(hearings) => {
            let mut rooms: Vec<String> = hearings.into_iter().filter_map(|h| h.plan.room).collect();
            rooms.sort();
            rooms.dedup();
            rooms
        }
        Err(_) => Vec::new(),
    };
    Ok(FormContext {
        staff,
        rooms,
        notice_days: policy.notice_days,
    })
}

/// The plan as typed: text, so that nothing is lost when the server refuses it.
#[derive(Clone, Copy)]
struct PlanFields {
    title: RwSignal<String>,
    kind: RwSignal<HearingKind>,
    date: RwSignal<String>,
    time: RwSignal<String>,
    duration: RwSignal<String>,
    room: RwSignal<String>,
    online: RwSignal<bool>,
    host: RwSignal<String>,
    clerk: RwSignal<String>,
    panel_size: RwSignal<u32>,
    questions: RwSignal<String>,
    short_notice_reason: RwSignal<String>,
    /// 名额要求 in the office's standard shape: at least N lawyers, at least N
    /// deputies or CPPCC members, at most N from government bodies.
    lawyers_min: RwSignal<u32>,
    representatives_min: RwSignal<u32>,
    government_max: RwSignal<u32>,
    /// Quotas on other categories (set through the API), kept as they are.
    other_quotas: StoredValue<Vec<Quota>>,
}

/// The three standard quotas of a template, and the rest.
fn split_quotas(quotas: &[Quota], panel_size: u32) -> (u32, u32, u32, Vec<Quota>) {
    let template = if quotas.is_empty() {
        default_quotas(panel_size)
    } else {
        quotas.to_vec()
    };
    let (mut lawyers, mut reps, mut gov) = (0, 0, panel_size);
    let mut others = Vec::new();
    for q in template {
        match q.tag.as_str() {
            "lawyer" if q.max >= panel_size => lawyers = q.min,
            "representative" if q.max >= panel_size => reps = q.min,
            "government" if q.min == 0 => gov = q.max,
            _ => others.push(q),
        }
    }
    (lawyers, reps, gov, others)
}

impl PlanFields {
    fn new_for(case_title: &str, host: String, date: CalendarDate) -> Self {
        PlanFields {
            title: RwSignal::new(format!("关于{case_title}的听证评议会")),
            kind: RwSignal::new(HearingKind::Public),
            date: RwSignal::new(date.to_string()),
            time: RwSignal::new("09:00".into()),
            duration: RwSignal::new(DEFAULT_DURATION_MIN.to_string()),
            room: RwSignal::new(String::new()),
            online: RwSignal::new(false),
            host: RwSignal::new(host),
            clerk: RwSignal::new(String::new()),
            panel_size: RwSignal::new(HearingPlan::DEFAULT_PANEL_SIZE),
            questions: RwSignal::new(crate::domain::ballot::USUAL_QUESTION.into()),
            short_notice_reason: RwSignal::new(String::new()),
            lawyers_min: RwSignal::new(1),
            representatives_min: RwSignal::new(1),
            government_max: RwSignal::new(HearingPlan::DEFAULT_PANEL_SIZE / 3),
            other_quotas: StoredValue::new(Vec::new()),
        }
    }

    fn from_plan(plan: &HearingPlan) -> Self {
        let (date, time) = date_and_time(plan.starts_at_ms);
        let (lawyers, reps, gov, others) = split_quotas(&plan.quotas, plan.panel_size);
        PlanFields {
            title: RwSignal::new(plan.title.clone()),
            kind: RwSignal::new(plan.kind),
            date: RwSignal::new(date),
            time: RwSignal::new(time),
            duration: RwSignal::new(plan.duration_min.to_string()),
            room: RwSignal::new(plan.room.clone().unwrap_or_default()),
            online: RwSignal::new(plan.online),
            host: RwSignal::new(plan.host_id.clone()),
            clerk: RwSignal::new(plan.clerk_id.clone().unwrap_or_default()),
            panel_size: RwSignal::new(plan.panel_size),
            questions: RwSignal::new(plan.questions.join("\n")),
            short_notice_reason: RwSignal::new(
                plan.short_notice_reason.clone().unwrap_or_default(),
            ),
            lawyers_min: RwSignal::new(lawyers),
            representatives_min: RwSignal::new(reps),
            government_max: RwSignal::new(gov),
            other_quotas: StoredValue::new(others),
        }
    }

    fn quotas(&self) -> Vec<Quota> {
        let mut quotas = vec![
            Quota::at_least("lawyer", self.lawyers_min.get_untracked()),
            Quota::at_least("representative", self.representatives_min.get_untracked()),
            Quota::at_most("government", self.government_max.get_untracked()),
        ];
        quotas.extend(self.other_quotas.get_value());
        quotas
    }

    /// The plan to send, or what to fix first (what the browser can tell alone).
    fn plan(&self) -> Result<HearingPlan, (&'static str, &'static str)> {
        let starts_at_ms = instant_of(&self.date.get_untracked(), &self.time.get_untracked())
            .ok_or((
                "请填写听证日期和开始时间",
                "Enter the date and the start time",
            ))?;
        let duration_min = self.duration.get_untracked().trim().parse().map_err(|_| {
            (
                "预计时长须为整数（分钟）",
                "The duration must be whole minutes",
            )
        })?;
        let host_id = self.host.get_untracked();
        if host_id.is_empty() {
            return Err(("请选择主持人", "Choose the host"));
        }
        let text = |s: RwSignal<String>| Some(s.get_untracked()).filter(|t| !t.trim().is_empty());
        Ok(HearingPlan {
            title: self.title.get_untracked(),
            kind: self.kind.get_untracked(),
            starts_at_ms,
            duration_min,
            room: text(self.room),
            online: self.online.get_untracked(),
            host_id,
            clerk_id: text(self.clerk),
            panel_size: self.panel_size.get_untracked(),
            questions: self
                .questions
                .get_untracked()
                .lines()
                .map(str::trim)
                .filter(|q| !q.is_empty())
                .map(str::to_owned)
                .collect(),
            short_notice_reason: text(self.short_notice_reason),
            quotas: self.quotas(),
        })
    }
}

// ---- 安排听证 --------------------------------------------------------------------

#[component]
pub fn NewHearingPage() -> impl IntoView {
    let tr = use_tr();
    let session = expect_context::<Session>();
    let query = use_query_map();
    let case_id = move || query.with(|q| q.get("case").unwrap_or_default());
    let case = Resource::new(
        move || (session.version(), case_id()),
        |(_, id)| case_detail(id),
    );
    let context = Resource::new(move || session.version(), |_| form_context());
    view! {
        <h1>{tr.s("安排听证评议会", "Schedule a hearing")}</h1>
        <Suspense fallback=move || view! { <p class="muted">{tr.s("加载中…", "Loading…")}</p> }>
            {move || {
                let me = session.current().map(|m| m.id).unwrap_or_default();
                match (case.get(), context.get()) {
                    (Some(Ok(case)), Some(Ok(context))) => {
                        Some(view! { <NewHearingForm case=case.record context me /> }.into_any())
                    }
                    (Some(Err(e)), _) | (_, Some(Err(e))) => {
                        Some(view! { <Refusal error=e /> }.into_any())
                    }
                    _ => None,
                }
            }}
        </Suspense>
    }
}

#[component]
fn NewHearingForm(
    case: crate::model::CaseRecord,
    context: FormContext,
    me: String,
) -> impl IntoView {
    let tr = use_tr();
    let schedule = ServerAction::<ScheduleHearing>::new();
    let local = RwSignal::new(None);
    // The host who schedules usually hosts; an administrator picks one.
    let host = if context.staff.hosts.iter().any(|h| h.id == me) {
        me
    } else {
        String::new()
    };
    let earliest = today().plus_days(context.notice_days.into());
    let fields = PlanFields::new_for(&case.case.title, host, earliest);
    let navigate = use_navigate();
    Effect::new(move || {
        if let Some(Ok(hearing)) = schedule.value().get() {
            navigate(
                &format!("/hearings/{}/plan", hearing.id),
                Default::default(),
            );
        }
    });
    let case_id = case.id.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match fields.plan() {
            Ok(plan) => {
                local.set(None);
                schedule.dispatch(ScheduleHearing {
                    case_id: case_id.clone(),
                    plan,
                });
            }
            Err(message) => {
                schedule.value().set(None);
                local.set(Some(message));
            }
        }
    };
    let pending = schedule.pending();
    view! {
        <p class="case-ref" data-testid="schedule-case">
            <span class="muted">{tr.s("信访事项：", "Case: ")}</span>
            <a href=format!("/cases/{}", case.id)>{case.case.number.clone()} " " {case.case.title.clone()}</a>
        </p>
        <form method="post" class="card form-grid" on:submit=submit data-testid="hearing-form" novalidate>
            <PlanInputs fields context />
            <div class="wide stack">
                <LocalError message=local testid="plan-local-error" />
                <ActionError result=schedule.value() testid="plan-error" />
                <div class="actions">
                    <button type="submit" data-testid="plan-submit" disabled=move || pending.get()>
                        {tr.s("安排听证", "Schedule")}
                    </button>
                    <a href=format!("/cases/{}", case.id)>{tr.s("取消", "Cancel")}</a>
                </div>
            </div>
        </form>
    }
}

/// A text input's value and its input handler, bound to a signal.
fn bind(
    value: RwSignal<String>,
) -> (
    impl Fn() -> String + Send + Sync + 'static,
    impl Fn(leptos::ev::Event) + 'static,
) {
    (
        move || value.get(),
        move |ev: leptos::ev::Event| value.set(event_target_value(&ev)),
    )
}

/// The plan's inputs, shared by 安排听证 and 修改/改期.
#[component]
fn PlanInputs(fields: PlanFields, context: FormContext) -> impl IntoView {
    let tr = use_tr();
    let FormContext {
        staff,
        rooms,
        notice_days,
    } = context;
    let earliest = today().plus_days(notice_days.into());
    // Highlights the reason when the chosen day is inside the notice period.
    let short_notice = move || {
        fields
            .date
            .with(|d| d.parse::<CalendarDate>().is_ok_and(|d| d < earliest))
    };
    let (title_get, title_set) = bind(fields.title);
    let (date_get, date_set) = bind(fields.date);
    let (time_get, time_set) = bind(fields.time);
    let (dur_get, dur_set) = bind(fields.duration);
    let (room_get, room_set) = bind(fields.room);
    let (q_get, q_set) = bind(fields.questions);
    let (why_get, why_set) = bind(fields.short_notice_reason);
    view! {
        <label class="wide">
            <span>{tr.s("名称", "Title")} <span class="req">"*"</span></span>
            <input data-testid="plan-title" prop:value=title_get on:input=title_set />
        </label>
        <label>
            <span>{tr.s("听证形式", "Kind")}</span>
            <select
                data-testid="plan-kind"
                on:change=move |ev| {
                    if let Some(k) = HearingKind::parse_code(&event_target_value(&ev)) {
                        fields.kind.set(k);
                    }
                }
            >
                {HearingKind::ALL
                    .iter()
                    .map(|&k| {
                        view! {
                            <option value=k.code() selected=move || fields.kind.get() == k>
                                {move || label(tr.lang(), k)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
        <label>
            <span>{tr.s("评议团人数", "Panel size")}</span>
            <select
                data-testid="plan-panel-size"
                on:change=move |ev| {
                    if let Ok(n) = event_target_value(&ev).parse() {
                        fields.panel_size.set(n);
                    }
                }
            >
                {PANEL_SIZES
                    .into_iter()
                    .map(|n| {
                        view! {
                            <option value=n.to_string() selected=move || fields.panel_size.get() == n>
                                {move || if tr.is_zh() { format!("{n} 人") } else { n.to_string() }}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
        <label>
            <span>{tr.s("日期", "Date")} <span class="req">"*"</span></span>
            <input type="date" data-testid="plan-date" prop:value=date_get on:input=date_set />
        </label>
        <label>
            <span>{tr.s("开始时间（北京时间）", "Start (Beijing time)")} <span class="req">"*"</span></span>
            <input type="time" step="300" data-testid="plan-time" prop:value=time_get on:input=time_set />
        </label>
        <label>
            <span>{tr.s("预计时长（分钟）", "Expected duration (minutes)")}</span>
            <input
                type="number"
                min=HearingPlan::DURATION_MIN
                max=HearingPlan::DURATION_MAX
                step="15"
                data-testid="plan-duration"
                prop:value=dur_get
                on:input=dur_set
            />
        </label>
        <div class="field">
            <label>
                <span>{tr.s("听证室", "Room")}</span>
                <input list="known-rooms" data-testid="plan-room" prop:value=room_get on:input=room_set />
                <datalist id="known-rooms">
                    {rooms.into_iter().map(|r| view! { <option value=r></option> }).collect_view()}
                </datalist>
            </label>
            <label class="check">
                <input
                    type="checkbox"
                    data-testid="plan-online"
                    prop:checked=move || fields.online.get()
                    on:change=move |ev| fields.online.set(event_target_checked(&ev))
                />
                {tr.s("同时线上参加（视频）", "Also online (video)")}
            </label>
        </div>
        <PersonSelect caption=tr.s("主持人", "Host") testid="plan-host" people=staff.hosts value=fields.host />
        <PersonSelect caption=tr.s("记录员", "Clerk") testid="plan-clerk" people=staff.clerks value=fields.clerk />
        <fieldset class="wide quotas" data-testid="plan-quotas">
            <legend>{tr.s("评议员名额要求（抽选时必须满足）", "Panel quotas (the draw must satisfy them)")}</legend>
            <QuotaInput caption=tr.s("律师 至少", "Lawyers, at least") testid="quota-lawyers" value=fields.lawyers_min />
            <QuotaInput caption=tr.s("人大代表或政协委员 至少", "Deputies or CPPCC members, at least") testid="quota-representatives" value=fields.representatives_min />
            <QuotaInput caption=tr.s("政府机关人员 至多", "From government bodies, at most") testid="quota-government" value=fields.government_max />
        </fieldset>
        <label class="wide">
            <span>{tr.s("表决事项（每行一项）", "Ballot questions (one per line)")}</span>
            <textarea rows="3" data-testid="plan-questions" prop:value=q_get on:input=q_set></textarea>
        </label>
        <label class="wide" class:needed=short_notice>
            <span>
                {move || {
                    if tr.is_zh() {
                        format!("提前通知不足 {notice_days} 日的理由")
                    } else {
                        format!("Reason for less than {notice_days} days' notice")
                    }
                }}
            </span>
            <input data-testid="plan-short-notice-reason" prop:value=why_get on:input=why_set />
            <small class="hint" data-testid="short-notice-hint">
                {move || {
                    let day = earliest.format_zh();
                    match (short_notice(), tr.is_zh()) {
                        (true, true) => format!("所选日期早于 {day}，书面通知不足 {notice_days} 日：须填写理由，理由将记入排期记录。"),
                        (true, false) => format!("The date is before {earliest}: less than {notice_days} days' notice needs a reason, which is recorded."),
                        (false, true) => format!("书面通知须在听证 {notice_days} 日前送达当事人；仅当听证日期早于 {day} 时需要填写。"),
                        (false, false) => format!("The written notice is due {notice_days} days ahead; needed only for a date before {earliest}."),
                    }
                }}
            </small>
        </label>
    }
}

/// A select of staff, with "—" for nobody.
#[component]
fn PersonSelect(
    caption: impl Fn() -> &'static str + Copy + Send + Sync + 'static,
    testid: &'static str,
    people: Vec<PersonRef>,
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <label>
            <span>{caption}</span>
            <select data-testid=testid on:change=move |ev| value.set(event_target_value(&ev))>
                <option value="" selected=move || value.with(String::is_empty)>"—"</option>
                {people
                    .into_iter()
                    .map(|p| {
                        let id = p.id.clone();
                        view! {
                            <option value=p.id selected=move || value.with(|v| *v == id)>
                                {p.name}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

// ---- The plan page -------------------------------------------------------------

#[component]
pub fn HearingPlanPage() -> impl IntoView {
    let tr = use_tr();
    let session = expect_context::<Session>();
    let id = id_param();
    // Bumped after a change succeeds: reloads the plan and its history (not after
    // a refusal, which would throw away what was typed).
    let reload = RwSignal::new(0u32);
    let detail = Resource::new(
        move || (session.version(), reload.get(), id()),
        |(_, _, id)| hearing_detail(id),
    );
    view! {
        <Transition fallback=move || view! { <p class="muted">{tr.s("加载中…", "Loading…")}</p> }>
            {move || {
                detail
                    .get()
                    .map(|r| match r {
                        Ok(view) => view! { <HearingPlanView view reload /> }.into_any(),
                        Err(e) => view! { <Refusal error=e /> }.into_any(),
                    })
            }}
        </Transition>
    }
}

/// "2026年12月8日 09:00–11:00"
pub fn time_range(tr: Tr, plan: &HearingPlan) -> String {
    let end = format_time_of_day(plan.ends_at_ms(), CHINA_OFFSET_SECONDS);
    let end = end.get(..5).unwrap_or(&end).to_owned();
    format!("{}–{end}", format_when(tr.lang(), plan.starts_at_ms))
}

fn names(people: &[PersonRef]) -> String {
    if people.is_empty() {
        "—".into()
    } else {
        let names: Vec<&str> = people.iter().map(|p| p.name.as_str()).collect();
        names.join("、")
    }
}

fn name_of(person: Option<&PersonRef>) -> String {
    person.map_or_else(|| "—".to_owned(), |p| p.name.clone())
}

#[component]
fn HearingPlanView(view: HearingView, reload: RwSignal<u32>) -> impl IntoView {
    let tr = use_tr();
    let session = expect_context::<Session>();
    let HearingView {
        hearing,
        history,
        can_change,
        can_print_notices,
        can_enter_room,
    } = view;
    let h = hearing.clone();
    let plan = h.plan.clone();
    let id = h.id.clone();
    let kind = plan.kind;
    let when = {
        let plan = plan.clone();
        move || time_range(tr, &plan)
    };
    let duration = plan.duration_min;
    let panel = plan.panel_size;
    let case_label = format!("{} {}", h.case_number, h.case_title);
    let case_link = may(session, Action::ViewCases).then(|| format!("/cases/{}", h.case_id));
    let changeable = can_change && h.status != HearingStatus::Cancelled;
    view! {
        <p class="muted">{tr.s("听证评议会安排", "Hearing plan")}</p>
        <h1 data-testid="plan-heading">{plan.title.clone()} " " <StatusChip status=h.status sitting=h.sitting /></h1>
        <StatusBanner hearing=h.clone() history=history.clone() />
        <dl class="facts" data-testid="plan-facts">
            <dt>{tr.s("信访事项", "Case")}</dt>
            <dd>
                {match case_link {
                    Some(href) => view! { <a href=href>{case_label}</a> }.into_any(),
                    None => view! { <span>{case_label}</span> }.into_any(),
                }}
            </dd>
            <dt>{tr.s("听证形式", "Kind")}</dt>
            <dd data-testid="plan-kind-value">{move || label(tr.lang(), kind)}</dd>
            <dt>{tr.s("听证时间", "When")}</dt>
            <dd data-testid="plan-when">{when}</dd>
            <dt>{tr.s("预计时长", "Duration")}</dt>
            <dd>{move || if tr.is_zh() { format!("{duration} 分钟") } else { format!("{duration} min") }}</dd>
            <dt>{tr.s("地点", "Place")}</dt>
            <dd data-testid="plan-place">{plan.place_label_zh()}</dd>
            <dt>{tr.s("主持人", "Host")}</dt>
            <dd>{name_of(h.host.as_ref())}</dd>
            <dt>{tr.s("记录员", "Clerk")}</dt>
            <dd>{name_of(h.clerk.as_ref())}</dd>
            <dt>{tr.s("评议团人数", "Panel size")}</dt>
            <dd>{move || if tr.is_zh() { format!("{panel} 人") } else { panel.to_string() }}</dd>
            <dt>{tr.s("评议员", "Panel members")}</dt>
            <dd>{names(&h.jurors)}</dd>
            <dt>{tr.s("名额要求", "Quotas")}</dt>
            <dd data-testid="plan-quotas-value">
                {plan
                    .quotas
                    .iter()
                    .map(|q| describe_quota_zh(q, panel))
                    .collect::<Vec<_>>()
                    .join("；")}
            </dd>
            <dt>{tr.s("表决事项", "Ballot questions")}</dt>
            <dd>
                <ol class="questions">
                    {plan.questions.iter().map(|q| view! { <li>{q.clone()}</li> }).collect_view()}
                </ol>
            </dd>
            {plan
                .short_notice_reason
                .clone()
                .map(|why| {
                    view! {
                        <dt>{tr.s("提前通知不足的理由", "Short-notice reason")}</dt>
                        <dd>{why}</dd>
                    }
                })}
        </dl>
        <PlanLinks id kind can_enter_room can_print_notices />
        {changeable.then(|| view! { <ChangePanel hearing=hearing.clone() reload /> })}
        <section class="card">
            <h2>{tr.s("变更记录", "History")}</h2>
            <PlanHistory history />
        </section>
    }
}

/// The room, the .ics, the written notices and the public announcement. The last
/// three are plain HTTP routes, not pages: `rel="external"` keeps the router off them.
#[component]
fn PlanLinks(
    id: String,
    kind: HearingKind,
    can_enter_room: bool,
    can_print_notices: bool,
) -> impl IntoView {
    let tr = use_tr();
    view! {
        <p class="actions wrap" data-testid="plan-links">
            {can_enter_room
                .then(|| {
                    view! {
                        <a class="button" href=format!("/hearings/{id}") data-testid="enter-room">
                            {tr.s("进入听证室", "Enter the room")}
                        </a>
                    }
                })}
            <a class="button secondary" href=format!("/hearings/{id}/panel") data-testid="panel-link">
                {tr.s("评议团抽选", "Panel draw")}
            </a>
            <a class="button secondary" href=format!("/hearings/{id}/calendar.ics") rel="external" data-testid="ics-link">
                {tr.s("下载日历（.ics）", "Add to calendar (.ics)")}
            </a>
            {can_print_notices
                .then(|| {
                    view! {
                        <a class="button secondary" href=format!("/hearings/{id}/notices") rel="external" target="_blank" data-testid="notices-link">
                            {tr.s("打印通知书", "Print notices")}
                        </a>
                    }
                })}
            {(kind == HearingKind::Public)
                .then(|| {
                    view! {
                        <a class="button secondary" href=format!("/public/hearings/{id}/announcement") rel="external" target="_blank" data-testid="announcement-link">
                            {tr.s("听证公告", "Public announcement")}
                        </a>
                    }
                })}
        </p>
    }
}

/// Says plainly when a hearing is postponed or cancelled, and why.
#[component]
fn StatusBanner(hearing: HearingRecord, history: Vec<HearingVersion>) -> impl IntoView {
    let tr = use_tr();
    let reason = history
        .iter()
        .rev()
        .find(|v| v.status == hearing.status)
        .and_then(|v| v.reason.clone())
        .unwrap_or_default();
    let status = hearing.status;
    let text = move || {
        let why = match (reason.is_empty(), tr.is_zh()) {
            (true, _) => String::new(),
            (false, true) => format!("理由：{reason}"),
            (false, false) => format!("Reason: {reason}"),
        };
        match (status, tr.is_zh()) {
            (HearingStatus::Postponed, true) => {
                Some(format!("本场听证已延期，新的时间另行通知。{why}"))
            }
            (HearingStatus::Postponed, false) => Some(format!(
                "This hearing is postponed; the new date will follow. {why}"
            )),
            (HearingStatus::Cancelled, true) => Some(format!("本场听证已取消。{why}")),
            (HearingStatus::Cancelled, false) => Some(format!("This hearing is cancelled. {why}")),
            (HearingStatus::Scheduled, _) => None,
        }
    };
    move || text().map(|t| view! { <p class="notice-bar" data-testid="plan-status-banner">{t}</p> })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ChangeMode {
    Closed,
    Edit,
    Postpone,
    Cancel,
}

/// 修改/改期, 延期 and 取消, each behind its own button.
#[component]
fn ChangePanel(hearing: HearingRecord, reload: RwSignal<u32>) -> impl IntoView {
    let tr = use_tr();
    let mode = RwSignal::new(ChangeMode::Closed);
    let change = ServerAction::<ChangeHearing>::new();
    Effect::new(move || {
        if let Some(Ok(_)) = change.value().get() {
            reload.update(|n| *n += 1);
        }
    });
    let open = move |m: ChangeMode| {
        change.value().set(None);
        mode.set(m);
    };
    let postponable = hearing.status == HearingStatus::Scheduled;
    let hearing = StoredValue::new(hearing);
    view! {
        <section class="card stack" data-testid="change-panel">
            <h2>{tr.s("变更安排", "Change the plan")}</h2>
            <div class="actions wrap">
                <button type="button" class="small" data-testid="edit-plan" on:click=move |_| open(ChangeMode::Edit)>
                    {tr.s("修改 / 改期", "Edit / reschedule")}
                </button>
                {postponable
                    .then(|| {
                        view! {
                            <button type="button" class="small" data-testid="postpone" on:click=move |_| open(ChangeMode::Postpone)>
                                {tr.s("延期", "Postpone")}
                            </button>
                        }
                    })}
                <button type="button" class="small danger" data-testid="cancel-hearing" on:click=move |_| open(ChangeMode::Cancel)>
                    {tr.s("取消听证", "Cancel hearing")}
                </button>
            </div>
            {move || match mode.get() {
                ChangeMode::Closed => None,
                ChangeMode::Edit => Some(view! { <EditPlan hearing=hearing.get_value() change mode /> }.into_any()),
                m => Some(view! { <ReasonForm hearing=hearing.get_value() change mode=m close=mode /> }.into_any()),
            }}
        </section>
    }
}

#[component]
fn EditPlan(
    hearing: HearingRecord,
    change: ServerAction<ChangeHearing>,
    mode: RwSignal<ChangeMode>,
) -> impl IntoView {
    let tr = use_tr();
    let session = expect_context::<Session>();
    let context = Resource::new(move || session.version(), |_| form_context());
    let fields = PlanFields::from_plan(&hearing.plan);
    let reason = RwSignal::new(String::new());
    let local = RwSignal::new(None);
    let original = StoredValue::new(hearing.plan.clone());
    let was_postponed = hearing.status == HearingStatus::Postponed;
    let (hearing_id, version) = (StoredValue::new(hearing.id.clone()), hearing.version);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let plan = match fields.plan() {
            Ok(plan) => plan,
            Err(message) => {
                change.value().set(None);
                local.set(Some(message));
                return;
            }
        };
        // Moving a hearing affects everyone: the server wants a reason; say so first.
        let moved = was_postponed
            || original.with_value(|o| {
                plan.starts_at_ms != o.starts_at_ms
                    || plan.duration_min != o.duration_min
                    || plan.room != o.room
            });
        let why = Some(reason.get_untracked()).filter(|r| !r.trim().is_empty());
        if moved && why.is_none() {
            change.value().set(None);
            local.set(Some((
                "改期（时间、时长或听证室变更）须填写理由",
                "Moving the hearing (time, duration or room) needs a reason",
            )));
            return;
        }
        local.set(None);
        change.dispatch(ChangeHearing {
            hearing_id: hearing_id.get_value(),
            version,
            request: PlanRequest::Update { plan },
            reason: why,
        });
    };
    let pending = change.pending();
    view! {
        <Suspense fallback=move || view! { <p class="muted">{tr.s("加载中…", "Loading…")}</p> }>
            {move || {
                context
                    .get()
                    .map(|r| match r {
                        Ok(context) => {
                            view! {
                                <form method="post" class="form-grid" on:submit=submit data-testid="edit-plan-form" novalidate>
                                    <PlanInputs fields context />
                                    <label class="wide">
                                        <span>
                                            {tr.s("变更理由（改期时必填，将告知各方）", "Reason (required when moving; everyone is told)")}
                                        </span>
                                        <input
                                            data-testid="change-reason"
                                            prop:value=move || reason.get()
                                            on:input=move |ev| reason.set(event_target_value(&ev))
                                        />
                                    </label>
                                    <div class="wide stack">
                                        <LocalError message=local testid="change-local-error" />
                                        <ActionError result=change.value() testid="change-error" />
                                        <div class="actions">
                                            <button type="submit" data-testid="change-submit" disabled=move || pending.get()>
                                                {tr.s("保存变更", "Save changes")}
                                            </button>
                                            <button type="button" class="small" on:click=move |_| mode.set(ChangeMode::Closed)>
                                                {tr.s("放弃", "Discard")}
                                            </button>
                                        </div>
                                    </div>
                                </form>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <Refusal error=e /> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

/// 延期 or 取消: both need a reason; cancelling is final, so the form says so.
#[component]
fn ReasonForm(
    hearing: HearingRecord,
    change: ServerAction<ChangeHearing>,
    mode: ChangeMode,
    close: RwSignal<ChangeMode>,
) -> impl IntoView {
    let tr = use_tr();
    let reason = RwSignal::new(String::new());
    let local = RwSignal::new(None);
    let cancelling = mode == ChangeMode::Cancel;
    let (hearing_id, version) = (hearing.id, hearing.version);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let why = reason.get_untracked();
        if why.trim().is_empty() {
            change.value().set(None);
            local.set(Some(("请填写理由", "Give a reason")));
            return;
        }
        local.set(None);
        change.dispatch(ChangeHearing {
            hearing_id: hearing_id.clone(),
            version,
            request: if cancelling {
                PlanRequest::Cancel
            } else {
                PlanRequest::Postpone
            },
            reason: Some(why),
        });
    };
    let pending = change.pending();
    let (hint, caption, confirm) = if cancelling {
        (
            tr.s(
                "取消后不能恢复；各方当事人和评议员都会看到取消通知及理由。",
                "Cancelling is final; every party and panel member sees the notice and the reason.",
            ),
            tr.s("取消理由", "Reason for cancelling"),
            tr.s("确认取消听证", "Cancel the hearing"),
        )
    } else {
        (
            tr.s(
                "延期后听证会从日历中撤下，听证室和人员不再占用；确定新时间后用“修改 / 改期”重新排期。",
                "A postponed hearing leaves the calendar and frees its room and people; set the new date with “Edit / reschedule”.",
            ),
            tr.s("延期理由", "Reason for postponing"),
            tr.s("确认延期", "Postpone"),
        )
    };
    view! {
        <form method="post" class="stack" on:submit=submit data-testid=if cancelling { "cancel-form" } else { "postpone-form" }>
            <p class="muted">{hint}</p>
            <label>
                <span>{caption}</span>
                <textarea
                    rows="2"
                    data-testid="reason-input"
                    prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev))
                ></textarea>
            </label>
            <LocalError message=local testid="reason-local-error" />
            <ActionError result=change.value() testid="change-error" />
            <div class="actions">
                <button type="submit" class:danger=cancelling data-testid="reason-submit" disabled=move || pending.get()>
                    {confirm}
                </button>
                <button type="button" class="small" on:click=move |_| close.set(ChangeMode::Closed)>
                    {tr.s("返回", "Back")}
                </button>
            </div>
        </form>
    }
}

#[component]
fn PlanHistory(history: Vec<HearingVersion>) -> impl IntoView {
    let tr = use_tr();
    view! {
        <table class="table responsive" data-testid="plan-history">
            <thead>
                <tr>
                    <th>{tr.s("版本", "Version")}</th>
                    <th>{tr.s("时间", "At")}</th>
                    <th>{tr.s("操作人", "By")}</th>
                    <th>{tr.s("变更", "Change")}</th>
                    <th>{tr.s("理由", "Reason")}</th>
                    <th>{tr.s("安排", "Plan")}</th>
                </tr>
            </thead>
            <tbody>
                {history
                    .into_iter()
                    .rev()
                    .map(|v| {
                        let (at, change, status) = (v.at_ms, v.change, v.status);
                        let place = v.plan.place_label_zh();
                        let plan = v.plan;
                        view! {
                            <tr data-version=v.version data-change=change.code()>
                                <td class="nowrap" data-label=tr.s("版本", "Version")>{v.version}</td>
                                <td class="nowrap" data-label=tr.s("时间", "At")>{move || format_when(tr.lang(), at)}</td>
                                <td data-label=tr.s("操作人", "By")>{v.actor}</td>
                                <td class="nowrap" data-label=tr.s("变更", "Change")>{move || label(tr.lang(), change)}</td>
                                <td data-label=tr.s("理由", "Reason")>{v.reason.unwrap_or_else(|| "—".into())}</td>
                                <td data-label=tr.s("安排", "Plan")>
                                    {move || time_range(tr, &plan)} " · " {place} " "
                                    <StatusChip status />
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// A number of seats (0–15) for one quota of the template.
#[component]
fn QuotaInput(
    caption: impl Fn() -> &'static str + Copy + Send + Sync + 'static,
    testid: &'static str,
    value: RwSignal<u32>,
) -> impl IntoView {
    view! {
        <label class="quota">
            <span>{caption}</span>
            <input
                type="number"
                min="0"
                max="15"
                data-testid=testid
                prop:value=move || value.get().to_string()
                on:input=move |ev| {
                    if let Ok(n) = event_target_value(&ev).trim().parse::<u32>() {
                        value.set(n.min(15));
                    }
                }
            />
            <span class="muted">{"人"}</span>
        </label>
    }
}
