//! The `Idempotency-Key` header, read and checked. The guard that stores and replays answers
//! under it knows callers, so it sits above the areas (the top-level `idempotency` module).

use actix_web::http::header::HeaderName;

use crate::error::ApiError;

pub const HEADER: HeaderName = HeaderName::from_static("idempotency-key");

/// The key of a request, checked; `None` without the header.
pub fn key_of(req: &actix_web::HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(HEADER) else { return Ok(None) };
    let key =
        value.to_str().map_err(|_| ApiError::bad_request("Idempotency-Key must be printable ASCII."))?;
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::bad_request("Idempotency-Key must be 1 to 255 printable characters."));
    }
    Ok(Some(key.to_owned()))
}

/// The operations that move money, by operation id: a retry must never do it twice, so they
/// refuse a request without a key (and the spec says the header is required there).
pub const REQUIRED_FOR: [&str; 4] = ["approveGrant", "payTranche", "recordRefund", "confirmPaymentBatch"];

/// For the actions that move money (`operation` is one of [`REQUIRED_FOR`]): refuses a request
/// without a key.
pub fn require(req: &actix_web::HttpRequest, operation: &str) -> Result<(), ApiError> {
    debug_assert!(REQUIRED_FOR.contains(&operation), "{operation} is listed in REQUIRED_FOR");
    match key_of(req)? {
        Some(_) => Ok(()),
        None => Err(ApiError::bad_request(
            "This action moves money: send an Idempotency-Key header, and the same key when you retry.",
        )),
    }
}
