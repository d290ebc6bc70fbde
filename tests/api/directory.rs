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
    a_network_with_someone_elses_address_cannot_relay_messages_to_it,
    only_networks_that_work_with_a_municipality_are_listed,
);

/// Confirms a network's contact address through the link emailed to it.
async fn confirm_contact(app: &TestApp, address: &str) -> crate::helpers::Reply {
    let emails = app.emails_to(address).await;
    let email = emails.iter().rev().find(|m| m.kind == "contact_confirmation").expect("a confirmation email");
    let path = crate::helpers::api_path_in(&email.text, "/api/v1/public/contact-confirmations/");
    app.post_json(&path, &json!({})).await
}

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
    assert_eq!(reply.json()["contact_email_confirmed"], false);
    let confirmed = confirm_contact(app, "hallo@repaircafe.example").await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text());
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
    let unconfirmed = app
        .send(
            app.request(Method::GET, "/api/v1/public/networks")
                .insert_header(("If-None-Match", etag.clone())),
            None,
        )
        .await;
    assert_eq!(unconfirmed.status, 304, "not listed before its address is confirmed");
    let fixture_contact =
        app.get_as(&a.coordinator, &own).await.json()["contact_email"].as_str().unwrap().to_owned();
    assert_eq!(confirm_contact(&app, &fixture_contact).await.status, 200);
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
            &json!({"name": "Jan Jansen", "email": "jan@example.nl", "message": "Ik help graag <mee>. Zie {base_url}/x"}),
        )
        .await;
    assert_eq!(sent.status, 202, "{}", sent.text());
    // What the visitor wrote stays text: it is never filled in as a template.
    let delivered = app.emails_to("hallo@repaircafe.example").await;
    let message = delivered.iter().find(|m| m.kind == "directory_message").expect("the message");
    assert!(message.text.contains("Zie {base_url}/x"), "{}", message.text);

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

/// The attack: anyone signed in registers a listed network with a victim's address as its
/// contact, and anonymous visitors send the victim mail through Pactum.
async fn a_network_with_someone_elses_address_cannot_relay_messages_to_it(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let stranger = app.signed_in("stranger@elders.example", "Stranger", false).await;
    let created = app
        .post_as(
            &stranger,
            "/api/v1/networks",
            json!({"name": "Gratis prijzen", "kind": "other", "legal_form": "none",
                   "contact_email": "victim@example.nl", "listed_publicly": true, "municipality_id": a.municipality_id}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_owned();
    // Even once the municipality works with it, an unconfirmed address receives nothing.
    let accepted = app
        .post_as(
            &a.officer,
            &format!("/api/v1/municipalities/{}/networks/{id}/accept", a.municipality_id),
            json!({}),
        )
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.text());
    let path = format!("/api/v1/public/networks/{id}/messages");
    let spam = json!({"name": "Jan", "email": "jan@example.nl", "message": "Klik hier"});
    app.post_json(&path, &spam).await.assert_problem(404, "not_found");
    let listing = app.get("/api/v1/public/networks").await.json();
    assert!(!listing.to_string().contains(&id), "{listing}");
    let to_victim = app.emails_to("victim@example.nl").await;
    assert_eq!(to_victim.iter().map(|m| m.kind.as_str()).collect::<Vec<_>>(), ["contact_confirmation"]);
    // The confirmation link is sealed in the outbox: no token in clear.
    let raw: Vec<String> = app
        .state
        .db
        .run(|conn| {
            use diesel::prelude::*;
            use pactum::db::schema::outbox;
            Ok(outbox::table
                .filter(outbox::recipient.eq("victim@example.nl"))
                .select(outbox::body_text)
                .load(conn)?)
        })
        .await
        .unwrap();
    assert!(raw.iter().all(|body| !body.contains("ncf_") && body.starts_with("sealed:v1:")), "{raw:?}");

    // The owner of the address confirms; the link works once. Then messages flow, up to a cap.
    let confirmed = confirm_contact(&app, "victim@example.nl").await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text());
    assert_eq!(confirmed.json()["network_id"], id.as_str());
    confirm_contact(&app, "victim@example.nl").await.assert_problem(404, "not_found");
    let cap = app.state.settings.directory_messages_per_day;
    for _ in 0..cap {
        assert_eq!(app.post_json(&path, &spam).await.status, 202);
    }
    let capped = app.post_json(&path, &spam).await;
    capped.assert_problem(429, "rate_limited");
    assert!(capped.header("retry-after").is_some());
    let sent =
        app.emails_to("victim@example.nl").await.iter().filter(|m| m.kind == "directory_message").count();
    assert_eq!(sent, cap as usize);

    // A changed address must be confirmed again.
    let changed = app
        .call(
            &stranger,
            Method::PATCH,
            &format!("/api/v1/networks/{id}"),
            Some(json!({"contact_email": "other@example.nl"})),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text());
    assert_eq!(changed.json()["contact_email_confirmed"], false);
    app.post_json(&path, &spam).await.assert_problem(404, "not_found");
}

async fn only_networks_that_work_with_a_municipality_are_listed(app: TestApp) {
    let stranger = app.signed_in("stranger@elders.example", "Stranger", false).await;
    let created = app
        .post_as(
            &stranger,
            "/api/v1/networks",
            json!({"name": "Los netwerk", "kind": "other", "legal_form": "none",
                   "contact_email": "los@example.nl", "listed_publicly": true}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(confirm_contact(&app, "los@example.nl").await.status, 200);
    let listing = app.get("/api/v1/public/networks").await.json();
    assert_eq!(listing["items"], json!([]), "no link to any municipality: not listed");
    let spam = json!({"name": "Jan", "email": "jan@example.nl", "message": "Hoi"});
    app.post_json(&format!("/api/v1/public/networks/{id}/messages"), &spam)
        .await
        .assert_problem(404, "not_found");
    // A coordinator can ask for a new link when the first got lost.
    let again =
        app.post_as(&stranger, &format!("/api/v1/networks/{id}/contact-confirmation"), json!({})).await;
    assert_eq!(again.status, 202, "{}", again.text());
    let links =
        app.emails_to("los@example.nl").await.iter().filter(|m| m.kind == "contact_confirmation").count();
    assert_eq!(links, 2);
}
