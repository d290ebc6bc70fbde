//! HTTP handlers for grants and tranches.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::auth::Caller;
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::funds::dto::LedgerQuery;
use crate::http::extractors::optional_json;
use crate::http::pagination::{Page, PageRequest};
use crate::http::{etag, idempotency};
use crate::ledger::{self, EntryDto};
use crate::state::AppState;

use super::dto::{
    ApproveRequest, CreateGrant, CreateTranche, GrantActionRequest, GrantDto, GrantQuery, PayRequest,
    TrancheDto, TrancheList, UpdateGrant,
};
use super::views::{self, NetworkGrants};
use super::{applications, decisions, record, tranches};

/// Apply for a grant.
///
/// The network's coordinator or treasurer, to a fund of a municipality the network works with.
/// Starts as a draft; `submit` sends it.
#[utoipa::path(post, path = "/api/v1/grants", tag = "grants", operation_id = "createGrant",
    security(("bearer" = [])), request_body = CreateGrant,
    responses((status = 201, description = "Drafted", body = GrantDto)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<CreateGrant>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let dto = state.db.run(move |conn| applications::create(conn, &caller, input)).await?;
    Ok(etag::created(format!("/api/v1/grants/{}", dto.id), dto.version, dto))
}

/// List grants.
///
/// Those of the caller's municipalities and networks, filtered by fund, network, status and
/// decision deadline.
#[utoipa::path(get, path = "/api/v1/grants", tag = "grants", operation_id = "listGrants",
    security(("bearer" = [])), params(GrantQuery),
    responses((status = 200, description = "A page of grants", body = Page<GrantDto>)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<GrantQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let page = state.db.run(move |conn| applications::list(conn, &caller, query, &page)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a grant.
///
/// For the municipality's people and the network's members, with `allowed_actions`.
#[utoipa::path(get, path = "/api/v1/grants/{id}", tag = "grants", operation_id = "getGrant",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Grant id")),
    responses((status = 200, description = "The grant", body = GrantDto)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let dto = state.db.run(move |conn| applications::get(conn, &caller, &id)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// Edit an application.
///
/// In draft, or while a question is open. The network's coordinator or treasurer.
#[utoipa::path(patch, path = "/api/v1/grants/{id}", tag = "grants", operation_id = "updateGrant",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Grant id"), ("If-Match" = Option<String>, Header)),
    request_body = UpdateGrant,
    responses((status = 200, description = "The edited application", body = GrantDto)))]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<uuid::Uuid>,
    body: web::Json<UpdateGrant>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let expected = etag::expected_version(&req)?;
    let change = body.into_inner();
    let dto = state.db.run(move |conn| applications::update(conn, &caller, &id, expected, change)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// A workflow step of a grant, given the optional body of the action.
type Step = fn(&mut DbConnection, &Caller, &str, GrantActionRequest) -> Result<GrantDto, ApiError>;

async fn act(
    state: web::Data<AppState>,
    caller: Caller,
    id: uuid::Uuid,
    step: Step,
    body: &[u8],
) -> Result<HttpResponse, ApiError> {
    let request: GrantActionRequest = optional_json(body)?;
    let id = id.to_string();
    let dto = state.db.run(move |conn| step(conn, &caller, &id, request)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// One handler per workflow action, so each has its own documented path.
macro_rules! grant_action {
    ($name:ident, $step:expr, $path:literal, $operation:literal, $summary:literal, $description:literal) => {
        #[doc = $summary]
        #[doc = ""]
        #[doc = $description]
        #[utoipa::path(post, path = $path, tag = "grants", operation_id = $operation,
            security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Grant id")),
            request_body(content = GrantActionRequest, description = "Optional: `reason`, `question`, `answer`"),
            responses((status = 200, description = "The grant after the action", body = GrantDto)))]
        pub async fn $name(
            state: web::Data<AppState>,
            caller: Caller,
            id: web::Path<uuid::Uuid>,
            body: web::Bytes,
        ) -> Result<HttpResponse, ApiError> {
            act(state, caller, id.into_inner(), $step, &body).await
        }
    };
}

grant_action!(submit, applications::submit, "/api/v1/grants/{id}/submit", "submitGrant", "Submit an application.",
    "The network's coordinator or treasurer, while the fund is open; after a question, with an `answer`. The legal decision deadline starts at the first submission.");
grant_action!(
    start_review,
    |conn, caller, id, _| decisions::start_review(conn, caller, id),
    "/api/v1/grants/{id}/start-review",
    "startGrantReview",
    "Start reviewing an application.",
    "Officers of the fund's municipality."
);
grant_action!(
    request_info,
    decisions::request_info,
    "/api/v1/grants/{id}/request-info",
    "requestGrantInfo",
    "Ask the network a question.",
    "Officers, with a `question`; the network answers by editing and submitting again."
);
grant_action!(
    reject,
    decisions::reject,
    "/api/v1/grants/{id}/reject",
    "rejectGrant",
    "Reject an application.",
    "Officers, with a `reason`."
);
grant_action!(
    withdraw,
    |conn, caller, id, _| applications::withdraw(conn, caller, id),
    "/api/v1/grants/{id}/withdraw",
    "withdrawGrant",
    "Withdraw an application.",
    "The network, before a decision."
);
grant_action!(cancel, decisions::cancel, "/api/v1/grants/{id}/cancel", "cancelGrant", "Cancel an approved grant.",
    "Officers, with a `reason`. Scheduled tranches are cancelled and what was not paid goes back to the fund. Not while one of its tranches is in an open payment batch (409 `tranche_in_payment_batch`).");

/// Approve an application.
///
/// Officers; at most the requested amount and the fund's maximum, with an optional tranche plan
/// (one tranche of the whole amount, due at once, by default). At or above the fund's four-eyes
/// threshold (the fund's when the application was submitted) the first approval is recorded and
/// a second, different person (officer or finance, never a service account: 403
/// `four_eyes_required`) completes it; any change to the application or step out of review
/// clears a first approval. Nobody approves an application they created or submitted, or one of
/// a network they belong to. Commits the budget (409
/// `insufficient_budget` when the fund cannot carry it). Requires an `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/grants/{id}/approve", tag = "grants", operation_id = "approveGrant",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Grant id")),
    request_body(content = ApproveRequest, description = "Optional: `approved_cents`, `tranches`"),
    responses((status = 200, description = "Approved, or the first of two approvals recorded", body = GrantDto)))]
pub async fn approve(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<uuid::Uuid>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    idempotency::require(&req, "approveGrant")?;
    let request: ApproveRequest = optional_json(&body)?;
    let id = id.into_inner().to_string();
    let dto = state.db.run(move |conn| decisions::approve(conn, &caller, &id, request)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// The grant's ledger.
///
/// Its commit, payments, releases and refunds, oldest first.
#[utoipa::path(get, path = "/api/v1/grants/{id}/ledger", tag = "grants", operation_id = "getGrantLedger",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Grant id"), LedgerQuery),
    responses((status = 200, description = "A page of ledger entries", body = Page<EntryDto>)))]
pub async fn ledger(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: web::Query<LedgerQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let result = state
        .db
        .run(move |conn| {
            record::visible(conn, &caller, &id, false)?;
            let rows = ledger::entries(conn, None, Some(&id), page.after_id.as_deref(), page.fetch_limit())?;
            Page::from_rows(rows, &page, |r| &r.id, |r| r).try_map(EntryDto::try_from)
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

/// Tranches of a grant.
///
/// Scheduled, paid and cancelled payments, oldest first.
#[utoipa::path(get, path = "/api/v1/grants/{id}/tranches", tag = "grants", operation_id = "listTranches",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Grant id")),
    responses((status = 200, description = "Every tranche", body = TrancheList)))]
pub async fn list_tranches(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let items = state.db.run(move |conn| tranches::list(conn, &caller, &id)).await?;
    Ok(HttpResponse::Ok().json(TrancheList { items }))
}

/// One tranche.
///
/// Its amount, due date, status and what the caller may do with it; the link in payment
/// reminders.
#[utoipa::path(get, path = "/api/v1/tranches/{id}", tag = "grants", operation_id = "getTranche",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Tranche id")),
    responses((status = 200, description = "The tranche", body = TrancheDto)))]
pub async fn get_tranche(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let dto = state.db.run(move |conn| tranches::get(conn, &caller, &id)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// Schedule a tranche.
///
/// Officers, on an approved or active grant, within what was approved (409 `overpayment`).
#[utoipa::path(post, path = "/api/v1/grants/{id}/tranches", tag = "grants", operation_id = "addTranche",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Grant id")),
    request_body = CreateTranche,
    responses((status = 201, description = "Scheduled", body = TrancheDto)))]
pub async fn add_tranche(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    body: web::Json<CreateTranche>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let input = body.into_inner();
    let dto = state.db.run(move |conn| tranches::add(conn, &caller, &id, input)).await?;
    Ok(etag::created(format!("/api/v1/grants/{}/tranches", dto.grant_id), dto.version, dto))
}

/// Mark a tranche paid.
///
/// Finance or officers; once (409 when it is paid or cancelled already; 409
/// `tranche_in_payment_batch` while it is in an open payment batch). The first payment makes
/// the grant `active`. Requires an `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/tranches/{id}/pay", tag = "grants", operation_id = "payTranche",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Tranche id")),
    request_body(content = PayRequest, description = "Optional: `paid_on`, `payment_reference`"),
    responses((status = 200, description = "Paid", body = TrancheDto)))]
pub async fn pay_tranche(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<uuid::Uuid>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    idempotency::require(&req, "payTranche")?;
    let request: PayRequest = optional_json(&body)?;
    let id = id.into_inner().to_string();
    let dto = state.db.run(move |conn| tranches::pay(conn, &caller, &id, request)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// Cancel a scheduled tranche.
///
/// Officers. Its amount can be scheduled again. Not while it is in an open payment batch (409
/// `tranche_in_payment_batch`).
#[utoipa::path(post, path = "/api/v1/tranches/{id}/cancel", tag = "grants", operation_id = "cancelTranche",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Tranche id")),
    responses((status = 200, description = "Cancelled", body = TrancheDto)))]
pub async fn cancel_tranche(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let dto = state.db.run(move |conn| tranches::cancel(conn, &caller, &id)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// A CSV download named `file_name`.
pub fn csv_response(file_name: &str, body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{file_name}\"")))
        .body(body)
}

/// A network's grants.
///
/// The treasurer's overview: awarded, paid, still to come and when the report is due, per grant
/// and in total, for the grants the caller may see.
#[utoipa::path(get, path = "/api/v1/networks/{id}/grants", tag = "grants", operation_id = "listNetworkGrants",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Network id")),
    responses((status = 200, description = "The overview", body = NetworkGrants)))]
pub async fn network_grants(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let overview = state.db.run(move |conn| views::network_grants(conn, &caller, &id)).await?;
    Ok(HttpResponse::Ok().json(overview))
}

/// A fund's grants as CSV.
///
/// One row per grant, amounts in euros with two decimals; for the municipality's people.
#[utoipa::path(get, path = "/api/v1/funds/{id}/grants.csv", tag = "funds", operation_id = "exportFundGrants",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Fund id")),
    responses((status = 200, description = "CSV with a header row", body = String, content_type = "text/csv")))]
pub async fn fund_grants_csv(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let body = state.db.run(move |conn| views::fund_grants_csv(conn, &caller, &id)).await?;
    Ok(csv_response("grants.csv", body))
}
