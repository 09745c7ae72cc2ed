//! The browser bundle (script, wasm, stylesheet) as `make wasm` leaves it in
//! `site/pkg`: named by its content, compressed once at build time.
//!
//! `make wasm` names the three files `pingyi-<hash>.js`, `pingyi-<hash>_bg.wasm`
//! and `pingyi-<hash>.css` and writes that stem into `site/pkg/BUNDLE`. A name
//! that changes with every build may be kept by browsers for good, so a
//! returning phone downloads nothing; a deploy changes the name, so nobody runs
//! a stale bundle. wasm-bindgen's snippets (modules the script imports) move
//! under `pingyi-<hash>-snippets/` for the same reason. `pingyi.css` stays as well, under its plain name and
//! revalidated, for the small standalone pages (invitations, notices) that are
//! written without the app's shell.

use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The stem of the bundle's file names when `make wasm` wrote none (a
/// development tree without a built bundle): the names wasm-bindgen gives.
const PLAIN_STEM: &str = "pingyi";

/// The stem this site's bundle files carry, read once when the server starts.
pub fn stem(site_root: &Path) -> String {
    let written = std::fs::read_to_string(site_root.join("pkg").join("BUNDLE")).ok();
    match written.as_deref().map(str::trim) {
        Some(stem) if is_hashed_stem(stem) => stem.to_owned(),
        Some(other) => {
            tracing::warn!(
                "site/pkg/BUNDLE holds {other:?}, not a bundle name; serving the plain names"
            );
            PLAIN_STEM.to_owned()
        }
        None => PLAIN_STEM.to_owned(),
    }
}

/// `pingyi-` and 16 lowercase hex digits, as `make wasm` writes it.
fn is_hashed_stem(stem: &str) -> bool {
    stem.strip_prefix("pingyi-").is_some_and(|hash| {
        hash.len() == 16
            && hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// Whether a file under `/pkg` is named by its content (and so never changes):
/// the bundle's files, and wasm-bindgen's snippets (the script's own imports),
/// which `make wasm` moves under `<stem>-snippets/`.
fn is_content_named(file: &str) -> bool {
    if let Some((dir, rest)) = file.split_once('/') {
        return !rest.is_empty()
            && !rest.split('/').any(|part| part.is_empty() || part == "..")
            && dir.strip_suffix("-snippets").is_some_and(is_hashed_stem);
    }
    let stem = file
        .strip_suffix("_bg.wasm")
        .or_else(|| file.strip_suffix(".js"))
        .or_else(|| file.strip_suffix(".css"));
    stem.is_some_and(is_hashed_stem)
}

/// `/pkg`: the files as built, brotli or gzip as the browser accepts (never
/// compressed per request). Content-named files are cached for a year and
/// never revalidated; the others (the plain stylesheet, wasm-bindgen's
/// snippets) are revalidated, which answers 304 when unchanged.
pub fn files(site_root: &Path) -> Router {
    Router::new()
        .fallback_service(
            tower_http::services::ServeDir::new(site_root.join("pkg"))
                .precompressed_br()
                .precompressed_gzip(),
        )
        .layer(axum::middleware::from_fn(cache_rule))
}

async fn cache_rule(request: Request, next: Next) -> Response {
    let forever = is_content_named(request.uri().path().trim_start_matches('/'));
    let mut response = next.run(request).await;
    if response.status().is_success() || response.status().as_u16() == 304 {
        let rule = if forever {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(rule));
    }
    response
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn only_names_make_wasm_writes_are_kept_for_good() {
        assert!(is_content_named("pingyi-0123456789abcdef.js"));
        assert!(is_content_named("pingyi-0123456789abcdef_bg.wasm"));
        assert!(is_content_named("pingyi-0123456789abcdef.css"));
        assert!(!is_content_named("pingyi.css"));
        assert!(!is_content_named("pingyi_bg.wasm"));
        assert!(!is_content_named("pingyi-0123456789ABCDEF.js"));
        assert!(!is_content_named("pingyi-0123456789abcde.js"));
        assert!(!is_content_named(
            "snippets/app-0123456789abcdef/src/pdfview.js"
        ));
        assert!(is_content_named(
            "pingyi-0123456789abcdef-snippets/app-0123456789abcdef/src/pdfview.js"
        ));
        assert!(!is_content_named("pingyi-0123456789abcdef-snippets/"));
        assert!(!is_content_named(
            "pingyi-0123456789abcdef-snippets/../x.js"
        ));
        assert!(!is_content_named("pingyi-0123456789abcdef.js.map"));
    }

    #[test]
    fn a_missing_or_strange_bundle_file_means_the_plain_names() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(stem(dir.path()), "pingyi");
        std::fs::create_dir_all(dir.path().join("pkg")).unwrap();
        std::fs::write(dir.path().join("pkg/BUNDLE"), "../../etc/passwd\n").unwrap();
        assert_eq!(stem(dir.path()), "pingyi");
        std::fs::write(dir.path().join("pkg/BUNDLE"), "pingyi-00ff00ff00ff00ff\n").unwrap();
        assert_eq!(stem(dir.path()), "pingyi-00ff00ff00ff00ff");
    }
}
