//! HTTP handlers for sign-in and `/me`: parse, call the service, answer.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::startup::AppState;

use super::dto::{LoginRequest, MeResponse, RefreshRequest, TokenResponse, UpdateMeRequest};
use super::service;

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
    state.login_limits.take(&account, &address)?;
    let app = state.clone();
    let tokens = state.db.run(move |conn| service::login(conn, &app.tokens, &email, &password)).await?;
    state.login_limits.succeeded(&account);
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
    let tokens = state.db.run(move |conn| service::refresh(conn, &app.tokens, &token)).await?;
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
