//! Cross-site request refusal: a mutation, or a websocket handshake (which carries
//! the session cookie), must come from our own origin. Browsers say where a request
//! comes from (`Sec-Fetch-Site`, `Origin`); clients that send neither are not
//! browsers and cannot be tricked into riding a victim's cookie.

use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

fn is_websocket_handshake(headers: &HeaderMap) -> bool {
    headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// Whether the request comes from a page of this site (or from no browser at all).
pub fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return site == "same-origin" || site == "none";
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    origin
        .split_once("://")
        .is_some_and(|(_, origin_host)| !host.is_empty() && origin_host == host)
}

/// A path as logs may keep it: the secret in an invitation link or a personal
/// calendar feed is cut out, so a log never admits anyone.
pub fn loggable_path(path: &str) -> String {
    for secret_prefix in ["/invite/", "/feeds/"] {
        if let Some(rest) = path.strip_prefix(secret_prefix)
            && !rest.is_empty()
        {
            return format!("{secret_prefix}…");
        }
    }
    path.to_owned()
}

pub async fn reject_cross_site(request: Request, next: Next) -> Response {
    let guarded = !request.method().is_safe() || is_websocket_handshake(request.headers());
    if guarded && !same_origin(request.headers()) {
        tracing::warn!(method = %request.method(), path = %loggable_path(request.uri().path()), "cross-site request refused");
        return (
            StatusCode::FORBIDDEN,
            axum::Json(serde_json::json!({
                "code": "cross_site",
                "message": "跨站请求已被拒绝 / cross-site request refused"
            })),
        )
            .into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().expect("header value"));
        }
        h
    }

    #[test]
    fn secrets_in_paths_never_reach_the_log() {
        assert_eq!(loggable_path("/invite/abcDEF123"), "/invite/…");
        assert_eq!(loggable_path("/feeds/0123abcd.ics"), "/feeds/…");
        assert_eq!(loggable_path("/rpc/login"), "/rpc/login");
        assert_eq!(loggable_path("/invite/"), "/invite/");
    }

    #[test]
    fn cross_site_is_refused_same_site_and_non_browsers_pass() {
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(same_origin(&headers(&[
            ("origin", "http://a.test:3000"),
            ("host", "a.test:3000")
        ])));
        assert!(!same_origin(&headers(&[
            ("origin", "http://evil.test"),
            ("host", "a.test:3000")
        ])));
        assert!(!same_origin(&headers(&[
            ("origin", "null"),
            ("host", "a.test")
        ])));
        assert!(same_origin(&headers(&[])));
    }
}
