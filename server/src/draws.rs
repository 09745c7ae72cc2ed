//! The public face of a panel draw (抽选核验): a page anyone with the link can
//! open to see the committed input, the public values, the panel and whether a
//! recomputation right now gives the same panel (一致 / 不一致), and the record
//! as JSON for `pingyi verify-draw FILE`.

use crate::html::{document, escape};
use crate::http_error::HttpError;
use app::domain::case::Coded;
use app::domain::clock::{CHINA_OFFSET_SECONDS, format_zh};
use app::domain::sortition::{self, Mismatch, PoolMember, Verdict, tag_label_zh};
use app::domain::{EventPayload, HearingEvent};
use app::model::{DrawRecord, DrawStatus};
use app::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// `GET /public/draws/{id}`: the verification page.
pub async fn page(
    Path(draw_id): Path<String>,
    State(state): State<AppState>,
) -> Result<Response, HttpError> {
    let record = app::db::pool::draw(&state.db, &draw_id)
        .await?
        .ok_or(HttpError::NotFound)?;
    let hearing = app::db::hearings::record(&state.db, &record.hearing_id)
        .await?
        .ok_or(HttpError::NotFound)?;
    let events = app::db::events::all(&state.db, &record.hearing_id).await?;
    let verdict = tokio::task::spawn_blocking({
        let record = record.clone();
        move || app::panel::verify(&record)
    })
    .await
    .map_err(|e| HttpError::Internal(e.to_string()))?;
    // Checked against the office's whole record; shown as anyone may read it.
    let record = record.public();
    let body = format!(
        "<section class=\"card\" data-testid=\"draw-record\">\
         <h1>评议团抽选核验 <small class=\"muted\">Panel draw verification</small></h1>\
         <p>听证：<strong>{title}</strong>（信访事项 {number}）</p>{verdict}{facts}</section>\
         {panel}{changes}{input}",
        title = escape(&hearing.plan.title),
        number = escape(&hearing.case_number),
        verdict = verdict_html(&record, verdict.as_ref()),
        facts = facts_html(&record),
        panel = panel_html(&record),
        changes = changes_html(&record, &events),
        input = input_html(&record),
    );
    Ok(document(StatusCode::OK, "评议团抽选核验", &body))
}

/// `GET /public/draws/{id}/record.json`: the public record, to re-run offline
/// (names, districts and the words of each exclusion's reason are the office's).
pub async fn record_json(
    Path(draw_id): Path<String>,
    State(state): State<AppState>,
) -> Result<Response, HttpError> {
    let record = app::db::pool::draw(&state.db, &draw_id)
        .await?
        .ok_or(HttpError::NotFound)?;
    // The lottery the draw sampled from, so that a program of one's own can
    // replay the sampling from this file alone (docs/SORTITION.md §4,
    // docs/replay_draw.py); recomputed from the input, which fixes it.
    let lottery = tokio::task::spawn_blocking({
        let input = record.input.clone();
        move || sortition::portfolio(&input).ok()
    })
    .await
    .map_err(|e| HttpError::Internal(e.to_string()))?;
    let mut published =
        serde_json::to_value(record.public()).map_err(|e| HttpError::Internal(e.to_string()))?;
    if let (Some(lottery), Some(fields)) = (lottery, published.as_object_mut()) {
        fields.insert(
            "lottery".into(),
            serde_json::json!({
                "types": lottery.types.iter().map(|t| serde_json::json!({
                    "tags": t.tags,
                    "members": t.members,
                })).collect::<Vec<_>>(),
                "shapes": lottery.shapes,
            }),
        );
    }
    let mut response = Json(published).into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_DISPOSITION,
        axum::http::HeaderValue::from_str(&format!(
            "attachment; filename=\"draw-{}.json\"",
            draw_id.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "")
        ))
        .map_err(|e| HttpError::Internal(e.to_string()))?,
    );
    Ok(response)
}

fn verdict_html(record: &DrawRecord, verdict: Option<&Verdict>) -> String {
    match (record.status, verdict) {
        (DrawStatus::Void, _) => format!(
            "<p class=\"verdict void\" data-testid=\"draw-verdict\">已作废：{}</p>",
            escape(record.void_reason.as_deref().unwrap_or(""))
        ),
        (_, None) => "<p class=\"verdict pending\" data-testid=\"draw-verdict\">名单已公示，尚未抽选。\
             抽选时主持人将当场录入公开随机数（如当日公开的开奖号码），结果由公示名单和公开随机数共同决定。</p>"
            .into(),
        (_, Some(Verdict::Match)) => "<p class=\"verdict match\" data-testid=\"draw-verdict\">一致 \
             <small>按公示的名单与公开随机数重新计算，得到的评议团与候补名单与记录完全相同。</small></p>"
            .into(),
        (_, Some(Verdict::Mismatch(found))) => format!(
            "<p class=\"verdict mismatch\" data-testid=\"draw-verdict\">不一致 <small>mismatch</small></p>\
             <ul class=\"mismatches\">{}</ul>",
            found
                .iter()
                .map(|m| format!("<li>{}</li>", escape(&mismatch_zh(m))))
                .collect::<String>()
        ),
    }
}

/// One line per difference, for people (the JSON record has the details).
pub fn mismatch_zh(m: &Mismatch) -> String {
    match m {
        Mismatch::AlgorithmVersion {
            recorded,
            recomputed,
        } => format!("算法版本不符：记录为 {recorded}，输入为 {recomputed}"),
        Mismatch::InputHash {
            recorded,
            recomputed,
        } => format!("输入摘要不符：记录为 {recorded}，重新计算为 {recomputed}（输入已被改动）"),
        Mismatch::Seed {
            recorded,
            recomputed,
        } => format!("随机种子不符：记录为 {recorded}，重新计算为 {recomputed}"),
        Mismatch::Seated {
            recorded,
            recomputed,
        } => format!(
            "评议员名单不符：记录为 {}，重新计算为 {}",
            recorded.join("、"),
            recomputed.join("、")
        ),
        Mismatch::Alternates {
            recorded,
            recomputed,
        } => format!(
            "候补名单不符：记录为 {}，重新计算为 {}",
            recorded.join("、"),
            recomputed.join("、")
        ),
        Mismatch::Infeasible { reason } => {
            format!("按记录的输入无法抽选：{}", reason.message_zh())
        }
    }
}

/// What happened, in plain words for people (who fixed the list and when, the
/// public numbers, when it was drawn); what a verifier needs (the algorithm,
/// the digests, the seed, the record to replay offline) folded under 技术信息.
fn facts_html(record: &DrawRecord) -> String {
    let mut rows = vec![
        ("抽选编号", escape(&record.id)),
        (
            "名单公示",
            format!(
                "{}，{}（此后名单不能再改动）",
                format_zh(record.committed_at_ms, CHINA_OFFSET_SECONDS),
                escape(&record.committed_by)
            ),
        ),
    ];
    if let Some(values) = &record.public_values {
        rows.push((
            "公开随机数",
            format!(
                "<span data-testid=\"draw-public-values\">{}</span>",
                values
                    .iter()
                    .map(|v| format!("「{}」", escape(v)))
                    .collect::<String>()
            ),
        ));
    }
    let mut technical = vec![
        (
            "抽选算法",
            format!("maximin 公平抽选，版本 {}", record.input.algorithm_version),
        ),
        (
            "输入摘要（SHA-256）",
            format!(
                "<code data-testid=\"draw-input-hash\">{}</code>",
                escape(&record.input_hash)
            ),
        ),
    ];
    if let (Some(result), Some(at)) = (&record.result, record.drawn_at_ms) {
        rows.push((
            "抽选时间",
            format!(
                "{}，{}",
                format_zh(at, CHINA_OFFSET_SECONDS),
                escape(record.drawn_by.as_deref().unwrap_or(""))
            ),
        ));
        technical.push(("随机种子", format!("<code>{}</code>", escape(&result.seed))));
    }
    let table = |rows: Vec<(&str, String)>| -> String {
        rows.into_iter()
            .map(|(k, v)| format!("<tr><th>{k}</th><td>{v}</td></tr>"))
            .collect()
    };
    format!(
        "<p>评议员由计算机从公示的评议员名单中随机抽取，同时满足各方面人员的名额要求，\
         每位符合条件的成员被抽中的机会尽量均等。抽选结果由公示的名单和当场录入的公开随机数共同决定，\
         任何人都可以按公开的信息重新计算，核对结果是否一致。</p>\
         <table class=\"facts\">{rows}</table>\
         <details class=\"tech-info\"><summary>技术信息（供核验）</summary>\
         <table class=\"facts\">{technical}</table>\
         <p class=\"muted\">下载<a href=\"/public/draws/{id}/record.json\" data-testid=\"draw-json\">完整抽选记录（JSON）</a>，\
         可用本平台的离线核验命令（<code>pingyi verify-draw</code>）复核。</p></details>",
        rows = table(rows),
        technical = table(technical),
        id = escape(&record.id)
    )
}

/// A member as the public record names them: the member code and the categories
/// the quotas count, never the name.
fn member_label(input_pool: &[PoolMember], id: &str) -> String {
    match input_pool.iter().find(|m| m.id == id) {
        Some(m) => format!("{}（{}）", escape(id), categories_zh(m)),
        None => escape(id),
    }
}

fn categories_zh(member: &PoolMember) -> String {
    member
        .categories
        .iter()
        .filter(|t| *t != "representative")
        .map(|t| escape(tag_label_zh(t)))
        .collect::<Vec<_>>()
        .join("、")
}

fn panel_html(record: &DrawRecord) -> String {
    let Some(result) = &record.result else {
        return String::new();
    };
    let seated: String = result
        .seated
        .iter()
        .map(|id| format!("<li>{}</li>", member_label(&record.input.pool, id)))
        .collect();
    let alternates: String = result
        .alternates
        .iter()
        .map(|id| format!("<li>{}</li>", member_label(&record.input.pool, id)))
        .collect();
    format!(
        "<section class=\"card\"><h2>抽选结果</h2>\
         <h3>评议员（{n} 名）</h3><ul data-testid=\"draw-seated\">{seated}</ul>\
         <h3>候补（按顺序递补）</h3><ol data-testid=\"draw-alternates\">{alternates}</ol></section>",
        n = result.seated.len()
    )
}

/// Declines, recusals and promotions after the draw, from the hearing's log.
fn changes_html(record: &DrawRecord, events: &[HearingEvent]) -> String {
    if record.status != DrawStatus::Drawn {
        return String::new();
    }
    let lines: Vec<String> = events
        .iter()
        .filter_map(|e| {
            let when = format_zh(e.at_ms, CHINA_OFFSET_SECONDS);
            let text = match &e.payload {
                // Who and what happened, by member code; names and reasons
                // stay with the office.
                EventPayload::SeatAnswered {
                    member_id,
                    accepted: false,
                    ..
                } => format!("成员 {} 谢绝担任评议员", escape(member_id)),
                EventPayload::MemberRecused { member_id, .. } => {
                    format!("成员 {} 回避", escape(member_id))
                }
                EventPayload::AlternatePromoted { holder, replaces } => format!(
                    "候补 {} 递补（接替 {}）",
                    escape(&holder.member_id),
                    escape(replaces)
                ),
                EventPayload::SeatLeftVacant { replaces } => {
                    format!(
                        "{} 的席位无符合名额要求的候补可递补，空缺",
                        escape(replaces)
                    )
                }
                _ => return None,
            };
            Some(format!("<li>{when}：{text}</li>"))
        })
        .collect();
    if lines.is_empty() {
        return String::new();
    }
    format!(
        "<section class=\"card\"><h2>抽选后的变动</h2><ul data-testid=\"draw-changes\">{}</ul></section>",
        lines.concat()
    )
}

fn input_html(record: &DrawRecord) -> String {
    let input = &record.input;
    let quotas: String = input
        .quotas
        .iter()
        .map(|q| {
            format!(
                "<li>{}</li>",
                escape(&sortition::describe_quota_zh(q, input.panel_size))
            )
        })
        .collect();
    let excluded: String = input
        .excluded
        .iter()
        .map(|e| {
            format!(
                "<tr><td>{}</td><td>{}</td></tr>",
                member_label(&input.pool, &e.member_id),
                escape(e.kind.label_zh())
            )
        })
        .collect();
    let pool: String = input
        .pool
        .iter()
        .map(|m| {
            format!(
                "<tr><td>{}</td><td>{}</td></tr>",
                escape(&m.id),
                categories_zh(m)
            )
        })
        .collect();
    format!(
        "<section class=\"card\"><h2>公示的抽选条件</h2>\
         <p>评议团人数 {size} 名，候补 {alternates} 名；公示名单共 {pool_size} 人。</p>\
         <h3>名额要求</h3><ul>{quotas}</ul>\
         <h3>不参加本次抽选的成员（{n_ex} 名）</h3>\
         <table class=\"table\"><thead><tr><th>成员</th><th>原因</th></tr></thead><tbody>{excluded}</tbody></table>\
         <details><summary>公示名单（{pool_size} 人）</summary>\
         <table class=\"table\"><thead><tr><th>编号</th><th>类别</th></tr></thead>\
         <tbody>{pool}</tbody></table></details></section>",
        size = input.panel_size,
        alternates = input.alternates,
        pool_size = input.pool.len(),
        n_ex = input.excluded.len(),
    )
}

/// `GET /pool/export.csv`: the pool as a spreadsheet (administrators, hosts, clerks).
pub async fn export_pool(
    State(state): State<AppState>,
    auth: app::auth::AuthSession,
) -> Result<Response, HttpError> {
    use app::domain::access::{Action, permits};
    let (actor, _) = app::auth::current_actor(&state.db, &auth)
        .await?
        .ok_or(HttpError::NotLoggedIn)?;
    if !permits(Some(&actor), Action::ViewPool, None) {
        return Err(HttpError::Forbidden);
    }
    let members = app::db::pool::list(&state.db, &Default::default()).await?;
    let csv = app::pool_import::export_csv(&members);
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"pool.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}
