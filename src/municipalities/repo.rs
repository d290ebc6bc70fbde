//! Queries on `municipalities`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::page::Reach;
use crate::db::schema::municipalities;
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = municipalities)]
pub struct MunicipalityRow {
    pub id: String,
    pub name: String,
    pub cbs_code: Option<String>,
    pub time_zone: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Anyone may fetch the 360Giving open data without signing in.
    pub open_data_public: bool,
    /// The 360Giving publisher prefix; `None`: the default (see `open_data::publisher_prefix`).
    pub open_data_prefix: Option<String>,
}

pub fn insert(conn: &mut DbConnection, row: &MunicipalityRow) -> QueryResult<()> {
    diesel::insert_into(municipalities::table).values(row).execute(conn).map(drop)
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<MunicipalityRow>> {
    municipalities::table.find(id).select(MunicipalityRow::as_select()).first(conn).optional()
}

pub fn cbs_code_taken(conn: &mut DbConnection, code: &str, except_id: &str) -> QueryResult<bool> {
    let count: i64 = municipalities::table
        .filter(municipalities::cbs_code.eq(code))
        .filter(municipalities::id.ne(except_id))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

/// Writes the new fields and bumps the version, if the version is still `row.version - 1`.
pub fn update(conn: &mut DbConnection, row: &MunicipalityRow) -> QueryResult<bool> {
    let updated = diesel::update(
        municipalities::table.find(&row.id).filter(municipalities::version.eq(row.version - 1)),
    )
    .set((
        municipalities::name.eq(&row.name),
        municipalities::cbs_code.eq(&row.cbs_code),
        municipalities::time_zone.eq(&row.time_zone),
        municipalities::version.eq(row.version),
        municipalities::updated_at.eq(row.updated_at),
        municipalities::open_data_public.eq(row.open_data_public),
        municipalities::open_data_prefix.eq(&row.open_data_prefix),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// The municipalities reached, in id order.
pub fn list(
    conn: &mut DbConnection,
    reach: &Reach,
    after_id: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<MunicipalityRow>> {
    let mut query = municipalities::table.select(MunicipalityRow::as_select()).into_boxed();
    if let Reach::Within { municipalities: reached, .. } = reach {
        query = query.filter(municipalities::id.eq_any(reached));
    }
    if let Some(after) = after_id {
        query = query.filter(municipalities::id.gt(after));
    }
    query.order(municipalities::id.asc()).limit(limit).load(conn)
}

pub fn find_by_cbs_code(conn: &mut DbConnection, code: &str) -> QueryResult<Option<MunicipalityRow>> {
    municipalities::table
        .filter(municipalities::cbs_code.eq(code))
        .select(MunicipalityRow::as_select())
        .first(conn)
        .optional()
}
