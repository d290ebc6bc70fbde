//! Limits and error answers for the standard extractors, so malformed input always gets a
//! clear problem: broken JSON and bad query or path values are 400, a body over the limit is
//! 413, well-formed JSON of the wrong shape is 422.

use actix_web::error::{JsonPayloadError, PathError, PayloadError, QueryPayloadError};
use actix_web::{web, HttpRequest};

use crate::error::{ApiError, ErrorCode, FieldError};

pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default().limit(limit).error_handler(|err, _req: &HttpRequest| json_error(err).into())
}

pub fn payload_config(limit: usize) -> web::PayloadConfig {
    web::PayloadConfig::new(limit)
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        let QueryPayloadError::Deserialize(cause) = &err else {
            return ApiError::bad_request("The query string could not be read.").into();
        };
        ApiError::bad_request(format!("Invalid query parameter: {cause}.")).into()
    })
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, _req| {
        let PathError::Deserialize(cause) = &err else {
            return ApiError::bad_request("The path could not be read.").into();
        };
        ApiError::bad_request(format!("Invalid value in the path: {cause}.")).into()
    })
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!("The request body is larger than the limit of {limit} bytes."),
    )
}

fn json_error(err: JsonPayloadError) -> ApiError {
    match err {
        JsonPayloadError::OverflowKnownLength { limit, .. } | JsonPayloadError::Overflow { limit } => {
            too_large(limit)
        }
        JsonPayloadError::Payload(PayloadError::Overflow) => {
            ApiError::new(ErrorCode::PayloadTooLarge, "The request body is too large.")
        }
        JsonPayloadError::ContentType => {
            ApiError::bad_request("Send the body as JSON, with the header Content-Type: application/json.")
        }
        JsonPayloadError::Deserialize(cause) if cause.is_data() => {
            // serde's message names the field and the expected type; the position is noise.
            let message = cause.to_string();
            let message = message.split(" at line ").next().unwrap_or_default().to_owned();
            ApiError::validation(vec![FieldError::new(field_of(&message), message)])
        }
        JsonPayloadError::Deserialize(cause) => {
            ApiError::bad_request(format!("The body is not valid JSON: {cause}."))
        }
        other => ApiError {
            cause: Some(anyhow::anyhow!("{other}")),
            ..ApiError::bad_request("The request body could not be read.")
        },
    }
}

/// The field serde complains about (`missing field `name``), else the whole body.
fn field_of(message: &str) -> String {
    message
        .split('`')
        .nth(1)
        .filter(|_| message.starts_with("missing field") || message.starts_with("unknown field"))
        .unwrap_or("body")
        .to_owned()
}

/// For PATCH bodies: tells a field left out (`None`) from a field set to `null`
/// (`Some(None)`). Use with `#[serde(default, deserialize_with = "present")]`.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}

/// Parses an optional JSON body of a workflow action: empty means the defaults; anything else
/// must be valid JSON of the right shape (400 / 422 as for any body).
pub fn optional_json<T: serde::de::DeserializeOwned + Default>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|cause| json_error(JsonPayloadError::Deserialize(cause)))
}
