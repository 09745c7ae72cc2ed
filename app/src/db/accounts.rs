//! Accounts (staff and panel members). Passwords arrive here already hashed.

use super::{Db, DbError, new_id, now_ms};
use crate::domain::access::{Role, format_roles, parse_roles};
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Clone, Debug)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub roles: Vec<Role>,
    pub disabled: bool,
}

const SELECT: &str =
    "SELECT id, username, display_name, password_hash, roles, disabled FROM accounts";

fn from_row(row: &AnyRow) -> Result<Account, DbError> {
    Ok(Account {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        password_hash: row.try_get("password_hash")?,
        roles: parse_roles(&row.try_get::<String, _>("roles")?),
        disabled: row.try_get::<i64, _>("disabled")? != 0,
    })
}

pub struct NewAccount<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub roles: &'a [Role],
}

/// Creates an account; `None` when the username is taken.
pub async fn create(db: &Db, account: &NewAccount<'_>) -> Result<Option<String>, DbError> {
    if by_username(db, account.username).await?.is_some() {
        return Ok(None);
    }
    let id = new_id();
    let now = now_ms();
    let inserted = sqlx::query(
        "INSERT INTO accounts (id, username, display_name, password_hash, roles, disabled, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 0, $6, $6)",
    )
    .bind(&id)
    .bind(account.username)
    .bind(account.display_name)
    .bind(account.password_hash)
    .bind(format_roles(account.roles))
    .bind(now)
    .execute(db.pool())
    .await;
    match inserted {
        Ok(_) => Ok(Some(id)),
        // Lost a race for the same username: taken, like the check above says.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

pub async fn by_username(db: &Db, username: &str) -> Result<Option<Account>, DbError> {
    let row = sqlx::query(&format!("{SELECT} WHERE username = $1"))
        .bind(username)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn get(db: &Db, id: &str) -> Result<Option<Account>, DbError> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Every account, by username.
pub async fn list(db: &Db) -> Result<Vec<Account>, DbError> {
    let rows = sqlx::query(&format!("{SELECT} ORDER BY username"))
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn set_disabled(db: &Db, id: &str, disabled: bool) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE accounts SET disabled = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(disabled))
        .bind(now_ms())
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_roles(db: &Db, id: &str, roles: &[Role]) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE accounts SET roles = $1, updated_at = $2 WHERE id = $3")
        .bind(format_roles(roles))
        .bind(now_ms())
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_password_hash(db: &Db, id: &str, hash: &str) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE accounts SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(now_ms())
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// How many enabled accounts hold the administrator role.
pub async fn active_admins(db: &Db) -> Result<usize, DbError> {
    Ok(list(db)
        .await?
        .iter()
        .filter(|a| !a.disabled && a.roles.contains(&Role::Admin))
        .count())
}

/// An account's display name, read inside the caller's transaction.
pub async fn display_name_in(
    conn: &mut sqlx::AnyConnection,
    id: &str,
) -> Result<Option<String>, DbError> {
    let row = sqlx::query("SELECT display_name FROM accounts WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| r.try_get("display_name"))
        .transpose()
        .map_err(DbError::from)
}

/// Marks an account that cannot log in until an administrator sets a password
/// (pool members added by the office). Never a valid argon2 PHC string.
pub const NO_PASSWORD: &str = "!";

/// Creates a panel member's account inside a transaction: role juror, no
/// password. The username is `base`, or `base-2`, `base-3` … when taken.
pub async fn insert_member_account_in(
    conn: &mut sqlx::AnyConnection,
    base: &str,
    display_name: &str,
) -> Result<String, DbError> {
    let id = new_id();
    let now = now_ms();
    for attempt in 1..1000 {
        let username = if attempt == 1 {
            base.to_owned()
        } else {
            format!("{base}-{attempt}")
        };
        let taken = sqlx::query("SELECT 1 FROM accounts WHERE username = $1")
            .bind(&username)
            .fetch_optional(&mut *conn)
            .await?
            .is_some();
        if taken {
            continue;
        }
        sqlx::query(
            "INSERT INTO accounts (id, username, display_name, password_hash, roles, disabled, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 0, $6, $6)",
        )
        .bind(&id)
        .bind(&username)
        .bind(display_name)
        .bind(NO_PASSWORD)
        .bind(format_roles(&[Role::Juror]))
        .bind(now)
        .execute(&mut *conn)
        .await?;
        return Ok(id);
    }
    Err(DbError::Corrupt(format!("no free username for {base}")))
}

/// Keeps a member's account name in step with the pool (what the room shows).
pub async fn set_display_name_in(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    display_name: &str,
) -> Result<(), DbError> {
    sqlx::query("UPDATE accounts SET display_name = $1, updated_at = $2 WHERE id = $3")
        .bind(display_name)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
