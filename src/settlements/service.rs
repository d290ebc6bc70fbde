//! Settlement (vaststelling): the final amount after the report. What the grant will not use
//! goes back to the fund; what was paid above it is a refund due; a grant closes when nothing
//! is due either way. Reads the grant's reports through the reports' service.

use crate::audit::Actor;
use crate::auth::{Action, Caller, Target};
use crate::db::{write_transaction, DbConnection};
use crate::domain::money::positive_cents;
use crate::domain::time::{now, utc};
use crate::domain::workflow::{GrantAction, GrantStatus};
use crate::domain::BoundedText;
use crate::error::{ApiError, ErrorCode};
use crate::funds::dto::ReportRequirement;
use crate::funds::repo as funds_repo;
use crate::funds::service as funds;
use crate::grants::dto::GrantDto;
use crate::grants::record::{self, record};
use crate::grants::repo::{self as grants_repo, GrantRow};
use crate::grants::tranches::{self, add_tranche_row};
use crate::ledger::{self, EntryKind};
use crate::reports::service as reports;

use super::dto::{RefundRequest, SettleRequest, SettlementDto};
use super::repo::{self, NewSettlement, SettlementRow};

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
    record::visible(conn, caller, grant_id, false)?;
    Ok(repo::find(conn, grant_id)?.map(to_dto).unwrap_or_else(|| SettlementDto {
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
    reports::final_report_accepted(conn, &grant.id)
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
        let (mut grant, fund) = record::visible(conn, caller, grant_id, true)?;
        record::authorize_action(caller, &grant, GrantAction::Settle)?;
        let approved = grant.approved_cents.unwrap_or(0);
        if request.settled_cents > approved {
            return Err(ApiError::invalid_field(
                "settled_cents",
                format!("must not be more than the {approved} cents approved"),
            ));
        }
        let requirement = record::requirement(&funds::tiers_of(&fund), approved);
        if !report_in_order(conn, &grant, requirement)? {
            return Err(ApiError::conflict(
                "This grant needs an accepted final spending report before it is settled.",
            ));
        }
        let scheduled = tranches::scheduled_ids(conn, &grant)?;
        tranches::refuse_if_in_open_batch(conn, &scheduled)?;
        let actor = Actor::from(caller);
        let at = now();
        // Scheduled tranches are replaced by what the settlement still owes the network.
        tranches::cancel_scheduled(conn, &grant, at)?;
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
        repo::insert(
            conn,
            &NewSettlement {
                grant_id: &grant.id,
                municipality_id: &grant.municipality_id,
                settled_cents: request.settled_cents,
                refund_due_cents: refund_due,
                note: note.as_deref(),
                settled_by: &caller.user_id,
                settled_at: at,
            },
        )?;
        let before = grant.status.clone();
        grant.status = GrantStatus::Settled.as_str().to_owned();
        grant.updated_at = at;
        grants_repo::save(conn, &grant)?;
        let changes = serde_json::json!({
            "status": {"before": before, "after": "settled"},
            "settled_cents": {"before": null, "after": request.settled_cents},
            "refund_due_cents": {"before": null, "after": refund_due},
        });
        record(conn, &actor, &grant, "grant.settled", changes)?;
        record::publish(conn, &grant, crate::webhooks::EventType::GrantSettled)?;
        let grant =
            grants_repo::find(conn, grant_id)?.ok_or_else(|| ApiError::not_found("No such grant."))?;
        record::to_dto(caller, &grant, &fund)
    })
}

/// Whether the caller may record money paid back on this grant (the policy's `Pay`).
pub fn may_refund(caller: &Caller, grant: &GrantDto) -> bool {
    let scope = crate::auth::policy::GrantScope {
        municipality_id: grant.municipality_id.clone(),
        network_id: grant.network_id.clone(),
    };
    caller.may(Action::Pay, Target::Grant(&scope))
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
        let (grant, _) = record::visible(conn, caller, grant_id, true)?;
        caller.authorize(Action::Pay, Target::Grant(&record::scope(&grant)))?;
        if repo::find(conn, grant_id)?.is_none() {
            return Err(ApiError::invalid_transition(
                "Refunds follow the settlement; this grant is not settled.",
                Vec::new(),
            ));
        }
        if !repo::add_refund(conn, grant_id, amount)? {
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
        repo::find(conn, grant_id)?
            .map(to_dto)
            .ok_or_else(|| ApiError::not_found("This grant is not settled."))
    })
}

/// Closes a settled grant once nothing is due either way.
pub fn close(conn: &mut DbConnection, caller: &Caller, grant_id: &str) -> Result<GrantDto, ApiError> {
    write_transaction(conn, |conn| {
        let (mut grant, fund) = record::visible(conn, caller, grant_id, true)?;
        record::authorize_action(caller, &grant, GrantAction::Close)?;
        let settlement =
            repo::find(conn, grant_id)?.ok_or_else(|| ApiError::conflict("This grant is not settled."))?;
        let outstanding_refund = settlement.refund_due_cents - settlement.refunded_cents;
        let scheduled = grants_repo::scheduled_cents_of(conn, grant_id)?;
        if outstanding_refund > 0 || scheduled > 0 {
            return Err(ApiError::conflict(format!(
                "Not yet: {outstanding_refund} cents still to come back and {scheduled} cents still to pay."
            )));
        }
        grant.status = GrantStatus::Closed.as_str().to_owned();
        grant.updated_at = now();
        grants_repo::save(conn, &grant)?;
        record(
            conn,
            &Actor::from(caller),
            &grant,
            "grant.closed",
            serde_json::json!({"status": {"before": "settled", "after": "closed"}}),
        )?;
        record::to_dto(caller, &grant, &fund)
    })
}
