//! The reads open data needs: awarded grants of one municipality, their paid tranches, and the
//! few public fields of their networks and funds.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{funds, grants, networks, tranches};
use crate::db::DbConnection;

/// An awarded grant: only the fields that may be published (no payee, IBAN or people).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = grants)]
pub struct AwardedGrantRow {
    pub id: String,
    pub fund_id: String,
    pub network_id: String,
    pub title: String,
    pub purpose: String,
    pub approved_cents: Option<i64>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub approved_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tranches)]
pub struct PaidTrancheRow {
    pub id: String,
    pub grant_id: String,
    pub amount_cents: i64,
    pub paid_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = networks)]
pub struct RecipientRow {
    pub id: String,
    pub name: String,
    pub kvk_number: Option<String>,
    pub listed_publicly: bool,
}

/// Statuses a grant can only have reached through an award.
pub const AWARDED: [&str; 6] = ["approved", "active", "reporting", "settled", "closed", "cancelled"];

/// Awarded grants of the municipality approved within `[from, to)` (UTC instants), oldest first.
pub fn awarded_grants(
    conn: &mut DbConnection,
    municipality_id: &str,
    from: Option<NaiveDateTime>,
    to: Option<NaiveDateTime>,
) -> QueryResult<Vec<AwardedGrantRow>> {
    let mut query = grants::table
        .filter(grants::municipality_id.eq(municipality_id.to_owned()))
        .filter(grants::status.eq_any(AWARDED))
        .filter(grants::approved_at.is_not_null())
        .filter(grants::approved_cents.is_not_null())
        .select(AwardedGrantRow::as_select())
        .into_boxed();
    if let Some(from) = from {
        query = query.filter(grants::approved_at.ge(from));
    }
    if let Some(to) = to {
        query = query.filter(grants::approved_at.lt(to));
    }
    query.order((grants::approved_at.asc(), grants::id.asc())).load(conn)
}

/// Ids per `IN (...)` list, well below either database's limit on bound parameters.
const IDS_PER_QUERY: usize = 1000;

fn in_chunks<T>(
    ids: &[String],
    mut load: impl FnMut(&[String]) -> QueryResult<Vec<T>>,
) -> QueryResult<Vec<T>> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        rows.extend(load(chunk)?);
    }
    Ok(rows)
}

/// Paid tranches of the grants, in payment order per grant.
pub fn paid_tranches(conn: &mut DbConnection, grant_ids: &[String]) -> QueryResult<Vec<PaidTrancheRow>> {
    in_chunks(grant_ids, |ids| {
        tranches::table
            .filter(tranches::grant_id.eq_any(ids))
            .filter(tranches::status.eq("paid"))
            .order((tranches::paid_on.asc(), tranches::id.asc()))
            .select(PaidTrancheRow::as_select())
            .load(conn)
    })
}

pub fn recipients(conn: &mut DbConnection, network_ids: &[String]) -> QueryResult<Vec<RecipientRow>> {
    in_chunks(network_ids, |ids| {
        networks::table.filter(networks::id.eq_any(ids)).select(RecipientRow::as_select()).load(conn)
    })
}

/// `(id, name)` of the funds.
pub fn programmes(conn: &mut DbConnection, fund_ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    in_chunks(fund_ids, |ids| {
        funds::table.filter(funds::id.eq_any(ids)).select((funds::id, funds::name)).load(conn)
    })
}
