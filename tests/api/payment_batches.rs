//! SEPA payment batches: the pain.001 file validates against the ISO 20022 schema and adds up,
//! confirming pays every tranche exactly once through the single payment path, a tranche is in
//! at most one open batch (also under concurrency), and the usual tenancy, roles and input rules.

use std::path::PathBuf;
use std::process::Command;

use actix_web::http::Method;
use serde_json::{json, Value};

use crate::fixtures::{grant_in_review, post_keyed, tenant, Tenant};
use crate::helpers::{Reply, TestApp, User};
use crate::on_both_backends;

on_both_backends!(
    the_file_validates_against_the_xsd_and_adds_up,
    confirming_pays_each_tranche_exactly_once,
    a_tranche_is_in_at_most_one_open_batch,
    a_tranche_in_an_open_batch_changes_only_through_the_batch,
    single_payments_racing_a_new_batch_never_pay_twice,
    accounts_roles_tenancy_and_bad_input,
);

const DUE_BEFORE: &str = "2026-12-31";
const PAID_ON: &str = "2026-11-02";

struct Setup {
    a: Tenant,
    finance: User,
    fund_id: String,
    /// (grant id, payee name, payee IBAN) of the two grants.
    grants: Vec<(String, String, String)>,
}

fn ok(reply: &Reply) -> Value {
    assert!(reply.status < 300, "{}", reply.text());
    reply.json()
}

/// A fund with a debtor account and two grants of different payees: three tranches due before
/// [`DUE_BEFORE`] (1000.00 + 1000.00 + 500.00 euros) and one due later.
async fn setup(app: &TestApp) -> Setup {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(app, &root, "a").await;
    let members = format!("/api/v1/municipalities/{}/members", a.municipality_id);
    let finance = app.join(&a.admin, &members, "finance@a.example", "finance").await;
    let fund = ok(&app
        .post_as(
            &a.admin,
            "/api/v1/funds",
            json!({"municipality_id": a.municipality_id, "name": "Buurtbudget", "budget_cents": 10_000_000,
                "opens_on": "2026-01-01", "four_eyes_threshold_cents": 5_000_000,
                "debtor_name": "Gemeente Súdwest & Co", "debtor_iban": "nl02 abna 0123 4567 89", "debtor_bic": "abnanl2a"}),
        )
        .await);
    assert_eq!(fund["debtor_iban"], "NL02ABNA0123456789", "stored compact");
    assert_eq!(fund["debtor_bic"], "ABNANL2A");
    let fund_id = fund["id"].as_str().unwrap().to_owned();
    let first = grant_in_review(app, &a, &fund_id, 300_000).await;
    approve(app, &a, &first, json!([{"due_on": "2026-03-01", "amount_cents": 100_000},
        {"due_on": "2026-06-01", "amount_cents": 100_000}, {"due_on": "2027-06-01", "amount_cents": 100_000}]))
    .await;
    let payee = json!({"iban": "GB82 WEST 1234 5698 7654 32", "name": "Buurthuis Ëlst <&> Co"});
    let second = grant_paid_to(app, &a, &fund_id, 50_000, payee).await;
    approve(app, &a, &second, json!([{"due_on": "2026-09-15", "amount_cents": 50_000}])).await;
    let grants = vec![
        (first, "Stichting Welzijn".to_owned(), "NL91ABNA0417164300".to_owned()),
        (second, "Buurthuis Elst .+. Co".to_owned(), "GB82WEST12345698765432".to_owned()),
    ];
    Setup { a, finance, fund_id, grants }
}

/// Like [`grant_in_review`], with another payee.
async fn grant_paid_to(app: &TestApp, a: &Tenant, fund_id: &str, cents: i64, payee: Value) -> String {
    let created = app
        .post_as(
            &a.treasurer,
            "/api/v1/grants",
            json!({"fund_id": fund_id, "network_id": a.network_id, "title": "Taalcafé & buurtmaaltijd",
                "purpose": "Ontmoeting", "requested_cents": cents, "starts_on": "2026-02-01", "ends_on": "2026-12-31",
                "budget_lines": [{"description": "Koffie", "amount_cents": cents}], "payee": payee}),
        )
        .await;
    let id = ok(&created)["id"].as_str().unwrap().to_owned();
    ok(&app.post_as(&a.treasurer, &format!("/api/v1/grants/{id}/submit"), json!({})).await);
    ok(&app.post_as(&a.officer, &format!("/api/v1/grants/{id}/start-review"), json!({})).await);
    id
}

async fn approve(app: &TestApp, a: &Tenant, grant_id: &str, tranches: Value) {
    let approved = post_keyed(
        app,
        &a.officer,
        &format!("/api/v1/grants/{grant_id}/approve"),
        json!({"tranches": tranches}),
    )
    .await;
    assert_eq!(ok(&approved)["status"], "approved");
}

async fn create_batch(app: &TestApp, user: &User, fund_id: &str) -> Reply {
    app.post_as(user, &format!("/api/v1/funds/{fund_id}/payment-batches"), json!({"due_before": DUE_BEFORE}))
        .await
}

fn xsd() -> PathBuf {
    crate::helpers::standards_dir().join("sepa/pain.001.001.03.xsd")
}

/// Validates `xml` with xmllint against the pain.001.001.03 schema.
pub fn assert_valid_pain001(xml: &str) {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), xml).unwrap();
    let output = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(xsd())
        .arg(file.path())
        .output()
        .unwrap_or_else(|e| {
            panic!("xmllint is needed to validate pain.001 files ({e}): install libxml2-utils")
        });
    assert!(
        output.status.success(),
        "the pain.001 file does not validate against {}:\n{}\n{xml}",
        xsd().display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The texts of every `<name>` element, in order.
fn texts(xml: &str, name: &str) -> Vec<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    xml.split(&open).skip(1).map(|rest| rest.split(&close).next().unwrap().to_owned()).collect()
}

async fn the_file_validates_against_the_xsd_and_adds_up(app: TestApp) {
    let Setup { a, finance, fund_id, grants } = setup(&app).await;
    let created = create_batch(&app, &finance, &fund_id).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let batch = created.json();
    let id = batch["id"].as_str().unwrap();
    assert_eq!(created.header("location"), Some(format!("/api/v1/payment-batches/{id}").as_str()));
    assert_eq!(batch["status"], "open");
    assert_eq!(batch["transaction_count"], 3, "the tranche due in 2027 stays out");
    assert_eq!(batch["total_cents"], 250_000);
    assert_eq!(batch["allowed_actions"], json!(["confirm", "cancel"]));
    assert_eq!(
        batch["debtor"],
        json!({"name": "Gemeente Súdwest & Co", "iban": "NL02ABNA0123456789", "bic": "ABNANL2A"})
    );

    let reply = app.get_as(&a.auditor, &format!("/api/v1/payment-batches/{id}/pain.001.xml")).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("content-type"), Some("application/xml"));
    let xml = reply.text();
    assert_valid_pain001(&xml);
    assert!(xml.contains("xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.03\""));
    assert_eq!(texts(&xml, "NbOfTxs"), ["3", "3"], "group header and payment information");
    assert_eq!(texts(&xml, "CtrlSum"), ["2500.00", "2500.00"]);
    assert_eq!(texts(&xml, "MsgId"), [batch["message_id"].as_str().unwrap()]);
    let mut amounts: Vec<String> = xml
        .split("<InstdAmt Ccy=\"EUR\">")
        .skip(1)
        .map(|rest| rest.split('<').next().unwrap().to_owned())
        .collect();
    amounts.sort();
    assert_eq!(amounts, ["1000.00", "1000.00", "500.00"]);
    let ids = texts(&xml, "EndToEndId");
    assert_eq!(ids.len(), 3);
    assert!(ids.iter().all(|id| id.len() <= 35));
    assert_eq!(ids.iter().collect::<std::collections::BTreeSet<_>>().len(), 3, "unique: {ids:?}");
    let names = texts(&xml, "Nm");
    assert_eq!(names[0], "Gemeente Sudwest + Co", "initiating party, in the SEPA set");
    assert_eq!(names[1], "Gemeente Sudwest + Co", "debtor");
    let ibans = texts(&xml, "IBAN");
    assert_eq!(ibans[0], "NL02ABNA0123456789");
    let creditors: Vec<(String, String)> =
        names[2..].iter().cloned().zip(ibans[1..].iter().cloned()).collect();
    assert_eq!(creditors.len(), 3);
    for (grant_id, name, iban) in &grants {
        let expected = if grant_id == &grants[0].0 { 2 } else { 1 };
        let count = creditors.iter().filter(|(n, i)| n == name && i == iban).count();
        assert_eq!(count, expected, "{name} {iban} in {creditors:?}");
    }
    for ustrd in texts(&xml, "Ustrd") {
        assert!(ustrd.chars().count() <= 140);
        assert!(grants.iter().any(|(g, _, _)| ustrd.contains(g.as_str())), "the grant reference: {ustrd}");
    }
    assert_eq!(texts(&xml, "BIC"), ["ABNANL2A"]);

    // Without a BIC the debtor agent is NOTPROVIDED, and the file still validates.
    ok(&app.post_as(&finance, &format!("/api/v1/payment-batches/{id}/cancel"), json!({})).await);
    let path = format!("/api/v1/funds/{fund_id}");
    ok(&app.call(&a.officer, Method::PATCH, &path, Some(json!({"debtor_bic": null}))).await);
    let again = ok(&create_batch(&app, &finance, &fund_id).await);
    let xml = app
        .get_as(&finance, &format!("/api/v1/payment-batches/{}/pain.001.xml", again["id"].as_str().unwrap()))
        .await
        .text();
    assert_valid_pain001(&xml);
    assert!(xml.contains("<Othr>") && xml.contains("<Id>NOTPROVIDED</Id>"), "{xml}");
    // A cancelled batch has no file to send.
    app.get_as(&finance, &format!("/api/v1/payment-batches/{id}/pain.001.xml"))
        .await
        .assert_problem(409, "invalid_transition");
}

async fn tranches_of(app: &TestApp, user: &User, grant_id: &str) -> Vec<Value> {
    app.get_as(user, &format!("/api/v1/grants/{grant_id}/tranches")).await.json()["items"]
        .as_array()
        .unwrap()
        .clone()
}

async fn payments_in_ledger(app: &TestApp, user: &User, fund_id: &str) -> Vec<i64> {
    let page = app.get_as(user, &format!("/api/v1/funds/{fund_id}/ledger?limit=200")).await.json();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "payment")
        .map(|e| e["amount_cents"].as_i64().unwrap())
        .collect()
}

/// The fund paid 2500.00 euros, with one ledger entry per tranche.
async fn paid_exactly_once(app: &TestApp, officer: &User, fund_id: &str) {
    let fund = app.get_as(officer, &format!("/api/v1/funds/{fund_id}")).await.json();
    assert_eq!(fund["balances"]["paid_cents"], 250_000, "{fund}");
    let mut payments = payments_in_ledger(app, officer, fund_id).await;
    payments.sort();
    assert_eq!(payments, [50_000, 100_000, 100_000], "one ledger entry per tranche");
}

async fn confirming_pays_each_tranche_exactly_once(app: TestApp) {
    let Setup { a, finance, fund_id, grants } = setup(&app).await;
    let batch = ok(&create_batch(&app, &finance, &fund_id).await);
    let id = batch["id"].as_str().unwrap();
    let confirm = format!("/api/v1/payment-batches/{id}/confirm");

    // Meanwhile a tranche of the batch cannot be paid on its own: the bank file has it.
    let single =
        batch["items"].as_array().unwrap().iter().find(|i| i["grant_id"] == grants[1].0.as_str()).unwrap();
    let single = single["tranche_id"].as_str().unwrap();
    post_keyed(&app, &finance, &format!("/api/v1/tranches/{single}/pay"), json!({"paid_on": PAID_ON}))
        .await
        .assert_problem(409, "tranche_in_payment_batch");

    // Confirming moves money: without an Idempotency-Key it is refused.
    let unkeyed = app
        .send(
            app.request(Method::POST, &confirm)
                .insert_header(("Authorization", format!("Bearer {}", finance.token)))
                .content_type("application/json"),
            Some(actix_web::web::Bytes::from(json!({"paid_on": PAID_ON}).to_string())),
        )
        .await;
    unkeyed.assert_problem(400, "bad_request");
    post_keyed(&app, &finance, &confirm, json!({"paid_on": "2999-01-01"}))
        .await
        .assert_problem(422, "validation_failed");

    let confirmed = ok(&post_keyed(&app, &finance, &confirm, json!({"paid_on": PAID_ON})).await);
    assert_eq!(confirmed["status"], "confirmed");
    assert_eq!(confirmed["paid_on"], PAID_ON);
    assert_eq!(confirmed["allowed_actions"], json!([]));
    let statuses: Vec<(&str, &str)> = confirmed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["tranche_id"].as_str().unwrap(), i["status"].as_str().unwrap()))
        .collect();
    assert_eq!(statuses.len(), 3);
    assert!(statuses.iter().all(|(_, status)| *status == "paid"), "{statuses:?}");

    let first = tranches_of(&app, &a.treasurer, &grants[0].0).await;
    let paid: Vec<&str> = first.iter().map(|t| t["status"].as_str().unwrap()).collect();
    assert_eq!(paid, ["paid", "paid", "scheduled"], "the 2027 tranche waits");
    assert!(first[..2].iter().all(|t| t["paid_on"] == PAID_ON));
    let second = tranches_of(&app, &a.treasurer, &grants[1].0).await;
    assert_eq!(second[0]["status"], "paid");
    let grant = app.get_as(&a.treasurer, &format!("/api/v1/grants/{}", grants[0].0)).await.json();
    assert_eq!(grant["status"], "active", "the first payment makes the grant active");
    assert_eq!(grant["paid_cents"], 200_000);
    assert_eq!(grant["scheduled_cents"], 100_000);

    paid_exactly_once(&app, &a.officer, &fund_id).await;
    let problems = app.state.db.run(|conn| Ok(pactum::ledger::verify(conn)?)).await.unwrap();
    assert!(problems.is_empty(), "{problems:?}");

    // Again, with another key and the same date: the batch, unchanged, and no new money.
    let again = ok(&post_keyed(&app, &finance, &confirm, json!({"paid_on": PAID_ON})).await);
    assert_eq!(again["status"], "confirmed");
    assert_eq!(again["version"], confirmed["version"]);
    paid_exactly_once(&app, &a.officer, &fund_id).await;
    // Another date is not the same confirmation.
    post_keyed(&app, &finance, &confirm, json!({"paid_on": "2026-11-03"}))
        .await
        .assert_problem(409, "invalid_transition");
    app.post_as(&finance, &format!("/api/v1/payment-batches/{id}/cancel"), json!({}))
        .await
        .assert_problem(409, "invalid_transition");

    // The treasurer heard of the payments, as with single payments; the audit trail has it.
    let audit = app
        .get_as(&a.admin, &format!("/api/v1/audit-events?municipality_id={}&limit=200", a.municipality_id))
        .await
        .json();
    let actions: Vec<&str> =
        audit["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "grant.tranche_paid").count(), 3, "{actions:?}");
    assert_eq!(actions.iter().filter(|a| **a == "payment_batch.confirmed").count(), 1);
}

/// The open batches' tranche ids, per batch.
async fn open_batches(app: &TestApp, user: &User, fund_id: &str) -> Vec<Vec<String>> {
    let page = app.get_as(user, &format!("/api/v1/funds/{fund_id}/payment-batches?limit=200")).await.json();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["status"] == "open")
        .map(|b| {
            b["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["tranche_id"].as_str().unwrap().to_owned())
                .collect()
        })
        .collect()
}

async fn a_tranche_is_in_at_most_one_open_batch(app: TestApp) {
    let Setup { a, finance, fund_id, .. } = setup(&app).await;
    let first = ok(&create_batch(&app, &finance, &fund_id).await);
    let again = create_batch(&app, &a.officer, &fund_id).await;
    let problem = again.assert_problem(422, "validation_failed");
    assert!(problem["detail"].as_str().unwrap().contains("no scheduled tranche"), "{problem}");

    // Cancelling frees the tranches for a new batch.
    let cancelled = ok(&app
        .post_as(
            &finance,
            &format!("/api/v1/payment-batches/{}/cancel", first["id"].as_str().unwrap()),
            json!({}),
        )
        .await);
    assert_eq!(cancelled["status"], "cancelled");
    assert!(cancelled["items"].as_array().unwrap().iter().all(|i| i["status"] == "released"));
    let second = ok(&create_batch(&app, &finance, &fund_id).await);
    assert_eq!(second["transaction_count"], 3);
    ok(&app
        .post_as(
            &finance,
            &format!("/api/v1/payment-batches/{}/cancel", second["id"].as_str().unwrap()),
            json!({}),
        )
        .await);

    // Concurrent creations: one batch gets the tranches, the others none.
    let replies = futures_util::future::join_all(
        (0..4).map(|i| create_batch(&app, if i % 2 == 0 { &finance } else { &a.officer }, &fund_id)),
    )
    .await;
    let created = replies.iter().filter(|r| r.status == 201).count();
    assert_eq!(created, 1, "{:?}", replies.iter().map(|r| (r.status, r.text())).collect::<Vec<_>>());
    for reply in replies.iter().filter(|r| r.status != 201) {
        assert!(matches!(reply.status, 409 | 422), "{}", reply.text());
    }
    let open = open_batches(&app, &finance, &fund_id).await;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].len(), 3);

    // The database holds it too: a second open item for a tranche is refused.
    let tranche = open[0][0].clone();
    let refused = app
        .state
        .db
        .run(move |conn| {
            use pactum::payment_batches::repo;
            let page = repo::list(conn, &fund_id, None, 200)?;
            let open = page.into_iter().find(|b| b.status == "open").unwrap();
            let mut items = repo::items(conn, &open.id)?;
            let id = uuid::Uuid::now_v7();
            let copy =
                repo::BatchRow { id: id.to_string(), message_id: format!("PB{}", id.simple()), ..open };
            items.retain(|i| i.tranche_id == tranche);
            let item = repo::ItemRow { batch_id: copy.id.clone(), ..items.remove(0) };
            Ok(repo::insert(conn, &copy, &[item]).is_err())
        })
        .await
        .unwrap();
    assert!(refused, "the unique index on open items refuses a second open batch for a tranche");
}

async fn accounts_roles_tenancy_and_bad_input(app: TestApp) {
    let Setup { a, finance, fund_id, .. } = setup(&app).await;
    let root = app.signed_in("root2@platform.example", "Root", true).await;
    let b = tenant(&app, &root, "b").await;

    // The fixture's fund has no debtor account.
    let problem = create_batch(&app, &a.officer, &a.fund_id).await.assert_problem(422, "validation_failed");
    assert!(problem["detail"].as_str().unwrap().contains("debtor"), "{problem}");

    // Bad account fields on the fund are field problems, and nothing is stored.
    let fund = format!("/api/v1/funds/{fund_id}");
    for (field, value) in [
        ("debtor_iban", "NL92ABNA0417164300"),
        ("debtor_bic", "ABNANL2"),
        ("debtor_bic", "ABN1NL2A"),
        ("debtor_name", "naam@example.nl"),
        ("debtor_name", &"x".repeat(71)),
    ] {
        let reply = app.call(&a.officer, Method::PATCH, &fund, Some(json!({field: value}))).await;
        let problem = reply.assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    let created = app
        .post_as(
            &a.admin,
            "/api/v1/funds",
            json!({"municipality_id": a.municipality_id, "name": "X", "budget_cents": 100, "opens_on": "2026-01-01",
                "debtor_iban": "not an iban"}),
        )
        .await;
    created.assert_problem(422, "validation_failed");
    assert_eq!(app.get_as(&a.officer, &fund).await.json()["debtor_iban"], "NL02ABNA0123456789");
    // Only those who manage funds set the account.
    app.call(&finance, Method::PATCH, &fund, Some(json!({"debtor_name": "Ander"})))
        .await
        .assert_problem(403, "forbidden");

    // Bad batch input.
    let batches = format!("/api/v1/funds/{fund_id}/payment-batches");
    let missing = app.post_as(&finance, &batches, json!({})).await;
    assert!((400..500).contains(&missing.status), "{}", missing.text());
    assert_eq!(missing.header("content-type"), Some("application/problem+json"));
    app.post_as(&finance, &batches, json!({"due_before": "tomorrow"}))
        .await
        .assert_problem(422, "validation_failed");
    app.post_as(
        &finance,
        &batches,
        json!({"due_before": DUE_BEFORE, "requested_execution_date": "2020-01-01"}),
    )
    .await
    .assert_problem(422, "validation_failed");
    app.post_as(&finance, &batches, json!({"due_before": "2000-01-01"}))
        .await
        .assert_problem(422, "validation_failed");
    app.get_as(&finance, &format!("{batches}?limit=0")).await.assert_problem(400, "bad_request");

    let batch = ok(&create_batch(&app, &finance, &fund_id).await);
    let path = format!("/api/v1/payment-batches/{}", batch["id"].as_str().unwrap());

    // Another municipality sees nothing.
    for outsider in [&b.admin, &b.officer] {
        create_batch(&app, outsider, &fund_id).await.assert_problem(404, "not_found");
        app.get_as(outsider, &batches).await.assert_problem(404, "not_found");
        app.get_as(outsider, &path).await.assert_problem(404, "not_found");
        app.get_as(outsider, &format!("{path}/pain.001.xml")).await.assert_problem(404, "not_found");
        post_keyed(&app, outsider, &format!("{path}/confirm"), json!({"paid_on": PAID_ON}))
            .await
            .assert_problem(404, "not_found");
        app.post_as(outsider, &format!("{path}/cancel"), json!({})).await.assert_problem(404, "not_found");
    }
    // The auditor reads but does not pay; the network sees its fund but not the payments.
    let seen = ok(&app.get_as(&a.auditor, &path).await);
    assert_eq!(seen["allowed_actions"], json!([]));
    create_batch(&app, &a.auditor, &fund_id).await.assert_problem(403, "forbidden");
    post_keyed(&app, &a.auditor, &format!("{path}/confirm"), json!({"paid_on": PAID_ON}))
        .await
        .assert_problem(403, "forbidden");
    app.post_as(&a.auditor, &format!("{path}/cancel"), json!({})).await.assert_problem(403, "forbidden");
    app.get_as(&a.treasurer, &batches).await.assert_problem(403, "forbidden");
    app.get_as(&a.treasurer, &path).await.assert_problem(404, "not_found");
    let listed = ok(&app.get_as(&a.auditor, &batches).await);
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(batch["status"], "open", "nothing above changed it");
    assert_eq!(ok(&app.get_as(&finance, &path).await)["status"], "open");
}

async fn a_tranche_in_an_open_batch_changes_only_through_the_batch(app: TestApp) {
    let Setup { a, finance, fund_id, grants } = setup(&app).await;
    let batch = ok(&create_batch(&app, &finance, &fund_id).await);
    let batch_id = batch["id"].as_str().unwrap().to_owned();
    let grant = &grants[0].0;
    let tranches = tranches_of(&app, &a.officer, grant).await;
    let in_batch = tranches[0]["id"].as_str().unwrap().to_owned();
    let later = tranches[2]["id"].as_str().unwrap().to_owned();
    assert_eq!(tranches[0]["allowed_actions"], json!([]), "paid or freed through the batch");
    assert_eq!(tranches[2]["allowed_actions"], json!(["pay", "cancel"]), "not in the batch");

    // Paid alone, cancelled alone, or with its grant: refused, naming the batch.
    let pay = format!("/api/v1/tranches/{in_batch}/pay");
    let problem = post_keyed(&app, &finance, &pay, json!({"paid_on": PAID_ON}))
        .await
        .assert_problem(409, "tranche_in_payment_batch");
    assert!(problem["detail"].as_str().unwrap().contains(&batch_id), "{problem}");
    app.post_as(&a.officer, &format!("/api/v1/tranches/{in_batch}/cancel"), json!({}))
        .await
        .assert_problem(409, "tranche_in_payment_batch");
    let cancel_grant = format!("/api/v1/grants/{grant}/cancel");
    post_keyed(&app, &a.officer, &cancel_grant, json!({"reason": "Gaat niet door."}))
        .await
        .assert_problem(409, "tranche_in_payment_batch");
    // Nothing moved.
    let now = tranches_of(&app, &a.officer, grant).await;
    assert!(now.iter().all(|t| t["status"] == "scheduled"), "{now:?}");
    let g = app.get_as(&a.officer, &format!("/api/v1/grants/{grant}")).await.json();
    assert_eq!((g["status"].as_str(), g["paid_cents"].as_i64()), (Some("approved"), Some(0)));
    assert!(payments_in_ledger(&app, &a.officer, &fund_id).await.is_empty());
    // A tranche of the same grant outside the batch is free to change.
    ok(&app.post_as(&a.officer, &format!("/api/v1/tranches/{later}/cancel"), json!({})).await);

    // Once the batch is cancelled, the single payment goes through.
    ok(&app.post_as(&finance, &format!("/api/v1/payment-batches/{batch_id}/cancel"), json!({})).await);
    let paid = ok(&post_keyed(&app, &finance, &pay, json!({"paid_on": PAID_ON})).await);
    assert_eq!(paid["status"], "paid");

    // A new batch takes the other two, and confirming still pays them.
    let next = ok(&create_batch(&app, &finance, &fund_id).await);
    assert_eq!(next["transaction_count"], 2);
    let confirmed = ok(&post_keyed(
        &app,
        &finance,
        &format!("/api/v1/payment-batches/{}/confirm", next["id"].as_str().unwrap()),
        json!({"paid_on": PAID_ON}),
    )
    .await);
    assert!(confirmed["items"].as_array().unwrap().iter().all(|i| i["status"] == "paid"), "{confirmed}");
    paid_exactly_once(&app, &a.officer, &fund_id).await;
    let problems = app.state.db.run(|conn| Ok(pactum::ledger::verify(conn)?)).await.unwrap();
    assert!(problems.is_empty(), "{problems:?}");
}

async fn single_payments_racing_a_new_batch_never_pay_twice(app: TestApp) {
    let Setup { a, finance, fund_id, grants } = setup(&app).await;
    let mut due = Vec::new();
    for (grant, _, _) in &grants {
        for t in tranches_of(&app, &a.officer, grant).await {
            if t["due_on"].as_str().unwrap() <= DUE_BEFORE {
                due.push(t["id"].as_str().unwrap().to_owned());
            }
        }
    }
    assert_eq!(due.len(), 3);
    let pays = due.iter().map(|t| format!("/api/v1/tranches/{t}/pay")).collect::<Vec<_>>();
    let (batch, paid) = futures_util::future::join(
        create_batch(&app, &finance, &fund_id),
        futures_util::future::join_all(
            pays.iter().map(|p| post_keyed(&app, &finance, p, json!({"paid_on": PAID_ON}))),
        ),
    )
    .await;
    for reply in &paid {
        assert!(matches!(reply.status, 200 | 409), "{}", reply.text());
        if reply.status == 409 {
            reply.assert_problem(409, "tranche_in_payment_batch");
        }
    }
    let paid_alone: Vec<&String> =
        due.iter().zip(&paid).filter(|(_, r)| r.status == 200).map(|(t, _)| t).collect();
    // No tranche is both paid alone and in the open batch: the bank file never pays it again.
    if batch.status == 201 {
        let batch = batch.json();
        let items: Vec<&str> =
            batch["items"].as_array().unwrap().iter().map(|i| i["tranche_id"].as_str().unwrap()).collect();
        assert!(paid_alone.iter().all(|t| !items.contains(&t.as_str())), "{items:?} {paid_alone:?}");
        assert_eq!(items.len() + paid_alone.len(), 3);
        let confirmed = ok(&post_keyed(
            &app,
            &finance,
            &format!("/api/v1/payment-batches/{}/confirm", batch["id"].as_str().unwrap()),
            json!({"paid_on": PAID_ON}),
        )
        .await);
        assert!(confirmed["items"].as_array().unwrap().iter().all(|i| i["status"] == "paid"), "{confirmed}");
    } else {
        batch.assert_problem(422, "validation_failed");
        assert_eq!(paid_alone.len(), 3, "the batch found nothing because all were paid");
    }
    paid_exactly_once(&app, &a.officer, &fund_id).await;
    let problems = app.state.db.run(|conn| Ok(pactum::ledger::verify(conn)?)).await.unwrap();
    assert!(problems.is_empty(), "{problems:?}");
}
