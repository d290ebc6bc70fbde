//! Reading the audit trail: municipal admins and auditors of a municipality, and platform admins.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::http::pagination::{Page, PageRequest};
use crate::state::AppState;

use super::trail::{self, AuditEventDto, Wanted};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only events of this municipality (required for callers in several).
    pub municipality_id: Option<uuid::Uuid>,
    /// e.g. `network`, `municipality`, `membership`.
    pub entity_type: Option<String>,
    pub entity_id: Option<uuid::Uuid>,
    /// Only events at or after this instant (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The audit trail.
///
/// Every change in the caller's municipalities (and to networks linked to them), oldest first.
/// Events cannot be changed or deleted.
#[utoipa::path(get, path = "/api/v1/audit-events", tag = "audit", operation_id = "listAuditEvents",
    security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, description = "A page of events", body = Page<AuditEventDto>)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let wanted = Wanted {
        municipality_id: query.municipality_id.map(|id| id.to_string()),
        entity_type: query.entity_type,
        entity_id: query.entity_id.map(|id| id.to_string()),
        since: query.since,
    };
    let events = state.db.run(move |conn| trail::read(conn, &caller, wanted, &page)).await?;
    Ok(HttpResponse::Ok().json(events))
}
