//! The `pingyi` binary facing bad input: one clear line, a non-zero exit, no panic.
#![allow(clippy::unwrap_used)]

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
