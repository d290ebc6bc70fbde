//! The grants' date job: an active grant whose period is over and that owes a report moves to
//! `reporting`.

use crate::audit::Actor;
use crate::db::{write_transaction, DbConnection};
use crate::domain::time::now;
use crate::domain::workflow::{GrantAction, GrantStatus};
use crate::error::ApiError;
use crate::funds::dto::ReportRequirement;
use crate::funds::repo as funds_repo;
use crate::funds::service as funds;

use super::record::{record, requirement, status};
use super::repo;

/// The date job: an active grant whose period is over and that owes a report moves to
/// `reporting`. Idempotent.
pub fn run_date_changes(conn: &mut DbConnection) -> Result<usize, ApiError> {
    let candidates = repo::ids_in_status(conn, GrantStatus::Active)?;
    let mut changed = 0;
    for id in candidates {
        let done = write_transaction(conn, |conn| {
            let Some(mut grant) = repo::lock(conn, &id)? else { return Ok(false) };
            let Some(fund) = funds_repo::find(conn, &grant.fund_id)? else { return Ok(false) };
            let today = crate::municipalities::today(conn, &grant.municipality_id)?;
            let requirement = requirement(&funds::tiers_of(&fund), grant.approved_cents.unwrap_or(0));
            let next = status(&grant)?.next(GrantAction::StartReporting, true);
            if grant.ends_on >= today || requirement == ReportRequirement::Confirmation || next.is_none() {
                return Ok(false);
            }
            grant.status = GrantStatus::Reporting.as_str().to_owned();
            grant.updated_at = now();
            repo::save(conn, &grant)?;
            record(
                conn,
                &Actor::default(),
                &grant,
                "grant.reporting_started",
                serde_json::json!({"status": {"before": "active", "after": "reporting"}}),
            )?;
            Ok::<_, ApiError>(true)
        })?;
        changed += usize::from(done);
    }
    Ok(changed)
}
