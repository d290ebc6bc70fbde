//! Queries on funds, including the conditional updates that keep rule 1 (never commit more than
//! the budget) under any concurrency.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::page::{read_apart, Reach};
use crate::db::schema::{funds, municipality_networks};
use crate::db::{Backend, DbConnection};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = funds)]
pub struct FundRow {
    pub id: String,
    pub municipality_id: String,
    pub name: String,
    pub description: String,
    pub currency: String,
    pub budget_cents: i64,
    pub committed_cents: i64,
    pub paid_cents: i64,
    pub refunded_cents: i64,
    pub opens_on: NaiveDate,
    pub closes_on: Option<NaiveDate>,
    pub max_grant_cents: i64,
    pub four_eyes_threshold_cents: i64,
    pub decision_weeks: i32,
    pub reporting_tiers: String,
    pub report_due_days: i32,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub debtor_name: Option<String>,
    pub debtor_iban: Option<String>,
    pub debtor_bic: Option<String>,
}

pub fn insert(conn: &mut DbConnection, row: &FundRow) -> QueryResult<()> {
    diesel::insert_into(funds::table).values(row).execute(conn).map(drop)
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<FundRow>> {
    funds::table.find(id).select(FundRow::as_select()).first(conn).optional()
}

/// Saves the rules and the budget; `false` when the budget would drop below what is committed
/// (checked in the same statement, so a concurrent approval cannot slip in between).
pub fn update(conn: &mut DbConnection, row: &FundRow) -> QueryResult<bool> {
    let updated =
        diesel::update(funds::table.find(&row.id).filter(funds::committed_cents.le(row.budget_cents)))
            .set((
                funds::name.eq(&row.name),
                funds::description.eq(&row.description),
                funds::budget_cents.eq(row.budget_cents),
                funds::closes_on.eq(row.closes_on),
                funds::max_grant_cents.eq(row.max_grant_cents),
                funds::four_eyes_threshold_cents.eq(row.four_eyes_threshold_cents),
                funds::decision_weeks.eq(row.decision_weeks),
                funds::reporting_tiers.eq(&row.reporting_tiers),
                funds::report_due_days.eq(row.report_due_days),
                funds::debtor_name.eq(&row.debtor_name),
                funds::debtor_iban.eq(&row.debtor_iban),
                funds::debtor_bic.eq(&row.debtor_bic),
                funds::version.eq(funds::version + 1),
                funds::updated_at.eq(row.updated_at),
            ))
            .execute(conn)?;
    Ok(updated == 1)
}

/// Commits `cents` of the budget; `false` when the budget cannot carry it.
pub fn commit(conn: &mut DbConnection, id: &str, cents: i64) -> QueryResult<bool> {
    let updated = diesel::update(
        funds::table.find(id).filter((funds::committed_cents + cents).le(funds::budget_cents)),
    )
    .set(funds::committed_cents.eq(funds::committed_cents + cents))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Gives `cents` of a commitment back to the budget.
pub fn release(conn: &mut DbConnection, id: &str, cents: i64) -> QueryResult<()> {
    diesel::update(funds::table.find(id))
        .set(funds::committed_cents.eq(funds::committed_cents - cents))
        .execute(conn)
        .map(drop)
}

/// Takes the fund's row lock (PostgreSQL) without changing it, so that payment batches of one
/// fund are made one after the other (SQLite's `BEGIN IMMEDIATE` serialises them already).
pub fn lock(conn: &mut DbConnection, id: &str) -> QueryResult<Option<FundRow>> {
    let lock = diesel::update(funds::table.find(id)).set(funds::version.eq(funds::version));
    crate::per_backend!(conn, |c| lock.returning(FundRow::as_returning()).get_result(c).optional())
}

pub fn add_paid(conn: &mut DbConnection, id: &str, cents: i64) -> QueryResult<()> {
    diesel::update(funds::table.find(id))
        .set(funds::paid_cents.eq(funds::paid_cents + cents))
        .execute(conn)
        .map(drop)
}

pub fn add_refunded(conn: &mut DbConnection, id: &str, cents: i64) -> QueryResult<()> {
    diesel::update(funds::table.find(id))
        .set(funds::refunded_cents.eq(funds::refunded_cents + cents))
        .execute(conn)
        .map(drop)
}

/// A page of the funds of the municipalities reached and of those the networks reached work
/// with (an active link), read apart per municipality on `funds_municipality`.
pub fn list(
    conn: &mut DbConnection,
    reach: &Reach,
    municipality_id: Option<&str>,
    after_id: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<FundRow>> {
    let page_query = |owner: Option<&str>| {
        let mut query = funds::table.select(FundRow::as_select()).into_boxed::<Backend>();
        for id in [owner, municipality_id].into_iter().flatten() {
            query = query.filter(funds::municipality_id.eq(id.to_owned()));
        }
        if let Some(after) = after_id {
            query = query.filter(funds::id.gt(after.to_owned()));
        }
        query.order(funds::id.asc()).limit(limit)
    };
    let Reach::Within { municipalities, networks, .. } = reach else {
        return page_query(None).load(conn);
    };
    let mut reached = municipalities.clone();
    reached.extend(linked_municipalities(conn, networks)?);
    reached.sort();
    reached.dedup();
    read_apart(reached, limit, |id| page_query(Some(&id)).load(conn), |row: &FundRow| &row.id)
}

/// Municipalities that one of these networks works with (an active link): their funds are
/// open to the network's applications.
pub fn linked_municipalities(conn: &mut DbConnection, networks: &[String]) -> QueryResult<Vec<String>> {
    if networks.is_empty() {
        return Ok(Vec::new());
    }
    municipality_networks::table
        .filter(municipality_networks::network_id.eq_any(networks))
        .filter(municipality_networks::status.eq("active"))
        .select(municipality_networks::municipality_id)
        .distinct()
        .load(conn)
}
