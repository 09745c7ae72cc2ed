//! API tokens for other systems (the provincial 信访信息系统, case tools).

#[cfg(feature = "ssr")]
use super::guard;
use crate::error::ApiError;
use crate::model::ApiTokenSummary;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A token just issued: the only time its secret is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedToken {
    pub id: String,
    pub token: String,
}

#[cfg(feature = "ssr")]
async fn audit(
    state: &crate::state::AppState,
    actor: &crate::domain::access::Actor,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<(), ApiError> {
    let ip = guard::client_ip().await;
    let entry = crate::db::audit::AuditEntry {
        actor: Some(&actor.account_id),
        action,
        subject: Some(subject),
        detail,
        ip: ip.as_deref(),
    };
    Ok(crate::db::audit::record(&state.db, &entry).await?)
}

#[server(prefix = "/rpc", endpoint = "issue_api_token", input = leptos::server_fn::codec::Json)]
pub async fn issue_api_token(name: String, scopes: Vec<String>) -> Result<IssuedToken, ApiError> {
    use crate::domain::access::{Action, ApiScope};
    guard::answer(
        async {
            let (state, actor, _) = guard::require(Action::ManageApiTokens, None).await?;
            let name = crate::domain::case::collapse_spaces(&name);
            let scopes: Option<Vec<ApiScope>> =
                scopes.iter().map(|s| ApiScope::from_code(s)).collect();
            let scopes = scopes
                .filter(|s| !s.is_empty())
                .ok_or(ApiError::BadRequest {
                    detail: "scopes".into(),
                })?;
            if name.is_empty() || name.chars().count() > 100 {
                return Err(ApiError::BadRequest {
                    detail: "name".into(),
                });
            }
            let token = crate::tokens::new_secret("pyt")?;
            let id = crate::db::tokens::create_api_token(
                &state.db,
                &name,
                &scopes,
                &token,
                &actor.account_id,
            )
            .await?;
            let codes: Vec<&str> = scopes.iter().map(|s| s.code()).collect();
            audit(
                &state,
                &actor,
                "api_token_issued",
                &id,
                &format!("{name} [{}]", codes.join(",")),
            )
            .await?;
            Ok(IssuedToken { id, token })
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "list_api_tokens")]
pub async fn list_api_tokens() -> Result<Vec<ApiTokenSummary>, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, _, _) = guard::require(Action::ManageApiTokens, None).await?;
            Ok(crate::db::tokens::list_api_tokens(&state.db).await?)
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "revoke_api_token")]
pub async fn revoke_api_token(token_id: String) -> Result<(), ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, actor, _) = guard::require(Action::ManageApiTokens, None).await?;
            if !crate::db::tokens::revoke_api_token(&state.db, &token_id).await? {
                return Err(ApiError::BadRequest {
                    detail: "token_id".into(),
                });
            }
            audit(&state, &actor, "api_token_revoked", &token_id, "").await
        }
        .await,
    )
}
