//! Account administration (server only): the one place that creates accounts and
//! changes roles, status and passwords — used by the admin page, the CLI and the
//! demo alike. Every change is audited and re-checked on open live sessions.

use crate::auth::{MIN_PASSWORD_CHARS, hash_password};
use crate::db::accounts::{self, NewAccount};
use crate::db::audit::{AuditEntry, record};
use crate::db::{Db, DbError};
use crate::domain::access::{Role, format_roles};
use crate::error::ApiError;
use crate::live::AccessFeed;

/// Who made a change, for the audit log (`None`: the command line).
pub struct ChangedBy<'a> {
    pub actor: Option<&'a str>,
    pub ip: Option<&'a str>,
}

fn check_password(password: &str) -> Result<(), ApiError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ApiError::WeakPassword {
            min: MIN_PASSWORD_CHARS,
        });
    }
    Ok(())
}

async fn audit(
    db: &Db,
    by: &ChangedBy<'_>,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<(), DbError> {
    let entry = AuditEntry {
        actor: by.actor,
        action,
        subject: Some(subject),
        detail,
        ip: by.ip,
    };
    record(db, &entry).await
}

pub async fn create(
    db: &Db,
    by: &ChangedBy<'_>,
    username: &str,
    display_name: &str,
    password: &str,
    roles: &[Role],
) -> Result<String, ApiError> {
    let username = username.trim();
    if username.is_empty()
        || username.chars().any(char::is_whitespace)
        || username.chars().count() > 64
    {
        return Err(ApiError::InvalidUsername);
    }
    let display_name = display_name.trim();
    if display_name.is_empty() || display_name.chars().count() > 64 {
        return Err(ApiError::InvalidDisplayName);
    }
    check_password(password)?;
    let hash = hash_password(password.to_owned()).await?;
    let account = NewAccount {
        username,
        display_name,
        password_hash: &hash,
        roles,
    };
    let id = accounts::create(db, &account)
        .await?
        .ok_or(ApiError::UsernameTaken)?;
    audit(db, by, "account_created", username, &format_roles(roles)).await?;
    Ok(id)
}

/// Refuses a change that would leave no enabled administrator.
async fn keep_an_admin(
    db: &Db,
    id: &str,
    roles_after: &[Role],
    disabled_after: bool,
) -> Result<(), ApiError> {
    let account = accounts::get(db, id)
        .await?
        .ok_or(ApiError::AccountNotFound)?;
    let was_admin = !account.disabled && account.roles.contains(&Role::Admin);
    let is_admin = !disabled_after && roles_after.contains(&Role::Admin);
    if was_admin && !is_admin && accounts::active_admins(db).await? <= 1 {
        return Err(ApiError::LastAdmin);
    }
    Ok(())
}

pub async fn set_roles(
    db: &Db,
    feed: &AccessFeed,
    by: &ChangedBy<'_>,
    id: &str,
    roles: &[Role],
) -> Result<(), ApiError> {
    let account = accounts::get(db, id)
        .await?
        .ok_or(ApiError::AccountNotFound)?;
    keep_an_admin(db, id, roles, account.disabled).await?;
    accounts::set_roles(db, id, roles).await?;
    let detail = format!(
        "{} -> {}",
        format_roles(&account.roles),
        format_roles(roles)
    );
    audit(db, by, "roles_changed", &account.username, &detail).await?;
    feed.changed(id);
    Ok(())
}

pub async fn set_disabled(
    db: &Db,
    feed: &AccessFeed,
    by: &ChangedBy<'_>,
    id: &str,
    disabled: bool,
) -> Result<(), ApiError> {
    let account = accounts::get(db, id)
        .await?
        .ok_or(ApiError::AccountNotFound)?;
    keep_an_admin(db, id, &account.roles, disabled).await?;
    accounts::set_disabled(db, id, disabled).await?;
    let action = if disabled {
        "account_disabled"
    } else {
        "account_enabled"
    };
    audit(db, by, action, &account.username, "").await?;
    feed.changed(id);
    Ok(())
}

/// Sets a new password; every session of the account ends (its auth hash changes).
pub async fn reset_password(
    db: &Db,
    feed: &AccessFeed,
    by: &ChangedBy<'_>,
    id: &str,
    password: &str,
) -> Result<(), ApiError> {
    check_password(password)?;
    let account = accounts::get(db, id)
        .await?
        .ok_or(ApiError::AccountNotFound)?;
    let hash = hash_password(password.to_owned()).await?;
    accounts::set_password_hash(db, id, &hash).await?;
    audit(db, by, "password_reset", &account.username, "").await?;
    feed.changed(id);
    Ok(())
}
