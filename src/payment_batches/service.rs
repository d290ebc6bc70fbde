//! Rules for payment batches: a fund's due tranches gathered into one SEPA file, each tranche
//! in at most one open batch; confirming pays them all in one transaction through the same
//! payment path as a single tranche, cancelling frees them. Every change is audited.

use chrono::{Duration, NaiveDate};
use strum::IntoEnumIterator;

use crate::audit::{self, Actor, Event};
use crate::auth::{Action, Caller, Target};
use crate::db::page::{Page, PageRequest};
use crate::db::{stored, write_transaction, DbConnection};
use crate::domain::sepa::sepa_text;
use crate::domain::time::{now, utc};
use crate::domain::workflow::{GrantStatus, PaymentBatchAction, PaymentBatchStatus};
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::funds::repo::{self as funds_repo, FundRow};
use crate::funds::service as funds;
use crate::grants::payments::{pay_tranche, Outcome, Payment};
use crate::grants::repo as grants_repo;

use super::dto::{
    ConfirmPaymentBatch, CreatePaymentBatch, DebtorAccount, ItemStatus, PaymentBatchDto, PaymentBatchItemDto,
};
use super::pain001::{self, MAX_REMITTANCE};
use super::repo::{self, BatchRow, ItemRow};

/// The most transfers one batch (one file) carries; the earliest due go first.
pub const MAX_ITEMS: i64 = 1000;
/// How far ahead a bank accepts a requested execution date.
const MAX_DAYS_AHEAD: i64 = 365;

/// The batch's status; an unknown stored status is an error.
fn status(row: &BatchRow) -> Result<PaymentBatchStatus, ApiError> {
    stored::parse("payment_batches.status", &row.status)
}

fn allowed_actions(caller: &Caller, row: &BatchRow) -> Result<Vec<PaymentBatchAction>, ApiError> {
    if !caller.may(Action::Pay, Target::Municipality(&row.municipality_id)) {
        return Ok(Vec::new());
    }
    let status = status(row)?;
    Ok([PaymentBatchAction::Confirm, PaymentBatchAction::Cancel]
        .into_iter()
        .filter(|a| status.next(*a).is_some())
        .collect())
}

fn item_dto(item: ItemRow) -> Result<PaymentBatchItemDto, ApiError> {
    Ok(PaymentBatchItemDto {
        status: stored::parse("payment_batch_items.status", &item.status)?,
        tranche_id: item.tranche_id,
        grant_id: item.grant_id,
        amount_cents: item.amount_cents,
        end_to_end_id: item.end_to_end_id,
        creditor_name: item.creditor_name,
        creditor_iban: item.creditor_iban,
        remittance: item.remittance,
    })
}

pub fn to_dto(conn: &mut DbConnection, caller: &Caller, row: BatchRow) -> Result<PaymentBatchDto, ApiError> {
    let items = repo::items(conn, &row.id)?.into_iter().map(item_dto).collect::<Result<_, _>>()?;
    Ok(PaymentBatchDto {
        allowed_actions: allowed_actions(caller, &row)?,
        status: status(&row)?,
        id: row.id,
        municipality_id: row.municipality_id,
        fund_id: row.fund_id,
        message_id: row.message_id,
        due_before: row.due_before,
        requested_execution_date: row.requested_execution_date,
        debtor: DebtorAccount { name: row.debtor_name, iban: row.debtor_iban, bic: row.debtor_bic },
        currency: row.currency,
        transaction_count: row.transaction_count,
        total_cents: row.total_cents,
        paid_on: row.paid_on,
        items,
        created_by: row.created_by,
        created_at: utc(row.created_at),
        closed_by: row.closed_by,
        closed_at: row.closed_at.map(utc),
        version: row.version,
    })
}

/// A fund whose batches the caller may read: 404 when the fund is not visible, 403 for
/// network members who see the fund but not the municipality's payments.
fn fund_of_municipality(
    conn: &mut DbConnection,
    caller: &Caller,
    fund_id: &str,
) -> Result<FundRow, ApiError> {
    caller.authorize_listing(&crate::auth::policy::GRANT_READERS)?;
    let fund = funds::visible(conn, caller, fund_id)?;
    if !caller.can_see(Target::Municipality(&fund.municipality_id)) {
        return Err(ApiError::forbidden("Payment batches are for the municipality's people."));
    }
    Ok(fund)
}

/// A batch the caller may read (the municipality's people); 404 otherwise.
fn visible(conn: &mut DbConnection, caller: &Caller, id: &str, lock: bool) -> Result<BatchRow, ApiError> {
    let row = if lock { repo::lock(conn, id)? } else { repo::find(conn, id)? };
    let row = row.ok_or_else(|| ApiError::not_found("No such payment batch."))?;
    caller.authorize_listing(&crate::auth::policy::GRANT_READERS)?;
    caller
        .authorize(Action::Read, Target::Municipality(&row.municipality_id))
        .map_err(|_| ApiError::not_found("No such payment batch."))?;
    Ok(row)
}

fn record(
    conn: &mut DbConnection,
    caller: &Caller,
    row: &BatchRow,
    action: &str,
    changes: serde_json::Value,
) -> Result<(), ApiError> {
    audit::record(
        conn,
        &Actor::from(caller),
        Event {
            action,
            entity_type: "payment_batch",
            entity_id: &row.id,
            municipality_id: Some(&row.municipality_id),
            network_id: None,
            changes,
        },
    )?;
    Ok(())
}

/// The debtor account a batch pays from: 422 when the fund has none yet.
fn debtor_of(fund: &FundRow) -> Result<(String, String), ApiError> {
    match (&fund.debtor_name, &fund.debtor_iban) {
        (Some(name), Some(iban)) => Ok((name.clone(), iban.clone())),
        _ => {
            let mut errors = Vec::new();
            if fund.debtor_name.is_none() {
                errors.push(FieldError::new("debtor_name", "the fund has no debtor account holder"));
            }
            if fund.debtor_iban.is_none() {
                errors.push(FieldError::new("debtor_iban", "the fund has no debtor IBAN"));
            }
            Err(ApiError {
                errors,
                ..ApiError::new(
                    ErrorCode::ValidationFailed,
                    "This fund has no debtor account: set debtor_name and debtor_iban on the fund first.",
                )
            })
        }
    }
}

fn check_execution_date(requested: NaiveDate, today: NaiveDate) -> Result<NaiveDate, ApiError> {
    if requested < today {
        return Err(ApiError::invalid_field("requested_execution_date", "must not be in the past"));
    }
    if requested > today + Duration::days(MAX_DAYS_AHEAD) {
        return Err(ApiError::invalid_field(
            "requested_execution_date",
            format!("must be within {MAX_DAYS_AHEAD} days"),
        ));
    }
    Ok(requested)
}

/// Remittance text: the grant reference first, so cutting to 140 characters never loses it.
fn remittance(grant_id: &str, title: &str, due_on: NaiveDate) -> String {
    sepa_text(&format!("Subsidie {grant_id} termijn {due_on} {title}"), MAX_REMITTANCE)
}

/// Gathers the fund's due tranches that are in no open batch into a new open batch.
pub fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    fund_id: &str,
    input: CreatePaymentBatch,
) -> Result<PaymentBatchDto, ApiError> {
    write_transaction(conn, |conn| {
        let fund = fund_of_municipality(conn, caller, fund_id)?;
        caller.authorize(Action::Pay, Target::Municipality(&fund.municipality_id))?;
        // Batches of one fund are made one at a time, so the next sees this one's items.
        let fund = funds_repo::lock(conn, &fund.id)?.ok_or_else(|| ApiError::not_found("No such fund."))?;
        let (debtor_name, debtor_iban) = debtor_of(&fund)?;
        let today = crate::municipalities::today(conn, &fund.municipality_id)?;
        let execution = check_execution_date(input.requested_execution_date.unwrap_or(today), today)?;
        let payable: Vec<GrantStatus> = GrantStatus::iter().filter(|s| s.pays_tranches()).collect();
        let due = repo::candidates(conn, &fund.id, input.due_before, &payable, MAX_ITEMS)?;
        if due.is_empty() {
            return Err(ApiError::invalid_field(
                "due_before",
                format!(
                    "no scheduled tranche of this fund is due on or before {} outside an open batch",
                    input.due_before
                ),
            ));
        }
        let id = uuid::Uuid::now_v7();
        let items: Vec<ItemRow> = due
            .iter()
            .map(|(tranche, grant)| ItemRow {
                batch_id: id.to_string(),
                tranche_id: tranche.id.clone(),
                grant_id: grant.id.clone(),
                municipality_id: fund.municipality_id.clone(),
                status: ItemStatus::Open.as_str().to_owned(),
                amount_cents: tranche.amount_cents,
                end_to_end_id: end_to_end_id(&tranche.id),
                creditor_name: grant.payee_name.clone(),
                creditor_iban: grant.payee_iban.clone(),
                remittance: remittance(&grant.id, &grant.title, tranche.due_on),
            })
            .collect();
        let batch = BatchRow {
            id: id.to_string(),
            municipality_id: fund.municipality_id.clone(),
            fund_id: fund.id.clone(),
            status: PaymentBatchStatus::Open.as_str().to_owned(),
            message_id: format!("PB{}", id.simple()),
            due_before: input.due_before,
            requested_execution_date: execution,
            debtor_name,
            debtor_iban,
            debtor_bic: fund.debtor_bic.clone(),
            currency: fund.currency.clone(),
            transaction_count: items.len() as i64,
            total_cents: items.iter().map(|i| i.amount_cents).sum(),
            paid_on: None,
            created_by: caller.user_id.clone(),
            created_at: now(),
            closed_by: None,
            closed_at: None,
            version: 1,
        };
        repo::insert(conn, &batch, &items)?;
        let changes = serde_json::json!({"status": {"before": null, "after": "open"},
            "transaction_count": {"before": null, "after": batch.transaction_count},
            "total_cents": {"before": null, "after": batch.total_cents}});
        record(conn, caller, &batch, "payment_batch.created", changes)?;
        to_dto(conn, caller, batch)
    })
}

/// `T` and the tranche id without dashes: unique, 33 characters, and leads back to the tranche.
fn end_to_end_id(tranche_id: &str) -> String {
    format!("T{}", tranche_id.replace('-', ""))
}

pub fn get(conn: &mut DbConnection, caller: &Caller, id: &str) -> Result<PaymentBatchDto, ApiError> {
    let row = visible(conn, caller, id, false)?;
    to_dto(conn, caller, row)
}

pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    fund_id: &str,
    page: &PageRequest,
) -> Result<Page<PaymentBatchDto>, ApiError> {
    let fund = fund_of_municipality(conn, caller, fund_id)?;
    let rows = repo::list(conn, &fund.id, page.after_id.as_deref(), page.fetch_limit())?;
    let page = Page::from_rows(rows, page, |r| &r.id, |r| r);
    let items = page.items.into_iter().map(|r| to_dto(conn, caller, r)).collect::<Result<Vec<_>, _>>()?;
    Ok(Page { items, next_cursor: page.next_cursor })
}

/// The pain.001 file of an open or confirmed batch (a cancelled one must not be sent).
pub fn file(conn: &mut DbConnection, caller: &Caller, id: &str) -> Result<(String, String), ApiError> {
    let row = visible(conn, caller, id, false)?;
    if status(&row)? == PaymentBatchStatus::Cancelled {
        return Err(ApiError::invalid_transition(
            "A cancelled batch has no file to send to the bank.",
            allowed_actions(caller, &row)?.iter().map(|a| a.as_str().to_owned()).collect(),
        ));
    }
    let items = repo::items(conn, &row.id)?;
    Ok((row.message_id.clone(), pain001::document(&row, &items)))
}

/// Checks that the caller may take `action` on the batch now: 403 without Pay, 409 when the
/// batch's status does not allow it.
fn authorize_action(
    caller: &Caller,
    row: &BatchRow,
    action: PaymentBatchAction,
) -> Result<PaymentBatchStatus, ApiError> {
    caller.authorize(Action::Pay, Target::Municipality(&row.municipality_id))?;
    let allowed = allowed_actions(caller, row)?;
    status(row)?.next(action).ok_or_else(|| {
        ApiError::invalid_transition(
            format!("A {} payment batch cannot be given the action {}.", row.status, action.as_str()),
            allowed.iter().map(|a| a.as_str().to_owned()).collect(),
        )
    })
}

/// Cancels an open batch; its tranches can go into another batch.
pub fn cancel(conn: &mut DbConnection, caller: &Caller, id: &str) -> Result<PaymentBatchDto, ApiError> {
    write_transaction(conn, |conn| {
        let row = visible(conn, caller, id, true)?;
        let next = authorize_action(caller, &row, PaymentBatchAction::Cancel)?;
        if !repo::close(conn, &row.id, next, None, &caller.user_id, now())? {
            return Err(ApiError::invalid_transition("The batch was closed by another request.", Vec::new()));
        }
        for item in repo::items(conn, &row.id)? {
            repo::settle_item(conn, &row.id, &item.tranche_id, ItemStatus::Released)?;
        }
        let changes = serde_json::json!({"status": {"before": row.status, "after": next.as_str()}});
        record(conn, caller, &row, "payment_batch.cancelled", changes)?;
        let row = visible(conn, caller, id, false)?;
        to_dto(conn, caller, row)
    })
}

/// Marks every tranche of an open batch paid on `paid_on`, in one transaction, through the
/// same path as a single payment (ledger, audit, notice). A tranche paid on its own or
/// cancelled since the batch was made is skipped: never paid twice. Confirming a confirmed
/// batch again with the same `paid_on` changes nothing and returns it.
pub fn confirm(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    input: ConfirmPaymentBatch,
) -> Result<PaymentBatchDto, ApiError> {
    write_transaction(conn, |conn| {
        let row = visible(conn, caller, id, true)?;
        caller.authorize(Action::Pay, Target::Municipality(&row.municipality_id))?;
        // The fund before its grants, the order single payments take.
        funds_repo::lock(conn, &row.fund_id)?;
        if status(&row)? == PaymentBatchStatus::Confirmed && row.paid_on == Some(input.paid_on) {
            return to_dto(conn, caller, row);
        }
        let next = authorize_action(caller, &row, PaymentBatchAction::Confirm)?;
        let today = crate::municipalities::today(conn, &row.municipality_id)?;
        if input.paid_on > today {
            return Err(ApiError::invalid_field("paid_on", "must not be in the future"));
        }
        if !repo::close(conn, &row.id, next, Some(input.paid_on), &caller.user_id, now())? {
            return Err(ApiError::invalid_transition("The batch was closed by another request.", Vec::new()));
        }
        let actor = Actor::from(caller);
        let (mut paid, mut skipped) = (0_i64, 0_i64);
        for item in repo::items(conn, &row.id)? {
            let outcome = pay_item(conn, &actor, caller, &item, input.paid_on)?;
            let item_status = match outcome {
                Outcome::Paid => {
                    paid += 1;
                    ItemStatus::Paid
                }
                Outcome::NotScheduled => {
                    skipped += 1;
                    ItemStatus::Skipped
                }
            };
            repo::settle_item(conn, &row.id, &item.tranche_id, item_status)?;
        }
        let changes = serde_json::json!({"status": {"before": row.status, "after": next.as_str()},
            "paid_on": {"before": null, "after": input.paid_on},
            "paid_count": {"before": null, "after": paid}, "skipped_count": {"before": null, "after": skipped}});
        record(conn, caller, &row, "payment_batch.confirmed", changes)?;
        let row = visible(conn, caller, id, false)?;
        to_dto(conn, caller, row)
    })
}

/// Pays one item's tranche, with its grant locked as a single payment locks it.
fn pay_item(
    conn: &mut DbConnection,
    actor: &Actor,
    caller: &Caller,
    item: &ItemRow,
    paid_on: NaiveDate,
) -> Result<Outcome, ApiError> {
    let mut grant =
        grants_repo::lock(conn, &item.grant_id)?.ok_or_else(|| ApiError::not_found("No such grant."))?;
    let tranche = grants_repo::find_tranche(conn, &item.tranche_id)?
        .ok_or_else(|| ApiError::not_found("No such tranche."))?;
    let payment = Payment { paid_on, reference: Some(&item.end_to_end_id), paid_by: &caller.user_id };
    pay_tranche(conn, actor, &mut grant, &tranche, &payment)
}
