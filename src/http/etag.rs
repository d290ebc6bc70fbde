//! Optimistic concurrency: mutable resources carry a `version`, sent as a strong `ETag`;
//! `If-Match` makes a change conditional, and a stale one is a 412.

use actix_web::http::header::{HeaderValue, CACHE_CONTROL, ETAG, IF_MATCH, IF_NONE_MATCH};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use sha2::{Digest, Sha256};

use crate::error::ApiError;

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

/// A `201 Created` with the new object's `Location` and its version as `ETag`.
pub fn created(location: String, version: i64, body: impl serde::Serialize) -> HttpResponse {
    let mut builder = HttpResponse::Created();
    builder.insert_header((actix_web::http::header::LOCATION, location));
    with_etag(builder, version, body)
}

/// A body that anyone may cache: a strong `ETag` from its content, the given `Cache-Control`,
/// and `304 Not Modified` when the client's `If-None-Match` already names it.
pub fn cacheable(req: &HttpRequest, content_type: &str, cache_control: &str, body: Vec<u8>) -> HttpResponse {
    let etag = format!("\"{}\"", &sha256_hex(&String::from_utf8_lossy(&body))[..32]);
    let cache = (CACHE_CONTROL, cache_control.to_owned());
    if none_match(req, &etag) {
        return HttpResponse::NotModified().insert_header((ETAG, etag)).insert_header(cache).finish();
    }
    HttpResponse::Ok().content_type(content_type).insert_header((ETAG, etag)).insert_header(cache).body(body)
}

/// The SHA-256 of a text, in lower-case hex.
fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `If-None-Match` lists this ETag (or `*`); weak forms compare equal, as RFC 9110 says.
fn none_match(req: &HttpRequest, etag: &str) -> bool {
    let Some(value) = req.headers().get(IF_NONE_MATCH).and_then(|v| v.to_str().ok()) else { return false };
    value.split(',').map(str::trim).any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
}
