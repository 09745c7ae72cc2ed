//! Creating accounts from the command line and the demo (`pingyi admin create`).

use app::auth::{MIN_PASSWORD_CHARS, hash_password};
use app::db::Db;
use app::db::accounts::{NewAccount, create};
use app::db::audit::{AuditEntry, record};
use app::domain::access::Role;

/// Creates an account with a hashed password; a clear error when the name is
/// taken or the password too short.
pub async fn create_account(
    db: &Db,
    username: &str,
    display_name: &str,
    password: &str,
    roles: &[Role],
) -> anyhow::Result<String> {
    let username = username.trim();
    if username.is_empty() || username.chars().any(char::is_whitespace) {
        anyhow::bail!("用户名不能为空且不能含空白 / username must be non-empty without spaces");
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        anyhow::bail!(
            "密码至少 {MIN_PASSWORD_CHARS} 位 / password must have at least {MIN_PASSWORD_CHARS} characters"
        );
    }
    let hash = hash_password(password.to_owned()).await?;
    let account = NewAccount {
        username,
        display_name: display_name.trim(),
        password_hash: &hash,
        roles,
    };
    let id = create(db, &account)
        .await?
        .ok_or_else(|| anyhow::anyhow!("用户名已存在 / username `{username}` is taken"))?;
    let roles_text = app::domain::access::format_roles(roles);
    let entry = AuditEntry {
        actor: None,
        action: "account_created",
        subject: Some(&id),
        detail: &roles_text,
        ip: None,
    };
    record(db, &entry).await?;
    Ok(id)
}
