//! Every kind of bad input and failure answers with an RFC 9457 problem, never a bare status.

use actix_web::http::Method;
use actix_web::web::Bytes;

use crate::helpers::TestApp;
use crate::on_both_backends;

on_both_backends!(with_routes(crate::test_routes::routes):
    malformed_json_is_a_bad_request,
    wrong_content_type_is_a_bad_request,
    valid_json_of_the_wrong_shape_is_unprocessable,
    a_body_over_the_limit_is_payload_too_large,
    bad_path_and_query_values_are_bad_requests,
    a_panic_is_a_generic_internal_error,
    a_database_failure_is_a_generic_internal_error,
);

on_both_backends!(an_unknown_route_is_not_found, a_wrong_method_is_method_not_allowed,);

async fn malformed_json_is_a_bad_request(app: TestApp) {
    let request = app.request(Method::POST, "/test/echo").content_type("application/json");
    let reply = app.send(request, Some(Bytes::from_static(b"{\"name\": \"Buurtkracht\","))).await;
    let body = reply.assert_problem(400, "bad_request");
    assert_eq!(body["instance"], "/test/echo");
    assert!(body["detail"].as_str().unwrap().contains("not valid JSON"), "{body}");
}

async fn wrong_content_type_is_a_bad_request(app: TestApp) {
    let request = app.request(Method::POST, "/test/echo").content_type("text/plain");
    let reply = app.send(request, Some(Bytes::from_static(b"{\"name\":\"x\",\"count\":1}"))).await;
    let body = reply.assert_problem(400, "bad_request");
    assert!(body["detail"].as_str().unwrap().contains("Content-Type: application/json"), "{body}");
}

async fn valid_json_of_the_wrong_shape_is_unprocessable(app: TestApp) {
    let reply = app.post_json("/test/echo", &serde_json::json!({"count": 3})).await;
    let body = reply.assert_problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "name", "{body}");

    let reply = app.post_json("/test/echo", &serde_json::json!({"name": "x", "count": -1})).await;
    reply.assert_problem(422, "validation_failed");

    let reply = app.post_json("/test/echo", &serde_json::json!({"name": "Buurtkracht", "count": 2})).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json(), serde_json::json!({"name": "Buurtkracht", "count": 2}));
}

async fn a_body_over_the_limit_is_payload_too_large(app: TestApp) {
    let limit = app.state.settings.body_limit_bytes;
    let big = format!("{{\"name\": \"{}\", \"count\": 1}}", "x".repeat(limit));
    let request = app.request(Method::POST, "/test/echo").content_type("application/json");
    let reply = app.send(request, Some(Bytes::from(big))).await;
    let body = reply.assert_problem(413, "payload_too_large");
    assert!(body["detail"].as_str().unwrap().contains(&limit.to_string()), "{body}");
}

async fn bad_path_and_query_values_are_bad_requests(app: TestApp) {
    app.get("/test/items/not-a-uuid").await.assert_problem(400, "bad_request");
    app.get("/test/search?limit=many").await.assert_problem(400, "bad_request");
    app.get("/test/search?limit=300").await.assert_problem(400, "bad_request");
    app.get("/test/search").await.assert_problem(400, "bad_request");
    let ok = app.get("/test/search?limit=20").await;
    assert_eq!(ok.status, 200);
    let id = uuid::Uuid::now_v7();
    assert_eq!(app.get(&format!("/test/items/{id}")).await.json()["id"], id.to_string());
}

async fn a_panic_is_a_generic_internal_error(app: TestApp) {
    let reply = app.get("/test/panic").await;
    let body = reply.assert_problem(500, "internal_error");
    assert!(!reply.text().contains("secret"), "the panic message stays in the log: {body}");
    assert_eq!(reply.header("api-version"), Some(env!("CARGO_PKG_VERSION")));
    // The worker survives.
    assert_eq!(app.get("/healthz").await.status, 200);
}

async fn a_database_failure_is_a_generic_internal_error(app: TestApp) {
    let reply = app.get("/test/database-failure").await;
    reply.assert_problem(500, "internal_error");
    let text = reply.text();
    assert!(!text.contains("no_such_table") && !text.to_lowercase().contains("sql"), "{text}");
}

async fn an_unknown_route_is_not_found(app: TestApp) {
    let reply = app.get("/api/v1/nothing-here").await;
    let body = reply.assert_problem(404, "not_found");
    assert_eq!(body["instance"], "/api/v1/nothing-here");
}

async fn a_wrong_method_is_method_not_allowed(app: TestApp) {
    let reply = app.send(app.request(Method::DELETE, "/healthz"), None).await;
    let body = reply.assert_problem(405, "method_not_allowed");
    assert!(body["detail"].as_str().unwrap().contains("DELETE"), "{body}");
}
