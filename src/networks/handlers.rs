//! HTTP handlers for networks and their municipality links.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::audit::Actor;
use crate::auth::{Action, Caller, Target};
use crate::error::ApiError;
use crate::http::etag;
use crate::http::pagination::{Page, PageRequest};
use crate::state::AppState;

use super::dto::{CreateNetwork, LinkRequest, NetworkDto, NetworkQuery, UpdateNetwork};
use super::repo::NetworkFilter;
use super::service;

/// Register a network.
///
/// An officer of `municipality_id` registers a network on its behalf and the link is active at
/// once. Anyone else who registers a network becomes its coordinator; naming a municipality
/// then asks it to work with the network.
#[utoipa::path(post, path = "/api/v1/networks", tag = "networks", operation_id = "createNetwork",
    security(("bearer" = [])), request_body = CreateNetwork,
    responses((status = 201, description = "Registered", body = NetworkDto)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<CreateNetwork>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let app = state.clone();
    let dto = state
        .db
        .run(move |conn| service::create(conn, &caller, input, Some(app.settings.link_mail())))
        .await?;
    Ok(etag::created(format!("/api/v1/networks/{}", dto.id), dto.version, dto))
}

/// List networks.
///
/// The networks the caller may see: their own, and those linked to their municipalities.
/// Filters combine; unknown filter values are a 400.
#[utoipa::path(get, path = "/api/v1/networks", tag = "networks", operation_id = "listNetworks",
    security(("bearer" = [])), params(NetworkQuery),
    responses((status = 200, description = "A page of networks", body = Page<NetworkDto>)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<NetworkQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    if query.link_status.is_some() && query.municipality_id.is_none() {
        return Err(ApiError::bad_request("link_status needs municipality_id."));
    }
    let filter = NetworkFilter {
        reach: caller.reach(),
        active_links_only: caller.service_account.is_some(),
        theme: query.theme,
        kind: query.kind.map(|k| k.as_str().to_owned()),
        neighbourhood: query.neighbourhood,
        name_contains: query.q.filter(|q| !q.trim().is_empty()).map(|q| q.trim().to_owned()),
        municipality_id: query.municipality_id.map(|m| m.to_string()),
        link_status: query.link_status.map(|s| s.as_str().to_owned()),
        listed_only: false,
        after_id: page.after_id.clone(),
        limit: page.fetch_limit(),
    };
    let request = page.clone();
    let page = state
        .db
        .run(move |conn| {
            let rows = service::list(conn, &filter)?;
            let page = Page::from_rows(rows, &request, |r| &r.id, |r| r);
            let items = service::to_dtos(conn, page.items)?;
            Ok(Page { items, next_cursor: page.next_cursor })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a network.
///
/// For its members, members of municipalities it is linked to (or asked to be), and
/// platform admins.
#[utoipa::path(get, path = "/api/v1/networks/{id}", tag = "networks", operation_id = "getNetwork",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Network id")),
    responses((status = 200, description = "The network", body = NetworkDto)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let dto = state.db.run(move |conn| service::get(conn, &caller, &id)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// Change a network's profile.
///
/// Coordinators of the network. Send `If-Match` with the ETag to avoid overwriting someone
/// else's change (412 when stale).
#[utoipa::path(patch, path = "/api/v1/networks/{id}", tag = "networks", operation_id = "updateNetwork",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Network id"), ("If-Match" = Option<String>, Header)),
    request_body = UpdateNetwork,
    responses((status = 200, description = "The changed network", body = NetworkDto)))]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<uuid::Uuid>,
    body: web::Json<UpdateNetwork>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let expected = etag::expected_version(&req)?;
    let change = body.into_inner();
    let app = state.clone();
    let dto = state
        .db
        .run(move |conn| service::update_by(conn, &caller, &id, expected, change, app.settings.link_mail()))
        .await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// Send the contact address a new confirmation link.
///
/// Coordinators of the network, when the first link got lost or expired. The network appears
/// in the public directory, and receives its messages, only once the address is confirmed.
#[utoipa::path(post, path = "/api/v1/networks/{id}/contact-confirmation", tag = "networks", operation_id = "askContactConfirmation",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Network id")),
    responses((status = 202, description = "A new link is on its way to the contact address")))]
pub async fn ask_contact_confirmation(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let app = state.clone();
    state
        .db
        .run(move |conn| super::contact::resend_confirmation(conn, &caller, &id, app.settings.link_mail()))
        .await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Ask a municipality to work with this network.
///
/// Coordinators of the network. The municipality's officers accept or decline.
#[utoipa::path(post, path = "/api/v1/networks/{id}/link-requests", tag = "networks", operation_id = "requestNetworkLink",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Network id")),
    request_body = LinkRequest,
    responses((status = 201, description = "Requested; the network with its links", body = NetworkDto)))]
pub async fn request_link(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    body: web::Json<LinkRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let municipality_id = body.into_inner().municipality_id.to_string();
    let dto = state
        .db
        .run(move |conn| {
            let scope = service::scope(conn, &id)?;
            caller.authorize(Action::Update, Target::Network(&scope))?;
            service::request_link(conn, &Actor::from(&caller), &id, &municipality_id)
        })
        .await?;
    Ok(etag::created(format!("/api/v1/networks/{}", dto.id), dto.version, dto))
}

/// Accept a network's request to work with the municipality.
///
/// Officers and municipal admins of the municipality.
#[utoipa::path(post, path = "/api/v1/municipalities/{id}/networks/{network_id}/accept", tag = "networks",
    operation_id = "acceptNetworkLink", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Municipality id"),
           ("network_id" = uuid::Uuid, Path, description = "Network id")),
    responses((status = 200, description = "The network, now linked", body = NetworkDto)))]
pub async fn accept_link(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (municipality_id, network_id) = path.into_inner();
    let (municipality_id, network_id) = (municipality_id.to_string(), network_id.to_string());
    let dto =
        state.db.run(move |conn| service::accept_link(conn, &caller, &municipality_id, &network_id)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// Decline a network's request to work with the municipality.
///
/// Officers and municipal admins of the municipality. The request is removed.
#[utoipa::path(post, path = "/api/v1/municipalities/{id}/networks/{network_id}/decline", tag = "networks",
    operation_id = "declineNetworkLink", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Municipality id"),
           ("network_id" = uuid::Uuid, Path, description = "Network id")),
    responses((status = 204, description = "Declined")))]
pub async fn decline_link(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (municipality_id, network_id) = path.into_inner();
    let (municipality_id, network_id) = (municipality_id.to_string(), network_id.to_string());
    state.db.run(move |conn| service::decline_link(conn, &caller, &municipality_id, &network_id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
