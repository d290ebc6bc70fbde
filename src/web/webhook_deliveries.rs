//! A webhook subscription's delivery log as a page for the municipality's admins: every message,
//! oldest first, paged by the API's cursor, with what happened to it and a button to send it
//! again. The same service as `/api/v1/webhooks/{id}/deliveries` and `.../redeliver`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use crate::db::page::PageRequest;
use crate::error::ApiError;
use crate::state::AppState;
use crate::webhooks::dto::{DeliveryDto, DeliveryQuery, SubscriptionDto};
use crate::webhooks::service;

use super::form::value;
use super::format;
use super::i18n::Lang;
use super::integrations::{cursor, event_words, notice, refusal};
use super::layout::{chrome, html, query_string, refused, see_other, Chrome};
use super::session::{csrf_ok, SignedIn};
use super::webhooks::subscription_path;

/// A message as a row of the log.
pub struct DeliveryLine {
    pub id: String,
    pub event: String,
    pub when: String,
    pub status: String,
    pub attempts: i32,
    pub code: String,
    pub next: String,
}

fn line(lang: Lang, delivery: DeliveryDto) -> DeliveryLine {
    DeliveryLine {
        event: event_words(lang, delivery.event_type),
        when: format::moment(lang, delivery.created_at),
        status: lang.t(&format!("delivery-status-{}", delivery.status.as_str())),
        attempts: delivery.attempts,
        code: delivery.last_status_code.map_or_else(|| lang.t("delivery-no-code"), |c| c.to_string()),
        next: delivery
            .next_attempt_at
            .map_or_else(|| lang.t("delivery-no-next"), |at| format::moment(lang, at)),
        id: delivery.id,
    }
}

#[derive(Template)]
#[template(path = "webhook_deliveries.html")]
struct DeliveriesPage {
    chrome: Chrome,
    title: String,
    intro: String,
    back: (String, String),
    base: String,
    notice: Option<String>,
    deliveries: Vec<DeliveryLine>,
    next: Option<String>,
}

/// `GET /webhooks/{id}/deliveries`.
pub async fn log(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let page = PageRequest::parse(Some(50), cursor(&req).as_deref());
    let target = id.clone();
    let found = state
        .db
        .run(move |conn| {
            let subscription = SubscriptionDto::from(service::authorized(conn, &caller, &target)?);
            let everything = DeliveryQuery { status: None, limit: None, cursor: None };
            let deliveries = service::deliveries(conn, &caller, &target, &everything, &page?)?;
            Ok::<_, ApiError>((subscription, deliveries))
        })
        .await;
    let (subscription, deliveries) = match found {
        Ok(found) => found,
        Err(err) => return refusal(chrome, cookies, err),
    };
    let lang = chrome.lang;
    let base = format!("{}/deliveries", subscription_path(&id));
    let next = deliveries.next_cursor.map(|c| format!("{base}?{}", query_string(&[("cursor", &c)])));
    let page = DeliveriesPage {
        title: lang.t("deliveries-title"),
        intro: lang.t_with("deliveries-intro", &[("url", &subscription.url)]),
        back: (subscription_path(&id), lang.t("webhook-back")),
        notice: notice(lang, &req, &[("redelivered", "delivery-redelivered")]),
        deliveries: deliveries.items.into_iter().map(|d| line(lang, d)).collect(),
        base,
        next,
        chrome,
    };
    html(StatusCode::OK, cookies, &page)
}

/// `POST /webhooks/{id}/deliveries/{did}/redeliver`: the message goes again (with the same
/// `webhook-id`), after those queued before it.
pub async fn redeliver(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    path: web::Path<(String, String)>,
    posted: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery_id) = path.into_inner();
    if !csrf_ok(&req, value(&posted, "csrf")) {
        return refused(&state, &req, Some(&caller));
    }
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let target = id.clone();
    let again = state.db.run(move |conn| service::redeliver(conn, &caller, &target, &delivery_id)).await;
    match again {
        Ok(_) => Ok(see_other(&format!("{}/deliveries?done=redelivered", subscription_path(&id)))),
        Err(err) => refusal(chrome, cookies, err),
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/webhooks/{id}/deliveries").route(web::get().to(log)))
        .service(web::resource("/webhooks/{id}/deliveries/{did}/redeliver").route(web::post().to(redeliver)));
}
