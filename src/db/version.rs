//! Optimistic concurrency below HTTP: a change made against a version that is no longer the
//! record's current one is refused. The `If-Match`/`ETag` headers are read in `http::etag`.

use crate::error::{ApiError, ErrorCode};

/// Refuses the change when the caller expected another version than `current`.
pub fn check(expected: Option<i64>, current: i64) -> Result<(), ApiError> {
    match expected {
        Some(version) if version != current => Err(ApiError::new(
            ErrorCode::PreconditionFailed,
            format!("The record changed since you read it (now version {current}). Reload and try again."),
        )),
        _ => Ok(()),
    }
}
