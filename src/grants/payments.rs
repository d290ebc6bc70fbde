//! Paying a tranche: the one place a tranche becomes paid, alone (`POST /tranches/{id}/pay`) or
//! in a confirmed payment batch. Everything a payment changes happens here, in the caller's
//! transaction: the tranche, the grant's and fund's paid amounts, the ledger entry, the grant's
//! activation, the audit event and the treasurer's notice.

use chrono::NaiveDate;

use crate::audit::Actor;
use crate::auth::Caller;
use crate::db::DbConnection;
use crate::domain::time::now;
use crate::domain::workflow::{GrantAction, TrancheStatus};
use crate::error::ApiError;
use crate::funds::repo as funds_repo;
use crate::ledger::{self, EntryKind};
use crate::outbox::wording::NoticeEvent;
use crate::webhooks::{self, EventType};

use super::notices::{notify, Audience};
use super::record::{record, status};
use super::repo::{self, GrantRow, TrancheRow};
use super::tranches;

/// How a tranche was paid.
pub struct Payment<'a> {
    pub paid_on: NaiveDate,
    pub reference: Option<&'a str>,
    pub paid_by: &'a str,
}

/// Whether the payment was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Paid,
    /// The tranche had already left `scheduled` (paid or cancelled by another request);
    /// nothing changed.
    NotScheduled,
}

/// Marks `tranche` of `grant` paid, once. `grant` must be locked by the caller
/// ([`repo::lock`]) and is updated in place when the first payment makes it active.
pub fn pay_tranche(
    conn: &mut DbConnection,
    actor: &Actor,
    grant: &mut GrantRow,
    tranche: &TrancheRow,
    payment: &Payment<'_>,
) -> Result<Outcome, ApiError> {
    let paid_on = payment.paid_on;
    let closed = repo::close_tranche(
        conn,
        &tranche.id,
        TrancheStatus::Paid,
        Some(paid_on),
        payment.reference,
        Some(payment.paid_by),
        now(),
    )?;
    if !closed {
        return Ok(Outcome::NotScheduled);
    }
    repo::mark_paid(conn, &grant.id, tranche.amount_cents)?;
    funds_repo::add_paid(conn, &grant.fund_id, tranche.amount_cents)?;
    ledger::record(
        conn,
        actor,
        ledger::Entry {
            municipality_id: &grant.municipality_id,
            fund_id: &grant.fund_id,
            grant_id: &grant.id,
            tranche_id: Some(&tranche.id),
            kind: EntryKind::Payment,
            amount_cents: tranche.amount_cents,
        },
    )?;
    let mut changes = serde_json::json!({"paid": {"before": null, "after": {"tranche_id": tranche.id, "amount_cents": tranche.amount_cents, "paid_on": paid_on}}});
    if let Some(active) = status(grant)?.next(GrantAction::Activate, true) {
        changes["status"] = serde_json::json!({"before": grant.status, "after": active.as_str()});
        grant.status = active.as_str().to_owned();
        grant.updated_at = now();
        repo::save(conn, grant)?;
    }
    record(conn, actor, grant, "grant.tranche_paid", changes)?;
    publish_paid(conn, grant, &tranche.id)?;
    notify(
        conn,
        grant,
        grant.version,
        Audience::Treasurer,
        NoticeEvent::TranchePaid { title: &grant.title, amount_cents: tranche.amount_cents, paid_on },
    )?;
    Ok(Outcome::Paid)
}

/// Tells subscribed systems that a tranche of the grant was paid.
fn publish_paid(conn: &mut DbConnection, grant: &GrantRow, tranche_id: &str) -> Result<(), ApiError> {
    let event = webhooks::Event {
        event_type: EventType::TranchePaid,
        municipality_id: &grant.municipality_id,
        path: format!("/api/v1/tranches/{tranche_id}"),
        dedupe_key: None,
    };
    webhooks::emit(conn, event, |conn| {
        let tranche =
            repo::find_tranche(conn, tranche_id)?.ok_or_else(|| ApiError::not_found("No such tranche."))?;
        tranches::to_dto(&Caller::observer(), grant, tranche)
    })?;
    Ok(())
}
