//! HTTP handlers for 360Giving open data. Sign-in is optional: a public municipality's data is
//! for anyone (and for shared caches); a token that is sent must be valid.

use actix_web::http::header::{HeaderValue, AUTHORIZATION, CONTENT_DISPOSITION};
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::http::etag;
use crate::state::AppState;

use super::service::{self, Period, Publication};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First award date to include, `YYYY-MM-DD`.
    #[param(format = Date, example = "2027-01-01")]
    pub from: Option<String>,
    /// Last award date to include, `YYYY-MM-DD`.
    #[param(format = Date, example = "2027-12-31")]
    pub to: Option<String>,
}

/// Awarded grants as 360Giving open data (JSON).
///
/// A 360Giving Data Standard 1.4 package of the municipality's awarded grants (approved or
/// later), optionally only those awarded between `from` and `to` (inclusive). Amounts are euros;
/// `amountDisbursed` is the sum of the paid tranches, each a `disbursementTransaction`. A
/// network that is not listed publicly appears as "Informeel netwerk". Without sign-in when the
/// municipality set `open_data_public` (then cacheable: `ETag`, `Cache-Control: public`); else
/// for those who may read the municipality.
#[utoipa::path(get, path = "/api/v1/municipalities/{id}/open-data/360giving.json", tag = "open data",
    operation_id = "openDataPackage", security((), ("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Municipality id"), PeriodQuery),
    responses((status = 200, description = "A 360Giving package", body = super::package::GrantPackage),
              (status = 304, description = "Not modified since the ETag you sent"),
              (status = 400, description = "A date that is not YYYY-MM-DD", body = crate::error::Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such municipality, or its open data is not public", body = crate::error::Problem, content_type = "application/problem+json"),
              (status = 422, description = "from is after to", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn package_json(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<uuid::Uuid>,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, ApiError> {
    let published = publication(&state, &req, id.into_inner(), &query).await?;
    let body = serde_json::to_vec(&published.package).map_err(ApiError::internal)?;
    Ok(etag::cacheable(&req, "application/json", cache_control(&published), body))
}

/// Awarded grants as 360Giving open data (CSV).
///
/// The same grants as the JSON package, one row each, with 360Giving's flattened column titles
/// (`Identifier`, `Amount Awarded`, `Recipient Org:Name`, ...). Same access and caching.
#[utoipa::path(get, path = "/api/v1/municipalities/{id}/open-data/360giving.csv", tag = "open data",
    operation_id = "openDataCsv", security((), ("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Municipality id"), PeriodQuery),
    responses((status = 200, description = "CSV with a header row", body = String, content_type = "text/csv"),
              (status = 304, description = "Not modified since the ETag you sent"),
              (status = 400, description = "A date that is not YYYY-MM-DD", body = crate::error::Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such municipality, or its open data is not public", body = crate::error::Problem, content_type = "application/problem+json"),
              (status = 422, description = "from is after to", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn package_csv(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<uuid::Uuid>,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, ApiError> {
    let published = publication(&state, &req, id.into_inner(), &query).await?;
    let body = super::csv::to_csv(&published.package)?;
    let mut response = etag::cacheable(&req, "text/csv; charset=utf-8", cache_control(&published), body);
    response
        .headers_mut()
        .insert(CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"360giving.csv\""));
    Ok(response)
}

async fn publication(
    state: &AppState,
    req: &HttpRequest,
    municipality_id: uuid::Uuid,
    query: &PeriodQuery,
) -> Result<Publication, ApiError> {
    let period = Period::parse(query.from.as_deref(), query.to.as_deref())?;
    let caller = optional_caller(req).await?;
    if caller.is_none() {
        crate::networks::directory::limit(state, req).await?;
    }
    let id = municipality_id.to_string();
    state.db.run(move |conn| service::publication(conn, caller.as_ref(), &id, period)).await
}

/// The caller when a token is sent (401 when it is not valid), `None` without one.
async fn optional_caller(req: &HttpRequest) -> Result<Option<Caller>, ApiError> {
    if !req.headers().contains_key(AUTHORIZATION) {
        return Ok(None);
    }
    Caller::extract(req).await.map(Some)
}

fn cache_control(published: &Publication) -> &'static str {
    if published.public {
        "public, max-age=300"
    } else {
        "private, no-cache"
    }
}
