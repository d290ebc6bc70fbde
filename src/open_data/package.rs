//! The 360Giving Data Standard (1.4) shapes Pactum publishes: a package of grants, each with
//! its funder, recipient, programme and disbursements. Field names are the standard's.

use serde::Serialize;
use utoipa::ToSchema;

/// The version of the 360Giving schema this package follows (`major.minor`).
pub const STANDARD_VERSION: &str = "1.4";
/// Dutch government open data is public domain (CC0), as the national open data policy asks.
pub const LICENSE: &str = "https://creativecommons.org/publicdomain/zero/1.0/";

/// A 360Giving data package: `{"grants": [...]}` with who publishes it and under which license.
/// An empty `grants` list means nothing was awarded in the period asked for.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantPackage {
    pub version: String,
    pub title: String,
    pub license: String,
    pub publisher: Publisher,
    pub grants: Vec<Grant>,
}

/// Who publishes the open data.
#[derive(Debug, Serialize, ToSchema)]
pub struct Publisher {
    pub identifier: String,
    pub name: String,
}

/// One awarded grant.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Grant {
    /// `360G-<prefix>-<grant id>`.
    pub id: String,
    pub title: String,
    pub description: String,
    /// ISO 4217.
    pub currency: String,
    /// Euros, at most two decimals.
    #[schema(value_type = f64, example = 1234.56)]
    pub amount_awarded: serde_json::Number,
    /// Euros paid so far: the sum of the paid tranches (the disbursement transactions).
    #[schema(value_type = f64, example = 500.0)]
    pub amount_disbursed: serde_json::Number,
    /// `YYYY-MM-DD` in the municipality's time zone.
    pub award_date: String,
    /// The grant's activity period.
    pub planned_dates: Vec<PlannedDates>,
    pub recipient_organization: Vec<Organization>,
    pub funding_organization: Vec<Organization>,
    pub grant_programme: Vec<GrantProgramme>,
    pub disbursement_transaction: Vec<Transaction>,
}

/// A grant's activity period, in 360Giving terms.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlannedDates {
    pub start_date: String,
    pub end_date: String,
}

/// An organisation by its 360Giving identifier (`NL-KVK-<number>` or `360G-<prefix>-<id>`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Organization {
    pub id: String,
    pub name: String,
}

/// The fund of a grant, in 360Giving terms.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantProgramme {
    /// The fund's id.
    pub code: String,
    /// The fund's name.
    pub title: String,
}

/// One paid tranche.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    pub id: String,
    /// Euros.
    #[schema(value_type = f64, example = 500.0)]
    pub value: serde_json::Number,
    pub currency: String,
    pub transaction_date: String,
}

/// Cents as a JSON number of euros, exact to the cent: through a decimal string, never through
/// float arithmetic.
pub fn euros_number(cents: i64) -> serde_json::Number {
    crate::domain::money::euros(cents).parse().unwrap_or_else(|_| serde_json::Number::from(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact_euros() {
        assert_eq!(serde_json::to_string(&euros_number(123_456)).ok().as_deref(), Some("1234.56"));
        assert_eq!(serde_json::to_string(&euros_number(50_000)).ok().as_deref(), Some("500.0"));
        assert_eq!(serde_json::to_string(&euros_number(10)).ok().as_deref(), Some("0.1"));
        assert_eq!(
            serde_json::to_string(&euros_number(100_000_000_001)).ok().as_deref(),
            Some("1000000000.01")
        );
    }
}
