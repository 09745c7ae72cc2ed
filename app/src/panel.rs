//! Seating a hearing's panel (server only): freezing the pool and committing
//! the draw's input, revealing the public values and drawing, answers to seats,
//! recusals and the promotion of alternates. The rules are in
//! `domain::{sortition, pool}`; this module reads and writes, holding the
//! hearing's write turn so that two decisions never interleave, and returns
//! the committed events for the caller to publish.

use crate::db::{self, Db, DbError};
use crate::domain::case::CalendarDate;
use crate::domain::pool::MAX_ALTERNATES;
use crate::domain::pool::{
    self, DrawChoices, DrawContext, Leaving, Member, MemberStatus, PanelState, SeatHolder,
    SeatStatus,
};
use crate::domain::schedule::HearingStatus;
use crate::domain::sortition::{self, ALGORITHM_VERSION, DrawInput, Exclusion};
use crate::domain::{EventPayload, HearingEvent};
use crate::error::ApiError;
use crate::model::{Changer, DrawRecord, DrawStatus, HearingRecord};
use crate::scheduling::OfficeClock;
use sqlx::AnyConnection;

/// What the exclusions need besides the pool, read before any write turn is
/// taken (nothing is read through the pool while holding one).
struct OutsideFacts {
    petitioners: Vec<String>,
    agencies: Vec<String>,
    rest_hearings: u32,
}

async fn outside_facts(
    db: &Db,
    hearing: &HearingRecord,
    clock: OfficeClock,
) -> Result<OutsideFacts, ApiError> {
    let policy = db::settings::policy(db).await?;
    let case = db::cases::get(db, &hearing.case_id, &policy, clock.today())
        .await?
        .ok_or(ApiError::CaseNotFound)?;
    Ok(OutsideFacts {
        petitioners: case.case.petitioners,
        agencies: case.case.agencies,
        rest_hearings: db::settings::rest_hearings(db).await?,
    })
}

/// Builds the draw's input from the pool as it is now (read inside `conn`'s
/// transaction, so the frozen pool is the one committed).
async fn build_input(
    conn: &mut AnyConnection,
    hearing: &HearingRecord,
    facts: OutsideFacts,
    choices: &DrawChoices,
    clock: OfficeClock,
) -> Result<(DrawInput, Vec<Member>), ApiError> {
    if choices.alternates > MAX_ALTERNATES {
        return Err(ApiError::BadRequest {
            detail: format!("候补人数最多 {MAX_ALTERNATES} 人"),
        });
    }
    for recusal in &choices.recusals {
        if recusal.reason.trim().is_empty() {
            return Err(ApiError::ReasonRequired);
        }
    }
    let members = db::pool::all_in(conn).await?;
    let plan = &hearing.plan;
    let ends = plan.starts_at_ms + i64::from(plan.duration_min) * 60_000;
    let busy_accounts: Vec<String> = db::hearings::bookings(conn, plan.starts_at_ms, ends)
        .await?
        .into_iter()
        .filter(|b| b.hearing_id != hearing.id)
        .flat_map(|b| b.juror_ids)
        .collect();
    let rested =
        db::pool::recent_servers_in(conn, facts.rest_hearings, plan.starts_at_ms, &hearing.id)
            .await?;
    let ctx = DrawContext {
        hearing_day: Some(CalendarDate::of_instant(
            plan.starts_at_ms,
            clock.offset_seconds,
        )),
        petitioners: facts.petitioners,
        agencies: facts.agencies,
        busy: members
            .iter()
            .filter(|m| busy_accounts.contains(&m.account_id))
            .map(|m| m.id.clone())
            .collect(),
        rested: rested.into_iter().collect(),
        recusals: choices
            .recusals
            .iter()
            .map(|r| {
                Exclusion::new(
                    r.member_id.trim(),
                    sortition::ExclusionKind::Recusal,
                    r.reason.trim(),
                )
            })
            .collect(),
    };
    let active: Vec<Member> = members
        .into_iter()
        .filter(|m| m.draft.status == MemberStatus::Active)
        .collect();
    let input = DrawInput {
        algorithm_version: ALGORITHM_VERSION,
        input_format: sortition::INPUT_FORMAT,
        pool: active.iter().map(Member::frozen).collect(),
        panel_size: plan.panel_size,
        alternates: choices.alternates,
        quotas: if plan.quotas.is_empty() {
            sortition::default_quotas(plan.panel_size)
        } else {
            plan.quotas.clone()
        },
        excluded: pool::exclusions(&active, &ctx),
    }
    .canonical();
    Ok((input, active))
}

/// The input a commit would freeze now, and whether a panel can be drawn from
/// it: the host sees both before committing.
pub async fn preview(
    db: &Db,
    hearing_id: &str,
    choices: &DrawChoices,
    clock: OfficeClock,
) -> Result<(DrawInput, Option<sortition::Infeasible>), ApiError> {
    let hearing = crate::scheduling::hearing(db, hearing_id).await?;
    let facts = outside_facts(db, &hearing, clock).await?;
    let mut conn = db.begin().await?;
    let (input, _) = build_input(&mut conn, &hearing, facts, choices, clock).await?;
    conn.rollback().await.map_err(DbError::from)?;
    let problem = sortition::check_feasibility(&input).err();
    Ok((input, problem))
}

/// 冻结名单并公布输入摘要: freezes the pool, checks that the quotas can be met,
/// records the input and publishes its hash as an event.
pub async fn commit(
    db: &Db,
    by: &Changer,
    hearing_id: &str,
    choices: &DrawChoices,
    clock: OfficeClock,
) -> Result<(DrawRecord, Vec<HearingEvent>), ApiError> {
    let hearing = crate::scheduling::hearing(db, hearing_id).await?;
    if hearing.status == HearingStatus::Cancelled {
        return Err(ApiError::HearingCancelled);
    }
    let facts = outside_facts(db, &hearing, clock).await?;
    let mut tx = db.begin().await?;
    lock(&mut tx, hearing_id).await?;
    match db::pool::live_draw_in(&mut tx, hearing_id).await? {
        Some(d) if d.status == DrawStatus::Drawn => return Err(ApiError::PanelAlreadyDrawn),
        Some(_) => return Err(ApiError::DrawPending),
        None => {}
    }
    // A panel seated before draws were recorded (imported history) is final too.
    if !db::hearings::seated_ids(&mut tx, hearing_id)
        .await?
        .is_empty()
    {
        return Err(ApiError::PanelAlreadyDrawn);
    }
    let (input, _) = build_input(&mut tx, &hearing, facts, choices, clock).await?;
    sortition::check_feasibility(&input).map_err(|reason| ApiError::DrawInfeasible { reason })?;
    let hash = sortition::input_hash(&input);
    let draw_id = db::pool::insert_draw_in(&mut tx, hearing_id, &input, &hash, &by.name).await?;
    let event = append(
        &mut tx,
        hearing_id,
        &EventPayload::DrawCommitted {
            draw_id: draw_id.clone(),
            input_hash: hash,
            pool_size: u32::try_from(input.pool.len()).unwrap_or(u32::MAX),
            excluded: u32::try_from(input.excluded.len()).unwrap_or(u32::MAX),
        },
    )
    .await?;
    tx.commit().await.map_err(DbError::from)?;
    Ok((draw_of(db, &draw_id).await?, vec![event]))
}

/// Sets a committed draw aside before its public values, with a published reason.
pub async fn void(
    db: &Db,
    hearing_id: &str,
    draw_id: &str,
    reason: &str,
) -> Result<Vec<HearingEvent>, ApiError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ApiError::ReasonRequired);
    }
    let mut tx = db.begin().await?;
    lock(&mut tx, hearing_id).await?;
    pending(&mut tx, hearing_id, draw_id).await?;
    db::pool::set_void_in(&mut tx, draw_id, reason).await?;
    let event = append(
        &mut tx,
        hearing_id,
        &EventPayload::DrawVoided {
            draw_id: draw_id.to_owned(),
            reason: reason.to_owned(),
        },
    )
    .await?;
    tx.commit().await.map_err(DbError::from)?;
    Ok(vec![event])
}

/// 抽选: the public values are revealed, the seed computed from them and the
/// committed input hash, the panel drawn and seated (each member invited to
/// accept), and the result published.
pub async fn reveal(
    db: &Db,
    by: &Changer,
    hearing_id: &str,
    draw_id: &str,
    public_values: &[String],
) -> Result<(DrawRecord, Vec<HearingEvent>), ApiError> {
    let values = pool::tidy_public_values(public_values)
        .map_err(|reason| ApiError::PublicValuesInvalid { reason })?;
    let mut tx = db.begin().await?;
    lock(&mut tx, hearing_id).await?;
    let draw = pending(&mut tx, hearing_id, draw_id).await?;
    let seed = sortition::seed_from(&draw.input_hash, &values);
    let result =
        sortition::draw(&draw.input, seed).map_err(|reason| ApiError::DrawInfeasible { reason })?;
    let members = db::pool::all_in(&mut tx).await?;
    let holders = |ids: &[String]| -> Result<Vec<SeatHolder>, ApiError> {
        ids.iter().map(|id| holder(&draw.input, id)).collect()
    };
    let (seated, alternates) = (holders(&result.seated)?, holders(&result.alternates)?);
    for id in &result.seated {
        let member = members.iter().find(|m| m.id == *id).ok_or_else(|| {
            tracing::error!(member = %id, "drawn member vanished from the pool");
            ApiError::Internal
        })?;
        db::pool::seat_in(&mut tx, hearing_id, member).await?;
    }
    db::pool::set_drawn_in(&mut tx, draw_id, &values, &result, &by.name).await?;
    let event = append(
        &mut tx,
        hearing_id,
        &EventPayload::PanelDrawn {
            draw_id: draw_id.to_owned(),
            input_hash: draw.input_hash.clone(),
            public_values: values,
            seed: result.seed.clone(),
            seated,
            alternates,
        },
    )
    .await?;
    tx.commit().await.map_err(DbError::from)?;
    Ok((draw_of(db, draw_id).await?, vec![event]))
}

/// A seated member's own answer: accept, or decline (with an optional reason).
/// Accepting twice changes nothing; a decline promotes the next alternate.
pub async fn answer(
    db: &Db,
    account_id: &str,
    hearing_id: &str,
    accept: bool,
    reason: Option<&str>,
) -> Result<Vec<HearingEvent>, ApiError> {
    let member = db::pool::by_account(db, account_id)
        .await?
        .ok_or(ApiError::SeatNotFound)?
        .member;
    if accept {
        accept_seat(db, hearing_id, &member).await
    } else {
        leave(
            db,
            hearing_id,
            &member.id,
            Leaving::Declined,
            reason.unwrap_or(""),
            None,
        )
        .await
    }
}

async fn accept_seat(
    db: &Db,
    hearing_id: &str,
    member: &Member,
) -> Result<Vec<HearingEvent>, ApiError> {
    let mut tx = db.begin().await?;
    lock(&mut tx, hearing_id).await?;
    let panel = panel_in(&mut tx, hearing_id).await?;
    let seat = panel
        .seat_of(&member.id)
        .filter(|s| s.status.holds_seat())
        .ok_or(ApiError::SeatNotFound)?;
    if seat.status == SeatStatus::Accepted {
        return Ok(Vec::new());
    }
    db::pool::set_seat_in(&mut tx, hearing_id, &member.id, SeatStatus::Accepted, None).await?;
    let event = append(
        &mut tx,
        hearing_id,
        &EventPayload::SeatAnswered {
            member_id: member.id.clone(),
            name: member.draft.name.clone(),
            accepted: true,
            reason: None,
            recorded_by: None,
        },
    )
    .await?;
    tx.commit().await.map_err(DbError::from)?;
    Ok(vec![event])
}

/// A member leaves the panel (declines, or is recused by the host with a
/// reason); the first alternate with whom the panel keeps every quota takes the
/// seat, or the seat is recorded as vacant. `recorded_by`: the staff member who
/// recorded it, when it was not the member.
pub async fn leave(
    db: &Db,
    hearing_id: &str,
    member_id: &str,
    how: Leaving,
    reason: &str,
    recorded_by: Option<&str>,
) -> Result<Vec<HearingEvent>, ApiError> {
    let reason = reason.trim();
    if reason.is_empty() && (how == Leaving::Recused || recorded_by.is_some()) {
        return Err(ApiError::ReasonRequired);
    }
    let reason = (!reason.is_empty()).then(|| reason.to_owned());
    let mut tx = db.begin().await?;
    lock(&mut tx, hearing_id).await?;
    let panel = panel_in(&mut tx, hearing_id).await?;
    let seat = panel
        .seat_of(member_id)
        .filter(|s| s.status.holds_seat())
        .ok_or(ApiError::SeatNotFound)?;
    let name = seat.holder.name.clone();
    let status = match how {
        Leaving::Declined => SeatStatus::Declined,
        Leaving::Recused => SeatStatus::Recused,
    };
    db::pool::set_seat_in(&mut tx, hearing_id, member_id, status, reason.as_deref()).await?;
    let left = match how {
        Leaving::Declined => EventPayload::SeatAnswered {
            member_id: member_id.to_owned(),
            name,
            accepted: false,
            reason,
            recorded_by: recorded_by.map(str::to_owned),
        },
        Leaving::Recused => EventPayload::MemberRecused {
            member_id: member_id.to_owned(),
            name,
            reason: reason.unwrap_or_default(),
            decided_by: recorded_by.unwrap_or_default().to_owned(),
        },
    };
    let mut events = vec![append(&mut tx, hearing_id, &left).await?];
    let replacement = promote(&mut tx, hearing_id, &panel, member_id).await?;
    events.push(append(&mut tx, hearing_id, &replacement).await?);
    tx.commit().await.map_err(DbError::from)?;
    Ok(events)
}

/// The event that fills (or cannot fill) the seat `leaving` gives up.
async fn promote(
    conn: &mut AnyConnection,
    hearing_id: &str,
    panel: &PanelState,
    leaving: &str,
) -> Result<EventPayload, ApiError> {
    let draw_id = panel.draw_id.as_deref().ok_or(ApiError::SeatNotFound)?;
    let draw = db::pool::live_draw_in(conn, hearing_id)
        .await?
        .filter(|d| d.id == draw_id)
        .ok_or(ApiError::DrawNotFound)?;
    let result = draw.result.as_ref().ok_or(ApiError::DrawNotFound)?;
    // Only alternates not used yet are candidates: the fold has the rest.
    let mut unused = result.clone();
    unused
        .alternates
        .retain(|a| panel.alternates.iter().any(|h| h.member_id == *a));
    let chosen = sortition::promote_alternate(
        &draw.input,
        &unused,
        &panel.seated_ids(),
        leaving,
        &panel.left_ids(),
    );
    let Some(chosen) = chosen else {
        return Ok(EventPayload::SeatLeftVacant {
            replaces: leaving.to_owned(),
        });
    };
    let members = db::pool::all_in(conn).await?;
    let member = members
        .iter()
        .find(|m| m.id == chosen)
        .ok_or(ApiError::Internal)?;
    db::pool::seat_in(conn, hearing_id, member).await?;
    Ok(EventPayload::AlternatePromoted {
        holder: holder(&draw.input, &chosen)?,
        replaces: leaving.to_owned(),
    })
}

/// The panel now, folded from the hearing's log.
pub async fn panel(db: &Db, hearing_id: &str) -> Result<PanelState, ApiError> {
    Ok(pool::panel_of(&db::events::all(db, hearing_id).await?))
}

async fn panel_in(conn: &mut AnyConnection, hearing_id: &str) -> Result<PanelState, ApiError> {
    Ok(pool::panel_of(&db::events::all_in(conn, hearing_id).await?))
}

/// The member as the frozen pool published it.
fn holder(input: &DrawInput, id: &str) -> Result<SeatHolder, ApiError> {
    let member = input.pool.iter().find(|m| m.id == id).ok_or_else(|| {
        tracing::error!(member = %id, "drawn member missing from the frozen pool");
        ApiError::Internal
    })?;
    Ok(SeatHolder {
        member_id: member.id.clone(),
        name: member.name.clone(),
        categories: member.categories.clone(),
    })
}

async fn lock(conn: &mut AnyConnection, hearing_id: &str) -> Result<(), ApiError> {
    if db::pool::lock_hearing(conn, hearing_id).await? {
        Ok(())
    } else {
        Err(ApiError::HearingNotFound)
    }
}

/// The committed draw `draw_id` of the hearing, or why it cannot be drawn or voided.
async fn pending(
    conn: &mut AnyConnection,
    hearing_id: &str,
    draw_id: &str,
) -> Result<DrawRecord, ApiError> {
    match db::pool::live_draw_in(conn, hearing_id).await? {
        Some(d) if d.id == draw_id && d.status == DrawStatus::Committed => Ok(d),
        Some(d) if d.status == DrawStatus::Drawn => Err(ApiError::PanelAlreadyDrawn),
        _ => Err(ApiError::NoDrawPending),
    }
}

async fn append(
    conn: &mut AnyConnection,
    hearing_id: &str,
    payload: &EventPayload,
) -> Result<HearingEvent, ApiError> {
    db::events::append_in(conn, hearing_id, payload)
        .await?
        .ok_or(ApiError::HearingNotFound)
}

async fn draw_of(db: &Db, draw_id: &str) -> Result<DrawRecord, ApiError> {
    db::pool::draw(db, draw_id)
        .await?
        .ok_or(ApiError::DrawNotFound)
}

/// Recomputes a recorded draw from its published input and public values.
pub fn verify(record: &DrawRecord) -> Option<sortition::Verdict> {
    let result = record.result.as_ref()?;
    let values = record.public_values.as_deref().unwrap_or_default();
    Some(sortition::verify_draw(&record.input, values, result))
}
