//! Service accounts: scoped API tokens for other systems, in the one policy, rate limited,
//! attributed in the audit trail, and never shown again after they are issued.

use actix_web::http::Method;
use diesel::prelude::*;
use serde_json::json;

use crate::fixtures::{grant_in_review, post_keyed, service_account, tenant};
use crate::helpers::{TestApp, User};
use crate::on_both_backends;

on_both_backends!(
    a_token_does_what_its_scopes_allow_in_its_own_municipality,
    revoked_expired_and_inactive_tokens_get_401,
    tokens_are_listed_without_the_secret_and_calls_are_attributed,
    only_municipal_admins_manage_service_accounts,
);

fn accounts_path(municipality_id: &str) -> String {
    format!("/api/v1/municipalities/{municipality_id}/service-accounts")
}

async fn a_token_does_what_its_scopes_allow_in_its_own_municipality(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let b = tenant(&app, &root, "b").await;
    let reader = &a.service_account;
    assert!(reader.token.starts_with("pct_") && reader.token.len() >= 4 + 43, "{}", reader.token);

    // grants:read lists and reads the municipality's grants, and only those.
    let listed = app.get_as(reader, "/api/v1/grants").await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    let ids: Vec<String> = listed.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(ids.contains(&a.grant_id), "{ids:?}");
    assert!(!ids.contains(&b.grant_id), "another municipality's grant is listed: {ids:?}");
    assert_eq!(app.get_as(reader, &format!("/api/v1/grants/{}", a.grant_id)).await.status, 200);
    assert_eq!(app.get_as(reader, "/api/v1/funds").await.status, 200);

    // ...but may not decide on them, nor read what its scopes do not name.
    let in_review = grant_in_review(&app, &a, &a.fund_id, 25_000).await;
    let refused = post_keyed(&app, reader, &format!("/api/v1/grants/{in_review}/approve"), json!({})).await;
    refused.assert_problem(403, "forbidden");
    app.get_as(reader, "/api/v1/agreements").await.assert_problem(403, "forbidden");
    app.get_as(reader, &format!("/api/v1/agreements/{}", a.agreement_id))
        .await
        .assert_problem(403, "forbidden");
    app.get_as(reader, &format!("/api/v1/grants/{}/reports", a.grant_id))
        .await
        .assert_problem(403, "forbidden");
    app.get_as(reader, &format!("/api/v1/audit-events?municipality_id={}", a.municipality_id))
        .await
        .assert_problem(403, "forbidden");
    app.call(
        reader,
        Method::PATCH,
        &format!("/api/v1/networks/{}", a.network_id),
        Some(json!({"name": "X"})),
    )
    .await
    .assert_problem(403, "forbidden");
    app.get_as(reader, &accounts_path(&a.municipality_id)).await.assert_problem(403, "forbidden");

    // Another municipality's records do not exist for it.
    app.get_as(reader, &format!("/api/v1/grants/{}", b.grant_id)).await.assert_problem(404, "not_found");
    app.get_as(reader, &format!("/api/v1/funds/{}", b.fund_id)).await.assert_problem(404, "not_found");
    app.get_as(reader, &format!("/api/v1/networks/{}/grants", b.network_id))
        .await
        .assert_problem(404, "not_found");
    // Municipalities are for people: no scope names them, whichever municipality.
    app.get_as(reader, &format!("/api/v1/municipalities/{}", a.municipality_id))
        .await
        .assert_problem(403, "forbidden");

    // A deciding token of municipality B gets 404 on A's grant, and decides on B's.
    let (decider, _) = service_account(&app, &b.admin, &b.municipality_id, &["grants:write"]).await;
    post_keyed(&app, &decider, &format!("/api/v1/grants/{in_review}/approve"), json!({}))
        .await
        .assert_problem(404, "not_found");
    let b_in_review = grant_in_review(&app, &b, &b.fund_id, 25_000).await;
    let approved =
        post_keyed(&app, &decider, &format!("/api/v1/grants/{b_in_review}/approve"), json!({})).await;
    assert_eq!(approved.status, 200, "{}", approved.text());
    assert_eq!(approved.json()["status"], "approved");
}

async fn revoked_expired_and_inactive_tokens_get_401(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let tokens = format!("{}/{}/tokens", accounts_path(&a.municipality_id), a.service_account.id);
    assert_eq!(app.get_as(&a.service_account, "/api/v1/grants").await.status, 200);

    // Revoked: 401 from the next request on; revoking again changes nothing.
    let revoked = app.post_as(&a.admin, &format!("{tokens}/{}/revoke", a.token_id), json!({})).await;
    assert_eq!(revoked.status, 200, "{}", revoked.text());
    let revoked_at = revoked.json()["revoked_at"].clone();
    assert!(revoked_at.is_string());
    app.get_as(&a.service_account, "/api/v1/grants").await.assert_problem(401, "unauthenticated");
    let again = app.post_as(&a.admin, &format!("{tokens}/{}/revoke", a.token_id), json!({})).await;
    assert_eq!(again.json()["revoked_at"], revoked_at);

    // Expired token: 401.
    let issued =
        app.post_as(&a.admin, &tokens, json!({"label": "kort", "expires_at": "2099-01-01T00:00:00Z"})).await;
    assert_eq!(issued.status, 201, "{}", issued.text());
    let issued = issued.json();
    let caller = User {
        id: a.service_account.id.clone(),
        email: String::new(),
        token: issued["token"].as_str().unwrap().into(),
    };
    assert_eq!(app.get_as(&caller, "/api/v1/grants").await.status, 200);
    let token_id = issued["id"].as_str().unwrap().to_owned();
    expire(&app, "service_account_tokens", &token_id).await;
    app.get_as(&caller, "/api/v1/grants").await.assert_problem(401, "unauthenticated");

    // An expired or inactive account stops all its tokens.
    let fresh = app.post_as(&a.admin, &tokens, json!({})).await.json();
    let caller = User { token: fresh["token"].as_str().unwrap().into(), ..caller };
    assert_eq!(app.get_as(&caller, "/api/v1/grants").await.status, 200);
    let account = format!("{}/{}", accounts_path(&a.municipality_id), a.service_account.id);
    let paused = app.call(&a.admin, Method::PATCH, &account, Some(json!({"active": false}))).await;
    assert_eq!(paused.status, 200, "{}", paused.text());
    app.get_as(&caller, "/api/v1/grants").await.assert_problem(401, "unauthenticated");
    app.post_as(&a.admin, &tokens, json!({})).await.assert_problem(409, "conflict");
    assert_eq!(app.call(&a.admin, Method::PATCH, &account, Some(json!({"active": true}))).await.status, 200);
    assert_eq!(app.get_as(&caller, "/api/v1/grants").await.status, 200);
    expire(&app, "service_accounts", &a.service_account.id).await;
    app.get_as(&caller, "/api/v1/grants").await.assert_problem(401, "unauthenticated");

    // Made-up tokens, and expiries in the past, are refused.
    let forged = User { token: format!("pct_{}", "A".repeat(43)), ..caller };
    app.get_as(&forged, "/api/v1/grants").await.assert_problem(401, "unauthenticated");
    let past = app.post_as(&a.admin, &tokens, json!({"expires_at": "2001-01-01T00:00:00Z"})).await;
    assert_eq!(past.assert_problem(422, "validation_failed")["errors"][0]["field"], "expires_at");
}

/// Moves an expiry into the past, as time would.
async fn expire(app: &TestApp, table: &'static str, id: &str) {
    let id = id.to_owned();
    app.state
        .db
        .run(move |conn| {
            let sql = format!("UPDATE {table} SET expires_at = '2020-01-01 00:00:00' WHERE id = '{id}'");
            Ok(diesel::sql_query(sql).execute(conn)?)
        })
        .await
        .unwrap();
}

async fn tokens_are_listed_without_the_secret_and_calls_are_attributed(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let (decider, _) =
        service_account(&app, &a.admin, &a.municipality_id, &["grants:write", "audit:read"]).await;
    let in_review = grant_in_review(&app, &a, &a.fund_id, 30_000).await;
    let approved =
        post_keyed(&app, &decider, &format!("/api/v1/grants/{in_review}/approve"), json!({})).await;
    assert_eq!(approved.status, 200, "{}", approved.text());

    // The audit trail names the service account as the actor, readable with audit:read.
    let events =
        app.get_as(&decider, &format!("/api/v1/audit-events?entity_type=grant&entity_id={in_review}")).await;
    assert_eq!(events.status, 200, "{}", events.text());
    let events = events.json();
    let approval = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"].as_str().unwrap().contains("approve"))
        .unwrap_or_else(|| panic!("no approval event in {events}"));
    assert_eq!(approval["actor_user_id"], decider.id.as_str(), "{approval}");
    assert_eq!(approval["actor_kind"], "service_account", "{approval}");
    let by_person =
        events["items"].as_array().unwrap().iter().find(|e| e["action"] == "grant.submitted").unwrap();
    assert_eq!(by_person["actor_kind"], "person");

    // Listed with when it was last used, never with the token; nor anywhere else afterwards.
    let account = format!("{}/{}", accounts_path(&a.municipality_id), decider.id);
    let listed = app.get_as(&a.admin, &format!("{account}/tokens")).await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    let tokens = listed.json();
    assert_eq!(tokens.as_array().unwrap().len(), 1, "{tokens}");
    assert!(tokens[0]["last_used_at"].is_string(), "{tokens}");
    assert!(decider.token.starts_with(tokens[0]["hint"].as_str().unwrap()));
    assert!(tokens[0].get("token").is_none() && tokens[0].get("token_hash").is_none(), "{tokens}");
    let everything = [
        listed.text(),
        app.get_as(&a.admin, &account).await.text(),
        app.get_as(&a.admin, &accounts_path(&a.municipality_id)).await.text(),
        app.get_as(&a.admin, "/api/v1/audit-events?limit=200").await.text(),
        app.get_as(&decider, "/api/v1/audit-events?limit=200").await.text(),
    ];
    let secret = &decider.token["pct_".len()..];
    for body in everything {
        assert!(!body.contains(secret), "the token shows up again: {body}");
    }
    // Only the hash is stored.
    let stored: Vec<String> = app
        .state
        .db
        .run(|conn| {
            Ok(pactum::db::schema::service_account_tokens::table
                .select(pactum::db::schema::service_account_tokens::token_hash)
                .load(conn)?)
        })
        .await
        .unwrap();
    assert!(stored.iter().all(|h| h.len() == 64 && !h.contains(secret)));
    assert!(stored.contains(&pactum::auth::secrets::hash(&decider.token)));
}

async fn only_municipal_admins_manage_service_accounts(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let b = tenant(&app, &root, "b").await;
    let accounts = accounts_path(&a.municipality_id);
    let body = json!({"name": "Website", "scopes": ["agreements:read"]});
    app.post_as(&a.officer, &accounts, body.clone()).await.assert_problem(403, "forbidden");
    app.post_as(&b.admin, &accounts, body.clone()).await.assert_problem(404, "not_found");
    let invalid = app.post_as(&a.admin, &accounts, json!({"name": "", "scopes": []})).await;
    let fields: Vec<String> = invalid.assert_problem(422, "validation_failed")["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["name", "scopes"]);
    let unknown = app.post_as(&a.admin, &accounts, json!({"name": "X", "scopes": ["everything"]})).await;
    assert_eq!(unknown.status, 422, "{}", unknown.text());

    let created = app.post_as(&a.admin, &accounts, body).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let created = created.json();
    assert_eq!(created["scopes"], json!(["agreements:read"]));
    let listed = app.get_as(&a.admin, &accounts).await.json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 2, "{listed}");
    // The service account cannot sign in or be mistaken for a person.
    let login = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"email": format!("{}@service-accounts.invalid", created["id"].as_str().unwrap()), "password": "!"}),
        )
        .await;
    assert_eq!(login.status, 401, "{}", login.text());
    let members =
        app.get_as(&a.admin, &format!("/api/v1/municipalities/{}/members", a.municipality_id)).await;
    assert!(!members.text().contains("service-accounts.invalid"), "{}", members.text());
}

mod rate_limit {
    #[actix_web::test]
    async fn sqlite() {
        super::tokens_are_rate_limited(crate::helpers::Backend::Sqlite).await
    }
    #[actix_web::test]
    async fn postgres() {
        super::tokens_are_rate_limited(crate::helpers::Backend::Postgres).await
    }
}

async fn tokens_are_rate_limited(backend: crate::helpers::Backend) {
    let flags = ["--token-requests-per-minute", "3"];
    let Some(app) = TestApp::spawn_configured(backend, |_| {}, &flags).await else { return };
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    for _ in 0..3 {
        assert_eq!(app.get_as(&a.service_account, "/api/v1/grants").await.status, 200);
    }
    let refused = app.get_as(&a.service_account, "/api/v1/grants").await;
    refused.assert_problem(429, "rate_limited");
    assert!(refused.header("retry-after").is_some_and(|s| s.parse::<u64>().unwrap() > 0));
    // Another token, and people, are not affected.
    let (other, _) = service_account(&app, &a.admin, &a.municipality_id, &["grants:read"]).await;
    assert_eq!(app.get_as(&other, "/api/v1/grants").await.status, 200);
    assert_eq!(app.get_as(&a.officer, "/api/v1/grants").await.status, 200);
}
