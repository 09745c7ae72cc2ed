//! 听后跟踪 (`/hearings/:id/aftercare`): what followed a hearing — the handling
//! decision, the two-way commitment, follow-up visits, satisfaction, repeat
//! petitions — and 回访任务 (`/aftercare`), the visits still to make.
//! Staff record; a party confirms its side and the petitioner rates.

use super::ActionError;
use super::home::Refusal;
use super::ui::{label, use_tr};
use crate::api::{
    AssignVisit, ConfirmCommitment, DraftCommitment, MarkRepeat, RateHandling, RecordOutcome,
    RecordVisit, UnmarkRepeat, aftercare, open_visits,
};
use crate::domain::aftercare::{
    Commitment, CommitmentWording, Confirmation, FollowUpState, generated_commitment,
};
use crate::domain::case::Coded;
use crate::domain::clock::{CHINA_OFFSET_SECONDS, format_zh};
use crate::domain::stats::{Resolution, Satisfaction};
use crate::model::{AftercareView, FollowUpRecord, PersonRef, VisitTask};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use std::collections::HashMap;

/// Bumped after every change the page makes, so the view loads again; and the
/// text typed but not yet saved, which that reload would otherwise throw away
/// (a save in one section re-renders every section).
///
/// The page stays mounted when the route's `:id` changes (a link from one
/// hearing's aftercare to another's), so every draft is keyed by the hearing
/// whose sections it was typed in: another hearing's text is never offered.
#[derive(Clone, Copy)]
struct Reload {
    count: RwSignal<u32>,
    /// The hearing whose sections are being built.
    shown: StoredValue<String>,
    drafts: StoredValue<HashMap<String, String>>,
}

impl Reload {
    fn new() -> Self {
        Self {
            count: RwSignal::new(0),
            shown: StoredValue::new(String::new()),
            drafts: StoredValue::new(HashMap::new()),
        }
    }

    /// Called before the sections of `hearing_id` are built: their fields and
    /// saves use its drafts; the drafts of any other hearing are dropped.
    fn showing(self, hearing_id: &str) {
        self.shown.set_value(hearing_id.to_owned());
        let own = self.scoped("");
        self.drafts
            .update_value(|d| d.retain(|typed, _| typed.starts_with(&own)));
    }

    /// `key` as stored: under the hearing shown.
    fn scoped(self, key: &str) -> String {
        format!("{}/{key}", self.shown.get_value())
    }

    /// Reloads once `value` succeeds, first forgetting the drafts under `saved`
    /// (the section that was saved now shows what the server kept).
    fn after<T: Clone + Send + Sync + 'static>(
        self,
        value: impl Into<Signal<Option<Result<T, crate::error::ApiError>>>>,
        saved: impl Into<String>,
    ) {
        let value = value.into();
        let saved = self.scoped(&saved.into());
        Effect::new(move |_| {
            if matches!(value.get(), Some(Ok(_))) {
                self.drafts
                    .update_value(|d| d.retain(|key, _| !key.starts_with(&saved)));
                self.count.update(|v| *v += 1);
            }
        });
    }

    /// A text field: its unsaved draft if one survived a reload, else `saved`.
    /// Only what the user changes becomes a draft.
    fn field(self, key: String, saved: String) -> RwSignal<String> {
        let key = self.scoped(&key);
        let start = self.drafts.with_value(|d| d.get(&key).cloned());
        let text = RwSignal::new(start.unwrap_or(saved));
        Effect::new(move |first_run: Option<()>| {
            let now = text.get();
            if first_run.is_some() {
                self.drafts.update_value(|d| {
                    d.insert(key.clone(), now);
                });
            }
        });
        text
    }
}

#[component]
pub fn AftercarePage() -> impl IntoView {
    let tr = use_tr();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let reload = Reload::new();
    provide_context(reload);
    let view_data = Resource::new(move || (reload.count.get(), id()), |(_, id)| aftercare(id));
    view! {
        <Suspense fallback=move || view! { <p class="muted">{tr.s("加载中…", "Loading…")}</p> }>
            {move || view_data.get().map(|r| match r {
                Ok(v) => view! { <Aftercare v /> }.into_any(),
                Err(e) => view! { <Refusal error=e /> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn Aftercare(v: AftercareView) -> impl IntoView {
    let tr = use_tr();
    expect_context::<Reload>().showing(&v.hearing.id);
    let staff_view = !v.is_party;
    let h = v.hearing.clone();
    view! {
        <div class="page-head">
            <div>
                <p class="muted case-number">{h.case_number.clone()}</p>
                <h1 data-testid="aftercare-title">{tr.s("听后跟踪", "After the hearing")}" · "{h.title.clone()}</h1>
                <p class="muted">{tr.s("听证日期：", "Held on: ")}{v.held_on.format_zh()}</p>
            </div>
            <div class="actions">
                {(v.can_manage).then(|| view! {
                    <a class="button secondary" href=format!("/cases/{}", v.case_id)>{tr.s("查看案件", "Case")}</a>
                    <a class="button secondary" href="/aftercare">{tr.s("回访任务", "Visits to make")}</a>
                })}
            </div>
        </div>
        {(!v.is_held).then(|| view! {
            <p class="notice" data-testid="aftercare-not-held">{tr.s("听证尚未举行，举行后才能录入处理结果和回访。", "The hearing has not been held yet.")}</p>
        })}
        {staff_view.then(|| view! { <StaffSections v=v.clone() /> })}
        {(!staff_view).then(|| view! { <PartySections v=v.clone() /> })}
    }
    .into_any()
}

#[component]
fn StaffSections(v: AftercareView) -> impl IntoView {
    let tr = use_tr();
    let hearing = v.hearing.id.clone();
    let first_draft = generated_commitment(
        &v.petitioners,
        &v.agencies,
        v.outcome.as_ref().map(|o| &o.outcome),
    );
    view! {
        {v.case_still_open.map(|open| view! { <super::cases::StillOpenWarning open /> })}
        <section class="card" data-testid="panel-conclusion">
            <h2>{tr.s("评议意见", "The panel's opinion")}</h2>
            {match v.panel_conclusion.clone() {
                Some(text) => view! { <p class="prewrap">{text}</p> }.into_any(),
                None => view! { <p class="muted">{tr.s("纪要中尚无评议结论", "No conclusion recorded in the minutes")}</p> }.into_any(),
            }}
        </section>
        <OutcomeSection hearing=hearing.clone() v=v.clone() />
        <CommitmentSection hearing=hearing.clone() commitment=v.commitment.clone() first_draft can_manage=v.can_manage />
        <VisitsSection visits=v.follow_ups.clone() staff=v.staff.clone() can_manage=v.can_manage policy_text=v.policy.to_setting_text() />
        <RatingSection hearing=hearing.clone() v=v.clone() />
        <RepeatSection hearing=hearing.clone() v=v.clone() />
        {v.can_invite.then(|| view! { <InviteBack hearing /> })}
    }
    .into_any()
}

/// The hearing's host invites the two sides back by link (the room's panel).
#[component]
fn InviteBack(hearing: String) -> impl IntoView {
    let tr = use_tr();
    view! {
        <section class="card" data-testid="aftercare-invite">
            <h2>{tr.s("邀请当事人确认承诺、评价办理", "Invite the parties to confirm and rate")}</h2>
            <p class="muted">{tr.s("向信访人或责任单位发送一次性链接：对方可确认承诺书，信访人可评价满意度。", "Send a one-time link: the side confirms its commitment; the petitioner rates the handling.")}</p>
            {view! { <super::invite::InvitePanel hearing_id=hearing /> }.into_any()}
        </section>
    }
    .into_any()
}

#[component]
fn OutcomeSection(hearing: String, v: AftercareView) -> impl IntoView {
    let tr = use_tr();
    let action = ServerAction::<RecordOutcome>::new();
    let reload = expect_context::<Reload>();
    reload.after(action.value(), "outcome.");
    let current = v.outcome.clone();
    let decision = reload.field(
        "outcome.decision".into(),
        current
            .as_ref()
            .map(|o| o.outcome.decision.clone())
            .unwrap_or_default(),
    );
    let decided_on = reload.field(
        "outcome.date".into(),
        current
            .as_ref()
            .map(|o| o.outcome.decided_on.to_string())
            .unwrap_or_default(),
    );
    let resolution = reload.field(
        "outcome.resolution".into(),
        current
            .as_ref()
            .map_or(Resolution::Resolved, |o| o.outcome.resolution)
            .code()
            .to_owned(),
    );
    let hearing = StoredValue::new(hearing);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(RecordOutcome {
            hearing_id: hearing.get_value(),
            decision: decision.get_untracked(),
            decided_on: decided_on.get_untracked(),
            resolution: resolution.get_untracked(),
        });
    };
    let summary = current.map(|o| {
        let text = format!(
            "{} · {} · {}",
            o.outcome.resolution.label_zh(),
            o.outcome.decided_on.format_zh(),
            o.recorded_by
        );
        view! { <p data-testid="outcome-current" data-resolution=o.outcome.resolution.code()>{text}</p> }
    });
    view! {
        <section class="card" data-testid="outcome-section">
            <h2>{tr.s("处理结果", "Handling decision")}</h2>
            {summary}
            {v.can_manage.then(|| view! {
                <form method="post" class="stack" on:submit=submit data-testid="outcome-form">
                    <label>{tr.s("处理决定（答复意见）", "Decision")}
                        <textarea rows="3" data-testid="outcome-decision" prop:value=move || decision.get()
                            on:input=move |ev| decision.set(event_target_value(&ev))></textarea>
                    </label>
                    <div class="row">
                        <label>{tr.s("决定日期", "Decided on")}
                            <input type="date" data-testid="outcome-date" prop:value=move || decided_on.get()
                                on:input=move |ev| decided_on.set(event_target_value(&ev)) />
                        </label>
                        <label>{tr.s("化解情况", "Resolution")}
                            <select data-testid="outcome-resolution" on:change=move |ev| resolution.set(event_target_value(&ev))>
                                {Resolution::ALL.iter().map(|r| {
                                    let code = r.code();
                                    view! { <option value=code selected=move || resolution.get() == code>{move || label(tr.lang(), *r)}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                    </div>
                    <p class="muted">{move || if tr.is_zh() {
                        format!("保存后按 {} 天自动安排回访（可在设置中修改）", v.policy.to_setting_text())
                    } else {
                        format!("Follow-up visits are scheduled {} days after the decision", v.policy.to_setting_text())
                    }}</p>
                    <button type="submit" data-testid="outcome-save" disabled=move || action.pending().get()>{tr.s("保存处理结果", "Save")}</button>
                    <ActionError result=action.value() testid="outcome-error" />
                </form>
            })}
        </section>
    }
    .into_any()
}

fn confirmation_text(c: Option<&Confirmation>) -> String {
    match c {
        Some(c) if c.on_paper => format!("已书面签署（{} 上传扫描件）", c.by),
        Some(c) => format!(
            "已确认：{}，{}",
            c.by,
            format_zh(c.at_ms, CHINA_OFFSET_SECONDS)
        ),
        None => "待确认".into(),
    }
}

/// The commitment as saved; before there is one, the wording generated from
/// the hearing (`first_draft`), for staff to edit and save.
#[component]
fn CommitmentSection(
    hearing: String,
    commitment: Option<Commitment>,
    first_draft: CommitmentWording,
    can_manage: bool,
) -> impl IntoView {
    let tr = use_tr();
    let action = ServerAction::<DraftCommitment>::new();
    let reload = expect_context::<Reload>();
    reload.after(action.value(), "commitment.");
    let wording = commitment
        .as_ref()
        .map_or(first_draft, |c| CommitmentWording {
            agency_text: c.agency_text.clone(),
            petitioner_text: c.petitioner_text.clone(),
        });
    let agency = reload.field("commitment.agency".into(), wording.agency_text);
    let petitioner = reload.field("commitment.petitioner".into(), wording.petitioner_text);
    let hearing = StoredValue::new(hearing);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(DraftCommitment {
            hearing_id: hearing.get_value(),
            agency_text: agency.get_untracked(),
            petitioner_text: petitioner.get_untracked(),
        });
    };
    let status = commitment.as_ref().map(|c| {
        let complete = c.is_complete();
        view! {
            <ul class="plain" data-testid="commitment-status" data-complete=complete.to_string()>
                <li data-testid="commitment-agency">{"责任单位："}{confirmation_text(c.agency.as_ref())}</li>
                <li data-testid="commitment-petitioner">{"信访人："}{confirmation_text(c.petitioner.as_ref())}</li>
            </ul>
            {c.scan_sha256.clone().map(|sha| view! {
                <p><a href=format!("/hearings/{}/commitment/scan", hearing.get_value()) rel="external" data-testid="commitment-scan">{tr.s("下载签署扫描件", "Download the signed scan")}</a>
                " "<code class="sha" title="SHA-256">{sha.chars().take(16).collect::<String>()}"…"</code></p>
            })}
        }
    });
    let has_commitment = commitment.is_some();
    view! {
        <section class="card" data-testid="commitment-section">
            <h2>{tr.s("双向承诺书", "Two-way commitment")}</h2>
            {status}
            {can_manage.then(|| view! {
                <form method="post" class="stack" on:submit=submit data-testid="commitment-form">
                    {(!has_commitment).then(|| view! {
                        <p class="notice" data-testid="commitment-generated">{tr.s(
                            "以下承诺内容根据听证案件和处理决定自动生成，请核对、修改后保存。",
                            "Generated from the hearing and its decision: check and edit before saving.",
                        )}</p>
                    })}
                    <label>{tr.s("责任单位承诺", "The agency commits to")}
                        <textarea rows="4" data-testid="commitment-agency-text" prop:value=move || agency.get()
                            on:input=move |ev| agency.set(event_target_value(&ev))></textarea>
                    </label>
                    <label>{tr.s("信访人承诺", "The petitioner commits to")}
                        <textarea rows="3" data-testid="commitment-petitioner-text" prop:value=move || petitioner.get()
                            on:input=move |ev| petitioner.set(event_target_value(&ev))></textarea>
                    </label>
                    <p class="muted">{tr.s("承诺内容修改后，双方须重新确认。", "A changed wording must be confirmed again by both sides.")}</p>
                    <button type="submit" data-testid="commitment-save" disabled=move || action.pending().get()>{tr.s("保存承诺书", "Save")}</button>
                    <ActionError result=action.value() testid="commitment-error" />
                </form>
                {has_commitment.then(|| view! {
                    <form method="post" enctype="multipart/form-data" class="row"
                        action=format!("/hearings/{}/commitment/scan", hearing.get_value()) data-testid="scan-form">
                        <label>{tr.s("书面签署的扫描件（PDF 或图片）", "Scan signed on paper (PDF or image)")}
                            <input type="file" name="file" accept="application/pdf,image/jpeg,image/png,image/webp" required />
                        </label>
                        <button type="submit" class="secondary">{tr.s("上传扫描件", "Upload the scan")}</button>
                        // Printed, signed by both sides on paper, then scanned and uploaded here.
                        <a class="button secondary" rel="external" data-testid="commitment-print"
                            href=format!("/hearings/{}/commitment/print", hearing.get_value())>{tr.s("打印承诺书", "Print the commitment")}</a>
                    </form>
                })}
            })}
        </section>
    }
    .into_any()
}

fn state_text(lang_zh: bool, state: FollowUpState) -> String {
    if lang_zh {
        return state.label_zh();
    }
    match state {
        FollowUpState::Done => "Done".into(),
        FollowUpState::Overdue { days } => format!("{days} days overdue"),
        FollowUpState::Pending { days_left } => format!("due in {days_left} days"),
    }
}

#[component]
fn VisitsSection(
    visits: Vec<FollowUpRecord>,
    staff: Vec<PersonRef>,
    can_manage: bool,
    policy_text: String,
) -> impl IntoView {
    let tr = use_tr();
    if visits.is_empty() {
        return view! {
            <section class="card" data-testid="visits-section">
                <h2>{tr.s("回访", "Follow-up visits")}</h2>
                <p class="muted">{move || if tr.is_zh() {
                    format!("录入处理结果后按 {policy_text} 天自动安排回访")
                } else {
                    format!("Visits are scheduled {policy_text} days after the decision is recorded")
                }}</p>
            </section>
        }
        .into_any();
    }
    view! {
        <section class="card" data-testid="visits-section">
            <h2>{tr.s("回访", "Follow-up visits")}</h2>
            <table class="table">
                <thead><tr>
                    <th>{tr.s("到期日", "Due")}</th>
                    <th>{tr.s("状态", "State")}</th>
                    <th>{tr.s("回访人", "Visitor")}</th>
                    <th>{tr.s("回访记录", "Record")}</th>
                </tr></thead>
                <tbody>
                    {visits.into_iter().map(|f| view! { <VisitRow f staff=staff.clone() can_manage /> }).collect_view()}
                </tbody>
            </table>
        </section>
    }
    .into_any()
}

#[component]
fn VisitRow(f: FollowUpRecord, staff: Vec<PersonRef>, can_manage: bool) -> impl IntoView {
    let tr = use_tr();
    let reload = expect_context::<Reload>();
    let assign = ServerAction::<AssignVisit>::new();
    let record = ServerAction::<RecordVisit>::new();
    // Drafts per visit, keyed by its id; an assignment keeps the typed note.
    let drafts = format!("visit.{}.", f.id);
    reload.after(assign.value(), "visit.assign.");
    reload.after(record.value(), drafts.clone());
    let id = StoredValue::new(f.id.clone());
    let assignee = RwSignal::new(f.assignee_id.clone().unwrap_or_default());
    let done_on = reload.field(format!("{drafts}date"), super::ui::today().to_string());
    let note = reload.field(format!("{drafts}note"), String::new());
    let state = f.state;
    let open = f.done_on.is_none();
    // A refused assignment shows who still holds the visit.
    let held_by = f.assignee_id.clone().unwrap_or_default();
    Effect::new(move |_| {
        if matches!(assign.value().get(), Some(Err(_))) {
            assignee.set(held_by.clone());
        }
    });
    let on_assign = move |ev: leptos::ev::Event| {
        let who = event_target_value(&ev);
        assignee.set(who.clone());
        assign.dispatch(AssignVisit {
            follow_up_id: id.get_value(),
            assignee_id: who,
        });
    };
    let on_record = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        record.dispatch(RecordVisit {
            follow_up_id: id.get_value(),
            done_on: done_on.get_untracked(),
            note: note.get_untracked(),
        });
    };
    let who = f.assignee_name.clone().unwrap_or_else(|| "—".into());
    view! {
        <tr data-testid="visit-row" data-state=state.code()>
            <td>{f.due_on.format_zh()}</td>
            <td><span class=format!("chip {}", state.code()) data-testid="visit-state">{move || state_text(tr.is_zh(), state)}</span></td>
            <td>
                {if can_manage && open {
                    view! {
                        <select data-testid="visit-assignee" on:change=on_assign>
                            // A visit cannot be unassigned: the placeholder shows only while nobody holds it.
                            {assignee.get_untracked().is_empty().then(|| view! {
                                <option value="" disabled=true selected=true>{tr.s("（请指派）", "(assign)")}</option>
                            })}
                            {staff.iter().map(|p| {
                                let id = p.id.clone();
                                let mine = id.clone();
                                view! { <option value=id selected=move || assignee.get() == mine>{p.name.clone()}</option> }
                            }).collect_view()}
                        </select>
                    }.into_any()
                } else {
                    view! { <span>{who}</span> }.into_any()
                }}
                <ActionError result=assign.value() testid="visit-assign-error" />
            </td>
            <td>
                {match (f.done_on, can_manage) {
                    (Some(day), _) => view! {
                        <p class="prewrap" data-testid="visit-note">{day.format_zh()}" "{f.recorded_by.clone().unwrap_or_default()}"："{f.note.clone().unwrap_or_default()}</p>
                    }.into_any(),
                    (None, true) => view! {
                        <form method="post" class="stack" on:submit=on_record data-testid="visit-form">
                            <input type="date" data-testid="visit-date" prop:value=move || done_on.get() on:input=move |ev| done_on.set(event_target_value(&ev)) />
                            <textarea rows="2" data-testid="visit-note-input" placeholder="回访方式、履行情况、信访人意见"
                                prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                            <button type="submit" data-testid="visit-save" disabled=move || record.pending().get()>{tr.s("记录回访", "Record the visit")}</button>
                            <ActionError result=record.value() testid="visit-error" />
                        </form>
                    }.into_any(),
                    (None, false) => view! { <span class="muted">"—"</span> }.into_any(),
                }}
            </td>
        </tr>
    }
    .into_any()
}

fn rating_line(r: &crate::domain::aftercare::Rating) -> String {
    let comment = if r.comment.is_empty() {
        String::new()
    } else {
        format!("：{}", r.comment)
    };
    format!(
        "{}（{}，{}，{}）{comment}",
        r.rating.label_zh(),
        r.source.label_zh(),
        r.recorded_by,
        format_zh(r.at_ms, CHINA_OFFSET_SECONDS)
    )
}

/// The 满意 / 基本满意 / 不满意 choice and a comment.
#[component]
fn RatingForm(hearing: String, testid: &'static str) -> impl IntoView {
    let tr = use_tr();
    let action = ServerAction::<RateHandling>::new();
    let reload = expect_context::<Reload>();
    reload.after(action.value(), "rating.");
    let rating = reload.field("rating.choice".into(), String::new());
    let comment = reload.field("rating.comment".into(), String::new());
    let hearing = StoredValue::new(hearing);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(RateHandling {
            hearing_id: hearing.get_value(),
            rating: rating.get_untracked(),
            comment: comment.get_untracked(),
        });
    };
    view! {
        <form method="post" class="stack" on:submit=submit data-testid=testid>
            <div class="row" role="radiogroup">
                {Satisfaction::ALL.iter().map(|s| {
                    let code = s.code();
                    view! {
                        <label class="choice">
                            <input type="radio" name="rating" value=code data-testid=format!("rate-{code}")
                                prop:checked=move || rating.get() == code on:change=move |_| rating.set(code.to_owned()) />
                            {move || label(tr.lang(), *s)}
                        </label>
                    }
                }).collect_view()}
            </div>
            <textarea rows="2" data-testid="rate-comment" placeholder="意见或建议（可不填）"
                prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
            <button type="submit" data-testid="rate-save" disabled=move || action.pending().get() || rating.get().is_empty()>
                {tr.s("提交评价", "Submit")}
            </button>
            <ActionError result=action.value() testid="rate-error" />
        </form>
    }
    .into_any()
}

#[component]
fn RatingSection(hearing: String, v: AftercareView) -> impl IntoView {
    let tr = use_tr();
    let (code, line) = v.ratings.first().map_or(("", "尚无评价".to_owned()), |r| {
        (r.rating.code(), rating_line(r))
    });
    let earlier: Vec<String> = v.ratings.iter().skip(1).map(rating_line).collect();
    view! {
        <section class="card" data-testid="rating-section">
            <h2>{tr.s("满意度", "Satisfaction")}</h2>
            <p data-testid="rating-current" data-rating=code><strong>{line}</strong></p>
            {(!earlier.is_empty()).then(|| view! {
                <details><summary>{tr.s("此前的评价", "Earlier ratings")}</summary>
                    <ul class="plain">{earlier.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
                </details>
            })}
            {v.can_manage.then(|| view! {
                <p class="muted">{tr.s("电话或上门回访时由工作人员录入信访人的评价：", "Record the petitioner's rating given on a call or visit:")}</p>
                <RatingForm hearing testid="staff-rating-form" />
            })}
        </section>
    }
    .into_any()
}

#[component]
fn RepeatSection(hearing: String, v: AftercareView) -> impl IntoView {
    let tr = use_tr();
    let reload = expect_context::<Reload>();
    let mark = ServerAction::<MarkRepeat>::new();
    let unmark = ServerAction::<UnmarkRepeat>::new();
    reload.after(mark.value(), "repeat.");
    reload.after(unmark.value(), "repeat.unmark.");
    let chosen = reload.field("repeat.case".into(), String::new());
    // A drafted choice no longer offered (linked meanwhile) is not kept hidden.
    let still_offered =
        chosen.with_untracked(|c| c.is_empty() || v.repeat_candidates.iter().any(|x| &x.id == c));
    if !still_offered {
        chosen.set(String::new());
    }
    let hearing = StoredValue::new(hearing);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        mark.dispatch(MarkRepeat {
            hearing_id: hearing.get_value(),
            case_id: chosen.get_untracked(),
        });
    };
    let can_manage = v.can_manage;
    view! {
        <section class="card" data-testid="repeat-section">
            <h2>{tr.s("重复信访", "Repeat petitions")}</h2>
            {if v.repeats.is_empty() {
                view! { <p class="muted" data-testid="repeat-none">{tr.s("评议后未见重复信访", "No repeat petition since the review")}</p> }.into_any()
            } else {
                view! {
                    <ul class="plain">
                        {v.repeats.iter().map(|r| {
                            let case_id = r.case.id.clone();
                            view! {
                                <li data-testid="repeat-row">
                                    <a href=format!("/cases/{}", r.case.id)>{r.case.number.clone()}</a>" "{r.case.title.clone()}
                                    <span class="muted">{format!("（{} 登记）", r.marked_by)}</span>
                                    {can_manage.then(|| view! {
                                        " "<button class="link" data-testid="repeat-unmark" on:click=move |_| {
                                            unmark.dispatch(UnmarkRepeat { hearing_id: hearing.get_value(), case_id: case_id.clone() });
                                        }>{tr.s("解除关联", "Remove")}</button>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {(can_manage && !v.repeat_candidates.is_empty()).then(|| view! {
                <form method="post" class="row" on:submit=submit data-testid="repeat-form">
                    <label>{tr.s("登记为本次听证后的重复信访：", "Mark a later case as a repeat:")}
                        <select data-testid="repeat-case" on:change=move |ev| chosen.set(event_target_value(&ev))>
                            <option value="" selected=move || chosen.get().is_empty()>{tr.s("（选择案件）", "(choose a case)")}</option>
                            // `chosen` may come back from a draft after another section's
                            // save: the box shows it, so no hidden case is marked.
                            {v.repeat_candidates.iter().map(|c| {
                                let id = c.id.clone();
                                view! { <option value=c.id.clone() selected=move || chosen.get() == id>{format!("{} {}", c.number, c.title)}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <button type="submit" data-testid="repeat-save" disabled=move || chosen.get().is_empty()>{tr.s("登记", "Mark")}</button>
                </form>
            })}
            <ActionError result=mark.value() testid="repeat-error" />
            <ActionError result=unmark.value() testid="repeat-unmark-error" />
        </section>
    }
    .into_any()
}

/// What a party sees: the commitment to confirm, and (the petitioner) the rating.
#[component]
fn PartySections(v: AftercareView) -> impl IntoView {
    let tr = use_tr();
    let confirm = ServerAction::<ConfirmCommitment>::new();
    expect_context::<Reload>().after(confirm.value(), "confirm.");
    let hearing = StoredValue::new(v.hearing.id.clone());
    // The wording as shown: confirming words changed since is refused.
    let seen = StoredValue::new(
        v.commitment
            .as_ref()
            .map(|c| (c.agency_text.clone(), c.petitioner_text.clone()))
            .unwrap_or_default(),
    );
    let commitment = v.commitment.clone().map(|c| {
        let mine = v.my_side.and_then(|side| c.confirmation(side).cloned().map(|x| (side, x)));
        view! {
            <dl class="facts">
                <dt>{"责任单位承诺"}</dt><dd class="prewrap">{c.agency_text.clone()}</dd>
                <dt>{"信访人承诺"}</dt><dd class="prewrap">{c.petitioner_text.clone()}</dd>
            </dl>
            {match (v.my_side, mine) {
                (Some(_), Some((side, x))) => view! {
                    <p class="ok" data-testid="commitment-mine">{format!("{}已确认（{}）", side.label_zh(), format_zh(x.at_ms, CHINA_OFFSET_SECONDS))}</p>
                }.into_any(),
                (Some(side), None) => view! {
                    <button data-testid="commitment-confirm" disabled=move || confirm.pending().get()
                        on:click=move |_| { confirm.dispatch(ConfirmCommitment {
                            hearing_id: hearing.get_value(),
                            agency_text: seen.get_value().0,
                            petitioner_text: seen.get_value().1,
                        }); }>
                        {format!("我方（{}）确认以上承诺", side.label_zh())}
                    </button>
                }.into_any(),
                (None, _) => ().into_any(),
            }}
            <ActionError result=confirm.value() testid="commitment-confirm-error" />
        }
        .into_any()
    });
    let mine = v.ratings.first().map(|r| r.rating);
    view! {
        <section class="card" data-testid="party-commitment">
            <h2>{tr.s("双向承诺书", "Two-way commitment")}</h2>
            {commitment.unwrap_or_else(|| view! {
                <p class="muted">{tr.s("承诺书尚未拟定", "Not drafted yet")}</p>
            }.into_any())}
        </section>
        {v.may_rate.then(|| view! {
            <section class="card" data-testid="party-rating">
                <h2>{tr.s("对本次办理的评价", "How was your case handled?")}</h2>
                {mine.map(|m| view! { <p class="ok" data-testid="rating-mine">{format!("您已评价：{}（可重新评价，以最后一次为准）", m.label_zh())}</p> })}
                <RatingForm hearing=hearing.get_value() testid="party-rating-form" />
            </section>
        })}
    }
    .into_any()
}

/// 回访任务: visits still to make, overdue first by due date; mine or everyone's.
#[component]
pub fn VisitsPage() -> impl IntoView {
    let tr = use_tr();
    let everyone = RwSignal::new(false);
    let visits = Resource::new(move || everyone.get(), open_visits);
    view! {
        <div class="page-head">
            <h1>{tr.s("回访任务", "Follow-up visits to make")}</h1>
            <label class="choice">
                <input type="checkbox" data-testid="visits-everyone" prop:checked=move || everyone.get()
                    on:change=move |ev| everyone.set(event_target_checked(&ev)) />
                {tr.s("显示全部人员的任务", "Everybody's visits")}
            </label>
        </div>
        <Suspense fallback=move || view! { <p class="muted">{tr.s("加载中…", "Loading…")}</p> }>
            {move || visits.get().map(|r| match r {
                Ok(list) => view! { <VisitTable list /> }.into_any(),
                Err(e) => view! { <Refusal error=e /> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn VisitTable(list: Vec<VisitTask>) -> impl IntoView {
    let tr = use_tr();
    if list.is_empty() {
        return view! { <p class="muted" data-testid="visits-empty">{tr.s("没有待办的回访", "No visits to make")}</p> }.into_any();
    }
    view! {
        <table class="table" data-testid="visits-list">
            <thead><tr>
                <th>{tr.s("案号", "Case")}</th>
                <th>{tr.s("到期日", "Due")}</th>
                <th>{tr.s("状态", "State")}</th>
                <th>{tr.s("回访人", "Visitor")}</th>
            </tr></thead>
            <tbody>
                {list.into_iter().map(|t| {
                    let state = t.follow_up.state;
                    view! {
                        <tr data-testid="visit-task" data-state=state.code()>
                            <td><a href=format!("/hearings/{}/aftercare", t.hearing_id)>{t.case_number.clone()}</a><br /><span class="muted">{t.case_title.clone()}</span></td>
                            <td>{t.follow_up.due_on.format_zh()}</td>
                            <td><span class=format!("chip {}", state.code())>{move || state_text(tr.is_zh(), state)}</span></td>
                            <td>{t.follow_up.assignee_name.clone().unwrap_or_else(|| "—".into())}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
