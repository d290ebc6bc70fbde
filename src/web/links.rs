//! The networks a municipality works with, and those that asked to: its officers and admins
//! accept or decline a request (the same services as the API's `.../networks/{id}/accept` and
//! `/decline`, which ask the policy).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::{Action, Caller, Target};
use crate::error::{ApiError, ErrorCode};
use crate::networks::dto::NetworkDto;
use crate::networks::repo::NetworkFilter;
use crate::state::AppState;

use super::form::Errors;
use super::layout::{chrome, html, not_found, refused, see_other, Chrome};
use super::session::{csrf_ok, SignedIn};

#[derive(Template)]
#[template(path = "links.html")]
struct LinksPage {
    chrome: Chrome,
    title: String,
    municipality_id: String,
    notice: Option<String>,
    /// `(id, name, what it does)`.
    requested: Vec<(String, String, String)>,
    active: Vec<(String, String, String)>,
    errors: Vec<(String, String)>,
}

/// The municipality's networks with `status` (`requested`, `active`).
pub(super) fn networks_with(
    conn: &mut crate::db::DbConnection,
    caller: &Caller,
    municipality_id: &str,
    status: &str,
) -> Result<Vec<NetworkDto>, ApiError> {
    let filter = NetworkFilter {
        reach: caller.reach(),
        active_links_only: caller.service_account.is_some(),
        theme: None,
        kind: None,
        neighbourhood: None,
        name_contains: None,
        municipality_id: Some(municipality_id.to_owned()),
        link_status: Some(status.to_owned()),
        listed_only: false,
        after_id: None,
        limit: 500,
    };
    let rows = crate::networks::service::list(conn, &filter)?;
    crate::networks::service::to_dtos(conn, rows)
}

async fn page(
    state: &AppState,
    caller: Caller,
    chrome: Chrome,
    municipality_id: String,
    notice: Option<String>,
    errors: Errors,
) -> Result<LinksPage, ApiError> {
    let lang = chrome.lang;
    let lookup = municipality_id.clone();
    let (requested, active) = state
        .db
        .run(move |conn| {
            Ok::<_, ApiError>((
                networks_with(conn, &caller, &lookup, "requested")?,
                networks_with(conn, &caller, &lookup, "active")?,
            ))
        })
        .await?;
    let line = |n: NetworkDto| {
        let about = if n.description.is_empty() { n.themes.join(", ") } else { n.description.clone() };
        (n.id, n.name, about)
    };
    Ok(LinksPage {
        title: lang.t("links-title"),
        municipality_id,
        notice,
        requested: requested.into_iter().map(line).collect(),
        active: active.into_iter().map(line).collect(),
        errors: errors.0,
        chrome,
    })
}

fn decides(caller: &Caller, municipality_id: &str) -> bool {
    caller.may(Action::ManageNetworks, Target::Municipality(municipality_id))
}

#[derive(Debug, Deserialize)]
pub struct LinksQuery {
    done: Option<String>,
}

/// `GET /municipalities/{id}/networks`.
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let municipality_id = id.into_inner();
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    if !decides(&caller, &municipality_id) {
        return not_found(chrome, cookies);
    }
    let notice =
        web::Query::<LinksQuery>::from_query(req.query_string()).ok().and_then(|q| match q.done.as_deref() {
            Some("accepted") => Some(chrome.t("link-accepted")),
            Some("declined") => Some(chrome.t("link-declined")),
            _ => None,
        });
    let page = page(&state, caller, chrome, municipality_id, notice, Errors::default()).await?;
    html(StatusCode::OK, cookies, &page)
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /municipalities/{id}/networks/{network_id}/{accept|decline}`.
pub async fn decide(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    path: web::Path<(String, String, String)>,
    form: web::Form<DecisionForm>,
) -> Result<HttpResponse, ApiError> {
    let (municipality_id, network_id, step) = path.into_inner();
    if !csrf_ok(&req, &form.csrf) {
        return refused(&state, &req, Some(&caller));
    }
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let accepting = match step.as_str() {
        "accept" => true,
        "decline" => false,
        _ => return not_found(chrome, cookies),
    };
    let (actor, municipality, network) = (caller.clone(), municipality_id.clone(), network_id);
    let outcome = state
        .db
        .run(move |conn| match accepting {
            true => crate::networks::service::accept_link(conn, &actor, &municipality, &network).map(drop),
            false => crate::networks::service::decline_link(conn, &actor, &municipality, &network),
        })
        .await;
    let done = if accepting { "accepted" } else { "declined" };
    let message = match outcome {
        Ok(()) => return Ok(see_other(&format!("/municipalities/{municipality_id}/networks?done={done}"))),
        Err(err) if err.code == ErrorCode::Forbidden => return not_found(chrome, cookies),
        Err(err) if matches!(err.code, ErrorCode::NotFound | ErrorCode::Conflict) => {
            chrome.t("link-not-pending")
        }
        Err(err) => return Err(err),
    };
    let errors = Errors::one("requested", message);
    let page = page(&state, caller, chrome, municipality_id, None, errors).await?;
    html(StatusCode::CONFLICT, cookies, &page)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/municipalities/{id}/networks").route(web::get().to(list))).service(
        web::resource("/municipalities/{id}/networks/{network_id}/{step}").route(web::post().to(decide)),
    );
}
