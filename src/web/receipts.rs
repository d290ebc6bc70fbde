//! Receipts for a spending report, uploaded from the report's page: several at once, straight
//! from a phone's camera, all or none.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;

use crate::error::ApiError;
use crate::state::AppState;

use super::form::Errors;
use super::layout::{chrome, html, not_found, refused, see_other};
use super::reports::{load, page, save, size, Values};
use super::session::{csrf_ok, SignedIn};

/// `POST /grants/{id}/report/receipts`: the receipts chosen (several at once), as
/// `multipart/form-data` with the CSRF token first; then the page again.
pub async fn upload(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
    mut form: Multipart,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let lang = chrome.lang;
    let Some((grant, report)) = load(&state, caller.clone(), id.clone()).await? else {
        return not_found(chrome, cookies);
    };
    let limit = state.settings.receipt_limit_bytes;
    let mut csrf = String::new();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut problem: Option<String> = None;
    while let Some(field) = form.next().await {
        let Ok(mut field) = field else { break };
        let name = field.name().unwrap_or_default().to_owned();
        let file_name =
            field.content_disposition().and_then(|d| d.get_filename()).unwrap_or("receipt").to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let Ok(chunk) = chunk else { break };
            if bytes.len() + chunk.len() > limit.max(4096) {
                problem = Some(lang.t_with(
                    "receipt-too-large",
                    &[("name", &file_name), ("max", &size(lang, limit as i64))],
                ));
                bytes.clear();
                break;
            }
            bytes.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "receipts" if !bytes.is_empty() => files.push((file_name, bytes)),
            _ => {}
        }
    }
    if !csrf_ok(&req, &csrf) {
        return refused(&state, &req, Some(&caller));
    }
    if files.is_empty() && problem.is_none() {
        problem = Some(lang.t("receipts-missing"));
    }
    // All or none: a file that is no PDF, JPEG or PNG stops the whole upload before any is kept.
    if let Some((name, _)) = files.iter().find(|(_, bytes)| crate::reports::storage::sniff(bytes).is_none()) {
        problem.get_or_insert_with(|| lang.t_with("receipt-wrong-type", &[("name", name)]));
    }
    if problem.is_none() {
        let data_dir = state.settings.data_dir.clone();
        let (grant_id, existing) = (id.clone(), report.clone());
        let outcome = state
            .db
            .run(move |conn| {
                let report = match existing {
                    Some(report) => report,
                    None => save(conn, &caller, &grant_id, None, String::new(), None, Vec::new())?,
                };
                for (name, bytes) in &files {
                    crate::reports::receipts::add_receipt(conn, &caller, &report.id, name, bytes, &data_dir)?;
                }
                Ok::<_, ApiError>(())
            })
            .await;
        match outcome {
            Ok(()) => return Ok(see_other(&format!("/grants/{id}/report"))),
            Err(err) if err.code.status().is_client_error() => problem = Some(lang.t("step-not-now")),
            Err(err) => return Err(err),
        }
    }
    let values = report.as_ref().map(|r| Values::of(lang, r)).unwrap_or_default();
    let errors = Errors::one("receipts", problem.unwrap_or_default());
    html(
        StatusCode::UNPROCESSABLE_ENTITY,
        cookies,
        &page(chrome, &grant, report.as_ref(), values, errors, false),
    )
}
