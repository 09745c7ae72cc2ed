//! The record tells the truth (#22 items 1–2), over HTTP: a hearing is not
//! opened long before the time its parties were notified of; the record is
//! taken from the opening to the close; "held" in the aftercare pages and the
//! statistics means the log shows the hearing opened, whatever the plan says;
//! the minutes print the times the log recorded, the planned one labelled.
#![allow(clippy::unwrap_used)]

use crate::common::{Client, TestServer};
use app::domain::clock::{CHINA_OFFSET_SECONDS, format_zh};
use serde_json::{Value, json};

async fn step(host: &Client, hearing: &str, step: &str) -> (u16, Value) {
    let body = json!({"hearing_id": hearing, "step": {"step": step}});
    TestServer::json_rpc(host, "step_procedure", body).await
}

async fn head(server: &TestServer, hearing: &str) -> u64 {
    app::db::hearings::head_seq(&server.db, hearing)
        .await
        .unwrap()
        .unwrap()
}

async fn held_total(admin: &Client) -> u64 {
    let res = admin
        .rpc("statistics", &[("from", ""), ("to", ""), ("district", "")])
        .await;
    assert_eq!(res.status(), 200);
    let figures: Value = res.json().await.unwrap();
    figures["held_total"].as_u64().unwrap()
}

async fn is_held(host: &Client, hearing: &str) -> bool {
    let res = host.rpc("aftercare", &[("hearing_id", hearing)]).await;
    assert_eq!(res.status(), 200);
    let view: Value = res.json().await.unwrap();
    view["is_held"].as_bool().unwrap()
}

#[tokio::test]
async fn a_hearing_opens_near_its_time_and_its_record_runs_from_the_opening_to_the_close() {
    let server = TestServer::start().await;
    let (today, upcoming) = (
        server.todays_hearing().await,
        server.upcoming_hearing().await,
    );
    let (host, clerk) = (server.client("host").await, server.client("clerk").await);

    // A week early: refused in Chinese, pointing at 改期; nothing written.
    let (status, body) = step(&host, &upcoming, "start").await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "step_refused", "{body}");
    assert_eq!(body["reason"]["refusal"], "too_early", "{body}");
    let planned = app::db::hearings::get(&server.db, &upcoming)
        .await
        .unwrap()
        .unwrap()
        .starts_at_ms;
    assert_eq!(body["reason"]["planned_start_ms"], planned, "{body}");
    // The page says it in Chinese (the same error, read by the browser).
    let refusal: app::error::ApiError = serde_json::from_value(body).unwrap();
    let shown = refusal.message(app::i18n::Lang::Zh);
    assert!(shown.contains("请先改期"), "{shown}");
    assert_eq!(head(&server, &upcoming).await, 0);

    // Before the opening the record takes nothing, one line or a paste.
    let res = clerk.record(&today, "开庭前的准备").await;
    assert_eq!(res.status(), 409);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "record_outside_sitting", "{body}");
    let refusal: app::error::ApiError = serde_json::from_value(body).unwrap();
    let shown = refusal.message(app::i18n::Lang::Zh);
    assert!(shown.contains("尚未宣布开始"), "{shown}");
    let res = clerk
        .rpc(
            "record_notes",
            &[("hearing_id", today.as_str()), ("text", "一\n二")],
        )
        .await;
    assert_eq!(res.status(), 409);
    assert_eq!(head(&server, &today).await, 0, "nothing entered the log");

    // Today's hearing is due within the quarter hour: the host opens it.
    let (status, body) = step(&host, &today, "start").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(clerk.record(&today, "主持人宣布开始").await.status(), 200);

    // Through the stages to the close: afterwards the record is complete.
    for _ in 0..9 {
        assert_eq!(step(&host, &today, "advance").await.0, 200);
    }
    assert_eq!(step(&host, &today, "close").await.0, 200);
    let res = clerk.record(&today, "闭会后补记").await;
    assert_eq!(res.status(), 409);
    let refusal: app::error::ApiError = res.json().await.unwrap();
    assert!(
        refusal.message(app::i18n::Lang::Zh).contains("已闭会"),
        "{refusal:?}"
    );

    // The draft minutes print when it sat, and the planned start beside it
    // (it was opened minutes before its planned time).
    let events = app::db::events::all(&server.db, &today).await.unwrap();
    let room = app::domain::fold(&events).unwrap();
    let (opened, closed) = (room.opened_at_ms.unwrap(), room.closed_at_ms.unwrap());
    let planned = app::db::hearings::get(&server.db, &today)
        .await
        .unwrap()
        .unwrap()
        .starts_at_ms;
    let pdf = host
        .get(&format!("/hearings/{today}/minutes.pdf"))
        .await
        .bytes()
        .await
        .unwrap();
    if let Some(text) = crate::common::pdf_text(&pdf) {
        let flat: String = text.split_whitespace().collect();
        let opened_text: String = format_zh(opened, CHINA_OFFSET_SECONDS)
            .split_whitespace()
            .collect();
        let closed_time = format_zh(closed, CHINA_OFFSET_SECONDS)
            .rsplit(' ')
            .next()
            .unwrap()
            .to_owned();
        let planned_text: String = format_zh(planned, CHINA_OFFSET_SECONDS)
            .split_whitespace()
            .collect();
        assert!(
            flat.contains(&format!("{opened_text}至")) && flat.contains(&closed_time),
            "the actual times: {text}"
        );
        assert!(
            flat.contains(&format!("（原定{planned_text}）")),
            "the planned time, labelled: {text}"
        );
    }
    server.finish().await;
}

#[tokio::test]
async fn held_means_the_log_shows_the_opening_not_that_the_planned_time_passed() {
    let server = TestServer::start().await;
    let (host, admin) = (server.client("host").await, server.client("admin").await);
    let today = server.todays_hearing().await;
    let before = held_total(&admin).await;

    // Its planned start has passed (as if the day had come and gone), but
    // nobody opened it: not held, no outcome, not counted.
    let mut tx = server.db.begin().await.unwrap();
    sqlx::query("UPDATE hearings SET starts_at = $1 WHERE id = $2")
        .bind(app::db::now_ms() - 3 * 86_400_000)
        .bind(&today)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(!is_held(&host, &today).await);
    let date = app::domain::case::CalendarDate::of_instant(app::db::now_ms(), CHINA_OFFSET_SECONDS)
        .to_string();
    let outcome = [
        ("hearing_id", today.as_str()),
        ("decision", "责令补发工资"),
        ("decided_on", date.as_str()),
        ("resolution", "resolved"),
    ];
    let res = host.rpc("record_outcome", &outcome).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("not_held_yet"));
    assert_eq!(held_total(&admin).await, before);

    let sitting = |list: &Value, id: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|h| h["id"] == id)
            .map(|h| h["sitting"].as_str().unwrap().to_owned())
    };
    // 我的听证 of the seated juror says what the log says.
    let juror = server.client("juror").await;
    let mine: Value = juror.rpc("my_hearings", &[]).await.json().await.unwrap();
    assert_eq!(sitting(&mine, &today).as_deref(), Some("not_opened"));

    // Opened three days late: held from now on, counted on the day it opened.
    assert_eq!(step(&host, &today, "start").await.0, 200);
    let mine: Value = juror.rpc("my_hearings", &[]).await.json().await.unwrap();
    assert_eq!(sitting(&mine, &today).as_deref(), Some("in_session"));
    let completed = server.completed_hearing().await;
    let plan: Value = host
        .rpc("hearing_detail", &[("hearing_id", completed.as_str())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        plan["hearing"]["sitting"], "closed",
        "the demo's 107号 was held"
    );
    assert!(is_held(&host, &today).await);
    assert_eq!(held_total(&admin).await, before + 1);
    assert_eq!(host.rpc("record_outcome", &outcome).await.status(), 200);
    let opened: Option<i64> = {
        use sqlx::Row;
        let mut tx = server.db.begin().await.unwrap();
        let row = sqlx::query("SELECT opened_at FROM hearings WHERE id = $1")
            .bind(&today)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        row.try_get("opened_at").unwrap()
    };
    let events = app::db::events::all(&server.db, &today).await.unwrap();
    assert_eq!(
        opened,
        Some(events[0].at_ms),
        "the column is the opening event's time"
    );
    // Its minutes, read as a person reads the PDF: the day the log says it
    // opened, and the planned day three days before, labelled 原定.
    let planned = app::db::hearings::get(&server.db, &today)
        .await
        .unwrap()
        .unwrap()
        .starts_at_ms;
    let pdf = host
        .get(&format!("/hearings/{today}/minutes.pdf"))
        .await
        .bytes()
        .await
        .unwrap();
    if let Some(text) = crate::common::pdf_text(&pdf) {
        let flat: String = text.split_whitespace().collect();
        let zh = |ms: i64| -> String {
            format_zh(ms, CHINA_OFFSET_SECONDS)
                .split_whitespace()
                .collect()
        };
        assert!(
            flat.contains(&format!("{}（原定{}）", zh(events[0].at_ms), zh(planned))),
            "the opening from the log, the plan labelled: {text}"
        );
    }
    server.finish().await;
}

#[tokio::test]
async fn the_public_reads_the_panels_conclusion_once_announced() {
    let server = TestServer::start().await;
    // 107号 is public; its conclusion was recorded after 宣布评议意见.
    let completed = server.completed_hearing().await;
    let observer = server.client("").await;
    let snapshot: Value = observer
        .rpc("observe_hearing", &[("hearing_id", completed.as_str())])
        .await
        .json()
        .await
        .unwrap();
    let conclusion = snapshot["base"]["minutes"]["conclusion"]["text"]
        .as_str()
        .unwrap_or_default();
    assert!(conclusion.contains("部分合理"), "{snapshot}");
    let page = observer
        .get(&format!("/public/hearings/{completed}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("announced-conclusion") && page.contains("部分合理"),
        "the observer page shows it"
    );
    // Today's hearing has nothing announced: nothing of a conclusion leaks.
    let today = server.todays_hearing().await;
    let events = app::db::events::all(&server.db, &today).await.unwrap();
    assert!(events.is_empty());
    server.finish().await;
}

#[tokio::test]
async fn a_postponed_hearing_is_not_opened_and_an_opened_one_is_not_moved() {
    let server = TestServer::start().await;
    let host = server.client("host").await;
    let today = server.todays_hearing().await;
    let detail = |id: String| {
        let host = &host;
        async move {
            let res = host
                .rpc("hearing_detail", &[("hearing_id", id.as_str())])
                .await;
            res.json::<Value>().await.unwrap()["hearing"].clone()
        }
    };
    let change = |hearing: Value, request: Value| {
        let host = &host;
        async move {
            let body = json!({
                "hearing_id": hearing["id"],
                "version": hearing["version"],
                "request": request,
                "reason": "主持人另有公务",
            });
            TestServer::json_rpc(host, "change_hearing", body).await
        }
    };
    // 延期: off the calendar, so not opened.
    let (status, body) = change(detail(today.clone()).await, json!({"kind": "postpone"})).await;
    assert_eq!(status, 200, "{body}");
    let announced = head(&server, &today).await; // the room was told (plan_changed)
    let (status, body) = step(&host, &today, "start").await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["reason"]["refusal"], "not_on_calendar", "{body}");
    assert_eq!(head(&server, &today).await, announced, "nothing written");

    // Back on the calendar at its time, opened: then it stays where it sat.
    let hearing = detail(today.clone()).await;
    let mut plan = hearing["plan"].clone();
    plan["short_notice_reason"] = json!("各方当事人均已到场，同意按原定时间举行");
    let (status, body) = change(hearing, json!({"kind": "update", "plan": plan})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(step(&host, &today, "start").await.0, 200);
    for request in [json!({"kind": "postpone"}), json!({"kind": "cancel"})] {
        let (status, body) = change(detail(today.clone()).await, request).await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(body["code"], "hearing_underway", "{body}");
    }
    let hearing = detail(today.clone()).await;
    let mut moved = hearing["plan"].clone();
    moved["starts_at_ms"] = json!(moved["starts_at_ms"].as_i64().unwrap() + 3_600_000);
    let (status, body) = change(hearing, json!({"kind": "update", "plan": moved})).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "hearing_underway", "{body}");
    server.finish().await;
}

/// 笔录 names who spoke: a line entered while someone has the floor is theirs
/// (信访人张三), a note of the proceedings is nobody's, and so is a line
/// entered when nobody has the floor; the minutes print the speaker.
#[tokio::test]
async fn the_record_names_who_spoke_the_floor_speaker_by_default() {
    use app::domain::sitting::{Part, Speaker};
    let server = TestServer::start().await;
    let held = server.opened_todays_hearing().await;
    let host = server.client("host").await;
    let clerk = server.client("clerk").await;
    let floor = json!({"hearing_id": held, "speaker": "张三", "part": "petitioner", "minutes": 5});
    assert_eq!(
        TestServer::json_rpc(&host, "give_floor", floor).await.0,
        200
    );
    let said = clerk.record(&held, "要求按原标准补发补偿款").await;
    assert_eq!(said.status(), 200);
    let note = clerk
        .rpc(
            "record_note",
            &[
                ("hearing_id", held.as_str()),
                ("text", "信访人出示补偿协议原件"),
                ("own_note", "true"),
            ],
        )
        .await;
    assert_eq!(note.status(), 200);
    let pasted = clerk
        .rpc(
            "record_notes",
            &[("hearing_id", held.as_str()), ("text", "第一点\n第二点")],
        )
        .await;
    assert_eq!(pasted.status(), 200);
    assert_eq!(
        host.rpc("end_floor", &[("hearing_id", &held)])
            .await
            .status(),
        200
    );
    assert_eq!(clerk.record(&held, "休息十分钟").await.status(), 200);

    let events = app::db::events::all(&server.db, &held).await.unwrap();
    let room = app::domain::fold(&events).unwrap();
    let zhang = Some(Speaker {
        name: "张三".into(),
        part: Part::Petitioner,
    });
    let lines: Vec<(&str, Option<Speaker>)> = room
        .record
        .iter()
        .map(|l| (l.text.as_str(), l.speaker.clone()))
        .collect();
    assert_eq!(
        lines,
        [
            ("要求按原标准补发补偿款", zhang.clone()),
            ("信访人出示补偿协议原件", None),
            ("第一点", zhang.clone()),
            ("第二点", zhang.clone()),
            ("休息十分钟", None),
        ]
    );

    // The minutes' draft prints the speaker, the notes under the clerk.
    let pdf = host.get(&format!("/hearings/{held}/minutes.pdf")).await;
    assert_eq!(pdf.status(), 200);
    let pdf = pdf.bytes().await.unwrap();
    if let Some(text) = crate::common::pdf_text(&pdf) {
        let text: String = text.split_whitespace().collect();
        assert!(
            text.contains("信访人张三：要求按原标准补发补偿款"),
            "{text}"
        );
        assert!(text.contains("李记录：信访人出示补偿协议原件"), "{text}");
    }
    server.finish().await;
}
