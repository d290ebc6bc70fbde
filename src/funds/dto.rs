//! Request and response bodies for funds.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::ledger::Balances;

crate::domain::text_enum! {
    /// What a network reports on a grant: lighter for small grants.
    pub enum ReportRequirement {
        /// A confirmation that the money was spent as planned.
        Confirmation,
        /// What was done and whom it reached.
        ActivityReport,
        /// An activity report plus expenses with receipts.
        FinancialReport,
    }
}

/// Grants up to `up_to_cents` (inclusive) report this way; the last tier has no limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportingTier {
    pub up_to_cents: Option<i64>,
    pub requirement: ReportRequirement,
}

/// The defaults: a confirmation up to 2,500 euros, an activity report up to 10,000 euros, a
/// financial report above.
pub fn default_tiers() -> Vec<ReportingTier> {
    vec![
        ReportingTier { up_to_cents: Some(250_000), requirement: ReportRequirement::Confirmation },
        ReportingTier { up_to_cents: Some(1_000_000), requirement: ReportRequirement::ActivityReport },
        ReportingTier { up_to_cents: None, requirement: ReportRequirement::FinancialReport },
    ]
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "municipality_id": "01934f6e-5d2a-7c3b-9a1e-2f3d4c5b6a79",
    "name": "Buurtbudget 2027",
    "description": "Kleine bijdragen voor bewonersinitiatieven die de buurt sterker maken.",
    "budget_cents": 5000000,
    "opens_on": "2027-01-01",
    "closes_on": "2027-12-31",
    "max_grant_cents": 500000,
    "four_eyes_threshold_cents": 250000,
    "debtor_name": "Gemeente Utrecht",
    "debtor_iban": "NL91 ABNA 0417 1643 00",
    "debtor_bic": "ABNANL2A"
}))]
/// A new fund (subsidieregeling); money in euro cents.
pub struct CreateFund {
    pub municipality_id: uuid::Uuid,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// ISO 4217; `EUR` when left out.
    pub currency: Option<String>,
    pub budget_cents: i64,
    pub opens_on: NaiveDate,
    pub closes_on: Option<NaiveDate>,
    /// The most one grant may be; the budget when left out.
    pub max_grant_cents: Option<i64>,
    /// Approvals at or above this amount need two different officers (default 5,000 euros).
    pub four_eyes_threshold_cents: Option<i64>,
    /// Weeks to decide after submission (default 8).
    pub decision_weeks: Option<i32>,
    pub reporting_tiers: Option<Vec<ReportingTier>>,
    /// Days after a grant's period ends that its report is due (default 90).
    pub report_due_days: Option<i32>,
    /// Holder of the account tranches are paid from, for SEPA payment batches: at most 70
    /// characters of the SEPA Latin set (letters with diacritics are fine).
    pub debtor_name: Option<String>,
    /// The account tranches are paid from; stored compact and upper-case.
    pub debtor_iban: Option<String>,
    /// The bank's BIC, 8 or 11 characters; optional within SEPA.
    pub debtor_bic: Option<String>,
}

/// Fields to change. The budget can be raised, or lowered down to what is committed.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"budget_cents": 6000000}))]
pub struct UpdateFund {
    pub name: Option<String>,
    pub description: Option<String>,
    pub budget_cents: Option<i64>,
    #[serde(default, deserialize_with = "crate::http::extractors::present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub closes_on: Option<Option<NaiveDate>>,
    pub max_grant_cents: Option<i64>,
    pub four_eyes_threshold_cents: Option<i64>,
    pub decision_weeks: Option<i32>,
    pub reporting_tiers: Option<Vec<ReportingTier>>,
    pub report_due_days: Option<i32>,
    /// `null` clears the debtor account fields.
    #[serde(default, deserialize_with = "crate::http::extractors::present")]
    #[schema(value_type = Option<String>)]
    pub debtor_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::extractors::present")]
    #[schema(value_type = Option<String>)]
    pub debtor_iban: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::extractors::present")]
    #[schema(value_type = Option<String>)]
    pub debtor_bic: Option<Option<String>>,
}

/// A fund: its budget, rules and balances; money in euro cents.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FundDto {
    pub id: String,
    pub municipality_id: String,
    pub name: String,
    pub description: String,
    pub currency: String,
    pub budget_cents: i64,
    pub opens_on: NaiveDate,
    pub closes_on: Option<NaiveDate>,
    pub max_grant_cents: i64,
    pub four_eyes_threshold_cents: i64,
    pub decision_weeks: i32,
    pub reporting_tiers: Vec<ReportingTier>,
    pub report_due_days: i32,
    /// The account tranches are paid from in SEPA payment batches.
    pub debtor_name: Option<String>,
    pub debtor_iban: Option<String>,
    pub debtor_bic: Option<String>,
    /// Live, from the ledger.
    pub balances: Balances,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FundQuery {
    pub municipality_id: Option<uuid::Uuid>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LedgerQuery {
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
