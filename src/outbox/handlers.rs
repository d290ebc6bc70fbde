//! The outbox for admins: what is queued, sent, failing or dead, and a retry for dead mail.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::domain::time::utc;
use crate::error::ApiError;
use crate::http::pagination::{Page, PageRequest};
use crate::state::AppState;

use super::repo::OutboxRow;

crate::domain::text_enum! {
    /// Where an email is: queued, sending, sent, dead (gave up) or cancelled.
    pub enum OutboxStatus {
        Queued,
        Sending,
        Sent,
        Dead,
        Cancelled,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    pub status: Option<OutboxStatus>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// One email; its text stays in the outbox (it may hold an invitation link).
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxDto {
    pub id: String,
    pub kind: String,
    pub municipality_id: Option<String>,
    pub recipient: String,
    pub subject: String,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl TryFrom<OutboxRow> for OutboxDto {
    type Error = ApiError;

    fn try_from(row: OutboxRow) -> Result<Self, ApiError> {
        Ok(Self {
            status: crate::db::stored::parse("outbox.status", &row.status)?,
            id: row.id,
            kind: row.kind,
            municipality_id: row.municipality_id,
            recipient: row.recipient,
            subject: row.subject,
            attempts: row.attempts,
            next_attempt_at: utc(row.next_attempt_at),
            last_error: row.last_error,
            created_at: utc(row.created_at),
            sent_at: row.sent_at.map(utc),
        })
    }
}

/// The outbox.
///
/// Platform admins see all mail, municipal admins their municipality's; filter by status to
/// find what is `dead`.
#[utoipa::path(get, path = "/api/v1/outbox", tag = "outbox", operation_id = "listOutbox",
    security(("bearer" = [])), params(OutboxQuery),
    responses((status = 200, description = "A page of emails", body = Page<OutboxDto>)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<OutboxQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let municipalities = super::readable_municipalities(&caller)?;
    let result = state
        .db
        .run(move |conn| {
            let status = query.status.map(|s| s.as_str());
            super::list(conn, municipalities.as_deref(), status, &page)?.try_map(OutboxDto::try_from)
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

/// Send a dead email again.
///
/// Its attempts start over; the worker picks it up on its next pass.
#[utoipa::path(post, path = "/api/v1/outbox/{id}/retry", tag = "outbox", operation_id = "retryOutbox",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Outbox id")),
    responses((status = 200, description = "Queued again", body = OutboxDto)))]
pub async fn retry(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let dto = state.db.run(move |conn| OutboxDto::try_from(super::retry(conn, &caller, &id)?)).await?;
    Ok(HttpResponse::Ok().json(dto))
}
