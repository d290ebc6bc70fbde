//! HTTP handlers for webhook subscriptions and their deliveries. Municipal admins, and service
//! accounts with `webhooks:manage`.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::http::etag;
use crate::http::pagination::{Page, PageRequest};
use crate::state::AppState;

use super::dto::{
    CreateSubscription, CreatedSubscriptionDto, DeliveryDto, DeliveryQuery, SubscriptionDto,
    SubscriptionQuery, UpdateSubscription,
};
use super::service;

/// Subscribe to events.
///
/// Events of the municipality are posted to `url` as JSON `{id, type, created_at, data, links}`
/// (`data` is the record as the API returns it), signed the Standard Webhooks way:
/// `webhook-id`, `webhook-timestamp` and `webhook-signature` = `v1,` + base64 HMAC-SHA256 of
/// `{webhook-id}.{webhook-timestamp}.{body}` with the secret in this response (shown once).
/// Failed deliveries are retried with growing waits; later events wait for earlier ones.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", operation_id = "createWebhook",
    security(("bearer" = [])), request_body = CreateSubscription,
    responses((status = 201, description = "Subscribed; the secret is shown only here", body = CreatedSubscriptionDto)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<CreateSubscription>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let environment = state.settings.environment;
    let app = state.clone();
    let created = state
        .db
        .run(move |conn| service::create(conn, &caller, input, environment, &app.settings.seal_keys))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/webhooks/{}", created.subscription.id)))
        .insert_header(("Cache-Control", "no-store"))
        .json(created))
}

/// List webhook subscriptions.
///
/// Those of the municipalities whose webhooks the caller manages, oldest first; never the secrets.
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", operation_id = "listWebhooks",
    security(("bearer" = [])), params(SubscriptionQuery),
    responses((status = 200, description = "A page of subscriptions", body = Page<SubscriptionDto>)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<SubscriptionQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let municipality_id = query.municipality_id.map(|id| id.to_string());
    let result =
        state.db.run(move |conn| service::list(conn, &caller, municipality_id.as_deref(), &page)).await?;
    Ok(HttpResponse::Ok().json(result))
}

/// Get a webhook subscription.
///
/// Its URL, event types and whether it is active; never the secret.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}", tag = "webhooks", operation_id = "getWebhook",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Subscription id")),
    responses((status = 200, description = "The subscription", body = SubscriptionDto)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let dto =
        state.db.run(move |conn| Ok(SubscriptionDto::from(service::authorized(conn, &caller, &id)?))).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// Change a webhook subscription.
///
/// Its URL, event types, description, or `active`. `If-Match` makes it conditional.
#[utoipa::path(patch, path = "/api/v1/webhooks/{id}", tag = "webhooks", operation_id = "updateWebhook",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Subscription id"), ("If-Match" = Option<String>, Header)),
    request_body = UpdateSubscription,
    responses((status = 200, description = "The changed subscription", body = SubscriptionDto)))]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<uuid::Uuid>,
    body: web::Json<UpdateSubscription>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let expected = etag::expected_version(&req)?;
    let change = body.into_inner();
    let environment = state.settings.environment;
    let dto =
        state.db.run(move |conn| service::update(conn, &caller, &id, expected, change, environment)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// Rotate the signing secret.
///
/// Returns a new secret, shown only here. For the next 24 hours every message carries two
/// signatures in `webhook-signature` (new and old, space-separated), so the receiver can switch
/// without losing messages; then only the new one.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/rotate-secret", tag = "webhooks", operation_id = "rotateWebhookSecret",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Subscription id")),
    responses((status = 200, description = "The new secret, shown once", body = CreatedSubscriptionDto)))]
pub async fn rotate_secret(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let app = state.clone();
    let rotated =
        state.db.run(move |conn| service::rotate_secret(conn, &caller, &id, &app.settings.seal_keys)).await?;
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(rotated))
}

/// List deliveries.
///
/// Every message to this subscription, oldest first, with each attempt and the status code the
/// receiver answered.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks", operation_id = "listWebhookDeliveries",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Subscription id"), DeliveryQuery),
    responses((status = 200, description = "A page of deliveries", body = Page<DeliveryDto>)))]
pub async fn deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: web::Query<DeliveryQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let result = state.db.run(move |conn| service::deliveries(conn, &caller, &id, &query, &page)).await?;
    Ok(HttpResponse::Ok().json(result))
}

/// Redeliver a message.
///
/// Queues it again with the same `webhook-id`; it goes out after the messages queued before it.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/deliveries/{did}/redeliver", tag = "webhooks",
    operation_id = "redeliverWebhook", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Subscription id"),
        ("did" = uuid::Uuid, Path, description = "Delivery id")),
    responses((status = 202, description = "Queued again", body = DeliveryDto)))]
pub async fn redeliver(
    state: web::Data<AppState>,
    caller: Caller,
    ids: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery_id) = (ids.0.to_string(), ids.1.to_string());
    let dto = state.db.run(move |conn| service::redeliver(conn, &caller, &id, &delivery_id)).await?;
    Ok(HttpResponse::Accepted().json(dto))
}
