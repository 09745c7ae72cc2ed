//! After the hearing (#10) over HTTP: outcome and follow-ups, the two-way
//! commitment (in the app and on paper), satisfaction from the petitioner and
//! from staff, repeat petitions, and the dashboard and its exports moving with them.
#![allow(clippy::unwrap_used)]

use crate::common::{Client, TestServer};
use app::domain::case::CalendarDate;
use app::domain::clock::CHINA_OFFSET_SECONDS;
use serde_json::Value;

fn today() -> CalendarDate {
    CalendarDate::of_instant(app::db::now_ms(), CHINA_OFFSET_SECONDS)
}

async fn view(client: &Client, hearing: &str) -> Value {
    let res = client.rpc("aftercare", &[("hearing_id", hearing)]).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn stats(client: &Client) -> Value {
    let res = client
        .rpc("statistics", &[("from", ""), ("to", ""), ("district", "")])
        .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn rate(d: &Value, name: &str) -> (u64, u64) {
    (
        d[name]["count"].as_u64().unwrap(),
        d[name]["of"].as_u64().unwrap(),
    )
}

#[tokio::test]
async fn outcome_visits_and_ratings_are_recorded_and_move_the_dashboard() {
    let server = TestServer::start().await;
    let hearing = server.completed_hearing().await;
    let host = server.client("host").await;
    let admin = server.client("admin").await;
    let before = stats(&admin).await;

    // Refusals first: a decision dated tomorrow, an empty one, a bad date.
    let tomorrow = today().plus_days(1).to_string();
    let today_text = today().to_string();
    for (decision, date, expect) in [
        ("责令补发工资", tomorrow.as_str(), "in_the_future"),
        ("   ", today_text.as_str(), "empty"),
        ("责令补发工资", "2026-02-30", "date_invalid"),
    ] {
        let form = [
            ("hearing_id", hearing.as_str()),
            ("decision", decision),
            ("decided_on", date),
            ("resolution", "resolved"),
        ];
        let res = host.rpc("record_outcome", &form).await;
        assert_eq!(res.status(), 422, "{decision} {date}");
        let body = res.text().await.unwrap();
        assert!(body.contains(expect), "{body}");
    }
    // An archivist reads rooms and minutes, not the office's aftercare.
    let archivist = server.client("archivist").await;
    let form = [
        ("hearing_id", hearing.as_str()),
        ("decision", "责令补发工资"),
        ("decided_on", today_text.as_str()),
        ("resolution", "resolved"),
    ];
    assert_eq!(archivist.rpc("record_outcome", &form).await.status(), 403);

    // Recorded: visits fall due 30 and 90 days on, assigned to the host.
    assert_eq!(host.rpc("record_outcome", &form).await.status(), 200);
    let v = view(&host, &hearing).await;
    assert_eq!(v["outcome"]["outcome"]["resolution"], "resolved");
    let visits = v["follow_ups"].as_array().unwrap();
    let due: Vec<&str> = visits
        .iter()
        .map(|f| f["due_on"].as_str().unwrap())
        .collect();
    assert_eq!(
        due,
        vec![
            today().plus_days(30).to_string(),
            today().plus_days(90).to_string()
        ]
    );
    assert!(
        visits.iter().all(|f| f["assignee_name"] == "张主持"),
        "visits go to the hearing's host: {visits:?}"
    );
    let after = stats(&admin).await;
    let (resolved_before, decided_before) = rate(&before, "resolution");
    assert_eq!(
        rate(&after, "resolution"),
        (resolved_before + 1, decided_before + 1),
        "the dashboard counts the new outcome"
    );

    // A visit before the decision is refused; one today is recorded.
    let first = visits[0]["id"].as_str().unwrap().to_owned();
    let yesterday = today().plus_days(-1).to_string();
    let early = [
        ("follow_up_id", first.as_str()),
        ("done_on", yesterday.as_str()),
        ("note", "电话回访"),
    ];
    let res = host.rpc("record_visit", &early).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("visit_before_decision"));
    let ok = [
        ("follow_up_id", first.as_str()),
        ("done_on", today_text.as_str()),
        ("note", "电话回访：工资已补发，信访人表示满意"),
    ];
    assert_eq!(host.rpc("record_visit", &ok).await.status(), 200);
    let missing = [
        ("follow_up_id", "nope"),
        ("done_on", today_text.as_str()),
        ("note", "x"),
    ];
    assert_eq!(host.rpc("record_visit", &missing).await.status(), 404);

    // A new policy (15, 45): the visit made stays, the one still to make moves.
    let days = [("days", "15，45")];
    assert_eq!(host.rpc("save_follow_up_policy", &days).await.status(), 403);
    assert_eq!(
        admin.rpc("save_follow_up_policy", &days).await.status(),
        200
    );
    assert_eq!(
        admin
            .rpc("save_follow_up_policy", &[("days", "45,15")])
            .await
            .status(),
        422
    );
    assert_eq!(host.rpc("record_outcome", &form).await.status(), 200);
    let v = view(&host, &hearing).await;
    let visits = v["follow_ups"].as_array().unwrap();
    assert_eq!(visits.len(), 2);
    assert_eq!(visits[0]["state"]["state"], "done");
    assert_eq!(visits[1]["due_on"], today().plus_days(45).to_string());

    // Staff record the rating given on a call; the latest counts.
    let before = stats(&admin).await;
    for rating in ["dissatisfied", "fairly_satisfied"] {
        let form = [
            ("hearing_id", hearing.as_str()),
            ("rating", rating),
            ("comment", ""),
        ];
        assert_eq!(host.rpc("rate_handling", &form).await.status(), 200);
    }
    let v = view(&host, &hearing).await;
    assert_eq!(v["ratings"][0]["rating"], "fairly_satisfied");
    assert_eq!(v["ratings"][0]["source"], "staff");
    assert_eq!(v["ratings"].as_array().unwrap().len(), 2);
    let after = stats(&admin).await;
    let (content, rated) = rate(&before, "satisfaction");
    assert_eq!(
        rate(&after, "satisfaction").1,
        rated + 1,
        "one more hearing rated"
    );
    assert_eq!(
        rate(&after, "satisfaction").0,
        content + 1,
        "基本满意 counts as content"
    );

    // A repeat petition: a case received after the hearing, marked, then counted.
    // The demo hearing opened when the demo was loaded (its log says today),
    // so a petition received today is the one that may repeat it.
    let again = app::domain::case::CaseDraft {
        number: "海宁信访〔2026〕201号".into(),
        title: "再次反映异地就医费用报销问题".into(),
        petitioners: vec!["吴建国".into()],
        agencies: vec!["海宁市医疗保障局".into()],
        summary: "信访人在听证评议后再次来访，反映复核结算口径尚未落实。".into(),
        received_on: today(),
        accepted_on: None,
        category: "医疗卫生".into(),
        district: "海洲街道".into(),
        risk: app::domain::case::RiskColour::Yellow,
        class: app::domain::case::ProgressClass::B,
        status: app::domain::case::CaseStatus::Registered,
        investigator_id: None,
    };
    let by = app::model::Changer {
        name: "李记录".into(),
        id: None,
        via_api: false,
    };
    let clock = app::scheduling::OfficeClock::now(CHINA_OFFSET_SECONDS);
    app::scheduling::create_case(&server.db, &by, again, clock)
        .await
        .unwrap();
    let v = view(&host, &hearing).await;
    let candidates = v["repeat_candidates"].as_array().unwrap();
    assert!(
        !candidates.is_empty(),
        "demo cases received since the hearing"
    );
    let later = candidates[0]["id"].as_str().unwrap().to_owned();
    let (clean, reviewed) = rate(&after, "no_repeat");
    let mark = [
        ("hearing_id", hearing.as_str()),
        ("case_id", later.as_str()),
    ];
    assert_eq!(host.rpc("mark_repeat", &mark).await.status(), 200);
    assert_eq!(
        host.rpc("mark_repeat", &mark).await.status(),
        409,
        "marked once"
    );
    let marked = stats(&admin).await;
    assert_eq!(rate(&marked, "no_repeat"), (clean - 1, reviewed));
    assert_eq!(host.rpc("unmark_repeat", &mark).await.status(), 200);
    assert_eq!(rate(&stats(&admin).await, "no_repeat"), (clean, reviewed));

    // Open visits: the host's own list holds the one still to make.
    let mine: Value = host
        .rpc("open_visits", &[("everyone", "false")])
        .await
        .json()
        .await
        .unwrap();
    assert!(
        mine.as_array()
            .unwrap()
            .iter()
            .any(|t| t["hearing_id"] == hearing.as_str())
    );
    server.finish().await;
}

#[tokio::test]
async fn the_two_sides_confirm_their_commitment_and_the_petitioner_rates() {
    let server = TestServer::start().await;
    let hearing = server.completed_hearing().await;
    let host = server.client("host").await;

    // Nothing to confirm before it is drafted.
    let petitioner = server.party(&hearing, "petitioner", "张建国").await;
    let words = [
        ("hearing_id", hearing.as_str()),
        ("agency_text", "三十日内补发拖欠工资 42,000 元"),
        ("petitioner_text", "款项到位后不再就此事重复信访"),
    ];
    let res = petitioner.rpc("confirm_commitment", &words).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("no_commitment"));

    let draft = [
        ("hearing_id", hearing.as_str()),
        ("agency_text", "三十日内补发拖欠工资 42,000 元"),
        ("petitioner_text", "款项到位后不再就此事重复信访"),
    ];
    assert_eq!(host.rpc("draft_commitment", &draft).await.status(), 200);
    assert_eq!(
        petitioner.rpc("draft_commitment", &draft).await.status(),
        403,
        "parties do not write the commitment"
    );

    // Each side confirms its own, once; a third party confirms nothing.
    let agency = server.party(&hearing, "agency", "某镇人民政府").await;
    let third = server.party(&hearing, "third_party", "某公司").await;
    for party in [&petitioner, &agency] {
        let res = party.rpc("confirm_commitment", &words).await;
        assert_eq!(res.status(), 200);
    }
    let again = petitioner.rpc("confirm_commitment", &words).await;
    assert_eq!(again.status(), 409);
    assert_eq!(third.rpc("confirm_commitment", &words).await.status(), 403);
    let v = view(&host, &hearing).await;
    assert_eq!(v["commitment"]["petitioner"]["by"], "张建国");
    assert_eq!(v["commitment"]["agency"]["by"], "某镇人民政府");

    // A changed wording needs the agency's confirmation again.
    let redraft = [
        ("hearing_id", hearing.as_str()),
        ("agency_text", "十五日内补发拖欠工资 42,000 元"),
        ("petitioner_text", "款项到位后不再就此事重复信访"),
    ];
    assert_eq!(host.rpc("draft_commitment", &redraft).await.status(), 200);
    let v = view(&host, &hearing).await;
    assert!(v["commitment"]["agency"].is_null());
    assert_eq!(v["commitment"]["petitioner"]["by"], "张建国");
    // The agency confirms what it read: the old words no longer.
    let stale = agency.rpc("confirm_commitment", &words).await;
    assert_eq!(stale.status(), 409);
    assert!(stale.text().await.unwrap().contains("wording_changed"));
    assert_eq!(
        agency.rpc("confirm_commitment", &redraft).await.status(),
        200
    );

    // Printed for signing on paper: both wordings as saved; staff only.
    let print = format!("/hearings/{hearing}/commitment/print");
    let sheet = host.get(&print).await;
    assert_eq!(sheet.status(), 200);
    assert!(
        sheet.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = sheet.text().await.unwrap();
    assert!(html.contains("十五日内补发拖欠工资 42,000 元"), "{html}");
    // Dated the day it sat (the demo's 107号 opened when the demo loaded).
    assert!(html.contains(&today().format_zh()), "{html}");
    assert!(
        !html.contains(&today().plus_days(-1).format_zh()),
        "not the planned day: {html}"
    );
    assert!(html.contains("款项到位后不再就此事重复信访"), "{html}");
    assert!(html.contains("信访人（签名）") && html.contains("责任单位（盖章）"));
    for party in [&petitioner, &agency, &third] {
        let status = party.get(&print).await.status().as_u16();
        assert!(
            matches!(status, 403 | 404),
            "a party does not print the commitment: {status}"
        );
    }

    // The party's page: the commitment and its rating, nothing of the staff's.
    let seen = view(&petitioner, &hearing).await;
    assert_eq!(seen["is_party"], true);
    assert_eq!(seen["my_side"], "petitioner");
    assert_eq!(seen["may_rate"], true);
    assert!(seen["outcome"].is_null());
    assert!(seen["follow_ups"].as_array().unwrap().is_empty());
    assert!(seen["panel_conclusion"].is_null());
    let rate = [
        ("hearing_id", hearing.as_str()),
        ("rating", "satisfied"),
        ("comment", "处理及时"),
    ];
    assert_eq!(petitioner.rpc("rate_handling", &rate).await.status(), 200);
    assert_eq!(
        agency.rpc("rate_handling", &rate).await.status(),
        403,
        "only the petitioner rates"
    );
    let bad = [
        ("hearing_id", hearing.as_str()),
        ("rating", "great"),
        ("comment", ""),
    ];
    assert_eq!(petitioner.rpc("rate_handling", &bad).await.status(), 400);
    // Staff add what they heard on a call; the agency sees neither rating, and a
    // third party sees nothing of the aftercare at all.
    let call = [
        ("hearing_id", hearing.as_str()),
        ("rating", "dissatisfied"),
        ("comment", "电话回访：对责任单位不满"),
    ];
    assert_eq!(host.rpc("rate_handling", &call).await.status(), 200);
    let theirs = view(&agency, &hearing).await;
    assert!(theirs["ratings"].as_array().unwrap().is_empty(), "{theirs}");
    assert_eq!(theirs["my_side"], "agency");
    assert_eq!(theirs["may_rate"], false);
    assert!(!theirs["commitment"].is_null());
    let own = view(&petitioner, &hearing).await;
    assert_eq!(own["ratings"].as_array().unwrap().len(), 1);
    assert_eq!(
        own["ratings"][0]["comment"], "处理及时",
        "its own words, not the call's"
    );
    let refused = third.rpc("aftercare", &[("hearing_id", &hearing)]).await;
    assert_eq!(refused.status(), 403);
    let v = view(&host, &hearing).await;
    assert_eq!(v["ratings"][0]["source"], "staff");
    assert_eq!(v["ratings"][1]["source"], "petitioner");
    assert_eq!(v["ratings"][1]["comment"], "处理及时");

    // Signed on paper: the scan confirms both sides; an HTML file named .pdf is refused.
    let fake = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"<html><script>alert(1)</script></html>".to_vec())
            .file_name("承诺书.pdf"),
    );
    let url = format!("{}/hearings/{hearing}/commitment/scan", host.base);
    let res = host.http.post(&url).multipart(fake).send().await.unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("承诺书扫描件须为"));
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xff\xff?\0\x05\xfe\x02\xfe\xa7\x35\x81\x84\0\0\0\0IEND\xaeB`\x82".to_vec();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(png.clone()).file_name("scan.png"),
    );
    let res = host.http.post(&url).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), 200, "redirected back to the page");
    let v = view(&host, &hearing).await;
    // Both had confirmed in the app: the scan is attached, their confirmations stay.
    assert_eq!(v["commitment"]["agency"]["on_paper"], false);
    assert_eq!(v["commitment"]["agency"]["by"], "某镇人民政府");
    assert!(v["commitment"]["scan_sha256"].is_string());
    let scan = petitioner
        .get(&format!("/hearings/{hearing}/commitment/scan"))
        .await;
    assert_eq!(scan.status(), 200);
    assert_eq!(scan.headers()["x-content-type-options"], "nosniff");
    assert!(
        scan.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(scan.bytes().await.unwrap().as_ref(), png.as_slice());
    assert_eq!(
        third
            .get(&format!("/hearings/{hearing}/commitment/scan"))
            .await
            .status(),
        404,
        "a third party does not get the signed scan"
    );
    let juror = server.client("juror").await;
    assert_eq!(
        juror
            .get(&format!("/hearings/{hearing}/commitment/scan"))
            .await
            .status(),
        404
    );
    server.finish().await;
}

#[tokio::test]
async fn the_dashboard_and_its_exports_are_for_administrators() {
    let server = TestServer::start().await;
    let admin = server.client("admin").await;
    for who in ["", "host", "clerk", "archivist", "juror"] {
        let client = server.client(who).await;
        let status = client
            .rpc("statistics", &[("from", ""), ("to", ""), ("district", "")])
            .await
            .status()
            .as_u16();
        assert_eq!(status, if who.is_empty() { 401 } else { 403 }, "{who:?}");
        let csv = client.get("/stats/export.csv").await.status().as_u16();
        assert_eq!(csv, if who.is_empty() { 401 } else { 403 }, "{who:?}");
    }
    // The bureau head reads the figures and the file, and records nothing.
    let head = server.client("head").await;
    let seen = stats(&head).await;
    assert_eq!(
        seen["no_repeat"]["count"], 31,
        "Haining's 31 of 33 in the demo year (today's hearing is still to come)"
    );
    assert_eq!(seen["no_repeat"]["of"], 33);
    assert_eq!(
        rate(&seen, "repeat"),
        (2, 33),
        "重复信访率: the 2 of 33 petitioned again"
    );
    assert_eq!(head.get("/stats/export.csv").await.status(), 200);
    let hearing = server.completed_hearing().await;
    let form = [
        ("hearing_id", hearing.as_str()),
        ("rating", "satisfied"),
        ("comment", ""),
    ];
    assert_eq!(head.rpc("rate_handling", &form).await.status(), 403);
    let d = stats(&admin).await;
    assert_eq!(
        d["held_per_month"].as_array().unwrap().len(),
        12,
        "the twelve months up to this one"
    );
    let bad = admin
        .rpc(
            "statistics",
            &[("from", "2026-13"), ("to", ""), ("district", "")],
        )
        .await;
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("month_invalid"));
    let reversed = admin.get("/stats/export.csv?from=2026-06&to=2026-01").await;
    assert_eq!(reversed.status(), 422);
    assert!(
        reversed
            .text()
            .await
            .unwrap()
            .contains("结束月份不能早于开始月份")
    );

    let csv = admin.get("/stats/export.csv").await;
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text().await.unwrap();
    let no_repeat = &d["no_repeat"];
    let line = format!(
        "评议后未重复信访率,{},{},",
        no_repeat["count"], no_repeat["of"]
    );
    assert!(
        text.contains(&line),
        "the file says what the page says: {text}"
    );
    // On its own line: "评议后未重复信访率,…" also contains "重复信访率,".
    let (again, reviewed) = rate(&d, "repeat");
    let repeat_line = format!("\r\n重复信访率,{again},{reviewed},");
    assert!(
        text.contains(&repeat_line),
        "the repeat-petition rate as the page has it: {text}"
    );
    assert!(text.contains("每月听证场次"));

    // The workbook carries the same figures as the CSV, not merely a zip.
    let xlsx = admin.get("/stats/export.xlsx").await;
    assert_eq!(xlsx.status(), 200);
    let bytes = xlsx.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "an xlsx is a zip");
    let (sheet, strings) = first_sheet(&bytes);
    let percent = csv_percent(&text, "评议后未重复信访率");
    assert_eq!(percent, "93.94%", "the demo year's 31 of 33");
    let repeat_percent = csv_percent(&text, "重复信访率");
    assert_eq!(repeat_percent, "6.06%", "the demo year's 2 of 33");
    for label in [
        "主要指标",
        "评议后未重复信访率",
        "重复信访率",
        percent.as_str(),
        repeat_percent.as_str(),
    ] {
        assert!(
            strings.contains(label),
            "{label} in the shared strings: {strings}"
        );
    }
    for n in [no_repeat["count"].as_u64(), no_repeat["of"].as_u64()] {
        let value = format!("<v>{}</v>", n.unwrap());
        assert!(
            sheet.contains(&value),
            "{value}, a number in the sheet: {sheet}"
        );
    }
    server.finish().await;
}

/// The first worksheet's XML and the shared strings its text cells point to.
fn first_sheet(bytes: &[u8]) -> (String, String) {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut read = |name: &str| {
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut xml).unwrap();
        xml
    };
    let sheet = read("xl/worksheets/sheet1.xml");
    (sheet, read("xl/sharedStrings.xml"))
}

/// The percentage the CSV prints for `label` ("94.12%"): the last cell of its line.
fn csv_percent(csv: &str, label: &str) -> String {
    let line = csv
        .lines()
        .find(|l| l.starts_with(&format!("{label},")))
        .unwrap_or_else(|| panic!("no {label} line: {csv}"));
    line.rsplit(',').next().unwrap().to_owned()
}

/// The demo account's id, by its user name.
async fn account_id(server: &TestServer, username: &str) -> String {
    app::db::accounts::list(&server.db)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.username == username)
        .unwrap_or_else(|| panic!("demo account {username}"))
        .id
}

/// The visits still to make, as `client` lists them (its own, or everybody's).
async fn open_visits(client: &Client, everyone: bool) -> Vec<Value> {
    let everyone = if everyone { "true" } else { "false" };
    let res = client.rpc("open_visits", &[("everyone", everyone)]).await;
    assert_eq!(res.status(), 200);
    let list: Value = res.json().await.unwrap();
    list.as_array().unwrap().clone()
}

fn lists_visit(list: &[Value], follow_up_id: &str) -> bool {
    list.iter().any(|t| t["follow_up"]["id"] == follow_up_id)
}

/// Records the completed demo hearing's handling decision (today): its visits
/// are scheduled and go to the host. Returns the visits' ids, earliest first.
async fn decide_today(host: &Client, hearing: &str) -> Vec<String> {
    let today = today().to_string();
    let form = [
        ("hearing_id", hearing),
        ("decision", "责令责任单位三十日内复核结算口径"),
        ("decided_on", today.as_str()),
        ("resolution", "resolved"),
    ];
    assert_eq!(host.rpc("record_outcome", &form).await.status(), 200);
    view(host, hearing).await["follow_ups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_visit_is_reassigned_to_another_staff_member_while_still_open() {
    let server = TestServer::start().await;
    let hearing = server.completed_hearing().await;
    let host = server.client("host").await;
    let clerk = server.client("clerk").await;
    let visits = decide_today(&host, &hearing).await;
    let (first, second) = (visits[0].as_str(), visits[1].as_str());
    assert!(lists_visit(&open_visits(&host, false).await, first));
    assert!(!lists_visit(&open_visits(&clerk, false).await, first));

    // To the clerk: off the host's own list, onto the clerk's.
    let clerk_id = account_id(&server, "clerk").await;
    let to_clerk = [("follow_up_id", first), ("assignee_id", clerk_id.as_str())];
    assert_eq!(host.rpc("assign_visit", &to_clerk).await.status(), 200);
    let clerks = open_visits(&clerk, false).await;
    let task = clerks
        .iter()
        .find(|t| t["follow_up"]["id"] == first)
        .expect("on the clerk's list");
    assert_eq!(task["follow_up"]["assignee_name"], "李记录");
    assert_eq!(task["hearing_id"], hearing.as_str());
    assert!(!lists_visit(&open_visits(&host, false).await, first));
    assert!(
        lists_visit(&open_visits(&host, false).await, second),
        "the other visit stays with the host"
    );

    // Nobody known, or somebody who does not make visits, is refused.
    let archivist_id = account_id(&server, "archivist").await;
    for nobody in ["no-such-account", archivist_id.as_str()] {
        let form = [("follow_up_id", second), ("assignee_id", nobody)];
        let res = host.rpc("assign_visit", &form).await;
        assert_eq!(res.status(), 422, "{nobody}");
        assert!(res.text().await.unwrap().contains("unknown_person"));
    }
    let missing = [("follow_up_id", "nope"), ("assignee_id", clerk_id.as_str())];
    assert_eq!(host.rpc("assign_visit", &missing).await.status(), 404);

    // Recorded: it is history, and no longer anybody's to make.
    let today_text = today().to_string();
    let record = [
        ("follow_up_id", first),
        ("done_on", today_text.as_str()),
        ("note", "电话回访：已按处理决定复核"),
    ];
    assert_eq!(clerk.rpc("record_visit", &record).await.status(), 200);
    let host_id = account_id(&server, "host").await;
    let back = [("follow_up_id", first), ("assignee_id", host_id.as_str())];
    let res = host.rpc("assign_visit", &back).await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("visit_recorded"));
    let v = view(&host, &hearing).await;
    assert_eq!(v["follow_ups"][0]["assignee_name"], "李记录", "unchanged");

    // Only petition office staff assign visits.
    for who in ["archivist", "juror", "head"] {
        let client = server.client(who).await;
        let form = [("follow_up_id", second), ("assignee_id", clerk_id.as_str())];
        assert_eq!(
            client.rpc("assign_visit", &form).await.status(),
            403,
            "{who}"
        );
    }
    let anonymous = server.client("").await;
    let form = [("follow_up_id", second), ("assignee_id", clerk_id.as_str())];
    assert_eq!(anonymous.rpc("assign_visit", &form).await.status(), 401);
    assert!(lists_visit(&open_visits(&host, false).await, second));
    server.finish().await;
}

async fn stats_in(client: &Client, district: &str) -> Value {
    let res = client
        .rpc(
            "statistics",
            &[("from", ""), ("to", ""), ("district", district)],
        )
        .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn csv_in(client: &Client, district: &str) -> String {
    let url = reqwest::Url::parse_with_params(
        &format!("{}/stats/export.csv", client.base),
        &[("district", district)],
    )
    .unwrap();
    let res = client.http.get(url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

#[tokio::test]
async fn a_district_narrows_the_figures_and_the_csv() {
    let server = TestServer::start().await;
    let admin = server.client("admin").await;
    let all = stats_in(&admin, "").await;
    // 袁花镇 in the demo year (server/src/demo_history.rs): two hearings, one
    // 未化解 and rated 不满意 and petitioned again, one still without its
    // decision and rated 满意; the demo's own 袁花镇 hearing is still to come.
    let d = stats_in(&admin, "袁花镇").await;
    assert_eq!(d["filter"]["district"], "袁花镇");
    assert_eq!(d["held_total"], 2);
    assert_eq!(rate(&d, "resolution"), (0, 1));
    assert_eq!(rate(&d, "satisfaction"), (1, 2));
    assert_eq!(rate(&d, "repeat"), (1, 2));
    assert_eq!(rate(&d, "no_repeat"), (1, 2));
    assert_eq!(
        all["held_total"], 33,
        "every district: Haining's 33 reviews held (today's is still to come)"
    );
    assert!(
        d["overdue"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["district"] == "袁花镇"),
        "late items of the district only: {}",
        d["overdue"]
    );
    assert!(
        all["districts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x == "袁花镇"),
        "the page offers the district"
    );
    // The districts split the year's hearings between them.
    let mut held = 0;
    for district in all["districts"].as_array().unwrap() {
        held += stats_in(&admin, district.as_str().unwrap()).await["held_total"]
            .as_u64()
            .unwrap();
    }
    assert_eq!(Some(held), all["held_total"].as_u64());
    // A district nobody petitions from counts nothing.
    let none = stats_in(&admin, "不存在的镇").await;
    assert_eq!(none["held_total"], 0);
    assert_eq!(rate(&none, "satisfaction"), (0, 0));

    // The export says what the page says for the same district.
    let csv = csv_in(&admin, "袁花镇").await;
    assert!(
        csv.contains("，袁花镇）"),
        "the title names the district: {csv}"
    );
    for line in [
        "\r\n化解率,0,1,0.00%",
        "\r\n满意率（满意+基本满意）,1,2,50.00%",
        "\r\n重复信访率,1,2,50.00%",
        "\r\n合计,2\r\n",
    ] {
        assert!(csv.contains(line), "{line:?} in {csv}");
    }
    let everywhere = csv_in(&admin, "").await;
    assert!(!everywhere.contains("袁花镇）"));
    assert!(
        everywhere.contains(&format!("\r\n合计,{}\r\n", all["held_total"])),
        "{everywhere}"
    );
    server.finish().await;
}

#[tokio::test]
async fn the_demo_years_overdue_visits_are_flagged_everywhere() {
    let server = TestServer::start().await;
    let admin = server.client("admin").await;
    let d = stats(&admin).await;
    let late: Vec<&Value> = d["overdue"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["what_zh"] == "回访")
        .collect();
    // demo_history leaves three visits due more than ten days ago unmade.
    assert_eq!(late.len(), 3, "{}", d["overdue"]);
    assert!(late.iter().all(|o| o["days"].as_i64().unwrap() > 10));
    assert_eq!(
        d["overdue_count"].as_u64().unwrap(),
        d["overdue"].as_array().unwrap().len() as u64
    );
    assert!(d["overdue_count"].as_u64().unwrap() >= 3);

    // The visits list flags the same three, with the days late.
    let tasks = open_visits(&admin, true).await;
    let flagged: Vec<&Value> = tasks
        .iter()
        .filter(|t| t["follow_up"]["state"]["state"] == "overdue")
        .collect();
    assert_eq!(flagged.len(), 3, "{tasks:?}");
    for o in &late {
        let same = flagged.iter().find(|t| {
            t["case_number"] == o["case_number"] && t["follow_up"]["due_on"] == o["due_on"]
        });
        let task = same.unwrap_or_else(|| panic!("{o} on the visits list"));
        assert_eq!(task["follow_up"]["state"]["days"], o["days"]);
        assert_eq!(task["follow_up"]["assignee_name"], o["assignee"]);
    }
    // Visits not yet due are pending, not overdue.
    assert!(
        tasks
            .iter()
            .any(|t| t["follow_up"]["state"]["state"] == "pending")
    );
    // And on the hearing's own page.
    let hearing = flagged[0]["hearing_id"].as_str().unwrap();
    let v = view(&admin, hearing).await;
    let visit = v["follow_ups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == flagged[0]["follow_up"]["id"])
        .unwrap();
    assert_eq!(visit["state"]["state"], "overdue");
    server.finish().await;
}

#[tokio::test]
async fn staff_see_the_panels_opinion_with_what_followed() {
    let server = TestServer::start().await;
    let hearing = server.completed_hearing().await;
    for who in ["host", "admin"] {
        let v = view(&server.client(who).await, &hearing).await;
        let opinion = v["panel_conclusion"]
            .as_str()
            .unwrap_or_else(|| panic!("{who} sees the panel's opinion: {}", v["panel_conclusion"]));
        assert!(
            opinion.starts_with("评议团经不记名投票"),
            "{who}: {opinion}"
        );
    }
    // The petitioner's page has the commitment, not the panel's opinion.
    let petitioner = server.party(&hearing, "petitioner", "蒋秀兰").await;
    assert!(view(&petitioner, &hearing).await["panel_conclusion"].is_null());
    server.finish().await;
}

/// The case as its edit page loads it: (version, draft).
async fn case_draft(client: &Client, case_id: &str) -> (i64, Value) {
    let res = client.rpc("case_detail", &[("case_id", case_id)]).await;
    assert_eq!(res.status(), 200);
    let detail: Value = res.json().await.unwrap();
    let record = &detail["record"];
    (record["version"].as_i64().unwrap(), record["case"].clone())
}

/// Saves the case with `status` (and otherwise as loaded, with `title` when
/// given), as the edit page does: (HTTP status, answer).
async fn save_status(
    client: &Client,
    case_id: &str,
    status: &str,
    title: Option<&str>,
) -> (u16, Value) {
    let (version, mut draft) = case_draft(client, case_id).await;
    draft["status"] = Value::from(status);
    if let Some(title) = title {
        draft["title"] = Value::from(title);
    }
    let body = serde_json::json!({ "case_id": case_id, "version": version, "draft": draft });
    TestServer::json_rpc(client, "save_case", body).await
}

/// Concludes the case through /api/v1 with a token the administrator issues:
/// (HTTP status, answer).
async fn api_conclude(admin: &Client, case_id: &str) -> (u16, Value) {
    let issued: Value = admin
        .http
        .post(format!("{}/rpc/issue_api_token", admin.base))
        .json(&serde_json::json!({ "name": "省信访信息系统", "scopes": ["cases:read", "cases:write"] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = issued["token"].as_str().expect("token issued");
    let url = format!("{}/api/v1/cases/{case_id}", admin.base);
    let record: Value = reqwest::Client::new()
        .get(&url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut case = record["case"].clone();
    case["status"] = Value::from("concluded");
    let body = serde_json::json!({ "version": record["version"], "case": case });
    let res = reqwest::Client::new()
        .put(&url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The refusal's open items, and its message as the case page shows it.
fn still_open(answer: &Value) -> (Value, String) {
    assert_eq!(answer["code"], "aftercare_refused", "{answer}");
    assert_eq!(answer["refusal"]["refusal"], "case_still_open", "{answer}");
    let error: app::error::ApiError = serde_json::from_value(answer.clone()).unwrap();
    (
        answer["refusal"]["open"].clone(),
        error.message(app::i18n::Lang::Zh),
    )
}

#[tokio::test]
async fn a_case_is_not_concluded_while_its_hearing_leaves_things_open() {
    let server = TestServer::start().await;
    let hearing = server.completed_hearing().await;
    let host = server.client("host").await;
    let admin = server.client("admin").await;
    let case_id = view(&host, &hearing).await["case_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The demo concluded the case; reopened to follow the hearing up.
    assert_eq!(case_draft(&admin, &case_id).await.1["status"], "concluded");
    assert_eq!(save_status(&admin, &case_id, "accepted", None).await.0, 200);

    // Visits scheduled, a commitment drafted, the petitioner unhappy on a call.
    let visits = decide_today(&host, &hearing).await;
    let words = [
        ("hearing_id", hearing.as_str()),
        ("agency_text", "三十日内复核结算口径并书面告知信访人"),
        ("petitioner_text", "复核结果作出后不再就此事重复信访"),
    ];
    assert_eq!(host.rpc("draft_commitment", &words).await.status(), 200);
    let call = [
        ("hearing_id", hearing.as_str()),
        ("rating", "dissatisfied"),
        ("comment", "电话回访：对复核进度不满"),
    ];
    assert_eq!(host.rpc("rate_handling", &call).await.status(), 200);

    let (status, answer) = save_status(&admin, &case_id, "concluded", None).await;
    assert_eq!(status, 409, "{answer}");
    let (open, message) = still_open(&answer);
    assert_eq!(
        open,
        serde_json::json!({
            "petitioner_dissatisfied": true,
            "visits_open": true,
            "commitment_unconfirmed": true
        })
    );
    assert_eq!(
        message,
        "按“三个不结案”的规定，本案暂不能办结：信访人不满意、回访未完成、双向承诺书未经双方确认"
    );
    // The same rule through /api/v1 (a provincial system closing the case).
    let (status, answer) = api_conclude(&admin, &case_id).await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["code"], "aftercare_refused", "{answer}");
    let (_, draft) = case_draft(&admin, &case_id).await;
    assert_eq!(draft["status"], "accepted", "nothing was saved");
    // Any other edit of the open case goes through.
    let (status, saved) = save_status(
        &admin,
        &case_id,
        "accepted",
        Some("医疗费用报销争议（复核中）"),
    )
    .await;
    assert_eq!(status, 200, "{saved}");

    // Each item closes on its own: the latest rating counts …
    let content = [
        ("hearing_id", hearing.as_str()),
        ("rating", "fairly_satisfied"),
        ("comment", "复核后基本满意"),
    ];
    assert_eq!(host.rpc("rate_handling", &content).await.status(), 200);
    let (status, answer) = save_status(&admin, &case_id, "concluded", None).await;
    assert_eq!(status, 409);
    let (_, message) = still_open(&answer);
    assert!(
        message.ends_with("：回访未完成、双向承诺书未经双方确认"),
        "{message}"
    );
    // … both sides confirm the commitment …
    for (kind, name) in [("petitioner", "蒋秀兰"), ("agency", "海宁市医疗保障局")] {
        let party = server.party(&hearing, kind, name).await;
        assert_eq!(party.rpc("confirm_commitment", &words).await.status(), 200);
    }
    let (status, answer) = save_status(&admin, &case_id, "concluded", None).await;
    assert_eq!(status, 409);
    assert!(still_open(&answer).1.ends_with("：回访未完成"));
    // … and every visit is made: then the case is concluded.
    let today_text = today().to_string();
    for visit in &visits {
        let form = [
            ("follow_up_id", visit.as_str()),
            ("done_on", today_text.as_str()),
            ("note", "电话回访：复核已完成，信访人认可"),
        ];
        assert_eq!(host.rpc("record_visit", &form).await.status(), 200);
    }
    let (status, saved) = save_status(&admin, &case_id, "concluded", None).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["case"]["status"], "concluded");
    server.finish().await;
}

#[tokio::test]
async fn the_closing_rule_leaves_other_changes_and_cases_without_hearings_alone() {
    let server = TestServer::start().await;
    let admin = server.client("admin").await;
    // An imported case, concluded with a visit still to make: edited as it is.
    let task = open_visits(&admin, true).await[0].clone();
    let hearing = task["hearing_id"].as_str().unwrap();
    let case_id = view(&admin, hearing).await["case_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, draft) = case_draft(&admin, &case_id).await;
    assert_eq!(draft["status"], "concluded");
    let (status, saved) = save_status(
        &admin,
        &case_id,
        "concluded",
        Some("历史案件（已更正标题）"),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    // Reopened, it is not concluded again while the visit is open.
    assert_eq!(save_status(&admin, &case_id, "accepted", None).await.0, 200);
    let (status, answer) = save_status(&admin, &case_id, "concluded", None).await;
    assert_eq!(status, 409);
    assert_eq!(still_open(&answer).0["visits_open"], true);
    // 不予受理 is not closing after a hearing's follow-up.
    assert_eq!(
        save_status(&admin, &case_id, "not_accepted", None).await.0,
        200
    );

    // A case without hearings is concluded as before.
    let mut fresh = draft.clone();
    fresh["number"] = Value::from("海宁信访〔2026〕901号");
    fresh["status"] = Value::from("accepted");
    let body = serde_json::json!({ "case_id": null, "version": 0, "draft": fresh });
    let (status, created) = TestServer::json_rpc(&admin, "save_case", body).await;
    assert_eq!(status, 200, "{created}");
    let fresh_id = created["id"].as_str().unwrap();
    let (status, saved) = save_status(&admin, fresh_id, "concluded", None).await;
    assert_eq!(status, 200, "{saved}");
    server.finish().await;
}

#[tokio::test]
async fn a_concluded_case_rated_dissatisfied_afterwards_is_flagged_on_its_pages() {
    let server = TestServer::start().await;
    let hearing = server.completed_hearing().await;
    let host = server.client("host").await;
    let v = view(&host, &hearing).await;
    let case_id = v["case_id"].as_str().unwrap().to_owned();
    assert!(v["case_still_open"].is_null());

    // Nothing open yet (no outcome, no visit, no rating): the case is closed.
    let detail = |case_id: String| {
        let host = &host;
        async move {
            let res = host
                .rpc("case_detail", &[("case_id", case_id.as_str())])
                .await;
            assert_eq!(res.status(), 200);
            res.json::<Value>().await.unwrap()
        }
    };
    let case = detail(case_id.clone()).await;
    let mut draft = case["record"]["case"].clone();
    draft["status"] = "concluded".into();
    let body = serde_json::json!({
        "case_id": case_id,
        "version": case["record"]["version"],
        "draft": draft,
    });
    let (status, answer) = TestServer::json_rpc(&host, "save_case", body).await;
    assert_eq!(status, 200, "{answer}");
    assert!(detail(case_id.clone()).await["still_open"].is_null());

    // Then the petitioner says on the phone she is not satisfied.
    let form = [
        ("hearing_id", hearing.as_str()),
        ("rating", "dissatisfied"),
        ("comment", "复核至今未落实"),
    ];
    assert_eq!(host.rpc("rate_handling", &form).await.status(), 200);
    let case = detail(case_id.clone()).await;
    assert_eq!(
        case["record"]["case"]["status"], "concluded",
        "not reopened behind anyone's back"
    );
    assert_eq!(
        case["still_open"]["petitioner_dissatisfied"], true,
        "{case}"
    );
    let v = view(&host, &hearing).await;
    assert_eq!(v["case_still_open"]["petitioner_dissatisfied"], true);
    server.finish().await;
}
