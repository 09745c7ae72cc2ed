//! What browsers and proxies may keep. Everything this server answers is private
//! or changes (pages with a session, rosters with phone numbers, minutes, evidence,
//! exports) unless it says otherwise: `Cache-Control: no-store` by default, so a
//! shared phone or an office proxy never keeps a copy. Only the site's static files
//! (the script bundle, pdf.js) are left to their own caching rules.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// Paths served from the site's static files.
fn is_static_asset(path: &str) -> bool {
    path.starts_with("/pkg/") || path.starts_with("/pdfjs/") || path == "/favicon.ico"
}

pub async fn private_by_default(request: Request, next: Next) -> Response {
    let is_static = is_static_asset(request.uri().path());
    let mut response = next.run(request).await;
    if !is_static && !response.headers().contains_key(header::CACHE_CONTROL) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
