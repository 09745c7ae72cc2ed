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
            ApiError::BadRequest { detail } => pick(
                format!("请求无法解析：{detail}"),
                format!("Bad request: {detail}"),
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
            | ApiError::HearingCancelled => 409,
            ApiError::InvalidToken => 401,
            ApiError::MissingScope { .. } => 403,
            ApiError::BadRequest { .. } => 400,
            ApiError::Internal => 500,
            ApiError::Transport { .. } => 400,
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
        tracing::error!(error = %e, "database error");
        ApiError::Internal
    }
}
