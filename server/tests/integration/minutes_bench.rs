//! `make bench`: a 20-page minutes document (100 exhibits, 15 members, a long
//! record) rendered and signed, as finalisation does it. Figures for
//! docs/PERFORMANCE.md; run in release.
#![allow(clippy::unwrap_used)]

use app::domain::minutes::{Block, Column, MinutesDoc, Signatory};
use std::time::{Duration, Instant};

/// The target of #9 for a 20-page document, rendered and signed (median of 10).
const TARGET: Duration = Duration::from_millis(300);

fn twenty_pages() -> MinutesDoc {
    let mut blocks = vec![
        Block::Heading("一、基本情况".into()),
        Block::Facts(vec![
            ("案号：".into(), "海宁信访〔2026〕900号".into()),
            (
                "案件名称：".into(),
                "关于某工业园区厂房租赁合同纠纷的信访事项".into(),
            ),
        ]),
        Block::Heading("二、听证笔录".into()),
    ];
    for i in 1..=250 {
        blocks.push(Block::Para(format!(
            "[{i}] 10:{:02}:00 李记录：信访人陈述第 {i} 点意见，称租赁合同约定的厂房面积与实际交付面积不符，\
             差额约 {i} 平方米，要求责任单位依照合同第七条退还多收的租金并承担相应违约责任。",
            i % 60
        )));
    }
    blocks.push(Block::Heading("三、证据清单及质证意见".into()));
    blocks.push(Block::Table {
        columns: vec![
            Column::new("编号", 3),
            Column::new("名称", 7),
            Column::new("提交人", 5),
            Column::new("状态", 3),
            Column::new("SHA-256", 9),
        ],
        rows: (1..=100)
            .map(|i| {
                vec![
                    format!("申-{i}"),
                    format!("租赁合同附件第 {i} 页（扫描件）"),
                    "信访人 张三".into(),
                    "已采纳".into(),
                    format!("{:064x}", i * 7919),
                ]
            })
            .collect(),
    });
    blocks.push(Block::Heading("四、纪要确认".into()));
    blocks.push(Block::Signatures(
        (1..=15)
            .map(|i| Signatory {
                capacity: "评议员".into(),
                name: format!("评议员{i:02}"),
                confirmation: "已于 2026年12月3日 11:02 在线确认".into(),
            })
            .collect(),
    ));
    MinutesDoc {
        title: "听证评议会议纪要".into(),
        header_left: "海宁市信访局 · 关于厂房租赁合同纠纷的公开听证评议会".into(),
        header_right: "海宁信访〔2026〕900号".into(),
        draft: false,
        verify_url: Some("http://127.0.0.1:3000/verify".into()),
        generated_at_ms: 1_796_691_600_000,
        blocks,
    }
}

#[test]
#[ignore = "benchmark: make bench"]
fn twenty_page_minutes_render_and_sign() {
    let font = std::fs::read(crate::common::font_path()).expect("PINGYI_FONT (make font)");
    let dir = tempfile::tempdir().unwrap();
    let signer = server::signing::Signer::load_or_create(dir.path(), "bench").unwrap();
    let info = server::signing::SignInfo {
        name: "海宁市信访局".into(),
        reason: "听证评议会议纪要定稿".into(),
        location: "海宁".into(),
        signing_time_unix: 1_796_000_000,
    };
    let doc = twenty_pages();
    let (mut render, mut sign) = (Vec::new(), Vec::new());
    let mut signed = Vec::new();
    for _ in 0..10 {
        let started = Instant::now();
        let pdf = server::minutes_pdf::render_minutes(&doc, &font).unwrap();
        let rendered = Instant::now();
        signed = server::signing::sign_pdf(&pdf, &signer, &info).unwrap();
        render.push(rendered - started);
        sign.push(rendered.elapsed());
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let pages = lopdf::Document::load_mem(&signed)
        .unwrap()
        .get_pages()
        .len();
    assert!(
        pages >= 20,
        "the benchmark document must have 20 pages, has {pages}"
    );
    let (r, s) = (median(&mut render), median(&mut sign));
    server::signing::verify_pdf(&signed).unwrap();
    println!(
        "minutes bench: {} bytes, {pages} pages; median of 10: render {:.1} ms + sign {:.1} ms = {:.1} ms (target ≤ {} ms)",
        signed.len(),
        r.as_secs_f64() * 1e3,
        s.as_secs_f64() * 1e3,
        (r + s).as_secs_f64() * 1e3,
        TARGET.as_millis()
    );
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("minutes-bench.pdf");
    std::fs::write(&out, &signed).unwrap();
    println!(
        "written to {} (pdfinfo shows the page count)",
        out.display()
    );
    assert!(
        r + s <= TARGET,
        "render + sign {:.1} ms exceeds the target of {} ms",
        (r + s).as_secs_f64() * 1e3,
        TARGET.as_millis()
    );
}
