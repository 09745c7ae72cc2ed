//! The hearing event log: appended in one transaction with the next `seq` and the
//! next hash-chain link, read back in order.

use super::{Db, DbError, now_ms};
use crate::domain::{ChainHash, EventPayload, HearingEvent};
use sqlx::Row;
use sqlx::any::AnyRow;

/// Appends one event and returns it as committed. `None` when the hearing does
/// not exist. Nothing may be told about the event before this returns.
pub async fn append(
    db: &Db,
    hearing_id: &str,
    payload: &EventPayload,
) -> Result<Option<HearingEvent>, DbError> {
    let mut tx = db.begin_write().await?;
    let event = append_in(&mut tx, hearing_id, payload).await?;
    if event.is_some() {
        tx.commit().await?;
    }
    Ok(event)
}

/// Appends one event inside the caller's transaction (which commits it, together
/// with whatever else it changed). Nothing may be told before that commit.
pub async fn append_in(
    tx: &mut sqlx::AnyConnection,
    hearing_id: &str,
    payload: &EventPayload,
) -> Result<Option<HearingEvent>, DbError> {
    // Taking the next seq is a write: it serialises writers per hearing (row lock
    // in PostgreSQL, the write lock in SQLite) so that seq and the chain never
    // fork. Called first in its transaction unless the caller already holds a
    // write turn.
    // A hearing whose minutes are finalised (sealed) takes no more events.
    let Some(row) = sqlx::query(
        "UPDATE hearings SET last_seq = last_seq + 1 \
         WHERE id = $1 AND sealed_at IS NULL RETURNING last_seq",
    )
    .bind(hearing_id)
    .fetch_optional(&mut *tx)
    .await?
    else {
        let exists = sqlx::query("SELECT 1 FROM hearings WHERE id = $1")
            .bind(hearing_id)
            .fetch_optional(&mut *tx)
            .await?;
        return match exists {
            Some(_) => Err(DbError::Sealed),
            None => Ok(None),
        };
    };
    let seq_signed: i64 = row.try_get("last_seq")?;
    let seq =
        u64::try_from(seq_signed).map_err(|_| DbError::Corrupt(format!("seq {seq_signed}")))?;
    // The bound on one hearing's log: refused before anything is written (the
    // caller's transaction rolls back, the seq taken above with it).
    if seq > crate::domain::event::MAX_EVENTS_PER_HEARING {
        return Err(DbError::LogFull);
    }
    let previous = if seq == 1 {
        ChainHash::GENESIS
    } else {
        let row = sqlx::query("SELECT hash FROM hearing_events WHERE hearing_id = $1 AND seq = $2")
            .bind(hearing_id)
            .bind(seq_signed - 1)
            .fetch_one(&mut *tx)
            .await?;
        let hex: String = row.try_get("hash")?;
        ChainHash::from_hex(&hex)
            .ok_or_else(|| DbError::Corrupt(format!("hash of seq {}", seq - 1)))?
    };
    let at_ms = now_ms();
    let hash = previous.next(hearing_id, seq, at_ms, payload).to_hex();
    let body = serde_json::to_string(payload).map_err(|e| DbError::Corrupt(e.to_string()))?;
    sqlx::query("INSERT INTO hearing_events (hearing_id, seq, at_ms, payload, hash) VALUES ($1, $2, $3, $4, $5)")
        .bind(hearing_id)
        .bind(seq_signed)
        .bind(at_ms)
        .bind(&body)
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
    if let EventPayload::ProcedureStepped { step, to, .. } = payload {
        use crate::domain::procedure::{Procedure, Step};
        // The hearing has been held from its opening (statistics and aftercare
        // ask this column); committed with the event or not at all.
        if *step == Step::Start {
            sqlx::query("UPDATE hearings SET opened_at = COALESCE(opened_at, $1) WHERE id = $2")
                .bind(at_ms)
                .bind(hearing_id)
                .execute(&mut *tx)
                .await?;
        }
        if *to == Procedure::Closed {
            sqlx::query("UPDATE hearings SET closed_at = $1 WHERE id = $2")
                .bind(at_ms)
                .bind(hearing_id)
                .execute(&mut *tx)
                .await?;
        }
    }
    if tx.backend_name() == "PostgreSQL" {
        // Delivered by PostgreSQL at commit, in commit order, and never for a
        // rollback: other instances learn of exactly the committed events.
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(crate::live::NOTIFY_CHANNEL)
            .bind(crate::live::Wakeup::encode(hearing_id, seq))
            .execute(&mut *tx)
            .await?;
    }
    Ok(Some(HearingEvent {
        hearing_id: hearing_id.to_owned(),
        seq,
        at_ms,
        payload: payload.clone(),
        hash,
    }))
}

fn event_from_row(row: &AnyRow) -> Result<HearingEvent, DbError> {
    let seq: i64 = row.try_get("seq")?;
    let body: String = row.try_get("payload")?;
    Ok(HearingEvent {
        hearing_id: row.try_get("hearing_id")?,
        seq: u64::try_from(seq).map_err(|_| DbError::Corrupt(format!("seq {seq}")))?,
        at_ms: row.try_get("at_ms")?,
        payload: serde_json::from_str(&body).map_err(|e| DbError::Corrupt(e.to_string()))?,
        hash: row.try_get("hash")?,
    })
}

/// The events after `after_seq`, in order, at most `limit` of them.
pub async fn since(
    db: &Db,
    hearing_id: &str,
    after_seq: u64,
    limit: u32,
) -> Result<Vec<HearingEvent>, DbError> {
    let rows = sqlx::query(
        "SELECT hearing_id, seq, at_ms, payload, hash FROM hearing_events \
         WHERE hearing_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
    )
    .bind(hearing_id)
    .bind(i64::try_from(after_seq).unwrap_or(i64::MAX))
    .bind(i64::from(limit))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(event_from_row).collect()
}

/// The whole log of a hearing, for the room's first load and the minutes.
pub async fn all(db: &Db, hearing_id: &str) -> Result<Vec<HearingEvent>, DbError> {
    since(db, hearing_id, 0, u32::MAX).await
}

/// The events after `after_seq` read inside a transaction (a cached room state
/// catches up under the hearing's write turn).
pub async fn since_in(
    conn: &mut sqlx::AnyConnection,
    hearing_id: &str,
    after_seq: u64,
) -> Result<Vec<HearingEvent>, DbError> {
    let rows = sqlx::query(
        "SELECT hearing_id, seq, at_ms, payload, hash FROM hearing_events \
         WHERE hearing_id = $1 AND seq > $2 ORDER BY seq",
    )
    .bind(hearing_id)
    .bind(i64::try_from(after_seq).unwrap_or(i64::MAX))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(event_from_row).collect()
}

/// The whole log of a hearing read inside a transaction (the panel's decisions
/// fold it while holding the hearing's write turn).
pub async fn all_in(
    conn: &mut sqlx::AnyConnection,
    hearing_id: &str,
) -> Result<Vec<HearingEvent>, DbError> {
    let rows = sqlx::query(
        "SELECT hearing_id, seq, at_ms, payload, hash FROM hearing_events \
         WHERE hearing_id = $1 ORDER BY seq",
    )
    .bind(hearing_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(event_from_row).collect()
}
