//! The public directory: only listed networks, only public fields, cacheable, and a message form
//! that reaches the network without showing its address.

use actix_web::http::Method;
use serde_json::json;

use crate::fixtures::tenant;
use crate::helpers::TestApp;
use crate::on_both_backends;

on_both_backends!(
    the_directory_shows_listed_networks_without_personal_data,
    a_message_reaches_a_listed_network,
);

async fn listed_network(app: &TestApp, officer: &crate::helpers::User, municipality_id: &str) -> String {
    let reply = app
        .post_as(
            officer,
            "/api/v1/networks",
            json!({"name": "Repair Café Noord", "kind": "volunteer_initiative", "themes": ["Sustainability"],
                   "neighbourhoods": ["Noord"], "legal_form": "none", "contact_email": "hallo@repaircafe.example",
                   "intermediary": {"name": "Stichting Welzijn Noord", "kvk_number": "41234567"},
                   "listed_publicly": true, "municipality_id": municipality_id}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    reply.json()["id"].as_str().unwrap().to_owned()
}

async fn the_directory_shows_listed_networks_without_personal_data(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let listed = listed_network(&app, &a.officer, &a.municipality_id).await;

    let reply = app.get("/api/v1/public/networks").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "the fixture's unlisted network stays out: {body}");
    assert_eq!(items[0]["id"], listed.as_str());
    assert_eq!(items[0]["name"], "Repair Café Noord");
    assert_eq!(items[0]["municipality_ids"], json!([a.municipality_id]));
    assert!(!reply.text().contains('@'), "no email address in the directory: {}", reply.text());
    assert!(items[0]["contact_url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/api/v1/public/networks/{listed}/messages")));
    assert_eq!(reply.header("cache-control"), Some("public, max-age=300"));

    let etag = reply.header("etag").expect("an ETag").to_owned();
    let again = app
        .send(
            app.request(Method::GET, "/api/v1/public/networks")
                .insert_header(("If-None-Match", etag.clone())),
            None,
        )
        .await;
    assert_eq!(again.status, 304);

    let filtered = app
        .get(&format!(
            "/api/v1/public/networks?theme=sustainability&q=repair&municipality_id={}",
            a.municipality_id
        ))
        .await;
    assert_eq!(filtered.json()["items"].as_array().unwrap().len(), 1);
    let elsewhere = app.get("/api/v1/public/networks?theme=youth").await;
    assert_eq!(elsewhere.json()["items"], json!([]));

    // The network's coordinator lists it, then unlists it again; each change shows at once and
    // the old ETag no longer matches.
    let own = format!("/api/v1/networks/{}", a.network_id);
    let listing = |listed: bool| {
        app.call(&a.coordinator, Method::PATCH, &own, Some(json!({"listed_publicly": listed})))
    };
    assert_eq!(listing(true).await.status, 200);
    let both = app
        .send(
            app.request(Method::GET, "/api/v1/public/networks")
                .insert_header(("If-None-Match", etag.clone())),
            None,
        )
        .await;
    assert_eq!(both.status, 200);
    assert_eq!(both.json()["items"].as_array().unwrap().len(), 2);
    assert_eq!(listing(false).await.status, 200);
    let after = app.get("/api/v1/public/networks").await;
    assert_eq!(after.json()["items"].as_array().unwrap().len(), 1);
    app.get("/api/v1/public/networks?limit=0").await.assert_problem(400, "bad_request");
}

async fn a_message_reaches_a_listed_network(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let listed = listed_network(&app, &a.officer, &a.municipality_id).await;
    let path = format!("/api/v1/public/networks/{listed}/messages");

    let bad = app.post_json(&path, &json!({"name": "", "email": "not-an-address", "message": "Hoi"})).await;
    let problem = bad.assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2, "{problem}");

    let sent = app
        .post_json(
            &path,
            &json!({"name": "Jan Jansen", "email": "jan@example.nl", "message": "Ik help graag <mee>."}),
        )
        .await;
    assert_eq!(sent.status, 202, "{}", sent.text());

    let unlisted = format!("/api/v1/public/networks/{}/messages", a.network_id);
    app.post_json(&unlisted, &json!({"name": "Jan", "email": "jan@example.nl", "message": "Hoi"}))
        .await
        .assert_problem(404, "not_found");

    let mail = app.get_as(&root, "/api/v1/outbox?limit=200").await.json();
    let messages: Vec<_> =
        mail["items"].as_array().unwrap().iter().filter(|m| m["kind"] == "directory_message").collect();
    assert_eq!(messages.len(), 1, "{mail}");
    assert_eq!(messages[0]["recipient"], "hallo@repaircafe.example");
    assert_eq!(messages[0]["subject"], "Bericht voor Repair Café Noord via Pactum");
}

mod the_directory_is_rate_limited_per_address {
    #[actix_web::test]
    async fn sqlite() {
        super::the_directory_is_rate_limited_per_address(crate::helpers::Backend::Sqlite).await
    }
    #[actix_web::test]
    async fn postgres() {
        super::the_directory_is_rate_limited_per_address(crate::helpers::Backend::Postgres).await
    }
}

async fn the_directory_is_rate_limited_per_address(backend: crate::helpers::Backend) {
    let flags = ["--public-requests-per-minute", "3"];
    let Some(app) = TestApp::spawn_configured(backend, |_| {}, &flags).await else { return };
    for _ in 0..3 {
        assert_eq!(app.get("/api/v1/public/networks").await.status, 200);
    }
    let refused = app.get("/api/v1/public/networks").await;
    refused.assert_problem(429, "rate_limited");
    assert!(refused.header("retry-after").is_some_and(|s| s.parse::<u64>().unwrap() > 0));
    // The rest of the service is not affected.
    assert_eq!(app.get("/healthz").await.status, 200);
}
