//! Optimistic concurrency: mutable resources carry a `version`, sent as a strong `ETag`;
//! `If-Match` makes a change conditional, and a stale one is a 412.

use actix_web::http::header::{HeaderValue, ETAG, IF_MATCH};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};

use crate::error::{ApiError, ErrorCode};

/// The version `If-Match` asks for; `None` without the header or with `*`.
pub fn expected_version(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(value) = req.headers().get(IF_MATCH) else { return Ok(None) };
    let value = value.to_str().map_err(|_| ApiError::bad_request("If-Match is not readable."))?.trim();
    if value == "*" {
        return Ok(None);
    }
    value
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .map(Some)
        .map_err(|_| ApiError::bad_request("If-Match must be an ETag this API sent, like \"3\"."))
}

pub fn check(expected: Option<i64>, current: i64) -> Result<(), ApiError> {
    match expected {
        Some(version) if version != current => Err(ApiError::new(
            ErrorCode::PreconditionFailed,
            format!("The record changed since you read it (now version {current}). Reload and try again."),
        )),
        _ => Ok(()),
    }
}

pub fn with_etag(
    mut builder: HttpResponseBuilder,
    version: i64,
    body: impl serde::Serialize,
) -> HttpResponse {
    if let Ok(value) = HeaderValue::from_str(&format!("\"{version}\"")) {
        builder.insert_header((ETAG, value));
    }
    builder.json(body)
}
