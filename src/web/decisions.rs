//! What the municipality's people see on a grant's page beyond what the network sees: the
//! network and its other grants, the history in plain words, who gave a first approval and
//! when, and the officer's decisions as forms (start review, ask a question, approve with an
//! optional tranche plan, a second approval where four eyes apply, reject with a reason), each
//! through the same service as the API, with only the buttons `allowed_actions` allows.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::auth::Caller;
use crate::db::DbConnection;
use crate::domain::workflow::GrantAction;
use crate::error::{ApiError, ErrorCode};
use crate::grants::dto::{ApproveRequest, GrantActionRequest, GrantDto, TranchePlan};
use crate::grants::history::{self, Actor, HistoryEvent};
use crate::grants::views::GrantSummary;
use crate::state::AppState;

use super::form::{Control, Errors, Field};
use super::format;
use super::grants::Typed;
use super::layout::{refused, see_other, Chrome};
use super::session::{csrf_ok, SignedIn};

/// Rows of a tranche plan the approval form offers.
const TRANCHE_ROWS: usize = 3;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/grants/{id}/decision/{action}").route(web::post().to(decide)));
}

/// What the page reads for the municipality's people, in the same transaction as the grant.
pub struct StaffData {
    /// The caller gave the first approval still waiting for its second (by someone else).
    first_by_caller: bool,
    network_name: String,
    others: Vec<GrantSummary>,
    history: Vec<HistoryEvent>,
}

/// The grant's network, its other grants and the grant's history; `None` for the network's
/// own people (they read the page without them).
pub fn load(
    conn: &mut DbConnection,
    caller: &Caller,
    grant: &GrantDto,
) -> Result<Option<StaffData>, ApiError> {
    if !caller.is_platform_admin && !history::of_municipality(caller, &grant.municipality_id) {
        return Ok(None);
    }
    let history = history::history(conn, caller, &grant.id)?;
    let network = crate::networks::service::get(conn, caller, &grant.network_id)?;
    let mut others = crate::grants::views::network_grants(conn, caller, &grant.network_id)?.items;
    others.retain(|g| g.grant_id != grant.id);
    others.reverse();
    let first_by_caller = grant.pending_approval.as_ref().is_some_and(|p| p.approved_by == caller.user_id);
    Ok(Some(StaffData { first_by_caller, network_name: network.name, others, history }))
}

pub struct OtherGrant {
    pub title: String,
    pub href: String,
    pub status: String,
    pub awarded: String,
}

pub struct HistoryLine {
    pub when: String,
    pub who: String,
    pub what: String,
}

/// The municipality's part of the grant's page.
pub struct StaffView {
    pub network_name: String,
    pub network_href: String,
    pub others: Vec<OtherGrant>,
    pub history: Vec<HistoryLine>,
    /// "Eerste goedkeuring door … op …", while a second is awaited.
    pub first_approval: Option<String>,
    /// Who gave the approval(s) of an approved grant, and when.
    pub approvals: Vec<String>,
    pub can_start_review: bool,
    pub can_request_info: bool,
    pub can_approve: bool,
    /// The approval asked for is the second of two: the amount is the first one's.
    pub second: bool,
    pub second_amount: String,
    pub can_reject: bool,
    pub question: Field,
    pub reason: Field,
    pub amount: Field,
    /// `(date, amount)` rows of the tranche plan.
    pub tranches: Vec<(Field, Field)>,
    pub checked: Field,
}

impl StaffView {
    pub fn any_action(&self) -> bool {
        self.can_start_review || self.can_request_info || self.can_approve || self.can_reject
    }
}

/// What an officer typed, kept when the form comes back with an error.
#[derive(Debug, Default, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    question: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    approved: String,
    #[serde(default)]
    tranche_1_date: String,
    #[serde(default)]
    tranche_1_amount: String,
    #[serde(default)]
    tranche_2_date: String,
    #[serde(default)]
    tranche_2_amount: String,
    #[serde(default)]
    tranche_3_date: String,
    #[serde(default)]
    tranche_3_amount: String,
    #[serde(default)]
    checked: String,
}

impl DecisionForm {
    fn rows(&self) -> [(&str, &str); TRANCHE_ROWS] {
        [
            (&self.tranche_1_date, &self.tranche_1_amount),
            (&self.tranche_2_date, &self.tranche_2_amount),
            (&self.tranche_3_date, &self.tranche_3_amount),
        ]
    }
}

fn history_words(lang: super::i18n::Lang, event: &HistoryEvent) -> HistoryLine {
    const KNOWN: [&str; 16] = [
        "created",
        "updated",
        "submitted",
        "review_started",
        "info_requested",
        "first_approval",
        "first_approval_cleared",
        "approved",
        "rejected",
        "withdrawn",
        "cancelled",
        "activated",
        "reporting_started",
        "settled",
        "refund_received",
        "closed",
    ];
    let action = event.action.strip_prefix("grant.").unwrap_or(&event.action);
    let key = if KNOWN.contains(&action) {
        format!("history-{}", action.replace('_', "-"))
    } else {
        "history-other".to_owned()
    };
    HistoryLine {
        when: format::moment(lang, event.at),
        who: actor_name(lang, &event.actor),
        what: lang.t(&key),
    }
}

fn actor_name(lang: super::i18n::Lang, actor: &Actor) -> String {
    match actor {
        Actor::Person { name, .. } => name.clone(),
        Actor::ServiceAccount => lang.t("history-by-system-account"),
        Actor::System => lang.t("history-by-pactum"),
    }
}

/// The municipality's part of the page, with what was typed and what went wrong.
pub fn view(
    chrome: &Chrome,
    grant: &GrantDto,
    data: StaffData,
    form: &DecisionForm,
    errors: &Errors,
) -> StaffView {
    let lang = chrome.lang;
    let can = |action| grant.allowed_actions.contains(&action);
    let by = |action: &str| {
        data.history.iter().rev().find(|e| e.action == action).map(|e| {
            lang.t_with(
                "decision-approval-by",
                &[("name", &actor_name(lang, &e.actor)), ("moment", &format::moment(lang, e.at))],
            )
        })
    };
    let first_approval = grant.pending_approval.as_ref().and_then(|_| by("grant.first_approval"));
    let approvals = if grant.approved_at.is_some() {
        let mut lines = Vec::new();
        let first = data.history.iter().rev().find(|e| e.action == "grant.first_approval");
        let last = data.history.iter().rev().find(|e| e.action == "grant.approved");
        if let (Some(first), Some(last)) = (first, last) {
            if first.at <= last.at {
                lines.extend(by("grant.first_approval"));
            }
        }
        lines.extend(by("grant.approved"));
        lines
    } else {
        Vec::new()
    };
    let requested = format::money_input(lang, Some(grant.requested_cents));
    let amount_value = if form.approved.is_empty() { requested } else { form.approved.clone() };
    let keep = |mut field: Field| {
        errors.attach(std::slice::from_mut(&mut field));
        field
    };
    let question = keep(
        Field::new("question", chrome.t("field-question"), Control::TextArea)
            .hint(chrome.t("field-question-hint"))
            .value(form.question.clone()),
    );
    let reason = keep(
        Field::new("reason", chrome.t("field-reject-reason"), Control::TextArea)
            .hint(chrome.t("field-reject-reason-hint"))
            .value(form.reason.clone()),
    );
    let amount = keep(
        Field::new("approved", chrome.t("field-approved"), Control::Money)
            .hint(chrome.t_with("field-approved-hint", "amount", &format::money(lang, grant.requested_cents)))
            .value(amount_value),
    );
    let checked = keep(
        Field::new("checked", chrome.t("field-amount-checked"), Control::Checkbox)
            .value(if form.checked.is_empty() { "" } else { "yes" }),
    );
    let tranches = form
        .rows()
        .iter()
        .enumerate()
        .map(|(i, (date, amount))| {
            let n = (i + 1).to_string();
            let date = Field::new(
                format!("tranche_{n}_date"),
                lang.t_with("field-tranche-date", &[("n", &n)]),
                Control::Date,
            )
            .hint(chrome.t("field-tranche-date-hint"))
            .optional()
            .value(*date);
            let amount = Field::new(
                format!("tranche_{n}_amount"),
                lang.t_with("field-tranche-amount", &[("n", &n)]),
                Control::Money,
            )
            .optional()
            .value(*amount);
            (keep(date), keep(amount))
        })
        .collect();
    StaffView {
        network_href: format!("/networks/{}", grant.network_id),
        network_name: data.network_name,
        others: data
            .others
            .iter()
            .map(|g| OtherGrant {
                title: g.title.clone(),
                href: format!("/grants/{}", g.grant_id),
                status: staff_status(lang, g.status),
                awarded: format::money(lang, g.awarded_cents),
            })
            .collect(),
        history: data.history.iter().map(|e| history_words(lang, e)).collect(),
        first_approval,
        approvals,
        can_start_review: can(GrantAction::StartReview),
        can_request_info: can(GrantAction::RequestInfo),
        can_approve: can(GrantAction::Approve) && !data.first_by_caller,
        second: grant.pending_approval.is_some(),
        second_amount: grant
            .pending_approval
            .as_ref()
            .map(|p| format::money(lang, p.approved_cents))
            .unwrap_or_default(),
        can_reject: can(GrantAction::Reject),
        question,
        reason,
        amount,
        tranches,
        checked,
    }
}

/// A grant's status in the words the municipality's people use.
pub fn staff_status(lang: super::i18n::Lang, status: crate::domain::workflow::GrantStatus) -> String {
    lang.t(&format!("staff-grant-status-{}", status.as_str().replace('_', "-")))
}

/// The outcomes a decision reports on the page after it (`?done=`).
pub const OUTCOMES: [&str; 5] = ["review", "question", "approved", "first-approval", "rejected"];

/// The form read into the service's request, or what is wrong with it, field by field.
fn approve_request(chrome: &Chrome, grant: &GrantDto, form: &DecisionForm) -> Result<ApproveRequest, Errors> {
    let mut errors = Errors::default();
    let mut request = ApproveRequest::default();
    if grant.pending_approval.is_none() {
        match format::parse_money(&form.approved) {
            Some(cents) if cents > 0 => request.approved_cents = Some(cents),
            _ => errors.add("approved", chrome.t("approve-amount-invalid")),
        }
    }
    {
        let mut plan = Vec::new();
        for (i, (date, amount)) in form.rows().iter().enumerate() {
            if date.trim().is_empty() && amount.trim().is_empty() {
                continue;
            }
            let n = i + 1;
            let due_on = format::parse_date(date);
            let cents = format::parse_money(amount).filter(|c| *c > 0);
            if due_on.is_none() {
                errors.add(
                    format!("tranche_{n}_date"),
                    chrome.t_with("tranche-date-invalid", "n", &n.to_string()),
                );
            }
            if cents.is_none() {
                errors.add(
                    format!("tranche_{n}_amount"),
                    chrome.t_with("tranche-amount-invalid", "n", &n.to_string()),
                );
            }
            if let (Some(due_on), Some(amount_cents)) = (due_on, cents) {
                plan.push(TranchePlan { due_on, amount_cents });
            }
        }
        request.tranches = (!plan.is_empty()).then_some(plan);
    }
    if form.checked.is_empty() {
        errors.add("checked", chrome.t("approve-check-missing"));
    }
    if errors.is_empty() {
        Ok(request)
    } else {
        Err(errors)
    }
}

/// What a refusal of the service says on the page, beside the field it is about.
fn refusal(chrome: &Chrome, caller: &Caller, grant: &GrantDto, err: &ApiError) -> (StatusCode, Errors) {
    let first_by_caller = grant.pending_approval.as_ref().is_some_and(|p| p.approved_by == caller.user_id);
    match err.code {
        ErrorCode::ValidationFailed => {
            let mut errors = Errors::default();
            for field in &err.errors {
                let (id, key) = match field.field.as_str() {
                    "question" => ("question", "question-missing"),
                    "reason" => ("reason", "reason-missing"),
                    "approved_cents" => ("approved", "approve-amount-refused"),
                    _ => ("tranche_1_amount", "approve-tranches-refused"),
                };
                if !errors.0.iter().any(|(f, _)| f == id) {
                    errors.add(id, chrome.t(key));
                }
            }
            (StatusCode::UNPROCESSABLE_ENTITY, errors)
        }
        ErrorCode::InsufficientBudget => {
            (StatusCode::CONFLICT, Errors::one("approved", chrome.t("approve-no-budget")))
        }
        ErrorCode::FourEyesRequired if first_by_caller => {
            (StatusCode::CONFLICT, Errors::one("besluit", chrome.t("decision-four-eyes-self")))
        }
        ErrorCode::FourEyesRequired => {
            (StatusCode::CONFLICT, Errors::one("besluit", chrome.t("decision-four-eyes-own")))
        }
        ErrorCode::Forbidden => {
            (StatusCode::FORBIDDEN, Errors::one("besluit", chrome.t("decision-forbidden")))
        }
        _ => (StatusCode::CONFLICT, Errors::one("besluit", chrome.t("decision-not-now"))),
    }
}

/// A decision, read from the form.
enum Decision {
    StartReview,
    RequestInfo(GrantActionRequest),
    Reject(GrantActionRequest),
    Approve(ApproveRequest),
}

impl Decision {
    /// The decision from the form, or what is wrong with it.
    fn read(
        chrome: &Chrome,
        grant: &GrantDto,
        action: &str,
        form: &DecisionForm,
    ) -> Result<Option<Self>, Errors> {
        let text = |value: &str| (!value.trim().is_empty()).then(|| value.trim().to_owned());
        Ok(Some(match action {
            "start-review" => Decision::StartReview,
            "request-info" => {
                let question = text(&form.question)
                    .ok_or_else(|| Errors::one("question", chrome.t("question-missing")))?;
                Decision::RequestInfo(GrantActionRequest {
                    question: Some(question),
                    ..GrantActionRequest::default()
                })
            }
            "reject" => {
                let reason =
                    text(&form.reason).ok_or_else(|| Errors::one("reason", chrome.t("reason-missing")))?;
                Decision::Reject(GrantActionRequest { reason: Some(reason), ..GrantActionRequest::default() })
            }
            "approve" => Decision::Approve(approve_request(chrome, grant, form)?),
            _ => return Ok(None),
        }))
    }

    /// Takes it through the service the API's handler calls; the outcome's name for the page.
    fn take(self, conn: &mut DbConnection, caller: &Caller, id: &str) -> Result<&'static str, ApiError> {
        use crate::grants::decisions as service;
        Ok(match self {
            Decision::StartReview => service::start_review(conn, caller, id).map(|_| "review")?,
            Decision::RequestInfo(request) => {
                service::request_info(conn, caller, id, request).map(|_| "question")?
            }
            Decision::Reject(request) => service::reject(conn, caller, id, request).map(|_| "rejected")?,
            Decision::Approve(request) => {
                let after = service::approve(conn, caller, id, request)?;
                if after.approved_at.is_some() {
                    "approved"
                } else {
                    "first-approval"
                }
            }
        })
    }
}

/// `POST /grants/{id}/decision/{action}`: `start-review`, `request-info`, `approve`, `reject`;
/// the decision, then the grant's page with its outcome, or the page again saying why not.
pub async fn decide(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    path: web::Path<(String, String)>,
    form: web::Form<DecisionForm>,
) -> Result<HttpResponse, ApiError> {
    let (id, action) = path.into_inner();
    let form = form.into_inner();
    if !csrf_ok(&req, &form.csrf) {
        return refused(&state, &req, Some(&caller));
    }
    let (chrome, _) = super::layout::chrome(&state, &req, Some(&caller));
    let found = {
        let (caller, id) = (caller.clone(), id.clone());
        state.db.run(move |conn| crate::grants::applications::get(conn, &caller, &id)).await
    };
    let again = |caller, form, errors, status| {
        super::grants::again(&state, &req, caller, id.clone(), Typed::Decision(form), errors, status)
    };
    let Some(grant) = super::layout::visible(found)? else {
        return again(caller, form, Errors::default(), StatusCode::NOT_FOUND).await;
    };
    let decision = match Decision::read(&chrome, &grant, &action, &form) {
        Ok(Some(decision)) => decision,
        Ok(None) => return Ok(see_other(&format!("/grants/{id}"))),
        Err(errors) => return again(caller, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let (acting, target) = (caller.clone(), id.clone());
    match state.db.run(move |conn| decision.take(conn, &acting, &target)).await {
        Ok(outcome) => Ok(see_other(&format!("/grants/{id}?done={outcome}"))),
        Err(err) if err.code == ErrorCode::NotFound => {
            again(caller, form, Errors::default(), StatusCode::NOT_FOUND).await
        }
        Err(err) if err.code.status().is_client_error() => {
            let (status, errors) = refusal(&chrome, &caller, &grant, &err);
            again(caller, form, errors, status).await
        }
        Err(err) => Err(err),
    }
}
