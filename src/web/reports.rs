//! Reporting spending, as a page: what was paid and what remains, expense lines in euros,
//! receipts straight from a phone's camera (several at once, PDF, JPEG or PNG, their size
//! shown), what was achieved and how many people were reached, then submit; the officer's
//! comments when the municipality asks for a change. The same services as the API
//! (`reports::service`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use crate::domain::workflow::{ReportAction, ReportStatus};
use crate::error::{ApiError, ErrorCode};
use crate::funds::dto::ReportRequirement;
use crate::grants::dto::GrantDto;
use crate::reports::dto::{CreateReport, Expense, ReportDto, ReportKind, UpdateReport};
use crate::state::AppState;

use super::form::{Control, Errors, Field};
use super::format;
use super::i18n::Lang;
use super::layout::{chrome, html, not_found, refused, see_other, Chrome};
use super::session::{csrf_ok, SignedIn};

/// Categories a treasurer picks from (the API takes any short word).
const CATEGORIES: [&str; 6] = ["materials", "rent", "catering", "travel", "volunteers", "other"];
const SPARE_LINES: usize = 2;
const MAX_LINES: usize = 200;

/// One expense line of the form.
pub struct ExpenseFields {
    pub legend: String,
    pub fields: Vec<Field>,
}

/// An uploaded receipt, as listed.
pub struct ReceiptLine {
    pub name: String,
    pub size: String,
}

#[derive(Template)]
#[template(path = "report.html")]
pub struct ReportPage {
    chrome: Chrome,
    title: String,
    grant_id: String,
    grant_title: String,
    saved: bool,
    editable: bool,
    /// The status in words.
    status: String,
    /// The officer's comments when a change was asked for.
    changes_asked: Option<String>,
    requirement: String,
    paid: String,
    remaining: String,
    spent: String,
    receipts: Vec<ReceiptLine>,
    upload: Field,
    lines: Vec<ExpenseFields>,
    about: Vec<Field>,
    /// `(description, amount)` when the report can no longer change.
    expenses: Vec<(String, String)>,
    errors: Vec<(String, String)>,
}

pub fn size(lang: Lang, bytes: i64) -> String {
    if bytes >= 1_000_000 {
        let tenths = bytes / 100_000;
        let decimal = if lang == Lang::En { '.' } else { ',' };
        format!("{}{decimal}{} MB", tenths / 10, tenths % 10)
    } else {
        format!("{} kB", (bytes + 999) / 1000)
    }
}

/// The report being worked on: the final one not yet accepted, else the newest.
fn current(reports: Vec<ReportDto>) -> Option<ReportDto> {
    let mut reports = reports;
    reports.sort_by_key(|r| r.created_at);
    let open =
        reports.iter().rposition(|r| r.kind == ReportKind::Final && r.status != ReportStatus::Accepted);
    match open {
        Some(at) => Some(reports.swap_remove(at)),
        None => reports.pop(),
    }
}

/// What the form holds, as typed.
#[derive(Default)]
pub struct Values {
    /// `(date, description, category, amount, receipt)`.
    lines: Vec<[String; 5]>,
    narrative: String,
    people: String,
}

impl Values {
    pub fn of(lang: Lang, report: &ReportDto) -> Self {
        Values {
            lines: report
                .expenses
                .iter()
                .map(|e| {
                    [
                        format::date_input(e.spent_on),
                        e.description.clone(),
                        e.category.clone(),
                        format::money_input(lang, Some(e.amount_cents)),
                        e.receipt_id.clone().unwrap_or_default(),
                    ]
                })
                .collect(),
            narrative: report.narrative.clone(),
            people: report.people_reached.map(|p| p.to_string()).unwrap_or_default(),
        }
    }

    fn posted(form: &[(String, String)]) -> Self {
        let get =
            |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
        let lines = (1..=MAX_LINES)
            .map(|i| {
                ["date", "description", "category", "amount", "receipt"]
                    .map(|part| get(&format!("expense-{i}-{part}")))
            })
            .filter(|[date, description, _, amount, _]| {
                !date.trim().is_empty() || !description.trim().is_empty() || !amount.trim().is_empty()
            })
            .collect();
        Values { lines, narrative: get("narrative"), people: get("people_reached") }
    }

    /// The expenses and the rest as the service takes them, or what to fix.
    fn validate(&self, lang: Lang) -> Result<(Vec<Expense>, Option<i32>), Errors> {
        let mut errors = Errors::default();
        let mut expenses = Vec::new();
        for (i, [date, description, category, amount, receipt]) in self.lines.iter().enumerate() {
            let n = i + 1;
            let spent_on = format::parse_date(date);
            if spent_on.is_none() {
                errors.add(format!("expense-{n}-date"), lang.t("date-invalid"));
            }
            if description.trim().is_empty() {
                errors.add(format!("expense-{n}-description"), lang.t("line-description-missing"));
            }
            let cents = format::parse_money(amount).filter(|c| *c > 0);
            if cents.is_none() {
                errors.add(format!("expense-{n}-amount"), lang.t("money-invalid"));
            }
            if let (Some(spent_on), Some(amount_cents)) = (spent_on, cents) {
                expenses.push(Expense {
                    spent_on,
                    description: description.trim().to_owned(),
                    category: if CATEGORIES.contains(&category.as_str()) {
                        category.clone()
                    } else {
                        "other".to_owned()
                    },
                    amount_cents,
                    receipt_id: Some(receipt.clone()).filter(|r| !r.is_empty()),
                });
            }
        }
        let people = match self.people.trim() {
            "" => None,
            typed => match typed.replace('.', "").parse::<i32>() {
                Ok(n) if (0..=10_000_000).contains(&n) => Some(n),
                _ => {
                    errors.add("people_reached", lang.t("people-invalid"));
                    None
                }
            },
        };
        if errors.is_empty() {
            Ok((expenses, people))
        } else {
            Err(errors)
        }
    }
}

fn requirement_words(lang: Lang, requirement: ReportRequirement) -> String {
    lang.t(match requirement {
        ReportRequirement::Confirmation => "reporting-confirmation",
        ReportRequirement::ActivityReport => "reporting-activity",
        ReportRequirement::FinancialReport => "reporting-financial",
    })
}

pub fn page(
    chrome: Chrome,
    grant: &GrantDto,
    report: Option<&ReportDto>,
    values: Values,
    errors: Errors,
    saved: bool,
) -> ReportPage {
    let lang = chrome.lang;
    let money = |cents: i64| format::money(lang, cents);
    let editable = report.is_none_or(|r| r.allowed_actions.contains(&ReportAction::Edit));
    let receipts: Vec<(String, String)> = report
        .map(|r| r.receipts.iter().map(|x| (x.id.clone(), x.file_name.clone())).collect())
        .unwrap_or_default();
    let mut receipt_options = vec![(String::new(), chrome.t("receipt-none"))];
    receipt_options.extend(receipts.iter().cloned());
    let categories: Vec<(String, String)> =
        CATEGORIES.iter().map(|c| ((*c).to_owned(), chrome.t(&format!("category-{c}")))).collect();
    let count = (values.lines.len() + SPARE_LINES).min(MAX_LINES);
    let lines = (1..=count)
        .map(|n| {
            let [date, description, category, amount, receipt] =
                values.lines.get(n - 1).cloned().unwrap_or_default();
            let label = |key: &str| chrome.t_with(key, "n", &n.to_string());
            let mut fields = vec![
                Field::new(format!("expense-{n}-date"), label("field-expense-date"), Control::Date)
                    .value(date)
                    .optional(),
                Field::new(
                    format!("expense-{n}-description"),
                    label("field-expense-description"),
                    Control::Text,
                )
                .value(description)
                .optional(),
                Field::new(
                    format!("expense-{n}-category"),
                    label("field-expense-category"),
                    Control::Select(categories.clone()),
                )
                .value(category)
                .optional(),
                Field::new(format!("expense-{n}-amount"), label("field-expense-amount"), Control::Money)
                    .value(amount)
                    .optional(),
                Field::new(
                    format!("expense-{n}-receipt"),
                    label("field-expense-receipt"),
                    Control::Select(receipt_options.clone()),
                )
                .value(receipt)
                .optional(),
            ];
            errors.attach(&mut fields);
            ExpenseFields { legend: label("expense-legend"), fields }
        })
        .collect();
    let mut about = vec![
        Field::new("narrative", chrome.t("field-narrative"), Control::TextArea)
            .hint(chrome.t("field-narrative-hint"))
            .value(values.narrative),
        Field::new("people_reached", chrome.t("field-people-reached"), Control::Number)
            .value(values.people)
            .optional(),
    ];
    errors.attach(&mut about);
    let mut upload = Field::new(
        "receipts",
        chrome.t("field-receipts"),
        Control::Files { accept: "image/*,application/pdf" },
    )
    .hint(chrome.t("field-receipts-hint"));
    errors.attach(std::slice::from_mut(&mut upload));
    let status = match report.map(|r| r.status) {
        None | Some(ReportStatus::Draft) => chrome.t("report-status-draft"),
        Some(ReportStatus::Submitted) => chrome.t("report-status-submitted"),
        Some(ReportStatus::Accepted) => chrome.t("report-status-accepted"),
    };
    ReportPage {
        title: chrome.t("report-title"),
        grant_id: grant.id.clone(),
        grant_title: grant.title.clone(),
        saved,
        editable,
        status,
        changes_asked: report
            .filter(|r| r.status == ReportStatus::Draft)
            .and_then(|r| r.status_reason.clone()),
        requirement: requirement_words(lang, grant.report_requirement),
        paid: money(grant.paid_cents),
        remaining: money(grant.approved_cents.unwrap_or(0) - grant.paid_cents),
        spent: money(report.map(|r| r.expenses_total_cents).unwrap_or(0)),
        receipts: report
            .map(|r| {
                r.receipts
                    .iter()
                    .map(|x| ReceiptLine { name: x.file_name.clone(), size: size(lang, x.size_bytes) })
                    .collect()
            })
            .unwrap_or_default(),
        upload,
        lines,
        about,
        expenses: report
            .map(|r| r.expenses.iter().map(|e| (e.description.clone(), money(e.amount_cents))).collect())
            .unwrap_or_default(),
        errors: errors.0,
        chrome,
    }
}

/// The grant and its current report, as the person may see them; `None` when they may not.
pub async fn load(
    state: &AppState,
    caller: crate::auth::Caller,
    id: String,
) -> Result<Option<(GrantDto, Option<ReportDto>)>, ApiError> {
    let found = state
        .db
        .run(move |conn| {
            let grant = crate::grants::applications::get(conn, &caller, &id)?;
            let reports = crate::reports::service::list(conn, &caller, &id)?;
            Ok::<_, ApiError>((grant, current(reports)))
        })
        .await;
    super::layout::visible(found)
}

/// `GET /grants/{id}/report`.
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let Some((grant, report)) = load(&state, caller, id).await? else { return not_found(chrome, cookies) };
    let values = report.as_ref().map(|r| Values::of(chrome.lang, r)).unwrap_or_default();
    let saved = req.query_string().contains("saved=1");
    html(StatusCode::OK, cookies, &page(chrome, &grant, report.as_ref(), values, Errors::default(), saved))
}

/// Saves the report: creates it the first time, updates it after. Returns it.
pub fn save(
    conn: &mut crate::db::DbConnection,
    caller: &crate::auth::Caller,
    grant_id: &str,
    report: Option<&ReportDto>,
    narrative: String,
    people_reached: Option<i32>,
    expenses: Vec<Expense>,
) -> Result<ReportDto, ApiError> {
    match report {
        Some(report) => crate::reports::service::update(
            conn,
            caller,
            &report.id,
            UpdateReport { narrative: Some(narrative), people_reached, expenses: Some(expenses) },
        ),
        None => crate::reports::service::create(
            conn,
            caller,
            grant_id,
            CreateReport { kind: ReportKind::Final, narrative, people_reached, expenses },
        ),
    }
}

/// `POST /grants/{id}/report`: saves, and with `intent=submit` submits, then the page again.
pub async fn update(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let get = |name: &str| super::form::value(&form, name);
    if !csrf_ok(&req, get("csrf")) {
        return refused(&state, &req, Some(&caller));
    }
    let submit = get("intent") == "submit";
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let lang = chrome.lang;
    let Some((grant, report)) = load(&state, caller.clone(), id.clone()).await? else {
        return not_found(chrome, cookies);
    };
    let values = Values::posted(&form);
    let (expenses, people) = match values.validate(lang) {
        Ok(checked) => checked,
        Err(errors) => {
            return html(
                StatusCode::UNPROCESSABLE_ENTITY,
                cookies,
                &page(chrome, &grant, report.as_ref(), values, errors, false),
            )
        }
    };
    let (narrative, grant_id, existing) = (values.narrative.trim().to_owned(), id.clone(), report.clone());
    let outcome = state
        .db
        .run(move |conn| {
            let saved = save(conn, &caller, &grant_id, existing.as_ref(), narrative, people, expenses)?;
            if submit {
                crate::reports::service::act(conn, &caller, &saved.id, ReportAction::Submit, None)?;
            }
            Ok::<_, ApiError>(())
        })
        .await;
    match outcome {
        Ok(()) => Ok(see_other(&format!("/grants/{id}/report?saved=1"))),
        Err(err) if err.code.status().is_client_error() && err.code != ErrorCode::NotFound => {
            let mut errors = Errors::default();
            let missing = err.errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>();
            if err.code == ErrorCode::ValidationFailed && !missing.is_empty() {
                for field in missing {
                    let id = if field.starts_with("expenses") { "expense-1-description" } else { field };
                    errors.add(id, lang.t("report-incomplete"));
                }
            } else {
                errors.add("narrative", lang.t("step-not-now"));
            }
            html(
                StatusCode::UNPROCESSABLE_ENTITY,
                cookies,
                &page(chrome, &grant, report.as_ref(), values, errors, false),
            )
        }
        Err(err) if err.code == ErrorCode::NotFound => not_found(chrome, cookies),
        Err(err) => Err(err),
    }
}
