//! The municipality's overview as a page, for everyone of the municipality: each fund's money as
//! a bar, grants by status, decision terms met and missed, and what the networks reach, each
//! chart a server-drawn SVG with the same numbers in a table beside it; and the downloads (a
//! fund's grants as CSV, 360Giving JSON and CSV) served with the session. The figures come from
//! `overview::service::overview`, as `GET /api/v1/municipalities/{id}/overview` gives them.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::error::ApiError;
use crate::overview::service::{FundFigures, NetworkFigures, Overview};
use crate::state::AppState;

use super::format;
use super::i18n::Lang;
use super::layout::{chrome, html, not_found, visible, Chrome};
use super::session::SignedIn;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/overview").route(web::get().to(show)))
        .service(web::resource("/overview/funds/{id}/grants.csv").route(web::get().to(fund_csv)))
        .service(web::resource("/overview/{id}/360giving.{format}").route(web::get().to(open_data)));
}

/// Width of the drawing, and where bars start in a bar chart.
const WIDTH: i64 = 600;
const LABEL_WIDTH: i64 = 230;
const BAR_SPACE: i64 = 290;
const ROW: i64 = 30;

/// Colours with at least 3:1 against white; the remaining budget is white with a dark edge.
const PAID: &str = "#00703c";
const COMMITTED: &str = "#1d70b8";
const BAR: &str = "#1d70b8";

/// One bar of a bar chart: its words, its number, where it is drawn.
pub struct Bar {
    pub label: String,
    pub value: String,
    pub y: i64,
    pub width: i64,
}

pub struct BarChart {
    pub id: &'static str,
    pub title: String,
    pub height: i64,
    pub bars: Vec<Bar>,
}

impl BarChart {
    fn new(id: &'static str, title: String, rows: Vec<(String, i64)>) -> Self {
        let max = rows.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
        let bars = rows
            .into_iter()
            .enumerate()
            .map(|(i, (label, value))| Bar {
                label,
                value: value.to_string(),
                y: i64::try_from(i).unwrap_or(0) * ROW + 4,
                width: (value.max(0) * BAR_SPACE / max).max(i64::from(value > 0)),
            })
            .collect::<Vec<_>>();
        let height = i64::try_from(bars.len()).unwrap_or(0) * ROW + 8;
        BarChart { id, title, height, bars }
    }

    pub fn label_x(&self) -> i64 {
        LABEL_WIDTH - 8
    }

    pub fn bar_x(&self) -> i64 {
        LABEL_WIDTH
    }

    pub fn fill(&self) -> &'static str {
        BAR
    }
}

/// A stretch of a fund's bar.
pub struct Segment {
    pub x: i64,
    pub width: i64,
    pub fill: &'static str,
}

/// A fund as a row of the table and a bar: paid, committed but not paid, remaining.
pub struct FundRow {
    pub id: String,
    pub name: String,
    pub budget: String,
    pub committed: String,
    pub paid: String,
    pub remaining: String,
    pub summary: String,
    pub segments: Vec<Segment>,
}

/// A network as a row of the table.
pub struct NetworkRow {
    pub name: String,
    pub grants: i64,
    pub reports: i64,
    pub people: i64,
    pub themes: String,
    pub neighbourhoods: String,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    chrome: Chrome,
    title: String,
    municipality_id: String,
    /// `(href, name)` of the person's other municipalities.
    others: Vec<(String, String)>,
    as_of: String,
    funds: Vec<FundRow>,
    legend: Vec<(&'static str, String)>,
    statuses: BarChart,
    terms: BarChart,
    reach: BarChart,
    networks: Vec<NetworkRow>,
    total_people: i64,
    networks_reporting: i64,
    themes: String,
    neighbourhoods: String,
}

fn fund_row(chrome: &Chrome, fund: &FundFigures) -> FundRow {
    let lang = chrome.lang;
    let money = |cents: i64| format::money(lang, cents);
    let total = fund.budget_cents.max(fund.committed_cents).max(1);
    let scale = |cents: i64| cents.max(0) * WIDTH / total;
    let paid = scale(fund.paid_cents.min(fund.committed_cents.max(fund.paid_cents)));
    let committed = scale(fund.committed_cents - fund.paid_cents);
    let segments = vec![
        Segment { x: 0, width: paid, fill: PAID },
        Segment { x: paid, width: committed, fill: COMMITTED },
        Segment { x: paid + committed, width: (WIDTH - paid - committed).max(0), fill: "#ffffff" },
    ];
    let summary = chrome.lang.t_with(
        "overview-fund-bar",
        &[
            ("fund", &fund.name),
            ("budget", &money(fund.budget_cents)),
            ("paid", &money(fund.paid_cents)),
            ("committed", &money(fund.committed_cents)),
            ("remaining", &money(fund.remaining_cents)),
        ],
    );
    FundRow {
        id: fund.fund_id.clone(),
        name: fund.name.clone(),
        budget: money(fund.budget_cents),
        committed: money(fund.committed_cents),
        paid: money(fund.paid_cents),
        remaining: money(fund.remaining_cents),
        summary,
        segments,
    }
}

fn network_row(network: &NetworkFigures) -> NetworkRow {
    NetworkRow {
        name: network.name.clone(),
        grants: network.grants,
        reports: network.reports,
        people: network.people_reached,
        themes: network.themes.join(", "),
        neighbourhoods: network.neighbourhoods.join(", "),
    }
}

fn page(chrome: Chrome, overview: Overview, others: Vec<(String, String)>) -> OverviewPage {
    let lang: Lang = chrome.lang;
    let statuses = overview
        .grants_by_status
        .iter()
        .map(|s| (chrome.t(&format!("overview-status-{}", s.status.as_str().replace('_', "-"))), s.count))
        .collect();
    let t = &overview.decision_terms;
    let terms = vec![
        (chrome.t("overview-term-met"), t.met),
        (chrome.t("overview-term-missed"), t.missed),
        (chrome.t("overview-term-open"), t.open_in_time),
        (chrome.t("overview-term-overdue"), t.open_overdue),
    ];
    let reach = overview.networks.iter().map(|n| (n.name.clone(), n.people_reached)).collect();
    let list = |items: &[String]| {
        if items.is_empty() {
            chrome.t("overview-none")
        } else {
            items.join(", ")
        }
    };
    OverviewPage {
        title: chrome.t_with("overview-title", "municipality", &overview.municipality_name),
        municipality_id: overview.municipality_id.clone(),
        others,
        as_of: format::date(lang, overview.as_of),
        funds: overview.funds.iter().map(|f| fund_row(&chrome, f)).collect(),
        legend: vec![
            (PAID, chrome.t("overview-paid")),
            (COMMITTED, chrome.t("overview-committed-unpaid")),
            ("#ffffff", chrome.t("overview-remaining")),
        ],
        statuses: BarChart::new("statuses", chrome.t("overview-statuses-title"), statuses),
        terms: BarChart::new("terms", chrome.t("overview-terms-title"), terms),
        reach: BarChart::new("reach", chrome.t("overview-reach-title"), reach),
        networks: overview.networks.iter().map(network_row).collect(),
        total_people: overview.total.people_reached,
        networks_reporting: overview.total.networks_reporting,
        themes: list(&overview.total.themes),
        neighbourhoods: list(&overview.total.neighbourhoods),
        chrome,
    }
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    municipality: Option<String>,
}

/// `GET /overview` (`?municipality=` for a person of several municipalities).
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let asked =
        web::Query::<ShowQuery>::from_query(req.query_string()).ok().and_then(|q| q.municipality.clone());
    let mine: Vec<String> = caller.municipalities.iter().map(|m| m.municipality_id.clone()).collect();
    let Some(id) = asked.or_else(|| mine.first().cloned()) else { return not_found(chrome, cookies) };
    let found = state
        .db
        .run(move |conn| {
            let overview = crate::overview::service::overview(conn, &caller, &id)?;
            let mut others = Vec::new();
            for other in mine.iter().filter(|m| **m != id) {
                // The person's own municipalities, from their memberships.
                let row = crate::municipalities::service::find(conn, other)?;
                others.push((format!("/overview?municipality={other}"), row.name));
            }
            Ok::<_, ApiError>((overview, others))
        })
        .await;
    let Some((overview, others)) = visible(found)? else { return not_found(chrome, cookies) };
    html(StatusCode::OK, cookies, &page(chrome, overview, others))
}

/// `GET /overview/funds/{id}/grants.csv`: what `GET /api/v1/funds/{id}/grants.csv` gives.
pub async fn fund_csv(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let id = id.into_inner();
    let found = state.db.run(move |conn| crate::grants::views::fund_grants_csv(conn, &caller, &id)).await;
    match visible(found)? {
        Some(body) => Ok(crate::grants::handlers::csv_response("grants.csv", body)),
        None => not_found(chrome, cookies),
    }
}

/// `GET /overview/{municipality id}/360giving.json` and `.csv`: the municipality's 360Giving
/// open data, as the API's open-data endpoints give it, with the session.
pub async fn open_data(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let (id, format) = path.into_inner();
    if format != "json" && format != "csv" {
        return not_found(chrome, cookies);
    }
    let period = crate::open_data::service::Period::default();
    let found = state
        .db
        .run(move |conn| crate::open_data::service::publication(conn, Some(&caller), &id, period))
        .await;
    let Some(published) = visible(found)? else { return not_found(chrome, cookies) };
    let (body, content_type) = if format == "json" {
        (serde_json::to_vec(&published.package).map_err(ApiError::internal)?, "application/json")
    } else {
        (crate::open_data::csv::to_csv(&published.package)?, "text/csv; charset=utf-8")
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("Content-Disposition", format!("attachment; filename=\"360giving.{format}\"")))
        .insert_header(("Cache-Control", "private, no-store"))
        .body(body))
}
