//! Queries on users, sessions, refresh tokens and memberships.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::callers::{self, Person};
use crate::auth::known_access::KnownAccess;
use crate::auth::Caller;
use crate::db::schema::{
    municipalities, networks, password_resets, refresh_tokens, sessions, users, web_sessions,
};
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub locale: String,
    pub password_hash: String,
    pub is_platform_admin: bool,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    pub page_language: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub name: &'a str,
    pub locale: &'a str,
    pub password_hash: &'a str,
    pub is_platform_admin: bool,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
}

pub fn insert_user(conn: &mut DbConnection, user: &NewUser<'_>) -> QueryResult<()> {
    diesel::insert_into(users::table).values(user).execute(conn).map(drop)
}

pub fn find_user(conn: &mut DbConnection, id: &str) -> QueryResult<Option<UserRow>> {
    users::table.find(id).select(UserRow::as_select()).first(conn).optional()
}

pub fn find_user_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<UserRow>> {
    users::table.filter(users::email.eq(email)).select(UserRow::as_select()).first(conn).optional()
}

pub fn notification_preference(conn: &mut DbConnection, id: &str) -> QueryResult<String> {
    users::table.find(id).select(users::notification_preference).first(conn)
}

pub fn update_profile(
    conn: &mut DbConnection,
    id: &str,
    name: &str,
    locale: &str,
    preference: &str,
) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((users::name.eq(name), users::locale.eq(locale), users::notification_preference.eq(preference)))
        .execute(conn)
        .map(drop)
}

/// Remembers the language of the pages and, when given, of the emails.
pub fn update_languages(
    conn: &mut DbConnection,
    id: &str,
    page_language: &str,
    locale: Option<&str>,
) -> QueryResult<()> {
    let target = users::table.find(id);
    match locale {
        Some(locale) => diesel::update(target)
            .set((users::page_language.eq(page_language), users::locale.eq(locale)))
            .execute(conn),
        None => diesel::update(target).set(users::page_language.eq(page_language)).execute(conn),
    }
    .map(drop)
}

/// A user with their memberships, as a caller.
pub fn caller_for(conn: &mut DbConnection, user: UserRow) -> QueryResult<Caller> {
    let person = Person {
        id: user.id,
        email: user.email,
        name: user.name,
        locale: user.locale,
        is_platform_admin: user.is_platform_admin,
        page_language: user.page_language,
    };
    callers::person_caller(conn, person)
}

/// `(id, name)` of the municipalities and networks named, for `/me`.
pub fn municipality_names(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    municipalities::table
        .filter(municipalities::id.eq_any(ids))
        .select((municipalities::id, municipalities::name))
        .load(conn)
}

/// `(id, name)` of these people.
pub fn user_names(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    users::table.filter(users::id.eq_any(ids)).select((users::id, users::name)).load(conn)
}

pub fn network_names(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    networks::table.filter(networks::id.eq_any(ids)).select((networks::id, networks::name)).load(conn)
}

pub fn create_session(
    conn: &mut DbConnection,
    id: &str,
    user_id: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values((sessions::id.eq(id), sessions::user_id.eq(user_id), sessions::created_at.eq(now)))
        .execute(conn)
        .map(drop)
}

pub fn revoke_session(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(sessions::table.find(id).filter(sessions::revoked_at.is_null()))
        .set(sessions::revoked_at.eq(now))
        .execute(conn)
        .map(drop)
}

pub fn insert_web_session(
    conn: &mut DbConnection,
    token_hash: &str,
    session_id: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(web_sessions::table)
        .values((
            web_sessions::token_hash.eq(token_hash),
            web_sessions::session_id.eq(session_id),
            web_sessions::created_at.eq(now),
            web_sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .map(drop)
}

/// The session behind a browser's cookie, `(session id, user id)`: live, not expired.
pub fn web_session(
    conn: &mut DbConnection,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<(String, String)>> {
    web_sessions::table
        .inner_join(sessions::table)
        .filter(web_sessions::token_hash.eq(token_hash))
        .filter(web_sessions::expires_at.gt(now))
        .select((sessions::id, sessions::user_id))
        .first(conn)
        .optional()
}

/// The person behind a browser's session cookie: live, not expired, not revoked.
pub fn web_session_caller(
    conn: &mut DbConnection,
    known: &KnownAccess,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<Caller>> {
    match web_session(conn, token_hash, now)? {
        Some((session_id, user_id)) => callers::session_caller(conn, known, &user_id, &session_id),
        None => Ok(None),
    }
}

#[derive(Debug, Queryable)]
pub struct RefreshTokenState {
    pub session_id: String,
    pub user_id: String,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub session_revoked_at: Option<NaiveDateTime>,
}

pub fn insert_refresh_token(
    conn: &mut DbConnection,
    token_hash: &str,
    session_id: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::token_hash.eq(token_hash),
            refresh_tokens::session_id.eq(session_id),
            refresh_tokens::created_at.eq(now),
            refresh_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .map(drop)
}

pub fn find_refresh_token(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<RefreshTokenState>> {
    refresh_tokens::table
        .inner_join(sessions::table)
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select((
            refresh_tokens::session_id,
            sessions::user_id,
            refresh_tokens::expires_at,
            refresh_tokens::used_at,
            sessions::revoked_at,
        ))
        .first(conn)
        .optional()
}

/// Marks a refresh token used; `false` when it already was (another request got there first).
pub fn use_refresh_token(conn: &mut DbConnection, token_hash: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let updated =
        diesel::update(refresh_tokens::table.find(token_hash).filter(refresh_tokens::used_at.is_null()))
            .set(refresh_tokens::used_at.eq(now))
            .execute(conn)?;
    Ok(updated == 1)
}

pub fn set_password_hash(conn: &mut DbConnection, user_id: &str, password_hash: &str) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::password_hash.eq(password_hash))
        .execute(conn)
        .map(drop)
}

/// Ends every live session of the user but `keep`; returns how many ended.
pub fn revoke_sessions_of(
    conn: &mut DbConnection,
    user_id: &str,
    keep: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let live = sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .into_boxed();
    let ids: Vec<String> = match keep {
        Some(keep) => live.filter(sessions::id.ne(keep)).select(sessions::id).load(conn)?,
        None => live.select(sessions::id).load(conn)?,
    };
    diesel::update(sessions::table.filter(sessions::id.eq_any(&ids)).filter(sessions::revoked_at.is_null()))
        .set(sessions::revoked_at.eq(now))
        .execute(conn)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = password_resets)]
pub struct PasswordResetRow {
    pub id: String,
    pub token_hash: String,
    pub user_id: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

pub fn insert_password_reset(conn: &mut DbConnection, row: &PasswordResetRow) -> QueryResult<()> {
    diesel::insert_into(password_resets::table).values(row).execute(conn).map(drop)
}

pub fn find_password_reset(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<PasswordResetRow>> {
    password_resets::table
        .filter(password_resets::token_hash.eq(token_hash))
        .select(PasswordResetRow::as_select())
        .first(conn)
        .optional()
}

/// Marks the reset used; `false` when another request used it first.
pub fn claim_password_reset(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let updated = diesel::update(password_resets::table.find(id).filter(password_resets::used_at.is_null()))
        .set(password_resets::used_at.eq(now))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Voids every open reset link of the user (a new password makes them moot).
pub fn void_password_resets(conn: &mut DbConnection, user_id: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(
        password_resets::table
            .filter(password_resets::user_id.eq(user_id))
            .filter(password_resets::used_at.is_null()),
    )
    .set(password_resets::used_at.eq(now))
    .execute(conn)
    .map(drop)
}
