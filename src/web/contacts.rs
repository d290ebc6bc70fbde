//! Confirming a network's contact address, as a page: the emailed link opens it, and the
//! button confirms (a link that is merely fetched, as mail scanners do, confirms nothing).

use actix_web::http::StatusCode;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::error::ApiError;
use crate::networks::contact;
use crate::state::AppState;

use super::layout::{chrome, html, message, refused, Chrome, MessagePage};
use super::session::csrf_ok;

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    title: String,
    intro: String,
    action: String,
    button: String,
}

fn unusable(state: &AppState, req: &HttpRequest, status: StatusCode) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(state, req, None);
    message(chrome, cookies, status, "error-title", "contact-unusable", None)
}

/// `GET /contact-confirmations/{token}`.
pub async fn open(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let link = token.into_inner();
    let lookup = link.clone();
    let network = match state.db.run(move |conn| contact::network_awaiting(conn, &lookup)).await {
        Ok(name) => name,
        Err(err) if err.code.status().is_client_error() => return unusable(&state, &req, err.code.status()),
        Err(err) => return Err(err),
    };
    let (chrome, cookies) = chrome(&state, &req, None);
    let page = ConfirmPage {
        title: chrome.t("contact-title"),
        intro: chrome.lang.t_with("contact-intro", &[("network", &network)]),
        action: format!("/contact-confirmations/{link}"),
        button: chrome.t("contact-button"),
        chrome,
    };
    html(StatusCode::OK, cookies, &page)
}

#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /contact-confirmations/{token}`.
pub async fn confirm(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    form: web::Form<ConfirmForm>,
) -> Result<HttpResponse, ApiError> {
    if !csrf_ok(&req, &form.csrf) {
        return refused(&state, &req, None);
    }
    let link = token.into_inner();
    let request_id = req.extensions().get::<crate::http::request::RequestId>().map(|r| r.as_str().to_owned());
    let confirmed = match state.db.run(move |conn| contact::confirm(conn, &link, request_id)).await {
        Ok(confirmed) => confirmed,
        Err(err) if err.code.status().is_client_error() => return unusable(&state, &req, err.code.status()),
        Err(err) => return Err(err),
    };
    let (chrome, cookies) = chrome(&state, &req, None);
    let page = MessagePage {
        title: chrome.t("contact-done-title"),
        message: chrome.lang.t_with("contact-done", &[("network", &confirmed.network_name)]),
        link: None,
        chrome,
    };
    html(StatusCode::OK, cookies, &page)
}
