//! What every answer can be: the shared problem responses, `ETag`, `Location` and
//! `API-Version` headers, and which action bodies are optional.

use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::ParameterIn;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::{Object, OpenApi as Spec, Ref, RefOr, Required, Schema, Type};
use utoipa::Modify;

use crate::error::PROBLEM_JSON;

use super::operations;

/// Documents the problem responses every operation can give, so each handler lists only its
/// own: 400 and 500 everywhere; 401, 403, 409 (on changes) and 429 where a token is needed; 404
/// where the path, the body or a query names an object; 412 where `If-Match` is read; 413 where
/// there is a body; 422 where there is a body or an `Idempotency-Key`.
pub struct ProblemResponses;

/// What a 409 on a change can mean, by its problem `code`.
const CONFLICT: &str = "Not possible now; `code` says why: `invalid_transition` (not in this status; \
    `allowed_actions` on the object lists what is), `conflict`, `last_admin`, `insufficient_budget`, \
    `overpayment`, `budget_below_committed`, `tranche_in_payment_batch`, \
    `secret_shown_once`, or `idempotency_key_in_flight` (a request with this `Idempotency-Key` is still running)";

/// The 422s: a body with invalid values, an `Idempotency-Key` sent before with another request.
const INVALID: &str = "`validation_failed`: valid JSON with invalid values; `errors` names the fields";
const KEY_REUSED: &str = "`idempotency_key_reused`: this `Idempotency-Key` was used for a different request";
const INVALID_OR_KEY_REUSED: &str =
    "`validation_failed`: valid JSON with invalid values; `errors` names the \
    fields; or `idempotency_key_reused`: this `Idempotency-Key` was used for a different request";

fn problem_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                PROBLEM_JSON,
                ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
            )
            .build(),
    )
}

/// Whether the operation reads this header.
fn reads_header(operation: &utoipa::openapi::path::Operation, name: &str) -> bool {
    operation.parameters.iter().flatten().any(|p| p.parameter_in == ParameterIn::Header && p.name == name)
}

impl Modify for ProblemResponses {
    fn modify(&self, openapi: &mut Spec) {
        for (path, method, operation) in operations(openapi) {
            let changes = method != "GET";
            let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
            let names_object = path.contains('{')
                || operation.request_body.is_some()
                || operation.parameters.iter().flatten().any(|p| {
                    p.parameter_in == ParameterIn::Query
                        && (p.name.ends_with("_id") || p.name == "municipality")
                });
            let conditional = reads_header(operation, "If-Match");
            let mut wanted =
                vec![("400", "Malformed request: broken JSON, wrong content type or a bad query value")];
            if secured {
                wanted.push(("401", "No valid access token"));
                wanted.push((
                    "403",
                    "Your role, or your token's scopes, do not allow this (`forbidden`); \
                         `four_eyes_required` when a second, different officer must approve",
                ));
            }
            if names_object {
                wanted.push(("404", "No such object, or not visible to you"));
            }
            if secured && changes {
                wanted.push(("409", CONFLICT));
            }
            if conditional {
                wanted.push(("412", "`precondition_failed`: `If-Match` names a version that is no longer current; reload and retry"));
            }
            if operation.request_body.is_some() {
                wanted.push(("413", "The body is larger than the limit"));
            }
            match (operation.request_body.is_some(), reads_header(operation, "Idempotency-Key")) {
                (true, true) => wanted.push(("422", INVALID_OR_KEY_REUSED)),
                (true, false) => wanted.push(("422", INVALID)),
                (false, true) => wanted.push(("422", KEY_REUSED)),
                (false, false) => {}
            }
            if secured {
                wanted.push((
                    "429",
                    "`rate_limited`: too many requests with this token; wait as `Retry-After` says",
                ));
            }
            wanted.push(("500", "Unexpected failure; quote the request id"));
            for (status, description) in wanted {
                operation
                    .responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| problem_response(description));
            }
            let retry_after = HeaderBuilder::new()
                .schema(Object::with_type(Type::Integer))
                .description(Some("Seconds to wait before trying again"))
                .build();
            if let Some(RefOr::T(limited)) = operation.responses.responses.get_mut("429") {
                limited.headers.insert("Retry-After".to_owned(), retry_after);
            }
        }
    }
}

/// Action bodies the server does without (their description starts "Optional"): not required,
/// so typed clients can call the action with no body at all.
pub struct OptionalBodies;

impl Modify for OptionalBodies {
    fn modify(&self, openapi: &mut Spec) {
        for (_, _, operation) in operations(openapi) {
            if let Some(body) = operation.request_body.as_mut() {
                if body.description.as_deref().is_some_and(|d| d.starts_with("Optional")) {
                    body.required = Some(Required::False);
                }
            }
        }
    }
}

/// Optimistic concurrency: an `ETag` (the object's `version`) on every answer that is one
/// versioned object, and the meaning of `If-Match` where an operation reads it; `Location` on
/// every 201.
pub struct ResponseHeaders;

impl Modify for ResponseHeaders {
    fn modify(&self, openapi: &mut Spec) {
        let versioned: Vec<String> = openapi
            .components
            .iter()
            .flat_map(|c| c.schemas.iter())
            .filter(|(_, schema)| match schema {
                RefOr::T(Schema::Object(object)) => object.properties.contains_key("version"),
                _ => false,
            })
            .map(|(name, _)| format!("#/components/schemas/{name}"))
            .collect();
        let etag = HeaderBuilder::new()
            .schema(Object::with_type(Type::String))
            .description(Some(
                "The object's version, as a strong ETag (e.g. \"3\"); send it as `If-Match` to change \
                 the object only if nobody changed it in between",
            ))
            .build();
        let location = HeaderBuilder::new()
            .schema(Object::with_type(Type::String))
            .description(Some("The path of what was created"))
            .build();
        for (_, _, operation) in operations(openapi) {
            for parameter in operation.parameters.iter_mut().flatten() {
                if parameter.parameter_in == ParameterIn::Header && parameter.name == "If-Match" {
                    parameter.description = Some(
                        "The `ETag` of the version you read (e.g. \"3\"): the change is made only if \
                             it is still current, else 412. Without it the change is unconditional."
                            .to_owned(),
                    );
                }
            }
            for (status, response) in operation.responses.responses.iter_mut() {
                let RefOr::T(response) = response else { continue };
                let one_object = response.content.get("application/json").and_then(|c| match &c.schema {
                    Some(RefOr::Ref(reference)) => Some(reference.ref_location.clone()),
                    _ => None,
                });
                if (status == "200" || status == "201") && one_object.is_some_and(|r| versioned.contains(&r))
                {
                    response.headers.insert("ETag".to_owned(), etag.clone());
                }
                if status == "201" {
                    response.headers.insert("Location".to_owned(), location.clone());
                }
            }
        }
    }
}

/// Documents the `API-Version` header on every response (Dutch API Design Rules, API-57).
pub struct ApiVersionHeader;

impl Modify for ApiVersionHeader {
    fn modify(&self, openapi: &mut Spec) {
        let header = HeaderBuilder::new()
            .schema(Object::with_type(Type::String))
            .description(Some("Full semantic version of the API, e.g. 1.2.3"))
            .build();
        for (_, _, operation) in operations(openapi) {
            for response in operation.responses.responses.values_mut() {
                if let RefOr::T(response) = response {
                    response.headers.insert("API-Version".to_owned(), header.clone());
                }
            }
        }
    }
}
