//! When a municipality's reminders go out, as a page for its admins: days before (negative), on
//! (0) and after (positive) each deadline. The same service as
//! `PATCH /api/v1/municipalities/{id}/reminder-settings`, which asks the policy.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::auth::{Action, Target};
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

use super::form::{Control, Errors, Field};
use super::layout::{chrome, html, not_found, refused, see_other, visible, Chrome, FormPage};
use super::session::{csrf_ok, SignedIn};

fn form(chrome: Chrome, municipality_id: &str, typed: String, saved: bool, errors: Errors) -> FormPage {
    let field = Field::new("offsets", chrome.t("field-reminder-days"), Control::Text)
        .hint(chrome.t("field-reminder-days-hint"))
        .value(typed);
    let intro = if saved { "reminders-saved" } else { "reminders-intro" };
    let action = format!("/municipalities/{municipality_id}/reminders");
    FormPage::new(chrome, "reminders-title", intro, action, vec![field], errors).button("reminders-save")
}

/// `-14, -3, 0, 7` (commas or spaces between) as days; `None` when something is not a number.
fn days(typed: &str) -> Option<Vec<i32>> {
    typed.split([',', ' ', ';']).filter(|d| !d.is_empty()).map(|d| d.parse().ok()).collect()
}

/// `GET /municipalities/{id}/reminders`.
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let municipality_id = id.into_inner();
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    if !caller.may(Action::Update, Target::Municipality(&municipality_id)) {
        return not_found(chrome, cookies);
    }
    let lookup = municipality_id.clone();
    let found = state.db.run(move |conn| crate::reminders::settings::read(conn, &caller, &lookup)).await;
    let Some(offsets) = visible(found)? else { return not_found(chrome, cookies) };
    let typed = offsets.iter().map(i32::to_string).collect::<Vec<_>>().join(", ");
    let saved = req.query_string().contains("saved=1");
    html(StatusCode::OK, cookies, &form(chrome, &municipality_id, typed, saved, Errors::default()))
}

#[derive(Debug, Deserialize)]
pub struct RemindersForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    offsets: String,
}

/// `POST /municipalities/{id}/reminders`.
pub async fn save(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
    posted: web::Form<RemindersForm>,
) -> Result<HttpResponse, ApiError> {
    let municipality_id = id.into_inner();
    let RemindersForm { csrf, offsets } = posted.into_inner();
    if !csrf_ok(&req, &csrf) {
        return refused(&state, &req, Some(&caller));
    }
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let invalid = |chrome: Chrome, cookies, typed: String| {
        let errors = Errors::one("offsets", chrome.t("reminder-days-invalid"));
        html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &form(chrome, &municipality_id, typed, false, errors))
    };
    let Some(wanted) = days(&offsets) else { return invalid(chrome, cookies, offsets) };
    let target = municipality_id.clone();
    let changed =
        state.db.run(move |conn| crate::reminders::settings::change(conn, &caller, &target, wanted)).await;
    match changed {
        Ok(_) => Ok(see_other(&format!("/municipalities/{municipality_id}/reminders?saved=1"))),
        Err(err) if err.code == ErrorCode::ValidationFailed => invalid(chrome, cookies, offsets),
        Err(err) if err.code.status().is_client_error() => not_found(chrome, cookies),
        Err(err) => Err(err),
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/municipalities/{id}/reminders")
            .route(web::get().to(show))
            .route(web::post().to(save)),
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn days_read_as_typed() {
        assert_eq!(super::days("-14, -3, 0, 7"), Some(vec![-14, -3, 0, 7]));
        assert_eq!(super::days("-7 0"), Some(vec![-7, 0]));
        assert_eq!(super::days("-7, morgen"), None);
    }
}
