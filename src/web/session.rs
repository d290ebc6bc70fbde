//! Who is using the pages, and proof that a form came from Pactum. A signed-in browser holds an
//! opaque session cookie (only its hash is stored, tied to a session that sign-out and password
//! changes end); every form carries a CSRF token that must equal the browser's `pactum_csrf`
//! cookie (double submit; both cookies are `HttpOnly`, `SameSite=Lax`, and `Secure` outside
//! development).

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{header, Method, StatusCode};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError};

use crate::auth::{secrets, Caller};
use crate::config::Environment;
use crate::error::ApiError;
use crate::state::AppState;

use super::i18n::Lang;

pub const SESSION_COOKIE: &str = "pactum_session";
pub const CSRF_COOKIE: &str = "pactum_csrf";
pub const LANG_COOKIE: &str = "pactum_lang";

/// A cookie with the flags every Pactum cookie has.
pub fn cookie(state: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.environment != Environment::Development)
        .finish()
}

/// A cookie that tells the browser to forget one.
pub fn removal(state: &AppState, name: &'static str) -> Cookie<'static> {
    let mut gone = cookie(state, name, String::new());
    gone.make_removal();
    gone
}

/// The person signed in on this browser, if any. A language they choose on a page (`?lang=`)
/// is remembered on their account, so every device they sign in on shows it.
pub async fn signed_in(state: &AppState, req: &HttpRequest) -> Result<Option<Caller>, ApiError> {
    let Some(token) = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned()) else { return Ok(None) };
    if token.is_empty() || token.len() > 200 {
        return Ok(None);
    }
    let request_id = {
        use actix_web::HttpMessage;
        req.extensions().get::<crate::http::request::RequestId>().map(|id| id.as_str().to_owned())
    };
    let asked = asked_language(req);
    let auth = state.auth.clone();
    let caller = state
        .db
        .run(move |conn| {
            let Some(caller) = crate::identity::service::web_caller(conn, &auth.known, &token)? else {
                return Ok(None);
            };
            match asked {
                Some(lang) if caller.page_language.as_deref() != Some(lang.code()) => {
                    crate::identity::service::choose_page_language(conn, &caller, lang.code()).map(Some)
                }
                _ => Ok::<_, ApiError>(Some(caller)),
            }
        })
        .await?;
    Ok(caller.map(|mut c| {
        c.request_id = request_id;
        c
    }))
}

/// The person signed in on this browser, for a page that is only for them: without one, the
/// browser is sent to sign in first, and brought back to the page it asked for.
pub struct SignedIn(pub Caller);

/// The answer to a page asked for without signing in: to the sign-in page.
#[derive(Debug)]
pub struct SignInFirst {
    next: String,
}

impl std::fmt::Display for SignInFirst {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "sign in first")
    }
}

impl ResponseError for SignInFirst {
    fn status_code(&self) -> StatusCode {
        StatusCode::SEE_OTHER
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::SeeOther().insert_header((header::LOCATION, self.next.clone())).finish()
    }
}

impl FromRequest for SignedIn {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<actix_web::web::Data<AppState>>()
                .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no app state")))?
                .clone();
            match signed_in(&state, &req).await? {
                Some(caller) => Ok(SignedIn(caller)),
                // A page comes back after signing in (home is where signing in leads anyway);
                // a form sent without a session does not.
                None if req.method() == Method::GET && req.path() != "/" => {
                    Err(SignInFirst { next: format!("/sign-in?next={}", req.path()) }.into())
                }
                None => Err(SignInFirst { next: "/sign-in".to_owned() }.into()),
            }
        })
    }
}

/// The language asked for in the address (`?lang=`), when the translation files have it.
fn asked_language(req: &HttpRequest) -> Option<Lang> {
    actix_web::web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.get("lang").and_then(|l| Lang::parse(l)))
}

/// The browser's CSRF token, and the cookie to set when it has none yet.
pub fn csrf_token(state: &AppState, req: &HttpRequest) -> (String, Option<Cookie<'static>>) {
    match req.cookie(CSRF_COOKIE).map(|c| c.value().to_owned()).filter(|v| v.len() >= 32) {
        Some(token) => (token, None),
        None => {
            let (token, _) = secrets::new_token("csrf_");
            (token.clone(), Some(cookie(state, CSRF_COOKIE, token)))
        }
    }
}

/// Whether a posted form carries the browser's CSRF token.
pub fn csrf_ok(req: &HttpRequest, posted: &str) -> bool {
    let Some(expected) = req.cookie(CSRF_COOKIE).map(|c| c.value().to_owned()) else { return false };
    // Compared by hash, so the time taken says nothing about the token.
    expected.len() >= 32 && secrets::hash(&expected) == secrets::hash(posted)
}

/// The language of the page: asked for in the address (`?lang=`), else the one the signed-in
/// person chose (on any device), else chosen before on this browser (a cookie), else the
/// person's email language, else what the browser prefers, else Dutch.
pub fn language(req: &HttpRequest, caller: Option<&Caller>) -> (Lang, Option<Lang>) {
    let asked = asked_language(req);
    let chosen_on_account = caller.and_then(|c| c.page_language.as_deref()).and_then(Lang::parse);
    let chosen = chosen_on_account.or_else(|| req.cookie(LANG_COOKIE).and_then(|c| Lang::parse(c.value())));
    let own = caller.and_then(|c| Lang::parse(&c.locale));
    let browser = req
        .headers()
        .get(actix_web::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').find_map(Lang::parse));
    (asked.or(chosen).or(own).or(browser).unwrap_or(Lang::Nl), asked)
}
