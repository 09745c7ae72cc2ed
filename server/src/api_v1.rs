//! `/api/v1`: the integration API for other systems (the provincial 信访信息系统,
//! case-management tools). JSON in and out, bearer tokens with scopes, errors with
//! a stable `code` and messages in Chinese and English. The OpenAPI document is
//! generated from these handlers and served at `/api/v1/openapi.json`.
//!
//! The handlers are thin: check the token's scope, call `app::scheduling` (the
//! same functions the pages call), map the answer.

use app::db::hearings::HearingQuery;
use app::domain::access::ApiScope;
use app::domain::case::{CaseDraft, CaseFilter, CaseStatus, ProgressClass, RiskColour};
use app::domain::clock::CHINA_OFFSET_SECONDS;
use app::domain::schedule::{HearingPlan, HearingStatus, PlanRequest};
use app::error::ApiError;
use app::i18n::Lang;
use app::model::{CasePage, CaseRecord, Changer, HearingRecord, HearingVersion};
use app::scheduling::{self, OfficeClock};
use app::state::AppState;
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The error body of every failed call.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `schedule_conflict`, `case_invalid`.
    code: String,
    /// 中文说明
    message: String,
    /// The same in English.
    message_en: String,
    /// Fields of the error (e.g. the conflicts, the invalid fields); may be empty.
    #[schema(value_type = Object)]
    details: serde_json::Value,
}

/// An API error as an HTTP response.
pub struct ApiFailure(ApiError);

impl From<ApiError> for ApiFailure {
    fn from(e: ApiError) -> Self {
        ApiFailure(e)
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let error = self.0;
        let mut details = serde_json::to_value(&error).unwrap_or_default();
        let code = details
            .as_object_mut()
            .and_then(|o| o.remove("code"))
            .and_then(|c| c.as_str().map(str::to_owned))
            .unwrap_or_else(|| "internal".into());
        let body = ErrorBody {
            code,
            message: error.message(Lang::Zh),
            message_en: error.message(Lang::En),
            details,
        };
        let status =
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer realm=\"pingyi\""),
            );
        }
        response
    }
}

type ApiResult<T> = Result<T, ApiFailure>;

/// The calling system, known by its bearer token.
pub struct ApiClient {
    token_id: String,
    name: String,
    scopes: Vec<ApiScope>,
}

impl ApiClient {
    fn require(&self, scope: ApiScope) -> Result<(), ApiFailure> {
        if self.scopes.contains(&scope) {
            Ok(())
        } else {
            Err(ApiError::MissingScope {
                scope: scope.code().into(),
            }
            .into())
        }
    }

    /// How changes made through the API show in histories.
    fn changer(&self) -> Changer {
        Changer {
            name: format!("API：{}", self.name),
            id: Some(self.token_id.clone()),
            via_api: true,
        }
    }

    async fn audit(&self, state: &AppState, action: &str, subject: &str) {
        let detail = format!("token {}", self.name);
        let entry = app::db::audit::AuditEntry {
            actor: None,
            action,
            subject: Some(subject),
            detail: &detail,
            ip: None,
        };
        if let Err(e) = app::db::audit::record(&state.db, &entry).await {
            tracing::error!(error = %e, "could not audit an API call");
        }
    }
}

impl FromRequestParts<AppState> for ApiClient {
    type Rejection = ApiFailure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiFailure> {
        let secret = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or(ApiError::InvalidToken)?;
        let (token_id, name, scopes) = app::db::tokens::authenticate(&state.db, secret)
            .await
            .map_err(ApiError::from)?
            .ok_or(ApiError::InvalidToken)?;
        Ok(ApiClient {
            token_id,
            name,
            scopes,
        })
    }
}

fn bad_json(e: JsonRejection) -> ApiFailure {
    ApiError::BadRequest {
        detail: e.body_text(),
    }
    .into()
}

fn bad_query(e: QueryRejection) -> ApiFailure {
    ApiError::BadRequest {
        detail: e.body_text(),
    }
    .into()
}

fn clock() -> OfficeClock {
    OfficeClock::now(CHINA_OFFSET_SECONDS)
}

// ---- Cases ----------------------------------------------------------------------

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseListQuery {
    /// Part of the number, title, claim, or a petitioner's or agency's name.
    text: Option<String>,
    risk: Option<RiskColour>,
    class: Option<ProgressClass>,
    status: Option<CaseStatus>,
    /// 属地 (town or street), matched exactly, e.g. 硖石街道.
    district: Option<String>,
    /// Only cases whose running deadline has passed.
    overdue: Option<bool>,
    /// 1-based page number (default 1).
    page: Option<u32>,
    /// Items per page, 1–200 (default 50).
    per_page: Option<u32>,
}

/// List cases, newest received first.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CaseListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = CasePage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_cases(
    State(state): State<AppState>,
    client: ApiClient,
    query: Result<Query<CaseListQuery>, QueryRejection>,
) -> ApiResult<Json<CasePage>> {
    client.require(ApiScope::CasesRead)?;
    let Query(q) = query.map_err(bad_query)?;
    let filter = CaseFilter {
        text: q.text,
        risk: q.risk,
        class: q.class,
        status: q.status,
        district: q.district,
        overdue_only: q.overdue.unwrap_or(false),
    };
    let page = scheduling::list_cases(
        &state.db,
        &filter,
        q.page.unwrap_or(1),
        q.per_page.unwrap_or(50),
        clock(),
    )
    .await?;
    Ok(Json(page))
}

/// Register a case (信访事项).
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = CaseDraft,
    security(("bearer" = [])),
    responses((status = 201, body = CaseRecord), (status = 409, description = "number taken", body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_case(
    State(state): State<AppState>,
    client: ApiClient,
    body: Result<Json<CaseDraft>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<CaseRecord>)> {
    client.require(ApiScope::CasesWrite)?;
    let Json(draft) = body.map_err(bad_json)?;
    let record = scheduling::create_case(&state.db, &client.changer(), draft, clock()).await?;
    client.audit(&state, "api_case_created", &record.id).await;
    Ok((StatusCode::CREATED, Json(record)))
}

/// Read one case.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases",
    params(("id" = String, Path, description = "case id")), security(("bearer" = [])),
    responses((status = 200, body = CaseRecord), (status = 404, body = ErrorBody)))]
async fn get_case(
    State(state): State<AppState>,
    client: ApiClient,
    Path(id): Path<String>,
) -> ApiResult<Json<CaseRecord>> {
    client.require(ApiScope::CasesRead)?;
    Ok(Json(scheduling::get_case(&state.db, &id, clock()).await?))
}

/// A whole case as it should be, and the version it was read at. A `case` without
/// `district` (属地) keeps the district the case has: a client written before the
/// field existed does not clear it.
#[derive(Deserialize, ToSchema)]
#[serde(try_from = "CaseUpdateBody")]
pub struct CaseUpdate {
    /// The `version` of the case this change starts from (optimistic locking).
    version: i64,
    case: CaseDraft,
    /// `case` had no `district`.
    #[serde(skip)]
    keep_district: bool,
}

/// [`CaseUpdate`] as sent, to tell a missing `district` from an empty one.
#[derive(Deserialize)]
struct CaseUpdateBody {
    version: i64,
    case: serde_json::Map<String, serde_json::Value>,
}

impl TryFrom<CaseUpdateBody> for CaseUpdate {
    type Error = serde_json::Error;

    fn try_from(body: CaseUpdateBody) -> Result<Self, Self::Error> {
        let keep_district = !body.case.contains_key("district");
        Ok(CaseUpdate {
            version: body.version,
            case: serde_json::from_value(serde_json::Value::Object(body.case))?,
            keep_district,
        })
    }
}

/// Replace a case's fields (the history keeps the old ones).
#[utoipa::path(put, path = "/api/v1/cases/{id}", tag = "cases", request_body = CaseUpdate,
    params(("id" = String, Path, description = "case id")), security(("bearer" = [])),
    responses((status = 200, body = CaseRecord), (status = 404, body = ErrorBody), (status = 409, description = "stale version, number taken, or closing refused while aftercare is open (三个不结案: aftercare_refused / case_still_open)", body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_case(
    State(state): State<AppState>,
    client: ApiClient,
    Path(id): Path<String>,
    body: Result<Json<CaseUpdate>, JsonRejection>,
) -> ApiResult<Json<CaseRecord>> {
    client.require(ApiScope::CasesWrite)?;
    let Json(mut update) = body.map_err(bad_json)?;
    if update.keep_district {
        // A change made meanwhile fails on the version anyway.
        update.case.district = scheduling::get_case(&state.db, &id, clock())
            .await?
            .case
            .district;
    }
    let record = scheduling::update_case(
        &state.db,
        &client.changer(),
        &id,
        update.version,
        update.case,
        clock(),
    )
    .await?;
    client.audit(&state, "api_case_updated", &id).await;
    Ok(Json(record))
}

// ---- Hearings -------------------------------------------------------------------

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HearingListQuery {
    /// Hearings ending after this instant (ms since the Unix epoch).
    from_ms: Option<i64>,
    /// Hearings starting before this instant (ms since the Unix epoch).
    to_ms: Option<i64>,
    case_id: Option<String>,
    status: Option<HearingStatus>,
    /// 1-based page number (default 1).
    page: Option<u32>,
    /// Items per page, 1–200 (default 50).
    per_page: Option<u32>,
}

/// One page of hearings, earliest first.
#[derive(Serialize, ToSchema)]
pub struct HearingPage {
    items: Vec<HearingRecord>,
    page: u32,
    per_page: u32,
}

/// List hearings.
#[utoipa::path(get, path = "/api/v1/hearings", tag = "hearings", params(HearingListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = HearingPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list_hearings(
    State(state): State<AppState>,
    client: ApiClient,
    query: Result<Query<HearingListQuery>, QueryRejection>,
) -> ApiResult<Json<HearingPage>> {
    client.require(ApiScope::HearingsRead)?;
    let Query(q) = query.map_err(bad_query)?;
    let page = q.page.unwrap_or(1).max(1);
    let per_page = q.per_page.unwrap_or(50).clamp(1, scheduling::PER_PAGE_MAX);
    let query = HearingQuery {
        from_ms: q.from_ms,
        to_ms: q.to_ms,
        case_id: q.case_id,
        status: q.status,
        limit: per_page,
        offset: (page - 1).saturating_mul(per_page),
        ..Default::default()
    };
    let items = scheduling::find_hearings(&state.db, &query).await?;
    Ok(Json(HearingPage {
        items,
        page,
        per_page,
    }))
}

/// A hearing to put on the calendar.
#[derive(Deserialize, ToSchema)]
pub struct NewHearing {
    case_id: String,
    plan: HearingPlan,
}

/// Schedule a hearing of a case. Double bookings of a room, host, clerk or seated
/// panel member answer 409 `schedule_conflict`, naming who and which hearing.
#[utoipa::path(post, path = "/api/v1/hearings", tag = "hearings", request_body = NewHearing,
    security(("bearer" = [])),
    responses((status = 201, body = HearingRecord), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_hearing(
    State(state): State<AppState>,
    client: ApiClient,
    body: Result<Json<NewHearing>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<HearingRecord>)> {
    client.require(ApiScope::HearingsWrite)?;
    let Json(new) = body.map_err(bad_json)?;
    let record = scheduling::schedule_hearing(
        &state.db,
        &client.changer(),
        &new.case_id,
        new.plan,
        clock(),
    )
    .await?;
    client
        .audit(&state, "api_hearing_scheduled", &record.id)
        .await;
    Ok((StatusCode::CREATED, Json(record)))
}

/// A hearing and every version of its plan.
#[derive(Serialize, ToSchema)]
pub struct HearingWithHistory {
    hearing: HearingRecord,
    history: Vec<HearingVersion>,
}

/// Read one hearing with its plan's history.
#[utoipa::path(get, path = "/api/v1/hearings/{id}", tag = "hearings",
    params(("id" = String, Path, description = "hearing id")), security(("bearer" = [])),
    responses((status = 200, body = HearingWithHistory), (status = 404, body = ErrorBody)))]
async fn get_hearing(
    State(state): State<AppState>,
    client: ApiClient,
    Path(id): Path<String>,
) -> ApiResult<Json<HearingWithHistory>> {
    client.require(ApiScope::HearingsRead)?;
    Ok(Json(HearingWithHistory {
        hearing: scheduling::hearing(&state.db, &id).await?,
        history: scheduling::hearing_history(&state.db, &id).await?,
    }))
}

/// A new plan for a hearing (edit or reschedule), from the version read.
#[derive(Deserialize, ToSchema)]
pub struct HearingUpdate {
    version: i64,
    plan: HearingPlan,
    /// Required when the time or room moves (改期理由).
    reason: Option<String>,
}

/// Edit or reschedule a hearing; parties and panel see the change in the room.
#[utoipa::path(put, path = "/api/v1/hearings/{id}", tag = "hearings", request_body = HearingUpdate,
    params(("id" = String, Path, description = "hearing id")), security(("bearer" = [])),
    responses((status = 200, body = HearingRecord), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_hearing(
    State(state): State<AppState>,
    client: ApiClient,
    Path(id): Path<String>,
    body: Result<Json<HearingUpdate>, JsonRejection>,
) -> ApiResult<Json<HearingRecord>> {
    client.require(ApiScope::HearingsWrite)?;
    let Json(update) = body.map_err(bad_json)?;
    let request = PlanRequest::Update { plan: update.plan };
    change(&state, &client, &id, update.version, request, update.reason).await
}

/// Why and from which version: the body of postpone and cancel.
#[derive(Deserialize, ToSchema)]
pub struct ReasonedChange {
    version: i64,
    reason: String,
}

/// Postpone a hearing (延期) until a new date is set with PUT.
#[utoipa::path(post, path = "/api/v1/hearings/{id}/postpone", tag = "hearings", request_body = ReasonedChange,
    params(("id" = String, Path, description = "hearing id")), security(("bearer" = [])),
    responses((status = 200, body = HearingRecord), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn postpone_hearing(
    State(state): State<AppState>,
    client: ApiClient,
    Path(id): Path<String>,
    body: Result<Json<ReasonedChange>, JsonRejection>,
) -> ApiResult<Json<HearingRecord>> {
    client.require(ApiScope::HearingsWrite)?;
    let Json(body) = body.map_err(bad_json)?;
    change(
        &state,
        &client,
        &id,
        body.version,
        PlanRequest::Postpone,
        Some(body.reason),
    )
    .await
}

/// Cancel a hearing (取消); it stays in the history.
#[utoipa::path(post, path = "/api/v1/hearings/{id}/cancel", tag = "hearings", request_body = ReasonedChange,
    params(("id" = String, Path, description = "hearing id")), security(("bearer" = [])),
    responses((status = 200, body = HearingRecord), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn cancel_hearing(
    State(state): State<AppState>,
    client: ApiClient,
    Path(id): Path<String>,
    body: Result<Json<ReasonedChange>, JsonRejection>,
) -> ApiResult<Json<HearingRecord>> {
    client.require(ApiScope::HearingsWrite)?;
    let Json(body) = body.map_err(bad_json)?;
    change(
        &state,
        &client,
        &id,
        body.version,
        PlanRequest::Cancel,
        Some(body.reason),
    )
    .await
}

async fn change(
    state: &AppState,
    client: &ApiClient,
    id: &str,
    version: i64,
    request: PlanRequest,
    reason: Option<String>,
) -> ApiResult<Json<HearingRecord>> {
    let record = state
        .change_hearing(
            &client.changer(),
            id,
            version,
            request,
            reason.as_deref(),
            clock(),
        )
        .await?;
    client.audit(state, "api_hearing_changed", id).await;
    Ok(Json(record))
}

// ---- Staff ------------------------------------------------------------------------

/// A staff account that can be named on a hearing.
#[derive(Serialize, ToSchema)]
pub struct StaffMember {
    id: String,
    username: String,
    display_name: String,
    /// Role codes: host, clerk, admin.
    roles: Vec<String>,
}

/// Hosts and clerks (enabled accounts), for naming them on a hearing.
#[utoipa::path(get, path = "/api/v1/staff", tag = "hearings", security(("bearer" = [])),
    responses((status = 200, body = Vec<StaffMember>), (status = 401, body = ErrorBody)))]
async fn list_staff(
    State(state): State<AppState>,
    client: ApiClient,
) -> ApiResult<Json<Vec<StaffMember>>> {
    use app::domain::access::Role;
    client.require(ApiScope::HearingsRead)?;
    let accounts = app::db::accounts::list(&state.db)
        .await
        .map_err(ApiError::from)?;
    let staff = accounts
        .into_iter()
        .filter(|a| !a.disabled)
        .filter(|a| {
            a.roles
                .iter()
                .any(|r| matches!(r, Role::Host | Role::Clerk | Role::Admin))
        })
        .map(|a| StaffMember {
            roles: a
                .roles
                .iter()
                .filter(|r| matches!(r, Role::Host | Role::Clerk | Role::Admin))
                .map(|r| r.code().to_string())
                .collect(),
            id: a.id,
            username: a.username,
            display_name: a.display_name,
        })
        .collect();
    Ok(Json(staff))
}

// ---- The document -----------------------------------------------------------------

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token issued by an administrator (设置 → API 令牌), \
                         with the scopes the call needs.",
                    ))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Pingyi 评议 integration API",
        description = "Cases (信访事项) and hearings (听证评议会) for other systems. \
                       Times are milliseconds since the Unix epoch (UTC); dates are YYYY-MM-DD \
                       in China Standard Time. Errors carry a stable `code` and messages in \
                       Chinese and English.",
        version = "1"
    ),
    modifiers(&BearerAuth),
    tags((name = "cases", description = "信访事项"), (name = "hearings", description = "听证评议会"))
)]
struct ApiDoc;

/// The API's routes and the OpenAPI document describing exactly them.
pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(list_cases, create_case))
        .routes(routes!(get_case, update_case))
        .routes(routes!(list_hearings, create_hearing))
        .routes(routes!(get_hearing, update_hearing))
        .routes(routes!(postpone_hearing))
        .routes(routes!(cancel_hearing))
        .routes(routes!(list_staff))
        .split_for_parts()
}

/// The document as served and as kept in docs/openapi.json (pretty, stable order).
pub fn openapi_json() -> String {
    let (_, doc) = router();
    doc.to_pretty_json().unwrap_or_else(|_| "{}".into())
}

/// Unknown paths under /api/v1 answer JSON, not the web app's 404 page.
pub async fn not_found() -> ApiFailure {
    ApiFailure(ApiError::UnknownEndpoint)
}
