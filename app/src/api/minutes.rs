//! 纪要 and 档案: confirming the minutes, the panel's conclusion, and the
//! archivist's search. Finalising (render, sign, file) is an HTTP handler of the
//! server, which owns the PDF renderer and the signing key (docs/api.md).

#[cfg(feature = "ssr")]
use super::guard;
use crate::error::ApiError;
use crate::model::{ArchiveEntry, ArchiveQuery};
use leptos::prelude::*;

/// 确认: the asker (the host or a seated member) confirms the minutes as they
/// stand now. Returns the committed seq.
#[server(prefix = "/rpc", endpoint = "confirm_minutes")]
pub async fn confirm_minutes(hearing_id: String) -> Result<u64, ApiError> {
    use crate::domain::access::Action;
    use crate::domain::sitting::Part;
    guard::answer(
        async {
            let (state, actor, name) =
                guard::require(Action::ConfirmMinutes, Some(&hearing_id)).await?;
            let staff = crate::db::hearings::staff(&state.db, &hearing_id).await?;
            let is_host = staff
                .as_ref()
                .is_some_and(|s| s.host_id.as_deref() == Some(actor.account_id.as_str()));
            let part = if is_host { Part::Host } else { Part::Juror };
            crate::sitting::decide_and_commit(&state, &hearing_id, |room| {
                crate::domain::minutes::check_confirm(room)
                    .map_err(|refusal| ApiError::MinutesRefused { refusal })?;
                Ok(crate::domain::EventPayload::MinutesConfirmed {
                    account_id: actor.account_id.clone(),
                    name,
                    part,
                })
            })
            .await
        }
        .await,
    )
}

/// 评议结论: the host records the panel's conclusion for the minutes (a new one
/// replaces it; confirmations given before must be renewed).
#[server(prefix = "/rpc", endpoint = "record_conclusion")]
pub async fn record_conclusion(hearing_id: String, text: String) -> Result<u64, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, _, by) = guard::require(Action::FinaliseMinutes, Some(&hearing_id)).await?;
            crate::sitting::decide_and_commit(&state, &hearing_id, |room| {
                let text = crate::domain::minutes::check_conclusion(room, &text)
                    .map_err(|refusal| ApiError::MinutesRefused { refusal })?;
                // Once announced, the parties and the public read it at once.
                Ok(crate::domain::EventPayload::ConclusionRecorded {
                    text,
                    by,
                    announced: room.results_announced,
                })
            })
            .await
        }
        .await,
    )
}

/// 定稿: the host finalises the minutes — rendered from the log, signed, filed
/// in the archive; the hearing's log takes no more events after this.
#[server(prefix = "/rpc", endpoint = "finalise_minutes")]
pub async fn finalise_minutes(hearing_id: String) -> Result<ArchiveEntry, ApiError> {
    use crate::domain::access::Action;
    guard::answer(
        async {
            let (state, actor, name) =
                guard::require(Action::FinaliseMinutes, Some(&hearing_id)).await?;
            crate::minutes::finalise(&state, &hearing_id, &actor.account_id, &name).await
        }
        .await,
    )
}

/// 档案检索: finalised minutes matching every non-empty field (at most 200).
#[server(prefix = "/rpc", endpoint = "search_archive", input = leptos::server_fn::codec::Json)]
pub async fn search_archive(query: ArchiveQuery) -> Result<Vec<ArchiveEntry>, ApiError> {
    use crate::domain::access::Action;
    use crate::domain::clock::{CHINA_OFFSET_SECONDS, day_start_ms};
    const DAY_MS: i64 = 24 * 3600 * 1000;
    guard::answer(
        async {
            let (state, _, _) = guard::require(Action::SearchArchive, None).await?;
            for field in [
                &query.case_number,
                &query.text,
                &query.outcome,
                &query.member,
            ] {
                crate::domain::search::check_search(field)?;
            }
            let day = |raw: &str| -> Result<Option<i64>, ApiError> {
                if raw.trim().is_empty() {
                    return Ok(None);
                }
                day_start_ms(raw, CHINA_OFFSET_SECONDS)
                    .map(Some)
                    .ok_or_else(|| ApiError::DateInvalid {
                        value: raw.trim().to_owned(),
                    })
            };
            let from = day(&query.from)?;
            let until = day(&query.to)?.map(|start| start + DAY_MS);
            Ok(crate::db::minutes::search(&state.db, &query, from, until).await?)
        }
        .await,
    )
}
