//! HTTP handlers for agreements, their versions, documents and check-ins.

use actix_web::http::header::ACCEPT_LANGUAGE;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::auth::Caller;
use crate::domain::workflow::AgreementAction;
use crate::error::ApiError;
use crate::http::etag;
use crate::http::extractors::optional_json;
use crate::http::pagination::{Page, PageRequest};
use crate::state::AppState;

use super::content::VersionDiff;
use super::document::{self, Language, Names};
use super::dto::{
    ActionRequest, AgreementDto, AgreementQuery, CheckInDto, CheckInList, CheckInRequest, CreateAgreement,
    DiffQuery, UpdateAgreement, VersionDto, VersionList,
};
use super::{check_ins, loaded, service, versions};

/// Draft an agreement.
///
/// Officers of the municipality, or a coordinator of a network that works with it (their network
/// among the parties). The municipality is always a party.
#[utoipa::path(post, path = "/api/v1/agreements", tag = "agreements", operation_id = "createAgreement",
    security(("bearer" = [])), request_body = CreateAgreement,
    responses((status = 201, description = "Drafted", body = AgreementDto)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<CreateAgreement>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let dto = state.db.run(move |conn| service::create(conn, &caller, input)).await?;
    Ok(etag::created(format!("/api/v1/agreements/{}", dto.id), dto.version, dto))
}

/// List agreements.
///
/// Those of the caller's municipalities and those their networks or organisations are a party to.
#[utoipa::path(get, path = "/api/v1/agreements", tag = "agreements", operation_id = "listAgreements",
    security(("bearer" = [])), params(AgreementQuery),
    responses((status = 200, description = "A page of agreements", body = Page<AgreementDto>)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<AgreementQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let page = state.db.run(move |conn| service::list(conn, &caller, query, &page)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get an agreement.
///
/// For its parties and the municipality's people: the version in force, an amendment under
/// negotiation, and `allowed_actions` for the caller.
#[utoipa::path(get, path = "/api/v1/agreements/{id}", tag = "agreements", operation_id = "getAgreement",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Agreement id")),
    responses((status = 200, description = "The agreement", body = AgreementDto)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let dto = state.db.run(move |conn| service::get(conn, &caller, &id)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// Edit the version under negotiation.
///
/// The draft (or proposed) first version, or an open amendment. A proposed version returns to
/// draft and loses its signatures. A signed version never changes.
#[utoipa::path(patch, path = "/api/v1/agreements/{id}", tag = "agreements", operation_id = "updateAgreement",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Agreement id"), ("If-Match" = Option<String>, Header)),
    request_body = UpdateAgreement,
    responses((status = 200, description = "The edited agreement", body = AgreementDto)))]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<uuid::Uuid>,
    body: web::Json<UpdateAgreement>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let expected = etag::expected_version(&req)?;
    let change = body.into_inner();
    let dto = state.db.run(move |conn| service::update(conn, &caller, &id, expected, change)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

async fn act(
    state: web::Data<AppState>,
    caller: Caller,
    id: uuid::Uuid,
    action: AgreementAction,
    body: &[u8],
) -> Result<HttpResponse, ApiError> {
    let request: ActionRequest = optional_json(body)?;
    let id = id.to_string();
    let dto = state
        .db
        .run(move |conn| service::act(conn, &caller, &id, action, request.reason, request.party))
        .await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// One handler per workflow action, so each has its own documented path.
macro_rules! action_handler {
    ($name:ident, $action:expr, $path:literal, $operation:literal, $summary:literal, $description:literal) => {
        #[doc = $summary]
        #[doc = ""]
        #[doc = $description]
        #[utoipa::path(post, path = $path, tag = "agreements", operation_id = $operation,
            security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Agreement id")),
            request_body(content = ActionRequest, description = "Optional: `reason`, `party`"),
            responses((status = 200, description = "The agreement after the action", body = AgreementDto)))]
        pub async fn $name(
            state: web::Data<AppState>,
            caller: Caller,
            id: web::Path<uuid::Uuid>,
            body: web::Bytes,
        ) -> Result<HttpResponse, ApiError> {
            act(state, caller, id.into_inner(), $action, &body).await
        }
    };
}

action_handler!(
    propose,
    AgreementAction::Propose,
    "/api/v1/agreements/{id}/propose",
    "proposeAgreement",
    "Propose the version under negotiation to the parties.",
    "Those who draft it. The parties then sign it, or ask for changes."
);
action_handler!(
    request_changes,
    AgreementAction::RequestChanges,
    "/api/v1/agreements/{id}/request-changes",
    "requestAgreementChanges",
    "Send a proposed version back to draft.",
    "Any party's representative, with a `reason`. Signatures on that version are cleared."
);
action_handler!(sign, AgreementAction::Sign, "/api/v1/agreements/{id}/sign", "signAgreement",
    "Sign the proposed version for a party.",
    "Records signer, party, time and the SHA-256 of the version's canonical content. When every party has signed the same version the agreement is `signed`, and `active` from `starts_on` (at once when that date has passed); a signed amendment becomes current.");
action_handler!(
    suspend,
    AgreementAction::Suspend,
    "/api/v1/agreements/{id}/suspend",
    "suspendAgreement",
    "Suspend an active agreement.",
    "Officers of the municipality, with a `reason`."
);
action_handler!(
    resume,
    AgreementAction::Resume,
    "/api/v1/agreements/{id}/resume",
    "resumeAgreement",
    "Resume a suspended agreement.",
    "Officers of the municipality."
);
action_handler!(
    complete,
    AgreementAction::Complete,
    "/api/v1/agreements/{id}/complete",
    "completeAgreement",
    "Complete an active agreement.",
    "Officers of the municipality, when everything was done."
);
action_handler!(
    terminate,
    AgreementAction::Terminate,
    "/api/v1/agreements/{id}/terminate",
    "terminateAgreement",
    "Terminate an agreement in force.",
    "Officers of the municipality, with a `reason`. An open amendment is dropped."
);

/// Open an amendment.
///
/// Version n+1 starts as a copy of the version in force, is edited, proposed and signed by every
/// party while version n stays in force, and then becomes current.
#[utoipa::path(post, path = "/api/v1/agreements/{id}/amendments", tag = "agreements", operation_id = "amendAgreement",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Agreement id")),
    responses((status = 201, description = "The agreement with its amendment", body = AgreementDto)))]
pub async fn amend(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let dto = state
        .db
        .run(move |conn| service::act(conn, &caller, &id, AgreementAction::Amend, None, None))
        .await?;
    let number = dto.amendment.as_ref().map_or(dto.current.number, |a| a.number);
    Ok(etag::created(format!("/api/v1/agreements/{}/versions/{number}", dto.id), dto.version, dto))
}

/// Every version of an agreement.
///
/// Oldest first, with content, hash and signatures.
#[utoipa::path(get, path = "/api/v1/agreements/{id}/versions", tag = "agreements", operation_id = "listAgreementVersions",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Agreement id")),
    responses((status = 200, description = "Every version", body = VersionList)))]
pub async fn versions(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let items = state.db.run(move |conn| versions::list(conn, &caller, &id)).await?;
    Ok(HttpResponse::Ok().json(VersionList { items }))
}

/// One version of an agreement.
///
/// Its exact content, the SHA-256 of its canonical form, and who signed it when.
#[utoipa::path(get, path = "/api/v1/agreements/{id}/versions/{n}", tag = "agreements", operation_id = "getAgreementVersion",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Agreement id"), ("n" = i32, Path, description = "Version number")),
    responses((status = 200, description = "The version", body = VersionDto)))]
pub async fn version(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (id, number) = path.into_inner();
    let dto = state.db.run(move |conn| versions::get(conn, &caller, &id.to_string(), number)).await?;
    Ok(HttpResponse::Ok().json(dto))
}

/// What changed between two versions.
///
/// Changed fields, the clauses as a unified diff, and added, changed and removed commitments.
#[utoipa::path(get, path = "/api/v1/agreements/{id}/versions/{n}/diff", tag = "agreements", operation_id = "diffAgreementVersions",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Agreement id"), ("n" = i32, Path, description = "Version number"), DiffQuery),
    responses((status = 200, description = "The difference", body = VersionDiff)))]
pub async fn diff(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, i32)>,
    query: web::Query<DiffQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, number) = path.into_inner();
    let against = query.against.unwrap_or(number.saturating_sub(1));
    let diff =
        state.db.run(move |conn| versions::diff(conn, &caller, &id.to_string(), number, against)).await?;
    Ok(HttpResponse::Ok().json(diff))
}

/// A version as a printable page.
///
/// Clean HTML to file or print to PDF: title, parties, term, clauses, commitments, signatures
/// with time and hash. Dutch or English by `Accept-Language`.
#[utoipa::path(get, path = "/api/v1/agreements/{id}/versions/{n}/document", tag = "agreements", operation_id = "getAgreementDocument",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Agreement id"), ("n" = i32, Path, description = "Version number")),
    responses((status = 200, description = "The printable agreement", body = String, content_type = "text/html")))]
pub async fn document(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(uuid::Uuid, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (id, number) = path.into_inner();
    let language =
        Language::from_accept_language(req.headers().get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    let html = state
        .db
        .run(move |conn| {
            let loaded = loaded::visible(conn, &caller, &id.to_string())?;
            let version = versions::find(&loaded, number)?;
            let signers: Vec<String> = version.signatures.iter().map(|s| s.signed_by.clone()).collect();
            let names = Names::load(conn, &version.content.parties, &signers)?;
            Ok(document::render(language, &version, loaded.status().as_str(), &names))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Language", language.code()))
        .body(html))
}

/// Record a check-in.
///
/// A meeting of the parties: when, who, notes and agreed actions. Any party's representative.
#[utoipa::path(post, path = "/api/v1/agreements/{id}/check-ins", tag = "agreements", operation_id = "createCheckIn",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Agreement id")),
    request_body = CheckInRequest,
    responses((status = 201, description = "Recorded", body = CheckInDto)))]
pub async fn create_check_in(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    body: web::Json<CheckInRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let input = body.into_inner();
    let dto = state.db.run(move |conn| check_ins::create(conn, &caller, &id, input)).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/agreements/{}/check-ins", dto.agreement_id)))
        .json(dto))
}

/// Check-ins of an agreement.
///
/// Oldest first; visible to every party.
#[utoipa::path(get, path = "/api/v1/agreements/{id}/check-ins", tag = "agreements", operation_id = "listCheckIns",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Agreement id")),
    responses((status = 200, description = "Every check-in", body = CheckInList)))]
pub async fn list_check_ins(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let items = state.db.run(move |conn| check_ins::list(conn, &caller, &id)).await?;
    Ok(HttpResponse::Ok().json(CheckInList { items }))
}
