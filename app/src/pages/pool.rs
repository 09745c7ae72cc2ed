//! 评议团成员库: the pool list, a member's page with its history, and the form
//! administrators keep it with.

use super::cases::{Gate, may};
use super::home::Refusal;
use super::ui::{LocalError, label, short_date, use_tr};
use super::{ActionError, Session};
use crate::api::{
    CommitPoolImport, PreviewPoolImport, SaveMember, list_pool, pool_categories, pool_member,
};
use crate::domain::access::Action;
use crate::domain::case::{CalendarDate, Coded};
use crate::domain::pool::{CATEGORIES, MemberDraft, MemberStatus};
use crate::domain::sortition::tag_label_zh;
use crate::model::MemberRow;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

fn category_label(code: &str) -> String {
    tag_label_zh(code).to_owned()
}

#[component]
pub fn PoolPage() -> impl IntoView {
    let tr = use_tr();
    let session = expect_context::<Session>();
    let text = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let status = RwSignal::new("active".to_owned());
    let custom = Resource::new(|| (), |_| pool_categories());
    let members = Resource::new(
        move || (session.version(), text.get(), category.get(), status.get()),
        |(_, text, category, status)| list_pool(text, category, status),
    );
    view! {
        <div class="page-head">
            <h1>{tr.s("评议团成员库", "Review panel pool")}</h1>
            <Transition>
                {move || may(session, Action::ManagePool).then(|| view! {
                    <a class="button" href="/pool/new" data-testid="pool-new">{tr.s("新增成员", "Add member")}</a>
                })}
            </Transition>
        </div>
        <Gate action=Action::ViewPool>
            <form method="post" class="filters" on:submit=|ev| ev.prevent_default()>
                <input
                    type="search"
                    data-testid="pool-search"
                    placeholder=move || if tr.is_zh() { "姓名、编号、单位、镇街" } else { "Name, code, organisation, district" }
                    prop:value=move || text.get()
                    on:change=move |ev| text.set(event_target_value(&ev))
                />
                <select data-testid="pool-category" on:change=move |ev| category.set(event_target_value(&ev))>
                    <option value="">{tr.s("全部类别", "All categories")}</option>
                    {CATEGORIES.iter().map(|c| view! { <option value=*c>{category_label(c)}</option> }).collect_view()}
                    <Transition>
                        {move || custom.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|c| view! {
                            <option value=c.clone()>{c.clone()}</option>
                        }).collect_view()}
                    </Transition>
                </select>
                <select data-testid="pool-status" on:change=move |ev| status.set(event_target_value(&ev))>
                    {MemberStatus::ALL.iter().map(|s| view! {
                        <option value=s.code() selected=*s == MemberStatus::Active>{move || label(tr.lang(), *s)}</option>
                    }).collect_view()}
                    <option value="">{tr.s("全部状态", "Any status")}</option>
                </select>
            </form>
            <p class="actions wrap">
                <a class="button secondary" href="/pool/export.csv" rel="external" data-testid="pool-export">{tr.s("导出 CSV", "Export CSV")}</a>
            </p>
            <Transition>{move || may(session, Action::ManagePool).then(|| view! { <PoolImport /> })}</Transition>
            <Transition fallback=move || view! { <p class="muted">{tr.s("加载中…", "Loading…")}</p> }>
                {move || members.get().map(|r| match r {
                    Ok(page) => view! { <PoolTable members=page.members /> }.into_any(),
                    Err(e) => view! { <Refusal error=e /> }.into_any(),
                })}
            </Transition>
        </Gate>
    }
}

#[component]
fn PoolTable(members: Vec<MemberRow>) -> impl IntoView {
    let tr = use_tr();
    let count = members.len();
    view! {
        <p class="muted" data-testid="pool-count">
            {move || if tr.is_zh() { format!("共 {count} 人") } else { format!("{count} members") }}
        </p>
        <table class="table" data-testid="pool-table">
            <thead>
                <tr>
                    <th>{tr.s("编号", "Code")}</th>
                    <th>{tr.s("姓名", "Name")}</th>
                    <th>{tr.s("类别", "Category")}</th>
                    <th>{tr.s("工作单位", "Organisation")}</th>
                    <th>{tr.s("镇街", "District")}</th>
                    <th>{tr.s("状态", "Status")}</th>
                    <th>{tr.s("参加评议", "Served")}</th>
                </tr>
            </thead>
            <tbody>
                {members.into_iter().map(|row| {
                    let m = row.member;
                    let categories = std::iter::once(m.draft.category.clone())
                        .chain(m.draft.extra_tags.iter().cloned())
                        .map(|c| category_label(&c))
                        .collect::<Vec<_>>()
                        .join("、");
                    let status = m.draft.status;
                    view! {
                        <tr data-testid="pool-row">
                            <td>{m.id.clone()}</td>
                            <td><a href=format!("/pool/{}", m.id)>{m.draft.name.clone()}</a></td>
                            <td>{categories}</td>
                            <td>{m.draft.organisation.clone()}</td>
                            <td>{m.draft.district.clone()}</td>
                            <td>{move || label(tr.lang(), status)}</td>
                            <td>{row.served}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn MemberPage() -> impl IntoView {
    let tr = use_tr();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let detail = Resource::new(id, pool_member);
    view! {
        <p><a href="/pool">{tr.s("← 评议团成员库", "← Pool")}</a></p>
        <Transition fallback=move || view! { <p class="muted">{tr.s("加载中…", "Loading…")}</p> }>
            {move || detail.get().map(|r| match r {
                Ok(d) => {
                    let history = d.history.clone();
                    view! {
                        <h1>{d.row.member.draft.name.clone()} " " <small class="muted">{d.row.member.id.clone()}</small></h1>
                        <p class="muted">
                            {tr.s("登录账号：", "Login: ")} <code>{d.row.username.clone()}</code>
                            {tr.s("（由管理员在“账号”页设置密码后可登录）", " (can log in once an administrator sets a password)")}
                        </p>
                        {if d.can_manage {
                            view! { <MemberForm existing=Some(d.row.clone()) /> }.into_any()
                        } else {
                            view! { <MemberFacts row=d.row.clone() /> }.into_any()
                        }}
                        <section class="card">
                            <h2>{tr.s("参加评议记录", "Hearings")}</h2>
                            {if history.is_empty() {
                                view! { <p class="muted">{tr.s("暂无。", "None yet.")}</p> }.into_any()
                            } else {
                                view! {
                                    <ul data-testid="member-history">
                                        {history.into_iter().map(|h| {
                                            let status = h.status;
                                            view! {
                                                <li>
                                                    <a href=format!("/hearings/{}/plan", h.hearing_id)>{h.title.clone()}</a>
                                                    " · " {super::home::format_when(tr.lang(), h.starts_at_ms)}
                                                    " · " {move || label(tr.lang(), status)}
                                                    {h.reason.clone().map(|r| format!("（{r}）"))}
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        </section>
                    }.into_any()
                }
                Err(e) => view! { <Refusal error=e /> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn MemberFacts(row: MemberRow) -> impl IntoView {
    let tr = use_tr();
    let d = row.member.draft;
    let status = d.status;
    let unavailable = d
        .unavailable
        .iter()
        .map(|day| short_date(tr.lang(), *day))
        .collect::<Vec<_>>()
        .join("、");
    view! {
        <dl class="facts card">
            <dt>{tr.s("类别", "Category")}</dt><dd>{category_label(&d.category)}</dd>
            <dt>{tr.s("工作单位", "Organisation")}</dt><dd>{d.organisation.clone()}</dd>
            <dt>{tr.s("所在镇街", "District")}</dt><dd>{d.district.clone()}</dd>
            <dt>{tr.s("联系方式", "Contact")}</dt><dd>{d.contact.clone()}</dd>
            <dt>{tr.s("状态", "Status")}</dt><dd>{move || label(tr.lang(), status)}</dd>
            <dt>{tr.s("不可参加日期", "Unavailable")}</dt><dd>{unavailable}</dd>
            <dt>{tr.s("申报的利害关系", "Declared relations")}</dt><dd>{d.relations.join("；")}</dd>
        </dl>
    }
}

#[component]
pub fn NewMemberPage() -> impl IntoView {
    let tr = use_tr();
    view! {
        <p><a href="/pool">{tr.s("← 评议团成员库", "← Pool")}</a></p>
        <h1>{tr.s("新增评议团成员", "Add a pool member")}</h1>
        <Gate action=Action::ManagePool>
            <MemberForm existing=None />
        </Gate>
    }
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Dates one per line (2026-12-24 or 2026/12/24); the first unreadable line is named.
fn parse_dates(text: &str) -> Result<Vec<CalendarDate>, usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            l.trim()
                .replace('/', "-")
                .parse::<CalendarDate>()
                .map_err(|_| i + 1)
        })
        .collect()
}

#[component]
fn MemberForm(existing: Option<MemberRow>) -> impl IntoView {
    let tr = use_tr();
    let save = ServerAction::<SaveMember>::new();
    let local = RwSignal::new(None);
    let bad_line = RwSignal::new(None::<usize>);
    let draft = existing.as_ref().map(|r| r.member.draft.clone());
    let get =
        |f: fn(&MemberDraft) -> String| RwSignal::new(draft.as_ref().map(f).unwrap_or_default());
    let name = get(|d| d.name.clone());
    let category = RwSignal::new(
        draft
            .as_ref()
            .map_or("grassroots".to_owned(), |d| d.category.clone()),
    );
    let extra = RwSignal::new(
        draft
            .as_ref()
            .map(|d| d.extra_tags.clone())
            .unwrap_or_default(),
    );
    let organisation = get(|d| d.organisation.clone());
    let district = get(|d| d.district.clone());
    let contact = get(|d| d.contact.clone());
    let status = RwSignal::new(draft.as_ref().map_or(MemberStatus::Active, |d| d.status));
    let unavailable = get(|d| {
        d.unavailable
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    });
    let relations = get(|d| d.relations.join("\n"));
    let custom = Resource::new(|| (), |_| pool_categories());
    let all_categories = move || {
        let custom = custom.get().and_then(Result::ok).unwrap_or_default();
        CATEGORIES
            .iter()
            .map(|c| (*c).to_owned())
            .chain(custom)
            .collect::<Vec<String>>()
    };
    let member_id = existing.as_ref().map(|r| r.member.id.clone());
    let version = existing.as_ref().map(|r| r.member.version);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let dates = match parse_dates(&unavailable.get_untracked()) {
            Ok(dates) => dates,
            Err(line) => {
                save.value().set(None);
                bad_line.set(Some(line));
                local.set(Some((
                    "不可参加日期有一行无法识别，请按 2026-12-24 的格式每行填写一个日期",
                    "An unavailable date is unreadable; write one date per line like 2026-12-24",
                )));
                return;
            }
        };
        local.set(None);
        bad_line.set(None);
        save.dispatch(SaveMember {
            member_id: member_id.clone(),
            version,
            draft: MemberDraft {
                name: name.get_untracked(),
                category: category.get_untracked(),
                extra_tags: extra.get_untracked(),
                organisation: organisation.get_untracked(),
                district: district.get_untracked(),
                contact: contact.get_untracked(),
                status: status.get_untracked(),
                unavailable: dates,
                relations: lines(&relations.get_untracked()),
            },
        });
    };
    let navigate = use_navigate();
    Effect::new(move || {
        if let Some(Ok(row)) = save.value().get() {
            navigate(&format!("/pool/{}", row.member.id), Default::default());
        }
    });
    let text_field = move |caption: (&'static str, &'static str),
                           value: RwSignal<String>,
                           testid: &'static str| {
        view! {
            <label>
                <span>{tr.s(caption.0, caption.1)}</span>
                <input data-testid=testid prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
            </label>
        }
    };
    view! {
        <form method="post" class="card stack" on:submit=submit data-testid="member-form">
            {text_field(("姓名", "Name"), name, "member-name")}
            <label>
                <span>{tr.s("类别", "Category")}</span>
                <Transition>
                <select data-testid="member-category" on:change=move |ev| category.set(event_target_value(&ev))>
                    {move || all_categories().into_iter().map(|c| {
                        let selected = c.clone();
                        view! {
                            <option value=c.clone() selected=move || category.get() == selected>{category_label(&c)}</option>
                        }
                    }).collect_view()}
                </select>
                </Transition>
            </label>
            <fieldset>
                <legend>{tr.s("兼有身份（名额要求按此计算）", "Also counts as (for quotas)")}</legend>
                <Transition>
                {move || all_categories().into_iter().map(|c| {
                    let code = c.clone();
                    let checked_code = code.clone();
                    view! {
                        <label class="check">
                            <input
                                type="checkbox"
                                prop:checked=move || extra.get().contains(&checked_code)
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    extra.update(|tags| {
                                        tags.retain(|t| *t != code);
                                        if on { tags.push(code.clone()); }
                                    });
                                }
                            />
                            {category_label(&c)}
                        </label>
                    }
                }).collect_view()}
                </Transition>
            </fieldset>
            {text_field(("工作单位", "Organisation"), organisation, "member-organisation")}
            {text_field(("所在镇街", "District"), district, "member-district")}
            {text_field(("联系方式", "Contact"), contact, "member-contact")}
            <label>
                <span>{tr.s("状态", "Status")}</span>
                <select data-testid="member-status" on:change=move |ev| {
                    if let Some(s) = MemberStatus::parse_code(&event_target_value(&ev)) { status.set(s); }
                }>
                    {MemberStatus::ALL.iter().map(|s| view! {
                        <option value=s.code() selected=move || status.get() == *s>{move || label(tr.lang(), *s)}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>
                <span>{tr.s("不可参加日期（每行一个，如 2026-12-24）", "Unavailable dates (one per line)")}</span>
                <textarea rows="3" data-testid="member-unavailable" prop:value=move || unavailable.get() on:input=move |ev| unavailable.set(event_target_value(&ev))></textarea>
            </label>
            <label>
                <span>{tr.s("申报的利害关系（每行一项：亲属、曾代理的当事人、任职单位等）", "Declared relations (one per line)")}</span>
                <textarea rows="3" data-testid="member-relations" prop:value=move || relations.get() on:input=move |ev| relations.set(event_target_value(&ev))></textarea>
                <small class="hint">{tr.s("抽选时，与信访人或责任单位名称相符的成员自动回避。", "Members whose relations match a party or agency are excluded from its draw.")}</small>
            </label>
            {move || bad_line.get().map(|n| view! { <p class="error">{format!("第 {n} 行")}</p> })}
            <LocalError message=local testid="member-local-error" />
            <ActionError result=save.value() testid="member-error" />
            <p class="actions">
                <button type="submit" data-testid="member-save" disabled=move || save.pending().get()>{tr.s("保存", "Save")}</button>
            </p>
        </form>
    }
}

/// 导入: a spreadsheet of members, previewed with per-row errors; nothing is
/// written unless every row is valid.
#[component]
fn PoolImport() -> impl IntoView {
    let tr = use_tr();
    let session = expect_context::<Session>();
    let preview = ServerAction::<PreviewPoolImport>::new();
    let commit = ServerAction::<CommitPoolImport>::new();
    let data = RwSignal::new(None::<String>);
    let file_name = RwSignal::new(String::new());
    let local = RwSignal::new(None);
    let reading = RwSignal::new(false);
    let on_pick = move |ev: leptos::ev::Event| {
        data.set(None);
        preview.value().set(None);
        commit.value().set(None);
        local.set(None);
        super::import::read_picked_file(ev, file_name, data, local, reading);
    };
    Effect::new(move || {
        if let Some(Ok(_)) = commit.value().get() {
            session.changed();
        }
    });
    let valid = move || {
        preview
            .value()
            .with(|v| matches!(v, Some(Ok(p)) if p.is_valid()))
    };
    view! {
        <details class="card" data-testid="pool-import">
            <summary>{tr.s("从 CSV 导入成员（UTF-8 或 GBK）", "Import members from CSV (UTF-8 or GBK)")}</summary>
            <p class="muted">{tr.s(
                "列：编号、姓名、类别、兼有身份、工作单位、所在镇街、联系方式、状态、不可参加日期、利害关系（多项用“；”分隔）。编号已存在的行更新该成员，其余新增。先预览；有任何错误则不导入。",
                "Columns as in the export; lists separated by ；. Rows with an existing code update that member. Nothing is imported while any row has an error.",
            )}</p>
            <div class="row">
                <input type="file" accept=".csv,text/csv" data-testid="pool-import-file" on:change=on_pick />
                <button type="button" class="button secondary" data-testid="pool-import-preview"
                    disabled=move || data.with(Option::is_none)
                    on:click=move |_| if let Some(data_base64) = data.get_untracked() { preview.dispatch(PreviewPoolImport { data_base64 }); }>
                    {tr.s("预览", "Preview")}
                </button>
                <button type="button" class="button" data-testid="pool-import-commit"
                    disabled=move || !valid() || commit.pending().get()
                    on:click=move |_| if let Some(data_base64) = data.get_untracked() { commit.dispatch(CommitPoolImport { data_base64 }); }>
                    {tr.s("确认导入", "Import")}
                </button>
            </div>
            {move || reading.get().then(|| view! { <p class="muted">{tr.s("正在读取文件…", "Reading the file…")}</p> })}
            <LocalError message=local testid="pool-import-local-error" />
            <ActionError result=preview.value() testid="pool-import-error" />
            <ActionError result=commit.value() testid="pool-import-commit-error" />
            {move || commit.value().get().and_then(Result::ok).map(|n| view! {
                <p class="ok" data-testid="pool-import-done">{format!("已导入 {n} 名成员。")}</p>
            })}
            {move || preview.value().get().and_then(Result::ok).map(|p| view! {
                <table class="table" data-testid="pool-import-preview-table">
                    <thead><tr><th>{tr.s("行", "Line")}</th><th>{tr.s("编号", "Code")}</th><th>{tr.s("姓名", "Name")}</th><th>{tr.s("结果", "Result")}</th></tr></thead>
                    <tbody>
                        {p.rows.into_iter().map(|row| {
                            let ok = row.errors.is_empty();
                            let result = if ok {
                                if row.updates { "更新".to_owned() } else { "新增".to_owned() }
                            } else {
                                row.errors.join("；")
                            };
                            view! {
                                <tr class:row-error=!ok>
                                    <td>{row.line}</td>
                                    <td>{row.code.unwrap_or_default()}</td>
                                    <td>{row.draft.map(|d| d.name).unwrap_or_default()}</td>
                                    <td>{result}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </details>
    }
}
