//! Queries on partner organisations.

use chrono::NaiveDateTime;
use diesel::dsl::{AsSelect, SqlTypeOf};
use diesel::prelude::*;

use crate::db::page::{read_apart, Reach};
use crate::db::schema::organisations;
use crate::db::{Backend, DbConnection};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = organisations)]
pub struct OrganisationRow {
    pub id: String,
    pub municipality_id: String,
    pub name: String,
    pub kind: String,
    pub kvk_number: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &OrganisationRow) -> QueryResult<()> {
    diesel::insert_into(organisations::table).values(row).execute(conn).map(drop)
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<OrganisationRow>> {
    organisations::table.find(id).select(OrganisationRow::as_select()).first(conn).optional()
}

/// Writes the row if its version is still `row.version - 1`.
pub fn update(conn: &mut DbConnection, row: &OrganisationRow) -> QueryResult<bool> {
    let updated =
        diesel::update(organisations::table.find(&row.id).filter(organisations::version.eq(row.version - 1)))
            .set((
                organisations::name.eq(&row.name),
                organisations::kind.eq(&row.kind),
                organisations::kvk_number.eq(&row.kvk_number),
                organisations::version.eq(row.version),
                organisations::updated_at.eq(row.updated_at),
            ))
            .execute(conn)?;
    Ok(updated == 1)
}

pub struct OrganisationFilter {
    pub reach: Reach,
    pub municipality_id: Option<String>,
    pub kind: Option<String>,
    pub after_id: Option<String>,
    pub limit: i64,
}

/// A page of the organisations of the municipalities reached and of those the caller is a
/// contact of, each read apart on its own index.
pub fn list(conn: &mut DbConnection, filter: &OrganisationFilter) -> QueryResult<Vec<OrganisationRow>> {
    let Reach::Within { municipalities, organisations: own, .. } = &filter.reach else {
        return page_query(filter).load(conn);
    };
    let parts = municipalities
        .iter()
        .map(|id| page_query(filter).filter(organisations::municipality_id.eq(id)))
        .chain((!own.is_empty()).then(|| page_query(filter).filter(organisations::id.eq_any(own))));
    read_apart(parts, filter.limit, |part| part.load(conn), |row: &OrganisationRow| &row.id)
}

fn page_query(
    filter: &OrganisationFilter,
) -> organisations::BoxedQuery<'_, Backend, SqlTypeOf<AsSelect<OrganisationRow, Backend>>> {
    let mut query = organisations::table.select(OrganisationRow::as_select()).into_boxed();
    if let Some(municipality_id) = &filter.municipality_id {
        query = query.filter(organisations::municipality_id.eq(municipality_id));
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(organisations::kind.eq(kind));
    }
    if let Some(after) = &filter.after_id {
        query = query.filter(organisations::id.gt(after));
    }
    query.order(organisations::id.asc()).limit(filter.limit)
}
