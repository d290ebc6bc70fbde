//! Views people ask for: a network treasurer's overview of its grants, and a fund's grants as CSV
//! for spreadsheets (UTF-8, a header row, amounts in euros with two decimals, one row per record).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Action, Caller, Target};
use crate::db::page::Reach;
use crate::db::DbConnection;
use crate::domain::money::euros;
use crate::domain::spreadsheet::Sheet;
use crate::domain::workflow::GrantStatus;
use crate::error::ApiError;
use crate::funds::repo as funds_repo;
use crate::funds::service as funds;
use crate::networks::service as networks;

use super::record::{requirement, status};
use super::repo::{self, GrantFilter};

/// One grant as a treasurer follows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantSummary {
    pub grant_id: String,
    pub fund_id: String,
    pub title: String,
    pub status: GrantStatus,
    pub awarded_cents: i64,
    pub paid_cents: i64,
    /// Awarded and not yet paid.
    pub to_come_cents: i64,
    pub next_payment_on: Option<chrono::NaiveDate>,
    pub report_due_on: Option<chrono::NaiveDate>,
    pub report_requirement: crate::funds::dto::ReportRequirement,
}

/// A network's grants with what was awarded, paid and is still to come; euro cents.
#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkGrants {
    pub network_id: String,
    pub awarded_cents: i64,
    pub paid_cents: i64,
    pub to_come_cents: i64,
    pub items: Vec<GrantSummary>,
}

/// Every grant of the network the caller may see, with totals.
pub fn network_grants(
    conn: &mut DbConnection,
    caller: &Caller,
    network_id: &str,
) -> Result<NetworkGrants, ApiError> {
    let scope = networks::scope(conn, network_id)?;
    caller.authorize(Action::Read, Target::Network(&scope))?;
    caller.authorize_listing(&crate::auth::policy::GRANT_READERS)?;
    let filter = GrantFilter {
        reach: caller.reach(),
        fund_id: None,
        network_id: Some(network_id.to_owned()),
        status: None,
        decision_due_before: None,
        report_due_before: None,
        after_id: None,
        limit: 1000,
    };
    let rows = repo::list(conn, &filter)?;
    let grant_ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let next_payments: BTreeMap<String, Option<NaiveDate>> =
        repo::next_payments(conn, &grant_ids)?.into_iter().collect();
    let mut funds_of = BTreeMap::new();
    let mut items = Vec::new();
    for row in rows {
        if !funds_of.contains_key(&row.fund_id) {
            funds_of.insert(row.fund_id.clone(), funds_repo::find(conn, &row.fund_id)?);
        }
        let Some(Some(fund)) = funds_of.get(&row.fund_id) else { continue };
        let status = status(&row)?;
        let live = matches!(
            status,
            GrantStatus::Approved | GrantStatus::Active | GrantStatus::Reporting | GrantStatus::Settled
        );
        let awarded = if live { row.approved_cents.unwrap_or(0) } else { 0 };
        let next_payment_on = next_payments.get(&row.id).copied().flatten();
        items.push(GrantSummary {
            report_requirement: requirement(
                &funds::tiers_of(fund),
                row.approved_cents.unwrap_or(row.requested_cents),
            ),
            status,
            to_come_cents: (awarded - row.paid_cents).max(0),
            awarded_cents: awarded,
            paid_cents: row.paid_cents,
            next_payment_on,
            report_due_on: row.report_due_on,
            grant_id: row.id,
            fund_id: row.fund_id,
            title: row.title,
        });
    }
    Ok(NetworkGrants {
        network_id: network_id.to_owned(),
        awarded_cents: items.iter().map(|i| i.awarded_cents).sum(),
        paid_cents: items.iter().map(|i| i.paid_cents).sum(),
        to_come_cents: items.iter().map(|i| i.to_come_cents).sum(),
        items,
    })
}

/// A CSV document written row by row, as text.
pub fn csv_text(write: impl FnOnce(&mut Sheet) -> csv::Result<()>) -> Result<String, ApiError> {
    let mut sheet = Sheet::new();
    write(&mut sheet).map_err(ApiError::internal)?;
    let bytes = sheet.into_bytes().map_err(ApiError::internal)?;
    String::from_utf8(bytes).map_err(ApiError::internal)
}

/// `grants.csv` of a fund: for the municipality's people.
pub fn fund_grants_csv(conn: &mut DbConnection, caller: &Caller, fund_id: &str) -> Result<String, ApiError> {
    let fund = funds::visible(conn, caller, fund_id)?;
    if !caller.can_see(Target::Municipality(&fund.municipality_id)) {
        return Err(ApiError::forbidden("The export is for the municipality's people."));
    }
    let filter = GrantFilter {
        reach: Reach::Everywhere,
        fund_id: Some(fund_id.to_owned()),
        network_id: None,
        status: None,
        decision_due_before: None,
        report_due_before: None,
        after_id: None,
        limit: 100_000,
    };
    let rows = repo::list(conn, &filter)?;
    let network_ids: Vec<String> = rows.iter().map(|r| r.network_id.clone()).collect();
    let names = crate::identity::repo::network_names(conn, &network_ids)?;
    csv_text(|w| {
        w.row([
            "grant_id",
            "network",
            "title",
            "status",
            "requested_eur",
            "approved_eur",
            "paid_eur",
            "submitted_on",
            "decision_due_on",
            "approved_on",
            "report_due_on",
        ])?;
        for row in &rows {
            let network = names.iter().find(|(id, _)| *id == row.network_id).map_or("", |(_, n)| n.as_str());
            let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
            w.row([
                row.id.clone(),
                network.to_owned(),
                row.title.clone(),
                row.status.clone(),
                euros(row.requested_cents),
                row.approved_cents.map(euros).unwrap_or_default(),
                euros(row.paid_cents),
                date(row.submitted_at.map(|t| t.date())),
                date(row.decision_due_on),
                date(row.approved_at.map(|t| t.date())),
                date(row.report_due_on),
            ])?;
        }
        Ok(())
    })
}
