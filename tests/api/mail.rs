//! Email through the outbox to a real SMTP server on loopback: once, in the recipient's
//! language, retried while the server is down, `dead` when it keeps failing, and delivered
//! after a worker dies between claiming and sending. Time is passed in, not waited for.

use std::time::Duration;

use actix_web::http::Method;
use chrono::NaiveDateTime;
use serde_json::json;

use pactum::mail::Mailer;
use pactum::outbox::worker::{run_once, DeliveryPass, WorkerConfig};

use crate::helpers::{Backend, TestApp, User};
use crate::smtp_sink::{header, SmtpSink};

crate::on_each_backend!(
    an_invitation_email_arrives_once_in_the_right_language,
    mail_waits_out_an_outage_and_dead_mail_can_be_retried,
    a_message_claimed_by_a_dead_worker_is_still_delivered,
    two_workers_send_every_message_exactly_once,
);

pub async fn app_with_mail(backend: Backend, sink_port: u16) -> Option<TestApp> {
    let url = format!("smtp://127.0.0.1:{sink_port}");
    let flags = ["--smtp-url", url.as_str(), "--outbox-max-attempts", "3", "--outbox-retry-seconds", "60"];
    TestApp::spawn_configured(backend, |_| {}, &flags).await
}

fn config(app: &TestApp) -> WorkerConfig {
    app.state.settings.outbox.clone()
}

fn mailer(app: &TestApp) -> std::sync::Arc<Mailer> {
    app.state.mailer.clone().expect("a mailer")
}

pub fn now() -> NaiveDateTime {
    pactum::domain::time::now()
}

/// One worker pass at `at`, on the blocking pool.
pub async fn pass(app: &TestApp, worker: &str, at: NaiveDateTime) -> DeliveryPass {
    let (db, mailer, config, worker) = (app.state.db.clone(), mailer(app), config(app), worker.to_owned());
    actix_web::web::block(move || run_once(&db, &mailer, &config, &worker, at)).await.unwrap().unwrap()
}

async fn platform(app: &TestApp) -> User {
    app.signed_in("root@platform.example", "Root", true).await
}

async fn invite(app: &TestApp, root: &User, municipality: &str, email: &str) -> String {
    let reply = app
        .post_as(
            root,
            &format!("/api/v1/municipalities/{municipality}/members"),
            json!({"email": email, "name": "Noor", "role": "officer"}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let id = reply.json()["id"].as_str().unwrap().to_owned();
    let email = app.email(&format!("invitation:{id}")).await;
    email.text.split_whitespace().find(|w| w.contains("/api/v1/invitations/")).unwrap().to_owned()
}

async fn municipality(app: &TestApp, root: &User, name: &str) -> String {
    let reply = app.post_as(root, "/api/v1/municipalities", json!({"name": name})).await;
    reply.json()["id"].as_str().unwrap().to_owned()
}

async fn outbox(app: &TestApp, root: &User, query: &str) -> Vec<serde_json::Value> {
    app.get_as(root, &format!("/api/v1/outbox{query}")).await.json()["items"].as_array().unwrap().clone()
}

async fn an_invitation_email_arrives_once_in_the_right_language(backend: Backend) {
    let sink = SmtpSink::start();
    let Some(app) = app_with_mail(backend, sink.port).await else { return };
    let root = platform(&app).await;
    let gemeente = municipality(&app, &root, "Gemeente Lindendaal").await;
    let link = invite(&app, &root, &gemeente, "noor@lindendaal.example").await;
    let queued = outbox(&app, &root, "?status=queued").await;
    assert_eq!(queued.len(), 1);
    assert_eq!(pass(&app, "w1", now()).await, DeliveryPass { sent: 1, retrying: 0, dead: 0 });
    assert_eq!(pass(&app, "w1", now()).await, DeliveryPass::default(), "sent once");

    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert_eq!(header(message, "To").as_deref(), Some("noor@lindendaal.example"));
    assert_eq!(
        header(message, "Subject").as_deref(),
        Some("Uitnodiging: doe mee met Gemeente Lindendaal in Pactum")
    );
    let id = queued[0]["id"].as_str().unwrap();
    assert_eq!(header(message, "Message-ID"), Some(format!("<{id}@outbox.pactum>")));
    assert!(message.contains("multipart/alternative"), "text and HTML");
    let unfolded = message.replace("=\r\n", "");
    assert!(
        unfolded.contains(&link) || unfolded.contains(&link.replace('=', "=3D")),
        "the link is in the mail"
    );
    assert_eq!(outbox(&app, &root, "?status=sent").await.len(), 1);

    // Someone who reads Pactum in English gets English.
    app.create_user("sam@lindendaal.example", "Sam", false).await;
    let sam = User {
        token: app.login("sam@lindendaal.example").await["access_token"].as_str().unwrap().to_owned(),
        id: String::new(),
        email: String::new(),
    };
    app.call(&sam, Method::PATCH, "/api/v1/me", Some(json!({"locale": "en"}))).await;
    invite(&app, &root, &gemeente, "sam@lindendaal.example").await;
    pass(&app, "w1", now()).await;
    let english = sink.messages().pop().unwrap();
    assert_eq!(
        header(&english, "Subject").as_deref(),
        Some("Invitation: join Gemeente Lindendaal in Pactum")
    );

    // The same cause queued twice is one message.
    let again = app
        .state
        .db
        .run(|conn| {
            let email = pactum::outbox::Email {
                kind: "test",
                dedupe_key: "test:once".into(),
                municipality_id: None,
                recipient: "x@y.example".into(),
                subject: "s".into(),
                text: "t".into(),
                html: "h".into(),
            };
            Ok((pactum::outbox::enqueue(conn, &email)?, pactum::outbox::enqueue(conn, &email)?))
        })
        .await
        .unwrap();
    assert_eq!(again, (true, false));
}

async fn mail_waits_out_an_outage_and_dead_mail_can_be_retried(backend: Backend) {
    let mut sink = SmtpSink::start();
    sink.stop();
    let Some(app) = app_with_mail(backend, sink.port).await else { return };
    let root = platform(&app).await;
    let gemeente = municipality(&app, &root, "Gemeente Uitval").await;
    invite(&app, &root, &gemeente, "eerste@uitval.example").await;
    let t0 = now();
    assert_eq!(pass(&app, "w1", t0).await.retrying, 1);
    let waiting = outbox(&app, &root, "").await;
    let first_retry: NaiveDateTime = waiting[0]["next_attempt_at"]
        .as_str()
        .unwrap()
        .parse::<chrono::DateTime<chrono::Utc>>()
        .unwrap()
        .naive_utc();
    assert!(first_retry >= t0 + chrono::Duration::seconds(60), "waits before the next attempt");
    let metrics = app.get("/metrics").await.text();
    assert!(metrics.lines().any(|l| l == "pactum_outbox_messages{status=\"failed\"} 1"), "{metrics}");
    assert_eq!(
        pass(&app, "w1", t0 + chrono::Duration::seconds(30)).await,
        DeliveryPass::default(),
        "not due yet"
    );
    assert_eq!(pass(&app, "w1", t0 + chrono::Duration::seconds(90)).await.retrying, 1);
    let second_retry: NaiveDateTime = outbox(&app, &root, "").await[0]["next_attempt_at"]
        .as_str()
        .unwrap()
        .parse::<chrono::DateTime<chrono::Utc>>()
        .unwrap()
        .naive_utc();
    assert!(
        second_retry - (t0 + chrono::Duration::seconds(90)) >= chrono::Duration::seconds(120),
        "the wait grows"
    );
    sink.restart();
    assert_eq!(
        pass(&app, "w1", t0 + chrono::Duration::hours(1)).await.sent,
        1,
        "delivered once the server is back"
    );
    assert_eq!(sink.messages().len(), 1);

    // A message that keeps failing becomes dead, and an admin can send it again.
    sink.stop();
    invite(&app, &root, &gemeente, "tweede@uitval.example").await;
    let mut at = t0 + chrono::Duration::hours(2);
    let mut dead = 0;
    for _ in 0..3 {
        dead += pass(&app, "w1", at).await.dead;
        at += chrono::Duration::hours(2);
    }
    assert_eq!(dead, 1, "dead after the configured attempts");
    let dead_mail = outbox(&app, &root, "?status=dead").await;
    assert_eq!(dead_mail.len(), 1);
    assert!(dead_mail[0]["last_error"].is_string());
    let id = dead_mail[0]["id"].as_str().unwrap();
    let retried = app.post_as(&root, &format!("/api/v1/outbox/{id}/retry"), json!({})).await;
    assert_eq!(retried.json()["status"], "queued", "{}", retried.text());
    app.post_as(&root, &format!("/api/v1/outbox/{id}/retry"), json!({}))
        .await
        .assert_problem(409, "invalid_transition");
    sink.restart();
    assert_eq!(pass(&app, "w1", now()).await.sent, 1);
    assert_eq!(sink.messages().len(), 2);
}

async fn a_message_claimed_by_a_dead_worker_is_still_delivered(backend: Backend) {
    let sink = SmtpSink::start();
    let Some(app) = app_with_mail(backend, sink.port).await else { return };
    let root = platform(&app).await;
    let gemeente = municipality(&app, &root, "Gemeente Crash").await;
    invite(&app, &root, &gemeente, "crash@crash.example").await;
    let t0 = now();
    // A worker claims the message and dies before sending it.
    let claimed = app
        .state
        .db
        .run(move |conn| {
            Ok(pactum::outbox::repo::claim(conn, "doomed", t0, t0 - chrono::Duration::minutes(5), 10)?)
        })
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(
        pass(&app, "survivor", t0 + chrono::Duration::seconds(10)).await,
        DeliveryPass::default(),
        "the claim still holds"
    );
    assert_eq!(
        pass(&app, "survivor", t0 + chrono::Duration::minutes(10)).await.sent,
        1,
        "taken over after the lease"
    );
    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(header(&messages[0], "Message-ID"), Some(format!("<{}@outbox.pactum>", claimed[0].id)));
}

async fn two_workers_send_every_message_exactly_once(backend: Backend) {
    let sink = SmtpSink::start();
    let Some(app) = app_with_mail(backend, sink.port).await else { return };
    crate::fixtures::queue_emails(&app, "bulk", 500).await;
    let target = app.database.target.clone();
    let url = format!("smtp://127.0.0.1:{}", sink.port);
    let workers: Vec<_> = ["left", "right"]
        .into_iter()
        .map(|name| {
            let (target, url) = (target.clone(), url.clone());
            std::thread::spawn(move || {
                // Each worker has its own pool and its own SMTP transport, as two processes would.
                let db = pactum::db::Database::new(target, 4);
                let mailer = Mailer::new(
                    &url,
                    "Pactum <p@x.example>",
                    "https://p.example",
                    pactum::config::Environment::Development,
                )
                .unwrap();
                let config = WorkerConfig { batch: 20, ..WorkerConfig::default() };
                let mut sent = 0;
                loop {
                    let pass = run_once(&db, &mailer, &config, name, now()).unwrap();
                    if pass == DeliveryPass::default() {
                        break sent;
                    }
                    sent += pass.sent;
                }
            })
        })
        .collect();
    let sent: Vec<usize> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    assert_eq!(sent.iter().sum::<usize>(), 500, "{sent:?}");
    std::thread::sleep(Duration::from_millis(100));
    let messages = sink.messages();
    let ids: std::collections::BTreeSet<String> =
        messages.iter().filter_map(|m| header(m, "Message-ID")).collect();
    assert_eq!((messages.len(), ids.len()), (500, 500), "every message exactly once");
}
