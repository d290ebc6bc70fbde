//! A shared vision as a party reads it: the statement, the goals and themes, who endorsed it
//! and when, and a button to endorse it for the party the person acts for (the same service as
//! the API records who and when).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::agreements::document::Names;
use crate::auth::Caller;
use crate::domain::workflow::VisionAction;
use crate::domain::Party;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use crate::visions::dto::VisionDto;

use super::agreements::{open_parties, PartyForm, PartyLine, Signing};
use super::form::Errors;
use super::format;
use super::layout::{chrome, html, not_found, refused, see_other, visible, Chrome};
use super::session::{csrf_ok, SignedIn};
use super::vision_steps::{drafting, notice_key, VisionDrafting};

#[derive(Template)]
#[template(path = "vision.html")]
struct VisionPage {
    chrome: Chrome,
    title: String,
    notice: Option<String>,
    status: String,
    /// The statement, a paragraph per block of text.
    statement: Vec<String>,
    /// `(goal, indicator)`.
    goals: Vec<(String, Option<String>)>,
    themes: String,
    signing: Signing,
    drafting: VisionDrafting,
    errors: Vec<(String, String)>,
}

fn page(
    chrome: Chrome,
    caller: &Caller,
    vision: VisionDto,
    names: &Names,
    notice: Option<&str>,
    errors: Errors,
) -> VisionPage {
    let lang = chrome.lang;
    let endorsement = |party: &Party| vision.endorsements.iter().find(|e| &e.party == party);
    let parties = vision
        .parties
        .iter()
        .map(|p| PartyLine {
            name: names.party(p),
            signed: endorsement(p).map(|e| {
                lang.t_with(
                    "vision-endorsed-by",
                    &[
                        ("name", &names.user(&e.endorsed_by)),
                        ("moment", &format::moment(lang, e.endorsed_at)),
                    ],
                )
            }),
        })
        .collect();
    let endorse_as = if vision.allowed_actions.contains(&VisionAction::Endorse) {
        open_parties(
            caller,
            &vision.parties,
            |p| endorsement(p).is_some(),
            |name| lang.t_with("vision-endorse-as", &[("party", name)]),
            |p| names.party(p),
        )
    } else {
        Vec::new()
    };
    VisionPage {
        title: vision.title.clone(),
        notice: notice.map(|key| lang.t(key)),
        drafting: drafting(lang, &vision),
        status: lang.t(&format!("vision-status-{}", vision.status.as_str())),
        statement: vision
            .statement
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
        goals: vision.goals.iter().map(|g| (g.title.clone(), g.indicator.clone())).collect(),
        themes: vision.themes.join(", "),
        signing: Signing {
            anchor: "endorse",
            parties,
            open: endorse_as,
            action: format!("/visions/{}/endorse", vision.id),
            not_done: lang.t("vision-not-endorsed"),
            explain: lang.t("vision-endorse-explain"),
        },
        errors: errors.0,
        chrome,
    }
}

async fn load(state: &AppState, caller: Caller, id: String) -> Result<Option<(VisionDto, Names)>, ApiError> {
    let found = state
        .db
        .run(move |conn| {
            let vision = crate::visions::service::get(conn, &caller, &id)?;
            let endorsers: Vec<String> = vision.endorsements.iter().map(|e| e.endorsed_by.clone()).collect();
            let names = Names::load(conn, &vision.parties, &endorsers)?;
            Ok::<_, ApiError>((vision, names))
        })
        .await;
    visible(found)
}

/// `GET /visions/{id}`.
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let Some((vision, names)) = load(&state, caller.clone(), id).await? else {
        return not_found(chrome, cookies);
    };
    let notice = web::Query::<ShowQuery>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.into_inner().saved)
        .and_then(|saved| notice_key(&saved));
    html(StatusCode::OK, cookies, &page(chrome, &caller, vision, &names, notice, Errors::default()))
}

/// `POST /visions/{id}/endorse`: endorses for the party named, then the vision's page.
pub async fn endorse(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
    form: web::Form<PartyForm>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let form = form.into_inner();
    if !csrf_ok(&req, &form.csrf) {
        return refused(&state, &req, Some(&caller));
    }
    let party = form.party();
    let (actor, target) = (caller.clone(), id.clone());
    let outcome = state
        .db
        .run(move |conn| crate::visions::service::act(conn, &actor, &target, VisionAction::Endorse, party))
        .await;
    let err = match outcome {
        Ok(_) => return Ok(see_other(&format!("/visions/{id}?saved=endorsed"))),
        Err(err) if err.code == ErrorCode::NotFound => {
            let (chrome, cookies) = chrome(&state, &req, Some(&caller));
            return not_found(chrome, cookies);
        }
        Err(err) if err.code.status().is_client_error() => err,
        Err(err) => return Err(err),
    };
    let key = if err.code == ErrorCode::ValidationFailed { "party-not-yours" } else { "step-not-now" };
    show_again(&state, &req, caller, id, "endorse", key).await
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    saved: Option<String>,
}

/// The vision's page again after a refused step: what was refused beside `field`.
pub(super) async fn show_again(
    state: &AppState,
    req: &HttpRequest,
    caller: Caller,
    id: String,
    field: &str,
    key: &str,
) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(state, req, Some(&caller));
    let Some((vision, names)) = load(state, caller.clone(), id).await? else {
        return not_found(chrome, cookies);
    };
    let errors = Errors::one(field, chrome.t(key));
    html(StatusCode::CONFLICT, cookies, &page(chrome, &caller, vision, &names, None, errors))
}
