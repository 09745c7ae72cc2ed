//! `GET /hearings/{id}/minutes.pdf`: the record as a PDF, projected from the log.

use crate::http_error::HttpError;
use crate::minutes_pdf::{MinutesExhibit, MinutesInput, MinutesLine, render_minutes};
use crate::router::Extras;
use app::auth::AuthSession;
use app::db;
use app::domain::access::Action;
use app::domain::clock::{CHINA_OFFSET_SECONDS, format_time_of_day, format_zh};
use app::domain::{fold, verify_chain};
use app::state::AppState;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use std::path::Path as FsPath;
use std::sync::Arc;

/// Reads the CJK font once at start-up. Without it the app still runs; only the
/// PDF download answers 503 with a message saying what is missing.
pub fn load_font(path: &FsPath) -> Option<Arc<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(bytes) => Some(Arc::new(bytes)),
        Err(e) => {
            tracing::warn!(font = %path.display(), error = %e, "未找到纪要字体，PDF 下载不可用 / minutes font missing");
            None
        }
    }
}

/// The exhibit list with every current 质证 opinion (withdrawn exhibits too: the
/// minutes say what happened to them).
async fn exhibits_for_minutes(
    state: &AppState,
    hearing_id: &str,
) -> Result<Vec<MinutesExhibit>, HttpError> {
    use app::domain::case::Coded;
    let exhibits = db::evidence::list(&state.db, hearing_id).await?;
    let opinions = db::evidence::opinions_of_hearing(&state.db, hearing_id).await?;
    Ok(exhibits
        .into_iter()
        .map(|e| {
            let heading = format!(
                "{} {}（{} {} 提交；{}）",
                e.label,
                e.title,
                e.submitter.label_zh(),
                e.submitted_by_name,
                e.status.label_zh()
            );
            let opinions = opinions
                .iter()
                .filter(|o| o.exhibit_id == e.id)
                .map(|o| {
                    let role = app::domain::access::PartyKind::from_code(&o.author_role)
                        .map_or("评议员", |k| k.label_zh());
                    let comment = if o.opinion.comment.is_empty() {
                        String::new()
                    } else {
                        format!("。{}", o.opinion.comment)
                    };
                    format!(
                        "{}（{role}）：{}{comment}",
                        o.author_name,
                        o.opinion.summary_zh()
                    )
                })
                .collect();
            MinutesExhibit {
                heading,
                sha256: e.sha256,
                opinions,
            }
        })
        .collect())
}

pub async fn download(
    Path(hearing_id): Path<String>,
    State(state): State<AppState>,
    Extension(extras): Extension<Arc<Extras>>,
    auth: AuthSession,
) -> Result<Response, HttpError> {
    crate::http_error::authorize(&state, &auth, Action::DownloadMinutes, &hearing_id).await?;
    let font = extras.minutes_font.clone().ok_or(HttpError::Unavailable(
        "未配置中文字体（PINGYI_FONT），无法生成 PDF / no CJK font configured",
    ))?;
    let hearing = db::hearings::get(&state.db, &hearing_id)
        .await?
        .ok_or(HttpError::NotFound)?;
    let events = db::events::all(&state.db, &hearing_id).await?;
    let head = verify_chain(&events).map_err(|seq| {
        HttpError::Internal(format!(
            "hash chain broken at seq {seq} of hearing {hearing_id}"
        ))
    })?;
    let room = fold(&events).map_err(|e| HttpError::Internal(e.to_string()))?;

    let input = MinutesInput {
        title: "听证评议会笔录".to_owned(),
        case_number: hearing.case_number.clone(),
        case_title: hearing.case_title,
        hearing_title: hearing.title,
        scheduled: format_zh(hearing.starts_at_ms, CHINA_OFFSET_SECONDS),
        place: hearing.place,
        lines: room
            .record
            .into_iter()
            .map(|line| MinutesLine {
                seq: line.seq,
                at: format_time_of_day(line.at_ms, CHINA_OFFSET_SECONDS),
                author: line.author,
                text: line.text,
            })
            .collect(),
        exhibits: exhibits_for_minutes(&state, &hearing_id).await?,
        ballots: room.ballots.iter().map(|b| b.minutes_lines()).collect(),
        chain_head: head.to_hex(),
        generated_at: format_zh(db::now_ms(), CHINA_OFFSET_SECONDS),
    };
    // Layout and font subsetting are CPU work: keep them off the async workers.
    let pdf = tokio::task::spawn_blocking(move || render_minutes(&input, &font))
        .await
        .map_err(|e| HttpError::Internal(e.to_string()))?
        .map_err(|e| HttpError::Internal(e.to_string()))?;

    let filename = format!("{}-笔录.pdf", hearing.case_number);
    let disposition = format!(
        "attachment; filename=\"minutes.pdf\"; filename*=UTF-8''{}",
        utf8_percent_encode(&filename, NON_ALPHANUMERIC)
    );
    let mut response = pdf.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
