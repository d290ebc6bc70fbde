//! Rules for spending reports: written by the network's coordinator or treasurer while the
//! grant runs, accepted by an officer when it holds what the fund's tier asks for.

use std::path::Path;

use strum::IntoEnumIterator;

use crate::audit::Actor;
use crate::auth::policy::ActionCheck;
use crate::auth::{Action, Caller, Target};
use crate::db::{write_transaction, DbConnection};
use crate::domain::money::positive_cents;
use crate::domain::time::{now, utc};
use crate::domain::workflow::{GrantStatus, ReportAction, ReportStatus};
use crate::domain::BoundedText;
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::funds::dto::ReportRequirement;
use crate::funds::repo::FundRow;
use crate::funds::service as funds;
use crate::grants::repo::GrantRow;
use crate::grants::service as grants;
use crate::outbox::wording::NoticeEvent;
use crate::webhooks::{self, EventType};

use super::dto::{CreateReport, Expense, ReceiptDto, ReportDto, ReportKind, UpdateReport};
use super::repo::{self, ReceiptRow, ReportRow};
use super::storage;

const MAX_EXPENSES: usize = 200;
const MAX_NARRATIVE: usize = 20_000;

fn status(row: &ReportRow) -> ReportStatus {
    row.status.parse().unwrap_or(ReportStatus::Accepted)
}

fn grant_takes_reports(grant: &GrantRow) -> bool {
    matches!(grants::status(grant), GrantStatus::Approved | GrantStatus::Active | GrantStatus::Reporting)
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

fn possible(report: &ReportRow, grant: &GrantRow, action: ReportAction) -> bool {
    status(report).next(action).is_some() && grant_takes_reports(grant)
}

fn allowed(caller: &Caller, report: &ReportRow, grant: &GrantRow) -> Vec<ReportAction> {
    ReportAction::iter().filter(|a| permitted(caller, grant, *a) && possible(report, grant, *a)).collect()
}

fn check(
    caller: &Caller,
    report: &ReportRow,
    grant: &GrantRow,
    action: ReportAction,
) -> Result<(), ApiError> {
    ActionCheck {
        record: "report",
        status: status(report).as_str(),
        action: action.as_str(),
        visible: true,
        permitted: permitted(caller, grant, action),
        possible: possible(report, grant, action),
        allowed: allowed(caller, report, grant).iter().map(|a| a.as_str().to_owned()).collect(),
    }
    .verdict()
}

fn expenses_of(row: &ReportRow) -> Vec<Expense> {
    serde_json::from_str(&row.expenses).unwrap_or_default()
}

fn receipt_dto(row: ReceiptRow) -> ReceiptDto {
    ReceiptDto {
        id: row.id,
        report_id: row.report_id,
        media_type: row.media_type,
        size_bytes: row.size_bytes,
        file_name: row.file_name,
        sha256: row.sha256,
        created_at: utc(row.created_at),
    }
}

fn to_dto(caller: &Caller, row: ReportRow, grant: &GrantRow, receipts: Vec<ReceiptRow>) -> ReportDto {
    let expenses = expenses_of(&row);
    ReportDto {
        allowed_actions: allowed(caller, &row, grant),
        status: status(&row),
        kind: row.kind.parse().unwrap_or(ReportKind::Interim),
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
    }
}

fn dto(
    conn: &mut DbConnection,
    caller: &Caller,
    row: ReportRow,
    grant: &GrantRow,
) -> Result<ReportDto, ApiError> {
    let receipts = repo::receipts_of(conn, std::slice::from_ref(&row.id))?;
    Ok(to_dto(caller, row, grant, receipts))
}

/// A report the caller may see (like its grant); 404 otherwise.
fn load(
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

fn check_content(
    narrative: &str,
    people_reached: Option<i32>,
    expenses: &[Expense],
) -> Result<Vec<Expense>, ApiError> {
    let mut errors = Vec::new();
    if narrative.chars().count() > MAX_NARRATIVE {
        errors.push(FieldError::new("narrative", format!("must be at most {MAX_NARRATIVE} characters")));
    }
    if people_reached.is_some_and(|n| n < 0) {
        errors.push(FieldError::new("people_reached", "must not be negative"));
    }
    if expenses.len() > MAX_EXPENSES {
        errors.push(FieldError::new("expenses", format!("at most {MAX_EXPENSES} lines")));
    }
    let mut checked = Vec::new();
    for (i, expense) in expenses.iter().enumerate() {
        let description = BoundedText::<500>::parse(&expense.description)
            .map_err(|m| errors.push(FieldError::new(format!("expenses[{i}].description"), m)))
            .ok();
        let category = BoundedText::<50>::parse(&expense.category)
            .map_err(|m| errors.push(FieldError::new(format!("expenses[{i}].category"), m)))
            .ok();
        if let Err(m) = positive_cents(expense.amount_cents) {
            errors.push(FieldError::new(format!("expenses[{i}].amount_cents"), m));
        }
        if let (Some(description), Some(category)) = (description, category) {
            checked.push(Expense {
                description: description.into_inner(),
                category: category.as_str().to_lowercase(),
                ..expense.clone()
            });
        }
    }
    if errors.is_empty() {
        Ok(checked)
    } else {
        Err(ApiError::validation(errors))
    }
}

fn record(
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
        if !grant_takes_reports(&grant) {
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
        Ok(to_dto(caller, row, &grant, Vec::new()))
    })
}

pub fn list(conn: &mut DbConnection, caller: &Caller, grant_id: &str) -> Result<Vec<ReportDto>, ApiError> {
    let (grant, _) = grants::visible(conn, caller, grant_id, false)?;
    caller.authorize(Action::ReadReports, Target::Grant(&grants::scope(&grant)))?;
    let rows = repo::of_grant(conn, grant_id)?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let receipts = repo::receipts_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let own = receipts.iter().filter(|r| r.report_id == row.id).cloned().collect();
            to_dto(caller, row, &grant, own)
        })
        .collect())
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
        check(caller, &report, &grant, ReportAction::Edit)?;
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
        check(caller, &report, &grant, action)?;
        let before = status(&report);
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
            ReportAction::RequestChanges => grants::notify(
                conn,
                &grant,
                report.version,
                grants::Audience::Network,
                NoticeEvent::ReportChangesRequested {
                    title: &grant.title,
                    reason: report.status_reason.as_deref().unwrap_or_default(),
                },
            )?,
            ReportAction::Accept => grants::notify(
                conn,
                &grant,
                report.version,
                grants::Audience::Network,
                NoticeEvent::ReportAccepted { title: &grant.title },
            )?,
            _ => {}
        }
        dto(conn, caller, report, &grant)
    })
}

/// Refuses an upload before its bytes are read: 404 for what the caller cannot see, 403 or
/// 409 when they may not add to this report now.
pub fn check_upload(conn: &mut DbConnection, caller: &Caller, report_id: &str) -> Result<(), ApiError> {
    let (report, grant, _) = load(conn, caller, report_id, false)?;
    check(caller, &report, &grant, ReportAction::Edit)
}

/// Adds a receipt to a report in draft. The file is stored before the transaction; a refused
/// upload leaves at most an unreferenced file, never a row without its file.
pub fn add_receipt(
    conn: &mut DbConnection,
    caller: &Caller,
    report_id: &str,
    file_name: &str,
    bytes: &[u8],
    data_dir: &Path,
) -> Result<ReceiptDto, ApiError> {
    let media_type = storage::sniff(bytes)
        .ok_or_else(|| ApiError::invalid_field("file", "must be a PDF, JPEG or PNG file"))?;
    let file_name = BoundedText::<200>::parse(file_name)
        .map(BoundedText::into_inner)
        .unwrap_or_else(|_| "receipt".to_owned());
    {
        let (report, grant, _) = load(conn, caller, report_id, false)?;
        check(caller, &report, &grant, ReportAction::Edit)?;
    }
    let sha256 = storage::store(data_dir, bytes).map_err(ApiError::internal)?;
    write_transaction(conn, |conn| {
        let (report, grant, _) = load(conn, caller, report_id, true)?;
        check(caller, &report, &grant, ReportAction::Edit)?;
        let row = ReceiptRow {
            id: uuid::Uuid::now_v7().to_string(),
            report_id: report.id.clone(),
            municipality_id: report.municipality_id.clone(),
            sha256: sha256.clone(),
            media_type: media_type.to_owned(),
            size_bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            file_name: file_name.clone(),
            uploaded_by: caller.user_id.clone(),
            created_at: now(),
        };
        repo::insert_receipt(conn, &row)?;
        record(
            conn,
            caller,
            &grant,
            "report.receipt_added",
            serde_json::json!({"receipt": {"before": null, "after": {"id": row.id, "sha256": row.sha256, "media_type": row.media_type}}}),
        )?;
        Ok(receipt_dto(row))
    })
}

/// A receipt the caller may see (like its report), with where its bytes are.
pub fn receipt(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    data_dir: &Path,
) -> Result<(ReceiptDto, std::path::PathBuf), ApiError> {
    let row = repo::find_receipt(conn, id)?.ok_or_else(|| ApiError::not_found("No such receipt."))?;
    load(conn, caller, &row.report_id, false).map_err(|e| match e.code {
        ErrorCode::NotFound => ApiError::not_found("No such receipt."),
        _ => e,
    })?;
    let path = storage::path_of(data_dir, &row.sha256);
    Ok((receipt_dto(row), path))
}
