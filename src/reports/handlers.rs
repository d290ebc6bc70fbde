//! HTTP handlers for spending reports and receipts.

use actix_multipart::Multipart;
use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{web, HttpResponse};
use futures_util::StreamExt;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::domain::workflow::ReportAction;
use crate::error::{ApiError, ErrorCode};
use crate::grants::handlers::csv_response;
use crate::http::etag;
use crate::http::extractors::optional_json;
use crate::state::AppState;

use super::dto::{CreateReport, ReceiptDto, ReportActionRequest, ReportDto, ReportList, UpdateReport};
use super::{expenses, receipts, service};

/// Start a spending report.
///
/// The network's coordinator or treasurer, on an approved, active or reporting grant.
#[utoipa::path(post, path = "/api/v1/grants/{id}/reports", tag = "reports", operation_id = "createReport",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Grant id")),
    request_body = CreateReport,
    responses((status = 201, description = "Drafted", body = ReportDto)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    body: web::Json<CreateReport>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let input = body.into_inner();
    let dto = state.db.run(move |conn| service::create(conn, &caller, &id, input)).await?;
    Ok(etag::created(format!("/api/v1/reports/{}", dto.id), dto.version, dto))
}

/// Spending reports of a grant.
///
/// Oldest first, with their receipts.
#[utoipa::path(get, path = "/api/v1/grants/{id}/reports", tag = "reports", operation_id = "listReports",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Grant id")),
    responses((status = 200, description = "Every report", body = ReportList)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let items = state.db.run(move |conn| service::list(conn, &caller, &id)).await?;
    Ok(HttpResponse::Ok().json(ReportList { items }))
}

/// Get a spending report.
///
/// For everyone who can see its grant.
#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "reports", operation_id = "getReport",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Report id")),
    responses((status = 200, description = "The report", body = ReportDto)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let dto = state.db.run(move |conn| service::get(conn, &caller, &id)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// Edit a spending report in draft.
///
/// The network's coordinator or treasurer.
#[utoipa::path(patch, path = "/api/v1/reports/{id}", tag = "reports", operation_id = "updateReport",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Report id")),
    request_body = UpdateReport,
    responses((status = 200, description = "The edited report", body = ReportDto)))]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    body: web::Json<UpdateReport>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let change = body.into_inner();
    let dto = state.db.run(move |conn| service::update(conn, &caller, &id, change)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

async fn act(
    state: web::Data<AppState>,
    caller: Caller,
    id: uuid::Uuid,
    action: ReportAction,
    body: &[u8],
) -> Result<HttpResponse, ApiError> {
    let request: ReportActionRequest = optional_json(body)?;
    let id = id.to_string();
    let dto = state.db.run(move |conn| service::act(conn, &caller, &id, action, request.reason)).await?;
    Ok(etag::with_etag(HttpResponse::Ok(), dto.version, dto))
}

/// One handler per workflow action, so each has its own documented path.
macro_rules! report_action {
    ($name:ident, $action:expr, $path:literal, $operation:literal, $summary:literal, $description:literal) => {
        #[doc = $summary]
        #[doc = ""]
        #[doc = $description]
        #[utoipa::path(post, path = $path, tag = "reports", operation_id = $operation,
                    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Report id")),
                    request_body(content = ReportActionRequest, description = "Optional: `reason`"),
                    responses((status = 200, description = "The report after the action", body = ReportDto)))]
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

report_action!(
    submit,
    ReportAction::Submit,
    "/api/v1/reports/{id}/submit",
    "submitReport",
    "Submit a spending report.",
    "The network's coordinator or treasurer."
);
report_action!(
    request_changes,
    ReportAction::RequestChanges,
    "/api/v1/reports/{id}/request-changes",
    "requestReportChanges",
    "Send a report back to the network.",
    "Officers, with a `reason`; the report returns to draft."
);
report_action!(accept, ReportAction::Accept, "/api/v1/reports/{id}/accept", "acceptReport", "Accept a spending report.",
    "Officers. What it must hold follows the fund's tier for the grant's amount: a narrative for an activity report; a narrative and expenses each covered by a receipt for a financial report.");

/// A receipt upload, as `multipart/form-data`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptUpload {
    /// A PDF, JPEG or PNG file, recognised by its content; at most 10 MiB by default.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// Upload a receipt.
///
/// To a report in draft, by the network's coordinator or treasurer: the form field `file`, a
/// PDF, JPEG or PNG recognised by its content (not its name), at most the configured size.
#[utoipa::path(post, path = "/api/v1/reports/{id}/receipts", tag = "reports", operation_id = "uploadReceipt",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Report id")),
    request_body(content = ReceiptUpload, content_type = "multipart/form-data"),
    responses((status = 201, description = "Stored", body = ReceiptDto)))]
pub async fn upload_receipt(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    mut form: Multipart,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let report_id = id.clone();
    let checker = caller.clone();
    state.db.run(move |conn| receipts::check_upload(conn, &checker, &report_id)).await?;
    let limit = state.settings.receipt_limit_bytes;
    let unreadable =
        || ApiError::bad_request("Send the receipt as multipart/form-data with the field `file`.");
    let mut upload: Option<(String, Vec<u8>)> = None;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|_| unreadable())?;
        let is_file = field.name() == Some("file") && upload.is_none();
        let file_name =
            field.content_disposition().and_then(|d| d.get_filename()).unwrap_or("receipt").to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| unreadable())?;
            if is_file {
                if bytes.len() + chunk.len() > limit {
                    return Err(ApiError::new(
                        ErrorCode::PayloadTooLarge,
                        format!("A receipt may be at most {limit} bytes."),
                    ));
                }
                bytes.extend_from_slice(&chunk);
            }
        }
        if is_file {
            upload = Some((file_name, bytes));
        }
    }
    let (file_name, bytes) = upload
        .ok_or_else(|| ApiError::invalid_field("file", "attach the receipt as the form field `file`"))?;
    let data_dir = state.settings.data_dir.clone();
    let dto = state
        .db
        .run(move |conn| receipts::add_receipt(conn, &caller, &id, &file_name, &bytes, &data_dir))
        .await?;
    Ok(HttpResponse::Created().insert_header(("Location", format!("/api/v1/receipts/{}", dto.id))).json(dto))
}

/// Download a receipt.
///
/// For everyone who can see its report.
#[utoipa::path(get, path = "/api/v1/receipts/{id}", tag = "reports", operation_id = "downloadReceipt",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Receipt id")),
    responses((status = 200, description = "The file with its real type (only PNG, JPEG and PDF are accepted on upload)",
        content(("image/png"), ("image/jpeg"), ("application/pdf")))))]
pub async fn download_receipt(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let data_dir = state.settings.data_dir.clone();
    let (receipt, bytes) =
        state.db.run(move |conn| receipts::download(conn, &caller, &id, &data_dir)).await?;
    Ok(HttpResponse::Ok()
        .content_type(receipt.media_type.as_str())
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(receipt.file_name.clone())],
        })
        .body(bytes))
}

/// A grant's expenses as CSV.
///
/// Every expense line of its spending reports, amounts in euros with two decimals.
#[utoipa::path(get, path = "/api/v1/grants/{id}/expenses.csv", tag = "grants", operation_id = "exportGrantExpenses",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Grant id")),
    responses((status = 200, description = "CSV with a header row", body = String, content_type = "text/csv")))]
pub async fn expenses_csv(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let body = state.db.run(move |conn| expenses::grant_expenses_csv(conn, &caller, &id)).await?;
    Ok(csv_response("expenses.csv", body))
}
