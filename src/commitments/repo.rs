//! Queries on commitments: kept in step with the version in force, and listed across
//! agreements.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{AsSelect, SqlTypeOf};
use diesel::prelude::*;

use crate::db::page::{read_apart, Reach};
use crate::db::schema::commitments;
use crate::db::{Backend, DbConnection};
use crate::domain::workflow::CommitmentStatus;
use crate::parties;

use super::terms::CommitmentTerms;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commitments)]
pub struct CommitmentRow {
    pub id: String,
    pub agreement_id: String,
    pub municipality_id: String,
    pub key: String,
    pub party_type: String,
    pub party_id: String,
    pub description: String,
    pub due_on: Option<NaiveDate>,
    pub status: String,
    pub note: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<CommitmentRow>> {
    commitments::table.find(id).select(CommitmentRow::as_select()).first(conn).optional()
}

pub fn of_agreement(conn: &mut DbConnection, agreement_id: &str) -> QueryResult<Vec<CommitmentRow>> {
    commitments::table
        .filter(commitments::agreement_id.eq(agreement_id))
        .order(commitments::id.asc())
        .select(CommitmentRow::as_select())
        .load(conn)
}

/// Writes a status change if the version is still `row.version - 1`.
pub fn save(conn: &mut DbConnection, row: &CommitmentRow) -> QueryResult<bool> {
    let updated =
        diesel::update(commitments::table.find(&row.id).filter(commitments::version.eq(row.version - 1)))
            .set((
                commitments::status.eq(&row.status),
                commitments::note.eq(&row.note),
                commitments::version.eq(row.version),
                commitments::updated_at.eq(row.updated_at),
            ))
            .execute(conn)?;
    Ok(updated == 1)
}

pub fn insert(conn: &mut DbConnection, row: &CommitmentRow) -> QueryResult<()> {
    diesel::insert_into(commitments::table).values(row).execute(conn).map(drop)
}

/// Gives a commitment the terms of a new version of its agreement; its status stays.
pub fn set_terms(
    conn: &mut DbConnection,
    current: &CommitmentRow,
    terms: &CommitmentTerms,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(commitments::table.find(&current.id))
        .set((
            commitments::party_type.eq(terms.party.party_type.as_str()),
            commitments::party_id.eq(&terms.party.id),
            commitments::description.eq(&terms.description),
            commitments::due_on.eq(terms.due_on),
            commitments::version.eq(current.version + 1),
            commitments::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Closes a commitment with `status` and `note`, whatever its version.
pub fn close(
    conn: &mut DbConnection,
    current: &CommitmentRow,
    status: CommitmentStatus,
    note: String,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(commitments::table.find(&current.id))
        .set((
            commitments::status.eq(status.as_str()),
            commitments::note.eq(note),
            commitments::version.eq(current.version + 1),
            commitments::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

pub struct CommitmentFilter {
    pub reach: Reach,
    pub status: Option<String>,
    pub due_before: Option<NaiveDate>,
    pub party_type: Option<String>,
    pub party_id: Option<String>,
    pub agreement_id: Option<String>,
    pub after_id: Option<String>,
    pub limit: i64,
}

/// A page of the commitments in the agreements of the municipalities reached and in those the
/// networks and organisations reached are a party to, each read apart on its own index.
pub fn list(conn: &mut DbConnection, filter: &CommitmentFilter) -> QueryResult<Vec<CommitmentRow>> {
    let Reach::Within { municipalities, networks, organisations } = &filter.reach else {
        return page_query(filter).load(conn);
    };
    let as_party = page_query(filter).filter(commitments::agreement_id.eq_any(parties::records_of(
        parties::AGREEMENT,
        networks,
        organisations,
    )));
    let parts = municipalities
        .iter()
        .map(|id| page_query(filter).filter(commitments::municipality_id.eq(id)))
        .chain((!networks.is_empty() || !organisations.is_empty()).then_some(as_party));
    read_apart(parts, filter.limit, |part| part.load(conn), |row: &CommitmentRow| &row.id)
}

fn page_query(
    filter: &CommitmentFilter,
) -> commitments::BoxedQuery<'_, Backend, SqlTypeOf<AsSelect<CommitmentRow, Backend>>> {
    let mut query = commitments::table.select(CommitmentRow::as_select()).into_boxed();
    if let Some(status) = &filter.status {
        query = query.filter(commitments::status.eq(status));
    }
    if let Some(due_before) = filter.due_before {
        query = query.filter(commitments::due_on.lt(due_before));
    }
    if let Some(party_type) = &filter.party_type {
        query = query.filter(commitments::party_type.eq(party_type));
    }
    if let Some(party_id) = &filter.party_id {
        query = query.filter(commitments::party_id.eq(party_id));
    }
    if let Some(agreement_id) = &filter.agreement_id {
        query = query.filter(commitments::agreement_id.eq(agreement_id));
    }
    if let Some(after) = &filter.after_id {
        query = query.filter(commitments::id.gt(after));
    }
    query.order(commitments::id.asc()).limit(filter.limit)
}
