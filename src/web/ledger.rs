//! A fund's money for the municipality's people: budget, committed, paid and what is still
//! free, and every ledger entry (oldest first, a page at a time with the API's cursor). The
//! services behind `GET /api/v1/funds/{id}` and `/ledger`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::error::ApiError;
use crate::http::pagination::PageRequest;
use crate::ledger::EntryKind;
use crate::state::AppState;

use super::format;
use super::layout::{chrome, html, not_found, visible, Chrome};
use super::session::SignedIn;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/funds/{id}").route(web::get().to(show)));
}

pub struct EntryRow {
    pub on: String,
    pub kind: String,
    pub amount: String,
    pub grant_id: String,
}

#[derive(Template)]
#[template(path = "fund_ledger.html")]
struct LedgerPage {
    chrome: Chrome,
    title: String,
    id: String,
    /// `(label, amount)`.
    balances: Vec<(String, String)>,
    entries: Vec<EntryRow>,
    next: Option<String>,
    later_page: bool,
}

#[derive(Debug, Deserialize)]
pub struct LedgerQuery {
    cursor: Option<String>,
}

/// How many entries a page shows.
const PER_PAGE: i64 = 50;

/// `GET /funds/{id}`: the fund's balances and a page of its ledger.
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let id = id.into_inner();
    let cursor =
        web::Query::<LedgerQuery>::from_query(req.query_string()).ok().and_then(|q| q.cursor.clone());
    let later_page = cursor.is_some();
    let Ok(page) = PageRequest::parse(Some(PER_PAGE), cursor.as_deref()) else {
        return not_found(chrome, cookies);
    };
    let found = state
        .db
        .run(move |conn| {
            let entries = crate::funds::service::ledger(conn, &caller, &id, &page)?;
            let fund = crate::funds::service::get(conn, &caller, &id)?;
            Ok::<_, ApiError>((fund, entries))
        })
        .await;
    let Some((fund, entries)) = visible(found)? else { return not_found(chrome, cookies) };
    let lang = chrome.lang;
    let money = |cents| format::money(lang, cents);
    let b = &fund.balances;
    let page = LedgerPage {
        title: chrome.t_with("payments-fund-money", "fund", &fund.name),
        balances: vec![
            (chrome.t("fund-budget"), money(b.budget_cents)),
            (chrome.t("fund-committed"), money(b.committed_cents)),
            (chrome.t("fund-paid"), money(b.paid_cents)),
            (chrome.t("fund-remaining"), money(b.available_cents)),
            (chrome.t("fund-refunded"), money(b.refunded_cents)),
        ],
        entries: entries
            .items
            .into_iter()
            .map(|e| EntryRow {
                on: format::moment(lang, e.created_at),
                kind: chrome.t(match e.kind {
                    EntryKind::Commit => "ledger-commit",
                    EntryKind::Release => "ledger-release",
                    EntryKind::Payment => "ledger-payment",
                    EntryKind::Refund => "ledger-refund",
                }),
                amount: money(e.amount_cents),
                grant_id: e.grant_id,
            })
            .collect(),
        next: entries.next_cursor,
        later_page,
        id: fund.id,
        chrome,
    };
    html(StatusCode::OK, cookies, &page)
}
