//! Settlement (vaststelling): the final amount after the report. What the grant will not use
//! goes back to the fund; what was paid above it is a refund due; a grant closes when nothing
//! is due either way.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::Actor;
use crate::auth::{Action, Caller, Target};
use crate::db::schema::{grant_settlements, tranches};
use crate::db::{write_transaction, DbConnection};
use crate::domain::money::positive_cents;
use crate::domain::time::{now, utc};
use crate::domain::workflow::{GrantAction, GrantStatus, ReportStatus, TrancheStatus};
use crate::domain::BoundedText;
use crate::error::{ApiError, ErrorCode};
use crate::funds::dto::ReportRequirement;
use crate::funds::repo as funds_repo;
use crate::funds::service as funds;
use crate::ledger::{self, EntryKind};
use crate::reports::repo as reports_repo;

use super::dto::GrantDto;
use super::repo::{self, GrantRow};
use super::service::{self, add_tranche_row, record};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"settled_cents": 230000, "note": "Flyers niet gedrukt; de rest zoals begroot."}))]
pub struct SettleRequest {
    /// The final amount: at most what was approved.
    pub settled_cents: i64,
    pub note: Option<String>,
}

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

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = grant_settlements)]
struct SettlementRow {
    grant_id: String,
    settled_cents: i64,
    refund_due_cents: i64,
    refunded_cents: i64,
    note: Option<String>,
    settled_by: String,
    settled_at: chrono::NaiveDateTime,
}

fn find(conn: &mut DbConnection, grant_id: &str) -> QueryResult<Option<SettlementRow>> {
    grant_settlements::table.find(grant_id).select(SettlementRow::as_select()).first(conn).optional()
}

fn to_dto(row: SettlementRow) -> SettlementDto {
    SettlementDto {
        refund_outstanding_cents: row.refund_due_cents - row.refunded_cents,
        grant_id: row.grant_id,
        settled: true,
        settled_cents: Some(row.settled_cents),
        refund_due_cents: row.refund_due_cents,
        refunded_cents: row.refunded_cents,
        note: row.note,
        settled_by: Some(row.settled_by),
        settled_at: Some(utc(row.settled_at)),
    }
}

pub fn get(conn: &mut DbConnection, caller: &Caller, grant_id: &str) -> Result<SettlementDto, ApiError> {
    service::visible(conn, caller, grant_id, false)?;
    Ok(find(conn, grant_id)?.map(to_dto).unwrap_or_else(|| SettlementDto {
        grant_id: grant_id.to_owned(),
        settled: false,
        settled_cents: None,
        refund_due_cents: 0,
        refunded_cents: 0,
        refund_outstanding_cents: 0,
        note: None,
        settled_by: None,
        settled_at: None,
    }))
}

/// Whether the fund's tier for this grant is satisfied: a confirmation needs nothing more; an
/// activity or financial report needs an accepted final report.
fn report_in_order(
    conn: &mut DbConnection,
    grant: &GrantRow,
    requirement: ReportRequirement,
) -> Result<bool, ApiError> {
    if requirement == ReportRequirement::Confirmation {
        return Ok(true);
    }
    Ok(reports_repo::of_grant(conn, &grant.id)?
        .iter()
        .any(|r| r.kind == "final" && r.status == ReportStatus::Accepted.as_str()))
}

pub fn settle(
    conn: &mut DbConnection,
    caller: &Caller,
    grant_id: &str,
    request: SettleRequest,
) -> Result<GrantDto, ApiError> {
    let note = request
        .note
        .map(|n| BoundedText::<2000>::parse(&n).map(BoundedText::into_inner))
        .transpose()
        .map_err(|m| ApiError::invalid_field("note", m))?;
    if request.settled_cents < 0 {
        return Err(ApiError::invalid_field("settled_cents", "must not be negative"));
    }
    write_transaction(conn, |conn| {
        let (mut grant, fund) = service::visible(conn, caller, grant_id, true)?;
        service::check(caller, &grant, GrantAction::Settle)?;
        let approved = grant.approved_cents.unwrap_or(0);
        if request.settled_cents > approved {
            return Err(ApiError::invalid_field(
                "settled_cents",
                format!("must not be more than the {approved} cents approved"),
            ));
        }
        let requirement = service::requirement(&funds::tiers_of(&fund), approved);
        if !report_in_order(conn, &grant, requirement)? {
            return Err(ApiError::conflict(
                "This grant needs an accepted final spending report before it is settled.",
            ));
        }
        let scheduled = service::scheduled_tranches(conn, &grant)?;
        crate::payment_batches::service::refuse_if_in_open_batch(conn, &scheduled)?;
        let actor = Actor::from(caller);
        let at = now();
        // Scheduled tranches are replaced by what the settlement still owes the network.
        for tranche in repo::tranches_of(conn, &grant.id)?.into_iter().filter(|t| t.status == "scheduled") {
            if repo::close_tranche(
                conn,
                &tranche.id,
                TrancheStatus::Cancelled.as_str(),
                None,
                None,
                None,
                at,
            )? {
                repo::unschedule(conn, &grant.id, tranche.amount_cents)?;
            }
        }
        let released = approved - request.settled_cents;
        if released > 0 {
            funds_repo::release(conn, &grant.fund_id, released)?;
            ledger::record(
                conn,
                &actor,
                ledger::Entry {
                    municipality_id: &grant.municipality_id,
                    fund_id: &grant.fund_id,
                    grant_id: &grant.id,
                    tranche_id: None,
                    kind: EntryKind::Release,
                    amount_cents: released,
                },
            )?;
        }
        let still_to_pay = request.settled_cents - grant.paid_cents;
        if still_to_pay > 0 {
            let today = crate::municipalities::today(conn, &grant.municipality_id)?;
            add_tranche_row(conn, &grant, today, still_to_pay)?;
        }
        let refund_due = (grant.paid_cents - request.settled_cents).max(0);
        diesel::insert_into(grant_settlements::table)
            .values((
                grant_settlements::grant_id.eq(&grant.id),
                grant_settlements::municipality_id.eq(&grant.municipality_id),
                grant_settlements::settled_cents.eq(request.settled_cents),
                grant_settlements::refund_due_cents.eq(refund_due),
                grant_settlements::note.eq(&note),
                grant_settlements::settled_by.eq(&caller.user_id),
                grant_settlements::settled_at.eq(at),
            ))
            .execute(conn)?;
        let before = grant.status.clone();
        grant.status = GrantStatus::Settled.as_str().to_owned();
        grant.updated_at = at;
        repo::save(conn, &grant)?;
        let changes = serde_json::json!({
            "status": {"before": before, "after": "settled"},
            "settled_cents": {"before": null, "after": request.settled_cents},
            "refund_due_cents": {"before": null, "after": refund_due},
        });
        record(conn, &actor, &grant, "grant.settled", changes)?;
        service::publish(conn, &grant, crate::webhooks::EventType::GrantSettled)?;
        let grant = repo::find(conn, grant_id)?.ok_or_else(|| ApiError::not_found("No such grant."))?;
        Ok(service::to_dto(caller, &grant, &fund))
    })
}

/// Records money the network paid back, at most what is still due (409 `overpayment`).
pub fn refund(
    conn: &mut DbConnection,
    caller: &Caller,
    grant_id: &str,
    request: RefundRequest,
) -> Result<SettlementDto, ApiError> {
    let amount =
        positive_cents(request.amount_cents).map_err(|m| ApiError::invalid_field("amount_cents", m))?;
    write_transaction(conn, |conn| {
        let (grant, _) = service::visible(conn, caller, grant_id, true)?;
        caller.authorize(Action::Pay, Target::Grant(&service::scope(&grant)))?;
        if find(conn, grant_id)?.is_none() {
            return Err(ApiError::invalid_transition(
                "Refunds follow the settlement; this grant is not settled.",
                Vec::new(),
            ));
        }
        let updated =
            diesel::update(grant_settlements::table.find(grant_id).filter(
                (grant_settlements::refunded_cents + amount).le(grant_settlements::refund_due_cents),
            ))
            .set(grant_settlements::refunded_cents.eq(grant_settlements::refunded_cents + amount))
            .execute(conn)?;
        if updated != 1 {
            return Err(ApiError::new(ErrorCode::Overpayment, "This is more than the refund still due."));
        }
        funds_repo::add_refunded(conn, &grant.fund_id, amount)?;
        let actor = Actor::from(caller);
        ledger::record(
            conn,
            &actor,
            ledger::Entry {
                municipality_id: &grant.municipality_id,
                fund_id: &grant.fund_id,
                grant_id: &grant.id,
                tranche_id: None,
                kind: EntryKind::Refund,
                amount_cents: amount,
            },
        )?;
        let changes = serde_json::json!({"refund": {"before": null, "after": {"amount_cents": amount, "received_on": request.received_on}}});
        record(conn, &actor, &grant, "grant.refund_received", changes)?;
        find(conn, grant_id)?.map(to_dto).ok_or_else(|| ApiError::not_found("This grant is not settled."))
    })
}

/// Closes a settled grant once nothing is due either way.
pub fn close(conn: &mut DbConnection, caller: &Caller, grant_id: &str) -> Result<GrantDto, ApiError> {
    write_transaction(conn, |conn| {
        let (mut grant, fund) = service::visible(conn, caller, grant_id, true)?;
        service::check(caller, &grant, GrantAction::Close)?;
        let settlement =
            find(conn, grant_id)?.ok_or_else(|| ApiError::conflict("This grant is not settled."))?;
        let outstanding_refund = settlement.refund_due_cents - settlement.refunded_cents;
        let scheduled: i64 = tranches::table
            .filter(tranches::grant_id.eq(grant_id))
            .filter(tranches::status.eq("scheduled"))
            .select(tranches::amount_cents)
            .load::<i64>(conn)?
            .into_iter()
            .sum();
        if outstanding_refund > 0 || scheduled > 0 {
            return Err(ApiError::conflict(format!(
                "Not yet: {outstanding_refund} cents still to come back and {scheduled} cents still to pay."
            )));
        }
        grant.status = GrantStatus::Closed.as_str().to_owned();
        grant.updated_at = now();
        repo::save(conn, &grant)?;
        record(
            conn,
            &Actor::from(caller),
            &grant,
            "grant.closed",
            serde_json::json!({"status": {"before": "settled", "after": "closed"}}),
        )?;
        Ok(service::to_dto(caller, &grant, &fund))
    })
}

/// The date job: an active grant whose period is over and that owes a report moves to
/// `reporting`. Idempotent.
pub fn run_date_changes(conn: &mut DbConnection) -> Result<usize, ApiError> {
    use crate::db::schema::grants;
    let candidates: Vec<String> = grants::table
        .filter(grants::status.eq(GrantStatus::Active.as_str()))
        .select(grants::id)
        .load(conn)?;
    let mut changed = 0;
    for id in candidates {
        let done = write_transaction(conn, |conn| {
            let Some(mut grant) = repo::lock(conn, &id)? else { return Ok(false) };
            let Some(fund) = funds_repo::find(conn, &grant.fund_id)? else { return Ok(false) };
            let today = crate::municipalities::today(conn, &grant.municipality_id)?;
            let requirement =
                service::requirement(&funds::tiers_of(&fund), grant.approved_cents.unwrap_or(0));
            let next = service::status(&grant).next(GrantAction::StartReporting, true);
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
