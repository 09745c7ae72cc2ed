//! Administration: accounts (账户管理) and the audit log (审计日志). Administrators only.

#[cfg(feature = "ssr")]
use super::guard;
#[cfg(feature = "ssr")]
use crate::domain::access::Action;
use crate::domain::access::Role;
use crate::error::ApiError;
use crate::model::{AccountSummary, AuditLine};
use leptos::prelude::*;

/// Roles arrive as a comma-separated list of codes; an unknown code is an error,
/// not silently dropped.
#[cfg(feature = "ssr")]
fn roles_from_form(codes: &str) -> Result<Vec<Role>, ApiError> {
    let mut roles = Vec::new();
    for code in codes.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        roles.push(Role::from_code(code).ok_or(ApiError::Transport {
            detail: format!("unknown role {code}"),
        })?);
    }
    Ok(crate::domain::access::parse_roles(
        &crate::domain::access::format_roles(&roles),
    ))
}

#[server(prefix = "/rpc", endpoint = "list_accounts")]
pub async fn list_accounts() -> Result<Vec<AccountSummary>, ApiError> {
    guard::answer(
        async {
            let (state, _, _) = guard::require(Action::ManageAccounts, None).await?;
            Ok(crate::db::accounts::list(&state.db)
                .await?
                .into_iter()
                .map(|a| AccountSummary {
                    id: a.id,
                    username: a.username,
                    display_name: a.display_name,
                    roles: a.roles,
                    disabled: a.disabled,
                })
                .collect())
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "create_account")]
pub async fn create_account(
    username: String,
    display_name: String,
    password: String,
    roles: String,
) -> Result<String, ApiError> {
    guard::answer(
        async {
            let (state, actor, _) = guard::require(Action::ManageAccounts, None).await?;
            let ip = guard::client_ip().await;
            let by = crate::accounts::ChangedBy {
                actor: Some(&actor.account_id),
                ip: ip.as_deref(),
            };
            let roles = roles_from_form(&roles)?;
            crate::accounts::create(&state.db, &by, &username, &display_name, &password, &roles)
                .await
        }
        .await,
    )
}

/// What an administrator can change about an existing account.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AccountChange {
    Roles(Vec<Role>),
    Disabled(bool),
    Password(String),
}

#[server(prefix = "/rpc", endpoint = "change_account", input = leptos::server_fn::codec::Json)]
pub async fn change_account(account_id: String, change: AccountChange) -> Result<(), ApiError> {
    guard::answer(
        async {
            let (state, actor, _) = guard::require(Action::ManageAccounts, None).await?;
            let ip = guard::client_ip().await;
            let by = crate::accounts::ChangedBy {
                actor: Some(&actor.account_id),
                ip: ip.as_deref(),
            };
            let (db, feed) = (&state.db, &state.access);
            match change {
                AccountChange::Roles(roles) => {
                    let roles = roles_from_form(&crate::domain::access::format_roles(&roles))?;
                    crate::accounts::set_roles(db, feed, &by, &account_id, &roles).await
                }
                AccountChange::Disabled(disabled) => {
                    crate::accounts::set_disabled(db, feed, &by, &account_id, disabled).await
                }
                AccountChange::Password(password) => {
                    crate::accounts::reset_password(db, feed, &by, &account_id, &password).await
                }
            }
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "list_audit")]
pub async fn list_audit() -> Result<Vec<AuditLine>, ApiError> {
    guard::answer(
        async {
            let (state, _, _) = guard::require(Action::ViewAudit, None).await?;
            Ok(crate::db::audit::list(&state.db, 500).await?)
        }
        .await,
    )
}
