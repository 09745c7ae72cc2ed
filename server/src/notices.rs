//! What tells people a hearing is coming: the written notice to each party
//! (听证通知书, printable), the public announcement (听证公告) of a public
//! hearing, and calendars (.ics) per hearing and per person.

use crate::html::{document, escape};
use crate::http_error::HttpError;
use crate::ics::{self, IcsEvent, IcsStatus, IcsZone};
use crate::router::Extras;
use app::auth::AuthSession;
use app::domain::access::{Action, PartyKind, permits};
use app::domain::case::CalendarDate;
use app::domain::clock::{CHINA_OFFSET_SECONDS, format_zh};
use app::domain::schedule::{HearingKind, HearingStatus, Sitting};
use app::model::HearingRecord;
use app::state::AppState;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The office as its papers name it, and the zone its calendars are written in.
#[derive(Clone, Debug)]
pub struct Office {
    /// e.g. 海宁市信访局; heads notices and announcements.
    pub name: String,
    pub zone: IcsZone,
}

fn when(h: &HearingRecord) -> String {
    format_zh(h.plan.starts_at_ms, CHINA_OFFSET_SECONDS)
}

fn status_line(h: &HearingRecord) -> Option<&'static str> {
    match h.status {
        HearingStatus::Scheduled => None,
        HearingStatus::Postponed => Some("本场听证已延期，新的时间另行通知。"),
        HearingStatus::Cancelled => Some("本场听证已取消。"),
    }
}

/// A party a notice is addressed to.
struct Addressee {
    kind: PartyKind,
    name: String,
}

/// Everyone the notice goes to: the case's petitioners and agencies, and any
/// other party invited to the hearing (第三人).
async fn addressees(state: &AppState, h: &HearingRecord) -> Result<Vec<Addressee>, HttpError> {
    let case = app::db::cases::get(
        &state.db,
        &h.case_id,
        &Default::default(),
        CalendarDate::of_instant(app::db::now_ms(), CHINA_OFFSET_SECONDS),
    )
    .await?
    .ok_or(HttpError::NotFound)?;
    let mut out: Vec<Addressee> = Vec::new();
    let mut add = |kind, name: &str| {
        if !out.iter().any(|a| a.name == name) {
            out.push(Addressee {
                kind,
                name: name.to_owned(),
            });
        }
    };
    for name in &case.case.petitioners {
        add(PartyKind::Petitioner, name);
    }
    for name in &case.case.agencies {
        add(PartyKind::Agency, name);
    }
    for invitation in app::db::invitations::list(&state.db, &h.id).await? {
        if invitation.revoked_at.is_none() {
            add(invitation.kind, &invitation.name);
        }
    }
    Ok(out)
}

/// One 听证通知书, as an A4 sheet.
fn notice_sheet(office: &Office, h: &HearingRecord, to: &Addressee, issued: &str) -> String {
    let you = if to.kind == PartyKind::Petitioner {
        "你"
    } else {
        "你单位"
    };
    let form = h.plan.kind.label_zh_short();
    let host = h.host.as_ref().map(|p| p.name.as_str()).unwrap_or("—");
    let clerk = h.clerk.as_ref().map(|p| p.name.as_str()).unwrap_or("—");
    let online = if h.plan.online {
        "<li>本场听证可线上参加，参加方式由工作人员另行告知。</li>"
    } else {
        ""
    };
    let status = status_line(h)
        .map(|s| format!("<p class=\"notice-status\">{s}</p>"))
        .unwrap_or_default();
    format!(
        "<article class=\"sheet\" data-testid=\"notice-sheet\">\
         <p class=\"sheet-office\">{office}</p><h1 class=\"sheet-title\">听证通知书</h1>\
         <p class=\"sheet-number\">{number}</p>{status}\
         <p class=\"sheet-to\">{name}（{kind}）：</p>\
         <p class=\"sheet-body\">关于{you}涉及的“{case_title}”信访事项，本机关定于<strong>{when}</strong>在<strong>{place}</strong>\
         举行{form}听证评议会，预计时长 {minutes} 分钟。现将有关事项通知如下：</p>\
         <ol class=\"sheet-list\">\
         <li>听证主持人：{host}；记录员：{clerk}。评议团由 {panel} 名评议员组成。</li>\
         <li>请{you}按时参加，并携带身份证明及相关证据材料。委托代理人参加的，应当提交授权委托书。</li>\
         <li>{you}在听证中可以陈述事实和理由、出示证据、进行质证和辩论；认为主持人、记录员或评议员与本事项有利害关系的，可以在听证开始时申请回避。</li>\
         <li>无正当理由不参加听证的，视为放弃听证权利。</li>{online}\
         </ol>\
         <p class=\"sheet-sign\">{office}<br>{issued}</p></article>",
        office = escape(&office.name),
        number = escape(&h.case_number),
        name = escape(&to.name),
        kind = to.kind.label_zh(),
        case_title = escape(&h.case_title),
        when = when(h),
        place = escape(&h.plan.place_label_zh()),
        minutes = h.plan.duration_min,
        host = escape(host),
        clerk = escape(clerk),
        panel = h.plan.panel_size,
    )
}

trait KindLabel {
    fn label_zh_short(self) -> &'static str;
}

impl KindLabel for HearingKind {
    /// "公开" / "不公开", as the notice sentence needs it.
    fn label_zh_short(self) -> &'static str {
        match self {
            HearingKind::Public => "公开",
            HearingKind::Closed => "不公开",
        }
    }
}

/// `GET /hearings/{id}/notices`: every party's written notice, one per A4 page.
pub async fn notices(
    Path(hearing_id): Path<String>,
    State(state): State<AppState>,
    Extension(extras): Extension<Arc<Extras>>,
    auth: AuthSession,
) -> Result<Response, HttpError> {
    crate::http_error::authorize(&state, &auth, Action::PrintNotices, &hearing_id).await?;
    let h = app::db::hearings::record(&state.db, &hearing_id)
        .await?
        .ok_or(HttpError::NotFound)?;
    let issued = CalendarDate::of_instant(app::db::now_ms(), CHINA_OFFSET_SECONDS).format_zh();
    let sheets: String = addressees(&state, &h)
        .await?
        .iter()
        .map(|to| notice_sheet(&extras.office, &h, to, &issued))
        .collect();
    let body = format!(
        "<div class=\"no-print toolbar\"><a href=\"/hearings/{id}/plan\">← 返回听证安排</a>\
         <span class=\"muted\">用浏览器“打印”即可按每位当事人一页打印（A4）。</span></div>{sheets}",
        id = escape(&h.id),
    );
    Ok(document(StatusCode::OK, "听证通知书", &body))
}

/// How many public hearings the public list shows (the next ones first).
const PUBLIC_LIST_LIMIT: u32 = 50;

/// `GET /public/hearings`: 听证公告一览, the public hearings of today and
/// after, for anyone (the observer page's way back, and where a citizen starts
/// without an account). Each links its announcement and, unless cancelled,
/// the online observer page.
pub async fn announcements(
    State(state): State<AppState>,
    Extension(extras): Extension<Arc<Extras>>,
) -> Result<Response, HttpError> {
    let today = CalendarDate::of_instant(app::db::now_ms(), CHINA_OFFSET_SECONDS);
    let query = app::db::hearings::HearingQuery {
        from_ms: Some(today.start_ms(CHINA_OFFSET_SECONDS)),
        public_only: true,
        limit: PUBLIC_LIST_LIMIT,
        ..Default::default()
    };
    let hearings = app::db::hearings::query(&state.db, &query).await?;
    let rows: String = hearings
        .iter()
        .map(|h| {
            let state_line = match (status_line(h), h.sitting) {
                (Some(line), _) => line,
                (None, Sitting::InSession) => "正在举行，可在线旁听。",
                (None, Sitting::Closed) => "已举行。",
                (None, Sitting::NotOpened) => "",
            };
            let observe = if h.status == HearingStatus::Cancelled {
                String::new()
            } else {
                format!(
                    " · <a href=\"/public/hearings/{id}\" data-testid=\"public-list-observe\">在线旁听</a>",
                    id = escape(&h.id)
                )
            };
            format!(
                "<li class=\"public-hearing\" data-testid=\"public-list-hearing\" data-id=\"{id}\">\
                 <p><strong>{when}</strong> · {place}</p>\
                 <p>{title}（{number}）</p>\
                 <p class=\"muted\">{state_line}</p>\
                 <p><a href=\"/public/hearings/{id}/announcement\">听证公告</a>{observe}</p></li>",
                id = escape(&h.id),
                when = when(h),
                place = escape(&h.plan.place_label_zh()),
                title = escape(&h.plan.title),
                number = escape(&h.case_number),
            )
        })
        .collect();
    let list = if rows.is_empty() {
        "<p class=\"muted\" data-testid=\"public-list-empty\">近期没有公开听证。</p>".to_owned()
    } else {
        format!("<ul class=\"plain-list\" data-testid=\"public-list\">{rows}</ul>")
    };
    let body = format!(
        "<section class=\"card\"><h1>听证公告</h1>\
         <p class=\"muted\">{office}近期举行的公开听证评议会。欢迎社会各界人士旁听，旁听人员应遵守听证纪律。</p>\
         {list}</section>",
        office = escape(&extras.office.name),
    );
    Ok(document(StatusCode::OK, "听证公告", &body))
}

/// `GET /public/hearings/{id}/announcement`: 听证公告 of a public hearing,
/// readable by anyone; a hearing that is not public does not exist here.
pub async fn announcement(
    Path(hearing_id): Path<String>,
    State(state): State<AppState>,
    Extension(extras): Extension<Arc<Extras>>,
) -> Result<Response, HttpError> {
    let h = app::db::hearings::record(&state.db, &hearing_id)
        .await?
        .ok_or(HttpError::NotFound)?;
    if h.plan.kind != HearingKind::Public {
        return Err(HttpError::NotFound);
    }
    let status = status_line(&h)
        .map(|s| format!("<p class=\"notice-status\" data-testid=\"announcement-status\">{s}</p>"))
        .unwrap_or_default();
    let host = h.host.as_ref().map(|p| p.name.as_str()).unwrap_or("—");
    let body = format!(
        "<article class=\"sheet\" data-testid=\"announcement\">\
         <p class=\"sheet-office\">{office}</p><h1 class=\"sheet-title\">听证公告</h1>{status}\
         <p class=\"sheet-body\">本机关定于<strong data-testid=\"announcement-when\">{when}</strong>在<strong>{place}</strong>\
         就“<span data-testid=\"announcement-case\">{case_title}</span>”信访事项（编号：{number}）举行公开听证评议会：\
         <strong data-testid=\"announcement-title\">{title}</strong>。</p>\
         <p class=\"sheet-body\">听证主持人：{host}。评议团由 {panel} 名来自人大代表、政协委员、律师、专家学者和群众代表等方面的评议员组成。</p>\
         <p class=\"sheet-body\">欢迎社会各界人士旁听。旁听人员应遵守听证纪律，不得发言、提问，不得录音、录像。\
         亦可<a href=\"/public/hearings/{id}\" data-testid=\"announcement-observe\">在线旁听</a>。</p>\
         <p class=\"sheet-sign\">{office}<br>{issued}</p></article>",
        office = escape(&extras.office.name),
        when = when(&h),
        place = escape(&h.plan.place_label_zh()),
        case_title = escape(&h.case_title),
        number = escape(&h.case_number),
        title = escape(&h.plan.title),
        host = escape(host),
        panel = h.plan.panel_size,
        id = escape(&h.id),
        issued = CalendarDate::of_instant(h.updated_at_ms, CHINA_OFFSET_SECONDS).format_zh(),
    );
    Ok(document(StatusCode::OK, "听证公告", &body))
}

fn ics_event(h: &HearingRecord, base: Option<&str>) -> IcsEvent {
    let status = match h.status {
        HearingStatus::Scheduled => IcsStatus::Confirmed,
        HearingStatus::Postponed => IcsStatus::Tentative,
        HearingStatus::Cancelled => IcsStatus::Cancelled,
    };
    let mut description = format!(
        "信访事项：{}（{}）\n听证形式：{}\n主持人：{}",
        h.case_title,
        h.case_number,
        h.plan.kind.label_zh_short(),
        h.host.as_ref().map(|p| p.name.as_str()).unwrap_or("—"),
    );
    if let Some(line) = status_line(h) {
        description = format!("{line}\n{description}");
    }
    IcsEvent {
        uid: h.id.clone(),
        sequence: u32::try_from(h.version.saturating_sub(1)).unwrap_or(0),
        summary: h.plan.title.clone(),
        description,
        location: Some(h.plan.place_label_zh()),
        url: base.map(|b| format!("{b}/hearings/{}/plan", h.id)),
        starts_at_ms: h.plan.starts_at_ms,
        ends_at_ms: h.plan.ends_at_ms(),
        status,
        updated_at_ms: h.updated_at_ms,
    }
}

fn ics_response(file_name: &str, body: String) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(ics::CONTENT_TYPE),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /hearings/{id}/calendar.ics`: one hearing, for whoever may see its plan.
pub async fn hearing_ics(
    Path(hearing_id): Path<String>,
    State(state): State<AppState>,
    Extension(extras): Extension<Arc<Extras>>,
    auth: AuthSession,
) -> Result<Response, HttpError> {
    let (actor, _) = app::auth::current_actor(&state.db, &auth)
        .await?
        .ok_or(HttpError::NotLoggedIn)?;
    let staff = app::db::hearings::staff(&state.db, &hearing_id)
        .await?
        .ok_or(HttpError::NotFound)?;
    let may = |action| permits(Some(&actor), action, Some(&staff));
    if !(may(Action::ViewRoom) || may(Action::ViewCalendar)) {
        return Err(HttpError::NotFound);
    }
    let h = app::db::hearings::record(&state.db, &hearing_id)
        .await?
        .ok_or(HttpError::NotFound)?;
    let body = ics::calendar(
        &h.plan.title,
        &extras.office.zone,
        &[ics_event(&h, state.public_url.as_deref())],
    );
    Ok(ics_response("hearing.ics", body))
}

/// `GET /feeds/{secret}.ics`: a person's own hearings (host, clerk, panel), for
/// calendar apps, which carry no cookie — the secret in the URL is the key.
pub async fn personal_feed(
    Path(file): Path<String>,
    State(state): State<AppState>,
    Extension(extras): Extension<Arc<Extras>>,
) -> Result<Response, HttpError> {
    let secret = file.strip_suffix(".ics").ok_or(HttpError::NotFound)?;
    let account_id = app::db::tokens::calendar_feed_owner(&state.db, secret)
        .await?
        .ok_or(HttpError::NotFound)?;
    let query = app::db::hearings::HearingQuery {
        from_ms: Some(app::db::now_ms() - 90 * 24 * 3_600_000),
        person_id: Some(account_id),
        ..Default::default()
    };
    let hearings = app::db::hearings::query(&state.db, &query).await?;
    let events: Vec<IcsEvent> = hearings
        .iter()
        .map(|h| ics_event(h, state.public_url.as_deref()))
        .collect();
    let name = format!("{} · 我的听证", extras.office.name);
    Ok(ics_response(
        "pingyi.ics",
        ics::calendar(&name, &extras.office.zone, &events),
    ))
}
