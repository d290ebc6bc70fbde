//! HTTP handlers for visions.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::auth::Caller;
use crate::domain::workflow::VisionAction;
use crate::error::ApiError;
use crate::http::etag;
use crate::http::extractors::optional_json;
use crate::http::pagination::{Page, PageRequest};
use crate::state::AppState;

use super::dto::{CreateVision, EndorseRequest, RevisionList, UpdateVision, VisionDto, VisionQuery};
use super::service;

/// Draft a shared vision.
///
/// Officers of the municipality, or a coordinator of a network that works with it (their
/// network among the parties). The municipality is always a party.
#[utoipa::path(post, path = "/api/v1/visions", tag = "visions", operation_id = "createVision",
    security(("bearer" = [])), request_body = CreateVision,
    responses((status = 201, description = "Drafted", body = VisionDto)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<CreateVision>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let dto = state.db.run(move |conn| service::create(conn, &caller, input)).await?;
    Ok(etag::created(format!("/api/v1/visions/{}", dto.id), dto.version, dto))
}

/// List visions.
///
/// Those of the caller's municipalities and those their networks or organisations are a party to.
#[utoipa::path(get, path = "/api/v1/visions", tag = "visions", operation_id = "listVisions",
    security(("bearer" = [])), params(VisionQuery),
    responses((status = 200, description = "A page of visions", body = Page<VisionDto>)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<VisionQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let page = state.db.run(move |conn| service::list(conn, &caller, query, &page)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a vision.
///
/// For its parties and the municipality's people. `allowed_actions` says what the caller may
/// do now.
#[utoipa::path(get, path = "/api/v1/visions/{id}", tag = "visions", operation_id = "getVision",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Vision id")),
    responses((status = 200, description = "The vision", body = VisionDto)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let dto = state.db.run(move |conn| service::get(conn, &caller, &id)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// Edit a vision.
///
/// In draft or proposed; a proposed vision returns to draft and its endorsements are cleared.
/// Every edit is a new revision.
#[utoipa::path(patch, path = "/api/v1/visions/{id}", tag = "visions", operation_id = "updateVision",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Vision id"), ("If-Match" = Option<String>, Header)),
    request_body = UpdateVision,
    responses((status = 200, description = "The edited vision", body = VisionDto)))]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<uuid::Uuid>,
    body: web::Json<UpdateVision>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let expected = etag::expected_version(&req)?;
    let change = body.into_inner();
    let dto = state.db.run(move |conn| service::update(conn, &caller, &id, expected, change)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// Every revision of a vision.
///
/// Oldest first, each with its full content.
#[utoipa::path(get, path = "/api/v1/visions/{id}/revisions", tag = "visions", operation_id = "listVisionRevisions",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Vision id")),
    responses((status = 200, description = "Every revision", body = RevisionList)))]
pub async fn revisions(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let items = state.db.run(move |conn| service::revisions(conn, &caller, &id)).await?;
    Ok(HttpResponse::Ok().json(RevisionList { items }))
}

async fn act(
    state: web::Data<AppState>,
    caller: Caller,
    id: uuid::Uuid,
    action: VisionAction,
    body: &[u8],
) -> Result<HttpResponse, ApiError> {
    let party = match action {
        VisionAction::Endorse => optional_json::<EndorseRequest>(body)?.party,
        _ => None,
    };
    let id = id.to_string();
    let dto = state.db.run(move |conn| service::act(conn, &caller, &id, action, party)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// Propose a vision to its parties.
///
/// Those who draft it. The parties can then endorse it.
#[utoipa::path(post, path = "/api/v1/visions/{id}/propose", tag = "visions", operation_id = "proposeVision",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Vision id")),
    responses((status = 200, description = "Proposed", body = VisionDto)))]
pub async fn propose(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    act(state, caller, id.into_inner(), VisionAction::Propose, &[]).await
}

/// Endorse a proposed vision for a party.
///
/// A coordinator of a party network, an officer of the municipality or a contact of a party
/// organisation. The vision is `endorsed` once every party has.
#[utoipa::path(post, path = "/api/v1/visions/{id}/endorse", tag = "visions", operation_id = "endorseVision",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Vision id")),
    request_body(content = EndorseRequest, description = "Optional: the party you endorse for"),
    responses((status = 200, description = "Endorsed", body = VisionDto)))]
pub async fn endorse(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    act(state, caller, id.into_inner(), VisionAction::Endorse, &body).await
}

/// Archive a vision.
///
/// Officers of the municipality.
#[utoipa::path(post, path = "/api/v1/visions/{id}/archive", tag = "visions", operation_id = "archiveVision",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Vision id")),
    responses((status = 200, description = "Archived", body = VisionDto)))]
pub async fn archive(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    act(state, caller, id.into_inner(), VisionAction::Archive, &[]).await
}
