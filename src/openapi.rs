//! The OpenAPI 3.1 document, generated from the handlers and types. `openapi/pactum.json` is
//! this document, committed; a test fails when the two differ.

use actix_web::{web, HttpResponse};
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{ArrayItems, KnownFormat, SchemaFormat, SchemaType};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Object, OpenApi as Spec, Ref, RefOr, Required, Schema, Type};
use utoipa::{Modify, OpenApi};

use crate::auth::operations::{self, Need};
use crate::error::{ErrorCode, FieldError, Problem, PROBLEM_JSON};
use crate::http::idempotency::REQUIRED_FOR;
use crate::open_data;
use crate::ops::{health, metrics};
use crate::state::AppState;
use crate::{
    agreements, audit, commitments, funds, grants, identity, members, municipalities, networks,
    organisations, outbox, reminders, reports, service_accounts, settlements, visions, webhooks,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Pactum API",
        description = "Shared visions, collaboration agreements and micro-grants between a \
                       municipality and the informal networks in its area.\n\n\
                       Errors are RFC 9457 problem documents (`application/problem+json`) with a \
                       stable `code`; every response carries `X-Request-Id` and `API-Version`.",
        contact(name = "Pactum maintainers", email = "api@pactum.example", url = "https://pactum.example"),
        license(name = "EUPL-1.2", identifier = "EUPL-1.2"),
    ),
    servers((url = "/", description = "This Pactum instance")),
    paths(
        health::live, health::ready, metrics::scrape, spec,
        identity::handlers::login, identity::handlers::refresh, identity::handlers::logout,
        identity::handlers::me, identity::handlers::update_me, identity::handlers::request_password_reset,
        identity::handlers::reset_password, identity::handlers::change_password,
        municipalities::handlers::create, municipalities::handlers::list,
        municipalities::handlers::get, municipalities::handlers::update, crate::overview::handlers::overview,
        open_data::handlers::package_json, open_data::handlers::package_csv,
        networks::handlers::create, networks::handlers::list, networks::handlers::get,
        networks::handlers::update, networks::handlers::request_link,
        networks::handlers::accept_link, networks::handlers::decline_link,
        networks::directory::list, networks::directory::message, networks::directory::confirm_contact,
        networks::handlers::ask_contact_confirmation,
        members::handlers::list_municipality_members, members::handlers::invite_municipality_member,
        members::handlers::change_municipality_role, members::handlers::remove_municipality_member,
        members::handlers::list_municipality_invitations,
        members::handlers::list_network_members, members::handlers::invite_network_member,
        members::handlers::change_network_role, members::handlers::remove_network_member,
        members::handlers::list_network_invitations, members::handlers::accept_invitation,
        organisations::handlers::create, organisations::handlers::list,
        organisations::handlers::get, organisations::handlers::update,
        members::handlers::list_organisation_contacts, members::handlers::invite_organisation_contact,
        members::handlers::remove_organisation_contact,
        visions::handlers::create, visions::handlers::list, visions::handlers::get,
        visions::handlers::update, visions::handlers::revisions, visions::handlers::propose,
        visions::handlers::endorse, visions::handlers::archive,
        agreements::handlers::create, agreements::handlers::list, agreements::handlers::get,
        agreements::handlers::update, agreements::handlers::propose, agreements::handlers::request_changes,
        agreements::handlers::sign, agreements::handlers::suspend, agreements::handlers::resume,
        agreements::handlers::complete, agreements::handlers::terminate, agreements::handlers::amend,
        agreements::handlers::versions, agreements::handlers::version, agreements::handlers::diff,
        agreements::handlers::document, agreements::handlers::create_check_in, agreements::handlers::list_check_ins,
        commitments::handlers::list, commitments::handlers::get, commitments::handlers::complete,
        commitments::handlers::miss, commitments::handlers::waive,
        funds::handlers::create, funds::handlers::list, funds::handlers::get, funds::handlers::update,
        funds::handlers::ledger,
        grants::handlers::create, grants::handlers::list, grants::handlers::get, grants::handlers::update,
        grants::handlers::submit, grants::handlers::start_review, grants::handlers::request_info,
        grants::handlers::approve, grants::handlers::reject, grants::handlers::withdraw, grants::handlers::cancel,
        grants::handlers::ledger, grants::handlers::list_tranches, grants::handlers::get_tranche, grants::handlers::add_tranche,
        grants::handlers::pay_tranche, grants::handlers::cancel_tranche,
        settlements::handlers::settle, settlements::handlers::settlement, settlements::handlers::refund, settlements::handlers::close,
        grants::handlers::network_grants, grants::handlers::fund_grants_csv, reports::handlers::expenses_csv,
        reports::handlers::create, reports::handlers::list, reports::handlers::get, reports::handlers::update,
        reports::handlers::submit, reports::handlers::request_changes, reports::handlers::accept,
        reports::handlers::upload_receipt, reports::handlers::download_receipt,
        outbox::handlers::list, outbox::handlers::retry,
        reminders::handlers::get_settings, reminders::handlers::update_settings,
        reminders::handlers::my_reminders, reminders::handlers::new_calendar_token, reminders::handlers::calendar,
        audit::handlers::list,
        service_accounts::handlers::create, service_accounts::handlers::list,
        service_accounts::handlers::get, service_accounts::handlers::update,
        service_accounts::handlers::issue_token, service_accounts::handlers::list_tokens,
        service_accounts::handlers::revoke_token,
        webhooks::handlers::create, webhooks::handlers::list, webhooks::handlers::get,
        webhooks::handlers::update, webhooks::handlers::rotate_secret, webhooks::handlers::deliveries,
        webhooks::handlers::redeliver,
        crate::payment_batches::handlers::create, crate::payment_batches::handlers::list,
        crate::payment_batches::handlers::get, crate::payment_batches::handlers::file,
        crate::payment_batches::handlers::confirm, crate::payment_batches::handlers::cancel,
    ),
    components(schemas(Problem, ErrorCode, FieldError)),
    tags(
        (name = "operations", description = "Health, readiness, metrics and this specification"),
        (name = "auth", description = "Signing in and out, and the signed-in user"),
        (name = "municipalities", description = "Municipalities (gemeenten), the tenants"),
        (name = "networks", description = "Informal networks and the municipalities they work with"),
        (name = "organisations", description = "Partner organisations (welfare, care, ...) and their contacts"),
        (name = "members", description = "Who belongs where, with which role; invitations"),
        (name = "visions", description = "Shared visions: drafted together, endorsed by every party"),
        (name = "agreements", description = "Collaboration agreements, their versions, commitments and check-ins"),
        (name = "funds", description = "Funds for micro-grants, their balances and ledger"),
        (name = "grants", description = "Grant applications, decisions with four eyes, tranches"),
        (name = "reports", description = "Spending reports and receipts"),
        (name = "outbox", description = "Email waiting, sent or dead"),
        (name = "reminders", description = "When people are reminded of deadlines"),
        (name = "directory", description = "The public directory of listed networks (no sign-in)"),
        (name = "open data", description = "Awarded grants as 360Giving open data (no sign-in when public)"),
        (name = "audit", description = "The audit trail of every change"),
        (name = "service-accounts", description = "Other systems of a municipality with scoped API tokens"),
        (name = "webhooks", description = "Signed event notifications to other systems, with a delivery log"),
        (name = "payments", description = "SEPA payment batches of due tranches (pain.001 files)"),
    ),
    modifiers(&BearerAuth, &ScopeRequirements, &IdempotencyKeyHeader, &ProblemResponses, &ResponseHeaders, &OptionalBodies, &UuidIds, &ApiVersionHeader),
)]
pub struct ApiDoc;

/// The security scheme of people's access tokens.
pub const PERSON_SCHEME: &str = "bearer";
/// The security scheme of service accounts' API tokens; its "scopes" are the service account's.
pub const SERVICE_ACCOUNT_SCHEME: &str = "apiToken";

/// Two bearer token schemes: a person's access token from `/api/v1/auth/login`, or a service
/// account's API token (`pct_...`), which is limited by its scopes.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut Spec) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let scheme = |description: &str| {
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some(description)).build(),
            )
        };
        components.add_security_scheme(
            PERSON_SCHEME,
            scheme(
                "A person's access token (a JWT from POST /api/v1/auth/login). What a person may do \
                 follows from their roles, checked per object.",
            ),
        );
        components.add_security_scheme(
            SERVICE_ACCOUNT_SCHEME,
            scheme(
                "A service account's API token (pct_...) from POST \
                 /api/v1/municipalities/{id}/service-accounts/{sid}/tokens. An operation that lists \
                 apiToken names the scopes that admit a token (all scopes of one entry); an operation \
                 that does not list it is for people only, and a service account gets 403.",
            ),
        );
    }
}

/// Every signed-in operation's security requirement, from the one table the policy checks
/// (`auth::operations`): a person's token, or a service account's token with the scopes named.
struct ScopeRequirements;

impl Modify for ScopeRequirements {
    fn modify(&self, openapi: &mut Spec) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                ("GET", &mut item.get),
                ("PUT", &mut item.put),
                ("POST", &mut item.post),
                ("DELETE", &mut item.delete),
                ("PATCH", &mut item.patch),
            ];
            for (method, operation) in operations {
                let Some(operation) = operation.as_mut() else { continue };
                let Some(security) = operation.security.as_mut().filter(|s| !s.is_empty()) else { continue };
                // An operation also open to everyone keeps its anonymous alternative.
                security.retain(|requirement| *requirement == SecurityRequirement::default());
                let sets = match operations::need(method, path) {
                    Some(Need::Scopes(sets)) => sets,
                    _ => &[],
                };
                security.push(SecurityRequirement::new(PERSON_SCHEME, Vec::<String>::new()));
                for set in sets {
                    security.push(SecurityRequirement::new(
                        SERVICE_ACCOUNT_SCHEME,
                        set.iter().map(|s| s.as_str()),
                    ));
                }
            }
        }
    }
}

/// Documents the `Idempotency-Key` header on every authenticated POST: required on the actions
/// that move money, optional elsewhere.
struct IdempotencyKeyHeader;

impl Modify for IdempotencyKeyHeader {
    fn modify(&self, openapi: &mut Spec) {
        for item in openapi.paths.paths.values_mut() {
            let Some(operation) = item.post.as_mut() else { continue };
            if operation.security.as_ref().is_none_or(|s| s.is_empty()) {
                continue;
            }
            let money = operation.operation_id.as_deref().is_some_and(|id| REQUIRED_FOR.contains(&id));
            let parameter = ParameterBuilder::new()
                .name("Idempotency-Key")
                .parameter_in(ParameterIn::Header)
                .required(if money { Required::True } else { Required::False })
                .description(Some(if money {
                    "Required: this action moves money. 1 to 255 characters; send the same key when you retry. \
                     The same key and body within 24 hours replays the first response; another body is a 422, \
                     a request still running a 409."
                } else {
                    "1 to 255 characters. The same key and body within 24 hours replays the first response; \
                     another body is a 422, a request still running a 409."
                }))
                .schema(Some(Object::with_type(Type::String)))
                .build();
            operation.parameters.get_or_insert_with(Vec::new).push(parameter);
        }
    }
}

/// Documents the problem responses every operation can give, so each handler lists only its
/// own: 400 and 500 everywhere; 401, 403, 409 (on changes) and 429 where a token is needed; 404
/// where the path, the body or a query names an object; 412 where `If-Match` is read; 413 and
/// 422 where there is a body.
struct ProblemResponses;

/// What a 409 on a change can mean, by its problem `code`.
const CONFLICT: &str = "Not possible now; `code` says why: `invalid_transition` (not in this status; \
    `allowed_actions` on the object lists what is), `conflict`, `last_admin`, `insufficient_budget`, \
    `overpayment`, `budget_below_committed`, `tranche_in_payment_batch`, \
    `secret_shown_once`, or `idempotency_key_in_flight` (a request with this `Idempotency-Key` is still running)";

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
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                (false, &mut item.get),
                (true, &mut item.put),
                (true, &mut item.post),
                (true, &mut item.delete),
                (true, &mut item.patch),
            ];
            for (changes, operation) in operations {
                let Some(operation) = operation.as_mut() else { continue };
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
                    wanted.push(("422", "Valid JSON with invalid values; `errors` names the fields"));
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
}

/// One id type: every id a body or an answer carries (`id`, `..._id`) is a UUID, as in the
/// paths; but for the 360Giving types (their ids are 360Giving identifiers) and the few ids that
/// are not Pactum's (SEPA references, request ids).
struct UuidIds;

/// Schemas whose ids are not Pactum's UUIDs.
const FOREIGN_ID_SCHEMAS: [&str; 3] = ["Grant", "Organization", "Transaction"];
/// Fields named like ids that are not UUIDs.
const NOT_UUID: [&str; 3] = ["end_to_end_id", "message_id", "request_id"];

impl Modify for UuidIds {
    fn modify(&self, openapi: &mut Spec) {
        let Some(components) = openapi.components.as_mut() else { return };
        for (name, schema) in components.schemas.iter_mut() {
            if !FOREIGN_ID_SCHEMAS.contains(&name.as_str()) {
                mark_uuid_ids(schema);
            }
        }
    }
}

/// Gives the id fields of this schema, and of the objects and lists inside it, `format: uuid`.
fn mark_uuid_ids(schema: &mut RefOr<Schema>) {
    match schema {
        RefOr::T(Schema::Object(object)) => {
            for (field, property) in object.properties.iter_mut() {
                if let RefOr::T(Schema::Object(value)) = property {
                    let string = match &value.schema_type {
                        SchemaType::Type(Type::String) => true,
                        SchemaType::Array(types) => types.contains(&Type::String),
                        _ => false,
                    };
                    if string
                        && (field == "id" || field.ends_with("_id"))
                        && !NOT_UUID.contains(&field.as_str())
                    {
                        value.format = Some(SchemaFormat::KnownFormat(KnownFormat::Uuid));
                    }
                }
                mark_uuid_ids(property);
            }
        }
        RefOr::T(Schema::Array(array)) => {
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                mark_uuid_ids(items);
            }
        }
        _ => {}
    }
}

/// Action bodies the server does without (their description starts "Optional"): not required,
/// so typed clients can call the action with no body at all.
struct OptionalBodies;

impl Modify for OptionalBodies {
    fn modify(&self, openapi: &mut Spec) {
        for item in openapi.paths.paths.values_mut() {
            let operations =
                [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
            for operation in operations.into_iter().flatten() {
                if let Some(body) = operation.request_body.as_mut() {
                    if body.description.as_deref().is_some_and(|d| d.starts_with("Optional")) {
                        body.required = Some(Required::False);
                    }
                }
            }
        }
    }
}

/// Optimistic concurrency: an `ETag` (the object's `version`) on every answer that is one
/// versioned object, and the meaning of `If-Match` where an operation reads it; `Location` on
/// every 201.
struct ResponseHeaders;

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
        for item in openapi.paths.paths.values_mut() {
            let operations =
                [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
            for operation in operations.into_iter().flatten() {
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
                    if (status == "200" || status == "201")
                        && one_object.is_some_and(|r| versioned.contains(&r))
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
}

/// Documents the `API-Version` header on every response (Dutch API Design Rules, API-57).
struct ApiVersionHeader;

impl Modify for ApiVersionHeader {
    fn modify(&self, openapi: &mut Spec) {
        let header = HeaderBuilder::new()
            .schema(Object::with_type(Type::String))
            .description(Some("Full semantic version of the API, e.g. 1.2.3"))
            .build();
        for item in openapi.paths.paths.values_mut() {
            let operations =
                [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
            for operation in operations.into_iter().flatten() {
                for response in operation.responses.responses.values_mut() {
                    if let RefOr::T(response) = response {
                        response.headers.insert("API-Version".to_owned(), header.clone());
                    }
                }
            }
        }
    }
}

/// The spec as pretty JSON with a trailing newline, exactly as committed: the generated
/// document with the top-level `webhooks` section (which utoipa does not model) added.
pub fn to_json() -> String {
    let mut spec = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    spec["webhooks"] = webhooks::spec::section();
    spec["components"]["schemas"]["WebhookEvent"] = webhooks::spec::envelope_schema();
    let mut json = serde_json::to_string_pretty(&spec).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    json.push('\n');
    json
}

/// This OpenAPI document.
///
/// The contract integrators build against; also served at `/openapi.json`. The API reference
/// page at `/docs` renders it.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations", operation_id = "openapi",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json")))]
pub async fn spec(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(state.openapi_json.clone())
}
