//! 表决 ballots and the one tally: the screen, the API and the minutes all call
//! [`tally`], so they can never disagree about a result.
//!
//! Rules (documented for the minutes):
//! - a majority is counted over the **seated** members, not over those who voted:
//!   an abstention or a missing vote counts against every option;
//! - simple majority: more than half of the seated members; two-thirds: at least
//!   two thirds of them (rounded up);
//! - the last vote of a juror counts; a vote repeated with the same idempotency key
//!   is one vote;
//! - no option reaching the majority (a tie included) is [`Outcome::NoMajority`]
//!   (未形成多数意见): the host records it and the panel's opinion says so;
//! - a ballot opened without quorum is refused before it opens ([`check_quorum`]).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// 多数规则 how many votes an option needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MajorityRule {
    /// 过半数 more than half of the seated members.
    Simple,
    /// 三分之二以上 at least two thirds of the seated members.
    TwoThirds,
}

impl MajorityRule {
    /// The votes an option needs when `seated` members sit on the panel.
    pub fn needed(self, seated: u32) -> u32 {
        match self {
            MajorityRule::Simple => seated / 2 + 1,
            MajorityRule::TwoThirds => (2 * seated).div_ceil(3),
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            MajorityRule::Simple => "过半数通过",
            MajorityRule::TwoThirds => "三分之二以上通过",
        }
    }
}

/// 记名 / 不记名: whether individual choices may ever leave the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BallotMode {
    /// 记名投票
    Named,
    /// 不记名投票: only counts, never who chose what.
    Secret,
}

/// One vote as cast (the last one of a juror counts).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CastVote {
    pub juror_id: String,
    /// Index into the ballot's options.
    pub option: usize,
    /// The client's idempotency key: a retry with the same key is the same vote.
    pub key: String,
    /// The log seq that recorded it (0 before it is committed).
    #[serde(default)]
    pub seq: u64,
}

/// What a closed ballot decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The option (index) that reached the majority.
    Decided { option: usize },
    /// 未形成多数意见: no option reached the majority (a tie included).
    NoMajority,
}

/// The counts and the outcome; in secret mode this is all that is ever shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Votes per option, in the ballot's order.
    pub counts: Vec<u32>,
    /// Jurors whose vote counts.
    pub voted: u32,
    pub seated: u32,
    /// Votes an option needed.
    pub needed: u32,
    pub outcome: Outcome,
}

/// Why a vote, an opening, a closing or a draft was refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum VoteRefusal {
    #[error("not seated")]
    NotSeated,
    #[error("unknown option")]
    UnknownOption,
    #[error("no quorum")]
    NoQuorum { present: u32, needed: u32 },
    #[error("no such ballot")]
    UnknownBallot,
    #[error("ballot not open yet")]
    NotOpen,
    #[error("ballot closed")]
    Closed,
    #[error("ballot already open")]
    AlreadyOpen,
    #[error("replayed vote")]
    Replayed,
    #[error("bad idempotency key")]
    BadKey,
    #[error("ballot not in the voting stage")]
    NotVotingStage,
    #[error("no panel seated")]
    NoPanel,
    #[error("invalid ballot: {problem}")]
    InvalidDraft { problem: DraftProblem },
    #[error("opinion invalid")]
    OpinionInvalid,
    #[error("proxy vote needs a reason")]
    ProxyReasonMissing,
    /// 代为录入 in a secret ballot: the member chooses at the clerk's desk, the
    /// host enters only the reason (they must not learn the choice).
    #[error("in a secret ballot the member chooses, not the host")]
    ProxyChoiceMisplaced,
    /// A named entry needs the host's choice; a secret one the member's.
    #[error("the proxy vote has no choice")]
    ProxyChoiceMissing,
    /// A member changed their vote on this ballot as often as one may.
    #[error("too many changes of vote")]
    TooManyChanges { max: usize },
    /// 代为录入: the one-time code typed is not the code issued for this entry.
    #[error("wrong confirmation code")]
    ProxyCodeWrong { attempts_left: u32 },
    /// No code issued yet for the entry, or it expired: a new one is needed.
    #[error("confirmation code expired or not issued")]
    ProxyCodeExpired,
    /// Too many wrong codes: the entry must be made again by the host.
    #[error("too many wrong codes")]
    ProxyCodeLocked,
}

impl VoteRefusal {
    pub fn message_zh(&self) -> String {
        match self {
            VoteRefusal::NotSeated => "您不是本场评议团成员，不能投票".into(),
            VoteRefusal::UnknownOption => "所选选项不存在".into(),
            VoteRefusal::NoQuorum { present, needed } => format!(
                "到场评议员 {present} 人，不足法定人数 {needed} 人（应到人数的三分之二），不能开始表决"
            ),
            VoteRefusal::UnknownBallot => "表决事项不存在".into(),
            VoteRefusal::NotOpen => "表决尚未开始，暂不能投票".into(),
            VoteRefusal::Closed => "表决已结束，不能再投票或修改".into(),
            VoteRefusal::AlreadyOpen => "表决已开始，表决事项、选项和规则已锁定，不能修改".into(),
            VoteRefusal::Replayed => {
                "这是一次已处理过的重复提交，未重复计票；请以页面显示的当前选择为准".into()
            }
            VoteRefusal::BadKey => "投票请求缺少有效的防重复标识，请刷新页面后重试".into(),
            VoteRefusal::NotVotingStage => {
                "请先将听证程序推进到“评议”或“表决”环节，再开始表决".into()
            }
            VoteRefusal::NoPanel => "本场听证尚未组成评议团，不能表决".into(),
            VoteRefusal::InvalidDraft { problem } => problem.message_zh(),
            VoteRefusal::OpinionInvalid => {
                format!("评议意见不能为空，且不超过 {MAX_OPINION_CHARS} 字")
            }
            VoteRefusal::ProxyReasonMissing => {
                "代为录入必须写明理由（如：该评议员无可用设备）".into()
            }
            VoteRefusal::ProxyChoiceMisplaced => {
                "不记名表决由评议员本人在记录员处选择，主持人只录入理由".into()
            }
            VoteRefusal::ProxyChoiceMissing => "请选择表决意见".into(),
            VoteRefusal::TooManyChanges { max } => {
                format!("您在本表决事项上已提交 {max} 次（含修改），不能再修改；以最后一次提交为准")
            }
            VoteRefusal::ProxyCodeWrong { attempts_left } => {
                format!("验证码不正确，投票未记录；还可再试 {attempts_left} 次")
            }
            VoteRefusal::ProxyCodeExpired => {
                "验证码已过期或尚未生成，请评议员在本人设备上重新获取，或由主持人重新打印".into()
            }
            VoteRefusal::ProxyCodeLocked => {
                "验证码错误次数过多，本次代为录入已作废，请主持人重新录入".into()
            }
        }
    }
}

/// Why a ballot's definition is not acceptable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum DraftProblem {
    #[error("question empty or too long")]
    Question,
    #[error("options: 2 to 10, each named once")]
    Options,
}

impl DraftProblem {
    pub fn message_zh(self) -> String {
        match self {
            DraftProblem::Question => {
                format!("表决事项不能为空，且不超过 {MAX_QUESTION_CHARS} 字")
            }
            DraftProblem::Options => format!(
                "选项须为 2 至 {MAX_OPTIONS} 个，每项不超过 {MAX_OPTION_CHARS} 字，且不能重复"
            ),
        }
    }
}

pub const MAX_QUESTION_CHARS: usize = 200;
pub const MAX_OPTIONS: usize = 10;
pub const MAX_OPTION_CHARS: usize = 40;
pub const MAX_OPINION_CHARS: usize = 5_000;
/// How many votes one member may submit on one ballot (the first and every
/// change): enough for any real change of mind, and a bound on what one seat
/// can add to the log.
pub const MAX_VOTES_PER_MEMBER: usize = 20;
/// 代为录入: a confirmation code is valid this long after it is issued.
pub const PROXY_CODE_TTL_MS: i64 = 10 * 60 * 1000;
/// Wrong codes an entry tolerates before it is void.
pub const PROXY_CODE_ATTEMPTS: u32 = 5;
/// Digits of a confirmation code.
pub const PROXY_CODE_DIGITS: usize = 6;
/// Idempotency keys: what a client generates (a UUID fits with room to spare).
pub const MAX_KEY_CHARS: usize = 64;

/// The usual options of a 表决事项 on a petitioner's claim.
pub fn default_options() -> Vec<String> {
    vec!["支持".into(), "部分支持".into(), "不支持".into()]
}

/// The question a host most likely puts next: the first of those planned at
/// scheduling (表决事项, one per line) that no ballot asks yet, else the usual
/// one if not asked either, else nothing. The room's form starts from it, so
/// nobody retypes what was planned.
pub fn next_question<'a>(planned: &'a [String], asked: &[&str]) -> &'a str {
    planned
        .iter()
        .map(|q| q.trim())
        .chain([USUAL_QUESTION])
        .find(|q| !q.is_empty() && !asked.iter().any(|a| a.trim() == *q))
        .unwrap_or("")
}

/// The question of most hearings, when none was planned.
pub const USUAL_QUESTION: &str = "信访人诉求是否合理";

/// 表决事项: what is put to the vote and how it is decided. Frozen when opened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BallotSpec {
    pub ballot_id: String,
    /// e.g. 信访人诉求是否合理
    pub question: String,
    pub options: Vec<String>,
    pub rule: MajorityRule,
    pub mode: BallotMode,
    /// Named mode only: counts (and who chose what, for the panel) shown while open.
    pub live_tally: bool,
}

impl BallotSpec {
    /// Checks and tidies a definition typed by the host.
    pub fn parse(
        ballot_id: String,
        question: &str,
        options: &[String],
        rule: MajorityRule,
        mode: BallotMode,
        live_tally: bool,
    ) -> Result<BallotSpec, VoteRefusal> {
        let question = question.trim();
        if question.is_empty() || question.chars().count() > MAX_QUESTION_CHARS {
            return Err(VoteRefusal::InvalidDraft {
                problem: DraftProblem::Question,
            });
        }
        let options: Vec<String> = options
            .iter()
            .map(|o| o.trim().to_owned())
            .filter(|o| !o.is_empty())
            .collect();
        let distinct: std::collections::BTreeSet<&String> = options.iter().collect();
        if !(2..=MAX_OPTIONS).contains(&options.len())
            || distinct.len() != options.len()
            || options.iter().any(|o| o.chars().count() > MAX_OPTION_CHARS)
        {
            return Err(VoteRefusal::InvalidDraft {
                problem: DraftProblem::Options,
            });
        }
        Ok(BallotSpec {
            ballot_id,
            question: question.to_owned(),
            options,
            rule,
            mode,
            // In secret mode nothing is shown before the close, whatever was asked.
            live_tally: live_tally && mode == BallotMode::Named,
        })
    }

    /// Whether individual choices stay inside the server until the close (and,
    /// in secret mode, for ever).
    pub fn sealed(&self) -> bool {
        self.mode == BallotMode::Secret || !self.live_tally
    }
}

/// A seated member as the ballot knows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Voter {
    /// The member's account (what the permission table knows them by).
    pub voter_id: String,
    pub name: String,
}

/// 代为录入: the host entered the vote of a member without a device, with a reason,
/// and the member confirmed it on the clerk's screen with a one-time code
/// issued to them (never their password).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProxyEntry {
    pub entered_by: String,
    pub reason: String,
}

/// Where a ballot stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BallotStatus {
    /// 待表决: defined, may still change.
    Draft,
    /// 表决中
    Open,
    /// 表决结束
    Closed,
}

impl BallotStatus {
    pub fn label_zh(self) -> &'static str {
        match self {
            BallotStatus::Draft => "待表决",
            BallotStatus::Open => "表决中",
            BallotStatus::Closed => "表决结束",
        }
    }
}

/// 评议意见 (and 少数意见 when `minority`): a member's written reasons on a ballot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opinion {
    /// Stable per member and ballot: a changed opinion replaces the earlier one.
    pub opinion_id: String,
    /// Empty when the ballot is secret and the reader is not the server.
    pub voter_id: String,
    pub name: String,
    pub text: String,
    pub minority: bool,
    pub at_ms: i64,
}

/// A named vote as the minutes print it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedVote {
    pub voter_id: String,
    pub name: String,
    pub option: usize,
    /// Entered by the host for the member (代为录入), if so.
    pub proxy: Option<ProxyEntry>,
}

/// An opinion given in a secret ballot while it is open, kept by the server
/// (off the log) until the close publishes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldOpinion {
    pub voter_id: String,
    pub name: String,
    pub text: String,
    pub minority: bool,
}

/// A closed ballot as the announcement tells parties and the public.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnouncedBallot {
    pub spec: BallotSpec,
    pub voters: Vec<Voter>,
    pub present: u32,
    pub opened_at_ms: Option<i64>,
    pub closed_at_ms: Option<i64>,
    pub result: Tally,
}

impl AnnouncedBallot {
    /// The ballot as a reader who learns of it only now folds it.
    pub fn to_state(&self) -> BallotState {
        BallotState {
            status: BallotStatus::Closed,
            voters: self.voters.clone(),
            present: self.present,
            opened_at_ms: self.opened_at_ms,
            closed_at_ms: self.closed_at_ms,
            result: Some(self.result.clone()),
            ..BallotState::new(self.spec.clone())
        }
    }
}

/// 代为录入 confirmation codes: what is stored is this hash, bound to the entry,
/// its ballot and its member, so a code can confirm nothing else.
pub fn proxy_code_hash(request_id: &str, ballot_id: &str, voter_id: &str, code: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in [request_id, ballot_id, voter_id, code.trim()] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// A stored code as the check needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedCode {
    pub hash: String,
    pub expires_at_ms: i64,
    pub failed_attempts: u32,
}

/// Whether `offered` (already hashed by [`proxy_code_hash`]) confirms the
/// entry at `now_ms`: issued, not expired, not locked by wrong attempts, equal
/// (compared in constant time).
pub fn check_proxy_code(
    issued: Option<&IssuedCode>,
    offered_hash: &str,
    now_ms: i64,
) -> Result<(), VoteRefusal> {
    let issued = issued.ok_or(VoteRefusal::ProxyCodeExpired)?;
    if issued.failed_attempts >= PROXY_CODE_ATTEMPTS {
        return Err(VoteRefusal::ProxyCodeLocked);
    }
    if now_ms >= issued.expires_at_ms {
        return Err(VoteRefusal::ProxyCodeExpired);
    }
    let (a, b) = (issued.hash.as_bytes(), offered_hash.as_bytes());
    let same = a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0;
    if same {
        Ok(())
    } else {
        let left = PROXY_CODE_ATTEMPTS.saturating_sub(issued.failed_attempts + 1);
        Err(if left == 0 {
            VoteRefusal::ProxyCodeLocked
        } else {
            VoteRefusal::ProxyCodeWrong {
                attempts_left: left,
            }
        })
    }
}

/// One ballot as the room knows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BallotState {
    pub spec: BallotSpec,
    pub status: BallotStatus,
    /// Frozen at opening: the seated members and how many were present.
    pub voters: Vec<Voter>,
    pub present: u32,
    pub opened_at_ms: Option<i64>,
    pub closed_at_ms: Option<i64>,
    /// Every vote committed, in order (empty for sealed votes outside the server).
    pub votes: Vec<CastVote>,
    /// Proxy entries by vote seq.
    pub proxies: Vec<(u64, ProxyEntry)>,
    /// Who has voted (every reader sees this; not how).
    pub voted: Vec<String>,
    /// The latest opinion per member, in the order first given.
    pub opinions: Vec<Opinion>,
    /// Set at the close by [`tally`].
    pub result: Option<Tally>,
    /// Named mode: each member's last vote, published at the close.
    pub named: Vec<NamedVote>,
}

impl BallotState {
    pub fn new(spec: BallotSpec) -> BallotState {
        BallotState {
            spec,
            status: BallotStatus::Draft,
            voters: Vec::new(),
            present: 0,
            opened_at_ms: None,
            closed_at_ms: None,
            votes: Vec::new(),
            proxies: Vec::new(),
            voted: Vec::new(),
            opinions: Vec::new(),
            result: None,
            named: Vec::new(),
        }
    }

    fn voter_ids(&self) -> Vec<String> {
        self.voters.iter().map(|v| v.voter_id.clone()).collect()
    }

    /// THE tally of this ballot over the votes this reader holds.
    pub fn tally(&self) -> Tally {
        tally(
            &self.voter_ids(),
            self.spec.options.len(),
            self.spec.rule,
            &self.votes,
        )
    }

    /// A member's current choice, where this reader may know it.
    pub fn choice_of(&self, voter_id: &str) -> Option<usize> {
        latest_votes(&self.voter_ids(), self.spec.options.len(), &self.votes)
            .get(voter_id)
            .copied()
    }

    /// 少数意见: reasons flagged as a dissent by a member whose counted vote is
    /// not the option the ballot decided. The flag of a member in the majority
    /// prints as ordinary reasons; with no majority every flagged dissent stands.
    /// (A reader without the member's identity keeps the flag as given.)
    pub fn is_dissent(&self, opinion: &Opinion) -> bool {
        if !opinion.minority {
            return false;
        }
        match self.result.as_ref().map(|r| &r.outcome) {
            Some(Outcome::Decided { option }) if !opinion.voter_id.is_empty() => {
                match self.counted_choice(&opinion.voter_id) {
                    Some(choice) => choice != *option,
                    None => true,
                }
            }
            _ => true,
        }
    }

    /// A member's counted choice where this reader may know it: from the votes,
    /// or, for a panel that saw only sealed votes, the named result published
    /// at the close.
    fn counted_choice(&self, voter_id: &str) -> Option<usize> {
        self.choice_of(voter_id).or_else(|| {
            self.named
                .iter()
                .find(|n| n.voter_id == voter_id)
                .map(|n| n.option)
        })
    }

    /// 代为录入 as the host enters it: in a named ballot the host enters the
    /// member's choice (the member then confirms what they see); in a secret
    /// ballot no choice at all (the member makes it at the clerk's desk).
    pub fn check_proxy_entry(&self, option: Option<usize>) -> Result<(), VoteRefusal> {
        match (self.spec.mode, option) {
            (BallotMode::Secret, Some(_)) => Err(VoteRefusal::ProxyChoiceMisplaced),
            (BallotMode::Named, None) => Err(VoteRefusal::ProxyChoiceMissing),
            (_, Some(o)) if o >= self.spec.options.len() => Err(VoteRefusal::UnknownOption),
            _ => Ok(()),
        }
    }

    /// The choice that counts when the member confirms an entry: the host's in
    /// a named ballot (the member confirms it as shown), the member's own in a
    /// secret one.
    pub fn proxy_choice(
        &self,
        entered: Option<usize>,
        chosen: Option<usize>,
    ) -> Result<usize, VoteRefusal> {
        let choice = match self.spec.mode {
            BallotMode::Named => entered,
            BallotMode::Secret if entered.is_some() => {
                return Err(VoteRefusal::ProxyChoiceMisplaced);
            }
            BallotMode::Secret => chosen,
        }
        .ok_or(VoteRefusal::ProxyChoiceMissing)?;
        if choice < self.spec.options.len() {
            Ok(choice)
        } else {
            Err(VoteRefusal::UnknownOption)
        }
    }

    /// May the definition still change?
    pub fn check_editable(&self) -> Result<(), VoteRefusal> {
        match self.status {
            BallotStatus::Draft => Ok(()),
            BallotStatus::Open => Err(VoteRefusal::AlreadyOpen),
            BallotStatus::Closed => Err(VoteRefusal::Closed),
        }
    }

    /// May it open with these seated members, `present` of them in the room?
    pub fn check_open(&self, seated: &[Voter], present: u32) -> Result<(), VoteRefusal> {
        self.check_editable()?;
        if seated.is_empty() {
            return Err(VoteRefusal::NoPanel);
        }
        check_quorum(u32::try_from(seated.len()).unwrap_or(u32::MAX), present)
    }

    /// Decides a vote: a new vote to commit, or the same vote already counted (a
    /// retry of the latest request, acknowledged again with its seq).
    pub fn decide_vote(&self, vote: &CastVote) -> Result<VoteDecision, VoteRefusal> {
        if vote.key.trim().is_empty() || vote.key.chars().count() > MAX_KEY_CHARS {
            return Err(VoteRefusal::BadKey);
        }
        match self.status {
            BallotStatus::Draft => return Err(VoteRefusal::NotOpen),
            BallotStatus::Closed => return Err(VoteRefusal::Closed),
            BallotStatus::Open => {}
        }
        check_vote(&self.voter_ids(), self.spec.options.len(), vote)?;
        let mine = || self.votes.iter().filter(|v| v.juror_id == vote.juror_id);
        if let Some(earlier) = mine().find(|v| v.key == vote.key) {
            let latest = mine().next_back();
            return if latest == Some(earlier) && earlier.option == vote.option {
                Ok(VoteDecision::AlreadyCounted { seq: earlier.seq })
            } else {
                Err(VoteRefusal::Replayed)
            };
        }
        if mine().count() >= MAX_VOTES_PER_MEMBER {
            return Err(VoteRefusal::TooManyChanges {
                max: MAX_VOTES_PER_MEMBER,
            });
        }
        Ok(VoteDecision::Record)
    }

    /// May `voter_id` give an opinion now? (While open, or after the close for a
    /// dissent, until the minutes are made.)
    pub fn check_opinion(&self, voter_id: &str, text: &str) -> Result<String, VoteRefusal> {
        if self.status == BallotStatus::Draft {
            return Err(VoteRefusal::NotOpen);
        }
        if !self.voters.iter().any(|v| v.voter_id == voter_id) {
            return Err(VoteRefusal::NotSeated);
        }
        let text = crate::domain::event::clean_text(text, true);
        if text.is_empty() || text.chars().count() > MAX_OPINION_CHARS {
            return Err(VoteRefusal::OpinionInvalid);
        }
        Ok(text)
    }

    /// Whether an opinion given now waits off the log until the close: in a
    /// secret ballot still open, an opinion published at once would sit next
    /// to its author's "has voted" and name them.
    pub fn holds_opinions(&self) -> bool {
        self.spec.mode == BallotMode::Secret && self.status == BallotStatus::Open
    }

    /// The held opinions of a secret ballot as its close publishes them: in an
    /// order that says nothing of who wrote them or when (by the SHA-256 of the
    /// text, then the text), each under the member's existing opinion id if
    /// they had one. `new_id` makes the ids of the others, in that order.
    pub fn release_held(
        &self,
        mut held: Vec<HeldOpinion>,
        mut new_id: impl FnMut() -> String,
    ) -> Vec<(String, HeldOpinion)> {
        use sha2::{Digest, Sha256};
        held.retain(|h| self.voters.iter().any(|v| v.voter_id == h.voter_id));
        held.sort_by_cached_key(|h| (Sha256::digest(h.text.as_bytes()).to_vec(), h.text.clone()));
        held.into_iter()
            .map(|h| {
                let id = self
                    .opinions
                    .iter()
                    .find(|o| o.voter_id == h.voter_id)
                    .map_or_else(&mut new_id, |o| o.opinion_id.clone());
                (id, h)
            })
            .collect()
    }

    /// What parties and the public learn of this ballot at the announcement,
    /// if it was closed: never a member's choice or opinion.
    pub fn announced(&self) -> Option<AnnouncedBallot> {
        Some(AnnouncedBallot {
            spec: self.spec.clone(),
            voters: self.voters.clone(),
            present: self.present,
            opened_at_ms: self.opened_at_ms,
            closed_at_ms: self.closed_at_ms,
            result: self.result.clone()?,
        })
    }

    /// What the close publishes: the tally, and in named mode each member's vote.
    pub fn closing(&self) -> Result<(Tally, Vec<NamedVote>), VoteRefusal> {
        match self.status {
            BallotStatus::Draft => return Err(VoteRefusal::NotOpen),
            BallotStatus::Closed => return Err(VoteRefusal::Closed),
            BallotStatus::Open => {}
        }
        let result = self.tally();
        let named = match self.spec.mode {
            BallotMode::Secret => Vec::new(),
            BallotMode::Named => self.named_votes(),
        };
        Ok((result, named))
    }

    fn named_votes(&self) -> Vec<NamedVote> {
        let latest = latest_votes(&self.voter_ids(), self.spec.options.len(), &self.votes);
        self.voters
            .iter()
            .filter_map(|voter| {
                let option = *latest.get(voter.voter_id.as_str())?;
                let seq = self
                    .votes
                    .iter()
                    .rev()
                    .find(|v| v.juror_id == voter.voter_id)
                    .map(|v| v.seq);
                let proxy = self
                    .proxies
                    .iter()
                    .find(|(s, _)| Some(*s) == seq)
                    .map(|(_, p)| p.clone());
                Some(NamedVote {
                    voter_id: voter.voter_id.clone(),
                    name: voter.name.clone(),
                    option,
                    proxy,
                })
            })
            .collect()
    }

    /// The outcome in words, as the room and the minutes announce it.
    pub fn outcome_zh(&self, result: &Tally) -> String {
        match result.outcome {
            Outcome::Decided { option } => format!(
                "{}（{} 票，达到{}所需的 {} 票）",
                self.spec.options.get(option).map_or("?", String::as_str),
                result.counts.get(option).copied().unwrap_or(0),
                self.spec.rule.label_zh(),
                result.needed
            ),
            Outcome::NoMajority => format!(
                "未形成多数意见（任一选项均未达到{}所需的 {} 票）",
                self.spec.rule.label_zh(),
                result.needed
            ),
        }
    }
}

impl BallotMode {
    pub fn label_zh(self) -> &'static str {
        match self {
            BallotMode::Named => "记名投票",
            BallotMode::Secret => "不记名投票",
        }
    }
}

impl BallotState {
    /// The ballot as the minutes print it, line by line: the question and how it
    /// was put, the result by the one tally, each named vote (counts only when
    /// secret), every reason and every 少数意见. Secret opinions carry no name.
    pub fn minutes_lines(&self) -> Vec<String> {
        let spec = &self.spec;
        let mut lines = vec![format!(
            "表决事项：{}（{}；{}；选项：{}）",
            spec.question,
            spec.mode.label_zh(),
            spec.rule.label_zh(),
            spec.options.join("、")
        )];
        let Some(result) = &self.result else {
            lines.push(format!("（未完成表决：{}）", self.status.label_zh()));
            return lines;
        };
        lines.push(format!(
            "应到评议员 {} 人，到场 {} 人，投票 {} 人。",
            result.seated, self.present, result.voted
        ));
        lines.push(format!("表决结果：{}", self.outcome_zh(result)));
        let counts: Vec<String> = spec
            .options
            .iter()
            .zip(&result.counts)
            .map(|(o, c)| format!("{o} {c} 票"))
            .collect();
        lines.push(format!(
            "计票：{}；未投票 {} 人。",
            counts.join("，"),
            result.seated.saturating_sub(result.voted)
        ));
        match spec.mode {
            BallotMode::Secret => {
                lines.push("不记名投票：纪要仅记载票数，不记载个人选择。".into());
                for (seq, proxy) in &self.proxies {
                    let voter = self
                        .votes
                        .iter()
                        .find(|v| v.seq == *seq)
                        .and_then(|v| self.voters.iter().find(|p| p.voter_id == v.juror_id));
                    if let Some(voter) = voter {
                        lines.push(format!(
                            "代为录入：{}的投票由{}代为录入（理由：{}；本人已当场确认；不记载选择）",
                            voter.name, proxy.entered_by, proxy.reason
                        ));
                    }
                }
            }
            BallotMode::Named => {
                for vote in &self.named {
                    let option = spec.options.get(vote.option).map_or("?", String::as_str);
                    let proxy = vote.proxy.as_ref().map_or(String::new(), |p| {
                        format!(
                            "（由{}代为录入，理由：{}；本人已当场确认）",
                            p.entered_by, p.reason
                        )
                    });
                    lines.push(format!("记名表决：{} — {option}{proxy}", vote.name));
                }
            }
        }
        for opinion in &self.opinions {
            let who = if opinion.name.is_empty() || spec.mode == BallotMode::Secret {
                "评议员（不记名）"
            } else {
                opinion.name.as_str()
            };
            let kind = if self.is_dissent(opinion) {
                "少数意见"
            } else {
                "评议意见"
            };
            lines.push(format!("{kind}（{who}）：{}", opinion.text));
        }
        lines
    }
}

/// What to do with a vote that passed the checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoteDecision {
    /// Commit it.
    Record,
    /// The same request again: answer with the seq that recorded it.
    AlreadyCounted { seq: u64 },
}

/// The latest vote per seated juror, replays and outsiders left out. The order of
/// `votes` is the order they were committed in.
pub fn latest_votes<'a>(
    seated: &[String],
    options: usize,
    votes: impl IntoIterator<Item = &'a CastVote>,
) -> BTreeMap<&'a str, usize> {
    let mut latest = BTreeMap::new();
    let mut seen = std::collections::BTreeSet::new();
    for vote in votes {
        // A replayed frame (same juror, same key) is the vote already counted,
        // even if the juror changed their mind in between.
        if !seen.insert((vote.juror_id.as_str(), vote.key.as_str())) {
            continue;
        }
        if vote.option < options && seated.iter().any(|s| s == &vote.juror_id) {
            latest.insert(vote.juror_id.as_str(), vote.option);
        }
    }
    latest
}

/// Checks one vote before it is committed.
pub fn check_vote(seated: &[String], options: usize, vote: &CastVote) -> Result<(), VoteRefusal> {
    if !seated.iter().any(|s| s == &vote.juror_id) {
        return Err(VoteRefusal::NotSeated);
    }
    if vote.option >= options {
        return Err(VoteRefusal::UnknownOption);
    }
    Ok(())
}

/// 法定人数: two thirds of the seated members present before a ballot opens.
pub fn check_quorum(seated: u32, present: u32) -> Result<(), VoteRefusal> {
    let needed = (2 * seated).div_ceil(3);
    if present >= needed && seated > 0 {
        Ok(())
    } else {
        Err(VoteRefusal::NoQuorum { present, needed })
    }
}

/// THE tally.
pub fn tally<'a>(
    seated: &[String],
    options: usize,
    rule: MajorityRule,
    votes: impl IntoIterator<Item = &'a CastVote>,
) -> Tally {
    let latest = latest_votes(seated, options, votes);
    let mut counts = vec![0u32; options];
    for option in latest.values() {
        counts[*option] += 1;
    }
    let seated_count = u32::try_from(seated.len()).unwrap_or(u32::MAX);
    let needed = rule.needed(seated_count);
    // At most one option can reach more than half (or two thirds); ties cannot.
    let winners: Vec<usize> = (0..options).filter(|i| counts[*i] >= needed).collect();
    let outcome = match winners.as_slice() {
        [only] => Outcome::Decided { option: *only },
        _ => Outcome::NoMajority,
    };
    Tally {
        voted: u32::try_from(latest.len()).unwrap_or(u32::MAX),
        counts,
        seated: seated_count,
        needed,
        outcome,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod fold_tests {
    //! Ballots through the event log: decisions, the fold on the server and in the
    //! browser, and what each reader may see.
    use super::*;
    use crate::domain::event::{EventPayload, HearingEvent};
    use crate::domain::room::{RoomState, fold};
    use proptest::prelude::*;

    fn voters(n: usize) -> Vec<Voter> {
        (0..n)
            .map(|i| Voter {
                voter_id: format!("a{i}"),
                name: format!("评议员{i}"),
            })
            .collect()
    }

    fn spec(mode: BallotMode, live: bool) -> BallotSpec {
        BallotSpec::parse(
            "b1".into(),
            "信访人诉求是否合理",
            &default_options(),
            MajorityRule::Simple,
            mode,
            live,
        )
        .unwrap()
    }

    /// A committed log from payloads, with a real hash chain.
    fn log(payloads: Vec<EventPayload>) -> Vec<HearingEvent> {
        crate::domain::room::committed_log(payloads)
    }

    /// Plays votes the way the server does: each decided against the fold so far.
    fn play(spec: BallotSpec, panel: usize, votes: &[(usize, usize, u8)]) -> Vec<HearingEvent> {
        let mut payloads = vec![
            EventPayload::BallotDrafted {
                spec: spec.clone(),
                by: "主持人".into(),
            },
            EventPayload::BallotOpened {
                ballot_id: "b1".into(),
                voters: voters(panel),
                present: panel as u32,
                by: "主持人".into(),
            },
        ];
        for (juror, option, key) in votes {
            let room = fold(&log(payloads.clone())).unwrap();
            let vote = CastVote {
                juror_id: format!("a{juror}"),
                option: *option,
                key: format!("k{key}"),
                seq: 0,
            };
            if let Ok(VoteDecision::Record) = room.ballot("b1").unwrap().decide_vote(&vote) {
                payloads.push(EventPayload::VoteCast {
                    ballot_id: "b1".into(),
                    voter: vote.juror_id,
                    option: vote.option,
                    key: vote.key,
                    sealed: spec.sealed(),
                    proxy: None,
                    salt: format!("salt-{key}"),
                });
            }
        }
        payloads.push(EventPayload::OpinionGiven {
            ballot_id: "b1".into(),
            opinion_id: "o1".into(),
            voter_id: "a0".into(),
            name: "评议员0".into(),
            text: "证据不足".into(),
            minority: true,
            anonymous: spec.mode == BallotMode::Secret,
            salt: "salt-opinion".into(),
        });
        let room = fold(&log(payloads.clone())).unwrap();
        let (result, named) = room.ballot("b1").unwrap().closing().unwrap();
        payloads.push(EventPayload::BallotClosed {
            ballot_id: "b1".into(),
            result,
            named,
            by: "主持人".into(),
            salt: "salt-close".into(),
        });
        log(payloads)
    }

    /// `payloads` as events following `events` (time and hash as `log` makes them).
    fn log_after(events: &[HearingEvent], payloads: Vec<EventPayload>) -> Vec<HearingEvent> {
        let first = events.len();
        let mut all: Vec<EventPayload> = events.iter().map(|e| e.payload.clone()).collect();
        all.extend(payloads);
        log(all).split_off(first)
    }

    fn seen(events: &[HearingEvent], sees_panel: bool) -> RoomState {
        let visible: Vec<HearingEvent> = events
            .iter()
            .map(|e| e.seen_by(sees_panel).into_owned())
            .collect();
        fold(&visible).unwrap()
    }

    #[test]
    fn a_retry_is_answered_and_a_superseded_key_is_a_replay() {
        let events = play(spec(BallotMode::Secret, false), 3, &[(0, 0, 1), (0, 2, 2)]);
        let open: Vec<HearingEvent> = events[..events.len() - 1].to_vec();
        let room = fold(&open).unwrap();
        let ballot = room.ballot("b1").unwrap();
        let again = |option, key: &str| CastVote {
            juror_id: "a0".into(),
            option,
            key: key.into(),
            seq: 0,
        };
        assert_eq!(
            ballot.decide_vote(&again(2, "k2")),
            Ok(VoteDecision::AlreadyCounted { seq: 4 })
        );
        assert_eq!(
            ballot.decide_vote(&again(0, "k1")),
            Err(VoteRefusal::Replayed)
        );
        assert_eq!(
            ballot.decide_vote(&again(1, "k2")),
            Err(VoteRefusal::Replayed)
        );
        assert_eq!(ballot.decide_vote(&again(1, "")), Err(VoteRefusal::BadKey));
        let closed = fold(&events).unwrap();
        assert_eq!(
            closed.ballot("b1").unwrap().decide_vote(&again(1, "k9")),
            Err(VoteRefusal::Closed)
        );
    }

    #[test]
    fn a_ballot_opens_only_with_a_quorum_and_freezes() {
        let ballot = BallotState::new(spec(BallotMode::Secret, false));
        assert_eq!(
            ballot.check_open(&voters(7), 4),
            Err(VoteRefusal::NoQuorum {
                present: 4,
                needed: 5
            })
        );
        assert_eq!(ballot.check_open(&[], 0), Err(VoteRefusal::NoPanel));
        assert_eq!(ballot.check_open(&voters(7), 5), Ok(()));
        let room = fold(&play(spec(BallotMode::Secret, false), 3, &[])).unwrap();
        assert_eq!(
            room.ballot("b1").unwrap().check_editable(),
            Err(VoteRefusal::Closed)
        );
        // A secret ballot never has a live tally, whatever was asked.
        assert!(!spec(BallotMode::Secret, true).live_tally);
        assert!(
            BallotSpec::parse(
                "x".into(),
                "问",
                &["是".into(), " 是 ".into()],
                MajorityRule::Simple,
                BallotMode::Named,
                false
            )
            .is_err()
        );
    }

    #[test]
    fn minutes_print_counts_only_for_a_secret_ballot() {
        let events = play(
            spec(BallotMode::Secret, false),
            3,
            &[(0, 0, 1), (1, 0, 2), (2, 2, 3)],
        );
        let room = fold(&events).unwrap();
        let text = room.ballot("b1").unwrap().minutes_lines().join("\n");
        assert!(text.contains("支持 2 票"), "{text}");
        assert!(text.contains("表决结果：支持（2 票"), "{text}");
        assert!(!text.contains("评议员0"), "{text}");
        let events = play(
            spec(BallotMode::Named, false),
            3,
            &[(0, 0, 1), (1, 0, 2), (2, 2, 3)],
        );
        let room = fold(&events).unwrap();
        let text = room.ballot("b1").unwrap().minutes_lines().join("\n");
        assert!(text.contains("记名表决：评议员2 — 不支持"), "{text}");
    }

    #[test]
    fn a_secret_proxy_vote_is_chosen_by_the_member_a_named_one_entered_by_the_host() {
        let named = fold(&play(spec(BallotMode::Named, false), 3, &[])).unwrap();
        let named = named.ballot("b1").unwrap();
        assert_eq!(named.check_proxy_entry(Some(1)), Ok(()));
        assert_eq!(
            named.check_proxy_entry(None),
            Err(VoteRefusal::ProxyChoiceMissing)
        );
        assert_eq!(
            named.check_proxy_entry(Some(9)),
            Err(VoteRefusal::UnknownOption)
        );
        assert_eq!(
            named.proxy_choice(Some(1), Some(2)),
            Ok(1),
            "the entry as shown counts"
        );
        let secret = fold(&play(spec(BallotMode::Secret, false), 3, &[])).unwrap();
        let secret = secret.ballot("b1").unwrap();
        assert_eq!(secret.check_proxy_entry(None), Ok(()));
        assert_eq!(
            secret.check_proxy_entry(Some(0)),
            Err(VoteRefusal::ProxyChoiceMisplaced)
        );
        assert_eq!(secret.proxy_choice(None, Some(2)), Ok(2));
        assert_eq!(
            secret.proxy_choice(None, None),
            Err(VoteRefusal::ProxyChoiceMissing)
        );
        assert_eq!(
            secret.proxy_choice(None, Some(7)),
            Err(VoteRefusal::UnknownOption)
        );
    }

    #[test]
    fn a_dissent_is_printed_only_for_a_member_outside_the_majority() {
        // 评议员0 flags a dissent: voting with the majority, it prints as reasons.
        let with_majority = play(
            spec(BallotMode::Named, false),
            3,
            &[(0, 0, 1), (1, 0, 2), (2, 2, 3)],
        );
        let room = fold(&with_majority).unwrap();
        let text = room.ballot("b1").unwrap().minutes_lines().join("\n");
        assert!(text.contains("评议意见（评议员0）：证据不足"), "{text}");
        assert!(!text.contains("少数意见"), "{text}");
        // Outvoted, it is a 少数意见.
        let outvoted = play(
            spec(BallotMode::Named, false),
            3,
            &[(0, 2, 1), (1, 0, 2), (2, 0, 3)],
        );
        let room = fold(&outvoted).unwrap();
        let text = room.ballot("b1").unwrap().minutes_lines().join("\n");
        assert!(text.contains("少数意见（评议员0）：证据不足"), "{text}");
        // A panel member's screen saw only sealed votes: the published named
        // result decides the same way as the server's minutes.
        for (log, dissent) in [(&with_majority, false), (&outvoted, true)] {
            let mut ballot = fold(log).unwrap().ballot("b1").unwrap().clone();
            ballot.votes.clear();
            let flagged = ballot.opinions.iter().find(|o| o.minority).unwrap().clone();
            assert_eq!(ballot.is_dissent(&flagged), dissent);
        }
    }

    #[test]
    fn a_member_changes_a_vote_a_bounded_number_of_times() {
        let changes: Vec<(usize, usize, u8)> = (0..MAX_VOTES_PER_MEMBER)
            .map(|i| (0, i % 3, u8::try_from(i).unwrap()))
            .collect();
        let events = play(spec(BallotMode::Secret, false), 3, &changes);
        let open = fold(&events[..events.len() - 2]).unwrap();
        let ballot = open.ballot("b1").unwrap();
        assert_eq!(ballot.votes.len(), MAX_VOTES_PER_MEMBER);
        let one_more = CastVote {
            juror_id: "a0".into(),
            option: 1,
            key: "one-more".into(),
            seq: 0,
        };
        let refusal = ballot.decide_vote(&one_more).unwrap_err();
        assert_eq!(
            refusal,
            VoteRefusal::TooManyChanges {
                max: MAX_VOTES_PER_MEMBER
            }
        );
        assert!(refusal.message_zh().contains("不能再修改"));
        // The latest request again is still acknowledged; others still vote.
        let latest = ballot.votes.last().unwrap().clone();
        assert!(matches!(
            ballot.decide_vote(&latest),
            Ok(VoteDecision::AlreadyCounted { .. })
        ));
        let other = CastVote {
            juror_id: "a1".into(),
            ..one_more
        };
        assert_eq!(ballot.decide_vote(&other), Ok(VoteDecision::Record));
    }

    #[test]
    fn held_opinions_are_released_in_an_order_that_names_nobody() {
        let events = play(spec(BallotMode::Secret, false), 3, &[]);
        let open = fold(&events[..events.len() - 2]).unwrap();
        let ballot = open.ballot("b1").unwrap();
        assert!(ballot.holds_opinions());
        let held = |voter: &str, text: &str| HeldOpinion {
            voter_id: voter.into(),
            name: format!("名{voter}"),
            text: text.into(),
            minority: false,
        };
        let given = vec![
            held("a0", "甲"),
            held("a1", "乙"),
            held("a2", "丙"),
            held("x", "外人"),
        ];
        let mut n = 0;
        let released = ballot.release_held(given.clone(), || {
            n += 1;
            format!("id{n}")
        });
        // Whatever order they were given (or voters sit) in, the same order out.
        let mut reversed = given;
        reversed.reverse();
        let again = ballot.release_held(reversed, || "id".into());
        let texts =
            |r: &[(String, HeldOpinion)]| r.iter().map(|(_, h)| h.text.clone()).collect::<Vec<_>>();
        assert_eq!(texts(&released), texts(&again));
        assert_eq!(released.len(), 3, "not seated: dropped");
        let mut by_hash = texts(&released);
        by_hash.sort_by_key(|t| {
            use sha2::{Digest, Sha256};
            Sha256::digest(t.as_bytes()).to_vec()
        });
        assert_eq!(texts(&released), by_hash);
        let closed = fold(&events).unwrap();
        assert!(!closed.ballot("b1").unwrap().holds_opinions());
    }

    #[test]
    fn a_proxy_code_is_bound_single_try_bounded_and_expires() {
        let hash = proxy_code_hash("r1", "b1", "a0", "123456");
        assert_ne!(hash, proxy_code_hash("r2", "b1", "a0", "123456"));
        assert_ne!(hash, proxy_code_hash("r1", "b2", "a0", "123456"));
        assert_ne!(hash, proxy_code_hash("r1", "b1", "a1", "123456"));
        let issued = IssuedCode {
            hash: hash.clone(),
            expires_at_ms: 1_000,
            failed_attempts: 0,
        };
        assert_eq!(check_proxy_code(Some(&issued), &hash, 999), Ok(()));
        assert_eq!(
            check_proxy_code(Some(&issued), &hash, 1_000),
            Err(VoteRefusal::ProxyCodeExpired)
        );
        assert_eq!(
            check_proxy_code(None, &hash, 0),
            Err(VoteRefusal::ProxyCodeExpired)
        );
        let wrong = proxy_code_hash("r1", "b1", "a0", "654321");
        assert_eq!(
            check_proxy_code(Some(&issued), &wrong, 0),
            Err(VoteRefusal::ProxyCodeWrong {
                attempts_left: PROXY_CODE_ATTEMPTS - 1
            })
        );
        let last_try = IssuedCode {
            failed_attempts: PROXY_CODE_ATTEMPTS - 1,
            ..issued.clone()
        };
        assert_eq!(
            check_proxy_code(Some(&last_try), &wrong, 0),
            Err(VoteRefusal::ProxyCodeLocked)
        );
        let locked = IssuedCode {
            failed_attempts: PROXY_CODE_ATTEMPTS,
            ..issued
        };
        assert_eq!(
            check_proxy_code(Some(&locked), &hash, 0),
            Err(VoteRefusal::ProxyCodeLocked),
            "even the right code, once locked"
        );
    }

    fn arb_votes() -> impl Strategy<Value = Vec<(usize, usize, u8)>> {
        proptest::collection::vec((0usize..7, 0usize..3, 0u8..12), 0..40)
    }

    proptest! {
        /// The server's fold and every reader's fold of what they receive agree on
        /// everything a reader may know: status, who voted, the result.
        #[test]
        fn every_reader_folds_the_same_result(votes in arb_votes(), secret in any::<bool>(), live in any::<bool>()) {
            let mode = if secret { BallotMode::Secret } else { BallotMode::Named };
            let events = play(spec(mode, live), 7, &votes);
            let server = fold(&events).unwrap();
            let truth = server.ballot("b1").unwrap();
            prop_assert_eq!(truth.result.clone(), Some(truth.tally()));
            let room = seen(&events, true);
            let ballot = room.ballot("b1").unwrap();
            prop_assert_eq!(ballot.status, BallotStatus::Closed);
            prop_assert_eq!(&ballot.voted, &truth.voted);
            prop_assert_eq!(&ballot.result, &truth.result);
            prop_assert_eq!(room.last_seq, server.last_seq);
            // Outside the panel: nothing of the ballot — not its question, not
            // who voted, not the result — until the announcement tells the result.
            let outside = seen(&events, false);
            prop_assert!(outside.ballots.is_empty(), "{:?}", outside.ballots);
            prop_assert_eq!(outside.last_seq, server.last_seq);
            let mut announced = events.clone();
            announced.extend(log_after(&events, vec![EventPayload::ResultsAnnounced {
                ballots: server.ballots.iter().filter_map(BallotState::announced).collect(),
                by: "主持人".into(),
                conclusion: None,
            }]));
            for sees_panel in [true, false] {
                let room = seen(&announced, sees_panel);
                let ballot = room.ballot("b1").unwrap();
                prop_assert_eq!(ballot.status, BallotStatus::Closed);
                prop_assert_eq!(&ballot.result, &truth.result);
                prop_assert!(room.results_announced);
                if !sees_panel {
                    prop_assert!(ballot.voted.is_empty() && ballot.votes.is_empty() && ballot.opinions.is_empty());
                }
            }
        }

        /// No reader ever receives an individual choice of a sealed ballot, and
        /// outside the panel nobody receives any individual choice at all.
        #[test]
        fn sealed_choices_never_leave_the_server(votes in arb_votes(), secret in any::<bool>(), live in any::<bool>()) {
            let mode = if secret { BallotMode::Secret } else { BallotMode::Named };
            let spec = spec(mode, live);
            let events = play(spec.clone(), 7, &votes);
            for sees_panel in [true, false] {
                for event in &events {
                    let shown = event.seen_by(sees_panel);
                    let leaks_choice = matches!(shown.payload, EventPayload::VoteCast { .. })
                        || matches!(&shown.payload, EventPayload::BallotClosed { named, .. } if !named.is_empty());
                    if spec.mode == BallotMode::Secret || !sees_panel {
                        prop_assert!(!leaks_choice, "{:?}", shown.payload);
                    }
                    if spec.sealed() {
                        let whole_vote = matches!(shown.payload, EventPayload::VoteCast { .. });
                        prop_assert!(!whole_vote, "sealed vote sent whole");
                    }
                    // A redacted event carries neither its hash nor its salt.
                    if shown.payload != event.payload {
                        let json = serde_json::to_string(&shown.payload).unwrap();
                        prop_assert!(!json.contains("salt") && shown.hash.is_empty(), "{}", json);
                    }
                    if let EventPayload::OpinionGiven { voter_id, name, .. } = &shown.payload
                        && spec.mode == BallotMode::Secret
                    {
                        prop_assert!(voter_id.is_empty() && name.is_empty());
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_form_starts_from_the_first_planned_question_not_yet_asked() {
        let planned = vec![
            " 信访人诉求是否合理 ".to_owned(),
            "".to_owned(),
            "责任单位处理是否得当".to_owned(),
        ];
        assert_eq!(next_question(&planned, &[]), "信访人诉求是否合理");
        assert_eq!(
            next_question(&planned, &["信访人诉求是否合理"]),
            "责任单位处理是否得当"
        );
        assert_eq!(
            next_question(&planned, &["信访人诉求是否合理", "责任单位处理是否得当 "]),
            ""
        );
        assert_eq!(next_question(&[], &[]), USUAL_QUESTION);
        assert_eq!(
            next_question(&["补偿标准是否适当".to_owned()], &["补偿标准是否适当"]),
            USUAL_QUESTION
        );
    }

    use super::*;
    use proptest::prelude::*;

    fn seated(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("j{i}")).collect()
    }

    fn vote(juror: &str, option: usize, key: &str) -> CastVote {
        CastVote {
            juror_id: juror.into(),
            option,
            key: key.into(),
            seq: 0,
        }
    }

    #[test]
    fn majorities_of_seated_members() {
        assert_eq!(MajorityRule::Simple.needed(7), 4);
        assert_eq!(MajorityRule::Simple.needed(15), 8);
        assert_eq!(MajorityRule::TwoThirds.needed(7), 5);
        assert_eq!(MajorityRule::TwoThirds.needed(9), 6);
        assert_eq!(MajorityRule::TwoThirds.needed(3), 2);
    }

    #[test]
    fn last_vote_counts_and_outsiders_do_not() {
        let panel = seated(7);
        let votes = vec![
            vote("j0", 0, "a"),
            vote("j1", 0, "b"),
            vote("j2", 0, "c"),
            vote("j3", 1, "d"),
            vote("j3", 0, "e"), // changed their mind
            vote("stranger", 1, "f"),
            vote("j4", 9, "g"), // no such option
        ];
        let t = tally(&panel, 3, MajorityRule::Simple, &votes);
        assert_eq!(t.counts, vec![4, 0, 0]);
        assert_eq!(t.voted, 4);
        assert_eq!(t.outcome, Outcome::Decided { option: 0 });
    }

    #[test]
    fn a_tie_or_too_few_votes_is_no_majority() {
        let panel = seated(7);
        let votes = [vote("j0", 0, "a"), vote("j1", 0, "b"), vote("j2", 0, "c")];
        assert_eq!(
            tally(&panel, 2, MajorityRule::Simple, &votes).outcome,
            Outcome::NoMajority
        );
        let panel = seated(6);
        let votes: Vec<CastVote> = (0..6).map(|i| vote(&format!("j{i}"), i % 2, "k")).collect();
        assert_eq!(
            tally(&panel, 2, MajorityRule::Simple, &votes).outcome,
            Outcome::NoMajority
        );
    }

    #[test]
    fn quorum_is_two_thirds_of_the_seated() {
        assert!(check_quorum(7, 5).is_ok());
        assert_eq!(
            check_quorum(7, 4),
            Err(VoteRefusal::NoQuorum {
                present: 4,
                needed: 5
            })
        );
        assert!(check_quorum(0, 0).is_err());
        assert!(
            check_quorum(7, 4)
                .expect_err("no quorum")
                .message_zh()
                .contains("法定人数 5 人")
        );
    }

    #[test]
    fn votes_are_checked_before_commit() {
        let panel = seated(3);
        assert_eq!(check_vote(&panel, 2, &vote("j1", 1, "k")), Ok(()));
        assert_eq!(
            check_vote(&panel, 2, &vote("x", 1, "k")),
            Err(VoteRefusal::NotSeated)
        );
        assert_eq!(
            check_vote(&panel, 2, &vote("j1", 2, "k")),
            Err(VoteRefusal::UnknownOption)
        );
    }

    fn arb_votes() -> impl Strategy<Value = Vec<CastVote>> {
        proptest::collection::vec((0usize..9, 0usize..4), 0..60).prop_map(|pairs| {
            pairs
                .into_iter()
                .enumerate()
                .map(|(i, (j, o))| vote(&format!("j{j}"), o, &format!("k{i}")))
                .collect()
        })
    }

    proptest! {
        /// Each juror counts once, with their last valid vote, whatever came before.
        #[test]
        fn each_juror_counts_once_with_the_last_vote(votes in arb_votes(), size in prop::sample::select(vec![3usize, 5, 7])) {
            let panel = seated(size);
            let t = tally(&panel, 3, MajorityRule::Simple, &votes);
            prop_assert!(t.voted as usize <= size);
            prop_assert_eq!(t.counts.iter().sum::<u32>(), t.voted);
            let latest = latest_votes(&panel, 3, &votes);
            for juror in &panel {
                let last = votes.iter().rev().find(|v| &v.juror_id == juror && v.option < 3);
                prop_assert_eq!(latest.get(juror.as_str()).copied(), last.map(|v| v.option));
            }
        }

        /// Replaying any earlier vote (same key), at the end, changes nothing:
        /// a retry never counts twice nor undoes a later change of mind.
        #[test]
        fn replays_change_nothing(votes in arb_votes(), pick in any::<prop::sample::Index>()) {
            let panel = seated(7);
            let before = tally(&panel, 3, MajorityRule::Simple, &votes);
            if votes.is_empty() { return Ok(()); }
            let mut replayed = votes.clone();
            replayed.push(votes[pick.index(votes.len())].clone());
            prop_assert_eq!(tally(&panel, 3, MajorityRule::Simple, &replayed), before);
        }

        /// A decided option always has the needed votes, and at most one can.
        #[test]
        fn decided_means_majority(votes in arb_votes(), two_thirds in any::<bool>()) {
            let panel = seated(7);
            let rule = if two_thirds { MajorityRule::TwoThirds } else { MajorityRule::Simple };
            let t = tally(&panel, 3, rule, &votes);
            match t.outcome {
                Outcome::Decided { option } => prop_assert!(t.counts[option] >= t.needed),
                Outcome::NoMajority => prop_assert!(t.counts.iter().all(|c| *c < t.needed)),
            }
        }

        /// Votes of different jurors commute: only each juror's own order matters.
        #[test]
        fn order_between_jurors_does_not_matter(votes in arb_votes()) {
            let panel = seated(9);
            let mut by_juror = votes.clone();
            by_juror.sort_by(|a, b| a.juror_id.cmp(&b.juror_id)); // stable: keeps each juror's order
            prop_assert_eq!(
                tally(&panel, 4, MajorityRule::Simple, &votes),
                tally(&panel, 4, MajorityRule::Simple, &by_juror)
            );
        }
    }
}
