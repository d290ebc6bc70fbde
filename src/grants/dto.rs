//! Request and response bodies for grants and tranches.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::workflow::{GrantAction, GrantStatus, TrancheStatus};
use crate::funds::dto::ReportRequirement;

/// One line of an application's budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetLine {
    pub description: String,
    pub amount_cents: i64,
}

/// Where the money goes: the network's account, or its intermediary's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Payee {
    /// Checked with the ISO 13616 mod-97 digits.
    pub iban: String,
    /// The account holder.
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "fund_id": "01934f6e-5d2a-7c3b-9a1e-2f3d4c5b6a70",
    "network_id": "01934f6e-5d2a-7c3b-9a1e-2f3d4c5b6a80",
    "title": "Koffie-ochtenden in de buurtkamer",
    "purpose": "Twee ochtenden per week ontmoeting voor ouderen die alleen wonen.",
    "requested_cents": 180000,
    "starts_on": "2027-02-01",
    "ends_on": "2027-07-31",
    "budget_lines": [{"description": "Koffie, thee en koekjes", "amount_cents": 120000},
                     {"description": "Flyers", "amount_cents": 60000}],
    "payee": {"iban": "NL91ABNA0417164300", "name": "Stichting Welzijn Lindendaal"}
}))]
/// A new application (a draft until submitted); money in euro cents.
pub struct CreateGrant {
    pub fund_id: uuid::Uuid,
    pub network_id: uuid::Uuid,
    pub agreement_id: Option<uuid::Uuid>,
    pub title: String,
    #[serde(default)]
    pub purpose: String,
    pub requested_cents: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    #[serde(default)]
    pub budget_lines: Vec<BudgetLine>,
    pub payee: Payee,
}

/// Changes to an application in draft or with a question open. Leave a field out to keep it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"requested_cents": 150000}))]
pub struct UpdateGrant {
    pub title: Option<String>,
    pub purpose: Option<String>,
    pub requested_cents: Option<i64>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub budget_lines: Option<Vec<BudgetLine>>,
    pub payee: Option<Payee>,
}

/// The optional body of a grant action.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Dit past niet binnen de regeling."}))]
pub struct GrantActionRequest {
    /// Required for `reject` and `cancel`.
    pub reason: Option<String>,
    /// Required for `request-info`: the question to the network.
    pub question: Option<String>,
    /// With `submit` after a question: the network's answer.
    pub answer: Option<String>,
}

/// One tranche to schedule with an approval.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TranchePlan {
    pub due_on: NaiveDate,
    pub amount_cents: i64,
}

/// An approval. Above the fund's four-eyes threshold the first officer's approval is recorded
/// and a second, different officer completes it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"approved_cents": 150000,
    "tranches": [{"due_on": "2027-02-01", "amount_cents": 100000}, {"due_on": "2027-05-01", "amount_cents": 50000}]}))]
pub struct ApproveRequest {
    /// At most the requested amount and the fund's maximum; the requested amount when left out.
    pub approved_cents: Option<i64>,
    /// How it is paid; one tranche of the whole amount, due at once, when left out.
    pub tranches: Option<Vec<TranchePlan>>,
}

/// A first approval above the four-eyes threshold, waiting for a second officer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PendingApproval {
    pub approved_cents: i64,
    pub approved_by: String,
}

/// A grant: the application, the decision and the money; amounts in euro cents.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GrantDto {
    pub id: String,
    pub municipality_id: String,
    pub fund_id: String,
    pub network_id: String,
    pub agreement_id: Option<String>,
    pub status: GrantStatus,
    /// Why it was rejected, cancelled or sent back; the network's last answer.
    pub status_reason: Option<String>,
    pub title: String,
    pub purpose: String,
    pub currency: String,
    pub requested_cents: i64,
    pub approved_cents: Option<i64>,
    /// Tranches scheduled and not yet paid.
    pub scheduled_cents: i64,
    pub paid_cents: i64,
    /// Approved but not yet scheduled or paid.
    pub unscheduled_cents: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub budget_lines: Vec<BudgetLine>,
    pub payee: Payee,
    /// The officer's open question, with `info_requested`.
    pub info_question: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// The legal decision deadline (submission plus the fund's decision term).
    pub decision_due_on: Option<NaiveDate>,
    /// Approvals at or above this amount need two different people: the fund's threshold as
    /// it was when the application was first submitted (later changes to the fund do not
    /// apply). `null` before submission.
    pub four_eyes_threshold_cents: Option<i64>,
    /// A first approval waiting for the second; any change to the application, and any step
    /// out of review, clears it.
    pub pending_approval: Option<PendingApproval>,
    pub approved_at: Option<DateTime<Utc>>,
    /// When the spending report is due: the end of the period plus the fund's term (set on
    /// approval).
    pub report_due_on: Option<NaiveDate>,
    /// What the network reports for this amount, by the fund's tiers.
    pub report_requirement: ReportRequirement,
    pub allowed_actions: Vec<GrantAction>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GrantQuery {
    pub fund_id: Option<uuid::Uuid>,
    pub network_id: Option<uuid::Uuid>,
    pub status: Option<GrantStatus>,
    /// Only applications awaiting a decision (submitted, in review, information requested)
    /// whose decision is due before this date.
    pub decision_due_before: Option<NaiveDate>,
    /// Only grants whose report is still owed (approved, active, reporting) and due before this
    /// date.
    pub report_due_before: Option<NaiveDate>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

crate::domain::text_enum! {
    /// An action on a tranche.
    pub enum TrancheAction {
        Pay,
        Cancel,
    }
}

/// One scheduled payment of an approved grant; euro cents.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrancheDto {
    pub id: String,
    pub grant_id: String,
    pub due_on: NaiveDate,
    pub amount_cents: i64,
    pub status: TrancheStatus,
    pub paid_on: Option<NaiveDate>,
    pub payment_reference: Option<String>,
    pub allowed_actions: Vec<TrancheAction>,
    pub version: i64,
}

/// A grant's tranches, in the order they were scheduled.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrancheList {
    pub items: Vec<TrancheDto>,
}

/// A new scheduled tranche of an approved grant.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"due_on": "2027-05-01", "amount_cents": 50000}))]
pub struct CreateTranche {
    pub due_on: NaiveDate,
    pub amount_cents: i64,
}

/// Marking a tranche paid.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"paid_on": "2027-02-03", "payment_reference": "BATCH-2027-02-03-17"}))]
pub struct PayRequest {
    /// Today when left out.
    pub paid_on: Option<NaiveDate>,
    pub payment_reference: Option<String>,
}
