//! Plain HTTP for #10: the dashboard as CSV and XLSX files, the two-way
//! commitment printed for signing on paper, and its signed scan (upload by
//! staff, download by those who may see it).

use crate::html::{document, escape, page};
use crate::http_error::HttpError;
use app::auth::AuthSession;
use app::domain::access::{Action, permits};
use app::domain::aftercare::{AftercareRefusal, Commitment};
use app::domain::case::CalendarDate;
use app::domain::case::Coded;
use app::domain::clock::CHINA_OFFSET_SECONDS;
use app::domain::evidence::FileKind;
use app::domain::stats::{Cell, StatsTable, tables_csv};
use app::error::ApiError;
use app::evidence::{StageError, Staging};
use app::state::AppState;
use axum::extract::{ConnectInfo, Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

/// The largest commitment scan accepted (a few pages photographed or scanned).
pub const MAX_SCAN_BYTES: u64 = 20 * 1024 * 1024;

/// The dashboard's filter as query parameters (all optional).
#[derive(Debug, Default, serde::Deserialize)]
pub struct StatsQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    district: String,
}

async fn dashboard_tables(
    state: &AppState,
    auth: &AuthSession,
    query: &StatsQuery,
) -> Result<(Vec<StatsTable>, String), HttpError> {
    let (actor, _) = app::auth::current_actor(&state.db, auth)
        .await?
        .ok_or(HttpError::NotLoggedIn)?;
    if !permits(Some(&actor), Action::ViewStatistics, None) {
        return Err(HttpError::Forbidden);
    }
    let dashboard =
        app::stats_export::dashboard_for(state, &query.from, &query.to, &query.district)
            .await
            .map_err(HttpError::from_api)?;
    let name = format!(
        "信访评议统计_{}至{}{}",
        dashboard.filter.from,
        dashboard.filter.to,
        dashboard
            .filter
            .district
            .as_ref()
            .map(|d| format!("_{d}"))
            .unwrap_or_default()
    );
    Ok((dashboard.tables(), name))
}

fn attachment(content_type: &'static str, ascii_name: &str, name: &str, body: Vec<u8>) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{}",
        utf8_percent_encode(name, NON_ALPHANUMERIC)
    )) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /stats/export.csv?from=YYYY-MM&to=YYYY-MM&district=…`: every table of
/// the dashboard, one after another (UTF-8 with BOM for Excel).
pub async fn export_csv(
    State(state): State<AppState>,
    auth: AuthSession,
    Query(query): Query<StatsQuery>,
) -> Result<Response, HttpError> {
    let (tables, name) = dashboard_tables(&state, &auth, &query).await?;
    Ok(attachment(
        "text/csv; charset=utf-8",
        "statistics.csv",
        &format!("{name}.csv"),
        tables_csv(&tables).into_bytes(),
    ))
}

/// `GET /stats/export.xlsx?…`: the same tables, one worksheet each, counts as
/// numbers a spreadsheet can add up.
pub async fn export_xlsx(
    State(state): State<AppState>,
    auth: AuthSession,
    Query(query): Query<StatsQuery>,
) -> Result<Response, HttpError> {
    let (tables, name) = dashboard_tables(&state, &auth, &query).await?;
    let bytes = tokio::task::spawn_blocking(move || workbook(&tables))
        .await
        .map_err(|e| HttpError::Internal(e.to_string()))?
        .map_err(|e| HttpError::Internal(format!("xlsx: {e}")))?;
    Ok(attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "statistics.xlsx",
        &format!("{name}.xlsx"),
        bytes,
    ))
}

/// One worksheet per table: the title in the first row, the header in bold.
pub fn workbook(tables: &[StatsTable]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    for (i, table) in tables.iter().enumerate() {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(i, &table.title))?;
        sheet.write_string_with_format(0, 0, &table.title, &bold)?;
        for (col, header) in table.headers.iter().enumerate() {
            sheet.write_string_with_format(2, col_index(col), header, &bold)?;
            sheet.set_column_width(col_index(col), 16)?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            let at = u32::try_from(r + 3).unwrap_or(u32::MAX);
            for (col, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Count(n) => sheet.write_number(at, col_index(col), f64::from(*n))?,
                    Cell::Text(t) => sheet.write_string(at, col_index(col), t)?,
                };
            }
        }
    }
    book.save_to_buffer()
}

fn col_index(col: usize) -> u16 {
    u16::try_from(col).unwrap_or(u16::MAX)
}

/// Excel sheet names: at most 31 characters, none of `[]:*?/\`, unique.
fn sheet_name(index: usize, title: &str) -> String {
    let clean: String = title
        .chars()
        .take_while(|c| *c != '（')
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(26)
        .collect();
    format!(
        "{}{}",
        index + 1,
        if clean.is_empty() {
            "表".into()
        } else {
            format!(" {clean}")
        }
    )
}

/// `POST /hearings/{id}/commitment/scan` (multipart, field `file`): staff attach
/// the commitment signed by both sides on paper; both sides count as confirmed.
/// Answers a browser form: back to the page, or a page with the Chinese reason.
pub async fn upload_scan(
    Path(hearing_id): Path<String>,
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    axum::Extension(proxies): axum::Extension<app::auth::TrustedProxies>,
    headers: axum::http::HeaderMap,
    auth: AuthSession,
    multipart: Multipart,
) -> Response {
    // The client, not a header anybody could write (PINGYI_TRUSTED_PROXIES).
    let ip = proxies.client_address(peer.ip(), &headers).to_string();
    match receive_scan(&hearing_id, &state, &auth, &ip, multipart).await {
        Ok(()) => {
            Redirect::to(&format!("/hearings/{hearing_id}/aftercare?scan=ok")).into_response()
        }
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
            let body = format!(
                "<h1>扫描件未能上传</h1><p class=\"error\" data-testid=\"scan-error\">{}</p>\
                 <p><a href=\"/hearings/{}/aftercare\">返回听后跟踪</a></p>",
                escape(&e.message(app::i18n::Lang::Zh)),
                escape(&hearing_id)
            );
            page(status, "扫描件未能上传", &body)
        }
    }
}

async fn receive_scan(
    hearing_id: &str,
    state: &AppState,
    auth: &AuthSession,
    ip: &str,
    mut multipart: Multipart,
) -> Result<(), ApiError> {
    let (actor, name) = app::auth::current_actor(&state.db, auth)
        .await?
        .ok_or(ApiError::NotLoggedIn)?;
    if !permits(Some(&actor), Action::ManageAftercare, None) {
        return Err(ApiError::Forbidden);
    }
    let current = app::db::aftercare::commitment(&state.db, hearing_id)
        .await?
        .ok_or(ApiError::AftercareRefused {
            refusal: AftercareRefusal::NoCommitment,
        })?;
    let broken = |_| ApiError::BadRequest {
        detail: "上传未完成，请重试".into(),
    };
    let store = state.evidence.store.clone();
    while let Some(mut field) = multipart.next_field().await.map_err(broken)? {
        if field.name() != Some("file") {
            continue;
        }
        let mut staging = Staging::create(store.as_ref(), MAX_SCAN_BYTES)
            .await
            .map_err(|e| internal("staging", &e))?;
        while let Some(chunk) = field.chunk().await.map_err(broken)? {
            staging.write(&chunk).await.map_err(|e| match e {
                StageError::TooLarge => ApiError::BadRequest {
                    detail: format!("扫描件过大：上限 {} MB", MAX_SCAN_BYTES / 1024 / 1024),
                },
                StageError::Io(e) => internal("staging", &e),
            })?;
        }
        let staged = staging
            .finish()
            .await
            .map_err(|e| internal("staging", &e))?;
        if staged.size == 0 {
            return Err(ApiError::BadRequest {
                detail: "请选择承诺书扫描件".into(),
            });
        }
        let path = staged.path.path().to_path_buf();
        let head = staged.head.clone();
        let kind = tokio::task::spawn_blocking(move || app::evidence::inspect(&path, &head))
            .await
            .map_err(|e| internal("inspect", &e))?;
        let kind = match kind {
            Ok(kind @ (FileKind::Pdf | FileKind::Jpeg | FileKind::Png | FileKind::Webp)) => kind,
            _ => {
                return Err(ApiError::AftercareRefused {
                    refusal: AftercareRefusal::ScanType,
                });
            }
        };
        let sha = staged.sha256.clone();
        let staged_path = staged.path.path().to_path_buf();
        let committed = store.clone();
        tokio::task::spawn_blocking(move || committed.commit(&staged_path, &sha))
            .await
            .map_err(|e| internal("commit", &e))?
            .map_err(|e| internal("commit", &e))?;
        // Applied to the commitment as it stands now: a redraft during the
        // upload voids the scan (it shows other words) rather than being undone.
        let by = name.clone();
        let sha = staged.sha256.clone();
        let seen = current.clone();
        app::db::aftercare::update_commitment(
            &state.db,
            hearing_id,
            &name,
            Some(kind.code()),
            |now| {
                let now = now.ok_or(AftercareRefusal::NoCommitment)?;
                if now.agency_text != seen.agency_text
                    || now.petitioner_text != seen.petitioner_text
                {
                    return Err(AftercareRefusal::WordingChanged);
                }
                Ok(now.signed_on_paper(sha, by, app::db::now_ms()))
            },
        )
        .await?
        .map_err(|refusal| ApiError::AftercareRefused { refusal })?;
        let entry = app::db::audit::AuditEntry {
            actor: Some(&actor.account_id),
            action: "commitment_scanned",
            subject: Some(hearing_id),
            detail: &staged.sha256,
            ip: Some(ip),
        };
        app::db::audit::record(&state.db, &entry).await?;
        return Ok(());
    }
    Err(ApiError::BadRequest {
        detail: "请选择承诺书扫描件".into(),
    })
}

fn internal(what: &str, e: &dyn std::fmt::Display) -> ApiError {
    tracing::error!(error = %e, "commitment scan {what}");
    ApiError::Internal
}

/// `GET /hearings/{id}/commitment/scan`: the signed scan, always as a download.
pub async fn download_scan(
    Path(hearing_id): Path<String>,
    State(state): State<AppState>,
    auth: AuthSession,
) -> Result<Response, HttpError> {
    let (actor, _) = app::auth::current_actor(&state.db, &auth)
        .await?
        .ok_or(HttpError::NotLoggedIn)?;
    let staff = app::db::hearings::staff(&state.db, &hearing_id)
        .await?
        .ok_or(HttpError::NotFound)?;
    // Staff, bureau heads, and the two sides who signed it (not a third party).
    let signed_it = actor
        .party_kind
        .and_then(app::domain::aftercare::CommitmentSide::of_party)
        .is_some();
    let may = permits(Some(&actor), Action::ManageAftercare, Some(&staff))
        || permits(Some(&actor), Action::ViewStatistics, Some(&staff))
        || (signed_it && permits(Some(&actor), Action::GiveFeedback, Some(&staff)));
    if !may {
        return Err(HttpError::NotFound);
    }
    let (sha, kind) = app::db::aftercare::commitment_scan(&state.db, &hearing_id)
        .await?
        .ok_or(HttpError::NotFound)?;
    let kind = FileKind::parse_code(&kind).ok_or(HttpError::NotFound)?;
    let path = state
        .evidence
        .store
        .local_path(&sha)
        .map_err(|e| HttpError::Internal(format!("commitment scan {sha}: {e}")))?;
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| HttpError::Internal(format!("commitment scan {sha}: {e}")))?;
    let mut response = attachment(
        kind.mime(),
        &format!("commitment.{}", kind.extension()),
        &format!("双向承诺书.{}", kind.extension()),
        bytes,
    );
    response.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(response)
}

/// What the printed commitment says besides the two wordings.
struct SheetFacts<'a> {
    office: &'a str,
    case_number: &'a str,
    case_title: &'a str,
    hearing_title: &'a str,
    held_on: String,
    host: &'a str,
    petitioners: String,
    agencies: String,
}

/// "张建国、李梅", or `fallback` when the case names nobody.
fn joined_names(names: &[String], fallback: &str) -> String {
    let named: Vec<&str> = names
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .collect();
    if named.is_empty() {
        fallback.to_owned()
    } else {
        named.join("、")
    }
}

/// Escaped, its line breaks kept on paper.
fn paragraph(text: &str) -> String {
    escape(text).replace('\n', "<br>")
}

/// 双向承诺书 as one A4 sheet: both wordings exactly as saved (the scan of the
/// signed paper confirms these words), then a signature and date line for
/// each side. Every interpolated text is escaped.
fn commitment_sheet(hearing_id: &str, facts: &SheetFacts<'_>, wording: &Commitment) -> String {
    let office = if facts.office.trim().is_empty() {
        String::new()
    } else {
        format!("<p class=\"sheet-office\">{}</p>", escape(facts.office))
    };
    format!(
        "<div class=\"no-print toolbar\"><a href=\"/hearings/{id}/aftercare\">← 返回听后跟踪</a>\
         <span class=\"muted\">用浏览器“打印”在 A4 纸上打印；双方签字（盖章）后扫描，在听后跟踪页上传扫描件。</span></div>\
         <article class=\"sheet\" data-testid=\"commitment-sheet\">{office}\
         <h1 class=\"sheet-title\">双向承诺书</h1>\
         <p class=\"sheet-number\">{number}</p>\
         <p class=\"sheet-body\">关于“{case_title}”信访事项，于{held_on}举行听证评议会（{hearing_title}）。\
         经听证评议，责任单位与信访人作出如下承诺：</p>\
         <p class=\"sheet-to\">一、责任单位（{agencies}）承诺</p>\
         <p class=\"sheet-body\" data-testid=\"commitment-sheet-agency\">{agency_text}</p>\
         <p class=\"sheet-to\">二、信访人（{petitioners}）承诺</p>\
         <p class=\"sheet-body\" data-testid=\"commitment-sheet-petitioner\">{petitioner_text}</p>\
         <p class=\"sheet-body\">本承诺书经双方签字（盖章）后生效，由信访工作机构存档，并作为回访的依据。</p>\
         <p data-testid=\"commitment-sheet-host\">听证主持人：{host}</p>\
         <p class=\"sheet-sign\">信访人（签名）：＿＿＿＿＿＿＿＿＿＿<br>日期：＿＿＿＿年＿＿月＿＿日</p>\
         <p class=\"sheet-sign\">责任单位（盖章）：＿＿＿＿＿＿＿＿＿＿<br>日期：＿＿＿＿年＿＿月＿＿日</p>\
         </article>",
        id = escape(hearing_id),
        number = escape(facts.case_number),
        case_title = escape(facts.case_title),
        held_on = escape(&facts.held_on),
        hearing_title = escape(facts.hearing_title),
        agencies = escape(&facts.agencies),
        petitioners = escape(&facts.petitioners),
        agency_text = paragraph(&wording.agency_text),
        petitioner_text = paragraph(&wording.petitioner_text),
        host = escape(facts.host),
    )
}

/// `GET /hearings/{id}/commitment/print`: the commitment as saved, printable
/// on A4 for both sides to sign on paper; staff then attach the scan. Staff
/// only (the same rule as the upload): a party confirms in the app or signs the
/// paper it is handed.
pub async fn print_commitment(
    Path(hearing_id): Path<String>,
    State(state): State<AppState>,
    auth: AuthSession,
) -> Result<Response, HttpError> {
    crate::http_error::authorize(&state, &auth, Action::ManageAftercare, &hearing_id).await?;
    let hearing = app::db::hearings::record(&state.db, &hearing_id)
        .await?
        .ok_or(HttpError::NotFound)?;
    let wording = app::db::aftercare::commitment(&state.db, &hearing_id)
        .await?
        .ok_or_else(|| {
            HttpError::from_api(ApiError::AftercareRefused {
                refusal: AftercareRefusal::NoCommitment,
            })
        })?;
    let (petitioners, agencies) = app::db::aftercare::case_sides(&state.db, &hearing.case_id)
        .await?
        .unwrap_or_default();
    // The day it sat (the opening the log recorded), as the minutes say.
    let held_at_ms = app::db::aftercare::case_of(&state.db, &hearing_id)
        .await?
        .and_then(|found| found.opened_at_ms)
        .unwrap_or(hearing.plan.starts_at_ms);
    let facts = SheetFacts {
        office: &state.office_name,
        case_number: &hearing.case_number,
        case_title: &hearing.case_title,
        hearing_title: &hearing.plan.title,
        held_on: CalendarDate::of_instant(held_at_ms, CHINA_OFFSET_SECONDS).format_zh(),
        host: hearing.host.as_ref().map_or("—", |p| p.name.as_str()),
        petitioners: joined_names(&petitioners, "信访人"),
        agencies: joined_names(&agencies, "责任单位"),
    };
    let body = commitment_sheet(&hearing_id, &facts, &wording);
    Ok(document(StatusCode::OK, "双向承诺书", &body))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_printed_commitment_carries_both_wordings_escaped_and_two_signature_lines() {
        let facts = SheetFacts {
            office: "海宁市信访局",
            case_number: "海宁信访〔2026〕107号",
            case_title: "拖欠工资<script>",
            hearing_title: "关于拖欠工资的听证",
            held_on: "2026年11月5日".into(),
            host: "张主持",
            petitioners: "张建国".into(),
            agencies: "某镇人民政府".into(),
        };
        let wording = Commitment {
            agency_text: "三十日内补发工资\n并书面告知".into(),
            petitioner_text: "不再就此事重复信访 & 配合回访".into(),
            agency: None,
            petitioner: None,
            scan_sha256: None,
        };
        let html = commitment_sheet("h1", &facts, &wording);
        assert!(html.contains("三十日内补发工资<br>并书面告知"), "{html}");
        assert!(html.contains("不再就此事重复信访 &amp; 配合回访"));
        assert!(html.contains("拖欠工资&lt;script&gt;"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("听证主持人：张主持"));
        assert!(html.contains("信访人（签名）") && html.contains("责任单位（盖章）"));
        assert!(html.contains("2026年11月5日") && html.contains("海宁信访〔2026〕107号"));
        assert_eq!(joined_names(&[" ".into()], "信访人"), "信访人");
    }

    #[test]
    fn sheet_names_fit_excel_rules() {
        let name = sheet_name(5, "逾期事项（截至2026年12月1日）");
        assert_eq!(name, "6 逾期事项");
        let long = sheet_name(0, &"很长的标题".repeat(10));
        assert!(long.chars().count() <= 31, "{long}");
        assert_eq!(sheet_name(1, "a/b:c"), "2 abc");
    }

    #[test]
    fn a_workbook_holds_one_sheet_per_table_with_numbers() {
        let tables = vec![StatsTable {
            title: "每月听证场次".into(),
            headers: vec!["月份".into(), "场次".into()],
            rows: vec![vec![Cell::Text("2026-11".into()), Cell::Count(3)]],
        }];
        let bytes = workbook(&tables).unwrap();
        assert!(bytes.starts_with(b"PK"), "an xlsx is a zip");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut sheet = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
            &mut sheet,
        )
        .unwrap();
        assert!(sheet.contains("<v>3</v>"), "the count is a number: {sheet}");
    }
}
