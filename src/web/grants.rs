//! A grant's page: where it stands in words and whose turn it is, the municipality's question
//! with a box to answer it, the decision and its reason, what was paid and what remains, and the
//! buttons for what the person may do now (the policy's `allowed_actions`, as the API).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::domain::workflow::{GrantAction, GrantStatus, TrancheStatus};
use crate::error::{ApiError, ErrorCode};
use crate::grants::dto::{GrantActionRequest, GrantDto, TrancheDto};
use crate::state::AppState;

use super::decisions::{self, DecisionForm, StaffData, StaffView};
use super::form::{Control, Errors, Field};
use super::format;
use super::home::{grant_status, grant_turn, Turn};
use super::layout::{chrome, html, not_found, refused, see_other, Chrome};
use super::related::{self, Related, RelatedData};
use super::session::{csrf_ok, SignedIn};
use super::settlement::{self, SettlementForm, SettlementView};

/// A tranche as a row of the payments table.
pub struct TrancheRow {
    pub due_on: String,
    pub amount: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "grant.html")]
struct GrantPage {
    chrome: Chrome,
    title: String,
    id: String,
    saved: bool,
    /// The outcome of a decision just taken, in words.
    notice: Option<String>,
    /// What the municipality's people see beyond the network's view.
    staff: Option<StaffView>,
    /// The network's agreements and the grant's reports, for the municipality's people.
    related: Option<Related>,
    settlement: Option<SettlementView>,
    status: String,
    turn: Turn,
    /// A sentence on what happens next.
    next: String,
    question: Option<String>,
    /// The network's last answer, or the reason for a decision.
    reason: Option<String>,
    /// `(label, value)` rows of the application.
    facts: Vec<(String, String)>,
    /// `(description, amount)`.
    budget: Vec<(String, String)>,
    tranches: Vec<TrancheRow>,
    paid: String,
    remaining: Option<String>,
    can_edit: bool,
    can_submit: bool,
    can_withdraw: bool,
    can_report: bool,
    answer: Field,
    errors: Vec<(String, String)>,
}

fn next_step(chrome: &Chrome, grant: &GrantDto) -> String {
    let lang = chrome.lang;
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| format::date(lang, d)).unwrap_or_default();
    match grant.status {
        GrantStatus::Draft => chrome.t("next-draft"),
        GrantStatus::Submitted | GrantStatus::InReview => {
            chrome.t_with("next-in-review", "date", &date(grant.decision_due_on))
        }
        GrantStatus::InfoRequested => chrome.t("next-info-requested"),
        GrantStatus::Approved => chrome.t("next-approved"),
        GrantStatus::Active | GrantStatus::Reporting => {
            chrome.t_with("next-report", "date", &date(grant.report_due_on))
        }
        GrantStatus::Rejected => chrome.t("next-rejected"),
        _ => chrome.t("next-done"),
    }
}

/// The grant, its tranches, its settlement once there is one to make and, for the
/// municipality's people, the rest they read.
struct Loaded {
    grant: GrantDto,
    tranches: Vec<TrancheDto>,
    settlement: Option<settlement::Settlement>,
    staff: Option<(StaffData, RelatedData)>,
}

/// What was typed in one of the page's forms, kept when it comes back with an error.
#[derive(Default)]
pub enum Typed {
    #[default]
    Nothing,
    Decision(DecisionForm),
    Settlement(SettlementForm),
}

fn page(
    chrome: Chrome,
    loaded: Loaded,
    saved: bool,
    answer: String,
    typed: &Typed,
    errors: Errors,
) -> GrantPage {
    let Loaded { grant, tranches, settlement, staff } = loaded;
    let (no_decision, no_settlement) = (DecisionForm::default(), SettlementForm::default());
    let (decision, settlement_form) = match typed {
        Typed::Decision(form) => (form, &no_settlement),
        Typed::Settlement(form) => (&no_decision, form),
        Typed::Nothing => (&no_decision, &no_settlement),
    };
    let lang = chrome.lang;
    let money = |cents: i64| format::money(lang, cents);
    let mut facts = vec![
        (chrome.t("field-requested"), money(grant.requested_cents)),
        (
            chrome.t("fact-period"),
            format!("{} – {}", format::date(lang, grant.starts_on), format::date(lang, grant.ends_on)),
        ),
        (chrome.t("field-payee-name"), grant.payee.name.clone()),
        (chrome.t("field-iban"), grant.payee.iban.clone()),
    ];
    if let Some(approved) = grant.approved_cents {
        facts.insert(1, (chrome.t("fact-approved"), money(approved)));
    }
    if !grant.purpose.is_empty() {
        facts.insert(0, (chrome.t("field-purpose"), grant.purpose.clone()));
    }
    let tranche_rows = tranches
        .iter()
        .map(|t| TrancheRow {
            due_on: format::date(lang, t.paid_on.unwrap_or(t.due_on)),
            amount: money(t.amount_cents),
            status: chrome.t(match t.status {
                TrancheStatus::Scheduled => "tranche-scheduled",
                TrancheStatus::Paid => "tranche-paid",
                TrancheStatus::Cancelled => "tranche-cancelled",
            }),
        })
        .collect();
    let remaining = grant.approved_cents.map(|approved| money(approved - grant.paid_cents));
    let mut answer = Field::new("answer", chrome.t("field-answer"), Control::TextArea).value(answer);
    errors.attach(std::slice::from_mut(&mut answer));
    let can = |action| grant.allowed_actions.contains(&action);
    let scheduled: i64 =
        tranches.iter().filter(|t| t.status == TrancheStatus::Scheduled).map(|t| t.amount_cents).sum();
    let settlement =
        settlement.map(|s| settlement::view(&chrome, &grant, &s, scheduled, settlement_form, &errors));
    let (staff, related) = match staff {
        Some((data, around)) => (
            Some(decisions::view(&chrome, &grant, data, decision, &errors)),
            Some(related::view(&chrome, around)),
        ),
        None => (None, None),
    };
    let (status, turn) = if staff.is_some() {
        (decisions::staff_status(lang, grant.status), Turn::Nobody)
    } else {
        (grant_status(lang, grant.status), grant_turn(grant.status))
    };
    GrantPage {
        notice: None,
        staff,
        related,
        settlement,
        title: grant.title.clone(),
        id: grant.id.clone(),
        saved,
        status,
        turn,
        next: next_step(&chrome, &grant),
        question: grant.info_question.clone(),
        reason: grant.status_reason.clone(),
        budget: grant.budget_lines.iter().map(|l| (l.description.clone(), money(l.amount_cents))).collect(),
        tranches: tranche_rows,
        paid: money(grant.paid_cents),
        remaining,
        can_edit: can(GrantAction::Edit),
        can_submit: can(GrantAction::Submit),
        can_withdraw: can(GrantAction::Withdraw),
        can_report: matches!(grant.status, GrantStatus::Active | GrantStatus::Reporting),
        facts,
        answer,
        errors: errors.0,
        chrome,
    }
}

/// The grant and its tranches, as the person may see them (the payee's IBAN masked unless
/// theirs to read); `None` when they may not.
async fn load(state: &AppState, caller: crate::auth::Caller, id: String) -> Result<Option<Loaded>, ApiError> {
    let found = state
        .db
        .run(move |conn| {
            let mut grant = crate::grants::applications::get(conn, &caller, &id)?;
            let tranches = crate::grants::tranches::list(conn, &caller, &id)?;
            let settlement = settlement::load(conn, &caller, &grant)?;
            let staff = match decisions::load(conn, &caller, &grant)? {
                Some(data) => Some((data, related::load(conn, &caller, &grant)?)),
                None => None,
            };
            grant.payee = crate::grants::history::payee_for(&caller, &grant);
            Ok::<_, ApiError>(Loaded { grant, tranches, settlement, staff })
        })
        .await;
    super::layout::visible(found)
}

/// The grant's page again after a decision that did not go through: what was typed kept, why
/// not beside the field and at the top.
pub(super) async fn again(
    state: &AppState,
    req: &HttpRequest,
    caller: crate::auth::Caller,
    id: String,
    typed: Typed,
    errors: Errors,
    status: StatusCode,
) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(state, req, Some(&caller));
    match load(state, caller, id).await? {
        Some(loaded) if status != StatusCode::NOT_FOUND => {
            html(status, cookies, &page(chrome, loaded, false, String::new(), &typed, errors))
        }
        _ => not_found(chrome, cookies),
    }
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    saved: Option<String>,
    done: Option<String>,
}

/// `GET /grants/{id}`.
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let Some(loaded) = load(&state, caller, id).await? else { return not_found(chrome, cookies) };
    let query = web::Query::<ShowQuery>::from_query(req.query_string()).ok().map(|q| q.into_inner());
    let saved = query.as_ref().is_some_and(|q| q.saved.is_some());
    let done = query.and_then(|q| q.done);
    let mut page = page(chrome, loaded, saved, String::new(), &Typed::Nothing, Errors::default());
    page.notice = done.and_then(|d| {
        let key = if decisions::OUTCOMES.contains(&d.as_str()) {
            format!("decision-done-{d}")
        } else if settlement::OUTCOMES.contains(&d.as_str()) {
            format!("settlement-done-{d}")
        } else {
            return None;
        };
        Some(page.chrome.t(&key))
    });
    html(StatusCode::OK, cookies, &page)
}

#[derive(Debug, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    answer: String,
}

/// `POST /grants/{id}/submit` (with an answer when the municipality asked a question) and
/// `POST /grants/{id}/withdraw`: the step, then the grant's page.
pub async fn step(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    path: web::Path<(String, String)>,
    form: web::Form<StepForm>,
) -> Result<HttpResponse, ApiError> {
    let (id, step) = path.into_inner();
    let action = match step.as_str() {
        "submit" => GrantAction::Submit,
        "withdraw" => GrantAction::Withdraw,
        _ => return Ok(see_other(&format!("/grants/{id}"))),
    };
    let StepForm { csrf, answer } = form.into_inner();
    if !csrf_ok(&req, &csrf) {
        return refused(&state, &req, Some(&caller));
    }
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let Some(loaded) = load(&state, caller.clone(), id.clone()).await? else {
        return not_found(chrome, cookies);
    };
    let grant = &loaded.grant;
    let answering = action == GrantAction::Submit && grant.status == GrantStatus::InfoRequested;
    if answering && answer.trim().is_empty() {
        let errors = Errors::one("answer", chrome.t("answer-missing"));
        return html(
            StatusCode::UNPROCESSABLE_ENTITY,
            cookies,
            &page(chrome, loaded, false, answer, &Typed::Nothing, errors),
        );
    }
    let request = GrantActionRequest {
        answer: answering.then(|| answer.trim().to_owned()),
        ..GrantActionRequest::default()
    };
    let target = id.clone();
    match state
        .db
        .run(move |conn| match action {
            GrantAction::Withdraw => crate::grants::applications::withdraw(conn, &caller, &target),
            _ => crate::grants::applications::submit(conn, &caller, &target, request),
        })
        .await
    {
        Ok(_) => Ok(see_other(&format!("/grants/{id}"))),
        Err(err) if err.code.status().is_client_error() && err.code != ErrorCode::NotFound => {
            let key =
                if err.code == ErrorCode::ValidationFailed { "answer-too-long" } else { "step-not-now" };
            let errors = Errors::one("answer", chrome.t(key));
            html(StatusCode::CONFLICT, cookies, &page(chrome, loaded, false, answer, &Typed::Nothing, errors))
        }
        Err(err) if err.code == ErrorCode::NotFound => not_found(chrome, cookies),
        Err(err) => Err(err),
    }
}

/// `GET /tranches/{id}` (the link in payment reminders): the grant the tranche belongs to.
pub async fn tranche(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let found = state.db.run(move |conn| crate::grants::tranches::get(conn, &caller, &id)).await;
    match super::layout::visible(found)? {
        Some(tranche) => Ok(see_other(&format!("/grants/{}", tranche.grant_id))),
        None => not_found(chrome, cookies),
    }
}
