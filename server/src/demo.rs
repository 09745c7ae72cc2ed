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
pub const DEMO_ACCOUNTS: [(&str, &str, Role); 6] = [
    ("admin", "王管理", Role::Admin),
    ("host", "张主持", Role::Host),
    ("clerk", "李记录", Role::Clerk),
    ("archivist", "陈档案", Role::Archivist),
    ("juror", "刘评议", Role::Juror),
    ("head", "周局长", Role::Head),
];

const DAY_MS: i64 = 24 * 3600 * 1000;

/// The next quarter hour at least ten minutes from now (a start a host may
/// open at once: [`app::domain::procedure::EARLY_OPENING_MINUTES`]).
fn soon() -> i64 {
    const QUARTER_MS: i64 = 15 * 60 * 1000;
    (now_ms() + 10 * 60 * 1000).div_euclid(QUARTER_MS) * QUARTER_MS + QUARTER_MS
}

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
    /// 属地: a town or street of Haining.
    district: &'static str,
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
        district: "海洲街道",
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
        district: "长安镇",
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
        district: "袁花镇",
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
        district: "许村镇",
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
        district: "马桥街道",
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
        district: "硖石街道",
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
        district: "海昌街道",
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
        district: "硖石街道",
        risk: RiskColour::Green,
        class: ProgressClass::C,
        status: CaseStatus::Accepted,
    },
];

/// Whether `number` is one of the demo's own cases (not the imported history).
pub fn is_demo_case(number: &str) -> bool {
    DEMO_CASES.iter().any(|c| c.number == number)
}

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
        district: case.district.into(),
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
    load_pool(db, juror).await?;

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
    let later = scheduling::schedule_hearing(db, &by, &cases[2], later, clock).await?;
    seat_demo_panel(db, &later.id, clock).await?;

    // Today's hearing, about to begin: the one to open and run in a demo (the
    // host may open it from an hour before its start). Written directly, as
    // the scheduling rules would ask a reason for so short a notice; closed
    // to the public, with a panel member seated and nothing in its log yet.
    let mut todays_plan = plan(
        "关于建设工程农民工工资拖欠的听证评议会",
        soon(),
        90,
        "海宁市信访局听证室（二）",
        host,
        clerk,
    );
    todays_plan.kind = HearingKind::Closed;
    todays_plan.online = false;
    let mut tx = db.begin().await?;
    let todays = app::db::hearings::insert_planned(&mut tx, &cases[1], &todays_plan, &by).await?;
    tx.commit().await?;
    seat_juror(db, &todays, juror).await?;
    complete_hearing(db, &cases[6], host, clerk, clock).await?;
    crate::demo_history::load(db, host, clerk).await?;
    Ok(())
}

/// The case number of the demo hearing that was held from opening to the close,
/// whose minutes are finalised and signed when the server first starts.
pub const COMPLETED_CASE: &str = "海宁信访〔2026〕107号";

/// A hearing planned for yesterday and held from opening to the close when
/// the demo is loaded (its log records that time, so its minutes print it,
/// with the planned time beside it), every step of it in its log: panel drawn,
/// attendance, the procedure stage by stage with the record, a secret ballot,
/// the conclusion and the confirmations. Only the finalisation is left (it needs
/// the press: [`finalise_held`]).
async fn complete_hearing(
    db: &Db,
    case_id: &str,
    host: &str,
    clerk: &str,
    clock: OfficeClock,
) -> anyhow::Result<()> {
    use app::domain::ballot::{BallotMode, BallotSpec, BallotState, MajorityRule};
    use app::domain::procedure::Step;
    use app::domain::sitting::{Part, Presence};
    let mut done = plan(
        "关于异地就医费用报销争议的公开听证评议会",
        beijing_day(-1, 9 * 60),
        120,
        "海宁市信访局听证室（一）",
        host,
        clerk,
    );
    done.online = false;
    let mut tx = db.begin().await?;
    let by = Changer {
        name: "演示数据".into(),
        id: None,
        via_api: false,
    };
    let id = app::db::hearings::insert_planned(&mut tx, case_id, &done, &by).await?;
    tx.commit().await?;
    seat_demo_panel(db, &id, clock).await?;
    let mut room = app::domain::fold(&app::db::events::all(db, &id).await?)?;
    let mut log = Log {
        db,
        id: &id,
        room: &mut room,
        planned_start_ms: done.starts_at_ms,
    };
    let voters = app::db::hearings::seated_voters(db, &id).await?;
    for (name, part) in [
        ("张主持", Part::Host),
        ("李记录", Part::Clerk),
        ("蒋秀兰", Part::Petitioner),
        ("海宁市医疗保障局", Part::Agency),
    ] {
        log.push(EventPayload::AttendanceMarked {
            name: name.into(),
            account: None,
            part,
            presence: Presence::InRoom,
            by: "李记录".into(),
        })
        .await?;
    }
    for member in &voters {
        log.push(EventPayload::AttendanceMarked {
            name: member.name.clone(),
            account: Some(member.voter_id.clone()),
            part: Part::Juror,
            presence: Presence::InRoom,
            by: "李记录".into(),
        })
        .await?;
    }
    // Each stage: the record lines, and who had the floor (for how many minutes).
    type Stage<'a> = (&'a [&'a str], Option<(&'a str, Part, u32)>);
    let record: [Stage; 8] = [
        (
            &[
                "主持人宣布听证评议会开始，宣布会场纪律，核实到场人员身份，告知各方权利义务。各方均表示不申请回避。",
            ],
            None,
        ),
        (
            &[
                "信访人蒋秀兰陈述：本人2025年5月在上海某三甲医院住院治疗，已办理异地就医备案，但报销时按未备案比例（降低20个百分点）结算，差额约1.2万元，要求按备案比例补足。",
                "信访人提交备案回执截图、住院费用清单及结算单。",
            ],
            Some(("蒋秀兰", Part::Petitioner, 10)),
        ),
        (
            &[
                "责任单位陈述：系统显示备案生效日期晚于入院日期两天，故按未备案结算；对备案回执截图的真实性无异议，但认为生效日期以系统记录为准。",
            ],
            Some(("海宁市医疗保障局", Part::Agency, 10)),
        ),
        (
            &["质证：双方对备案回执截图的真实性均无异议；信访人对系统生效日期的确定方式提出异议。"],
            None,
        ),
        (
            &[
                "评议员询问备案申请提交时间与生效时间相差的原因；责任单位答：线上申请次日审核，审核通过后次日生效。",
            ],
            None,
        ),
        (
            &["双方围绕备案审核期间发生的费用应否按备案比例报销进行辩论。"],
            None,
        ),
        (
            &[
                "信访人最后陈述：请求按备案比例补足差额。责任单位最后陈述：同意就审核期间费用的结算口径进行复核。",
            ],
            None,
        ),
        (&[], None),
    ];
    log.step(Step::Start).await?;
    for (lines, floor) in record {
        if let Some((speaker, part, minutes)) = floor {
            log.push(EventPayload::FloorGiven {
                speaker: speaker.into(),
                part,
                seconds: minutes * 60,
                by: "张主持".into(),
            })
            .await?;
        }
        for text in lines {
            log.push(EventPayload::RecordEntered {
                author: "李记录".into(),
                text: (*text).into(),
                speaker: None,
            })
            .await?;
        }
        if floor.is_some() {
            log.push(EventPayload::FloorEnded {
                by: "张主持".into(),
            })
            .await?;
        }
        if log.room.procedure.stage() == Some(app::domain::procedure::Stage::Deliberation) {
            break;
        }
        log.step(Step::Advance).await?;
    }
    // 评议 and 表决: a secret ballot of the seated members present.
    let options: Vec<String> = ["支持", "部分支持", "不支持"].map(String::from).to_vec();
    let spec = BallotSpec::parse(
        app::db::new_id(),
        "信访人诉求是否合理",
        &options,
        MajorityRule::Simple,
        BallotMode::Secret,
        false,
    )
    .map_err(|e| anyhow::anyhow!("demo ballot: {e}"))?;
    let ballot_id = spec.ballot_id.clone();
    log.push(EventPayload::BallotDrafted {
        spec,
        by: "张主持".into(),
    })
    .await?;
    log.step(Step::Advance).await?;
    let present = log.room.present_among(&voters);
    log.push(EventPayload::BallotOpened {
        ballot_id: ballot_id.clone(),
        voters: voters.clone(),
        present,
        by: "张主持".into(),
    })
    .await?;
    for (i, voter) in voters.iter().enumerate() {
        // Most support in part; one member does not.
        let option = if i == 0 {
            2
        } else if i % 3 == 0 {
            0
        } else {
            1
        };
        log.push(EventPayload::VoteCast {
            ballot_id: ballot_id.clone(),
            voter: voter.voter_id.clone(),
            option,
            key: app::db::new_id(),
            sealed: true,
            proxy: None,
            salt: app::db::new_salt(),
        })
        .await?;
    }
    if let Some(first) = voters.first() {
        log.push(EventPayload::OpinionGiven {
            ballot_id: ballot_id.clone(),
            opinion_id: app::db::new_id(),
            voter_id: first.voter_id.clone(),
            name: first.name.clone(),
            text: "按现行规定备案以系统生效日期为准，责任单位结算并无不当。".into(),
            minority: true,
            anonymous: true,
            salt: app::db::new_salt(),
        })
        .await?;
    }
    let closing = log.room.ballot(&ballot_id).map(BallotState::closing);
    let Some(Ok((result, named))) = closing else {
        anyhow::bail!("demo ballot could not close");
    };
    log.push(EventPayload::BallotClosed {
        ballot_id,
        result,
        named,
        by: "张主持".into(),
        salt: app::db::new_salt(),
    })
    .await?;
    log.step(Step::Advance).await?;
    log.push(EventPayload::RecordEntered { author: "李记录".into(), text: "主持人宣布评议意见：评议团多数意见认为信访人诉求部分合理，建议责任单位就备案审核期间费用的结算口径组织复核。".into(), speaker: None }).await?;
    log.step(Step::Close).await?;
    log.push(EventPayload::ConclusionRecorded {
        announced: log.room.results_announced,
        text: "评议团经不记名投票，多数意见认为信访人诉求部分合理：信访人在入院前已提交备案申请，审核期间发生的费用按未备案比例结算有失公平，建议责任单位在三十日内复核结算口径并书面告知信访人。".into(),
        by: "张主持".into(),
    }).await?;
    log.push(EventPayload::MinutesConfirmed {
        account_id: host.into(),
        name: "张主持".into(),
        part: Part::Host,
    })
    .await?;
    for voter in voters.iter().skip(1) {
        log.push(EventPayload::MinutesConfirmed {
            account_id: voter.voter_id.clone(),
            name: voter.name.clone(),
            part: Part::Juror,
        })
        .await?;
    }
    Ok(())
}

/// Appends demo events and keeps the fold in step (so each step is decided
/// against the room as it stands, as the server would).
struct Log<'a> {
    db: &'a Db,
    id: &'a str,
    room: &'a mut app::domain::RoomState,
    /// The start the hearing was planned for (it is opened late, at load).
    planned_start_ms: i64,
}

impl Log<'_> {
    /// The host moves the procedure, as far as the rules allow, with what the
    /// server commits with the step (the results announced at 宣布评议意见).
    async fn step(&mut self, step: app::domain::procedure::Step) -> anyhow::Result<()> {
        let when = app::domain::room::StepPlan {
            now_ms: now_ms(),
            planned_start_ms: self.planned_start_ms,
            on_calendar: true,
        };
        for payload in self.room.decide_step(step, "张主持", when)? {
            self.push(payload).await?;
        }
        Ok(())
    }

    async fn push(&mut self, payload: EventPayload) -> anyhow::Result<()> {
        let event = app::db::events::append(self.db, self.id, &payload)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo hearing vanished"))?;
        self.room.apply(&event)?;
        Ok(())
    }
}

/// Finalises the completed demo hearing's minutes (render, sign, archive), as
/// its host would; nothing to do when they are final already.
pub async fn finalise_held(state: &app::state::AppState) -> anyhow::Result<()> {
    let Some(hearing) = app::db::hearings::list(&state.db)
        .await?
        .into_iter()
        .find(|h| h.case_number == COMPLETED_CASE)
    else {
        return Ok(());
    };
    if app::db::minutes::entry(&state.db, &hearing.id)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let staff = app::db::hearings::staff(&state.db, &hearing.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo hearing has no staff"))?;
    let host = staff.host_id.unwrap_or_default();
    app::minutes::finalise(state, &hearing.id, &host, "张主持")
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message(app::i18n::Lang::Zh)))?;
    tracing::info!(
        case = COMPLETED_CASE,
        "演示听证纪要已定稿并签章 / demo minutes finalised and signed"
    );
    Ok(())
}

/// The organisation a demo member of `category` works for.
fn demo_organisation(category: &str, number: usize) -> String {
    let pick = |options: &[&str]| options[number % options.len()].to_owned();
    match category {
        "deputy" => pick(&[
            "海宁市人大常委会代表联络站",
            "许村镇人大主席团",
            "长安镇人大主席团",
        ]),
        "cppcc" => pick(&["海宁市政协委员工作室", "海宁市工商业联合会"]),
        "lawyer" => pick(&[
            "浙江海昌律师事务所",
            "浙江潮乡律师事务所",
            "海宁市法律援助中心",
        ]),
        "expert" => pick(&[
            "浙江财经大学东方学院",
            "海宁市城乡规划研究所",
            "海宁卫生学校",
        ]),
        "grassroots" => pick(&["村（社区）居民代表", "退休职工", "个体工商户"]),
        "media" => pick(&["海宁日报社", "海宁市广播电视台"]),
        "social_org" => pick(&["海宁市社会工作协会", "海宁市人民调解协会"]),
        _ => pick(&["海宁市司法局", "海宁市自然资源和规划局", "许村镇人民政府"]),
    }
}

/// The demo's hundred-member pool (百人信访评议团): the members of
/// `sortition::demo_pool()`, each with an account without a password, except
/// M046 who is the demo juror 刘评议 (who can log in).
async fn load_pool(db: &Db, juror_account: &str) -> anyhow::Result<()> {
    use app::domain::pool::{CATEGORIES, MemberDraft, MemberStatus};
    let mut tx = db.begin().await?;
    for (index, member) in app::domain::sortition::demo_pool().into_iter().enumerate() {
        let number = index + 1;
        let category = CATEGORIES
            .into_iter()
            .find(|c| member.categories.iter().any(|t| t == c))
            .unwrap_or("grassroots");
        let mut draft = MemberDraft {
            name: member.name.clone(),
            category: category.to_owned(),
            extra_tags: member
                .categories
                .iter()
                .filter(|t| *t != category && *t != "representative")
                .cloned()
                .collect(),
            organisation: demo_organisation(category, number),
            district: member.district.clone(),
            contact: format!("1380573{:04}", number * 37 % 10_000),
            status: MemberStatus::Active,
            unavailable: Vec::new(),
            relations: Vec::new(),
        };
        match number {
            // Declared relations the conflict check finds (cases 123 and 135).
            21 => draft.relations = vec!["周美华（曾代理其民事案件）".into()],
            52 => draft.relations = vec!["沈国强（表兄）".into()],
            // A member of the agency of case 123.
            95 => draft.organisation = "海宁市住房和城乡建设局".into(),
            97 | 99 => draft.status = MemberStatus::Paused,
            _ => {}
        }
        if number == 46 {
            draft.name = "刘评议".into();
            app::db::pool::insert_in(&mut tx, &member.id, juror_account, &draft).await?;
        } else {
            app::pool_admin::add_in(&mut tx, Some(&member.id), &draft).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Seats the later demo hearing's panel by the real procedure: commit, reveal
/// public values (dice and a lottery draw), then one member declines by phone
/// (the next alternate is promoted) and most accept.
async fn seat_demo_panel(db: &Db, hearing_id: &str, clock: OfficeClock) -> anyhow::Result<()> {
    use app::domain::pool::{DrawChoices, Leaving};
    let by = Changer {
        name: "张主持".into(),
        id: None,
        via_api: false,
    };
    let choices = DrawChoices {
        alternates: 3,
        recusals: Vec::new(),
    };
    let (draw, _) = app::panel::commit(db, &by, hearing_id, &choices, clock)
        .await
        .map_err(|e| anyhow::anyhow!("demo draw: {e}"))?;
    let values = [
        "骰子 3 5 6".to_owned(),
        "体彩大乐透 26135 期 03 11 19 27 33 + 05 09".to_owned(),
    ];
    let (drawn, _) = app::panel::reveal(db, &by, hearing_id, &draw.id, &values)
        .await
        .map_err(|e| anyhow::anyhow!("demo draw: {e}"))?;
    let seated = drawn.result.map(|r| r.seated).unwrap_or_default();
    let Some((first, rest)) = seated.split_first() else {
        return Ok(());
    };
    app::panel::leave(
        db,
        hearing_id,
        first,
        Leaving::Declined,
        "听证当日需赴外地出差（电话告知）",
        Some("张主持"),
    )
    .await
    .map_err(|e| anyhow::anyhow!("demo decline: {e}"))?;
    for member_id in rest.iter().take(rest.len().saturating_sub(1)) {
        let Some(member) = app::db::pool::get(db, member_id).await? else {
            continue;
        };
        app::panel::answer(db, &member.member.account_id, hearing_id, true, None)
            .await
            .map_err(|e| anyhow::anyhow!("demo answer: {e}"))?;
    }
    Ok(())
}
