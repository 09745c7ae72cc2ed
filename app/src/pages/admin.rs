//! 账户管理 and 审计日志: the administrator's pages.

use super::home::{Refusal, format_when};
use super::{Session, use_lang};
use crate::api::{AccountChange, ChangeAccount, CreateAccount, list_accounts, list_audit};
use crate::domain::access::{Role, format_roles};
use crate::i18n::Lang;
use crate::model::AccountSummary;
use leptos::prelude::*;

fn role_label(lang: Lang, role: Role) -> &'static str {
    match lang {
        Lang::Zh => role.label_zh(),
        Lang::En => role.label_en(),
    }
}

/// One checkbox per role, bound to a set of roles.
#[component]
fn RolePicker(chosen: RwSignal<Vec<Role>>, name: String) -> impl IntoView {
    let lang = use_lang();
    Role::ALL
        .into_iter()
        .map(|role| {
            let id = format!("{name}-{}", role.code());
            let label_for = id.clone();
            view! {
                <label class="check" for=label_for>
                    <input
                        type="checkbox"
                        id=id
                        data-role=role.code()
                        prop:checked=move || chosen.with(|c| c.contains(&role))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            chosen.update(|c| {
                                c.retain(|r| *r != role);
                                if on {
                                    c.push(role);
                                }
                            });
                        }
                    />
                    {move || role_label(lang.get(), role)}
                </label>
            }
        })
        .collect_view()
}

#[component]
pub fn AccountsPage() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let session = expect_context::<Session>();
    let create = ServerAction::<CreateAccount>::new();
    let change = ServerAction::<ChangeAccount>::new();
    let accounts = Resource::new(
        move || {
            (
                session.version(),
                create.version().get(),
                change.version().get(),
            )
        },
        |_| list_accounts(),
    );

    view! {
        <h1>{move || t().accounts_heading}</h1>
        <NewAccountForm create />
        {move || {
            change
                .value()
                .get()
                .map(|r| match r {
                    Ok(()) => view! { <p class="ok" data-testid="change-ok">{move || t().saved}</p> }.into_any(),
                    Err(e) => {
                        view! {
                            <p class="error" role="alert" data-testid="change-error">
                                {move || e.message(lang.get())}
                            </p>
                        }
                            .into_any()
                    }
                })
        }}
        <Transition fallback=move || view! { <p class="muted">{move || t().loading}</p> }>
            {move || {
                accounts
                    .get()
                    .map(|r| match r {
                        Ok(list) => view! { <AccountTable list change /> }.into_any(),
                        Err(e) => view! { <Refusal error=e /> }.into_any(),
                    })
            }}
        </Transition>
    }
}

#[component]
fn NewAccountForm(create: ServerAction<CreateAccount>) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let username = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let roles = RwSignal::new(vec![Role::Juror]);
    Effect::new(move || {
        if let Some(Ok(_)) = create.value().get() {
            username.set(String::new());
            display_name.set(String::new());
            password.set(String::new());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(CreateAccount {
            username: username.get_untracked(),
            display_name: display_name.get_untracked(),
            password: password.get_untracked(),
            roles: format_roles(&roles.get_untracked()),
        });
    };
    let field = |label: fn(Lang) -> &'static str,
                 value: RwSignal<String>,
                 kind: &'static str,
                 testid: &'static str| {
        view! {
            <label>
                {move || label(lang.get())}
                <input
                    type=kind
                    data-testid=testid
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
            </label>
        }
    };
    view! {
        <form method="post" class="card stack" on:submit=submit data-testid="new-account">
            <h2>{move || t().new_account}</h2>
            <div class="row">
                {field(|l| l.texts().username, username, "text", "new-username")}
                {field(|l| l.texts().display_name, display_name, "text", "new-display-name")}
                {field(|l| l.texts().password, password, "password", "new-password")}
            </div>
            <div class="row">
                <span class="muted">{move || t().roles}</span>
                <RolePicker chosen=roles name="new".to_owned() />
            </div>
            <super::ActionError result=create.value() testid="create-error" />
            <button type="submit" data-testid="create-account">{move || t().create}</button>
        </form>
    }
}

#[component]
fn AccountTable(list: Vec<AccountSummary>, change: ServerAction<ChangeAccount>) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    view! {
        <table class="table" data-testid="accounts">
            <thead>
                <tr>
                    <th>{move || t().username}</th>
                    <th>{move || t().display_name}</th>
                    <th>{move || t().roles}</th>
                    <th>{move || t().status}</th>
                    <th>{move || t().reset_password}</th>
                </tr>
            </thead>
            <tbody>
                {list.into_iter().map(|account| view! { <AccountRow account change /> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn AccountRow(account: AccountSummary, change: ServerAction<ChangeAccount>) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let roles = RwSignal::new(account.roles.clone());
    let password = RwSignal::new(String::new());
    let id = account.id.clone();
    let disabled = account.disabled;
    let send = move |what: AccountChange| {
        change.dispatch(ChangeAccount {
            account_id: id.clone(),
            change: what,
        });
    };
    let (send_roles, send_status, send_password) = (send.clone(), send.clone(), send);
    view! {
        <tr data-username=account.username.clone()>
            <td>{account.username.clone()}</td>
            <td>{account.display_name.clone()}</td>
            <td>
                <RolePicker chosen=roles name=account.username.clone() />
                <button class="small" data-testid="save-roles" on:click=move |_| send_roles(AccountChange::Roles(roles.get_untracked()))>
                    {move || t().save_roles}
                </button>
            </td>
            <td>
                <span class:muted=disabled>{move || if disabled { t().disabled } else { t().enabled }}</span>
                " "
                <button class="small" data-testid="toggle-disabled" on:click=move |_| send_status(AccountChange::Disabled(!disabled))>
                    {move || if disabled { t().enable } else { t().disable }}
                </button>
            </td>
            <td>
                <input
                    type="password"
                    placeholder=move || t().new_password
                    data-testid="reset-password-input"
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
                <button class="small" data-testid="reset-password" on:click=move |_| send_password(AccountChange::Password(password.get_untracked()))>
                    {move || t().reset_password}
                </button>
            </td>
        </tr>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let session = expect_context::<Session>();
    let lines = Resource::new(move || session.version(), |_| list_audit());
    view! {
        <h1>{move || t().audit_heading}</h1>
        <Transition fallback=move || view! { <p class="muted">{move || t().loading}</p> }>
            {move || {
                lines
                    .get()
                    .map(|r| match r {
                        Ok(lines) => {
                            view! {
                                <table class="table" data-testid="audit">
                                    <thead>
                                        <tr>
                                            <th>{move || t().audit_time}</th>
                                            <th>{move || t().audit_actor}</th>
                                            <th>{move || t().audit_action}</th>
                                            <th>{move || t().audit_subject}</th>
                                            <th>{move || t().audit_ip}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {lines
                                            .into_iter()
                                            .map(|l| {
                                                let at = l.at_ms;
                                                view! {
                                                    <tr>
                                                        <td class="nowrap">{move || format_when(lang.get(), at)}</td>
                                                        <td>{l.actor_name.unwrap_or_else(|| "—".into())}</td>
                                                        <td><code>{l.action}</code> " " {l.detail}</td>
                                                        <td>{l.subject.unwrap_or_default()}</td>
                                                        <td>{l.ip.unwrap_or_default()}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <Refusal error=e /> }.into_any(),
                    })
            }}
        </Transition>
    }
}
