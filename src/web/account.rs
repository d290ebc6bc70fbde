//! The account pages: sign in, sign out, and the home page a person lands on. They call the
//! same services as the API and answer with HTML; forms post, then redirect.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::error::{ApiError, ErrorCode};
use crate::identity::service as identity;
use crate::state::AppState;

use super::layout::{chrome, html, refused, see_other, Chrome};
use super::session::{self, csrf_ok, signed_in, SESSION_COOKIE};

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    chrome: Chrome,
    title: String,
    email: String,
    signed_out: bool,
    /// Where to go once signed in.
    next: String,
    /// `(field id, message)`, in the order of the form.
    errors: Vec<(&'static str, String)>,
}

impl SignInPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
}

#[derive(Debug, Deserialize)]
pub struct SignInQuery {
    #[serde(default)]
    signed_out: Option<String>,
    #[serde(default)]
    next: Option<String>,
}

/// Where to go after signing in: a path of Pactum itself, never another site.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// `GET /sign-in`.
pub async fn sign_in_form(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let query = web::Query::<SignInQuery>::from_query(req.query_string()).ok();
    let next = safe_next(query.as_ref().and_then(|q| q.next.as_deref()));
    if signed_in(&state, &req).await?.is_some() {
        return Ok(see_other(&next));
    }
    let signed_out = query.as_ref().is_some_and(|q| q.signed_out.is_some());
    let (chrome, cookies) = chrome(&state, &req, None);
    let page = SignInPage {
        title: chrome.t("sign-in-title"),
        email: String::new(),
        signed_out,
        next,
        errors: Vec::new(),
        chrome,
    };
    html(StatusCode::OK, cookies, &page)
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

/// `POST /sign-in`: a session cookie and on to `/`, or the form again with what went wrong.
pub async fn sign_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<SignInForm>,
) -> Result<HttpResponse, ApiError> {
    let SignInForm { csrf, email, password, next } = form.into_inner();
    let next = safe_next(next.as_deref());
    if !csrf_ok(&req, &csrf) {
        return refused(&state, &req, None);
    }
    let (chrome, cookies) = chrome(&state, &req, None);
    let mut errors = Vec::new();
    if email.trim().is_empty() {
        errors.push(("email", chrome.t("email-missing")));
    }
    if password.is_empty() {
        errors.push(("password", chrome.t("password-missing")));
    }
    if errors.is_empty() {
        let address = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default();
        let account = email.trim().to_lowercase();
        let (app, e, p) = (state.clone(), email.clone(), password);
        let signed_in = state
            .db
            .run(move |conn| {
                app.login_limits.take_on(conn, &account, &address)?;
                let token = identity::sign_in_web(conn, &e, &p)?;
                app.login_limits.succeeded_on(conn, &account)?;
                Ok(token)
            })
            .await;
        let outcome = match signed_in {
            Ok(token) => Ok(token),
            Err(err) if err.code == ErrorCode::RateLimited => Err(chrome.t("sign-in-too-many")),
            Err(err) if err.code == ErrorCode::Unauthenticated => Err(chrome.t("sign-in-failed")),
            Err(err) => return Err(err),
        };
        match outcome {
            Ok(token) => {
                let mut response = see_other(&next);
                let cookie = session::cookie(&state, SESSION_COOKIE, token);
                response.add_cookie(&cookie).map_err(ApiError::internal)?;
                return Ok(response);
            }
            Err(message) => errors.push(("email", message)),
        }
    }
    let page =
        SignInPage { title: chrome.t("sign-in-title"), email, signed_out: false, next, errors, chrome };
    html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &page)
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /sign-out`: ends the session on the server, forgets the cookie.
pub async fn sign_out(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, ApiError> {
    if !csrf_ok(&req, &form.csrf) {
        return refused(&state, &req, None);
    }
    if let Some(token) = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned()) {
        state.db.run(move |conn| identity::sign_out_web(conn, &token)).await?;
    }
    let mut response = see_other("/sign-in?signed_out=1");
    response.add_removal_cookie(&session::removal(&state, SESSION_COOKIE)).map_err(ApiError::internal)?;
    Ok(response)
}
