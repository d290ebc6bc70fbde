//! Rules for spending reports: written by the network's coordinator or treasurer while the
//! grant runs, accepted by an officer when it holds what the fund's tier asks for.

use strum::IntoEnumIterator;

use crate::audit::Actor;
use crate::auth::policy::ActionCheck;
use crate::auth::{Action, Caller, Target};
use crate::db::{stored, write_transaction, DbConnection};
use crate::domain::time::{now, utc};
use crate::domain::workflow::{GrantStatus, ReportAction, ReportStatus};
use crate::domain::BoundedText;
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::funds::dto::ReportRequirement;
use crate::funds::repo::FundRow;
use crate::funds::service as funds;
use crate::grants::notices::{notify, Audience};
use crate::grants::record as grants;
use crate::grants::repo::GrantRow;
use crate::outbox::wording::NoticeEvent;
use crate::webhooks::{self, EventType};

use super::dto::{CreateReport, ReportDto, ReportKind, UpdateReport};
use super::expenses::{check_content, expenses_of};
use super::receipts::receipt_dto;
use super::repo::{self, ReceiptRow, ReportRow};

/// The report's status; an unknown stored status is an error.
fn status(row: &ReportRow) -> Result<ReportStatus, ApiError> {
    stored::parse("spending_reports.status", &row.status)
}

fn grant_takes_reports(grant: &GrantRow) -> Result<bool, ApiError> {
    Ok(matches!(grants::status(grant)?, GrantStatus::Approved | GrantStatus::Active | GrantStatus::Reporting))
}

fn permitted(caller: &Caller, grant: &GrantRow, action: ReportAction) -> bool {
    let scope = grants::scope(grant);
    match action {
        ReportAction::Edit | ReportAction::Submit => caller.may(Action::Update, Target::Grant(&scope)),
        ReportAction::RequestChanges | ReportAction::Accept => {
            caller.may(Action::ManageLifecycle, Target::Grant(&scope))
        }
    }
}

fn possible(report: &ReportRow, grant: &GrantRow, action: ReportAction) -> Result<bool, ApiError> {
    Ok(status(report)?.next(action).is_some() && grant_takes_reports(grant)?)
}

fn allowed(caller: &Caller, report: &ReportRow, grant: &GrantRow) -> Result<Vec<ReportAction>, ApiError> {
    let mut allowed = Vec::new();
    for action in ReportAction::iter() {
        if permitted(caller, grant, action) && possible(report, grant, action)? {
            allowed.push(action);
        }
    }
    Ok(allowed)
}

pub(super) fn authorize_action(
    caller: &Caller,
    report: &ReportRow,
    grant: &GrantRow,
    action: ReportAction,
) -> Result<(), ApiError> {
    ActionCheck {
        record: "report",
        status: status(report)?.as_str(),
        action: action.as_str(),
        visible: true,
        permitted: permitted(caller, grant, action),
        possible: possible(report, grant, action)?,
        allowed: allowed(caller, report, grant)?.iter().map(|a| a.as_str().to_owned()).collect(),
    }
    .verdict()
}

fn to_dto(
    caller: &Caller,
    row: ReportRow,
    grant: &GrantRow,
    receipts: Vec<ReceiptRow>,
) -> Result<ReportDto, ApiError> {
    let expenses = expenses_of(&row);
    Ok(ReportDto {
        allowed_actions: allowed(caller, &row, grant)?,
        status: status(&row)?,
        kind: kind(&row)?,
        expenses_total_cents: expenses.iter().map(|e| e.amount_cents).sum(),
        expenses,
        receipts: receipts.into_iter().map(receipt_dto).collect(),
        id: row.id,
        grant_id: row.grant_id,
        status_reason: row.status_reason,
        narrative: row.narrative,
        people_reached: row.people_reached,
        submitted_at: row.submitted_at.map(utc),
        accepted_at: row.accepted_at.map(utc),
        version: row.version,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    })
}

fn dto(
    conn: &mut DbConnection,
    caller: &Caller,
    row: ReportRow,
    grant: &GrantRow,
) -> Result<ReportDto, ApiError> {
    let receipts = repo::receipts_of(conn, std::slice::from_ref(&row.id))?;
    to_dto(caller, row, grant, receipts)
}

/// A report the caller may see (like its grant); 404 otherwise.
pub(super) fn load(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    lock: bool,
) -> Result<(ReportRow, GrantRow, FundRow), ApiError> {
    let report = if lock { repo::lock(conn, id)? } else { repo::find(conn, id)? };
    let report = report.ok_or_else(|| ApiError::not_found("No such report."))?;
    let (grant, fund) = grants::visible(conn, caller, &report.grant_id, false).map_err(|e| match e.code {
        ErrorCode::NotFound => ApiError::not_found("No such report."),
        _ => e,
    })?;
    caller.authorize(Action::ReadReports, Target::Grant(&grants::scope(&grant)))?;
    Ok((report, grant, fund))
}

pub(super) fn record(
    conn: &mut DbConnection,
    caller: &Caller,
    grant: &GrantRow,
    action: &str,
    changes: serde_json::Value,
) -> Result<(), ApiError> {
    grants::record(conn, &Actor::from(caller), grant, action, changes)
}

pub fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    grant_id: &str,
    input: CreateReport,
) -> Result<ReportDto, ApiError> {
    let expenses = check_content(&input.narrative, input.people_reached, &input.expenses)?;
    write_transaction(conn, |conn| {
        let (grant, _) = grants::visible(conn, caller, grant_id, true)?;
        if !caller.may(Action::Update, Target::Grant(&grants::scope(&grant))) {
            return Err(ApiError::forbidden(
                "Only the network's coordinator or treasurer reports on its grant.",
            ));
        }
        if !grant_takes_reports(&grant)? {
            return Err(ApiError::invalid_transition(
                format!("A {} grant takes no reports.", grant.status),
                Vec::new(),
            ));
        }
        let at = now();
        let row = ReportRow {
            id: uuid::Uuid::now_v7().to_string(),
            grant_id: grant.id.clone(),
            municipality_id: grant.municipality_id.clone(),
            kind: input.kind.as_str().to_owned(),
            status: ReportStatus::Draft.as_str().to_owned(),
            status_reason: None,
            narrative: input.narrative.trim().to_owned(),
            people_reached: input.people_reached,
            expenses: serde_json::to_string(&expenses).unwrap_or_default(),
            submitted_by: None,
            submitted_at: None,
            accepted_by: None,
            accepted_at: None,
            version: 1,
            created_by: Some(caller.user_id.clone()),
            created_at: at,
            updated_at: at,
        };
        repo::insert(conn, &row)?;
        record(
            conn,
            caller,
            &grant,
            "report.created",
            serde_json::json!({"report": {"before": null, "after": {"id": row.id, "kind": row.kind}}}),
        )?;
        to_dto(caller, row, &grant, Vec::new())
    })
}

pub fn list(conn: &mut DbConnection, caller: &Caller, grant_id: &str) -> Result<Vec<ReportDto>, ApiError> {
    let (grant, _) = grants::visible(conn, caller, grant_id, false)?;
    caller.authorize(Action::ReadReports, Target::Grant(&grants::scope(&grant)))?;
    let rows = repo::of_grant(conn, grant_id)?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let receipts = repo::receipts_of(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            let own = receipts.iter().filter(|r| r.report_id == row.id).cloned().collect();
            to_dto(caller, row, &grant, own)
        })
        .collect()
}

pub fn get(conn: &mut DbConnection, caller: &Caller, id: &str) -> Result<ReportDto, ApiError> {
    let (report, grant, _) = load(conn, caller, id, false)?;
    dto(conn, caller, report, &grant)
}

pub fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    change: UpdateReport,
) -> Result<ReportDto, ApiError> {
    write_transaction(conn, |conn| {
        let (mut report, grant, _) = load(conn, caller, id, true)?;
        authorize_action(caller, &report, &grant, ReportAction::Edit)?;
        let narrative = change.narrative.unwrap_or_else(|| report.narrative.clone());
        let people_reached = change.people_reached.or(report.people_reached);
        let expenses = check_content(
            &narrative,
            people_reached,
            &change.expenses.unwrap_or_else(|| expenses_of(&report)),
        )?;
        report.narrative = narrative.trim().to_owned();
        report.people_reached = people_reached;
        report.expenses = serde_json::to_string(&expenses).unwrap_or_default();
        report.updated_at = now();
        repo::save(conn, &report)?;
        record(
            conn,
            caller,
            &grant,
            "report.updated",
            serde_json::json!({"report": {"before": null, "after": {"id": report.id}}}),
        )?;
        dto(conn, caller, report, &grant)
    })
}

/// What the fund's tier asks of a report before it can be accepted.
fn check_complete(
    report: &ReportRow,
    requirement: ReportRequirement,
    receipts: &[ReceiptRow],
) -> Result<(), ApiError> {
    let expenses = expenses_of(report);
    let mut errors = Vec::new();
    match requirement {
        ReportRequirement::Confirmation => {}
        ReportRequirement::ActivityReport => {
            if report.narrative.trim().is_empty() {
                errors.push(FieldError::new("narrative", "this grant needs an account of what was done"));
            }
        }
        ReportRequirement::FinancialReport => {
            if report.narrative.trim().is_empty() {
                errors.push(FieldError::new("narrative", "this grant needs an account of what was done"));
            }
            if expenses.is_empty() {
                errors.push(FieldError::new("expenses", "this grant needs its expenses with receipts"));
            }
            for (i, expense) in expenses.iter().enumerate() {
                let covered =
                    expense.receipt_id.as_ref().is_some_and(|id| receipts.iter().any(|r| &r.id == id));
                if !covered {
                    errors.push(FieldError::new(
                        format!("expenses[{i}].receipt_id"),
                        "needs a receipt uploaded to this report",
                    ));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

pub fn act(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    action: ReportAction,
    reason: Option<String>,
) -> Result<ReportDto, ApiError> {
    let reason = match (action, reason) {
        (_, Some(text)) => Some(
            BoundedText::<2000>::parse(&text).map_err(|m| ApiError::invalid_field("reason", m))?.into_inner(),
        ),
        (ReportAction::RequestChanges, None) => {
            return Err(ApiError::invalid_field("reason", "say what should change"))
        }
        (_, None) => None,
    };
    write_transaction(conn, |conn| {
        let (mut report, grant, fund) = load(conn, caller, id, true)?;
        authorize_action(caller, &report, &grant, action)?;
        let before = status(&report)?;
        let next = before.next(action).unwrap_or(before);
        match action {
            ReportAction::Submit => {
                report.submitted_by = Some(caller.user_id.clone());
                report.submitted_at = Some(now());
            }
            ReportAction::RequestChanges => report.status_reason = reason,
            ReportAction::Accept => {
                let amount = grant.approved_cents.unwrap_or(grant.requested_cents);
                let requirement = grants::requirement(&funds::tiers_of(&fund), amount);
                let receipts = repo::receipts_of(conn, std::slice::from_ref(&report.id))?;
                check_complete(&report, requirement, &receipts)?;
                report.accepted_by = Some(caller.user_id.clone());
                report.accepted_at = Some(now());
            }
            ReportAction::Edit => {}
        }
        report.status = next.as_str().to_owned();
        report.updated_at = now();
        repo::save(conn, &report)?;
        let changes = serde_json::json!({"report": {"before": {"id": report.id, "status": before.as_str()}, "after": {"status": next.as_str()}}});
        let event = match action {
            ReportAction::Submit => "report.submitted",
            ReportAction::RequestChanges => "report.changes_requested",
            ReportAction::Accept => "report.accepted",
            ReportAction::Edit => "report.updated",
        };
        record(conn, caller, &grant, event, changes)?;
        let event_type = match action {
            ReportAction::Submit => Some(EventType::ReportSubmitted),
            ReportAction::Accept => Some(EventType::ReportAccepted),
            _ => None,
        };
        if let Some(event_type) = event_type {
            let published = webhooks::Event {
                event_type,
                municipality_id: &grant.municipality_id,
                path: format!("/api/v1/reports/{}", report.id),
                dedupe_key: None,
            };
            webhooks::emit(conn, published, |conn| dto(conn, &Caller::observer(), report.clone(), &grant))?;
        }
        match action {
            ReportAction::RequestChanges => notify(
                conn,
                &grant,
                report.version,
                Audience::Network,
                NoticeEvent::ReportChangesRequested {
                    title: &grant.title,
                    reason: report.status_reason.as_deref().unwrap_or_default(),
                },
            )?,
            ReportAction::Accept => notify(
                conn,
                &grant,
                report.version,
                Audience::Network,
                NoticeEvent::ReportAccepted { title: &grant.title },
            )?,
            _ => {}
        }
        dto(conn, caller, report, &grant)
    })
}

fn kind(row: &ReportRow) -> Result<ReportKind, ApiError> {
    stored::parse("spending_reports.kind", &row.kind)
}

/// Whether the grant has an accepted final report: what settling asks when the fund's tier
/// wants a report.
pub fn final_report_accepted(conn: &mut DbConnection, grant_id: &str) -> Result<bool, ApiError> {
    for report in repo::of_grant(conn, grant_id)? {
        if kind(&report)? == ReportKind::Final && status(&report)? == ReportStatus::Accepted {
            return Ok(true);
        }
    }
    Ok(false)
}
