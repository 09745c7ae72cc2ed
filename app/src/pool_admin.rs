//! Changing the pool (server only): adding and editing members, each with
//! its juror account, in one transaction.

use crate::db::{self, Db, DbError};
use crate::domain::pool::MemberDraft;
use crate::error::ApiError;

/// Adds (`member_id` None) or edits a member; returns its code.
pub async fn save(
    db: &Db,
    member_id: Option<&str>,
    version: Option<i64>,
    draft: MemberDraft,
) -> Result<String, ApiError> {
    let categories = db::settings::pool_categories(db).await?;
    let draft = draft
        .validate(&categories)
        .map_err(|errors| ApiError::MemberInvalid { errors })?;
    // Read before the transaction writes: nothing goes through the pool after.
    let current = match member_id {
        Some(id) => Some(
            db::pool::get(db, id)
                .await?
                .ok_or(ApiError::MemberNotFound)?,
        ),
        None => None,
    };
    let mut tx = db.begin().await?;
    let id = match (member_id, current) {
        (Some(id), Some(current)) => {
            let expected = version.unwrap_or(current.member.version);
            if !db::pool::update_in(&mut tx, id, expected, &draft).await? {
                return Err(ApiError::StaleVersion);
            }
            db::accounts::set_display_name_in(&mut tx, &current.member.account_id, &draft.name)
                .await?;
            id.to_owned()
        }
        _ => add_in(&mut tx, None, &draft).await?,
    };
    tx.commit().await.map_err(DbError::from)?;
    Ok(id)
}

/// Adds a member with the given code (or the next free one) and its account.
pub async fn add_in(
    conn: &mut sqlx::AnyConnection,
    code: Option<&str>,
    draft: &MemberDraft,
) -> Result<String, DbError> {
    let id = match code {
        Some(code) => code.to_owned(),
        None => db::pool::next_id(conn).await?,
    };
    let account =
        db::accounts::insert_member_account_in(conn, &id.to_lowercase(), &draft.name).await?;
    db::pool::insert_in(conn, &id, &account, draft).await?;
    Ok(id)
}

/// Writes a valid import in one transaction: rows whose code exists update
/// that member, the others are added.
pub async fn import(
    db: &Db,
    preview: &crate::pool_import::PoolImportPreview,
) -> Result<usize, ApiError> {
    let mut tx = db.begin().await?;
    for row in &preview.rows {
        let Some(draft) = &row.draft else {
            return Err(ApiError::ImportRejected);
        };
        match &row.code {
            Some(code) if db::pool::exists_in(&mut tx, code).await? => {
                let current = db::pool::get_in(&mut tx, code)
                    .await?
                    .ok_or(ApiError::MemberNotFound)?;
                db::pool::update_in(&mut tx, code, current.version, draft).await?;
                db::accounts::set_display_name_in(&mut tx, &current.account_id, &draft.name)
                    .await?;
            }
            code => {
                add_in(&mut tx, code.as_deref(), draft).await?;
            }
        }
    }
    tx.commit().await.map_err(DbError::from)?;
    Ok(preview.rows.len())
}
