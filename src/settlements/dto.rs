//! Request and response bodies for settling a grant and recording refunds.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Settling a grant at an amount (vaststelling).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"settled_cents": 230000, "note": "Flyers niet gedrukt; de rest zoals begroot."}))]
pub struct SettleRequest {
    /// The final amount: at most what was approved.
    pub settled_cents: i64,
    pub note: Option<String>,
}

/// Money the network paid back after settlement.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"amount_cents": 20000, "received_on": "2027-09-15"}))]
pub struct RefundRequest {
    pub amount_cents: i64,
    pub received_on: chrono::NaiveDate,
}

/// Where a grant stands on settlement; `settled` is false (and the amounts zero) before.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SettlementDto {
    pub grant_id: String,
    pub settled: bool,
    pub settled_cents: Option<i64>,
    /// Paid minus settled, when positive.
    pub refund_due_cents: i64,
    pub refunded_cents: i64,
    /// What is still to come back.
    pub refund_outstanding_cents: i64,
    pub note: Option<String>,
    pub settled_by: Option<String>,
    pub settled_at: Option<chrono::DateTime<chrono::Utc>>,
}
