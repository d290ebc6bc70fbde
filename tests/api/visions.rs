//! Shared visions: drafted together, proposed, endorsed by every party, archived.

use actix_web::http::Method;
use serde_json::{json, Value};

use crate::fixtures::tenant;
use crate::helpers::TestApp;
use crate::on_both_backends;

on_both_backends!(a_vision_is_drafted_proposed_endorsed_by_every_party_and_archived);

fn actions(body: &Value) -> Vec<&str> {
    body["allowed_actions"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect()
}

async fn a_vision_is_drafted_proposed_endorsed_by_every_party_and_archived(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let b = tenant(&app, &root, "b").await;
    let network = json!({"type": "network", "id": a.network_id});
    let organisation = json!({"type": "organisation", "id": a.organisation_id});
    let created = app
        .post_as(
            &a.officer,
            "/api/v1/visions",
            json!({
                "municipality_id": a.municipality_id,
                "title": "Samen tegen eenzaamheid",
                "statement": "Niemand hoeft er alleen voor te staan.",
                "goals": [{"title": "Meer ontmoeting", "indicator": "Twee koffie-ochtenden per week"}],
                "themes": ["Loneliness"],
                "parties": [network, organisation],
            }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let vision = created.json();
    let id = vision["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/visions/{id}");
    assert_eq!(vision["status"], "draft");
    assert_eq!(vision["parties"].as_array().unwrap().len(), 3, "the municipality is always a party");
    assert_eq!(vision["themes"], json!(["loneliness"]));
    assert_eq!(actions(&vision), ["edit", "propose", "archive"]);
    assert_eq!(actions(&app.get_as(&a.coordinator, &path).await.json()), ["edit", "propose"]);
    assert!(actions(&app.get_as(&a.contact, &path).await.json()).is_empty());
    assert_eq!(app.get_as(&a.treasurer, &path).await.status, 200, "network members see their visions");
    app.get_as(&b.officer, &path).await.assert_problem(404, "not_found");

    // Not yet: endorsing a draft is refused and says what is allowed.
    let early = app.post_as(&a.coordinator, &format!("{path}/endorse"), json!({})).await;
    let problem = early.assert_problem(409, "invalid_transition");
    assert_eq!(problem["allowed_actions"], json!(["edit", "propose"]));
    app.post_as(&a.treasurer, &format!("{path}/propose"), json!({})).await.assert_problem(403, "forbidden");

    let proposed = app.post_as(&a.coordinator, &format!("{path}/propose"), json!({})).await;
    assert_eq!(proposed.json()["status"], "proposed", "{}", proposed.text());
    let endorsed = app.post_as(&a.coordinator, &format!("{path}/endorse"), json!({})).await.json();
    assert_eq!(endorsed["status"], "proposed");
    assert_eq!(endorsed["endorsements"][0]["party"], network);
    app.post_as(&a.coordinator, &format!("{path}/endorse"), json!({}))
        .await
        .assert_problem(409, "invalid_transition");

    // Editing a proposed vision returns it to draft and clears the endorsements.
    let edited = app
        .call(
            &a.officer,
            Method::PATCH,
            &path,
            Some(json!({"statement": "Niemand hoeft er alleen voor te staan, jong of oud."})),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text());
    let edited = edited.json();
    assert_eq!(edited["status"], "draft");
    assert_eq!(edited["endorsements"], json!([]));
    assert_eq!(edited["revision"], 2);

    app.post_as(&a.officer, &format!("{path}/propose"), json!({})).await;
    for (who, status) in [(&a.coordinator, "proposed"), (&a.contact, "proposed"), (&a.officer, "endorsed")] {
        let reply = app.post_as(who, &format!("{path}/endorse"), json!({})).await;
        assert_eq!(reply.status, 200, "{}: {}", who.email, reply.text());
        assert_eq!(reply.json()["status"], status, "after {}", who.email);
    }
    app.call(&a.officer, Method::PATCH, &path, Some(json!({"title": "Te laat"})))
        .await
        .assert_problem(409, "invalid_transition");
    let archived = app.post_as(&a.officer, &format!("{path}/archive"), json!({})).await.json();
    assert_eq!(archived["status"], "archived");
    assert!(actions(&archived).is_empty());

    let revisions = app.get_as(&a.contact, &format!("{path}/revisions")).await.json();
    let items = revisions["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["content"]["statement"], "Niemand hoeft er alleen voor te staan.");
    assert_eq!(items[1]["content"]["title"], "Samen tegen eenzaamheid");

    let ids = |page: Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|v| v["id"].as_str().unwrap().to_owned()).collect()
    };
    let listed = ids(app.get_as(&a.contact, "/api/v1/visions").await.json());
    assert_eq!(listed, [a.vision_id.clone(), id.clone()], "a party organisation's contact finds both");
    let archived_only = ids(app.get_as(&a.contact, "/api/v1/visions?status=archived").await.json());
    assert_eq!(archived_only, vec![id.clone()]);
    assert_eq!(ids(app.get_as(&b.coordinator, "/api/v1/visions").await.json()), vec![b.vision_id.clone()]);

    let trail = app
        .get_as(&a.auditor, &format!("/api/v1/audit-events?entity_type=vision&entity_id={id}"))
        .await
        .json();
    let kinds: Vec<&str> =
        trail["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(kinds.first(), Some(&"vision.created"));
    assert_eq!(kinds.last(), Some(&"vision.archived"));
    assert_eq!(kinds.iter().filter(|k| **k == "vision.endorsed").count(), 4);

    let stranger = app
        .post_as(&b.officer, "/api/v1/visions", json!({"municipality_id": a.municipality_id, "title": "X", "statement": "", "parties": [network]}))
        .await;
    stranger.assert_problem(404, "not_found");
    let unlinked = app
        .post_as(
            &a.officer,
            "/api/v1/visions",
            json!({"municipality_id": a.municipality_id, "title": "X", "statement": "",
            "parties": [{"type": "network", "id": b.network_id}]}),
        )
        .await;
    assert_eq!(unlinked.assert_problem(422, "validation_failed")["errors"][0]["field"], "parties[0]");
}
