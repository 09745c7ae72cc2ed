//! Exhibits (证据), their stored files, the chain of custody and 质证 opinions.
//! Nothing here deletes: withdrawing is a status, custody and opinions only grow.

use super::{Db, DbError, new_id, now_ms};
use crate::domain::case::Coded;
use crate::domain::evidence::{
    CustodyAction, ExhibitDraft, ExhibitStatus, Exposure, FileKind, Opinion, Stance, Submitter,
};
use crate::model::{CustodyEntry, ExhibitRecord, OpinionEntry};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

const EXHIBIT_SELECT: &str = "SELECT id, hearing_id, submitter, number, title, description, purpose, \
     file_name, kind, sha256, size_bytes, submitted_by_id, submitted_by_name, submitted_at, status, \
     shared_with_parties, released_to_panel, shown_live FROM exhibits";

fn parse<T: Coded>(code: &str, what: &str) -> Result<T, DbError> {
    T::parse_code(code).ok_or_else(|| DbError::Corrupt(format!("{what} {code}")))
}

fn exhibit_from_row(row: &AnyRow) -> Result<ExhibitRecord, DbError> {
    let submitter: Submitter = parse(&row.try_get::<String, _>("submitter")?, "submitter")?;
    let number: i64 = row.try_get("number")?;
    let number = u32::try_from(number).map_err(|_| DbError::Corrupt(format!("number {number}")))?;
    let size: i64 = row.try_get("size_bytes")?;
    Ok(ExhibitRecord {
        id: row.try_get("id")?,
        hearing_id: row.try_get("hearing_id")?,
        label: submitter.label(number),
        submitter,
        number,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        purpose: row.try_get("purpose")?,
        file_name: row.try_get("file_name")?,
        kind: parse(&row.try_get::<String, _>("kind")?, "kind")?,
        sha256: row.try_get("sha256")?,
        size_bytes: u64::try_from(size).unwrap_or_default(),
        submitted_by_id: row.try_get("submitted_by_id")?,
        submitted_by_name: row.try_get("submitted_by_name")?,
        submitted_at_ms: row.try_get("submitted_at")?,
        status: parse(&row.try_get::<String, _>("status")?, "exhibit status")?,
        shared_with_parties: row.try_get::<i64, _>("shared_with_parties")? != 0,
        released_to_panel: row.try_get::<i64, _>("released_to_panel")? != 0,
        shown_live: row.try_get::<i64, _>("shown_live")? != 0,
    })
}

impl ExhibitRecord {
    pub fn exposure(&self) -> Exposure {
        Exposure {
            submitter: self.submitter,
            status: self.status,
            shared_with_parties: self.shared_with_parties,
            released_to_panel: self.released_to_panel,
            shown_live: self.shown_live,
        }
    }
}

/// A hearing's exhibits, by side and number.
pub async fn list(db: &Db, hearing_id: &str) -> Result<Vec<ExhibitRecord>, DbError> {
    let rows = sqlx::query(&format!(
        "{EXHIBIT_SELECT} WHERE hearing_id = $1 ORDER BY submitter, number"
    ))
    .bind(hearing_id)
    .fetch_all(db.pool())
    .await?;
    let mut exhibits = rows
        .iter()
        .map(exhibit_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    // 申, 被, 三, 听 — the order the hearing takes them in, not the codes' order.
    exhibits.sort_by_key(|e| {
        (
            Submitter::ALL.iter().position(|s| *s == e.submitter),
            e.number,
        )
    });
    Ok(exhibits)
}

/// Every exhibit of every hearing (for the offline integrity check).
pub async fn all(db: &Db) -> Result<Vec<ExhibitRecord>, DbError> {
    let rows = sqlx::query(&format!(
        "{EXHIBIT_SELECT} ORDER BY hearing_id, submitter, number"
    ))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(exhibit_from_row).collect()
}

pub async fn get(db: &Db, exhibit_id: &str) -> Result<Option<ExhibitRecord>, DbError> {
    let row = sqlx::query(&format!("{EXHIBIT_SELECT} WHERE id = $1"))
        .bind(exhibit_id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(exhibit_from_row).transpose()
}

pub async fn get_in(
    conn: &mut AnyConnection,
    exhibit_id: &str,
) -> Result<Option<ExhibitRecord>, DbError> {
    let row = sqlx::query(&format!("{EXHIBIT_SELECT} WHERE id = $1"))
        .bind(exhibit_id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(exhibit_from_row).transpose()
}

/// Bytes filed for a hearing so far (withdrawn exhibits included: they stay stored).
pub async fn hearing_bytes_in(conn: &mut AnyConnection, hearing_id: &str) -> Result<u64, DbError> {
    // SUM of BIGINT is NUMERIC in PostgreSQL, which the portable driver cannot read.
    let row = sqlx::query(
        "SELECT CAST(COALESCE(SUM(size_bytes), 0) AS BIGINT) AS total FROM exhibits WHERE hearing_id = $1",
    )
    .bind(hearing_id)
    .fetch_one(&mut *conn)
    .await?;
    let total: i64 = row.try_get("total")?;
    Ok(u64::try_from(total).unwrap_or_default())
}

/// The same, outside a transaction (a first check before anything is stored).
pub async fn hearing_bytes(db: &Db, hearing_id: &str) -> Result<u64, DbError> {
    let mut conn = db.pool().acquire().await?;
    hearing_bytes_in(&mut conn, hearing_id).await
}

/// A stored file's row; a file filed twice has one row.
pub async fn insert_blob_in(
    conn: &mut AnyConnection,
    sha256: &str,
    size: u64,
    kind: FileKind,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO evidence_blobs (sha256, size_bytes, kind, stored_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(sha256)
    .bind(i64::try_from(size).unwrap_or(i64::MAX))
    .bind(kind.code())
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// What a new exhibit row needs besides its number.
pub struct NewExhibit<'a> {
    pub hearing_id: &'a str,
    pub submitter: Submitter,
    pub draft: &'a ExhibitDraft,
    pub file_name: &'a str,
    pub kind: FileKind,
    pub sha256: &'a str,
    pub size: u64,
    pub by_id: &'a str,
    pub by_name: &'a str,
}

/// Inserts with the side's next number. The caller holds the hearing's write turn,
/// so two uploads never take the same number.
pub async fn insert_in(conn: &mut AnyConnection, new: &NewExhibit<'_>) -> Result<String, DbError> {
    let row = sqlx::query(
        "SELECT COALESCE(MAX(number), 0) AS last FROM exhibits WHERE hearing_id = $1 AND submitter = $2",
    )
    .bind(new.hearing_id)
    .bind(new.submitter.code())
    .fetch_one(&mut *conn)
    .await?;
    let last: i64 = row.try_get("last")?;
    let id = new_id();
    sqlx::query(
        "INSERT INTO exhibits (id, hearing_id, submitter, number, title, description, purpose, \
         file_name, kind, sha256, size_bytes, submitted_by_id, submitted_by_name, submitted_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(&id)
    .bind(new.hearing_id)
    .bind(new.submitter.code())
    .bind(last + 1)
    .bind(&new.draft.title)
    .bind(&new.draft.description)
    .bind(&new.draft.purpose)
    .bind(new.file_name)
    .bind(new.kind.code())
    .bind(new.sha256)
    .bind(i64::try_from(new.size).unwrap_or(i64::MAX))
    .bind(new.by_id)
    .bind(new.by_name)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// One of the host's switches on an exhibit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flag {
    SharedWithParties,
    ReleasedToPanel,
    ShownLive,
}

pub async fn set_flag_in(
    conn: &mut AnyConnection,
    exhibit_id: &str,
    flag: Flag,
    on: bool,
) -> Result<(), DbError> {
    let column = match flag {
        Flag::SharedWithParties => "shared_with_parties",
        Flag::ReleasedToPanel => "released_to_panel",
        Flag::ShownLive => "shown_live",
    };
    sqlx::query(&format!("UPDATE exhibits SET {column} = $1 WHERE id = $2"))
        .bind(i64::from(on))
        .bind(exhibit_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_status_in(
    conn: &mut AnyConnection,
    exhibit_id: &str,
    status: ExhibitStatus,
) -> Result<(), DbError> {
    sqlx::query("UPDATE exhibits SET status = $1 WHERE id = $2")
        .bind(status.code())
        .bind(exhibit_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Who did something to an exhibit.
pub struct Custodian<'a> {
    /// Account or invitation id; `None` for an observer without an account.
    pub id: Option<&'a str>,
    pub name: &'a str,
}

pub async fn custody_in(
    conn: &mut AnyConnection,
    exhibit: &ExhibitRecord,
    action: CustodyAction,
    by: &Custodian<'_>,
    detail: &str,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO exhibit_custody (id, exhibit_id, hearing_id, action, actor_id, actor_name, detail, at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(&exhibit.id)
    .bind(&exhibit.hearing_id)
    .bind(action.code())
    .bind(by.id)
    .bind(by.name)
    .bind(detail)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records one custody entry in its own transaction (views, checks).
pub async fn custody(
    db: &Db,
    exhibit: &ExhibitRecord,
    action: CustodyAction,
    by: &Custodian<'_>,
    detail: &str,
) -> Result<(), DbError> {
    let mut conn = db.pool().acquire().await?;
    custody_in(&mut conn, exhibit, action, by, detail).await
}

/// An exhibit's chain of custody, oldest first.
pub async fn custody_of(db: &Db, exhibit_id: &str) -> Result<Vec<CustodyEntry>, DbError> {
    let rows = sqlx::query(
        "SELECT action, actor_name, detail, at_ms FROM exhibit_custody \
         WHERE exhibit_id = $1 ORDER BY at_ms, id",
    )
    .bind(exhibit_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(CustodyEntry {
                action: parse(&row.try_get::<String, _>("action")?, "custody action")?,
                actor_name: row.try_get("actor_name")?,
                detail: row.try_get("detail")?,
                at_ms: row.try_get("at_ms")?,
            })
        })
        .collect()
}

/// The opinion's author as stored with it.
pub struct Author<'a> {
    pub id: &'a str,
    pub name: &'a str,
    /// petitioner | agency | third_party | juror
    pub role: &'a str,
}

pub async fn insert_opinion_in(
    conn: &mut AnyConnection,
    exhibit_id: &str,
    author: &Author<'_>,
    opinion: &Opinion,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO exhibit_opinions (id, exhibit_id, author_id, author_name, author_role, \
         authenticity, legality, relevance, comment, at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(new_id())
    .bind(exhibit_id)
    .bind(author.id)
    .bind(author.name)
    .bind(author.role)
    .bind(opinion.authenticity.code())
    .bind(opinion.legality.code())
    .bind(opinion.relevance.code())
    .bind(&opinion.comment)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The latest opinion of each author on each of a hearing's exhibits.
pub async fn opinions_of_hearing(db: &Db, hearing_id: &str) -> Result<Vec<OpinionEntry>, DbError> {
    let rows = sqlx::query(
        "SELECT o.exhibit_id, o.author_id, o.author_name, o.author_role, o.authenticity, \
         o.legality, o.relevance, o.comment, o.at_ms FROM exhibit_opinions o \
         JOIN exhibits e ON e.id = o.exhibit_id WHERE e.hearing_id = $1 ORDER BY o.at_ms, o.id",
    )
    .bind(hearing_id)
    .fetch_all(db.pool())
    .await?;
    let mut latest: Vec<OpinionEntry> = Vec::new();
    for row in &rows {
        let stance = |column: &str| -> Result<Stance, DbError> {
            parse(&row.try_get::<String, _>(column)?, "stance")
        };
        let entry = OpinionEntry {
            exhibit_id: row.try_get("exhibit_id")?,
            author_id: row.try_get("author_id")?,
            author_name: row.try_get("author_name")?,
            author_role: row.try_get("author_role")?,
            opinion: Opinion {
                authenticity: stance("authenticity")?,
                legality: stance("legality")?,
                relevance: stance("relevance")?,
                comment: row.try_get("comment")?,
            },
            at_ms: row.try_get("at_ms")?,
        };
        // Rows come oldest first: a later one replaces the earlier of the same author.
        latest.retain(|e| !(e.exhibit_id == entry.exhibit_id && e.author_id == entry.author_id));
        latest.push(entry);
    }
    Ok(latest)
}

/// When the exhibit register last changed in a way the minutes print (an exhibit
/// filed, shared, admitted, challenged, withdrawn, an opinion given); views and
/// showings do not count. `None` when nothing was ever filed.
pub async fn register_changed_at_in(
    conn: &mut AnyConnection,
    hearing_id: &str,
) -> Result<Option<i64>, DbError> {
    let row = sqlx::query(
        "SELECT MAX(at_ms) AS at FROM exhibit_custody \
         WHERE hearing_id = $1 AND action NOT IN ('viewed', 'shown_live', 'integrity_checked')",
    )
    .bind(hearing_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get::<Option<i64>, _>("at")?)
}
