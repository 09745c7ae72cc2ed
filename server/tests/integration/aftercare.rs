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
        seen["no_repeat"]["count"], 32,
        "Haining's 32 of 34 in the demo year"
    );
    assert_eq!(seen["no_repeat"]["of"], 34);
    assert_eq!(
        rate(&seen, "repeat"),
        (2, 34),
        "重复信访率: the 2 of 34 petitioned again"
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
    assert_eq!(percent, "94.12%", "the demo year's 32 of 34");
    let repeat_percent = csv_percent(&text, "重复信访率");
    assert_eq!(repeat_percent, "5.88%", "the demo year's 2 of 34");
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
