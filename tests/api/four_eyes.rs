//! Four eyes, replayed as an attacker would try to get around them: a first approval that
//! outlives a change to the application, an officer who loosens the fund's controls, a
//! threshold changed after submission, one person or a service account giving both approvals.

use actix_web::http::Method;
use serde_json::{json, Value};

use crate::fixtures::{fund, grant_in_review, post_keyed, service_account, tenant, Tenant};
use crate::helpers::{Reply, TestApp, User};
use crate::on_both_backends;

on_both_backends!(
    a_first_approval_is_cleared_by_a_request_for_information_and_a_changed_application,
    only_a_municipal_admin_changes_a_funds_controls,
    the_threshold_is_the_one_in_force_at_submission,
    two_different_people_and_never_a_service_account,
);

fn ok(reply: &Reply) -> Value {
    assert!(reply.status < 300, "{}", reply.text());
    reply.json()
}

async fn setup(app: &TestApp) -> (Tenant, User) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(app, &root, "a").await;
    let members = format!("/api/v1/municipalities/{}/members", a.municipality_id);
    let second_officer = app.join(&a.admin, &members, "officer2@a.example", "officer").await;
    (a, second_officer)
}

/// The audit events of one record, oldest first.
async fn trail(app: &TestApp, a: &Tenant, entity_type: &str, id: &str) -> Vec<Value> {
    let page = app
        .get_as(&a.admin, &format!("/api/v1/audit-events?entity_type={entity_type}&entity_id={id}&limit=200"))
        .await
        .json();
    page["items"].as_array().unwrap().clone()
}

async fn a_first_approval_is_cleared_by_a_request_for_information_and_a_changed_application(app: TestApp) {
    let (a, second_officer) = setup(&app).await;
    let fund_id = fund(&app, &a, 5_000_000, 500_000).await;
    let grant_id = grant_in_review(&app, &a, &fund_id, 600_000).await;
    let grant = format!("/api/v1/grants/{grant_id}");
    let first = ok(&post_keyed(&app, &a.officer, &format!("{grant}/approve"), json!({})).await);
    assert_eq!(first["status"], "in_review");
    assert_eq!(first["pending_approval"]["approved_by"], a.officer.id.as_str());

    // A question sends the application back to the network: the first approval goes.
    let asked = ok(&app
        .post_as(
            &second_officer,
            &format!("{grant}/request-info"),
            json!({"question": "Welk rekeningnummer?"}),
        )
        .await);
    assert_eq!(asked["status"], "info_requested");
    assert_eq!(asked["pending_approval"], Value::Null, "{asked}");

    // The network changes the payee, the amount and the purpose, and answers.
    let changed = ok(&app
        .call(
            &a.treasurer,
            Method::PATCH,
            &grant,
            Some(json!({"requested_cents": 900_000, "purpose": "Iets anders",
                "payee": {"iban": "GB82 WEST 1234 5698 7654 32", "name": "Iemand anders"}})),
        )
        .await);
    assert_eq!(changed["payee"]["iban"], "GB82WEST12345698765432");
    ok(&app.post_as(&a.treasurer, &format!("{grant}/submit"), json!({"answer": "Dit nummer."})).await);
    ok(&app.post_as(&a.officer, &format!("{grant}/start-review"), json!({})).await);

    // The second officer's approval is only a first approval again, of what is there now.
    let again = ok(&post_keyed(&app, &second_officer, &format!("{grant}/approve"), json!({})).await);
    assert_eq!(again["status"], "in_review", "{again}");
    assert_eq!(again["pending_approval"]["approved_by"], second_officer.id.as_str());
    assert_eq!(again["pending_approval"]["approved_cents"], 900_000);
    let fund = app.get_as(&a.officer, &format!("/api/v1/funds/{fund_id}")).await.json();
    assert_eq!(fund["balances"]["committed_cents"], 0, "nothing committed");

    let events = trail(&app, &a, "grant", &grant_id).await;
    let cleared: Vec<&Value> =
        events.iter().filter(|e| e["action"] == "grant.first_approval_cleared").collect();
    assert_eq!(cleared.len(), 1, "{events:?}");
    assert_eq!(cleared[0]["changes"]["reason"]["after"], "info_requested");
    assert_eq!(cleared[0]["changes"]["first_approval"]["before"]["by"], a.officer.id.as_str());

    // The first officer, who has now seen this application, completes it.
    let approved = ok(&post_keyed(&app, &a.officer, &format!("{grant}/approve"), json!({})).await);
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["approved_cents"], 900_000);

    // Every step out of review clears it too: a withdrawal, a rejection.
    for (step, body, by) in [
        ("withdraw", json!({}), &a.treasurer),
        ("reject", json!({"reason": "Past niet in de regeling."}), &a.officer),
    ] {
        let id = grant_in_review(&app, &a, &fund_id, 600_000).await;
        let path = format!("/api/v1/grants/{id}");
        ok(&post_keyed(&app, &a.officer, &format!("{path}/approve"), json!({})).await);
        let after = ok(&app.post_as(by, &format!("{path}/{step}"), body).await);
        assert_eq!(after["pending_approval"], Value::Null, "{step}: {after}");
        let events = trail(&app, &a, "grant", &id).await;
        assert!(events.iter().any(|e| e["action"] == "grant.first_approval_cleared"), "{step}: {events:?}");
    }
}

async fn only_a_municipal_admin_changes_a_funds_controls(app: TestApp) {
    let (a, second_officer) = setup(&app).await;
    let fund_id = fund(&app, &a, 5_000_000, 500_000).await;
    let path = format!("/api/v1/funds/{fund_id}");

    // The attack: raise the threshold, then approve alone. The raise is refused.
    for control in [
        json!({"four_eyes_threshold_cents": 5_000_000}),
        json!({"max_grant_cents": 4_000_000}),
        json!({"budget_cents": 9_000_000}),
    ] {
        let reply = app.call(&a.officer, Method::PATCH, &path, Some(control.clone())).await;
        let problem = reply.assert_problem(403, "forbidden");
        assert!(problem["detail"].as_str().unwrap().contains("municipal admin"), "{problem}");
    }
    let unchanged = app.get_as(&a.officer, &path).await.json();
    assert_eq!(unchanged["four_eyes_threshold_cents"], 500_000);
    assert_eq!(unchanged["budget_cents"], 5_000_000);
    let grant_id = grant_in_review(&app, &a, &fund_id, 600_000).await;
    let first =
        ok(&post_keyed(&app, &a.officer, &format!("/api/v1/grants/{grant_id}/approve"), json!({})).await);
    assert_eq!(first["status"], "in_review", "still two people");

    // Officers keep the other fields, and a control sent unchanged is no change.
    let renamed = ok(&app
        .call(
            &a.officer,
            Method::PATCH,
            &path,
            Some(json!({"name": "Buurtbudget Oost", "decision_weeks": 6,
            "four_eyes_threshold_cents": 500_000})),
        )
        .await);
    assert_eq!(renamed["name"], "Buurtbudget Oost");
    // A new fund sets all its controls: the admin makes it.
    app.post_as(
        &second_officer,
        "/api/v1/funds",
        json!({"municipality_id": a.municipality_id, "name": "Eigen potje", "budget_cents": 1_000_000,
            "opens_on": "2026-01-01", "four_eyes_threshold_cents": 1_000_000}),
    )
    .await
    .assert_problem(403, "forbidden");

    // The admin changes them, and the trail shows it.
    let raised = ok(&app
        .call(&a.admin, Method::PATCH, &path, Some(json!({"four_eyes_threshold_cents": 800_000})))
        .await);
    assert_eq!(raised["four_eyes_threshold_cents"], 800_000);
    let events = trail(&app, &a, "fund", &fund_id).await;
    let actions: Vec<&str> = events.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["fund.created", "fund.updated", "fund.controls_changed"]);
    let change = &events[2];
    assert_eq!(change["actor_user_id"], a.admin.id.as_str(), "{change}");
    assert_eq!(change["changes"]["four_eyes_threshold_cents"], json!({"before": 500_000, "after": 800_000}));
}

async fn the_threshold_is_the_one_in_force_at_submission(app: TestApp) {
    let (a, second_officer) = setup(&app).await;
    let fund_id = fund(&app, &a, 5_000_000, 500_000).await;
    let path = format!("/api/v1/funds/{fund_id}");
    let submitted = grant_in_review(&app, &a, &fund_id, 600_000).await;
    let grant = |id: &str| format!("/api/v1/grants/{id}");
    assert_eq!(app.get_as(&a.officer, &grant(&submitted)).await.json()["four_eyes_threshold_cents"], 500_000);

    // Raised after submission: the application keeps the threshold it was submitted under.
    ok(&app
        .call(&a.admin, Method::PATCH, &path, Some(json!({"four_eyes_threshold_cents": 1_000_000})))
        .await);
    let first = ok(&post_keyed(&app, &a.officer, &format!("{}/approve", grant(&submitted)), json!({})).await);
    assert_eq!(first["status"], "in_review", "600,000 is above the 500,000 it was submitted under");
    assert_eq!(first["four_eyes_threshold_cents"], 500_000);
    let second =
        ok(&post_keyed(&app, &second_officer, &format!("{}/approve", grant(&submitted)), json!({})).await);
    assert_eq!(second["status"], "approved");

    // Submitted now, under 1,000,000: lowering the fund's threshold later changes nothing.
    let later = grant_in_review(&app, &a, &fund_id, 700_000).await;
    assert_eq!(app.get_as(&a.officer, &grant(&later)).await.json()["four_eyes_threshold_cents"], 1_000_000);
    ok(&app.call(&a.admin, Method::PATCH, &path, Some(json!({"four_eyes_threshold_cents": 100_000}))).await);
    let alone = ok(&post_keyed(&app, &a.officer, &format!("{}/approve", grant(&later)), json!({})).await);
    assert_eq!(alone["status"], "approved", "{alone}");
    assert_eq!(alone["four_eyes_threshold_cents"], 1_000_000);

    // Submitted after the lowering: the lower threshold applies.
    let newest = grant_in_review(&app, &a, &fund_id, 200_000).await;
    let first = ok(&post_keyed(&app, &a.officer, &format!("{}/approve", grant(&newest)), json!({})).await);
    assert_eq!(first["status"], "in_review", "200,000 is above the 100,000 in force at submission");
}

async fn two_different_people_and_never_a_service_account(app: TestApp) {
    let (a, second_officer) = setup(&app).await;
    let fund_id = fund(&app, &a, 5_000_000, 500_000).await;
    let (system, _) = service_account(
        &app,
        &a.admin,
        &a.municipality_id,
        &["grants:read", "grants:write", "payments:write"],
    )
    .await;
    let approve = |id: &str| format!("/api/v1/grants/{id}/approve");

    // The same person twice: refused, and nothing committed.
    let above = grant_in_review(&app, &a, &fund_id, 600_000).await;
    ok(&post_keyed(&app, &a.officer, &approve(&above), json!({})).await);
    post_keyed(&app, &a.officer, &approve(&above), json!({})).await.assert_problem(403, "four_eyes_required");
    assert_eq!(
        app.get_as(&a.officer, &format!("/api/v1/grants/{above}")).await.json()["status"],
        "in_review"
    );

    // A service account as the second approver: refused, clearly.
    let problem = post_keyed(&app, &system, &approve(&above), json!({}))
        .await
        .assert_problem(403, "four_eyes_required");
    assert!(problem["detail"].as_str().unwrap().contains("service account"), "{problem}");
    let seen = app.get_as(&system, &format!("/api/v1/grants/{above}")).await.json();
    assert!(!seen["allowed_actions"].as_array().unwrap().contains(&json!("approve")), "{seen}");
    ok(&post_keyed(&app, &second_officer, &approve(&above), json!({})).await);

    // A service account as the first approver: refused, and no first approval is recorded.
    let other = grant_in_review(&app, &a, &fund_id, 500_000).await;
    let problem = post_keyed(&app, &system, &approve(&other), json!({}))
        .await
        .assert_problem(403, "four_eyes_required");
    assert!(problem["detail"].as_str().unwrap().contains("service account"), "{problem}");
    let untouched = app.get_as(&a.officer, &format!("/api/v1/grants/{other}")).await.json();
    assert_eq!(untouched["pending_approval"], Value::Null);
    // Below the threshold one approval is enough, and a service account with grants:write may give it.
    let below = grant_in_review(&app, &a, &fund_id, 100_000).await;
    let approved = ok(&post_keyed(&app, &system, &approve(&below), json!({})).await);
    assert_eq!(approved["status"], "approved");

    // Nobody approves what they applied for or belong to: an officer who is also the
    // network's treasurer.
    let network_members = format!("/api/v1/networks/{}/members", a.network_id);
    let both = app.join(&a.coordinator, &network_members, &second_officer.email, "member").await;
    assert_eq!(both.id, second_officer.id, "the officer's own account joined");
    let theirs = grant_in_review(&app, &a, &fund_id, 100_000).await;
    post_keyed(&app, &both, &approve(&theirs), json!({})).await.assert_problem(403, "four_eyes_required");
}
