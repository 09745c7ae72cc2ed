//! Accounts and access through the real HTTP endpoints: the role × action table
//! in both directions, per-hearing scoping (IDOR), login limits, logout, CSRF.
#![allow(clippy::unwrap_used)]

use crate::common::TestServer;

/// Expected HTTP status per demo account, written out by hand (not derived from
/// the rule table, so that a wrong rule fails here).
/// Columns: anonymous, admin, host, clerk, archivist, juror.
const WHO: [&str; 6] = ["", "admin", "host", "clerk", "archivist", "juror"];

#[tokio::test]
async fn every_role_gets_exactly_what_the_table_allows() {
    let server = TestServer::start().await;
    let held = server.opened_todays_hearing().await; // host, clerk assigned; juror seated
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
        // Permitted, but not before the hearing is opened (409).
        ("record_note upcoming", [401, 403, 409, 409, 403, 404]),
        ("minutes held", [401, 403, 200, 200, 200, 200]),
        ("minutes upcoming", [401, 403, 200, 200, 200, 404]),
        ("socket held", [401, 101, 101, 101, 101, 101]),
        // The upcoming hearing is public: anybody may watch it as an observer.
        ("socket upcoming", [101, 101, 101, 101, 101, 101]),
        ("office_settings", [401, 200, 200, 200, 200, 403]),
        ("staff_options", [401, 200, 200, 200, 200, 403]),
        ("calendar", [401, 200, 200, 200, 403, 403]),
        ("list_api_tokens", [401, 200, 403, 403, 403, 403]),
        ("renew_calendar_feed", [401, 403, 200, 200, 403, 200]),
        ("notices held", [401, 200, 200, 200, 403, 403]),
        ("notices upcoming", [401, 200, 200, 200, 403, 404]),
        ("ics upcoming", [401, 200, 200, 200, 200, 404]),
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
                "office_settings" | "staff_options" | "list_api_tokens" | "renew_calendar_feed" => {
                    client.rpc(what, &[]).await.status().as_u16()
                }
                "calendar" => {
                    let now = app::db::now_ms().to_string();
                    let week = (app::db::now_ms() + 7 * 24 * 3_600_000).to_string();
                    client
                        .rpc("calendar", &[("from_ms", &now), ("to_ms", &week)])
                        .await
                        .status()
                        .as_u16()
                }
                "notices" => client
                    .get(&format!("/hearings/{hearing}/notices"))
                    .await
                    .status()
                    .as_u16(),
                "ics" => client
                    .get(&format!("/hearings/{hearing}/calendar.ics"))
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
    let held = server.opened_todays_hearing().await;
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
    assert_eq!(
        events.len(),
        2,
        "the opening, then only the same-origin post was recorded"
    );
    server.finish().await;
}

async fn change(
    admin: &crate::common::Client,
    account_id: &str,
    change: serde_json::Value,
) -> reqwest::Response {
    admin
        .http
        .post(format!("{}/rpc/change_account", admin.base))
        .json(&serde_json::json!({ "account_id": account_id, "change": change }))
        .send()
        .await
        .unwrap()
}

async fn account_id(server: &TestServer, username: &str) -> String {
    app::db::accounts::by_username(&server.db, username)
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test]
async fn administrators_manage_accounts_and_changes_bite_at_once() {
    use futures::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    let server = TestServer::start().await;
    let admin = server.client("admin").await;
    let admin = &admin;
    let create = |username: &'static str, password: &'static str| async move {
        let form = [
            ("username", username),
            ("display_name", "赵评议"),
            ("password", password),
            ("roles", "juror"),
        ];
        admin.rpc("create_account", &form).await
    };
    assert_eq!(
        create("zhao", "short")
            .await
            .json::<serde_json::Value>()
            .await
            .unwrap()["code"],
        "weak_password"
    );
    assert_eq!(create("zhao", "long-enough-1").await.status(), 200);
    assert_eq!(
        create("zhao", "long-enough-1")
            .await
            .json::<serde_json::Value>()
            .await
            .unwrap()["code"],
        "username_taken"
    );
    assert_eq!(
        server
            .client("")
            .await
            .login("zhao", "long-enough-1")
            .await
            .status(),
        200
    );

    // Only administrators.
    let host = server.client("host").await;
    assert_eq!(host.rpc("list_accounts", &[]).await.status(), 403);
    assert_eq!(host.rpc("list_audit", &[]).await.status(), 403);
    let listed: serde_json::Value = admin.rpc("list_accounts", &[]).await.json().await.unwrap();
    // The six demo accounts, zhao, and the 99 pool members' own accounts.
    assert_eq!(listed.as_array().unwrap().len(), 6 + 1 + 99);
    assert!(
        !listed.to_string().contains("argon2"),
        "hashes never leave the server"
    );

    // Withdrawing the juror's role closes the juror's open socket at once.
    let juror = server.client("juror").await;
    let mut socket = juror
        .socket(&server.todays_hearing().await, 0)
        .await
        .unwrap();
    let juror_id = account_id(&server, "juror").await;
    assert_eq!(
        change(admin, &juror_id, serde_json::json!({ "Roles": [] }))
            .await
            .status(),
        200
    );
    let code = tokio::time::timeout(std::time::Duration::from_secs(2), async {
        while let Some(Ok(msg)) = socket.next().await {
            if let Message::Close(Some(frame)) = msg {
                return u16::from(frame.code);
            }
        }
        0
    })
    .await
    .unwrap();
    assert_eq!(code, server::ws::CLOSE_ACCESS_REVOKED);
    assert_eq!(juror.rpc("list_hearings", &[]).await.status(), 403);

    // Disabling logs out; a password reset ends the old sessions.
    let clerk = server.client("clerk").await;
    let clerk_id = account_id(&server, "clerk").await;
    assert_eq!(
        change(
            admin,
            &clerk_id,
            serde_json::json!({ "Password": "new-password-2" })
        )
        .await
        .status(),
        200
    );
    assert_eq!(clerk.rpc("list_hearings", &[]).await.status(), 401);
    assert_eq!(
        server
            .client("")
            .await
            .login("clerk", "new-password-2")
            .await
            .status(),
        200
    );
    let host_id = account_id(&server, "host").await;
    assert_eq!(
        change(admin, &host_id, serde_json::json!({ "Disabled": true }))
            .await
            .status(),
        200
    );
    assert_eq!(host.rpc("list_hearings", &[]).await.status(), 401);

    // The last administrator cannot lock everybody out.
    let admin_id = account_id(&server, "admin").await;
    let refused = change(admin, &admin_id, serde_json::json!({ "Disabled": true })).await;
    assert_eq!(
        refused.json::<serde_json::Value>().await.unwrap()["code"],
        "last_admin"
    );

    let audit: serde_json::Value = admin.rpc("list_audit", &[]).await.json().await.unwrap();
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["action"].as_str().unwrap())
        .collect();
    for expected in [
        "account_created",
        "roles_changed",
        "password_reset",
        "account_disabled",
        "login",
    ] {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
    server.finish().await;
}

#[tokio::test]
async fn parties_join_one_hearing_by_a_single_use_link() {
    let server = TestServer::start().await;
    let (held, upcoming) = (
        server.todays_hearing().await,
        server.upcoming_hearing().await,
    );
    let host = server.client("host").await;
    let invite = |kind: &'static str, days: &'static str| {
        let host = &host;
        let held = held.clone();
        async move {
            let form = [
                ("hearing_id", held.as_str()),
                ("party_kind", kind),
                ("party_name", "张三"),
                ("valid_days", days),
            ];
            host.rpc("invite_party", &form).await
        }
    };
    assert_eq!(
        invite("landlord", "7")
            .await
            .json::<serde_json::Value>()
            .await
            .unwrap()["code"],
        "invalid_party_kind"
    );
    assert_eq!(
        invite("petitioner", "0")
            .await
            .json::<serde_json::Value>()
            .await
            .unwrap()["code"],
        "invalid_validity"
    );
    let link: serde_json::Value = invite("petitioner", "7").await.json().await.unwrap();
    let url = link["url"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with(&server.base) && url.contains("/invite/"),
        "{url}"
    );
    assert!(
        link["qr_svg"].as_str().unwrap().starts_with("<?xml"),
        "a QR code as SVG"
    );
    // Only the hearing's host invites.
    let clerk = server.client("clerk").await;
    let form = [
        ("hearing_id", held.as_str()),
        ("party_kind", "agency"),
        ("party_name", "住建局"),
        ("valid_days", "7"),
    ];
    assert_eq!(clerk.rpc("invite_party", &form).await.status(), 403);

    // The party opens the link: its browser is admitted to that hearing only.
    let party = server.client("").await;
    // Looking at the link (or a chat app's preview fetching it) does not use it up.
    for _ in 0..2 {
        let look = party.http.get(&url).send().await.unwrap();
        assert_eq!(look.status(), 200);
        assert!(look.text().await.unwrap().contains("进入听证"));
    }
    assert_eq!(
        party
            .rpc("load_room", &[("hearing_id", &held)])
            .await
            .status(),
        401
    );
    let page = party.http.post(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("关于建设工程农民工工资拖欠的听证评议会")
    );
    assert_eq!(
        party
            .rpc("load_room", &[("hearing_id", &held)])
            .await
            .status(),
        200
    );
    assert_eq!(
        party
            .rpc("load_room", &[("hearing_id", &upcoming)])
            .await
            .status(),
        404
    );
    assert_eq!(party.rpc("list_hearings", &[]).await.status(), 403);
    assert_eq!(party.record(&held, "当事人不能写笔录").await.status(), 403);
    assert_eq!(party.socket(&held, 0).await.err(), None);
    let me: serde_json::Value = party.rpc("who_am_i", &[]).await.json().await.unwrap();
    assert_eq!(me["display_name"], "张三");
    assert_eq!(me["party"][0], "petitioner");

    // The link works once.
    let again = server.client("").await.http.get(&url).send().await.unwrap();
    assert_eq!(again.status(), 410);
    assert!(again.text().await.unwrap().contains("该链接已被使用过"));
    let garbage = server.client("").await.get("/invite/not-a-token").await;
    assert_eq!(garbage.status(), 404);

    // Revoking ends the party's access.
    let id = link["id"].as_str().unwrap();
    assert_eq!(
        host.rpc(
            "revoke_invitation",
            &[("hearing_id", &held), ("invitation_id", id)]
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        party
            .rpc("load_room", &[("hearing_id", &held)])
            .await
            .status(),
        401
    );

    // An expired link says so.
    let late: serde_json::Value = invite("third_party", "1").await.json().await.unwrap();
    app::db::invitations::set_expiry(&server.db, late["id"].as_str().unwrap(), 0)
        .await
        .unwrap();
    let expired = server
        .client("")
        .await
        .http
        .get(late["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), 410);
    assert!(expired.text().await.unwrap().contains("该链接已过期"));
    server.finish().await;
}

#[tokio::test]
async fn observers_watch_public_hearings_and_never_see_others() {
    let server = TestServer::start().await;
    let (held, public) = (
        server.todays_hearing().await,
        server.upcoming_hearing().await,
    );
    let anonymous = server.client("").await;
    assert_eq!(
        anonymous
            .rpc("observe_hearing", &[("hearing_id", &public)])
            .await
            .status(),
        200
    );
    assert_eq!(
        anonymous
            .rpc("observe_hearing", &[("hearing_id", &held)])
            .await
            .status(),
        404
    );
    assert_eq!(
        anonymous
            .rpc("observe_hearing", &[("hearing_id", "nope")])
            .await
            .status(),
        404
    );
    let page = anonymous.get(&format!("/public/hearings/{public}")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("旁听") && html.contains("关于老旧小区加装电梯补偿争议的公开听证评议会"));
    assert!(!html.contains("record-input"), "observers cannot write");
    let hidden = anonymous.get(&format!("/public/hearings/{held}")).await;
    assert_eq!(hidden.status(), 404);
    assert!(!hidden.text().await.unwrap().contains("农民工工资"));
    // Observers follow the public room live; never a non-public one.
    let mut socket = anonymous.socket(&public, 0).await.unwrap();
    let host = server.client("host").await;
    server.due_now(&public).await;
    server.open(&public).await;
    assert_eq!(
        host.record(&public, "主持人宣布听证会开始。")
            .await
            .status(),
        200
    );
    use futures::StreamExt;
    let frame = tokio::time::timeout(std::time::Duration::from_secs(2), async {
        loop {
            if let Some(Ok(tokio_tungstenite::tungstenite::Message::Text(t))) = socket.next().await
                && t.contains("record_entered")
            {
                return t.to_string();
            }
        }
    })
    .await
    .unwrap();
    assert!(frame.contains("主持人宣布听证会开始。"));
    assert_eq!(anonymous.socket(&held, 0).await.err(), Some(401));
    server.finish().await;
}

#[tokio::test]
async fn sessions_slide_with_activity_and_get_a_new_id_at_every_login() {
    let server = TestServer::start().await;
    let client = server.client("host").await;
    let first = client.cookie_header().unwrap();
    let expires_at = |db: &app::db::Db, id: String| {
        let db = db.clone();
        async move {
            app::db::sessions::expiry_of(&db, &id)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let session_id = |c: &crate::common::Client| {
        c.cookie_header()
            .unwrap()
            .trim_start_matches("pingyi_session=")
            .to_owned()
    };
    let before = expires_at(&server.db, session_id(&client)).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(client.rpc("list_hearings", &[]).await.status(), 200);
    let after = expires_at(&server.db, session_id(&client)).await;
    assert!(
        after > before,
        "activity pushes the idle deadline: {before} -> {after}"
    );

    // Logging in again over a logged-in session (another user on a shared PC) gets a new id.
    assert_eq!(
        client
            .login("clerk", server::demo::DEMO_PASSWORD)
            .await
            .status(),
        200
    );
    assert_ne!(client.cookie_header().unwrap(), first);
    let me: serde_json::Value = client.rpc("who_am_i", &[]).await.json().await.unwrap();
    assert_eq!(me["username"], "clerk");
    server.finish().await;
}

#[tokio::test]
async fn a_password_reset_closes_the_accounts_open_sockets() {
    use futures::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    let server = TestServer::start().await;
    let admin = server.client("admin").await;
    let clerk = server.client("clerk").await;
    let mut socket = clerk
        .socket(&server.todays_hearing().await, 0)
        .await
        .unwrap();
    let clerk_id = account_id(&server, "clerk").await;
    let reset = change(
        &admin,
        &clerk_id,
        serde_json::json!({ "Password": "another-password" }),
    )
    .await;
    assert_eq!(reset.status(), 200);
    let code = tokio::time::timeout(std::time::Duration::from_secs(2), async {
        while let Some(Ok(msg)) = socket.next().await {
            if let Message::Close(Some(frame)) = msg {
                return u16::from(frame.code);
            }
        }
        0
    })
    .await
    .unwrap();
    assert_eq!(code, app::protocol::CLOSE_ACCESS_WITHDRAWN);
    server.finish().await;
}
