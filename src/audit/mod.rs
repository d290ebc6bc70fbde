//! The audit trail: every change writes an event in the same transaction as the change, with
//! who, what, where and the fields before and after. Events are never changed or deleted.

pub mod handlers;
pub mod repo;
pub mod trail;

use actix_web::web;
use serde_json::{Map, Value};

use crate::auth::Caller;
use crate::db::page::{Page, PageRequest};
use crate::db::DbConnection;
use crate::domain::time::now;
use crate::error::ApiError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/v1/audit-events").route(web::get().to(handlers::list)));
}

/// Who made a change, and in which request.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: Option<String>,
    pub request_id: Option<String>,
}

impl From<&Caller> for Actor {
    fn from(caller: &Caller) -> Self {
        Self { user_id: Some(caller.user_id.clone()), request_id: caller.request_id.clone() }
    }
}

/// One change to record.
pub struct Event<'a> {
    /// e.g. `network.updated`, `member.invited`.
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub municipality_id: Option<&'a str>,
    pub network_id: Option<&'a str>,
    /// `{"field": {"before": .., "after": ..}}`; never passwords or tokens.
    pub changes: Value,
}

pub fn record(conn: &mut DbConnection, actor: &Actor, event: Event<'_>) -> diesel::QueryResult<()> {
    repo::insert(
        conn,
        &repo::NewAuditEvent {
            id: &uuid::Uuid::now_v7().to_string(),
            municipality_id: event.municipality_id,
            network_id: event.network_id,
            actor_user_id: actor.user_id.as_deref(),
            action: event.action,
            entity_type: event.entity_type,
            entity_id: event.entity_id,
            request_id: actor.request_id.as_deref(),
            changes: &event.changes.to_string(),
            created_at: now(),
        },
    )
}

/// The fields that differ between two JSON objects, as `{"field": {"before", "after"}}`.
/// `None` before means created; bookkeeping fields (version, timestamps) are left out.
pub fn changes(before: Option<&Value>, after: &Value) -> Value {
    const IGNORED: [&str; 4] = ["version", "updated_at", "created_at", "allowed_actions"];
    let empty = Map::new();
    let before = before.and_then(Value::as_object).unwrap_or(&empty);
    let mut diff = Map::new();
    if let Some(after) = after.as_object() {
        for (field, value) in after {
            let old = before.get(field).unwrap_or(&Value::Null);
            if !IGNORED.contains(&field.as_str()) && old != value {
                diff.insert(field.clone(), serde_json::json!({"before": old, "after": value}));
            }
        }
    }
    Value::Object(diff)
}

/// A page of events, with those of their actors that are service accounts (to name them so).
pub fn list(
    conn: &mut DbConnection,
    filter: &repo::AuditFilter,
    page: &PageRequest,
) -> Result<(Page<repo::AuditEventRow>, Vec<String>), ApiError> {
    let rows = repo::list(conn, filter)?;
    let actors: Vec<String> = rows.iter().filter_map(|r| r.actor_user_id.clone()).collect();
    let service_accounts = repo::service_accounts_among(conn, &actors)?;
    Ok((Page::from_rows(rows, page, |r| &r.id, |r| r), service_accounts))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn changes_list_only_what_differs() {
        let before = json!({"name": "Oud", "kind": "other", "version": 1});
        let after = json!({"name": "Nieuw", "kind": "other", "version": 2});
        assert_eq!(
            super::changes(Some(&before), &after),
            json!({"name": {"before": "Oud", "after": "Nieuw"}})
        );
        assert_eq!(
            super::changes(None, &json!({"name": "A"})),
            json!({"name": {"before": null, "after": "A"}})
        );
    }
}
