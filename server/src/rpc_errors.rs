//! A server function that cannot read its arguments (one missing, a number sent
//! as text, a body that is not JSON) answers 422 naming the argument, in the
//! same `{"code": …}` shape as every refusal — not the framework's 500 with its
//! parser's words. The parser's detail is logged, never sent.

use app::error::ApiError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Most of an error body this reads; server-function errors are a few hundred bytes.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

pub async fn arguments_refused_clearly(request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with("/rpc/") {
        return next.run(request).await;
    }
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, ERROR_BODY_LIMIT).await else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(ApiError::Internal),
        )
            .into_response();
    };
    match serde_json::from_slice::<ApiError>(&bytes) {
        Ok(ApiError::Transport { detail }) => {
            tracing::warn!(path = %path, detail = %detail, "server function arguments refused");
            let refusal = ApiError::BadArguments {
                field: argument_named(&detail),
            };
            let body = serde_json::to_vec(&refusal).unwrap_or_default();
            parts.status = StatusCode::UNPROCESSABLE_ENTITY;
            parts.headers.remove(header::CONTENT_LENGTH);
            parts.headers.insert(
                header::CONTENT_TYPE,
                header::HeaderValue::from_static("application/json"),
            );
            Response::from_parts(parts, Body::from(body))
        }
        _ => Response::from_parts(parts, Body::from(bytes)),
    }
}

/// The argument a deserializer's message names (`missing field `agency_text``,
/// `unknown variant …` of a field), when it names one that looks like an
/// argument; nothing else of the message leaves the server.
pub fn argument_named(detail: &str) -> Option<String> {
    let start = detail.find("missing field `")? + "missing field `".len();
    let name = &detail[start..];
    let name = &name[..name.find('`')?];
    let plain = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    plain.then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::argument_named;

    #[test]
    fn only_a_plain_argument_name_is_taken_from_the_parser() {
        assert_eq!(
            argument_named("error deserializing: missing field `agency_text`"),
            Some("agency_text".into())
        );
        assert_eq!(
            argument_named("invalid type: string \"x\", expected u32 at line 1"),
            None
        );
        assert_eq!(argument_named("missing field `<script>`"), None);
        assert_eq!(argument_named("missing field `unterminated"), None);
    }
}
