//! Queries on settlements: one row per settled grant, with what came back of the refund due.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::grant_settlements;
use crate::db::DbConnection;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = grant_settlements)]
pub struct SettlementRow {
    pub grant_id: String,
    pub settled_cents: i64,
    pub refund_due_cents: i64,
    pub refunded_cents: i64,
    pub note: Option<String>,
    pub settled_by: String,
    pub settled_at: NaiveDateTime,
}

/// What a settlement is written with; the refunded amount starts at zero.
pub struct NewSettlement<'a> {
    pub grant_id: &'a str,
    pub municipality_id: &'a str,
    pub settled_cents: i64,
    pub refund_due_cents: i64,
    pub note: Option<&'a str>,
    pub settled_by: &'a str,
    pub settled_at: NaiveDateTime,
}

pub fn find(conn: &mut DbConnection, grant_id: &str) -> QueryResult<Option<SettlementRow>> {
    grant_settlements::table.find(grant_id).select(SettlementRow::as_select()).first(conn).optional()
}

pub fn insert(conn: &mut DbConnection, new: &NewSettlement<'_>) -> QueryResult<()> {
    diesel::insert_into(grant_settlements::table)
        .values((
            grant_settlements::grant_id.eq(new.grant_id),
            grant_settlements::municipality_id.eq(new.municipality_id),
            grant_settlements::settled_cents.eq(new.settled_cents),
            grant_settlements::refund_due_cents.eq(new.refund_due_cents),
            grant_settlements::note.eq(new.note),
            grant_settlements::settled_by.eq(new.settled_by),
            grant_settlements::settled_at.eq(new.settled_at),
        ))
        .execute(conn)
        .map(drop)
}

/// Adds `cents` to what came back; `false` when that would pass the refund due.
pub fn add_refund(conn: &mut DbConnection, grant_id: &str, cents: i64) -> QueryResult<bool> {
    let updated = diesel::update(
        grant_settlements::table
            .find(grant_id)
            .filter((grant_settlements::refunded_cents + cents).le(grant_settlements::refund_due_cents)),
    )
    .set(grant_settlements::refunded_cents.eq(grant_settlements::refunded_cents + cents))
    .execute(conn)?;
    Ok(updated == 1)
}
