//! Rules for grants: applications by a network's coordinator or treasurer, review and decision
//! by officers with four eyes above the fund's threshold, the budget committed on approval, and
//! tranches that never pay more than was awarded. Every change of money is a ledger entry in
//! the same transaction; every change an audit event.

use chrono::{Duration, NaiveDate};

use crate::agreements::loaded as agreements;
use crate::audit::{self, Actor, Event};
use crate::auth::policy::{ActionCheck, GrantScope};
use crate::auth::{Action, Caller, Target};
use crate::db::page::{Page, PageRequest};
use crate::db::{write_transaction, DbConnection};
use crate::domain::money::positive_cents;
use crate::domain::time::{now, utc};
use crate::domain::workflow::{GrantAction, GrantStatus, TrancheStatus};
use crate::domain::{BoundedText, Iban, Party, PartyType};
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::funds::dto::{ReportRequirement, ReportingTier};
use crate::funds::repo::{self as funds_repo, FundRow};
use crate::funds::service as funds;
use crate::ledger::{self, EntryKind};
use crate::networks::repo as networks_repo;
use crate::webhooks::{self, EventType};

use super::dto::{
    ApproveRequest, BudgetLine, CreateGrant, GrantActionRequest, GrantDto, GrantQuery, Payee,
    PendingApproval, TranchePlan, UpdateGrant,
};
use super::repo::{self, GrantFilter, GrantRow, TrancheRow};

const MAX_BUDGET_LINES: usize = 50;
const MAX_PURPOSE: usize = 10_000;

pub fn scope(row: &GrantRow) -> GrantScope {
    GrantScope { municipality_id: row.municipality_id.clone(), network_id: row.network_id.clone() }
}

pub fn status(row: &GrantRow) -> GrantStatus {
    row.status.parse().unwrap_or(GrantStatus::Cancelled)
}

/// A grant the caller may see (its municipality's people, the network's members); 404 otherwise.
pub fn visible(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    lock: bool,
) -> Result<(GrantRow, FundRow), ApiError> {
    let row = repo::find(conn, id)?
        .filter(|r| caller.can_see(Target::Grant(&scope(r))))
        .ok_or_else(|| ApiError::not_found("No such grant."))?;
    let (row, fund) = if lock {
        lock_with_fund(conn, &row.fund_id, id)?
    } else {
        let fund = funds_repo::find(conn, &row.fund_id)?;
        (row, fund.ok_or_else(|| ApiError::not_found("No such fund."))?)
    };
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

fn possible(row: &GrantRow, action: GrantAction) -> bool {
    status(row).next(action, true).is_some()
}

fn allowed_actions(caller: &Caller, row: &GrantRow) -> Vec<GrantAction> {
    GrantAction::BY_PEOPLE.into_iter().filter(|a| permitted(caller, row, *a) && possible(row, *a)).collect()
}

pub fn check(caller: &Caller, row: &GrantRow, action: GrantAction) -> Result<(), ApiError> {
    ActionCheck {
        record: "grant",
        status: status(row).as_str(),
        action: action.as_str(),
        visible: caller.can_see(Target::Grant(&scope(row))),
        permitted: permitted(caller, row, action),
        possible: possible(row, action),
        allowed: allowed_actions(caller, row).iter().map(|a| a.as_str().to_owned()).collect(),
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

pub fn to_dto(caller: &Caller, row: &GrantRow, fund: &FundRow) -> GrantDto {
    let amount = row.approved_cents.unwrap_or(row.requested_cents);
    GrantDto {
        id: row.id.clone(),
        municipality_id: row.municipality_id.clone(),
        fund_id: row.fund_id.clone(),
        network_id: row.network_id.clone(),
        agreement_id: row.agreement_id.clone(),
        status: status(row),
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
        allowed_actions: allowed_actions(caller, row),
        version: row.version,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    }
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
        Ok(to_dto(&Caller::observer(), row, &fund))
    })?;
    Ok(())
}

/// Tells subscribed systems that a tranche of the grant was paid.
pub fn publish_paid(conn: &mut DbConnection, grant: &GrantRow, tranche_id: &str) -> Result<(), ApiError> {
    let event = webhooks::Event {
        event_type: EventType::TranchePaid,
        municipality_id: &grant.municipality_id,
        path: format!("/api/v1/tranches/{tranche_id}"),
        dedupe_key: None,
    };
    webhooks::emit(conn, event, |conn| {
        let tranche =
            repo::find_tranche(conn, tranche_id)?.ok_or_else(|| ApiError::not_found("No such tranche."))?;
        Ok(tranches::to_dto(&Caller::observer(), grant, tranche))
    })?;
    Ok(())
}

/// Who hears of a change to a grant.
pub enum Audience {
    /// The municipality's admins and officers.
    Officers,
    /// The network's coordinators and treasurers.
    Network,
    /// The network's treasurers.
    Treasurer,
}

/// Queues a notice about the grant, in the transaction of the change.
pub fn notify(
    conn: &mut DbConnection,
    row: &GrantRow,
    event: &'static str,
    version: i64,
    audience: Audience,
    nl: (String, String),
    en: (String, String),
) -> Result<(), ApiError> {
    use crate::outbox::recipients::{municipality_people, network_people};
    let recipients = match audience {
        Audience::Officers => {
            municipality_people(conn, &row.municipality_id, &["municipal_admin", "officer"])?
        }
        Audience::Network => network_people(conn, &row.network_id, &["coordinator", "treasurer"])?,
        Audience::Treasurer => network_people(conn, &row.network_id, &["treasurer"])?,
    };
    let notice = crate::outbox::notices::Notice {
        event: crate::outbox::wording::NoticeEvent::Grant { name: event, nl, en },
        record_id: &row.id,
        version,
        municipality_id: Some(&row.municipality_id),
        path: format!("/api/v1/grants/{}", row.id),
    };
    crate::outbox::notices::send(conn, &notice, &recipients)
}

/// The application's own fields, checked against the fund.
struct Application {
    title: String,
    purpose: String,
    requested_cents: i64,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    budget_lines: Vec<BudgetLine>,
    payee: Payee,
}

impl Application {
    fn check(self, fund: &FundRow) -> Result<Self, ApiError> {
        let mut errors = Vec::new();
        let title =
            BoundedText::<200>::parse(&self.title).map_err(|m| errors.push(FieldError::new("title", m))).ok();
        if self.purpose.chars().count() > MAX_PURPOSE {
            errors.push(FieldError::new("purpose", format!("must be at most {MAX_PURPOSE} characters")));
        }
        match positive_cents(self.requested_cents) {
            Err(m) => errors.push(FieldError::new("requested_cents", m)),
            Ok(cents) if cents > fund.max_grant_cents => errors.push(FieldError::new(
                "requested_cents",
                format!("is more than this fund's maximum of {} cents", fund.max_grant_cents),
            )),
            Ok(_) => {}
        }
        if self.ends_on < self.starts_on {
            errors.push(FieldError::new("ends_on", "must not be before starts_on"));
        }
        if self.budget_lines.len() > MAX_BUDGET_LINES {
            errors.push(FieldError::new("budget_lines", format!("at most {MAX_BUDGET_LINES} lines")));
        }
        let mut lines = Vec::new();
        for (i, line) in self.budget_lines.iter().enumerate() {
            let description = BoundedText::<500>::parse(&line.description)
                .map_err(|m| errors.push(FieldError::new(format!("budget_lines[{i}].description"), m)))
                .ok();
            if let Err(m) = positive_cents(line.amount_cents) {
                errors.push(FieldError::new(format!("budget_lines[{i}].amount_cents"), m));
            }
            if let Some(description) = description {
                lines.push(BudgetLine {
                    description: description.into_inner(),
                    amount_cents: line.amount_cents,
                });
            }
        }
        let iban =
            Iban::parse(&self.payee.iban).map_err(|m| errors.push(FieldError::new("payee.iban", m))).ok();
        let holder = BoundedText::<200>::parse(&self.payee.name)
            .map_err(|m| errors.push(FieldError::new("payee.name", m)))
            .ok();
        match (title, iban, holder, errors.is_empty()) {
            (Some(title), Some(iban), Some(holder), true) => Ok(Self {
                title: title.into_inner(),
                purpose: self.purpose.trim().to_owned(),
                budget_lines: lines,
                payee: Payee { iban: iban.as_str().to_owned(), name: holder.into_inner() },
                ..self
            }),
            _ => Err(ApiError::validation(errors)),
        }
    }
}

pub fn create(conn: &mut DbConnection, caller: &Caller, input: CreateGrant) -> Result<GrantDto, ApiError> {
    let fund_id = input.fund_id.to_string();
    let network_id = input.network_id.to_string();
    write_transaction(conn, |conn| {
        let fund = funds::visible(conn, caller, &fund_id)?;
        let scope =
            GrantScope { municipality_id: fund.municipality_id.clone(), network_id: network_id.clone() };
        if !caller.may(Action::Update, Target::Grant(&scope)) {
            return Err(ApiError::forbidden("Only the network's coordinator or treasurer applies for it."));
        }
        if networks_repo::link_status(conn, &fund.municipality_id, &network_id)?.as_deref() != Some("active")
        {
            return Err(ApiError::invalid_field(
                "network_id",
                "the network does not work with this fund's municipality",
            ));
        }
        let agreement_id = input.agreement_id.map(|a| a.to_string());
        if let Some(agreement_id) = &agreement_id {
            let agreement = agreements::load(conn, agreement_id, false).ok();
            let party = Party::new(PartyType::Network, &network_id);
            if !agreement.is_some_and(|a| {
                a.row.municipality_id == fund.municipality_id && a.parties().contains(&party)
            }) {
                return Err(ApiError::invalid_field(
                    "agreement_id",
                    "no agreement of this municipality with this network",
                ));
            }
        }
        let application = Application {
            title: input.title.clone(),
            purpose: input.purpose.clone(),
            requested_cents: input.requested_cents,
            starts_on: input.starts_on,
            ends_on: input.ends_on,
            budget_lines: input.budget_lines.clone(),
            payee: input.payee.clone(),
        }
        .check(&fund)?;
        let created = now();
        let row = GrantRow {
            id: uuid::Uuid::now_v7().to_string(),
            municipality_id: fund.municipality_id.clone(),
            fund_id: fund.id.clone(),
            network_id: network_id.clone(),
            agreement_id,
            status: GrantStatus::Draft.as_str().to_owned(),
            status_reason: None,
            title: application.title,
            purpose: application.purpose,
            requested_cents: application.requested_cents,
            approved_cents: None,
            scheduled_cents: 0,
            paid_cents: 0,
            starts_on: application.starts_on,
            ends_on: application.ends_on,
            budget_lines: serde_json::to_string(&application.budget_lines).unwrap_or_default(),
            payee_iban: application.payee.iban,
            payee_name: application.payee.name,
            info_question: None,
            submitted_by: None,
            submitted_at: None,
            decision_due_on: None,
            first_approval_by: None,
            first_approval_cents: None,
            approved_by: None,
            approved_at: None,
            version: 1,
            created_by: Some(caller.user_id.clone()),
            created_at: created,
            updated_at: created,
            report_due_on: None,
            four_eyes_threshold_cents: None,
        };
        repo::insert(conn, &row)?;
        let dto = to_dto(caller, &row, &fund);
        record(
            conn,
            &Actor::from(caller),
            &row,
            "grant.created",
            audit::changes(None, &serde_json::to_value(&dto).unwrap_or_default()),
        )?;
        Ok(dto)
    })
}

pub fn get(conn: &mut DbConnection, caller: &Caller, id: &str) -> Result<GrantDto, ApiError> {
    let (row, fund) = visible(conn, caller, id, false)?;
    Ok(to_dto(caller, &row, &fund))
}

pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    query: GrantQuery,
    page: &PageRequest,
) -> Result<Page<GrantDto>, ApiError> {
    caller.authorize_listing(&crate::auth::policy::GRANT_READERS)?;
    let filter = GrantFilter {
        visible_to: (!caller.is_platform_admin).then(|| caller.user_id.clone()),
        fund_id: query.fund_id.map(|f| f.to_string()),
        network_id: query.network_id.map(|n| n.to_string()),
        status: query.status.map(|s| s.as_str().to_owned()),
        decision_due_before: query.decision_due_before,
        report_due_before: query.report_due_before,
        after_id: page.after_id.clone(),
        limit: page.fetch_limit(),
    };
    let rows = repo::list(conn, &filter)?;
    let page = Page::from_rows(rows, page, |r| &r.id, |r| r);
    let mut items = Vec::with_capacity(page.items.len());
    let mut funds_seen: Vec<FundRow> = Vec::new();
    for row in page.items {
        if !funds_seen.iter().any(|f| f.id == row.fund_id) {
            funds_seen.push(
                funds_repo::find(conn, &row.fund_id)?.ok_or_else(|| ApiError::not_found("No such fund."))?,
            );
        }
        let fund = funds_seen
            .iter()
            .find(|f| f.id == row.fund_id)
            .ok_or_else(|| ApiError::not_found("No such fund."))?;
        items.push(to_dto(caller, &row, fund));
    }
    Ok(Page { items, next_cursor: page.next_cursor })
}

pub fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    expected_version: Option<i64>,
    change: UpdateGrant,
) -> Result<GrantDto, ApiError> {
    write_transaction(conn, |conn| {
        let (mut row, fund) = visible(conn, caller, id, true)?;
        check(caller, &row, GrantAction::Edit)?;
        crate::db::version::check(expected_version, row.version - 1)?;
        let before = serde_json::to_value(to_dto(caller, &row, &fund)).unwrap_or_default();
        let application = Application {
            title: change.title.unwrap_or_else(|| row.title.clone()),
            purpose: change.purpose.unwrap_or_else(|| row.purpose.clone()),
            requested_cents: change.requested_cents.unwrap_or(row.requested_cents),
            starts_on: change.starts_on.unwrap_or(row.starts_on),
            ends_on: change.ends_on.unwrap_or(row.ends_on),
            budget_lines: change
                .budget_lines
                .unwrap_or_else(|| serde_json::from_str(&row.budget_lines).unwrap_or_default()),
            payee: change
                .payee
                .unwrap_or_else(|| Payee { iban: row.payee_iban.clone(), name: row.payee_name.clone() }),
        }
        .check(&fund)?;
        row.title = application.title;
        row.purpose = application.purpose;
        row.requested_cents = application.requested_cents;
        row.starts_on = application.starts_on;
        row.ends_on = application.ends_on;
        row.budget_lines = serde_json::to_string(&application.budget_lines).unwrap_or_default();
        row.payee_iban = application.payee.iban;
        row.payee_name = application.payee.name;
        row.updated_at = now();
        clear_first_approval(conn, &Actor::from(caller), &mut row, "updated")?;
        repo::save(conn, &row)?;
        let dto = to_dto(caller, &row, &fund);
        record(
            conn,
            &Actor::from(caller),
            &row,
            "grant.updated",
            audit::changes(Some(&before), &serde_json::to_value(&dto).unwrap_or_default()),
        )?;
        Ok(dto)
    })
}

fn text(field: &str, value: Option<String>, required: bool) -> Result<Option<String>, ApiError> {
    match value {
        Some(v) => BoundedText::<2000>::parse(&v)
            .map(|t| Some(t.into_inner()))
            .map_err(|m| ApiError::invalid_field(field, m)),
        None if required => Err(ApiError::invalid_field(field, "is required for this action")),
        None => Ok(None),
    }
}

/// Submit, start review, request information, reject, withdraw or cancel.
pub fn act(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    action: GrantAction,
    request: GrantActionRequest,
) -> Result<GrantDto, ApiError> {
    write_transaction(conn, |conn| {
        let (mut row, fund) = visible(conn, caller, id, true)?;
        check(caller, &row, action)?;
        let actor = Actor::from(caller);
        let before = status(&row);
        let next = before.next(action, true).unwrap_or(before);
        let mut changes = serde_json::json!({"status": {"before": before.as_str(), "after": next.as_str()}});
        let today = crate::municipalities::today(conn, &row.municipality_id)?;
        match action {
            GrantAction::Submit => {
                if fund.opens_on > today || fund.closes_on.is_some_and(|closes| closes < today) {
                    return Err(ApiError::conflict("This fund does not take applications now."));
                }
                if let Some(answer) = text("answer", request.answer, false)? {
                    changes["answer"] = serde_json::json!({"before": null, "after": answer});
                    row.status_reason = Some(answer);
                }
                row.info_question = None;
                if row.submitted_at.is_none() {
                    row.submitted_by = Some(caller.user_id.clone());
                    row.submitted_at = Some(now());
                    // The threshold in force now is the one that applies to this application.
                    row.four_eyes_threshold_cents = Some(fund.four_eyes_threshold_cents);
                    row.decision_due_on = Some(today + Duration::weeks(i64::from(fund.decision_weeks)));
                }
            }
            GrantAction::RequestInfo => {
                let question = text("question", request.question, true)?;
                changes["question"] = serde_json::json!({"before": null, "after": question});
                row.info_question = question;
            }
            GrantAction::Reject | GrantAction::Cancel => {
                row.status_reason = text("reason", request.reason, true)?;
                changes["reason"] = serde_json::json!({"before": null, "after": row.status_reason});
            }
            _ => {}
        }
        if action == GrantAction::Cancel {
            let scheduled = scheduled_tranches(conn, &row)?;
            crate::payment_batches::service::refuse_if_in_open_batch(conn, &scheduled)?;
            release_unpaid(conn, &actor, &row)?;
        }
        clear_first_approval(conn, &actor, &mut row, event_name(action))?;
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
        match action {
            GrantAction::Submit => notify(
                conn,
                &row,
                "grant.submitted",
                row.version,
                Audience::Officers,
                (
                    format!("Nieuwe aanvraag: {}", row.title),
                    format!(
                        "Er is een aanvraag ingediend: {}. Het besluit moet er uiterlijk {} zijn.",
                        row.title,
                        row.decision_due_on.map(|d| d.to_string()).unwrap_or_default()
                    ),
                ),
                (
                    format!("New application: {}", row.title),
                    format!(
                        "An application was submitted: {}. The decision is due by {}.",
                        row.title,
                        row.decision_due_on.map(|d| d.to_string()).unwrap_or_default()
                    ),
                ),
            )?,
            GrantAction::RequestInfo => notify(
                conn,
                &row,
                "grant.info_requested",
                row.version,
                Audience::Network,
                (
                    format!("Een vraag over uw aanvraag {}", row.title),
                    format!("De gemeente vraagt: {}", row.info_question.clone().unwrap_or_default()),
                ),
                (
                    format!("A question about your application {}", row.title),
                    format!("The municipality asks: {}", row.info_question.clone().unwrap_or_default()),
                ),
            )?,
            GrantAction::Reject => notify(
                conn,
                &row,
                "grant.rejected",
                row.version,
                Audience::Network,
                (
                    format!("Uw aanvraag {} is afgewezen", row.title),
                    format!("De reden: {}", row.status_reason.clone().unwrap_or_default()),
                ),
                (
                    format!("Your application {} was rejected", row.title),
                    format!("The reason: {}", row.status_reason.clone().unwrap_or_default()),
                ),
            )?,
            _ => {}
        }
        let row = repo::find(conn, id)?.ok_or_else(|| ApiError::not_found("No such grant."))?;
        Ok(to_dto(caller, &row, &fund))
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

/// Clears a first approval still waiting for its second: what the first approver saw is not
/// what would now be approved, or the application left review. Audited with the reason (the
/// change that cleared it); the caller saves the row.
fn clear_first_approval(
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

/// The ids of the grant's tranches still to be paid.
pub fn scheduled_tranches(conn: &mut DbConnection, row: &GrantRow) -> Result<Vec<String>, ApiError> {
    Ok(repo::tranches_of(conn, &row.id)?
        .into_iter()
        .filter(|t| t.status == TrancheStatus::Scheduled.as_str())
        .map(|t| t.id)
        .collect())
}

/// On cancel: scheduled tranches are cancelled and what was not paid goes back to the fund.
fn release_unpaid(conn: &mut DbConnection, actor: &Actor, row: &GrantRow) -> Result<(), ApiError> {
    for tranche in repo::tranches_of(conn, &row.id)?.into_iter().filter(|t| t.status == "scheduled") {
        if repo::close_tranche(conn, &tranche.id, TrancheStatus::Cancelled.as_str(), None, None, None, now())?
        {
            repo::unschedule(conn, &row.id, tranche.amount_cents)?;
        }
    }
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
        check(caller, &row, GrantAction::Approve)?;
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
                return Ok(to_dto(caller, &row, &fund));
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
        let euros = crate::domain::money::euros(amount).replace('.', ",");
        notify(
            conn,
            &row,
            "grant.approved",
            row.version,
            Audience::Network,
            (
                format!("Uw aanvraag {} is toegekend", row.title),
                format!("Goed nieuws: er is {euros} euro toegekend."),
            ),
            (
                format!("Your application {} was approved", row.title),
                format!("Good news: {} euros were awarded.", crate::domain::money::euros(amount)),
            ),
        )?;
        let row = repo::find(conn, id)?.ok_or_else(|| ApiError::not_found("No such grant."))?;
        Ok(to_dto(caller, &row, &fund))
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

pub mod tranches {
    //! Tranches: scheduled within the award, paid once, or cancelled.

    use super::*;
    use crate::grants::dto::{CreateTranche, PayRequest, TrancheAction, TrancheDto};
    use crate::grants::payments::{pay_tranche, Outcome, Payment};
    use crate::payment_batches::service::refuse_if_in_open_batch;

    fn allowed(caller: &Caller, grant: &GrantRow, tranche: &TrancheRow) -> Vec<TrancheAction> {
        let scope = scope(grant);
        let mut actions = Vec::new();
        if tranche.status == "scheduled" {
            if caller.may(Action::Pay, Target::Grant(&scope)) {
                actions.push(TrancheAction::Pay);
            }
            if caller.may(Action::ManageLifecycle, Target::Grant(&scope)) {
                actions.push(TrancheAction::Cancel);
            }
        }
        actions
    }

    pub fn to_dto(caller: &Caller, grant: &GrantRow, tranche: TrancheRow) -> TrancheDto {
        TrancheDto {
            allowed_actions: allowed(caller, grant, &tranche),
            status: tranche.status.parse().unwrap_or(TrancheStatus::Cancelled),
            id: tranche.id,
            grant_id: tranche.grant_id,
            due_on: tranche.due_on,
            amount_cents: tranche.amount_cents,
            paid_on: tranche.paid_on,
            payment_reference: tranche.payment_reference,
            version: tranche.version,
        }
    }

    pub fn list(
        conn: &mut DbConnection,
        caller: &Caller,
        grant_id: &str,
    ) -> Result<Vec<TrancheDto>, ApiError> {
        let (grant, _) = visible(conn, caller, grant_id, false)?;
        let rows = repo::tranches_of(conn, grant_id)?;
        let ids: Vec<String> = rows.iter().map(|t| t.id.clone()).collect();
        let batched = crate::payment_batches::repo::in_open_batches(conn, &ids)?;
        Ok(rows
            .into_iter()
            .map(|t| {
                let in_batch = batched.contains(&t.id);
                let mut dto = to_dto(caller, &grant, t);
                // Paid or freed through its batch, not on its own.
                if in_batch {
                    dto.allowed_actions.clear();
                }
                dto
            })
            .collect())
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
            if !matches!(status(&grant), GrantStatus::Approved | GrantStatus::Active) {
                return Err(ApiError::invalid_transition(
                    format!("A {} grant gets no tranches.", status(&grant).as_str()),
                    allowed_actions(caller, &grant).iter().map(|a| a.as_str().to_owned()).collect(),
                ));
            }
            let tranche = add_tranche_row(conn, &grant, input.due_on, input.amount_cents)?;
            let changes = serde_json::json!({"tranche": {"before": null, "after": {"id": tranche.id, "amount_cents": tranche.amount_cents, "due_on": tranche.due_on}}});
            record(conn, &Actor::from(caller), &grant, "grant.tranche_scheduled", changes)?;
            Ok(to_dto(caller, &grant, tranche))
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
            if pay_tranche(conn, &Actor::from(caller), &mut grant, &tranche, &payment)?
                == Outcome::NotScheduled
            {
                return Err(ApiError::invalid_transition(
                    format!("This tranche is {} already.", tranche.status),
                    Vec::new(),
                ));
            }
            let tranche = repo::find_tranche(conn, tranche_id)?
                .ok_or_else(|| ApiError::not_found("No such tranche."))?;
            Ok(to_dto(caller, &grant, tranche))
        })
    }

    pub fn cancel(
        conn: &mut DbConnection,
        caller: &Caller,
        tranche_id: &str,
    ) -> Result<TrancheDto, ApiError> {
        write_transaction(conn, |conn| {
            let (tranche, grant) = load(conn, caller, tranche_id)?;
            caller.authorize(Action::ManageLifecycle, Target::Grant(&scope(&grant)))?;
            refuse_if_in_open_batch(conn, std::slice::from_ref(&tranche.id))?;
            if !repo::close_tranche(
                conn,
                &tranche.id,
                TrancheStatus::Cancelled.as_str(),
                None,
                None,
                None,
                now(),
            )? {
                return Err(ApiError::invalid_transition(
                    format!("This tranche is {} already.", tranche.status),
                    Vec::new(),
                ));
            }
            repo::unschedule(conn, &grant.id, tranche.amount_cents)?;
            let changes = serde_json::json!({"tranche": {"before": {"id": tranche.id, "status": "scheduled"}, "after": {"status": "cancelled"}}});
            record(conn, &Actor::from(caller), &grant, "grant.tranche_cancelled", changes)?;
            let tranche = repo::find_tranche(conn, tranche_id)?
                .ok_or_else(|| ApiError::not_found("No such tranche."))?;
            Ok(to_dto(caller, &grant, tranche))
        })
    }
}
