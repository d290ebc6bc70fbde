//! Liveness and readiness, for load balancers and orchestrators.

use actix_web::{web, HttpResponse};
use diesel::connection::SimpleConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Whether the service is up.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` while the process runs; `ready` when it can also reach its database.
    #[schema(example = "ready")]
    pub status: &'static str,
    /// `sqlite` or `postgres`, on readiness.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "postgres")]
    pub database: Option<&'static str>,
}

/// Is the process up?
///
/// Answers as long as the process runs; touches nothing else. For liveness probes.
#[utoipa::path(get, path = "/healthz", tag = "operations", operation_id = "liveness",
    responses((status = 200, description = "The process is up", body = Health)))]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok", database: None })
}

/// Can the service do work?
///
/// Checks that the database answers. For readiness probes and load balancers: while this
/// is 503, send no traffic.
#[utoipa::path(get, path = "/readyz", tag = "operations", operation_id = "readiness",
    responses(
        (status = 200, description = "The database answers", body = Health),
        (status = 503, description = "The database cannot be reached", body = Problem,
         content_type = "application/problem+json"),
    ))]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.db.run(|conn| conn.batch_execute("SELECT 1").map_err(ApiError::unavailable)).await?;
    Ok(HttpResponse::Ok().json(Health { status: "ready", database: Some(state.db.target().backend_name()) }))
}
