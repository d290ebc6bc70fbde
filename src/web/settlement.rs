//! The settlement (vaststelling) on a grant's page: the final amount, the refund due and what
//! came back, for everyone who reads the grant; and for the municipality's people the forms to
//! settle, to record a refund received and to close the grant. The same services as the API
//! (`settlements::service`); money moves only after a confirmation box is ticked.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::auth::Caller;
use crate::db::DbConnection;
use crate::domain::workflow::{GrantAction, GrantStatus};
use crate::error::{ApiError, ErrorCode};
use crate::grants::dto::GrantDto;
use crate::settlements::dto::{RefundRequest, SettleRequest, SettlementDto};
use crate::settlements::service as settlements;
use crate::state::AppState;

use super::form::{Control, Errors, Field};
use super::format;
use super::grants::Typed;
use super::layout::{see_other, Chrome};
use super::session::{csrf_ok, SignedIn};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/grants/{id}/settlement/{step}").route(web::post().to(act)));
}

/// The outcomes a settlement step reports on the grant's page after it (`?done=`).
pub const OUTCOMES: [&str; 3] = ["settled", "refund", "closed"];

/// What was typed in one of the settlement's forms, kept when it comes back with an error.
#[derive(Debug, Default, Deserialize)]
pub struct SettlementForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    settled: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    settle_checked: String,
    #[serde(default)]
    refund: String,
    #[serde(default)]
    received_on: String,
    #[serde(default)]
    refund_checked: String,
    /// The refund still due when the form was shown: a form from before another refund was
    /// recorded is refused rather than counted twice.
    #[serde(default)]
    outstanding: String,
}

/// The settlement as the grant's page shows it.
pub struct SettlementView {
    /// `(label, value)` rows once the grant is settled.
    pub facts: Vec<(String, String)>,
    pub note: Option<String>,
    pub can_settle: bool,
    pub settle_hint: String,
    pub settled: Field,
    pub note_field: Field,
    pub settle_checked: Field,
    pub can_refund: bool,
    pub outstanding_cents: i64,
    pub refund: Field,
    pub received_on: Field,
    pub refund_checked: Field,
    pub can_close: bool,
    /// Why the grant cannot close yet, while something is due either way.
    pub close_waits: Option<String>,
}

impl SettlementView {
    pub fn any_action(&self) -> bool {
        self.can_settle || self.can_refund || self.can_close
    }
}

/// The settlement as read for the page, and whether the person may record refunds.
pub struct Settlement {
    dto: SettlementDto,
    may_refund: bool,
}

/// The settlement, when the grant has reached the point where one is made or shown.
pub fn load(
    conn: &mut DbConnection,
    caller: &Caller,
    grant: &GrantDto,
) -> Result<Option<Settlement>, ApiError> {
    let shown = matches!(
        grant.status,
        GrantStatus::Active | GrantStatus::Reporting | GrantStatus::Settled | GrantStatus::Closed
    );
    if !shown {
        return Ok(None);
    }
    let dto = settlements::get(conn, caller, &grant.id)?;
    Ok(Some(Settlement { dto, may_refund: settlements::may_refund(caller, grant) }))
}

/// The section: facts for all, forms for who may use them, with what was typed and any error.
pub fn view(
    chrome: &Chrome,
    grant: &GrantDto,
    loaded: &Settlement,
    scheduled_cents: i64,
    form: &SettlementForm,
    errors: &Errors,
) -> SettlementView {
    let (lang, settlement) = (chrome.lang, &loaded.dto);
    let money = |cents: i64| format::money(lang, cents);
    let keep = |mut field: Field| {
        errors.attach(std::slice::from_mut(&mut field));
        field
    };
    let mut facts = Vec::new();
    if let Some(settled) = settlement.settled_cents {
        facts.push((chrome.t("settlement-amount"), money(settled)));
        facts.push((chrome.t("settlement-refund-due"), money(settlement.refund_due_cents)));
        if settlement.refund_due_cents > 0 {
            facts.push((chrome.t("settlement-refunded"), money(settlement.refunded_cents)));
            facts.push((chrome.t("settlement-outstanding"), money(settlement.refund_outstanding_cents)));
        }
        if let Some(at) = settlement.settled_at {
            facts.push((chrome.t("settlement-on"), format::moment(lang, at)));
        }
    }
    let approved = grant.approved_cents.unwrap_or(0);
    let can_refund = settlement.refund_outstanding_cents > 0 && loaded.may_refund;
    let today = format::date_input(chrono::Utc::now().date_naive());
    let close_waits = (grant.allowed_actions.contains(&GrantAction::Close)
        && (settlement.refund_outstanding_cents > 0 || scheduled_cents > 0))
        .then(|| {
            lang.t_with(
                "settlement-close-waits",
                &[("refund", &money(settlement.refund_outstanding_cents)), ("pay", &money(scheduled_cents))],
            )
        });
    SettlementView {
        facts,
        note: settlement.note.clone().filter(|n| !n.is_empty()),
        can_settle: grant.allowed_actions.contains(&GrantAction::Settle),
        settle_hint: lang.t_with(
            "settlement-settle-hint",
            &[("approved", &money(approved)), ("paid", &money(grant.paid_cents))],
        ),
        settled: keep(
            Field::new("settled", chrome.t("field-settled"), Control::Money)
                .hint(chrome.t("field-settled-hint"))
                .value(form.settled.clone()),
        ),
        note_field: keep(
            Field::new("note", chrome.t("field-settlement-note"), Control::TextArea)
                .optional()
                .value(form.note.clone()),
        ),
        // A confirmation is never kept: it is given again for the amount as it stands then.
        settle_checked: keep(Field::new(
            "settle_checked",
            chrome.t("field-amount-checked"),
            Control::Checkbox,
        )),
        can_refund,
        outstanding_cents: settlement.refund_outstanding_cents,
        refund: keep(
            Field::new("refund", chrome.t("field-refund"), Control::Money)
                .hint(chrome.t_with(
                    "field-refund-hint",
                    "amount",
                    &money(settlement.refund_outstanding_cents),
                ))
                .value(if form.refund.is_empty() {
                    format::money_input(lang, Some(settlement.refund_outstanding_cents))
                } else {
                    form.refund.clone()
                }),
        ),
        received_on: keep(
            Field::new("received_on", chrome.t("field-received-on"), Control::Date)
                .hint(chrome.t("date-hint"))
                .value(if form.received_on.is_empty() { today } else { form.received_on.clone() }),
        ),
        refund_checked: keep(Field::new(
            "refund_checked",
            chrome.t("field-refund-checked"),
            Control::Checkbox,
        )),
        can_close: grant.allowed_actions.contains(&GrantAction::Close),
        close_waits,
    }
}

/// A settlement step, read from the form.
enum Step {
    Settle(SettleRequest),
    Refund(RefundRequest, i64),
    Close,
}

impl Step {
    /// The step from the form, or what is wrong with it; `None` for a step that does not exist.
    fn read(chrome: &Chrome, step: &str, form: &SettlementForm) -> Result<Option<Self>, Errors> {
        let mut errors = Errors::default();
        let step = match step {
            "settle" => {
                let settled = format::parse_money(&form.settled);
                if settled.is_none() {
                    errors.add("settled", chrome.t("settlement-amount-invalid"));
                }
                if form.settle_checked.is_empty() {
                    errors.add("settle_checked", chrome.t("approve-check-missing"));
                }
                let note = Some(form.note.trim().to_owned()).filter(|n| !n.is_empty());
                Step::Settle(SettleRequest { settled_cents: settled.unwrap_or(0), note })
            }
            "refund" => {
                let amount = format::parse_money(&form.refund).filter(|c| *c > 0);
                let received_on = format::parse_date(&form.received_on);
                if amount.is_none() {
                    errors.add("refund", chrome.t("settlement-refund-invalid"));
                }
                match received_on {
                    None => errors.add("received_on", chrome.t("settlement-date-invalid")),
                    Some(day) if day > chrono::Utc::now().date_naive() => {
                        errors.add("received_on", chrome.t("settlement-date-future"))
                    }
                    Some(_) => {}
                }
                if form.refund_checked.is_empty() {
                    errors.add("refund_checked", chrome.t("settlement-refund-check-missing"));
                }
                let shown = form.outstanding.parse::<i64>().unwrap_or(-1);
                let request = RefundRequest {
                    amount_cents: amount.unwrap_or(0),
                    received_on: received_on.unwrap_or_default(),
                };
                Step::Refund(request, shown)
            }
            "close" => Step::Close,
            _ => return Ok(None),
        };
        if errors.is_empty() {
            Ok(Some(step))
        } else {
            Err(errors)
        }
    }

    /// Takes it through the service the API's handler calls; the outcome's name for the page.
    fn take(self, conn: &mut DbConnection, caller: &Caller, id: &str) -> Result<&'static str, ApiError> {
        Ok(match self {
            Step::Settle(request) => settlements::settle(conn, caller, id, request).map(|_| "settled")?,
            Step::Refund(request, shown) => {
                if settlements::get(conn, caller, id)?.refund_outstanding_cents != shown {
                    return Err(ApiError::conflict("The refund still due changed since the form was shown."));
                }
                settlements::refund(conn, caller, id, request).map(|_| "refund")?
            }
            Step::Close => settlements::close(conn, caller, id).map(|_| "closed")?,
        })
    }
}

/// What a refusal of the service says on the page, beside the field it is about.
fn refusal(chrome: &Chrome, step: &str, err: &ApiError) -> (StatusCode, Errors) {
    let (field, key) = match (err.code, step) {
        (ErrorCode::ValidationFailed, "settle") => ("settled", "settlement-amount-too-high"),
        (ErrorCode::ValidationFailed, _) => ("refund", "settlement-refund-invalid"),
        (ErrorCode::Overpayment, _) => ("refund", "settlement-refund-too-much"),
        (ErrorCode::Forbidden, _) => ("vaststelling", "settlement-forbidden"),
        (_, "settle") => ("vaststelling", "settlement-settle-not-now"),
        (_, "refund") => ("vaststelling", "settlement-refund-stale"),
        _ => ("vaststelling", "settlement-close-not-now"),
    };
    let status = match err.code {
        ErrorCode::ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        _ => StatusCode::CONFLICT,
    };
    (status, Errors::one(field, chrome.t(key)))
}

/// `POST /grants/{id}/settlement/{step}`: `settle`, `refund`, `close`; the step, then the
/// grant's page with its outcome, or the page again saying why not.
pub async fn act(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    path: web::Path<(String, String)>,
    form: web::Form<SettlementForm>,
) -> Result<HttpResponse, ApiError> {
    let (id, step) = path.into_inner();
    let form = form.into_inner();
    if !csrf_ok(&req, &form.csrf) {
        return super::layout::refused(&state, &req, Some(&caller));
    }
    let (chrome, _) = super::layout::chrome(&state, &req, Some(&caller));
    let again = |caller, form, errors, status| {
        super::grants::again(&state, &req, caller, id.clone(), Typed::Settlement(form), errors, status)
    };
    let taken = match Step::read(&chrome, &step, &form) {
        Ok(Some(taken)) => taken,
        Ok(None) => return Ok(see_other(&format!("/grants/{id}"))),
        Err(errors) => return again(caller, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let (acting, target) = (caller.clone(), id.clone());
    match state.db.run(move |conn| taken.take(conn, &acting, &target)).await {
        Ok(outcome) => Ok(see_other(&format!("/grants/{id}?done={outcome}"))),
        Err(err) if err.code == ErrorCode::NotFound => {
            again(caller, form, Errors::default(), StatusCode::NOT_FOUND).await
        }
        Err(err) if err.code.status().is_client_error() => {
            let (status, errors) = refusal(&chrome, &step, &err);
            again(caller, form, errors, status).await
        }
        Err(err) => Err(err),
    }
}
