//! `/admin`: where a municipal admin finds the people and settings of each municipality they
//! manage.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use crate::domain::MunicipalityRole;
use crate::error::ApiError;
use crate::state::AppState;

use super::layout::{chrome, html, Chrome};
use super::session::SignedIn;

/// A municipality and the pages that manage it, as `(href, text)`.
pub struct Managed {
    pub name: String,
    pub links: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    chrome: Chrome,
    title: String,
    municipalities: Vec<Managed>,
}

/// `GET /admin`.
pub async fn index(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let lang = chrome.lang;
    let me = state.db.run(move |conn| crate::identity::service::me(conn, &caller)).await?;
    let municipalities = me
        .municipalities
        .into_iter()
        .filter(|m| m.role == MunicipalityRole::MunicipalAdmin)
        .map(|m| Managed {
            links: vec![
                (format!("/municipalities/{}/people", m.municipality_id), lang.t("admin-people")),
                (format!("/municipalities/{}/funds", m.municipality_id), lang.t("admin-funds")),
                (format!("/municipalities/{}/networks", m.municipality_id), lang.t("admin-networks")),
                (format!("/municipalities/{}/reminders", m.municipality_id), lang.t("admin-reminders")),
                (super::service_accounts::list_path(&m.municipality_id), lang.t("admin-service-accounts")),
                (super::webhooks::list_path(&m.municipality_id), lang.t("admin-webhooks")),
            ],
            name: m.municipality_name,
        })
        .collect();
    html(StatusCode::OK, cookies, &AdminPage { title: lang.t("admin-title"), municipalities, chrome })
}
