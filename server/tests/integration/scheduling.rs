//! Cases and hearing scheduling through the real HTTP surface: the integration
//! API with tokens, the rules (notice, investigator, double booking), history,
//! CSV import, notices, announcements and calendars. Runs on SQLite, and on
//! PostgreSQL when PINGYI_TEST_POSTGRES is set.
#![allow(clippy::unwrap_used)]

use crate::common::{Client, TestServer};
use serde_json::{Value, json};

const DAY_MS: i64 = 24 * 3600 * 1000;
const HOUR_MS: i64 = 3600 * 1000;

/// 09:00 Beijing time, `days` from today.
fn beijing_nine(days: i64) -> i64 {
    let offset = 8 * HOUR_MS;
    let midnight = (app::db::now_ms() + offset).div_euclid(DAY_MS) * DAY_MS - offset;
    midnight + days * DAY_MS + 9 * HOUR_MS
}

/// An API client: a token issued by the demo administrator through the UI's call.
struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
    token_id: String,
}

impl Api {
    async fn issue(admin: &Client, scopes: &[&str]) -> Api {
        let res = admin
            .http
            .post(format!("{}/rpc/issue_api_token", admin.base))
            .json(&json!({ "name": "省信访信息系统", "scopes": scopes }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let issued: Value = res.json().await.unwrap();
        Api {
            http: reqwest::Client::new(),
            base: admin.base.clone(),
            token: issued["token"].as_str().unwrap().to_owned(),
            token_id: issued["id"].as_str().unwrap().to_owned(),
        }
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}/api/v1{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let body = res.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }
    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }
    async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::PUT, path, Some(body)).await
    }

    async fn staff_id(&self, username: &str) -> String {
        let (status, staff) = self.get("/staff").await;
        assert_eq!(status, 200);
        staff
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["username"] == username)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

const ALL_SCOPES: [&str; 4] = [
    "cases:read",
    "cases:write",
    "hearings:read",
    "hearings:write",
];

fn case_body(number: &str) -> Value {
    json!({
        "number": number,
        "title": "某村集体土地征收补偿争议",
        "petitioners": ["张建国", "张建华"],
        "agencies": ["海宁市自然资源和规划局"],
        "summary": "要求按照新标准补偿。",
        "received_on": "2026-11-02",
        "accepted_on": "2026-11-04",
        "category": "征地拆迁",
        "risk": "red",
        "class": "a",
        "status": "accepted",
        "investigator_id": null
    })
}

fn plan_body(title: &str, starts_at_ms: i64, room: &str, host: &str) -> Value {
    json!({
        "title": title,
        "kind": "public",
        "starts_at_ms": starts_at_ms,
        "duration_min": 120,
        "room": room,
        "online": false,
        "host_id": host,
        "clerk_id": null,
        "panel_size": 7,
        "questions": ["信访人诉求是否合理"],
        "short_notice_reason": null
    })
}

#[tokio::test]
async fn a_token_client_creates_and_reads_cases_and_hearings() {
    let server = TestServer::start().await;
    let admin = server.client("admin").await;
    let api = Api::issue(&admin, &ALL_SCOPES).await;
    let host = api.staff_id("host").await;

    let (status, case) = api.post("/cases", case_body("海宁信访〔2026〕201号")).await;
    assert_eq!(status, 201, "{case}");
    let case_id = case["id"].as_str().unwrap().to_owned();
    assert_eq!(case["version"], 1);
    assert_eq!(case["case"]["petitioners"], json!(["张建国", "张建华"]));
    let (status, read) = api.get(&format!("/cases/{case_id}")).await;
    assert_eq!(
        (status, &read["case"]["number"]),
        (200, &json!("海宁信访〔2026〕201号"))
    );

    // The list filters and pages.
    let (_, page) = api.get("/cases?text=%E5%BB%BA%E5%8D%8E&risk=red").await; // 建华
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["id"], json!(case_id));
    let (status, bad) = api.get("/cases?risk=purple").await;
    assert_eq!((status, bad["code"].as_str()), (400, Some("bad_request")));

    // A duplicate number is refused with a stable code and both languages.
    let (status, dup) = api.post("/cases", case_body("海宁信访〔2026〕201号")).await;
    assert_eq!(status, 409);
    assert_eq!(dup["code"], "case_number_taken");
    assert!(
        dup["message"]
            .as_str()
            .unwrap()
            .contains("已被其他信访事项使用")
    );
    assert!(
        dup["message_en"]
            .as_str()
            .unwrap()
            .contains("already in use")
    );

    let starts = beijing_nine(10);
    let body = json!({ "case_id": case_id, "plan": plan_body("征地补偿公开听证", starts, "第三听证室", &host) });
    let (status, hearing) = api.post("/hearings", body).await;
    assert_eq!(status, 201, "{hearing}");
    let hearing_id = hearing["id"].as_str().unwrap().to_owned();
    assert_eq!(hearing["status"], "scheduled");
    assert_eq!(hearing["host"]["name"], "张主持");
    // Without a quota template the office's standard one applies.
    assert_eq!(
        hearing["plan"]["quotas"],
        json!([
            {"tag": "lawyer", "min": 1, "max": 15},
            {"tag": "representative", "min": 1, "max": 15},
            {"tag": "government", "min": 0, "max": 2}
        ])
    );

    let (status, read) = api.get(&format!("/hearings/{hearing_id}")).await;
    assert_eq!(status, 200);
    assert_eq!(read["hearing"]["plan"]["starts_at_ms"], json!(starts));
    assert_eq!(read["history"][0]["change"], "scheduled");
    assert_eq!(read["history"][0]["actor"], "API：省信访信息系统");
    let (_, list) = api.get(&format!("/hearings?case_id={case_id}")).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);

    // The change history of the case names the API client.
    let history = app::db::cases::changes(&server.db, &case_id).await.unwrap();
    assert_eq!(history[0].actor, "API：省信访信息系统");

    // Revoked: refused at once.
    let res = admin
        .rpc("revoke_api_token", &[("token_id", api.token_id.as_str())])
        .await;
    assert_eq!(res.status(), 200);
    let (status, body) = api.get(&format!("/cases/{case_id}")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("invalid_token"))
    );
    server.finish().await;
}

#[tokio::test]
async fn tokens_need_the_right_scope_and_unknown_tokens_are_refused() {
    let server = TestServer::start().await;
    let admin = server.client("admin").await;
    let reader = Api::issue(&admin, &["cases:read"]).await;
    let (status, body) = reader.post("/cases", case_body("X-1")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("missing_scope"))
    );
    assert_eq!(reader.get("/cases").await.0, 200);
    assert_eq!(reader.get("/hearings").await.0, 403);

    let forged = Api {
        token: "pyt_not-a-real-token".into(),
        ..reader
    };
    assert_eq!(forged.get("/cases").await.0, 401);
    let (status, body) = forged.get("/no-such-thing").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("unknown_endpoint"))
    );
    let anonymous = reqwest::get(format!("{}/api/v1/cases", server.base))
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);

    // Only administrators issue tokens.
    let host = server.client("host").await;
    let res = host
        .http
        .post(format!("{}/rpc/issue_api_token", host.base))
        .json(&json!({ "name": "x", "scopes": ["cases:read"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    server.finish().await;
}

#[tokio::test]
async fn scheduling_rules_refuse_with_reasons_and_double_bookings_name_who() {
    let server = TestServer::start().await;
    let admin = server.client("admin").await;
    let api = Api::issue(&admin, &ALL_SCOPES).await;
    let host = api.staff_id("host").await;
    let clerk = api.staff_id("clerk").await;
    let (_, case) = api.post("/cases", case_body("海宁信访〔2026〕202号")).await;
    let case_id = case["id"].as_str().unwrap();

    // Notice period: 3 days ahead without a reason is refused, with one allowed.
    let soon = beijing_nine(3);
    let (status, err) = api
        .post(
            "/hearings",
            json!({ "case_id": case_id, "plan": plan_body("提前听证", soon, "第九听证室", &host) }),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(err["code"], "plan_invalid");
    assert_eq!(err["details"]["errors"][0]["rule"], "notice_too_short");
    assert!(err["message"].as_str().unwrap().contains("7 日前送达"));
    let mut with_reason = plan_body("提前听证", soon, "第九听证室", &host);
    with_reason["short_notice_reason"] = json!("信访人即将外出务工，经双方同意提前举行");
    let (status, _) = api
        .post(
            "/hearings",
            json!({ "case_id": case_id, "plan": with_reason }),
        )
        .await;
    assert_eq!(status, 201);

    // The case's investigator may not host it.
    let mut case_with_investigator = case_body("海宁信访〔2026〕203号");
    case_with_investigator["investigator_id"] = json!(host);
    let (_, investigated) = api.post("/cases", case_with_investigator).await;
    let (status, err) = api
        .post("/hearings", json!({ "case_id": investigated["id"], "plan": plan_body("回避", beijing_nine(20), "第八听证室", &host) }))
        .await;
    assert_eq!(status, 422);
    assert_eq!(err["details"]["errors"][0]["rule"], "host_is_investigator");

    // Double booking: same host, overlapping time, another room → names the host
    // and the first hearing.
    let at = beijing_nine(12);
    let first = json!({ "case_id": case_id, "plan": plan_body("第一场", at, "第一听证室", &host) });
    let (status, first) = api.post("/hearings", first).await;
    assert_eq!(status, 201);
    let clash = json!({ "case_id": case_id, "plan": plan_body("第二场", at + HOUR_MS, "第二听证室", &host) });
    let (status, err) = api.post("/hearings", clash).await;
    assert_eq!(status, 409);
    assert_eq!(err["code"], "schedule_conflict");
    let conflict = &err["details"]["conflicts"][0];
    assert_eq!(conflict["conflict"]["other_hearing_id"], first["id"]);
    assert_eq!(conflict["person_name"], "张主持");
    let message = err["message"].as_str().unwrap();
    assert!(
        message.contains("张主持") && message.contains("第一场"),
        "{message}"
    );

    // Same room, another host (the clerk, who may host? no: a clerk) → the room clashes.
    let mut room_clash = plan_body("第三场", at + HOUR_MS, "第一 听证室", &host);
    room_clash["host_id"] = json!(api.staff_id("host").await);
    room_clash["clerk_id"] = json!(clerk);
    let (status, err) = api
        .post(
            "/hearings",
            json!({ "case_id": case_id, "plan": room_clash }),
        )
        .await;
    assert_eq!(status, 409);
    assert!(err["message"].as_str().unwrap().contains("第一 听证室"));

    // Right after the first one ends: fine.
    let after = json!({ "case_id": case_id, "plan": plan_body("第四场", at + 2 * HOUR_MS, "第一听证室", &host) });
    assert_eq!(api.post("/hearings", after).await.0, 201);

    // Bad input never 500s.
    let (status, err) = api.post("/hearings", json!({ "case_id": case_id })).await;
    assert_eq!((status, err["code"].as_str()), (400, Some("bad_request")));
    let mut even = plan_body("偶数", beijing_nine(30), "第七听证室", &host);
    even["panel_size"] = json!(8);
    let (status, err) = api
        .post("/hearings", json!({ "case_id": case_id, "plan": even }))
        .await;
    assert_eq!(
        (status, err["details"]["errors"][0]["rule"].as_str()),
        (422, Some("panel_size"))
    );
    let mut greedy = plan_body("名额", beijing_nine(30), "第七听证室", &host);
    greedy["quotas"] =
        json!([{"tag": "lawyer", "min": 5, "max": 7}, {"tag": "expert", "min": 4, "max": 7}]);
    let (status, err) = api
        .post("/hearings", json!({ "case_id": case_id, "plan": greedy }))
        .await;
    assert_eq!(
        (status, err["details"]["errors"][0]["rule"].as_str()),
        (422, Some("quota_sum"))
    );
    assert!(err["message"].as_str().unwrap().contains("超过评议团人数"));
    server.finish().await;
}

#[tokio::test]
async fn two_bookings_at_once_never_both_win() {
    let server = TestServer::start().await;
    let admin = server.client("admin").await;
    let api = Api::issue(&admin, &ALL_SCOPES).await;
    let host = api.staff_id("host").await;
    let (_, case) = api.post("/cases", case_body("海宁信访〔2026〕204号")).await;
    let case_id = case["id"].as_str().unwrap().to_owned();
    let at = beijing_nine(15);
    let mut tasks = Vec::new();
    for i in 0..6 {
        let body = json!({ "case_id": case_id, "plan": plan_body(&format!("并发{i}"), at + i * 60_000, &format!("并发室{i}"), &host) });
        let (http, base, token) = (api.http.clone(), api.base.clone(), api.token.clone());
        tasks.push(tokio::spawn(async move {
            http.post(format!("{base}/api/v1/hearings"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses.sort();
    assert_eq!(statuses, vec![201, 409, 409, 409, 409, 409]);
    server.finish().await;
}

#[tokio::test]
async fn reschedule_postpone_cancel_keep_every_version_and_tell_the_room() {
    let server = TestServer::start().await;
    let admin = server.client("admin").await;
    let api = Api::issue(&admin, &ALL_SCOPES).await;
    let host_id = api.staff_id("host").await;
    let (_, case) = api.post("/cases", case_body("海宁信访〔2026〕205号")).await;
    let body = json!({ "case_id": case["id"], "plan": plan_body("改期测试", beijing_nine(10), "第五听证室", &host_id) });
    let (_, hearing) = api.post("/hearings", body).await;
    let id = hearing["id"].as_str().unwrap().to_owned();

    // Moving without a reason is refused; with one it is a new version.
    let moved = plan_body("改期测试", beijing_nine(11), "第五听证室", &host_id);
    let (status, err) = api
        .put(
            &format!("/hearings/{id}"),
            json!({ "version": 1, "plan": moved }),
        )
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (422, Some("reason_required"))
    );
    let (status, updated) = api
        .put(
            &format!("/hearings/{id}"),
            json!({ "version": 1, "plan": moved, "reason": "信访人申请延后一日" }),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["version"], 2);
    // A stale version is refused.
    let (status, err) = api
        .put(
            &format!("/hearings/{id}"),
            json!({ "version": 1, "plan": moved, "reason": "x" }),
        )
        .await;
    assert_eq!((status, err["code"].as_str()), (409, Some("stale_version")));

    let (status, _) = api
        .post(
            &format!("/hearings/{id}/postpone"),
            json!({ "version": 2, "reason": "责任单位负责人出差" }),
        )
        .await;
    assert_eq!(status, 200);
    let (status, cancelled) = api
        .post(
            &format!("/hearings/{id}/cancel"),
            json!({ "version": 3, "reason": "双方已达成和解" }),
        )
        .await;
    assert_eq!(
        (status, cancelled["status"].as_str()),
        (200, Some("cancelled"))
    );
    let (status, err) = api
        .post(
            &format!("/hearings/{id}/cancel"),
            json!({ "version": 4, "reason": "again" }),
        )
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (409, Some("hearing_cancelled"))
    );

    let (_, read) = api.get(&format!("/hearings/{id}")).await;
    let changes: Vec<&str> = read["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["change"].as_str().unwrap())
        .collect();
    assert_eq!(
        changes,
        ["scheduled", "rescheduled", "postponed", "cancelled"]
    );
    assert_eq!(read["history"][1]["reason"], "信访人申请延后一日");
    assert_eq!(
        read["history"][0]["plan"]["starts_at_ms"],
        json!(beijing_nine(10))
    );

    // The room (everyone in it: parties, panel) got each change as an event.
    let events = app::db::events::all(&server.db, &id).await.unwrap();
    let room = app::domain::fold(&events).unwrap();
    let notice = room.plan_notice.unwrap();
    assert_eq!(
        notice.status,
        app::domain::schedule::HearingStatus::Cancelled
    );
    assert_eq!(notice.reason.as_deref(), Some("双方已达成和解"));
    assert_eq!(events.len(), 3);

    // A cancelled hearing books nothing: the slot is free again.
    let again = json!({ "case_id": case["id"], "plan": plan_body("新安排", beijing_nine(10), "第五听证室", &host_id) });
    assert_eq!(api.post("/hearings", again).await.0, 201);
    server.finish().await;
}

#[tokio::test]
async fn case_edits_keep_before_and_after_and_stale_edits_are_refused() {
    let server = TestServer::start().await;
    let admin = server.client("admin").await;
    let api = Api::issue(&admin, &ALL_SCOPES).await;
    let (_, case) = api.post("/cases", case_body("海宁信访〔2026〕206号")).await;
    let id = case["id"].as_str().unwrap();
    let mut edited = case_body("海宁信访〔2026〕206号");
    edited["risk"] = json!("green");
    edited["status"] = json!("concluded");
    let (status, saved) = api
        .put(
            &format!("/cases/{id}"),
            json!({ "version": 1, "case": edited }),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["version"], 2);
    assert_eq!(saved["deadline"], Value::Null);
    let (status, err) = api
        .put(
            &format!("/cases/{id}"),
            json!({ "version": 1, "case": edited }),
        )
        .await;
    assert_eq!((status, err["code"].as_str()), (409, Some("stale_version")));
    let mut invalid = edited.clone();
    invalid["accepted_on"] = json!("2026-10-01");
    invalid["petitioners"] = json!([]);
    let (status, err) = api
        .put(
            &format!("/cases/{id}"),
            json!({ "version": 2, "case": invalid }),
        )
        .await;
    assert_eq!(status, 422);
    let message = err["message"].as_str().unwrap();
    assert!(
        message.contains("请至少填写一名信访人") && message.contains("受理日期不能早于收件日期")
    );

    let history = app::db::cases::changes(&server.db, id).await.unwrap();
    assert_eq!(history.len(), 2);
    let before = history[1].before.as_ref().unwrap();
    assert_eq!(before.risk, app::domain::case::RiskColour::Red);
    assert_eq!(history[1].after.risk, app::domain::case::RiskColour::Green);
    server.finish().await;
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn csv_import_previews_row_errors_and_writes_all_or_nothing() {
    let server = TestServer::start().await;
    let clerk = server.client("clerk").await;
    let count = || async { app::db::cases::all_numbers(&server.db).await.unwrap().len() };
    let before = count().await;

    let bad = "编号,标题,信访人,责任单位,收件日期,风险等级\n\
               海宁信访〔2026〕301号,工资拖欠,王五,人社局,2026-11-01,红\n\
               海宁信访〔2026〕302号,噪音扰民,赵六,交通局,2026-13-01,紫\n";
    let (gbk, _, _) = encoding_rs::GB18030.encode(bad);
    let preview = clerk
        .rpc("preview_case_import", &[("data_base64", &base64(&gbk))])
        .await;
    assert_eq!(preview.status(), 200);
    let preview: Value = preview.json().await.unwrap();
    assert_eq!(preview["encoding"], "gb18030");
    assert_eq!(preview["rows"][0]["errors"], json!([]));
    assert_eq!(preview["rows"][1]["line"], 3);
    assert_eq!(preview["rows"][1]["errors"].as_array().unwrap().len(), 2);
    let refused = clerk
        .rpc("commit_case_import", &[("data_base64", &base64(&gbk))])
        .await;
    assert_eq!(refused.status(), 422);
    assert_eq!(
        count().await,
        before,
        "nothing written from an invalid file"
    );

    let good = "\u{feff}编号,标题,信访人,责任单位,收件日期,风险等级,分类\n\
                海宁信访〔2026〕301号,工资拖欠,王五,人社局,2026-11-01,红,A\n\
                海宁信访〔2026〕302号,噪音扰民,\"赵六、钱七\",交通局,2026/11/3,黄,B类\n";
    let done = clerk
        .rpc(
            "commit_case_import",
            &[("data_base64", &base64(good.as_bytes()))],
        )
        .await;
    assert_eq!(done.status(), 200);
    assert_eq!(done.json::<Value>().await.unwrap(), json!(2));
    assert_eq!(count().await, before + 2);
    // The same file again: every number is taken now.
    let again = clerk
        .rpc(
            "preview_case_import",
            &[("data_base64", &base64(good.as_bytes()))],
        )
        .await;
    let again: Value = again.json().await.unwrap();
    assert_eq!(
        again["rows"][0]["errors"][0]["row_error"],
        json!("number_exists"),
        "{again}"
    );

    // A juror may not import.
    let juror = server.client("juror").await;
    let res = juror
        .rpc(
            "preview_case_import",
            &[("data_base64", &base64(good.as_bytes()))],
        )
        .await;
    assert_eq!(res.status(), 403);
    server.finish().await;
}

#[tokio::test]
async fn calendars_parse_back_and_open_at_beijing_time() {
    use icalendar::{Calendar, CalendarComponent, Component, DatePerhapsTime};
    let server = TestServer::start().await;
    let host = server.client("host").await;
    let upcoming = server.upcoming_hearing().await;
    let res = host
        .get(&format!("/hearings/{upcoming}/calendar.ics"))
        .await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let text = res.text().await.unwrap();
    let calendar: Calendar = text.parse().unwrap();
    let events: Vec<_> = calendar
        .components
        .iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(events.len(), 1);
    let record = app::db::hearings::record(&server.db, &upcoming)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(events[0].get_summary(), Some(record.plan.title.as_str()));
    // The demo hearing is at 09:30 Beijing time; the feed says so in its zone.
    match events[0].get_start().unwrap() {
        DatePerhapsTime::DateTime(icalendar::CalendarDateTime::WithTimezone {
            date_time,
            tzid,
        }) => {
            assert_eq!(tzid, "Asia/Shanghai");
            assert_eq!(date_time.format("%H:%M").to_string(), "09:30");
            let utc_ms = date_time.and_utc().timestamp_millis() - 8 * HOUR_MS;
            assert_eq!(utc_ms, record.plan.starts_at_ms);
        }
        other => panic!("unexpected DTSTART {other:?}"),
    }
    // Not for a juror who is not on it.
    let juror = server.client("juror").await;
    assert_eq!(
        juror
            .get(&format!("/hearings/{upcoming}/calendar.ics"))
            .await
            .status(),
        404
    );

    // A personal feed works without a cookie, and renewing it retires the old URL.
    let res = host.rpc("renew_calendar_feed", &[]).await;
    assert_eq!(res.status(), 200);
    let url: String = res.json().await.unwrap();
    let feed = reqwest::get(&url).await.unwrap();
    assert_eq!(feed.status(), 200);
    let feed = feed.text().await.unwrap();
    assert!(feed.contains(&format!("UID:{upcoming}@pingyi")));
    let res = host.rpc("renew_calendar_feed", &[]).await;
    let new_url: String = res.json().await.unwrap();
    assert_ne!(url, new_url);
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 404);
    assert_eq!(reqwest::get(&new_url).await.unwrap().status(), 200);
    server.finish().await;
}

#[tokio::test]
async fn notices_per_party_and_the_public_announcement() {
    let server = TestServer::start().await;
    let upcoming = server.upcoming_hearing().await; // public
    let held = server.todays_hearing().await; // closed

    let anonymous = server.client("").await;
    let res = anonymous
        .get(&format!("/public/hearings/{upcoming}/announcement"))
        .await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(page.contains("听证公告") && page.contains("海宁信访〔2026〕123号"));
    assert!(page.contains("老旧小区加装电梯补偿争议"));
    assert_eq!(
        anonymous
            .get(&format!("/public/hearings/{held}/announcement"))
            .await
            .status(),
        404
    );

    // 听证公告一览: the public hearings to come, for anyone, each with its
    // announcement and the online observer page; a closed hearing is not there.
    let res = anonymous.get("/public/hearings").await;
    assert_eq!(res.status(), 200);
    let list = res.text().await.unwrap();
    assert!(list.contains(&format!("data-id=\"{upcoming}\"")), "{list}");
    assert!(list.contains(&format!("/public/hearings/{upcoming}/announcement")));
    assert!(list.contains(&format!("href=\"/public/hearings/{upcoming}\"")));
    assert!(!list.contains(&held), "a closed hearing is not announced");

    let host = server.client("host").await;
    let res = host.get(&format!("/hearings/{upcoming}/notices")).await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    // One sheet per party: the petitioner and both agencies of case 123.
    assert_eq!(page.matches("data-testid=\"notice-sheet\"").count(), 3);
    assert!(page.contains("周美华（信访人）") && page.contains("海洲街道办事处（责任单位）"));
    assert_eq!(
        anonymous
            .get(&format!("/hearings/{upcoming}/notices"))
            .await
            .status(),
        401
    );
    let juror = server.client("juror").await;
    assert_eq!(
        juror
            .get(&format!("/hearings/{held}/notices"))
            .await
            .status(),
        403
    );
    server.finish().await;
}

#[tokio::test]
async fn the_openapi_document_is_served_and_matches_its_snapshot() {
    let server = TestServer::start().await;
    let served: Value = reqwest::get(format!("{}/api/v1/openapi.json", server.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(served["paths"]["/api/v1/cases"]["post"].is_object());
    assert!(served["components"]["schemas"]["CaseDraft"].is_object());

    let generated = server::api_v1::openapi_json();
    let snapshot_path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json");
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::write(&snapshot_path, format!("{generated}\n")).unwrap();
    }
    let snapshot = std::fs::read_to_string(&snapshot_path)
        .expect("docs/openapi.json missing: run `UPDATE_SNAPSHOTS=1 cargo test -p server --test integration openapi`");
    assert_eq!(
        snapshot.trim_end(),
        generated.trim_end(),
        "the API changed: review it, then run `UPDATE_SNAPSHOTS=1 cargo test -p server --test integration openapi` and commit docs/openapi.json"
    );
    let as_served = serde_json::to_string_pretty(&served).unwrap();
    let reparsed: Value = serde_json::from_str(&generated).unwrap();
    assert_eq!(served, reparsed, "{as_served}");
    server.finish().await;
}
