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
