//! Officers' decisions on an application: review, a question to the network, approval with four
//! eyes at or above the fund's threshold (the budget committed, the tranche plan scheduled),
//! rejection, and cancelling an approved grant.

use chrono::{Duration, NaiveDate};

use crate::audit::Actor;
use crate::auth::Caller;
use crate::db::{write_transaction, DbConnection};
use crate::domain::money::positive_cents;
use crate::domain::time::now;
use crate::domain::workflow::{GrantAction, GrantStatus};
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::funds::repo::{self as funds_repo, FundRow};
use crate::ledger::{self, EntryKind};
use crate::outbox::wording::NoticeEvent;
use crate::webhooks::EventType;

use super::dto::{ApproveRequest, GrantActionRequest, GrantDto, TranchePlan};
use super::notices::{notify, Audience};
use super::record::{action_text, authorize_action, pending, publish, record, step, to_dto, visible};
use super::repo::{self, GrantRow};
use super::tranches::{add_tranche_row, refuse_if_in_open_batch, release_unpaid, scheduled_ids};

/// An officer starts reviewing a submitted application.
pub fn start_review(conn: &mut DbConnection, caller: &Caller, id: &str) -> Result<GrantDto, ApiError> {
    step(conn, caller, id, GrantAction::StartReview, |_, _, _, _| Ok(()))
}

/// An officer asks the network a `question`; the network answers by submitting again.
pub fn request_info(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    request: GrantActionRequest,
) -> Result<GrantDto, ApiError> {
    step(conn, caller, id, GrantAction::RequestInfo, |_, row, _, changes| {
        let question = action_text("question", request.question, true)?;
        changes["question"] = serde_json::json!({"before": null, "after": question});
        row.info_question = question;
        Ok(())
    })
}

/// An officer rejects the application, with a `reason`.
pub fn reject(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    request: GrantActionRequest,
) -> Result<GrantDto, ApiError> {
    step(conn, caller, id, GrantAction::Reject, |_, row, _, changes| {
        row.status_reason = action_text("reason", request.reason, true)?;
        changes["reason"] = serde_json::json!({"before": null, "after": row.status_reason});
        Ok(())
    })
}

/// An officer cancels an approved or active grant, with a `reason`: its scheduled tranches are
/// cancelled and what was not paid goes back to the fund; not while an open payment batch
/// holds one of its tranches.
pub fn cancel(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    request: GrantActionRequest,
) -> Result<GrantDto, ApiError> {
    step(conn, caller, id, GrantAction::Cancel, |conn, row, _, changes| {
        row.status_reason = action_text("reason", request.reason, true)?;
        changes["reason"] = serde_json::json!({"before": null, "after": row.status_reason});
        let scheduled = scheduled_ids(conn, row)?;
        refuse_if_in_open_batch(conn, &scheduled)?;
        release_unpaid(conn, &Actor::from(caller), row)
    })
}

/// Approves: below the fund's threshold at once; at or above it the first officer's approval
/// is recorded and a second, different officer completes it. Nobody approves an application
/// they submitted. The budget is committed in the same transaction (409 `insufficient_budget`
/// when the fund cannot carry it), and the tranche plan is scheduled.
pub fn approve(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    request: ApproveRequest,
) -> Result<GrantDto, ApiError> {
    write_transaction(conn, |conn| {
        let (mut row, fund) = visible(conn, caller, id, true)?;
        if caller.service_account.is_some() && pending(&row).is_some() {
            return Err(service_account_refused(threshold(&row, &fund)));
        }
        authorize_action(caller, &row, GrantAction::Approve)?;
        let applicant = [row.created_by.as_deref(), row.submitted_by.as_deref()]
            .contains(&Some(caller.user_id.as_str()))
            || caller.network_role(&row.network_id).is_some();
        if applicant {
            return Err(ApiError::new(
                ErrorCode::FourEyesRequired,
                "You applied for this grant or belong to the applying network, so someone else decides on it.",
            ));
        }
        let actor = Actor::from(caller);
        let amount = match (pending(&row), request.approved_cents) {
            (Some((_, pending)), Some(asked)) if asked != pending => {
                return Err(ApiError::invalid_field(
                    "approved_cents",
                    format!("the first approval was for {pending} cents"),
                ));
            }
            (Some((_, pending)), _) => pending,
            (None, asked) => asked.unwrap_or(row.requested_cents),
        };
        let mut errors = Vec::new();
        if let Err(m) = positive_cents(amount) {
            errors.push(FieldError::new("approved_cents", m));
        } else if amount > row.requested_cents {
            errors.push(FieldError::new("approved_cents", "must not be more than requested"));
        } else if amount > fund.max_grant_cents {
            errors.push(FieldError::new("approved_cents", "must not be more than the fund's maximum"));
        }
        let plan = check_plan(
            request.tranches,
            amount,
            &mut errors,
            crate::municipalities::today(conn, &row.municipality_id)?,
        );
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        let needs_two = amount >= threshold(&row, &fund);
        if needs_two && caller.service_account.is_some() {
            return Err(service_account_refused(threshold(&row, &fund)));
        }
        match pending(&row) {
            None if needs_two => {
                row.first_approval_by = Some(caller.user_id.clone());
                row.first_approval_cents = Some(amount);
                row.updated_at = now();
                repo::save(conn, &row)?;
                let changes = serde_json::json!({"first_approval": {"before": null, "after": {"by": caller.user_id, "approved_cents": amount}}});
                record(conn, &actor, &row, "grant.first_approval", changes)?;
                return to_dto(caller, &row, &fund);
            }
            Some((first, _)) if first == caller.user_id => {
                return Err(ApiError::new(
                    ErrorCode::FourEyesRequired,
                    "You gave the first approval; a second, different officer completes it.",
                ));
            }
            _ => {}
        }
        if !funds_repo::commit(conn, &fund.id, amount)? {
            return Err(ApiError::new(
                ErrorCode::InsufficientBudget,
                "The fund's available budget cannot carry this approval.",
            ));
        }
        ledger::record(
            conn,
            &actor,
            ledger::Entry {
                municipality_id: &row.municipality_id,
                fund_id: &row.fund_id,
                grant_id: &row.id,
                tranche_id: None,
                kind: EntryKind::Commit,
                amount_cents: amount,
            },
        )?;
        row.approved_cents = Some(amount);
        row.approved_by = Some(caller.user_id.clone());
        row.approved_at = Some(now());
        row.report_due_on = Some(row.ends_on + Duration::days(i64::from(fund.report_due_days)));
        row.status = GrantStatus::Approved.as_str().to_owned();
        row.updated_at = now();
        repo::save(conn, &row)?;
        for tranche in plan {
            add_tranche_row(conn, &row, tranche.due_on, tranche.amount_cents)?;
        }
        let changes = serde_json::json!({"status": {"before": "in_review", "after": "approved"}, "approved_cents": {"before": null, "after": amount}});
        record(conn, &actor, &row, "grant.approved", changes)?;
        publish(conn, &row, EventType::GrantApproved)?;
        notify(
            conn,
            &row,
            row.version,
            Audience::Network,
            NoticeEvent::GrantApproved { title: &row.title, approved_cents: amount },
        )?;
        let row = repo::find(conn, id)?.ok_or_else(|| ApiError::not_found("No such grant."))?;
        to_dto(caller, &row, &fund)
    })
}

/// The four-eyes threshold that applies: the one in force when the application was submitted.
fn threshold(row: &GrantRow, fund: &FundRow) -> i64 {
    row.four_eyes_threshold_cents.unwrap_or(fund.four_eyes_threshold_cents)
}

fn service_account_refused(threshold: i64) -> ApiError {
    ApiError::new(
        ErrorCode::FourEyesRequired,
        format!(
            "A service account cannot approve a grant of {threshold} cents or more (this grant's four-eyes \
             threshold): two different people approve it."
        ),
    )
}

fn check_plan(
    plan: Option<Vec<TranchePlan>>,
    amount: i64,
    errors: &mut Vec<FieldError>,
    today: NaiveDate,
) -> Vec<TranchePlan> {
    let plan = plan.unwrap_or_else(|| vec![TranchePlan { due_on: today, amount_cents: amount }]);
    if plan.len() > 24 {
        errors.push(FieldError::new("tranches", "at most 24 tranches"));
    }
    let mut total: i64 = 0;
    for (i, tranche) in plan.iter().enumerate() {
        match positive_cents(tranche.amount_cents) {
            Ok(cents) => total = total.saturating_add(cents),
            Err(m) => errors.push(FieldError::new(format!("tranches[{i}].amount_cents"), m)),
        }
    }
    if total > amount {
        errors.push(FieldError::new("tranches", "together they must not be more than the approved amount"));
    }
    plan
}

/// Clears a first approval still waiting for its second: what the first approver saw is not
/// what would now be approved, or the application left review. Audited with the reason (the
/// change that cleared it); the caller saves the row.
pub(super) fn clear_first_approval(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &mut GrantRow,
    reason: &str,
) -> Result<(), ApiError> {
    let Some((by, cents)) = pending(row) else { return Ok(()) };
    if row.approved_at.is_some() {
        return Ok(());
    }
    row.first_approval_by = None;
    row.first_approval_cents = None;
    let changes = serde_json::json!({
        "first_approval": {"before": {"by": by, "approved_cents": cents}, "after": null},
        "reason": {"before": null, "after": reason},
    });
    record(conn, actor, row, "grant.first_approval_cleared", changes)
}
