//! The seed's rows and their multi-row inserts: one statement per batch, every column bound
//! (no `DEFAULT`), so SQLite and PostgreSQL both take a thousand rows in one statement.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{
    grants, municipality_memberships, municipality_networks, network_memberships, networks, users,
};
use crate::db::DbConnection;
use crate::grants::repo::GrantRow;

/// Rows per statement. A grant binds 32 values, so a batch binds 32,000: below SQLite's
/// limit of 32,766 variables and PostgreSQL's 65,535.
pub const BATCH: usize = 1000;

/// The multi-row insert on the connection's own backend: the connection over both backends
/// runs a batch as one statement per row.
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            DbConnection::Postgres(pg) => diesel::insert_into($table).values($rows).execute(pg),
            DbConnection::Sqlite(sqlite) => diesel::insert_into($table).values($rows).execute(sqlite),
        }
    };
}

#[derive(Insertable)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
pub struct SeedUser {
    pub id: String,
    pub email: String,
    pub name: String,
    pub locale: String,
    pub password_hash: String,
    pub is_platform_admin: bool,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    pub notification_preference: String,
}

#[derive(Insertable)]
#[diesel(table_name = networks, treat_none_as_default_value = false)]
pub struct SeedNetwork {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub description: String,
    pub legal_form: String,
    pub contact_email: String,
    pub listed_publicly: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub contact_confirmed_at: Option<NaiveDateTime>,
    pub directory_messages_sent: i32,
}

/// A network's link to the municipality, active.
#[derive(Insertable)]
#[diesel(table_name = municipality_networks, treat_none_as_default_value = false)]
pub struct SeedLink {
    pub municipality_id: String,
    pub network_id: String,
    pub status: String,
    pub requested_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = network_memberships)]
pub struct SeedNetworkMember {
    pub network_id: String,
    pub user_id: String,
    pub role: String,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = municipality_memberships)]
pub struct SeedMunicipalityMember {
    pub municipality_id: String,
    pub user_id: String,
    pub role: String,
    pub created_at: NaiveDateTime,
}

pub fn insert_users(conn: &mut DbConnection, rows: &[SeedUser]) -> QueryResult<usize> {
    insert_rows!(conn, users::table, rows)
}

pub fn insert_municipality_members(
    conn: &mut DbConnection,
    rows: &[SeedMunicipalityMember],
) -> QueryResult<usize> {
    insert_rows!(conn, municipality_memberships::table, rows)
}

pub fn insert_networks(conn: &mut DbConnection, rows: &[SeedNetwork]) -> QueryResult<usize> {
    insert_rows!(conn, networks::table, rows)
}

pub fn insert_links(conn: &mut DbConnection, rows: &[SeedLink]) -> QueryResult<usize> {
    insert_rows!(conn, municipality_networks::table, rows)
}

pub fn insert_network_members(conn: &mut DbConnection, rows: &[SeedNetworkMember]) -> QueryResult<usize> {
    insert_rows!(conn, network_memberships::table, rows)
}

/// Applications that carry no money yet (draft, submitted, in review, rejected, withdrawn), so no
/// ledger entry is owed.
pub fn insert_grants(conn: &mut DbConnection, rows: &[GrantRow]) -> QueryResult<usize> {
    insert_rows!(conn, grants::table, rows)
}
