//! The OpenAPI 3.1 document, generated from the handlers and types. `openapi/pactum.json` is
//! this document, committed; a test fails when the two differ.

mod glossary;
mod responses;
mod schemas;
mod security;

use actix_web::HttpResponse;
use responses::{ApiVersionHeader, OptionalBodies, ProblemResponses, ResponseHeaders};
use schemas::UuidIds;
use security::{BearerAuth, IdempotencyKeyHeader, PublicOperations, ScopeRequirements};
use utoipa::openapi::path::Operation;
use utoipa::openapi::OpenApi as Spec;
use utoipa::OpenApi;

use crate::error::{ErrorCode, FieldError, Problem};
use crate::open_data;
use crate::ops::{health, metrics};
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
    modifiers(
        &BearerAuth, &ScopeRequirements, &IdempotencyKeyHeader, &ProblemResponses, &ResponseHeaders,
        &OptionalBodies, &ApiVersionHeader, &UuidIds, &PublicOperations,
    ),
)]
pub struct ApiDoc;

/// The security scheme of people's access tokens.
pub const PERSON_SCHEME: &str = "bearer";
/// The security scheme of service accounts' API tokens; its "scopes" are the service account's.
pub const SERVICE_ACCOUNT_SCHEME: &str = "apiToken";

/// Every operation of the spec, with its path and method.
fn operations(openapi: &mut Spec) -> impl Iterator<Item = (&str, &'static str, &mut Operation)> + '_ {
    openapi.paths.paths.iter_mut().flat_map(|(path, item)| {
        [
            ("GET", &mut item.get),
            ("PUT", &mut item.put),
            ("POST", &mut item.post),
            ("DELETE", &mut item.delete),
            ("PATCH", &mut item.patch),
        ]
        .into_iter()
        .filter_map(move |(method, operation)| operation.as_mut().map(|o| (path.as_str(), method, o)))
    })
}

/// The spec as pretty JSON with a trailing newline, exactly as committed: the generated
/// document with the top-level `webhooks` section (which utoipa does not model) added, the
/// list pages referring to their item schemas, and every property described from the glossary.
pub fn to_json() -> String {
    let mut spec = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    schemas::page_schemas(&mut spec);
    spec["components"]["schemas"]["WebhookEvent"] = webhooks::spec::envelope_schema();
    glossary::describe(&mut spec);
    spec["webhooks"] = webhooks::spec::section();
    let mut json = serde_json::to_string_pretty(&spec).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    json.push('\n');
    json
}

/// The committed spec, as the binary serves it: a test holds it equal to [`to_json`], so
/// generating it again at every start (megabytes of transient heap) buys nothing.
pub const COMMITTED: &str = include_str!("../../openapi/pactum.json");

/// This OpenAPI document.
///
/// The contract integrators build against; also served at `/openapi.json`. The API reference
/// page at `/docs` renders it.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations", operation_id = "openapi",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json")))]
pub async fn spec() -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(COMMITTED)
}
