//! Applications, as the network writes them: drafted, edited, submitted (again, with an answer
//! to a question) or withdrawn; and read back, one or a page at a time.

use chrono::{Duration, NaiveDate};

use crate::agreements::loaded as agreements;
use crate::audit::{self, Actor};
use crate::auth::policy::GrantScope;
use crate::auth::{Action, Caller, Target};
use crate::db::page::{Page, PageRequest};
use crate::db::{write_transaction, DbConnection};
use crate::domain::money::positive_cents;
use crate::domain::time::now;
use crate::domain::workflow::{GrantAction, GrantStatus};
use crate::domain::{BoundedText, Iban, Party, PartyType};
use crate::error::{ApiError, FieldError};
use crate::funds::repo::{self as funds_repo, FundRow};
use crate::funds::service as funds;
use crate::networks::repo as networks_repo;

use super::decisions;
use super::dto::{BudgetLine, CreateGrant, GrantActionRequest, GrantDto, GrantQuery, Payee, UpdateGrant};
use super::record::{action_text, authorize_action, record, step, to_dto, visible};
use super::repo::{self, GrantFilter, GrantRow};

const MAX_BUDGET_LINES: usize = 50;
const MAX_PURPOSE: usize = 10_000;

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
    fn validate(self, fund: &FundRow) -> Result<Self, ApiError> {
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
        .validate(&fund)?;
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
        let dto = to_dto(caller, &row, &fund)?;
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
    to_dto(caller, &row, &fund)
}

pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    query: GrantQuery,
    page: &PageRequest,
) -> Result<Page<GrantDto>, ApiError> {
    caller.authorize_listing(&crate::auth::policy::GRANT_READERS)?;
    let filter = GrantFilter {
        reach: caller.reach(),
        fund_id: query.fund_id.map(|f| f.to_string()),
        network_id: query.network_id.map(|n| n.to_string()),
        status: query.status,
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
        items.push(to_dto(caller, &row, fund)?);
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
        authorize_action(caller, &row, GrantAction::Edit)?;
        crate::db::version::check(expected_version, row.version - 1)?;
        let before = serde_json::to_value(to_dto(caller, &row, &fund)?).unwrap_or_default();
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
        .validate(&fund)?;
        row.title = application.title;
        row.purpose = application.purpose;
        row.requested_cents = application.requested_cents;
        row.starts_on = application.starts_on;
        row.ends_on = application.ends_on;
        row.budget_lines = serde_json::to_string(&application.budget_lines).unwrap_or_default();
        row.payee_iban = application.payee.iban;
        row.payee_name = application.payee.name;
        row.updated_at = now();
        decisions::clear_first_approval(conn, &Actor::from(caller), &mut row, "updated")?;
        repo::save(conn, &row)?;
        let dto = to_dto(caller, &row, &fund)?;
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

/// Sends the application, or after a question sends it back with the network's `answer`. The
/// first submission fixes the decision deadline and the four-eyes threshold that applies.
pub fn submit(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    request: GrantActionRequest,
) -> Result<GrantDto, ApiError> {
    step(conn, caller, id, GrantAction::Submit, |conn, row, fund, changes| {
        let today = crate::municipalities::today(conn, &row.municipality_id)?;
        if fund.opens_on > today || fund.closes_on.is_some_and(|closes| closes < today) {
            return Err(ApiError::conflict("This fund does not take applications now."));
        }
        if let Some(answer) = action_text("answer", request.answer, false)? {
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
        Ok(())
    })
}

/// The network takes its application back, before a decision.
pub fn withdraw(conn: &mut DbConnection, caller: &Caller, id: &str) -> Result<GrantDto, ApiError> {
    step(conn, caller, id, GrantAction::Withdraw, |_, _, _, _| Ok(()))
}
