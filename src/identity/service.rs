//! Rules for users and sign-ins: creating users, login, refresh-token rotation with reuse
//! detection, logout.

use std::sync::OnceLock;

use chrono::Duration;

use crate::audit::{self, Actor, Event};
use crate::auth::caller::Caller;
use crate::auth::known_access::KnownAccess;
use crate::auth::tokens::{TokenKeys, ACCESS_TOKEN_MINUTES};
use crate::auth::{password, secrets};
use crate::db::{write_transaction, DbConnection};
use crate::domain::time::{now, utc};
use crate::domain::{BoundedText, Email, Locale};
use crate::error::{ApiError, FieldError};

use super::dto::{MeResponse, MunicipalityRoleDto, NetworkRoleDto, TokenResponse, UpdateMeRequest};
use super::repo::{self, NewUser, UserRow};

const REFRESH_TOKEN_DAYS: i64 = 30;
const REFRESH_TOKEN_PREFIX: &str = "prt_";

pub struct CreateUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password: &'a str,
    pub locale: Locale,
    pub is_platform_admin: bool,
}

/// Checks and hashes a new user's fields; the hash is slow, so this runs before any lock.
pub struct CheckedUser {
    pub email: Email,
    pub name: BoundedText<200>,
    pub password_hash: String,
    pub locale: Locale,
    pub is_platform_admin: bool,
}

pub fn check_user(input: &CreateUser<'_>) -> Result<CheckedUser, ApiError> {
    let mut errors = Vec::new();
    let email = Email::parse(input.email).map_err(|m| errors.push(FieldError::new("email", m))).ok();
    let name =
        BoundedText::<200>::parse(input.name).map_err(|m| errors.push(FieldError::new("name", m))).ok();
    if let Err(m) = password::check_new(input.password) {
        errors.push(FieldError::new("password", m));
    }
    let (Some(email), Some(name), true) = (email, name, errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let password_hash =
        password::hash(input.password).map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))?;
    Ok(CheckedUser {
        email,
        name,
        password_hash,
        locale: input.locale,
        is_platform_admin: input.is_platform_admin,
    })
}

/// Inserts a checked user; a taken email (in any letter case) is a conflict.
pub fn insert_user(conn: &mut DbConnection, user: &CheckedUser) -> Result<UserRow, ApiError> {
    if repo::find_user_by_email(conn, user.email.as_str())?.is_some() {
        return Err(ApiError::conflict(format!("A user with email {} already exists.", user.email)));
    }
    let id = uuid::Uuid::now_v7().to_string();
    repo::insert_user(
        conn,
        &NewUser {
            id: &id,
            email: user.email.as_str(),
            name: user.name.as_str(),
            locale: user.locale.as_str(),
            password_hash: &user.password_hash,
            is_platform_admin: user.is_platform_admin,
            disabled: false,
            created_at: now(),
        },
    )?;
    repo::find_user(conn, &id)?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("user vanished after insert")))
}

pub fn create_user(conn: &mut DbConnection, input: CreateUser<'_>) -> Result<UserRow, ApiError> {
    let checked = check_user(&input)?;
    write_transaction(conn, |conn| insert_user(conn, &checked))
}

fn invalid_login() -> ApiError {
    ApiError::unauthenticated("The email address or password is not correct.")
}

/// A hash to verify against when the email is unknown, so both failures take as long.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| password::hash("pactum timing equaliser").unwrap_or_default())
}

/// Verifies the password and opens a session. Unknown email, wrong password and a disabled
/// account all give the same answer after the same work.
pub fn login(
    conn: &mut DbConnection,
    keys: &TokenKeys,
    email: &str,
    password: &str,
) -> Result<TokenResponse, ApiError> {
    let user = authenticate(conn, email, password)?;
    let session_id = uuid::Uuid::now_v7().to_string();
    write_transaction(conn, |conn| {
        repo::create_session(conn, &session_id, &user.id, now())?;
        issue_tokens(conn, keys, &user.id, &session_id)
    })
}

/// The account these credentials open; the same answer, and about the same time, for an unknown
/// address as for a wrong password.
fn authenticate(conn: &mut DbConnection, email: &str, password: &str) -> Result<repo::UserRow, ApiError> {
    let user =
        Email::parse(email).ok().map(|e| repo::find_user_by_email(conn, e.as_str())).transpose()?.flatten();
    let stored_hash = match &user {
        Some(u) => u.password_hash.as_str(),
        None => dummy_hash(),
    };
    let password_ok = password::verify(password, stored_hash);
    let user = user.filter(|u| password_ok && !u.disabled).ok_or_else(invalid_login)?;
    Ok(user)
}

/// How long a browser stays signed in without signing in again.
pub const WEB_SESSION_HOURS: i64 = 12;
const WEB_SESSION_PREFIX: &str = "pws_";

/// Signs a person in for the web pages: checks the password as `login` does and returns the
/// opaque cookie value of a new session (only its hash is kept).
pub fn sign_in_web(conn: &mut DbConnection, email: &str, password: &str) -> Result<String, ApiError> {
    let user = authenticate(conn, email, password)?;
    let session_id = uuid::Uuid::now_v7().to_string();
    let (token, token_hash) = secrets::new_token(WEB_SESSION_PREFIX);
    write_transaction(conn, |conn| {
        repo::create_session(conn, &session_id, &user.id, now())?;
        repo::insert_web_session(
            conn,
            &token_hash,
            &session_id,
            now(),
            now() + Duration::hours(WEB_SESSION_HOURS),
        )?;
        Ok(token)
    })
}

/// Ends the session of a browser's cookie (sign-out).
pub fn sign_out_web(conn: &mut DbConnection, token: &str) -> Result<(), ApiError> {
    write_transaction(conn, |conn| {
        if let Some((session_id, _)) = repo::web_session(conn, &secrets::hash(token), now())? {
            repo::revoke_session(conn, &session_id, now())?;
        }
        Ok(())
    })
}

/// The person signed in with this cookie value, if the session is still live.
pub fn web_caller(
    conn: &mut DbConnection,
    known: &KnownAccess,
    token: &str,
) -> Result<Option<Caller>, ApiError> {
    Ok(repo::web_session_caller(conn, known, &secrets::hash(token), now())?)
}

fn issue_tokens(
    conn: &mut DbConnection,
    keys: &TokenKeys,
    user_id: &str,
    session_id: &str,
) -> Result<TokenResponse, ApiError> {
    let (refresh_token, hash) = secrets::new_token(REFRESH_TOKEN_PREFIX);
    let issued = now();
    let refresh_expires = issued + Duration::days(REFRESH_TOKEN_DAYS);
    repo::insert_refresh_token(conn, &hash, session_id, issued, refresh_expires)?;
    let (access_token, _) = keys.issue(user_id, session_id)?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: ACCESS_TOKEN_MINUTES * 60,
        refresh_token,
        refresh_token_expires_at: utc(refresh_expires),
    })
}

enum Rotation {
    Rotated(TokenResponse),
    /// A token that was already exchanged came back: someone copied it. The session ends.
    Reused,
    Refused,
}

/// Exchanges a refresh token for a new pair. Presenting an already-used token ends the whole
/// session, so a stolen token stops working for thief and owner alike.
pub fn refresh(conn: &mut DbConnection, keys: &TokenKeys, token: &str) -> Result<TokenResponse, ApiError> {
    let hash = secrets::hash(token);
    let rotation = write_transaction(conn, |conn| {
        let Some(state) = repo::find_refresh_token(conn, &hash)? else { return Ok(Rotation::Refused) };
        if state.session_revoked_at.is_some() || state.expires_at <= now() {
            return Ok(Rotation::Refused);
        }
        if state.used_at.is_some() || !repo::use_refresh_token(conn, &hash, now())? {
            repo::revoke_session(conn, &state.session_id, now())?;
            return Ok(Rotation::Reused);
        }
        let user_ok = repo::find_user(conn, &state.user_id)?.is_some_and(|u| !u.disabled);
        if !user_ok {
            return Ok(Rotation::Refused);
        }
        issue_tokens(conn, keys, &state.user_id, &state.session_id).map(Rotation::Rotated)
    })?;
    match rotation {
        Rotation::Rotated(tokens) => Ok(tokens),
        Rotation::Reused => {
            tracing::warn!("a rotated refresh token was reused; the session is revoked");
            Err(ApiError::unauthenticated("This refresh token was already used. Sign in again."))
        }
        Rotation::Refused => Err(ApiError::unauthenticated("The refresh token is invalid or has expired.")),
    }
}

/// Ends the session the refresh token belongs to. Unknown tokens are ignored (nothing to end).
pub fn logout(conn: &mut DbConnection, token: &str) -> Result<(), ApiError> {
    let hash = secrets::hash(token);
    write_transaction(conn, |conn| {
        if let Some(state) = repo::find_refresh_token(conn, &hash)? {
            repo::revoke_session(conn, &state.session_id, now())?;
        }
        Ok(())
    })
}

pub fn me(conn: &mut DbConnection, caller: &Caller) -> Result<MeResponse, ApiError> {
    let municipality_ids: Vec<String> =
        caller.municipalities.iter().map(|m| m.municipality_id.clone()).collect();
    let network_ids: Vec<String> = caller.networks.iter().map(|n| n.network_id.clone()).collect();
    let municipality_names = repo::municipality_names(conn, &municipality_ids)?;
    let network_names = repo::network_names(conn, &network_ids)?;
    let name_of = |names: &[(String, String)], id: &str| {
        names.iter().find(|(i, _)| i == id).map(|(_, n)| n.clone()).unwrap_or_default()
    };
    let preference = repo::notification_preference(conn, &caller.user_id)?;
    Ok(MeResponse {
        notification_preference: crate::db::stored::parse("users.notification_preference", &preference)?,
        id: caller.user_id.clone(),
        email: caller.email.clone(),
        name: caller.name.clone(),
        locale: caller.locale.parse().unwrap_or_default(),
        is_platform_admin: caller.is_platform_admin,
        municipalities: caller
            .municipalities
            .iter()
            .map(|m| MunicipalityRoleDto {
                municipality_id: m.municipality_id.clone(),
                municipality_name: name_of(&municipality_names, &m.municipality_id),
                role: m.role,
            })
            .collect(),
        networks: caller
            .networks
            .iter()
            .map(|n| NetworkRoleDto {
                network_id: n.network_id.clone(),
                network_name: name_of(&network_names, &n.network_id),
                role: n.role,
            })
            .collect(),
    })
}

/// Remembers the language the person chose for the pages (`code`, one the translation files
/// have) on their account, so every device shows it; emails follow when they exist in that
/// language (Dutch, English), else they stay as they were.
pub fn choose_page_language(
    conn: &mut DbConnection,
    caller: &Caller,
    code: &str,
) -> Result<Caller, ApiError> {
    let locale = code.parse::<Locale>().ok().map(Locale::as_str);
    write_transaction(conn, |conn| {
        repo::update_languages(conn, &caller.user_id, code, locale)?;
        let before = serde_json::json!({"page_language": caller.page_language, "locale": caller.locale});
        let after = serde_json::json!({"page_language": code, "locale": locale.unwrap_or(&caller.locale)});
        audit::record(
            conn,
            &Actor::from(caller),
            Event {
                action: "user.updated",
                entity_type: "user",
                entity_id: &caller.user_id,
                municipality_id: None,
                network_id: None,
                changes: audit::changes(Some(&before), &after),
            },
        )
    })?;
    Ok(Caller {
        page_language: Some(code.to_owned()),
        locale: locale.map_or_else(|| caller.locale.clone(), str::to_owned),
        ..caller.clone()
    })
}

/// `(user id, name)` of these people, to say who did something.
pub fn names(conn: &mut DbConnection, ids: &[String]) -> Result<Vec<(String, String)>, ApiError> {
    Ok(repo::user_names(conn, ids)?)
}

pub fn update_me(
    conn: &mut DbConnection,
    caller: &Caller,
    change: UpdateMeRequest,
) -> Result<MeResponse, ApiError> {
    let name = match &change.name {
        Some(name) => {
            BoundedText::<200>::parse(name).map_err(|m| ApiError::invalid_field("name", m))?.into_inner()
        }
        None => caller.name.clone(),
    };
    let locale = change.locale.unwrap_or_else(|| caller.locale.parse().unwrap_or_default());
    write_transaction(conn, |conn| {
        let preference_before = repo::notification_preference(conn, &caller.user_id)?;
        let preference =
            change.notification_preference.map_or(preference_before.clone(), |p| p.as_str().to_owned());
        repo::update_profile(conn, &caller.user_id, &name, locale.as_str(), &preference)?;
        let before = serde_json::json!({"name": caller.name, "locale": caller.locale, "notification_preference": preference_before});
        let after = serde_json::json!({"name": name, "locale": locale.as_str(), "notification_preference": preference});
        audit::record(
            conn,
            &Actor::from(caller),
            Event {
                action: "user.updated",
                entity_type: "user",
                entity_id: &caller.user_id,
                municipality_id: None,
                network_id: None,
                changes: audit::changes(Some(&before), &after),
            },
        )
    })?;
    let updated = Caller { name, locale: locale.as_str().to_owned(), ..caller.clone() };
    me(conn, &updated)
}
