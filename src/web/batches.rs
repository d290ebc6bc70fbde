//! SEPA payment batches in the browser: made from a fund's due tranches (the API's question:
//! up to which due date, and when the bank should pay), shown with their transfers, the
//! pain.001 file to download for the bank, then confirmed with the day the bank paid or
//! cancelled, each after a check. The same `payment_batches::service` as the API.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::{Action, Target};
use crate::domain::workflow::{ItemStatus, PaymentBatchAction, PaymentBatchStatus};
use crate::error::{ApiError, ErrorCode};
use crate::funds::dto::FundDto;
use crate::payment_batches::dto::{ConfirmPaymentBatch, CreatePaymentBatch, PaymentBatchDto};
use crate::payment_batches::service;
use crate::state::AppState;

use super::form::{Control, Errors, Field};
use super::format;
use super::layout::{chrome, html, not_found, refused, see_other, visible, Chrome, FormPage};
use super::payments::{batch_status, iban, not_allowed, notice, refusal};
use super::session::{csrf_ok, SignedIn};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/payments/funds/{id}/batch")
            .route(web::get().to(new_form))
            .route(web::post().to(create)),
    )
    .service(web::resource("/payments/batches/{id}").route(web::get().to(show)))
    .service(web::resource("/payments/batches/{id}/pain.001.xml").route(web::get().to(file)))
    .service(web::resource("/payments/batches/{id}/confirm").route(web::post().to(confirm)))
    .service(web::resource("/payments/batches/{id}/cancel").route(web::post().to(cancel)));
}

#[derive(Debug, Default, Deserialize)]
pub struct NewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    due_before: String,
    #[serde(default)]
    requested_execution_date: String,
}

/// The fund and the municipality's today, when the person may pay from it; `None` otherwise
/// (the policy check the service makes).
async fn payable_fund(
    state: &AppState,
    caller: &crate::auth::Caller,
    id: String,
) -> Result<Option<(FundDto, chrono::NaiveDate)>, ApiError> {
    let caller = caller.clone();
    let found = state
        .db
        .run(move |conn| {
            let fund = crate::funds::service::get(conn, &caller, &id)?;
            caller.authorize(Action::Pay, Target::Municipality(&fund.municipality_id))?;
            let today = crate::municipalities::today(conn, &fund.municipality_id)?;
            Ok::<_, ApiError>((fund, today))
        })
        .await;
    visible(found)
}

fn new_page(chrome: Chrome, fund: &FundDto, form: NewForm, errors: Errors) -> FormPage {
    let fields = vec![
        Field::new("due_before", chrome.t("field-due-before"), Control::Date)
            .hint(chrome.t("field-due-before-hint"))
            .value(form.due_before),
        Field::new("requested_execution_date", chrome.t("field-execution-date"), Control::Date)
            .hint(chrome.t("field-execution-date-hint"))
            .value(form.requested_execution_date)
            .optional(),
    ];
    let mut page = FormPage::new(
        chrome,
        "batch-new-title",
        "batch-new-intro",
        format!("/payments/funds/{}/batch", fund.id),
        fields,
        errors,
    )
    .button("batch-new-button");
    page.title = page.chrome.t_with("batch-new-title", "fund", &fund.name);
    page
}

/// `GET /payments/funds/{id}/batch`: what goes into a new batch.
pub async fn new_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let Some((fund, today)) = payable_fund(&state, &caller, id.into_inner()).await? else {
        return not_found(chrome, cookies);
    };
    let form = NewForm { due_before: format::date_input(today), ..NewForm::default() };
    html(StatusCode::OK, cookies, &new_page(chrome, &fund, form, Errors::default()))
}

/// `POST /payments/funds/{id}/batch`: makes the batch, then its page.
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
    form: web::Form<NewForm>,
) -> Result<HttpResponse, ApiError> {
    let form = form.into_inner();
    if !csrf_ok(&req, &form.csrf) {
        return refused(&state, &req, Some(&caller));
    }
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let Some((fund, _)) = payable_fund(&state, &caller, id.into_inner()).await? else {
        return not_found(chrome, cookies);
    };
    let mut errors = Errors::default();
    let due_before = format::parse_date(&form.due_before);
    if due_before.is_none() {
        errors.add("due_before", chrome.t("due-before-invalid"));
    }
    let execution = match form.requested_execution_date.trim() {
        "" => Ok(None),
        typed => format::parse_date(typed).map(Some).ok_or(()),
    };
    if execution.is_err() {
        errors.add("requested_execution_date", chrome.t("execution-date-invalid"));
    }
    let (Some(due_before), Ok(requested_execution_date)) = (due_before, execution) else {
        return html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &new_page(chrome, &fund, form, errors));
    };
    let input = CreatePaymentBatch { due_before, requested_execution_date };
    let fund_id = fund.id.clone();
    match state.db.run(move |conn| service::create(conn, &caller, &fund_id, input)).await {
        Ok(batch) => Ok(see_other(&format!("/payments/batches/{}?done=created", batch.id))),
        Err(err) if err.code == ErrorCode::ValidationFailed => {
            let on = |field: &str| err.errors.iter().any(|e| e.field == field);
            let errors = if on("requested_execution_date") {
                Errors::one("requested_execution_date", chrome.t("execution-date-invalid"))
            } else if on("debtor_name") || on("debtor_iban") {
                Errors::one("due_before", chrome.t("batch-no-debtor"))
            } else {
                Errors::one("due_before", chrome.t("batch-nothing-due"))
            };
            html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &new_page(chrome, &fund, form, errors))
        }
        Err(err) if err.code == ErrorCode::Forbidden => not_allowed(chrome, cookies),
        Err(err) if err.code.status().is_client_error() => not_found(chrome, cookies),
        Err(err) => Err(err),
    }
}

pub struct ItemRow {
    pub grant_id: String,
    pub creditor: String,
    pub iban: String,
    pub amount: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "batch.html")]
struct BatchPage {
    chrome: Chrome,
    title: String,
    id: String,
    notice: Option<String>,
    facts: Vec<(String, String)>,
    has_file: bool,
    items: Vec<ItemRow>,
    can_confirm: bool,
    can_cancel: bool,
    confirm_fields: Vec<Field>,
    cancel_field: Field,
    cancel_open: bool,
    errors: Vec<(String, String)>,
}

#[derive(Debug, Default, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    paid_on: String,
    #[serde(default)]
    checked: String,
    #[serde(default)]
    cancel_checked: String,
}

fn batch_page(
    chrome: Chrome,
    batch: PaymentBatchDto,
    today: chrono::NaiveDate,
    form: StepForm,
    errors: Errors,
    notice: Option<String>,
) -> BatchPage {
    let lang = chrome.lang;
    let mut facts = vec![
        (chrome.t("fact-status"), batch_status(lang, batch.status)),
        (chrome.t("fact-count"), batch.transaction_count.to_string()),
        (chrome.t("column-total"), format::money(lang, batch.total_cents)),
        (chrome.t("fact-from-account"), format!("{}, {}", batch.debtor.name, iban(&batch.debtor.iban))),
        (chrome.t("fact-execution-date"), format::date(lang, batch.requested_execution_date)),
    ];
    if let Some(paid_on) = batch.paid_on {
        facts.push((chrome.t("fact-paid-on"), format::date(lang, paid_on)));
    }
    let items = batch
        .items
        .iter()
        .map(|i| ItemRow {
            grant_id: i.grant_id.clone(),
            creditor: i.creditor_name.clone(),
            iban: iban(&i.creditor_iban),
            amount: format::money(lang, i.amount_cents),
            status: chrome.t(match i.status {
                ItemStatus::Open => "item-open",
                ItemStatus::Paid => "item-paid",
                ItemStatus::Skipped => "item-skipped",
                ItemStatus::Released => "item-released",
            }),
        })
        .collect();
    let paid_on = if form.csrf.is_empty() { format::date_input(today) } else { form.paid_on };
    let mut confirm_fields = vec![
        Field::new("paid_on", chrome.t("field-batch-paid-on"), Control::Date)
            .hint(chrome.t("field-paid-on-hint"))
            .value(paid_on),
        Field::new("checked", chrome.t("field-batch-checked"), Control::Checkbox).value(form.checked),
    ];
    let mut cancel_field = Field::new("cancel_checked", chrome.t("field-cancel-checked"), Control::Checkbox)
        .value(form.cancel_checked);
    errors.attach(&mut confirm_fields);
    errors.attach(std::slice::from_mut(&mut cancel_field));
    let can = |action| batch.allowed_actions.contains(&action);
    BatchPage {
        title: chrome.t_with("batch-title", "date", &format::moment(lang, batch.created_at)),
        id: batch.id.clone(),
        notice,
        facts,
        has_file: batch.status != PaymentBatchStatus::Cancelled,
        items,
        can_confirm: can(PaymentBatchAction::Confirm),
        can_cancel: can(PaymentBatchAction::Cancel),
        confirm_fields,
        cancel_open: cancel_field.error.is_some(),
        cancel_field,
        errors: errors.0,
        chrome,
    }
}

/// The batch and its municipality's today, as the person may see it.
async fn load(
    state: &AppState,
    caller: &crate::auth::Caller,
    id: String,
) -> Result<Option<(PaymentBatchDto, chrono::NaiveDate)>, ApiError> {
    let caller = caller.clone();
    let found = state
        .db
        .run(move |conn| {
            let batch = service::get(conn, &caller, &id)?;
            let today = crate::municipalities::today(conn, &batch.municipality_id)?;
            Ok::<_, ApiError>((batch, today))
        })
        .await;
    visible(found)
}

/// `GET /payments/batches/{id}`.
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let Some((batch, today)) = load(&state, &caller, id.into_inner()).await? else {
        return not_found(chrome, cookies);
    };
    let notice = notice(&chrome, &req);
    html(
        StatusCode::OK,
        cookies,
        &batch_page(chrome, batch, today, StepForm::default(), Errors::default(), notice),
    )
}

/// `GET /payments/batches/{id}/pain.001.xml`: the file for the bank, as the API serves it.
pub async fn file(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let id = id.into_inner();
    let found = state.db.run(move |conn| service::file(conn, &caller, &id)).await;
    let Some((message_id, xml)) = visible(found)? else { return not_found(chrome, cookies) };
    Ok(HttpResponse::Ok()
        .content_type("application/xml")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{message_id}.xml\"")))
        .insert_header(("Cache-Control", "no-store"))
        .body(xml))
}

/// `POST /payments/batches/{id}/confirm` and `/cancel`: after the check, the step, then the
/// batch's page with the outcome.
async fn step(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: crate::auth::Caller,
    id: String,
    form: StepForm,
    action: PaymentBatchAction,
) -> Result<HttpResponse, ApiError> {
    if !csrf_ok(&req, &form.csrf) {
        return refused(&state, &req, Some(&caller));
    }
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let Some((batch, today)) = load(&state, &caller, id.clone()).await? else {
        return not_found(chrome, cookies);
    };
    let mut errors = Errors::default();
    let paid_on = format::parse_date(&form.paid_on);
    if action == PaymentBatchAction::Confirm {
        if paid_on.is_none() {
            errors.add("paid_on", chrome.t("paid-on-invalid"));
        }
        if form.checked.is_empty() {
            errors.add("checked", chrome.t("batch-check-missing"));
        }
    } else if form.cancel_checked.is_empty() {
        errors.add("cancel_checked", chrome.t("cancel-check-missing"));
    }
    if !errors.is_empty() {
        let page = batch_page(chrome, batch, today, form, errors, None);
        return html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &page);
    }
    let target = id.clone();
    let done = state
        .db
        .run(move |conn| match (action, paid_on) {
            (PaymentBatchAction::Confirm, Some(paid_on)) => {
                service::confirm(conn, &caller, &target, ConfirmPaymentBatch { paid_on })
            }
            _ => service::cancel(conn, &caller, &target),
        })
        .await;
    let outcome = if action == PaymentBatchAction::Confirm { "confirmed" } else { "cancelled" };
    match done {
        Ok(_) => Ok(see_other(&format!("/payments/batches/{id}?done={outcome}"))),
        Err(err) if err.code == ErrorCode::Forbidden => not_allowed(chrome, cookies),
        Err(err) if err.code == ErrorCode::InvalidTransition => {
            let field = if action == PaymentBatchAction::Confirm { "checked" } else { "cancel_checked" };
            let errors = Errors::one(field, chrome.t("batch-not-now"));
            html(StatusCode::CONFLICT, cookies, &batch_page(chrome, batch, today, form, errors, None))
        }
        Err(err) => match refusal(&chrome, &err, "paid_on") {
            Some(errors) => {
                let page = batch_page(chrome, batch, today, form, errors, None);
                html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &page)
            }
            None if err.code.status().is_client_error() => not_found(chrome, cookies),
            None => Err(err),
        },
    }
}

pub async fn confirm(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
    form: web::Form<StepForm>,
) -> Result<HttpResponse, ApiError> {
    step(state, req, caller, id.into_inner(), form.into_inner(), PaymentBatchAction::Confirm).await
}

pub async fn cancel(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
    form: web::Form<StepForm>,
) -> Result<HttpResponse, ApiError> {
    step(state, req, caller, id.into_inner(), form.into_inner(), PaymentBatchAction::Cancel).await
}
