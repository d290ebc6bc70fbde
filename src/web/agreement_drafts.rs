//! Drafting an agreement as the municipality, as pages: a new agreement for a municipality the
//! officer works for, and editing the version under negotiation (the draft, or an amendment,
//! which keeps its parties). The same services as `POST /api/v1/agreements` and `PATCH
//! /api/v1/agreements/{id}`, with the version the form was read at, so a stale form never
//! overwrites what someone else saved.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::agreements::content::AgreementContent;
use crate::agreements::document::Names;
use crate::agreements::dto::{AgreementDto, CreateAgreement, UpdateAgreement};
use crate::auth::{Action, Caller, Target};
use crate::domain::workflow::AgreementAction;
use crate::domain::{Party, PartyType};
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

use super::agreement_form::{service_errors, validate, Values};
use super::agreement_form_page::AgreementForm;
use super::agreement_steps::Typed;
use super::agreements::show_again;
use super::form::{value, Errors};
use super::layout::{chrome, html, not_found, refused, see_other, Chrome};
use super::party_choices::{self, PartyChoice};
use super::session::{csrf_ok, SignedIn};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/agreements/new").route(web::get().to(new)).route(web::post().to(create)))
        .service(
            web::resource("/agreements/{id}/edit")
                .route(web::get().to(edit_form))
                .route(web::post().to(edit)),
        );
}

/// The municipalities the person drafts visions and agreements for (officers and admins).
pub fn drafting_for(caller: &Caller) -> Vec<String> {
    caller
        .municipalities
        .iter()
        .map(|m| m.municipality_id.clone())
        .filter(|m| caller.may(Action::Update, Target::Record(&crate::parties::scope(m, &[]))))
        .collect()
}

/// The municipality a new record is for: the one asked for, else the first the person drafts for.
pub fn municipality_for(caller: &Caller, asked: Option<&str>) -> Option<String> {
    let mine = drafting_for(caller);
    match asked {
        Some(id) => mine.into_iter().find(|m| m == id),
        None => mine.into_iter().next(),
    }
}

#[derive(Debug, serde::Deserialize)]
struct NewQuery {
    municipality: Option<String>,
}

/// The municipality `?municipality=` asks for.
pub fn asked_municipality(req: &HttpRequest) -> Option<String> {
    web::Query::<NewQuery>::from_query(req.query_string()).ok().and_then(|q| q.into_inner().municipality)
}

fn new_form(
    chrome: Chrome,
    municipality_id: &str,
    values: Values,
    choices: &[PartyChoice],
    errors: Errors,
) -> AgreementForm {
    AgreementForm::new(chrome, "/agreements/new".into(), values, choices, None, errors)
        .hidden("municipality_id", municipality_id.to_owned())
}

async fn choices(
    state: &AppState,
    caller: &Caller,
    municipality_id: &str,
) -> Result<Vec<PartyChoice>, ApiError> {
    let (caller, municipality_id) = (caller.clone(), municipality_id.to_owned());
    state.db.run(move |conn| party_choices::for_municipality(conn, &caller, &municipality_id, &[])).await
}

/// `GET /agreements/new`.
pub async fn new(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let asked = asked_municipality(&req);
    let Some(municipality_id) = municipality_for(&caller, asked.as_deref()) else {
        return not_found(chrome, cookies);
    };
    let choices = choices(&state, &caller, &municipality_id).await?;
    html(
        StatusCode::OK,
        cookies,
        &new_form(chrome, &municipality_id, Values::new(), &choices, Errors::default()),
    )
}

/// Whether the posted form asked for more blank rows rather than to save.
fn wants_more(form: &[(String, String)]) -> bool {
    value(form, "step") == "more"
}

/// `POST /agreements/new`: saves the draft, then its page.
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    if !csrf_ok(&req, value(&form, "csrf")) {
        return refused(&state, &req, Some(&caller));
    }
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let lang = chrome.lang;
    let Some(municipality_id) = municipality_for(&caller, Some(value(&form, "municipality_id"))) else {
        return not_found(chrome, cookies);
    };
    let choices = choices(&state, &caller, &municipality_id).await?;
    let more = wants_more(&form);
    let values = Values::posted(&form, more);
    if more {
        return html(
            StatusCode::OK,
            cookies,
            &new_form(chrome, &municipality_id, values, &choices, Errors::default()),
        );
    }
    let municipality = Party::new(PartyType::Municipality, &municipality_id);
    let errors = match validate(lang, &values, &municipality, false) {
        Ok(checked) => {
            let input = CreateAgreement {
                municipality_id: municipality_id.parse().map_err(ApiError::internal)?,
                title: checked.title,
                vision_id: None,
                parties: checked.parties,
                starts_on: checked.starts_on,
                ends_on: checked.ends_on,
                review_interval_months: checked.review_months,
                next_review_on: None,
                body: checked.body,
                provisions: checked.provisions,
                commitments: checked.commitments,
            };
            let drafter = caller.clone();
            match state.db.run(move |conn| crate::agreements::service::create(conn, &drafter, input)).await {
                Ok(dto) => return Ok(see_other(&format!("/agreements/{}?saved=drafted", dto.id))),
                Err(err) => match service_errors(lang, &err) {
                    Some(errors) => errors,
                    None if err.code.status().is_client_error() => return not_found(chrome, cookies),
                    None => return Err(err),
                },
            }
        }
        Err(errors) => errors,
    };
    let page = new_form(chrome, &municipality_id, values, &choices, errors);
    html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &page)
}

/// An agreement to edit: the version under negotiation, who may take part, and the parties'
/// names when they are fixed (an amendment).
struct Editing {
    agreement: AgreementDto,
    content: AgreementContent,
    choices: Vec<PartyChoice>,
    fixed: Option<String>,
}

async fn editing(state: &AppState, caller: &Caller, id: &str) -> Result<Option<Editing>, ApiError> {
    let (caller, id) = (caller.clone(), id.to_owned());
    let found = state
        .db
        .run(move |conn| {
            let agreement = crate::agreements::service::get(conn, &caller, &id)?;
            let content = agreement.amendment.as_ref().unwrap_or(&agreement.current).content.clone();
            let choices =
                party_choices::for_municipality(conn, &caller, &agreement.municipality_id, &content.parties)?;
            let fixed = match agreement.amendment {
                Some(_) => Some(party_choices::names_of(
                    &Names::load(conn, &content.parties, &[])?,
                    &content.parties,
                )),
                None => None,
            };
            Ok::<_, ApiError>(Editing { agreement, content, choices, fixed })
        })
        .await;
    super::layout::visible(found)
}

fn edit_page(chrome: Chrome, editing: &Editing, values: Values, errors: Errors) -> AgreementForm {
    let id = &editing.agreement.id;
    let form = AgreementForm::new(
        chrome,
        format!("/agreements/{id}/edit"),
        values,
        &editing.choices,
        editing.fixed.clone(),
        errors,
    )
    .hidden("version", editing.agreement.version.to_string());
    match editing.fixed {
        Some(_) => form.titled("drafting-amend-title", "drafting-amend-intro"),
        None => form.titled("drafting-edit-title", "drafting-edit-intro"),
    }
}

/// `GET /agreements/{id}/edit`: the form with the version under negotiation.
pub async fn edit_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let Some(editing) = editing(&state, &caller, &id).await? else { return not_found(chrome, cookies) };
    if !editing.agreement.allowed_actions.contains(&AgreementAction::Edit) {
        return Ok(see_other(&format!("/agreements/{id}")));
    }
    let values = Values::of(chrome.lang, &editing.content);
    html(StatusCode::OK, cookies, &edit_page(chrome, &editing, values, Errors::default()))
}

/// `POST /agreements/{id}/edit`: saves the changes when nobody saved in between, then the page.
pub async fn edit(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    if !csrf_ok(&req, value(&form, "csrf")) {
        return refused(&state, &req, Some(&caller));
    }
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let lang = chrome.lang;
    let Some(editing) = editing(&state, &caller, &id).await? else { return not_found(chrome, cookies) };
    if !editing.agreement.allowed_actions.contains(&AgreementAction::Edit) {
        let scope = crate::parties::scope(&editing.agreement.municipality_id, &editing.content.parties);
        let drafts = caller.may(Action::Update, Target::Record(&scope));
        let errors =
            Errors::one("steps", lang.t(if drafts { "drafting-not-now" } else { "drafting-not-allowed" }));
        return show_again(&state, &req, caller, id, errors, &Typed::default(), StatusCode::CONFLICT).await;
    }
    let more = wants_more(&form);
    let mut values = Values::posted(&form, more);
    if editing.fixed.is_some() {
        values.parties = editing.content.parties.clone();
    }
    if more {
        return html(StatusCode::OK, cookies, &edit_page(chrome, &editing, values, Errors::default()));
    }
    let municipality = Party::new(PartyType::Municipality, &editing.agreement.municipality_id);
    let read_at = value(&form, "version").parse::<i64>().unwrap_or(0);
    let errors = match validate(lang, &values, &municipality, editing.fixed.is_some()) {
        Ok(checked) => {
            let change = UpdateAgreement {
                title: Some(checked.title),
                parties: editing.fixed.is_none().then_some(checked.parties),
                starts_on: Some(checked.starts_on),
                ends_on: Some(checked.ends_on),
                review_interval_months: Some(checked.review_months),
                body: Some(checked.body),
                provisions: Some(checked.provisions),
                commitments: Some(checked.commitments),
                ..UpdateAgreement::default()
            };
            let (editor, target) = (caller.clone(), id.clone());
            let saved = state
                .db
                .run(move |conn| {
                    crate::agreements::service::update(conn, &editor, &target, Some(read_at), change)
                })
                .await;
            match saved {
                Ok(_) => return Ok(see_other(&format!("/agreements/{id}?saved=saved"))),
                Err(err) if err.code == ErrorCode::PreconditionFailed => {
                    let stale = (chrome.t("drafting-stale"), format!("/agreements/{id}"));
                    let errors = Errors::one("stale", stale.0.clone());
                    let mut page = edit_page(chrome, &editing, values, errors);
                    page.stale = Some(stale);
                    return html(StatusCode::CONFLICT, cookies, &page);
                }
                Err(err) if matches!(err.code, ErrorCode::InvalidTransition | ErrorCode::Conflict) => {
                    Errors::one("title", lang.t("drafting-not-now"))
                }
                Err(err) => match service_errors(lang, &err) {
                    Some(errors) => errors,
                    None if err.code.status().is_client_error() => return not_found(chrome, cookies),
                    None => return Err(err),
                },
            }
        }
        Err(errors) => errors,
    };
    html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &edit_page(chrome, &editing, values, errors))
}
