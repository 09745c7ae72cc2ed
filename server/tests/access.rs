//! Accounts and access through the real HTTP endpoints: the role × action table
//! in both directions, per-hearing scoping (IDOR), login limits, logout, CSRF.
#![allow(clippy::unwrap_used)]

mod common;

use common::TestServer;

/// Expected HTTP status per demo account, written out by hand (not derived from
/// the rule table, so that a wrong rule fails here).
/// Columns: anonymous, admin, host, clerk, archivist, juror.
const WHO: [&str; 6] = ["", "admin", "host", "clerk", "archivist", "juror"];

#[tokio::test]
async fn every_role_gets_exactly_what_the_table_allows() {
    let server = TestServer::start().await;
    let held = server.held_hearing().await; // host, clerk assigned; juror seated
    let upcoming = server.upcoming_hearing().await; // host, clerk assigned; nobody seated

    let mut clients = Vec::new();
    for who in WHO {
        clients.push(server.client(who).await);
    }
    let table: Vec<(&str, [u16; 6])> = vec![
        ("list_hearings", [401, 200, 200, 200, 200, 200]),
        ("load_room held", [401, 200, 200, 200, 200, 200]),
        ("load_room upcoming", [401, 200, 200, 200, 200, 404]),
        ("record_note held", [401, 403, 200, 200, 403, 403]),
        ("record_note upcoming", [401, 403, 200, 200, 403, 404]),
        ("minutes held", [401, 403, 200, 200, 200, 200]),
        ("minutes upcoming", [401, 403, 200, 200, 200, 404]),
        ("socket held", [401, 101, 101, 101, 101, 101]),
        ("socket upcoming", [401, 101, 101, 101, 101, 404]),
    ];
    for (case, expected) in table {
        let (what, which) = case.split_once(' ').unwrap_or((case, ""));
        let hearing = if which == "upcoming" {
            &upcoming
        } else {
            &held
        };
        for (i, client) in clients.iter().enumerate() {
            let status = match what {
                "list_hearings" => client.rpc("list_hearings", &[]).await.status().as_u16(),
                "load_room" => client
                    .rpc("load_room", &[("hearing_id", hearing)])
                    .await
                    .status()
                    .as_u16(),
                "record_note" => client.record(hearing, "权限测试").await.status().as_u16(),
                "minutes" => client
                    .get(&format!("/hearings/{hearing}/minutes.pdf"))
                    .await
                    .status()
                    .as_u16(),
                "socket" => client
                    .socket(hearing, 0)
                    .await
                    .map(|_| 101)
                    .unwrap_or_else(|s| s),
                _ => unreachable!(),
            };
            assert_eq!(status, expected[i], "{case} as {:?}", WHO[i]);
        }
    }
    server.finish().await;
}

#[tokio::test]
async fn login_failures_are_limited_audited_and_explained_in_chinese() {
    let server = TestServer::start().await;
    let client = server.client("").await;
    let wrong = client.login("clerk", "wrong-password").await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(
        wrong.json::<serde_json::Value>().await.unwrap()["code"],
        "bad_credentials"
    );
    let unknown = client.login("nobody", "whatever-long").await;
    assert_eq!(
        unknown.status(),
        401,
        "unknown names look like wrong passwords"
    );

    // The per-account limit: 5 attempts, then a pause, even with the right password.
    for _ in 0..4 {
        client.login("clerk", "wrong-password").await;
    }
    let limited = client.login("clerk", server::demo::DEMO_PASSWORD).await;
    assert_eq!(limited.status(), 429);
    let body: serde_json::Value = limited.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    assert!(body["retry_after_secs"].as_u64().unwrap() >= 1);
    let message = app::error::ApiError::RateLimited {
        retry_after_secs: 12,
    }
    .message(app::i18n::Lang::Zh);
    assert!(message.contains("12 秒后再试"), "{message}");

    // Another account is not affected.
    assert_eq!(
        client
            .login("host", server::demo::DEMO_PASSWORD)
            .await
            .status(),
        200
    );

    let audit = app::db::audit::recent(&server.db, 20).await.unwrap();
    let count = |action: &str| audit.iter().filter(|(a, _)| a == action).count();
    assert_eq!(count("login_failed"), 6);
    assert_eq!(count("login_rate_limited"), 1);
    assert_eq!(count("login"), 1);
    server.finish().await;
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let server = TestServer::start().await;
    let clerk = server.client("clerk").await;
    let stolen_cookie = clerk.cookie_header().unwrap();
    assert_eq!(clerk.rpc("list_hearings", &[]).await.status(), 200);
    let me: serde_json::Value = clerk.rpc("who_am_i", &[]).await.json().await.unwrap();
    assert_eq!(me["display_name"], "李记录");
    assert_eq!(me["roles"], serde_json::json!(["clerk"]));

    assert_eq!(clerk.rpc("logout", &[]).await.status(), 200);
    assert_eq!(clerk.rpc("list_hearings", &[]).await.status(), 401);
    // Replaying the old cookie does not bring the session back.
    let replay = reqwest::Client::new()
        .post(format!("{}/rpc/list_hearings", server.base))
        .header("cookie", stolen_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 401);
    server.finish().await;
}

#[tokio::test]
async fn cross_site_mutations_and_sockets_are_refused() {
    let server = TestServer::start().await;
    let clerk = server.client("clerk").await;
    let held = server.held_hearing().await;
    let post = |headers: &'static [(&'static str, &'static str)]| {
        let mut req = clerk
            .http
            .post(format!("{}/rpc/record_note", server.base))
            .form(&[("hearing_id", held.as_str()), ("text", "跨站")]);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send()
    };
    assert_eq!(
        post(&[("origin", "http://evil.example")])
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        post(&[("sec-fetch-site", "cross-site")])
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        post(&[("sec-fetch-site", "same-origin")])
            .await
            .unwrap()
            .status(),
        200
    );
    let events = app::db::events::all(&server.db, &held).await.unwrap();
    assert_eq!(events.len(), 5, "only the same-origin post was recorded");
    server.finish().await;
}
