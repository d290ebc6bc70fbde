//! The outermost middleware: gives every request an id, a log span and an access log line, turns
//! every error (an `ApiError`, a bare actix status, a panic) into a problem document that names
//! the request, and stamps `X-Request-Id` and `API-Version` on the response.

use std::panic::AssertUnwindSafe;
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse};
use futures_util::FutureExt;
use tracing::Instrument;

use super::API_VERSION;
use crate::error::{ApiError, ErrorCode};

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");
pub const API_VERSION_HEADER: HeaderName = HeaderName::from_static("api-version");

/// The id that ties a response to its log lines.
#[derive(Debug, Clone)]
pub struct RequestId(String);

impl RequestId {
    /// Takes the client's id when it is a sane token (1..=128 of `A-Z a-z 0-9 - _ . :`), so
    /// a client can follow its own ids through our logs; otherwise makes a new one.
    fn from_request(req: &ServiceRequest) -> Self {
        let given =
            req.headers().get(&REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).filter(|v| is_sane_token(v));
        Self(given.map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl actix_web::FromRequest for RequestId {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    /// The id the request middleware assigned (a fresh one where no middleware ran).
    fn from_request(req: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let id = req.extensions().get::<RequestId>().cloned();
        std::future::ready(Ok(id.unwrap_or_else(|| Self(uuid::Uuid::now_v7().to_string()))))
    }
}

fn is_sane_token(value: &str) -> bool {
    (1..=128).contains(&value.len())
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

pub async fn context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let request_id = RequestId::from_request(&req);
    req.extensions_mut().insert(request_id.clone());
    let span = tracing::info_span!(
        "request",
        request_id = %request_id.as_str(),
        method = %req.method(),
        path = %super::protection::loggable_path(req.path()),
    );
    // Routing needs the request to itself, so only its path and method are kept aside.
    let target = Target { method: req.method().clone(), path: req.path().to_owned() };
    let started = Instant::now();

    let outcome = AssertUnwindSafe(next.call(req)).catch_unwind().instrument(span.clone()).await;
    let _entered = span.enter();
    let finish = |response: HttpResponse| {
        let mut response = as_problem(response, &target, &request_id);
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(request_id.as_str()) {
            headers.insert(REQUEST_ID_HEADER, value);
        }
        headers.insert(API_VERSION_HEADER, HeaderValue::from_static(API_VERSION));
        super::protection::protect(headers);
        tracing::info!(
            status = response.status().as_u16(),
            elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
            "request finished"
        );
        response
    };
    match outcome {
        Ok(Ok(response)) => {
            let (req, res) = response.map_into_boxed_body().into_parts();
            Ok(ServiceResponse::new(req, finish(res)))
        }
        // Without the request the response can only travel as an error that carries it.
        Ok(Err(err)) => Err(carry(finish(HttpResponse::from_error(err)))),
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let err = ApiError::internal(anyhow::anyhow!("handler panicked: {message}"));
            Err(carry(finish(HttpResponse::from_error(err))))
        }
    }
}

struct Target {
    method: Method,
    path: String,
}

/// An error whose response is the finished problem response.
fn carry(response: HttpResponse) -> actix_web::Error {
    let status = response.status();
    InternalError::from_response(status, response).into()
}

/// Every 4xx and 5xx leaves as `application/problem+json` with this request's id and path.
fn as_problem(response: HttpResponse, target: &Target, request_id: &RequestId) -> HttpResponse {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    // A page that answers a person with its own HTML (a form with what went wrong) stays a page.
    let html = response
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if html && response.error().is_none() {
        return response;
    }
    let render = |err: &ApiError| {
        log_failure(err);
        err.to_response(Some(&target.path), Some(request_id.as_str()))
    };
    match response.error().and_then(|e| e.as_error::<ApiError>()) {
        Some(api_error) => render(api_error),
        None => {
            if let Some(cause) = response.error() {
                // A library's message may describe internals: log it, show a generic detail.
                tracing::warn!(status = status.as_u16(), error = %cause, "request refused below Pactum");
            }
            render(&ApiError::new(ErrorCode::for_status(status), generic_detail(target, status)))
        }
    }
}

fn log_failure(err: &ApiError) {
    if err.code.status().is_server_error() {
        match &err.cause {
            Some(cause) => tracing::error!(code = err.code.as_str(), error = ?cause, "request failed"),
            None => tracing::error!(code = err.code.as_str(), "request failed"),
        }
    }
}

fn generic_detail(target: &Target, status: StatusCode) -> String {
    match ErrorCode::for_status(status) {
        ErrorCode::NotFound => format!("Nothing is found at {}.", target.path),
        ErrorCode::MethodNotAllowed => format!("{} does not accept {}.", target.path, target.method),
        ErrorCode::PayloadTooLarge => "The request body is too large.".to_owned(),
        _ => format!("{}.", status.canonical_reason().unwrap_or("The request failed")),
    }
}

#[cfg(test)]
mod tests {
    use super::is_sane_token;

    #[test]
    fn only_sane_request_ids_are_accepted() {
        assert!(is_sane_token("abc-123_x.y:z"));
        assert!(!is_sane_token(""));
        assert!(!is_sane_token("has space"));
        assert!(!is_sane_token("line\nbreak"));
        assert!(!is_sane_token(&"a".repeat(129)));
    }
}
