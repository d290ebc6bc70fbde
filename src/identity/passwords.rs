//! Passwords after sign-up: a reset link sent by email (single use, an hour, stored hashed)
//! and a change by the signed-in person. Either ends the sessions an attacker might hold.

use chrono::Duration;

use crate::audit::{self, Actor, Event};
use crate::auth::caller::Caller;
use crate::auth::{password, secrets};
use crate::db::{write_transaction, DbConnection};
use crate::domain::time::now;
use crate::domain::{Email, Locale};
use crate::error::{ApiError, ErrorCode};
use crate::outbox::LinkMail;
use crate::outbox::{self, templates};

use super::repo::{self, PasswordResetRow};

pub const RESET_MINUTES: i64 = 60;
pub const RESET_PREFIX: &str = "pwr_";

/// Emails a reset link when `email` belongs to an enabled account; otherwise does nothing.
/// The caller answers the same either way.
pub fn request_reset(conn: &mut DbConnection, email: &str, mail: LinkMail<'_>) -> Result<(), ApiError> {
    let public_url = mail.public_url;
    let Ok(email) = Email::parse(email) else { return Ok(()) };
    let Some(user) = repo::find_user_by_email(conn, email.as_str())?.filter(|u| !u.disabled) else {
        return Ok(());
    };
    let (token, token_hash) = secrets::new_token(RESET_PREFIX);
    let created = now();
    let row = PasswordResetRow {
        id: uuid::Uuid::now_v7().to_string(),
        token_hash,
        user_id: user.id.clone(),
        created_at: created,
        expires_at: created + Duration::minutes(RESET_MINUTES),
        used_at: None,
    };
    let link = format!("{public_url}/password-reset/{token}");
    let api_url = format!("{public_url}/api/v1/auth/password-reset/{token}");
    let locale: Locale = user.locale.parse().unwrap_or_default();
    let rendered = templates::password_reset(locale, &user.name, &link, &api_url);
    write_transaction(conn, |conn| {
        repo::insert_password_reset(conn, &row)?;
        mail.enqueue(
            conn,
            &outbox::Email {
                kind: "password_reset",
                dedupe_key: format!("password_reset:{}", row.id),
                municipality_id: None,
                recipient: user.email.clone(),
                subject: rendered.subject,
                text: rendered.text,
                html: rendered.html,
            },
        )?;
        Ok(())
    })
}

/// Sets a new password with a reset link's token and ends every session of the account.
pub fn reset(
    conn: &mut DbConnection,
    token: &str,
    new_password: &str,
    request_id: Option<String>,
) -> Result<(), ApiError> {
    let reset = repo::find_password_reset(conn, &secrets::hash(token))?
        .ok_or_else(|| ApiError::not_found("No such password reset link. Ask for a new one."))?;
    if reset.used_at.is_some() {
        return Err(used());
    }
    if reset.expires_at <= now() {
        return Err(ApiError::new(
            ErrorCode::PasswordResetExpired,
            "This password reset link has expired (it works for an hour). Ask for a new one.",
        ));
    }
    password::check_new(new_password).map_err(|m| ApiError::invalid_field("password", m))?;
    // The slow hash happens before the write lock is taken.
    let password_hash = hash(new_password)?;
    write_transaction(conn, |conn| {
        // Claim first: a concurrent use waits here, then finds it used.
        if !repo::claim_password_reset(conn, &reset.id, now())? {
            return Err(used());
        }
        let actor = Actor { user_id: Some(reset.user_id.clone()), request_id: request_id.clone() };
        set_password(conn, &actor, "user.password_reset", &reset.user_id, &password_hash, None)
    })
}

/// Changes the signed-in person's password; their other sessions end, this one stays.
pub fn change(
    conn: &mut DbConnection,
    caller: &Caller,
    current_password: &str,
    new_password: &str,
) -> Result<(), ApiError> {
    if caller.service_account.is_some() {
        return Err(ApiError::forbidden("A service account has no password."));
    }
    let user = repo::find_user(conn, &caller.user_id)?
        .ok_or_else(|| ApiError::unauthenticated("This sign-in has ended. Sign in again."))?;
    if !password::verify(current_password, &user.password_hash) {
        return Err(ApiError::new(ErrorCode::WrongPassword, "The current password is not correct."));
    }
    password::check_new(new_password).map_err(|m| ApiError::invalid_field("new_password", m))?;
    let password_hash = hash(new_password)?;
    write_transaction(conn, |conn| {
        let actor = Actor::from(caller);
        let keep = caller.session_id.as_deref();
        set_password(conn, &actor, "user.password_changed", &user.id, &password_hash, keep)
    })
}

/// Stores the new hash, voids open reset links, ends the sessions (but `keep`) and records it,
/// without any secret in the audit trail.
fn set_password(
    conn: &mut DbConnection,
    actor: &Actor,
    action: &str,
    user_id: &str,
    password_hash: &str,
    keep: Option<&str>,
) -> Result<(), ApiError> {
    let at = now();
    repo::set_password_hash(conn, user_id, password_hash)?;
    repo::void_password_resets(conn, user_id, at)?;
    let ended = repo::revoke_sessions_of(conn, user_id, keep, at)?;
    audit::record(
        conn,
        actor,
        Event {
            action,
            entity_type: "user",
            entity_id: user_id,
            municipality_id: None,
            network_id: None,
            changes: serde_json::json!({"sessions_ended": {"before": null, "after": ended}}),
        },
    )?;
    Ok(())
}

fn hash(new_password: &str) -> Result<String, ApiError> {
    password::hash(new_password).map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))
}

fn used() -> ApiError {
    ApiError::new(
        ErrorCode::PasswordResetUsed,
        "This password reset link was already used or replaced. Ask for a new one.",
    )
}
