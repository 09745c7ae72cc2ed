//! 纪要 (#9): the demo's completed hearing is finalised by its host; the signed
//! PDF is parsed back (pdftotext, pdffonts, pdfsig), validated by pyHanko, verified
//! by the page and by `pingyi verify-minutes`, and any flipped byte is caught by
//! the signature check itself. The log is sealed.
#![allow(clippy::unwrap_used)]

use crate::common::TestServer;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The venv Python with pyHanko (`make pdf-tools`: target/tools/pyhanko), named by
/// PINGYI_PYHANKO; unset fails under `make test` and skips loudly otherwise.
fn pyhanko_python() -> Option<PathBuf> {
    let python = std::env::var_os("PINGYI_PYHANKO").filter(|p| !p.is_empty());
    if python.is_none() {
        assert!(
            !crate::common::pdf_tools_required(),
            "PINGYI_PYHANKO unset and PINGYI_REQUIRE_PDF_TOOLS=1: run through `make test`"
        );
        eprintln!("!!! PINGYI_PYHANKO unset: the pyHanko check of the minutes is SKIPPED");
    }
    python.map(PathBuf::from)
}

/// pyHanko's verdict (server/tests/pyhanko_check.py) with the platform's
/// certificate as trust root: the exit code (0 accepted, 1 rejected) and its report.
fn pyhanko(python: &Path, pdf: &Path) -> (Option<i32>, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pyhanko_check.py");
    let cert = crate::common::signing_dir().join(server::signing::CERT_FILE);
    let out = Command::new(python)
        .arg(script)
        .arg(pdf)
        .arg(cert)
        .output()
        .unwrap_or_else(|e| panic!("PINGYI_PYHANKO {}: {e}", python.display()));
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code(), text)
}

fn run(name: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(name).args(args).output().expect(name);
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

/// `pingyi verify-minutes` against the test server's database and data dir, run
/// from another directory with no font configured: verifying needs none, and
/// nothing but the verdict may be printed (no warning about a font).
fn cli_verify(server: &TestServer, file: &Path) -> (bool, String) {
    let elsewhere = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pingyi"))
        .current_dir(elsewhere.path())
        .arg("--data-dir")
        .arg(server.data_dir())
        .arg("verify-minutes")
        .arg(file)
        .env("DATABASE_URL", &server.database_url)
        .env("PINGYI_SIGNING_DIR", crate::common::signing_dir())
        .env_remove("PINGYI_FONT")
        .env("RUST_LOG", "warn")
        .output()
        .expect("pingyi verify-minutes");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        !text.contains("字体") && !text.to_lowercase().contains("font"),
        "verifying printed noise about a font: {text}"
    );
    assert!(
        !text.contains("WARN"),
        "verifying printed a warning: {text}"
    );
    (out.status.success(), text)
}

async fn verify_page(server: &TestServer, bytes: Vec<u8>) -> String {
    let anyone = server.client("").await;
    let part = reqwest::multipart::Part::bytes(bytes).file_name("纪要.pdf");
    let res = anyone
        .http
        .post(format!("{}/verify", server.base))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    res.text().await.unwrap()
}

#[tokio::test]
async fn finalised_minutes_are_signed_archived_verifiable_and_seal_the_log() {
    let server = TestServer::start().await;
    let hearing = server.completed_hearing().await;
    let host = server.client("host").await;

    // The draft says so on every page.
    let draft = host.get(&format!("/hearings/{hearing}/minutes.pdf")).await;
    assert_eq!(draft.status(), 200);
    let draft = draft.bytes().await.unwrap().to_vec();
    let dir = tempfile::tempdir().unwrap();
    let draft_path = dir.path().join("draft.pdf");
    std::fs::write(&draft_path, &draft).unwrap();

    // A juror may not finalise; the host may.
    let juror_refused = server.client("juror").await;
    let status = juror_refused
        .rpc("finalise_minutes", &[("hearing_id", &hearing)])
        .await
        .status();
    assert!(status == 403 || status == 404, "juror finalising: {status}");
    let res = host
        .rpc("finalise_minutes", &[("hearing_id", &hearing)])
        .await;
    let status = res.status();
    let entry: serde_json::Value = res.json().await.unwrap();
    assert_eq!(status, 200, "{entry}");
    let sha = entry["sha256"].as_str().unwrap().to_owned();

    let signed = host.get(&format!("/hearings/{hearing}/minutes.pdf")).await;
    assert_eq!(signed.status(), 200);
    let signed = signed.bytes().await.unwrap().to_vec();
    assert_eq!(
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&signed)),
        sha
    );
    let path = dir.path().join("minutes.pdf");
    std::fs::write(&path, &signed).unwrap();
    // Kept for a look (pdftoppm) after the run.
    let keep = Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::write(keep.join("minutes-signed.pdf"), &signed).unwrap();
    std::fs::write(keep.join("minutes-draft.pdf"), &draft).unwrap();

    // The QR code's page for this copy: anyone sees that it was signed and
    // archived, when and under which case number, and the file's digest; no
    // names or titles (it is reached by the hearing's id alone).
    let anyone = server.client("").await;
    let res = anyone.get(&format!("/verify/{hearing}")).await;
    assert_eq!(res.status(), 200);
    let copy_page = res.text().await.unwrap();
    assert!(copy_page.contains("签章定稿并存档"), "{copy_page}");
    assert!(copy_page.contains(server::demo::COMPLETED_CASE));
    assert!(copy_page.contains(&sha));
    let seated = app::db::hearings::seated_voters(&server.db, &hearing)
        .await
        .unwrap();
    assert!(seated.iter().all(|v| !copy_page.contains(&v.name)));
    // A hearing without signed minutes (a draft's QR code, a wrong link): 404
    // that says so, with the form to check a file.
    let unknown = anyone
        .get("/verify/00000000-0000-7000-8000-000000000000")
        .await;
    assert_eq!(unknown.status(), 404);
    let unknown = unknown.text().await.unwrap();
    assert!(unknown.contains("未找到这份纪要的定稿记录") && unknown.contains("verify-file"));

    // The log is sealed: nothing more enters it.
    let res = server.record(&hearing, "定稿后补记").await;
    assert_eq!(res.status(), 409);
    let body = res.text().await.unwrap();
    assert!(body.contains("finalised"), "{body}");
    let status = host
        .rpc("finalise_minutes", &[("hearing_id", &hearing)])
        .await
        .status();
    assert_eq!(status, 409, "finalising twice");
    // Nor does the exhibit register: the bundle stays what the minutes list.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xff\xff?\0\x05\xfe\x02\xfe\xa7\x35\x81\x84\0\0\0\0IEND\xaeB`\x82".to_vec();
    let (status, body) = host
        .upload(&hearing, Some("office"), "定稿后补交", "late.png", png)
        .await;
    assert_eq!(status, 409, "{body}");
    let form = [
        ("hearing_id", hearing.as_str()),
        ("party_kind", "third_party"),
        ("party_name", "迟到者"),
        ("valid_days", "7"),
    ];
    let status = host.rpc("invite_party", &form).await.status();
    assert_eq!(
        status, 409,
        "no third party is invited into a sealed hearing"
    );

    // Parsed back: the case number, every member, the conclusion; the font subset.
    let pdfsig = crate::common::pdf_tool("pdfsig");
    if crate::common::pdf_tool("pdftotext") && crate::common::pdf_tool("pdffonts") {
        let text_of = |p: &Path| {
            let (ok, _) = run("pdftotext", &["-enc", "UTF-8", p.to_str().unwrap(), "-"]);
            assert!(ok);
            String::from_utf8(
                Command::new("pdftotext")
                    .args(["-enc", "UTF-8", p.to_str().unwrap(), "-"])
                    .output()
                    .unwrap()
                    .stdout,
            )
            .unwrap()
        };
        let text = text_of(&path);
        assert!(
            text.contains(server::demo::COMPLETED_CASE),
            "case number in {text}"
        );
        // The printed address (beside the QR code) is this copy's own page.
        assert!(
            text.replace(char::is_whitespace, "")
                .contains(&format!("/verify/{hearing}")),
            "the copy's verification address in {text}"
        );
        let voters = app::db::hearings::seated_voters(&server.db, &hearing)
            .await
            .unwrap();
        assert!(voters.len() >= 3);
        for v in &voters {
            assert!(text.contains(&v.name), "member {} missing", v.name);
        }
        for needle in [
            "评议表决",
            "评议结论",
            "不记名投票",
            "少数意见",
            "第1页",
            "技术信息（供核验）",
            // The demo's host and members confirmed before the finalisation.
            "纪要确认",
            "在线确认",
        ] {
            assert!(text.contains(needle), "{needle} missing");
        }
        assert!(!text.contains("草稿"), "the final copy is no draft");
        assert!(text_of(&draft_path).contains("草稿"));
        let (_, fonts) = run("pdffonts", &[path.to_str().unwrap()]);
        let embedded_subset = fonts
            .lines()
            .skip(2)
            .all(|l| l.contains(" yes yes ") || l.split_whitespace().rev().nth(3) == Some("yes"));
        assert!(fonts.lines().count() > 2 && embedded_subset, "{fonts}");
        assert!(
            fonts.contains('+'),
            "subset font names carry a tag: {fonts}"
        );
    }
    if pdfsig {
        let (_, out) = run("pdfsig", &[path.to_str().unwrap()]);
        assert!(out.contains("Signature is Valid"), "{out}");
        assert!(out.contains("Total document signed"), "{out}");
    }
    let python = pyhanko_python();
    if let Some(python) = &python {
        let (code, out) = pyhanko(python, &path);
        assert_eq!(
            code,
            Some(0),
            "pyHanko does not accept the signed minutes:\n{out}"
        );
    }

    // The verification page and the CLI agree: authentic, and the signature
    // check itself passes (so its failures below are its own, not the archive's).
    let report = server::signing::verify_pdf(&signed).expect("our own signature verifies");
    assert!(report.whole_document);
    let page = verify_page(&server, signed.clone()).await;
    assert!(page.contains("验证通过"), "{page}");
    assert!(page.contains("电子签章有效"), "{page}");
    assert!(page.contains(server::demo::COMPLETED_CASE));
    let (ok, out) = cli_verify(&server, &path);
    assert!(ok, "{out}");
    assert!(out.contains("验证通过"));
    assert!(out.contains("电子签章有效"), "{out}");

    // Any one byte flipped inside the signed ranges: rejected by all of them, and
    // by the signature check itself, not only because the archive does not know
    // the file's hash (which alone would reject it even with verification broken).
    let sig_at = find(&signed, b"/Contents <").expect("signature contents");
    for at in [10, signed.len() / 3, sig_at - 20, signed.len() - 10] {
        let mut forged = signed.clone();
        forged[at] ^= 0x01;
        let forged_path = dir.path().join(format!("forged-{at}.pdf"));
        std::fs::write(&forged_path, &forged).unwrap();
        let refused = server::signing::verify_pdf(&forged);
        assert!(
            refused.is_err(),
            "byte {at}: the signature check accepts it: {refused:?}"
        );
        let page = verify_page(&server, forged).await;
        assert!(page.contains("验证未通过"), "byte {at}: {page}");
        assert!(page.contains("电子签章无效"), "byte {at}: {page}");
        let (ok, out) = cli_verify(&server, &forged_path);
        assert!(!ok, "byte {at} accepted by the CLI: {out}");
        assert!(out.contains("电子签章无效"), "byte {at}: {out}");
        if pdfsig {
            let (_, out) = run("pdfsig", &[forged_path.to_str().unwrap()]);
            assert!(!out.contains("Signature is Valid"), "byte {at}: {out}");
        }
        if let Some(python) = &python {
            let (code, out) = pyhanko(python, &forged_path);
            assert_eq!(
                code,
                Some(1),
                "byte {at}: pyHanko does not reject it:\n{out}"
            );
        }
    }
    // A draft is no signed minutes.
    let page = verify_page(&server, draft).await;
    assert!(page.contains("验证未通过"));

    // The archivist finds it, downloads it and the evidence bundle.
    let archivist = server.client("archivist").await;
    let search = |q: serde_json::Value| {
        let archivist = &archivist;
        async move {
            TestServer::json_rpc(
                archivist,
                "search_archive",
                serde_json::json!({ "query": q }),
            )
            .await
        }
    };
    let (status, found) = search(serde_json::json!({ "case_number": "107" })).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found.as_array().unwrap().len(), 1);
    let (_, found) = search(serde_json::json!({ "outcome": "部分支持" })).await;
    assert_eq!(found.as_array().unwrap().len(), 1);
    // By words of the title, and by a member's name: the hearing itself.
    let member = app::db::hearings::seated_voters(&server.db, &hearing)
        .await
        .unwrap()
        .remove(0)
        .name;
    for query in [
        serde_json::json!({ "text": "异地就医" }),
        serde_json::json!({ "member": member }),
    ] {
        let (status, found) = search(query.clone()).await;
        assert_eq!(status, 200, "{query}: {found}");
        let ids: Vec<&str> = found
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["hearing_id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [hearing.as_str()], "{query}");
    }
    // By the petitioner's or the agency's name (what an archivist is asked for).
    for query in [
        serde_json::json!({ "text": "蒋秀兰" }),
        serde_json::json!({ "text": "医疗保障局" }),
    ] {
        let (status, found) = search(query.clone()).await;
        assert_eq!(status, 200, "{query}: {found}");
        assert!(
            found
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["hearing_id"] == hearing.as_str()),
            "{query}: {found}"
        );
    }
    for query in [
        serde_json::json!({ "text": "无此标题" }),
        serde_json::json!({ "member": "无此评议员" }),
    ] {
        let (_, found) = search(query.clone()).await;
        assert_eq!(found.as_array().unwrap().len(), 0, "{query}: {found}");
    }
    let (_, found) = search(serde_json::json!({ "case_number": "999" })).await;
    assert_eq!(found.as_array().unwrap().len(), 0);
    let (_, found) = search(serde_json::json!({ "from": "2000-01-01", "to": "2000-12-31" })).await;
    assert_eq!(found.as_array().unwrap().len(), 0);
    let (status, refusal) = search(serde_json::json!({ "from": "去年" })).await;
    assert_eq!(status, 422, "{refusal}");
    let (status, _) =
        TestServer::json_rpc(&host, "search_archive", serde_json::json!({ "query": {} })).await;
    assert_eq!(status, 403, "hosts do not search the archive");
    let res = archivist
        .get(&format!("/hearings/{hearing}/minutes.pdf"))
        .await;
    assert_eq!(res.bytes().await.unwrap().to_vec(), signed);
    let res = archivist
        .get(&format!("/hearings/{hearing}/evidence.zip"))
        .await;
    assert_eq!(res.status(), 200);
    let zip = res.bytes().await.unwrap().to_vec();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut manifest = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("manifest.csv").unwrap(), &mut manifest)
        .unwrap();
    assert!(manifest.contains("SHA-256"));
    let res = juror_refused
        .get(&format!("/hearings/{hearing}/evidence.zip"))
        .await;
    assert!(matches!(res.status().as_u16(), 403 | 404));

    server.finish().await;
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// An unreadable signing key: finalising answers a clear 503, and the hearing
/// stays as it was (not sealed, still confirmable, nothing archived).
#[tokio::test]
async fn a_broken_signing_key_refuses_clearly_and_changes_nothing() {
    let keys = tempfile::tempdir().unwrap();
    std::fs::write(keys.path().join("minutes-signing.key.pem"), "not a key").unwrap();
    std::fs::write(
        keys.path().join("minutes-signing.crt.pem"),
        "not a certificate",
    )
    .unwrap();
    let server = TestServer::start_signing_from(keys.path().to_path_buf()).await;
    let hearing = server.completed_hearing().await;
    let host = server.client("host").await;
    let res = host
        .rpc("finalise_minutes", &[("hearing_id", &hearing)])
        .await;
    assert_eq!(res.status(), 503);
    let refusal: serde_json::Value = res.json().await.unwrap();
    // The category the host is told, not just "unavailable": it is the key.
    assert_eq!(refusal["code"], "minutes_unavailable", "{refusal}");
    assert_eq!(refusal["reason"], "key_unreadable", "{refusal}");
    assert!(
        app::db::minutes::entry(&server.db, &hearing)
            .await
            .unwrap()
            .is_none()
    );
    // Not sealed: no finalisation entered the log.
    let events = app::db::events::all(&server.db, &hearing).await.unwrap();
    let room = app::domain::room::fold(&events).unwrap();
    assert_eq!(room.minutes.finalised, None);
    assert!(
        !events.iter().any(|e| matches!(
            e.payload,
            app::domain::EventPayload::MinutesFinalised { .. }
        )),
        "a finalisation was logged"
    );
    // The log still takes events: a conclusion, then a confirmation.
    let res = host
        .rpc(
            "record_conclusion",
            &[("hearing_id", &hearing), ("text", "补充结论")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = host
        .rpc("confirm_minutes", &[("hearing_id", &hearing)])
        .await;
    assert_eq!(res.status(), 200);
    server.finish().await;
}
