//! Queries on payment batches and their items. The partial unique index on open items keeps a
//! tranche in at most one open batch; the fund's row lock makes concurrent batch creation for
//! one fund wait its turn instead of failing on it.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{grants, payment_batch_items, payment_batches, tranches};
use crate::db::DbConnection;
use crate::domain::workflow::{GrantStatus, ItemStatus, PaymentBatchStatus, TrancheStatus};
use crate::grants::repo::{GrantRow, TrancheRow};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = payment_batches)]
pub struct BatchRow {
    pub id: String,
    pub municipality_id: String,
    pub fund_id: String,
    pub status: String,
    pub message_id: String,
    pub due_before: NaiveDate,
    pub requested_execution_date: NaiveDate,
    pub debtor_name: String,
    pub debtor_iban: String,
    pub debtor_bic: Option<String>,
    pub currency: String,
    pub transaction_count: i64,
    pub total_cents: i64,
    pub paid_on: Option<NaiveDate>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub closed_by: Option<String>,
    pub closed_at: Option<NaiveDateTime>,
    pub version: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = payment_batch_items)]
pub struct ItemRow {
    pub batch_id: String,
    pub tranche_id: String,
    pub grant_id: String,
    pub municipality_id: String,
    pub status: String,
    pub amount_cents: i64,
    pub end_to_end_id: String,
    pub creditor_name: String,
    pub creditor_iban: String,
    pub remittance: String,
}

pub fn insert(conn: &mut DbConnection, batch: &BatchRow, items: &[ItemRow]) -> QueryResult<()> {
    diesel::insert_into(payment_batches::table).values(batch).execute(conn)?;
    for item in items {
        diesel::insert_into(payment_batch_items::table).values(item).execute(conn)?;
    }
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<BatchRow>> {
    payment_batches::table.find(id).select(BatchRow::as_select()).first(conn).optional()
}

/// Takes the batch's row lock (PostgreSQL) before reading, so a confirm and a cancel of one
/// batch queue up.
pub fn lock(conn: &mut DbConnection, id: &str) -> QueryResult<Option<BatchRow>> {
    let lock = diesel::update(payment_batches::table.find(id))
        .set(payment_batches::version.eq(payment_batches::version));
    crate::per_backend!(conn, |c| lock.returning(BatchRow::as_returning()).get_result(c).optional())
}

pub fn items(conn: &mut DbConnection, batch_id: &str) -> QueryResult<Vec<ItemRow>> {
    payment_batch_items::table
        .filter(payment_batch_items::batch_id.eq(batch_id))
        .order(payment_batch_items::end_to_end_id.asc())
        .select(ItemRow::as_select())
        .load(conn)
}

pub fn list(
    conn: &mut DbConnection,
    fund_id: &str,
    after_id: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<BatchRow>> {
    let mut query = payment_batches::table
        .filter(payment_batches::fund_id.eq(fund_id.to_owned()))
        .select(BatchRow::as_select())
        .into_boxed();
    if let Some(after) = after_id {
        query = query.filter(payment_batches::id.gt(after.to_owned()));
    }
    query.order(payment_batches::id.asc()).limit(limit).load(conn)
}

/// The fund's scheduled tranches due on or before `due_before`, on grants in one of
/// `payable` statuses, that are in no open batch; earliest due first, at most `limit`.
pub fn candidates(
    conn: &mut DbConnection,
    fund_id: &str,
    due_before: NaiveDate,
    payable: &[GrantStatus],
    limit: i64,
) -> QueryResult<Vec<(TrancheRow, GrantRow)>> {
    let grant_ids = grants::table
        .filter(grants::fund_id.eq(fund_id.to_owned()))
        .filter(grants::status.eq_any(payable.iter().map(|s| s.as_str()).collect::<Vec<_>>()))
        .select(grants::id);
    let in_open_batch = payment_batch_items::table
        .filter(payment_batch_items::status.eq(ItemStatus::Open.as_str()))
        .select(payment_batch_items::tranche_id);
    let tranches: Vec<TrancheRow> = tranches::table
        .filter(tranches::status.eq(TrancheStatus::Scheduled.as_str()))
        .filter(tranches::due_on.le(due_before))
        .filter(tranches::grant_id.eq_any(grant_ids))
        .filter(tranches::id.ne_all(in_open_batch))
        .order((tranches::due_on.asc(), tranches::id.asc()))
        .limit(limit)
        .select(TrancheRow::as_select())
        .load(conn)?;
    let ids: Vec<String> = tranches.iter().map(|t| t.grant_id.clone()).collect();
    let grants: Vec<GrantRow> =
        grants::table.filter(grants::id.eq_any(ids)).select(GrantRow::as_select()).load(conn)?;
    Ok(tranches
        .into_iter()
        .filter_map(|t| grants.iter().find(|g| g.id == t.grant_id).cloned().map(|g| (t, g)))
        .collect())
}

/// Moves an open batch to `status`; `false` when it was not open any more.
pub fn close(
    conn: &mut DbConnection,
    id: &str,
    status: PaymentBatchStatus,
    paid_on: Option<NaiveDate>,
    closed_by: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(
        payment_batches::table.find(id).filter(payment_batches::status.eq(PaymentBatchStatus::Open.as_str())),
    )
    .set((
        payment_batches::status.eq(status.as_str()),
        payment_batches::paid_on.eq(paid_on),
        payment_batches::closed_by.eq(closed_by),
        payment_batches::closed_at.eq(at),
        payment_batches::version.eq(payment_batches::version + 1),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Gives an item of a closing batch its final status.
pub fn settle_item(
    conn: &mut DbConnection,
    batch_id: &str,
    tranche_id: &str,
    status: ItemStatus,
) -> QueryResult<()> {
    diesel::update(payment_batch_items::table.find((batch_id, tranche_id)))
        .set(payment_batch_items::status.eq(status.as_str()))
        .execute(conn)
        .map(drop)
}
