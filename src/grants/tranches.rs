//! Tranches: scheduled within the award (never more, under any concurrency), paid once or
//! cancelled, and never changed on their own while an open payment batch holds them.

use chrono::{NaiveDate, NaiveDateTime};

use crate::audit::Actor;
use crate::auth::{Action, Caller, Target};
use crate::db::{stored, write_transaction, DbConnection};
use crate::domain::money::positive_cents;
use crate::domain::time::now;
use crate::domain::workflow::{GrantStatus, TrancheStatus};
use crate::domain::BoundedText;
use crate::error::{ApiError, ErrorCode};
use crate::funds::repo as funds_repo;
use crate::ledger::{self, EntryKind};

use super::dto::{CreateTranche, PayRequest, TrancheAction, TrancheDto};
use super::payments::{pay_tranche, Outcome, Payment};
use super::record::{allowed_actions, record, scope, status, visible};
use super::repo::{self, GrantRow, TrancheRow};

/// The tranche's status; an unknown stored status is an error.
pub fn tranche_status(tranche: &TrancheRow) -> Result<TrancheStatus, ApiError> {
    stored::parse("tranches.status", &tranche.status)
}

/// Schedules a tranche within what was awarded (409 `overpayment` otherwise).
pub fn add_tranche_row(
    conn: &mut DbConnection,
    row: &GrantRow,
    due_on: NaiveDate,
    cents: i64,
) -> Result<TrancheRow, ApiError> {
    if !repo::schedule(conn, &row.id, cents)? {
        return Err(ApiError::new(
            ErrorCode::Overpayment,
            "Together the tranches would pay more than was approved.",
        ));
    }
    let at = now();
    let tranche = TrancheRow {
        id: uuid::Uuid::now_v7().to_string(),
        grant_id: row.id.clone(),
        municipality_id: row.municipality_id.clone(),
        due_on,
        amount_cents: cents,
        status: TrancheStatus::Scheduled.as_str().to_owned(),
        paid_on: None,
        payment_reference: None,
        paid_by: None,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    repo::insert_tranche(conn, &tranche)?;
    Ok(tranche)
}

/// The grant's tranches still to be paid.
pub fn scheduled(conn: &mut DbConnection, grant_id: &str) -> Result<Vec<TrancheRow>, ApiError> {
    let mut scheduled = Vec::new();
    for tranche in repo::tranches_of(conn, grant_id)? {
        if tranche_status(&tranche)? == TrancheStatus::Scheduled {
            scheduled.push(tranche);
        }
    }
    Ok(scheduled)
}

/// The ids of the grant's tranches still to be paid.
pub fn scheduled_ids(conn: &mut DbConnection, row: &GrantRow) -> Result<Vec<String>, ApiError> {
    Ok(scheduled(conn, &row.id)?.into_iter().map(|t| t.id).collect())
}

/// Cancels the grant's scheduled tranches (settling or cancelling it), so their amounts are
/// scheduled no more.
pub fn cancel_scheduled(
    conn: &mut DbConnection,
    grant: &GrantRow,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    for tranche in scheduled(conn, &grant.id)? {
        if repo::close_tranche(conn, &tranche.id, TrancheStatus::Cancelled, None, None, None, at)? {
            repo::unschedule(conn, &grant.id, tranche.amount_cents)?;
        }
    }
    Ok(())
}

/// On cancel: scheduled tranches are cancelled and what was not paid goes back to the fund.
pub fn release_unpaid(conn: &mut DbConnection, actor: &Actor, row: &GrantRow) -> Result<(), ApiError> {
    cancel_scheduled(conn, row, now())?;
    let unpaid = row.approved_cents.unwrap_or(0) - row.paid_cents;
    if unpaid > 0 {
        funds_repo::release(conn, &row.fund_id, unpaid)?;
        ledger::record(
            conn,
            actor,
            ledger::Entry {
                municipality_id: &row.municipality_id,
                fund_id: &row.fund_id,
                grant_id: &row.id,
                tranche_id: None,
                kind: EntryKind::Release,
                amount_cents: unpaid,
            },
        )?;
    }
    Ok(())
}

/// Refuses (409 `tranche_in_payment_batch`, naming the batch) any change to tranches that are
/// in an open batch: the bank file has them, so they are paid or freed through the batch
/// (confirm or cancel) and never on their own meanwhile. The caller holds the fund's lock
/// (`grants::record::visible` takes it before the grant's), as batch creation does, so no
/// batch can take the tranches between this check and the change.
pub fn refuse_if_in_open_batch(conn: &mut DbConnection, tranche_ids: &[String]) -> Result<(), ApiError> {
    if tranche_ids.is_empty() {
        return Ok(());
    }
    match repo::open_item_of(conn, tranche_ids)? {
        None => Ok(()),
        Some((tranche_id, batch_id)) => Err(ApiError::new(
            ErrorCode::TrancheInPaymentBatch,
            format!(
                "Tranche {tranche_id} is in open payment batch {batch_id}: confirm or cancel that batch \
                 (POST /api/v1/payment-batches/{batch_id}/confirm or /cancel) before changing it on its own."
            ),
        )),
    }
}

fn allowed(caller: &Caller, grant: &GrantRow, status: TrancheStatus) -> Vec<TrancheAction> {
    let scope = scope(grant);
    let mut actions = Vec::new();
    if status == TrancheStatus::Scheduled {
        if caller.may(Action::Pay, Target::Grant(&scope)) {
            actions.push(TrancheAction::Pay);
        }
        if caller.may(Action::ManageLifecycle, Target::Grant(&scope)) {
            actions.push(TrancheAction::Cancel);
        }
    }
    actions
}

pub fn to_dto(caller: &Caller, grant: &GrantRow, tranche: TrancheRow) -> Result<TrancheDto, ApiError> {
    let status = tranche_status(&tranche)?;
    Ok(TrancheDto {
        allowed_actions: allowed(caller, grant, status),
        status,
        id: tranche.id,
        grant_id: tranche.grant_id,
        due_on: tranche.due_on,
        amount_cents: tranche.amount_cents,
        paid_on: tranche.paid_on,
        payment_reference: tranche.payment_reference,
        version: tranche.version,
    })
}

pub fn list(conn: &mut DbConnection, caller: &Caller, grant_id: &str) -> Result<Vec<TrancheDto>, ApiError> {
    let (grant, _) = visible(conn, caller, grant_id, false)?;
    let rows = repo::tranches_of(conn, grant_id)?;
    let ids: Vec<String> = rows.iter().map(|t| t.id.clone()).collect();
    let batched = repo::in_open_batches(conn, &ids)?;
    rows.into_iter()
        .map(|t| {
            let in_batch = batched.contains(&t.id);
            let mut dto = to_dto(caller, &grant, t)?;
            // Paid or freed through its batch, not on its own.
            if in_batch {
                dto.allowed_actions.clear();
            }
            Ok(dto)
        })
        .collect()
}

/// One tranche, for whoever may see its grant; 404 otherwise.
pub fn get(conn: &mut DbConnection, caller: &Caller, tranche_id: &str) -> Result<TrancheDto, ApiError> {
    let tranche =
        repo::find_tranche(conn, tranche_id)?.ok_or_else(|| ApiError::not_found("No such tranche."))?;
    list(conn, caller, &tranche.grant_id)
        .map_err(|e| match e.code {
            ErrorCode::NotFound => ApiError::not_found("No such tranche."),
            _ => e,
        })?
        .into_iter()
        .find(|t| t.id == tranche.id)
        .ok_or_else(|| ApiError::not_found("No such tranche."))
}

pub fn add(
    conn: &mut DbConnection,
    caller: &Caller,
    grant_id: &str,
    input: CreateTranche,
) -> Result<TrancheDto, ApiError> {
    positive_cents(input.amount_cents).map_err(|m| ApiError::invalid_field("amount_cents", m))?;
    write_transaction(conn, |conn| {
        let (grant, _) = visible(conn, caller, grant_id, true)?;
        caller.authorize(Action::ManageLifecycle, Target::Grant(&scope(&grant)))?;
        let status = status(&grant)?;
        if !matches!(status, GrantStatus::Approved | GrantStatus::Active) {
            return Err(ApiError::invalid_transition(
                format!("A {} grant gets no tranches.", status.as_str()),
                allowed_actions(caller, &grant)?.iter().map(|a| a.as_str().to_owned()).collect(),
            ));
        }
        let tranche = add_tranche_row(conn, &grant, input.due_on, input.amount_cents)?;
        let changes = serde_json::json!({"tranche": {"before": null, "after": {"id": tranche.id, "amount_cents": tranche.amount_cents, "due_on": tranche.due_on}}});
        record(conn, &Actor::from(caller), &grant, "grant.tranche_scheduled", changes)?;
        to_dto(caller, &grant, tranche)
    })
}

fn load(
    conn: &mut DbConnection,
    caller: &Caller,
    tranche_id: &str,
) -> Result<(TrancheRow, GrantRow), ApiError> {
    let tranche =
        repo::find_tranche(conn, tranche_id)?.ok_or_else(|| ApiError::not_found("No such tranche."))?;
    let (grant, _) = visible(conn, caller, &tranche.grant_id, true).map_err(|e| match e.code {
        ErrorCode::NotFound => ApiError::not_found("No such tranche."),
        _ => e,
    })?;
    Ok((tranche, grant))
}

/// Marks a tranche paid, once: the grant's and the fund's paid amounts grow, a payment goes
/// into the ledger, and the first payment makes the grant active.
pub fn pay(
    conn: &mut DbConnection,
    caller: &Caller,
    tranche_id: &str,
    input: PayRequest,
) -> Result<TrancheDto, ApiError> {
    let reference = input
        .payment_reference
        .map(|r| {
            BoundedText::<140>::parse(&r)
                .map(BoundedText::into_inner)
                .map_err(|m| ApiError::invalid_field("payment_reference", m))
        })
        .transpose()?;
    write_transaction(conn, |conn| {
        let (tranche, mut grant) = load(conn, caller, tranche_id)?;
        caller.authorize(Action::Pay, Target::Grant(&scope(&grant)))?;
        refuse_if_in_open_batch(conn, std::slice::from_ref(&tranche.id))?;
        let today = crate::municipalities::today(conn, &grant.municipality_id)?;
        let paid_on = input.paid_on.unwrap_or(today);
        if paid_on > today {
            return Err(ApiError::invalid_field("paid_on", "must not be in the future"));
        }
        let payment = Payment { paid_on, reference: reference.as_deref(), paid_by: &caller.user_id };
        if pay_tranche(conn, &Actor::from(caller), &mut grant, &tranche, &payment)? == Outcome::NotScheduled {
            return Err(ApiError::invalid_transition(
                format!("This tranche is {} already.", tranche.status),
                Vec::new(),
            ));
        }
        let tranche =
            repo::find_tranche(conn, tranche_id)?.ok_or_else(|| ApiError::not_found("No such tranche."))?;
        to_dto(caller, &grant, tranche)
    })
}

pub fn cancel(conn: &mut DbConnection, caller: &Caller, tranche_id: &str) -> Result<TrancheDto, ApiError> {
    write_transaction(conn, |conn| {
        let (tranche, grant) = load(conn, caller, tranche_id)?;
        caller.authorize(Action::ManageLifecycle, Target::Grant(&scope(&grant)))?;
        refuse_if_in_open_batch(conn, std::slice::from_ref(&tranche.id))?;
        if !repo::close_tranche(conn, &tranche.id, TrancheStatus::Cancelled, None, None, None, now())? {
            return Err(ApiError::invalid_transition(
                format!("This tranche is {} already.", tranche.status),
                Vec::new(),
            ));
        }
        repo::unschedule(conn, &grant.id, tranche.amount_cents)?;
        let changes = serde_json::json!({"tranche": {"before": {"id": tranche.id, "status": "scheduled"}, "after": {"status": "cancelled"}}});
        record(conn, &Actor::from(caller), &grant, "grant.tranche_cancelled", changes)?;
        let tranche =
            repo::find_tranche(conn, tranche_id)?.ok_or_else(|| ApiError::not_found("No such tranche."))?;
        to_dto(caller, &grant, tranche)
    })
}
