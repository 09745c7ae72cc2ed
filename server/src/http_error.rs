//! The one error type of the plain HTTP handlers (not server functions):
//! a stable code and a Chinese message as JSON; causes are logged, not sent.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("not found")]
    NotFound,
    #[error("not logged in")]
    NotLoggedIn,
    #[error("forbidden")]
    Forbidden,
    #[error("unavailable: {0}")]
    Unavailable(&'static str),
    #[error("internal: {0}")]
    Internal(String),
    /// A refusal the app's domain made, with its status and Chinese message.
    #[error("refused: {1}")]
    Refused(u16, String),
}

impl HttpError {
    /// An app error as an HTTP answer: internal faults stay internal.
    pub fn from_api(e: app::error::ApiError) -> HttpError {
        use app::error::ApiError;
        match e {
            ApiError::HearingNotFound => HttpError::NotFound,
            ApiError::NotLoggedIn => HttpError::NotLoggedIn,
            ApiError::Forbidden => HttpError::Forbidden,
            ApiError::Internal => HttpError::Internal("see the log above".into()),
            other => HttpError::Refused(other.status(), other.message(app::i18n::Lang::Zh)),
        }
    }
}

#[derive(Serialize)]
struct RefusalBody<'a> {
    code: &'static str,
    message: &'a str,
}

#[derive(Serialize)]
struct Body {
    code: &'static str,
    message: &'static str,
}

impl From<app::db::DbError> for HttpError {
    fn from(e: app::db::DbError) -> Self {
        match e {
            app::db::DbError::Sealed | app::db::DbError::LogFull => HttpError::from_api(e.into()),
            e => HttpError::Internal(e.to_string()),
        }
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let (status, code, message) = match &self {
            HttpError::NotFound => (StatusCode::NOT_FOUND, "not_found", "未找到 / not found"),
            HttpError::NotLoggedIn => (
                StatusCode::UNAUTHORIZED,
                "not_logged_in",
                "请先登录 / please log in",
            ),
            HttpError::Forbidden => (StatusCode::FORBIDDEN, "forbidden", "无权限 / forbidden"),
            HttpError::Unavailable(message) => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable", *message)
            }
            HttpError::Refused(status, message) => {
                let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::CONFLICT);
                return (
                    status,
                    Json(RefusalBody {
                        code: "refused",
                        message,
                    }),
                )
                    .into_response();
            }
            HttpError::Internal(cause) => {
                tracing::error!(%cause, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "服务器内部错误，请稍后重试 / internal server error",
                )
            }
        };
        (status, Json(Body { code, message })).into_response()
    }
}

/// The plain handlers' permission check: the same rule table as the server
/// functions; a hearing the asker may not see does not exist for them.
pub async fn authorize(
    state: &app::state::AppState,
    auth: &app::auth::AuthSession,
    action: app::domain::access::Action,
    hearing_id: &str,
) -> Result<app::domain::access::Actor, HttpError> {
    authorize_named(state, auth, action, hearing_id)
        .await
        .map(|(actor, _)| actor)
}

/// Like [`authorize`], with the asker's display name (for custody and audit).
pub async fn authorize_named(
    state: &app::state::AppState,
    auth: &app::auth::AuthSession,
    action: app::domain::access::Action,
    hearing_id: &str,
) -> Result<(app::domain::access::Actor, String), HttpError> {
    use app::domain::access::{Action, permits};
    let (actor, name) = app::auth::current_actor(&state.db, auth)
        .await?
        .ok_or(HttpError::NotLoggedIn)?;
    let staff = app::db::hearings::staff(&state.db, hearing_id)
        .await?
        .ok_or(HttpError::NotFound)?;
    if permits(Some(&actor), action, Some(&staff)) {
        Ok((actor, name))
    } else if permits(Some(&actor), Action::ViewRoom, Some(&staff)) {
        Err(HttpError::Forbidden)
    } else {
        Err(HttpError::NotFound)
    }
}
