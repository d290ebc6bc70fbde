//! A report's expense lines: checked as the network writes them, and every line of a grant's
//! reports as CSV for spreadsheets.

use crate::auth::Caller;
use crate::db::DbConnection;
use crate::domain::money::{euros, positive_cents};
use crate::domain::BoundedText;
use crate::error::{ApiError, FieldError};
use crate::grants::record as grants;
use crate::grants::views::csv_text;

use super::dto::Expense;
use super::repo::{self, ReportRow};

const MAX_EXPENSES: usize = 200;
const MAX_NARRATIVE: usize = 20_000;

pub(super) fn expenses_of(row: &ReportRow) -> Vec<Expense> {
    serde_json::from_str(&row.expenses).unwrap_or_default()
}

pub(super) fn check_content(
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

/// `expenses.csv` of a grant: every expense line of its reports.
pub fn grant_expenses_csv(
    conn: &mut DbConnection,
    caller: &Caller,
    grant_id: &str,
) -> Result<String, ApiError> {
    grants::visible(conn, caller, grant_id, false)?;
    let reports = repo::of_grant(conn, grant_id)?;
    csv_text(|w| {
        w.row([
            "report_id",
            "report_kind",
            "report_status",
            "spent_on",
            "description",
            "category",
            "amount_eur",
            "receipt_id",
        ])?;
        for report in &reports {
            for expense in expenses_of(report) {
                w.row([
                    report.id.clone(),
                    report.kind.clone(),
                    report.status.clone(),
                    expense.spent_on.to_string(),
                    expense.description,
                    expense.category,
                    euros(expense.amount_cents),
                    expense.receipt_id.unwrap_or_default(),
                ])?;
            }
        }
        Ok(())
    })
}
