//! HTTP handlers for settling grants, refunds and closing.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::grants::dto::GrantDto;
use crate::http::{etag, idempotency};
use crate::state::AppState;

use super::dto::{RefundRequest, SettleRequest, SettlementDto};
use super::service as settlement;

/// Settle a grant.
///
/// Officers, once the report the fund's tier asks for is accepted (a confirmation grant needs
/// none): the final amount, at most what was approved. What it will not use goes back to the
/// fund; paid minus settled, when positive, is a refund due. Not while one of its tranches is in
/// an open payment batch (409 `tranche_in_payment_batch`).
#[utoipa::path(post, path = "/api/v1/grants/{id}/settle", tag = "grants", operation_id = "settleGrant",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Grant id")),
    request_body = SettleRequest,
    responses((status = 200, description = "Settled", body = GrantDto)))]
pub async fn settle(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    body: web::Json<SettleRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let request = body.into_inner();
    let dto = state.db.run(move |conn| settlement::settle(conn, &caller, &id, request)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// The settlement of a grant.
///
/// The final amount, the refund due and what came back.
#[utoipa::path(get, path = "/api/v1/grants/{id}/settlement", tag = "grants", operation_id = "getSettlement",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Grant id")),
    responses((status = 200, description = "The settlement", body = SettlementDto)))]
pub async fn settlement(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let dto = state.db.run(move |conn| settlement::get(conn, &caller, &id)).await?;
    Ok(HttpResponse::Ok().json(dto))
}

/// Record a refund.
///
/// Finance or officers: money the network paid back, at most what is still due (409
/// `overpayment`). Requires an `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/grants/{id}/refunds", tag = "grants", operation_id = "recordRefund",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Grant id")),
    request_body = RefundRequest,
    responses((status = 201, description = "Recorded", body = SettlementDto)))]
pub async fn refund(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<uuid::Uuid>,
    body: web::Json<RefundRequest>,
) -> Result<HttpResponse, ApiError> {
    idempotency::require(&req, "recordRefund")?;
    let id = id.into_inner().to_string();
    let request = body.into_inner();
    let dto = state.db.run(move |conn| settlement::refund(conn, &caller, &id, request)).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/grants/{}/settlement", dto.grant_id)))
        .json(dto))
}

/// Close a settled grant.
///
/// Officers, when nothing is due either way.
#[utoipa::path(post, path = "/api/v1/grants/{id}/close", tag = "grants", operation_id = "closeGrant",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Grant id")),
    responses((status = 200, description = "Closed", body = GrantDto)))]
pub async fn close(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let dto = state.db.run(move |conn| settlement::close(conn, &caller, &id)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}
