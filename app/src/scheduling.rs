//! Cases and hearing plans (server only): the one place that registers and edits
//! cases and puts hearings on the calendar — used by the pages, `/api/v1`, the
//! demo and the tests alike. Rules come from `domain::case` and `domain::schedule`;
//! this module only loads what they need, asks them, and stores the answer.

use crate::db::{self, Db, DbError};
use crate::domain::access::Role;
use crate::domain::case::{CalendarDate, CaseDraft, CaseFilter, DeadlinePolicy, PersonPart};
use crate::domain::schedule::{
    Booking, HearingPlan, HearingStatus, PlanError, PlanRequest, ScheduleChange, check_host,
    check_notice, conflicts,
};
use crate::domain::{EventPayload, HearingEvent};
use crate::error::ApiError;
use crate::model::{
    CaseChangeEntry, CasePage, CaseRecord, Changer, HearingRecord, HearingVersion, NamedConflict,
};

/// The office's clock: its time zone (fixed offset, see domain::clock) and today.
#[derive(Clone, Copy, Debug)]
pub struct OfficeClock {
    pub offset_seconds: i32,
    pub now_ms: i64,
}

impl OfficeClock {
    pub fn now(offset_seconds: i32) -> Self {
        Self {
            offset_seconds,
            now_ms: db::now_ms(),
        }
    }

    pub fn today(&self) -> CalendarDate {
        CalendarDate::of_instant(self.now_ms, self.offset_seconds)
    }
}

pub const PER_PAGE_MAX: u32 = 200;
pub const REASON_MAX: usize = HearingPlan::REASON_MAX;

// ---- Cases ----------------------------------------------------------------------

/// An account that exists, is enabled and holds one of `roles`.
async fn check_person(
    db: &Db,
    id: Option<&str>,
    roles: &[Role],
    part: PersonPart,
) -> Result<(), ApiError> {
    let Some(id) = id else { return Ok(()) };
    match db::accounts::get(db, id).await? {
        Some(account) if !account.disabled && account.roles.iter().any(|r| roles.contains(r)) => {
            Ok(())
        }
        _ => Err(ApiError::UnknownPerson { part }),
    }
}

const STAFF: [Role; 3] = [Role::Admin, Role::Host, Role::Clerk];

async fn validated_case(db: &Db, draft: CaseDraft) -> Result<CaseDraft, ApiError> {
    let case = draft
        .validate()
        .map_err(|errors| ApiError::CaseInvalid { errors })?;
    check_person(
        db,
        case.investigator_id.as_deref(),
        &STAFF,
        PersonPart::Investigator,
    )
    .await?;
    Ok(case)
}

pub async fn create_case(
    db: &Db,
    by: &Changer,
    draft: CaseDraft,
    clock: OfficeClock,
) -> Result<CaseRecord, ApiError> {
    let case = validated_case(db, draft).await?;
    let mut tx = db.pool().begin().await.map_err(DbError::from)?;
    let id = db::cases::insert(&mut tx, &case, by, "created")
        .await?
        .ok_or_else(|| ApiError::CaseNumberTaken {
            number: case.number.clone(),
        })?;
    tx.commit().await.map_err(DbError::from)?;
    get_case(db, &id, clock).await
}

pub async fn update_case(
    db: &Db,
    by: &Changer,
    id: &str,
    expected_version: i64,
    draft: CaseDraft,
    clock: OfficeClock,
) -> Result<CaseRecord, ApiError> {
    let current = get_case(db, id, clock).await?;
    let case = validated_case(db, draft).await?;
    if current.version != expected_version {
        return Err(ApiError::StaleVersion);
    }
    if case == current.case {
        return Ok(current);
    }
    refuse_unfinished_closing(db, id, &current, &case, clock).await?;
    if db::cases::number_taken(db, &case.number, Some(id)).await? {
        return Err(ApiError::CaseNumberTaken {
            number: case.number,
        });
    }
    let mut tx = db.pool().begin().await.map_err(DbError::from)?;
    let updated = db::cases::update(&mut tx, id, expected_version, &current.case, &case, by)
        .await
        .map_err(|e| match e {
            DbError::Query(sqlx::Error::Database(d)) if d.is_unique_violation() => {
                ApiError::CaseNumberTaken {
                    number: case.number.clone(),
                }
            }
            other => other.into(),
        })?;
    if !updated {
        return Err(ApiError::StaleVersion);
    }
    tx.commit().await.map_err(DbError::from)?;
    get_case(db, id, clock).await
}

/// 三个不结案 (Hengkou): a case is changed to 已办结 only when none of its
/// hearings leaves the petitioner dissatisfied, a follow-up visit to make or the
/// two-way commitment unconfirmed; the refusal names what is still open. Here, so
/// that the page and /api/v1 both keep it; any other change reads no aftercare.
async fn refuse_unfinished_closing(
    db: &Db,
    id: &str,
    current: &CaseRecord,
    next: &CaseDraft,
    clock: OfficeClock,
) -> Result<(), ApiError> {
    use crate::domain::aftercare::check_case_closing;
    use crate::domain::case::CaseStatus;
    if next.status != CaseStatus::Concluded {
        return Ok(());
    }
    let hearings = db::aftercare::closing_facts(db, id, clock.today()).await?;
    check_case_closing(current.case.status, next.status, &hearings)
        .map_err(|refusal| ApiError::AftercareRefused { refusal })
}

pub async fn get_case(db: &Db, id: &str, clock: OfficeClock) -> Result<CaseRecord, ApiError> {
    let policy = db::settings::policy(db).await?;
    db::cases::get(db, id, &policy, clock.today())
        .await?
        .ok_or(ApiError::CaseNotFound)
}

pub async fn list_cases(
    db: &Db,
    filter: &CaseFilter,
    page: u32,
    per_page: u32,
    clock: OfficeClock,
) -> Result<CasePage, ApiError> {
    crate::domain::search::check_search(filter.text.as_deref().unwrap_or_default())?;
    crate::domain::search::check_search(filter.district.as_deref().unwrap_or_default())?;
    let policy = db::settings::policy(db).await?;
    let per_page = per_page.clamp(1, PER_PAGE_MAX);
    Ok(db::cases::list(db, filter, &policy, clock.today(), page, per_page).await?)
}

pub async fn case_history(db: &Db, id: &str) -> Result<Vec<CaseChangeEntry>, ApiError> {
    Ok(db::cases::changes(db, id).await?)
}

/// Writes every draft of an import, or none: one transaction, rolled back on the
/// first number that turned out to be taken meanwhile.
pub async fn import_cases(db: &Db, by: &Changer, drafts: &[CaseDraft]) -> Result<usize, ApiError> {
    if drafts.is_empty() {
        return Err(ApiError::ImportRejected);
    }
    let mut cases = Vec::with_capacity(drafts.len());
    for draft in drafts {
        cases.push(validated_case(db, draft.clone()).await?);
    }
    let mut tx = db.pool().begin().await.map_err(DbError::from)?;
    for case in cases {
        if db::cases::insert(&mut tx, &case, by, "imported")
            .await?
            .is_none()
        {
            return Err(ApiError::CaseNumberTaken {
                number: case.number,
            });
        }
    }
    tx.commit().await.map_err(DbError::from)?;
    Ok(drafts.len())
}

/// What a CSV import checks rows against: usernames of enabled staff (承办人)
/// and the case numbers already taken.
pub async fn import_context(db: &Db) -> Result<crate::case_import::Known, ApiError> {
    let mut known = crate::case_import::Known::default();
    for account in db::accounts::list(db).await? {
        if !account.disabled && account.roles.iter().any(|r| STAFF.contains(r)) {
            known.accounts.insert(account.username, account.id);
        }
    }
    known.numbers = db::cases::all_numbers(db).await?.into_iter().collect();
    Ok(known)
}

pub async fn load_policy(db: &Db) -> Result<DeadlinePolicy, ApiError> {
    Ok(db::settings::policy(db).await?)
}

pub async fn save_policy(db: &Db, policy: &DeadlinePolicy) -> Result<(), ApiError> {
    if !policy.is_valid() {
        return Err(ApiError::SettingsInvalid);
    }
    Ok(db::settings::save_policy(db, policy).await?)
}

// ---- Hearings -------------------------------------------------------------------

fn clean_reason(reason: Option<&str>) -> Result<Option<String>, ApiError> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    match reason {
        Some(r) if r.chars().count() > REASON_MAX => Err(ApiError::PlanInvalid {
            errors: vec![PlanError::ReasonTooLong { max: REASON_MAX }],
        }),
        Some(r) => Ok(Some(r.to_string())),
        None => Ok(None),
    }
}

/// Checks a plan on its own, against its case and against the people named.
async fn checked_plan(
    db: &Db,
    case: &CaseRecord,
    plan: HearingPlan,
) -> Result<HearingPlan, ApiError> {
    let categories = db::settings::pool_categories(db).await?;
    let plan = plan
        .validate_with(&|tag| categories.is_known(tag))
        .map_err(|errors| ApiError::PlanInvalid { errors })?;
    check_host(&plan.host_id, case.case.investigator_id.as_deref())
        .map_err(|e| ApiError::PlanInvalid { errors: vec![e] })?;
    check_person(db, Some(&plan.host_id), &[Role::Host], PersonPart::Host).await?;
    check_person(
        db,
        plan.clerk_id.as_deref(),
        &[Role::Clerk, Role::Host],
        PersonPart::Clerk,
    )
    .await?;
    Ok(plan)
}

fn notice_ok(
    plan: &HearingPlan,
    policy: &DeadlinePolicy,
    clock: OfficeClock,
) -> Result<(), ApiError> {
    check_notice(
        clock.now_ms,
        plan.starts_at_ms,
        policy.notice_days,
        plan.short_notice_reason.as_deref(),
        clock.offset_seconds,
    )
    .map_err(|e| ApiError::PlanInvalid { errors: vec![e] })
}

/// Inside the scheduling turn: the clashes `candidate` would make, with names.
/// Everything is read through `tx`: taking a second pooled connection while
/// holding the write turn could wait on a connection held by a writer that
/// waits on us.
async fn clashes(
    tx: &mut sqlx::AnyConnection,
    candidate: &Booking,
) -> Result<Vec<NamedConflict>, ApiError> {
    let existing = db::hearings::bookings(tx, candidate.starts_at_ms, candidate.ends_at_ms).await?;
    let mut named = Vec::new();
    for conflict in conflicts(candidate, &existing) {
        let person_name = match &conflict.clash {
            crate::domain::schedule::Clash::Person { account_id, .. } => Some(
                db::accounts::display_name_in(tx, account_id)
                    .await?
                    .unwrap_or_else(|| account_id.clone()),
            ),
            crate::domain::schedule::Clash::Room { .. } => None,
        };
        named.push(NamedConflict {
            conflict,
            person_name,
        });
    }
    Ok(named)
}

fn booking_of(hearing_id: &str, plan: &HearingPlan, juror_ids: Vec<String>) -> Booking {
    Booking {
        hearing_id: hearing_id.to_string(),
        title: plan.title.clone(),
        starts_at_ms: plan.starts_at_ms,
        ends_at_ms: plan.ends_at_ms(),
        room: plan.room.clone(),
        host_id: plan.host_id.clone(),
        clerk_id: plan.clerk_id.clone(),
        juror_ids,
    }
}

/// Puts a new hearing of `case_id` on the calendar.
pub async fn schedule_hearing(
    db: &Db,
    by: &Changer,
    case_id: &str,
    plan: HearingPlan,
    clock: OfficeClock,
) -> Result<HearingRecord, ApiError> {
    let case = get_case(db, case_id, clock).await?;
    let plan = checked_plan(db, &case, plan).await?;
    let policy = db::settings::policy(db).await?;
    notice_ok(&plan, &policy, clock)?;

    let mut tx = db.pool().begin().await.map_err(DbError::from)?;
    db::settings::take_schedule_turn(&mut tx).await?;
    let found = clashes(&mut tx, &booking_of("", &plan, Vec::new())).await?;
    if !found.is_empty() {
        return Err(ApiError::ScheduleConflict { conflicts: found });
    }
    let id = db::hearings::insert_planned(&mut tx, case_id, &plan, by).await?;
    tx.commit().await.map_err(DbError::from)?;
    hearing(db, &id).await
}

/// Changes a hearing's plan made from `expected_version`. Returns the hearing and
/// the room event that told everyone (already committed; the caller publishes it).
pub async fn change_hearing(
    db: &Db,
    by: &Changer,
    hearing_id: &str,
    expected_version: i64,
    request: PlanRequest,
    reason: Option<&str>,
    clock: OfficeClock,
) -> Result<(HearingRecord, Option<HearingEvent>), ApiError> {
    let current = hearing(db, hearing_id).await?;
    if current.status == HearingStatus::Cancelled {
        return Err(ApiError::HearingCancelled);
    }
    if current.version != expected_version {
        return Err(ApiError::StaleVersion);
    }
    let reason = clean_reason(reason)?;
    // Once opened, the minutes print the plan beside what happened (原定): it
    // stays as it was when the hearing sat.
    let underway = current.sitting != crate::domain::schedule::Sitting::NotOpened;
    let (plan, status, change) = match request {
        PlanRequest::Update { plan } => {
            let case = get_case(db, &current.case_id, clock).await?;
            let plan = checked_plan(db, &case, plan).await?;
            let moved = plan.starts_at_ms != current.plan.starts_at_ms
                || plan.duration_min != current.plan.duration_min
                || plan.room != current.plan.room
                || current.status == HearingStatus::Postponed;
            if moved && underway {
                return Err(ApiError::HearingUnderway);
            }
            if moved {
                let policy = db::settings::policy(db).await?;
                notice_ok(&plan, &policy, clock)?;
            }
            let change = if moved {
                ScheduleChange::Rescheduled
            } else {
                ScheduleChange::Edited
            };
            (plan, HearingStatus::Scheduled, change)
        }
        PlanRequest::Postpone | PlanRequest::Cancel if underway => {
            return Err(ApiError::HearingUnderway);
        }
        PlanRequest::Postpone => (
            current.plan.clone(),
            HearingStatus::Postponed,
            ScheduleChange::Postponed,
        ),
        PlanRequest::Cancel => (
            current.plan.clone(),
            HearingStatus::Cancelled,
            ScheduleChange::Cancelled,
        ),
    };
    // Moving, postponing and cancelling affect everyone: they must say why.
    if change != ScheduleChange::Edited && reason.is_none() {
        return Err(ApiError::ReasonRequired);
    }

    let mut tx = db.pool().begin().await.map_err(DbError::from)?;
    db::settings::take_schedule_turn(&mut tx).await?;
    if status == HearingStatus::Scheduled {
        let jurors = db::hearings::seated_ids(&mut tx, hearing_id).await?;
        let found = clashes(&mut tx, &booking_of(hearing_id, &plan, jurors)).await?;
        if !found.is_empty() {
            return Err(ApiError::ScheduleConflict { conflicts: found });
        }
    }
    let Some(version) = db::hearings::update_plan(
        &mut tx,
        hearing_id,
        expected_version,
        &plan,
        status,
        change,
        reason.as_deref(),
        by,
    )
    .await?
    else {
        return Err(ApiError::StaleVersion);
    };
    let payload = EventPayload::PlanChanged {
        change,
        version,
        status,
        starts_at_ms: plan.starts_at_ms,
        duration_min: plan.duration_min,
        place: plan.place_label_zh(),
        reason,
    };
    let event = db::events::append_in(&mut tx, hearing_id, &payload).await?;
    tx.commit().await.map_err(DbError::from)?;
    Ok((hearing(db, hearing_id).await?, event))
}

pub async fn hearing(db: &Db, id: &str) -> Result<HearingRecord, ApiError> {
    db::hearings::record(db, id)
        .await?
        .ok_or(ApiError::HearingNotFound)
}

pub async fn hearing_history(db: &Db, id: &str) -> Result<Vec<HearingVersion>, ApiError> {
    Ok(db::hearings::versions(db, id).await?)
}

pub async fn find_hearings(
    db: &Db,
    query: &db::hearings::HearingQuery,
) -> Result<Vec<HearingRecord>, ApiError> {
    Ok(db::hearings::query(db, query).await?)
}
