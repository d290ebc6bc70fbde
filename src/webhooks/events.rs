//! The events a subscription can ask for, and how a change becomes one: a message per
//! interested subscription, written to the webhook outbox in the transaction of the change.

use serde::Serialize;

use crate::auth::operations;
use crate::db::DbConnection;
use crate::domain::time::{now, utc};
use crate::domain::Scope;
use crate::error::ApiError;

use super::repo::{self, DeliveryRow};

/// What happened. Named `<record>.<what happened>`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
pub enum EventType {
    /// A network submitted an application.
    #[serde(rename = "grant.submitted")]
    #[strum(serialize = "grant.submitted")]
    GrantSubmitted,
    /// The municipality approved a grant (with the second approval where four eyes apply).
    #[serde(rename = "grant.approved")]
    #[strum(serialize = "grant.approved")]
    GrantApproved,
    #[serde(rename = "grant.rejected")]
    #[strum(serialize = "grant.rejected")]
    GrantRejected,
    #[serde(rename = "grant.cancelled")]
    #[strum(serialize = "grant.cancelled")]
    GrantCancelled,
    /// A tranche was paid (singly or in a confirmed payment batch).
    #[serde(rename = "tranche.paid")]
    #[strum(serialize = "tranche.paid")]
    TranchePaid,
    /// The network's treasurer submitted a spending report.
    #[serde(rename = "report.submitted")]
    #[strum(serialize = "report.submitted")]
    ReportSubmitted,
    #[serde(rename = "report.accepted")]
    #[strum(serialize = "report.accepted")]
    ReportAccepted,
    /// The grant's spending was settled against its award.
    #[serde(rename = "grant.settled")]
    #[strum(serialize = "grant.settled")]
    GrantSettled,
    /// A version of an agreement is ready to sign.
    #[serde(rename = "agreement.proposed")]
    #[strum(serialize = "agreement.proposed")]
    AgreementProposed,
    /// Every party signed.
    #[serde(rename = "agreement.signed")]
    #[strum(serialize = "agreement.signed")]
    AgreementSigned,
    /// The agreement came into force.
    #[serde(rename = "agreement.activated")]
    #[strum(serialize = "agreement.activated")]
    AgreementActivated,
    #[serde(rename = "agreement.terminated")]
    #[strum(serialize = "agreement.terminated")]
    AgreementTerminated,
    /// A commitment's due date passed while it was still open.
    #[serde(rename = "commitment.overdue")]
    #[strum(serialize = "commitment.overdue")]
    CommitmentOverdue,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The stored form: sorted, without duplicates, separated by spaces.
    pub fn join(types: &[EventType]) -> String {
        crate::domain::text::join_names(types)
    }

    pub fn split(stored: &str) -> Vec<EventType> {
        crate::domain::text::split_names(stored)
    }

    /// The scopes that read the record this event carries as `data`: a service account
    /// subscribes only to events it could read through the API.
    pub fn readers(self) -> &'static [&'static [Scope]] {
        use EventType::*;
        match self {
            GrantSubmitted | GrantApproved | GrantRejected | GrantCancelled | TranchePaid | GrantSettled => {
                operations::READ_GRANTS
            }
            ReportSubmitted | ReportAccepted => operations::READ_REPORTS,
            AgreementProposed | AgreementSigned | AgreementActivated | AgreementTerminated
            | CommitmentOverdue => operations::READ_AGREEMENTS,
        }
    }
}

/// One thing that happened to a record of a municipality.
pub struct Event<'a> {
    pub event_type: EventType,
    pub municipality_id: &'a str,
    /// The record's path in the API, e.g. `/api/v1/grants/{id}`.
    pub path: String,
    /// Set when the same event may be noticed more than once; else every call is a new event.
    pub dedupe_key: Option<String>,
}

/// The body every subscriber gets. Links are stored as paths and made absolute when sent
/// (see [`body_for`]), always the same way, so every attempt signs the same bytes.
#[derive(Serialize)]
struct Payload<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    event_type: &'a str,
    created_at: chrono::DateTime<chrono::Utc>,
    data: &'a serde_json::Value,
    links: Links,
}

#[derive(Serialize)]
struct Links {
    #[serde(rename = "self")]
    this: String,
}

/// Queues the event for every active subscription of its municipality that asked for its
/// type, with `data`: the record as the API returns it, made only when someone listens. Call it
/// inside the transaction of the change: the message exists exactly when the change does.
/// Returns how many messages were queued.
pub fn emit<T: Serialize>(
    conn: &mut DbConnection,
    event: Event<'_>,
    data: impl FnOnce(&mut DbConnection) -> Result<T, ApiError>,
) -> Result<usize, ApiError> {
    let subscribers = repo::subscribers(conn, event.municipality_id, event.event_type)?;
    if subscribers.is_empty() {
        return Ok(0);
    }
    let data = serde_json::to_value(data(conn)?).map_err(ApiError::internal)?;
    let id = uuid::Uuid::now_v7().to_string();
    let created_at = now();
    let body = serde_json::to_string(&Payload {
        id: &id,
        event_type: event.event_type.as_str(),
        created_at: utc(created_at),
        data: &data,
        links: Links { this: event.path },
    })
    .map_err(ApiError::internal)?;
    let dedupe_key = event.dedupe_key.unwrap_or_else(|| id.clone());
    let mut queued = 0;
    for subscription_id in subscribers {
        queued += repo::enqueue(
            conn,
            &DeliveryRow {
                id: uuid::Uuid::now_v7().to_string(),
                subscription_id,
                event_id: id.clone(),
                event_type: event.event_type.as_str().to_owned(),
                dedupe_key: dedupe_key.clone(),
                payload: body.clone(),
                status: "pending".to_owned(),
                attempts: 0,
                next_attempt_at: created_at,
                last_status_code: None,
                last_error: None,
                delivered_at: None,
                created_at,
            },
        )?;
    }
    Ok(queued)
}

/// The exact body sent: the stored payload with its links made absolute.
pub fn body_for(payload: &str, public_url: &str) -> String {
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(payload) else { return payload.to_owned() };
    if let Some(path) = value["links"]["self"].as_str().filter(|p| p.starts_with('/')) {
        value["links"]["self"] = format!("{}{path}", public_url.trim_end_matches('/')).into();
    }
    value.to_string()
}
