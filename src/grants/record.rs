//! One grant as a record: loading it for a caller (its fund locked first), what the caller may
//! do with it, its DTO, its audit trail and webhook events, and the step every action but
//! approval takes.

use crate::audit::{self, Actor, Event};
use crate::auth::policy::{ActionCheck, GrantScope};
use crate::auth::{Action, Caller, Target};
use crate::db::{stored, write_transaction, DbConnection};
use crate::domain::time::{now, utc};
use crate::domain::workflow::{GrantAction, GrantStatus};
use crate::domain::BoundedText;
use crate::error::ApiError;
use crate::funds::dto::{ReportRequirement, ReportingTier};
use crate::funds::repo::{self as funds_repo, FundRow};
use crate::funds::service as funds;
use crate::webhooks::{self, EventType};

use super::dto::{GrantDto, Payee, PendingApproval};
use super::repo::{self, GrantRow};
use super::{decisions, notices};

pub fn scope(row: &GrantRow) -> GrantScope {
    GrantScope { municipality_id: row.municipality_id.clone(), network_id: row.network_id.clone() }
}

/// The grant's status; an unknown stored status is an error.
pub fn status(row: &GrantRow) -> Result<GrantStatus, ApiError> {
    stored::parse("grants.status", &row.status)
}

/// A grant the caller may see (its municipality's people, the network's members); 404 otherwise.
pub fn visible(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    lock: bool,
) -> Result<(GrantRow, FundRow), ApiError> {
    let (row, fund) = repo::find_with_fund(conn, id)?
        .filter(|(r, _)| caller.can_see(Target::Grant(&scope(r))))
        .ok_or_else(|| ApiError::not_found("No such grant."))?;
    if lock {
        return lock_with_fund(conn, &row.fund_id, id);
    }
    Ok((row, fund))
}

/// Locks the grant's fund, then the grant: the order every path that changes a grant takes,
/// and the lock payment batch creation takes. So a change to a grant's tranches and the
/// making of a batch never race, and no two such paths wait on each other (PostgreSQL; SQLite
/// serialises writers already).
pub fn lock_with_fund(
    conn: &mut DbConnection,
    fund_id: &str,
    id: &str,
) -> Result<(GrantRow, FundRow), ApiError> {
    let fund = funds_repo::lock(conn, fund_id)?.ok_or_else(|| ApiError::not_found("No such fund."))?;
    let row = repo::lock(conn, id)?.ok_or_else(|| ApiError::not_found("No such grant."))?;
    Ok((row, fund))
}

pub fn pending(row: &GrantRow) -> Option<(String, i64)> {
    Some((row.first_approval_by.clone()?, row.first_approval_cents?))
}

fn permitted(caller: &Caller, row: &GrantRow, action: GrantAction) -> bool {
    use GrantAction as A;
    let scope = scope(row);
    let target = Target::Grant(&scope);
    match action {
        A::Edit | A::Submit | A::Withdraw => caller.may(Action::Update, target),
        A::StartReview | A::RequestInfo | A::Reject | A::Cancel | A::Settle | A::Close => {
            caller.may(Action::ManageLifecycle, target)
        }
        // A first approval is an officer's; the second may also be finance's.
        // A service account gives neither approval of two.
        A::Approve if pending(row).is_some() => {
            caller.service_account.is_none() && caller.may(Action::Pay, target)
        }
        A::Approve => caller.may(Action::ManageLifecycle, target),
        A::Activate | A::StartReporting => false,
    }
}

pub fn allowed_actions(caller: &Caller, row: &GrantRow) -> Result<Vec<GrantAction>, ApiError> {
    let status = status(row)?;
    Ok(GrantAction::BY_PEOPLE
        .into_iter()
        .filter(|a| permitted(caller, row, *a) && status.next(*a, true).is_some())
        .collect())
}

pub fn authorize_action(caller: &Caller, row: &GrantRow, action: GrantAction) -> Result<(), ApiError> {
    let status = status(row)?;
    ActionCheck {
        record: "grant",
        status: status.as_str(),
        action: action.as_str(),
        visible: caller.can_see(Target::Grant(&scope(row))),
        permitted: permitted(caller, row, action),
        possible: status.next(action, true).is_some(),
        allowed: allowed_actions(caller, row)?.iter().map(|a| a.as_str().to_owned()).collect(),
    }
    .verdict()
}

/// What the fund's tiers ask of a grant of this amount.
pub fn requirement(tiers: &[ReportingTier], cents: i64) -> ReportRequirement {
    tiers
        .iter()
        .find(|t| t.up_to_cents.is_none_or(|up_to| cents <= up_to))
        .map_or(ReportRequirement::FinancialReport, |t| t.requirement)
}

pub fn to_dto(caller: &Caller, row: &GrantRow, fund: &FundRow) -> Result<GrantDto, ApiError> {
    let amount = row.approved_cents.unwrap_or(row.requested_cents);
    Ok(GrantDto {
        id: row.id.clone(),
        municipality_id: row.municipality_id.clone(),
        fund_id: row.fund_id.clone(),
        network_id: row.network_id.clone(),
        agreement_id: row.agreement_id.clone(),
        status: status(row)?,
        status_reason: row.status_reason.clone(),
        title: row.title.clone(),
        purpose: row.purpose.clone(),
        currency: fund.currency.clone(),
        requested_cents: row.requested_cents,
        approved_cents: row.approved_cents,
        scheduled_cents: row.scheduled_cents,
        paid_cents: row.paid_cents,
        unscheduled_cents: row.approved_cents.map_or(0, |a| a - row.scheduled_cents - row.paid_cents),
        starts_on: row.starts_on,
        ends_on: row.ends_on,
        budget_lines: serde_json::from_str(&row.budget_lines).unwrap_or_default(),
        payee: Payee { iban: row.payee_iban.clone(), name: row.payee_name.clone() },
        info_question: row.info_question.clone(),
        submitted_at: row.submitted_at.map(utc),
        decision_due_on: row.decision_due_on,
        four_eyes_threshold_cents: row.four_eyes_threshold_cents,
        pending_approval: pending(row)
            .map(|(by, cents)| PendingApproval { approved_cents: cents, approved_by: by }),
        approved_at: row.approved_at.map(utc),
        report_due_on: row.report_due_on,
        report_requirement: requirement(&funds::tiers_of(fund), amount),
        allowed_actions: allowed_actions(caller, row)?,
        version: row.version,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    })
}

pub fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &GrantRow,
    action: &str,
    changes: serde_json::Value,
) -> Result<(), ApiError> {
    audit::record(
        conn,
        actor,
        Event {
            action,
            entity_type: "grant",
            entity_id: &row.id,
            municipality_id: Some(&row.municipality_id),
            network_id: Some(&row.network_id),
            changes,
        },
    )?;
    Ok(())
}

/// Tells the municipality's subscribed systems of a change to the grant, in its transaction.
pub fn publish(conn: &mut DbConnection, row: &GrantRow, event_type: EventType) -> Result<(), ApiError> {
    let event = webhooks::Event {
        event_type,
        municipality_id: &row.municipality_id,
        path: format!("/api/v1/grants/{}", row.id),
        dedupe_key: None,
    };
    webhooks::emit(conn, event, |conn| {
        let fund =
            funds_repo::find(conn, &row.fund_id)?.ok_or_else(|| ApiError::not_found("No such fund."))?;
        to_dto(&Caller::observer(), row, &fund)
    })?;
    Ok(())
}

/// A text a workflow action carries (an answer, a question, a reason).
pub(super) fn action_text(
    field: &str,
    value: Option<String>,
    required: bool,
) -> Result<Option<String>, ApiError> {
    match value {
        Some(v) => BoundedText::<2000>::parse(&v)
            .map(|t| Some(t.into_inner()))
            .map_err(|m| ApiError::invalid_field(field, m)),
        None if required => Err(ApiError::invalid_field(field, "is required for this action")),
        None => Ok(None),
    }
}

/// One workflow step (every action but approval): the grant locked and the action checked,
/// `prepare` doing what is particular to it (with the locked grant, its fund and the audited
/// changes to add to), then a waiting first approval cleared, the new
/// status saved, audited, published and told.
pub(super) fn step(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    action: GrantAction,
    prepare: impl FnOnce(
        &mut DbConnection,
        &mut GrantRow,
        &FundRow,
        &mut serde_json::Value,
    ) -> Result<(), ApiError>,
) -> Result<GrantDto, ApiError> {
    write_transaction(conn, |conn| {
        let (mut row, fund) = visible(conn, caller, id, true)?;
        authorize_action(caller, &row, action)?;
        let actor = Actor::from(caller);
        let before = status(&row)?;
        let next = before.next(action, true).unwrap_or(before);
        let mut changes = serde_json::json!({"status": {"before": before.as_str(), "after": next.as_str()}});
        prepare(conn, &mut row, &fund, &mut changes)?;
        decisions::clear_first_approval(conn, &actor, &mut row, event_name(action))?;
        row.status = next.as_str().to_owned();
        row.updated_at = now();
        repo::save(conn, &row)?;
        record(conn, &actor, &row, &format!("grant.{}", event_name(action)), changes)?;
        let event_type = match action {
            GrantAction::Submit => Some(EventType::GrantSubmitted),
            GrantAction::Reject => Some(EventType::GrantRejected),
            GrantAction::Cancel => Some(EventType::GrantCancelled),
            _ => None,
        };
        if let Some(event_type) = event_type {
            publish(conn, &row, event_type)?;
        }
        notices::after_step(conn, &row, action)?;
        let row = repo::find(conn, id)?.ok_or_else(|| ApiError::not_found("No such grant."))?;
        to_dto(caller, &row, &fund)
    })
}

fn event_name(action: GrantAction) -> &'static str {
    match action {
        GrantAction::Edit => "updated",
        GrantAction::Submit => "submitted",
        GrantAction::StartReview => "review_started",
        GrantAction::RequestInfo => "info_requested",
        GrantAction::Approve => "approved",
        GrantAction::Reject => "rejected",
        GrantAction::Withdraw => "withdrawn",
        GrantAction::Cancel => "cancelled",
        GrantAction::Activate => "activated",
        GrantAction::Settle => "settled",
        GrantAction::Close => "closed",
        GrantAction::StartReporting => "reporting_started",
    }
}
