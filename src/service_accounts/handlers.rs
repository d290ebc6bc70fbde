//! HTTP handlers for service accounts and their API tokens. Municipal admins only (the service
//! asks the policy).

use actix_web::{web, HttpRequest, HttpResponse};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::http::etag;
use crate::http::pagination::{Page, PageRequest};
use crate::state::AppState;

use super::dto::{
    CreateServiceAccount, IssueToken, IssuedTokenDto, ServiceAccountDto, ServiceAccountQuery, TokenDto,
    UpdateServiceAccount,
};
use super::service;

/// Create a service account.
///
/// For another system of the municipality (finance, case management, the website): a name,
/// the scopes its tokens get, and optionally when it stops working. Municipal admins.
#[utoipa::path(post, path = "/api/v1/municipalities/{id}/service-accounts", tag = "service-accounts",
    operation_id = "createServiceAccount", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Municipality id")), request_body = CreateServiceAccount,
    responses((status = 201, description = "Created", body = ServiceAccountDto)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    body: web::Json<CreateServiceAccount>,
) -> Result<HttpResponse, ApiError> {
    let municipality_id = id.into_inner().to_string();
    let input = body.into_inner();
    let dto = state.db.run(move |conn| service::create(conn, &caller, &municipality_id, input)).await?;
    let mut response = HttpResponse::Created();
    response.insert_header((
        "Location",
        format!("/api/v1/municipalities/{}/service-accounts/{}", dto.municipality_id, dto.id),
    ));
    Ok(etag::with_etag(response, dto.version, dto))
}

/// List service accounts.
///
/// The municipality's service accounts with their scopes, oldest first. Municipal admins.
#[utoipa::path(get, path = "/api/v1/municipalities/{id}/service-accounts", tag = "service-accounts",
    operation_id = "listServiceAccounts", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Municipality id"), ServiceAccountQuery),
    responses((status = 200, description = "A page of service accounts", body = Page<ServiceAccountDto>)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: web::Query<ServiceAccountQuery>,
) -> Result<HttpResponse, ApiError> {
    let municipality_id = id.into_inner().to_string();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let result = state.db.run(move |conn| service::list(conn, &caller, &municipality_id, &page)).await?;
    Ok(HttpResponse::Ok().json(result))
}

/// Get a service account.
///
/// Its name, scopes, expiry and whether it is active. Municipal admins.
#[utoipa::path(get, path = "/api/v1/municipalities/{id}/service-accounts/{sid}", tag = "service-accounts",
    operation_id = "getServiceAccount", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Municipality id"),
        ("sid" = uuid::Uuid, Path, description = "Service account id")),
    responses((status = 200, description = "The service account", body = ServiceAccountDto)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    ids: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (municipality_id, id) = (ids.0.to_string(), ids.1.to_string());
    let dto = state.db.run(move |conn| service::get(conn, &caller, &municipality_id, &id)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// Change a service account.
///
/// Its name, scopes or expiry; `active: false` stops all its tokens at once. `If-Match` makes
/// it conditional.
#[utoipa::path(patch, path = "/api/v1/municipalities/{id}/service-accounts/{sid}", tag = "service-accounts",
    operation_id = "updateServiceAccount", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Municipality id"),
        ("sid" = uuid::Uuid, Path, description = "Service account id"), ("If-Match" = Option<String>, Header)),
    request_body = UpdateServiceAccount,
    responses((status = 200, description = "The changed service account", body = ServiceAccountDto)))]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    ids: web::Path<(uuid::Uuid, uuid::Uuid)>,
    body: web::Json<UpdateServiceAccount>,
) -> Result<HttpResponse, ApiError> {
    let (municipality_id, id) = (ids.0.to_string(), ids.1.to_string());
    let expected = etag::expected_version(&req)?;
    let change = body.into_inner();
    let dto = state
        .db
        .run(move |conn| service::update(conn, &caller, &municipality_id, &id, expected, change))
        .await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// Issue an API token.
///
/// The token (`pct_` and 256 random bits) is in this response and nowhere else: Pactum keeps
/// only its hash. Send it as `Authorization: Bearer pct_...`.
#[utoipa::path(post, path = "/api/v1/municipalities/{id}/service-accounts/{sid}/tokens", tag = "service-accounts",
    operation_id = "issueServiceAccountToken", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Municipality id"),
        ("sid" = uuid::Uuid, Path, description = "Service account id")),
    request_body(content = IssueToken, description = "Optional: a `label` and an `expires_at`"),
    responses((status = 201, description = "The new token, shown once", body = IssuedTokenDto)))]
pub async fn issue_token(
    state: web::Data<AppState>,
    caller: Caller,
    ids: web::Path<(uuid::Uuid, uuid::Uuid)>,
    body: Option<web::Json<IssueToken>>,
) -> Result<HttpResponse, ApiError> {
    let (municipality_id, id) = (ids.0.to_string(), ids.1.to_string());
    let input = body.map(web::Json::into_inner).unwrap_or_default();
    let tokens = format!("/api/v1/municipalities/{municipality_id}/service-accounts/{id}/tokens");
    let issued =
        state.db.run(move |conn| service::issue_token(conn, &caller, &municipality_id, &id, input)).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", tokens))
        .insert_header(("Cache-Control", "no-store"))
        .json(issued))
}

/// List a service account's tokens.
///
/// With when each was last used; never the tokens themselves.
#[utoipa::path(get, path = "/api/v1/municipalities/{id}/service-accounts/{sid}/tokens", tag = "service-accounts",
    operation_id = "listServiceAccountTokens", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Municipality id"),
        ("sid" = uuid::Uuid, Path, description = "Service account id")),
    responses((status = 200, description = "The tokens, oldest first", body = Vec<TokenDto>)))]
pub async fn list_tokens(
    state: web::Data<AppState>,
    caller: Caller,
    ids: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (municipality_id, id) = (ids.0.to_string(), ids.1.to_string());
    let tokens = state.db.run(move |conn| service::list_tokens(conn, &caller, &municipality_id, &id)).await?;
    Ok(HttpResponse::Ok().json(tokens))
}

/// Revoke an API token.
///
/// From the next request on, the token gets 401. Revoking again changes nothing.
#[utoipa::path(post, path = "/api/v1/municipalities/{id}/service-accounts/{sid}/tokens/{tid}/revoke",
    tag = "service-accounts", operation_id = "revokeServiceAccountToken", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Municipality id"),
        ("sid" = uuid::Uuid, Path, description = "Service account id"),
        ("tid" = uuid::Uuid, Path, description = "Token id")),
    responses((status = 200, description = "The revoked token", body = TokenDto)))]
pub async fn revoke_token(
    state: web::Data<AppState>,
    caller: Caller,
    ids: web::Path<(uuid::Uuid, uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (municipality_id, id, token_id) = (ids.0.to_string(), ids.1.to_string(), ids.2.to_string());
    let token = state
        .db
        .run(move |conn| service::revoke_token(conn, &caller, &municipality_id, &id, &token_id))
        .await?;
    Ok(HttpResponse::Ok().json(token))
}
