//! HTTP handlers for funds.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::http::etag;
use crate::http::pagination::{Page, PageRequest};
use crate::ledger::EntryDto;
use crate::state::AppState;

use super::dto::{CreateFund, FundDto, FundQuery, LedgerQuery, UpdateFund};
use super::service;

/// Set up a fund.
///
/// Municipal admins of the municipality: a new fund sets its controls (budget, maximum grant,
/// four-eyes threshold).
#[utoipa::path(post, path = "/api/v1/funds", tag = "funds", operation_id = "createFund",
    security(("bearer" = [])), request_body = CreateFund,
    responses((status = 201, description = "Created", body = FundDto)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<CreateFund>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let dto = state.db.run(move |conn| service::create(conn, &caller, input)).await?;
    Ok(etag::created(format!("/api/v1/funds/{}", dto.id), dto.version, dto))
}

/// List funds.
///
/// Those of the caller's municipalities, and of municipalities their networks work with.
#[utoipa::path(get, path = "/api/v1/funds", tag = "funds", operation_id = "listFunds",
    security(("bearer" = [])), params(FundQuery),
    responses((status = 200, description = "A page of funds", body = Page<FundDto>)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<FundQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let result = state
        .db
        .run(move |conn| {
            caller.authorize_listing(&crate::auth::policy::GRANT_READERS)?;
            let municipality = query.municipality_id.map(|m| m.to_string());
            service::list(conn, &caller.reach(), municipality.as_deref(), &page)
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

/// Get a fund with its live balances.
///
/// Budget, committed, paid, refunded and available, all derived from the ledger.
#[utoipa::path(get, path = "/api/v1/funds/{id}", tag = "funds", operation_id = "getFund",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Fund id")),
    responses((status = 200, description = "The fund", body = FundDto)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let dto = state.db.run(move |conn| service::get(conn, &caller, &id)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// Change a fund.
///
/// Officers and municipal admins; the controls (`budget_cents`, `max_grant_cents`,
/// `four_eyes_threshold_cents`) only municipal admins (403 otherwise), audited as
/// `fund.controls_changed`. A changed threshold applies to applications submitted from then on.
/// The budget can be raised, or lowered down to what is already committed (409
/// `budget_below_committed`).
#[utoipa::path(patch, path = "/api/v1/funds/{id}", tag = "funds", operation_id = "updateFund",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Fund id"), ("If-Match" = Option<String>, Header)),
    request_body = UpdateFund,
    responses((status = 200, description = "The changed fund", body = FundDto)))]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<uuid::Uuid>,
    body: web::Json<UpdateFund>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let expected = etag::expected_version(&req)?;
    let change = body.into_inner();
    let dto = state.db.run(move |conn| service::update(conn, &caller, &id, expected, change)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// The fund's ledger.
///
/// Every change of money, oldest first: commits, releases, payments, refunds.
#[utoipa::path(get, path = "/api/v1/funds/{id}/ledger", tag = "funds", operation_id = "getFundLedger",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Fund id"), LedgerQuery),
    responses((status = 200, description = "A page of ledger entries", body = Page<EntryDto>)))]
pub async fn ledger(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: web::Query<LedgerQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let result = state.db.run(move |conn| service::ledger(conn, &caller, &id, &page)).await?;
    Ok(HttpResponse::Ok().json(result))
}
