//! The money path: funds, applications, approvals with four eyes, tranches, the ledger, and the
//! funding rules under concurrency.

use actix_web::http::Method;
use serde_json::{json, Value};

use crate::fixtures::{fund, grant_in_review, post_keyed, tenant, Tenant, PDF};
use crate::helpers::{Reply, TestApp, User};
use crate::on_both_backends;

on_both_backends!(
    apply_approve_with_two_tranches_and_pay,
    four_eyes_above_the_threshold,
    fifty_approvals_against_a_fund_that_can_afford_ten,
    payments_and_additions_never_overpay_a_grant,
    one_idempotency_key_twenty_times_pays_once,
    bad_money_input_is_refused_and_nothing_is_stored,
    another_network_sees_none_of_it,
    a_fund_budget_never_drops_below_what_is_committed,
    the_whole_path_from_application_to_close,
    receipts_are_recognised_by_content_and_bounded,
    treasurers_overview_exports_and_the_reporting_date,
    a_question_an_answer_and_a_cancellation,
    someone_in_the_municipality_and_the_network_pages_through_each_grant_once,
);

struct Money {
    a: Tenant,
    b: Tenant,
    finance: User,
    second_officer: User,
}

async fn setup(app: &TestApp) -> Money {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(app, &root, "a").await;
    let b = tenant(app, &root, "b").await;
    let members = format!("/api/v1/municipalities/{}/members", a.municipality_id);
    let finance = app.join(&a.admin, &members, "finance@a.example", "finance").await;
    let second_officer = app.join(&a.admin, &members, "officer2@a.example", "officer").await;
    Money { a, b, finance, second_officer }
}

async fn balances(app: &TestApp, user: &User, fund_id: &str) -> Value {
    app.get_as(user, &format!("/api/v1/funds/{fund_id}")).await.json()["balances"].clone()
}

async fn ledger_kinds(app: &TestApp, user: &User, path: &str) -> Vec<(String, i64)> {
    let page = app.get_as(user, path).await.json();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["kind"].as_str().unwrap().to_owned(), e["amount_cents"].as_i64().unwrap()))
        .collect()
}

async fn verify_ledger(app: &TestApp) {
    let problems = app.state.db.run(|conn| Ok(pactum::ledger::verify(conn)?)).await.unwrap();
    assert!(problems.is_empty(), "{problems:?}");
}

fn ok(reply: &Reply) -> Value {
    assert!(reply.status < 300, "{}", reply.text());
    reply.json()
}

async fn apply_approve_with_two_tranches_and_pay(app: TestApp) {
    let Money { a, finance, .. } = setup(&app).await;
    let fund_id = fund(&app, &a, 1_000_000, 800_000).await;
    let grant_id = grant_in_review(&app, &a, &fund_id, 300_000).await;
    let grant = format!("/api/v1/grants/{grant_id}");
    let before = app.get_as(&a.treasurer, &grant).await.json();
    assert!(before["decision_due_on"].is_string(), "the legal decision deadline is stored on submission");
    assert_eq!(before["report_requirement"], "activity_report");

    // Approving moves money: without an Idempotency-Key it is refused.
    let unkeyed = app
        .send(
            app.request(Method::POST, &format!("{grant}/approve"))
                .insert_header(("Authorization", format!("Bearer {}", a.officer.token))),
            None,
        )
        .await;
    unkeyed.assert_problem(400, "bad_request");

    let plan = json!({"approved_cents": 250_000, "tranches": [{"due_on": "2026-02-01", "amount_cents": 150_000}, {"due_on": "2026-06-01", "amount_cents": 100_000}]});
    let approved = ok(&post_keyed(&app, &a.officer, &format!("{grant}/approve"), plan).await);
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["approved_cents"], 250_000);
    assert_eq!(approved["scheduled_cents"], 250_000);
    assert_eq!(
        balances(&app, &a.officer, &fund_id).await,
        json!({"budget_cents": 1_000_000, "committed_cents": 250_000,
        "paid_cents": 0, "refunded_cents": 0, "available_cents": 750_000})
    );
    assert_eq!(
        ledger_kinds(&app, &a.treasurer, &format!("{grant}/ledger")).await,
        [("commit".to_owned(), 250_000)]
    );

    let tranches = app.get_as(&a.treasurer, &format!("{grant}/tranches")).await.json();
    let first = tranches["items"][0]["id"].as_str().unwrap().to_owned();
    let second = tranches["items"][1]["id"].as_str().unwrap().to_owned();
    assert_eq!(tranches["items"][0]["allowed_actions"], json!([]), "a treasurer sees, does not pay");
    post_keyed(&app, &a.treasurer, &format!("/api/v1/tranches/{first}/pay"), json!({}))
        .await
        .assert_problem(403, "forbidden");
    let paid = ok(&post_keyed(
        &app,
        &finance,
        &format!("/api/v1/tranches/{first}/pay"),
        json!({"paid_on": "2026-02-03", "payment_reference": "BATCH-17"}),
    )
    .await);
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["payment_reference"], "BATCH-17");
    let one = app.get_as(&a.treasurer, &format!("/api/v1/tranches/{first}")).await;
    assert_eq!(one.status, 200, "{}", one.text());
    assert_eq!(
        (one.json()["status"].as_str(), one.json()["paid_on"].as_str()),
        (Some("paid"), Some("2026-02-03"))
    );
    post_keyed(&app, &finance, &format!("/api/v1/tranches/{first}/pay"), json!({}))
        .await
        .assert_problem(409, "invalid_transition");
    let active = app.get_as(&a.treasurer, &grant).await.json();
    assert_eq!(active["status"], "active", "the first payment makes the grant active");
    assert_eq!(
        (active["paid_cents"].as_i64(), active["scheduled_cents"].as_i64()),
        (Some(150_000), Some(100_000))
    );
    assert_eq!(balances(&app, &a.officer, &fund_id).await["paid_cents"], 150_000);

    // More than awarded cannot be scheduled; cancelling a tranche frees its amount.
    post_keyed(
        &app,
        &a.officer,
        &format!("{grant}/tranches"),
        json!({"due_on": "2026-09-01", "amount_cents": 1}),
    )
    .await
    .assert_problem(409, "overpayment");
    ok(&post_keyed(&app, &a.officer, &format!("/api/v1/tranches/{second}/cancel"), json!({})).await);
    let added = post_keyed(
        &app,
        &a.officer,
        &format!("{grant}/tranches"),
        json!({"due_on": "2026-09-01", "amount_cents": 100_000}),
    )
    .await;
    assert_eq!(added.status, 201, "{}", added.text());
    let third = added.json()["id"].as_str().unwrap().to_owned();
    ok(&post_keyed(&app, &finance, &format!("/api/v1/tranches/{third}/pay"), json!({})).await);
    let done = app.get_as(&a.officer, &grant).await.json();
    assert_eq!((done["paid_cents"].as_i64(), done["unscheduled_cents"].as_i64()), (Some(250_000), Some(0)));
    assert_eq!(
        ledger_kinds(&app, &a.officer, &format!("/api/v1/funds/{fund_id}/ledger")).await,
        [("commit".to_owned(), 250_000), ("payment".to_owned(), 150_000), ("payment".to_owned(), 100_000)]
    );
    verify_ledger(&app).await;

    let trail = app
        .get_as(&a.auditor, &format!("/api/v1/audit-events?entity_type=grant&entity_id={grant_id}"))
        .await
        .json();
    let actions: Vec<&str> =
        trail["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "grant.created",
            "grant.submitted",
            "grant.review_started",
            "grant.approved",
            "grant.tranche_paid",
            "grant.tranche_cancelled",
            "grant.tranche_scheduled",
            "grant.tranche_paid"
        ]
    );
}

async fn four_eyes_above_the_threshold(app: TestApp) {
    let Money { a, finance, second_officer, .. } = setup(&app).await;
    let fund_id = fund(&app, &a, 5_000_000, 500_000).await;
    let grant_id = grant_in_review(&app, &a, &fund_id, 600_000).await;
    let approve = format!("/api/v1/grants/{grant_id}/approve");
    let first = ok(&post_keyed(&app, &a.officer, &approve, json!({"approved_cents": 550_000})).await);
    assert_eq!(first["status"], "in_review", "one approval is not enough above the threshold");
    assert_eq!(first["pending_approval"]["approved_by"], a.officer.id.as_str());
    assert_eq!(balances(&app, &a.officer, &fund_id).await["committed_cents"], 0, "nothing committed yet");
    post_keyed(&app, &a.officer, &approve, json!({})).await.assert_problem(403, "four_eyes_required");
    post_keyed(&app, &second_officer, &approve, json!({"approved_cents": 600_000}))
        .await
        .assert_problem(422, "validation_failed");
    let second = ok(&post_keyed(&app, &finance, &approve, json!({})).await);
    assert_eq!(second["status"], "approved");
    assert_eq!(second["approved_cents"], 550_000);

    // Somebody who submitted an application never approves it, even as an officer.
    let network_members = format!("/api/v1/networks/{}/members", a.network_id);
    // An existing account accepts signed in (join does that).
    let both = app.join(&a.coordinator, &network_members, &second_officer.email, "treasurer").await;
    assert_eq!(both.id, second_officer.id);
    let own = app
        .post_as(
            &both,
            "/api/v1/grants",
            json!({"fund_id": fund_id, "network_id": a.network_id, "title": "Eigen aanvraag",
            "requested_cents": 100_000, "starts_on": "2026-03-01", "ends_on": "2026-04-01",
            "payee": {"iban": "NL91ABNA0417164300", "name": "Buurtkracht"}}),
        )
        .await;
    let own_id = own.json()["id"].as_str().unwrap().to_owned();
    ok(&app.post_as(&both, &format!("/api/v1/grants/{own_id}/submit"), json!({})).await);
    ok(&app.post_as(&a.officer, &format!("/api/v1/grants/{own_id}/start-review"), json!({})).await);
    post_keyed(&app, &both, &format!("/api/v1/grants/{own_id}/approve"), json!({}))
        .await
        .assert_problem(403, "four_eyes_required");
    verify_ledger(&app).await;
}

async fn fifty_approvals_against_a_fund_that_can_afford_ten(app: TestApp) {
    let Money { a, .. } = setup(&app).await;
    let fund_id = fund(&app, &a, 1_000_000, 100_000_000).await;
    let mut grants = Vec::new();
    for _ in 0..50 {
        grants.push(grant_in_review(&app, &a, &fund_id, 100_000).await);
    }
    let paths: Vec<String> = grants.iter().map(|id| format!("/api/v1/grants/{id}/approve")).collect();
    let replies = futures_util::future::join_all(
        paths.iter().map(|path| post_keyed(&app, &a.officer, path, json!({}))),
    )
    .await;
    let approved = replies.iter().filter(|r| r.status == 200).count();
    for refused in replies.iter().filter(|r| r.status != 200) {
        refused.assert_problem(409, "insufficient_budget");
    }
    assert_eq!(approved, 10, "exactly what the budget affords");
    let money = balances(&app, &a.officer, &fund_id).await;
    assert_eq!(
        (money["committed_cents"].as_i64(), money["available_cents"].as_i64()),
        (Some(1_000_000), Some(0))
    );
    let still_in_review = app
        .get_as(&a.officer, &format!("/api/v1/grants?fund_id={fund_id}&status=in_review&limit=200"))
        .await
        .json();
    assert_eq!(still_in_review["items"].as_array().unwrap().len(), 40, "a refused approval changes nothing");
    verify_ledger(&app).await;
}

async fn payments_and_additions_never_overpay_a_grant(app: TestApp) {
    let Money { a, finance, .. } = setup(&app).await;
    let fund_id = fund(&app, &a, 10_000_000, 100_000_000).await;
    let grant_id = grant_in_review(&app, &a, &fund_id, 300_000).await;
    let plan = json!({"tranches": [{"due_on": "2026-02-01", "amount_cents": 100_000}, {"due_on": "2026-03-01", "amount_cents": 100_000}]});
    ok(&post_keyed(&app, &a.officer, &format!("/api/v1/grants/{grant_id}/approve"), plan).await);
    let tranches = app.get_as(&a.officer, &format!("/api/v1/grants/{grant_id}/tranches")).await.json();
    let ids: Vec<String> =
        tranches["items"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect();
    let calls: Vec<(&User, String, Value)> = (0..30)
        .map(|i| match i % 3 {
            0 => (&finance, format!("/api/v1/tranches/{}/pay", ids[i % 2]), json!({})),
            _ => (
                &a.officer,
                format!("/api/v1/grants/{grant_id}/tranches"),
                json!({"due_on": "2026-04-01", "amount_cents": 60_000}),
            ),
        })
        .collect();
    let replies = futures_util::future::join_all(
        calls.iter().map(|(user, path, body)| post_keyed(&app, user, path, body.clone())),
    )
    .await;
    for reply in &replies {
        assert!(matches!(reply.status, 200 | 201 | 409), "{}", reply.text());
    }
    let grant = app.get_as(&a.officer, &format!("/api/v1/grants/{grant_id}")).await.json();
    let (scheduled, paid) =
        (grant["scheduled_cents"].as_i64().unwrap(), grant["paid_cents"].as_i64().unwrap());
    assert!(scheduled + paid <= 300_000, "scheduled {scheduled} + paid {paid}");
    assert_eq!(paid, 200_000, "both original tranches paid exactly once");
    assert_eq!(scheduled, 60_000, "one 60,000 addition fits in the 100,000 left");
    verify_ledger(&app).await;
}

async fn one_idempotency_key_twenty_times_pays_once(app: TestApp) {
    let Money { a, finance, .. } = setup(&app).await;
    let tranches = app.get_as(&a.officer, &format!("/api/v1/grants/{}/tranches", a.grant_id)).await.json();
    let tranche = tranches["items"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/tranches/{tranche}/pay");
    let send = || {
        let request = app
            .request(Method::POST, &path)
            .insert_header(("Authorization", format!("Bearer {}", finance.token)))
            .insert_header(("Idempotency-Key", "pay-once"))
            .content_type("application/json");
        app.send(request, Some(actix_web::web::Bytes::from_static(b"{\"payment_reference\":\"R1\"}")))
    };
    let replies = futures_util::future::join_all((0..20).map(|_| send())).await;
    assert!(
        replies.iter().all(|r| r.status == 200 || r.status == 409),
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert!(replies.iter().any(|r| r.status == 200));
    let later = send().await;
    assert_eq!(later.status, 200, "a retry gets the first answer");
    assert_eq!(later.header("idempotent-replayed"), Some("true"));
    let payments = ledger_kinds(&app, &a.officer, &format!("/api/v1/grants/{}/ledger", a.grant_id)).await;
    assert_eq!(payments.iter().filter(|(k, _)| k == "payment").count(), 1, "one effect");
    verify_ledger(&app).await;
}

async fn count_grants(app: &TestApp, user: &User) -> usize {
    app.get_as(user, "/api/v1/grants?limit=200").await.json()["items"].as_array().unwrap().len()
}

async fn bad_money_input_is_refused_and_nothing_is_stored(app: TestApp) {
    let Money { a, .. } = setup(&app).await;
    let before = count_grants(&app, &a.officer).await;
    let base = json!({"fund_id": a.fund_id, "network_id": a.network_id, "title": "Aanvraag", "requested_cents": 10_000,
        "starts_on": "2026-03-01", "ends_on": "2026-04-01", "payee": {"iban": "NL91ABNA0417164300", "name": "Buurtkracht"}});
    let cases: [(&str, Value, &str); 6] = [
        ("requested_cents", json!(0), "requested_cents"),
        ("requested_cents", json!(-500), "requested_cents"),
        ("requested_cents", json!(100_000_000_001_i64), "requested_cents"),
        ("requested_cents", json!(2_000_000), "requested_cents"),
        ("payee", json!({"iban": "NL92ABNA0417164300", "name": "Buurtkracht"}), "payee.iban"),
        ("ends_on", json!("2026-02-01"), "ends_on"),
    ];
    for (field, value, reported) in cases {
        let mut body = base.clone();
        body[field] = value;
        let reply = app.post_as(&a.treasurer, "/api/v1/grants", body).await;
        let problem = reply.assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], reported, "{problem}");
    }
    let mut lines = base.clone();
    lines["budget_lines"] = json!([{"description": "Koffie", "amount_cents": 0}]);
    app.post_as(&a.treasurer, "/api/v1/grants", lines).await.assert_problem(422, "validation_failed");
    app.post_as(&a.admin, "/api/v1/funds", json!({"municipality_id": a.municipality_id, "name": "X", "budget_cents": -1, "opens_on": "2026-01-01"}))
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(count_grants(&app, &a.officer).await, before, "nothing stored");
    let grant_id = grant_in_review(&app, &a, &a.fund_id, 50_000).await;
    let approve = format!("/api/v1/grants/{grant_id}/approve");
    post_keyed(&app, &a.officer, &approve, json!({"approved_cents": 60_000}))
        .await
        .assert_problem(422, "validation_failed");
    post_keyed(
        &app,
        &a.officer,
        &approve,
        json!({"tranches": [{"due_on": "2026-05-01", "amount_cents": 60_000}]}),
    )
    .await
    .assert_problem(422, "validation_failed");
    assert_eq!(
        app.get_as(&a.officer, &format!("/api/v1/grants/{grant_id}")).await.json()["status"],
        "in_review"
    );
    verify_ledger(&app).await;
}

async fn another_network_sees_none_of_it(app: TestApp) {
    let Money { a, b, .. } = setup(&app).await;
    let grant = format!("/api/v1/grants/{}", a.grant_id);
    for outsider in [&b.treasurer, &b.coordinator, &b.officer] {
        for path in [
            grant.clone(),
            format!("{grant}/tranches"),
            format!("{grant}/ledger"),
            format!("/api/v1/funds/{}", a.fund_id),
            format!("/api/v1/tranches/{}", a.tranche_id),
        ] {
            app.get_as(outsider, &path).await.assert_problem(404, "not_found");
        }
        post_keyed(&app, outsider, &format!("/api/v1/tranches/{}/pay", a.tranche_id), json!({}))
            .await
            .assert_problem(404, "not_found");
        let listed = app.get_as(outsider, "/api/v1/grants").await.json();
        assert!(listed["items"].as_array().unwrap().iter().all(|g| g["id"] != a.grant_id.as_str()));
    }
    // The network's own treasurer does see it.
    assert_eq!(app.get_as(&a.treasurer, &grant).await.status, 200);
}

async fn a_fund_budget_never_drops_below_what_is_committed(app: TestApp) {
    let Money { a, .. } = setup(&app).await;
    let path = format!("/api/v1/funds/{}", a.fund_id);
    // The fixture's grant committed 100,000 cents. The budget is a control: the admin's.
    app.call(&a.admin, Method::PATCH, &path, Some(json!({"budget_cents": 99_999})))
        .await
        .assert_problem(409, "budget_below_committed");
    let lowered = ok(&app.call(&a.admin, Method::PATCH, &path, Some(json!({"budget_cents": 100_000}))).await);
    assert_eq!(lowered["balances"]["available_cents"], 0);
    app.call(&a.officer, Method::PATCH, &path, Some(json!({"budget_cents": 2_000_000})))
        .await
        .assert_problem(403, "forbidden");
    let raised =
        ok(&app.call(&a.admin, Method::PATCH, &path, Some(json!({"budget_cents": 2_000_000}))).await);
    assert_eq!(raised["balances"]["available_cents"], 1_900_000);
    app.call(&a.treasurer, Method::PATCH, &path, Some(json!({"budget_cents": 5})))
        .await
        .assert_problem(403, "forbidden");
}

async fn the_whole_path_from_application_to_close(app: TestApp) {
    let Money { a, finance, .. } = setup(&app).await;
    let fund = ok(&app
        .post_as(&a.admin, "/api/v1/funds", json!({"municipality_id": a.municipality_id, "name": "Buurtbudget", "budget_cents": 1_000_000,
            "opens_on": "2026-01-01", "four_eyes_threshold_cents": 900_000,
            "reporting_tiers": [{"up_to_cents": 100_000, "requirement": "confirmation"}, {"up_to_cents": null, "requirement": "financial_report"}]}))
        .await);
    let fund_id = fund["id"].as_str().unwrap().to_owned();
    let money = |committed: i64, paid: i64, refunded: i64| {
        json!({"budget_cents": 1_000_000, "committed_cents": committed,
        "paid_cents": paid, "refunded_cents": refunded, "available_cents": 1_000_000 - committed})
    };
    let grant_id = grant_in_review(&app, &a, &fund_id, 300_000).await;
    let grant = format!("/api/v1/grants/{grant_id}");
    assert_eq!(app.get_as(&a.treasurer, &grant).await.json()["report_requirement"], "financial_report");

    let plan = json!({"tranches": [{"due_on": "2026-02-01", "amount_cents": 200_000}, {"due_on": "2026-06-01", "amount_cents": 100_000}]});
    ok(&post_keyed(&app, &a.officer, &format!("{grant}/approve"), plan).await);
    assert_eq!(balances(&app, &a.officer, &fund_id).await, money(300_000, 0, 0));
    let tranches = app.get_as(&a.officer, &format!("{grant}/tranches")).await.json();
    for (i, paid) in [(0, 200_000), (1, 300_000)] {
        let tranche = tranches["items"][i]["id"].as_str().unwrap();
        ok(&post_keyed(&app, &finance, &format!("/api/v1/tranches/{tranche}/pay"), json!({})).await);
        assert_eq!(balances(&app, &a.officer, &fund_id).await, money(300_000, paid, 0));
    }

    // Settling needs the financial report first.
    post_keyed(&app, &a.officer, &format!("{grant}/settle"), json!({"settled_cents": 250_000}))
        .await
        .assert_problem(409, "conflict");
    let report = ok(&app
        .post_as(&a.treasurer, &format!("{grant}/reports"), json!({"kind": "final", "narrative": "26 koffie-ochtenden, 64 bewoners.", "people_reached": 64,
            "expenses": [{"spent_on": "2026-03-02", "description": "Koffie en thee", "category": "Catering", "amount_cents": 150_000},
                         {"spent_on": "2026-04-10", "description": "Huur buurtkamer", "category": "rent", "amount_cents": 100_000}]}))
        .await);
    let report_path = format!("/api/v1/reports/{}", report["id"].as_str().unwrap());
    ok(&app.post_as(&a.treasurer, &format!("{report_path}/submit"), json!({})).await);
    let incomplete = app.post_as(&a.officer, &format!("{report_path}/accept"), json!({})).await;
    let problem = incomplete.assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["field"], "expenses[0].receipt_id", "{problem}");
    ok(&app
        .post_as(
            &a.officer,
            &format!("{report_path}/request-changes"),
            json!({"reason": "Voeg de bonnen toe."}),
        )
        .await);
    let first = ok(&app.upload(&a.treasurer, &format!("{report_path}/receipts"), "koffie.pdf", PDF).await);
    let second = ok(&app
        .upload(&a.treasurer, &format!("{report_path}/receipts"), "huur.pdf", b"%PDF-1.7 huurbon")
        .await);
    let mut expenses = report["expenses"].clone();
    expenses[0]["receipt_id"] = first["id"].clone();
    expenses[1]["receipt_id"] = second["id"].clone();
    let edited =
        ok(&app.call(&a.treasurer, Method::PATCH, &report_path, Some(json!({"expenses": expenses}))).await);
    assert_eq!(edited["expenses_total_cents"], 250_000);
    assert_eq!(edited["expenses"][0]["category"], "catering");
    ok(&app.post_as(&a.treasurer, &format!("{report_path}/submit"), json!({})).await);
    assert_eq!(
        ok(&app.post_as(&a.officer, &format!("{report_path}/accept"), json!({})).await)["status"],
        "accepted"
    );

    post_keyed(&app, &a.officer, &format!("{grant}/settle"), json!({"settled_cents": 300_001}))
        .await
        .assert_problem(422, "validation_failed");
    let settled = ok(&post_keyed(
        &app,
        &a.officer,
        &format!("{grant}/settle"),
        json!({"settled_cents": 250_000, "note": "Flyers niet gedrukt"}),
    )
    .await);
    assert_eq!(settled["status"], "settled");
    assert_eq!(balances(&app, &a.officer, &fund_id).await, money(250_000, 300_000, 0));
    let settlement = app.get_as(&a.treasurer, &format!("{grant}/settlement")).await.json();
    assert_eq!(
        (settlement["refund_due_cents"].as_i64(), settlement["refund_outstanding_cents"].as_i64()),
        (Some(50_000), Some(50_000))
    );

    post_keyed(&app, &a.officer, &format!("{grant}/close"), json!({})).await.assert_problem(409, "conflict");
    let refund = json!({"amount_cents": 50_001, "received_on": "2026-09-15"});
    post_keyed(&app, &finance, &format!("{grant}/refunds"), refund).await.assert_problem(409, "overpayment");
    let refunded = post_keyed(
        &app,
        &finance,
        &format!("{grant}/refunds"),
        json!({"amount_cents": 50_000, "received_on": "2026-09-15"}),
    )
    .await;
    assert_eq!(refunded.status, 201, "{}", refunded.text());
    assert_eq!(refunded.json()["refund_outstanding_cents"], 0);
    assert_eq!(balances(&app, &a.officer, &fund_id).await, money(250_000, 300_000, 50_000));
    assert_eq!(
        ok(&post_keyed(&app, &a.officer, &format!("{grant}/close"), json!({})).await)["status"],
        "closed"
    );

    assert_eq!(
        ledger_kinds(&app, &a.treasurer, &format!("{grant}/ledger")).await,
        [
            ("commit".to_owned(), 300_000),
            ("payment".to_owned(), 200_000),
            ("payment".to_owned(), 100_000),
            ("release".to_owned(), 50_000),
            ("refund".to_owned(), 50_000)
        ]
    );
    verify_ledger(&app).await;
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_pactum"))
        .args(["ledger", "verify"])
        .env("PACTUM_DATABASE_URL", app.database.url())
        .output()
        .unwrap();
    assert!(cli.status.success(), "{}", String::from_utf8_lossy(&cli.stdout));
    assert!(String::from_utf8_lossy(&cli.stdout).contains("agree"));
}

async fn receipts_are_recognised_by_content_and_bounded(app: TestApp) {
    let Money { a, b, .. } = setup(&app).await;
    let receipts = format!("/api/v1/reports/{}/receipts", a.report_id);
    let count = || async {
        app.get_as(&a.treasurer, &format!("/api/v1/reports/{}", a.report_id)).await.json()["receipts"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(count().await, 1);
    let executable =
        app.upload(&a.treasurer, &receipts, "bon.pdf", b"MZ\x90\x00\x03 this is a program").await;
    assert_eq!(executable.assert_problem(422, "validation_failed")["errors"][0]["field"], "file");
    let huge = vec![b'%'; 50 * 1024 * 1024];
    app.upload(&a.treasurer, &receipts, "huge.pdf", &huge).await.assert_problem(413, "payload_too_large");
    assert_eq!(count().await, 1, "nothing stored");

    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR tiny";
    let stored = ok(&app.upload(&a.treasurer, &receipts, "bon.png", png).await);
    assert_eq!(stored["media_type"], "image/png");
    let download =
        app.get_as(&a.officer, &format!("/api/v1/receipts/{}", stored["id"].as_str().unwrap())).await;
    assert_eq!(download.status, 200);
    assert_eq!(download.header("content-type"), Some("image/png"));
    assert_eq!(&download.body[..], &png[..]);
    assert!(download.header("content-disposition").unwrap().contains("bon.png"));
    for outsider in [&b.treasurer, &b.officer] {
        app.get_as(outsider, &format!("/api/v1/receipts/{}", a.receipt_id))
            .await
            .assert_problem(404, "not_found");
        app.get_as(outsider, &format!("/api/v1/reports/{}", a.report_id))
            .await
            .assert_problem(404, "not_found");
        app.upload(outsider, &receipts, "x.pdf", PDF).await.assert_problem(404, "not_found");
    }
    app.upload(&a.member, &receipts, "x.pdf", PDF).await.assert_problem(403, "forbidden");
}

async fn treasurers_overview_exports_and_the_reporting_date(app: TestApp) {
    let Money { a, b, finance, .. } = setup(&app).await;
    let overview =
        app.get_as(&a.treasurer, &format!("/api/v1/networks/{}/grants", a.network_id)).await.json();
    assert_eq!(
        (
            overview["awarded_cents"].as_i64(),
            overview["paid_cents"].as_i64(),
            overview["to_come_cents"].as_i64()
        ),
        (Some(100_000), Some(0), Some(100_000))
    );
    assert_eq!(overview["items"][0]["grant_id"], a.grant_id.as_str());
    assert!(overview["items"][0]["next_payment_on"].is_string());
    assert_eq!(
        overview["items"][0]["report_due_on"], "2027-03-31",
        "the period's end plus the fund's 90 days"
    );
    app.get_as(&b.treasurer, &format!("/api/v1/networks/{}/grants", a.network_id))
        .await
        .assert_problem(404, "not_found");

    let due = |before: &'static str| {
        let app = &app;
        let officer = a.officer.clone();
        async move {
            let page =
                app.get_as(&officer, &format!("/api/v1/grants?report_due_before={before}")).await.json();
            page["items"].as_array().unwrap().len()
        }
    };
    assert_eq!((due("2027-04-01").await, due("2027-03-01").await), (1, 0));
    // A decision is due only while the application awaits it: the approved grant had one.
    let awaiting = crate::fixtures::grant_in_review(&app, &a, &a.fund_id, 10_000).await;
    let decisions = |query: &'static str| {
        let (app, officer) = (&app, a.officer.clone());
        async move {
            let page =
                app.get_as(&officer, &format!("/api/v1/grants?decision_due_before=2999-12-31{query}")).await;
            let items = page.json()["items"].as_array().unwrap().clone();
            items.iter().map(|g| g["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
        }
    };
    assert_eq!(decisions("").await, vec![awaiting.clone()]);
    assert_eq!(decisions("&status=in_review").await, vec![awaiting.clone()]);
    assert!(decisions("&status=approved").await.is_empty());
    assert!(decisions("&report_due_before=2999-12-31").await.is_empty(), "no grant awaits both");

    let report = format!("/api/v1/reports/{}", a.report_id);
    let expense = json!({"expenses": [{"spent_on": "2026-03-02", "description": "Koffie, \"extra sterk\"", "category": "catering", "amount_cents": 4250}]});
    ok(&app.call(&a.treasurer, Method::PATCH, &report, Some(expense)).await);
    let expenses = app.get_as(&a.treasurer, &format!("/api/v1/grants/{}/expenses.csv", a.grant_id)).await;
    assert_eq!(expenses.header("content-type"), Some("text/csv; charset=utf-8"));
    let text = expenses.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "report_id,report_kind,report_status,spent_on,description,category,amount_eur,receipt_id"
    );
    assert_eq!(
        lines[1],
        format!("{},interim,draft,2026-03-02,\"Koffie, \"\"extra sterk\"\"\",catering,42.50,", a.report_id)
    );
    let grants_csv = app.get_as(&a.officer, &format!("/api/v1/funds/{}/grants.csv", a.fund_id)).await.text();
    assert!(
        grants_csv.starts_with("grant_id,network,title,status,requested_eur,approved_eur,paid_eur,"),
        "{grants_csv}"
    );
    assert!(
        grants_csv.contains(&format!(
            "{},Buurtkracht a,Koffie-ochtenden,approved,1000.00,1000.00,0.00,",
            a.grant_id
        )),
        "{grants_csv}"
    );
    for outsider in [&b.treasurer, &b.officer] {
        app.get_as(outsider, &format!("/api/v1/grants/{}/expenses.csv", a.grant_id))
            .await
            .assert_problem(404, "not_found");
        app.get_as(outsider, &format!("/api/v1/funds/{}/grants.csv", a.fund_id))
            .await
            .assert_problem(404, "not_found");
    }
    app.get_as(&a.treasurer, &format!("/api/v1/funds/{}/grants.csv", a.fund_id))
        .await
        .assert_problem(403, "forbidden");

    // A grant whose period is over and that owes a report moves to `reporting` by date.
    let created = ok(&app
        .post_as(
            &a.treasurer,
            "/api/v1/grants",
            json!({"fund_id": a.fund_id, "network_id": a.network_id, "title": "Zomerfeest",
            "requested_cents": 300_000, "starts_on": "2026-06-01", "ends_on": "2026-08-31",
            "payee": {"iban": "NL91ABNA0417164300", "name": "Buurtkracht"}}),
        )
        .await);
    let id = created["id"].as_str().unwrap().to_owned();
    ok(&app.post_as(&a.treasurer, &format!("/api/v1/grants/{id}/submit"), json!({})).await);
    ok(&app.post_as(&a.officer, &format!("/api/v1/grants/{id}/start-review"), json!({})).await);
    ok(&post_keyed(&app, &a.officer, &format!("/api/v1/grants/{id}/approve"), json!({})).await);
    let tranches = app.get_as(&a.officer, &format!("/api/v1/grants/{id}/tranches")).await.json();
    ok(&post_keyed(
        &app,
        &finance,
        &format!("/api/v1/tranches/{}/pay", tranches["items"][0]["id"].as_str().unwrap()),
        json!({}),
    )
    .await);
    let run = || app.state.db.run(pactum::grants::dates::run_date_changes);
    assert_eq!(run().await.unwrap(), 1);
    assert_eq!(run().await.unwrap(), 0, "once");
    assert_eq!(app.get_as(&a.treasurer, &format!("/api/v1/grants/{id}")).await.json()["status"], "reporting");
}

async fn a_question_an_answer_and_a_cancellation(app: TestApp) {
    let Money { a, finance, .. } = setup(&app).await;
    let fund_id = fund(&app, &a, 1_000_000, 900_000).await;
    let grant_id = grant_in_review(&app, &a, &fund_id, 200_000).await;
    let grant = format!("/api/v1/grants/{grant_id}");
    app.post_as(&a.officer, &format!("{grant}/request-info"), json!({}))
        .await
        .assert_problem(422, "validation_failed");
    let asked = ok(&app
        .post_as(&a.officer, &format!("{grant}/request-info"), json!({"question": "Wie zet de koffie?"}))
        .await);
    assert_eq!(
        (asked["status"].as_str(), asked["info_question"].as_str()),
        (Some("info_requested"), Some("Wie zet de koffie?"))
    );
    assert_eq!(
        app.get_as(&a.treasurer, &grant).await.json()["allowed_actions"],
        json!(["edit", "submit", "withdraw"])
    );
    ok(&app
        .call(
            &a.treasurer,
            Method::PATCH,
            &grant,
            Some(json!({"purpose": "Vrijwilligers zetten de koffie."})),
        )
        .await);
    let answered = ok(&app
        .post_as(&a.treasurer, &format!("{grant}/submit"), json!({"answer": "De vrijwilligers, om beurten."}))
        .await);
    assert_eq!(answered["status"], "submitted");
    assert_eq!(answered["info_question"], Value::Null);
    assert_eq!(answered["status_reason"], "De vrijwilligers, om beurten.");
    ok(&app.post_as(&a.officer, &format!("{grant}/start-review"), json!({})).await);
    let plan = json!({"tranches": [{"due_on": "2026-02-01", "amount_cents": 120_000}, {"due_on": "2026-06-01", "amount_cents": 80_000}]});
    ok(&post_keyed(&app, &a.officer, &format!("{grant}/approve"), plan).await);
    let tranches = app.get_as(&a.officer, &format!("{grant}/tranches")).await.json();
    ok(&post_keyed(
        &app,
        &finance,
        &format!("/api/v1/tranches/{}/pay", tranches["items"][0]["id"].as_str().unwrap()),
        json!({}),
    )
    .await);

    app.post_as(&a.treasurer, &format!("{grant}/cancel"), json!({"reason": "x"}))
        .await
        .assert_problem(403, "forbidden");
    app.post_as(&a.officer, &format!("{grant}/cancel"), json!({}))
        .await
        .assert_problem(422, "validation_failed");
    let cancelled = ok(&app
        .post_as(&a.officer, &format!("{grant}/cancel"), json!({"reason": "Het netwerk is gestopt."}))
        .await);
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(
        (cancelled["scheduled_cents"].as_i64(), cancelled["paid_cents"].as_i64()),
        (Some(0), Some(120_000))
    );
    assert_eq!(
        balances(&app, &a.officer, &fund_id).await,
        json!({"budget_cents": 1_000_000, "committed_cents": 120_000, "paid_cents": 120_000, "refunded_cents": 0, "available_cents": 880_000}),
        "what was not paid went back to the fund"
    );
    let after = app.get_as(&a.officer, &format!("{grant}/tranches")).await.json();
    assert_eq!(after["items"][1]["status"], "cancelled");
    assert_eq!(
        ledger_kinds(&app, &a.officer, &format!("{grant}/ledger")).await.last().cloned(),
        Some(("release".to_owned(), 80_000))
    );
    app.post_as(&a.officer, &format!("{grant}/cancel"), json!({"reason": "again"}))
        .await
        .assert_problem(409, "invalid_transition");
    verify_ledger(&app).await;
}

/// Lists read a page per municipality and per network the caller reaches, then merge: an
/// officer who is also in the network reaches its grants twice, yet pages through each once,
/// in id order, with filters applied to every part.
async fn someone_in_the_municipality_and_the_network_pages_through_each_grant_once(app: TestApp) {
    let Money { a, b, .. } = setup(&app).await;
    let mut expected = vec![a.grant_id.clone()];
    for cents in [10_000, 20_000, 30_000, 40_000] {
        expected.push(grant_in_review(&app, &a, &a.fund_id, cents).await);
    }
    expected.sort();
    let network_members = format!("/api/v1/networks/{}/members", a.network_id);
    let both = app.join(&a.coordinator, &network_members, &a.officer.email, "member").await;
    let both = User { id: a.officer.id.clone(), ..both };
    let seen = app.page_through(&both, "/api/v1/grants").await;
    assert_eq!(seen, expected, "every grant once, in id order");
    let in_review = ok(&app.get_as(&both, "/api/v1/grants?status=in_review&limit=200").await);
    assert_eq!(in_review["items"].as_array().unwrap().len(), 4);
    // B's people reach none of A's grants, through either kind of membership.
    for outsider in [&b.officer, &b.coordinator] {
        let page = ok(&app.get_as(outsider, "/api/v1/grants?limit=200").await);
        assert!(page["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| !expected.contains(&g["id"].as_str().unwrap().to_owned())));
    }
}
