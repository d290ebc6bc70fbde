//! Queries on grants and tranches, including the conditional updates that keep rule 2 (never
//! schedule or pay more than awarded) under any concurrency.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use diesel::dsl::{AsSelect, SqlTypeOf};

use crate::db::page::{read_apart, Reach};
use crate::db::schema::{funds, grants, payment_batch_items, tranches};
use crate::db::{Backend, DbConnection};
use crate::domain::workflow::{GrantStatus, ItemStatus, TrancheStatus};
use crate::funds::repo::FundRow;

/// Inserted with `None` as NULL (every optional column's default), so many rows go in one
/// statement (`pactum seed`).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = grants, treat_none_as_default_value = false)]
pub struct GrantRow {
    pub id: String,
    pub municipality_id: String,
    pub fund_id: String,
    pub network_id: String,
    pub agreement_id: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    pub title: String,
    pub purpose: String,
    pub requested_cents: i64,
    pub approved_cents: Option<i64>,
    pub scheduled_cents: i64,
    pub paid_cents: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub budget_lines: String,
    pub payee_iban: String,
    pub payee_name: String,
    pub info_question: Option<String>,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<NaiveDateTime>,
    pub decision_due_on: Option<NaiveDate>,
    pub first_approval_by: Option<String>,
    pub first_approval_cents: Option<i64>,
    pub approved_by: Option<String>,
    pub approved_at: Option<NaiveDateTime>,
    pub version: i64,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub report_due_on: Option<NaiveDate>,
    /// The fund's four-eyes threshold when the application was first submitted: the one that
    /// applies to its approval.
    pub four_eyes_threshold_cents: Option<i64>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = tranches)]
pub struct TrancheRow {
    pub id: String,
    pub grant_id: String,
    pub municipality_id: String,
    pub due_on: NaiveDate,
    pub amount_cents: i64,
    pub status: String,
    pub paid_on: Option<NaiveDate>,
    pub payment_reference: Option<String>,
    pub paid_by: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &GrantRow) -> QueryResult<()> {
    diesel::insert_into(grants::table).values(row).execute(conn).map(drop)
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<GrantRow>> {
    grants::table.find(id).select(GrantRow::as_select()).first(conn).optional()
}

/// A grant with its fund, in one query.
pub fn find_with_fund(conn: &mut DbConnection, id: &str) -> QueryResult<Option<(GrantRow, FundRow)>> {
    grants::table
        .inner_join(funds::table)
        .filter(grants::id.eq(id))
        .select((GrantRow::as_select(), FundRow::as_select()))
        .first(conn)
        .optional()
}

/// Takes the row lock (PostgreSQL) before reading, so concurrent actions on one grant queue
/// up; bumps the version.
pub fn lock(conn: &mut DbConnection, id: &str) -> QueryResult<Option<GrantRow>> {
    let lock = diesel::update(grants::table.find(id)).set(grants::version.eq(grants::version + 1));
    crate::per_backend!(conn, |c| lock.returning(GrantRow::as_returning()).get_result(c).optional())
}

/// Saves the application and workflow fields (not the money counters, which only move
/// through the conditional updates below).
pub fn save(conn: &mut DbConnection, row: &GrantRow) -> QueryResult<()> {
    diesel::update(grants::table.find(&row.id))
        .set((
            grants::status.eq(&row.status),
            grants::status_reason.eq(&row.status_reason),
            grants::title.eq(&row.title),
            grants::purpose.eq(&row.purpose),
            grants::requested_cents.eq(row.requested_cents),
            grants::approved_cents.eq(row.approved_cents),
            grants::starts_on.eq(row.starts_on),
            grants::ends_on.eq(row.ends_on),
            grants::budget_lines.eq(&row.budget_lines),
            grants::payee_iban.eq(&row.payee_iban),
            grants::payee_name.eq(&row.payee_name),
            grants::info_question.eq(&row.info_question),
            grants::submitted_by.eq(&row.submitted_by),
            grants::submitted_at.eq(row.submitted_at),
            grants::decision_due_on.eq(row.decision_due_on),
            grants::first_approval_by.eq(&row.first_approval_by),
            grants::first_approval_cents.eq(row.first_approval_cents),
            grants::approved_by.eq(&row.approved_by),
            grants::approved_at.eq(row.approved_at),
            grants::report_due_on.eq(row.report_due_on),
            grants::four_eyes_threshold_cents.eq(row.four_eyes_threshold_cents),
            grants::updated_at.eq(row.updated_at),
        ))
        .execute(conn)
        .map(drop)
}

/// Schedules `cents` more; `false` when scheduled plus paid would pass the approved amount.
pub fn schedule(conn: &mut DbConnection, id: &str, cents: i64) -> QueryResult<bool> {
    let updated = diesel::update(grants::table.find(id).filter(
        (grants::scheduled_cents + grants::paid_cents + cents).le(grants::approved_cents.assume_not_null()),
    ))
    .set(grants::scheduled_cents.eq(grants::scheduled_cents + cents))
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn unschedule(conn: &mut DbConnection, id: &str, cents: i64) -> QueryResult<()> {
    diesel::update(grants::table.find(id))
        .set(grants::scheduled_cents.eq(grants::scheduled_cents - cents))
        .execute(conn)
        .map(drop)
}

/// Moves a paid tranche's amount from scheduled to paid.
pub fn mark_paid(conn: &mut DbConnection, id: &str, cents: i64) -> QueryResult<()> {
    diesel::update(grants::table.find(id))
        .set((
            grants::scheduled_cents.eq(grants::scheduled_cents - cents),
            grants::paid_cents.eq(grants::paid_cents + cents),
        ))
        .execute(conn)
        .map(drop)
}

/// The ids of every grant in `status`.
pub fn ids_in_status(conn: &mut DbConnection, status: GrantStatus) -> QueryResult<Vec<String>> {
    grants::table.filter(grants::status.eq(status.as_str())).select(grants::id).load(conn)
}

pub struct GrantFilter {
    pub reach: Reach,
    pub fund_id: Option<String>,
    pub network_id: Option<String>,
    pub status: Option<GrantStatus>,
    /// Applications awaiting a decision due before this date.
    pub decision_due_before: Option<NaiveDate>,
    /// Grants whose report is still owed and due before this date.
    pub report_due_before: Option<NaiveDate>,
    pub after_id: Option<String>,
    pub limit: i64,
}

/// An application awaits its decision in these statuses; a decided one has no decision due.
pub const AWAITING_DECISION: [GrantStatus; 3] =
    [GrantStatus::Submitted, GrantStatus::InReview, GrantStatus::InfoRequested];

/// A grant owes its report in these statuses; a settled, closed or cancelled one no longer does.
pub const REPORT_OWED: [GrantStatus; 3] =
    [GrantStatus::Approved, GrantStatus::Active, GrantStatus::Reporting];

impl GrantFilter {
    /// The statuses to read one by one, each on its `(part, status, id)` index: the one asked
    /// for, or those a date filter looks in (so a date filter reads only the open records, never
    /// the history, row by row). `None`: every status at once. Empty: nothing can match.
    fn statuses(&self) -> Option<Vec<GrantStatus>> {
        let mut statuses: Option<Vec<GrantStatus>> = self.status.map(|s| vec![s]);
        for (asked, open) in
            [(self.decision_due_before, AWAITING_DECISION), (self.report_due_before, REPORT_OWED)]
        {
            if asked.is_some() {
                let within = statuses.unwrap_or_else(|| open.to_vec());
                statuses = Some(within.into_iter().filter(|s| open.contains(s)).collect());
            }
        }
        statuses
    }
}

/// A page of the grants the filter reaches: one query per municipality and per network reached
/// (and per status, when the filter names some), each on an index that leads with them and ends
/// with the id (`grants_municipality_status`, `grants_network_status`), merged.
pub fn list(conn: &mut DbConnection, filter: &GrantFilter) -> QueryResult<Vec<GrantRow>> {
    let statuses: Vec<Option<GrantStatus>> = match filter.statuses() {
        Some(statuses) => statuses.into_iter().map(Some).collect(),
        None => vec![None],
    };
    let parts: Vec<_> = match &filter.reach {
        Reach::Everywhere => statuses.iter().map(|status| page_query(filter, *status)).collect(),
        Reach::Within { municipalities, networks, .. } => statuses
            .iter()
            .flat_map(|status| {
                let by_municipality = municipalities
                    .iter()
                    .map(move |id| page_query(filter, *status).filter(grants::municipality_id.eq(id)));
                let by_network = networks
                    .iter()
                    .map(move |id| page_query(filter, *status).filter(grants::network_id.eq(id)));
                by_municipality.chain(by_network)
            })
            .collect(),
    };
    read_apart(parts, filter.limit, |part| part.load(conn), |row: &GrantRow| &row.id)
}

/// The filter's conditions in one status (or any), in id order after the cursor, at most one
/// page.
fn page_query(
    filter: &GrantFilter,
    status: Option<GrantStatus>,
) -> grants::BoxedQuery<'_, Backend, SqlTypeOf<AsSelect<GrantRow, Backend>>> {
    let mut query = grants::table.select(GrantRow::as_select()).into_boxed();
    if let Some(fund_id) = &filter.fund_id {
        query = query.filter(grants::fund_id.eq(fund_id));
    }
    if let Some(network_id) = &filter.network_id {
        query = query.filter(grants::network_id.eq(network_id));
    }
    if let Some(status) = status {
        query = query.filter(grants::status.eq(status.as_str()));
    }
    if let Some(before) = filter.decision_due_before {
        query = query.filter(grants::decision_due_on.lt(before));
    }
    if let Some(before) = filter.report_due_before {
        query = query.filter(grants::report_due_on.lt(before));
    }
    if let Some(after) = &filter.after_id {
        query = query.filter(grants::id.gt(after));
    }
    query.order(grants::id.asc()).limit(filter.limit)
}

pub fn insert_tranche(conn: &mut DbConnection, row: &TrancheRow) -> QueryResult<()> {
    diesel::insert_into(tranches::table).values(row).execute(conn).map(drop)
}

pub fn find_tranche(conn: &mut DbConnection, id: &str) -> QueryResult<Option<TrancheRow>> {
    tranches::table.find(id).select(TrancheRow::as_select()).first(conn).optional()
}

pub fn tranches_of(conn: &mut DbConnection, grant_id: &str) -> QueryResult<Vec<TrancheRow>> {
    tranches::table
        .filter(tranches::grant_id.eq(grant_id))
        .order(tranches::id.asc())
        .select(TrancheRow::as_select())
        .load(conn)
}

/// The earliest due date of the scheduled tranches of each of these grants that has one.
pub fn next_payments(
    conn: &mut DbConnection,
    grant_ids: &[String],
) -> QueryResult<Vec<(String, Option<NaiveDate>)>> {
    tranches::table
        .filter(tranches::grant_id.eq_any(grant_ids))
        .filter(tranches::status.eq(TrancheStatus::Scheduled.as_str()))
        .group_by(tranches::grant_id)
        .select((tranches::grant_id, diesel::dsl::min(tranches::due_on)))
        .load(conn)
}

/// Moves a tranche out of `scheduled`; `false` when it already left it (paid or cancelled by
/// another request).
pub fn close_tranche(
    conn: &mut DbConnection,
    id: &str,
    status: TrancheStatus,
    paid_on: Option<NaiveDate>,
    reference: Option<&str>,
    paid_by: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(
        tranches::table.find(id).filter(tranches::status.eq(TrancheStatus::Scheduled.as_str())),
    )
    .set((
        tranches::status.eq(status.as_str()),
        tranches::paid_on.eq(paid_on),
        tranches::payment_reference.eq(reference),
        tranches::paid_by.eq(paid_by),
        tranches::version.eq(tranches::version + 1),
        tranches::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// What the grant's scheduled tranches still pay.
pub fn scheduled_cents_of(conn: &mut DbConnection, grant_id: &str) -> QueryResult<i64> {
    Ok(tranches::table
        .filter(tranches::grant_id.eq(grant_id))
        .filter(tranches::status.eq(TrancheStatus::Scheduled.as_str()))
        .select(tranches::amount_cents)
        .load::<i64>(conn)?
        .into_iter()
        .sum())
}

/// The first of these tranches that is in an open payment batch, with that batch's id.
pub fn open_item_of(
    conn: &mut DbConnection,
    tranche_ids: &[String],
) -> QueryResult<Option<(String, String)>> {
    payment_batch_items::table
        .filter(payment_batch_items::status.eq(ItemStatus::Open.as_str()))
        .filter(payment_batch_items::tranche_id.eq_any(tranche_ids))
        .order(payment_batch_items::tranche_id.asc())
        .select((payment_batch_items::tranche_id, payment_batch_items::batch_id))
        .first(conn)
        .optional()
}

/// Which of these tranches are in an open payment batch.
pub fn in_open_batches(conn: &mut DbConnection, tranche_ids: &[String]) -> QueryResult<Vec<String>> {
    payment_batch_items::table
        .filter(payment_batch_items::status.eq(ItemStatus::Open.as_str()))
        .filter(payment_batch_items::tranche_id.eq_any(tranche_ids))
        .select(payment_batch_items::tranche_id)
        .load(conn)
}
