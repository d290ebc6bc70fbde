//! Queries on agreements, their versions, signatures and check-ins.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{AsSelect, SqlTypeOf};
use diesel::prelude::*;

use crate::db::page::{read_apart, Reach};
use crate::db::schema::{agreement_signatures, agreement_versions, agreements, check_ins, municipalities};
use crate::db::{Backend, DbConnection};
use crate::domain::workflow::AgreementStatus;
use crate::parties;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = agreements)]
pub struct AgreementRow {
    pub id: String,
    pub municipality_id: String,
    pub status: String,
    pub status_reason: Option<String>,
    pub current_version: i32,
    pub pending_version: Option<i32>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub next_review_on: Option<NaiveDate>,
    pub version: i64,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = agreement_versions)]
pub struct VersionRow {
    pub agreement_id: String,
    pub number: i32,
    pub status: String,
    pub content: String,
    pub content_hash: String,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub signed_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = agreement_signatures)]
pub struct SignatureRow {
    pub agreement_id: String,
    pub version_number: i32,
    pub party_type: String,
    pub party_id: String,
    pub content_hash: String,
    pub signed_by: String,
    pub signed_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = check_ins)]
pub struct CheckInRow {
    pub id: String,
    pub agreement_id: String,
    pub municipality_id: String,
    pub held_on: NaiveDate,
    pub participants: String,
    pub notes: String,
    pub agreed_actions: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &AgreementRow) -> QueryResult<()> {
    diesel::insert_into(agreements::table).values(row).execute(conn).map(drop)
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<AgreementRow>> {
    agreements::table.find(id).select(AgreementRow::as_select()).first(conn).optional()
}

/// Takes the row lock (PostgreSQL) before reading, so concurrent actions on one agreement
/// queue up instead of both seeing the old state; bumps the version.
pub fn lock(conn: &mut DbConnection, id: &str) -> QueryResult<Option<AgreementRow>> {
    let lock =
        diesel::update(agreements::table.find(id)).set(agreements::version.eq(agreements::version + 1));
    crate::per_backend!(conn, |c| lock.returning(AgreementRow::as_returning()).get_result(c).optional())
}

pub fn save(conn: &mut DbConnection, row: &AgreementRow) -> QueryResult<()> {
    diesel::update(agreements::table.find(&row.id))
        .set((
            agreements::status.eq(&row.status),
            agreements::status_reason.eq(&row.status_reason),
            agreements::current_version.eq(row.current_version),
            agreements::pending_version.eq(row.pending_version),
            agreements::starts_on.eq(row.starts_on),
            agreements::ends_on.eq(row.ends_on),
            agreements::next_review_on.eq(row.next_review_on),
            agreements::updated_at.eq(row.updated_at),
        ))
        .execute(conn)
        .map(drop)
}

pub fn insert_version(conn: &mut DbConnection, row: &VersionRow) -> QueryResult<()> {
    diesel::insert_into(agreement_versions::table).values(row).execute(conn).map(drop)
}

pub fn find_version(
    conn: &mut DbConnection,
    agreement_id: &str,
    number: i32,
) -> QueryResult<Option<VersionRow>> {
    agreement_versions::table
        .find((agreement_id, number))
        .select(VersionRow::as_select())
        .first(conn)
        .optional()
}

pub fn versions(conn: &mut DbConnection, agreement_id: &str) -> QueryResult<Vec<VersionRow>> {
    agreement_versions::table
        .filter(agreement_versions::agreement_id.eq(agreement_id))
        .order(agreement_versions::number.asc())
        .select(VersionRow::as_select())
        .load(conn)
}

/// Writes a version under negotiation (the database refuses to touch a signed one).
pub fn save_version(conn: &mut DbConnection, row: &VersionRow) -> QueryResult<()> {
    diesel::update(agreement_versions::table.find((&row.agreement_id, row.number)))
        .set((
            agreement_versions::status.eq(&row.status),
            agreement_versions::content.eq(&row.content),
            agreement_versions::content_hash.eq(&row.content_hash),
            agreement_versions::updated_at.eq(row.updated_at),
            agreement_versions::signed_at.eq(row.signed_at),
        ))
        .execute(conn)
        .map(drop)
}

/// Drops an amendment that was never signed.
pub fn delete_version(conn: &mut DbConnection, agreement_id: &str, number: i32) -> QueryResult<()> {
    clear_signatures(conn, agreement_id, number)?;
    diesel::delete(agreement_versions::table.find((agreement_id, number))).execute(conn).map(drop)
}

pub fn signatures(conn: &mut DbConnection, agreement_id: &str) -> QueryResult<Vec<SignatureRow>> {
    agreement_signatures::table
        .filter(agreement_signatures::agreement_id.eq(agreement_id))
        .order((agreement_signatures::version_number, agreement_signatures::signed_at))
        .select(SignatureRow::as_select())
        .load(conn)
}

pub fn insert_signature(conn: &mut DbConnection, row: &SignatureRow) -> QueryResult<()> {
    diesel::insert_into(agreement_signatures::table).values(row).execute(conn).map(drop)
}

pub fn clear_signatures(conn: &mut DbConnection, agreement_id: &str, number: i32) -> QueryResult<()> {
    diesel::delete(
        agreement_signatures::table
            .filter(agreement_signatures::agreement_id.eq(agreement_id))
            .filter(agreement_signatures::version_number.eq(number)),
    )
    .execute(conn)
    .map(drop)
}

pub struct AgreementFilter {
    pub reach: Reach,
    pub municipality_id: Option<String>,
    pub status: Option<String>,
    pub after_id: Option<String>,
    pub limit: i64,
}

/// A page of the agreements of the municipalities reached and of those the networks and
/// organisations reached are a party to, each read apart on its own index.
pub fn list(conn: &mut DbConnection, filter: &AgreementFilter) -> QueryResult<Vec<AgreementRow>> {
    let Reach::Within { municipalities, networks, organisations } = &filter.reach else {
        return page_query(filter).load(conn);
    };
    let as_party = page_query(filter).filter(agreements::id.eq_any(parties::records_of(
        parties::AGREEMENT,
        networks,
        organisations,
    )));
    let parts = municipalities
        .iter()
        .map(|id| page_query(filter).filter(agreements::municipality_id.eq(id)))
        .chain((!networks.is_empty() || !organisations.is_empty()).then_some(as_party));
    read_apart(parts, filter.limit, |part| part.load(conn), |row: &AgreementRow| &row.id)
}

fn page_query(
    filter: &AgreementFilter,
) -> agreements::BoxedQuery<'_, Backend, SqlTypeOf<AsSelect<AgreementRow, Backend>>> {
    let mut query = agreements::table.select(AgreementRow::as_select()).into_boxed();
    if let Some(municipality_id) = &filter.municipality_id {
        query = query.filter(agreements::municipality_id.eq(municipality_id));
    }
    if let Some(status) = &filter.status {
        query = query.filter(agreements::status.eq(status));
    }
    if let Some(after) = &filter.after_id {
        query = query.filter(agreements::id.gt(after));
    }
    query.order(agreements::id.asc()).limit(filter.limit)
}

/// An agreement the date job may have to move, with its municipality's time zone.
#[derive(Debug, Queryable)]
pub struct DateDriven {
    pub id: String,
    pub status: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub time_zone: String,
}

/// Agreements in force or about to be.
pub fn date_driven(conn: &mut DbConnection) -> QueryResult<Vec<DateDriven>> {
    agreements::table
        .inner_join(municipalities::table.on(municipalities::id.eq(agreements::municipality_id)))
        .filter(
            agreements::status.eq_any(
                [AgreementStatus::Signed, AgreementStatus::Active, AgreementStatus::Suspended]
                    .map(AgreementStatus::as_str),
            ),
        )
        .select((
            agreements::id,
            agreements::status,
            agreements::starts_on,
            agreements::ends_on,
            municipalities::time_zone,
        ))
        .load(conn)
}

pub fn insert_check_in(conn: &mut DbConnection, row: &CheckInRow) -> QueryResult<()> {
    diesel::insert_into(check_ins::table).values(row).execute(conn).map(drop)
}

pub fn check_ins(conn: &mut DbConnection, agreement_id: &str) -> QueryResult<Vec<CheckInRow>> {
    check_ins::table
        .filter(check_ins::agreement_id.eq(agreement_id))
        .order(check_ins::id.asc())
        .select(CheckInRow::as_select())
        .load(conn)
}
