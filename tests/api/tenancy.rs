//! Tenancy and authorization: every route with an id, called from another tenant and with too
//! little role; memberships, invitations, links, concurrency and the audit trail.

use actix_web::http::Method;
use serde_json::{json, Value};

use crate::fixtures::{tenant, Tenant};
use crate::helpers::{TestApp, User};
use crate::on_both_backends;

on_both_backends!(
    every_route_with_an_id_hides_other_tenants_and_checks_roles,
    a_removed_membership_stops_working_at_once,
    the_last_admin_and_coordinator_stay,
    invitations_are_single_use_and_expire,
    networks_are_filtered_paginated_and_scoped,
    organisations_are_filtered_by_kind_page_by_page,
    networks_ask_municipalities_for_a_link,
    changes_are_conditional_and_audited,
);

pub(crate) fn spec() -> Value {
    serde_json::from_str(include_str!("../../openapi/pactum.json")).unwrap()
}

/// The example body of an operation, resolving a `$ref` to its component schema.
pub(crate) fn example_body(spec: &Value, operation: &Value) -> Option<Value> {
    let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
    if schema.is_null() {
        return None;
    }
    let schema = match schema["$ref"].as_str() {
        Some(reference) => &spec["components"]["schemas"][reference.rsplit('/').next().unwrap()],
        None => schema,
    };
    Some(schema["example"].clone()).filter(|e| !e.is_null()).or(Some(json!({})))
}

/// Fills a path template with tenant A's objects.
pub(crate) fn fill(path: &str, a: &Tenant, payment_batch_id: &str) -> String {
    let (id, user): (&str, &String) = if path.starts_with("/api/v1/payment-batches/") {
        (payment_batch_id, &a.auditor.id)
    } else if path.starts_with("/api/v1/networks/") {
        (&a.network_id, &a.member.id)
    } else if path.starts_with("/api/v1/organisations/") {
        (&a.organisation_id, &a.contact.id)
    } else if path.starts_with("/api/v1/visions/") {
        (&a.vision_id, &a.member.id)
    } else if path.starts_with("/api/v1/agreements/") {
        (&a.agreement_id, &a.member.id)
    } else if path.starts_with("/api/v1/commitments/") {
        (&a.commitment_id, &a.member.id)
    } else if path.starts_with("/api/v1/funds/") {
        (&a.fund_id, &a.member.id)
    } else if path.starts_with("/api/v1/grants/") {
        (&a.grant_id, &a.member.id)
    } else if path.starts_with("/api/v1/tranches/") {
        (&a.tranche_id, &a.member.id)
    } else if path.starts_with("/api/v1/reports/") {
        (&a.report_id, &a.member.id)
    } else if path.starts_with("/api/v1/receipts/") {
        (&a.receipt_id, &a.member.id)
    } else if path.starts_with("/api/v1/outbox/") {
        (&a.outbox_id, &a.member.id)
    } else if path.starts_with("/api/v1/webhooks/") {
        (&a.webhook_id, &a.member.id)
    } else {
        (&a.municipality_id, &a.auditor.id)
    };
    path.replace("{id}", id)
        .replace("{network_id}", &a.network_id)
        .replace("{user_id}", user)
        .replace("{sid}", &a.service_account.id)
        .replace("{tid}", &a.token_id)
        .replace("{did}", &a.delivery_id)
        .replace("{n}", "1")
}

/// An open payment batch of tenant A's fund, with its scheduled tranche.
pub(crate) async fn payment_batch(app: &TestApp, a: &Tenant) -> String {
    let fund = format!("/api/v1/funds/{}", a.fund_id);
    let account = json!({"debtor_name": "Gemeente A", "debtor_iban": "NL91ABNA0417164300"});
    let patched = app.call(&a.officer, Method::PATCH, &fund, Some(account)).await;
    assert_eq!(patched.status, 200, "{}", patched.text());
    let batch = app
        .post_as(&a.officer, &format!("{fund}/payment-batches"), json!({"due_before": "2999-12-31"}))
        .await;
    assert_eq!(batch.status, 201, "{}", batch.text());
    batch.json()["id"].as_str().unwrap().to_owned()
}

async fn every_route_with_an_id_hides_other_tenants_and_checks_roles(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let b = tenant(&app, &root, "b").await;
    let payment_batch_id = payment_batch(&app, &a).await;
    let spec = spec();
    let mut covered = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        // Token routes and the public directory have no tenant to hide.
        if !path.contains('{') || path.contains("{token}") || path.starts_with("/api/v1/public/") {
            continue;
        }
        for (method, operation) in item.as_object().unwrap() {
            let method: Method = method.to_uppercase().parse().unwrap();
            let body = example_body(&spec, operation);
            let target = fill(path, &a, &payment_batch_id);
            for outsider in [&b.admin, &b.officer, &b.coordinator, &b.treasurer] {
                let reply = app.call(outsider, method.clone(), &target, body.clone()).await;
                assert_eq!(reply.status, 404, "{method} {path} as {}: {}", outsider.email, reply.text());
                reply.assert_problem(404, "not_found");
            }
            let network_member_sees = [
                "/api/v1/networks/",
                "/api/v1/visions/",
                "/api/v1/agreements/",
                "/api/v1/commitments/",
                "/api/v1/funds/",
                "/api/v1/grants/",
                "/api/v1/tranches/",
                "/api/v1/reports/",
                "/api/v1/receipts/",
            ];
            let low: &User =
                if network_member_sees.iter().any(|p| path.starts_with(p)) { &a.member } else { &a.auditor };
            let reply = app.call(low, method.clone(), &target, body.clone()).await;
            if method == Method::GET {
                assert!(
                    matches!(reply.status, 200 | 403),
                    "{method} {path} as {}: {}",
                    low.email,
                    reply.text()
                );
            } else {
                assert_eq!(reply.status, 403, "{method} {path} as {}: {}", low.email, reply.text());
                reply.assert_problem(403, "forbidden");
            }
            covered += 1;
        }
    }
    assert!(covered >= 15, "only {covered} operations with ids were checked");
}

async fn a_removed_membership_stops_working_at_once(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let network = format!("/api/v1/networks/{}", a.network_id);
    assert_eq!(app.get_as(&a.treasurer, &network).await.status, 200);
    let removed = app
        .call(&a.coordinator, Method::DELETE, &format!("{network}/members/{}", a.treasurer.id), None)
        .await;
    assert_eq!(removed.status, 204, "{}", removed.text());
    // The same access token, the next request: the role is read from the database.
    app.get_as(&a.treasurer, &network).await.assert_problem(404, "not_found");
    let listed = app.get_as(&a.coordinator, &format!("{network}/members")).await.json();
    assert!(listed["items"].as_array().unwrap().iter().all(|m| m["user_id"] != a.treasurer.id.as_str()));
}

async fn the_last_admin_and_coordinator_stay(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let own = format!("/api/v1/networks/{}/members/{}", a.network_id, a.coordinator.id);
    app.call(&a.coordinator, Method::DELETE, &own, None).await.assert_problem(409, "last_admin");
    app.call(&a.coordinator, Method::PATCH, &own, Some(json!({"role": "member"})))
        .await
        .assert_problem(409, "last_admin");
    let admin = format!("/api/v1/municipalities/{}/members/{}", a.municipality_id, a.admin.id);
    app.call(&a.admin, Method::DELETE, &admin, None).await.assert_problem(409, "last_admin");
    // With a second coordinator the first may step down.
    let treasurer = format!("/api/v1/networks/{}/members/{}", a.network_id, a.treasurer.id);
    let promoted =
        app.call(&a.coordinator, Method::PATCH, &treasurer, Some(json!({"role": "coordinator"}))).await;
    assert_eq!(promoted.status, 200, "{}", promoted.text());
    assert_eq!(promoted.json()["role"], "coordinator");
    assert_eq!(
        app.call(&a.coordinator, Method::PATCH, &own, Some(json!({"role": "member"}))).await.status,
        200
    );
    let bad_role = app.call(&a.treasurer, Method::PATCH, &own, Some(json!({"role": "officer"}))).await;
    assert_eq!(bad_role.assert_problem(422, "validation_failed")["errors"][0]["field"], "role");
}

async fn invitations_are_single_use_and_expire(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let members = format!("/api/v1/networks/{}/members", a.network_id);
    let invite = |email: &'static str| {
        let app = &app;
        let members = members.clone();
        let coordinator = a.coordinator.clone();
        async move {
            let reply = app
                .post_as(&coordinator, &members, json!({"email": email, "name": "Hanna", "role": "member"}))
                .await;
            assert_eq!(reply.status, 201, "{}", reply.text());
            let body = reply.json();
            assert!(body.get("invitation_url").is_none(), "the link goes by email only: {body}");
            assert_eq!(body["sent_by_email"], true);
            let id = body["id"].as_str().unwrap().to_owned();
            let path = app.invitation_path(&id).await;
            (id, path)
        }
    };

    let (_, accept) = invite("hanna@buurt.example").await;
    let (first, second) = futures_util::future::join(
        app.post_json(&accept, &json!({"password": "hanna's long password"})),
        app.post_json(&accept, &json!({"password": "hanna's long password"})),
    )
    .await;
    let mut statuses = [first.status, second.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "one accept wins: {} / {}", first.text(), second.text());
    let again = app.post_json(&accept, &json!({"password": "hanna's long password"})).await;
    again.assert_problem(409, "invitation_used");
    let users: i64 = {
        use diesel::prelude::*;
        use pactum::db::schema::users;
        let mut conn = app.database.target.connect().unwrap();
        users::table.filter(users::email.eq("hanna@buurt.example")).count().get_result(&mut conn).unwrap()
    };
    assert_eq!(users, 1, "accepting twice creates one account");

    app.post_json("/api/v1/invitations/inv_unknown/accept", &json!({"password": "whatever long enough"}))
        .await
        .assert_problem(404, "not_found");

    let (expired_id, expired) = invite("ivo@buurt.example").await;
    {
        use diesel::prelude::*;
        use pactum::db::schema::invitations;
        let mut conn = app.database.target.connect().unwrap();
        let past = chrono::Utc::now().naive_utc() - chrono::Duration::days(1);
        diesel::update(invitations::table.find(&expired_id))
            .set(invitations::expires_at.eq(past))
            .execute(&mut conn)
            .unwrap();
    }
    app.post_json(&expired, &json!({"password": "ivo's long password"}))
        .await
        .assert_problem(410, "invitation_expired");

    let (_, weak) = invite("jan@buurt.example").await;
    let refused = app.post_json(&weak, &json!({"password": "short"})).await;
    assert_eq!(refused.assert_problem(422, "validation_failed")["errors"][0]["field"], "password");
    // An existing account gets the role added, keeping its password, once it is signed in.
    let (_, existing) = invite(Box::leak(a.officer.email.clone().into_boxed_str())).await;
    app.post_json(&existing, &json!({"password": "a new password chosen"}))
        .await
        .assert_problem(401, "sign_in_required");
    app.post_as(&a.coordinator, &existing, json!({})).await.assert_problem(401, "sign_in_required");
    let joined = app.post_as(&a.officer, &existing, json!({})).await;
    assert_eq!(joined.status, 200, "{}", joined.text());
    assert_eq!(joined.json()["new_account"], false);
    let me = app.get_as(&a.officer, "/api/v1/me").await.json();
    assert_eq!(me["networks"][0]["role"], "member");
    assert_eq!(me["municipalities"][0]["role"], "officer");
    let pending =
        app.get_as(&a.coordinator, &format!("/api/v1/networks/{}/invitations", a.network_id)).await.json();
    let emails: Vec<&str> =
        pending["items"].as_array().unwrap().iter().map(|i| i["email"].as_str().unwrap()).collect();
    assert_eq!(emails, ["jan@buurt.example"], "only open invitations are listed");
}

async fn organisations_are_filtered_by_kind_page_by_page(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let b = tenant(&app, &root, "b").await;
    let mut housing = Vec::new();
    for name in ["Woonstichting Noord", "Woonstichting Zuid"] {
        let created = app
            .post_as(
                &a.officer,
                "/api/v1/organisations",
                json!({"municipality_id": a.municipality_id, "name": name, "kind": "housing"}),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.text());
        housing.push(created.json()["id"].as_str().unwrap().to_owned());
    }
    housing.sort();
    assert_eq!(app.page_through(&a.officer, "/api/v1/organisations?kind=housing").await, housing);
    let welfare = app.page_through(&a.officer, "/api/v1/organisations?kind=welfare").await;
    assert_eq!(welfare, vec![a.organisation_id.clone()], "B's welfare organisation is not A's to see");
    assert!(app.page_through(&b.officer, "/api/v1/organisations?kind=housing").await.is_empty());
}

async fn networks_are_filtered_paginated_and_scoped(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let b = tenant(&app, &root, "b").await;
    let extra = app
        .post_as(
            &a.officer,
            "/api/v1/networks",
            json!({"name": "Moskee Al-Fath Jongeren", "kind": "religious_community", "themes": ["Youth"],
                   "neighbourhoods": ["Noord"], "legal_form": "foundation", "kvk_number": "12345678",
                   "contact_email": "jongeren@alfath.example", "municipality_id": a.municipality_id}),
        )
        .await;
    assert_eq!(extra.status, 201, "{}", extra.text());
    assert_eq!(extra.json()["themes"], json!(["youth"]));

    let names = |reply: crate::helpers::Reply| -> Vec<String> {
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(app.get_as(&a.officer, "/api/v1/networks").await),
        ["Buurtkracht a", "Moskee Al-Fath Jongeren"]
    );
    assert_eq!(
        names(app.get_as(&b.officer, "/api/v1/networks").await),
        ["Buurtkracht b"],
        "scoped to the tenant"
    );
    assert_eq!(
        names(app.get_as(&a.officer, "/api/v1/networks?theme=YOUTH").await),
        ["Moskee Al-Fath Jongeren"]
    );
    assert_eq!(
        names(app.get_as(&a.officer, "/api/v1/networks?kind=citizens_initiative").await),
        ["Buurtkracht a"]
    );
    assert_eq!(
        names(app.get_as(&a.officer, "/api/v1/networks?neighbourhood=noord").await),
        ["Moskee Al-Fath Jongeren"]
    );
    assert_eq!(names(app.get_as(&a.officer, "/api/v1/networks?q=al-f").await), ["Moskee Al-Fath Jongeren"]);
    assert_eq!(names(app.get_as(&a.officer, "/api/v1/networks?q=100%25").await), Vec::<String>::new());
    assert_eq!(
        names(app.get_as(&a.member, "/api/v1/networks").await),
        ["Buurtkracht a"],
        "a member sees their own"
    );
    assert_eq!(names(app.get_as(&root, "/api/v1/networks").await).len(), 3);

    let first = app.get_as(&a.officer, "/api/v1/networks?limit=1").await.json();
    assert_eq!(first["items"].as_array().unwrap().len(), 1);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = app.get_as(&a.officer, &format!("/api/v1/networks?limit=1&cursor={cursor}")).await.json();
    assert_eq!(second["items"][0]["name"], "Moskee Al-Fath Jongeren");
    assert_eq!(second["next_cursor"], Value::Null);

    for bad in ["kind=club", "limit=0", "limit=201", "cursor=nonsense", "colour=red", "link_status=active"] {
        app.get_as(&a.officer, &format!("/api/v1/networks?{bad}")).await.assert_problem(400, "bad_request");
    }
    let invalid = app
        .post_as(
            &a.officer,
            "/api/v1/networks",
            json!({"name": " ", "kind": "other", "legal_form": "none",
            "kvk_number": "12345678", "contact_email": "nope", "themes": ["x".repeat(101)]}),
        )
        .await;
    let body = invalid.assert_problem(422, "validation_failed");
    let fields: Vec<&str> =
        body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "themes[0]", "kvk_number", "contact_email"]);
}

async fn networks_ask_municipalities_for_a_link(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    // A volunteer registers their own network and asks municipality A to work with it.
    let volunteer = app.signed_in("kees@taalmaatjes.example", "Kees", false).await;
    let created = app
        .post_as(&volunteer, "/api/v1/networks", json!({"name": "Taalmaatjes", "kind": "volunteer_initiative",
            "legal_form": "none", "contact_email": "kees@taalmaatjes.example", "municipality_id": a.municipality_id}))
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let network = created.json();
    assert_eq!(
        network["municipalities"],
        json!([{"municipality_id": a.municipality_id, "status": "requested"}])
    );
    let network_id = network["id"].as_str().unwrap();
    assert_eq!(app.get_as(&volunteer, "/api/v1/me").await.json()["networks"][0]["role"], "coordinator");

    let waiting = app
        .get_as(
            &a.officer,
            &format!("/api/v1/networks?municipality_id={}&link_status=requested", a.municipality_id),
        )
        .await
        .json();
    assert_eq!(waiting["items"][0]["id"], network_id);
    // A requested link gives the municipality sight, but no say over members.
    let invite = app
        .post_as(
            &a.officer,
            &format!("/api/v1/networks/{network_id}/members"),
            json!({"email": "x@y.example", "name": "X", "role": "member"}),
        )
        .await;
    invite.assert_problem(403, "forbidden");

    let accept = format!("/api/v1/municipalities/{}/networks/{network_id}/accept", a.municipality_id);
    app.post_as(&a.auditor, &accept, json!({})).await.assert_problem(403, "forbidden");
    let accepted = app.post_as(&a.officer, &accept, json!({})).await;
    assert_eq!(accepted.status, 200, "{}", accepted.text());
    assert_eq!(accepted.json()["municipalities"][0]["status"], "active");
    app.post_as(&a.officer, &accept, json!({})).await.assert_problem(409, "conflict");

    // A second municipality declines.
    let other = app
        .post_as(&root, "/api/v1/municipalities", json!({"name": "Gemeente Elders", "cbs_code": "gm0999"}))
        .await
        .json();
    assert_eq!(other["cbs_code"], "GM0999");
    let other_id = other["id"].as_str().unwrap();
    let asked = app
        .post_as(
            &volunteer,
            &format!("/api/v1/networks/{network_id}/link-requests"),
            json!({"municipality_id": other_id}),
        )
        .await;
    assert_eq!(asked.status, 201, "{}", asked.text());
    let again = app
        .post_as(
            &volunteer,
            &format!("/api/v1/networks/{network_id}/link-requests"),
            json!({"municipality_id": other_id}),
        )
        .await;
    again.assert_problem(409, "conflict");
    let declined = app
        .post_as(
            &root,
            &format!("/api/v1/municipalities/{other_id}/networks/{network_id}/decline"),
            json!({}),
        )
        .await;
    assert_eq!(declined.status, 204, "{}", declined.text());
    let now = app.get_as(&volunteer, &format!("/api/v1/networks/{network_id}")).await.json();
    assert_eq!(now["municipalities"].as_array().unwrap().len(), 1);
    let duplicate_code =
        app.post_as(&root, "/api/v1/municipalities", json!({"name": "Dubbel", "cbs_code": "GM0999"})).await;
    duplicate_code.assert_problem(409, "conflict");
}

async fn changes_are_conditional_and_audited(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let b = tenant(&app, &root, "b").await;
    let path = format!("/api/v1/networks/{}", a.network_id);
    let read = app.get_as(&a.coordinator, &path).await;
    let etag = read.header("etag").unwrap().to_owned();
    assert_eq!(etag, "\"1\"");

    let request = app
        .request(Method::PATCH, &path)
        .insert_header(("Authorization", format!("Bearer {}", a.coordinator.token)))
        .insert_header(("If-Match", etag.clone()))
        .content_type("application/json");
    let body = json!({"description": "Koffie-ochtend elke dinsdag", "intermediary": {"name": "Stichting Welzijn", "kvk_number": "87654321"}});
    let changed = app.send(request, Some(body.to_string().into())).await;
    assert_eq!(changed.status, 200, "{}", changed.text());
    assert_eq!(changed.header("etag"), Some("\"2\""));
    assert_eq!(changed.json()["intermediary"]["name"], "Stichting Welzijn");

    let stale = app
        .request(Method::PATCH, &path)
        .insert_header(("Authorization", format!("Bearer {}", a.coordinator.token)))
        .insert_header(("If-Match", etag))
        .content_type("application/json");
    let refused = app.send(stale, Some(json!({"name": "Te laat"}).to_string().into())).await;
    refused.assert_problem(412, "precondition_failed");
    let not_allowed = app.call(&a.coordinator, Method::PATCH, &path, Some(json!({"version": 9}))).await;
    assert_eq!(not_allowed.assert_problem(422, "validation_failed")["errors"][0]["field"], "version");
    assert_eq!(
        app.get_as(&a.coordinator, &path).await.json()["name"],
        "Buurtkracht a",
        "refused changes change nothing"
    );

    let audit = format!("/api/v1/audit-events?entity_type=network&entity_id={}", a.network_id);
    let events = app.get_as(&a.auditor, &audit).await;
    assert_eq!(events.status, 200, "{}", events.text());
    let events = events.json();
    let actions: Vec<&str> =
        events["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["network.created", "network.updated"]);
    let update = &events["items"][1];
    assert_eq!(update["actor_user_id"], a.coordinator.id.as_str());
    assert_eq!(
        update["changes"]["description"],
        json!({"before": "", "after": "Koffie-ochtend elke dinsdag"})
    );
    assert!(update["request_id"].is_string());
    assert!(!events.to_string().contains("password"));

    let memberships = app
        .get_as(
            &a.admin,
            &format!("/api/v1/audit-events?municipality_id={}&entity_type=membership", a.municipality_id),
        )
        .await
        .json();
    let joined = memberships["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "member.joined")
        .unwrap()
        .clone();
    assert!(joined["request_id"].is_string(), "{joined}");
    app.get_as(&a.officer, "/api/v1/audit-events").await.assert_problem(403, "forbidden");
    app.get_as(&b.admin, &format!("/api/v1/audit-events?municipality_id={}", a.municipality_id))
        .await
        .assert_problem(404, "not_found");
    let b_view = app.get_as(&b.auditor, &audit).await.json();
    assert_eq!(b_view["items"], json!([]), "another municipality's auditor sees none of it");
    app.call(&a.admin, Method::DELETE, "/api/v1/audit-events", None)
        .await
        .assert_problem(405, "method_not_allowed");
}
