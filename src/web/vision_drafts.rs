//! Drafting a shared vision as the municipality, as pages: a new vision (title, the text, goals,
//! themes and parties) and editing one, with the version the form was read at so a stale form
//! never overwrites what someone else saved. The same services as `POST /api/v1/visions` and
//! `PATCH /api/v1/visions/{id}`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use crate::auth::Caller;
use crate::domain::workflow::VisionAction;
use crate::domain::Party;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use crate::visions::dto::{CreateVision, Goal, UpdateVision, VisionDto};

use super::agreement_drafts::{asked_municipality, municipality_for, not_editable, Saved};
use super::form::{value, Control, Errors, Field};
use super::i18n::Lang;
use super::layout::{chrome, html, not_found, refused, see_other, visible, Chrome};
use super::party_choices::{self, PartyChoice};
use super::session::{csrf_ok, SignedIn};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/visions/new").route(web::get().to(new)).route(web::post().to(create)))
        .service(
            web::resource("/visions/{id}/edit").route(web::get().to(edit_form)).route(web::post().to(edit)),
        );
}

/// What the form holds, as typed.
#[derive(Default)]
struct Values {
    title: String,
    statement: String,
    /// One goal a line.
    goals: String,
    themes: String,
    parties: Vec<Party>,
}

impl Values {
    fn of(vision: &VisionDto) -> Self {
        Values {
            title: vision.title.clone(),
            statement: vision.statement.clone(),
            goals: vision.goals.iter().map(|g| g.title.clone()).collect::<Vec<_>>().join("\n"),
            themes: vision.themes.join(", "),
            parties: vision.parties.clone(),
        }
    }

    fn posted(form: &[(String, String)]) -> Self {
        Values {
            title: value(form, "title").to_owned(),
            statement: value(form, "statement").replace("\r\n", "\n"),
            goals: value(form, "goals").to_owned(),
            themes: value(form, "themes").to_owned(),
            parties: party_choices::ticked(form),
        }
    }
}

/// The vision as the service takes it.
struct Checked {
    title: String,
    statement: String,
    goals: Vec<Goal>,
    themes: Vec<String>,
    parties: Vec<Party>,
}

/// What to fix, or the vision to save. A goal kept from `before` keeps its indicator.
fn validate(lang: Lang, values: &Values, before: &[Goal]) -> Result<Checked, Errors> {
    let mut errors = Errors::default();
    if values.title.trim().is_empty() {
        errors.add("title", lang.t("drafting-title-missing"));
    }
    if values.parties.is_empty() {
        errors.add("parties", lang.t("drafting-parties-missing"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let goals = values
        .goals
        .lines()
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(|title| Goal {
            title: title.to_owned(),
            indicator: before.iter().find(|g| g.title == title).and_then(|g| g.indicator.clone()),
        })
        .collect();
    let themes = values
        .themes
        .split([',', '\n'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    Ok(Checked {
        title: values.title.trim().to_owned(),
        statement: values.statement.clone(),
        goals,
        themes,
        parties: values.parties.clone(),
    })
}

/// The service's objections beside the fields.
fn service_errors(lang: Lang, err: &ApiError) -> Option<Errors> {
    if err.code != ErrorCode::ValidationFailed {
        return None;
    }
    let mut errors = Errors::default();
    for field in &err.errors {
        let id = ["title", "statement", "goals", "themes", "parties"]
            .into_iter()
            .find(|f| field.field.starts_with(f))
            .unwrap_or("title");
        let key = if id == "parties" { "drafting-parties-invalid" } else { "field-check" };
        errors.add(id, lang.t(key));
    }
    Some(errors)
}

#[derive(Template)]
#[template(path = "vision_form.html")]
struct VisionForm {
    chrome: Chrome,
    title: String,
    intro: String,
    action: String,
    hidden: Vec<(&'static str, String)>,
    fields: Vec<Field>,
    parties: Vec<Field>,
    parties_error: Option<String>,
    stale: Option<(String, String)>,
    errors: Vec<(String, String)>,
}

fn form(
    chrome: Chrome,
    action: String,
    values: Values,
    choices: &[PartyChoice],
    errors: Errors,
    hidden: (&'static str, String),
) -> VisionForm {
    let t = |key: &str| chrome.t(key);
    let mut fields = vec![
        Field::new("title", t("field-vision-title"), Control::Text).value(values.title),
        Field::new("statement", t("field-vision-statement"), Control::TextArea)
            .hint(t("field-vision-statement-hint"))
            .value(values.statement)
            .optional(),
        Field::new("goals", t("field-vision-goals"), Control::TextArea)
            .hint(t("field-vision-goals-hint"))
            .value(values.goals)
            .optional(),
        Field::new("themes", t("field-vision-themes"), Control::Text)
            .hint(t("field-vision-themes-hint"))
            .value(values.themes)
            .optional(),
    ];
    errors.attach(&mut fields);
    let editing = hidden.0 == "version";
    VisionForm {
        title: t(if editing { "vision-edit-title" } else { "vision-new-title" }),
        intro: t(if editing { "vision-edit-intro" } else { "vision-new-intro" }),
        action,
        hidden: vec![hidden],
        fields,
        parties: party_choices::checkboxes(choices, &values.parties),
        parties_error: errors.0.iter().find(|(id, _)| id == "parties").map(|(_, m)| m.clone()),
        stale: None,
        errors: errors.0,
        chrome,
    }
}

/// `GET /visions/new`.
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
    let page = form(
        chrome,
        "/visions/new".into(),
        Values::default(),
        &choices,
        Errors::default(),
        ("municipality_id", municipality_id),
    );
    html(StatusCode::OK, cookies, &page)
}

/// `POST /visions/new`: saves the draft, then its page.
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    posted: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    if !csrf_ok(&req, value(&posted, "csrf")) {
        return refused(&state, &req, Some(&caller));
    }
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let lang = chrome.lang;
    let Some(municipality_id) = municipality_for(&caller, Some(value(&posted, "municipality_id"))) else {
        return not_found(chrome, cookies);
    };
    let values = Values::posted(&posted);
    let errors = match validate(lang, &values, &[]) {
        Ok(checked) => {
            let input = CreateVision {
                municipality_id: municipality_id.parse().map_err(ApiError::internal)?,
                title: checked.title,
                statement: checked.statement,
                goals: checked.goals,
                themes: checked.themes,
                parties: checked.parties,
            };
            let drafter = caller.clone();
            let created =
                state.db.run(move |conn| crate::visions::service::create(conn, &drafter, input)).await;
            match Saved::of(lang, created, service_errors)? {
                Saved::Done(vision) => {
                    return Ok(see_other(&format!("/visions/{}?saved=drafted", vision.id)))
                }
                Saved::Fix(errors) => errors,
                Saved::Stale | Saved::Hidden => return not_found(chrome, cookies),
            }
        }
        Err(errors) => errors,
    };
    let choices = party_choices::for_new(&state, &caller, &municipality_id).await?;
    let page =
        form(chrome, "/visions/new".into(), values, &choices, errors, ("municipality_id", municipality_id));
    html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &page)
}

/// A vision the person may see, and who may take part in it.
async fn editing(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<Option<(VisionDto, Vec<PartyChoice>)>, ApiError> {
    let (caller, id) = (caller.clone(), id.to_owned());
    let found = state
        .db
        .run(move |conn| {
            let vision = crate::visions::service::get(conn, &caller, &id)?;
            let choices =
                party_choices::for_municipality(conn, &caller, &vision.municipality_id, &vision.parties)?;
            Ok::<_, ApiError>((vision, choices))
        })
        .await;
    visible(found)
}

/// `GET /visions/{id}/edit`.
pub async fn edit_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let Some((vision, choices)) = editing(&state, &caller, &id).await? else {
        return not_found(chrome, cookies);
    };
    if !vision.allowed_actions.contains(&VisionAction::Edit) {
        return Ok(see_other(&format!("/visions/{id}")));
    }
    let page = form(
        chrome,
        format!("/visions/{id}/edit"),
        Values::of(&vision),
        &choices,
        Errors::default(),
        ("version", vision.version.to_string()),
    );
    html(StatusCode::OK, cookies, &page)
}

/// `POST /visions/{id}/edit`: saves when nobody saved in between, then the vision's page.
pub async fn edit(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
    posted: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    if !csrf_ok(&req, value(&posted, "csrf")) {
        return refused(&state, &req, Some(&caller));
    }
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let lang = chrome.lang;
    let Some((vision, choices)) = editing(&state, &caller, &id).await? else {
        return not_found(chrome, cookies);
    };
    if !vision.allowed_actions.contains(&VisionAction::Edit) {
        let key = not_editable(&caller, &vision.municipality_id, &vision.parties);
        return super::visions::show_again(&state, &req, caller, id, "steps", key).await;
    }
    let values = Values::posted(&posted);
    let read_at = value(&posted, "version").parse::<i64>().unwrap_or(0);
    let action = format!("/visions/{id}/edit");
    let errors = match validate(lang, &values, &vision.goals) {
        Ok(checked) => {
            let change = UpdateVision {
                title: Some(checked.title),
                statement: Some(checked.statement),
                goals: Some(checked.goals),
                themes: Some(checked.themes),
                parties: Some(checked.parties),
            };
            let (editor, target) = (caller.clone(), id.clone());
            let saved = state
                .db
                .run(move |conn| {
                    crate::visions::service::update(conn, &editor, &target, Some(read_at), change)
                })
                .await;
            match Saved::of(lang, saved, service_errors)? {
                Saved::Done(_) => return Ok(see_other(&format!("/visions/{id}?saved=saved"))),
                Saved::Stale => {
                    let message = chrome.t("drafting-stale");
                    let errors = Errors::one("stale", message.clone());
                    let version = ("version", vision.version.to_string());
                    let mut page = form(chrome, action, values, &choices, errors, version);
                    page.stale = Some((message, format!("/visions/{id}")));
                    return html(StatusCode::CONFLICT, cookies, &page);
                }
                Saved::Fix(errors) => errors,
                Saved::Hidden => return not_found(chrome, cookies),
            }
        }
        Err(errors) => errors,
    };
    let page = form(chrome, action, values, &choices, errors, ("version", vision.version.to_string()));
    html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &page)
}
