//! HTTP handlers for payment batches.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::etag;
use crate::http::idempotency;
use crate::http::pagination::{Page, PageRequest};
use crate::state::AppState;

use super::dto::{ConfirmPaymentBatch, CreatePaymentBatch, PaymentBatchDto, PaymentBatchQuery};
use super::service;

/// Make a payment batch.
///
/// Finance, officers and municipal admins (who may pay). Gathers the fund's scheduled tranches
/// due on or before `due_before`, on approved, active or reporting grants and in no other open
/// batch, earliest first (at most 1000). 422 when the fund has no debtor account or no tranche
/// qualifies.
#[utoipa::path(post, path = "/api/v1/funds/{id}/payment-batches", tag = "payments",
    operation_id = "createPaymentBatch", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Fund id")), request_body = CreatePaymentBatch,
    responses((status = 201, description = "Created", body = PaymentBatchDto)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    body: web::Json<CreatePaymentBatch>,
) -> Result<HttpResponse, ApiError> {
    let fund_id = id.into_inner().to_string();
    let input = body.into_inner();
    let dto = state.db.run(move |conn| service::create(conn, &caller, &fund_id, input)).await?;
    Ok(etag::created(format!("/api/v1/payment-batches/{}", dto.id), dto.version, dto))
}

/// List a fund's payment batches.
///
/// The municipality's people, oldest first.
#[utoipa::path(get, path = "/api/v1/funds/{id}/payment-batches", tag = "payments",
    operation_id = "listPaymentBatches", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Fund id"), PaymentBatchQuery),
    responses((status = 200, description = "A page of payment batches", body = Page<PaymentBatchDto>)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: web::Query<PaymentBatchQuery>,
) -> Result<HttpResponse, ApiError> {
    let fund_id = id.into_inner().to_string();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let result = state.db.run(move |conn| service::list(conn, &caller, &fund_id, &page)).await?;
    Ok(HttpResponse::Ok().json(result))
}

/// Get a payment batch with its transfers.
///
/// The municipality's people: the debtor account, each transfer (creditor, IBAN, amount,
/// end-to-end id, remittance text) and its status, and the totals.
#[utoipa::path(get, path = "/api/v1/payment-batches/{id}", tag = "payments",
    operation_id = "getPaymentBatch", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Payment batch id")),
    responses((status = 200, description = "The payment batch", body = PaymentBatchDto)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let dto = state.db.run(move |conn| service::get(conn, &caller, &id)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// The batch's SEPA credit transfer file.
///
/// ISO 20022 `pain.001.001.03`, for the bank's bulk payment upload. The same file every time;
/// 409 for a cancelled batch.
#[utoipa::path(get, path = "/api/v1/payment-batches/{id}/pain.001.xml", tag = "payments",
    operation_id = "getPaymentBatchFile", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Payment batch id")),
    responses((status = 200, description = "The pain.001.001.03 document", content_type = "application/xml", body = String),
        (status = 409, description = "`invalid_transition`: a cancelled batch has no file", body = Problem, content_type = "application/problem+json")))]
pub async fn file(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let (message_id, xml) = state.db.run(move |conn| service::file(conn, &caller, &id)).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/xml")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{message_id}.xml\"")))
        .body(xml))
}

/// Confirm a payment batch: the bank executed it.
///
/// Marks every tranche in the batch paid on `paid_on`, in one transaction, with the same ledger
/// entries, audit events and notices as single payments. While the batch is open its tranches
/// are not paid or cancelled on their own (409 `tranche_in_payment_batch`); a tranche that left
/// `scheduled` anyway is skipped (item status `skipped`), never paid twice. Confirming a
/// confirmed batch again with the same `paid_on` returns it unchanged. Requires an
/// `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/payment-batches/{id}/confirm", tag = "payments",
    operation_id = "confirmPaymentBatch", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Payment batch id")), request_body = ConfirmPaymentBatch,
    responses((status = 200, description = "Confirmed", body = PaymentBatchDto)))]
pub async fn confirm(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<uuid::Uuid>,
    body: web::Json<ConfirmPaymentBatch>,
) -> Result<HttpResponse, ApiError> {
    idempotency::require(&req, "confirmPaymentBatch")?;
    let id = id.into_inner().to_string();
    let input = body.into_inner();
    let dto = state.db.run(move |conn| service::confirm(conn, &caller, &id, input)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// Cancel an open payment batch.
///
/// Its tranches are free for another batch. Do not send its file to the bank.
#[utoipa::path(post, path = "/api/v1/payment-batches/{id}/cancel", tag = "payments",
    operation_id = "cancelPaymentBatch", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Payment batch id")),
    responses((status = 200, description = "Cancelled", body = PaymentBatchDto)))]
pub async fn cancel(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let dto = state.db.run(move |conn| service::cancel(conn, &caller, &id)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}
