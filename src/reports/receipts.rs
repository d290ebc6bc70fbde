//! Receipts: files (PDF, JPEG, PNG) uploaded to a report in draft, stored by their hash, and
//! read back by whoever may see the report.

use std::path::Path;

use crate::auth::Caller;
use crate::db::{write_transaction, DbConnection};
use crate::domain::time::{now, utc};
use crate::domain::workflow::ReportAction;
use crate::domain::BoundedText;
use crate::error::{ApiError, ErrorCode};

use super::dto::ReceiptDto;
use super::repo::{self, ReceiptRow};
use super::service::{authorize_action, load, record};
use super::storage;

pub(super) fn receipt_dto(row: ReceiptRow) -> ReceiptDto {
    ReceiptDto {
        id: row.id,
        report_id: row.report_id,
        media_type: row.media_type,
        size_bytes: row.size_bytes,
        file_name: row.file_name,
        sha256: row.sha256,
        created_at: utc(row.created_at),
    }
}

/// Refuses an upload before its bytes are read: 404 for what the caller cannot see, 403 or
/// 409 when they may not add to this report now.
pub fn check_upload(conn: &mut DbConnection, caller: &Caller, report_id: &str) -> Result<(), ApiError> {
    let (report, grant, _) = load(conn, caller, report_id, false)?;
    authorize_action(caller, &report, &grant, ReportAction::Edit)
}

/// Adds a receipt to a report in draft. The file is stored before the transaction; a refused
/// upload leaves at most an unreferenced file, never a row without its file.
pub fn add_receipt(
    conn: &mut DbConnection,
    caller: &Caller,
    report_id: &str,
    file_name: &str,
    bytes: &[u8],
    data_dir: &Path,
) -> Result<ReceiptDto, ApiError> {
    let media_type = storage::sniff(bytes)
        .ok_or_else(|| ApiError::invalid_field("file", "must be a PDF, JPEG or PNG file"))?;
    let file_name = BoundedText::<200>::parse(file_name)
        .map(BoundedText::into_inner)
        .unwrap_or_else(|_| "receipt".to_owned());
    {
        let (report, grant, _) = load(conn, caller, report_id, false)?;
        authorize_action(caller, &report, &grant, ReportAction::Edit)?;
    }
    let sha256 = storage::store(data_dir, bytes).map_err(ApiError::internal)?;
    write_transaction(conn, |conn| {
        let (report, grant, _) = load(conn, caller, report_id, true)?;
        authorize_action(caller, &report, &grant, ReportAction::Edit)?;
        let row = ReceiptRow {
            id: uuid::Uuid::now_v7().to_string(),
            report_id: report.id.clone(),
            municipality_id: report.municipality_id.clone(),
            sha256: sha256.clone(),
            media_type: media_type.to_owned(),
            size_bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            file_name: file_name.clone(),
            uploaded_by: caller.user_id.clone(),
            created_at: now(),
        };
        repo::insert_receipt(conn, &row)?;
        record(
            conn,
            caller,
            &grant,
            "report.receipt_added",
            serde_json::json!({"receipt": {"before": null, "after": {"id": row.id, "sha256": row.sha256, "media_type": row.media_type}}}),
        )?;
        Ok(receipt_dto(row))
    })
}

/// A receipt the caller may see (like its report), with where its bytes are.
pub fn receipt(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    data_dir: &Path,
) -> Result<(ReceiptDto, std::path::PathBuf), ApiError> {
    let row = repo::find_receipt(conn, id)?.ok_or_else(|| ApiError::not_found("No such receipt."))?;
    load(conn, caller, &row.report_id, false).map_err(|e| match e.code {
        ErrorCode::NotFound => ApiError::not_found("No such receipt."),
        _ => e,
    })?;
    let path = storage::path_of(data_dir, &row.sha256);
    Ok((receipt_dto(row), path))
}

/// A receipt the caller may see, with its bytes: what the API's download and the review page
/// serve, with the same visibility.
pub fn download(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    data_dir: &Path,
) -> Result<(ReceiptDto, Vec<u8>), ApiError> {
    let (receipt, path) = self::receipt(conn, caller, id, data_dir)?;
    let bytes = std::fs::read(&path).map_err(ApiError::internal)?;
    Ok((receipt, bytes))
}
