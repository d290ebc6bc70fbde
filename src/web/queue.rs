//! The officer's work queue (`/work`): applications to decide, soonest decision deadline first,
//! with the days left in words (and a coloured tag, never colour alone); questions the networks
//! answered; reports waiting for review; the municipality's commitments that are due; and
//! agreements waiting for the municipality's signature. The same lists as the API, filtered by
//! fund, network and status, paged with the API's cursor.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{Duration, NaiveDate};
use serde::Deserialize;

use crate::agreements::dto::AgreementQuery;
use crate::auth::Caller;
use crate::commitments::dto::CommitmentQuery;
use crate::db::page::{encode_cursor, PageRequest};
use crate::db::DbConnection;
use crate::domain::workflow::{AgreementAction, CommitmentStatus, GrantStatus, ReportStatus};
use crate::domain::PartyType;
use crate::error::ApiError;
use crate::grants::dto::{GrantDto, GrantQuery};
use crate::state::AppState;

use super::decisions::staff_status;
use super::format;
use super::i18n::Lang;
use super::layout::{chrome, html, not_found, Chrome};
use super::session::SignedIn;

/// Applications on one page of the queue.
const PAGE: i64 = 50;
/// Commitments due within this many days are shown.
const COMMITMENTS_AHEAD: i64 = 14;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/work").route(web::get().to(show)));
}

/// The filters, as the form sends them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Filters {
    #[serde(default)]
    fund: String,
    #[serde(default)]
    network: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    cursor: String,
}

/// How much time is left for a decision: words, and the tag's look.
pub struct DaysLeft {
    pub words: String,
    /// `late`, `soon` or empty.
    pub tone: &'static str,
}

/// "nog 3 dagen", "vandaag", "2 dagen te laat".
pub fn days_left(lang: Lang, due: NaiveDate, today: NaiveDate) -> DaysLeft {
    let days = (due - today).num_days();
    let n = days.abs().to_string();
    let (key, tone) = match days {
        0 => ("days-today", "late"),
        1 => ("days-left-one", "soon"),
        2..=7 => ("days-left", "soon"),
        d if d > 7 => ("days-left", ""),
        -1 => ("days-late-one", "late"),
        _ => ("days-late", "late"),
    };
    DaysLeft { words: lang.t_with(key, &[("n", &n)]), tone }
}

pub struct Application {
    pub title: String,
    pub href: String,
    pub network: String,
    pub status: String,
    pub requested: String,
    pub due: String,
    pub left: Option<DaysLeft>,
    /// The network answered a question.
    pub answered: bool,
}

/// A line linking to a page: a title, what it is about, and when.
pub struct Line {
    pub title: String,
    pub href: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "work.html")]
struct WorkPage {
    chrome: Chrome,
    title: String,
    funds: Vec<(String, String)>,
    networks: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    filters: Filters,
    applications: Vec<Application>,
    answered: Vec<Line>,
    next: Option<String>,
    reports: Vec<Line>,
    commitments: Vec<Line>,
    agreements: Vec<Line>,
}

/// Everything the page lists, read in one go.
struct Found {
    today: NaiveDate,
    funds: Vec<(String, String)>,
    networks: Vec<(String, String)>,
    grants: Vec<GrantDto>,
    next_cursor: Option<String>,
    reports: Vec<(GrantDto, crate::reports::dto::ReportDto)>,
    commitments: Vec<crate::commitments::dto::CommitmentDto>,
    agreements: Vec<crate::agreements::dto::AgreementDto>,
}

fn uuid_of(text: &str) -> Option<uuid::Uuid> {
    uuid::Uuid::parse_str(text.trim()).ok()
}

/// The grants to decide: of one status when the filter names one, else submitted and in review
/// together, merged in id order so the API's cursor pages through both.
fn applications(
    conn: &mut DbConnection,
    caller: &Caller,
    filters: &Filters,
    after_id: Option<String>,
) -> Result<(Vec<GrantDto>, Option<String>), ApiError> {
    let statuses = match filters.status.parse::<GrantStatus>().ok() {
        Some(status) => vec![status],
        None => vec![GrantStatus::Submitted, GrantStatus::InReview],
    };
    let page = PageRequest { limit: PAGE, after_id };
    let mut items = Vec::new();
    let mut more = false;
    for status in statuses {
        let query = GrantQuery {
            fund_id: uuid_of(&filters.fund),
            network_id: uuid_of(&filters.network),
            status: Some(status),
            decision_due_before: None,
            report_due_before: None,
            limit: Some(PAGE),
            cursor: None,
        };
        let found = crate::grants::applications::list(conn, caller, query, &page)?;
        more |= found.next_cursor.is_some();
        items.extend(found.items);
    }
    items.sort_by(|a, b| a.id.cmp(&b.id));
    let limit = usize::try_from(PAGE).unwrap_or(usize::MAX);
    more |= items.len() > limit;
    items.truncate(limit);
    let next = if more { items.last().map(|g| encode_cursor(&g.id)) } else { None };
    Ok((items, next))
}

fn find(conn: &mut DbConnection, caller: &Caller, filters: &Filters) -> Result<Found, ApiError> {
    let municipality_ids = caller.municipality_ids();
    let Some(first) = municipality_ids.first().cloned() else {
        return Err(ApiError::not_found("The work queue is for a municipality's people."));
    };
    let today = crate::municipalities::today(conn, &first)?;
    let all = PageRequest { limit: 200, after_id: None };
    let funds = crate::funds::service::list(conn, &caller.reach(), None, &all)?
        .items
        .into_iter()
        .filter(|f| municipality_ids.contains(&f.municipality_id))
        .map(|f| (f.id, f.name))
        .collect();
    let mut networks = Vec::new();
    for municipality_id in &municipality_ids {
        let filter = crate::networks::repo::NetworkFilter {
            reach: caller.reach(),
            active_links_only: caller.service_account.is_some(),
            theme: None,
            kind: None,
            neighbourhood: None,
            name_contains: None,
            municipality_id: Some(municipality_id.clone()),
            link_status: Some("active".to_owned()),
            listed_only: false,
            after_id: None,
            limit: 200,
        };
        networks.extend(crate::networks::service::list(conn, &filter)?.into_iter().map(|n| (n.id, n.name)));
    }
    let after_id = crate::db::page::decode_cursor(&filters.cursor);
    let (grants, next_cursor) = applications(conn, caller, filters, after_id)?;
    let mut reports = Vec::new();
    // A report can come in from the award on (an interim report before the first payment).
    for status in [GrantStatus::Approved, GrantStatus::Active, GrantStatus::Reporting] {
        let query = GrantQuery {
            fund_id: uuid_of(&filters.fund),
            network_id: uuid_of(&filters.network),
            status: Some(status),
            decision_due_before: None,
            report_due_before: None,
            limit: Some(200),
            cursor: None,
        };
        for grant in crate::grants::applications::list(conn, caller, query, &all)?.items {
            for report in crate::reports::service::list(conn, caller, &grant.id)? {
                if report.status == ReportStatus::Submitted {
                    reports.push((grant.clone(), report));
                }
            }
        }
    }
    let mut commitments = Vec::new();
    let mut agreements = Vec::new();
    for municipality_id in &municipality_ids {
        let query = CommitmentQuery {
            status: Some(CommitmentStatus::Open),
            due_before: Some(today + Duration::days(COMMITMENTS_AHEAD + 1)),
            party_type: Some(PartyType::Municipality),
            party_id: uuid_of(municipality_id),
            agreement_id: None,
            limit: Some(200),
            cursor: None,
        };
        commitments.extend(crate::commitments::service::list(conn, caller, query, &all)?.items);
        let query = AgreementQuery {
            municipality_id: uuid_of(municipality_id),
            status: None,
            limit: Some(200),
            cursor: None,
        };
        agreements.extend(
            crate::agreements::service::list(conn, caller, query, &all)?
                .items
                .into_iter()
                .filter(|a| a.allowed_actions.contains(&AgreementAction::Sign)),
        );
    }
    commitments.sort_by_key(|c| c.due_on);
    Ok(Found { today, funds, networks, grants, next_cursor, reports, commitments, agreements })
}

/// `GET /work`.
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let filters =
        web::Query::<Filters>::from_query(req.query_string()).map(|q| q.into_inner()).unwrap_or_default();
    let found = {
        let filters = filters.clone();
        state.db.run(move |conn| find(conn, &caller, &filters)).await
    };
    let Some(found) = super::layout::visible(found)? else { return not_found(chrome, cookies) };
    let page = page(chrome, filters, found);
    html(StatusCode::OK, cookies, &page)
}

fn page(chrome: Chrome, filters: Filters, found: Found) -> WorkPage {
    let lang = chrome.lang;
    let network_name = |id: &str| {
        found.networks.iter().find(|(n, _)| n == id).map(|(_, name)| name.clone()).unwrap_or_default()
    };
    let mut grants = found.grants;
    grants.sort_by_key(|g| (g.decision_due_on.is_none(), g.decision_due_on));
    let applications: Vec<Application> = grants
        .iter()
        .map(|g| {
            let open = matches!(
                g.status,
                GrantStatus::Submitted | GrantStatus::InReview | GrantStatus::InfoRequested
            );
            Application {
                title: g.title.clone(),
                href: format!("/grants/{}", g.id),
                network: network_name(&g.network_id),
                status: staff_status(lang, g.status),
                requested: format::money(lang, g.requested_cents),
                due: g.decision_due_on.map(|d| format::date(lang, d)).unwrap_or_default(),
                left: g.decision_due_on.filter(|_| open).map(|d| days_left(lang, d, found.today)),
                answered: g.status == GrantStatus::Submitted && g.status_reason.is_some(),
            }
        })
        .collect();
    let answered = grants
        .iter()
        .filter(|g| g.status == GrantStatus::Submitted && g.status_reason.is_some())
        .map(|g| Line {
            title: g.title.clone(),
            href: format!("/grants/{}", g.id),
            detail: g.status_reason.clone().unwrap_or_default(),
        })
        .collect();
    let reports = found
        .reports
        .iter()
        .map(|(g, r)| Line {
            title: g.title.clone(),
            // Straight to the review, the report beside its receipts.
            href: format!("/reports/{}", r.id),
            detail: r
                .submitted_at
                .map(|at| {
                    chrome.t_with("work-report-submitted", "date", &format::date(lang, at.date_naive()))
                })
                .unwrap_or_default(),
        })
        .collect();
    let commitments = found
        .commitments
        .iter()
        .map(|c| Line {
            title: c.description.clone(),
            href: format!("/agreements/{}", c.agreement_id),
            detail: c.due_on.map(|d| days_left(lang, d, found.today).words).unwrap_or_default(),
        })
        .collect();
    let agreements = found
        .agreements
        .iter()
        .map(|a| Line {
            title: a.amendment.as_ref().unwrap_or(&a.current).content.title.clone(),
            href: format!("/agreements/{}", a.id),
            detail: chrome.t("work-agreement-sign"),
        })
        .collect();
    let mut statuses = vec![(String::new(), chrome.t("work-status-to-decide"))];
    statuses.extend(
        [
            GrantStatus::Submitted,
            GrantStatus::InReview,
            GrantStatus::InfoRequested,
            GrantStatus::Approved,
            GrantStatus::Rejected,
        ]
        .into_iter()
        .map(|s| (s.as_str().to_owned(), staff_status(lang, s))),
    );
    let mut funds = vec![(String::new(), chrome.t("work-all-funds"))];
    funds.extend(found.funds);
    let mut networks = vec![(String::new(), chrome.t("work-all-networks"))];
    networks.extend(found.networks.iter().cloned());
    let next = found.next_cursor.map(|cursor| {
        let query = super::layout::query_string(&[
            ("fund", &filters.fund),
            ("network", &filters.network),
            ("status", &filters.status),
            ("cursor", &cursor),
        ]);
        format!("/work?{query}")
    });
    WorkPage {
        title: chrome.t("work-title"),
        funds,
        networks,
        statuses,
        filters,
        applications,
        answered,
        next,
        reports,
        commitments,
        agreements,
        chrome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_left_in_words_and_tone() {
        let today = NaiveDate::from_ymd_opt(2027, 3, 10).unwrap();
        let day = |d| NaiveDate::from_ymd_opt(2027, 3, d).unwrap();
        let left = days_left(Lang::Nl, day(13), today);
        assert_eq!((left.words.as_str(), left.tone), ("nog 3 dagen", "soon"));
        assert_eq!(days_left(Lang::Nl, day(11), today).words, "nog 1 dag");
        assert_eq!(days_left(Lang::Nl, day(10), today).words, "vandaag");
        let late = days_left(Lang::Nl, day(8), today);
        assert_eq!((late.words.as_str(), late.tone), ("2 dagen te laat", "late"));
        assert_eq!(days_left(Lang::Nl, day(9), today).words, "1 dag te laat");
        assert_eq!(days_left(Lang::Nl, day(31), today).tone, "");
    }
}
