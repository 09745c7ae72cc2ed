//! The dashboard as the server computes it for the page and for the CSV/XLSX
//! exports: one path, so the page and the files always show the same figures.

use crate::domain::case::CalendarDate;
use crate::domain::clock::CHINA_OFFSET_SECONDS;
use crate::domain::stats::{Dashboard, StatsFilter, dashboard};
use crate::error::ApiError;
use crate::state::AppState;

/// The dashboard for the filter fields as typed (empty: the last twelve months,
/// every district), as of now.
pub async fn dashboard_for(
    state: &AppState,
    from: &str,
    to: &str,
    district: &str,
) -> Result<Dashboard, ApiError> {
    let now = crate::db::now_ms();
    let today = CalendarDate::of_instant(now, CHINA_OFFSET_SECONDS);
    let filter = StatsFilter::parse(from, to, district, today)
        .map_err(|refusal| ApiError::StatsRefused { refusal })?;
    let data = crate::db::stats::data(&state.db, now).await?;
    let policy = crate::db::settings::policy(&state.db).await?;
    Ok(dashboard(&data, &filter, &policy, today))
}
