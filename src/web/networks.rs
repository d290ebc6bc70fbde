//! A network's profile, as pages: every member reads its description, themes, neighbourhoods
//! and whether it is in the public list; a coordinator changes them. The same policy check and
//! the same service as `PATCH /api/v1/networks/{id}` (`networks::service::update_by`).

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::{Action, Caller, Target};
use crate::error::{ApiError, ErrorCode};
use crate::networks::dto::{NetworkDto, UpdateNetwork};
use crate::networks::service::{self as networks, MAX_DESCRIPTION, MAX_TAGS, MAX_TAG_LENGTH};
use crate::state::AppState;

use super::form::{Control, Errors, Field};
use super::i18n::Lang;
use super::layout::{chrome, html, message, not_found, refused, see_other, visible, Chrome};
use super::session::{csrf_ok, SignedIn};

/// A network as the person may read it, and what the policy lets them do with it.
pub struct Readable {
    pub network: NetworkDto,
    /// May change the profile (the API's `Update`).
    pub can_edit: bool,
    /// May invite and remove people (the API's `ManageMembers`).
    pub can_manage: bool,
}

/// The network, when the person may read it (`GET /api/v1/networks/{id}`); `None` when it does
/// not exist or is not theirs to see.
pub async fn readable(state: &AppState, caller: Caller, id: String) -> Result<Option<Readable>, ApiError> {
    if id.parse::<uuid::Uuid>().is_err() {
        return Ok(None);
    }
    let found = state
        .db
        .run(move |conn| {
            let network = networks::get(conn, &caller, &id)?;
            let scope = networks::scope(conn, &id)?;
            Ok::<_, ApiError>(Readable {
                network,
                can_edit: caller.may(Action::Update, Target::Network(&scope)),
                can_manage: caller.may(Action::ManageMembers, Target::Network(&scope)),
            })
        })
        .await;
    visible(found)
}

/// The answer to someone who may read the network but not do this: a page that says so.
pub fn not_allowed(
    chrome: Chrome,
    cookies: Vec<Cookie<'static>>,
    id: &str,
) -> Result<HttpResponse, ApiError> {
    let back = Some((format!("/networks/{id}"), chrome.t("network-back")));
    message(chrome, cookies, StatusCode::FORBIDDEN, "error-title", "network-not-allowed", back)
}

#[derive(Template)]
#[template(path = "network.html")]
struct NetworkPage {
    chrome: Chrome,
    title: String,
    id: String,
    saved: bool,
    description: String,
    themes: String,
    neighbourhoods: String,
    listed: String,
    can_edit: bool,
    can_manage: bool,
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    saved: Option<String>,
}

/// `GET /networks/{id}`: the profile.
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let Some(Readable { network, can_edit, can_manage }) = readable(&state, caller, id).await? else {
        return not_found(chrome, cookies);
    };
    let saved = web::Query::<ShowQuery>::from_query(req.query_string()).is_ok_and(|q| q.saved.is_some());
    let listed = if network.listed_publicly { "network-listed-yes" } else { "network-listed-no" };
    let or_empty = |text: String| if text.is_empty() { chrome.t("network-not-filled") } else { text };
    let page = NetworkPage {
        description: or_empty(network.description.clone()),
        themes: or_empty(network.themes.join(", ")),
        neighbourhoods: or_empty(network.neighbourhoods.join(", ")),
        listed: chrome.t(listed),
        title: network.name,
        id: network.id,
        saved,
        can_edit,
        can_manage,
        chrome,
    };
    html(StatusCode::OK, cookies, &page)
}

/// What the profile form holds, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    themes: String,
    #[serde(default)]
    neighbourhoods: String,
    listed_publicly: Option<String>,
}

impl ProfileForm {
    fn of(network: &NetworkDto) -> Self {
        ProfileForm {
            version: network.version.to_string(),
            description: network.description.clone(),
            themes: network.themes.join("\n"),
            neighbourhoods: network.neighbourhoods.join("\n"),
            listed_publicly: network.listed_publicly.then(|| "yes".to_owned()),
            ..ProfileForm::default()
        }
    }
}

/// Themes or neighbourhoods as typed, one per line or separated by commas.
fn tags(typed: &str) -> Vec<String> {
    typed.split(['\n', ',']).map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

#[derive(Template)]
#[template(path = "network_profile.html")]
struct ProfilePage {
    chrome: Chrome,
    title: String,
    id: String,
    name: String,
    version: String,
    fields: Vec<Field>,
    errors: Vec<(String, String)>,
}

fn profile_page(chrome: Chrome, network: &NetworkDto, form: ProfileForm, errors: Errors) -> ProfilePage {
    let t = |key: &str| chrome.t(key);
    let tags_hint = |key: &str| {
        chrome.lang.t_with(key, &[("max", &MAX_TAGS.to_string()), ("length", &MAX_TAG_LENGTH.to_string())])
    };
    let mut fields = vec![
        Field::new("description", t("field-network-description"), Control::TextArea)
            .hint(
                chrome
                    .lang
                    .t_with("field-network-description-hint", &[("max", &MAX_DESCRIPTION.to_string())]),
            )
            .value(form.description)
            .optional(),
        Field::new("themes", t("field-network-themes"), Control::TextArea)
            .hint(tags_hint("field-network-themes-hint"))
            .value(form.themes)
            .optional(),
        Field::new("neighbourhoods", t("field-network-neighbourhoods"), Control::TextArea)
            .hint(tags_hint("field-network-neighbourhoods-hint"))
            .value(form.neighbourhoods)
            .optional(),
        Field::new("listed_publicly", t("field-network-listed"), Control::Checkbox)
            .hint(t("field-network-listed-hint"))
            .value(form.listed_publicly.unwrap_or_default())
            .optional(),
    ];
    errors.attach(&mut fields);
    ProfilePage {
        title: t("network-edit-title"),
        id: network.id.clone(),
        name: network.name.clone(),
        version: form.version,
        fields,
        errors: errors.0,
        chrome,
    }
}

/// `GET /networks/{id}/profile`: the form with the profile as saved; for coordinators.
pub async fn profile_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let Some(readable) = readable(&state, caller, id.clone()).await? else {
        return not_found(chrome, cookies);
    };
    if !readable.can_edit {
        return not_allowed(chrome, cookies, &id);
    }
    let page = profile_page(chrome, &readable.network, ProfileForm::of(&readable.network), Errors::default());
    html(StatusCode::OK, cookies, &page)
}

/// What the service refused, as messages beside the fields.
fn service_errors(lang: Lang, err: &ApiError) -> Errors {
    let mut errors = Errors::default();
    let tags_message = |key: &str| {
        lang.t_with(key, &[("max", &MAX_TAGS.to_string()), ("length", &MAX_TAG_LENGTH.to_string())])
    };
    for field in &err.errors {
        let (id, message) = match field.field.split('[').next().unwrap_or_default() {
            "description" => (
                "description",
                lang.t_with("network-description-too-long", &[("max", &MAX_DESCRIPTION.to_string())]),
            ),
            "themes" => ("themes", tags_message("network-themes-invalid")),
            "neighbourhoods" => ("neighbourhoods", tags_message("network-neighbourhoods-invalid")),
            // A part of the profile this page does not show (name, contact address, KvK).
            _ => ("description", lang.t("network-profile-invalid")),
        };
        if !errors.0.iter().any(|(f, m)| f == id && *m == message) {
            errors.add(id, message);
        }
    }
    if errors.is_empty() {
        errors.add("description", lang.t("network-profile-invalid"));
    }
    errors
}

/// `POST /networks/{id}/profile`: saves the profile (the version read with the form guards
/// against overwriting someone else's change), then the profile page.
pub async fn save_profile(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
    form: web::Form<ProfileForm>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let mut form = form.into_inner();
    if !csrf_ok(&req, &form.csrf) {
        return refused(&state, &req, Some(&caller));
    }
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let lang = chrome.lang;
    if id.parse::<uuid::Uuid>().is_err() {
        return not_found(chrome, cookies);
    }
    let change = UpdateNetwork {
        description: Some(form.description.clone()),
        themes: Some(tags(&form.themes)),
        neighbourhoods: Some(tags(&form.neighbourhoods)),
        listed_publicly: Some(form.listed_publicly.is_some()),
        ..UpdateNetwork::default()
    };
    // A version that is not a number cannot be the current one: "changed meanwhile".
    let expected = Some(form.version.trim().parse::<i64>().unwrap_or(0));
    let (app, target) = (state.clone(), id.clone());
    let saved = state
        .db
        .run(move |conn| {
            networks::update_by(conn, &caller, &target, expected, change, app.settings.link_mail())
        })
        .await;
    let (errors, stale) = match saved {
        Ok(_) => return Ok(see_other(&format!("/networks/{id}?saved=1"))),
        Err(err) if err.code == ErrorCode::NotFound => return not_found(chrome, cookies),
        Err(err) if err.code == ErrorCode::Forbidden => return not_allowed(chrome, cookies, &id),
        Err(err) if err.code == ErrorCode::ValidationFailed => (service_errors(lang, &err), false),
        Err(err) if err.code == ErrorCode::PreconditionFailed => {
            (Errors::one("description", lang.t("network-changed-meanwhile")), true)
        }
        Err(err) => return Err(err),
    };
    let lookup = id.clone();
    let current = match state.db.run(move |conn| networks::find_dto(conn, &lookup)).await {
        Ok(current) => current,
        Err(err) if err.code == ErrorCode::NotFound => return not_found(chrome, cookies),
        Err(err) => return Err(err),
    };
    // Someone saved in between: what this person typed stays, on top of the newest version,
    // and the page says so; saving again is then a choice, not an accident.
    let status = if stale {
        form.version = current.version.to_string();
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    html(status, cookies, &profile_page(chrome, &current, form, errors))
}

#[cfg(test)]
mod tests {
    use super::tags;

    #[test]
    fn themes_are_read_one_per_line_or_between_commas() {
        assert_eq!(tags("taal\r\n eenzaamheid ,sport\n\n,"), vec!["taal", "eenzaamheid", "sport"]);
        assert!(tags("  \n ").is_empty());
    }
}
