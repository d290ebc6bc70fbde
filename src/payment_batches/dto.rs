//! Request and response bodies for SEPA payment batches.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub use crate::domain::workflow::ItemStatus;
use crate::domain::workflow::{PaymentBatchAction, PaymentBatchStatus};

/// A SEPA batch of a fund's scheduled tranches due before a day.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"due_before": "2027-03-01", "requested_execution_date": "2027-02-26"}))]
pub struct CreatePaymentBatch {
    /// Tranches due on or before this date go into the batch.
    pub due_before: NaiveDate,
    /// When the bank should execute the transfers; the municipality's today when left out.
    pub requested_execution_date: Option<NaiveDate>,
}

/// Confirming that the bank paid a batch; its tranches become paid.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"paid_on": "2027-02-26"}))]
pub struct ConfirmPaymentBatch {
    /// The day the bank executed the transfers; not in the future.
    pub paid_on: NaiveDate,
}

/// The account money is paid from, as it was when the batch was made.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DebtorAccount {
    pub name: String,
    pub iban: String,
    pub bic: Option<String>,
}

/// One credit transfer in the batch.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaymentBatchItemDto {
    pub tranche_id: String,
    pub grant_id: String,
    pub status: ItemStatus,
    pub amount_cents: i64,
    /// Unique per transfer, at most 35 characters; the bank reports it back.
    pub end_to_end_id: String,
    pub creditor_name: String,
    pub creditor_iban: String,
    /// The remittance text the payee sees, with the grant reference.
    pub remittance: String,
}

/// A SEPA payment batch: the transfers in its pain.001 file and its status.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaymentBatchDto {
    pub id: String,
    pub municipality_id: String,
    pub fund_id: String,
    pub status: PaymentBatchStatus,
    pub allowed_actions: Vec<PaymentBatchAction>,
    /// The pain.001 message id (`GrpHdr/MsgId`).
    pub message_id: String,
    pub due_before: NaiveDate,
    pub requested_execution_date: NaiveDate,
    pub debtor: DebtorAccount,
    pub currency: String,
    /// Number of transfers in the file.
    pub transaction_count: i64,
    /// Sum of the transfers in the file, in cents.
    pub total_cents: i64,
    /// Set on confirmation.
    pub paid_on: Option<NaiveDate>,
    pub items: Vec<PaymentBatchItemDto>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// Who confirmed or cancelled it, and when.
    pub closed_by: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PaymentBatchQuery {
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
