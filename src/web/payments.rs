//! Finance's pages: per fund, the tranches to pay and the payment batches; one tranche paid on
//! its own after a check of the amount and the account. Same services and policy as the API
//! (`grants::tranches::pay`, `payment_batches`); buttons only where the policy lets one pay.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::Caller;
use crate::domain::workflow::{PaymentBatchStatus, TrancheStatus};
use crate::error::{ApiError, ErrorCode};
use crate::grants::dto::{GrantDto, PayRequest, TrancheAction, TrancheDto};
use crate::payment_batches::overview::FundPayments;
use crate::state::AppState;

use super::form::{Control, Errors, Field};
use super::format;
use super::i18n::Lang;
use super::layout::{chrome, html, message, not_found, refused, see_other, visible, Chrome};
use super::session::{csrf_ok, SignedIn};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/payments").route(web::get().to(overview)))
        .service(
            web::resource("/payments/tranches/{id}")
                .route(web::get().to(pay_form))
                .route(web::post().to(pay)),
        )
        .configure(super::batches::routes)
        .configure(super::ledger::routes);
}

/// An IBAN as people read it: in groups of four.
pub fn iban(compact: &str) -> String {
    let chars: Vec<char> = compact.chars().filter(|c| !c.is_whitespace()).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

/// A batch's status in words.
pub fn batch_status(lang: Lang, status: PaymentBatchStatus) -> String {
    lang.t(match status {
        PaymentBatchStatus::Open => "batch-open",
        PaymentBatchStatus::Confirmed => "batch-confirmed",
        PaymentBatchStatus::Cancelled => "batch-cancelled",
    })
}

/// The sentence at the top after a step, from `?done=`.
pub fn notice(chrome: &Chrome, req: &HttpRequest) -> Option<String> {
    let query =
        web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string()).ok()?;
    let key = match query.get("done")?.as_str() {
        "paid" => "payments-paid-notice",
        "created" => "batch-created-notice",
        "confirmed" => "batch-confirmed-notice",
        "cancelled" => "batch-cancelled-notice",
        _ => return None,
    };
    Some(chrome.t(key))
}

pub struct DueRow {
    pub id: String,
    pub grant_id: String,
    pub grant: String,
    pub network: String,
    pub payee: String,
    pub due_on: String,
    pub amount: String,
    pub pay_link: Option<String>,
}

pub struct BatchRow {
    pub id: String,
    pub made_on: String,
    pub status: String,
    pub count: i64,
    pub total: String,
}

pub struct FundSection {
    pub id: String,
    pub name: String,
    pub may_pay: bool,
    pub due_caption: String,
    pub batches_caption: String,
    pub due: Vec<DueRow>,
    pub batches: Vec<BatchRow>,
}

#[derive(Template)]
#[template(path = "payments.html")]
struct PaymentsPage {
    chrome: Chrome,
    title: String,
    notice: Option<String>,
    funds: Vec<FundSection>,
}

fn section(lang: Lang, fund: FundPayments) -> FundSection {
    let name = fund.fund.name.clone();
    FundSection {
        due_caption: lang.t_with("payments-due-caption", &[("fund", &name)]),
        batches_caption: lang.t_with("payments-batches-caption", &[("fund", &name)]),
        id: fund.fund.id,
        may_pay: fund.may_pay,
        due: fund
            .due
            .into_iter()
            .map(|d| {
                let amount = format::money(lang, d.tranche.amount_cents);
                DueRow {
                    pay_link: d
                        .tranche
                        .allowed_actions
                        .contains(&TrancheAction::Pay)
                        .then(|| lang.t_with("payments-pay-link", &[("amount", &amount)])),
                    id: d.tranche.id,
                    grant_id: d.tranche.grant_id,
                    grant: d.grant_title,
                    network: d.network_name,
                    payee: d.payee_name,
                    due_on: format::date(lang, d.tranche.due_on),
                    amount,
                }
            })
            .collect(),
        batches: fund
            .batches
            .into_iter()
            .map(|b| BatchRow {
                made_on: format::moment(lang, b.created_at),
                status: batch_status(lang, b.status),
                count: b.transaction_count,
                total: format::money(lang, b.total_cents),
                id: b.id,
            })
            .collect(),
        name,
    }
}

/// `GET /payments`: per fund of the person's municipalities, the tranches to pay and the
/// payment batches.
pub async fn overview(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let found =
        state.db.run(move |conn| crate::payment_batches::overview::funds_payments(conn, &caller)).await;
    let Some(funds) = visible(found)? else { return not_found(chrome, cookies) };
    let lang = chrome.lang;
    let page = PaymentsPage {
        title: chrome.t("payments-page-title"),
        notice: notice(&chrome, &req),
        funds: funds.into_iter().map(|f| section(lang, f)).collect(),
        chrome,
    };
    html(StatusCode::OK, cookies, &page)
}

#[derive(Template)]
#[template(path = "pay.html")]
struct PayPage {
    chrome: Chrome,
    title: String,
    id: String,
    /// `(label, value)`.
    facts: Vec<(String, String)>,
    /// Why there is no form, when there is none.
    no_form: Option<String>,
    /// When the person just tried and was refused: that nothing was paid (the sentence is
    /// then an alert).
    refused_now: Option<String>,
    fields: Vec<Field>,
    errors: Vec<(String, String)>,
}

#[derive(Debug, Default, Deserialize)]
pub struct PayForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    paid_on: String,
    #[serde(default)]
    payment_reference: String,
    #[serde(default)]
    checked: String,
}

/// The tranche, its grant and the municipality's today; `None` when the person may not see it.
async fn load(
    state: &AppState,
    caller: Caller,
    id: String,
) -> Result<Option<(TrancheDto, GrantDto, chrono::NaiveDate)>, ApiError> {
    let found = state
        .db
        .run(move |conn| {
            let tranche = crate::grants::tranches::get(conn, &caller, &id)?;
            let grant = crate::grants::applications::get(conn, &caller, &tranche.grant_id)?;
            let today = crate::municipalities::today(conn, &grant.municipality_id)?;
            Ok::<_, ApiError>((tranche, grant, today))
        })
        .await;
    visible(found)
}

fn pay_page(
    chrome: Chrome,
    (tranche, grant, today): &(TrancheDto, GrantDto, chrono::NaiveDate),
    form: PayForm,
    errors: Errors,
) -> PayPage {
    let lang = chrome.lang;
    let facts = vec![
        (chrome.t("fact-amount"), format::money(lang, tranche.amount_cents)),
        (chrome.t("field-payee-name"), grant.payee.name.clone()),
        (chrome.t("field-iban"), iban(&grant.payee.iban)),
        (chrome.t("fact-grant"), grant.title.clone()),
        (chrome.t("fact-due-on"), format::date(lang, tranche.due_on)),
    ];
    let no_form = match tranche.status {
        TrancheStatus::Paid => Some(chrome.t_with(
            "pay-done-already",
            "date",
            &tranche.paid_on.map(|d| format::date(lang, d)).unwrap_or_default(),
        )),
        TrancheStatus::Cancelled => Some(chrome.t("pay-cancelled")),
        TrancheStatus::Scheduled if !tranche.allowed_actions.contains(&TrancheAction::Pay) => {
            Some(chrome.t("pay-not-here"))
        }
        TrancheStatus::Scheduled => None,
    };
    let paid_on = if form.csrf.is_empty() { format::date_input(*today) } else { form.paid_on };
    let mut fields = vec![
        Field::new("paid_on", chrome.t("field-paid-on"), Control::Date)
            .hint(chrome.t("field-paid-on-hint"))
            .value(paid_on),
        Field::new("payment_reference", chrome.t("field-payment-reference"), Control::Text)
            .hint(chrome.t("field-payment-reference-hint"))
            .value(form.payment_reference)
            .optional(),
        Field::new("checked", chrome.t("field-checked"), Control::Checkbox).value(form.checked),
    ];
    errors.attach(&mut fields);
    // Without a form, what was refused is said by the sentence that replaces it.
    let refused_now = (no_form.is_some() && !errors.is_empty()).then(|| {
        chrome.t(if tranche.status == TrancheStatus::Paid { "pay-nothing-again" } else { "pay-nothing" })
    });
    let errors = if no_form.is_some() { Errors::default() } else { errors };
    PayPage {
        refused_now,
        title: chrome.t("pay-title"),
        id: tranche.id.clone(),
        facts,
        no_form,
        fields,
        errors: errors.0,
        chrome,
    }
}

/// `GET /payments/tranches/{id}`: the tranche to pay, with the amount and the account to check.
pub async fn pay_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let Some(found) = load(&state, caller, id.into_inner()).await? else { return not_found(chrome, cookies) };
    html(StatusCode::OK, cookies, &pay_page(chrome, &found, PayForm::default(), Errors::default()))
}

/// What the form says, or what is wrong with it.
fn read_pay_form(chrome: &Chrome, form: &PayForm) -> Result<PayRequest, Errors> {
    let mut errors = Errors::default();
    let paid_on = format::parse_date(&form.paid_on);
    if paid_on.is_none() {
        errors.add("paid_on", chrome.t("paid-on-invalid"));
    }
    if form.checked.is_empty() {
        errors.add("checked", chrome.t("pay-check-missing"));
    }
    let reference = form.payment_reference.trim();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(PayRequest { paid_on, payment_reference: (!reference.is_empty()).then(|| reference.to_owned()) })
}

/// The sentence for a refused payment, and the field it belongs to.
pub fn refusal(chrome: &Chrome, err: &ApiError, date_field: &str) -> Option<Errors> {
    let (field, key) = match err.code {
        ErrorCode::TrancheInPaymentBatch => ("checked", "pay-in-batch"),
        ErrorCode::InvalidTransition => ("checked", "pay-already"),
        ErrorCode::ValidationFailed if err.errors.iter().any(|e| e.field == "payment_reference") => {
            ("payment_reference", "reference-too-long")
        }
        ErrorCode::ValidationFailed => (date_field, "paid-on-future"),
        _ => return None,
    };
    Some(Errors::one(field, chrome.t(key)))
}

/// A step the policy does not allow this person: 403, in words.
pub fn not_allowed(
    chrome: Chrome,
    cookies: Vec<actix_web::cookie::Cookie<'static>>,
) -> Result<HttpResponse, ApiError> {
    let back = Some(("/payments".to_owned(), chrome.t("payments-back")));
    message(chrome, cookies, StatusCode::FORBIDDEN, "error-title", "payments-not-allowed", back)
}

/// `POST /payments/tranches/{id}`: pays the tranche (after the check), then back to payments.
pub async fn pay(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
    form: web::Form<PayForm>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let form = form.into_inner();
    if !csrf_ok(&req, &form.csrf) {
        return refused(&state, &req, Some(&caller));
    }
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let Some(found) = load(&state, caller.clone(), id.clone()).await? else {
        return not_found(chrome, cookies);
    };
    let request = match read_pay_form(&chrome, &form) {
        Ok(request) => request,
        Err(errors) => {
            let page = pay_page(chrome, &found, form, errors);
            return html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &page);
        }
    };
    match state.db.run(move |conn| crate::grants::tranches::pay(conn, &caller, &id, request)).await {
        Ok(_) => Ok(see_other("/payments?done=paid")),
        Err(err) if err.code == ErrorCode::Forbidden => not_allowed(chrome, cookies),
        Err(err) => match refusal(&chrome, &err, "paid_on") {
            Some(errors) => {
                let status = err.code.status();
                html(status, cookies, &pay_page(chrome, &found, form, errors))
            }
            None if err.code.status().is_client_error() => not_found(chrome, cookies),
            None => Err(err),
        },
    }
}
