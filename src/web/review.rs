//! A spending report as the municipality reviews it: the expense lines in euros beside their
//! receipts (images shown, PDFs opened), what the grant was awarded and paid, what was achieved
//! and whom it reached; then accept it, or send it back with comments. The same services as
//! the API (`reports::service::act`, `reports::receipts::download`).

use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::domain::workflow::{ReportAction, ReportStatus};
use crate::error::{ApiError, ErrorCode};
use crate::grants::dto::GrantDto;
use crate::reports::dto::{ReportDto, ReportKind};
use crate::state::AppState;

use super::form::{Control, Errors, Field};
use super::format;
use super::layout::{chrome, html, not_found, refused, see_other, visible, Chrome};
use super::session::{csrf_ok, SignedIn};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/reports/{id}").route(web::get().to(show)))
        .service(web::resource("/reports/{id}/{step}").route(web::post().to(decide)))
        .service(web::resource("/receipts/{id}").route(web::get().to(receipt)));
}

/// Categories with words of their own; any other is shown as typed.
const CATEGORIES: [&str; 6] = ["materials", "rent", "catering", "travel", "volunteers", "other"];

/// One expense line as a row.
pub struct LineRow {
    pub date: String,
    pub description: String,
    pub category: String,
    pub amount: String,
    /// `(receipt id, file name)` of the receipt it points at.
    pub receipt: Option<(String, String)>,
}

/// A receipt beside the lines.
pub struct ReceiptView {
    pub id: String,
    pub name: String,
    pub size: String,
    pub image: bool,
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    chrome: Chrome,
    title: String,
    id: String,
    grant_id: String,
    grant_title: String,
    notice: Option<String>,
    status: String,
    /// The comments sent back, while the report is with the network again.
    changes_asked: Option<String>,
    /// `(label, value)`.
    facts: Vec<(String, String)>,
    narrative: String,
    lines: Vec<LineRow>,
    total: String,
    receipts: Vec<ReceiptView>,
    can_accept: bool,
    can_request_changes: bool,
    comments: Field,
    errors: Vec<(String, String)>,
}

pub fn status_words(chrome: &Chrome, status: ReportStatus) -> String {
    chrome.t(match status {
        ReportStatus::Draft => "review-status-draft",
        ReportStatus::Submitted => "review-status-submitted",
        ReportStatus::Accepted => "review-status-accepted",
    })
}

pub fn kind_words(chrome: &Chrome, kind: ReportKind) -> String {
    chrome.t(match kind {
        ReportKind::Interim => "review-kind-interim",
        ReportKind::Final => "review-kind-final",
    })
}

/// The report's receipts, to show beside its lines or on the grant's page.
pub fn receipts(chrome: &Chrome, report: &ReportDto) -> Vec<ReceiptView> {
    report
        .receipts
        .iter()
        .map(|r| ReceiptView {
            id: r.id.clone(),
            name: r.file_name.clone(),
            size: super::reports::size(chrome.lang, r.size_bytes),
            image: r.media_type.starts_with("image/"),
        })
        .collect()
}

fn page(
    chrome: Chrome,
    grant: &GrantDto,
    report: &ReportDto,
    notice: Option<String>,
    comments: String,
    errors: Errors,
) -> ReviewPage {
    let lang = chrome.lang;
    let money = |cents: i64| format::money(lang, cents);
    let kind = kind_words(&chrome, report.kind);
    let mut facts = vec![
        (chrome.t("review-kind"), kind),
        (chrome.t("fact-approved"), grant.approved_cents.map(money).unwrap_or_else(|| money(0))),
        (chrome.t("review-paid"), money(grant.paid_cents)),
        (chrome.t("review-spent"), money(report.expenses_total_cents)),
        (
            chrome.t("review-people"),
            report.people_reached.map(|n| n.to_string()).unwrap_or_else(|| chrome.t("review-unknown")),
        ),
    ];
    if let Some(at) = report.submitted_at {
        facts.push((chrome.t("review-submitted-on"), format::moment(lang, at)));
    }
    let names: Vec<(String, String)> =
        report.receipts.iter().map(|r| (r.id.clone(), r.file_name.clone())).collect();
    let lines = report
        .expenses
        .iter()
        .map(|e| LineRow {
            date: format::date(lang, e.spent_on),
            description: e.description.clone(),
            category: if CATEGORIES.contains(&e.category.as_str()) {
                chrome.t(&format!("category-{}", e.category))
            } else {
                e.category.clone()
            },
            amount: money(e.amount_cents),
            receipt: e.receipt_id.as_ref().and_then(|id| names.iter().find(|(r, _)| r == id).cloned()),
        })
        .collect();
    let receipts = receipts(&chrome, report);
    let mut comments = Field::new("comments", chrome.t("field-review-comments"), Control::TextArea)
        .hint(chrome.t("field-review-comments-hint"))
        .value(comments);
    errors.attach(std::slice::from_mut(&mut comments));
    let can = |action| report.allowed_actions.contains(&action);
    ReviewPage {
        title: chrome.t("review-title"),
        id: report.id.clone(),
        grant_id: grant.id.clone(),
        grant_title: grant.title.clone(),
        notice,
        status: status_words(&chrome, report.status),
        changes_asked: report.status_reason.clone().filter(|_| report.status == ReportStatus::Draft),
        facts,
        narrative: report.narrative.clone(),
        lines,
        total: money(report.expenses_total_cents),
        receipts,
        can_accept: can(ReportAction::Accept),
        can_request_changes: can(ReportAction::RequestChanges),
        comments,
        errors: errors.0,
        chrome,
    }
}

/// The report and its grant, as the person may see them; `None` when they may not.
async fn load(
    state: &AppState,
    caller: crate::auth::Caller,
    id: String,
) -> Result<Option<(GrantDto, ReportDto)>, ApiError> {
    let found = state
        .db
        .run(move |conn| {
            let report = crate::reports::service::get(conn, &caller, &id)?;
            let grant = crate::grants::applications::get(conn, &caller, &report.grant_id)?;
            Ok::<_, ApiError>((grant, report))
        })
        .await;
    visible(found)
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    done: Option<String>,
}

/// `GET /reports/{id}`.
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let Some((grant, report)) = load(&state, caller, id.into_inner()).await? else {
        return not_found(chrome, cookies);
    };
    let done = web::Query::<ShowQuery>::from_query(req.query_string()).ok().and_then(|q| q.done.clone());
    let notice = match done.as_deref() {
        Some("accepted") => Some(chrome.t("review-accepted")),
        Some("changes") => Some(chrome.t("review-changes-sent")),
        _ => None,
    };
    html(StatusCode::OK, cookies, &page(chrome, &grant, &report, notice, String::new(), Errors::default()))
}

#[derive(Debug, Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    comments: String,
}

/// `POST /reports/{id}/accept` and `POST /reports/{id}/request-changes` (with comments): the
/// step, then the report's page with the outcome.
pub async fn decide(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    path: web::Path<(String, String)>,
    form: web::Form<DecideForm>,
) -> Result<HttpResponse, ApiError> {
    let (id, step) = path.into_inner();
    let (action, done) = match step.as_str() {
        "accept" => (ReportAction::Accept, "accepted"),
        "request-changes" => (ReportAction::RequestChanges, "changes"),
        _ => return Ok(see_other(&format!("/reports/{id}"))),
    };
    let DecideForm { csrf, comments } = form.into_inner();
    if !csrf_ok(&req, &csrf) {
        return refused(&state, &req, Some(&caller));
    }
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let Some((grant, report)) = load(&state, caller.clone(), id.clone()).await? else {
        return not_found(chrome, cookies);
    };
    let reason = match action {
        ReportAction::RequestChanges if comments.trim().is_empty() => {
            let errors = Errors::one("comments", chrome.t("review-comments-missing"));
            let page = page(chrome, &grant, &report, None, comments, errors);
            return html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &page);
        }
        ReportAction::RequestChanges => Some(comments.trim().to_owned()),
        _ => None,
    };
    let target = id.clone();
    let outcome =
        state.db.run(move |conn| crate::reports::service::act(conn, &caller, &target, action, reason)).await;
    match outcome {
        Ok(_) => Ok(see_other(&format!("/reports/{id}?done={done}"))),
        Err(err) if err.code == ErrorCode::NotFound => not_found(chrome, cookies),
        Err(err) if err.code.status().is_client_error() => {
            let (field, key, status) = match (action, err.code) {
                (ReportAction::Accept, ErrorCode::ValidationFailed) => {
                    ("accept", "review-incomplete", StatusCode::UNPROCESSABLE_ENTITY)
                }
                (ReportAction::RequestChanges, ErrorCode::ValidationFailed) => {
                    ("comments", "review-comments-too-long", StatusCode::UNPROCESSABLE_ENTITY)
                }
                (ReportAction::Accept, _) => ("accept", "step-not-now", StatusCode::CONFLICT),
                _ => ("comments", "step-not-now", StatusCode::CONFLICT),
            };
            let errors = Errors::one(field, chrome.t(key));
            html(status, cookies, &page(chrome, &grant, &report, None, comments, errors))
        }
        Err(err) => Err(err),
    }
}

/// `GET /receipts/{id}`: the receipt itself, for whoever may see its report (as the API's
/// download), shown in the page: its real type, inline, never sniffed.
pub async fn receipt(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let (id, data_dir) = (id.into_inner(), state.settings.data_dir.clone());
    let found =
        state.db.run(move |conn| crate::reports::receipts::download(conn, &caller, &id, &data_dir)).await;
    let Some((receipt, bytes)) = visible(found)? else { return not_found(chrome, cookies) };
    Ok(HttpResponse::Ok()
        .content_type(receipt.media_type.as_str())
        .insert_header(ContentDisposition {
            disposition: DispositionType::Inline,
            parameters: vec![DispositionParam::Filename(receipt.file_name.clone())],
        })
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Cache-Control", "private, no-store"))
        .body(bytes))
}
