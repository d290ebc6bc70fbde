//! A commitment from the pages: the link in a reminder opens it on its agreement's page, and a
//! network marks its own commitment done there (the same service as the API's
//! `POST /api/v1/commitments/{id}/complete`).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::domain::workflow::CommitmentAction;
use crate::error::ApiError;
use crate::state::AppState;

use super::agreements::step_outcome;
use super::layout::{chrome, not_found, refused, see_other, visible};
use super::session::{csrf_ok, SignedIn};

/// `GET /commitments/{id}` (the link in reminders): the commitment on its agreement's page.
pub async fn commitment(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let target = id.clone();
    let found =
        visible(state.db.run(move |conn| crate::commitments::service::get(conn, &caller, &target)).await)?;
    match found {
        Some(c) => Ok(see_other(&format!("/agreements/{}#commitment-{id}", c.agreement_id))),
        None => {
            let (chrome, cookies) = super::layout::chrome(&state, &req, None);
            not_found(chrome, cookies)
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct DoneForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    note: String,
}

/// `POST /commitments/{id}/done`: marks the network's own commitment done, with an optional
/// note, then the agreement's page.
pub async fn done(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
    form: web::Form<DoneForm>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let DoneForm { csrf, note } = form.into_inner();
    if !csrf_ok(&req, &csrf) {
        return refused(&state, &req, Some(&caller));
    }
    let (actor, target) = (caller.clone(), id.clone());
    let found =
        visible(state.db.run(move |conn| crate::commitments::service::get(conn, &actor, &target)).await)?;
    let Some(commitment) = found else {
        let (chrome, cookies) = chrome(&state, &req, Some(&caller));
        return not_found(chrome, cookies);
    };
    let note = Some(note.trim().to_owned()).filter(|n| !n.is_empty());
    let actor = caller.clone();
    let outcome = state
        .db
        .run(move |conn| {
            crate::commitments::service::act(conn, &actor, &id, CommitmentAction::Complete, note).map(|_| ())
        })
        .await;
    let field = format!("commitment-{}", commitment.id);
    step_outcome(&state, &req, caller, commitment.agreement_id, outcome, "commitment", &field).await
}
