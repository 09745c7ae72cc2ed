//! 纪要 the minutes: what the record of a hearing says, as a document model.
//!
//! The minutes are a projection of the hearing's event log (no retyping): the
//! server folds the log and [`MinutesDoc`] says what to print; the PDF renderer
//! only decides where. Confirmation (确认) and finalisation (定稿) are events too.

use serde::{Deserialize, Serialize};

/// The minutes as printed: a title, a running header and blocks in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MinutesDoc {
    /// "听证评议会议纪要"
    pub title: String,
    /// Running header on every page, left: the hearing's title.
    pub header_left: String,
    /// Running header on every page, right: the case number.
    pub header_right: String,
    /// A draft carries "草稿" in the header of every page; final minutes do not.
    pub draft: bool,
    /// Where the QR code on the last page points (the verification page).
    pub verify_url: Option<String>,
    /// When this copy was made (the PDF's CreationDate), epoch milliseconds.
    pub generated_at_ms: i64,
    pub blocks: Vec<Block>,
}

/// One piece of the minutes, flowed down the page in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Block {
    /// Section heading, e.g. "一、基本情况".
    Heading(String),
    /// Label–value pairs with the values aligned ("案号：…").
    Facts(Vec<(String, String)>),
    /// A paragraph, wrapped; `\n` starts a new line.
    Para(String),
    /// A small paragraph (hashes, notes), wrapped.
    Small(String),
    /// A table that breaks across pages with its header row repeated; each cell wraps.
    Table {
        columns: Vec<Column>,
        rows: Vec<Vec<String>>,
    },
    /// 签名栏: one line per signatory, with a blank to sign on paper.
    Signatures(Vec<Signatory>),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Column {
    pub title: String,
    /// Relative share of the text width.
    pub share: u16,
}

impl Column {
    pub fn new(title: &str, share: u16) -> Self {
        Column {
            title: title.to_owned(),
            share,
        }
    }
}

/// A line of the signature block: "主持人：王主任 ＿＿＿＿ 已于 2026-12-03 11:02 在线确认".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Signatory {
    /// 主持人 / 记录人 / 评议员
    pub capacity: String,
    pub name: String,
    /// "已于 2026年12月3日 11:02 在线确认", or "未确认".
    pub confirmation: String,
}

// ---------------------------------------------------------------------------
// Confirmation (确认) and finalisation (定稿): the rules, folded from the log.

use super::case::Coded;
use super::clock::format_zh;
use super::evidence::Opinion;
use super::procedure::{Procedure, Stage};
use super::room::RoomState;
use super::sitting::Part;
use super::{EventPayload, HearingEvent};

/// Longest conclusion the host may record.
pub const MAX_CONCLUSION_CHARS: usize = 4000;

/// The minutes as the log has shaped them so far.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinutesState {
    /// 评议结论 as last recorded by the host.
    pub conclusion: Option<Conclusion>,
    /// The latest confirmation of each person.
    pub confirmations: Vec<Confirmation>,
    /// The seq of the last event that changed what the minutes say: a
    /// confirmation given before it no longer covers the minutes.
    pub content_seq: u64,
    pub finalised: Option<Finalised>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conclusion {
    pub text: String,
    pub by: String,
    pub at_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    pub account_id: String,
    pub name: String,
    pub part: Part,
    pub seq: u64,
    pub at_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finalised {
    pub sha256: String,
    pub chain_head: String,
    pub by: String,
    pub seq: u64,
    pub at_ms: i64,
}

impl MinutesState {
    pub fn apply(&mut self, event: &HearingEvent) {
        match &event.payload {
            EventPayload::MinutesConfirmed {
                account_id,
                name,
                part,
            } => {
                self.confirmations.retain(|c| c.account_id != *account_id);
                self.confirmations.push(Confirmation {
                    account_id: account_id.clone(),
                    name: name.clone(),
                    part: *part,
                    seq: event.seq,
                    at_ms: event.at_ms,
                });
            }
            EventPayload::MinutesFinalised {
                sha256,
                chain_head,
                by,
            } => {
                self.finalised = Some(Finalised {
                    sha256: sha256.clone(),
                    chain_head: chain_head.clone(),
                    by: by.clone(),
                    seq: event.seq,
                    at_ms: event.at_ms,
                });
            }
            EventPayload::ConclusionRecorded { text, by, .. } => {
                self.conclusion = Some(Conclusion {
                    text: text.clone(),
                    by: by.clone(),
                    at_ms: event.at_ms,
                });
                self.content_seq = event.seq;
            }
            // Announced: those outside the panel (who never saw the draft)
            // learn the conclusion as it stood; the panel has it already.
            EventPayload::ResultsAnnounced {
                conclusion: Some(text),
                by,
                ..
            } => {
                if self.conclusion.is_none() {
                    self.conclusion = Some(Conclusion {
                        text: text.clone(),
                        by: by.clone(),
                        at_ms: event.at_ms,
                    });
                }
                self.content_seq = event.seq;
            }
            _ => self.content_seq = event.seq,
        }
    }

    /// The confirmation of `account_id` that still covers the minutes as they stand.
    pub fn current_confirmation(&self, account_id: &str) -> Option<&Confirmation> {
        self.confirmation_of(account_id)
            .filter(|c| self.is_current(c, None))
    }

    /// The latest confirmation of `account_id`, current or not.
    pub fn confirmation_of(&self, account_id: &str) -> Option<&Confirmation> {
        self.confirmations
            .iter()
            .find(|c| c.account_id == account_id)
    }

    /// A confirmation covers the minutes when no content event followed it and
    /// the exhibit register (kept outside the log) has not changed since.
    pub fn is_current(
        &self,
        confirmation: &Confirmation,
        register_changed_ms: Option<i64>,
    ) -> bool {
        confirmation.seq > self.content_seq
            && register_changed_ms.is_none_or(|changed| confirmation.at_ms >= changed)
    }
}

/// Why a step of the minutes was refused. Shown in Chinese.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum MinutesRefusal {
    #[error("the hearing is not closed")]
    NotClosed,
    #[error("a ballot is still open")]
    BallotOpen,
    #[error("the minutes are finalised")]
    Finalised,
    #[error("the host has not confirmed the current minutes")]
    HostNotConfirmed,
    #[error("the conclusion may be recorded from the deliberation on")]
    TooEarlyForConclusion,
    #[error("conclusion empty")]
    ConclusionEmpty,
    #[error("conclusion longer than {max} characters")]
    ConclusionTooLong { max: usize },
}

impl MinutesRefusal {
    pub fn message_zh(self) -> String {
        match self {
            MinutesRefusal::NotClosed => "听证尚未闭会，闭会后才能确认和定稿纪要".into(),
            MinutesRefusal::BallotOpen => "尚有表决事项未结束表决".into(),
            MinutesRefusal::Finalised => "纪要已定稿，听证记录不可再更改".into(),
            MinutesRefusal::HostNotConfirmed => {
                "主持人须先确认当前纪要（确认后纪要如有变动须重新确认）".into()
            }
            MinutesRefusal::TooEarlyForConclusion => "评议开始后才能录入评议结论".into(),
            MinutesRefusal::ConclusionEmpty => "评议结论不能为空".into(),
            MinutesRefusal::ConclusionTooLong { max } => {
                format!("评议结论不能超过 {max} 字")
            }
        }
    }
}

fn check_not_finalised(room: &RoomState) -> Result<(), MinutesRefusal> {
    match room.minutes.finalised {
        Some(_) => Err(MinutesRefusal::Finalised),
        None => Ok(()),
    }
}

/// 确认: allowed once the hearing is closed and every ballot is over.
pub fn check_confirm(room: &RoomState) -> Result<(), MinutesRefusal> {
    check_not_finalised(room)?;
    if room.procedure != Procedure::Closed {
        return Err(MinutesRefusal::NotClosed);
    }
    if room
        .ballots
        .iter()
        .any(|b| b.status == super::ballot::BallotStatus::Open)
    {
        return Err(MinutesRefusal::BallotOpen);
    }
    Ok(())
}

/// 定稿 by the host: as for confirming, and the host's own confirmation must
/// cover the minutes as they stand (log and exhibit register). Members who have
/// not confirmed are printed as such; they cannot hold the record hostage.
pub fn check_finalise(
    room: &RoomState,
    host_account: &str,
    register_changed_ms: Option<i64>,
) -> Result<(), MinutesRefusal> {
    check_confirm(room)?;
    let confirmed = room
        .minutes
        .confirmation_of(host_account)
        .is_some_and(|c| room.minutes.is_current(c, register_changed_ms));
    if !confirmed {
        return Err(MinutesRefusal::HostNotConfirmed);
    }
    Ok(())
}

/// 评议结论: from the deliberation on (or after the close), until finalised.
pub fn check_conclusion(room: &RoomState, raw: &str) -> Result<String, MinutesRefusal> {
    check_not_finalised(room)?;
    let late_enough = room.procedure == Procedure::Closed
        || room
            .procedure
            .stage()
            .is_some_and(|s| s >= Stage::Deliberation);
    if !late_enough {
        return Err(MinutesRefusal::TooEarlyForConclusion);
    }
    let text = super::event::clean_text(raw, true);
    if text.is_empty() {
        return Err(MinutesRefusal::ConclusionEmpty);
    }
    if text.chars().count() > MAX_CONCLUSION_CHARS {
        return Err(MinutesRefusal::ConclusionTooLong {
            max: MAX_CONCLUSION_CHARS,
        });
    }
    Ok(text)
}

// ---------------------------------------------------------------------------
// The projection: the folded log (plus the hearing's facts) → the document.

/// What the minutes need beyond the log: the hearing as scheduled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinutesFacts {
    pub office: String,
    pub case_number: String,
    pub case_title: String,
    pub hearing_title: String,
    pub starts_at_ms: i64,
    pub place: String,
    pub is_public: bool,
    pub host: Option<String>,
    /// The host's account, whose confirmation the signature block prints.
    pub host_account: Option<String>,
    pub clerk: Option<String>,
    /// Each seat's member id and the account that member confirms with.
    pub seat_accounts: Vec<(String, String)>,
    /// The parties invited to the hearing (name, side): one never marked in the
    /// attendance is printed as such, not left out.
    pub parties: Vec<(String, Part)>,
    /// When the exhibit register last changed (it is kept outside the log).
    pub register_changed_ms: Option<i64>,
    /// The chain head the minutes pin, and the seq it is at.
    pub chain_head: String,
    pub generated_at_ms: i64,
    pub offset_seconds: i32,
    pub verify_url: Option<String>,
    /// The copy to be signed (no "草稿" marks).
    pub final_copy: bool,
}

/// An exhibit as the minutes list it (from the evidence register).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExhibitEntry {
    /// 申-1, 被-2 …
    pub label: String,
    pub title: String,
    /// "信访人 张三"
    pub submitter: String,
    /// 已提交 / 已采纳 / 已撤回, as the register has it.
    pub status: String,
    /// Some 质证 opinion objects to it ([`challenged`]): the status cell adds 有异议.
    pub challenged: bool,
    pub sha256: String,
    /// Each 质证 opinion as one line: "张三（信访人）：真实性：无异议；…"
    pub opinions: Vec<String>,
}

/// 有异议: an exhibit is challenged when any 质证 opinion on it disputes its
/// 真实性, 合法性 or 关联性 ([`Opinion::disputes`]), as the evidence page's badge says.
pub fn challenged<'a>(opinions: impl IntoIterator<Item = &'a Opinion>) -> bool {
    opinions.into_iter().any(Opinion::disputes)
}

/// The status cell: the register's status, and 有异议 on its own line under it,
/// whatever the status (a withdrawn exhibit may have been challenged first).
fn status_cell(e: &ExhibitEntry) -> String {
    if e.challenged {
        format!("{}\n有异议", e.status)
    } else {
        e.status.clone()
    }
}

const NUMERALS: [&str; 12] = [
    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二",
];

/// Section headings numbered 一、二、… in the order they appear.
struct Sections {
    blocks: Vec<Block>,
    next: usize,
}

impl Sections {
    fn heading(&mut self, title: &str) {
        let n = NUMERALS.get(self.next).copied().unwrap_or("");
        self.next += 1;
        self.blocks.push(Block::Heading(format!("{n}、{title}")));
    }

    fn push(&mut self, block: Block) {
        self.blocks.push(block);
    }
}

/// The minutes of a hearing: every section, from the folded log and the facts.
/// The same function feeds the draft the members confirm and the signed copy.
pub fn minutes_doc(
    facts: &MinutesFacts,
    room: &RoomState,
    exhibits: &[ExhibitEntry],
) -> MinutesDoc {
    let when = |ms: i64| format_zh(ms, facts.offset_seconds);
    let mut s = Sections {
        blocks: Vec::new(),
        next: 0,
    };
    s.heading("基本情况");
    s.push(Block::Facts(basic_facts(facts, room)));
    s.heading("评议团组成");
    s.push(panel_block(room));
    s.heading("出席情况");
    s.push(attendance_block(facts, room, &when));
    s.heading("听证程序");
    s.push(procedure_block(room, &when));
    if !room.speeches.is_empty() {
        s.heading("发言记录");
        s.push(speeches_block(room, facts.offset_seconds));
    }
    s.heading("听证笔录");
    record_blocks(&mut s, room, facts.offset_seconds);
    s.heading("证据清单及质证意见");
    exhibit_blocks(&mut s, exhibits);
    s.heading("评议表决");
    if room.ballots.is_empty() {
        s.push(Block::Para("本次听证未进行表决。".into()));
    }
    for ballot in &room.ballots {
        s.push(Block::Para(ballot.minutes_lines().join("\n")));
    }
    s.heading("评议结论");
    s.push(Block::Para(match &room.minutes.conclusion {
        Some(c) => c.text.clone(),
        None => "（主持人尚未录入评议结论）".into(),
    }));
    s.heading("纪要确认");
    s.push(Block::Signatures(signatories(facts, room, &when)));
    s.push(Block::Small(format!(
        "本纪要依据听证全过程记录自动生成，未经人工重新录入；定稿件加盖电子签章，可扫描下方二维码核验。\n生成时间：{}\n技术信息（供核验）：听证记录摘要（截至第 {} 号记录）SHA-256 {}",
        when(facts.generated_at_ms),
        room.last_seq,
        facts.chain_head,
    )));
    MinutesDoc {
        title: "听证评议会议纪要".into(),
        header_left: format!("{} · {}", facts.office, facts.hearing_title),
        header_right: facts.case_number.clone(),
        draft: !facts.final_copy,
        verify_url: facts.verify_url.clone(),
        generated_at_ms: facts.generated_at_ms,
        blocks: s.blocks,
    }
}

/// When the hearing sat, as its log recorded: 宣布开始 to 闭会, and the planned
/// start beside it where the opening was at another minute ("原定").
fn held_when(facts: &MinutesFacts, room: &RoomState) -> String {
    let zh = |ms| format_zh(ms, facts.offset_seconds);
    let Some(opened) = room.opened_at_ms else {
        return format!("尚未开始（原定{}）", zh(facts.starts_at_ms));
    };
    let mut when = zh(opened);
    if let Some(closed) = room.closed_at_ms {
        let closed_text = zh(closed);
        // The same day is written once: "2026年12月8日 09:02至11:40".
        let same_day = closed_text.split(' ').next() == when.split(' ').next();
        let end = match closed_text.split_once(' ') {
            Some((_, time)) if same_day => time.to_owned(),
            _ => closed_text,
        };
        when = format!("{when}至{end}");
    }
    if opened.div_euclid(60_000) != facts.starts_at_ms.div_euclid(60_000) {
        when = format!("{when}（原定{}）", zh(facts.starts_at_ms));
    }
    when
}

fn basic_facts(facts: &MinutesFacts, room: &RoomState) -> Vec<(String, String)> {
    let mut rows = vec![
        ("案号：", facts.case_number.clone()),
        ("案件名称：", facts.case_title.clone()),
        ("听证会：", facts.hearing_title.clone()),
        ("时间：", held_when(facts, room)),
        ("地点：", facts.place.clone()),
        (
            "听证方式：",
            if facts.is_public {
                "公开听证"
            } else {
                "不公开听证"
            }
            .to_owned(),
        ),
        (
            "主持人：",
            facts.host.clone().unwrap_or_else(|| "（未指定）".into()),
        ),
        (
            "记录员：",
            facts.clerk.clone().unwrap_or_else(|| "（未指定）".into()),
        ),
    ];
    if let Some(draw) = &room.panel.draw_id {
        rows.push(("抽选记录：", draw.clone()));
    }
    rows.into_iter().map(|(l, v)| (l.to_owned(), v)).collect()
}

fn panel_block(room: &RoomState) -> Block {
    if room.panel.seats.is_empty() {
        return Block::Para("评议团尚未组成。".into());
    }
    let name_of = |member_id: &str| {
        room.panel
            .seat_of(member_id)
            .map_or(member_id.to_owned(), |s| s.holder.name.clone())
    };
    let rows = room
        .panel
        .seats
        .iter()
        .enumerate()
        .map(|(i, seat)| {
            let how = match &seat.replaces {
                Some(left) => format!("候补递补（接替 {}）", name_of(left)),
                None => "随机抽选".into(),
            };
            let mut status = seat.status.label_zh().to_owned();
            if let Some(reason) = &seat.reason {
                status.push_str(&format!("：{reason}"));
            }
            vec![
                (i + 1).to_string(),
                seat.holder.name.clone(),
                super::sortition::tags_label_zh(&seat.holder.categories),
                how,
                status,
            ]
        })
        .collect();
    Block::Table {
        columns: vec![
            Column::new("序号", 2),
            Column::new("姓名", 4),
            Column::new("类别", 6),
            Column::new("产生方式", 6),
            Column::new("状态及理由", 7),
        ],
        rows,
    }
}

/// Everyone marked, then every seated member and invited party nobody marked
/// (出席情况 must say who was absent, not only who came).
fn attendance_block(facts: &MinutesFacts, room: &RoomState, when: &dyn Fn(i64) -> String) -> Block {
    let mut rows: Vec<Vec<String>> = room
        .attendance
        .iter()
        .map(|a| {
            vec![
                a.name.clone(),
                a.part.label_zh().to_owned(),
                a.presence.label_zh().to_owned(),
                format!("{}（{}）", when(a.at_ms), a.marked_by),
            ]
        })
        .collect();
    let marked = |name: &str, account: Option<&str>, part: Part| {
        room.attendance
            .iter()
            .any(|a| a.part == part && a.is_same_person(name, account))
    };
    let account_of = |member_id: &str| {
        facts
            .seat_accounts
            .iter()
            .find(|(m, _)| m == member_id)
            .map(|(_, a)| a.as_str())
    };
    let members = room.panel.seats.iter().filter(|s| s.status.holds_seat());
    let unmarked_members = members
        .filter(|s| !marked(&s.holder.name, account_of(&s.holder.member_id), Part::Juror))
        .map(|s| (s.holder.name.clone(), Part::Juror));
    let unmarked_parties = facts
        .parties
        .iter()
        .filter(|(name, part)| !marked(name, None, *part))
        .cloned();
    for (name, part) in unmarked_members.chain(unmarked_parties) {
        rows.push(vec![
            name,
            part.label_zh().to_owned(),
            "无出席记录".to_owned(),
            "—".to_owned(),
        ]);
    }
    if rows.is_empty() {
        return Block::Para("未记录出席情况。".into());
    }
    Block::Table {
        columns: vec![
            Column::new("姓名", 4),
            Column::new("身份", 3),
            Column::new("出席情况", 5),
            Column::new("记录时间（记录人）", 8),
        ],
        rows,
    }
}

fn procedure_label(p: Procedure) -> String {
    match p {
        Procedure::NotStarted => "未开始".into(),
        Procedure::Running { stage } => stage.label_zh().into(),
        Procedure::Paused { stage } => format!("暂停（{}）", stage.label_zh()),
        Procedure::Adjourned { stage } => format!("休会（{}）", stage.label_zh()),
        Procedure::Closed => "闭会".into(),
    }
}

fn procedure_block(room: &RoomState, when: &dyn Fn(i64) -> String) -> Block {
    if room.procedure_log.is_empty() {
        return Block::Para("听证尚未开始。".into());
    }
    let rows = room
        .procedure_log
        .iter()
        .map(|c| vec![when(c.at_ms), procedure_label(c.to), c.by.clone()])
        .collect();
    Block::Table {
        columns: vec![
            Column::new("时间", 6),
            Column::new("程序环节", 6),
            Column::new("操作人", 4),
        ],
        rows,
    }
}

fn minutes_seconds(secs: i64) -> String {
    format!("{} 分 {:02} 秒", secs / 60, secs % 60)
}

fn speeches_block(room: &RoomState, offset: i32) -> Block {
    let rows = room
        .speeches
        .iter()
        .map(|t| {
            let over = t.overtime_secs();
            vec![
                format!("{}（{}）", t.speaker, t.part.label_zh()),
                t.stage.map_or("—", Stage::label_zh).to_owned(),
                super::clock::format_time_of_day(t.from_ms, offset),
                minutes_seconds(t.spoken_secs()),
                minutes_seconds(i64::from(t.allotted_secs)),
                if over > 0 {
                    format!("超时 {}", minutes_seconds(over))
                } else {
                    "—".into()
                },
            ]
        })
        .collect();
    Block::Table {
        columns: vec![
            Column::new("发言人", 6),
            Column::new("环节", 4),
            Column::new("开始", 3),
            Column::new("时长", 4),
            Column::new("限时", 4),
            Column::new("超时", 4),
        ],
        rows,
    }
}

fn record_blocks(s: &mut Sections, room: &RoomState, offset: i32) {
    if room.record.is_empty() {
        s.push(Block::Para("（无笔录）".into()));
        return;
    }
    let mut current: Option<Option<Stage>> = None;
    for line in &room.record {
        if current != Some(line.stage) {
            current = Some(line.stage);
            let stage = line.stage.map_or("开始前", Stage::label_zh);
            s.push(Block::Para(format!("【{stage}】")));
        }
        // Who said it (信访人张某), else the clerk's own note under their name.
        let said_by = match &line.speaker {
            Some(speaker) => format!("{}{}", speaker.part.label_zh(), speaker.name),
            None => line.author.clone(),
        };
        let mut text = format!(
            "[{}] {} {}：{}",
            line.seq,
            super::clock::format_time_of_day(line.at_ms, offset),
            said_by,
            line.text
        );
        for c in &line.corrections {
            text.push_str(&format!(
                "\n（{} 由{}更正，原文：{}）",
                super::clock::format_time_of_day(c.at_ms, offset),
                c.by,
                c.previous
            ));
        }
        s.push(Block::Para(text));
    }
}

fn exhibit_blocks(s: &mut Sections, exhibits: &[ExhibitEntry]) {
    if exhibits.is_empty() {
        s.push(Block::Para("本次听证未提交证据。".into()));
        return;
    }
    s.push(Block::Table {
        columns: vec![
            Column::new("编号", 3),
            Column::new("名称", 7),
            Column::new("提交人", 5),
            Column::new("状态", 3),
            Column::new("SHA-256", 9),
        ],
        rows: exhibits
            .iter()
            .map(|e| {
                vec![
                    e.label.clone(),
                    e.title.clone(),
                    e.submitter.clone(),
                    status_cell(e),
                    e.sha256.clone(),
                ]
            })
            .collect(),
    });
    for e in exhibits.iter().filter(|e| !e.opinions.is_empty()) {
        s.push(Block::Para(format!(
            "{} {} 质证意见：\n{}",
            e.label,
            e.title,
            e.opinions.join("\n")
        )));
    }
}

fn signatories(
    facts: &MinutesFacts,
    room: &RoomState,
    when: &dyn Fn(i64) -> String,
) -> Vec<Signatory> {
    let status = |account: Option<&str>| {
        let minutes = &room.minutes;
        match account.and_then(|a| minutes.confirmation_of(a)) {
            Some(c) if minutes.is_current(c, facts.register_changed_ms) => {
                format!("已于 {} 在线确认", when(c.at_ms))
            }
            Some(_) => "确认后纪要有变动，未重新确认".into(),
            None => "未确认".into(),
        }
    };
    let mut out = Vec::new();
    if let Some(host) = &facts.host {
        out.push(Signatory {
            capacity: "主持人".into(),
            name: host.clone(),
            confirmation: status(facts.host_account.as_deref()),
        });
    }
    if let Some(clerk) = &facts.clerk {
        out.push(Signatory {
            capacity: "记录员".into(),
            name: clerk.clone(),
            confirmation: "—".into(),
        });
    }
    for seat in room.panel.seats.iter().filter(|s| s.status.holds_seat()) {
        let account = facts
            .seat_accounts
            .iter()
            .find(|(member, _)| *member == seat.holder.member_id)
            .map(|(_, account)| account.as_str());
        out.push(Signatory {
            capacity: "评议员".into(),
            name: seat.holder.name.clone(),
            confirmation: status(account),
        });
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::pool::SeatHolder;
    use crate::domain::procedure::Step;
    use crate::domain::room::fold;
    use proptest::prelude::*;

    /// A committed log from payloads, with a real hash chain.
    fn log(payloads: Vec<EventPayload>) -> Vec<HearingEvent> {
        crate::domain::room::committed_log(payloads)
    }

    fn holder(i: usize) -> SeatHolder {
        SeatHolder {
            member_id: format!("m{i}"),
            name: format!("评议员{i}"),
            categories: vec!["lawyer".into()],
        }
    }

    /// A hearing from the draw to the close: every stage and a record line.
    fn held_to_close() -> Vec<EventPayload> {
        let mut payloads = vec![EventPayload::PanelDrawn {
            draw_id: "d1".into(),
            input_hash: "x".into(),
            public_values: vec![],
            seed: "s".into(),
            seated: (1..=3).map(holder).collect(),
            alternates: vec![holder(4)],
        }];
        let mut p = Procedure::NotStarted;
        for step in [Step::Start]
            .into_iter()
            .chain(std::iter::repeat_n(Step::Advance, 9))
            .chain([Step::Close])
        {
            p = p.apply(step).unwrap();
            payloads.push(EventPayload::ProcedureStepped {
                step,
                to: p,
                by: "主持人".into(),
            });
            if p == (Procedure::Running {
                stage: Stage::PetitionerStatement,
            }) {
                payloads.push(EventPayload::RecordEntered {
                    author: "记录员".into(),
                    text: "信访人陈述诉求".into(),
                    speaker: None,
                });
            }
        }
        assert_eq!(p, Procedure::Closed);
        payloads
    }

    fn confirm(account: &str, name: &str, part: Part) -> EventPayload {
        EventPayload::MinutesConfirmed {
            account_id: account.into(),
            name: name.into(),
            part,
        }
    }

    #[test]
    fn confirming_needs_the_close_and_finalising_the_hosts_current_confirmation() {
        let mut payloads = held_to_close();
        payloads.pop(); // not closed yet
        let room = fold(&log(payloads)).unwrap();
        assert_eq!(check_confirm(&room), Err(MinutesRefusal::NotClosed));

        let mut payloads = held_to_close();
        let room = fold(&log(payloads.clone())).unwrap();
        assert_eq!(check_confirm(&room), Ok(()));
        assert_eq!(
            check_finalise(&room, "host", None),
            Err(MinutesRefusal::HostNotConfirmed)
        );

        payloads.push(confirm("host", "主持人", Part::Host));
        payloads.push(confirm("j1", "评议员1", Part::Juror));
        let room = fold(&log(payloads.clone())).unwrap();
        assert_eq!(check_finalise(&room, "host", None), Ok(()));
        assert!(room.minutes.current_confirmation("j1").is_some());

        // A correction after the confirmations makes them stale.
        payloads.push(EventPayload::RecordCorrected {
            line_seq: 4,
            text: "信访人陈述诉求（更正）".into(),
            by: "记录员".into(),
        });
        let room = fold(&log(payloads.clone())).unwrap();
        assert_eq!(
            check_finalise(&room, "host", None),
            Err(MinutesRefusal::HostNotConfirmed)
        );
        assert!(room.minutes.current_confirmation("j1").is_none());

        payloads.push(confirm("host", "主持人", Part::Host));
        payloads.push(EventPayload::MinutesFinalised {
            sha256: "ab".repeat(32),
            chain_head: "cd".repeat(32),
            by: "主持人".into(),
        });
        let room = fold(&log(payloads)).unwrap();
        assert_eq!(check_confirm(&room), Err(MinutesRefusal::Finalised));
        assert_eq!(
            check_conclusion(&room, "结论"),
            Err(MinutesRefusal::Finalised)
        );
    }

    #[test]
    fn the_conclusion_waits_for_the_deliberation_and_is_bounded() {
        let room = fold(&log(held_to_close()[..3].to_vec())).unwrap();
        assert_eq!(
            check_conclusion(&room, "结论"),
            Err(MinutesRefusal::TooEarlyForConclusion)
        );
        let room = fold(&log(held_to_close())).unwrap();
        assert_eq!(
            check_conclusion(&room, "  "),
            Err(MinutesRefusal::ConclusionEmpty)
        );
        let long = "字".repeat(MAX_CONCLUSION_CHARS + 1);
        assert!(matches!(
            check_conclusion(&room, &long),
            Err(MinutesRefusal::ConclusionTooLong { .. })
        ));
        assert_eq!(check_conclusion(&room, " 部分支持 "), Ok("部分支持".into()));
    }

    fn facts(final_copy: bool) -> MinutesFacts {
        MinutesFacts {
            office: "海宁市信访局".into(),
            case_number: "海宁信访〔2026〕1号".into(),
            case_title: "测试案件".into(),
            hearing_title: "测试听证会".into(),
            starts_at_ms: 0,
            place: "听证室".into(),
            is_public: true,
            host: Some("主持人".into()),
            host_account: Some("host".into()),
            clerk: Some("记录员".into()),
            seat_accounts: (1..=3)
                .map(|i| (format!("m{i}"), format!("j{i}")))
                .collect(),
            parties: vec![
                ("张三".into(), Part::Petitioner),
                ("住建局".into(), Part::Agency),
            ],
            register_changed_ms: None,
            chain_head: "ef".repeat(32),
            generated_at_ms: 0,
            offset_seconds: 8 * 3600,
            verify_url: Some("http://x/verify".into()),
            final_copy,
        }
    }

    fn all_text(doc: &MinutesDoc) -> String {
        let mut out = String::new();
        for b in &doc.blocks {
            match b {
                Block::Heading(t) | Block::Para(t) | Block::Small(t) => out.push_str(t),
                Block::Facts(f) => f.iter().for_each(|(l, v)| out.push_str(&format!("{l}{v}"))),
                Block::Table { rows, .. } => rows.iter().flatten().for_each(|c| out.push_str(c)),
                Block::Signatures(s) => s.iter().for_each(|s| {
                    out.push_str(&format!("{}{}{}", s.capacity, s.name, s.confirmation))
                }),
            }
            out.push('\n');
        }
        out
    }

    #[test]
    fn the_minutes_state_when_the_log_says_it_sat_and_the_planned_time_only_where_it_differs() {
        let timed = |payloads: Vec<EventPayload>, start_second: i64| {
            crate::domain::room::timed_log(
                payloads
                    .into_iter()
                    .enumerate()
                    .map(|(i, p)| (start_second + i as i64 * 60, p))
                    .collect(),
            )
        };
        // Planned for 1 January 1970 08:00 Beijing time (ms 0); opened on time.
        let on_time = fold(&timed(held_to_close(), -60)).unwrap();
        let text = all_text(&minutes_doc(&facts(false), &on_time, &[]));
        assert!(text.contains("1970年1月1日 08:00至08:11"), "{text}");
        assert!(!text.contains("原定"), "{text}");
        // Opened eight days late: the actual day first, the plan labelled.
        let late = fold(&timed(held_to_close(), 8 * 86_400 - 60)).unwrap();
        let text = all_text(&minutes_doc(&facts(false), &late, &[]));
        assert!(
            text.contains("1970年1月9日 08:00至08:11（原定1970年1月1日 08:00）"),
            "{text}"
        );
        // Not opened: the draft says so and never prints the plan as if held.
        let waiting = fold(&log(held_to_close()[..1].to_vec())).unwrap();
        let text = all_text(&minutes_doc(&facts(false), &waiting, &[]));
        assert!(
            text.contains("尚未开始（原定1970年1月1日 08:00）"),
            "{text}"
        );
    }

    #[test]
    fn the_attendance_names_every_member_and_party_nobody_marked() {
        use crate::domain::sitting::Presence;
        let mut payloads = held_to_close();
        let marked = |name: &str, account: Option<&str>, part| EventPayload::AttendanceMarked {
            name: name.into(),
            account: account.map(str::to_owned),
            part,
            presence: Presence::InRoom,
            by: "记录员".into(),
        };
        payloads.insert(1, marked("张三", None, Part::Petitioner));
        payloads.insert(2, marked("评议员1", Some("j1"), Part::Juror));
        let room = fold(&log(payloads)).unwrap();
        let doc = minutes_doc(&facts(false), &room, &[]);
        let rows = doc
            .blocks
            .iter()
            .find_map(|b| match b {
                Block::Table { columns, rows } if columns[2].title == "出席情况" => {
                    Some(rows.clone())
                }
                _ => None,
            })
            .expect("an attendance table");
        let presence_of = |name: &str| {
            rows.iter()
                .filter(|r| r[0] == name)
                .map(|r| r[2].as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(presence_of("张三"), ["现场出席"]);
        assert_eq!(presence_of("评议员1"), ["现场出席"]);
        assert_eq!(presence_of("评议员2"), ["无出席记录"]);
        assert_eq!(presence_of("评议员3"), ["无出席记录"]);
        assert_eq!(presence_of("住建局"), ["无出席记录"]);
        assert_eq!(
            presence_of("评议员4"),
            Vec::<&str>::new(),
            "an alternate is not expected"
        );
    }

    #[test]
    fn the_minutes_print_every_member_the_record_and_who_confirmed() {
        let mut payloads = held_to_close();
        payloads.push(confirm("host", "主持人", Part::Host));
        payloads.push(confirm("j2", "评议员2", Part::Juror));
        let room = fold(&log(payloads)).unwrap();
        let exhibits = vec![ExhibitEntry {
            label: "申-1".into(),
            title: "欠条".into(),
            submitter: "信访人 张三".into(),
            status: "已采纳".into(),
            challenged: false,
            sha256: "12".repeat(32),
            opinions: vec!["李四（责任单位）：真实性：无异议".into()],
        }];
        let doc = minutes_doc(&facts(true), &room, &exhibits);
        let text = all_text(&doc);
        for needle in [
            "海宁信访〔2026〕1号",
            "评议员1",
            "评议员2",
            "评议员3",
            "信访人陈述诉求",
            "申-1",
            "真实性：无异议",
            "闭会",
            "本次听证未进行表决",
        ] {
            assert!(text.contains(needle), "{needle} missing");
        }
        assert!(!doc.draft);
        assert!(minutes_doc(&facts(false), &room, &exhibits).draft);
        let Some(Block::Signatures(signatories)) = doc
            .blocks
            .iter()
            .find(|b| matches!(b, Block::Signatures(_)))
        else {
            panic!("no signature block");
        };
        let status = |name: &str| {
            signatories
                .iter()
                .find(|s| s.name == name)
                .map(|s| s.confirmation.clone())
                .unwrap()
        };
        assert!(status("主持人").contains("在线确认"));
        assert!(status("评议员2").contains("在线确认"));
        assert_eq!(status("评议员1"), "未确认");
        let headings: Vec<&String> = doc
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading(h) => Some(h),
                _ => None,
            })
            .collect();
        assert!(headings[0].starts_with("一、"));
        assert!(headings.last().unwrap().contains("纪要确认"));
    }

    /// The turn given in `stage`, if any: (speaker, part, allotted, spoken seconds).
    fn turn_in(stage: Stage) -> Option<(&'static str, Part, u32, i64)> {
        match stage {
            // 5 minutes allotted, 5:35 spoken.
            Stage::PetitionerStatement => Some(("张三", Part::Petitioner, 300, 335)),
            // 2 minutes allotted, 1 minute spoken.
            Stage::AgencyStatement => Some(("住建局", Part::Agency, 120, 60)),
            _ => None,
        }
    }

    /// [`held_to_close`] a minute between events, with the turns of [`turn_in`]
    /// given 10 s into their stage and ended by the host after their length.
    fn held_with_turns() -> Vec<HearingEvent> {
        let mut at_secs = 0;
        let mut timed = Vec::new();
        for payload in held_to_close() {
            let turn = match &payload {
                EventPayload::ProcedureStepped {
                    to: Procedure::Running { stage },
                    ..
                } => turn_in(*stage),
                _ => None,
            };
            at_secs += 60;
            timed.push((at_secs, payload));
            if let Some((speaker, part, seconds, spoken)) = turn {
                let given = at_secs + 10;
                timed.push((
                    given,
                    EventPayload::FloorGiven {
                        speaker: speaker.into(),
                        part,
                        seconds,
                        by: "主持人".into(),
                    },
                ));
                timed.push((
                    given + spoken,
                    EventPayload::FloorEnded {
                        by: "主持人".into(),
                    },
                ));
                at_secs = given + spoken;
            }
        }
        let mut link = super::super::event::ChainHash::GENESIS;
        timed
            .into_iter()
            .zip(1u64..)
            .map(|((secs, payload), seq)| {
                link = link.next("h", seq, secs * 1000, &payload);
                HearingEvent {
                    hearing_id: "h".into(),
                    seq,
                    at_ms: secs * 1000,
                    payload,
                    hash: link.to_hex(),
                }
            })
            .collect()
    }

    fn speech_rows(doc: &MinutesDoc) -> Option<Vec<Vec<String>>> {
        doc.blocks.iter().find_map(|b| match b {
            Block::Table { columns, rows } if columns[0].title == "发言人" => Some(rows.clone()),
            _ => None,
        })
    }

    #[test]
    fn the_minutes_list_every_turn_with_its_length_and_any_overtime() {
        let room = fold(&held_with_turns()).unwrap();
        let doc = minutes_doc(&facts(true), &room, &[]);
        let rows = speech_rows(&doc).expect("a table of the turns");
        // Epoch + 8 h: the petitioner's stage begins at 08:03:00, the turn 10 s in.
        assert_eq!(
            rows,
            [
                [
                    "张三（信访人）",
                    "信访人陈述",
                    "08:03:10",
                    "5 分 35 秒",
                    "5 分 00 秒",
                    "超时 0 分 35 秒"
                ],
                [
                    "住建局（责任单位）",
                    "责任单位陈述",
                    "08:10:55",
                    "1 分 00 秒",
                    "2 分 00 秒",
                    "—"
                ],
            ]
        );
        assert!(all_text(&doc).contains("、发言记录"));

        let silent = fold(&log(held_to_close())).unwrap();
        let doc = minutes_doc(&facts(true), &silent, &[]);
        assert_eq!(speech_rows(&doc), None, "no turns, no table");
        assert!(!all_text(&doc).contains("发言记录"));
    }

    #[test]
    fn an_exhibit_any_opinion_disputes_is_printed_as_challenged() {
        use crate::domain::evidence::Stance;
        let opinion = |relevance| Opinion {
            authenticity: Stance::Agree,
            legality: Stance::NoComment,
            relevance,
            comment: String::new(),
        };
        let (agreed, disputed) = (opinion(Stance::Agree), opinion(Stance::Dispute));
        assert!(!challenged(Vec::<&Opinion>::new()));
        assert!(!challenged([&agreed, &agreed]));
        assert!(challenged([&agreed, &disputed]));

        let entry = |label: &str, status: &str, disputed: bool| ExhibitEntry {
            label: label.into(),
            title: "欠条".into(),
            submitter: "信访人 张三".into(),
            status: status.into(),
            challenged: disputed,
            sha256: "12".repeat(32),
            opinions: Vec::new(),
        };
        let exhibits = [
            entry("申-1", "已采纳", true),
            entry("被-1", "已提交", false),
            entry("申-2", "已撤回", true),
        ];
        let room = fold(&log(held_to_close())).unwrap();
        let doc = minutes_doc(&facts(true), &room, &exhibits);
        let statuses: Vec<(&str, &str)> = doc
            .blocks
            .iter()
            .find_map(|b| match b {
                Block::Table { rows, .. } if rows.first().is_some_and(|r| r[0] == "申-1") => Some(
                    rows.iter()
                        .map(|r| (r[0].as_str(), r[3].as_str()))
                        .collect(),
                ),
                _ => None,
            })
            .expect("the exhibit table");
        assert_eq!(
            statuses,
            [
                ("申-1", "已采纳\n有异议"),
                ("被-1", "已提交"),
                ("申-2", "已撤回\n有异议"),
            ]
        );
    }

    proptest! {
        /// A confirmation is current exactly when no content event follows it.
        #[test]
        fn confirmations_go_stale_on_any_later_content(kinds in proptest::collection::vec(0u8..3, 0..30)) {
            let mut payloads = held_to_close();
            for k in &kinds {
                payloads.push(match k {
                    0 => confirm("host", "主持人", Part::Host),
                    1 => confirm("j1", "评议员1", Part::Juror),
                    _ => EventPayload::ConclusionRecorded { text: "结论".into(), by: "主持人".into(), announced: false },
                });
            }
            let room = fold(&log(payloads)).unwrap();
            let last_content = kinds.iter().rposition(|k| *k == 2);
            let host_after = kinds.iter().rposition(|k| *k == 0).is_some_and(|h| last_content.is_none_or(|c| h > c));
            prop_assert_eq!(room.minutes.current_confirmation("host").is_some(), host_after);
        }
    }
}
