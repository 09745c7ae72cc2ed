//! The demo office: cases and hearings modelled on the seed reports, so that a
//! fresh `make run` shows something real to click through.

use app::db::hearings::{
    NewCase, NewHearing, assign_staff, create_case, create_hearing, seat_juror,
};
use app::db::{Db, now_ms};
use app::domain::EventPayload;
use app::domain::access::Role;

/// The password of every demo account (README, "Demo data").
pub const DEMO_PASSWORD: &str = "pingyi-demo";

/// One account per role: (username, display name, roles).
pub const DEMO_ACCOUNTS: [(&str, &str, Role); 5] = [
    ("admin", "王管理", Role::Admin),
    ("host", "张主持", Role::Host),
    ("clerk", "李记录", Role::Clerk),
    ("archivist", "陈档案", Role::Archivist),
    ("juror", "刘评议", Role::Juror),
];

const DAY_MS: i64 = 24 * 3600 * 1000;

/// Midnight (Beijing time) `days` from now, plus `minutes`, in epoch milliseconds.
fn beijing_day(days: i64, minutes: i64) -> i64 {
    const OFFSET_MS: i64 = 8 * 3600 * 1000;
    let local_midnight = (now_ms() + OFFSET_MS).div_euclid(DAY_MS) * DAY_MS;
    local_midnight - OFFSET_MS + days * DAY_MS + minutes * 60_000
}

pub async fn load(db: &Db) -> anyhow::Result<()> {
    let mut ids = Vec::new();
    for (username, name, role) in DEMO_ACCOUNTS {
        ids.push(
            crate::accounts::create_account(db, username, name, DEMO_PASSWORD, &[role]).await?,
        );
    }
    let (host, clerk, juror) = (ids[1].as_str(), ids[2].as_str(), ids[4].as_str());

    let elevator = create_case(
        db,
        &NewCase {
            number: "海宁信访〔2026〕123号",
            title: "老旧小区加装电梯补偿争议",
            summary: "信访人反映小区加装电梯影响其一楼住宅采光，要求责任单位给予补偿并调整施工方案。",
        },
    )
    .await?;
    let wages = create_case(
        db,
        &NewCase {
            number: "海宁信访〔2026〕131号",
            title: "建设工程农民工工资拖欠",
            summary: "信访人反映某建设项目拖欠其工资，要求责任单位督促总承包单位支付。",
        },
    )
    .await?;

    let upcoming = create_hearing(
        db,
        &NewHearing {
            case_id: &elevator,
            title: "关于老旧小区加装电梯补偿争议的公开听证评议会",
            starts_at_ms: beijing_day(7, 9 * 60 + 30),
            duration_min: 120,
            place: "海宁市信访局听证室（一）",
        },
    )
    .await?;

    assign_staff(db, &upcoming, Some(host), Some(clerk)).await?;
    app::db::hearings::set_public(db, &upcoming, true).await?;

    let held = create_hearing(
        db,
        &NewHearing {
            case_id: &wages,
            title: "关于建设工程农民工工资拖欠的听证评议会",
            starts_at_ms: beijing_day(-2, 14 * 60 + 30),
            duration_min: 90,
            place: "海宁市信访局听证室（二）",
        },
    )
    .await?;
    assign_staff(db, &held, Some(host), Some(clerk)).await?;
    seat_juror(db, &held, juror).await?;
    for text in [
        "主持人宣布听证评议会开始，宣布会场纪律，核实到场人员身份，告知各方权利义务，询问是否申请回避。各方均表示不申请回避。",
        "下面请双方当事人陈述反映的问题和事项，并提供相关证据。",
        "信访人陈述：本人于2025年3月至10月在该项目从事钢筋工作业，尚有工资28,600元未获支付，提交考勤记录及微信聊天记录。",
        "责任单位陈述：已责令总承包单位核实用工情况，并启动工资保证金支付程序，预计十五个工作日内完成。",
    ] {
        let payload = EventPayload::RecordEntered {
            author: "李记录".to_owned(),
            text: text.to_owned(),
        };
        app::db::events::append(db, &held, &payload).await?;
    }
    Ok(())
}
