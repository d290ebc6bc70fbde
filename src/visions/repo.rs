//! Queries on visions, their revisions and endorsements.

use chrono::NaiveDateTime;
use diesel::dsl::{AsSelect, SqlTypeOf};
use diesel::prelude::*;

use crate::db::page::{read_apart, Reach};
use crate::db::schema::{vision_endorsements, vision_revisions, visions};
use crate::db::{Backend, DbConnection};
use crate::parties;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = visions)]
pub struct VisionRow {
    pub id: String,
    pub municipality_id: String,
    pub status: String,
    pub title: String,
    pub statement: String,
    pub goals: String,
    pub themes: String,
    pub revision: i32,
    pub version: i64,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = vision_endorsements)]
pub struct EndorsementRow {
    pub vision_id: String,
    pub party_type: String,
    pub party_id: String,
    pub revision: i32,
    pub endorsed_by: String,
    pub endorsed_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = vision_revisions)]
pub struct RevisionRow {
    pub vision_id: String,
    pub revision: i32,
    pub content: String,
    pub edited_by: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn find_by_title(
    conn: &mut DbConnection,
    municipality_id: &str,
    title: &str,
) -> QueryResult<Option<VisionRow>> {
    visions::table
        .filter(visions::municipality_id.eq(municipality_id))
        .filter(visions::title.eq(title))
        .select(VisionRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut DbConnection, row: &VisionRow) -> QueryResult<()> {
    diesel::insert_into(visions::table).values(row).execute(conn).map(drop)
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<VisionRow>> {
    visions::table.find(id).select(VisionRow::as_select()).first(conn).optional()
}

/// Takes the row lock (PostgreSQL) before reading, so concurrent actions on one vision queue
/// up; bumps the version.
pub fn lock(conn: &mut DbConnection, id: &str) -> QueryResult<Option<VisionRow>> {
    let lock = diesel::update(visions::table.find(id)).set(visions::version.eq(visions::version + 1));
    crate::per_backend!(conn, |c| lock.returning(VisionRow::as_returning()).get_result(c).optional())
}

pub fn save(conn: &mut DbConnection, row: &VisionRow) -> QueryResult<()> {
    diesel::update(visions::table.find(&row.id))
        .set((
            visions::status.eq(&row.status),
            visions::title.eq(&row.title),
            visions::statement.eq(&row.statement),
            visions::goals.eq(&row.goals),
            visions::themes.eq(&row.themes),
            visions::revision.eq(row.revision),
            visions::updated_at.eq(row.updated_at),
        ))
        .execute(conn)
        .map(drop)
}

pub fn insert_revision(conn: &mut DbConnection, row: &RevisionRow) -> QueryResult<()> {
    diesel::insert_into(vision_revisions::table).values(row).execute(conn).map(drop)
}

pub fn revisions(conn: &mut DbConnection, vision_id: &str) -> QueryResult<Vec<RevisionRow>> {
    vision_revisions::table
        .filter(vision_revisions::vision_id.eq(vision_id))
        .order(vision_revisions::revision.asc())
        .select(RevisionRow::as_select())
        .load(conn)
}

pub fn endorsements(conn: &mut DbConnection, vision_ids: &[String]) -> QueryResult<Vec<EndorsementRow>> {
    vision_endorsements::table
        .filter(vision_endorsements::vision_id.eq_any(vision_ids))
        .order((vision_endorsements::vision_id, vision_endorsements::endorsed_at))
        .select(EndorsementRow::as_select())
        .load(conn)
}

pub fn insert_endorsement(conn: &mut DbConnection, row: &EndorsementRow) -> QueryResult<()> {
    diesel::insert_into(vision_endorsements::table).values(row).execute(conn).map(drop)
}

pub fn clear_endorsements(conn: &mut DbConnection, vision_id: &str) -> QueryResult<()> {
    diesel::delete(vision_endorsements::table.filter(vision_endorsements::vision_id.eq(vision_id)))
        .execute(conn)
        .map(drop)
}

pub struct VisionFilter {
    pub reach: Reach,
    pub municipality_id: Option<String>,
    pub status: Option<String>,
    pub after_id: Option<String>,
    pub limit: i64,
}

/// A page of the visions of the municipalities reached and of those the networks and
/// organisations reached are a party to, each read apart on its own index.
pub fn list(conn: &mut DbConnection, filter: &VisionFilter) -> QueryResult<Vec<VisionRow>> {
    let Reach::Within { municipalities, networks, organisations } = &filter.reach else {
        return page_query(filter).load(conn);
    };
    let as_party = page_query(filter).filter(visions::id.eq_any(parties::records_of(
        parties::VISION,
        networks,
        organisations,
    )));
    let parts = municipalities
        .iter()
        .map(|id| page_query(filter).filter(visions::municipality_id.eq(id)))
        .chain((!networks.is_empty() || !organisations.is_empty()).then_some(as_party));
    read_apart(parts, filter.limit, |part| part.load(conn), |row: &VisionRow| &row.id)
}

fn page_query(
    filter: &VisionFilter,
) -> visions::BoxedQuery<'_, Backend, SqlTypeOf<AsSelect<VisionRow, Backend>>> {
    let mut query = visions::table.select(VisionRow::as_select()).into_boxed();
    if let Some(municipality_id) = &filter.municipality_id {
        query = query.filter(visions::municipality_id.eq(municipality_id));
    }
    if let Some(status) = &filter.status {
        query = query.filter(visions::status.eq(status));
    }
    if let Some(after) = &filter.after_id {
        query = query.filter(visions::id.gt(after));
    }
    query.order(visions::id.asc()).limit(filter.limit)
}
