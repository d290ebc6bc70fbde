//! The outbox for admins: what is queued, sent, failing or dead, and a retry for dead mail.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Action, Caller, Target};
use crate::domain::time::utc;
use crate::error::ApiError;
use crate::http::pagination::{Page, PageRequest};
use crate::state::AppState;

use super::repo::{self, OutboxRow};

crate::domain::text_enum! {
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

impl From<OutboxRow> for OutboxDto {
    fn from(row: OutboxRow) -> Self {
        Self {
            status: row.status.parse().unwrap_or(OutboxStatus::Queued),
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
        }
    }
}

/// The municipalities whose mail the caller reads (municipal admins and auditors); `None` for
/// platform admins (all mail).
fn readable(caller: &Caller) -> Result<Option<Vec<String>>, ApiError> {
    if caller.is_platform_admin {
        return Ok(None);
    }
    let ids: Vec<String> = caller
        .municipalities
        .iter()
        .filter(|m| caller.may(Action::ReadAudit, Target::Municipality(&m.municipality_id)))
        .map(|m| m.municipality_id.clone())
        .collect();
    if ids.is_empty() {
        return Err(ApiError::forbidden("The outbox is for platform admins, municipal admins and auditors."));
    }
    Ok(Some(ids))
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
    let municipalities = readable(&caller)?;
    let result = state
        .db
        .run(move |conn| {
            let status = query.status.map(|s| s.as_str());
            Ok(super::list(conn, municipalities.as_deref(), status, &page)?.map(OutboxDto::from))
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
    let dto = state
        .db
        .run(move |conn| {
            let row = repo::find(conn, &id)?.ok_or_else(|| ApiError::not_found("No such email."))?;
            // Mail of a municipality is visible to its people; only admins send it again.
            let visible = caller.is_platform_admin
                || row.municipality_id.as_deref().is_some_and(|m| caller.can_see(Target::Municipality(m)));
            if !visible {
                return Err(ApiError::not_found("No such email."));
            }
            let permitted = caller.is_platform_admin
                || row
                    .municipality_id
                    .as_deref()
                    .is_some_and(|m| caller.may(Action::ManageMembers, Target::Municipality(m)));
            if !permitted {
                return Err(ApiError::forbidden("Only admins send mail again."));
            }
            if !repo::retry(conn, &id)? {
                return Err(ApiError::invalid_transition(
                    format!("Only dead mail is retried; this one is {}.", row.status),
                    Vec::new(),
                ));
            }
            let row = repo::find(conn, &id)?.ok_or_else(|| ApiError::not_found("No such email."))?;
            Ok(OutboxDto::from(row))
        })
        .await?;
    Ok(HttpResponse::Ok().json(dto))
}
