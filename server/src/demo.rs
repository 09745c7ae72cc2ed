//! The demo office: cases and hearings modelled on the seed reports, so that a
//! fresh `make run` shows something real to click through.

use app::db::hearings::seat_juror;
use app::db::{Db, now_ms};
use app::domain::EventPayload;
use app::domain::access::Role;
use app::domain::case::{CalendarDate, CaseDraft, CaseStatus, ProgressClass, RiskColour};
use app::domain::clock::CHINA_OFFSET_SECONDS;
use app::domain::schedule::{HearingKind, HearingPlan};
use app::model::Changer;
use app::scheduling::{self, OfficeClock};

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

/// A demo case received `received_days_ago`, accepted `accepted_days_ago` (if so).
struct DemoCase {
    number: &'static str,
    title: &'static str,
    petitioners: &'static [&'static str],
    agencies: &'static [&'static str],
    summary: &'static str,
    received_days_ago: i64,
    accepted_days_ago: Option<i64>,
    category: &'static str,
    risk: RiskColour,
    class: ProgressClass,
    status: CaseStatus,
}

const DEMO_CASES: [DemoCase; 8] = [
    DemoCase {
        number: "海宁信访〔2026〕123号",
        title: "老旧小区加装电梯补偿争议",
        petitioners: &["周美华"],
        agencies: &["海宁市住房和城乡建设局", "海洲街道办事处"],
        summary: "信访人反映小区加装电梯影响其一楼住宅采光，要求责任单位给予补偿并调整施工方案。",
        received_days_ago: 12,
        accepted_days_ago: Some(10),
        category: "城乡建设",
        risk: RiskColour::Yellow,
        class: ProgressClass::B,
        status: CaseStatus::Accepted,
    },
    DemoCase {
        number: "海宁信访〔2026〕131号",
        title: "建设工程农民工工资拖欠",
        petitioners: &["吴建军", "吴建平"],
        agencies: &["海宁市人力资源和社会保障局"],
        summary: "信访人反映某建设项目拖欠其工资，要求责任单位督促总承包单位支付。",
        received_days_ago: 18,
        accepted_days_ago: Some(16),
        category: "劳动社保",
        risk: RiskColour::Red,
        class: ProgressClass::A,
        status: CaseStatus::Accepted,
    },
    DemoCase {
        number: "海宁信访〔2026〕135号",
        title: "农村宅基地确权边界纠纷",
        petitioners: &["沈国强"],
        agencies: &["海宁市自然资源和规划局", "袁花镇人民政府"],
        summary: "信访人认为宅基地确权时边界测量有误，占用其原有菜地约三十平方米，要求重新测量并更正登记。",
        received_days_ago: 30,
        accepted_days_ago: Some(28),
        category: "国土资源",
        risk: RiskColour::Red,
        class: ProgressClass::A,
        status: CaseStatus::Accepted,
    },
    DemoCase {
        number: "海宁信访〔2026〕138号",
        title: "企业改制职工社保补缴",
        petitioners: &["钱丽萍", "孙卫东", "赵红英"],
        agencies: &["海宁市人力资源和社会保障局"],
        summary: "信访人系原某集体企业职工，反映企业改制时未为其足额缴纳养老保险，要求补缴。",
        received_days_ago: 7,
        accepted_days_ago: None,
        category: "劳动社保",
        risk: RiskColour::Yellow,
        class: ProgressClass::B,
        status: CaseStatus::Registered,
    },
    DemoCase {
        number: "海宁信访〔2026〕140号",
        title: "道路改造施工噪音扰民",
        petitioners: &["陆志明"],
        agencies: &["海宁市交通运输局"],
        summary: "信访人反映夜间道路施工噪音影响休息，要求调整施工时间。",
        received_days_ago: 4,
        accepted_days_ago: None,
        category: "环境保护",
        risk: RiskColour::Green,
        class: ProgressClass::C,
        status: CaseStatus::Registered,
    },
    DemoCase {
        number: "海宁信访〔2026〕142号",
        title: "征地拆迁安置房分配",
        petitioners: &["褚伟"],
        agencies: &["海宁市自然资源和规划局", "硖石街道办事处"],
        summary: "信访人对安置房分配顺序有异议，认为抽签程序不公开，要求公开抽签记录。",
        received_days_ago: 1,
        accepted_days_ago: None,
        category: "征地拆迁",
        risk: RiskColour::Yellow,
        class: ProgressClass::B,
        status: CaseStatus::Registered,
    },
    DemoCase {
        number: "海宁信访〔2026〕107号",
        title: "医疗费用报销争议",
        petitioners: &["蒋秀兰"],
        agencies: &["海宁市医疗保障局"],
        summary: "信访人反映异地就医费用未能按规定比例报销。",
        received_days_ago: 40,
        accepted_days_ago: Some(38),
        category: "医疗卫生",
        risk: RiskColour::Green,
        class: ProgressClass::C,
        status: CaseStatus::Concluded,
    },
    DemoCase {
        number: "海宁信访〔2026〕144号",
        title: "物业服务收费标准异议",
        petitioners: &["韩晓东"],
        agencies: &["海宁市发展和改革局"],
        summary: "信访人对小区物业费调价程序有异议，要求公开成本核算。",
        received_days_ago: 2,
        accepted_days_ago: Some(1),
        category: "城乡建设",
        risk: RiskColour::Green,
        class: ProgressClass::C,
        status: CaseStatus::Accepted,
    },
];

fn draft(case: &DemoCase, today: CalendarDate, investigator: &str) -> CaseDraft {
    CaseDraft {
        number: case.number.into(),
        title: case.title.into(),
        petitioners: case.petitioners.iter().map(|s| s.to_string()).collect(),
        agencies: case.agencies.iter().map(|s| s.to_string()).collect(),
        summary: case.summary.into(),
        received_on: today.plus_days(-case.received_days_ago),
        accepted_on: case.accepted_days_ago.map(|d| today.plus_days(-d)),
        category: case.category.into(),
        risk: case.risk,
        class: case.class,
        status: case.status,
        investigator_id: Some(investigator.into()),
    }
}

fn plan(
    title: &str,
    starts_at_ms: i64,
    minutes: u32,
    room: &str,
    host: &str,
    clerk: &str,
) -> HearingPlan {
    HearingPlan {
        title: title.into(),
        kind: HearingKind::Public,
        starts_at_ms,
        duration_min: minutes,
        room: Some(room.into()),
        online: true,
        host_id: host.into(),
        clerk_id: Some(clerk.into()),
        panel_size: 7,
        questions: vec!["信访人诉求是否合理".into()],
        short_notice_reason: None,
        quotas: app::domain::sortition::default_quotas(7),
    }
}

pub async fn load(db: &Db) -> anyhow::Result<()> {
    let mut ids = Vec::new();
    for (username, name, role) in DEMO_ACCOUNTS {
        ids.push(
            crate::accounts::create_account(db, username, name, DEMO_PASSWORD, &[role]).await?,
        );
    }
    let (admin, host, clerk, juror) = (
        ids[0].as_str(),
        ids[1].as_str(),
        ids[2].as_str(),
        ids[4].as_str(),
    );
    let by = Changer {
        name: "演示数据".into(),
        id: None,
        via_api: false,
    };
    let clock = OfficeClock::now(CHINA_OFFSET_SECONDS);
    let today = clock.today();
    let mut cases = Vec::new();
    for case in &DEMO_CASES {
        // The clerk investigated the cases, so the host may hear them.
        let record = scheduling::create_case(db, &by, draft(case, today, clerk), clock).await?;
        cases.push(record.id);
    }
    let _ = admin;

    let upcoming = plan(
        "关于老旧小区加装电梯补偿争议的公开听证评议会",
        beijing_day(7, 9 * 60 + 30),
        120,
        "海宁市信访局听证室（一）",
        host,
        clerk,
    );
    scheduling::schedule_hearing(db, &by, &cases[0], upcoming, clock).await?;
    let later = plan(
        "关于农村宅基地确权边界纠纷的公开听证评议会",
        beijing_day(14, 14 * 60),
        150,
        "海宁市信访局听证室（二）",
        host,
        clerk,
    );
    scheduling::schedule_hearing(db, &by, &cases[2], later, clock).await?;

    // Already held two days ago: written directly (the scheduling rules refuse
    // the past), closed to the public, with a panel member and a record.
    let mut held_plan = plan(
        "关于建设工程农民工工资拖欠的听证评议会",
        beijing_day(-2, 14 * 60 + 30),
        90,
        "海宁市信访局听证室（二）",
        host,
        clerk,
    );
    held_plan.kind = HearingKind::Closed;
    held_plan.online = false;
    let mut tx = db.begin().await?;
    let held = app::db::hearings::insert_planned(&mut tx, &cases[1], &held_plan, &by).await?;
    tx.commit().await?;
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
