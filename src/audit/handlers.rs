//! Reading the audit trail: municipal admins and auditors of a municipality, and platform admins.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Action, Caller, Target};
use crate::domain::time::utc;
use crate::error::ApiError;
use crate::http::pagination::{Page, PageRequest};
use crate::state::AppState;

use super::repo::{AuditEventRow, AuditFilter};

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

crate::domain::text_enum! {
    /// What kind of actor made a change.
    pub enum ActorKind {
        Person,
        /// Another system, through a service account's API token.
        ServiceAccount,
        /// Pactum itself (the date job, reminders).
        System,
    }
}

/// One recorded change.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventDto {
    pub id: String,
    pub municipality_id: Option<String>,
    pub network_id: Option<String>,
    /// Who made the change: a person's user id, or a service account's id (`null` for the
    /// system itself, e.g. the date job).
    pub actor_user_id: Option<String>,
    pub actor_kind: ActorKind,
    #[schema(example = "network.updated")]
    pub action: String,
    #[schema(example = "network")]
    pub entity_type: String,
    pub entity_id: String,
    pub request_id: Option<String>,
    /// Changed fields: `{"field": {"before": .., "after": ..}}`.
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

impl AuditEventDto {
    fn new(row: AuditEventRow, service_accounts: &[String]) -> Self {
        let actor_kind = match &row.actor_user_id {
            None => ActorKind::System,
            Some(id) if service_accounts.contains(id) => ActorKind::ServiceAccount,
            Some(_) => ActorKind::Person,
        };
        Self {
            actor_kind,
            id: row.id,
            municipality_id: row.municipality_id,
            network_id: row.network_id,
            actor_user_id: row.actor_user_id,
            action: row.action,
            entity_type: row.entity_type,
            entity_id: row.entity_id,
            request_id: row.request_id,
            changes: serde_json::from_str(&row.changes).unwrap_or(serde_json::Value::Null),
            created_at: utc(row.created_at),
        }
    }
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
    let municipality_ids = match query.municipality_id.map(|id| id.to_string()) {
        Some(id) => {
            caller.authorize(Action::ReadAudit, Target::Municipality(&id))?;
            Some(vec![id])
        }
        None if caller.is_platform_admin => None,
        None => {
            let readable: Vec<String> = caller
                .municipality_ids()
                .into_iter()
                .filter(|id| caller.may(Action::ReadAudit, Target::Municipality(id)))
                .collect();
            if readable.is_empty() {
                return Err(ApiError::forbidden("Only municipal admins and auditors read the audit trail."));
            }
            Some(readable)
        }
    };
    let filter = AuditFilter {
        municipality_ids,
        entity_type: query.entity_type,
        entity_id: query.entity_id.map(|id| id.to_string()),
        since: query.since.map(|s| s.naive_utc()),
        after_id: page.after_id.clone(),
        limit: page.fetch_limit(),
    };
    let (events, service_accounts) = state.db.run(move |conn| super::list(conn, &filter, &page)).await?;
    Ok(HttpResponse::Ok().json(events.map(|r| AuditEventDto::new(r, &service_accounts))))
}
