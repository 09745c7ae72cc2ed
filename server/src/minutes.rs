//! The minutes press (layout with the CJK font, the platform's signing key) and
//! `GET /hearings/{id}/minutes.pdf`: the signed copy once finalised, else a draft.

use crate::http_error::HttpError;
use crate::minutes_pdf::PdfError;
use crate::signing::{SignInfo, Signer, sign_pdf, verify_pdf};
use app::auth::AuthSession;
use app::domain::access::Action;
use app::domain::minutes::MinutesDoc;
use app::error::MinutesFault;
use app::minutes::{MinutesFile, MinutesPress, SignatureCheck};
use app::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use std::path::{Path as FsPath, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// Whether the CJK font can be read; `serve` says so at start when it cannot.
/// Without it the app still runs; only the minutes answer with a message saying
/// what is missing. Verifying minutes needs no font, so nothing else looks early.
pub fn warn_if_font_missing(path: &FsPath) {
    if let Err(e) = std::fs::metadata(path) {
        tracing::warn!(font = %path.display(), error = %e, "未找到纪要字体，PDF 下载不可用 / minutes font missing");
    }
}

/// The common name of a certificate created on first start.
pub const SIGNER_NAME: &str = "Pingyi 评议 会议纪要签章";

/// Logs what went wrong (key paths, OS errors: for the operator) and hands the
/// app only the category, which is all the host is shown.
fn fault(kind: MinutesFault, detail: &dyn std::fmt::Display) -> String {
    tracing::error!(fault = kind.code(), error = %detail, "纪要无法生成 / minutes could not be produced");
    kind.code().to_owned()
}

/// Renders with the font and signs with the key in `signing_dir` (loaded, or
/// created self-signed, at start-up by `serve`, else on first use).
///
/// Its errors are [`MinutesFault`] codes, and a failed verification is the
/// verdict for the public page: the detail goes to the log only.
pub struct Press {
    font_path: PathBuf,
    /// Read on first render; a failure is tried again next time.
    font: Mutex<Option<Arc<Vec<u8>>>>,
    signing_dir: PathBuf,
    office: String,
    /// Loaded once it loads; a failure is tried again next time (a fixed
    /// permission or an imported key needs no restart to be found).
    signer: Mutex<Option<Arc<Signer>>>,
}

impl Press {
    pub fn new(font_path: PathBuf, signing_dir: PathBuf, office: String) -> Press {
        Press {
            font_path,
            font: Mutex::new(None),
            signing_dir,
            office,
            signer: Mutex::new(None),
        }
    }

    /// The CJK font, read on first use.
    fn font(&self) -> Result<Arc<Vec<u8>>, String> {
        let mut slot = self.font.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(font) = slot.as_ref() {
            return Ok(font.clone());
        }
        let font = std::fs::read(&self.font_path).map(Arc::new).map_err(|e| {
            fault(
                MinutesFault::FontMissing,
                &format!(
                    "未找到中文字体（PINGYI_FONT）/ no CJK font at {}: {e}",
                    self.font_path.display()
                ),
            )
        })?;
        *slot = Some(font.clone());
        Ok(font)
    }

    /// The key pair, loaded (or created) on first use.
    fn signer(&self) -> Result<Arc<Signer>, String> {
        let mut slot = self.signer.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(signer) = slot.as_ref() {
            return Ok(signer.clone());
        }
        let signer = Signer::load_or_create_with(&self.signing_dir, SIGNER_NAME, &self.office)
            .map(Arc::new)
            .map_err(|e| fault(MinutesFault::KeyUnreadable, &e))?;
        *slot = Some(signer.clone());
        Ok(signer)
    }
}

impl MinutesPress for Press {
    fn render(&self, doc: &MinutesDoc) -> Result<Vec<u8>, String> {
        let font = self.font()?;
        crate::minutes_pdf::render_minutes(doc, &font).map_err(|e| {
            let kind = match &e {
                PdfError::Font => MinutesFault::FontMissing,
                PdfError::Write(_) => MinutesFault::RenderFailed,
            };
            fault(kind, &e)
        })
    }

    fn sign(&self, pdf: &[u8], reason: &str) -> Result<Vec<u8>, String> {
        let signer = self.signer()?;
        let info = SignInfo {
            name: self.office.clone(),
            reason: reason.to_owned(),
            location: self.office.clone(),
            signing_time_unix: app::db::now_ms() / 1000,
        };
        sign_pdf(pdf, &signer, &info).map_err(|e| fault(MinutesFault::SignFailed, &e))
    }

    fn verify(&self, pdf: &[u8]) -> Result<SignatureCheck, String> {
        // Uploads by anyone: the parser's detail is for the log (and the CLI).
        let report = verify_pdf(pdf).map_err(|e| {
            tracing::info!(error = %e, "uploaded minutes fail verification");
            e.verdict_zh().to_owned()
        })?;
        Ok(SignatureCheck {
            signer: report.signer_subject,
            certificate_sha256: report.cert_fingerprint_sha256,
            whole_document: report.whole_document,
        })
    }

    fn certificate_sha256(&self) -> Result<String, String> {
        Ok(self.signer()?.fingerprint_sha256())
    }
}

fn pdf_response(bytes: impl IntoResponse, filename: &str) -> Response {
    let disposition = format!(
        "attachment; filename=\"minutes.pdf\"; filename*=UTF-8''{}",
        utf8_percent_encode(filename, NON_ALPHANUMERIC)
    );
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

pub async fn download(
    Path(hearing_id): Path<String>,
    State(state): State<AppState>,
    auth: AuthSession,
) -> Result<Response, HttpError> {
    let reader =
        crate::http_error::authorize(&state, &auth, Action::DownloadMinutes, &hearing_id).await?;
    let hearing = app::db::hearings::get(&state.db, &hearing_id)
        .await?
        .ok_or(HttpError::NotFound)?;
    let file = app::minutes::current_file(&state, &hearing_id, &reader)
        .await
        .map_err(HttpError::from_api)?;
    Ok(match file {
        MinutesFile::Signed(path) => {
            let bytes = tokio::fs::read(&path)
                .await
                .map_err(|e| HttpError::Internal(format!("{}: {e}", path.display())))?;
            pdf_response(bytes, &format!("{}-会议纪要.pdf", hearing.case_number))
        }
        MinutesFile::Draft(bytes) => pdf_response(
            bytes,
            &format!("{}-会议纪要（草稿）.pdf", hearing.case_number),
        ),
    })
}
