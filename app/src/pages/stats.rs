//! 统计 (`/stats`): the dashboard for administrators and bureau heads. Every
//! figure comes from `domain::stats::dashboard` on the server; charts are SVG
//! drawn here, each with its numbers as a table, and the same tables export as
//! CSV and XLSX.

use super::home::Refusal;
use super::ui::{query_string, use_tr};
use crate::api::statistics;
use crate::domain::case::Coded;
use crate::domain::stats::{Dashboard, MonthLabel, Rate, StatsTable, month_labels};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

#[component]
pub fn StatsPage() -> impl IntoView {
    let tr = use_tr();
    let query = use_query_map();
    let wanted = Memo::new(move |_| {
        query.with(|q| {
            (
                q.get("from").unwrap_or_default(),
                q.get("to").unwrap_or_default(),
                q.get("district").unwrap_or_default(),
            )
        })
    });
    let data = Resource::new(
        move || wanted.get(),
        |(from, to, district)| statistics(from, to, district),
    );
    view! {
        <div class="page-head">
            <h1>{tr.s("统计分析", "Statistics")}</h1>
        </div>
        <Suspense fallback=move || view! { <p class="muted">{tr.s("加载中…", "Loading…")}</p> }>
            {move || data.get().map(|r| match r {
                Ok(d) => view! { <StatsFilters d=d.clone() /> <Board d /> }.into_any(),
                Err(e) => view! { <StatsFilters d=None /> <Refusal error=e /> }.into_any(),
            })}
        </Suspense>
    }
}

/// Period and district; applying changes the address, so a view can be shared.
/// The export links carry the filter the page shows (`applied`), not what is
/// being typed; the fields start from the address, so a refused period stays.
#[component]
fn StatsFilters(#[prop(into)] d: Option<Dashboard>) -> impl IntoView {
    let tr = use_tr();
    let navigate = use_navigate();
    let query = use_query_map();
    let typed = |key: &str| query.with_untracked(|q| q.get(key).unwrap_or_default());
    let from = RwSignal::new(
        d.as_ref()
            .map_or_else(|| typed("from"), |d| d.filter.from.to_string()),
    );
    let to = RwSignal::new(
        d.as_ref()
            .map_or_else(|| typed("to"), |d| d.filter.to.to_string()),
    );
    let district = RwSignal::new(d.as_ref().map_or_else(
        || typed("district"),
        |d| d.filter.district.clone().unwrap_or_default(),
    ));
    let districts = d.as_ref().map(|d| d.districts.clone()).unwrap_or_default();
    let applied = d.as_ref().map(|d| {
        query_string(&[
            ("from", d.filter.from.to_string()),
            ("to", d.filter.to.to_string()),
            ("district", d.filter.district.clone().unwrap_or_default()),
        ])
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let q = query_string(&[
            ("from", from.get_untracked()),
            ("to", to.get_untracked()),
            ("district", district.get_untracked()),
        ]);
        navigate(&format!("/stats{q}"), Default::default());
    };
    view! {
        <form method="post" class="card filters" on:submit=submit data-testid="stats-filters">
            <label>{tr.s("起始月份", "From")}
                <input type="month" data-testid="stats-from" prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev)) />
            </label>
            <label>{tr.s("截止月份", "To")}
                <input type="month" data-testid="stats-to" prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev)) />
            </label>
            <label>{tr.s("属地", "District")}
                <select data-testid="stats-district" on:change=move |ev| district.set(event_target_value(&ev))>
                    <option value="" selected=move || district.get().is_empty()>{tr.s("全部", "All")}</option>
                    {districts.into_iter().map(|name| {
                        let mine = name.clone();
                        view! { <option value=name.clone() selected=move || district.get() == mine>{name.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <button type="submit" data-testid="stats-apply">{tr.s("统计", "Show")}</button>
            {applied.map(|q| view! {
                <a class="button secondary" rel="external" data-testid="stats-export-csv" href=format!("/stats/export.csv{q}")>{tr.s("导出 CSV", "Export CSV")}</a>
                <a class="button secondary" rel="external" data-testid="stats-export-xlsx" href=format!("/stats/export.xlsx{q}")>{tr.s("导出 Excel", "Export XLSX")}</a>
            })}
        </form>
    }
    .into_any()
}

#[component]
fn Board(d: Dashboard) -> impl IntoView {
    let tr = use_tr();
    let period = format!(
        "{} 至 {}",
        d.filter.from.format_zh(),
        d.filter.to.format_zh()
    );
    let month_list: Vec<_> = d.held_per_month.iter().map(|(m, _)| *m).collect();
    let months: Vec<(MonthLabel, u32)> = month_labels(&month_list)
        .into_iter()
        .zip(d.held_per_month.iter().map(|(_, n)| *n))
        .collect();
    let resolution = d.resolution_counts.clone();
    let satisfaction: Vec<(String, u32)> = d
        .satisfaction_counts
        .iter()
        .map(|(s, n)| (s.label_zh().to_owned(), *n))
        .collect();
    let top: Vec<(String, u32)> = d.participation.iter().take(15).cloned().collect();
    let tables = d.tables();
    view! {
        <p class="muted" data-testid="stats-period">{period}{d.filter.district.clone().map(|x| format!("，{x}")).unwrap_or_default()}</p>
        <div class="kpis">
            <Kpi label="听证场次" value=d.held_total.to_string() detail="期间举行的听证".to_owned() testid="kpi-held" />
            <RateKpi label="化解率" rate=d.resolution detail="化解 ÷ 已录入处理结果" testid="kpi-resolution" />
            <RateKpi label="评议后未重复信访率" rate=d.no_repeat detail="未再信访 ÷ 评议案件" testid="kpi-no-repeat" />
            <RateKpi label="重复信访率" rate=d.repeat detail="再次信访 ÷ 评议案件" testid="kpi-repeat" />
            <RateKpi label="满意率" rate=d.satisfaction detail="满意+基本满意 ÷ 评价" testid="kpi-satisfaction" />
            <Kpi label="逾期事项" value=d.overdue_count.to_string() detail=format!("截至{}", d.today.format_zh()) testid="kpi-overdue" />
        </div>
        <div class="charts">
            <section class="card">
                <h2>{tr.s("每月听证场次", "Hearings held per month")}</h2>
                <ColumnChart title="每月听证场次" bars=months testid="chart-months" />
            </section>
            <section class="card">
                <h2>{tr.s("化解情况", "Resolution")}</h2>
                <BarChart title="化解情况" bars=resolution testid="chart-resolution" />
                <h2>{tr.s("满意度", "Satisfaction")}</h2>
                <BarChart title="满意度" bars=satisfaction testid="chart-satisfaction" />
            </section>
            <section class="card">
                <h2>{tr.s("案件风险等级与分类", "Cases by risk colour and class")}</h2>
                <RiskGrid d=d.clone() />
            </section>
            <section class="card">
                <h2>{move || if tr.is_zh() {
                    format!("评议员参与次数（前 15 名；最多与最少相差 {} 次）", d.participation_spread)
                } else {
                    format!("Panel service (top 15; spread {})", d.participation_spread)
                }}</h2>
                <BarChart title="评议员参与次数" bars=top testid="chart-participation" />
            </section>
        </div>
        <section class="card" data-testid="stats-tables">
            <h2>{tr.s("数据表", "The numbers")}</h2>
            {tables.into_iter().map(|t| view! { <DataTable t /> }).collect_view()}
        </section>
    }
    .into_any()
}

#[component]
fn Kpi(label: &'static str, value: String, detail: String, testid: &'static str) -> impl IntoView {
    view! {
        <div class="kpi" data-testid=testid>
            <span class="kpi-label">{label}</span>
            <strong class="kpi-value" data-testid=format!("{testid}-value")>{value}</strong>
            <span class="muted">{detail}</span>
        </div>
    }
}

#[component]
fn RateKpi(
    label: &'static str,
    rate: Rate,
    detail: &'static str,
    testid: &'static str,
) -> impl IntoView {
    let detail = format!("{detail}：{}/{}", rate.count, rate.of);
    view! { <Kpi label value=rate.percent_text() detail testid /> }
}

/// Vertical columns (one per month), with the count above each and the month
/// under it; the year on a second line where the axis needs it.
#[component]
fn ColumnChart(
    title: &'static str,
    bars: Vec<(MonthLabel, u32)>,
    testid: &'static str,
) -> impl IntoView {
    const HEIGHT: u32 = 160;
    const SLOT: u32 = 44;
    const YEAR_LINE: u32 = 16;
    let max = bars.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let width = SLOT * u32::try_from(bars.len()).unwrap_or(1).max(1);
    let with_years = bars.iter().any(|(l, _)| l.year.is_some());
    let height = HEIGHT + 40 + if with_years { YEAR_LINE } else { 0 };
    let desc = bars
        .iter()
        .map(|(l, n)| format!("{} {n}", l.full))
        .collect::<Vec<_>>()
        .join("，");
    view! {
        <svg class="chart" role="img" data-testid=testid viewBox=format!("0 0 {width} {height}")
            preserveAspectRatio="xMinYMin meet" aria-label=format!("{title}：{desc}")>
            <title>{format!("{title}：{desc}")}</title>
            {bars.into_iter().enumerate().map(|(i, (label, n))| {
                let h = n * HEIGHT / max;
                let x = u32::try_from(i).unwrap_or(0) * SLOT;
                view! {
                    <g data-testid="chart-bar" data-value=n.to_string()>
                        <rect x=(x + 8).to_string() y=(HEIGHT + 14 - h).to_string() width=(SLOT - 16).to_string() height=h.to_string() class="bar" />
                        <text x=(x + SLOT / 2).to_string() y=(HEIGHT + 10 - h).to_string() text-anchor="middle" class="bar-value">{n.to_string()}</text>
                        <text x=(x + SLOT / 2).to_string() y=(HEIGHT + 32).to_string() text-anchor="middle" class="bar-label">{label.month}</text>
                        {label.year.map(|year| view! {
                            <text x=(x + SLOT / 2).to_string() y=(HEIGHT + 32 + YEAR_LINE).to_string() text-anchor="middle" class="bar-label">{year}</text>
                        })}
                    </g>
                }
            }).collect_view()}
        </svg>
    }
    .into_any()
}

/// Horizontal bars with the label on the left and the count on the right.
#[component]
fn BarChart(title: &'static str, bars: Vec<(String, u32)>, testid: &'static str) -> impl IntoView {
    const ROW: u32 = 26;
    const LABEL: u32 = 150;
    const SPAN: u32 = 260;
    let max = bars.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let height = ROW * u32::try_from(bars.len()).unwrap_or(0).max(1);
    let desc = bars
        .iter()
        .map(|(l, n)| format!("{l} {n}"))
        .collect::<Vec<_>>()
        .join("，");
    view! {
        <svg class="chart" role="img" data-testid=testid viewBox=format!("0 0 {} {height}", LABEL + SPAN + 40)
            preserveAspectRatio="xMinYMin meet" aria-label=format!("{title}：{desc}")>
            <title>{format!("{title}：{desc}")}</title>
            {bars.into_iter().enumerate().map(|(i, (label, n))| {
                let y = u32::try_from(i).unwrap_or(0) * ROW;
                let w = n * SPAN / max;
                view! {
                    <g data-testid="chart-bar" data-value=n.to_string()>
                        <text x=(LABEL - 6).to_string() y=(y + 17).to_string() text-anchor="end" class="bar-label">{label}</text>
                        <rect x=LABEL.to_string() y=(y + 4).to_string() width=w.max(1).to_string() height=(ROW - 8).to_string() class="bar" />
                        <text x=(LABEL + w + 6).to_string() y=(y + 17).to_string() class="bar-value">{n.to_string()}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
    }
    .into_any()
}

/// 三色三类: a table coloured by risk.
#[component]
fn RiskGrid(d: Dashboard) -> impl IntoView {
    use crate::domain::case::ProgressClass;
    view! {
        <table class="table risk-grid" data-testid="risk-grid">
            <thead><tr>
                <th>"风险等级"</th>
                {ProgressClass::ALL.iter().map(|c| view! { <th>{c.label_zh()}</th> }).collect_view()}
                <th>"合计"</th>
            </tr></thead>
            <tbody>
                {d.risk_by_class.into_iter().zip(d.risk_totals).map(|((risk, row), (_, total))| {
                    view! {
                        <tr class=format!("grid-{}", risk.code()) data-risk=risk.code()>
                            <th>{risk.label_zh()}</th>
                            {row.into_iter().map(|n| view! { <td>{n.to_string()}</td> }).collect_view()}
                            <td><strong>{total.to_string()}</strong></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn DataTable(t: StatsTable) -> impl IntoView {
    let empty = t.rows.is_empty();
    // Long tables (a hundred members) start folded; the short ones open.
    let open = t.rows.len() <= 20;
    view! {
        <details open=open>
        <summary><h3>{t.title.clone()}</h3></summary>
        {if empty {
            view! { <p class="muted">"无"</p> }.into_any()
        } else {
            view! {
                <table class="table" data-testid="stats-table">
                    <thead><tr>{t.headers.iter().map(|h| view! { <th>{h.clone()}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {t.rows.iter().map(|row| view! {
                            <tr>{row.iter().map(|c| view! { <td>{c.text()}</td> }).collect_view()}</tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
        </details>
    }
    .into_any()
}
