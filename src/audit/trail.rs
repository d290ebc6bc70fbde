//! Reading the audit trail, for the API and the pages alike: municipal admins and auditors of a
//! municipality, and platform admins; oldest first; events with who acted and what changed.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Action, Caller, Target};
use crate::db::page::{Page, PageRequest};
use crate::db::DbConnection;
use crate::domain::time::utc;
use crate::error::ApiError;

use super::repo::{AuditEventRow, AuditFilter};

/// Which events to read.
#[derive(Debug, Clone, Default)]
pub struct Wanted {
    /// Only this municipality's (required for callers in several who may not read all).
    pub municipality_id: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub since: Option<DateTime<Utc>>,
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
    pub fn new(row: AuditEventRow, service_accounts: &[String]) -> Self {
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

/// A page of the events the caller may read.
pub fn read(
    conn: &mut DbConnection,
    caller: &Caller,
    wanted: Wanted,
    page: &PageRequest,
) -> Result<Page<AuditEventDto>, ApiError> {
    let municipality_ids = match wanted.municipality_id {
        Some(id) => {
            caller.authorize(Action::ReadAudit, Target::Municipality(&id))?;
            Some(vec![id])
        }
        None if caller.is_platform_admin => None,
        None => {
            let readable = readable_municipalities(caller);
            if readable.is_empty() {
                return Err(ApiError::forbidden("Only municipal admins and auditors read the audit trail."));
            }
            Some(readable)
        }
    };
    let filter = AuditFilter {
        municipality_ids,
        entity_type: wanted.entity_type,
        entity_id: wanted.entity_id,
        since: wanted.since.map(|s| s.naive_utc()),
        after_id: page.after_id.clone(),
        limit: page.fetch_limit(),
    };
    let (events, service_accounts) = super::list(conn, &filter, page)?;
    Ok(events.map(|r| AuditEventDto::new(r, &service_accounts)))
}

/// The municipalities whose trail the caller may read.
pub fn readable_municipalities(caller: &Caller) -> Vec<String> {
    caller
        .municipality_ids()
        .into_iter()
        .filter(|id| caller.may(Action::ReadAudit, Target::Municipality(id)))
        .collect()
}
