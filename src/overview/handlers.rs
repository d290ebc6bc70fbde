//! HTTP handler for the municipality's overview.

use actix_web::{web, HttpResponse};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

use super::service::{self, Overview};

/// The municipality's figures.
///
/// For the municipality's people: per fund its budget, committed, paid and remaining (as
/// `GET /api/v1/funds/{id}` reports them); grants by status (drafts left out); decision terms
/// met and missed (decided on or before `decision_due_on`, decided after it, still open within
/// it, still open past it); per network and in total the people reached (per grant the highest
/// number of its submitted or accepted reports), and the themes and neighbourhoods of the
/// networks' profiles (in total: of the networks that reported).
#[utoipa::path(get, path = "/api/v1/municipalities/{id}/overview", tag = "municipalities",
    operation_id = "getMunicipalityOverview", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Municipality id")),
    responses((status = 200, description = "The overview", body = Overview)))]
pub async fn overview(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let overview = state.db.run(move |conn| service::overview(conn, &caller, &id)).await?;
    Ok(HttpResponse::Ok().json(overview))
}
