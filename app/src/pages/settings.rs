//! 设置: the office's deadlines and notice period, and the integration API's tokens.

use super::calendar::select_all;
use super::cases::{Gate, may};
use super::home::{Refusal, format_when};
use super::ui::{LocalError, use_tr};
use super::{ActionError, Session};
use crate::api::{
    IssueApiToken, RevokeApiToken, SaveDrawSettings, SaveFollowUpPolicy, SaveOfficeSettings,
    SavePoolCategories, draw_settings, follow_up_policy, list_api_tokens, office_settings,
    pool_categories,
};
use crate::domain::access::{Action, ApiScope};
use crate::domain::case::DeadlinePolicy;
use crate::i18n::Lang;
use crate::model::ApiTokenSummary;
use leptos::prelude::*;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let tr = use_tr();
    let session = expect_context::<Session>();
    view! {
        <h1>{tr.s("设置", "Settings")}</h1>
        <Gate action=Action::ManageSettings>
            <DeadlineSettings />
            <DrawSettings />
            <FollowUpSettings />
            <CategorySettings />
        </Gate>
        <Transition>{move || may(session, Action::ManageApiTokens).then(|| view! { <ApiTokens /> })}</Transition>
    }
}

#[component]
fn DeadlineSettings() -> impl IntoView {
    let tr = use_tr();
    let session = expect_context::<Session>();
    let policy = Resource::new(move || session.version(), |_| office_settings());
    view! {
        <Suspense fallback=move || view! { <p class="muted">{tr.s("加载中…", "Loading…")}</p> }>
            {move || {
                policy
                    .get()
                    .map(|r| match r {
                        Ok(policy) => view! { <DeadlineForm policy /> }.into_any(),
                        Err(e) => view! { <Refusal error=e /> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

#[component]
fn DeadlineForm(policy: DeadlinePolicy) -> impl IntoView {
    let tr = use_tr();
    let save = ServerAction::<SaveOfficeSettings>::new();
    let local = RwSignal::new(None);
    let number = |n: u32| RwSignal::new(n.to_string());
    let accept = number(policy.accept_days);
    let handle = number(policy.handle_days);
    let soon = number(policy.due_soon_days);
    let notice = number(policy.notice_days);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let read = |s: RwSignal<String>| s.get_untracked().trim().parse::<u32>().ok();
        match (read(accept), read(handle), read(soon), read(notice)) {
            (Some(accept_days), Some(handle_days), Some(due_soon_days), Some(notice_days)) => {
                local.set(None);
                save.dispatch(SaveOfficeSettings {
                    policy: DeadlinePolicy {
                        accept_days,
                        handle_days,
                        due_soon_days,
                        notice_days,
                    },
                });
            }
            _ => {
                save.value().set(None);
                local.set(Some((
                    "天数须为 0–365 的整数",
                    "Days must be whole numbers from 0 to 365",
                )));
            }
        }
    };
    let field = move |caption: (&'static str, &'static str),
                      hint: (&'static str, &'static str),
                      value: RwSignal<String>,
                      testid: &'static str| {
        view! {
            <label>
                <span>{tr.s(caption.0, caption.1)}</span>
                <input
                    type="number"
                    min="0"
                    max=DeadlinePolicy::MAX_DAYS
                    class="short"
                    data-testid=testid
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
                <small class="hint">{tr.s(hint.0, hint.1)}</small>
            </label>
        }
    };
    let pending = save.pending();
    view! {
        <form method="post" class="card stack" on:submit=submit data-testid="deadline-settings">
            <h2>{tr.s("办理时限与听证通知", "Deadlines and notice")}</h2>
            <p class="muted">
                {tr.s(
                    "默认为“520”工作法：收件后 5 日内受理，受理后 20 日内办结。天数按自然日计算。",
                    "By default the “520” method: accept within 5 days of receipt, handle within 20 days of acceptance (calendar days).",
                )}
            </p>
            <div class="row">
                {field(("受理时限（天）", "Accept within (days)"), ("自收件日起", "from receipt"), accept, "setting-accept-days")}
                {field(("办理时限（天）", "Handle within (days)"), ("自受理日起", "from acceptance"), handle, "setting-handle-days")}
                {field(("临期提醒（天）", "Due-soon warning (days)"), ("到期前几天标为临期", "days before the deadline"), soon, "setting-due-soon-days")}
                {field(("听证通知提前天数", "Notice before a hearing (days)"), ("书面通知须提前送达", "written notice to the parties"), notice, "setting-notice-days")}
            </div>
            <LocalError message=local testid="settings-local-error" />
            <ActionError result=save.value() testid="settings-error" />
            {move || {
                matches!(save.value().get(), Some(Ok(())))
                    .then(|| view! { <p class="ok" data-testid="settings-saved">{tr.s("已保存。", "Saved.")}</p> })
            }}
            <button type="submit" data-testid="settings-save" disabled=move || pending.get()>
                {tr.s("保存", "Save")}
            </button>
        </form>
    }
}

fn scope_label(lang: Lang, code: &str) -> String {
    match (ApiScope::from_code(code), lang) {
        (Some(scope), Lang::Zh) => scope.label_zh().to_owned(),
        _ => code.to_owned(),
    }
}

#[component]
fn ApiTokens() -> impl IntoView {
    let tr = use_tr();
    let issue = ServerAction::<IssueApiToken>::new();
    let revoke = ServerAction::<RevokeApiToken>::new();
    let tokens = Resource::new(
        move || (issue.version().get(), revoke.version().get()),
        |_| list_api_tokens(),
    );
    view! {
        <section class="card stack" data-testid="api-tokens">
            <h2>{tr.s("接口令牌（API）", "API tokens")}</h2>
            <p class="muted">
                {tr.s(
                    "供信访信息系统等外部系统通过 /api/v1 推送事项、读取排期。令牌只在签发时显示一次，平台只保存其摘要。",
                    "For other systems (the provincial petition system…) to use /api/v1. A token is shown once, when issued; only its hash is stored.",
                )}
            </p>
            <IssueForm issue />
            <ActionError result=revoke.value() testid="revoke-error" />
            <Transition fallback=move || view! { <p class="muted">{tr.s("加载中…", "Loading…")}</p> }>
                {move || {
                    tokens
                        .get()
                        .map(|r| match r {
                            Ok(list) => view! { <TokenTable list revoke /> }.into_any(),
                            Err(e) => view! { <Refusal error=e /> }.into_any(),
                        })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn IssueForm(issue: ServerAction<IssueApiToken>) -> impl IntoView {
    let tr = use_tr();
    let name = RwSignal::new(String::new());
    let scopes = RwSignal::new(Vec::<ApiScope>::new());
    let local = RwSignal::new(None);
    Effect::new(move || {
        if let Some(Ok(_)) = issue.value().get() {
            name.set(String::new());
            scopes.set(Vec::new());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let chosen = scopes.get_untracked();
        let problem = if name.get_untracked().trim().is_empty() {
            Some((
                "请填写令牌名称（如：省信访信息系统）",
                "Name the token (e.g. the provincial system)",
            ))
        } else if chosen.is_empty() {
            Some(("请至少选择一项权限", "Choose at least one scope"))
        } else {
            None
        };
        if problem.is_some() {
            issue.value().set(None);
            local.set(problem);
            return;
        }
        local.set(None);
        issue.dispatch(IssueApiToken {
            name: name.get_untracked(),
            scopes: chosen.iter().map(|s| s.code().to_owned()).collect(),
        });
    };
    view! {
        <form method="post" class="stack" on:submit=submit data-testid="issue-token">
            <div class="row">
                <label class="grow">
                    {tr.s("令牌名称", "Token name")}
                    <input
                        data-testid="token-name"
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                </label>
            </div>
            <fieldset class="scopes">
                <legend>{tr.s("权限", "Scopes")}</legend>
                {ApiScope::ALL
                    .into_iter()
                    .map(|scope| {
                        view! {
                            <label class="check">
                                <input
                                    type="checkbox"
                                    data-testid="token-scope"
                                    data-scope=scope.code()
                                    prop:checked=move || scopes.with(|s| s.contains(&scope))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        scopes.update(|s| {
                                            s.retain(|x| *x != scope);
                                            if on {
                                                s.push(scope);
                                            }
                                        });
                                    }
                                />
                                {move || if tr.is_zh() { scope.label_zh() } else { scope.code() }}
                                " "
                                <code class="muted">{scope.code()}</code>
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <LocalError message=local testid="token-local-error" />
            <ActionError result=issue.value() testid="token-error" />
            <button type="submit" data-testid="token-issue">{tr.s("签发令牌", "Issue token")}</button>
            {move || {
                issue
                    .value()
                    .get()
                    .and_then(Result::ok)
                    .map(|issued| {
                        view! {
                            <div class="secret-box" data-testid="token-issued">
                                <p>
                                    <strong>
                                        {tr.s(
                                            "请立即复制并妥善保存此令牌：离开本页后将无法再次查看。",
                                            "Copy and store this token now: it cannot be shown again.",
                                        )}
                                    </strong>
                                </p>
                                <input readonly data-testid="token-value" prop:value=issued.token on:focus=move |ev| select_all(&ev) />
                                <p class="muted">
                                    {tr.s("调用时在请求头中携带：", "Send it as: ")}
                                    <code>"Authorization: Bearer <token>"</code>
                                </p>
                            </div>
                        }
                    })
            }}
        </form>
    }
}

#[component]
fn TokenTable(list: Vec<ApiTokenSummary>, revoke: ServerAction<RevokeApiToken>) -> impl IntoView {
    let tr = use_tr();
    if list.is_empty() {
        return view! { <p class="muted">{tr.s("尚未签发令牌。", "No tokens issued yet.")}</p> }
            .into_any();
    }
    view! {
        <table class="table responsive" data-testid="token-list">
            <thead>
                <tr>
                    <th>{tr.s("名称", "Name")}</th>
                    <th>{tr.s("权限", "Scopes")}</th>
                    <th>{tr.s("签发时间", "Issued")}</th>
                    <th>{tr.s("最近使用", "Last used")}</th>
                    <th>{tr.s("状态", "Status")}</th>
                </tr>
            </thead>
            <tbody>
                {list
                    .into_iter()
                    .map(|t| {
                        let (created, used, revoked) = (t.created_at_ms, t.last_used_at_ms, t.revoked_at_ms);
                        let scopes = t.scopes.clone();
                        let id = t.id.clone();
                        view! {
                            <tr data-token-name=t.name.clone() data-revoked=revoked.is_some().to_string()>
                                <td data-label=tr.s("名称", "Name")>{t.name.clone()}</td>
                                <td data-label=tr.s("权限", "Scopes")>
                                    {move || {
                                        scopes.iter().map(|s| scope_label(tr.lang(), s)).collect::<Vec<_>>().join("、")
                                    }}
                                </td>
                                <td class="nowrap" data-label=tr.s("签发时间", "Issued")>{move || format_when(tr.lang(), created)}</td>
                                <td class="nowrap" data-label=tr.s("最近使用", "Last used")>
                                    {move || used.map_or_else(|| "—".to_owned(), |u| format_when(tr.lang(), u))}
                                </td>
                                <td data-label=tr.s("状态", "Status")>
                                    {match revoked {
                                        Some(at) => {
                                            view! {
                                                <span class="muted">
                                                    {tr.s("已吊销", "Revoked")} " " {move || format_when(tr.lang(), at)}
                                                </span>
                                            }
                                                .into_any()
                                        }
                                        None => {
                                            view! {
                                                <span class="ok-text">{tr.s("有效", "Active")}</span>
                                                " "
                                                <button
                                                    type="button"
                                                    class="small danger"
                                                    data-testid="token-revoke"
                                                    on:click=move |_| {
                                                        revoke.dispatch(RevokeApiToken { token_id: id.clone() });
                                                    }
                                                >
                                                    {tr.s("吊销", "Revoke")}
                                                </button>
                                            }
                                                .into_any()
                                        }
                                    }}
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

/// 评议员轮空: members rest for the office's next N hearings after sitting.
#[component]
fn DrawSettings() -> impl IntoView {
    let tr = use_tr();
    let session = expect_context::<Session>();
    let current = Resource::new(move || session.version(), |_| draw_settings());
    view! {
        <Suspense fallback=move || view! { <p class="muted">{tr.s("加载中…", "Loading…")}</p> }>
            {move || current.get().map(|r| match r {
                Ok(rest) => view! { <DrawSettingsForm rest /> }.into_any(),
                Err(e) => view! { <Refusal error=e /> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn DrawSettingsForm(rest: u32) -> impl IntoView {
    let tr = use_tr();
    let save = ServerAction::<SaveDrawSettings>::new();
    let value = RwSignal::new(rest.to_string());
    let local = RwSignal::new(None);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match value.get_untracked().trim().parse::<u32>() {
            Ok(rest_hearings) if rest_hearings <= crate::domain::pool::MAX_REST_HEARINGS => {
                local.set(None);
                save.dispatch(SaveDrawSettings { rest_hearings });
            }
            _ => local.set(Some((
                "轮空场数须为 0–20 的整数（0 表示不轮空）",
                "Rest must be a whole number from 0 to 20",
            ))),
        }
    };
    view! {
        <form method="post" class="card stack" on:submit=submit data-testid="draw-settings">
            <h2>{tr.s("评议团抽选", "Panel draws")}</h2>
            <label>
                <span>{tr.s("参加评议后轮空的场数", "Hearings a member rests after sitting")}</span>
                <input type="number" min="0" max="20" class="short" data-testid="setting-rest-hearings"
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
                <small class="hint">{tr.s("如填 2：在本机关最近 2 场已抽选的听证中担任评议员的成员，不参加下一次抽选。0 表示不轮空。", "E.g. 2: members seated on the office's last 2 hearings sit out the next draw. 0: off.")}</small>
            </label>
            <LocalError message=local testid="draw-settings-local-error" />
            <ActionError result=save.value() testid="draw-settings-error" />
            {move || matches!(save.value().get(), Some(Ok(()))).then(|| view! { <p class="ok" data-testid="draw-settings-saved">{tr.s("已保存。", "Saved.")}</p> })}
            <p class="actions"><button type="submit" data-testid="draw-settings-save">{tr.s("保存", "Save")}</button></p>
        </form>
    }
}

/// 回访: the days after the handling decision at which follow-up visits fall due.
#[component]
fn FollowUpSettings() -> impl IntoView {
    let tr = use_tr();
    let session = expect_context::<Session>();
    let current = Resource::new(move || session.version(), |_| follow_up_policy());
    view! {
        <Suspense fallback=move || view! { <p class="muted">{tr.s("加载中…", "Loading…")}</p> }>
            {move || current.get().map(|r| match r {
                Ok(days) => view! { <FollowUpForm days /> }.into_any(),
                Err(e) => view! { <Refusal error=e /> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn FollowUpForm(days: String) -> impl IntoView {
    let tr = use_tr();
    let save = ServerAction::<SaveFollowUpPolicy>::new();
    let value = RwSignal::new(days);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveFollowUpPolicy {
            days: value.get_untracked(),
        });
    };
    view! {
        <form method="post" class="card stack" on:submit=submit data-testid="follow-up-settings">
            <h2>{tr.s("回访", "Follow-up visits")}</h2>
            <label>
                <span>{tr.s("处理决定后第几天回访", "Days after the decision")}</span>
                <input class="short" data-testid="setting-follow-up-days"
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
                <small class="hint">{tr.s("用逗号分隔，如 30,90：录入处理结果后自动安排第 30 天和第 90 天两次回访。", "Comma-separated, e.g. 30,90: two visits, 30 and 90 days after the decision.")}</small>
            </label>
            <ActionError result=save.value() testid="follow-up-settings-error" />
            {move || matches!(save.value().get(), Some(Ok(_))).then(|| view! { <p class="ok" data-testid="follow-up-settings-saved">{tr.s("已保存。", "Saved.")}</p> })}
            <p class="actions"><button type="submit" data-testid="follow-up-settings-save">{tr.s("保存", "Save")}</button></p>
        </form>
    }
}

/// 评议团成员类别: the office's own categories besides the standard eight.
#[component]
fn CategorySettings() -> impl IntoView {
    let tr = use_tr();
    let session = expect_context::<Session>();
    let current = Resource::new(move || session.version(), |_| pool_categories());
    view! {
        <Suspense fallback=move || view! { <p class="muted">{tr.s("加载中…", "Loading…")}</p> }>
            {move || current.get().map(|r| match r {
                Ok(names) => view! { <CategoryForm names /> }.into_any(),
                Err(e) => view! { <Refusal error=e /> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn CategoryForm(names: Vec<String>) -> impl IntoView {
    let tr = use_tr();
    let save = ServerAction::<SavePoolCategories>::new();
    let text = RwSignal::new(names.join("\n"));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let names = text.get_untracked().lines().map(str::to_owned).collect();
        save.dispatch(SavePoolCategories { names });
    };
    view! {
        <form method="post" class="card stack" on:submit=submit data-testid="category-settings">
            <h2>{tr.s("评议团成员类别", "Pool categories")}</h2>
            <p class="muted">{tr.s(
                "标准类别：人大代表、政协委员、律师、专家学者、基层群众代表、媒体、社会组织、政府机关。如需增加本机关自己的类别（如“退休法官”“心理咨询师”），每行填写一个名称；名额要求也可按这些类别设置。",
                "Standard: deputies, CPPCC members, lawyers, experts, grassroots, media, social organisations, government. Add the office's own categories, one name per line; quotas may use them.",
            )}</p>
            <textarea rows="4" data-testid="setting-categories" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <ActionError result=save.value() testid="category-settings-error" />
            {move || matches!(save.value().get(), Some(Ok(_))).then(|| view! { <p class="ok" data-testid="category-settings-saved">{tr.s("已保存。", "Saved.")}</p> })}
            <p class="actions"><button type="submit" data-testid="category-settings-save">{tr.s("保存", "Save")}</button></p>
        </form>
    }
}
