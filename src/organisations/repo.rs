//! Queries on partner organisations.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{municipality_memberships, organisation_memberships, organisations};
use crate::db::DbConnection;
use crate::service_accounts::repo::municipality_of;

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
    /// `None` for platform admins.
    pub visible_to: Option<String>,
    pub municipality_id: Option<String>,
    pub kind: Option<String>,
    pub after_id: Option<String>,
    pub limit: i64,
}

/// Organisations of the caller's municipalities and those they are a contact of.
pub fn list(conn: &mut DbConnection, filter: &OrganisationFilter) -> QueryResult<Vec<OrganisationRow>> {
    let mut query = organisations::table.select(OrganisationRow::as_select()).into_boxed();
    if let Some(user_id) = &filter.visible_to {
        let my_municipalities = municipality_memberships::table
            .filter(municipality_memberships::user_id.eq(user_id.clone()))
            .select(municipality_memberships::municipality_id);
        let mine = organisation_memberships::table
            .filter(organisation_memberships::user_id.eq(user_id.clone()))
            .select(organisation_memberships::organisation_id);
        query = query.filter(
            organisations::municipality_id
                .eq_any(my_municipalities)
                .or(organisations::id.eq_any(mine))
                .or(organisations::municipality_id.eq_any(municipality_of(user_id.clone()))),
        );
    }
    if let Some(municipality_id) = &filter.municipality_id {
        query = query.filter(organisations::municipality_id.eq(municipality_id.clone()));
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(organisations::kind.eq(kind.clone()));
    }
    if let Some(after) = &filter.after_id {
        query = query.filter(organisations::id.gt(after.clone()));
    }
    query.order(organisations::id.asc()).limit(filter.limit).load(conn)
}
