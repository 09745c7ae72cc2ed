//! The archive's HTTP side: the evidence bundle (a zip with a manifest of hashes)
//! and the public verification page for minutes (验证), which works without
//! JavaScript: a form, an upload, a verdict.

use crate::html::{escape, page};
use crate::http_error::HttpError;
use app::auth::AuthSession;
use app::domain::access::Action;
use app::domain::case::Coded;
use app::domain::clock::{CHINA_OFFSET_SECONDS, format_zh};
use app::domain::csv::csv_cell;
use app::state::AppState;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use std::io::Write;

/// Largest PDF the verification page accepts.
pub const MAX_VERIFY_BYTES: usize = 20 * 1024 * 1024;

/// One custody entry per exhibit (查看: 证据包下载), committed together before
/// any byte of the bundle leaves.
async fn record_bundled(
    state: &AppState,
    exhibits: &[app::model::ExhibitRecord],
    by: &app::db::evidence::Custodian<'_>,
) -> Result<(), HttpError> {
    use app::domain::evidence::CustodyAction;
    let mut tx = state.db.begin_write().await?;
    for exhibit in exhibits {
        app::db::evidence::custody_in(&mut tx, exhibit, CustodyAction::Viewed, by, "证据包下载")
            .await?;
    }
    tx.commit().await.map_err(app::db::DbError::from)?;
    Ok(())
}

/// `GET /hearings/{id}/evidence.zip`: every exhibit of the hearing (withdrawn
/// ones too) under its number, with `manifest.csv` listing each file's SHA-256,
/// so the bundle can be checked file by file years later.
pub async fn evidence_bundle(
    Path(hearing_id): Path<String>,
    State(state): State<AppState>,
    auth: AuthSession,
) -> Result<Response, HttpError> {
    let (actor, name) =
        crate::http_error::authorize_named(&state, &auth, Action::ExportEvidence, &hearing_id)
            .await?;
    let hearing = app::db::hearings::get(&state.db, &hearing_id)
        .await?
        .ok_or(HttpError::NotFound)?;
    let exhibits = app::db::evidence::list(&state.db, &hearing_id).await?;
    // The chain of custody names every file that leaves in the bundle.
    let custodian = app::db::evidence::Custodian {
        id: Some(&actor.account_id),
        name: &name,
    };
    record_bundled(&state, &exhibits, &custodian).await?;
    let mut files = Vec::with_capacity(exhibits.len());
    for e in &exhibits {
        let path = state
            .evidence
            .store
            .local_path(&e.sha256)
            .map_err(|err| HttpError::Internal(format!("exhibit {} file: {err}", e.id)))?;
        files.push((bundle_name(e), path));
    }
    let manifest = manifest_csv(&hearing, &exhibits);
    // Zipping reads every file: off the async workers, into a temporary file.
    let zip = tokio::task::spawn_blocking(move || write_zip(&manifest, &files))
        .await
        .map_err(|e| HttpError::Internal(e.to_string()))?
        .map_err(|e| HttpError::Internal(format!("evidence bundle: {e}")))?;
    // Streamed from the temporary file (a hearing may hold 500 MB of evidence);
    // the open handle keeps the data readable once the name is removed.
    let file = tokio::fs::File::open(zip.path())
        .await
        .map_err(|e| HttpError::Internal(e.to_string()))?;
    let size = file
        .metadata()
        .await
        .map_err(|e| HttpError::Internal(e.to_string()))?
        .len();
    drop(zip);
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(file));
    let filename = format!("{}-证据包.zip", hearing.case_number);
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!(
        "attachment; filename=\"evidence.zip\"; filename*=UTF-8''{}",
        utf8_percent_encode(&filename, NON_ALPHANUMERIC)
    )) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// "申-1_欠条照片.jpg": the exhibit's number and title, never a path.
fn bundle_name(e: &app::model::ExhibitRecord) -> String {
    let safe = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_control()
                    || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
                {
                    '_'
                } else {
                    c
                }
            })
            .take(60)
            .collect()
    };
    let ext = e.kind.extension();
    format!("{}_{}.{ext}", safe(&e.label), safe(&e.title))
}

fn manifest_csv(
    hearing: &app::model::HearingSummary,
    exhibits: &[app::model::ExhibitRecord],
) -> String {
    let mut out = format!(
        "{},{}\n编号,名称,提交方,提交人,提交时间,状态,文件,字节数,SHA-256\n",
        csv_cell(&hearing.case_number),
        csv_cell(&hearing.title)
    );
    for e in exhibits {
        let row = [
            csv_cell(&e.label),
            csv_cell(&e.title),
            csv_cell(e.submitter.label_zh()),
            csv_cell(&e.submitted_by_name),
            csv_cell(&format_zh(e.submitted_at_ms, CHINA_OFFSET_SECONDS)),
            csv_cell(e.status.label_zh()),
            csv_cell(&bundle_name(e)),
            e.size_bytes.to_string(),
            e.sha256.clone(),
        ];
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// Stored, not deflated: evidence is mostly photos, audio and PDFs, already compressed.
fn write_zip(
    manifest: &str,
    files: &[(String, std::path::PathBuf)],
) -> std::io::Result<tempfile::NamedTempFile> {
    use zip::write::SimpleFileOptions;
    let tmp = tempfile::NamedTempFile::new()?;
    let mut zip = zip::ZipWriter::new(tmp.reopen()?);
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(true);
    let to_io = |e: zip::result::ZipError| std::io::Error::other(e.to_string());
    zip.start_file("manifest.csv", options).map_err(to_io)?;
    // A BOM so that spreadsheet programs read the Chinese as UTF-8.
    zip.write_all("\u{feff}".as_bytes())?;
    zip.write_all(manifest.as_bytes())?;
    for (name, path) in files {
        zip.start_file(name.as_str(), options).map_err(to_io)?;
        let mut file = std::fs::File::open(path)?;
        std::io::copy(&mut file, &mut zip)?;
    }
    zip.finish().map_err(to_io)?;
    Ok(tmp)
}

const VERIFY_FORM: &str = "<h1>会议纪要真伪验证</h1>\
<p>上传由本平台生成的定稿纪要（PDF），核验其电子签章是否有效、文件是否被修改、是否与档案中的定稿一致。文件仅用于本次核验，不会保存。</p>\
<form method=\"post\" action=\"/verify\" enctype=\"multipart/form-data\" class=\"stack\">\
<label>纪要文件（PDF）<input type=\"file\" name=\"file\" accept=\"application/pdf,.pdf\" required data-testid=\"verify-file\"></label>\
<button type=\"submit\" data-testid=\"verify-submit\">验证</button></form>\
<p class=\"hint\">也可在命令行离线核验：<code>pingyi verify-minutes 文件.pdf</code></p>";

/// `GET /verify`: the public verification form.
pub async fn verify_page() -> Response {
    page(StatusCode::OK, "纪要真伪验证", VERIFY_FORM)
}

/// `GET /verify/{hearing_id}`: where the QR code on a copy of the minutes
/// leads. Says, without a login, whether the office signed and archived
/// minutes for that hearing, when and under which case number, so that a paper
/// copy can be compared; the file's digest is folded under 技术信息 for
/// whoever checks an electronic copy (the form below does it). Neither titles
/// nor names are shown: the page is reached by the hearing's id alone.
pub async fn verify_copy_page(
    Path(hearing_id): Path<String>,
    State(state): State<AppState>,
    axum::Extension(extras): axum::Extension<std::sync::Arc<crate::router::Extras>>,
) -> Result<Response, HttpError> {
    let upload_form = VERIFY_FORM
        .strip_prefix("<h1>会议纪要真伪验证</h1>")
        .unwrap_or(VERIFY_FORM);
    let Some(entry) = app::db::minutes::entry(&state.db, &hearing_id).await? else {
        let body = format!(
            "<h1>会议纪要真伪验证</h1>\
             <p class=\"minutes-verdict bad\" data-testid=\"verify-copy-unknown\"><strong>未找到这份纪要的定稿记录。</strong>\
             它可能是尚未定稿的草稿（草稿不具效力），或二维码、链接有误。</p>{upload_form}"
        );
        return Ok(page(StatusCode::NOT_FOUND, "纪要真伪验证", &body));
    };
    let body = format!(
        "<h1>会议纪要真伪验证</h1>\
         <p class=\"minutes-verdict ok\" data-testid=\"verify-copy\"><strong>这份纪要已由{office}签章定稿并存档。</strong></p>\
         <p>请核对手中纪要的案号和时间与下列记录一致。定稿后的纪要不能再修改；内容不同的，以档案中的定稿为准。</p>\
         <dl class=\"facts\"><dt>案号</dt><dd data-testid=\"verify-copy-case\">{case}</dd>\
         <dt>听证时间</dt><dd>{held}</dd><dt>定稿签章</dt><dd>{finalised}</dd></dl>\
         <details><summary>技术信息</summary><dl class=\"facts\">\
         <dt>定稿文件 SHA-256</dt><dd><code data-testid=\"verify-copy-sha256\">{sha256}</code></dd>\
         <dt>文件大小</dt><dd>{size} 字节</dd>\
         <dt>签章证书 SHA-256</dt><dd><code>{cert}</code></dd></dl></details>\
         <h2>核验电子文件</h2>{upload_form}",
        office = escape(&extras.office.name),
        case = escape(&entry.case_number),
        held = escape(&format_zh(entry.starts_at_ms, CHINA_OFFSET_SECONDS)),
        finalised = escape(&format_zh(entry.finalised_at_ms, CHINA_OFFSET_SECONDS)),
        sha256 = escape(&entry.sha256),
        size = entry.byte_size,
        cert = escape(&entry.cert_sha256),
    );
    Ok(page(StatusCode::OK, "纪要真伪验证", &body))
}

/// How the public verification protects the server: it needs no login, so
/// anyone may send files. An upload streams to an anonymous temporary file (never
/// held in memory while it trickles in), must finish within `upload_time`, and at
/// most `uploads` run at once (the rest are told to come back: 503); the
/// signature check, which reads the file into memory, runs at most two at a time.
pub struct VerifyGate {
    uploads: std::sync::Arc<tokio::sync::Semaphore>,
    checks: tokio::sync::Semaphore,
    upload_time: std::time::Duration,
}

/// Signature checks at once: each holds its file (≤ 20 MB) in memory.
const VERIFY_CHECKS_AT_ONCE: usize = 2;

impl VerifyGate {
    pub fn new(uploads: usize, upload_time: std::time::Duration) -> Self {
        VerifyGate {
            uploads: std::sync::Arc::new(tokio::sync::Semaphore::new(uploads.max(1))),
            checks: tokio::sync::Semaphore::new(VERIFY_CHECKS_AT_ONCE),
            upload_time,
        }
    }
}

/// `POST /verify`: the verdict on one uploaded PDF, as a page.
pub async fn verify_upload(
    State(state): State<AppState>,
    axum::Extension(extras): axum::Extension<std::sync::Arc<crate::router::Extras>>,
    multipart: Multipart,
) -> Response {
    let gate = &extras.verify;
    let Ok(_upload) = gate.uploads.clone().try_acquire_owned() else {
        let mut busy = verdict_page(
            StatusCode::SERVICE_UNAVAILABLE,
            false,
            &["验证服务正忙，请稍等一分钟后重新提交".into()],
            None,
        );
        busy.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
        return busy;
    };
    let file = match tokio::time::timeout(gate.upload_time, read_pdf(multipart)).await {
        Ok(Ok(file)) => file,
        Ok(Err(message)) => {
            return verdict_page(StatusCode::UNPROCESSABLE_ENTITY, false, &[message], None);
        }
        Err(_) => {
            let limit = gate.upload_time.as_secs();
            return verdict_page(
                StatusCode::REQUEST_TIMEOUT,
                false,
                &[format!(
                    "上传超时（须在 {limit} 秒内完成）：请在网络较好时重新提交"
                )],
                None,
            );
        }
    };
    let Ok(_check) = gate.checks.acquire().await else {
        return verdict_page(
            StatusCode::SERVICE_UNAVAILABLE,
            false,
            &["验证服务正在停止，请稍后再试".into()],
            None,
        );
    };
    let bytes = match read_back(file).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "reading a verification upload back failed");
            return verdict_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                false,
                &["服务器暂时无法完成验证，请稍后再试".into()],
                None,
            );
        }
    };
    match app::minutes::verify(&state, bytes).await {
        Ok(verdict) => {
            let mut findings = verdict.findings.clone();
            findings.push(format!("文件 SHA-256：{}", verdict.sha256));
            verdict_page(
                StatusCode::OK,
                verdict.authentic,
                &findings,
                verdict.entry.as_ref(),
            )
        }
        Err(e) => verdict_page(
            StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            false,
            &[e.message(app::i18n::Lang::Zh)],
            None,
        ),
    }
}

/// Streams the form's `file` into an anonymous temporary file (gone when
/// dropped), refusing what is not a PDF at its first bytes and what passes the cap
/// while it arrives.
async fn read_pdf(mut multipart: Multipart) -> Result<tokio::fs::File, String> {
    use tokio::io::AsyncWriteExt;
    let broken = |e: axum::extract::multipart::MultipartError| format!("上传未完成：{e}");
    let no_space = |e: std::io::Error| {
        tracing::error!(error = %e, "verification upload: temporary file");
        "服务器暂时无法接收文件，请稍后再试".to_owned()
    };
    while let Some(mut field) = multipart.next_field().await.map_err(broken)? {
        if field.name() != Some("file") {
            continue;
        }
        let std_file = tokio::task::spawn_blocking(tempfile::tempfile)
            .await
            .map_err(|e| no_space(std::io::Error::other(e)))?
            .map_err(no_space)?;
        let mut file = tokio::fs::File::from_std(std_file);
        let mut head: Vec<u8> = Vec::with_capacity(5);
        let mut size = 0usize;
        while let Some(chunk) = field.chunk().await.map_err(broken)? {
            size += chunk.len();
            if size > MAX_VERIFY_BYTES {
                return Err(format!(
                    "文件过大：上限 {} MB",
                    MAX_VERIFY_BYTES / 1024 / 1024
                ));
            }
            if head.len() < 5 {
                head.extend(chunk.iter().take(5 - head.len()));
                if head.len() == 5 && head != b"%PDF-" {
                    return Err("该文件不是 PDF 文件".into());
                }
            }
            file.write_all(&chunk).await.map_err(no_space)?;
        }
        if size == 0 {
            return Err("请选择要验证的纪要文件".into());
        }
        if head != b"%PDF-" {
            return Err("该文件不是 PDF 文件".into());
        }
        file.flush().await.map_err(no_space)?;
        return Ok(file);
    }
    Err("请选择要验证的纪要文件".into())
}

/// The finished upload, read whole for the signature check.
async fn read_back(mut file: tokio::fs::File) -> std::io::Result<Vec<u8>> {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    file.seek(std::io::SeekFrom::Start(0)).await?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).await?;
    Ok(bytes)
}

fn verdict_page(
    status: StatusCode,
    authentic: bool,
    findings: &[String],
    entry: Option<&app::model::ArchiveEntry>,
) -> Response {
    let (class, headline) = if authentic {
        (
            "minutes-verdict ok",
            "验证通过：这是本平台签发、未经修改的定稿纪要",
        )
    } else {
        (
            "minutes-verdict bad",
            "验证未通过：不能确认这是本平台签发且未经修改的定稿纪要",
        )
    };
    let mut body = format!(
        "<h1>会议纪要真伪验证</h1><p class=\"{class}\" data-testid=\"verify-verdict\" data-authentic=\"{authentic}\"><strong>{}</strong></p><ul data-testid=\"verify-findings\">",
        escape(headline)
    );
    for f in findings {
        body.push_str(&format!("<li>{}</li>", escape(f)));
    }
    body.push_str("</ul>");
    if let Some(e) = entry {
        body.push_str(&format!(
            "<dl class=\"facts\" data-testid=\"verify-hearing\"><dt>案号</dt><dd>{}</dd><dt>案件</dt><dd>{}</dd>\
             <dt>听证会</dt><dd>{}</dd><dt>听证时间</dt><dd>{}</dd><dt>定稿</dt><dd>{}（{}）</dd></dl>",
            escape(&e.case_number),
            escape(&e.case_title),
            escape(&e.hearing_title),
            escape(&format_zh(e.starts_at_ms, CHINA_OFFSET_SECONDS)),
            escape(&format_zh(e.finalised_at_ms, CHINA_OFFSET_SECONDS)),
            escape(&e.finalised_by),
        ));
    }
    body.push_str("<p><a class=\"button secondary\" href=\"/verify\" data-testid=\"verify-again\">再验证一份</a></p>");
    page(status, "纪要真伪验证", &body)
}
