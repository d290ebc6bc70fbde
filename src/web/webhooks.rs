//! A municipality's webhook subscriptions as pages for its admins: the list, a new one (where
//! to, which events as checkboxes in words, a description), and a page per subscription to
//! change it, pause or resume it, and get a new signing secret (shown once); its delivery log is
//! in `webhook_deliveries`. The same service as `/api/v1/webhooks`, which asks the policy.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use crate::auth::Caller;
use crate::db::page::PageRequest;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use crate::webhooks::dto::{CreateSubscription, SubscriptionDto, UpdateSubscription};
use crate::webhooks::{service, EventType};

use super::form::{value, Control, Errors, Field};
use super::i18n::Lang;
use super::integrations::{
    cursor, event_group, event_words, notice, posted_version, refusal, ticked_events, FormPage, GroupedForm,
    SecretPage, StatusSwitch,
};
use super::layout::{chrome, html, not_found, query_string, refused, see_other, Chrome};
use super::session::{csrf_ok, SignedIn};

pub fn list_path(municipality_id: &str) -> String {
    format!("/municipalities/{municipality_id}/webhooks")
}

pub fn subscription_path(id: &str) -> String {
    format!("/webhooks/{id}")
}

/// A subscription as a line of the list.
pub struct SubscriptionLine {
    pub id: String,
    pub url: String,
    pub description: String,
    pub events: String,
    pub state: String,
}

#[derive(Template)]
#[template(path = "webhooks.html")]
struct SubscriptionsPage {
    chrome: Chrome,
    title: String,
    base: String,
    subscriptions: Vec<SubscriptionLine>,
    next: Option<String>,
}

fn state_words(lang: Lang, active: bool) -> String {
    lang.t(if active { "webhook-on" } else { "webhook-paused" })
}

/// `GET /municipalities/{id}/webhooks`.
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let municipality_id = id.into_inner();
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let page = PageRequest::parse(Some(50), cursor(&req).as_deref());
    let lookup = municipality_id.clone();
    let found = state.db.run(move |conn| service::list(conn, &caller, Some(&lookup), &page?)).await;
    let subscriptions = match found {
        Ok(subscriptions) => subscriptions,
        Err(err) => return refusal(chrome, cookies, err),
    };
    let lang = chrome.lang;
    let base = list_path(&municipality_id);
    let next = subscriptions.next_cursor.map(|c| format!("{base}?{}", query_string(&[("cursor", &c)])));
    let subscriptions = subscriptions
        .items
        .into_iter()
        .map(|s| SubscriptionLine {
            events: s.event_types.iter().map(|e| event_words(lang, *e)).collect::<Vec<_>>().join("; "),
            state: state_words(lang, s.active),
            id: s.id,
            url: s.url,
            description: s.description,
        })
        .collect();
    let page = SubscriptionsPage { title: lang.t("webhooks-title"), base, subscriptions, next, chrome };
    html(StatusCode::OK, cookies, &page)
}

/// The subscription form as typed.
pub struct SubscriptionForm {
    url: String,
    events: Vec<EventType>,
    description: String,
}

impl SubscriptionForm {
    fn read(form: &[(String, String)]) -> Self {
        SubscriptionForm {
            url: value(form, "url").trim().to_owned(),
            events: ticked_events(form),
            description: value(form, "description").trim().to_owned(),
        }
    }

    fn of(subscription: &SubscriptionDto) -> Self {
        SubscriptionForm {
            url: subscription.url.clone(),
            events: subscription.event_types.clone(),
            description: subscription.description.clone(),
        }
    }

    fn grouped(&self, lang: Lang, action: String, button: &str, errors: &Errors) -> GroupedForm {
        GroupedForm {
            action,
            hidden: Vec::new(),
            before: vec![Field::new("url", lang.t("field-webhook-url"), Control::Text)
                .hint(lang.t("field-webhook-url-hint"))
                .autocomplete("url")
                .value(self.url.clone())],
            group: event_group(lang, &self.events, errors),
            after: vec![Field::new("description", lang.t("field-webhook-description"), Control::TextArea)
                .hint(lang.t("field-webhook-description-hint"))
                .value(self.description.clone())
                .optional()],
            button: lang.t(button),
        }
        .attach(errors)
    }
}

/// What the service refused, beside the fields (it names them as the API does).
fn subscription_errors(lang: Lang, err: &ApiError) -> Errors {
    let mut errors = Errors::default();
    for field in &err.errors {
        let (id, key) = match field.field.as_str() {
            "url" => ("url", "webhook-url-invalid"),
            "description" => ("description", "webhook-description-invalid"),
            _ => ("events", "webhook-events-missing"),
        };
        if errors.message(id).is_none() {
            errors.add(id, lang.t(key));
        }
    }
    errors
}

fn new_page(chrome: Chrome, municipality_id: &str, form: &SubscriptionForm, errors: Errors) -> FormPage {
    let list = list_path(municipality_id);
    let form = form.grouped(chrome.lang, format!("{list}/new"), "webhook-create", &errors);
    FormPage::new(chrome, ["webhook-new-title", "webhook-new-intro", "webhooks-back"], list, form, errors)
}

/// `GET /municipalities/{id}/webhooks/new`.
pub async fn new(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let municipality_id = id.into_inner();
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let target = crate::auth::Target::Municipality(&municipality_id);
    if let Err(err) = caller.authorize(crate::auth::Action::ManageWebhooks, target) {
        return refusal(chrome, cookies, err);
    }
    let empty = SubscriptionForm { url: String::new(), events: Vec::new(), description: String::new() };
    html(StatusCode::OK, cookies, &new_page(chrome, &municipality_id, &empty, Errors::default()))
}

/// The page that shows a signing secret once, then leads to the subscription.
fn secret_page(chrome: Chrome, secret: String, id: &str) -> SecretPage {
    let lang = chrome.lang;
    SecretPage {
        title: lang.t("webhook-secret-title"),
        intro: lang.t("webhook-secret-intro"),
        secret,
        next: (subscription_path(id), lang.t("webhook-secret-next")),
        chrome,
    }
}

/// `POST /municipalities/{id}/webhooks/new`: subscribes, then shows the signing secret once.
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
    posted: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let municipality_id = id.into_inner();
    if !csrf_ok(&req, value(&posted, "csrf")) {
        return refused(&state, &req, Some(&caller));
    }
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let Ok(municipality) = uuid::Uuid::parse_str(&municipality_id) else { return not_found(chrome, cookies) };
    let form = SubscriptionForm::read(&posted);
    let input = CreateSubscription {
        municipality_id: municipality,
        url: form.url.clone(),
        event_types: form.events.clone(),
        description: Some(form.description.clone()),
    };
    let app = state.clone();
    let created = state
        .db
        .run(move |conn| {
            service::create(conn, &caller, input, app.settings.environment, &app.settings.seal_keys)
        })
        .await;
    let errors = match created {
        Ok(created) => {
            let page = secret_page(chrome, created.secret, &created.subscription.id);
            return html(StatusCode::OK, cookies, &page);
        }
        Err(err) if err.code == ErrorCode::ValidationFailed => subscription_errors(chrome.lang, &err),
        Err(err) => return refusal(chrome, cookies, err),
    };
    html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &new_page(chrome, &municipality_id, &form, errors))
}

/// What switching a subscription off and on says.
const STATUS_KEYS: [&str; 5] =
    ["webhook-status", "webhook-on-explain", "webhook-off-explain", "webhook-pause", "webhook-resume"];

#[derive(Template)]
#[template(path = "webhook.html")]
struct SubscriptionPage {
    chrome: Chrome,
    title: String,
    back: (String, String),
    base: String,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    edit: GroupedForm,
    status: StatusSwitch,
}

async fn load(state: &AppState, caller: &Caller, id: &str) -> Result<SubscriptionDto, ApiError> {
    let (caller, id) = (caller.clone(), id.to_owned());
    state.db.run(move |conn| service::authorized(conn, &caller, &id).map(SubscriptionDto::from)).await
}

/// The page of a subscription; `typed` is the change as typed, with the version it was read at.
fn subscription_page(
    chrome: Chrome,
    subscription: SubscriptionDto,
    typed: Option<(SubscriptionForm, i64)>,
    notice: Option<String>,
    errors: Errors,
) -> SubscriptionPage {
    let lang = chrome.lang;
    let base = subscription_path(&subscription.id);
    let (form, version) =
        typed.unwrap_or_else(|| (SubscriptionForm::of(&subscription), subscription.version));
    let mut edit = form.grouped(lang, base.clone(), "webhook-save", &errors);
    edit.hidden.push(("version", version.to_string()));
    SubscriptionPage {
        title: lang.t_with("webhook-title", &[("url", &subscription.url)]),
        back: (list_path(&subscription.municipality_id), lang.t("webhooks-back")),
        base,
        notice,
        status: StatusSwitch::new(lang, STATUS_KEYS, subscription.active, subscription.version, &errors),
        errors: errors.0,
        edit,
        chrome,
    }
}

/// `GET /webhooks/{id}`.
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let subscription = match load(&state, &caller, &id).await {
        Ok(found) => found,
        Err(err) => return refusal(chrome, cookies, err),
    };
    let notice = notice(
        chrome.lang,
        &req,
        &[
            ("saved", "webhook-saved"),
            ("paused", "webhook-paused-notice"),
            ("resumed", "webhook-resumed-notice"),
        ],
    );
    let page = subscription_page(chrome, subscription, None, notice, Errors::default());
    html(StatusCode::OK, cookies, &page)
}

/// `POST /webhooks/{id}`: saves where to, which events and the description; a change someone
/// made meanwhile is not overwritten unseen.
pub async fn save(
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
    let form = SubscriptionForm::read(&posted);
    let version = posted_version(&posted);
    let change = UpdateSubscription {
        url: Some(form.url.clone()),
        event_types: Some(form.events.clone()),
        description: Some(form.description.clone()),
        active: None,
    };
    let (actor, target, environment) = (caller.clone(), id.clone(), state.settings.environment);
    let saved = state
        .db
        .run(move |conn| service::update(conn, &actor, &target, Some(version), change, environment))
        .await;
    let lang = chrome.lang;
    // What was typed stays. After "changed meanwhile" the form moves on to the version just
    // read: saving again is a choice made knowing.
    let (errors, kept_version) = match saved {
        Ok(_) => return Ok(see_other(&format!("{}?done=saved", subscription_path(&id)))),
        Err(err) if err.code == ErrorCode::PreconditionFailed => {
            (Errors::one("url", lang.t("integrations-changed-meanwhile")), None)
        }
        Err(err) if err.code == ErrorCode::ValidationFailed => {
            (subscription_errors(lang, &err), Some(version))
        }
        Err(err) => return refusal(chrome, cookies, err),
    };
    let subscription = match load(&state, &caller, &id).await {
        Ok(found) => found,
        Err(err) => return refusal(chrome, cookies, err),
    };
    let version = kept_version.unwrap_or(subscription.version);
    let page = subscription_page(chrome, subscription, Some((form, version)), None, errors);
    html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &page)
}

/// `POST /webhooks/{id}/active`: pauses it (messages wait, in order) or resumes it, at the
/// version the person saw.
pub async fn set_active(
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
    let active = value(&posted, "active") == "true";
    let change = UpdateSubscription { active: Some(active), ..UpdateSubscription::default() };
    let version = posted_version(&posted);
    let (actor, target, environment) = (caller.clone(), id.clone(), state.settings.environment);
    let saved = state
        .db
        .run(move |conn| service::update(conn, &actor, &target, Some(version), change, environment))
        .await;
    let errors = match saved {
        Ok(_) => {
            let done = if active { "resumed" } else { "paused" };
            return Ok(see_other(&format!("{}?done={done}", subscription_path(&id))));
        }
        Err(err) if err.code == ErrorCode::PreconditionFailed => {
            Errors::one("status", chrome.t("integrations-status-changed"))
        }
        Err(err) => return refusal(chrome, cookies, err),
    };
    let subscription = match load(&state, &caller, &id).await {
        Ok(found) => found,
        Err(err) => return refusal(chrome, cookies, err),
    };
    let page = subscription_page(chrome, subscription, None, None, errors);
    html(StatusCode::CONFLICT, cookies, &page)
}

/// `POST /webhooks/{id}/rotate-secret`: a new signing secret, shown once.
pub async fn rotate(
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
    let app = state.clone();
    let target = id.clone();
    let rotated = state
        .db
        .run(move |conn| service::rotate_secret(conn, &caller, &target, &app.settings.seal_keys))
        .await;
    match rotated {
        Ok(rotated) => html(StatusCode::OK, cookies, &secret_page(chrome, rotated.secret, &id)),
        Err(err) => refusal(chrome, cookies, err),
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    let base = "/municipalities/{id}/webhooks";
    cfg.service(web::resource(base).route(web::get().to(list)))
        .service(web::resource(format!("{base}/new")).route(web::get().to(new)).route(web::post().to(create)))
        .service(web::resource("/webhooks/{id}").route(web::get().to(show)).route(web::post().to(save)))
        .service(web::resource("/webhooks/{id}/active").route(web::post().to(set_active)))
        .service(web::resource("/webhooks/{id}/rotate-secret").route(web::post().to(rotate)))
        .configure(super::webhook_deliveries::routes);
}
