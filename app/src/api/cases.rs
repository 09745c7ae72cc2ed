//! 信访事项: the case list, a case with its history, editing and CSV import.

#[cfg(feature = "ssr")]
use super::guard;
use crate::domain::case::{CaseDraft, CaseFilter, DeadlinePolicy};
use crate::error::ApiError;
use crate::model::{CaseChangeEntry, CasePage, CaseRecord, HearingRecord, PersonRef};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The case page: the case, every change to it, and its hearings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseView {
    pub record: CaseRecord,
    pub history: Vec<CaseChangeEntry>,
    pub hearings: Vec<HearingRecord>,
    pub can_edit: bool,
    pub can_schedule: bool,
    /// 已办结, but its hearings now leave something open (三个不结案): what.
    #[serde(default)]
    pub still_open: Option<crate::domain::aftercare::StillOpen>,
}

/// Staff to choose from in forms (承办人, 主持人, 记录员).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffChoices {
    pub hosts: Vec<PersonRef>,
    pub clerks: Vec<PersonRef>,
    pub investigators: Vec<PersonRef>,
}

#[cfg(feature = "ssr")]
pub(crate) fn clock() -> crate::scheduling::OfficeClock {
    crate::scheduling::OfficeClock::now(crate::domain::clock::CHINA_OFFSET_SECONDS)
}

#[cfg(feature = "ssr")]
pub(crate) fn changer(actor: &crate::domain::access::Actor, name: String) -> crate::model::Changer {
    crate::model::Changer {
        name,
        id: Some(actor.account_id.clone()),
        via_api: false,
    }
}

#[server(prefix = "/rpc", endpoint = "list_cases", input = leptos::server_fn::codec::Json)]
pub async fn list_cases(filter: CaseFilter, page: u32) -> Result<CasePage, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, _, _) = guard::require(Action::ViewCases, None).await?;
            crate::scheduling::list_cases(&state.db, &filter, page, 50, clock()).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "case_detail")]
pub async fn case_detail(case_id: String) -> Result<CaseView, ApiError> {
    use crate::domain::access::{Action, permits};
    guard::answer(
        async {
            let (state, actor, _) = guard::require(Action::ViewCases, None).await?;
            let record = crate::scheduling::get_case(&state.db, &case_id, clock()).await?;
            let history = crate::scheduling::case_history(&state.db, &case_id).await?;
            let query = crate::db::hearings::HearingQuery {
                case_id: Some(case_id.clone()),
                ..Default::default()
            };
            let hearings = crate::scheduling::find_hearings(&state.db, &query).await?;
            let facts =
                crate::db::aftercare::closing_facts(&state.db, &case_id, clock().today()).await?;
            let still_open =
                crate::domain::aftercare::concluded_but_open(record.case.status, &facts);
            Ok(CaseView {
                still_open,
                record,
                history,
                hearings,
                can_edit: permits(Some(&actor), Action::EditCases, None),
                can_schedule: permits(Some(&actor), Action::ScheduleHearing, None),
            })
        }
        .await,
    )
}

/// Creates a case (`case_id` None) or saves an edit made from `version`.
#[server(prefix = "/rpc", endpoint = "save_case", input = leptos::server_fn::codec::Json)]
pub async fn save_case(
    case_id: Option<String>,
    version: i64,
    draft: CaseDraft,
) -> Result<CaseRecord, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, actor, name) = guard::require(Action::EditCases, None).await?;
            let by = changer(&actor, name);
            match case_id {
                None => crate::scheduling::create_case(&state.db, &by, draft, clock()).await,
                Some(id) => {
                    crate::scheduling::update_case(&state.db, &by, &id, version, draft, clock())
                        .await
                }
            }
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "staff_options")]
pub async fn staff_options() -> Result<StaffChoices, ApiError> {
    use crate::domain::access::{Action, Role};
    guard::answer(
        async {
            let (state, _, _) = guard::require(Action::ViewCases, None).await?;
            let accounts = crate::db::accounts::list(&state.db).await?;
            let mut options = StaffChoices::default();
            for a in accounts.into_iter().filter(|a| !a.disabled) {
                let person = PersonRef {
                    id: a.id.clone(),
                    name: a.display_name.clone(),
                };
                let has = |r: Role| a.roles.contains(&r);
                if has(Role::Host) {
                    options.hosts.push(person.clone());
                }
                if has(Role::Clerk) || has(Role::Host) {
                    options.clerks.push(person.clone());
                }
                if has(Role::Admin) || has(Role::Host) || has(Role::Clerk) {
                    options.investigators.push(person);
                }
            }
            Ok(options)
        }
        .await,
    )
}

/// Reads an uploaded CSV (sent base64-encoded) and shows what would be imported.
#[server(prefix = "/rpc", endpoint = "preview_case_import")]
pub async fn preview_case_import(
    data_base64: String,
) -> Result<crate::case_import::types::ImportPreview, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, _, _) = guard::require(Action::EditCases, None).await?;
            import_preview(&state.db, &data_base64).await
        }
        .await,
    )
}

/// Imports the file if, and only if, every row is valid.
#[server(prefix = "/rpc", endpoint = "commit_case_import")]
pub async fn commit_case_import(data_base64: String) -> Result<usize, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, actor, name) = guard::require(Action::EditCases, None).await?;
            let preview = import_preview(&state.db, &data_base64).await?;
            if !preview.is_valid() {
                return Err(ApiError::ImportRejected);
            }
            let by = changer(&actor, name);
            crate::scheduling::import_cases(&state.db, &by, &preview.drafts()).await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
async fn import_preview(
    db: &crate::db::Db,
    data_base64: &str,
) -> Result<crate::case_import::types::ImportPreview, ApiError> {
    let bytes = uploaded_bytes(data_base64)?;
    let known = crate::scheduling::import_context(db).await?;
    crate::case_import::parse_cases(&bytes, &known).map_err(|e| ApiError::ImportUnreadable {
        reason: e.message_zh(),
    })
}

/// The bytes of a file the browser sent as base64 (imports).
#[cfg(feature = "ssr")]
pub(crate) fn uploaded_bytes(data_base64: &str) -> Result<Vec<u8>, ApiError> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(data_base64.trim())
        .map_err(|_| ApiError::ImportUnreadable {
            reason: "文件未能上传完整，请重试".into(),
        })
}

/// Records a change of the office's settings in the audit log.
#[cfg(feature = "ssr")]
pub(crate) async fn audit_settings(
    db: &crate::db::Db,
    actor: &crate::domain::access::Actor,
    detail: &str,
) -> Result<(), ApiError> {
    let ip = guard::client_ip().await;
    let entry = crate::db::audit::AuditEntry {
        actor: Some(&actor.account_id),
        action: "settings_changed",
        subject: None,
        detail,
        ip: ip.as_deref(),
    };
    crate::db::audit::record(db, &entry).await?;
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "office_settings")]
pub async fn office_settings() -> Result<DeadlinePolicy, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, _, _) = guard::require(Action::ViewCases, None).await?;
            crate::scheduling::load_policy(&state.db).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "save_office_settings", input = leptos::server_fn::codec::Json)]
pub async fn save_office_settings(policy: DeadlinePolicy) -> Result<(), ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, actor, _) = guard::require(Action::ManageSettings, None).await?;
            crate::scheduling::save_policy(&state.db, &policy).await?;
            let detail = serde_json::to_string(&policy).unwrap_or_default();
            audit_settings(&state.db, &actor, &detail).await
        }
        .await,
    )
}
