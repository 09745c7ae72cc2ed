//! Small standalone HTML pages in the app's look (no hydration): invitation
//! pages, notices, announcements. Everything interpolated goes through [`escape`].

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// Escapes text for HTML element content and quoted attributes.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A page in a narrow card (forms, short messages).
pub fn page(status: StatusCode, title: &str, body: &str) -> Response {
    document(
        status,
        title,
        &format!("<section class=\"card narrow\">{body}</section>"),
    )
}

/// A page whose body is laid out by the caller (notices print on A4).
pub fn document(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · 评议</title><link rel=\"stylesheet\" href=\"/pkg/pingyi.css\"></head>\
         <body><header class=\"topbar no-print\"><a class=\"brand\" href=\"/\"><span class=\"brand-mark\">评议</span>\
         <span class=\"brand-sub\">信访听证评议平台</span></a></header>\
         <main class=\"page\">{body}</main></body></html>",
        title = escape(title),
    );
    let mut response = (status, Html(html)).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
