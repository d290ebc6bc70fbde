//! Operational endpoints and what every response carries.

use std::time::Duration;

use actix_web::http::Method;

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(
    liveness_answers_with_version_and_request_id,
    readiness_names_the_database,
    a_sane_client_request_id_is_kept_and_an_odd_one_replaced,
    the_docs_page_works_offline,
);

on_both_backends!(with_routes(crate::test_routes::routes):
    metrics_count_requests_by_route_template_and_status,
    graceful_shutdown_lets_in_flight_requests_finish,
);

async fn liveness_answers_with_version_and_request_id(app: TestApp) {
    let reply = app.get("/healthz").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), serde_json::json!({"status": "ok"}));
    assert_eq!(reply.header("api-version"), Some(env!("CARGO_PKG_VERSION")));
    let id = reply.header("x-request-id").expect("request id");
    assert!(uuid::Uuid::parse_str(id).is_ok(), "a generated id is a UUID: {id}");
}

async fn readiness_names_the_database(app: TestApp) {
    let reply = app.get("/readyz").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let expected = match app.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(reply.json(), serde_json::json!({"status": "ready", "database": expected}));
}

/// Readiness turns 503 when the database disappears (shown on PostgreSQL, where a database
/// can be dropped from under the running service).
#[actix_web::test]
async fn readiness_is_unavailable_when_the_database_is_gone() {
    let Some(mut app) = TestApp::spawn(Backend::Postgres).await else { return };
    assert_eq!(app.get("/readyz").await.status, 200);
    app.database.drop_now();
    let reply = app.get("/readyz").await;
    let body = reply.assert_problem(503, "service_unavailable");
    assert!(!reply.text().contains("pactum_test_"), "no internals in the body: {body}");
    assert_eq!(app.get("/healthz").await.status, 200, "the process itself is still up");
}

async fn a_sane_client_request_id_is_kept_and_an_odd_one_replaced(app: TestApp) {
    let request = app.request(Method::GET, "/healthz").insert_header(("X-Request-Id", "portal-42.a_b"));
    assert_eq!(app.send(request, None).await.header("x-request-id"), Some("portal-42.a_b"));

    let request = app.request(Method::GET, "/nope").insert_header(("X-Request-Id", "bad id with spaces"));
    let reply = app.send(request, None).await;
    let id = reply.header("x-request-id").unwrap().to_owned();
    assert_ne!(id, "bad id with spaces");
    assert_eq!(reply.assert_problem(404, "not_found")["request_id"], id);
}

async fn metrics_count_requests_by_route_template_and_status(app: TestApp) {
    app.get("/healthz").await;
    app.get("/healthz").await;
    for id in [uuid::Uuid::now_v7(), uuid::Uuid::now_v7()] {
        app.get(&format!("/test/items/{id}")).await;
    }
    app.get("/no/such/route").await;
    app.get("/test/panic").await;

    let reply = app.get("/metrics").await;
    assert_eq!(reply.status, 200);
    assert!(reply.header("content-type").unwrap().starts_with("text/plain"));
    let text = reply.text();
    for line in [
        r#"pactum_http_requests_total{method="GET",route="/healthz",status="200"} 2"#,
        r#"pactum_http_requests_total{method="GET",route="/test/items/{id}",status="200"} 2"#,
        r#"pactum_http_requests_total{method="GET",route="unmatched",status="404"} 1"#,
        r#"pactum_http_requests_total{method="GET",route="/test/panic",status="500"} 1"#,
        r#"pactum_http_request_duration_seconds_count{method="GET",route="/healthz"} 2"#,
        "pactum_db_pool_connections_in_use 0",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line:?} in\n{text}");
    }
    assert!(text.contains(
        r#"pactum_http_request_duration_seconds_bucket{method="GET",route="/healthz",le="0.005"}"#
    ));
}

async fn the_docs_page_works_offline(app: TestApp) {
    let redirect = app.get("/docs").await;
    assert_eq!(redirect.status, 308);
    assert_eq!(redirect.header("location"), Some("/docs/"));

    let page = app.get("/docs/").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("swagger-ui"), "{}", page.text());
    assert!(!page.text().contains("https://"), "no asset comes from another host");

    let initializer = app.get("/docs/swagger-initializer.js").await;
    assert_eq!(initializer.status, 200);
    assert!(initializer.text().contains("/api/v1/openapi.json"), "{}", initializer.text());

    let bundle = app.get("/docs/swagger-ui-bundle.js").await;
    assert_eq!(bundle.status, 200);
    assert!(bundle.body.len() > 100_000, "the bundle is embedded in the binary");
}

async fn graceful_shutdown_lets_in_flight_requests_finish(app: TestApp) {
    let tag = uuid::Uuid::now_v7().to_string();
    let slow = format!("/test/slow?tag={tag}");
    let in_flight = app.get(&slow);
    let stop = async {
        // Stopped once the request is surely in the server's hands, however busy the machine.
        let begun = || crate::test_routes::SLOW_BEGUN.lock().unwrap().contains(&tag);
        for _ in 0..1000 {
            if begun() {
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(begun(), "the slow request reached the server");
        app.handle.stop(true).await;
    };
    let (reply, ()) = futures_util::future::join(in_flight, stop).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "finished");
    let after = app.client.get(app.url("/healthz")).send().await;
    assert!(after.is_err(), "the server no longer accepts connections");
}
