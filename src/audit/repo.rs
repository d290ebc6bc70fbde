//! Queries on `audit_events`: insert and a scoped, paginated read. No update, no delete.

use chrono::NaiveDateTime;
use diesel::dsl::{AsSelect, SqlTypeOf};
use diesel::prelude::*;

use crate::db::page::read_apart;
use crate::db::schema::{audit_events, municipality_networks, service_accounts};
use crate::db::{Backend, DbConnection};

#[derive(Debug, Insertable)]
#[diesel(table_name = audit_events)]
pub struct NewAuditEvent<'a> {
    pub id: &'a str,
    pub municipality_id: Option<&'a str>,
    pub network_id: Option<&'a str>,
    pub actor_user_id: Option<&'a str>,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub request_id: Option<&'a str>,
    pub changes: &'a str,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditEventRow {
    pub id: String,
    pub municipality_id: Option<String>,
    pub network_id: Option<String>,
    pub actor_user_id: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub request_id: Option<String>,
    pub changes: String,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, event: &NewAuditEvent<'_>) -> QueryResult<()> {
    diesel::insert_into(audit_events::table).values(event).execute(conn).map(drop)
}

pub struct AuditFilter {
    /// `None`: every municipality (platform admins only).
    pub municipality_ids: Option<Vec<String>>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub since: Option<NaiveDateTime>,
    pub after_id: Option<String>,
    pub limit: i64,
}

/// Events of the given municipalities, including those about networks linked to them: a page
/// per municipality (`audit_events_municipality`) and one of the events that belong to no
/// municipality (`audit_events_without_municipality`, a partial index), merged; so a page costs
/// the same however long the trail grows.
pub fn list(conn: &mut DbConnection, filter: &AuditFilter) -> QueryResult<Vec<AuditEventRow>> {
    let Some(ids) = &filter.municipality_ids else {
        return page_query(filter).load(conn);
    };
    let linked_networks = municipality_networks::table
        .filter(municipality_networks::municipality_id.eq_any(ids))
        .select(municipality_networks::network_id.nullable());
    let without_municipality = page_query(filter)
        .filter(audit_events::municipality_id.is_null())
        .filter(audit_events::network_id.eq_any(linked_networks));
    let parts = ids
        .iter()
        .map(|id| page_query(filter).filter(audit_events::municipality_id.eq(id)))
        .chain(std::iter::once(without_municipality));
    read_apart(parts, filter.limit, |part| part.load(conn), |event: &AuditEventRow| &event.id)
}

/// The filter's conditions, in id order after the cursor, at most one page.
fn page_query(
    filter: &AuditFilter,
) -> audit_events::BoxedQuery<'_, Backend, SqlTypeOf<AsSelect<AuditEventRow, Backend>>> {
    let mut query = audit_events::table.select(AuditEventRow::as_select()).into_boxed();
    if let Some(entity_type) = &filter.entity_type {
        query = query.filter(audit_events::entity_type.eq(entity_type));
    }
    if let Some(entity_id) = &filter.entity_id {
        query = query.filter(audit_events::entity_id.eq(entity_id));
    }
    if let Some(since) = filter.since {
        query = query.filter(audit_events::created_at.ge(since));
    }
    if let Some(after) = &filter.after_id {
        query = query.filter(audit_events::id.gt(after));
    }
    query.order(audit_events::id.asc()).limit(filter.limit)
}

/// Which of these actor ids are service accounts (the trail names them so).
pub fn service_accounts_among(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<String>> {
    service_accounts::table.filter(service_accounts::id.eq_any(ids)).select(service_accounts::id).load(conn)
}
