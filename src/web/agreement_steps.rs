//! Running an agreement from its page: propose it, ask for changes, prepare an amendment,
//! suspend, resume, complete or terminate it, and record a check-in. A button shows only when
//! the agreement's `allowed_actions` hold the step (the check-in form only for a party's
//! representative); every post goes through the same services as the API, which check again.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::agreements::dto::{AgreementDto, CheckInRequest};
use crate::auth::{Action, Caller, Target};
use crate::domain::workflow::{AgreementAction, VersionStatus};
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

use super::agreements::show_again;
use super::form::{value, Control, Errors, Field};
use super::format;
use super::i18n::Lang;
use super::layout::{chrome, not_found, refused, see_other, Chrome};
use super::session::{csrf_ok, language, SignedIn};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/agreements/{id}/check-ins").route(web::post().to(check_in)))
        .service(web::resource("/agreements/{id}/{step}").route(web::post().to(step)));
}

/// The steps a page offers, in the order it shows them, with the path each posts to and
/// whether it needs a reason.
const STEPS: [(AgreementAction, &str, bool); 7] = [
    (AgreementAction::Propose, "propose", false),
    (AgreementAction::RequestChanges, "request-changes", true),
    (AgreementAction::Amend, "amend", false),
    (AgreementAction::Suspend, "suspend", true),
    (AgreementAction::Resume, "resume", false),
    (AgreementAction::Complete, "complete", false),
    (AgreementAction::Terminate, "terminate", true),
];

/// One step as a form: a button, folded under a summary with a sentence (and a reason) when it
/// needs thought first.
pub struct StepForm {
    pub action: String,
    pub button: String,
    pub summary: Option<String>,
    pub explain: Option<String>,
    pub reason: Option<Field>,
    /// Open when it holds an error.
    pub open: bool,
    pub primary: bool,
}

/// What the person may do to draft and run the agreement.
pub struct Drafting {
    /// `(href, text)` of the form for the version under negotiation.
    pub edit: Option<(String, String)>,
    pub versions: String,
    /// An amendment being drafted while the version in force stays.
    pub amendment_note: Option<String>,
    pub steps: Vec<StepForm>,
    /// The check-in form's fields, for a party's representative.
    pub check_in: Option<Vec<Field>>,
    pub check_in_open: bool,
    pub check_in_action: String,
}

/// What was typed in a form that is shown again.
#[derive(Default)]
pub struct Typed {
    pub step: Option<AgreementAction>,
    pub reason: String,
    pub check_in: Option<CheckInForm>,
}

/// The notice after `?saved=` for a step taken on this page.
pub fn notice_key(saved: &str) -> Option<&'static str> {
    Some(match saved {
        "drafted" => "drafting-drafted-notice",
        "saved" => "drafting-saved-notice",
        "propose" => "drafting-proposed-notice",
        "request-changes" => "drafting-changes-notice",
        "amend" => "drafting-amended-notice",
        "suspend" => "drafting-suspended-notice",
        "resume" => "drafting-resumed-notice",
        "complete" => "drafting-completed-notice",
        "terminate" => "drafting-terminated-notice",
        "check-in" => "check-in-saved-notice",
        _ => return None,
    })
}

fn step_form(
    chrome: &Chrome,
    id: &str,
    (action, path, needs_reason): (AgreementAction, &str, bool),
    typed: &Typed,
    errors: &Errors,
) -> StepForm {
    let t = |suffix: &str| chrome.t(&format!("step-{path}-{suffix}"));
    let reason = needs_reason.then(|| {
        let typed = if typed.step == Some(action) { typed.reason.clone() } else { String::new() };
        let mut field = [Field::new(format!("reason-{path}"), t("reason"), Control::TextArea).value(typed)];
        errors.attach(&mut field);
        let [field] = field;
        field
    });
    let folded = needs_reason || matches!(action, AgreementAction::Complete | AgreementAction::Amend);
    StepForm {
        action: format!("/agreements/{id}/{path}"),
        button: t("button"),
        summary: folded.then(|| t("summary")),
        explain: folded.then(|| t("explain")),
        open: reason.as_ref().is_some_and(|r| r.error.is_some()),
        reason,
        primary: action == AgreementAction::Propose,
    }
}

/// The page's drafting section for this person.
pub fn drafting(
    chrome: &Chrome,
    caller: &Caller,
    agreement: &AgreementDto,
    typed: &Typed,
    errors: &Errors,
) -> Drafting {
    let lang = chrome.lang;
    let allowed = |action| agreement.allowed_actions.contains(&action);
    let amendment = agreement.amendment.as_ref();
    let edit = allowed(AgreementAction::Edit).then(|| {
        let key = if amendment.is_some() { "drafting-edit-amendment-link" } else { "drafting-edit-link" };
        (format!("/agreements/{}/edit", agreement.id), lang.t(key))
    });
    let amendment_note = amendment.filter(|a| a.status == VersionStatus::Draft).map(|a| {
        lang.t_with(
            "drafting-amendment-note",
            &[("number", &a.number.to_string()), ("current", &agreement.current.number.to_string())],
        )
    });
    let steps = STEPS
        .into_iter()
        .filter(|(action, _, _)| allowed(*action))
        .map(|step| step_form(chrome, &agreement.id, step, typed, errors))
        .collect();
    let scope = crate::parties::scope(&agreement.municipality_id, &agreement.current.content.parties);
    let check_in = caller
        .may(Action::Represent, Target::Record(&scope))
        .then(|| check_in_fields(chrome, typed.check_in.as_ref(), errors));
    Drafting {
        edit,
        versions: format!("/agreements/{}/versions", agreement.id),
        amendment_note,
        steps,
        check_in_open: typed.check_in.is_some(),
        check_in,
        check_in_action: format!("/agreements/{}/check-ins", agreement.id),
    }
}

/// `POST /agreements/{id}/{step}`: the step, then the agreement's page with a notice (an
/// amendment opens its form).
pub async fn step(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    path: web::Path<(String, String)>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let (id, path) = path.into_inner();
    if !csrf_ok(&req, value(&form, "csrf")) {
        return refused(&state, &req, Some(&caller));
    }
    let Some(&(action, path, needs_reason)) = STEPS.iter().find(|(_, p, _)| *p == path) else {
        let (chrome, cookies) = chrome(&state, &req, Some(&caller));
        return not_found(chrome, cookies);
    };
    let lang = language(&req, Some(&caller)).0;
    // The reason's field is named by its step: one page holds several.
    let reason = Some(value(&form, &format!("reason-{path}")).trim().to_owned())
        .filter(|r| needs_reason && !r.is_empty());
    let typed = Typed { step: Some(action), reason: reason.clone().unwrap_or_default(), check_in: None };
    let (actor, target) = (caller.clone(), id.clone());
    let outcome = state
        .db
        .run(move |conn| crate::agreements::service::act(conn, &actor, &target, action, reason, None))
        .await;
    let err = match outcome {
        Ok(_) => return Ok(see_other(&format!("/agreements/{id}?saved={path}"))),
        Err(err) if err.code == ErrorCode::NotFound => {
            let (chrome, cookies) = chrome(&state, &req, Some(&caller));
            return not_found(chrome, cookies);
        }
        Err(err) if err.code.status().is_client_error() => err,
        Err(err) => return Err(err),
    };
    // The service asks for a reason only of someone who may take the step now.
    let (field, key, status) = match err.code {
        ErrorCode::ValidationFailed if typed.reason.is_empty() => {
            (format!("reason-{path}"), "step-reason-missing", StatusCode::UNPROCESSABLE_ENTITY)
        }
        ErrorCode::ValidationFailed => {
            (format!("reason-{path}"), "field-check", StatusCode::UNPROCESSABLE_ENTITY)
        }
        ErrorCode::Forbidden => ("steps".to_owned(), "drafting-not-allowed", StatusCode::FORBIDDEN),
        _ => ("steps".to_owned(), "step-not-now", StatusCode::CONFLICT),
    };
    show_again(&state, &req, caller, id, Errors::one(field, lang.t(key)), &typed, status).await
}

/// The check-in form, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct CheckInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    participants: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    agreed_actions: String,
}

fn check_in_fields(chrome: &Chrome, typed: Option<&CheckInForm>, errors: &Errors) -> Vec<Field> {
    let t = |key: &str| chrome.t(key);
    let empty = CheckInForm::default();
    let typed = typed.unwrap_or(&empty);
    let mut fields = vec![
        Field::new("held_on", t("field-check-in-date"), Control::Date)
            .hint(t("date-hint"))
            .value(typed.held_on.clone()),
        Field::new("participants", t("field-check-in-participants"), Control::Text)
            .hint(t("field-check-in-participants-hint"))
            .value(typed.participants.clone())
            .optional(),
        Field::new("notes", t("field-check-in-notes"), Control::TextArea)
            .value(typed.notes.clone())
            .optional(),
        Field::new("agreed_actions", t("field-check-in-actions"), Control::TextArea)
            .hint(t("field-check-in-actions-hint"))
            .value(typed.agreed_actions.clone())
            .optional(),
    ];
    errors.attach(&mut fields);
    fields
}

/// Names or actions typed with commas or one per line, without the blank ones.
fn items(typed: &str, separators: &[char]) -> Vec<String> {
    typed.split(separators).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// The service's objections to a check-in as messages beside its fields.
fn check_in_errors(lang: Lang, err: &ApiError) -> Errors {
    let mut errors = Errors::default();
    for field in &err.errors {
        let id = ["participants", "agreed_actions", "notes"]
            .into_iter()
            .find(|f| field.field.starts_with(f))
            .unwrap_or("held_on");
        errors.add(id, lang.t("field-check"));
    }
    errors
}

/// `POST /agreements/{id}/check-ins`: records the meeting, then the agreement's page.
pub async fn check_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
    form: web::Form<CheckInForm>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let form = form.into_inner();
    if !csrf_ok(&req, &form.csrf) {
        return refused(&state, &req, Some(&caller));
    }
    let lang = language(&req, Some(&caller)).0;
    let Some(held_on) = format::parse_date(&form.held_on) else {
        let errors = Errors::one("held_on", lang.t("date-invalid"));
        let typed = Typed { check_in: Some(form), ..Typed::default() };
        return show_again(&state, &req, caller, id, errors, &typed, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let input = CheckInRequest {
        held_on,
        participants: items(&form.participants, &[',', '\n']),
        notes: form.notes.trim().to_owned(),
        agreed_actions: items(&form.agreed_actions, &['\n']),
    };
    let (actor, target) = (caller.clone(), id.clone());
    let outcome =
        state.db.run(move |conn| crate::agreements::check_ins::create(conn, &actor, &target, input)).await;
    let (errors, status) = match outcome {
        Ok(_) => return Ok(see_other(&format!("/agreements/{id}?saved=check-in"))),
        Err(err) if err.code == ErrorCode::ValidationFailed => {
            (check_in_errors(lang, &err), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(err) if err.code == ErrorCode::Forbidden => {
            (Errors::one("steps", lang.t("drafting-not-allowed")), StatusCode::FORBIDDEN)
        }
        Err(err) if err.code.status().is_client_error() => {
            let (chrome, cookies) = chrome(&state, &req, Some(&caller));
            return not_found(chrome, cookies);
        }
        Err(err) => return Err(err),
    };
    let typed = Typed { check_in: Some(form), ..Typed::default() };
    show_again(&state, &req, caller, id, errors, &typed, status).await
}
