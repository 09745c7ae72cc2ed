//! What anyone on the internet can send without logging in, bounded (#21): the
//! public minutes verification, bad input to server functions, caching of
//! personal data.

#![allow(clippy::unwrap_used)]

use crate::common::{TestServer, VERIFY_CONCURRENCY, VERIFY_UPLOAD_SECONDS};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Opens a `POST /verify` that announces a 10 MB file and sends only its start,
/// then goes quiet: a slow phone, or someone holding the server's memory.
async fn half_upload(server: &TestServer) -> tokio::net::TcpStream {
    let addr = server.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let boundary = "XBOUNDARYX";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
    );
    let request = format!(
        "POST /verify HTTP/1.1\r\nHost: {addr}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n\
         Content-Length: {}\r\n\r\n{head}",
        10 * 1024 * 1024
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(&vec![b'x'; 64 * 1024]).await.unwrap();
    stream
}

/// The status line and body of whatever the server answered on `stream`.
async fn answer_of(stream: &mut tokio::net::TcpStream) -> (u16, String) {
    let mut bytes = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        let mut buf = [0u8; 8192];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    bytes.extend_from_slice(&buf[..n]);
                    // Enough to judge: the page is small.
                    if String::from_utf8_lossy(&bytes).contains("</html>") {
                        break;
                    }
                }
            }
        }
    })
    .await;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

async fn post_verify(server: &TestServer, bytes: Vec<u8>) -> reqwest::Response {
    let anyone = server.client("").await;
    let part = reqwest::multipart::Part::bytes(bytes).file_name("纪要.pdf");
    anyone
        .http
        .post(format!("{}/verify", server.base))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn public_verification_is_bounded_in_uploads_at_once_and_in_time() {
    let server = TestServer::start().await;
    // As many half-finished uploads as the server takes at once…
    let mut held = Vec::new();
    for _ in 0..VERIFY_CONCURRENCY {
        held.push(half_upload(&server).await);
    }
    // (the last of them has reached the handler before the next arrives)
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // …then one more is told plainly to come back, at once.
    let busy = post_verify(&server, b"%PDF-1.7\n".to_vec()).await;
    assert_eq!(busy.status(), 503);
    assert!(busy.headers().contains_key("retry-after"));
    let page = busy.text().await.unwrap();
    assert!(page.contains("验证服务正忙"), "{page}");

    // The quiet uploads are ended by the server within its time limit, with a
    // page that says why.
    for stream in &mut held {
        let (status, page) = answer_of(stream).await;
        assert_eq!(status, 408, "{page}");
        assert!(page.contains("上传超时"), "{page}");
    }
    drop(held);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    // The slots are free again: a real check runs (a file the archive does not
    // know is judged, not refused as busy).
    let judged = post_verify(&server, b"%PDF-1.7\nnot signed\n%%EOF\n".to_vec()).await;
    assert_eq!(judged.status(), 200);
    let page = judged.text().await.unwrap();
    assert!(page.contains("验证未通过"), "{page}");
    // What is not a PDF is refused at its first bytes.
    let not_pdf = post_verify(&server, b"<html>".repeat(1000)).await;
    assert_eq!(not_pdf.status(), 422);
    assert!(not_pdf.text().await.unwrap().contains("不是 PDF"));
    const {
        assert!(
            VERIFY_UPLOAD_SECONDS < 20,
            "the test waits longer than the limit"
        )
    };
    server.finish().await;
}

#[tokio::test]
async fn bad_arguments_and_long_searches_answer_4xx_with_a_code_never_a_500() {
    let server = TestServer::start().await;
    let archivist = server.client("archivist").await;
    let host = server.client("host").await;

    // An argument missing, in JSON and in a form: 422 naming it, no parser words.
    let (status, body) = TestServer::json_rpc(&archivist, "search_archive", json!({})).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["code"], "bad_arguments");
    assert_eq!(body["field"], "query");
    let res = host.rpc("case_detail", &[]).await;
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        (body["code"].as_str(), body["field"].as_str()),
        (Some("bad_arguments"), Some("case_id"))
    );
    // Of the wrong type, or not JSON at all.
    for wrong in [
        json!({ "query": 5 }),
        json!({ "query": { "text": ["a"] } }),
        json!("query"),
    ] {
        let (status, body) =
            TestServer::json_rpc(&archivist, "search_archive", wrong.clone()).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (422, Some("bad_arguments")),
            "{wrong}: {body}"
        );
        let text = body.to_string();
        assert!(
            !text.contains("invalid type") && !text.contains("expected"),
            "{text}"
        );
    }
    let res = archivist
        .http
        .post(format!("{}/rpc/search_archive", server.base))
        .header("content-type", "application/json")
        .body("{\"query\": {")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);

    // A pasted page of text in a search box: a clear refusal, not the database's.
    let long = "争".repeat(100_000);
    let (status, body) = TestServer::json_rpc(
        &archivist,
        "search_archive",
        json!({ "query": { "text": long } }),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("search_too_long")),
        "{body}"
    );
    let (status, body) = TestServer::json_rpc(
        &host,
        "list_cases",
        json!({ "filter": { "text": long, "overdue_only": false }, "page": 1 }),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("search_too_long")),
        "{body}"
    );
    let message = app::error::ApiError::SearchTooLong {
        max: app::domain::search::MAX_SEARCH_CHARS,
    }
    .message(app::i18n::Lang::Zh);
    assert!(message.contains("检索内容过长"), "{message}");
    // A search of ordinary length still works.
    let (status, body) = TestServer::json_rpc(
        &host,
        "list_cases",
        json!({ "filter": { "text": "海宁", "overdue_only": false }, "page": 1 }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    server.finish().await;
}

#[tokio::test]
async fn personal_data_and_documents_are_never_cached() {
    let server = TestServer::start().await;
    let admin = server.client("admin").await;
    let host = server.client("host").await;
    let hearing = server.completed_hearing().await;
    let no_store = |res: &reqwest::Response| {
        res.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    for (client, path) in [
        (&admin, "/pool/export.csv".to_owned()),
        (&host, format!("/hearings/{hearing}/minutes.pdf")),
        (&host, format!("/hearings/{hearing}/evidence.zip")),
        (&host, "/cases".to_owned()),
        (&host, "/".to_owned()),
    ] {
        let res = client.get(&path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(no_store(&res).as_deref(), Some("no-store"), "{path}");
    }
    // A refusal is not kept either.
    let anyone = server.client("").await;
    let res = anyone.get("/pool/export.csv").await;
    assert_eq!(no_store(&res).as_deref(), Some("no-store"));
    server.finish().await;
}

/// Panics anywhere in this test process that come from rendering a page: raised
/// in the reactive system or the renderer (a disposed signal, no arena), or in
/// our pages. Counted by a panic hook that keeps the previous one, so other
/// tests' failures still print; panics other tests expect (a PDF parser's,
/// caught on purpose) are not about rendering and are not counted.
fn reactive_panics() -> &'static std::sync::atomic::AtomicUsize {
    static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let message = info
                .payload()
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| info.payload().downcast_ref::<&str>().copied())
                .unwrap_or_default();
            let file = info.location().map(|l| l.file()).unwrap_or_default();
            let in_rendering = ["reactive_graph", "tachys", "leptos", "app/src/pages"]
                .iter()
                .any(|part| file.contains(part));
            if in_rendering
                || message.contains("reactive value")
                || message.contains("disposed")
                || message.contains("Arena")
            {
                COUNT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            previous(info);
        }));
    });
    &COUNT
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_crowd_of_observers_all_get_the_public_page_without_a_server_panic() {
    let panics = reactive_panics();
    let before = panics.load(std::sync::atomic::Ordering::SeqCst);
    let server = TestServer::start().await;
    let public = server.upcoming_hearing().await;
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let url = format!("{}/public/hearings/{public}", server.base);
    // Fifty observers at once, eight times over: each must get the whole page
    // at the first try. (A rare 408 here, under the whole suite only, was a
    // page waiting forever on a resource whose first poll fell while another
    // test's server made its route list; see `router::app_routes`.)
    let fetch = |http: reqwest::Client, url: String| async move {
        let res = http.get(&url).send().await?;
        let status = res.status().as_u16();
        let html = res.text().await?;
        Ok::<_, reqwest::Error>((status, html))
    };
    for _round in 0..8 {
        let pages =
            futures::future::join_all((0..50).map(|_| fetch(http.clone(), url.clone()))).await;
        for page in pages {
            let (status, html) = page.expect("every observer gets an answer");
            assert_eq!(status, 200, "{}", &html[..html.len().min(300)]);
            assert!(html.contains("</html>"), "a whole page");
            assert!(html.contains("旁听"));
        }
    }
    assert_eq!(
        panics.load(std::sync::atomic::Ordering::SeqCst) - before,
        0,
        "the server panicked while rendering the observer page"
    );
    server.finish().await;
}

/// The bundle stem a built site names its files by (see `server::bundle`).
const BUILT_STEM: &str = "pingyi-00ff00ff00ff00ff";
const PLAIN_CSS: &str = "body { color: #222; }\n";

/// What `make wasm` leaves in `site/pkg`, with stand-ins for the compressed
/// copies: what goes out is these bytes, so nothing was compressed per request.
fn with_a_built_bundle(args: &mut server::config::ServeArgs) {
    let pkg = args.site_root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("BUNDLE"), format!("{BUILT_STEM}\n")).unwrap();
    for file in [
        format!("{BUILT_STEM}.js"),
        format!("{BUILT_STEM}_bg.wasm"),
        format!("{BUILT_STEM}.css"),
        "pingyi.css".to_owned(),
    ] {
        std::fs::write(pkg.join(&file), PLAIN_CSS.repeat(200)).unwrap();
        std::fs::write(pkg.join(format!("{file}.br")), format!("brotli of {file}")).unwrap();
        std::fs::write(pkg.join(format!("{file}.gz")), format!("gzip of {file}")).unwrap();
    }
}

#[tokio::test]
async fn the_bundle_is_named_by_content_kept_for_good_and_sent_as_compressed_at_build() {
    let server = TestServer::start_tweaked(with_a_built_bundle).await;
    let http = reqwest::Client::new();
    let get = |path: String, encoding: &'static str| {
        http.get(format!("{}{path}", server.base))
            .header("accept-encoding", encoding)
            .send()
    };

    // Every page names the bundle this build made, stylesheet included.
    let login = get("/login".into(), "identity").await.unwrap();
    assert_eq!(login.headers()["cache-control"], "no-store");
    let html = login.text().await.unwrap();
    for name in [
        format!("/pkg/{BUILT_STEM}.css"),
        format!("{BUILT_STEM}.js"),
        format!("{BUILT_STEM}_bg.wasm"),
    ] {
        assert!(html.contains(&name), "the page names {name}");
    }
    assert!(!html.contains("/pkg/pingyi.css"));

    // Content-named files: kept for a year, never revalidated, compressed at build.
    for (file, mime) in [
        (format!("{BUILT_STEM}.js"), "text/javascript"),
        (format!("{BUILT_STEM}_bg.wasm"), "application/wasm"),
        (format!("{BUILT_STEM}.css"), "text/css"),
    ] {
        let br = get(format!("/pkg/{file}"), "gzip, deflate, br")
            .await
            .unwrap();
        assert_eq!(br.status(), 200, "{file}");
        assert_eq!(br.headers()["content-encoding"], "br");
        assert_eq!(br.headers()["content-type"], mime, "{file}");
        assert_eq!(
            br.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(br.text().await.unwrap(), format!("brotli of {file}"));
        let gz = get(format!("/pkg/{file}"), "gzip").await.unwrap();
        assert_eq!(gz.headers()["content-encoding"], "gzip");
        assert_eq!(gz.text().await.unwrap(), format!("gzip of {file}"));
        let plain = get(format!("/pkg/{file}"), "identity").await.unwrap();
        assert!(plain.headers().get("content-encoding").is_none());
        assert_eq!(plain.text().await.unwrap(), PLAIN_CSS.repeat(200));
    }

    // A name no build made is not kept: a 404 must not stick in a cache.
    let missing = get("/pkg/pingyi-ffffffffffffffff.js".into(), "br")
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_ne!(
        missing
            .headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap()),
        Some("public, max-age=31536000, immutable")
    );

    // The plain stylesheet of the standalone pages is revalidated: 304, no body.
    let plain_css = get("/pkg/pingyi.css".into(), "br").await.unwrap();
    assert_eq!(plain_css.headers()["cache-control"], "no-cache");
    let modified = plain_css.headers()["last-modified"]
        .to_str()
        .unwrap()
        .to_owned();
    let again = http
        .get(format!("{}/pkg/pingyi.css", server.base))
        .header("accept-encoding", "br")
        .header("if-modified-since", &modified)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.unwrap().is_empty());
    server.finish().await;
}
