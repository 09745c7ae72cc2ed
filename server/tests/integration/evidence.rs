//! Evidence intake (#6): parties file from their invitation, the host releases,
//! visibility per place, custody, 质证, hostile files, integrity.

#![allow(clippy::unwrap_used)]

use crate::common::{Client, TestServer};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// A 1×1 PNG; `salt` is appended after IEND so each call can differ in hash.
fn png(salt: &str) -> Vec<u8> {
    use base64::Engine;
    let mut bytes = base64::engine::general_purpose::STANDARD
        .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
        .unwrap();
    bytes.extend_from_slice(salt.as_bytes());
    bytes
}

/// A small, well-formed PDF (correct xref) with `catalog_extra` in its catalog.
fn pdf(catalog_extra: &str) -> Vec<u8> {
    pdf_of(&[
        format!("<< /Type /Catalog /Pages 2 0 R {catalog_extra}>>"),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>".to_owned(),
    ])
}

/// A PDF of these objects (numbered from 1, the first the catalog) with a correct xref.
fn pdf_of(objects: &[String]) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        out.extend(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A DOCX-shaped archive; `bomb_bytes` of zeros in one entry make it a zip bomb.
fn docx(bomb_bytes: usize) -> Vec<u8> {
    use std::io::Write;
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("[Content_Types].xml", options).unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?><Types/>").unwrap();
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?><w:document/>")
        .unwrap();
    if bomb_bytes > 0 {
        zip.start_file("word/media/padding.bin", options).unwrap();
        let zeros = vec![0u8; 1024 * 1024];
        let mut left = bomb_bytes;
        while left > 0 {
            let n = left.min(zeros.len());
            zip.write_all(&zeros[..n]).unwrap();
            left -= n;
        }
    }
    zip.finish().unwrap();
    out.into_inner()
}

async fn evidence(client: &Client, hearing_id: &str) -> Value {
    let res = client
        .rpc("evidence_list", &[("hearing_id", hearing_id)])
        .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn labels(page: &Value) -> Vec<String> {
    page["exhibits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["exhibit"]["label"].as_str().unwrap().to_owned())
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

fn stored_files(root: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, &mut out);
    out
}

#[tokio::test]
async fn a_party_files_evidence_and_the_host_releases_it_to_the_panel() {
    let server = TestServer::start().await;
    let held = server.todays_hearing().await;
    let petitioner = server.party(&held, "petitioner", "张三").await;
    let agency = server.party(&held, "agency", "住建局").await;
    let host = server.client("host").await;
    let juror = server.client("juror").await;

    let photo = png("receipt");
    let (status, first) = petitioner
        .upload(&held, None, "工资欠条照片", "欠条.png", photo.clone())
        .await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["label"], "申-1");
    assert_eq!(first["sha256"], sha256_hex(&photo));
    assert_eq!(first["size_bytes"], photo.len());
    assert_eq!(first["kind"], "png");
    assert_eq!(first["submitted_by_name"], "张三");
    let (status, second) = petitioner
        .upload(&held, None, "劳动合同", "合同.pdf", pdf(""))
        .await;
    assert_eq!(status, 201, "{second}");
    assert_eq!(second["label"], "申-2");
    // A party files only for its own side.
    let (status, _) = petitioner
        .upload(&held, Some("agency"), "冒名", "x.png", png("x"))
        .await;
    assert_eq!(status, 403);
    let (status, agency_first) = agency
        .upload(&held, None, "情况说明", "说明.pdf", pdf("/Lang (zh-CN) "))
        .await;
    assert_eq!(status, 201, "{agency_first}");
    assert_eq!(agency_first["label"], "被-1");

    // Before the host decides: each side sees its own, the panel nothing.
    assert_eq!(
        labels(&evidence(&petitioner, &held).await),
        ["申-1", "申-2"]
    );
    assert_eq!(labels(&evidence(&agency, &held).await), ["被-1"]);
    assert!(labels(&evidence(&juror, &held).await).is_empty());
    let all = evidence(&host, &held).await;
    assert_eq!(labels(&all), ["申-1", "申-2", "被-1"]);
    assert_eq!(all["may_manage"], true);
    let first_id = first["id"].as_str().unwrap();
    let file_path = format!("/exhibits/{first_id}/file");
    assert_eq!(juror.get(&file_path).await.status(), 404);
    assert_eq!(agency.get(&file_path).await.status(), 404);
    assert_eq!(server.client("").await.get(&file_path).await.status(), 404);

    // Only the host releases; then the panel sees and opens it.
    let release = [
        ("exhibit_id", first_id),
        ("what", "release_to_panel"),
        ("on", "true"),
    ];
    assert_eq!(
        petitioner.rpc("switch_exhibit", &release).await.status(),
        403
    );
    assert_eq!(host.rpc("switch_exhibit", &release).await.status(), 200);
    assert_eq!(labels(&evidence(&juror, &held).await), ["申-1"]);
    let served = juror.get(&file_path).await;
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.headers()["x-content-type-options"], "nosniff");
    let disposition = served.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("inline; "), "{disposition}");
    assert!(
        served.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert_eq!(served.bytes().await.unwrap().as_ref(), photo.as_slice());
    let download = juror.get(&format!("{file_path}?download=1")).await;
    assert!(
        download.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; ")
    );

    // 质证: the panel member disputes it; the host sees it challenged.
    let opinion = json!({
        "exhibit_id": first_id,
        "opinion": {"authenticity": "dispute", "legality": "agree", "relevance": "agree", "comment": "欠条无落款日期"}
    });
    let (status, body) = TestServer::json_rpc(&juror, "give_exhibit_opinion", opinion).await;
    assert_eq!(status, 200, "{body}");
    let all = evidence(&host, &held).await;
    assert_eq!(all["exhibits"][0]["challenged"], true);
    assert_eq!(all["exhibits"][0]["opinions"][0]["author_role"], "juror");
    // The other side cannot opine on what it cannot see.
    let hidden = json!({
        "exhibit_id": second["id"],
        "opinion": {"authenticity": "agree", "legality": "agree", "relevance": "agree", "comment": ""}
    });
    assert_eq!(
        TestServer::json_rpc(&agency, "give_exhibit_opinion", hidden)
            .await
            .0,
        404
    );

    // Withdrawing keeps the file and the record; only the own side or the host may.
    let second_id = second["id"].as_str().unwrap();
    let withdraw = [("exhibit_id", second_id), ("reason", "提交错误")];
    assert_eq!(
        agency.rpc("withdraw_exhibit", &withdraw).await.status(),
        404
    );
    assert_eq!(
        petitioner.rpc("withdraw_exhibit", &withdraw).await.status(),
        200
    );
    let mine = evidence(&petitioner, &held).await;
    assert_eq!(mine["exhibits"][1]["exhibit"]["status"], "withdrawn");
    assert_eq!(
        host.get(&format!("/exhibits/{second_id}/file"))
            .await
            .status(),
        200
    );

    // The chain of custody records every step, in order.
    let custody: Value = host
        .rpc("exhibit_custody", &[("exhibit_id", first_id)])
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = custody
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "submitted",
            "released_to_panel",
            "viewed",
            "viewed",
            "opinion",
            "challenged"
        ]
    );
    assert_eq!(
        petitioner
            .rpc("exhibit_custody", &[("exhibit_id", first_id)])
            .await
            .status(),
        403
    );

    // The minutes list the exhibits with their hashes and the 质证 opinions.
    let minutes = host.get(&format!("/hearings/{held}/minutes.pdf")).await;
    assert_eq!(minutes.status(), 200);
    let pdf = minutes.bytes().await.unwrap();
    if let Some(text) = crate::common::pdf_text(&pdf) {
        let text = text.replace(['\n', ' '], "");
        for expected in [
            "证据清单及质证意见",
            "申-1工资欠条照片",
            "欠条无落款日期",
            "合法性：无异议",
        ] {
            assert!(
                text.contains(expected),
                "{expected} missing from the minutes:\n{text}"
            );
        }
        assert!(text.contains(&sha256_hex(&photo)[..16]));
    }

    // The same bytes filed again are a new exhibit but one stored file.
    let (status, again) = host
        .upload(
            &held,
            Some("office"),
            "欠条复印件",
            "copy.png",
            photo.clone(),
        )
        .await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again["label"], "听-1");
    let blobs = stored_files(&server.data_dir().join("evidence/sha256"));
    assert_eq!(blobs.len(), 3, "{blobs:?}");
    server.finish().await;
}

/// The exhibit's chain of custody as the host reads it.
async fn custody_of(host: &Client, exhibit_id: &str) -> Vec<Value> {
    let res = host
        .rpc("exhibit_custody", &[("exhibit_id", exhibit_id)])
        .await;
    assert_eq!(res.status(), 200);
    res.json::<Value>()
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn actions(custody: &[Value]) -> Vec<&str> {
    custody
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect()
}

/// The one custody entry of `action` (there must be exactly one).
fn entry<'a>(custody: &'a [Value], action: &str) -> &'a Value {
    let found: Vec<&Value> = custody.iter().filter(|c| c["action"] == action).collect();
    assert_eq!(found.len(), 1, "one {action} entry in {custody:?}");
    found[0]
}

/// Calls a server function and returns (status, body as JSON or null).
async fn call(who: &Client, name: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let res = who.rpc(name, form).await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// 向各方公开 on or off.
async fn share(who: &Client, exhibit_id: &str, on: bool) -> (u16, Value) {
    let on = if on { "true" } else { "false" };
    let form = [
        ("exhibit_id", exhibit_id),
        ("what", "share_with_parties"),
        ("on", on),
    ];
    call(who, "switch_exhibit", &form).await
}

/// A refusal's message as the page shows it to a Chinese reader.
fn message_zh(body: &Value) -> String {
    let error: app::error::ApiError = serde_json::from_value(body.clone()).unwrap();
    error.message(app::i18n::Lang::Zh)
}

#[tokio::test]
async fn an_exhibit_shared_with_the_parties_reaches_the_other_side_only() {
    let server = TestServer::start().await;
    let held = server.todays_hearing().await;
    app::db::hearings::set_public(&server.db, &held, true)
        .await
        .unwrap();
    let petitioner = server.party(&held, "petitioner", "张三").await;
    let agency = server.party(&held, "agency", "住建局").await;
    let host = server.client("host").await;
    let juror = server.client("juror").await;
    let observer = server.client("").await;
    let photo = png("shared");
    let (status, filed) = petitioner
        .upload(&held, None, "工资欠条照片", "欠条.png", photo.clone())
        .await;
    assert_eq!(status, 201, "{filed}");
    let id = filed["id"].as_str().unwrap();
    let file_path = format!("/exhibits/{id}/file");
    let hidden_from = async |who: &Client| {
        labels(&evidence(who, &held).await).is_empty() && who.get(&file_path).await.status() == 404
    };
    assert!(hidden_from(&agency).await);

    // Only the host shares (证据交换).
    assert_eq!(share(&petitioner, id, true).await.0, 403);
    assert_eq!(share(&host, id, true).await.0, 200);
    assert_eq!(labels(&evidence(&agency, &held).await), ["申-1"]);
    let served = agency.get(&format!("{file_path}?download=1")).await;
    assert_eq!(served.status(), 200);
    assert_eq!(served.bytes().await.unwrap().as_ref(), photo.as_slice());
    // Shared with the parties is not released to the panel, nor shown to the public.
    assert!(hidden_from(&juror).await);
    assert!(hidden_from(&observer).await);

    // Unsharing takes it back from the other side; its own side keeps it.
    assert_eq!(share(&host, id, false).await.0, 200);
    assert!(hidden_from(&agency).await);
    assert_eq!(labels(&evidence(&petitioner, &held).await), ["申-1"]);

    // Shared again, then withdrawn: gone from the other side, and not shared again.
    assert_eq!(share(&host, id, true).await.0, 200);
    assert_eq!(labels(&evidence(&agency, &held).await), ["申-1"]);
    let withdraw = [("exhibit_id", id), ("reason", "提交错误")];
    assert_eq!(
        call(&petitioner, "withdraw_exhibit", &withdraw).await.0,
        200
    );
    assert!(hidden_from(&agency).await);
    let (status, body) = share(&host, id, true).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("exhibit_withdrawn"))
    );

    let custody = custody_of(&host, id).await;
    assert_eq!(
        actions(&custody),
        [
            "submitted",
            "shared_with_parties",
            "viewed",
            "shared_with_parties",
            "shared_with_parties",
            "withdrawn"
        ]
    );
    let details: Vec<&str> = custody
        .iter()
        .filter(|c| c["action"] == "shared_with_parties")
        .map(|c| c["detail"].as_str().unwrap())
        .collect();
    assert_eq!(details, ["是", "撤销", "是"]);
    let viewed = entry(&custody, "viewed");
    assert_eq!(
        (viewed["actor_name"].as_str(), viewed["detail"].as_str()),
        (Some("住建局"), Some("下载"))
    );
    assert_eq!(entry(&custody, "withdrawn")["detail"], "提交错误");
    server.finish().await;
}

#[tokio::test]
async fn only_the_host_admits_and_every_step_joins_the_custody_trail() {
    let server = TestServer::start().await;
    let held = server.todays_hearing().await;
    let petitioner = server.party(&held, "petitioner", "张三").await;
    let host = server.client("host").await;
    let (status, filed) = petitioner
        .upload(&held, None, "劳动合同", "合同.pdf", pdf(""))
        .await;
    assert_eq!(status, 201, "{filed}");
    let id = filed["id"].as_str().unwrap();
    let admit = [("exhibit_id", id)];

    // 采纳 is the host's: not even the side that filed it admits it.
    let (status, body) = call(&petitioner, "admit_exhibit", &admit).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")));
    assert_eq!(call(&host, "admit_exhibit", &admit).await.0, 200);
    let page = evidence(&host, &held).await;
    assert_eq!(page["exhibits"][0]["exhibit"]["status"], "admitted");

    // Shown in the sitting hearing and shared with the parties.
    let step = json!({"hearing_id": held, "step": {"step": "start"}});
    assert_eq!(
        TestServer::json_rpc(&host, "step_procedure", step).await.0,
        200
    );
    let (status, seq) = call(&host, "show_exhibit", &admit).await;
    assert_eq!(status, 200, "{seq}");
    assert_eq!(share(&host, id, true).await.0, 200);

    // Withdrawn by the host with a reason: it cannot be admitted again.
    let withdraw = [("exhibit_id", id), ("reason", "与申-2 重复")];
    assert_eq!(call(&host, "withdraw_exhibit", &withdraw).await.0, 200);
    let (status, body) = call(&host, "admit_exhibit", &admit).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("exhibit_withdrawn"))
    );
    assert_eq!(message_zh(&body), "该证据已撤回，不能再展示、采纳或质证");
    let page = evidence(&host, &held).await;
    assert_eq!(page["exhibits"][0]["exhibit"]["status"], "withdrawn");

    // The trail holds each step once, in order; the refused admission left none.
    let custody = custody_of(&host, id).await;
    assert_eq!(
        actions(&custody),
        [
            "submitted",
            "admitted",
            "shown_live",
            "shared_with_parties",
            "withdrawn"
        ]
    );
    for action in ["admitted", "shown_live", "shared_with_parties", "withdrawn"] {
        assert_eq!(entry(&custody, action)["actor_name"], "张主持", "{action}");
    }
    assert_eq!(
        entry(&custody, "shown_live")["detail"],
        format!("事件 #{seq}")
    );
    assert_eq!(entry(&custody, "shared_with_parties")["detail"], "是");
    assert_eq!(entry(&custody, "withdrawn")["detail"], "与申-2 重复");
    server.finish().await;
}

/// The held demo hearing and its host, for one attack each.
async fn under_attack() -> (TestServer, String, Client) {
    let server = TestServer::start().await;
    let held = server.todays_hearing().await;
    let host = server.client("host").await;
    (server, held, host)
}

/// The refusal's reason code (`{"code":"evidence_refused","reason":{"reason":…}}`).
fn refusal_reason(body: &Value) -> String {
    body["reason"]["reason"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Uploads as the office and asserts the refusal: its status and reason code.
/// Returns the refusal, for its message.
async fn assert_refused(
    host: &Client,
    held: &str,
    title: &str,
    name: &str,
    bytes: Vec<u8>,
    expected: (u16, &str),
) -> Value {
    let (status, body) = host.upload(held, Some("office"), title, name, bytes).await;
    assert_eq!((status, refusal_reason(&body).as_str()), expected, "{body}");
    body
}

/// Refused uploads leave nothing behind in staging.
fn assert_staging_empty(server: &TestServer) {
    assert!(stored_files(&server.data_dir().join("evidence/staging")).is_empty());
}

#[tokio::test]
async fn an_oversized_file_is_refused_while_streaming_and_the_hearing_cap_holds() {
    let (server, held, host) = under_attack().await;
    // Over the per-file cap (2 MB in the tests).
    let mut big = png("big");
    big.resize(2 * 1024 * 1024 + 10, 0);
    let refusal = assert_refused(
        &host,
        &held,
        "大文件",
        "big.png",
        big,
        (413, "file_too_large"),
    )
    .await;
    // The page shows the citizen what to do, with the office's cap.
    assert_eq!(
        message_zh(&refusal),
        "文件超过 2 MB 的上限，请压缩或分成几份后再提交"
    );
    // The hearing's cap (5 MB in the tests).
    for i in 0..2 {
        let mut chunk = png(&format!("part{i}"));
        chunk.resize(1900 * 1024, 1);
        let (status, body) = host
            .upload(&held, Some("office"), "分卷", "p.png", chunk)
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let mut last = png("last");
    last.resize(1900 * 1024, 2);
    let refusal = assert_refused(&host, &held, "分卷", "p.png", last, (413, "hearing_full")).await;
    let message = message_zh(&refusal);
    assert!(message.contains("再提交将超过 5 MB 的总上限"), "{message}");
    assert_staging_empty(&server);
    server.finish().await;
}

#[tokio::test]
async fn a_web_page_named_pdf_is_refused_by_its_bytes() {
    let (server, held, host) = under_attack().await;
    assert_refused(
        &host,
        &held,
        "伪装",
        "证据.pdf",
        b"<!DOCTYPE html><script>alert(1)</script>".to_vec(),
        (422, "markup"),
    )
    .await;
    assert_staging_empty(&server);
    server.finish().await;
}

#[tokio::test]
async fn an_svg_with_a_script_is_refused() {
    let (server, held, host) = under_attack().await;
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>"#;
    for name in ["photo.png", "image.svg"] {
        assert_refused(&host, &held, "图片", name, svg.to_vec(), (422, "markup")).await;
    }
    assert_staging_empty(&server);
    server.finish().await;
}

#[tokio::test]
async fn a_pdf_with_javascript_or_hidden_objects_is_refused() {
    let (server, held, host) = under_attack().await;
    // A PDF that runs JavaScript when opened.
    let active = pdf("/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >> ");
    assert_refused(
        &host,
        &held,
        "脚本",
        "a.pdf",
        active,
        (422, "pdf_active_content"),
    )
    .await;
    // A password-protected PDF hides its objects from the check: refused as unreadable.
    let locked = String::from_utf8(pdf(""))
        .unwrap()
        .replace(
            "/Root 1 0 R",
            "/Root 1 0 R /Encrypt << /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>",
        )
        .into_bytes();
    assert_refused(
        &host,
        &held,
        "加密",
        "locked.pdf",
        locked,
        (422, "unreadable"),
    )
    .await;
    assert_staging_empty(&server);
    server.finish().await;
}

/// A one-page PDF whose page has object 4 (an annotation, or an action the
/// catalog refers to) beside `catalog_extra` in its catalog.
fn pdf_with_object(catalog_extra: &str, object_4: &str) -> Vec<u8> {
    pdf_of(&[
        format!("<< /Type /Catalog /Pages 2 0 R {catalog_extra}>>"),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [4 0 R] >>".to_owned(),
        object_4.to_owned(),
    ])
}

#[tokio::test]
async fn a_pdf_that_acts_is_refused_naming_what_it_does() {
    let (server, held, host) = under_attack().await;
    let link =
        |action: &str| format!("<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A {action} >>");
    let widget = "<< /Type /Annot /Subtype /Widget /Rect [0 0 10 10] >>".to_owned();
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        (
            "XFA 表单",
            pdf_with_object("/AcroForm << /Fields [4 0 R] /XFA 4 0 R >> ", &widget),
            "xfa",
            "XFA",
        ),
        (
            "网址",
            pdf_with_object("", &link("<< /S /URI /URI (http://example.invalid/) >>")),
            "open_url",
            "网址",
        ),
        (
            "提交",
            pdf_with_object(
                "",
                &link("<< /S /SubmitForm /F (http://example.invalid/) >>"),
            ),
            "submit_form",
            "提交表单",
        ),
        (
            "导入",
            pdf_with_object("", &link("<< /S /ImportData /F (data.fdf) >>")),
            "import_data",
            "导入",
        ),
        (
            "播放器",
            pdf_with_object(
                "",
                "<< /Type /Annot /Subtype /RichMedia /Rect [0 0 10 10] >>",
            ),
            "rich_media",
            "多媒体",
        ),
        (
            "自动动作",
            pdf_with_object("/OpenAction 4 0 R ", "<< /S /Named /N /Print >>"),
            "automatic_action",
            "自动执行",
        ),
        (
            "页面动作",
            pdf_with_object(
                "",
                "<< /Type /Annot /Subtype /Widget /Rect [0 0 10 10] /AA << /Fo << /S /Named /N /NextPage >> >> >>",
            ),
            "automatic_action",
            "自动执行",
        ),
    ];
    for (title, bytes, feature, words) in cases {
        let body = assert_refused(
            &host,
            &held,
            title,
            "doc.pdf",
            bytes,
            (422, "pdf_active_content"),
        )
        .await;
        assert_eq!(body["reason"]["feature"], feature, "{title}: {body}");
        let message = message_zh(&body);
        assert!(message.contains(words), "{title}: {message}");
    }
    // Attachments have their own advice.
    let attached = pdf_with_object(
        "/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >> ",
        "<< /Type /Filespec /F (a.exe) >>",
    );
    assert_refused(
        &host,
        &held,
        "附件",
        "att.pdf",
        attached,
        (422, "pdf_attachments"),
    )
    .await;
    assert_staging_empty(&server);
    // Plain documents still pass: opening at page one, a link to another page.
    let (status, body) = host
        .upload(
            &held,
            Some("office"),
            "普通文档",
            "plain.pdf",
            pdf_with_object(
                "/OpenAction [3 0 R /Fit] ",
                &link("<< /S /GoTo /D [3 0 R /Fit] >>"),
            ),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    server.finish().await;
}

#[tokio::test]
async fn a_zip_bomb_dressed_as_docx_is_refused_and_an_honest_docx_accepted() {
    let (server, held, host) = under_attack().await;
    // 16 MB of zeros in a few KB.
    let bomb = docx(16 * 1024 * 1024);
    assert!(bomb.len() < 100 * 1024, "the bomb is small: {}", bomb.len());
    assert_refused(&host, &held, "炸弹", "report.docx", bomb, (422, "zip_bomb")).await;
    assert_staging_empty(&server);
    let (status, body) = host
        .upload(&held, Some("office"), "调查报告", "report.docx", docx(0))
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["kind"], "docx");
    server.finish().await;
}

#[tokio::test]
async fn paths_and_control_characters_in_names_never_reach_the_disk_or_the_downloader() {
    let (server, held, host) = under_attack().await;
    // The name is cleaned, the file is stored by hash only, nothing is written
    // outside the store.
    let (status, body) = host
        .upload(
            &held,
            Some("office"),
            "名称",
            "../../etc/\u{202e}gnp.\tevil.png",
            png("name"),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["file_name"], "gnp.evil.png");
    assert!(!server.data_dir().join("etc").exists());
    // Line breaks in a part's header break the form itself: a clear 400.
    let (status, body) = host
        .upload(&held, Some("office"), "名称", "a\r\nb.png", png("crlf"))
        .await;
    assert_eq!((status, body["code"].as_str()), (400, Some("bad_request")));
    // The uploader's extension never reaches the downloader.
    let (status, body) = host
        .upload(&held, Some("office"), "程序", "evil.hta", png("hta"))
        .await;
    assert_eq!(status, 201, "{body}");
    let served = host
        .get(&format!(
            "/exhibits/{}/file?download=1",
            body["id"].as_str().unwrap()
        ))
        .await;
    let disposition = served.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.ends_with("evil.png"), "{disposition}");
    assert_staging_empty(&server);
    server.finish().await;
}

#[tokio::test]
async fn an_upload_needs_a_title_a_side_and_a_filer() {
    let (server, held, host) = under_attack().await;
    assert_refused(
        &host,
        &held,
        "  ",
        "a.png",
        png("t"),
        (422, "title_missing"),
    )
    .await;
    let (status, _) = host
        .upload(&held, Some("court"), "x", "a.png", png("s"))
        .await;
    assert_eq!(status, 400);
    // An archivist reads evidence but files none; a panel member neither.
    let (status, _) = server
        .client("archivist")
        .await
        .upload(&held, Some("office"), "x", "a.png", png("c"))
        .await;
    assert_eq!(status, 403);
    let (status, _) = server
        .client("juror")
        .await
        .upload(&held, None, "x", "a.png", png("j"))
        .await;
    assert_eq!(status, 403);
    let (status, _) = server
        .client("")
        .await
        .upload(&held, None, "x", "a.png", png("a"))
        .await;
    assert_eq!(status, 401);
    assert_staging_empty(&server);
    server.finish().await;
}

/// Where the store keeps the file of this SHA-256.
fn stored_path(server: &TestServer, sha: &str) -> PathBuf {
    server
        .data_dir()
        .join("evidence/sha256")
        .join(&sha[..2])
        .join(&sha[2..4])
        .join(sha)
}

/// 完整性校验 by the host: the report.
async fn check_evidence(host: &Client, held: &str) -> Value {
    let (status, report) = call(host, "check_evidence", &[("hearing_id", held)]).await;
    assert_eq!(status, 200, "{report}");
    report
}

#[tokio::test]
async fn a_flipped_byte_in_a_stored_file_is_reported() {
    let server = TestServer::start().await;
    let held = server.todays_hearing().await;
    let host = server.client("host").await;
    let (_, exhibit) = host
        .upload(&held, Some("office"), "照片", "a.png", png("flip"))
        .await;
    let sha = exhibit["sha256"].as_str().unwrap().to_owned();
    let report: Value = host
        .rpc("check_evidence", &[("hearing_id", &held)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["checked"], 1);
    assert!(report["faults"].as_array().unwrap().is_empty());
    let cli = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_pingyi"))
            .arg("verify-evidence")
            .args(extra)
            .env("DATABASE_URL", &server.database_url)
            .env("PINGYI_DATA_DIR", server.data_dir())
            .env("RUST_LOG", "off")
            .output()
            .unwrap()
    };
    let clean = cli(&[]);
    assert!(clean.status.success(), "{clean:?}");
    assert!(String::from_utf8_lossy(&clean.stdout).contains("一致"));

    let stored = stored_path(&server, &sha);
    let mut bytes = std::fs::read(&stored).unwrap();
    bytes[20] ^= 0x01;
    std::fs::write(&stored, bytes).unwrap();
    let report: Value = host
        .rpc("check_evidence", &[("hearing_id", &held)])
        .await
        .json()
        .await
        .unwrap();
    let flagged = cli(&["--hearing", &held]);
    assert_eq!(flagged.status.code(), Some(1), "{flagged:?}");
    assert!(String::from_utf8_lossy(&flagged.stdout).contains("不一致"));
    let fault = &report["faults"][0];
    assert_eq!(fault[0], "听-1");
    assert_eq!(fault[1], sha);
    assert!(
        fault[2]["Altered"]["actual"]
            .as_str()
            .is_some_and(|a| a != sha)
    );
    // Jurors and parties do not run checks.
    assert_eq!(
        server
            .client("juror")
            .await
            .rpc("check_evidence", &[("hearing_id", &held)])
            .await
            .status(),
        403
    );
    server.finish().await;
}

#[tokio::test]
async fn uploading_the_same_bytes_again_repairs_a_damaged_stored_file() {
    let server = TestServer::start().await;
    let held = server.todays_hearing().await;
    let host = server.client("host").await;
    let photo = png("repair");
    let (status, first) = host
        .upload(&held, Some("office"), "照片", "a.png", photo.clone())
        .await;
    assert_eq!(status, 201, "{first}");
    let sha = first["sha256"].as_str().unwrap().to_owned();
    let stored = stored_path(&server, &sha);
    let mut damaged = photo.clone();
    damaged[20] ^= 0x01;
    std::fs::write(&stored, damaged).unwrap();
    let report = check_evidence(&host, &held).await;
    assert_eq!(report["faults"][0][0], "听-1");

    // The office files the same bytes again (from its own copy): the stored file
    // is replaced by the intact upload, still one file under its hash.
    let (status, again) = host
        .upload(
            &held,
            Some("office"),
            "照片（重新提交）",
            "a.png",
            photo.clone(),
        )
        .await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again["sha256"], sha);
    assert_eq!(sha256_hex(&std::fs::read(&stored).unwrap()), sha);
    assert_eq!(
        stored_files(&server.data_dir().join("evidence/sha256")),
        [stored]
    );
    assert_staging_empty(&server);
    let report = check_evidence(&host, &held).await;
    assert_eq!(report["checked"], 2);
    assert!(report["faults"].as_array().unwrap().is_empty(), "{report}");
    let custody = custody_of(&host, first["id"].as_str().unwrap()).await;
    let checks: Vec<&str> = custody
        .iter()
        .filter(|c| c["action"] == "integrity_checked")
        .map(|c| c["detail"].as_str().unwrap())
        .collect();
    assert_eq!(checks.len(), 2, "{custody:?}");
    assert!(checks[0].starts_with("不一致"), "{checks:?}");
    assert_eq!(checks[1], "一致");
    server.finish().await;
}

#[tokio::test]
async fn observers_see_only_what_is_shown_live() {
    let server = TestServer::start().await;
    let held = server.todays_hearing().await;
    app::db::hearings::set_public(&server.db, &held, true)
        .await
        .unwrap();
    let host = server.client("host").await;
    let (_, exhibit) = host
        .upload(&held, Some("office"), "现场照片", "a.png", png("live"))
        .await;
    let id = exhibit["id"].as_str().unwrap();
    let observer = server.client("").await;
    assert!(labels(&evidence(&observer, &held).await).is_empty());
    assert_eq!(
        observer.get(&format!("/exhibits/{id}/file")).await.status(),
        404
    );

    let head = app::db::hearings::head_seq(&server.db, &held)
        .await
        .unwrap()
        .unwrap_or(0);
    let step = json!({"hearing_id": held, "step": {"step": "start"}});
    assert_eq!(
        TestServer::json_rpc(&host, "step_procedure", step).await.0,
        200
    );
    let mut socket = observer.socket(&held, head + 1).await.unwrap();
    let shown = host.rpc("show_exhibit", &[("exhibit_id", id)]).await;
    assert_eq!(shown.status(), 200);
    let seq: u64 = shown.json().await.unwrap();
    assert_eq!(labels(&evidence(&observer, &held).await), ["听-1"]);
    assert_eq!(
        observer.get(&format!("/exhibits/{id}/file")).await.status(),
        200
    );
    // The room hears of it after the commit, with the number and hash.
    let event = loop {
        use futures::StreamExt;
        let msg = tokio::time::timeout(std::time::Duration::from_secs(2), socket.next())
            .await
            .expect("a frame within 2 s")
            .expect("socket open")
            .unwrap();
        let tokio_tungstenite::tungstenite::Message::Text(text) = msg else {
            continue;
        };
        if let app::protocol::ServerFrame::Event { event } =
            serde_json::from_str(text.as_str()).unwrap()
        {
            break event;
        }
    };
    assert_eq!(event.seq, seq);
    let app::domain::EventPayload::ExhibitShown { exhibit: shown, .. } = event.payload else {
        panic!("expected exhibit_shown, got {:?}", event.payload);
    };
    assert_eq!(shown.label, "听-1");
    assert_eq!(shown.sha256, exhibit["sha256"].as_str().unwrap());
    server.finish().await;
}

#[tokio::test]
async fn a_party_shows_its_own_exhibit_while_its_side_has_the_floor() {
    let server = TestServer::start().await;
    let held = server.todays_hearing().await;
    let host = server.client("host").await;
    let petitioner = server.party(&held, "petitioner", "张三").await;
    let agency = server.party(&held, "agency", "住建局").await;
    let (status, exhibit) = petitioner
        .upload(&held, None, "工资欠条照片", "欠条.png", png("floor"))
        .await;
    assert_eq!(status, 201, "{exhibit}");
    let id = exhibit["id"].as_str().unwrap();
    let show = async |who: &Client| {
        let res = who.rpc("show_exhibit", &[("exhibit_id", id)]).await;
        let status = res.status().as_u16();
        (status, res.json::<Value>().await.unwrap_or(Value::Null))
    };
    let page = evidence(&petitioner, &held).await;
    assert_eq!(page["exhibits"][0]["shows_on_own_floor"], true);

    // Nothing goes on the screens before the hearing sits, not even the host's.
    for who in [&petitioner, &host] {
        let (status, body) = show(who).await;
        assert_eq!((status, body["code"].as_str()), (409, Some("not_sitting")));
    }
    let step = json!({"hearing_id": held, "step": {"step": "start"}});
    assert_eq!(
        TestServer::json_rpc(&host, "step_procedure", step).await.0,
        200
    );
    let floor = json!({"hearing_id": held, "speaker": "住建局", "part": "agency", "minutes": 5});
    assert_eq!(
        TestServer::json_rpc(&host, "give_floor", floor).await.0,
        200
    );
    let (status, body) = show(&petitioner).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("not_your_floor"))
    );

    // With the floor, its own exhibit goes on the screens; never the other side's.
    let floor = json!({"hearing_id": held, "speaker": "张三", "part": "petitioner", "minutes": 5});
    assert_eq!(
        TestServer::json_rpc(&host, "give_floor", floor).await.0,
        200
    );
    let (status, body) = show(&petitioner).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = show(&agency).await;
    assert!(matches!(status, 403 | 404), "{status}");
    let page = evidence(&petitioner, &held).await;
    assert_eq!(page["exhibits"][0]["exhibit"]["shown_live"], true);

    // Its own PDF: it leafs through it while it speaks; the other side cannot.
    let (status, filed) = petitioner
        .upload(&held, None, "劳动合同", "合同.pdf", pdf(""))
        .await;
    assert_eq!(status, 201, "{filed}");
    let pdf_id = filed["id"].as_str().unwrap().to_owned();
    let res = petitioner
        .rpc("show_exhibit", &[("exhibit_id", &pdf_id)])
        .await;
    assert_eq!(res.status(), 200);
    // Read by the pages' pdf.js; opened on its own it downloads, sandboxed.
    let file = agency.get(&format!("/exhibits/{pdf_id}/file")).await;
    assert_eq!(file.status(), 200);
    let header = |name: &str| file.headers()[name].to_str().unwrap().to_owned();
    assert!(header("content-disposition").starts_with("attachment; "));
    assert!(header("content-security-policy").contains("sandbox"));
    assert_eq!(header("content-type"), "application/pdf");
    let turn = async |who: &Client| {
        let res = who
            .rpc(
                "turn_exhibit_page",
                &[("hearing_id", held.as_str()), ("page", "2")],
            )
            .await;
        let status = res.status().as_u16();
        (status, res.json::<Value>().await.unwrap_or(Value::Null))
    };
    assert_eq!(turn(&petitioner).await.0, 200);
    assert_eq!(turn(&agency).await.0, 403);
    let floor = json!({"hearing_id": held, "speaker": "住建局", "part": "agency", "minutes": 5});
    assert_eq!(
        TestServer::json_rpc(&host, "give_floor", floor).await.0,
        200
    );
    let (status, body) = turn(&petitioner).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("not_your_floor"))
    );
    assert_eq!(turn(&host).await.0, 200);
    server.finish().await;
}
