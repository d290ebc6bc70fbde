//! HTTP handlers for sign-in and `/me`: parse, call the service, answer.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

use super::dto::{
    ChangePasswordRequest, LoginRequest, MeResponse, NewPasswordRequest, PasswordResetRequest,
    RefreshRequest, TokenResponse, UpdateMeRequest,
};
use super::{passwords, service};
use crate::error::ErrorCode;
use crate::http::request::RequestId;

/// Sign in.
///
/// Returns a short-lived access token and a refresh token. Unknown email and wrong password
/// get the same answer. Rate limited per account and per client address (429 with
/// `Retry-After`).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", operation_id = "login",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "Wrong email or password", body = crate::error::Problem,
         content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts", body = crate::error::Problem,
         content_type = "application/problem+json"),
    ))]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { email, password } = body.into_inner();
    let address = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default();
    let account = email.trim().to_lowercase();
    let app = state.clone();
    let tokens = state
        .db
        .run(move |conn| {
            app.login_limits.take_on(conn, &account, &address)?;
            let tokens = service::login(conn, &app.auth.tokens, &email, &password)?;
            app.login_limits.succeeded_on(conn, &account)?;
            Ok(tokens)
        })
        .await?;
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(tokens))
}

/// Exchange a refresh token for a new pair.
///
/// Each refresh token works once. Presenting one that was already exchanged ends the whole
/// session (it was copied), and the caller must sign in again.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", operation_id = "refresh",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new pair of tokens", body = TokenResponse),
        (status = 401, description = "Invalid, expired or reused refresh token", body = crate::error::Problem,
         content_type = "application/problem+json"),
    ))]
pub async fn refresh(
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let token = body.into_inner().refresh_token;
    let app = state.clone();
    let tokens = state.db.run(move |conn| service::refresh(conn, &app.auth.tokens, &token)).await?;
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(tokens))
}

/// Sign out.
///
/// Ends the session of this refresh token: its access tokens stop working at once.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", operation_id = "logout",
    request_body = RefreshRequest,
    responses((status = 204, description = "Signed out")))]
pub async fn logout(
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let token = body.into_inner().refresh_token;
    state.db.run(move |conn| service::logout(conn, &token)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Who am I?
///
/// The signed-in user with every municipality and network role they hold.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", operation_id = "getMe",
    security(("bearer" = [])),
    responses((status = 200, description = "The signed-in user", body = MeResponse)))]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let me = state.db.run(move |conn| service::me(conn, &caller)).await?;
    Ok(HttpResponse::Ok().json(me))
}

/// Change my name or language.
///
/// Emails, roles and the platform admin flag cannot be changed here (422).
#[utoipa::path(patch, path = "/api/v1/me", tag = "auth", operation_id = "updateMe",
    security(("bearer" = [])),
    request_body = UpdateMeRequest,
    responses((status = 200, description = "The updated user", body = MeResponse)))]
pub async fn update_me(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<UpdateMeRequest>,
) -> Result<HttpResponse, ApiError> {
    let change = body.into_inner();
    let me = state.db.run(move |conn| service::update_me(conn, &caller, change)).await?;
    Ok(HttpResponse::Ok().json(me))
}

/// Ask for a password reset link.
///
/// Always `202 Accepted`, whether or not the address has an account, so this does not tell
/// who has one. An enabled account gets an email with a link to
/// `{public_url}/password-reset/{token}`; the same token works at
/// `POST /api/v1/auth/password-reset/{token}`, once, for one hour. Rate limited per address
/// asked for and per client address, like sign-in (429 with `Retry-After`).
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "auth", operation_id = "requestPasswordReset",
    request_body = PasswordResetRequest,
    responses(
        (status = 202, description = "If the address has an account, a link is on its way"),
        (status = 429, description = "Too many requests", body = crate::error::Problem,
         content_type = "application/problem+json"),
    ))]
pub async fn request_password_reset(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<PasswordResetRequest>,
) -> Result<HttpResponse, ApiError> {
    let email = body.into_inner().email;
    let address = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default();
    let account = email.trim().to_lowercase();
    let app = state.clone();
    state
        .db
        .run(move |conn| {
            app.password_reset_limits.take_on(conn, &account, &address)?;
            passwords::request_reset(conn, &email, app.settings.link_mail())
        })
        .await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Set a new password with a reset link.
///
/// The token is the last part of the emailed link. Works once, within an hour of the request;
/// every session of the account ends (its refresh and access tokens stop working), so sign in
/// again with the new password.
#[utoipa::path(post, path = "/api/v1/auth/password-reset/{token}", tag = "auth", operation_id = "resetPassword",
    params(("token" = String, Path, description = "The token from the emailed link (`pwr_...`)")),
    request_body = NewPasswordRequest,
    responses(
        (status = 204, description = "The password is changed; every session has ended"),
        (status = 404, description = "Unknown link", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already used (`password_reset_used`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 410, description = "Expired (`password_reset_expired`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The password is too short or too long", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn reset_password(
    state: web::Data<AppState>,
    request_id: RequestId,
    token: web::Path<String>,
    body: web::Json<NewPasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let token = token.into_inner();
    if token.len() > 200 {
        return Err(ApiError::not_found("No such password reset link. Ask for a new one."));
    }
    let password = body.into_inner().password;
    let request_id = Some(request_id.as_str().to_owned());
    state.db.run(move |conn| passwords::reset(conn, &token, &password, request_id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Change my password.
///
/// Needs the current password (403 `wrong_password` otherwise; failures count towards the
/// sign-in limit). Every other session of the account ends; this one stays signed in.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", operation_id = "changePassword",
    security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Changed; the other sessions have ended"),
        (status = 403, description = "Wrong current password (`wrong_password`)", body = crate::error::Problem,
         content_type = "application/problem+json"),
        (status = 422, description = "The new password is too short or too long", body = crate::error::Problem,
         content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts", body = crate::error::Problem,
         content_type = "application/problem+json"),
    ))]
pub async fn change_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    body: web::Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let ChangePasswordRequest { current_password, new_password } = body.into_inner();
    let address = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default();
    let account = caller.email.to_lowercase();
    let app = state.clone();
    state
        .db
        .run(move |conn| {
            // A wrong current password counts as a failed sign-in.
            app.login_limits.take_on(conn, &account, &address)?;
            let outcome = passwords::change(conn, &caller, &current_password, &new_password);
            if !matches!(&outcome, Err(e) if e.code == ErrorCode::WrongPassword) {
                app.login_limits.succeeded_on(conn, &account)?;
            }
            outcome
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
