//! Service accounts do what their scopes name, reads included: every operation names its
//! scopes in the spec, the policy holds tokens to them, and a webhook subscription carries only
//! events whose records its creator may read.

use actix_web::http::Method;
use serde_json::{json, Value};

use crate::fixtures::{service_account, tenant};
use crate::helpers::{TestApp, User};
use crate::on_both_backends;
use crate::tenancy::{example_body, fill, payment_batch, spec};

on_both_backends!(
    a_webhooks_token_reads_no_people_networks_or_money,
    the_right_scope_reads_them,
    every_operation_holds_a_token_to_the_scopes_the_spec_names,
    a_subscription_carries_only_events_its_creator_may_read,
);

/// The scope sets that admit a service account's token to an operation, as the spec says
/// (`apiToken` entries); empty for people-only operations.
fn token_requirements(operation: &Value) -> Vec<Vec<String>> {
    operation["security"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|requirement| requirement["apiToken"].as_array())
        .map(|scopes| scopes.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
        .collect()
}

fn names_bearer(operation: &Value) -> bool {
    operation["security"].as_array().is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()))
}

/// Whether the operation needs a sign-in: it names the bearer scheme and offers no anonymous
/// alternative (`{}`), as accepting an invitation does for a new account.
fn is_signed_in(operation: &Value) -> bool {
    names_bearer(operation)
        && !operation["security"]
            .as_array()
            .is_some_and(|s| s.iter().any(|r| r.as_object().is_some_and(serde_json::Map::is_empty)))
}

#[test]
fn the_spec_shows_the_scopes_of_every_operation_from_the_one_table() {
    use pactum::auth::operations::{need, Need, OPERATIONS};
    let spec = spec();
    let mut in_spec = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            in_spec += 1;
            let need = need(method, path).unwrap_or_else(|| panic!("{method} {path} names no need"));
            let shown = token_requirements(operation);
            match need {
                Need::Open => assert!(!is_signed_in(operation), "{method} {path} is open"),
                Need::People => {
                    assert!(names_bearer(operation), "{method} {path}");
                    assert!(shown.is_empty(), "{method} {path} is for people: {shown:?}");
                }
                Need::Scopes(sets) => {
                    assert!(names_bearer(operation), "{method} {path}");
                    let table: Vec<Vec<String>> =
                        sets.iter().map(|set| set.iter().map(|s| s.as_str().to_owned()).collect()).collect();
                    assert_eq!(shown, table, "{method} {path}");
                }
            }
        }
    }
    assert_eq!(in_spec, OPERATIONS.len(), "the table names an operation the spec does not have");
}

async fn a_webhooks_token_reads_no_people_networks_or_money(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let (hooks, _) = service_account(&app, &a.admin, &a.municipality_id, &["webhooks:manage"]).await;
    for path in [
        format!("/api/v1/municipalities/{}/members", a.municipality_id),
        "/api/v1/networks".to_owned(),
        format!("/api/v1/networks/{}", a.network_id),
        format!("/api/v1/networks/{}/members", a.network_id),
        "/api/v1/funds".to_owned(),
        format!("/api/v1/funds/{}", a.fund_id),
        format!("/api/v1/funds/{}/ledger", a.fund_id),
        format!("/api/v1/funds/{}/grants.csv", a.fund_id),
    ] {
        let refused = app.get_as(&hooks, &path).await;
        let body = refused.assert_problem(403, "forbidden");
        assert!(body["detail"].as_str().unwrap().contains("needs the scope"), "{path}: {body}");
        assert!(!refused.text().contains("@a.example"), "{path} leaks an email: {}", refused.text());
    }
    let network = json!({"name": "Nep-netwerk", "kind": "other", "legal_form": "none",
        "contact_email": "nep@example.org", "municipality_id": a.municipality_id, "listed_publicly": true});
    let created = app.post_as(&hooks, "/api/v1/networks", network).await;
    let body = created.assert_problem(403, "forbidden");
    assert!(body["detail"].as_str().unwrap().contains("for people"), "{body}");
    let listed = app.get_as(&root, "/api/v1/networks?q=nep-netwerk").await.json();
    assert_eq!(listed["items"], json!([]), "no network was created");
    let public = app.get("/api/v1/public/networks").await.text();
    assert!(!public.contains("Nep-netwerk"), "{public}");
    // What it is for still works.
    assert_eq!(app.get_as(&hooks, "/api/v1/webhooks").await.status, 200);
}

async fn the_right_scope_reads_them(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let b = tenant(&app, &root, "b").await;
    let municipality_members = format!("/api/v1/municipalities/{}/members", a.municipality_id);
    let network_members = format!("/api/v1/networks/{}/members", a.network_id);
    let (people, _) = service_account(&app, &a.admin, &a.municipality_id, &["members:read"]).await;
    let (networks, _) = service_account(&app, &a.admin, &a.municipality_id, &["networks:read"]).await;

    let staff = app.get_as(&people, &municipality_members).await;
    assert_eq!(staff.status, 200, "{}", staff.text());
    assert!(staff.text().contains("officer@a.example"), "{}", staff.text());
    let volunteers = app.get_as(&people, &network_members).await;
    assert_eq!(volunteers.status, 200, "{}", volunteers.text());
    assert!(volunteers.text().contains("treasurer@a.example"), "{}", volunteers.text());
    app.get_as(&people, "/api/v1/networks").await.assert_problem(403, "forbidden");
    app.get_as(&people, &format!("/api/v1/municipalities/{}/members", b.municipality_id))
        .await
        .assert_problem(404, "not_found");
    app.get_as(&people, &format!("/api/v1/networks/{}/members", b.network_id))
        .await
        .assert_problem(404, "not_found");

    let listed = app.get_as(&networks, "/api/v1/networks").await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    let listed = listed.json();
    let names: Vec<&str> =
        listed["items"].as_array().unwrap().iter().map(|n| n["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Buurtkracht a"], "its municipality's networks only");
    assert_eq!(app.get_as(&networks, &format!("/api/v1/networks/{}", a.network_id)).await.status, 200);
    app.get_as(&networks, &network_members).await.assert_problem(403, "forbidden");
    app.get_as(&networks, &format!("/api/v1/networks/{}", b.network_id))
        .await
        .assert_problem(404, "not_found");
    app.post_as(
        &networks,
        "/api/v1/networks",
        json!({"name": "X", "kind": "other", "legal_form": "none",
        "contact_email": "x@example.org", "municipality_id": a.municipality_id}),
    )
    .await
    .assert_problem(403, "forbidden");

    // Funds and their ledgers are grants:read's, as are their grants.
    let money = &a.service_account;
    for path in [
        "/api/v1/funds".to_owned(),
        format!("/api/v1/funds/{}", a.fund_id),
        format!("/api/v1/funds/{}/ledger", a.fund_id),
        format!("/api/v1/funds/{}/grants.csv", a.fund_id),
    ] {
        let read = app.get_as(money, &path).await;
        assert_eq!(read.status, 200, "{path}: {}", read.text());
    }
    app.get_as(money, &municipality_members).await.assert_problem(403, "forbidden");
    app.get_as(money, &format!("/api/v1/funds/{}/ledger", b.fund_id)).await.assert_problem(404, "not_found");
}

/// Walks the spec: a token with only `webhooks:manage` is refused every operation on its own
/// municipality's records but the webhook ones; and for every read, a token with exactly the
/// scopes the spec names gets it.
async fn every_operation_holds_a_token_to_the_scopes_the_spec_names(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let payment_batch_id = payment_batch(&app, &a).await;
    let (hooks, _) = service_account(&app, &a.admin, &a.municipality_id, &["webhooks:manage"]).await;
    let spec = spec();
    let mut tokens: Vec<(Vec<String>, User)> = Vec::new();
    let (mut refused, mut admitted, mut read) = (0, 0, 0);
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let open =
                pactum::auth::operations::need(method, path) == Some(pactum::auth::operations::Need::Open);
            if !names_bearer(operation) || open {
                continue;
            }
            let method: Method = method.to_uppercase().parse().unwrap();
            let target = fill(path, &a, &payment_batch_id)
                .replace("{token}", "inv_unknown")
                .replace("{user_id}", &a.member.id);
            let target = if path == "/api/v1/audit-events" || path == "/api/v1/webhooks" {
                format!("{target}?municipality_id={}", a.municipality_id)
            } else {
                target
            };
            let mut body = example_body(&spec, operation);
            if let Some(Value::Object(fields)) = body.as_mut().filter(|b| b.get("municipality_id").is_some())
            {
                fields.insert("municipality_id".into(), a.municipality_id.clone().into());
            }
            let requirements = token_requirements(operation);
            let reply = app.call(&hooks, method.clone(), &target, body.clone()).await;
            if requirements.iter().any(|set| set == &["webhooks:manage"]) {
                assert!(
                    !matches!(reply.status, 401 | 403 | 404),
                    "{method} {path} with webhooks:manage: {}",
                    reply.text()
                );
                admitted += 1;
            } else {
                reply.assert_problem(403, "forbidden");
                let detail = reply.json()["detail"].as_str().unwrap().to_owned();
                match requirements.first() {
                    Some(set) => assert!(detail.contains(&set[0]), "{method} {path}: {detail}"),
                    None => assert!(detail.contains("for people"), "{method} {path}: {detail}"),
                }
                refused += 1;
            }

            // Each set of scopes the spec names for a read is enough to read.
            if method != Method::GET {
                continue;
            }
            for set in &requirements {
                let token = match tokens.iter().find(|(scopes, _)| scopes == set) {
                    Some((_, token)) => token.clone(),
                    None => {
                        let scopes: Vec<&str> = set.iter().map(String::as_str).collect();
                        let (token, _) = service_account(&app, &a.admin, &a.municipality_id, &scopes).await;
                        tokens.push((set.clone(), token.clone()));
                        token
                    }
                };
                let reply = app.call(&token, Method::GET, &target, None).await;
                assert_eq!(reply.status, 200, "GET {path} with {set:?}: {}", reply.text());
                read += 1;
            }
        }
    }
    assert!(refused >= 100, "only {refused} operations were refused");
    assert_eq!(admitted, 7, "the webhook operations");
    assert!(read >= 40, "only {read} reads were made with their scopes");
}

async fn a_subscription_carries_only_events_its_creator_may_read(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let (hooks, _) = service_account(&app, &a.admin, &a.municipality_id, &["webhooks:manage"]).await;
    let (finance, _) =
        service_account(&app, &a.admin, &a.municipality_id, &["webhooks:manage", "grants:read"]).await;
    let subscribe = |types: &[&str]| json!({"municipality_id": a.municipality_id, "url": "https://finance.example.nl/hook", "event_types": types});

    let refused = app.post_as(&hooks, "/api/v1/webhooks", subscribe(&["grant.approved"])).await;
    let body = refused.assert_problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "event_types[0]", "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("grant.approved") && message.contains("grants:read"), "{message}");

    let mixed =
        app.post_as(&finance, "/api/v1/webhooks", subscribe(&["tranche.paid", "agreement.signed"])).await;
    let body = mixed.assert_problem(422, "validation_failed");
    assert_eq!(body["errors"].as_array().unwrap().len(), 1, "{body}");
    assert_eq!(body["errors"][0]["field"], "event_types[1]");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("agreements:read"), "{body}");
    app.post_as(&finance, "/api/v1/webhooks", subscribe(&["report.submitted"]))
        .await
        .assert_problem(422, "validation_failed");

    let created =
        app.post_as(&finance, "/api/v1/webhooks", subscribe(&["grant.approved", "tranche.paid"])).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let widened = app
        .call(
            &finance,
            Method::PATCH,
            &format!("/api/v1/webhooks/{id}"),
            Some(json!({"event_types": ["agreement.signed"]})),
        )
        .await;
    assert_eq!(widened.assert_problem(422, "validation_failed")["errors"][0]["field"], "event_types[0]");

    // Nor may it point a subscription whose events it may not read to itself.
    let hijack = app
        .call(
            &hooks,
            Method::PATCH,
            &format!("/api/v1/webhooks/{}", a.webhook_id),
            Some(json!({"url": "https://attacker.example/hook"})),
        )
        .await;
    hijack.assert_problem(422, "validation_failed");
    let unchanged = app.get_as(&a.admin, &format!("/api/v1/webhooks/{}", a.webhook_id)).await.json();
    assert_eq!(unchanged["url"], "http://127.0.0.1:9/hooks");

    // A municipal admin subscribes to every event.
    let every: Vec<String> = spec()["components"]["schemas"]["EventType"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect();
    assert!(every.len() >= 13, "{every:?}");
    let all = app
        .post_as(
            &a.admin,
            "/api/v1/webhooks",
            json!({"municipality_id": a.municipality_id, "url": "https://finance.example.nl/all", "event_types": every}),
        )
        .await;
    assert_eq!(all.status, 201, "{}", all.text());
}
