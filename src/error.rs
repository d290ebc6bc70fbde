//! The one error type every request path returns: a stable `code`, an HTTP status and a safe
//! message, rendered as RFC 9457 `application/problem+json`. Internal causes only reach the log.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Stable, documented error codes. Clients switch on these, so a code is never renamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema, strum::EnumIter, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ErrorCode {
    /// Malformed JSON, a wrong content type or a bad query or path value.
    BadRequest,
    /// No token, or an invalid or expired one; sign in (again).
    Unauthenticated,
    /// The object is visible, but this caller may not do this with it.
    Forbidden,
    /// No object with this id is visible to the caller, or no such route.
    NotFound,
    /// The route exists but not with this HTTP method.
    MethodNotAllowed,
    /// The request body is larger than the configured limit.
    PayloadTooLarge,
    /// Well-formed JSON with values that break a rule; `errors` lists the fields.
    ValidationFailed,
    /// A record with this unique value already exists.
    Conflict,
    /// The action is not allowed in the record's current state; `allowed_actions` lists what is.
    InvalidTransition,
    /// The last municipal admin of a municipality or the last coordinator of a network cannot
    /// be removed or given another role.
    LastAdmin,
    /// The invitation has already been accepted.
    InvitationUsed,
    /// The invitation is past its expiry, or no longer holds; ask for a new one.
    InvitationExpired,
    /// This needs the account it concerns signed in: accepting an invitation for an address
    /// that already has an account takes that account's access token.
    SignInRequired,
    /// The current password given is not the account's password.
    WrongPassword,
    /// This password reset link has been used (or a newer one, or a password change, replaced
    /// it); ask for a new one.
    PasswordResetUsed,
    /// This password reset link is more than an hour old; ask for a new one.
    PasswordResetExpired,
    /// This `Idempotency-Key` was used before for a different request.
    IdempotencyKeyReused,
    /// A request with this `Idempotency-Key` is still running.
    IdempotencyKeyInFlight,
    /// A request with this `Idempotency-Key` was carried out, and its answer held a secret that
    /// is shown only once (a token, a signing secret): it is not repeated.
    SecretShownOnce,
    /// The fund's budget cannot carry this approval.
    InsufficientBudget,
    /// This would pay or schedule more than the grant was awarded.
    Overpayment,
    /// A fund's budget cannot go below what it has already committed.
    BudgetBelowCommitted,
    /// Above the fund's four-eyes threshold a second, different officer must approve, and nobody
    /// approves an application they submitted.
    FourEyesRequired,
    /// The tranche is in an open SEPA payment batch: it is paid or freed through that batch
    /// (confirm or cancel it) before it, or its grant, can change on its own.
    TrancheInPaymentBatch,
    /// `If-Match` names a version that is no longer current; reload and retry.
    PreconditionFailed,
    /// Too many attempts; wait as long as `Retry-After` says.
    RateLimited,
    /// A dependency (the database) cannot be reached right now; retry later.
    ServiceUnavailable,
    /// An unexpected failure; details are in the server log under the request id.
    InternalError,
}

impl ErrorCode {
    pub fn status(self) -> StatusCode {
        match self {
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::Unauthenticated | Self::SignInRequired => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::FourEyesRequired | Self::WrongPassword => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
            Self::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict
            | Self::InvalidTransition
            | Self::LastAdmin
            | Self::InvitationUsed
            | Self::PasswordResetUsed
            | Self::IdempotencyKeyInFlight
            | Self::SecretShownOnce
            | Self::InsufficientBudget
            | Self::Overpayment
            | Self::BudgetBelowCommitted
            | Self::TrancheInPaymentBatch => StatusCode::CONFLICT,
            Self::InvitationExpired | Self::PasswordResetExpired => StatusCode::GONE,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::BadRequest => "Bad request",
            Self::Unauthenticated => "Authentication required",
            Self::Forbidden => "Forbidden",
            Self::NotFound => "Not found",
            Self::MethodNotAllowed => "Method not allowed",
            Self::PayloadTooLarge => "Payload too large",
            Self::ValidationFailed => "Validation failed",
            Self::Conflict => "Conflict",
            Self::InvalidTransition => "Action not allowed",
            Self::LastAdmin => "Last admin",
            Self::InvitationUsed => "Invitation already used",
            Self::InvitationExpired => "Invitation expired",
            Self::SignInRequired => "Sign in first",
            Self::WrongPassword => "Wrong password",
            Self::PasswordResetUsed => "Reset link already used",
            Self::PasswordResetExpired => "Reset link expired",
            Self::IdempotencyKeyReused => "Idempotency key reused",
            Self::IdempotencyKeyInFlight => "Request in progress",
            Self::SecretShownOnce => "Secret shown once",
            Self::InsufficientBudget => "Insufficient budget",
            Self::Overpayment => "Overpayment",
            Self::BudgetBelowCommitted => "Budget below committed",
            Self::FourEyesRequired => "Second approver required",
            Self::TrancheInPaymentBatch => "Tranche in payment batch",
            Self::PreconditionFailed => "Precondition failed",
            Self::RateLimited => "Too many requests",
            Self::ServiceUnavailable => "Service unavailable",
            Self::InternalError => "Internal server error",
        }
    }

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The code a bare status maps to when something below Pactum (actix itself) answered.
    pub fn for_status(status: StatusCode) -> Self {
        match status {
            StatusCode::UNAUTHORIZED => Self::Unauthenticated,
            StatusCode::FORBIDDEN => Self::Forbidden,
            StatusCode::NOT_FOUND => Self::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => Self::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge,
            StatusCode::UNPROCESSABLE_ENTITY => Self::ValidationFailed,
            StatusCode::CONFLICT => Self::Conflict,
            StatusCode::PRECONDITION_FAILED => Self::PreconditionFailed,
            StatusCode::GONE => Self::InvitationExpired,
            StatusCode::TOO_MANY_REQUESTS => Self::RateLimited,
            StatusCode::SERVICE_UNAVAILABLE => Self::ServiceUnavailable,
            s if s.is_client_error() => Self::BadRequest,
            _ => Self::InternalError,
        }
    }
}

/// One problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field, as named in the request (dotted for nested fields).
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// An error a client may see. `detail` is always safe to show; the internal cause is logged.
#[derive(Debug, thiserror::Error)]
#[error("{code:?}: {detail}")]
pub struct ApiError {
    pub code: ErrorCode,
    pub detail: String,
    pub errors: Vec<FieldError>,
    /// With `invalid_transition` and `forbidden`: what the caller may do now.
    pub allowed_actions: Option<Vec<String>>,
    /// Seconds to wait, with `rate_limited` (sent as `Retry-After`).
    pub retry_after_seconds: Option<u64>,
    /// What actually went wrong, for the log only.
    #[source]
    pub cause: Option<anyhow::Error>,
}

impl ApiError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            errors: Vec::new(),
            allowed_actions: None,
            retry_after_seconds: None,
            cause: None,
        }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, detail)
    }

    pub fn unauthenticated(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthenticated, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, detail)
    }

    pub fn rate_limited(retry_after_seconds: u64) -> Self {
        Self {
            retry_after_seconds: Some(retry_after_seconds.max(1)),
            ..Self::new(ErrorCode::RateLimited, "Too many attempts. Wait a moment and try again.")
        }
    }

    /// The action is not allowed in this state; names what is.
    pub fn invalid_transition(detail: impl Into<String>, allowed_actions: Vec<String>) -> Self {
        Self { allowed_actions: Some(allowed_actions), ..Self::new(ErrorCode::InvalidTransition, detail) }
    }

    /// One field is wrong.
    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, message)])
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, detail)
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, detail)
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("{}: {}.", one.field, one.message),
            _ => "Some fields are not valid; see errors.".to_owned(),
        };
        Self { errors, ..Self::new(ErrorCode::ValidationFailed, detail) }
    }

    /// An unexpected failure: the client gets a generic 500, the cause goes to the log.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self {
            cause: Some(cause.into()),
            ..Self::new(
                ErrorCode::InternalError,
                "Something went wrong on our side. Quote the request id when you report it.",
            )
        }
    }

    pub fn unavailable(cause: impl Into<anyhow::Error>) -> Self {
        Self {
            cause: Some(cause.into()),
            ..Self::new(
                ErrorCode::ServiceUnavailable,
                "The service cannot reach its database right now. Try again shortly.",
            )
        }
    }

    /// The problem document for this error, placed in the request that caused it.
    pub fn problem(&self, instance: Option<&str>, request_id: Option<&str>) -> Problem {
        Problem {
            type_uri: format!("https://pactum.example/problems/{}", self.code.as_str().replace('_', "-")),
            title: self.code.title().to_owned(),
            status: self.code.status().as_u16(),
            detail: self.detail.clone(),
            code: self.code,
            instance: instance.map(str::to_owned),
            request_id: request_id.map(str::to_owned),
            errors: self.errors.clone(),
            allowed_actions: self.allowed_actions.clone(),
        }
    }

    /// Renders the problem; the request middleware calls this with the request's context.
    pub fn to_response(&self, instance: Option<&str>, request_id: Option<&str>) -> HttpResponse {
        let mut response = HttpResponse::build(self.code.status());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        if matches!(self.code, ErrorCode::Unauthenticated | ErrorCode::SignInRequired) {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"pactum\""));
        }
        if let Some(seconds) = self.retry_after_seconds {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        response.json(self.problem(instance, request_id))
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    /// Without request context; the request middleware re-renders it with `instance` and
    /// `request_id`, so this form only shows where no middleware runs.
    fn error_response(&self) -> HttpResponse {
        self.to_response(None, None)
    }
}

/// What SQLite says when its write lock stays taken (and what a writer kept waiting for its
/// turn is told): the API answers it with a 503.
pub const DATABASE_LOCKED: &str = "database is locked";

impl From<diesel::result::Error> for ApiError {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match &err {
            Error::NotFound => Self::not_found("No such record."),
            // A race lost against a concurrent write of the same unique value.
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => Self {
                cause: Some(err.into()),
                ..Self::conflict(
                    "A record with this value was just created by another request. Reload and try again.",
                )
            },
            // SQLite's write lock stayed taken past the wait: busy, not broken.
            Error::DatabaseError(_, info) if info.message() == DATABASE_LOCKED => Self::unavailable(err),
            _ => Self::internal(err),
        }
    }
}

/// RFC 9457 problem details, as every 4xx and 5xx body.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "https://pactum.example/problems/not-found",
    "title": "Not found",
    "status": 404,
    "detail": "No route matches GET /api/v1/nothing.",
    "code": "not_found",
    "instance": "/api/v1/nothing",
    "request_id": "0193a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b"
}))]
pub struct Problem {
    /// A URI that identifies the kind of problem.
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    /// What went wrong, for a person to read.
    pub detail: String,
    pub code: ErrorCode,
    /// The request path the problem occurred at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Correlates the answer with the server log; also sent as `X-Request-Id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// What the caller may do now, with `invalid_transition`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Vec<String>>,
    /// Field problems, with `validation_failed`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn codes_are_snake_case_and_match_serde() {
        for code in ErrorCode::iter() {
            let serialized = serde_json::to_value(code).expect("serializes");
            assert_eq!(serialized, code.as_str());
            assert_eq!(ErrorCode::for_status(code.status()).status(), code.status(), "{code:?}");
        }
    }

    #[test]
    fn internal_errors_never_show_their_cause() {
        let err = ApiError::internal(anyhow::anyhow!("relation \"users\" does not exist"));
        let body = serde_json::to_string(&err.problem(Some("/x"), Some("r1"))).expect("serializes");
        assert!(!body.contains("relation"), "{body}");
        assert!(body.contains("\"code\":\"internal_error\""));
    }
}
