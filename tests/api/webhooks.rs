//! Webhooks: events written in the transaction of the change, delivered to a real receiver on
//! loopback, signed the Standard Webhooks way, once each, in order, with retries.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::http::Method;
use pactum::outbox::worker::{DeliveryPass, WorkerConfig};
use pactum::webhooks::signature;
use serde_json::{json, Value};

use crate::fixtures::{grant_in_review, post_keyed, service_account, tenant};
use crate::helpers::TestApp;
use crate::on_both_backends;

/// One message as the receiver got it.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub timestamp: i64,
    pub signature: String,
    pub body: String,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

/// An HTTP receiver on loopback that records what it gets and answers `status`.
pub struct Receiver {
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    status: Arc<AtomicU16>,
}

impl Receiver {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://127.0.0.1:{}/pactum/events", listener.local_addr().unwrap().port());
        let received = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(AtomicU16::new(204));
        let (log, answer) = (received.clone(), status.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut headers = Vec::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some((name, value)) = line.trim_end().split_once(": ") {
                        headers.push((name.to_ascii_lowercase(), value.to_owned()));
                    }
                }
                let header = |name: &str| {
                    headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or_default()
                };
                let mut body = vec![0; header("content-length").parse().unwrap_or(0)];
                reader.read_exact(&mut body).unwrap();
                log.lock().unwrap().push(Received {
                    id: header("webhook-id"),
                    timestamp: header("webhook-timestamp").parse().unwrap_or(0),
                    signature: header("webhook-signature"),
                    body: String::from_utf8(body).unwrap(),
                });
                let code = answer.load(Ordering::SeqCst);
                let _ = write!(stream, "HTTP/1.1 {code} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            }
        });
        Self { url, received, status }
    }

    fn answer(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    /// What arrived so far; each message is checked against the spec's `webhooks` section.
    pub fn received(&self) -> Vec<Received> {
        let received = self.received.lock().unwrap().clone();
        for message in &received {
            let timestamp = message.timestamp.to_string();
            let headers = [
                ("webhook-id", message.id.as_str()),
                ("webhook-timestamp", timestamp.as_str()),
                ("webhook-signature", message.signature.as_str()),
            ];
            let wrong = crate::contract::webhook_violations(&headers, &message.body);
            assert!(wrong.is_empty(), "{}\n{}", wrong.join("\n"), message.body);
        }
        received
    }
}

on_both_backends!(webhook_urls_and_access_are_checked,);

mod each_event_arrives_once_signed {
    #[actix_web::test]
    async fn sqlite() {
        super::each_event_arrives_once_signed(crate::helpers::Backend::Sqlite).await
    }
    #[actix_web::test]
    async fn postgres() {
        super::each_event_arrives_once_signed(crate::helpers::Backend::Postgres).await
    }
}

mod a_failing_receiver_gets_the_events_later_in_order {
    #[actix_web::test]
    async fn sqlite() {
        super::a_failing_receiver_gets_the_events_later_in_order(crate::helpers::Backend::Sqlite).await
    }
    #[actix_web::test]
    async fn postgres() {
        super::a_failing_receiver_gets_the_events_later_in_order(crate::helpers::Backend::Postgres).await
    }
}

/// One pass of the webhook worker at `at` (off the test's thread: it blocks on HTTP).
/// The app's own key opens the signing secrets, as in `pactum serve`.
pub async fn deliver(app: &TestApp, config: WorkerConfig, at: chrono::NaiveDateTime) -> DeliveryPass {
    let config = WorkerConfig { seal_keys: app.state.settings.seal_keys.clone(), ..config };
    let db = app.state.db.clone();
    let url = app.state.settings.public_url.clone();
    actix_web::rt::task::spawn_blocking(move || {
        let sender = pactum::webhooks::target::Sender::new(pactum::config::Environment::Development).unwrap();
        pactum::webhooks::worker::run_once(&db, &sender, &config, &url, at).unwrap()
    })
    .await
    .unwrap()
}

/// Pauses the fixture's subscription (to a port nobody listens on), so passes count only ours.
pub async fn pause_fixture(app: &TestApp, t: &crate::fixtures::Tenant) {
    let path = format!("/api/v1/webhooks/{}", t.webhook_id);
    let paused = app.call(&t.admin, Method::PATCH, &path, Some(json!({"active": false}))).await;
    assert_eq!(paused.status, 200, "{}", paused.text());
}

async fn subscribe(
    app: &TestApp,
    admin: &crate::helpers::User,
    municipality_id: &str,
    url: &str,
    types: &[&str],
) -> (String, String) {
    let created = app
        .post_as(
            admin,
            "/api/v1/webhooks",
            json!({"municipality_id": municipality_id, "url": url, "event_types": types}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let created = created.json();
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    (created["id"].as_str().unwrap().to_owned(), secret)
}

async fn each_event_arrives_once_signed(backend: crate::helpers::Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    pause_fixture(&app, &a).await;
    let receiver = Receiver::start();
    let types = ["grant.submitted", "grant.approved", "tranche.paid", "grant.rejected"];
    let (subscription, secret) = subscribe(&app, &a.admin, &a.municipality_id, &receiver.url, &types).await;

    let grant = grant_in_review(&app, &a, &a.fund_id, 40_000).await;
    let approved = post_keyed(&app, &a.officer, &format!("/api/v1/grants/{grant}/approve"), json!({})).await;
    assert_eq!(approved.status, 200, "{}", approved.text());
    let tranches = app.get_as(&a.officer, &format!("/api/v1/grants/{grant}/tranches")).await.json();
    let tranche = tranches["items"][0]["id"].as_str().unwrap().to_owned();
    let paid = post_keyed(
        &app,
        &a.officer,
        &format!("/api/v1/tranches/{tranche}/pay"),
        json!({"paid_on": "2026-11-20"}),
    )
    .await;
    assert_eq!(paid.status, 200, "{}", paid.text());
    // An event of a type the subscription did not ask for, and another municipality's, stay away.
    let b = tenant(&app, &root, "b").await;
    pause_fixture(&app, &b).await;
    let _ = grant_in_review(&app, &b, &b.fund_id, 40_000).await;

    let pass = deliver(&app, WorkerConfig::default(), pactum::domain::time::now()).await;
    assert_eq!(pass, DeliveryPass { sent: 3, retrying: 0, dead: 0 });
    let got = receiver.received();
    let kinds: Vec<String> = got.iter().map(|r| r.json()["type"].as_str().unwrap().to_owned()).collect();
    assert_eq!(kinds, ["grant.submitted", "grant.approved", "tranche.paid"]);
    for message in &got {
        assert!(
            signature::verify(
                &secret,
                &message.id,
                message.timestamp,
                message.body.as_bytes(),
                &message.signature
            ),
            "bad signature on {message:?}"
        );
        assert!((chrono::Utc::now().timestamp() - message.timestamp).abs() < 60);
        let body = message.json();
        assert!(body["id"].is_string() && body["created_at"].is_string(), "{body}");
        assert!(body["links"]["self"].as_str().unwrap().starts_with("http"), "{body}");
    }
    let approval = got[1].json();
    assert_eq!(approval["data"]["id"], grant.as_str());
    assert_eq!(approval["data"]["status"], "approved");
    // The grant as the API returns it (to no one in particular: no allowed actions).
    let api = app.get_as(&a.officer, &format!("/api/v1/grants/{grant}")).await.json();
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&approval["data"]), keys(&api));
    assert_eq!(approval["data"]["approved_cents"], api["approved_cents"]);
    assert_eq!(approval["data"]["allowed_actions"], json!([]));
    assert_eq!(approval["links"]["self"], format!("{}/api/v1/grants/{grant}", app.state.settings.public_url));
    assert_eq!(got[2].json()["data"]["id"], tranche.as_str());
    assert_eq!(got[2].json()["data"]["status"], "paid");

    // A tampered body, or another secret, fails verification.
    let first = &got[0];
    let tampered = first.body.replace("submitted", "approved");
    assert!(!signature::verify(&secret, &first.id, first.timestamp, tampered.as_bytes(), &first.signature));
    assert!(!signature::verify(
        &signature::new_secret(),
        &first.id,
        first.timestamp,
        first.body.as_bytes(),
        &first.signature
    ));

    // Once each: the next pass sends nothing.
    assert_eq!(
        deliver(&app, WorkerConfig::default(), pactum::domain::time::now()).await,
        DeliveryPass::default()
    );
    assert_eq!(receiver.received().len(), 3);
    let log = app.get_as(&a.admin, &format!("/api/v1/webhooks/{subscription}/deliveries")).await;
    assert_eq!(log.status, 200, "{}", log.text());
    let log = log.json();
    let items = log["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{log}");
    for (item, message) in items.iter().zip(&got) {
        assert_eq!(item["status"], "delivered");
        assert_eq!(item["attempt_log"][0]["status_code"], 204);
        assert_eq!(format!("msg_{}", item["id"].as_str().unwrap()), message.id);
    }
    // The secret is shown only at creation.
    let shown = app.get_as(&a.admin, &format!("/api/v1/webhooks/{subscription}")).await;
    assert!(!shown.text().contains(&secret) && shown.json().get("secret").is_none());
}

async fn a_failing_receiver_gets_the_events_later_in_order(backend: crate::helpers::Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    pause_fixture(&app, &a).await;
    let receiver = Receiver::start();
    let (subscription, secret) =
        subscribe(&app, &a.admin, &a.municipality_id, &receiver.url, &["grant.submitted"]).await;
    let mut grants = Vec::new();
    for _ in 0..3 {
        grants.push(grant_in_review(&app, &a, &a.fund_id, 10_000).await);
    }
    let config = WorkerConfig {
        max_attempts: 3,
        retry_base: std::time::Duration::from_secs(60),
        ..WorkerConfig::default()
    };
    let start = pactum::domain::time::now();

    // Down: the first message fails and holds the others back.
    receiver.answer(503);
    assert_eq!(deliver(&app, config.clone(), start).await, DeliveryPass { sent: 0, retrying: 1, dead: 0 });
    // Not again before its wait is over.
    assert_eq!(
        deliver(&app, config.clone(), start + chrono::Duration::seconds(30)).await,
        DeliveryPass::default()
    );
    assert_eq!(
        deliver(&app, config.clone(), start + chrono::Duration::minutes(3)).await,
        DeliveryPass { sent: 0, retrying: 1, dead: 0 }
    );
    let log = app.get_as(&a.admin, &format!("/api/v1/webhooks/{subscription}/deliveries")).await.json();
    assert_eq!(log["items"][0]["status"], "pending");
    assert_eq!(log["items"][0]["attempts"], 2);
    assert_eq!(log["items"][0]["attempt_log"][1]["status_code"], 503);
    assert_eq!(log["items"][1]["attempts"], 0, "later events wait: {log}");

    // Back up: everything arrives, in the order it happened, the first with its same id.
    receiver.answer(200);
    assert_eq!(
        deliver(&app, config.clone(), start + chrono::Duration::hours(1)).await,
        DeliveryPass { sent: 3, retrying: 0, dead: 0 }
    );
    let got = receiver.received();
    assert_eq!(got.len(), 5, "two failed attempts and three deliveries");
    assert_eq!(got[0].id, got[2].id, "a retry keeps its webhook-id");
    let delivered: Vec<String> =
        got[2..].iter().map(|r| r.json()["data"]["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(delivered, grants);
    assert!(got.iter().all(|m| signature::verify(
        &secret,
        &m.id,
        m.timestamp,
        m.body.as_bytes(),
        &m.signature
    )));

    // A receiver that stays down: the message goes dead after the last attempt and the next one
    // goes; redelivery sends it again.
    let late = grant_in_review(&app, &a, &a.fund_id, 10_000).await;
    let later = grant_in_review(&app, &a, &a.fund_id, 10_000).await;
    receiver.answer(500);
    let mut at = start + chrono::Duration::hours(2);
    for _ in 0..3 {
        deliver(&app, config.clone(), at).await;
        at += chrono::Duration::hours(2);
    }
    let log =
        app.get_as(&a.admin, &format!("/api/v1/webhooks/{subscription}/deliveries?status=dead")).await.json();
    assert_eq!(log["items"].as_array().unwrap().len(), 1, "{log}");
    let dead = log["items"][0]["id"].as_str().unwrap().to_owned();
    let metrics = app.get("/metrics").await.text();
    assert!(metrics.contains("pactum_webhook_deliveries{status=\"dead\"} 1"), "{metrics}");
    receiver.answer(200);
    assert_eq!(deliver(&app, config.clone(), at).await.sent, 1);
    assert_eq!(receiver.received().last().unwrap().json()["data"]["id"], later.as_str());
    let again = app
        .post_as(&a.admin, &format!("/api/v1/webhooks/{subscription}/deliveries/{dead}/redeliver"), json!({}))
        .await;
    assert_eq!(again.status, 202, "{}", again.text());
    assert_eq!(again.json()["status"], "pending");
    assert_eq!(deliver(&app, config.clone(), at).await.sent, 1);
    assert_eq!(receiver.received().last().unwrap().json()["data"]["id"], late.as_str());
}

async fn webhook_urls_and_access_are_checked(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let b = tenant(&app, &root, "b").await;
    let body = |url: &str| json!({"municipality_id": a.municipality_id, "url": url, "event_types": ["grant.approved"]});
    for bad in
        ["http://finance.example.nl/hook", "ftp://127.0.0.1/x", "https://user:pw@finance.example.nl/", "nope"]
    {
        let refused = app.post_as(&a.admin, "/api/v1/webhooks", body(bad)).await;
        assert_eq!(refused.assert_problem(422, "validation_failed")["errors"][0]["field"], "url", "{bad}");
    }
    let none = app.post_as(&a.admin, "/api/v1/webhooks", json!({"municipality_id": a.municipality_id, "url": "https://finance.example.nl/hook", "event_types": []})).await;
    assert_eq!(none.assert_problem(422, "validation_failed")["errors"][0]["field"], "event_types");
    let unknown = app.post_as(&a.admin, "/api/v1/webhooks", json!({"municipality_id": a.municipality_id, "url": "https://finance.example.nl/hook", "event_types": ["grant.exploded"]})).await;
    assert_eq!(unknown.status, 422, "{}", unknown.text());
    app.post_as(&a.officer, "/api/v1/webhooks", body("https://finance.example.nl/hook"))
        .await
        .assert_problem(403, "forbidden");
    app.post_as(&b.admin, "/api/v1/webhooks", body("https://finance.example.nl/hook"))
        .await
        .assert_problem(404, "not_found");
    app.get_as(&b.admin, &format!("/api/v1/webhooks/{}", a.webhook_id))
        .await
        .assert_problem(404, "not_found");
    app.get_as(&b.admin, &format!("/api/v1/webhooks/{}/deliveries", a.webhook_id))
        .await
        .assert_problem(404, "not_found");

    // A service account needs webhooks:manage (and a scope that reads the grants it hears of).
    app.post_as(&a.service_account, "/api/v1/webhooks", body("https://finance.example.nl/hook"))
        .await
        .assert_problem(403, "forbidden");
    let (manager, _) =
        service_account(&app, &a.admin, &a.municipality_id, &["webhooks:manage", "grants:read"]).await;
    let created = app.post_as(&manager, "/api/v1/webhooks", body("https://finance.example.nl/hook")).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let listed = app.get_as(&manager, "/api/v1/webhooks").await.json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 2, "{listed}");
    assert!(listed.to_string().find("whsec_").is_none());

    // Paused, changed, audited.
    let changed = app
        .call(
            &a.admin,
            Method::PATCH,
            &format!("/api/v1/webhooks/{id}"),
            Some(json!({"active": false, "event_types": ["tranche.paid", "grant.settled"]})),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text());
    assert_eq!(changed.json()["active"], false);
    assert_eq!(changed.json()["event_types"], json!(["tranche.paid", "grant.settled"]));
    let audit = app.get_as(&a.admin, &format!("/api/v1/audit-events?entity_id={id}")).await.json();
    let actions: Vec<&str> =
        audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["webhook_subscription.created", "webhook_subscription.updated"]);
    assert!(!audit.to_string().contains("whsec_"), "the secret is not in the audit trail");
}

mod agreements_reports_and_overdue_commitments_are_published {
    #[actix_web::test]
    async fn sqlite() {
        super::agreements_reports_and_overdue_commitments_are_published(crate::helpers::Backend::Sqlite).await
    }
    #[actix_web::test]
    async fn postgres() {
        super::agreements_reports_and_overdue_commitments_are_published(crate::helpers::Backend::Postgres)
            .await
    }
}

async fn agreements_reports_and_overdue_commitments_are_published(backend: crate::helpers::Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    pause_fixture(&app, &a).await;
    let receiver = Receiver::start();
    let all = [
        "grant.submitted",
        "grant.approved",
        "grant.rejected",
        "grant.cancelled",
        "tranche.paid",
        "report.submitted",
        "report.accepted",
        "grant.settled",
        "agreement.proposed",
        "agreement.signed",
        "agreement.activated",
        "agreement.terminated",
        "commitment.overdue",
    ];
    let (_, secret) = subscribe(&app, &a.admin, &a.municipality_id, &receiver.url, &all).await;

    let agreement = crate::fixtures::draft_agreement(&app, &a, "2026-01-01", None).await;
    let id = agreement["id"].as_str().unwrap().to_owned();
    assert_eq!(crate::fixtures::sign_by_all(&app, &a, &id).await["status"], "active");
    let report = format!("/api/v1/reports/{}", a.report_id);
    let submitted = app.post_as(&a.treasurer, &format!("{report}/submit"), json!({})).await;
    assert_eq!(submitted.status, 200, "{}", submitted.text());
    let accepted = app.post_as(&a.officer, &format!("{report}/accept"), json!({})).await;
    assert_eq!(accepted.status, 200, "{}", accepted.text());
    let terminated = app
        .post_as(&a.officer, &format!("/api/v1/agreements/{id}/terminate"), json!({"reason": "Gestopt"}))
        .await;
    assert_eq!(terminated.status, 200, "{}", terminated.text());
    // The network's commitments are due 2027-03-01; a few days on, the date job notices the one
    // of the agreement in force (not the terminated one's), once however often it runs.
    let url = app.state.settings.public_url.clone();
    for _ in 0..2 {
        let url = url.clone();
        app.state
            .db
            .run(move |conn| pactum::reminders::plan::run(conn, &url, Some("2027-03-04".parse().unwrap())))
            .await
            .unwrap();
    }

    deliver(&app, WorkerConfig::default(), pactum::domain::time::now()).await;
    let got = receiver.received();
    let kinds: Vec<String> = got.iter().map(|r| r.json()["type"].as_str().unwrap().to_owned()).collect();
    assert_eq!(
        kinds,
        [
            "agreement.proposed",
            "agreement.signed",
            "agreement.activated",
            "report.submitted",
            "report.accepted",
            "agreement.terminated",
            "commitment.overdue",
        ],
        "{kinds:?}"
    );
    assert!(got.iter().all(|m| signature::verify(
        &secret,
        &m.id,
        m.timestamp,
        m.body.as_bytes(),
        &m.signature
    )));
    assert_eq!(got[0].json()["data"]["id"], id.as_str());
    assert_eq!(got[2].json()["data"]["status"], "active");
    assert_eq!(got[4].json()["data"]["status"], "accepted");
    assert_eq!(got[5].json()["data"]["status"], "terminated");
    let overdue = got[6].json();
    assert_eq!(overdue["data"]["id"], a.commitment_id.as_str(), "{overdue}");
    assert_eq!(overdue["data"]["status"], "open");
}

mod a_finance_system_works_with_a_scoped_token_alone {
    #[actix_web::test]
    async fn sqlite() {
        super::a_finance_system_works_with_a_scoped_token_alone(crate::helpers::Backend::Sqlite).await
    }
    #[actix_web::test]
    async fn postgres() {
        super::a_finance_system_works_with_a_scoped_token_alone(crate::helpers::Backend::Postgres).await
    }
}

/// The "done when": with a scoped token and the documented API, a finance system
/// receives grant events, exports a payment batch for the bank and confirms it.
async fn a_finance_system_works_with_a_scoped_token_alone(backend: crate::helpers::Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    pause_fixture(&app, &a).await;
    let fund = format!("/api/v1/funds/{}", a.fund_id);
    let account = json!({"debtor_name": "Gemeente A", "debtor_iban": "NL91ABNA0417164300"});
    assert_eq!(app.call(&a.officer, Method::PATCH, &fund, Some(account)).await.status, 200);
    let scopes = ["grants:read", "payments:write", "webhooks:manage"];
    let (finance, _) = service_account(&app, &a.admin, &a.municipality_id, &scopes).await;
    let receiver = Receiver::start();
    let (_, secret) =
        subscribe(&app, &finance, &a.municipality_id, &receiver.url, &["grant.approved", "tranche.paid"])
            .await;

    let grant = grant_in_review(&app, &a, &a.fund_id, 20_000).await;
    let approved = post_keyed(&app, &a.officer, &format!("/api/v1/grants/{grant}/approve"), json!({})).await;
    assert_eq!(approved.status, 200, "{}", approved.text());

    let batch =
        app.post_as(&finance, &format!("{fund}/payment-batches"), json!({"due_before": "2999-12-31"})).await;
    assert_eq!(batch.status, 201, "{}", batch.text());
    let batch = batch.json();
    assert_eq!(batch["transaction_count"], 2, "the fixture's tranche and the new grant's: {batch}");
    assert_eq!(batch["total_cents"], 120_000);
    let path = format!("/api/v1/payment-batches/{}", batch["id"].as_str().unwrap());
    let file = app.get_as(&finance, &format!("{path}/pain.001.xml")).await;
    assert_eq!(file.status, 200, "{}", file.text());
    assert!(file.header("content-type").unwrap().starts_with("application/xml"));
    assert!(
        file.text().contains("<NbOfTxs>2</NbOfTxs>") && file.text().contains("<CtrlSum>1200.00</CtrlSum>")
    );
    let confirmed =
        post_keyed(&app, &finance, &format!("{path}/confirm"), json!({"paid_on": "2026-11-20"})).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text());
    assert_eq!(confirmed.json()["status"], "confirmed");

    deliver(&app, WorkerConfig::default(), pactum::domain::time::now()).await;
    let got = receiver.received();
    let kinds: Vec<String> = got.iter().map(|r| r.json()["type"].as_str().unwrap().to_owned()).collect();
    assert_eq!(kinds, ["grant.approved", "tranche.paid", "tranche.paid"]);
    assert!(got.iter().all(|m| signature::verify(
        &secret,
        &m.id,
        m.timestamp,
        m.body.as_bytes(),
        &m.signature
    )));
    let mut paid: Vec<String> =
        got[1..].iter().map(|m| m.json()["data"]["grant_id"].as_str().unwrap().to_owned()).collect();
    paid.sort();
    let mut expected = vec![a.grant_id.clone(), grant.clone()];
    expected.sort();
    assert_eq!(paid, expected);
    // The confirmation is the service account's in the audit trail.
    let audit = app
        .get_as(&a.admin, &format!("/api/v1/audit-events?entity_id={}", batch["id"].as_str().unwrap()))
        .await
        .json();
    let confirm = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"].as_str().unwrap().ends_with("confirmed"));
    assert_eq!(confirm.unwrap_or_else(|| panic!("{audit}"))["actor_user_id"], finance.id.as_str());
}

mod a_rotated_secret_signs_beside_the_old_one_for_a_day {
    #[actix_web::test]
    async fn sqlite() {
        super::a_rotated_secret_signs_beside_the_old_one_for_a_day(crate::helpers::Backend::Sqlite).await
    }
    #[actix_web::test]
    async fn postgres() {
        super::a_rotated_secret_signs_beside_the_old_one_for_a_day(crate::helpers::Backend::Postgres).await
    }
}

async fn a_rotated_secret_signs_beside_the_old_one_for_a_day(backend: crate::helpers::Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    pause_fixture(&app, &a).await;
    let receiver = Receiver::start();
    let (subscription, old) =
        subscribe(&app, &a.admin, &a.municipality_id, &receiver.url, &["grant.submitted"]).await;
    let rotated =
        app.post_as(&a.admin, &format!("/api/v1/webhooks/{subscription}/rotate-secret"), json!({})).await;
    assert_eq!(rotated.status, 200, "{}", rotated.text());
    assert_eq!(rotated.header("cache-control"), Some("no-store"));
    let new = rotated.json()["secret"].as_str().unwrap().to_owned();
    assert!(new.starts_with("whsec_") && new != old);

    grant_in_review(&app, &a, &a.fund_id, 10_000).await;
    let now = pactum::domain::time::now();
    assert_eq!(deliver(&app, WorkerConfig::default(), now).await.sent, 1);
    let first = receiver.received().pop().unwrap();
    let verifies = |secret: &str, m: &Received| {
        signature::verify(secret, &m.id, m.timestamp, m.body.as_bytes(), &m.signature)
    };
    assert!(
        verifies(&new, &first) && verifies(&old, &first),
        "both sign during the overlap: {}",
        first.signature
    );

    grant_in_review(&app, &a, &a.fund_id, 10_000).await;
    assert_eq!(deliver(&app, WorkerConfig::default(), now + chrono::Duration::hours(25)).await.sent, 1);
    let second = receiver.received().pop().unwrap();
    assert!(verifies(&new, &second) && !verifies(&old, &second), "only the new one after a day");
    let audit = app.get_as(&a.admin, &format!("/api/v1/audit-events?entity_id={subscription}")).await.text();
    assert!(
        audit.contains("webhook_subscription.secret_rotated")
            && !audit.contains(&new)
            && !audit.contains(&old)
    );
}
