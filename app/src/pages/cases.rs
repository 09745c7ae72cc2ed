//! 信访事项: the case list with its filters, one case with its hearings and
//! history, and the form that registers or edits a case.

use super::home::{Refusal, format_when};
use super::ui::{
    DeadlineBadge, LocalError, RiskChip, StatusChip, Tr, label, query_string, today, use_tr,
};
use super::{ActionError, Session};
use crate::api::{CaseView, SaveCase, StaffChoices, case_detail, list_cases, staff_options};
use crate::domain::access::{Action, permits};
use crate::domain::case::{
    CalendarDate, CaseDraft, CaseField, CaseFilter, CaseStatus, Coded, ProgressClass, RiskColour,
    split_names,
};
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::model::{CaseChangeEntry, CasePage, CaseRecord, HearingRecord, PersonRef};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use leptos_router::params::ParamsMap;

/// May the logged-in account do `action` (not tied to a hearing)?
pub fn may(session: Session, action: Action) -> bool {
    session
        .current()
        .is_some_and(|me| permits(Some(&me.actor()), action, None))
}

/// Shows `children` only to an account that may do `action`; otherwise why not.
#[component]
pub fn Gate(action: Action, children: ChildrenFn) -> impl IntoView {
    let session = expect_context::<Session>();
    view! {
        <Transition>
            {move || {
                session
                    .me
                    .get()
                    .map(|me| match me {
                        Ok(Some(me)) if permits(Some(&me.actor()), action, None) => children().into_any(),
                        Ok(Some(_)) => view! { <Refusal error=ApiError::Forbidden /> }.into_any(),
                        Ok(None) => view! { <Refusal error=ApiError::NotLoggedIn /> }.into_any(),
                        Err(e) => view! { <Refusal error=e /> }.into_any(),
                    })
            }}
        </Transition>
    }
}

/// The `:id` of the page's path.
pub fn id_param() -> impl Fn() -> String + Clone + Send + Sync + 'static {
    let params = use_params_map();
    move || params.with(|p| p.get("id").unwrap_or_default())
}

fn filter_from(q: &ParamsMap) -> CaseFilter {
    CaseFilter {
        text: q.get("q").filter(|t| !t.trim().is_empty()),
        risk: q.get("risk").and_then(|c| RiskColour::parse_code(&c)),
        class: q.get("class").and_then(|c| ProgressClass::parse_code(&c)),
        status: q.get("status").and_then(|c| CaseStatus::parse_code(&c)),
        district: q.get("district").filter(|d| !d.trim().is_empty()),
        overdue_only: q.get("overdue").is_some_and(|v| v == "1"),
    }
}

/// The list's address for a filter and page: filters live in the URL so that a
/// filtered list can be bookmarked, shared and reached with the back button.
fn list_href(f: &CaseFilter, page: u32) -> String {
    let page = if page > 1 {
        page.to_string()
    } else {
        String::new()
    };
    let code = |c: Option<&'static str>| c.unwrap_or_default().to_owned();
    format!(
        "/cases{}",
        query_string(&[
            ("q", f.text.clone().unwrap_or_default()),
            ("risk", code(f.risk.map(Coded::code))),
            ("class", code(f.class.map(Coded::code))),
            ("status", code(f.status.map(Coded::code))),
            ("district", f.district.clone().unwrap_or_default()),
            (
                "overdue",
                if f.overdue_only {
                    "1".into()
                } else {
                    String::new()
                }
            ),
            ("page", page),
        ])
    )
}

#[component]
pub fn CasesPage() -> impl IntoView {
    let tr = use_tr();
    let session = expect_context::<Session>();
    let query = use_query_map();
    let wanted = Memo::new(move |_| {
        query.with(|q| {
            let page = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1u32);
            (filter_from(q), page.max(1))
        })
    });
    let cases = Resource::new(
        move || (session.version(), wanted.get()),
        |(_, (filter, page))| list_cases(filter, page),
    );

    view! {
        <div class="page-head">
            <h1>{tr.s("信访事项", "Petition cases")}</h1>
            <Transition>
                {move || {
                    may(session, Action::EditCases)
                        .then(|| {
                            view! {
                                <div class="actions">
                                    <a class="button" href="/cases/new" data-testid="new-case">
                                        {tr.s("登记信访事项", "Register a case")}
                                    </a>
                                    <a class="button secondary" href="/cases/import" data-testid="import-cases">
                                        {tr.s("导入 CSV", "Import CSV")}
                                    </a>
                                </div>
                            }
                        })
                }}
            </Transition>
        </div>
        <CaseFilters wanted />
        <Transition fallback=move || view! { <p class="muted">{tr.s("加载中…", "Loading…")}</p> }>
            {move || {
                cases
                    .get()
                    .map(|r| match r {
                        Ok(page) => {
                            let filter = wanted.get_untracked().0;
                            view! { <CaseTable page filter /> }.into_any()
                        }
                        Err(e) => view! { <Refusal error=e /> }.into_any(),
                    })
            }}
        </Transition>
    }
}

/// Search box and the 三色 / 三类 / status / 属地 / overdue filters.
#[component]
fn CaseFilters(wanted: Memo<(CaseFilter, u32)>) -> impl IntoView {
    let tr = use_tr();
    let navigate = use_navigate();
    let text = RwSignal::new(wanted.get_untracked().0.text.unwrap_or_default());
    let district = RwSignal::new(wanted.get_untracked().0.district.unwrap_or_default());
    // Applied like the search box (Enter or 搜索); follows the address when a 属地
    // link in the table or the back button changes it.
    Effect::new(move || {
        let (f, _) = wanted.get();
        district.set(f.district.unwrap_or_default());
    });
    let go = move |change: &dyn Fn(&mut CaseFilter)| {
        let mut f = wanted.get_untracked().0;
        f.text = Some(text.get_untracked()).filter(|t| !t.trim().is_empty());
        f.district = Some(district.get_untracked()).filter(|d| !d.trim().is_empty());
        change(&mut f);
        navigate(&list_href(&f, 1), Default::default());
    };
    let (go1, go2, go3, go4, go5) = (go.clone(), go.clone(), go.clone(), go.clone(), go);
    let current = move || wanted.get().0;
    view! {
        <form method="post"
            class="filters card"
            role="search"
            data-testid="case-filters"
            on:submit=move |ev| {
                ev.prevent_default();
                go1(&|_| {});
            }
        >
            <label class="grow">
                {tr.s("搜索", "Search")}
                <input
                    type="search"
                    data-testid="case-search"
                    placeholder=tr.s("编号、标题、信访人、责任单位、诉求", "Number, title, petitioner, agency, claim")
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                />
            </label>
            <CodeSelect
                caption=tr.s("风险等级", "Risk")
                testid="filter-risk"
                chosen=Signal::derive(move || current().risk)
                on_pick=move |v| go2(&|f| f.risk = v)
            />
            <CodeSelect
                caption=tr.s("分类", "Class")
                testid="filter-class"
                chosen=Signal::derive(move || current().class)
                on_pick=move |v| go3(&|f| f.class = v)
            />
            <CodeSelect
                caption=tr.s("状态", "Status")
                testid="filter-status"
                chosen=Signal::derive(move || current().status)
                on_pick=move |v| go4(&|f| f.status = v)
            />
            <label>
                {tr.s("属地", "District")}
                <input
                    type="text"
                    data-testid="filter-district"
                    placeholder=tr.s("如 硖石街道", "e.g. 硖石街道")
                    prop:value=move || district.get()
                    on:input=move |ev| district.set(event_target_value(&ev))
                />
            </label>
            <label class="check">
                <input
                    type="checkbox"
                    data-testid="filter-overdue"
                    prop:checked=move || current().overdue_only
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        go5(&|f| f.overdue_only = on);
                    }
                />
                {tr.s("仅看超期", "Overdue only")}
            </label>
            <button type="submit" data-testid="case-search-submit">{tr.s("搜索", "Search")}</button>
        </form>
    }
}

/// A select of a coded value with "全部" (no filter) first.
#[component]
fn CodeSelect<C, F>(
    caption: impl Fn() -> &'static str + Copy + Send + Sync + 'static,
    testid: &'static str,
    #[prop(into)] chosen: Signal<Option<C>>,
    on_pick: F,
) -> impl IntoView
where
    C: Coded + PartialEq + Send + Sync,
    F: Fn(Option<C>) + 'static,
{
    let tr = use_tr();
    view! {
        <label>
            {caption}
            <select
                data-testid=testid
                on:change=move |ev| on_pick(C::parse_code(&event_target_value(&ev)))
            >
                <option value="" selected=move || chosen.get().is_none()>{tr.s("全部", "All")}</option>
                {C::ALL
                    .iter()
                    .map(|&c| {
                        view! {
                            <option value=c.code() selected=move || chosen.get() == Some(c)>
                                {move || label(tr.lang(), c)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

#[component]
fn CaseTable(page: CasePage, filter: CaseFilter) -> impl IntoView {
    let tr = use_tr();
    let pages = page.total.div_ceil(u64::from(page.per_page.max(1))).max(1);
    let (current, total) = (page.page, page.total);
    if page.items.is_empty() {
        return view! {
            <p class="muted" data-testid="no-cases">{tr.s("没有符合条件的信访事项。", "No cases match.")}</p>
        }
        .into_any();
    }
    let prev = (current > 1).then(|| list_href(&filter, current - 1));
    let next = (u64::from(current) < pages).then(|| list_href(&filter, current + 1));
    view! {
        <table class="table responsive" data-testid="case-list">
            <thead>
                <tr>
                    <th>{tr.s("编号", "No.")}</th>
                    <th>{tr.s("标题", "Title")}</th>
                    <th>{tr.s("信访人", "Petitioners")}</th>
                    <th>{tr.s("责任单位", "Agencies")}</th>
                    <th>{tr.s("属地", "District")}</th>
                    <th>{tr.s("风险等级", "Risk")}</th>
                    <th>{tr.s("分类", "Class")}</th>
                    <th>{tr.s("状态", "Status")}</th>
                    <th>{tr.s("期限", "Deadline")}</th>
                </tr>
            </thead>
            <tbody>{page.items.into_iter().map(|record| view! { <CaseRow record /> }).collect_view()}</tbody>
        </table>
        <nav class="pager" data-testid="pager">
            {prev.map(|href| view! { <a href=href data-testid="prev-page">{tr.s("上一页", "Previous")}</a> })}
            <span class="muted">
                {move || {
                    if tr.is_zh() {
                        format!("第 {current} / {pages} 页，共 {total} 条")
                    } else {
                        format!("Page {current} of {pages}, {total} cases")
                    }
                }}
            </span>
            {next.map(|href| view! { <a href=href data-testid="next-page">{tr.s("下一页", "Next")}</a> })}
        </nav>
    }
    .into_any()
}

#[component]
fn CaseRow(record: CaseRecord) -> impl IntoView {
    let tr = use_tr();
    let c = record.case;
    let overdue = record.deadline.is_some_and(|d| d.state.is_overdue());
    let (class, status) = (c.class, c.status);
    view! {
        <tr class:row-overdue=overdue data-case-number=c.number.clone()>
            <td class="nowrap" data-label=tr.s("编号", "No.")>
                <a href=format!("/cases/{}", record.id)>{c.number.clone()}</a>
            </td>
            <td data-label=tr.s("标题", "Title")>{c.title}</td>
            <td data-label=tr.s("信访人", "Petitioners")>{c.petitioners.join("、")}</td>
            <td data-label=tr.s("责任单位", "Agencies")>{c.agencies.join("、")}</td>
            <td class="nowrap" data-label=tr.s("属地", "District")>
                {district_link(&c.district)}
            </td>
            <td data-label=tr.s("风险等级", "Risk")>
                <RiskChip risk=c.risk />
            </td>
            <td class="nowrap" data-label=tr.s("分类", "Class")>{move || label(tr.lang(), class)}</td>
            <td class="nowrap" data-label=tr.s("状态", "Status")>{move || label(tr.lang(), status)}</td>
            <td data-label=tr.s("期限", "Deadline")>
                <DeadlineBadge deadline=record.deadline />
            </td>
        </tr>
    }
}

/// A district as a link to the list of its cases; "—" when the case has none.
fn district_link(district: &str) -> AnyView {
    if district.is_empty() {
        return "—".into_any();
    }
    let href = list_href(
        &CaseFilter {
            district: Some(district.to_owned()),
            ..CaseFilter::default()
        },
        1,
    );
    view! { <a href=href data-testid="case-district-link">{district.to_owned()}</a> }.into_any()
}

// ---- One case ------------------------------------------------------------------

#[component]
pub fn CaseDetailPage() -> impl IntoView {
    let tr = use_tr();
    let session = expect_context::<Session>();
    let id = id_param();
    let view_data = Resource::new(move || (session.version(), id()), |(_, id)| case_detail(id));
    // Only to show names for the 承办人 in the history; an error just shows ids.
    let staff = Resource::new(move || session.version(), |_| staff_options());
    view! {
        <Suspense fallback=move || view! { <p class="muted">{tr.s("加载中…", "Loading…")}</p> }>
            {move || {
                view_data
                    .get()
                    .map(|r| match r {
                        Ok(case) => {
                            let people = staff
                                .get()
                                .and_then(Result::ok)
                                .unwrap_or_default()
                                .investigators;
                            view! { <CaseDetail case people /> }.into_any()
                        }
                        Err(e) => view! { <Refusal error=e /> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

fn person_name(people: &[PersonRef], id: Option<&str>) -> String {
    match id {
        None => "—".into(),
        Some(id) => people
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| id.to_owned()),
    }
}

/// 三个不结案 after the fact: the case is 已办结 but something is open again.
#[component]
pub fn StillOpenWarning(open: crate::domain::aftercare::StillOpen) -> impl IntoView {
    let tr = use_tr();
    let zh = format!(
        "本案已办结，但按“三个不结案”的规定仍有未了事项：{}。请核实后将案件改回“办理中”继续办理，或完成相关事项。",
        open.items_zh().join("、")
    );
    let en = format!(
        "This case is concluded, but under the “three not-closed” rule something is open again: {}. Check it and set the case back to being handled, or finish what is open.",
        open.items_en().join(", ")
    );
    view! {
        <p class="error" role="alert" data-testid="case-still-open">
            {move || if tr.is_zh() { zh.clone() } else { en.clone() }}
        </p>
    }
}

#[component]
fn CaseDetail(case: CaseView, people: Vec<PersonRef>) -> impl IntoView {
    let tr = use_tr();
    let CaseView {
        record,
        history,
        hearings,
        can_edit,
        can_schedule,
        still_open,
    } = case;
    let c = record.case.clone();
    let investigator = record
        .investigator_name
        .clone()
        .unwrap_or_else(|| "—".into());
    let (class, status, risk) = (c.class, c.status, c.risk);
    let accepted = c
        .accepted_on
        .map(|d| d.format_zh())
        .unwrap_or_else(|| "—".into());
    view! {
        <div class="page-head">
            <div>
                <p class="muted case-number" data-testid="case-number">{c.number.clone()}</p>
                <h1 data-testid="case-title">{c.title.clone()}</h1>
            </div>
            <div class="actions">
                {can_edit
                    .then(|| {
                        view! {
                            <a class="button secondary" href=format!("/cases/{}/edit", record.id) data-testid="edit-case">
                                {tr.s("编辑", "Edit")}
                            </a>
                        }
                    })}
                {can_schedule
                    .then(|| {
                        view! {
                            <a class="button" href=format!("/hearings/new?case={}", record.id) data-testid="schedule-hearing">
                                {tr.s("安排听证", "Schedule a hearing")}
                            </a>
                        }
                    })}
            </div>
        </div>
        {still_open.map(|open| view! { <StillOpenWarning open /> })}
        <dl class="facts" data-testid="case-facts">
            <dt>{tr.s("期限", "Deadline")}</dt>
            <dd>
                <DeadlineBadge deadline=record.deadline />
            </dd>
            <dt>{tr.s("风险等级", "Risk")}</dt>
            <dd>
                <RiskChip risk />
            </dd>
            <dt>{tr.s("分类", "Class")}</dt>
            <dd>{move || label(tr.lang(), class)}</dd>
            <dt>{tr.s("状态", "Status")}</dt>
            <dd>{move || label(tr.lang(), status)}</dd>
            <dt>{tr.s("信访人", "Petitioners")}</dt>
            <dd>{c.petitioners.join("、")}</dd>
            <dt>{tr.s("责任单位", "Agencies")}</dt>
            <dd>{c.agencies.join("、")}</dd>
            <dt>{tr.s("诉求", "Claim")}</dt>
            <dd class="pre">{c.summary.clone()}</dd>
            <dt>{tr.s("收件日期", "Received")}</dt>
            <dd>{c.received_on.format_zh()}</dd>
            <dt>{tr.s("受理日期", "Accepted")}</dt>
            <dd>{accepted}</dd>
            <dt>{tr.s("类别", "Category")}</dt>
            <dd>{if c.category.is_empty() { "—".to_owned() } else { c.category.clone() }}</dd>
            <dt>{tr.s("属地", "District")}</dt>
            <dd data-testid="case-district-value">{district_link(&c.district)}</dd>
            <dt>{tr.s("承办人", "Investigator")}</dt>
            <dd>{investigator}</dd>
        </dl>
        <section class="card">
            <h2>{tr.s("听证评议会", "Hearings")}</h2>
            <CaseHearings hearings />
        </section>
        <section class="card">
            <h2>{tr.s("变更记录", "Change history")}</h2>
            <CaseHistory history people />
        </section>
        <p class="actions">
            <a href="/cases">{tr.s("返回信访事项", "Back to cases")}</a>
        </p>
    }
}

#[component]
fn CaseHearings(hearings: Vec<HearingRecord>) -> impl IntoView {
    let tr = use_tr();
    if hearings.is_empty() {
        return view! { <p class="muted">{tr.s("尚未安排听证。", "No hearing scheduled yet.")}</p> }.into_any();
    }
    view! {
        <table class="table responsive" data-testid="case-hearings">
            <thead>
                <tr>
                    <th>{tr.s("名称", "Title")}</th>
                    <th>{tr.s("听证时间", "When")}</th>
                    <th>{tr.s("地点", "Place")}</th>
                    <th>{tr.s("状态", "Status")}</th>
                </tr>
            </thead>
            <tbody>
                {hearings
                    .into_iter()
                    .map(|h| {
                        let starts = h.plan.starts_at_ms;
                        view! {
                            <tr>
                                <td data-label=tr.s("名称", "Title")>
                                    <a href=format!("/hearings/{}/plan", h.id)>{h.plan.title.clone()}</a>
                                </td>
                                <td class="nowrap" data-label=tr.s("听证时间", "When")>
                                    {move || format_when(tr.lang(), starts)}
                                </td>
                                <td data-label=tr.s("地点", "Place")>{h.plan.place_label_zh()}</td>
                                <td data-label=tr.s("状态", "Status")>
                                    <StatusChip status=h.status sitting=h.sitting />
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// A field of a case as text, to show it and to tell what an edit changed.
fn field_text(lang: Lang, d: &CaseDraft, field: CaseField, people: &[PersonRef]) -> String {
    let date = |d: Option<CalendarDate>| d.map(|d| d.to_string()).unwrap_or_default();
    match field {
        CaseField::Number => d.number.clone(),
        CaseField::Title => d.title.clone(),
        CaseField::Petitioners => d.petitioners.join("、"),
        CaseField::Agencies => d.agencies.join("、"),
        CaseField::Summary => d.summary.clone(),
        CaseField::ReceivedOn => date(Some(d.received_on)),
        CaseField::AcceptedOn => date(d.accepted_on),
        CaseField::Category => d.category.clone(),
        CaseField::District => d.district.clone(),
        CaseField::Risk => label(lang, d.risk).into(),
        CaseField::Class => label(lang, d.class).into(),
        CaseField::Status => label(lang, d.status).into(),
        CaseField::Investigator => match d.investigator_id.as_deref() {
            None => String::new(),
            id => person_name(people, id),
        },
    }
}

/// The fields an edit changed, in form order.
pub fn changed_fields(before: &CaseDraft, after: &CaseDraft) -> Vec<CaseField> {
    crate::case_import::COLUMNS
        .into_iter()
        .filter(|f| field_text(Lang::Zh, before, *f, &[]) != field_text(Lang::Zh, after, *f, &[]))
        .collect()
}

fn change_label(tr: Tr, change: &str) -> &'static str {
    match (change, tr.is_zh()) {
        ("created", true) => "登记",
        ("created", false) => "Registered",
        ("imported", true) => "导入",
        ("imported", false) => "Imported",
        (_, true) => "修改",
        (_, false) => "Edited",
    }
}

#[component]
fn CaseHistory(history: Vec<CaseChangeEntry>, people: Vec<PersonRef>) -> impl IntoView {
    let tr = use_tr();
    // Newest first: what changed last is what a reader looks for.
    let entries: Vec<_> = history.into_iter().rev().collect();
    view! {
        <ol class="history" data-testid="case-history">
            {entries
                .into_iter()
                .map(|entry| {
                    let at = entry.at_ms;
                    let change = entry.change.clone();
                    let diffs = entry
                        .before
                        .as_ref()
                        .map(|before| {
                            changed_fields(before, &entry.after)
                                .into_iter()
                                .map(|f| {
                                    let (b, a, p) = (before.clone(), entry.after.clone(), people.clone());
                                    view! {
                                        <li data-field=format!("{f:?}")>
                                            <span class="diff-field">
                                                {move || if tr.is_zh() { f.label_zh() } else { f.label_en() }}
                                            </span>
                                            "："
                                            <del>{move || field_text(tr.lang(), &b, f, &p)}</del>
                                            " → "
                                            <ins>{
                                                let p = people.clone();
                                                let a = a.clone();
                                                move || field_text(tr.lang(), &a, f, &p)
                                            }</ins>
                                        </li>
                                    }
                                })
                                .collect_view()
                        });
                    view! {
                        <li data-change=entry.change.clone()>
                            <span class="nowrap">{move || format_when(tr.lang(), at)}</span>
                            " · "
                            <strong>{entry.actor.clone()}</strong>
                            " · "
                            {move || change_label(tr, &change)}
                            {diffs.map(|d| view! { <ul class="diffs">{d}</ul> })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

// ---- The form --------------------------------------------------------------------

#[component]
pub fn NewCasePage() -> impl IntoView {
    let session = expect_context::<Session>();
    let staff = Resource::new(move || session.version(), |_| staff_options());
    view! { <CaseFormLoader staff record=None /> }
}

#[component]
pub fn EditCasePage() -> impl IntoView {
    let tr = use_tr();
    let session = expect_context::<Session>();
    let id = id_param();
    let loaded = Resource::new(move || (session.version(), id()), |(_, id)| case_detail(id));
    let staff = Resource::new(move || session.version(), |_| staff_options());
    view! {
        <Suspense fallback=move || view! { <p class="muted">{tr.s("加载中…", "Loading…")}</p> }>
            {move || {
                loaded
                    .get()
                    .map(|r| match r {
                        Ok(view) => view! { <CaseFormLoader staff record=Some(view.record) /> }.into_any(),
                        Err(e) => view! { <Refusal error=e /> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

/// Waits for the staff list (the 承办人 select), then shows the form.
#[component]
fn CaseFormLoader(
    staff: Resource<Result<StaffChoices, crate::error::ApiError>>,
    record: Option<CaseRecord>,
) -> impl IntoView {
    let tr = use_tr();
    view! {
        <Suspense fallback=move || view! { <p class="muted">{tr.s("加载中…", "Loading…")}</p> }>
            {move || {
                let record = record.clone();
                staff
                    .get()
                    .map(|r| match r {
                        Ok(staff) => view! { <CaseForm staff=staff.investigators record /> }.into_any(),
                        Err(e) => view! { <Refusal error=e /> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

/// What the form holds: text as typed, so nothing is lost when it is refused.
#[derive(Clone, Copy)]
struct CaseFields {
    number: RwSignal<String>,
    title: RwSignal<String>,
    petitioners: RwSignal<String>,
    agencies: RwSignal<String>,
    summary: RwSignal<String>,
    received_on: RwSignal<String>,
    accepted_on: RwSignal<String>,
    category: RwSignal<String>,
    district: RwSignal<String>,
    risk: RwSignal<RiskColour>,
    class: RwSignal<ProgressClass>,
    status: RwSignal<CaseStatus>,
    investigator: RwSignal<String>,
}

impl CaseFields {
    fn new(draft: Option<&CaseDraft>) -> Self {
        let text = |f: fn(&CaseDraft) -> String, default: String| {
            RwSignal::new(draft.map(f).unwrap_or(default))
        };
        CaseFields {
            number: text(|d| d.number.clone(), String::new()),
            title: text(|d| d.title.clone(), String::new()),
            petitioners: text(|d| d.petitioners.join("、"), String::new()),
            agencies: text(|d| d.agencies.join("、"), String::new()),
            summary: text(|d| d.summary.clone(), String::new()),
            received_on: text(|d| d.received_on.to_string(), today().to_string()),
            accepted_on: text(
                |d| d.accepted_on.map(|a| a.to_string()).unwrap_or_default(),
                String::new(),
            ),
            category: text(|d| d.category.clone(), String::new()),
            district: text(|d| d.district.clone(), String::new()),
            risk: RwSignal::new(draft.map_or(RiskColour::Green, |d| d.risk)),
            class: RwSignal::new(draft.map_or(ProgressClass::C, |d| d.class)),
            status: RwSignal::new(draft.map_or(CaseStatus::Registered, |d| d.status)),
            investigator: text(
                |d| d.investigator_id.clone().unwrap_or_default(),
                String::new(),
            ),
        }
    }

    /// The draft to send, or what must be fixed first (dates the browser could not read).
    fn draft(&self) -> Result<CaseDraft, (&'static str, &'static str)> {
        let received_on = self
            .received_on
            .get_untracked()
            .parse()
            .map_err(|_| ("请填写收件日期", "Enter the date received"))?;
        let accepted = self.accepted_on.get_untracked();
        let accepted_on = if accepted.trim().is_empty() {
            None
        } else {
            Some(
                accepted
                    .parse()
                    .map_err(|_| ("受理日期格式不正确", "The acceptance date is not valid"))?,
            )
        };
        Ok(CaseDraft {
            number: self.number.get_untracked(),
            title: self.title.get_untracked(),
            petitioners: split_names(&self.petitioners.get_untracked()),
            agencies: split_names(&self.agencies.get_untracked()),
            summary: self.summary.get_untracked(),
            received_on,
            accepted_on,
            category: self.category.get_untracked(),
            district: self.district.get_untracked(),
            risk: self.risk.get_untracked(),
            class: self.class.get_untracked(),
            status: self.status.get_untracked(),
            investigator_id: Some(self.investigator.get_untracked()).filter(|i| !i.is_empty()),
        })
    }
}

#[component]
fn CaseForm(staff: Vec<PersonRef>, record: Option<CaseRecord>) -> impl IntoView {
    let tr = use_tr();
    let save = ServerAction::<SaveCase>::new();
    let local = RwSignal::new(None);
    let fields = CaseFields::new(record.as_ref().map(|r| &r.case));
    let (case_id, version) = match &record {
        Some(r) => (Some(r.id.clone()), r.version),
        None => (None, 0),
    };
    let editing = case_id.is_some();
    let navigate = use_navigate();
    Effect::new(move || {
        if let Some(Ok(saved)) = save.value().get() {
            navigate(&format!("/cases/{}", saved.id), Default::default());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match fields.draft() {
            Ok(draft) => {
                local.set(None);
                save.dispatch(SaveCase {
                    case_id: case_id.clone(),
                    version,
                    draft,
                });
            }
            Err(message) => {
                save.value().set(None);
                local.set(Some(message));
            }
        }
    };
    let pending = save.pending();
    let text_field = move |caption: (&'static str, &'static str),
                           value: RwSignal<String>,
                           kind: &'static str,
                           testid: &'static str,
                           required: bool| {
        view! {
            <label>
                <span>{tr.s(caption.0, caption.1)} {required.then_some(view! { <span class="req">"*"</span> })}</span>
                <input
                    type=kind
                    data-testid=testid
                    required=required
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
            </label>
        }
    };
    view! {
        <h1>
            {move || match (editing, tr.is_zh()) {
                (true, true) => "编辑信访事项",
                (true, false) => "Edit case",
                (false, true) => "登记信访事项",
                (false, false) => "Register a case",
            }}
        </h1>
        <form method="post" class="card form-grid" on:submit=submit data-testid="case-form" novalidate>
            {text_field(("编号", "Case number"), fields.number, "text", "case-number-input", true)}
            {text_field(("标题", "Title"), fields.title, "text", "case-title-input", true)}
            <label>
                <span>{tr.s("信访人", "Petitioners")} <span class="req">"*"</span></span>
                <input
                    data-testid="case-petitioners"
                    placeholder=tr.s("多人以“、”或“,”分隔", "Separate several with 、 or ,")
                    prop:value=move || fields.petitioners.get()
                    on:input=move |ev| fields.petitioners.set(event_target_value(&ev))
                />
            </label>
            <label>
                <span>{tr.s("责任单位", "Responding agencies")} <span class="req">"*"</span></span>
                <input
                    data-testid="case-agencies"
                    placeholder=tr.s("多个以“、”或“,”分隔", "Separate several with 、 or ,")
                    prop:value=move || fields.agencies.get()
                    on:input=move |ev| fields.agencies.set(event_target_value(&ev))
                />
            </label>
            <label class="wide">
                <span>{tr.s("诉求", "Claim")}</span>
                <textarea
                    rows="4"
                    data-testid="case-summary"
                    prop:value=move || fields.summary.get()
                    on:input=move |ev| fields.summary.set(event_target_value(&ev))
                ></textarea>
            </label>
            {text_field(("收件日期", "Received on"), fields.received_on, "date", "case-received", true)}
            {text_field(("受理日期", "Accepted on"), fields.accepted_on, "date", "case-accepted", false)}
            {text_field(("类别", "Category"), fields.category, "text", "case-category", false)}
            {text_field(("属地", "District"), fields.district, "text", "case-district", false)}
            <CodeField caption=tr.s("风险等级", "Risk colour") testid="case-risk" value=fields.risk />
            <CodeField caption=tr.s("分类", "Progress class") testid="case-class" value=fields.class />
            <CodeField caption=tr.s("状态", "Status") testid="case-status" value=fields.status />
            <label>
                <span>{tr.s("承办人", "Investigator")}</span>
                <select
                    data-testid="case-investigator"
                    on:change=move |ev| fields.investigator.set(event_target_value(&ev))
                >
                    <option value="" selected=move || fields.investigator.get().is_empty()>
                        {tr.s("（未指定）", "(none)")}
                    </option>
                    {staff
                        .into_iter()
                        .map(|p| {
                            let id = p.id.clone();
                            view! {
                                <option value=p.id selected=move || fields.investigator.with(|i| *i == id)>
                                    {p.name}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <div class="wide stack">
                <LocalError message=local testid="case-local-error" />
                <ActionError result=save.value() testid="case-error" />
                <div class="actions">
                    <button type="submit" data-testid="case-save" disabled=move || pending.get()>
                        {tr.s("保存", "Save")}
                    </button>
                    <a href=record.as_ref().map_or_else(|| "/cases".to_owned(), |r| format!("/cases/{}", r.id))>
                        {tr.s("取消", "Cancel")}
                    </a>
                </div>
            </div>
        </form>
    }
}

/// A required select of a coded value.
#[component]
fn CodeField<C>(
    caption: impl Fn() -> &'static str + Copy + Send + Sync + 'static,
    testid: &'static str,
    value: RwSignal<C>,
) -> impl IntoView
where
    C: Coded + PartialEq + Send + Sync,
{
    let tr = use_tr();
    view! {
        <label>
            <span>{caption}</span>
            <select
                data-testid=testid
                on:change=move |ev| {
                    if let Some(v) = C::parse_code(&event_target_value(&ev)) {
                        value.set(v);
                    }
                }
            >
                {C::ALL
                    .iter()
                    .map(|&c| {
                        view! {
                            <option value=c.code() selected=move || value.get() == c>
                                {move || label(tr.lang(), c)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> CaseDraft {
        CaseDraft {
            number: "海宁信访〔2026〕200号".into(),
            title: "加装电梯".into(),
            petitioners: vec!["张三".into()],
            agencies: vec!["住建局".into()],
            summary: String::new(),
            received_on: "2026-11-02".parse().expect("date"),
            accepted_on: None,
            category: String::new(),
            district: String::new(),
            risk: RiskColour::Green,
            class: ProgressClass::C,
            status: CaseStatus::Registered,
            investigator_id: None,
        }
    }

    #[test]
    fn an_edit_shows_only_the_fields_it_changed() {
        let before = draft();
        let mut after = draft();
        after.risk = RiskColour::Red;
        after.petitioners.push("李四".into());
        assert_eq!(
            changed_fields(&before, &after),
            vec![CaseField::Petitioners, CaseField::Risk]
        );
        assert!(changed_fields(&before, &before).is_empty());
        after.district = "长安镇".into();
        assert_eq!(
            changed_fields(&before, &after),
            vec![CaseField::Petitioners, CaseField::District, CaseField::Risk],
            "in form order"
        );
        assert_eq!(
            field_text(Lang::Zh, &after, CaseField::District, &[]),
            "长安镇"
        );
    }

    #[test]
    fn filters_round_trip_through_the_address() {
        let f = CaseFilter {
            text: Some("电梯".into()),
            risk: Some(RiskColour::Red),
            class: None,
            status: Some(CaseStatus::Accepted),
            district: None,
            overdue_only: true,
        };
        let href = list_href(&f, 2);
        assert!(
            href.starts_with(
                "/cases?q=%E7%94%B5%E6%A2%AF&risk=red&status=accepted&overdue=1&page=2"
            )
        );
        let f = CaseFilter {
            district: Some("硖石街道".into()),
            ..CaseFilter::default()
        };
        // 硖石街道 percent-encoded (UTF-8).
        assert_eq!(
            list_href(&f, 1),
            "/cases?district=%E7%A1%96%E7%9F%B3%E8%A1%97%E9%81%93"
        );
        assert_eq!(list_href(&CaseFilter::default(), 1), "/cases");
    }
}
