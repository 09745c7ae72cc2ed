//! 评议团抽选: the host seats a hearing's panel in public steps — freeze the pool
//! and publish the input hash, enter the public values and draw, then record
//! declines and recusals while alternates are promoted.

use super::home::Refusal;
use super::ui::{LocalError, label, use_tr};
use super::{ActionError, Session};
use crate::api::{
    CommitDraw, PanelPage, PreviewDraw, RecordSeatChange, RevealDraw, VoidDraw, panel_view,
};
use crate::domain::pool::{DEFAULT_ALTERNATES, DrawChoices, Leaving, MAX_ALTERNATES, PanelState};
use crate::domain::sortition::{Exclusion, ExclusionKind, describe_quota_zh};
use crate::model::{DrawRecord, DrawStatus};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

fn categories_text(tags: &[String]) -> String {
    crate::domain::sortition::tags_label_zh(tags)
}

#[component]
pub fn PanelDrawPage() -> impl IntoView {
    let tr = use_tr();
    let session = expect_context::<Session>();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    // Bumped after every change so the page reloads the panel.
    let changed = RwSignal::new(0u32);
    let view_data = Resource::new(
        move || (id(), session.version(), changed.get()),
        |(id, _, _)| panel_view(id),
    );
    view! {
        <Transition fallback=move || view! { <p class="muted">{tr.s("加载中…", "Loading…")}</p> }>
            {move || view_data.get().map(|r| match r {
                Ok(page) => view! { <PanelBody page changed /> }.into_any(),
                Err(e) => view! { <Refusal error=e /> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn PanelBody(page: PanelPage, changed: RwSignal<u32>) -> impl IntoView {
    let tr = use_tr();
    let h = page.hearing.clone();
    let live = page
        .draws
        .iter()
        .rev()
        .find(|d| d.status != DrawStatus::Void)
        .cloned();
    let voided: Vec<DrawRecord> = page
        .draws
        .iter()
        .filter(|d| d.status == DrawStatus::Void)
        .cloned()
        .collect();
    let quotas = h
        .plan
        .quotas
        .iter()
        .map(|q| describe_quota_zh(q, h.plan.panel_size))
        .collect::<Vec<_>>()
        .join("；");
    let step = match (&live, page.can_draw) {
        (None, true) => view! { <CommitStep hearing_id=h.id.clone() changed /> }.into_any(),
        (None, false) => view! { <p class="muted" data-testid="panel-not-drawn">{tr.s("评议团尚未抽选。", "The panel has not been drawn yet.")}</p> }.into_any(),
        (Some(d), can) if d.status == DrawStatus::Committed => view! { <RevealStep draw=d.clone() can_draw=can changed /> }.into_any(),
        (Some(d), can) => view! { <SeatsStep draw=d.clone() panel=page.panel.clone() can_draw=can changed /> }.into_any(),
    };
    view! {
        <p><a href=format!("/hearings/{}/plan", h.id)>{tr.s("← 听证安排", "← Hearing plan")}</a></p>
        <h1>{tr.s("评议团抽选", "Seating the panel")}</h1>
        <p class="lead">{h.plan.title.clone()}</p>
        <dl class="facts compact">
            <dt>{tr.s("评议团人数", "Panel size")}</dt><dd>{h.plan.panel_size}</dd>
            <dt>{tr.s("名额要求", "Quotas")}</dt><dd data-testid="panel-quotas">{quotas}</dd>
        </dl>
        {step}
        {(!voided.is_empty()).then(|| view! {
            <section class="card">
                <h2>{tr.s("已作废的抽选", "Voided draws")}</h2>
                <ul>
                    {voided.into_iter().map(|d| view! {
                        <li><a href=format!("/public/draws/{}", d.id) rel="external">{d.input_hash[..16].to_owned()} "…"</a>
                            " " {d.void_reason.clone().unwrap_or_default()}</li>
                    }).collect_view()}
                </ul>
            </section>
        })}
    }
}

/// Step 1: alternates and recusals, the preview, then the commit.
#[component]
fn CommitStep(hearing_id: String, changed: RwSignal<u32>) -> impl IntoView {
    let tr = use_tr();
    let alternates = RwSignal::new(DEFAULT_ALTERNATES.to_string());
    let recusals = RwSignal::new(String::new());
    let local = RwSignal::new(None);
    let preview = ServerAction::<PreviewDraw>::new();
    let commit = ServerAction::<CommitDraw>::new();
    let choices = move || -> Option<DrawChoices> {
        let alternates = alternates
            .get_untracked()
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n <= MAX_ALTERNATES)?;
        let mut list = Vec::new();
        for line in recusals
            .get_untracked()
            .lines()
            .filter(|l| !l.trim().is_empty())
        {
            let (id, reason) = line.trim().split_once([' ', '\u{3000}', '：', ':'])?;
            list.push(Exclusion::new(
                id.trim(),
                ExclusionKind::Recusal,
                reason.trim(),
            ));
        }
        Some(DrawChoices {
            alternates,
            recusals: list,
        })
    };
    let refuse = move || {
        local.set(Some((
            "候补人数须为 0–10；回避每行写“成员编号 理由”，如“M012 信访人申请回避，主持人准许”",
            "Alternates 0–10; recusals one per line as “M012 reason”",
        )))
    };
    let hid = hearing_id.clone();
    let on_preview = move |_| match choices() {
        Some(choices) => {
            local.set(None);
            preview.dispatch(PreviewDraw {
                hearing_id: hid.clone(),
                choices,
            });
        }
        None => refuse(),
    };
    let hid = hearing_id.clone();
    let on_commit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match choices() {
            Some(choices) => {
                local.set(None);
                commit.dispatch(CommitDraw {
                    hearing_id: hid.clone(),
                    choices,
                });
            }
            None => refuse(),
        }
    };
    Effect::new(move || {
        if let Some(Ok(_)) = commit.value().get() {
            changed.update(|n| *n += 1);
        }
    });
    view! {
        <form method="post" class="card stack" on:submit=on_commit data-testid="draw-commit-form">
            <h2>{tr.s("第一步：冻结名单，公布输入摘要", "Step 1: freeze the pool and publish the input hash")}</h2>
            <p class="muted">{tr.s(
                "冻结时，系统按在册成员、名额要求和回避情形生成抽选输入，并公布其 SHA-256 摘要。此后任何改动都会改变摘要；随机数在公布之后才产生，任何人都无法事先挑选评议员。",
                "Freezing fixes the active members, quotas and exclusions and publishes their SHA-256 hash; the random values come only afterwards, so nobody can pick the panel.",
            )}</p>
            <label>
                <span>{tr.s("候补人数", "Alternates")}</span>
                <input type="number" min="0" max=MAX_ALTERNATES class="short" data-testid="draw-alternates"
                    prop:value=move || alternates.get() on:input=move |ev| alternates.set(event_target_value(&ev)) />
            </label>
            <label>
                <span>{tr.s("回避（每行：成员编号 理由）", "Recusals (one per line: code reason)")}</span>
                <textarea rows="3" data-testid="draw-recusals" placeholder="M012 信访人申请回避，主持人决定准许"
                    prop:value=move || recusals.get() on:input=move |ev| recusals.set(event_target_value(&ev))></textarea>
                <small class="hint">{tr.s("与当事人有申报利害关系、任职于责任单位、当日不能参加或同一时段另有听证的成员，系统自动回避。", "Declared relations, work for the agency, unavailability and clashes are excluded automatically.")}</small>
            </label>
            <LocalError message=local testid="draw-local-error" />
            <p class="actions">
                <button type="button" class="button secondary" data-testid="draw-preview" on:click=on_preview>{tr.s("预览抽选输入", "Preview")}</button>
                <button type="submit" data-testid="draw-commit" disabled=move || commit.pending().get()>{tr.s("冻结名单并公布输入摘要", "Freeze and publish the hash")}</button>
            </p>
            <ActionError result=commit.value() testid="draw-commit-error" />
            <ActionError result=preview.value() testid="draw-preview-error" />
            {move || preview.value().get().and_then(Result::ok).map(|p| view! {
                <div data-testid="draw-preview-result">
                    {p.problem.clone().map(|problem| view! { <p class="error" role="alert" data-testid="draw-infeasible">{problem}</p> })}
                    <p>{format!("冻结名单 {} 人；不参加本次抽选 {} 人：", p.pool_size, p.excluded.len())}</p>
                    <table class="table">
                        <thead><tr><th>{tr.s("成员", "Member")}</th><th>{tr.s("原因", "Reason")}</th></tr></thead>
                        <tbody>
                            {p.excluded.iter().map(|e| view! {
                                <tr><td>{format!("{}（{}）", e.name, e.member_id)}</td><td>{e.reason.clone()}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </form>
    }
}

/// Step 2: the public values, then the draw (or void the commit with a reason).
#[component]
fn RevealStep(draw: DrawRecord, can_draw: bool, changed: RwSignal<u32>) -> impl IntoView {
    let tr = use_tr();
    let values = RwSignal::new(String::new());
    let void_reason = RwSignal::new(String::new());
    let reveal = ServerAction::<RevealDraw>::new();
    let void = ServerAction::<VoidDraw>::new();
    Effect::new(move || {
        let done = matches!(reveal.value().get(), Some(Ok(_)))
            || matches!(void.value().get(), Some(Ok(_)));
        if done {
            changed.update(|n| *n += 1);
        }
    });
    let (hearing_id, draw_id) = (draw.hearing_id.clone(), draw.id.clone());
    let on_reveal = {
        let (hearing_id, draw_id) = (hearing_id.clone(), draw_id.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let public_values = values.get_untracked().lines().map(str::to_owned).collect();
            reveal.dispatch(RevealDraw {
                hearing_id: hearing_id.clone(),
                draw_id: draw_id.clone(),
                public_values,
            });
        }
    };
    let on_void = move |_| {
        void.dispatch(VoidDraw {
            hearing_id: hearing_id.clone(),
            draw_id: draw_id.clone(),
            reason: void_reason.get_untracked(),
        });
    };
    view! {
        <section class="card stack" data-testid="draw-committed">
            <h2>{tr.s("输入摘要已公布", "The input hash is published")}</h2>
            <p>{tr.s("输入摘要（SHA-256）：", "Input hash (SHA-256): ")}<code data-testid="draw-hash">{draw.input_hash.clone()}</code></p>
            <p>
                <a href=format!("/public/draws/{}", draw.id) rel="external" data-testid="draw-public-link">
                    {tr.s("公开核验页（可向当事人、旁听人员出示）", "Public verification page (show it to the parties)")}
                </a>
            </p>
        </section>
        {can_draw.then(|| view! {
            <form method="post" class="card stack" on:submit=on_reveal data-testid="draw-reveal-form">
                <h2>{tr.s("第二步：录入公开随机数并抽选", "Step 2: enter the public values and draw")}</h2>
                <p class="muted">{tr.s(
                    "在当事人见证下录入各方都无法单独控制的随机数，每行一个：如现场掷骰点数、当期彩票开奖号码、各方当场报出的数字。随机种子 = SHA-256（输入摘要 + 公开随机数）。",
                    "Enter values nobody controls alone, one per line: dice thrown in the room, a lottery draw, numbers called out by each party. Seed = SHA-256(input hash + values).",
                )}</p>
                <textarea rows="3" data-testid="draw-public-values" placeholder="骰子 3 5 6"
                    prop:value=move || values.get() on:input=move |ev| values.set(event_target_value(&ev))></textarea>
                <ActionError result=reveal.value() testid="draw-reveal-error" />
                <p class="actions">
                    <button type="submit" data-testid="draw-reveal" disabled=move || reveal.pending().get()>{tr.s("抽选", "Draw")}</button>
                </p>
                <details>
                    <summary>{tr.s("作废本次冻结（须说明理由，公开）", "Void this commit (with a public reason)")}</summary>
                    <input data-testid="draw-void-reason" prop:value=move || void_reason.get() on:input=move |ev| void_reason.set(event_target_value(&ev)) />
                    <button type="button" class="button secondary" data-testid="draw-void" on:click=on_void>{tr.s("作废", "Void")}</button>
                    <ActionError result=void.value() testid="draw-void-error" />
                </details>
            </form>
        })}
    }
}

/// Step 3: the panel, its answers, and recording declines and recusals.
#[component]
fn SeatsStep(
    draw: DrawRecord,
    panel: PanelState,
    can_draw: bool,
    changed: RwSignal<u32>,
) -> impl IntoView {
    let tr = use_tr();
    let holding: Vec<(String, String)> = panel
        .seats
        .iter()
        .filter(|s| s.status.holds_seat())
        .map(|s| (s.holder.member_id.clone(), s.holder.name.clone()))
        .collect();
    let values = draw.public_values.clone().unwrap_or_default().join(" | ");
    view! {
        <section class="card" data-testid="panel-seats">
            <h2>{tr.s("评议团", "The panel")}</h2>
            <p class="muted">
                {tr.s("公开随机数：", "Public values: ")}{values}" · "
                <a href=format!("/public/draws/{}", draw.id) rel="external" data-testid="panel-verify-link">
                    {tr.s("公开核验页", "Public verification page")}
                </a>
            </p>
            {(panel.vacancies > 0).then(|| view! {
                <p class="error" role="alert" data-testid="panel-vacancy">{format!(
                    "有 {} 个席位没有能满足名额要求的候补可递补，评议团人数不足。", panel.vacancies
                )}</p>
            })}
            <table class="table">
                <thead><tr>
                    <th>{tr.s("评议员", "Member")}</th><th>{tr.s("类别", "Category")}</th>
                    <th>{tr.s("状态", "Status")}</th><th>{tr.s("说明", "Note")}</th>
                </tr></thead>
                <tbody>
                    {panel.seats.iter().map(|s| {
                        let status = s.status;
                        let note = match (&s.replaces, &s.reason) {
                            (_, Some(reason)) => reason.clone(),
                            (Some(replaced), None) => format!("候补递补（接替 {replaced}）"),
                            _ => String::new(),
                        };
                        view! {
                            <tr data-testid="panel-seat" data-member=s.holder.member_id.clone() data-status=status.code()>
                                <td>{format!("{}（{}）", s.holder.name, s.holder.member_id)}</td>
                                <td>{categories_text(&s.holder.categories)}</td>
                                <td>{move || label(tr.lang(), status)}</td>
                                <td>{note}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <h3>{tr.s("候补（依次递补）", "Alternates (in order)")}</h3>
            <ol data-testid="panel-alternates">
                {panel.alternates.iter().map(|a| view! {
                    <li>{format!("{}（{}，{}）", a.name, a.member_id, categories_text(&a.categories))}</li>
                }).collect_view()}
            </ol>
        </section>
        {can_draw.then(|| view! { <SeatChangeForm hearing_id=draw.hearing_id.clone() holding changed /> })}
    }
}

use crate::domain::case::Coded;

#[component]
fn SeatChangeForm(
    hearing_id: String,
    holding: Vec<(String, String)>,
    changed: RwSignal<u32>,
) -> impl IntoView {
    let tr = use_tr();
    let member = RwSignal::new(holding.first().map(|h| h.0.clone()).unwrap_or_default());
    let how = RwSignal::new(Leaving::Declined);
    let reason = RwSignal::new(String::new());
    let action = ServerAction::<RecordSeatChange>::new();
    Effect::new(move || {
        if let Some(Ok(_)) = action.value().get() {
            reason.set(String::new());
            changed.update(|n| *n += 1);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(RecordSeatChange {
            hearing_id: hearing_id.clone(),
            member_id: member.get_untracked(),
            how: how.get_untracked(),
            reason: reason.get_untracked(),
        });
    };
    view! {
        <form method="post" class="card stack" on:submit=submit data-testid="seat-change-form">
            <h2>{tr.s("登记谢绝或回避", "Record a decline or a recusal")}</h2>
            <p class="muted">{tr.s(
                "成员电话告知不能参加，或当事人申请回避经主持人决定准许的，在此登记并说明理由；系统按候补顺序递补第一位能满足名额要求的候补人员。",
                "Record a member's decline or a granted recusal with the reason; the first alternate who keeps the quotas takes the seat.",
            )}</p>
            <label>
                <span>{tr.s("评议员", "Member")}</span>
                <select data-testid="seat-change-member" on:change=move |ev| member.set(event_target_value(&ev))>
                    {holding.into_iter().map(|(id, name)| view! { <option value=id.clone()>{format!("{name}（{id}）")}</option> }).collect_view()}
                </select>
            </label>
            <label>
                <span>{tr.s("情形", "What")}</span>
                <select data-testid="seat-change-how" on:change=move |ev| {
                    how.set(if event_target_value(&ev) == "recused" { Leaving::Recused } else { Leaving::Declined });
                }>
                    <option value="declined">{tr.s("谢绝（不能参加）", "Declined")}</option>
                    <option value="recused">{tr.s("回避（主持人决定准许）", "Recused")}</option>
                </select>
            </label>
            <label>
                <span>{tr.s("理由", "Reason")}</span>
                <input data-testid="seat-change-reason" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
            </label>
            <ActionError result=action.value() testid="seat-change-error" />
            <p class="actions"><button type="submit" data-testid="seat-change-submit" disabled=move || action.pending().get()>{tr.s("登记", "Record")}</button></p>
        </form>
    }
}
