//! HTTP handlers for municipalities.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::audit::Actor;
use crate::auth::{Action, Caller, Target};
use crate::error::ApiError;
use crate::http::etag;
use crate::http::pagination::{Page, PageRequest};
use crate::state::AppState;

use super::dto::{CreateMunicipality, MunicipalityDto, UpdateMunicipality};
use super::service;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Create a municipality.
///
/// Platform admins only. Invite its first municipal admin next, through its members.
#[utoipa::path(post, path = "/api/v1/municipalities", tag = "municipalities", operation_id = "createMunicipality",
    security(("bearer" = [])), request_body = CreateMunicipality,
    responses((status = 201, description = "Created", body = MunicipalityDto)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<CreateMunicipality>,
) -> Result<HttpResponse, ApiError> {
    if !caller.is_platform_admin {
        return Err(ApiError::forbidden("Only platform admins create municipalities."));
    }
    let actor = Actor::from(&caller);
    let input = body.into_inner();
    let dto = state.db.run(move |conn| service::create(conn, &actor, input)).await?;
    Ok(etag::created(format!("/api/v1/municipalities/{}", dto.id), dto.version, dto))
}

/// List municipalities.
///
/// The municipalities the caller belongs to (all of them for platform admins).
#[utoipa::path(get, path = "/api/v1/municipalities", tag = "municipalities", operation_id = "listMunicipalities",
    security(("bearer" = [])), params(ListQuery),
    responses((status = 200, description = "A page of municipalities", body = Page<MunicipalityDto>)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let reach = caller.reach();
    let result = state.db.run(move |conn| service::list(conn, &reach, &page)).await?;
    Ok(HttpResponse::Ok().json(result))
}

/// Get a municipality.
///
/// For its members and platform admins.
#[utoipa::path(get, path = "/api/v1/municipalities/{id}", tag = "municipalities", operation_id = "getMunicipality",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Municipality id")),
    responses((status = 200, description = "The municipality", body = MunicipalityDto)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    caller.authorize(Action::Read, Target::Municipality(&id))?;
    let row = state.db.run(move |conn| service::find(conn, &id)).await?;
    let dto = MunicipalityDto::from(row);
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// Change a municipality.
///
/// Municipal admins and platform admins. Send `If-Match` with the ETag to avoid overwriting
/// someone else's change (412 when stale).
#[utoipa::path(patch, path = "/api/v1/municipalities/{id}", tag = "municipalities", operation_id = "updateMunicipality",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Municipality id"), ("If-Match" = Option<String>, Header)),
    request_body = UpdateMunicipality,
    responses((status = 200, description = "The changed municipality", body = MunicipalityDto)))]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<uuid::Uuid>,
    body: web::Json<UpdateMunicipality>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    caller.authorize(Action::Update, Target::Municipality(&id))?;
    let expected = etag::expected_version(&req)?;
    let actor = Actor::from(&caller);
    let change = body.into_inner();
    let dto = state.db.run(move |conn| service::update(conn, &actor, &id, expected, change)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}
