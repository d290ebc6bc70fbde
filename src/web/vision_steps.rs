//! Running a shared vision from its page: propose it to the parties or archive it (buttons only
//! when its `allowed_actions` hold them; the service checks again), and read every revision.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::agreements::document::Names;
use crate::domain::workflow::VisionAction;
use crate::domain::Party;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use crate::visions::dto::{RevisionDto, VisionDto};

use super::agreement_steps::StepForm;
use super::format;
use super::i18n::Lang;
use super::layout::{chrome, html, not_found, refused, see_other, visible, Chrome};
use super::session::{csrf_ok, SignedIn};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/visions/{id}/revisions").route(web::get().to(revisions)));
}

/// The step routes, after the vision's own (`/visions/{id}/endorse`).
pub fn step_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/visions/{id}/{step}").route(web::post().to(step)));
}

/// What the person may do to draft and keep the vision.
pub struct VisionDrafting {
    pub edit: Option<String>,
    pub revisions: String,
    pub steps: Vec<StepForm>,
}

/// The notice after `?saved=` for a step taken on the vision's pages.
pub fn notice_key(saved: &str) -> Option<&'static str> {
    Some(match saved {
        "endorsed" => "vision-endorsed-notice",
        "drafted" => "vision-drafted-notice",
        "saved" => "drafting-saved-notice",
        "propose" => "vision-proposed-notice",
        "archive" => "vision-archived-notice",
        _ => return None,
    })
}

pub fn drafting(lang: Lang, vision: &VisionDto) -> VisionDrafting {
    let allowed = |action| vision.allowed_actions.contains(&action);
    let mut steps = Vec::new();
    if allowed(VisionAction::Propose) {
        steps.push(StepForm {
            action: format!("/visions/{}/propose", vision.id),
            button: lang.t("vision-propose-button"),
            summary: None,
            explain: None,
            reason: None,
            open: false,
            primary: true,
        });
    }
    if allowed(VisionAction::Archive) {
        steps.push(StepForm {
            action: format!("/visions/{}/archive", vision.id),
            button: lang.t("vision-archive-button"),
            summary: Some(lang.t("vision-archive-summary")),
            explain: Some(lang.t("vision-archive-explain")),
            reason: None,
            open: false,
            primary: false,
        });
    }
    VisionDrafting {
        edit: allowed(VisionAction::Edit).then(|| format!("/visions/{}/edit", vision.id)),
        revisions: format!("/visions/{}/revisions", vision.id),
        steps,
    }
}

#[derive(Debug, Deserialize)]
pub struct StepPost {
    #[serde(default)]
    csrf: String,
}

/// `POST /visions/{id}/propose` and `/archive`: the step, then the vision's page.
pub async fn step(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    path: web::Path<(String, String)>,
    form: web::Form<StepPost>,
) -> Result<HttpResponse, ApiError> {
    let (id, step) = path.into_inner();
    if !csrf_ok(&req, &form.csrf) {
        return refused(&state, &req, Some(&caller));
    }
    let action = match step.as_str() {
        "propose" => VisionAction::Propose,
        "archive" => VisionAction::Archive,
        _ => {
            let (chrome, cookies) = chrome(&state, &req, Some(&caller));
            return not_found(chrome, cookies);
        }
    };
    let (actor, target) = (caller.clone(), id.clone());
    let outcome =
        state.db.run(move |conn| crate::visions::service::act(conn, &actor, &target, action, None)).await;
    match outcome {
        Ok(_) => Ok(see_other(&format!("/visions/{id}?saved={step}"))),
        Err(err) if err.code != ErrorCode::NotFound && err.code.status().is_client_error() => {
            let key = if err.code == ErrorCode::Forbidden { "drafting-not-allowed" } else { "step-not-now" };
            super::visions::show_again(&state, &req, caller, id, "steps", key).await
        }
        Err(err) if err.code == ErrorCode::NotFound => {
            let (chrome, cookies) = chrome(&state, &req, Some(&caller));
            not_found(chrome, cookies)
        }
        Err(err) => Err(err),
    }
}

/// One revision as the page shows it.
pub struct RevisionView {
    pub heading: String,
    pub anchor: String,
    pub made: String,
    pub title: String,
    pub statement: Vec<String>,
    pub goals: Vec<String>,
    pub themes: String,
    pub parties: String,
}

#[derive(Template)]
#[template(path = "vision_revisions.html")]
struct RevisionsPage {
    chrome: Chrome,
    title: String,
    vision_href: String,
    revisions: Vec<RevisionView>,
}

fn revision_view(lang: Lang, names: &Names, revision: RevisionDto) -> RevisionView {
    let content = revision.content;
    let made = match &revision.edited_by {
        Some(user) => lang.t_with(
            "revision-made-by",
            &[("name", &names.user(user)), ("moment", &format::moment(lang, revision.created_at))],
        ),
        None => format::moment(lang, revision.created_at),
    };
    RevisionView {
        heading: lang.t_with("revision-number", &[("number", &revision.revision.to_string())]),
        anchor: format!("revision-{}", revision.revision),
        made,
        title: content.title,
        statement: content
            .statement
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
        goals: content.goals.into_iter().map(|g| g.title).collect(),
        themes: content.themes.join(", "),
        parties: super::party_choices::names_of(names, &content.parties),
    }
}

/// `GET /visions/{id}/revisions`: every revision, newest first.
pub async fn revisions(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let target = id.clone();
    let found = state
        .db
        .run(move |conn| {
            let vision = crate::visions::service::get(conn, &caller, &target)?;
            let revisions = crate::visions::service::revisions(conn, &caller, &target)?;
            let parties: Vec<Party> = revisions.iter().flat_map(|r| r.content.parties.clone()).collect();
            let editors: Vec<String> = revisions.iter().filter_map(|r| r.edited_by.clone()).collect();
            let names = Names::load(conn, &parties, &editors)?;
            Ok::<_, ApiError>((vision, revisions, names))
        })
        .await;
    let Some((vision, revisions, names)) = visible(found)? else { return not_found(chrome, cookies) };
    let lang = chrome.lang;
    let page = RevisionsPage {
        title: lang.t_with("revisions-title", &[("title", &vision.title)]),
        vision_href: format!("/visions/{id}"),
        revisions: revisions.into_iter().rev().map(|r| revision_view(lang, &names, r)).collect(),
        chrome,
    };
    html(StatusCode::OK, cookies, &page)
}
