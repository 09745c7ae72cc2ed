//! 信访事项 cases: stored with their search text; every change keeps the case
//! before and after in `case_changes`.

use super::{Db, DbError, new_id, now_ms};
use crate::domain::case::{
    CalendarDate, CaseDraft, CaseFilter, CaseStatus, Coded, DeadlinePolicy, ProgressClass,
    RiskColour, collapse_spaces, current_deadline,
};
use crate::model::{CaseChangeEntry, CasePage, CaseRecord, Changer};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

const SELECT: &str = "SELECT c.id, c.number, c.title, c.summary, c.petitioners, c.agencies, \
     c.received_on, c.accepted_on, c.category, c.district, c.risk, c.class, c.status, \
     c.investigator_id, c.version, c.created_at, c.updated_at, \
     a.display_name AS investigator_name \
     FROM cases c LEFT JOIN accounts a ON a.id = c.investigator_id";

fn corrupt(what: &str, value: &str) -> DbError {
    DbError::Corrupt(format!("case {what}: {value}"))
}

fn parse_coded<T: Coded>(what: &str, value: &str) -> Result<T, DbError> {
    T::parse_code(value).ok_or_else(|| corrupt(what, value))
}

fn draft_from_row(row: &AnyRow) -> Result<CaseDraft, DbError> {
    let names = |col: &str| -> Result<Vec<String>, DbError> {
        let raw: String = row.try_get(col)?;
        serde_json::from_str(&raw).map_err(|_| corrupt(col, &raw))
    };
    let date = |raw: String| {
        raw.parse::<CalendarDate>()
            .map_err(|_| corrupt("date", &raw))
    };
    Ok(CaseDraft {
        number: row.try_get("number")?,
        title: row.try_get("title")?,
        petitioners: names("petitioners")?,
        agencies: names("agencies")?,
        summary: row.try_get("summary")?,
        received_on: date(row.try_get("received_on")?)?,
        accepted_on: row
            .try_get::<Option<String>, _>("accepted_on")?
            .map(date)
            .transpose()?,
        category: row.try_get("category")?,
        district: row.try_get("district")?,
        risk: parse_coded::<RiskColour>("risk", &row.try_get::<String, _>("risk")?)?,
        class: parse_coded::<ProgressClass>("class", &row.try_get::<String, _>("class")?)?,
        status: parse_coded::<CaseStatus>("status", &row.try_get::<String, _>("status")?)?,
        investigator_id: row.try_get("investigator_id")?,
    })
}

fn record_from_row(
    row: &AnyRow,
    policy: &DeadlinePolicy,
    today: CalendarDate,
) -> Result<CaseRecord, DbError> {
    let case = draft_from_row(row)?;
    let deadline = current_deadline(
        case.status,
        case.received_on,
        case.accepted_on,
        policy,
        today,
    );
    Ok(CaseRecord {
        id: row.try_get("id")?,
        version: row.try_get("version")?,
        investigator_name: row.try_get("investigator_name")?,
        created_at_ms: row.try_get("created_at")?,
        updated_at_ms: row.try_get("updated_at")?,
        deadline,
        case,
    })
}

/// What the list's text filter searches, lower-cased once at write time.
fn search_text(case: &CaseDraft) -> String {
    let mut parts = vec![
        case.number.as_str(),
        case.title.as_str(),
        case.summary.as_str(),
        case.category.as_str(),
        case.district.as_str(),
    ];
    parts.extend(case.petitioners.iter().map(String::as_str));
    parts.extend(case.agencies.iter().map(String::as_str));
    parts.join("\n").to_lowercase()
}

fn names_json(names: &[String]) -> String {
    serde_json::to_string(names).unwrap_or_else(|_| "[]".into())
}

/// True when another case (not `except_id`) already has this number.
pub async fn number_taken(db: &Db, number: &str, except_id: Option<&str>) -> Result<bool, DbError> {
    let row = sqlx::query("SELECT id FROM cases WHERE number = $1")
        .bind(number)
        .fetch_optional(db.pool())
        .await?;
    Ok(match row {
        Some(row) => except_id != Some(row.try_get::<String, _>("id")?.as_str()),
        None => false,
    })
}

/// Inserts a validated case and its first history entry. `Ok(None)`: the number
/// is taken (also when a concurrent insert won the race).
pub async fn insert(
    conn: &mut AnyConnection,
    case: &CaseDraft,
    by: &Changer,
    change: &str,
) -> Result<Option<String>, DbError> {
    let id = new_id();
    let now = now_ms();
    let inserted = sqlx::query(
        "INSERT INTO cases (id, number, title, summary, petitioners, agencies, received_on, \
         accepted_on, category, risk, class, status, investigator_id, version, created_at, \
         updated_at, search_text, district) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $14, $15, $16)",
    )
    .bind(&id)
    .bind(&case.number)
    .bind(&case.title)
    .bind(&case.summary)
    .bind(names_json(&case.petitioners))
    .bind(names_json(&case.agencies))
    .bind(case.received_on.to_string())
    .bind(case.accepted_on.map(|d| d.to_string()))
    .bind(&case.category)
    .bind(case.risk.code())
    .bind(case.class.code())
    .bind(case.status.code())
    .bind(case.investigator_id.as_deref())
    .bind(now)
    .bind(search_text(case))
    .bind(&case.district)
    .execute(&mut *conn)
    .await;
    match inserted {
        Ok(_) => {}
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    log_change(conn, &id, by, change, None, case).await?;
    Ok(Some(id))
}

/// Applies an edit made from `expected_version`. `Ok(false)`: the case changed
/// meanwhile (or does not exist); nothing was written.
pub async fn update(
    conn: &mut AnyConnection,
    id: &str,
    expected_version: i64,
    before: &CaseDraft,
    after: &CaseDraft,
    by: &Changer,
) -> Result<bool, DbError> {
    let updated = sqlx::query(
        "UPDATE cases SET number = $1, title = $2, summary = $3, petitioners = $4, agencies = $5, \
         received_on = $6, accepted_on = $7, category = $8, risk = $9, class = $10, status = $11, \
         investigator_id = $12, version = version + 1, updated_at = $13, search_text = $14, \
         district = $15 WHERE id = $16 AND version = $17",
    )
    .bind(&after.number)
    .bind(&after.title)
    .bind(&after.summary)
    .bind(names_json(&after.petitioners))
    .bind(names_json(&after.agencies))
    .bind(after.received_on.to_string())
    .bind(after.accepted_on.map(|d| d.to_string()))
    .bind(&after.category)
    .bind(after.risk.code())
    .bind(after.class.code())
    .bind(after.status.code())
    .bind(after.investigator_id.as_deref())
    .bind(now_ms())
    .bind(search_text(after))
    .bind(&after.district)
    .bind(id)
    .bind(expected_version)
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() != 1 {
        return Ok(false);
    }
    log_change(conn, id, by, "edited", Some(before), after).await?;
    Ok(true)
}

async fn log_change(
    conn: &mut AnyConnection,
    case_id: &str,
    by: &Changer,
    change: &str,
    before: Option<&CaseDraft>,
    after: &CaseDraft,
) -> Result<(), DbError> {
    let json =
        |case: &CaseDraft| serde_json::to_string(case).map_err(|e| DbError::Corrupt(e.to_string()));
    sqlx::query(
        "INSERT INTO case_changes (id, case_id, at_ms, actor, actor_id, change, before_json, after_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(case_id)
    .bind(now_ms())
    .bind(&by.name)
    .bind(by.id.as_deref())
    .bind(change)
    .bind(before.map(json).transpose()?)
    .bind(json(after)?)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Every case number in use (an import checks its rows against them).
pub async fn all_numbers(db: &Db) -> Result<Vec<String>, DbError> {
    sqlx::query("SELECT number FROM cases")
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>("number").map_err(DbError::from))
        .collect()
}

/// The case's status alone (办理中, 已办结 …); `None` when it does not exist.
pub async fn status_of(
    db: &Db,
    id: &str,
) -> Result<Option<crate::domain::case::CaseStatus>, DbError> {
    let row = sqlx::query("SELECT status FROM cases WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.map(|r| parse_coded("status", &r.try_get::<String, _>("status")?))
        .transpose()
}

pub async fn get(
    db: &Db,
    id: &str,
    policy: &DeadlinePolicy,
    today: CalendarDate,
) -> Result<Option<CaseRecord>, DbError> {
    let row = sqlx::query(&format!("{SELECT} WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.map(|r| record_from_row(&r, policy, today)).transpose()
}

pub async fn by_number(
    db: &Db,
    number: &str,
    policy: &DeadlinePolicy,
    today: CalendarDate,
) -> Result<Option<CaseRecord>, DbError> {
    let row = sqlx::query(&format!("{SELECT} WHERE c.number = $1"))
        .bind(number)
        .fetch_optional(db.pool())
        .await?;
    row.map(|r| record_from_row(&r, policy, today)).transpose()
}

/// `LIKE` pattern for a literal piece of text (`%`, `_` and `\` escaped).
fn like_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// One page of cases matching `filter`, newest received first.
pub async fn list(
    db: &Db,
    filter: &CaseFilter,
    policy: &DeadlinePolicy,
    today: CalendarDate,
    page: u32,
    per_page: u32,
) -> Result<CasePage, DbError> {
    let mut conditions: Vec<String> = Vec::new();
    let mut binds: Vec<String> = Vec::new();
    let bind = |value: String, binds: &mut Vec<String>| {
        binds.push(value);
        format!("${}", binds.len())
    };
    if let Some(text) = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let p = bind(like_pattern(text), &mut binds);
        conditions.push(format!("c.search_text LIKE {p} ESCAPE '\\'"));
    }
    if let Some(risk) = filter.risk {
        let p = bind(risk.code().into(), &mut binds);
        conditions.push(format!("c.risk = {p}"));
    }
    if let Some(class) = filter.class {
        let p = bind(class.code().into(), &mut binds);
        conditions.push(format!("c.class = {p}"));
    }
    if let Some(status) = filter.status {
        let p = bind(status.code().into(), &mut binds);
        conditions.push(format!("c.status = {p}"));
    }
    // Stored districts are tidy (spaces collapsed), so the wanted one is too.
    if let Some(district) = filter
        .district
        .as_deref()
        .map(collapse_spaces)
        .filter(|d| !d.is_empty())
    {
        let p = bind(district, &mut binds);
        conditions.push(format!("c.district = {p}"));
    }
    if filter.overdue_only {
        // ISO dates compare as text; "due before today" is "started before today − N".
        let accept = bind(
            today.plus_days(-i64::from(policy.accept_days)).to_string(),
            &mut binds,
        );
        let handle = bind(
            today.plus_days(-i64::from(policy.handle_days)).to_string(),
            &mut binds,
        );
        conditions.push(format!(
            "((c.status = 'registered' AND c.received_on < {accept}) \
             OR (c.status = 'accepted' AND c.accepted_on < {handle}))"
        ));
    }
    let where_clause = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };

    let count_sql = format!("SELECT COUNT(*) AS n FROM cases c{where_clause}");
    let mut count = sqlx::query(&count_sql);
    for b in &binds {
        count = count.bind(b);
    }
    let total: i64 = count.fetch_one(db.pool()).await?.try_get("n")?;

    let page = page.max(1);
    let offset = i64::from(page - 1) * i64::from(per_page);
    let list_sql = format!(
        "{SELECT}{where_clause} ORDER BY c.received_on DESC, c.number LIMIT {per_page} OFFSET {offset}"
    );
    let mut query = sqlx::query(&list_sql);
    for b in &binds {
        query = query.bind(b);
    }
    let rows = query.fetch_all(db.pool()).await?;
    let items = rows
        .iter()
        .map(|r| record_from_row(r, policy, today))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CasePage {
        items,
        total: u64::try_from(total).unwrap_or(0),
        page,
        per_page,
    })
}

/// The whole history of a case, oldest first.
pub async fn changes(db: &Db, case_id: &str) -> Result<Vec<CaseChangeEntry>, DbError> {
    let rows = sqlx::query(
        "SELECT at_ms, actor, change, before_json, after_json FROM case_changes \
         WHERE case_id = $1 ORDER BY at_ms, id",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?;
    let parse = |raw: &str| -> Result<CaseDraft, DbError> {
        serde_json::from_str(raw).map_err(|_| corrupt("history", raw))
    };
    rows.iter()
        .map(|row| {
            Ok(CaseChangeEntry {
                at_ms: row.try_get("at_ms")?,
                actor: row.try_get("actor")?,
                change: row.try_get("change")?,
                before: row
                    .try_get::<Option<String>, _>("before_json")?
                    .as_deref()
                    .map(parse)
                    .transpose()?,
                after: parse(&row.try_get::<String, _>("after_json")?)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn like_patterns_are_literal() {
        assert_eq!(like_pattern("100%_a\\"), "%100\\%\\_a\\\\%");
        assert_eq!(like_pattern("ABC"), "%abc%");
    }
}
