//! The one error type of the server-function boundary.
//!
//! It carries a machine-readable kind, never internal details: those are logged
//! on the server, and the client shows the reader's language via [`ApiError::message`].

use crate::domain::RecordTextError;
use crate::i18n::Lang;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ApiError {
    #[error("invalid record text: {reason}")]
    InvalidRecord { reason: RecordTextError },
    #[error("hearing not found")]
    HearingNotFound,
    /// Not logged in (or the session expired).
    #[error("not logged in")]
    NotLoggedIn,
    /// Logged in, but the role does not allow it.
    #[error("forbidden")]
    Forbidden,
    #[error("wrong username or password")]
    BadCredentials,
    #[error("too many login attempts")]
    RateLimited { retry_after_secs: u64 },
    #[error("password too short")]
    WeakPassword { min: usize },
    #[error("username invalid")]
    InvalidUsername,
    #[error("username taken")]
    UsernameTaken,
    #[error("display name empty")]
    InvalidDisplayName,
    #[error("account not found")]
    AccountNotFound,
    #[error("unknown party kind")]
    InvalidPartyKind,
    #[error("party name empty")]
    InvalidPartyName,
    #[error("validity out of range")]
    InvalidValidity { min: u32, max: u32 },
    #[error("invitation not found")]
    InvitationNotFound,
    /// The change would leave no enabled administrator.
    #[error("last administrator")]
    LastAdmin,
    #[error("case not found")]
    CaseNotFound,
    #[error("case invalid")]
    CaseInvalid {
        errors: Vec<crate::domain::case::CaseFieldError>,
    },
    #[error("case number taken")]
    CaseNumberTaken { number: String },
    /// The named investigator, host or clerk is not an enabled account with that role.
    #[error("unknown person")]
    UnknownPerson {
        part: crate::domain::case::PersonPart,
    },
    #[error("hearing plan invalid")]
    PlanInvalid {
        errors: Vec<crate::domain::schedule::PlanError>,
    },
    /// Double booking: names who (or which room) and which hearing.
    #[error("schedule conflict")]
    ScheduleConflict {
        conflicts: Vec<crate::model::NamedConflict>,
    },
    /// Somebody else changed it since it was loaded.
    #[error("stale version")]
    StaleVersion,
    /// A cancelled hearing is history: it is not changed any more.
    #[error("hearing cancelled")]
    HearingCancelled,
    /// Opened (宣布开始): its time, place, postponement or cancellation are
    /// what happened now, not a plan (休会 in the room adjourns it).
    #[error("hearing already opened")]
    HearingUnderway,
    #[error("reason required")]
    ReasonRequired,
    #[error("settings invalid")]
    SettingsInvalid,
    /// A CSV import with errors: nothing was written.
    #[error("import rejected")]
    ImportRejected,
    #[error("import unreadable")]
    ImportUnreadable { reason: String },
    /// The integration API's bearer token is missing, unknown or revoked.
    #[error("invalid API token")]
    InvalidToken,
    #[error("missing scope")]
    MissingScope { scope: String },
    /// No such path in the integration API.
    #[error("unknown endpoint")]
    UnknownEndpoint,
    /// A request body or parameter an API client sent could not be read.
    #[error("bad request: {detail}")]
    BadRequest { detail: String },
    #[error("pool member not found")]
    MemberNotFound,
    #[error("pool member invalid")]
    MemberInvalid {
        errors: Vec<crate::domain::pool::MemberError>,
    },
    /// No panel meeting the quotas can be drawn; says which quota and why.
    #[error("draw infeasible")]
    DrawInfeasible {
        reason: crate::domain::sortition::Infeasible,
    },
    /// The hearing's panel has been drawn; a drawn panel is final.
    #[error("panel already drawn")]
    PanelAlreadyDrawn,
    /// An input is committed and waits for its public values (or to be voided).
    #[error("draw pending")]
    DrawPending,
    /// No committed draw waits for public values.
    #[error("no draw pending")]
    NoDrawPending,
    #[error("draw not found")]
    DrawNotFound,
    #[error("public values invalid")]
    PublicValuesInvalid {
        reason: crate::domain::pool::PublicValuesError,
    },
    /// The member holds no seat on this hearing's panel (any more).
    #[error("seat not found")]
    SeatNotFound,
    #[error("rotation out of range")]
    RotationInvalid { max: u32 },
    #[error("categories invalid")]
    CategoriesInvalid { reason: String },
    /// A file or its description was refused at intake (type, size, content).
    #[error("evidence refused: {reason}")]
    EvidenceRefused {
        reason: crate::domain::evidence::IntakeError,
    },
    #[error("exhibit not found")]
    ExhibitNotFound,
    /// The exhibit was withdrawn; it can no longer be shown, admitted or opined on.
    #[error("exhibit withdrawn")]
    ExhibitWithdrawn,
    /// The procedure cannot take this step now (e.g. back after the vote began).
    #[error("step refused")]
    StepRefused {
        reason: crate::domain::procedure::StepRefused,
    },
    #[error("attendance invalid")]
    AttendanceInvalid {
        reason: crate::domain::sitting::AttendanceError,
    },
    #[error("floor minutes out of range")]
    FloorMinutesInvalid { max: u32 },
    /// Nobody has the floor.
    #[error("no floor")]
    NoFloor,
    /// The panel deliberates only in the closed stages.
    #[error("not in deliberation")]
    NotInDeliberation,
    /// Record lines, the floor and the screens are public: not while the panel
    /// sits in closed session (parties and the public see only 评议中).
    #[error("closed session")]
    ClosedSession,
    /// 笔录 is taken from 宣布开始 to 闭会 (`domain::room::RoomState::may_record`):
    /// `opened` is false before the opening, true after the close.
    #[error("the record is taken from the opening to the close")]
    RecordOutsideSitting { opened: bool },
    /// A party shows its own exhibits only while its side has the floor.
    #[error("not the party's floor")]
    NotYourFloor,
    /// Exhibits go on the screens only while the hearing sits.
    #[error("hearing not sitting")]
    NotSitting,
    #[error("record line not found")]
    RecordLineNotFound,
    #[error("nothing changed")]
    NothingChanged,
    /// Page turns need a PDF on the screens.
    #[error("no pdf shown")]
    NoPdfShown,
    #[error("notes too long")]
    NotesTooLong { max: usize },
    /// 表决: a vote, an opening, a closing or a ballot's definition was refused.
    #[error("vote refused: {refusal}")]
    VoteRefused {
        refusal: crate::domain::ballot::VoteRefusal,
    },
    /// A paste into the record has more lines than one request may add.
    #[error("too many lines")]
    TooManyLines { max: usize },
    /// 代为录入: the member's own password did not confirm the entry.
    #[error("proxy not confirmed")]
    ProxyNotConfirmed,
    /// The entry to confirm is gone (confirmed already, or replaced by the host).
    #[error("proxy entry not found")]
    ProxyNotFound,
    /// The hearing's log holds as many events as one hearing may.
    #[error("hearing log full")]
    LogFull { max: u64 },
    /// 纪要: a confirmation, the conclusion or the finalisation was refused; also
    /// any change to a hearing whose minutes are finalised.
    #[error("minutes: {refusal}")]
    MinutesRefused {
        refusal: crate::domain::minutes::MinutesRefusal,
    },
    /// 档案检索: a date that is not YYYY-MM-DD.
    #[error("date invalid")]
    DateInvalid { value: String },
    /// The minutes could not be produced; nothing changed. `reason` is a
    /// [`MinutesFault`] code (`font_missing`, `key_unreadable`, …), never the
    /// detail (key paths, OS errors): the press logs that where it maps it.
    #[error("minutes unavailable")]
    MinutesUnavailable { reason: String },
    /// 听后跟踪: an outcome, commitment, visit, rating or repeat link was refused.
    #[error("aftercare: {refusal}")]
    AftercareRefused {
        refusal: crate::domain::aftercare::AftercareRefusal,
    },
    /// A follow-up visit that does not exist.
    #[error("follow-up not found")]
    FollowUpNotFound,
    /// 统计: a period that cannot be shown.
    #[error("statistics: {refusal}")]
    StatsRefused {
        refusal: crate::domain::stats::StatsRefusal,
    },
    /// The minutes would print a verification address only this machine reaches.
    #[error("public url needed")]
    PublicUrlNeeded,
    /// A search field longer than the search box takes.
    #[error("search text too long")]
    SearchTooLong { max: usize },
    /// A server function called with arguments missing or of the wrong type.
    #[error("bad arguments")]
    BadArguments {
        /// The argument the server could not read, when it can tell.
        field: Option<String>,
    },
    #[error("internal error")]
    Internal,
    /// The call did not reach the server or its answer could not be read.
    #[error("transport error: {detail}")]
    Transport { detail: String },
}

impl ApiError {
    pub fn message(&self, lang: Lang) -> String {
        let t = lang.texts();
        match self {
            ApiError::InvalidRecord {
                reason: RecordTextError::Empty,
            } => t.err_record_empty.into(),
            ApiError::InvalidRecord {
                reason: RecordTextError::TooLong { max },
            } => t.err_record_too_long.replace("{max}", &max.to_string()),
            ApiError::HearingNotFound => t.err_hearing_not_found.into(),
            ApiError::NotLoggedIn => t.err_not_logged_in.into(),
            ApiError::WeakPassword { min } => {
                t.err_weak_password.replace("{min}", &min.to_string())
            }
            ApiError::InvalidUsername => t.err_invalid_username.into(),
            ApiError::UsernameTaken => t.err_username_taken.into(),
            ApiError::InvalidDisplayName => t.err_invalid_display_name.into(),
            ApiError::AccountNotFound => t.err_account_not_found.into(),
            ApiError::LastAdmin => t.err_last_admin.into(),
            ApiError::InvalidPartyKind => t.err_party_kind.into(),
            ApiError::InvalidPartyName => t.err_party_name.into(),
            ApiError::InvalidValidity { min, max } => t
                .err_validity
                .replace("{min}", &min.to_string())
                .replace("{max}", &max.to_string()),
            ApiError::InvitationNotFound => t.err_invitation_not_found.into(),
            ApiError::Forbidden => t.err_forbidden.into(),
            ApiError::BadCredentials => t.err_bad_credentials.into(),
            ApiError::RateLimited { retry_after_secs } => t
                .err_rate_limited
                .replace("{secs}", &retry_after_secs.to_string()),
            ApiError::Internal => t.err_internal.into(),
            ApiError::Transport { .. } => t.err_network.into(),
            other => other.scheduling_message(lang),
        }
    }
}

impl ApiError {
    /// Messages of the case and scheduling errors, whose rules carry their own words.
    fn scheduling_message(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        let pick = |zh_text: String, en_text: String| if zh { zh_text } else { en_text };
        match self {
            ApiError::CaseNotFound => pick("信访事项不存在".into(), "Case not found".into()),
            ApiError::CaseInvalid { errors } => errors
                .iter()
                .map(|e| pick(e.message_zh(), e.message_en()))
                .collect::<Vec<_>>()
                .join(if zh { "；" } else { "; " }),
            ApiError::CaseNumberTaken { number } => pick(
                format!("编号「{number}」已被其他信访事项使用"),
                format!("The case number “{number}” is already in use"),
            ),
            ApiError::UnknownPerson { part } => pick(
                format!("所选{}不存在、已停用或不具备相应角色", part.label_zh()),
                format!(
                    "The chosen {} does not exist, is disabled or lacks the role",
                    part.label_en()
                ),
            ),
            ApiError::PlanInvalid { errors } => errors
                .iter()
                .map(|e| pick(e.message_zh(), e.message_en()))
                .collect::<Vec<_>>()
                .join(if zh { "；" } else { "; " }),
            ApiError::ScheduleConflict { conflicts } => conflicts
                .iter()
                .map(|c| c.message(lang))
                .collect::<Vec<_>>()
                .join(if zh { "；" } else { "; " }),
            ApiError::StaleVersion => pick(
                "该记录已被他人修改，请刷新后重试（您的输入未丢失）".into(),
                "Someone else changed this meanwhile; reload and try again (your input is kept)"
                    .into(),
            ),
            ApiError::HearingCancelled => pick(
                "该听证会已取消，不能再修改".into(),
                "This hearing is cancelled and can no longer be changed".into(),
            ),
            ApiError::HearingUnderway => pick(
                "听证会已宣布开始，时间、地点不能再改，也不能延期或取消；如需改日继续，请在听证室使用“休会”".into(),
                "The hearing has been opened: its time and place stay, and it is not postponed or cancelled; adjourn it in the room to go on another day".into(),
            ),
            ApiError::ReasonRequired => pick("请填写理由".into(), "Give a reason".into()),
            ApiError::SettingsInvalid => pick(
                "时限须为 1–365 天（提前通知与临期提醒可为 0）".into(),
                "Periods must be 1–365 days (notice and due-soon may be 0)".into(),
            ),
            ApiError::ImportRejected => pick(
                "文件有错误，未导入任何记录；请按提示修改后重新上传".into(),
                "The file has errors; nothing was imported. Fix them and upload again".into(),
            ),
            ApiError::ImportUnreadable { reason } => reason.clone(),
            ApiError::InvalidToken => pick(
                "API 令牌缺失、无效或已吊销".into(),
                "The API token is missing, invalid or revoked".into(),
            ),
            ApiError::MissingScope { scope } => pick(
                format!("该令牌没有「{scope}」权限"),
                format!("The token lacks the scope “{scope}”"),
            ),
            ApiError::UnknownEndpoint => pick(
                "没有这个接口，请查阅 /api/v1/openapi.json".into(),
                "No such endpoint; see /api/v1/openapi.json".into(),
            ),
            ApiError::PublicUrlNeeded => pick(
                "纪要上的核验地址将是本机地址，他人无法访问：请管理员设置本平台的对外访问地址（PINGYI_PUBLIC_URL）后再定稿".into(),
                "The minutes would print a verification address only this machine reaches: set PINGYI_PUBLIC_URL, then finalise".into(),
            ),
            ApiError::SearchTooLong { max } => pick(
                format!("检索内容过长：每项不超过 {max} 个字"),
                format!("The search text is too long: at most {max} characters per field"),
            ),
            ApiError::BadArguments { field: Some(field) } => pick(
                format!("请求参数缺失或格式不正确：{field}"),
                format!("A required argument is missing or malformed: {field}"),
            ),
            ApiError::BadArguments { field: None } => pick(
                "请求参数缺失或格式不正确".to_owned(),
                "Arguments are missing or malformed".to_owned(),
            ),
            ApiError::BadRequest { detail } => pick(
                format!("请求无法解析：{detail}"),
                format!("Bad request: {detail}"),
            ),
            other => other.panel_message(lang),
        }
    }

    /// Messages of the pool and draw errors.
    fn panel_message(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        let pick = |zh_text: String, en_text: String| if zh { zh_text } else { en_text };
        match self {
            ApiError::MemberNotFound => {
                pick("评议团成员不存在".into(), "Pool member not found".into())
            }
            ApiError::MemberInvalid { errors } => errors
                .iter()
                .map(|e| pick(e.message_zh(), e.message_en()))
                .collect::<Vec<_>>()
                .join(if zh { "；" } else { "; " }),
            ApiError::DrawInfeasible { reason } => pick(reason.message_zh(), reason.message_en()),
            ApiError::PanelAlreadyDrawn => pick(
                "本场听证的评议团已抽选产生，抽选结果不能重抽；成员谢绝或回避时由候补人员依次递补"
                    .into(),
                "The panel has been drawn and is final; alternates replace members who leave"
                    .into(),
            ),
            ApiError::DrawPending => pick(
                "已公布输入摘要、尚待抽选：请先填写公开随机数完成抽选，或说明理由作废后重新冻结"
                    .into(),
                "A committed draw is waiting for its public values; draw it or void it first"
                    .into(),
            ),
            ApiError::NoDrawPending => pick(
                "没有待抽选的记录：请先冻结名单并公布输入摘要".into(),
                "No committed draw is waiting; freeze the pool and publish the input hash first"
                    .into(),
            ),
            ApiError::DrawNotFound => pick("抽选记录不存在".into(), "Draw not found".into()),
            ApiError::PublicValuesInvalid { reason } => {
                pick(reason.message_zh(), reason.message_en())
            }
            ApiError::RotationInvalid { max } => pick(
                format!("轮空场数须为 0–{max} 的整数（0 表示不轮空）"),
                format!("Rest must be a whole number from 0 to {max} (0: off)"),
            ),
            ApiError::CategoriesInvalid { reason } => reason.clone(),
            ApiError::SeatNotFound => pick(
                "该成员目前不在本场听证的评议团席位上".into(),
                "This member holds no seat on this hearing's panel".into(),
            ),
            ApiError::EvidenceRefused { reason } => pick(reason.message_zh(), reason.message_en()),
            ApiError::VoteRefused { refusal } => pick(refusal.message_zh(), refusal.to_string()),
            ApiError::TooManyLines { max } => pick(
                format!("一次最多记入 {max} 条，请分批粘贴"),
                format!("At most {max} lines at once; paste in parts"),
            ),
            ApiError::MinutesRefused { refusal } => pick(refusal.message_zh(), refusal.to_string()),
            ApiError::AftercareRefused { refusal } => {
                pick(refusal.message_zh(), refusal.to_string())
            }
            ApiError::FollowUpNotFound => {
                pick("回访任务不存在".into(), "Follow-up visit not found".into())
            }
            ApiError::StatsRefused { refusal } => pick(refusal.message_zh(), refusal.to_string()),
            ApiError::DateInvalid { value } => pick(
                format!("日期“{value}”无效，应为 年-月-日，如 2026-12-03"),
                format!("“{value}” is not a date; use YYYY-MM-DD"),
            ),
            ApiError::MinutesUnavailable { reason } => {
                let fault = MinutesFault::from_code(reason);
                pick(
                    format!(
                        "纪要无法生成，听证状态未改变：{}",
                        fault.map_or("请联系管理员", MinutesFault::message_zh)
                    ),
                    format!(
                        "The minutes could not be produced; nothing changed: {}",
                        fault.map_or("contact the administrator", MinutesFault::message_en)
                    ),
                )
            }
            ApiError::ProxyNotFound => pick(
                "该代为录入已确认或已被主持人重新录入，请刷新".into(),
                "This entry was confirmed already or replaced by the host; refresh".into(),
            ),
            ApiError::ProxyNotConfirmed => pick(
                "评议员本人密码不正确，代为录入未获确认，投票未记录".into(),
                "The member's password did not confirm the entry; nothing was recorded".into(),
            ),
            ApiError::LogFull { max } => pick(
                format!("本场听证的记录已达上限（{max} 条），不能再添加；请联系管理员"),
                format!("This hearing's log holds its maximum of {max} events; nothing was added"),
            ),
            ApiError::ExhibitNotFound => pick("证据不存在".into(), "Exhibit not found".into()),
            ApiError::ExhibitWithdrawn => pick(
                "该证据已撤回，不能再展示、采纳或质证".into(),
                "This exhibit was withdrawn".into(),
            ),
            ApiError::StepRefused { reason } => pick(reason.message_zh(), reason.to_string()),
            ApiError::AttendanceInvalid { reason } => {
                pick(reason.message_zh().into(), reason.to_string())
            }
            ApiError::FloorMinutesInvalid { max } => pick(
                format!("发言时间须为 1–{max} 分钟"),
                format!("Speaking time must be 1–{max} minutes"),
            ),
            ApiError::NoFloor => pick("当前没有人在发言".into(), "Nobody has the floor".into()),
            ApiError::RecordLineNotFound => pick(
                "笔录中没有这一行".into(),
                "No such line in the record".into(),
            ),
            ApiError::NothingChanged => pick("内容未改变".into(), "Nothing changed".into()),
            ApiError::NoPdfShown => pick(
                "当前没有正在展示的 PDF 证据".into(),
                "No PDF exhibit is on the screens".into(),
            ),
            ApiError::NotesTooLong { max } => pick(
                format!("个人笔记不能超过 {max} 个字"),
                format!("Notes may not exceed {max} characters"),
            ),
            ApiError::NotInDeliberation => pick(
                "只有在评议、表决环节才能发表评议意见".into(),
                "Deliberation is open only in the deliberation and vote stages".into(),
            ),
            ApiError::ClosedSession => pick(
                "评议、表决不公开进行：此时不能记入公开笔录、指定发言或展示证据，评议内容请写入评议区".into(),
                "The panel sits in closed session: no public record, floor or screen now; write in the deliberation channel".into(),
            ),
            ApiError::RecordOutsideSitting { opened: false } => pick(
                "听证会尚未宣布开始，笔录自宣布开始后记录；事先准备好的内容可在开始后勾选“每行记为一条”一并记入".into(),
                "The hearing has not been opened: the record is taken from the opening; paste prepared lines once it is open".into(),
            ),
            ApiError::RecordOutsideSitting { opened: true } => pick(
                "听证会已闭会，笔录不能再增加；如有错漏，请对原笔录进行更正".into(),
                "The hearing is closed: the record takes no more lines; correct a line instead".into(),
            ),
            ApiError::NotYourFloor => pick(
                "只有在本方发言时才能当庭展示本方证据".into(),
                "A party shows its own exhibits only while its side has the floor".into(),
            ),
            ApiError::NotSitting => pick(
                "听证会开始后（休会、闭会时除外）才能当庭展示证据".into(),
                "Exhibits are shown only while the hearing sits (not before it starts, adjourned or closed)".into(),
            ),
            _ => pick("请求失败".into(), "Request failed".into()),
        }
    }
}

impl From<RecordTextError> for ApiError {
    fn from(reason: RecordTextError) -> Self {
        ApiError::InvalidRecord { reason }
    }
}

impl ApiError {
    /// The HTTP status a server function answers with when it fails this way.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::InvalidRecord { .. } => 422,
            ApiError::HearingNotFound
            | ApiError::AccountNotFound
            | ApiError::InvitationNotFound => 404,
            ApiError::InvalidPartyKind
            | ApiError::InvalidPartyName
            | ApiError::InvalidValidity { .. } => 422,
            ApiError::WeakPassword { .. }
            | ApiError::InvalidUsername
            | ApiError::InvalidDisplayName
            | ApiError::UsernameTaken
            | ApiError::LastAdmin => 422,
            ApiError::NotLoggedIn | ApiError::BadCredentials => 401,
            ApiError::Forbidden => 403,
            ApiError::RateLimited { .. } => 429,
            ApiError::CaseNotFound | ApiError::UnknownEndpoint => 404,
            ApiError::CaseInvalid { .. }
            | ApiError::UnknownPerson { .. }
            | ApiError::PlanInvalid { .. }
            | ApiError::ReasonRequired
            | ApiError::SettingsInvalid
            | ApiError::ImportRejected
            | ApiError::ImportUnreadable { .. } => 422,
            ApiError::CaseNumberTaken { .. }
            | ApiError::ScheduleConflict { .. }
            | ApiError::StaleVersion
            | ApiError::HearingCancelled
            | ApiError::HearingUnderway => 409,
            ApiError::InvalidToken => 401,
            ApiError::MissingScope { .. } => 403,
            ApiError::BadRequest { .. } => 400,
            ApiError::MemberNotFound | ApiError::DrawNotFound | ApiError::SeatNotFound => 404,
            ApiError::MemberInvalid { .. }
            | ApiError::DrawInfeasible { .. }
            | ApiError::PublicValuesInvalid { .. }
            | ApiError::RotationInvalid { .. }
            | ApiError::CategoriesInvalid { .. } => 422,
            ApiError::PanelAlreadyDrawn | ApiError::DrawPending | ApiError::NoDrawPending => 409,
            ApiError::EvidenceRefused {
                reason:
                    crate::domain::evidence::IntakeError::FileTooLarge { .. }
                    | crate::domain::evidence::IntakeError::HearingFull { .. },
            } => 413,
            ApiError::EvidenceRefused { .. } => 422,
            ApiError::ExhibitNotFound => 404,
            ApiError::ExhibitWithdrawn => 409,
            ApiError::StepRefused { .. }
            | ApiError::NoFloor
            | ApiError::NotInDeliberation
            | ApiError::ClosedSession
            | ApiError::RecordOutsideSitting { .. }
            | ApiError::NotYourFloor
            | ApiError::NotSitting => 409,
            ApiError::AttendanceInvalid { .. } | ApiError::FloorMinutesInvalid { .. } => 422,
            ApiError::RecordLineNotFound => 404,
            ApiError::NothingChanged | ApiError::NotesTooLong { .. } => 422,
            ApiError::NoPdfShown => 409,
            ApiError::VoteRefused { refusal } => refusal_status(refusal),
            ApiError::ProxyNotConfirmed => 403,
            ApiError::ProxyNotFound => 404,
            ApiError::MinutesRefused { .. } => 409,
            ApiError::LogFull { .. } => 409,
            ApiError::AftercareRefused { refusal } => match refusal {
                crate::domain::aftercare::AftercareRefusal::AlreadyConfirmed { .. }
                | crate::domain::aftercare::AftercareRefusal::AlreadyRepeat
                | crate::domain::aftercare::AftercareRefusal::WordingChanged
                | crate::domain::aftercare::AftercareRefusal::VisitRecorded
                | crate::domain::aftercare::AftercareRefusal::CaseStillOpen { .. } => 409,
                crate::domain::aftercare::AftercareRefusal::NotThatParty => 403,
                _ => 422,
            },
            ApiError::FollowUpNotFound => 404,
            ApiError::StatsRefused { .. } => 422,
            ApiError::MinutesUnavailable { .. } => 503,
            ApiError::DateInvalid { .. } => 422,
            ApiError::TooManyLines { .. } => 422,
            ApiError::SearchTooLong { .. } | ApiError::BadArguments { .. } => 422,
            ApiError::PublicUrlNeeded => 409,
            ApiError::Internal => 500,
            ApiError::Transport { .. } => 400,
        }
    }
}

impl From<crate::domain::room::RecordRefused> for ApiError {
    fn from(refused: crate::domain::room::RecordRefused) -> Self {
        use crate::domain::room::RecordRefused;
        match refused {
            RecordRefused::NotOpened => ApiError::RecordOutsideSitting { opened: false },
            RecordRefused::Closed => ApiError::RecordOutsideSitting { opened: true },
            RecordRefused::ClosedSession => ApiError::ClosedSession,
        }
    }
}

/// Who asked wrongly (403), what does not exist (404), what is malformed (422),
/// what cannot happen now (409).
fn refusal_status(refusal: &crate::domain::ballot::VoteRefusal) -> u16 {
    use crate::domain::ballot::VoteRefusal as R;
    match refusal {
        R::NotSeated => 403,
        R::UnknownBallot => 404,
        R::UnknownOption
        | R::BadKey
        | R::InvalidDraft { .. }
        | R::OpinionInvalid
        | R::ProxyReasonMissing
        | R::ProxyChoiceMisplaced
        | R::ProxyChoiceMissing
        | R::ProxyCodeWrong { .. } => 422,
        R::ProxyCodeExpired | R::ProxyCodeLocked | R::TooManyChanges { .. } => 409,
        R::NoQuorum { .. }
        | R::NotOpen
        | R::Closed
        | R::AlreadyOpen
        | R::Replayed
        | R::NotVotingStage
        | R::NoPanel => 409,
    }
}

/// Why the minutes could not be produced, as the host is told it. A category
/// only: whoever maps a press failure to one logs the detail there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MinutesFault {
    /// No CJK font configured, or the file is no usable font.
    FontMissing,
    /// The signing key or certificate cannot be read, created or paired.
    KeyUnreadable,
    /// Laying the document out or writing the PDF failed.
    RenderFailed,
    /// The PDF could not be signed.
    SignFailed,
}

impl MinutesFault {
    const ALL: [MinutesFault; 4] = [
        MinutesFault::FontMissing,
        MinutesFault::KeyUnreadable,
        MinutesFault::RenderFailed,
        MinutesFault::SignFailed,
    ];

    /// The `reason` of [`ApiError::MinutesUnavailable`] on the wire.
    pub fn code(self) -> &'static str {
        match self {
            MinutesFault::FontMissing => "font_missing",
            MinutesFault::KeyUnreadable => "key_unreadable",
            MinutesFault::RenderFailed => "render_failed",
            MinutesFault::SignFailed => "sign_failed",
        }
    }

    /// The fault a `reason` names; anything else is shown as no fault in
    /// particular (it might be detail, which is never shown).
    pub fn from_code(code: &str) -> Option<MinutesFault> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }

    pub fn message_zh(self) -> &'static str {
        match self {
            MinutesFault::FontMissing => "字体文件缺失或不可用，请联系管理员",
            MinutesFault::KeyUnreadable => "签章密钥不可读，请联系管理员",
            MinutesFault::RenderFailed => "纪要排版失败，请联系管理员",
            MinutesFault::SignFailed => "电子签章失败，请联系管理员",
        }
    }

    pub fn message_en(self) -> &'static str {
        match self {
            MinutesFault::FontMissing => {
                "the font file is missing or unusable; contact the administrator"
            }
            MinutesFault::KeyUnreadable => {
                "the signing key cannot be read; contact the administrator"
            }
            MinutesFault::RenderFailed => {
                "the document could not be laid out; contact the administrator"
            }
            MinutesFault::SignFailed => {
                "the document could not be signed; contact the administrator"
            }
        }
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        ApiError::Transport {
            detail: value.to_string(),
        }
    }
}

impl From<crate::domain::search::SearchTooLong> for ApiError {
    fn from(e: crate::domain::search::SearchTooLong) -> Self {
        ApiError::SearchTooLong { max: e.max }
    }
}

#[cfg(feature = "ssr")]
impl From<crate::auth::AuthError> for ApiError {
    fn from(e: crate::auth::AuthError) -> Self {
        tracing::error!(error = %e, "authentication backend error");
        ApiError::Internal
    }
}

#[cfg(feature = "ssr")]
impl From<crate::db::DbError> for ApiError {
    /// Database trouble is logged here, once, and reaches the client only as `Internal`.
    fn from(e: crate::db::DbError) -> Self {
        if matches!(e, crate::db::DbError::LogFull) {
            return ApiError::LogFull {
                max: crate::domain::event::MAX_EVENTS_PER_HEARING,
            };
        }
        if matches!(e, crate::db::DbError::Sealed) {
            return ApiError::MinutesRefused {
                refusal: crate::domain::minutes::MinutesRefusal::Finalised,
            };
        }
        tracing::error!(error = %e, "database error");
        ApiError::Internal
    }
}
