//! The municipality's figures, read through the funds, grants, reports and networks areas: the
//! fund balances are the ledger's (as `GET /api/v1/funds/{id}`), the rest counted here.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime, TimeZone as _};
use serde::Serialize;
use strum::IntoEnumIterator;
use utoipa::ToSchema;

use crate::auth::policy::not_found;
use crate::auth::{Action, Caller, Target};
use crate::db::page::Reach;
use crate::db::DbConnection;
use crate::domain::workflow::{GrantStatus, ReportStatus};
use crate::error::ApiError;
use crate::grants::record::status as grant_status;
use crate::grants::repo::{GrantFilter, GrantRow};

/// One fund's money, in cents.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FundFigures {
    pub fund_id: String,
    pub name: String,
    pub budget_cents: i64,
    /// Approved for grants that are still live, paid or not.
    pub committed_cents: i64,
    pub paid_cents: i64,
    /// Budget not yet committed (the fund's `available_cents`).
    pub remaining_cents: i64,
}

/// How many grants have one status.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusCount {
    pub status: GrantStatus,
    pub count: i64,
}

/// Applications against their decision term (`decision_due_on`).
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct DecisionTerms {
    /// Decided on or before the due date.
    pub met: i64,
    /// Decided after the due date.
    pub missed: i64,
    /// Not decided yet, and the due date has not passed.
    pub open_in_time: i64,
    /// Not decided yet, and the due date has passed.
    pub open_overdue: i64,
}

/// What one network reached with the municipality's grants.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NetworkFigures {
    pub network_id: String,
    pub name: String,
    /// Its applications, drafts left out.
    pub grants: i64,
    /// Its submitted and accepted reports.
    pub reports: i64,
    /// Per grant the highest number its submitted or accepted reports give, added up.
    pub people_reached: i64,
    /// From the network's profile.
    pub themes: Vec<String>,
    pub neighbourhoods: Vec<String>,
}

/// The figures over every fund.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverviewTotals {
    pub people_reached: i64,
    /// Networks with at least one submitted or accepted report.
    pub networks_reporting: i64,
    /// The themes and neighbourhoods of the networks that reported, each once.
    pub themes: Vec<String>,
    pub neighbourhoods: Vec<String>,
}

/// A municipality's figures: per fund budget, committed, paid and remaining; grants by status; decision terms; reach. Euro cents.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Overview {
    pub municipality_id: String,
    pub municipality_name: String,
    /// Today where the municipality is: the day open terms are measured against.
    pub as_of: NaiveDate,
    pub funds: Vec<FundFigures>,
    /// Statuses that have grants, in the order of the workflow.
    pub grants_by_status: Vec<StatusCount>,
    pub decision_terms: DecisionTerms,
    /// The networks working with the municipality (an active link) or holding its grants.
    pub networks: Vec<NetworkFigures>,
    pub total: OverviewTotals,
}

const MANY: i64 = 1_000_000;

/// The day a decision was taken, where the municipality is: the approval's moment, or for a
/// refusal (a final status) its last change.
fn decided_on(row: &GrantRow, status: GrantStatus, zone: chrono_tz::Tz) -> Option<NaiveDate> {
    let at: NaiveDateTime = match status {
        GrantStatus::Rejected => row.updated_at,
        _ => row.approved_at?,
    };
    Some(zone.from_utc_datetime(&at).date_naive())
}

fn count_term(
    terms: &mut DecisionTerms,
    row: &GrantRow,
    status: GrantStatus,
    zone: chrono_tz::Tz,
    today: NaiveDate,
) {
    let Some(due) = row.decision_due_on else { return };
    match status {
        GrantStatus::Submitted | GrantStatus::InReview | GrantStatus::InfoRequested => {
            if today > due {
                terms.open_overdue += 1;
            } else {
                terms.open_in_time += 1;
            }
        }
        _ => match decided_on(row, status, zone) {
            Some(day) if day <= due => terms.met += 1,
            Some(_) => terms.missed += 1,
            None => {}
        },
    }
}

/// The overview of a municipality, for those who may read it (404 for everyone else).
pub fn overview(
    conn: &mut DbConnection,
    caller: &Caller,
    municipality_id: &str,
) -> Result<Overview, ApiError> {
    let target = Target::Municipality(municipality_id);
    let municipality =
        crate::municipalities::repo::find(conn, municipality_id)?.ok_or_else(|| not_found(target))?;
    caller.authorize(Action::Read, target)?;
    let zone: chrono_tz::Tz = municipality.time_zone.parse().unwrap_or(chrono_tz::Europe::Amsterdam);
    let today = crate::domain::time::today_in(&municipality.time_zone);

    let mut funds = Vec::new();
    let mut grants: Vec<(GrantRow, GrantStatus)> = Vec::new();
    for row in crate::funds::repo::list(conn, &Reach::Everywhere, Some(municipality_id), None, MANY)? {
        let fund = crate::funds::service::to_dto(conn, row)?;
        let filter = GrantFilter {
            reach: Reach::Everywhere,
            fund_id: Some(fund.id.clone()),
            network_id: None,
            status: None,
            decision_due_before: None,
            report_due_before: None,
            after_id: None,
            limit: MANY,
        };
        for grant in crate::grants::repo::list(conn, &filter)? {
            let status = grant_status(&grant)?;
            if status != GrantStatus::Draft {
                grants.push((grant, status));
            }
        }
        funds.push(FundFigures {
            fund_id: fund.id,
            name: fund.name,
            budget_cents: fund.balances.budget_cents,
            committed_cents: fund.balances.committed_cents,
            paid_cents: fund.balances.paid_cents,
            remaining_cents: fund.balances.available_cents,
        });
    }

    let mut terms = DecisionTerms::default();
    let mut by_status: BTreeMap<&'static str, i64> = BTreeMap::new();
    // network id -> (grants, reports, people reached)
    let mut reached: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    for (grant, status) in &grants {
        count_term(&mut terms, grant, *status, zone, today);
        *by_status.entry(status.as_str()).or_default() += 1;
        let mut reports = 0;
        let mut people = 0;
        for report in crate::reports::repo::of_grant(conn, &grant.id)? {
            let status: ReportStatus = crate::db::stored::parse("spending_reports.status", &report.status)?;
            if status != ReportStatus::Draft {
                reports += 1;
                people = people.max(i64::from(report.people_reached.unwrap_or(0)));
            }
        }
        let entry = reached.entry(grant.network_id.clone()).or_default();
        *entry = (entry.0 + 1, entry.1 + reports, entry.2 + people);
    }
    let grants_by_status = GrantStatus::iter()
        .filter_map(|s| by_status.get(s.as_str()).map(|&count| StatusCount { status: s, count }))
        .collect();

    let filter = crate::networks::repo::NetworkFilter {
        reach: Reach::Everywhere,
        active_links_only: true,
        theme: None,
        kind: None,
        neighbourhood: None,
        name_contains: None,
        municipality_id: Some(municipality_id.to_owned()),
        link_status: Some("active".to_owned()),
        listed_only: false,
        after_id: None,
        limit: MANY,
    };
    let mut rows = crate::networks::service::list(conn, &filter)?;
    for id in reached.keys() {
        if !rows.iter().any(|r| &r.id == id) {
            rows.extend(crate::networks::repo::find(conn, id)?);
        }
    }
    let mut networks: Vec<NetworkFigures> = crate::networks::service::to_dtos(conn, rows)?
        .into_iter()
        .map(|n| {
            let (grants, reports, people_reached) = reached.get(&n.id).copied().unwrap_or_default();
            NetworkFigures {
                network_id: n.id,
                name: n.name,
                grants,
                reports,
                people_reached,
                themes: n.themes,
                neighbourhoods: n.neighbourhoods,
            }
        })
        .collect();
    networks.sort_by(|a, b| {
        a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.network_id.cmp(&b.network_id))
    });
    let reporting: Vec<&NetworkFigures> = networks.iter().filter(|n| n.reports > 0).collect();
    let gather = |pick: fn(&NetworkFigures) -> &Vec<String>| -> Vec<String> {
        reporting.iter().flat_map(|n| pick(n).iter().cloned()).collect::<BTreeSet<_>>().into_iter().collect()
    };
    let total = OverviewTotals {
        people_reached: networks.iter().map(|n| n.people_reached).sum(),
        networks_reporting: i64::try_from(reporting.len()).unwrap_or(i64::MAX),
        themes: gather(|n| &n.themes),
        neighbourhoods: gather(|n| &n.neighbourhoods),
    };
    Ok(Overview {
        municipality_id: municipality.id,
        municipality_name: municipality.name,
        as_of: today,
        funds,
        grants_by_status,
        decision_terms: terms,
        networks,
        total,
    })
}
