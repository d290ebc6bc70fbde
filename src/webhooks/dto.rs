//! Request and response bodies for webhook subscriptions and deliveries.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::time::utc;

use super::events::EventType;
use super::repo::{AttemptRow, DeliveryRow, SubscriptionRow};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"municipality_id": "01934f6e-5d2a-7c3b-9a1e-2f3d4c5b6a79",
    "url": "https://financien.lindendaal.example/pactum/webhooks",
    "event_types": ["grant.approved", "tranche.paid"], "description": "Financieel systeem"}))]
/// A new webhook subscription; its signing secret is in the answer, once.
pub struct CreateSubscription {
    pub municipality_id: uuid::Uuid,
    /// HTTPS (plain HTTP only to this machine outside production).
    pub url: String,
    /// At least one.
    pub event_types: Vec<EventType>,
    #[serde(default)]
    pub description: Option<String>,
}

/// Changing a webhook subscription; only the fields sent change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct UpdateSubscription {
    pub url: Option<String>,
    pub event_types: Option<Vec<EventType>>,
    pub description: Option<String>,
    /// `false` pauses it: events still queue and go out, in order, once it is active again.
    pub active: Option<bool>,
}

/// A webhook subscription: where events go and which.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubscriptionDto {
    pub id: String,
    pub municipality_id: String,
    pub url: String,
    pub event_types: Vec<EventType>,
    pub description: String,
    pub active: bool,
    pub created_by: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<SubscriptionRow> for SubscriptionDto {
    fn from(row: SubscriptionRow) -> Self {
        Self {
            event_types: EventType::split(&row.event_types),
            id: row.id,
            municipality_id: row.municipality_id,
            url: row.url,
            description: row.description,
            active: row.active,
            created_by: row.created_by,
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        }
    }
}

/// A new subscription with its signing secret: the only time the secret is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedSubscriptionDto {
    /// `whsec_...`: verify `webhook-signature` with it (Standard Webhooks).
    pub secret: String,
    #[serde(flatten)]
    pub subscription: SubscriptionDto,
}

crate::domain::text_enum! {
    /// Where a webhook delivery is: pending, delivered, or dead after the last attempt.
    pub enum DeliveryStatus {
        /// Waiting for its turn or for a retry.
        Pending,
        Delivered,
        /// Given up after the last attempt; `redeliver` sends it again.
        Dead,
    }
}

/// One attempt to deliver a webhook message.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttemptDto {
    pub attempted_at: DateTime<Utc>,
    /// What the receiver answered; none when it could not be reached.
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// One message to one subscription, with every attempt.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryDto {
    /// Sent as `webhook-id` with a `msg_` prefix; the same on every attempt.
    pub id: String,
    pub event_id: String,
    pub event_type: EventType,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_status_code: Option<i32>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub attempt_log: Vec<AttemptDto>,
}

impl DeliveryDto {
    pub fn new(row: DeliveryRow, attempts: &[AttemptRow]) -> Result<Self, crate::error::ApiError> {
        let status: DeliveryStatus = crate::db::stored::parse("webhook_deliveries.status", &row.status)?;
        Ok(Self {
            event_type: crate::db::stored::parse("webhook_deliveries.event_type", &row.event_type)?,
            next_attempt_at: (status == DeliveryStatus::Pending).then(|| utc(row.next_attempt_at)),
            status,
            attempts: row.attempts,
            last_status_code: row.last_status_code,
            delivered_at: row.delivered_at.map(utc),
            created_at: utc(row.created_at),
            attempt_log: attempts
                .iter()
                .filter(|a| a.delivery_id == row.id)
                .map(|a| AttemptDto {
                    attempted_at: utc(a.attempted_at),
                    status_code: a.status_code,
                    error: a.error.clone(),
                    duration_ms: a.duration_ms,
                })
                .collect(),
            id: row.id,
            event_id: row.event_id,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SubscriptionQuery {
    pub municipality_id: Option<uuid::Uuid>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    pub status: Option<DeliveryStatus>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
