//! The public directory: networks that chose to be listed, with only their public fields, for
//! residents and professionals who look for them, without signing in. People reach a network
//! through a message form; its email address is never shown.

use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::page::Reach;
use crate::domain::text::escape_markup;
use crate::domain::{BoundedText, Email, NetworkKind};
use crate::error::{ApiError, FieldError};
use crate::http::etag;
use crate::http::pagination::{Page, PageRequest};
use crate::outbox;
use crate::state::AppState;

use super::dto::LinkStatus;
use super::repo::{self, NetworkFilter};
use super::service;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DirectoryQuery {
    /// Networks that work with this municipality.
    pub municipality_id: Option<uuid::Uuid>,
    pub theme: Option<String>,
    pub neighbourhood: Option<String>,
    /// Part of the name.
    pub q: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// What the directory shows of a network: nothing personal.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicNetwork {
    pub id: String,
    pub name: String,
    pub kind: NetworkKind,
    pub description: String,
    pub themes: Vec<String>,
    pub neighbourhoods: Vec<String>,
    /// Municipalities it works with.
    pub municipality_ids: Vec<String>,
    /// Where to send the network a message; its email address stays private.
    pub contact_url: String,
}

/// Networks that chose to be listed.
///
/// No sign-in needed. Only public fields; cacheable (`ETag`, `Cache-Control`) and rate limited
/// per client address.
#[utoipa::path(get, path = "/api/v1/public/networks", tag = "directory", operation_id = "publicNetworks",
    params(DirectoryQuery),
    responses((status = 200, description = "A page of listed networks", body = Page<PublicNetwork>),
              (status = 304, description = "Not modified since the ETag you sent"),
              (status = 429, description = "Too many requests", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<DirectoryQuery>,
) -> Result<HttpResponse, ApiError> {
    limit(&state, &req).await?;
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let filter = NetworkFilter {
        reach: Reach::Everywhere,
        active_links_only: true,
        theme: query.theme,
        kind: None,
        neighbourhood: query.neighbourhood,
        name_contains: query.q.filter(|q| !q.trim().is_empty()).map(|q| q.trim().to_owned()),
        municipality_id: query.municipality_id.map(|m| m.to_string()),
        link_status: query.municipality_id.map(|_| LinkStatus::Active.as_str().to_owned()),
        listed_only: true,
        after_id: page.after_id.clone(),
        limit: page.fetch_limit(),
    };
    let base = state.settings.public_url.clone();
    let result = state
        .db
        .run(move |conn| {
            let rows = service::list(conn, &filter)?;
            let page = Page::from_rows(rows, &page, |r| &r.id, |r| r);
            let items = service::to_dtos(conn, page.items)?
                .into_iter()
                .map(|n| PublicNetwork {
                    contact_url: format!("{base}/api/v1/public/networks/{}/messages", n.id),
                    municipality_ids: n
                        .municipalities
                        .into_iter()
                        .filter(|l| l.status == LinkStatus::Active)
                        .map(|l| l.municipality_id)
                        .collect(),
                    id: n.id,
                    name: n.name,
                    kind: n.kind,
                    description: n.description,
                    themes: n.themes,
                    neighbourhoods: n.neighbourhoods,
                })
                .collect();
            Ok(Page { items, next_cursor: page.next_cursor })
        })
        .await?;
    let body = serde_json::to_vec(&result).map_err(ApiError::internal)?;
    Ok(etag::cacheable(&req, "application/json", "public, max-age=300", body))
}

fn seconds_until_tomorrow() -> u64 {
    let now = chrono::Utc::now();
    let tomorrow = now.date_naive().succ_opt().and_then(|d| d.and_hms_opt(0, 0, 0));
    tomorrow.map_or(3600, |t| u64::try_from((t - now.naive_utc()).num_seconds()).unwrap_or(3600))
}

/// Confirm a network's contact address.
///
/// The link from the email sent to the contact address; no sign-in needed, and it works once.
/// From then on the network can appear in the directory and receive its messages.
#[utoipa::path(post, path = "/api/v1/public/contact-confirmations/{token}", tag = "directory", operation_id = "confirmContact",
    params(("token" = String, Path, description = "The token from the emailed link")),
    responses((status = 200, description = "Confirmed", body = super::dto::ContactConfirmed),
              (status = 404, description = "Unknown, used or expired link", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn confirm_contact(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    limit(&state, &req).await?;
    let token = token.into_inner();
    if token.len() > 200 {
        return Err(ApiError::not_found("This confirmation link is unknown, used or expired."));
    }
    let request_id = req.extensions().get::<crate::http::request::RequestId>().map(|r| r.as_str().to_owned());
    let confirmed = state.db.run(move |conn| super::contact::confirm(conn, &token, request_id)).await?;
    Ok(HttpResponse::Ok().json(confirmed))
}

/// Counts a request against the client address's limit (429 past it).
pub(crate) async fn limit(state: &AppState, req: &HttpRequest) -> Result<(), ApiError> {
    let address = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default();
    state.public_limits.take(&address).await
}

/// A message from the public to a listed network; Pactum forwards it without showing the network's address.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Jan Jansen", "email": "jan@example.nl", "message": "Ik wil graag helpen met de koffie-ochtenden."}))]
pub struct ContactMessage {
    pub name: String,
    /// Where the network can answer.
    pub email: String,
    pub message: String,
}

/// Send a listed network a message.
///
/// No sign-in needed; rate limited. The network receives it by email and answers the sender
/// directly; its own address is never shown.
#[utoipa::path(post, path = "/api/v1/public/networks/{id}/messages", tag = "directory", operation_id = "messageNetwork",
    params(("id" = uuid::Uuid, Path, description = "Network id")),
    request_body = ContactMessage,
    responses((status = 202, description = "Queued for the network"),
              (status = 404, description = "No listed network", body = crate::error::Problem, content_type = "application/problem+json"),
              (status = 429, description = "Too many messages from this address, or to this network today", body = crate::error::Problem,
                  content_type = "application/problem+json")))]
pub async fn message(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<uuid::Uuid>,
    body: web::Json<ContactMessage>,
) -> Result<HttpResponse, ApiError> {
    limit(&state, &req).await?;
    let input = body.into_inner();
    let mut errors = Vec::new();
    let name =
        BoundedText::<200>::parse(&input.name).map_err(|m| errors.push(FieldError::new("name", m))).ok();
    let email = Email::parse(&input.email).map_err(|m| errors.push(FieldError::new("email", m))).ok();
    let text = BoundedText::<4000>::parse(&input.message)
        .map_err(|m| errors.push(FieldError::new("message", m)))
        .ok();
    let (Some(name), Some(email), Some(text), true) = (name, email, text, errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let id = id.into_inner().to_string();
    let cap = i32::try_from(state.settings.directory_messages_per_day).unwrap_or(i32::MAX);
    state
        .db
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let network = repo::find_in_directory(conn, &id)?
                    .ok_or_else(|| ApiError::not_found("No such network in the directory."))?;
                let today = crate::domain::time::now().date();
                if !repo::count_directory_message(conn, &network.id, today, cap)? {
                    return Err(ApiError {
                        detail: "This network has received as many messages today as it can. Try again tomorrow."
                            .to_owned(),
                        ..ApiError::rate_limited(seconds_until_tomorrow())
                    });
                }
                // What the sender wrote is quoted as text: never a template, never markup.
                let body = format!(
                    "{name} <{email}> schreef via Pactum aan {network}:\n\n{text}\n\nAntwoord rechtstreeks aan {email}.",
                    network = network.name,
                    text = text.as_str(),
                );
                let html = format!("<p>{}</p>", escape_markup(&body).replace('\n', "<br>"));
                outbox::enqueue(
                    conn,
                    &outbox::Email {
                        kind: "directory_message",
                        dedupe_key: format!("directory:{}:{}", network.id, uuid::Uuid::now_v7()),
                        municipality_id: None,
                        recipient: network.contact_email.clone(),
                        subject: format!("Bericht voor {} via Pactum", network.name),
                        text: body,
                        html,
                    },
                )?;
                Ok(())
            })
        })
        .await?;
    Ok(HttpResponse::Accepted().finish())
}
