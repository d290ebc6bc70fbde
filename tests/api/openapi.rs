//! The committed spec is what the code generates, and it follows the API design rules
//! integrators expect.

use std::collections::BTreeSet;

use strum::IntoEnumIterator;

use crate::helpers::TestApp;
use crate::on_both_backends;

use pactum::openapi::COMMITTED;

#[test]
fn the_committed_spec_is_what_the_code_generates() {
    let generated = pactum::openapi::to_json();
    assert!(
        generated == COMMITTED,
        "openapi/pactum.json is out of date. Regenerate it with:\n\n    \
         cargo run -q -- openapi > openapi/pactum.json\n"
    );
}

fn spec() -> serde_json::Value {
    serde_json::from_str(COMMITTED).expect("the committed spec is JSON")
}

#[test]
fn the_spec_follows_the_api_design_rules() {
    let spec = spec();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"), "OpenAPI 3.1");
    assert!(spec["info"]["contact"]["email"].is_string(), "info.contact");
    assert_eq!(spec["info"]["version"], env!("CARGO_PKG_VERSION"));
    let paths = spec["paths"].as_object().unwrap();
    assert!(!paths.is_empty());
    for (path, item) in paths {
        assert!(path == "/" || !path.ends_with('/'), "no trailing slash: {path}");
        for (method, operation) in item.as_object().unwrap() {
            assert!(operation["operationId"].is_string(), "{method} {path} has an operationId");
            for (status, response) in operation["responses"].as_object().unwrap() {
                assert!(
                    response["headers"]["API-Version"].is_object(),
                    "{method} {path} {status} documents API-Version"
                );
            }
        }
    }
}

#[test]
fn every_error_code_is_documented() {
    let spec = spec();
    let documented: BTreeSet<String> = spec["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .expect("ErrorCode is an enum")
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let codes: BTreeSet<String> = pactum::error::ErrorCode::iter().map(|c| c.as_str().to_owned()).collect();
    assert_eq!(documented, codes);
}

on_both_backends!(the_spec_is_served_at_both_paths);

async fn the_spec_is_served_at_both_paths(app: TestApp) {
    for path in ["/openapi.json", "/api/v1/openapi.json"] {
        let reply = app.get(path).await;
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("content-type"), Some("application/json"));
        assert_eq!(reply.json(), spec(), "{path} serves the committed spec");
    }
}
