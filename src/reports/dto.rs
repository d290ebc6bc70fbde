//! Request and response bodies for spending reports and receipts.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::workflow::{ReportAction, ReportStatus};

crate::domain::text_enum! {
    /// Which report it is.
    pub enum ReportKind {
        /// Along the way.
        Interim,
        /// At the end; settling a grant that asks for a report needs an accepted final one.
        Final,
    }
}

/// One expense. `receipt_id` points at a receipt uploaded to the same report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Expense {
    pub spent_on: NaiveDate,
    pub description: String,
    /// e.g. `materials`, `rent`, `catering`, `travel`.
    pub category: String,
    pub amount_cents: i64,
    pub receipt_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "final",
    "narrative": "Zesentwintig koffie-ochtenden; gemiddeld achttien bewoners.",
    "people_reached": 64,
    "expenses": [{"spent_on": "2027-03-02", "description": "Koffie en thee", "category": "catering", "amount_cents": 4250}]
}))]
/// A new spending report (a draft until submitted).
pub struct CreateReport {
    pub kind: ReportKind,
    /// What was done and for whom.
    #[serde(default)]
    pub narrative: String,
    pub people_reached: Option<i32>,
    #[serde(default)]
    pub expenses: Vec<Expense>,
}

/// Changes to a report in draft. Leave a field out to keep it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"people_reached": 70}))]
pub struct UpdateReport {
    pub narrative: Option<String>,
    pub people_reached: Option<i32>,
    pub expenses: Option<Vec<Expense>>,
}

/// An optional reason with a report action (required to ask for changes).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Voeg de bon van de flyers toe."}))]
pub struct ReportActionRequest {
    /// Required for `request-changes`.
    pub reason: Option<String>,
}

/// A receipt (photo or PDF) uploaded to a spending report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReceiptDto {
    pub id: String,
    pub report_id: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub file_name: String,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

/// A spending report: what was done and spent, with receipts; euro cents.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportDto {
    pub id: String,
    pub grant_id: String,
    pub kind: ReportKind,
    pub status: ReportStatus,
    pub status_reason: Option<String>,
    pub narrative: String,
    pub people_reached: Option<i32>,
    pub expenses: Vec<Expense>,
    pub expenses_total_cents: i64,
    pub receipts: Vec<ReceiptDto>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub allowed_actions: Vec<ReportAction>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A grant's spending reports.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportList {
    pub items: Vec<ReportDto>,
}
