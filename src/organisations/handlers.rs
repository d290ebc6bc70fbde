//! HTTP handlers for partner organisations.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::audit::Actor;
use crate::auth::{Action, Caller, Target};
use crate::domain::Scope;
use crate::error::ApiError;
use crate::http::etag;
use crate::http::pagination::{Page, PageRequest};
use crate::state::AppState;

use super::dto::{CreateOrganisation, OrganisationDto, OrganisationQuery, UpdateOrganisation};
use super::repo::OrganisationFilter;
use super::service;

/// Record a partner organisation.
///
/// Officers and municipal admins of the municipality.
#[utoipa::path(post, path = "/api/v1/organisations", tag = "organisations", operation_id = "createOrganisation",
    security(("bearer" = [])), request_body = CreateOrganisation,
    responses((status = 201, description = "Recorded", body = OrganisationDto)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<CreateOrganisation>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    caller.authorize(Action::ManageNetworks, Target::Municipality(&input.municipality_id.to_string()))?;
    let actor = Actor::from(&caller);
    let dto = state.db.run(move |conn| service::create(conn, &actor, input)).await?;
    Ok(etag::created(format!("/api/v1/organisations/{}", dto.id), dto.version, dto))
}

/// List partner organisations.
///
/// Those of the caller's municipalities, and those the caller is a contact of.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations", operation_id = "listOrganisations",
    security(("bearer" = [])), params(OrganisationQuery),
    responses((status = 200, description = "A page of organisations", body = Page<OrganisationDto>)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<OrganisationQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    caller.authorize_listing(&[Scope::AgreementsRead])?;
    let filter = OrganisationFilter {
        reach: caller.reach(),
        municipality_id: query.municipality_id.map(|m| m.to_string()),
        kind: query.kind.map(|k| k.as_str().to_owned()),
        after_id: page.after_id.clone(),
        limit: page.fetch_limit(),
    };
    let result = state.db.run(move |conn| service::list(conn, &filter, &page)).await?;
    Ok(HttpResponse::Ok().json(result))
}

/// Get a partner organisation.
///
/// For the municipality's people and the organisation's contacts.
#[utoipa::path(get, path = "/api/v1/organisations/{id}", tag = "organisations", operation_id = "getOrganisation",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Organisation id")),
    responses((status = 200, description = "The organisation", body = OrganisationDto)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let dto = state
        .db
        .run(move |conn| {
            let scope = service::scope(conn, &id)?;
            caller.authorize(Action::Read, Target::Organisation(&scope))?;
            service::find(conn, &id)
        })
        .await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// Change a partner organisation.
///
/// Officers and municipal admins of its municipality. `If-Match` makes it conditional.
#[utoipa::path(patch, path = "/api/v1/organisations/{id}", tag = "organisations", operation_id = "updateOrganisation",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Organisation id"), ("If-Match" = Option<String>, Header)),
    request_body = UpdateOrganisation,
    responses((status = 200, description = "The changed organisation", body = OrganisationDto)))]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<uuid::Uuid>,
    body: web::Json<UpdateOrganisation>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let expected = etag::expected_version(&req)?;
    let change = body.into_inner();
    let dto = state
        .db
        .run(move |conn| {
            let scope = service::scope(conn, &id)?;
            caller.authorize(Action::Update, Target::Organisation(&scope))?;
            service::update(conn, &Actor::from(&caller), &id, expected, change)
        })
        .await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}
