//! `Idempotency-Key`: one effect however often a request is retried, per caller.

use actix_web::http::Method;
use actix_web::web::Bytes;
use serde_json::{json, Value};

use crate::fixtures::tenant;
use crate::helpers::{Reply, TestApp, User};
use crate::on_both_backends;

on_both_backends!(a_retried_post_has_one_effect, twenty_at_once_have_one_effect);

async fn post_with_key(app: &TestApp, user: &User, path: &str, key: &str, body: &Value) -> Reply {
    let request = app
        .request(Method::POST, path)
        .insert_header(("Authorization", format!("Bearer {}", user.token)))
        .insert_header(("Idempotency-Key", key))
        .content_type("application/json");
    app.send(request, Some(Bytes::from(body.to_string()))).await
}

fn vision(t: &crate::fixtures::Tenant, title: &str) -> Value {
    json!({"municipality_id": t.municipality_id, "title": title, "statement": "",
           "parties": [{"type": "network", "id": t.network_id}]})
}

async fn count_titled(app: &TestApp, user: &User, title: &str) -> usize {
    let page = app.get_as(user, "/api/v1/visions?limit=200").await.json();
    page["items"].as_array().unwrap().iter().filter(|v| v["title"] == title).count()
}

async fn a_retried_post_has_one_effect(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let body = vision(&a, "Eén keer");
    let first = post_with_key(&app, &a.officer, "/api/v1/visions", "key-1", &body).await;
    assert_eq!(first.status, 201, "{}", first.text());
    let again = post_with_key(&app, &a.officer, "/api/v1/visions", "key-1", &body).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.json()["id"], first.json()["id"], "the first response is replayed");
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(count_titled(&app, &a.officer, "Eén keer").await, 1);

    let other_body =
        post_with_key(&app, &a.officer, "/api/v1/visions", "key-1", &vision(&a, "Iets anders")).await;
    other_body.assert_problem(422, "idempotency_key_reused");
    assert_eq!(count_titled(&app, &a.officer, "Iets anders").await, 0);

    // Keys belong to their caller: the coordinator's key-1 is a new request.
    let theirs = post_with_key(&app, &a.coordinator, "/api/v1/visions", "key-1", &body).await;
    assert_eq!(theirs.status, 201, "{}", theirs.text());
    assert_ne!(theirs.json()["id"], first.json()["id"]);

    let too_long = post_with_key(&app, &a.officer, "/api/v1/visions", &"k".repeat(256), &body).await;
    too_long.assert_problem(400, "bad_request");
    // A refused request is answered the same way when retried.
    let invalid = json!({"municipality_id": a.municipality_id, "title": " ", "statement": "", "parties": []});
    post_with_key(&app, &a.officer, "/api/v1/visions", "key-2", &invalid)
        .await
        .assert_problem(422, "validation_failed");
    post_with_key(&app, &a.officer, "/api/v1/visions", "key-2", &invalid)
        .await
        .assert_problem(422, "validation_failed");

    // After the 24-hour window the date job forgets the keys; key-1 is then a new request.
    let forget = || app.state.db.run(|conn| Ok(pactum::idempotency::forget_expired(conn)?));
    assert_eq!(forget().await.unwrap(), 0, "fresh keys are kept");
    app.state
        .db
        .run(|conn| {
            use diesel::prelude::*;
            use pactum::db::schema::idempotency_keys;
            let day_ago = pactum::domain::time::now() - chrono::Duration::hours(25);
            Ok(diesel::update(idempotency_keys::table)
                .set(idempotency_keys::created_at.eq(day_ago))
                .execute(conn)?)
        })
        .await
        .unwrap();
    assert!(forget().await.unwrap() >= 3, "the officer's, the coordinator's and the refused key");
    let later = post_with_key(&app, &a.officer, "/api/v1/visions", "key-1", &body).await;
    assert_eq!(later.status, 201, "{}", later.text());
    assert_eq!(later.header("idempotent-replayed"), None);
    assert_eq!(
        count_titled(&app, &a.officer, "Eén keer").await,
        3,
        "the first, the coordinator's and this one"
    );
}

async fn twenty_at_once_have_one_effect(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let body = vision(&a, "Twintig tegelijk");
    let replies = futures_util::future::join_all(
        (0..20).map(|_| post_with_key(&app, &a.officer, "/api/v1/visions", "same-key", &body)),
    )
    .await;
    let created: Vec<&Reply> = replies.iter().filter(|r| r.status == 201).collect();
    assert!(!created.is_empty());
    for reply in &replies {
        match reply.status {
            201 => assert_eq!(reply.json()["id"], created[0].json()["id"]),
            409 => {
                reply.assert_problem(409, "idempotency_key_in_flight");
            }
            other => panic!("unexpected {other}: {}", reply.text()),
        }
    }
    assert_eq!(count_titled(&app, &a.officer, "Twintig tegelijk").await, 1, "one effect");
}
