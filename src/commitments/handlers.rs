//! HTTP handlers for commitments.

use actix_web::{web, HttpResponse};

use crate::auth::Caller;
use crate::domain::workflow::CommitmentAction;
use crate::error::ApiError;
use crate::http::etag;
use crate::http::extractors::optional_json;
use crate::http::pagination::{Page, PageRequest};
use crate::state::AppState;

use super::dto::{CommitmentActionRequest, CommitmentDto, CommitmentQuery};
use super::service;

/// Commitments across agreements.
///
/// What is due and who owes what: an officer sees the municipality's, a network what it owes
/// and is owed. Filters combine.
#[utoipa::path(get, path = "/api/v1/commitments", tag = "agreements", operation_id = "listCommitments",
    security(("bearer" = [])), params(CommitmentQuery),
    responses((status = 200, description = "A page of commitments", body = Page<CommitmentDto>)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<CommitmentQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let page = state.db.run(move |conn| service::list(conn, &caller, query, &page)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a commitment.
///
/// For everyone who can see its agreement.
#[utoipa::path(get, path = "/api/v1/commitments/{id}", tag = "agreements", operation_id = "getCommitment",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Commitment id")),
    responses((status = 200, description = "The commitment", body = CommitmentDto)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let dto = state.db.run(move |conn| service::get(conn, &caller, &id)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

async fn act(
    state: web::Data<AppState>,
    caller: Caller,
    id: uuid::Uuid,
    action: CommitmentAction,
    body: &[u8],
) -> Result<HttpResponse, ApiError> {
    let request: CommitmentActionRequest = optional_json(body)?;
    let id = id.to_string();
    let dto = state.db.run(move |conn| service::act(conn, &caller, &id, action, request.note)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// Mark a commitment done.
///
/// The owing party's representative or an officer; an optional `note`.
#[utoipa::path(post, path = "/api/v1/commitments/{id}/complete", tag = "agreements", operation_id = "completeCommitment",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Commitment id")),
    request_body(content = CommitmentActionRequest, description = "Optional: a note"),
    responses((status = 200, description = "Done", body = CommitmentDto)))]
pub async fn complete(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    act(state, caller, id.into_inner(), CommitmentAction::Complete, &body).await
}

/// Mark a commitment missed.
///
/// The owing party's representative or an officer; an optional `note`.
#[utoipa::path(post, path = "/api/v1/commitments/{id}/miss", tag = "agreements", operation_id = "missCommitment",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Commitment id")),
    request_body(content = CommitmentActionRequest, description = "Optional: a note"),
    responses((status = 200, description = "Missed", body = CommitmentDto)))]
pub async fn miss(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    act(state, caller, id.into_inner(), CommitmentAction::Miss, &body).await
}

/// Waive a commitment.
///
/// The owing party's representative or an officer, with a `note` saying why.
#[utoipa::path(post, path = "/api/v1/commitments/{id}/waive", tag = "agreements", operation_id = "waiveCommitment",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Commitment id")),
    request_body(content = CommitmentActionRequest, description = "A note saying why"),
    responses((status = 200, description = "Waived", body = CommitmentDto)))]
pub async fn waive(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    act(state, caller, id.into_inner(), CommitmentAction::Waive, &body).await
}
