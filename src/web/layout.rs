//! What every page shares: the chrome around the content (language, the person signed in, the
//! CSRF token for forms), answering with HTML or a redirect, a message page, and a simple form.

use actix_web::cookie::Cookie;
use actix_web::http::header::LOCATION;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use crate::error::ApiError;
use crate::state::AppState;

use super::form::{Errors, Field};
use super::i18n::Lang;
use super::session::{self, language};

/// What every page shows around its content.
pub struct Chrome {
    pub lang: Lang,
    pub csrf: String,
    pub user_name: Option<String>,
    pub assets: &'static str,
    /// `(href, text)` of the municipality's work the person may do, by their roles.
    pub nav: Vec<(&'static str, String)>,
}

impl Chrome {
    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    pub fn t_with(&self, key: &str, name: &'static str, value: &str) -> String {
        self.lang.t_with(key, &[(name, value)])
    }

    pub fn languages(&self) -> [Lang; 3] {
        Lang::ALL
    }
}

/// The chrome of a page for this request, and the cookies the answer sets (a CSRF token the
/// browser does not have yet, a language just chosen).
pub fn chrome(
    state: &AppState,
    req: &HttpRequest,
    caller: Option<&crate::auth::Caller>,
) -> (Chrome, Vec<Cookie<'static>>) {
    let (lang, asked) = language(req, caller);
    let (csrf, csrf_cookie) = session::csrf_token(state, req);
    let mut cookies: Vec<Cookie<'static>> = csrf_cookie.into_iter().collect();
    if let Some(lang) = asked {
        cookies.push(session::cookie(state, session::LANG_COOKIE, lang.code().to_owned()));
    }
    (
        Chrome {
            lang,
            csrf,
            user_name: caller.map(|c| c.name.clone()),
            assets: &super::assets::VERSION,
            nav: caller.map(|c| staff_nav(lang, c)).unwrap_or_default(),
        },
        cookies,
    )
}

/// The municipality's pages a person's roles open: officers decide and draft agreements and
/// visions, finance pays, admins manage, auditors read the trail (and the agreements); everyone
/// of a municipality sees the overview. A volunteer of a network alone gets none (their home
/// page is their work).
fn staff_nav(lang: Lang, caller: &crate::auth::Caller) -> Vec<(&'static str, String)> {
    use crate::domain::MunicipalityRole as R;
    let has = |roles: &[R]| caller.municipalities.iter().any(|m| roles.contains(&m.role));
    [
        ("/work", "nav-work", has(&[R::Officer, R::MunicipalAdmin])),
        ("/agreements", "nav-agreements", has(&[R::Officer, R::MunicipalAdmin, R::Auditor])),
        ("/payments", "nav-payments", has(&[R::Finance])),
        ("/overview", "nav-overview", !caller.municipalities.is_empty()),
        ("/admin", "nav-admin", has(&[R::MunicipalAdmin])),
        ("/audit", "nav-audit", has(&[R::Auditor, R::MunicipalAdmin])),
    ]
    .into_iter()
    .filter(|(_, _, shown)| *shown)
    .map(|(href, key, _)| (href, lang.t(key)))
    .collect()
}

pub fn html(
    status: StatusCode,
    cookies: Vec<Cookie<'static>>,
    page: &impl Template,
) -> Result<HttpResponse, ApiError> {
    let body = page.render().map_err(ApiError::internal)?;
    let mut response = HttpResponse::build(status);
    response.content_type("text/html; charset=utf-8").insert_header(("Cache-Control", "no-store"));
    for cookie in cookies {
        response.cookie(cookie);
    }
    Ok(response.body(body))
}

/// `a=1&b=x%20y` of the pairs whose value is not empty: the filters a "next page" link keeps.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        query.append_pair(name, value);
    }
    query.finish()
}

pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((LOCATION, to.to_owned())).finish()
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub chrome: Chrome,
    pub title: String,
    pub message: String,
    /// `(href, text)` of where to go next.
    pub link: Option<(String, String)>,
}

/// A page that says one thing: a title and a message from the translation files, and where to
/// go next.
pub fn message(
    chrome: Chrome,
    cookies: Vec<Cookie<'static>>,
    status: StatusCode,
    title: &str,
    message: &str,
    link: Option<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let page = MessagePage { title: chrome.t(title), message: chrome.t(message), link, chrome };
    html(status, cookies, &page)
}

/// A page with one simple form: a title, a sentence, fields, one button.
#[derive(Template)]
#[template(path = "form.html")]
pub struct FormPage {
    pub chrome: Chrome,
    pub title: String,
    pub intro: String,
    pub action: String,
    pub fields: Vec<Field>,
    /// `(name, value)` the form carries unseen, such as the version it was read at.
    pub hidden: Vec<(&'static str, String)>,
    pub button: String,
    /// `(field id, message)`, in the order of the form, for the summary at the top.
    pub errors: Vec<(String, String)>,
}

impl FormPage {
    /// The page, with each error put beside its field.
    pub fn new(
        chrome: Chrome,
        title: &str,
        intro: &str,
        action: String,
        mut fields: Vec<Field>,
        errors: Errors,
    ) -> Self {
        errors.attach(&mut fields);
        FormPage {
            title: chrome.t(title),
            intro: chrome.t(intro),
            button: String::new(),
            hidden: Vec::new(),
            action,
            fields,
            errors: errors.0,
            chrome,
        }
    }

    /// A value the form carries unseen.
    pub fn hidden(mut self, name: &'static str, value: String) -> Self {
        self.hidden.push((name, value));
        self
    }

    /// The text of the form's one button.
    pub fn button(mut self, key: &str) -> Self {
        self.button = self.chrome.t(key);
        self
    }
}

/// The page for a record that does not exist or that the person may not see: the same answer
/// for both, so a page never tells whether something exists.
pub fn not_found(chrome: Chrome, cookies: Vec<Cookie<'static>>) -> Result<HttpResponse, ApiError> {
    let home = Some(("/".to_owned(), chrome.t("go-home")));
    message(chrome, cookies, StatusCode::NOT_FOUND, "error-title", "error-not-found", home)
}

/// What a service found, or `None` when the record is absent or not the person's to see (any
/// refusal), so the page answers "not found" either way.
pub fn visible<T>(found: Result<T, ApiError>) -> Result<Option<T>, ApiError> {
    match found {
        Ok(found) => Ok(Some(found)),
        Err(err) if err.code.status().is_client_error() => Ok(None),
        Err(err) => Err(err),
    }
}

/// A form that did not come from Pactum (no or a wrong CSRF token): 403, and nothing done.
pub fn refused(
    state: &AppState,
    req: &HttpRequest,
    caller: Option<&crate::auth::Caller>,
) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(state, req, caller);
    let page =
        MessagePage { title: chrome.t("error-title"), message: chrome.t("error-csrf"), link: None, chrome };
    html(StatusCode::FORBIDDEN, cookies, &page)
}
