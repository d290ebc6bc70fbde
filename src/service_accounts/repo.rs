//! Queries on service accounts and their tokens.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{service_account_tokens, service_accounts};
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = service_accounts)]
pub struct ServiceAccountRow {
    pub id: String,
    pub municipality_id: String,
    pub name: String,
    pub scopes: String,
    pub expires_at: Option<NaiveDateTime>,
    pub active: bool,
    pub created_by: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = service_account_tokens)]
pub struct TokenRow {
    pub id: String,
    pub service_account_id: String,
    pub token_hash: String,
    pub hint: String,
    pub label: String,
    pub expires_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &ServiceAccountRow) -> QueryResult<()> {
    diesel::insert_into(service_accounts::table).values(row).execute(conn).map(drop)
}

/// The account, only if it belongs to the municipality.
pub fn find(
    conn: &mut DbConnection,
    municipality_id: &str,
    id: &str,
) -> QueryResult<Option<ServiceAccountRow>> {
    service_accounts::table
        .find(id)
        .filter(service_accounts::municipality_id.eq(municipality_id))
        .select(ServiceAccountRow::as_select())
        .first(conn)
        .optional()
}

pub fn list(
    conn: &mut DbConnection,
    municipality_id: &str,
    after_id: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<ServiceAccountRow>> {
    let mut query = service_accounts::table
        .filter(service_accounts::municipality_id.eq(municipality_id))
        .select(ServiceAccountRow::as_select())
        .into_boxed();
    if let Some(after) = after_id {
        query = query.filter(service_accounts::id.gt(after.to_owned()));
    }
    query.order(service_accounts::id.asc()).limit(limit).load(conn)
}

/// Writes the row if its version is still `row.version - 1`.
pub fn update(conn: &mut DbConnection, row: &ServiceAccountRow) -> QueryResult<bool> {
    let updated = diesel::update(
        service_accounts::table.find(&row.id).filter(service_accounts::version.eq(row.version - 1)),
    )
    .set((
        service_accounts::name.eq(&row.name),
        service_accounts::scopes.eq(&row.scopes),
        service_accounts::expires_at.eq(row.expires_at),
        service_accounts::active.eq(row.active),
        service_accounts::version.eq(row.version),
        service_accounts::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn insert_token(conn: &mut DbConnection, row: &TokenRow) -> QueryResult<()> {
    diesel::insert_into(service_account_tokens::table).values(row).execute(conn).map(drop)
}

pub fn find_token(conn: &mut DbConnection, account_id: &str, id: &str) -> QueryResult<Option<TokenRow>> {
    service_account_tokens::table
        .find(id)
        .filter(service_account_tokens::service_account_id.eq(account_id))
        .select(TokenRow::as_select())
        .first(conn)
        .optional()
}

pub fn list_tokens(conn: &mut DbConnection, account_id: &str) -> QueryResult<Vec<TokenRow>> {
    service_account_tokens::table
        .filter(service_account_tokens::service_account_id.eq(account_id))
        .select(TokenRow::as_select())
        .order(service_account_tokens::id.asc())
        .load(conn)
}

/// Revokes a token that is not revoked yet; `false` if it already was.
pub fn revoke_token(conn: &mut DbConnection, id: &str, at: NaiveDateTime) -> QueryResult<bool> {
    let updated = diesel::update(
        service_account_tokens::table.find(id).filter(service_account_tokens::revoked_at.is_null()),
    )
    .set(service_account_tokens::revoked_at.eq(at))
    .execute(conn)?;
    Ok(updated == 1)
}

/// The municipality of the service account with this id (none for a person), as a subquery
/// for the list filters that show a caller their municipality's records.
pub fn municipality_of(
    account_id: String,
) -> diesel::dsl::Select<
    diesel::dsl::Filter<service_accounts::table, diesel::dsl::Eq<service_accounts::id, String>>,
    service_accounts::municipality_id,
> {
    service_accounts::table
        .filter(service_accounts::id.eq(account_id))
        .select(service_accounts::municipality_id)
}
