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
use super::i18n::Lang;
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

/// What saving a drafting form came to, for the page to answer.
pub enum Saved<T> {
    Done(T),
    /// Someone else saved in between; nothing was written.
    Stale,
    /// What to fix, beside the fields.
    Fix(Errors),
    /// Not the person's to see or change: the page says "not found".
    Hidden,
}

impl<T> Saved<T> {
    /// The service's answer in the form's terms; `fields` puts its objections beside the fields.
    pub fn of(
        lang: Lang,
        outcome: Result<T, ApiError>,
        fields: impl FnOnce(Lang, &ApiError) -> Option<Errors>,
    ) -> Result<Self, ApiError> {
        let err = match outcome {
            Ok(record) => return Ok(Saved::Done(record)),
            Err(err) => err,
        };
        Ok(match err.code {
            ErrorCode::PreconditionFailed => Saved::Stale,
            ErrorCode::InvalidTransition | ErrorCode::Conflict => {
                Saved::Fix(Errors::one("title", lang.t("drafting-not-now")))
            }
            _ => match fields(lang, &err) {
                Some(errors) => Saved::Fix(errors),
                None if err.code.status().is_client_error() => Saved::Hidden,
                None => return Err(err),
            },
        })
    }
}

/// Why a record cannot be edited, for someone who posts its form anyway: not now (its state),
/// or not with their role.
pub fn not_editable(caller: &Caller, municipality_id: &str, parties: &[Party]) -> &'static str {
    let scope = crate::parties::scope(municipality_id, parties);
    if caller.may(Action::Update, Target::Record(&scope)) {
        "drafting-not-now"
    } else {
        "drafting-not-allowed"
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
    let choices = party_choices::for_new(&state, &caller, &municipality_id).await?;
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
    let choices = party_choices::for_new(&state, &caller, &municipality_id).await?;
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
            let created =
                state.db.run(move |conn| crate::agreements::service::create(conn, &drafter, input)).await;
            match Saved::of(lang, created, service_errors)? {
                Saved::Done(dto) => return Ok(see_other(&format!("/agreements/{}?saved=drafted", dto.id))),
                Saved::Fix(errors) => errors,
                Saved::Stale | Saved::Hidden => return not_found(chrome, cookies),
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
        let key = not_editable(&caller, &editing.agreement.municipality_id, &editing.content.parties);
        let errors = Errors::one("steps", lang.t(key));
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
            match Saved::of(lang, saved, service_errors)? {
                Saved::Done(_) => return Ok(see_other(&format!("/agreements/{id}?saved=saved"))),
                Saved::Stale => {
                    let stale = (chrome.t("drafting-stale"), format!("/agreements/{id}"));
                    let errors = Errors::one("stale", stale.0.clone());
                    let mut page = edit_page(chrome, &editing, values, errors);
                    page.stale = Some(stale);
                    return html(StatusCode::CONFLICT, cookies, &page);
                }
                Saved::Fix(errors) => errors,
                Saved::Hidden => return not_found(chrome, cookies),
            }
        }
        Err(errors) => errors,
    };
    html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &edit_page(chrome, &editing, values, errors))
}
