//! Seating a panel over HTTP: preview with exclusions, commit–reveal, seats,
//! promotion of alternates, the public verification page, `pingyi verify-draw`,
//! and tampering detected.
#![allow(clippy::unwrap_used)]

use crate::common::{Client, TestServer};
use app::domain::pool::PanelState;
use app::domain::sortition::{promote_alternate, satisfies_quotas};
use app::model::DrawRecord;
use serde_json::{Value, json};

async fn call(client: &Client, name: &str, body: Value) -> (u16, Value) {
    TestServer::json_rpc(client, name, body).await
}

async fn lawyers(who: &Client) -> reqwest::Response {
    who.rpc(
        "list_pool",
        &[("text", ""), ("category", "lawyer"), ("status", "")],
    )
    .await
}

fn verify_cli(server: &TestServer, target: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_pingyi"))
        .args(["verify-draw", target])
        .env("DATABASE_URL", &server.database_url)
        .env("RUST_LOG", "off")
        .output()
        .unwrap()
}

#[tokio::test]
async fn a_panel_is_drawn_in_public_seats_change_and_tampering_shows() {
    let server = TestServer::start().await;
    let hearing = server.upcoming_hearing().await;
    let host = server.client("host").await;
    let clerk = server.client("clerk").await;

    // The preview names who cannot sit and why (case 123: 周美华 / 住建局).
    let choices = json!({ "alternates": 3, "recusals": [
        { "member_id": "M010", "reason": "信访人申请回避，主持人决定准许" }
    ]});
    let (status, preview) = call(
        &host,
        "preview_draw",
        json!({ "hearing_id": hearing, "choices": choices }),
    )
    .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["pool_size"], 98, "two paused members stay out");
    let excluded = preview["excluded"].as_array().unwrap();
    let reason_of = |id: &str| {
        excluded
            .iter()
            .find(|e| e["member_id"] == id)
            .map(|e| e["reason"].as_str().unwrap().to_owned())
    };
    assert!(reason_of("M021").unwrap().contains("周美华"));
    assert!(reason_of("M095").unwrap().contains("任职于责任单位"));
    assert_eq!(reason_of("M010").unwrap(), "信访人申请回避，主持人决定准许");
    assert!(preview["problem"].is_null());

    // Only the hearing's host draws.
    let (status, _) = call(
        &clerk,
        "commit_draw",
        json!({ "hearing_id": hearing, "choices": choices }),
    )
    .await;
    assert_eq!(status, 403);

    // Commit: the input hash is published before any public value exists.
    let (status, body) = call(
        &host,
        "commit_draw",
        json!({ "hearing_id": hearing, "choices": choices }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let committed: DrawRecord = serde_json::from_value(body).unwrap();
    assert_eq!(committed.input_hash.len(), 64);
    let anonymous = server.client("").await;
    let page = anonymous
        .get(&format!("/public/draws/{}", committed.id))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&committed.input_hash) && page.contains("尚未抽选"));
    let (status, body) = call(
        &host,
        "commit_draw",
        json!({ "hearing_id": hearing, "choices": choices }),
    )
    .await;
    assert_eq!((status, body["code"].as_str()), (409, Some("draw_pending")));

    // Reveal: no public values is refused; then the panel is drawn and seated.
    let reveal = |values: Value| json!({ "hearing_id": hearing, "draw_id": committed.id, "public_values": values });
    let (status, body) = call(&host, "reveal_draw", reveal(json!([" ", ""]))).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("public_values_invalid"))
    );
    let (status, body) = call(
        &host,
        "reveal_draw",
        reveal(json!(["3 5 6", "26135期 03 11 19 27 33"])),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let drawn: DrawRecord = serde_json::from_value(body).unwrap();
    let result = drawn.result.clone().unwrap();
    assert_eq!(result.seated.len(), 7);
    assert_eq!(result.alternates.len(), 3);
    assert!(satisfies_quotas(&drawn.input, &result.seated));
    for never in ["M010", "M021", "M095", "M097", "M099"] {
        assert!(!result.seated.iter().any(|s| s == never), "{never} drawn");
    }
    let (status, body) = call(&host, "reveal_draw", reveal(json!(["1"]))).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("panel_already_drawn"))
    );

    // A member declines (by phone, recorded with a reason): the next alternate
    // who keeps the quotas takes the seat, as an event.
    // (Pick a member some alternate can replace; the domain says who it must be.)
    let (leaving, expected) = result
        .seated
        .iter()
        .find_map(|m| {
            promote_alternate(&drawn.input, &result, &result.seated, m, &[]).map(|a| (m.clone(), a))
        })
        .unwrap();
    let (status, body) = call(
        &host,
        "record_seat_change",
        json!({ "hearing_id": hearing, "member_id": leaving, "how": "declined", "reason": "" }),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("reason_required"))
    );
    let (status, body) = call(
        &host,
        "record_seat_change",
        json!({ "hearing_id": hearing, "member_id": leaving, "how": "declined", "reason": "出差" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let panel: PanelState = serde_json::from_value(body).unwrap();
    let seated = panel.seated_ids();
    assert_eq!(seated.len(), 7);
    assert!(!seated.contains(&leaving));
    assert!(satisfies_quotas(&drawn.input, &seated));
    let promoted = panel.seats.last().unwrap();
    assert_eq!(promoted.replaces.as_deref(), Some(leaving.as_str()));
    assert_eq!(promoted.holder.member_id, expected);

    // The promoted member logs in (after an administrator sets a password),
    // sees the seat and accepts it; it now has the hearing in 我的听证.
    let member = app::db::pool::get(&server.db, &promoted.holder.member_id)
        .await
        .unwrap()
        .unwrap();
    let hash = app::auth::hash_password("pingyi-demo".into())
        .await
        .unwrap();
    app::db::accounts::set_password_hash(&server.db, &member.member.account_id, &hash)
        .await
        .unwrap();
    let juror = server.client(&member.username).await;
    let res = juror
        .rpc(
            "answer_seat",
            &[("hearing_id", &hearing), ("accept", "true")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let seats: Value = juror.rpc("my_seats", &[]).await.json().await.unwrap();
    assert!(
        seats
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s[0] == hearing && s[1] == "accepted"),
        "{seats}"
    );
    // Somebody else's seat cannot be answered.
    let outsider = drawn
        .input
        .pool
        .iter()
        .find(|m| !seated.contains(&m.id) && !result.alternates.contains(&m.id))
        .unwrap();
    let outsider = app::db::pool::get(&server.db, &outsider.id)
        .await
        .unwrap()
        .unwrap();
    app::db::accounts::set_password_hash(&server.db, &outsider.member.account_id, &hash)
        .await
        .unwrap();
    let other = server.client(&outsider.username).await;
    let res = other
        .rpc(
            "answer_seat",
            &[("hearing_id", &hearing), ("accept", "false")],
        )
        .await;
    assert_eq!(res.status(), 404);

    // The public page recomputes the draw: 一致; and so does the CLI.
    let page = anonymous
        .get(&format!("/public/draws/{}", drawn.id))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-testid=\"draw-verdict\">一致"), "{page}");
    assert!(page.contains("递补"));
    let out = verify_cli(&server, &hearing);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("一致 / match"));

    // The record file verifies offline too.
    let file = tempfile::NamedTempFile::new().unwrap();
    let json = anonymous
        .get(&format!("/public/draws/{}/record.json", drawn.id))
        .await
        .text()
        .await
        .unwrap();
    std::fs::write(file.path(), &json).unwrap();
    assert!(
        verify_cli(&server, file.path().to_str().unwrap())
            .status
            .success()
    );
    // What is published is what a re-run needs, nothing personal: no member's
    // name or district, no words of a reason (they may name relatives).
    let public_page = anonymous
        .get(&format!("/public/draws/{}", drawn.id))
        .await
        .text()
        .await
        .unwrap();
    for published in [&json, &public_page] {
        for member in &drawn.input.pool {
            assert!(
                !published.contains(&format!("\"{}\"", member.name)),
                "{}",
                member.name
            );
            assert!(
                !published.contains(&format!(">{}<", member.name)),
                "{}",
                member.name
            );
        }
        for exclusion in &drawn.input.excluded {
            assert!(
                !published.contains(&exclusion.reason),
                "{}",
                exclusion.reason
            );
        }
        assert!(!published.contains("信访人申请回避"));
    }
    assert!(public_page.contains("回避") && public_page.contains("M010"));

    // A program of one's own replays the sampling from the public record alone
    // (docs/replay_draw.py follows docs/SORTITION.md, not our code).
    let replay = std::process::Command::new("python3")
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/replay_draw.py"))
        .arg(file.path())
        .output()
        .expect("python3 runs");
    let replayed: Value = serde_json::from_slice(&replay.stdout).unwrap_or_else(|e| {
        panic!(
            "replay output: {e}: {} {}",
            String::from_utf8_lossy(&replay.stdout),
            String::from_utf8_lossy(&replay.stderr)
        )
    });
    assert!(replay.status.success(), "{replayed}");
    assert_eq!(replayed["seated"], json!(result.seated), "{replayed}");
    assert_eq!(replayed["alternates"], json!(result.alternates));

    // Tampering with what the hash covers (one member's categories) is a
    // mismatch everywhere: the page, the CLI (non-zero exit) and the offline file.
    let mut tampered: Value = serde_json::from_str(&json).unwrap();
    tampered["input"]["pool"][0]["categories"] = json!(["lawyer", "deputy"]);
    std::fs::write(file.path(), tampered.to_string()).unwrap();
    let out = verify_cli(&server, file.path().to_str().unwrap());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("不一致"));
    let mut input = drawn.input.clone();
    input.pool[0].categories = vec!["lawyer".into(), "deputy".into()];
    sqlx::any::install_default_drivers();
    let raw = sqlx::AnyPool::connect(&server.database_url).await.unwrap();
    sqlx::query("UPDATE panel_draws SET input_json = $1 WHERE id = $2")
        .bind(serde_json::to_string(&input).unwrap())
        .bind(&drawn.id)
        .execute(&raw)
        .await
        .unwrap();
    raw.close().await;
    let page = anonymous
        .get(&format!("/public/draws/{}", drawn.id))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("不一致") && page.contains("输入摘要不符"),
        "{page}"
    );
    assert!(!verify_cli(&server, &hearing).status.success());
    server.finish().await;
}

#[tokio::test]
async fn infeasible_quotas_are_explained_before_anything_is_committed() {
    let server = TestServer::start().await;
    let hearing = server.upcoming_hearing().await;
    let host = server.client("host").await;
    // Recuse every lawyer: "at least one lawyer" cannot be met.
    let lawyers: Vec<Value> = app::db::pool::list(&server.db, &Default::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.member.draft.tags().contains(&"lawyer".to_string()))
        .map(|m| json!({ "member_id": m.member.id, "reason": "测试回避" }))
        .collect();
    let choices = json!({ "alternates": 2, "recusals": lawyers });
    let (status, preview) = call(
        &host,
        "preview_draw",
        json!({ "hearing_id": hearing, "choices": choices }),
    )
    .await;
    assert_eq!(status, 200);
    let problem = preview["problem"].as_str().unwrap();
    assert!(problem.contains("律师"), "{problem}");
    let (status, body) = call(
        &host,
        "commit_draw",
        json!({ "hearing_id": hearing, "choices": choices }),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("draw_infeasible"))
    );
    assert!(
        app::db::pool::draws_of(&server.db, &hearing)
            .await
            .unwrap()
            .is_empty()
    );
    server.finish().await;
}

#[tokio::test]
async fn the_pool_is_kept_by_administrators_and_seen_by_staff() {
    let server = TestServer::start().await;
    let admin = server.client("admin").await;
    let host = server.client("host").await;
    let juror = server.client("juror").await;
    let res = lawyers(&host).await;
    assert_eq!(res.status(), 200);
    let page: Value = res.json().await.unwrap();
    assert_eq!(page["can_manage"], false);
    assert_eq!(
        page["members"].as_array().unwrap().len(),
        13,
        "12 lawyers + M015"
    );
    assert_eq!(lawyers(&juror).await.status(), 403);

    let draft = json!({
        "name": " 赵  律师 ", "category": "律师", "extra_tags": [], "organisation": "浙江某律师事务所",
        "district": "硖石街道", "contact": "13900000000", "status": "active",
        "unavailable": ["2026-12-24"], "relations": ["周美华"]
    });
    let (status, _) = call(&host, "save_member", json!({ "draft": draft })).await;
    assert_eq!(status, 403);
    let (status, body) = call(&admin, "save_member", json!({ "draft": draft })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["member"]["id"], "M101");
    assert_eq!(body["member"]["draft"]["name"], "赵 律师");
    assert_eq!(body["username"], "m101");
    // The new account exists but cannot log in until a password is set.
    let res = server.client("").await.login("m101", "").await;
    assert_eq!(res.status(), 401);

    // Bad input: a clear Chinese message per field, nothing saved.
    let bad = json!({ "name": "", "category": "厨师", "status": "active" });
    let (status, body) = call(&admin, "save_member", json!({ "draft": bad })).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("member_invalid"))
    );
    // A stale edit is refused.
    let (status, body) = call(
        &admin,
        "save_member",
        json!({ "member_id": "M101", "version": 0, "draft": draft }),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("stale_version"))
    );
    server.finish().await;
}

#[tokio::test]
async fn rotation_rests_members_who_sat_recently() {
    let server = TestServer::start().await;
    let hearing = server.upcoming_hearing().await;
    let host = server.client("host").await;
    let admin = server.client("admin").await;
    let choices = json!({ "alternates": 3, "recusals": [] });
    let body = json!({ "hearing_id": hearing, "choices": choices });
    let preview = || call(&host, "preview_draw", body.clone());
    let rested = |p: &Value| {
        p["excluded"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["member_id"] == "M046" && e["reason"].as_str().unwrap().contains("轮空"))
    };
    // Off by default: 刘评议 (M046), who sat on the hearing two days ago, may be drawn.
    let (_, before) = preview().await;
    assert!(!rested(&before));
    // Only administrators change it, within 0–20.
    let res = host
        .rpc("save_draw_settings", &[("rest_hearings", "1")])
        .await;
    assert_eq!(res.status(), 403);
    let res = admin
        .rpc("save_draw_settings", &[("rest_hearings", "21")])
        .await;
    assert_eq!(res.status(), 422);
    // Two: the demo's latest hearings are 107号 (yesterday) and 131号 (M046's).
    let res = admin
        .rpc("save_draw_settings", &[("rest_hearings", "2")])
        .await;
    assert_eq!(res.status(), 200);
    let (_, after) = preview().await;
    assert!(rested(&after), "{after}");
    server.finish().await;
}

#[tokio::test]
async fn an_office_adds_its_own_categories_and_quotas_use_them() {
    let server = TestServer::start().await;
    let admin = server.client("admin").await;
    let host = server.client("host").await;
    // Only administrators; standard names and bad names are refused in Chinese.
    let (status, _) = call(
        &host,
        "save_pool_categories",
        json!({ "names": ["退休法官"] }),
    )
    .await;
    assert_eq!(status, 403);
    let (status, body) = call(&admin, "save_pool_categories", json!({ "names": ["律师"] })).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("categories_invalid"))
    );
    let (status, body) = call(
        &admin,
        "save_pool_categories",
        json!({ "names": [" 退休法官 ", ""] }),
    )
    .await;
    assert_eq!((status, body.clone()), (200, json!(["退休法官"])), "{body}");

    // A member in the new category; the draw counts it for a quota on it.
    for name in ["陆法官", "韩法官"] {
        let draft = json!({ "name": name, "category": "退休法官", "status": "active" });
        let (status, body) = call(&admin, "save_member", json!({ "draft": draft })).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["member"]["draft"]["category"], "退休法官");
    }
    let hearing = server.upcoming_hearing().await;
    let mut record = app::db::hearings::record(&server.db, &hearing)
        .await
        .unwrap()
        .unwrap();
    record
        .plan
        .quotas
        .push(app::domain::sortition::Quota::at_least("退休法官", 1));
    let (status, body) = call(
        &host,
        "change_hearing",
        json!({ "hearing_id": hearing, "version": record.version,
                "request": { "kind": "update", "plan": record.plan }, "reason": null }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let choices = json!({ "alternates": 1, "recusals": [] });
    let (status, body) = call(
        &host,
        "commit_draw",
        json!({ "hearing_id": hearing, "choices": choices }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let committed: DrawRecord = serde_json::from_value(body).unwrap();
    let (status, body) = call(
        &host,
        "reveal_draw",
        json!({ "hearing_id": hearing, "draw_id": committed.id, "public_values": ["6 6 1"] }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let drawn: DrawRecord = serde_json::from_value(body).unwrap();
    let seated = drawn.result.unwrap().seated;
    let judges = ["M101", "M102"];
    assert!(
        seated.iter().any(|s| judges.contains(&s.as_str())),
        "{seated:?}"
    );
    server.finish().await;
}

#[tokio::test]
async fn a_hearing_whose_panel_is_seated_cannot_be_drawn_again() {
    let server = TestServer::start().await;
    // The demo's past hearing has its panel (the demo juror) already.
    let held = server.todays_hearing().await;
    let host = server.client("host").await;
    let (status, body) = call(
        &host,
        "commit_draw",
        json!({ "hearing_id": held, "choices": { "alternates": 1, "recusals": [] } }),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("panel_already_drawn"))
    );
    server.finish().await;
}

#[tokio::test]
async fn parties_see_a_draw_as_the_public_does_and_staff_see_the_pool_they_keep() {
    let server = TestServer::start().await;
    let hearing = app::db::hearings::list(&server.db)
        .await
        .unwrap()
        .into_iter()
        .find(|h| h.title.contains("宅基地确权边界"))
        .expect("the demo's public hearing with a drawn panel")
        .id;
    let view = |body: Value| body["draws"][0]["input"].clone();
    let host = server.client("host").await;
    let staff: Value = host
        .rpc("panel_view", &[("hearing_id", &hearing)])
        .await
        .json()
        .await
        .unwrap();
    let kept = view(staff.clone());
    assert!(kept["pool"].is_array(), "{staff}");
    assert!(
        kept["pool"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| !m["name"].as_str().unwrap().is_empty()),
        "staff keep the names"
    );
    let petitioner = server.party(&hearing, "petitioner", "周美华").await;
    let res = petitioner
        .rpc("panel_view", &[("hearing_id", &hearing)])
        .await;
    assert_eq!(res.status(), 200);
    let published = view(res.json().await.unwrap());
    assert_eq!(
        published["pool"].as_array().unwrap().len(),
        kept["pool"].as_array().unwrap().len()
    );
    for member in published["pool"].as_array().unwrap() {
        assert_eq!(member["name"], "", "{member}");
        assert_eq!(member["district"], "", "{member}");
    }
    for exclusion in published["excluded"].as_array().unwrap() {
        assert_eq!(exclusion["reason"], "", "{exclusion}");
        assert!(exclusion["kind"].is_string());
    }
    server.finish().await;
}
