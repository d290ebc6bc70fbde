//! Queries on spending reports and receipts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{receipts, spending_reports};
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = spending_reports)]
pub struct ReportRow {
    pub id: String,
    pub grant_id: String,
    pub municipality_id: String,
    pub kind: String,
    pub status: String,
    pub status_reason: Option<String>,
    pub narrative: String,
    pub people_reached: Option<i32>,
    pub expenses: String,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<NaiveDateTime>,
    pub accepted_by: Option<String>,
    pub accepted_at: Option<NaiveDateTime>,
    pub version: i64,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = receipts)]
pub struct ReceiptRow {
    pub id: String,
    pub report_id: String,
    pub municipality_id: String,
    pub sha256: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub file_name: String,
    pub uploaded_by: String,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &ReportRow) -> QueryResult<()> {
    diesel::insert_into(spending_reports::table).values(row).execute(conn).map(drop)
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<ReportRow>> {
    spending_reports::table.find(id).select(ReportRow::as_select()).first(conn).optional()
}

pub fn lock(conn: &mut DbConnection, id: &str) -> QueryResult<Option<ReportRow>> {
    let lock = diesel::update(spending_reports::table.find(id))
        .set(spending_reports::version.eq(spending_reports::version + 1));
    crate::per_backend!(conn, |c| lock.returning(ReportRow::as_returning()).get_result(c).optional())
}

pub fn save(conn: &mut DbConnection, row: &ReportRow) -> QueryResult<()> {
    diesel::update(spending_reports::table.find(&row.id))
        .set((
            spending_reports::status.eq(&row.status),
            spending_reports::status_reason.eq(&row.status_reason),
            spending_reports::narrative.eq(&row.narrative),
            spending_reports::people_reached.eq(row.people_reached),
            spending_reports::expenses.eq(&row.expenses),
            spending_reports::submitted_by.eq(&row.submitted_by),
            spending_reports::submitted_at.eq(row.submitted_at),
            spending_reports::accepted_by.eq(&row.accepted_by),
            spending_reports::accepted_at.eq(row.accepted_at),
            spending_reports::updated_at.eq(row.updated_at),
        ))
        .execute(conn)
        .map(drop)
}

pub fn of_grant(conn: &mut DbConnection, grant_id: &str) -> QueryResult<Vec<ReportRow>> {
    spending_reports::table
        .filter(spending_reports::grant_id.eq(grant_id))
        .order(spending_reports::id.asc())
        .select(ReportRow::as_select())
        .load(conn)
}

pub fn insert_receipt(conn: &mut DbConnection, row: &ReceiptRow) -> QueryResult<()> {
    diesel::insert_into(receipts::table).values(row).execute(conn).map(drop)
}

pub fn find_receipt(conn: &mut DbConnection, id: &str) -> QueryResult<Option<ReceiptRow>> {
    receipts::table.find(id).select(ReceiptRow::as_select()).first(conn).optional()
}

pub fn receipts_of(conn: &mut DbConnection, report_ids: &[String]) -> QueryResult<Vec<ReceiptRow>> {
    receipts::table
        .filter(receipts::report_id.eq_any(report_ids))
        .order(receipts::id.asc())
        .select(ReceiptRow::as_select())
        .load(conn)
}
