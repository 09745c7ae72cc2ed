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
    #[error("unavailable: {0}")]
    Unavailable(&'static str),
    #[error("internal: {0}")]
    Internal(String),
}

#[derive(Serialize)]
struct Body {
    code: &'static str,
    message: &'static str,
}

impl From<app::db::DbError> for HttpError {
    fn from(e: app::db::DbError) -> Self {
        HttpError::Internal(e.to_string())
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let (status, code, message) = match &self {
            HttpError::NotFound => (StatusCode::NOT_FOUND, "not_found", "未找到 / not found"),
            HttpError::Unavailable(message) => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable", *message)
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
