//! The `pingyi` binary facing bad input: one clear line, a non-zero exit, no panic;
//! and its commands that work on a running installation's data (`minutes export`).
#![allow(clippy::unwrap_used)]

use crate::common::TestServer;
use std::path::Path;
use std::process::{Command, Output};

fn pingyi(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pingyi"));
    cmd.args(args)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "off");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn assert_one_line_failure(out: &Output, needle: &str) {
    assert!(!out.status.success(), "should fail");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains(needle), "{stderr}");
}

#[test]
fn malformed_database_url_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    for url in ["mysql://x", "pingyi.db", "postgres:nohost"] {
        let out = pingyi(
            &["migrate"],
            &[("DATABASE_URL", url), ("PINGYI_DATA_DIR", data)],
        );
        assert_one_line_failure(&out, "DATABASE_URL");
    }
}

#[test]
fn occupied_port_is_one_clear_line() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = pingyi(
        &["serve", "--addr", &addr],
        &[("PINGYI_DATA_DIR", dir.path().to_str().unwrap())],
    );
    assert_one_line_failure(&out, "端口已被占用");
}

#[test]
fn unusable_data_dir_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"not a directory").unwrap();
    let inside_file = file.join("data");
    let out = pingyi(
        &["migrate"],
        &[("PINGYI_DATA_DIR", inside_file.to_str().unwrap())],
    );
    assert_one_line_failure(&out, "数据目录不可用");
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["demo", "--help"],
    ] {
        let out = pingyi(&args, &[]);
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage"));
    }
}

#[test]
fn migrate_then_demo_then_demo_again() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("PINGYI_DATA_DIR", dir.path().to_str().unwrap())];
    assert!(pingyi(&["migrate"], &env).status.success());
    assert!(dir.path().join("pingyi.db").exists());
    assert!(pingyi(&["demo"], &env).status.success());
    assert_one_line_failure(&pingyi(&["demo"], &env), "数据库非空");
}

#[test]
fn admin_create_makes_an_administrator_and_refuses_weak_passwords() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let args = [
        "admin",
        "create",
        "--username",
        "wang",
        "--display-name",
        "王主任",
    ];
    let weak = pingyi(
        &args,
        &[
            ("PINGYI_DATA_DIR", data),
            ("PINGYI_ADMIN_PASSWORD", "short"),
        ],
    );
    assert_one_line_failure(&weak, "密码至少 8 位");
    let ok = pingyi(
        &args,
        &[
            ("PINGYI_DATA_DIR", data),
            ("PINGYI_ADMIN_PASSWORD", "a-good-password"),
        ],
    );
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let again = pingyi(
        &args,
        &[
            ("PINGYI_DATA_DIR", data),
            ("PINGYI_ADMIN_PASSWORD", "a-good-password"),
        ],
    );
    assert_one_line_failure(&again, "该用户名已被使用");
}

/// `pingyi minutes export ARGS` against the test server's database, evidence
/// store and signing key.
fn export(server: &TestServer, args: &[&str]) -> Output {
    let data = server.data_dir();
    let evidence = data.join("evidence");
    let signing = crate::common::signing_dir();
    let font = crate::common::font_path();
    let command = [&["minutes", "export"][..], args].concat();
    pingyi(
        &command,
        &[
            ("DATABASE_URL", server.database_url.as_str()),
            ("PINGYI_DATA_DIR", data.to_str().unwrap()),
            ("PINGYI_EVIDENCE_DIR", evidence.to_str().unwrap()),
            ("PINGYI_SIGNING_DIR", signing.to_str().unwrap()),
            ("PINGYI_FONT", font.to_str().unwrap()),
        ],
    )
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes))
}

/// The files `dir` holds, as (name, SHA-256), by name.
fn files_in(dir: &Path) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, sha256_hex(&std::fs::read(&path).unwrap()))
        })
        .collect();
    found.sort();
    found
}

/// `pingyi minutes export` writes the archived, signed PDFs byte for byte (one
/// hearing's, or every finalised one); without a selection, or for a hearing
/// without finalised minutes, it fails and writes nothing.
#[tokio::test]
async fn minutes_export_writes_the_archived_signed_pdfs() {
    let server = TestServer::start().await;
    let hearing = server.completed_hearing().await;
    let host = server.client("host").await;
    let res = host
        .rpc("finalise_minutes", &[("hearing_id", &hearing)])
        .await;
    let status = res.status();
    let body = res.text().await.unwrap();
    assert_eq!(status, 200, "{body}");
    let archived = app::db::minutes::entry(&server.db, &hearing)
        .await
        .unwrap()
        .expect("the finalised minutes are archived");
    let dir = tempfile::tempdir().unwrap();

    // One hearing: its signed PDF, the very bytes the archive recorded.
    let one = dir.path().join("one");
    let out = export(
        &server,
        &["--hearing", &hearing, "--out", one.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = files_in(&one);
    assert_eq!(written.len(), 1, "{written:?}");
    let (name, sha256) = &written[0];
    assert!(name.ends_with(&format!("_{hearing}.pdf")), "{name}");
    assert_eq!(sha256, &archived.sha256, "the archived copy, byte for byte");
    let pdf = std::fs::read(one.join(name)).unwrap();
    let report = server::signing::verify_pdf(&pdf).expect("a signed PDF");
    assert!(report.whole_document);

    // --all: every finalised one, nothing else.
    let every = dir.path().join("all");
    let out = export(&server, &["--all", "--out", every.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut expected: Vec<String> = app::db::minutes::all(&server.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.sha256)
        .collect();
    expected.sort();
    assert!(expected.contains(&archived.sha256));
    let mut exported: Vec<String> = files_in(&every).into_iter().map(|(_, sha)| sha).collect();
    exported.sort();
    assert_eq!(exported, expected);

    // Neither --hearing nor --all: refused by the argument parser, naming the flag.
    let nowhere = dir.path().join("nowhere");
    let out = export(&server, &["--out", nowhere.to_str().unwrap()]);
    assert!(!out.status.success(), "exported without a selection");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("--hearing"), "{stderr}");
    assert!(!nowhere.exists());

    // An unknown hearing, and one whose minutes are not final: one clear line.
    let upcoming = server.upcoming_hearing().await;
    for id in ["no-such-hearing", upcoming.as_str()] {
        let out = export(
            &server,
            &["--hearing", id, "--out", nowhere.to_str().unwrap()],
        );
        assert_one_line_failure(&out, "没有定稿纪要");
        assert!(!nowhere.exists(), "{id}: nothing written");
    }

    server.finish().await;
}
