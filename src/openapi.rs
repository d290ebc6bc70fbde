//! The OpenAPI 3.1 document, generated from the handlers and types. `openapi/pactum.json` is
//! this document, committed; a test fails when the two differ.

use actix_web::{web, HttpResponse};
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::{Object, OpenApi as Spec, RefOr, Type};
use utoipa::{Modify, OpenApi};

use crate::error::{ErrorCode, FieldError, Problem};
use crate::http::{health, metrics};
use crate::startup::AppState;

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
    paths(health::live, health::ready, metrics::scrape, spec),
    components(schemas(Problem, ErrorCode, FieldError)),
    tags((name = "operations", description = "Health, readiness, metrics and this specification")),
    modifiers(&ApiVersionHeader),
)]
pub struct ApiDoc;

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

/// The spec as pretty JSON with a trailing newline, exactly as committed.
pub fn to_json() -> String {
    let mut json = ApiDoc::openapi().to_pretty_json().unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
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
