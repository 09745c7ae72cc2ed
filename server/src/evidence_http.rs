//! Evidence over HTTP: the streamed upload (`POST /hearings/{id}/exhibits`,
//! multipart) and the file itself (`GET /exhibits/{id}/file`), each checking who
//! asks. Errors answer with the same JSON as server functions (`ApiError`).

use app::auth::AuthSession;
use app::domain::case::Coded;
use app::domain::evidence::{
    CustodyAction, ExhibitDraft, IntakeError, Preview, Submitter, submit_sides, viewer_of,
};
use app::error::ApiError;
use app::evidence::{Filer, StageError, Staging, Submission};
use app::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use tower::ServiceExt;

/// Longest text field of the upload form (title, description, purpose), in bytes.
const TEXT_FIELD_MAX_BYTES: usize = 16 * 1024;

fn refuse(error: ApiError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    (status, Json(error)).into_response()
}

fn bad_request(detail: &str) -> Response {
    refuse(ApiError::BadRequest {
        detail: detail.to_owned(),
    })
}

/// The upload form as received, file streamed to staging.
#[derive(Default)]
struct Form {
    submitter: Option<String>,
    draft: ExhibitDraft,
    file: Option<(String, app::evidence::Staged)>,
}

/// `POST /hearings/{id}/exhibits`: one file per request (the page sends each file
/// on its own, so each gets its own progress bar and its own answer).
pub async fn upload(
    Path(hearing_id): Path<String>,
    State(state): State<AppState>,
    auth: AuthSession,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    match receive(&hearing_id, &state, &auth, &headers, multipart).await {
        Ok(exhibit) => (StatusCode::CREATED, Json(exhibit)).into_response(),
        Err(response) => response,
    }
}

async fn receive(
    hearing_id: &str,
    state: &AppState,
    auth: &AuthSession,
    headers: &HeaderMap,
    multipart: Multipart,
) -> Result<app::model::ExhibitRecord, Response> {
    let (actor, name) = app::auth::current_actor(&state.db, auth)
        .await
        .map_err(|e| refuse(e.into()))?
        .ok_or_else(|| refuse(ApiError::NotLoggedIn))?;
    let staff = app::db::hearings::staff(&state.db, hearing_id)
        .await
        .map_err(|e| refuse(e.into()))?
        .ok_or_else(|| refuse(ApiError::HearingNotFound))?;
    let sides = submit_sides(Some(&actor), &staff);
    if sides.is_empty() {
        return Err(refuse(match viewer_of(Some(&actor), &staff) {
            Some(_) => ApiError::Forbidden,
            None => ApiError::HearingNotFound,
        }));
    }
    let cap = state.evidence.limits.max_file_bytes;
    // Refuse an announced oversize body before reading a byte of it.
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > cap + FORM_OVERHEAD_BYTES) {
        return Err(refuse(ApiError::EvidenceRefused {
            reason: IntakeError::FileTooLarge {
                max_mib: cap / app::domain::evidence::MIB,
            },
        }));
    }
    let form = read_form(state, multipart, cap).await?;
    let submitter = match (form.submitter.as_deref(), sides.as_slice()) {
        (None | Some(""), [only]) => *only,
        (Some(code), _) => Submitter::parse_code(code)
            .ok_or_else(|| bad_request("submitter 无效 / unknown submitter"))?,
        (None, _) => return Err(bad_request("请选择提交方 / choose the submitting side")),
    };
    let (file_name, staged) = form
        .file
        .ok_or_else(|| bad_request("缺少文件 / no file in the form"))?;
    let submission = Submission {
        hearing_id: hearing_id.to_owned(),
        submitter,
        draft: form.draft,
        file_name,
        staged,
    };
    app::evidence::submit(state, &Filer { actor, name }, submission)
        .await
        .map_err(refuse)
}

/// Room for the form's text fields and multipart boundaries around the file.
const FORM_OVERHEAD_BYTES: u64 = 256 * 1024;

async fn read_form(state: &AppState, mut multipart: Multipart, cap: u64) -> Result<Form, Response> {
    let broken = |_| bad_request("上传中断，请重试 / the upload was interrupted");
    let mut form = Form::default();
    while let Some(mut field) = multipart.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let mut staging = Staging::create(state.evidence.store.as_ref(), cap)
                .await
                .map_err(internal)?;
            while let Some(chunk) = field.chunk().await.map_err(broken)? {
                staging.write(&chunk).await.map_err(|e| match e {
                    StageError::TooLarge => refuse(ApiError::EvidenceRefused {
                        reason: IntakeError::FileTooLarge {
                            max_mib: cap / app::domain::evidence::MIB,
                        },
                    }),
                    StageError::Io(e) => internal(e),
                })?;
            }
            form.file = Some((file_name, staging.finish().await.map_err(internal)?));
            // Whatever follows the file is not part of the form.
            break;
        }
        let mut text = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(broken)? {
            text.extend_from_slice(&chunk);
            if text.len() > TEXT_FIELD_MAX_BYTES {
                return Err(bad_request("文字内容过长 / a text field is too long"));
            }
        }
        let text = String::from_utf8(text).map_err(|_| bad_request("文字编码无效 / not UTF-8"))?;
        match name.as_str() {
            "submitter" => form.submitter = Some(text),
            "title" => form.draft.title = text,
            "description" => form.draft.description = text,
            "purpose" => form.draft.purpose = text,
            _ => {}
        }
    }
    Ok(form)
}

fn internal(e: std::io::Error) -> Response {
    tracing::error!(error = %e, "evidence staging failed");
    refuse(ApiError::Internal)
}

#[derive(serde::Deserialize)]
pub struct FileQuery {
    /// Any value: offer the file as a download even when it could be shown.
    download: Option<String>,
}

/// `GET /exhibits/{id}/file`: the file, to whoever may see the exhibit (parties
/// their own and shared ones, the panel released ones, observers those shown
/// live), with Range support for audio and video. Every view is in the custody log.
pub async fn file(
    Path(exhibit_id): Path<String>,
    Query(query): Query<FileQuery>,
    State(state): State<AppState>,
    auth: AuthSession,
    request: Request<Body>,
) -> Response {
    let actor = match app::auth::current_actor(&state.db, &auth).await {
        Ok(found) => found,
        Err(e) => return refuse(e.into()),
    };
    let (exhibit, _, _) =
        match app::evidence::visible_exhibit(&state, actor.as_ref().map(|(a, _)| a), &exhibit_id)
            .await
        {
            Ok(found) => found,
            Err(e) => return refuse(e),
        };
    let path = match state.evidence.store.local_path(&exhibit.sha256) {
        Ok(path) => path,
        Err(e) => {
            tracing::error!(exhibit = %exhibit.id, error = %e, "evidence file missing from the store");
            return refuse(ApiError::Internal);
        }
    };
    // A player fetching the 10th range of a video is not a new view.
    let continued = request
        .headers()
        .get(header::RANGE)
        .and_then(|r| r.to_str().ok())
        .is_some_and(range_starts_later);
    if !continued {
        let custodian = app::db::evidence::Custodian {
            id: actor.as_ref().map(|(a, _)| a.account_id.as_str()),
            name: actor.as_ref().map_or("旁听人员", |(_, name)| name.as_str()),
        };
        let how = if query.download.is_some() {
            "下载"
        } else {
            "查看"
        };
        if let Err(e) =
            app::db::evidence::custody(&state.db, &exhibit, CustodyAction::Viewed, &custodian, how)
                .await
        {
            // Nothing is shown that the log does not record.
            return refuse(e.into());
        }
    }
    let mut response = match tower_http::services::ServeFile::new(path)
        .oneshot(request)
        .await
    {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    };
    // A PDF is read by our pdf.js viewer (a fetch, which ignores the disposition):
    // opened directly it downloads, never into the browser's own PDF viewer.
    let inline = query.download.is_none()
        && !matches!(exhibit.kind.preview(), Preview::Download | Preview::Pdf);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(exhibit.kind.mime()),
    );
    // The name's extension is ours, from the content check: an uploader cannot
    // make the file open as .hta, .bat or .docm on the downloader's machine.
    let name = app::domain::evidence::with_extension(&exhibit.file_name, exhibit.kind);
    if let Ok(value) = HeaderValue::from_str(&content_disposition(inline, &name, &exhibit.label)) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    // Shown inside our own pages only (img, audio, video, pdf.js); opened on its
    // own nothing in the file may run.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; media-src 'self'; img-src 'self'; frame-ancestors 'self'; sandbox",
        ),
    );
    headers.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    response
}

/// Whether a Range asks only for bytes after the first (a player's later
/// chunk); a suffix range (`bytes=-N`) or anything unreadable counts as a view.
fn range_starts_later(range: &str) -> bool {
    let Some(spec) = range.trim().strip_prefix("bytes=") else {
        return false;
    };
    spec.split(',').all(|part| {
        part.trim()
            .split_once('-')
            .and_then(|(start, _)| start.trim().parse::<u64>().ok())
            .is_some_and(|start| start > 0)
    })
}

/// RFC 6266 / 5987: an ASCII fallback name and the exact UTF-8 name.
const FILENAME_KEEP: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_');

pub fn content_disposition(inline: bool, file_name: &str, label: &str) -> String {
    let disposition = if inline { "inline" } else { "attachment" };
    let fallback: String = format!("{label} {file_name}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-._ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let exact = utf8_percent_encode(&format!("{label} {file_name}"), FILENAME_KEEP).to_string();
    format!("{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{exact}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_later_chunk_is_not_a_new_view() {
        assert!(range_starts_later("bytes=1000-1999"));
        assert!(!range_starts_later("bytes=0-"));
        assert!(!range_starts_later("bytes=-999999999"));
        assert!(!range_starts_later("bytes=500-,0-10"));
        assert!(!range_starts_later("items=5-"));
    }

    #[test]
    fn download_names_are_quoted_safely() {
        let header = content_disposition(false, "收据\".pdf", "申-1");
        assert_eq!(
            header,
            "attachment; filename=\"_-1 ___.pdf\"; filename*=UTF-8''%E7%94%B3-1%20%E6%94%B6%E6%8D%AE%22.pdf"
        );
        assert!(content_disposition(true, "a.png", "被-2").starts_with("inline; "));
    }
}
