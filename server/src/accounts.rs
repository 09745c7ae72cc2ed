//! Accounts from the command line and the demo: the same rules as the admin page
//! (`app::accounts`), with the refusal as a one-line message.

use app::accounts::{ChangedBy, create};
use app::db::Db;
use app::domain::access::Role;
use app::error::ApiError;
use app::i18n::Lang;

pub async fn create_account(
    db: &Db,
    username: &str,
    display_name: &str,
    password: &str,
    roles: &[Role],
) -> anyhow::Result<String> {
    let by = ChangedBy {
        actor: None,
        ip: None,
    };
    create(db, &by, username, display_name, password, roles)
        .await
        .map_err(|e: ApiError| anyhow::anyhow!("{} / {}", e.message(Lang::Zh), e.message(Lang::En)))
}
