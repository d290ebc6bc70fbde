//! Two `pactum serve` instances on one database behave as one service: the sign-in and API
//! token limits are counted together on PostgreSQL (on SQLite, whose file one process owns, they
//! are kept in memory and these cases are skipped with a notice), and an email queued once is
//! sent once with both instances' workers running, on both backends.

use std::collections::BTreeSet;
use std::time::Duration;

use diesel::prelude::*;
use futures_util::future::join_all;
use serde_json::json;

use pactum::db::schema::{outbox, rate_limits};

use crate::fixtures::{service_account, tenant};
use crate::helpers::{Backend, TestApp, User, PASSWORD};
use crate::on_each_backend;
use crate::smtp_sink::{header, SmtpSink};

on_each_backend!(
    the_sign_in_limit_is_shared_by_two_instances,
    an_api_tokens_limit_is_shared_by_two_instances,
    an_email_queued_once_is_sent_once_by_two_instances,
    a_worker_whose_claim_was_taken_over_sends_nothing,
    the_shared_window_counts_every_request_once,
    a_role_changed_through_one_instance_holds_at_once_on_the_other,
);

/// The PostgreSQL app and a second instance beside it, with these flags on both; `None` (with
/// a notice) on SQLite.
async fn two_instances(backend: Backend, flags: &[&str]) -> Option<(TestApp, TestApp)> {
    if backend == Backend::Sqlite {
        eprintln!(
            "NOTICE: rate limits are shared through PostgreSQL only; on SQLite one process owns the \
             file and counts in memory, so the two-instance limit cases are skipped there."
        );
        return None;
    }
    let first = TestApp::spawn_configured(backend, |_| {}, flags).await?;
    let second = first.spawn_beside(flags);
    Some((first, second))
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> crate::helpers::Reply {
    app.post_json("/api/v1/auth/login", &json!({"email": email, "password": password})).await
}

fn retry_after(reply: &crate::helpers::Reply, at_most: u64) -> u64 {
    let wait: u64 = reply.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!(wait > 0 && wait <= at_most, "Retry-After {wait}");
    wait
}

fn rate_limit_keys(app: &TestApp) -> Vec<String> {
    let mut conn = app.database.target.connect().unwrap();
    rate_limits::table.select(rate_limits::key).order(rate_limits::key).load(&mut conn).unwrap()
}

async fn the_sign_in_limit_is_shared_by_two_instances(backend: Backend) {
    let Some((a, b)) = two_instances(backend, &["--login-attempts-per-account", "4"]).await else { return };
    a.create_user("dirk@gemeente.example", "Dirk", false).await;
    // Four wrong guesses spread over both instances use up the account's window...
    for app in [&a, &b, &a, &b] {
        assert_eq!(sign_in(app, "dirk@gemeente.example", "guess guess guess").await.status, 401);
    }
    // ...so the right password is refused on either, each saying how long to wait.
    for app in [&a, &b] {
        let blocked = sign_in(app, "dirk@gemeente.example", PASSWORD).await;
        blocked.assert_problem(429, "rate_limited");
        retry_after(&blocked, 15 * 60);
    }
    // The account is kept by a hash of its address: no email in the shared table.
    let keys = rate_limit_keys(&a);
    let account = format!("login-account:{}", pactum::auth::secrets::hash("dirk@gemeente.example"));
    assert!(keys.contains(&account), "{keys:?}");
    assert!(keys.iter().all(|k| !k.contains('@')), "{keys:?}");

    // A successful sign-in on one instance clears the failures the other counted.
    a.create_user("eva@gemeente.example", "Eva", false).await;
    for app in [&a, &b, &a] {
        assert_eq!(sign_in(app, "eva@gemeente.example", "guess guess guess").await.status, 401);
    }
    assert_eq!(sign_in(&b, "eva@gemeente.example", PASSWORD).await.status, 200);
    for app in [&a, &b, &a, &b] {
        assert_eq!(sign_in(app, "eva@gemeente.example", "guess guess guess").await.status, 401);
    }
    sign_in(&a, "eva@gemeente.example", PASSWORD).await.assert_problem(429, "rate_limited");

    // Guesses sent all at once to both instances pass the window together no more than one by one.
    a.create_user("fien@gemeente.example", "Fien", false).await;
    let guesses = (0..20).map(|i| {
        let app = if i % 2 == 0 { &a } else { &b };
        sign_in(app, "fien@gemeente.example", "guess guess guess")
    });
    let statuses: Vec<u16> = join_all(guesses).await.iter().map(|r| r.status).collect();
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert_eq!(checked, 4, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 16, "{statuses:?}");
}

async fn an_api_tokens_limit_is_shared_by_two_instances(backend: Backend) {
    let Some((a, b)) = two_instances(backend, &["--token-requests-per-minute", "3"]).await else { return };
    let root = a.signed_in("root@platform.example", "Root", true).await;
    let created = a.post_as(&root, "/api/v1/municipalities", json!({"name": "Gemeente Twee"})).await;
    let municipality_id = created.json()["id"].as_str().unwrap().to_owned();
    let members = format!("/api/v1/municipalities/{municipality_id}/members");
    let admin = a.join(&root, &members, "admin@twee.example", "municipal_admin").await;
    let (token, token_id) = service_account(&a, &admin, &municipality_id, &["grants:read"]).await;
    for app in [&a, &b, &a] {
        assert_eq!(app.get_as(&token, "/api/v1/grants").await.status, 200);
    }
    for app in [&b, &a] {
        let refused = app.get_as(&token, "/api/v1/grants").await;
        refused.assert_problem(429, "rate_limited");
        retry_after(&refused, 60);
    }
    // Through the idempotency guard (a keyed POST) the same window counts, once per request.
    let keyed = a
        .request(
            actix_web::http::Method::POST,
            &format!("/api/v1/funds/{}/payment-batches", uuid::Uuid::nil()),
        )
        .insert_header(("Authorization", format!("Bearer {}", token.token)))
        .insert_header(("Idempotency-Key", "k1"))
        .content_type("application/json");
    a.send(keyed, Some("{}".into())).await.assert_problem(429, "rate_limited");
    // People and other tokens are not affected.
    let other =
        User { token: a.login("admin@twee.example").await["access_token"].as_str().unwrap().into(), ..admin };
    assert_eq!(b.get_as(&other, "/api/v1/grants").await.status, 200);
    // The window is kept under the token's id, never the token.
    let keys = rate_limit_keys(&a);
    assert!(keys.contains(&format!("token:{token_id}")), "{keys:?}");
    assert!(keys.iter().all(|k| !k.contains("pct_")), "{keys:?}");
}

async fn an_email_queued_once_is_sent_once_by_two_instances(backend: Backend) {
    let sink = SmtpSink::start();
    let url = format!("smtp://127.0.0.1:{}", sink.port);
    let flags = ["--smtp-url", url.as_str()];
    let Some(a) = TestApp::spawn_configured(backend, |_| {}, &flags).await else { return };
    let b = a.spawn_beside(&flags);
    a.create_user("gijs@gemeente.example", "Gijs", false).await;
    // One email through the API, and a pile queued directly, all before any worker runs.
    let asked = a.post_json("/api/v1/auth/password-reset", &json!({"email": "gijs@gemeente.example"})).await;
    assert_eq!(asked.status, 202, "{}", asked.text());
    crate::fixtures::queue_emails(&a, "pile", 150).await;
    // Both instances' workers, as `serve` runs them, polling often so their passes overlap.
    for app in [&a, &b] {
        let (db, mailer) = (app.state.db.clone(), app.state.mailer.clone().expect("a mailer"));
        let config = pactum::outbox::worker::WorkerConfig { batch: 10, ..app.state.settings.outbox.clone() };
        actix_web::rt::spawn(pactum::startup::run_mail_worker(db, mailer, config, Duration::from_millis(10)));
    }
    let expected = 151;
    for _ in 0..600 {
        if sink.messages().len() >= expected {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    // Time for a second sending of anything, had one been under way.
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    let messages = sink.messages();
    let ids: BTreeSet<String> = messages.iter().filter_map(|m| header(m, "Message-ID")).collect();
    assert_eq!((messages.len(), ids.len()), (expected, expected), "every message once");
    assert_eq!(messages.iter().filter(|m| m.contains("gijs@gemeente.example")).count(), 1);
    let mut conn = a.database.target.connect().unwrap();
    let unsent: i64 = outbox::table.filter(outbox::status.ne("sent")).count().get_result(&mut conn).unwrap();
    assert_eq!(unsent, 0);
    let senders: BTreeSet<Option<String>> =
        outbox::table.select(outbox::claimed_by).distinct().load(&mut conn).unwrap().into_iter().collect();
    assert_eq!(senders.len(), 2, "both instances' workers sent: {senders:?}");
}

/// A worker slower than its lease: another took its message (or webhook queue) over, so when
/// the first comes to it, it neither sends nor lets go of the other's hold.
async fn a_worker_whose_claim_was_taken_over_sends_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    // A moment ahead, so the message queued below is due.
    let t0 = pactum::domain::time::now() + chrono::Duration::seconds(1);
    let lease = chrono::Duration::minutes(5);
    let (renewed, taken_over) = app
        .state
        .db
        .run(move |conn| {
            let email = pactum::outbox::Email {
                kind: "test",
                dedupe_key: "slow".into(),
                municipality_id: None,
                recipient: "slow@worker.example".into(),
                subject: "Langzaam".into(),
                text: "tekst".into(),
                html: "<p>tekst</p>".into(),
            };
            pactum::outbox::enqueue(conn, &email)?;
            let slow = pactum::outbox::repo::claim(conn, "slow", t0, t0 - lease, 10)?;
            let renewed = pactum::outbox::repo::renew_claim(conn, &slow[0].id, "slow", t0)?;
            let later = t0 + lease + chrono::Duration::seconds(1);
            let fast = pactum::outbox::repo::claim(conn, "fast", later, later - lease, 10)?;
            assert_eq!(fast.len(), 1, "taken over after the lease");
            Ok((renewed, pactum::outbox::repo::renew_claim(conn, &slow[0].id, "slow", later)?))
        })
        .await
        .unwrap();
    assert!(renewed, "its own claim renews");
    assert!(!taken_over, "a claim taken over does not renew, so the slow worker skips the message");

    let root = app.signed_in("root@platform.example", "Root", true).await;
    let created = app.post_as(&root, "/api/v1/municipalities", json!({"name": "Gemeente Traag"})).await;
    let municipality_id = created.json()["id"].as_str().unwrap().to_owned();
    let members = format!("/api/v1/municipalities/{municipality_id}/members");
    let admin = app.join(&root, &members, "admin@traag.example", "municipal_admin").await;
    let subscribed = app
        .post_as(
            &admin,
            "/api/v1/webhooks",
            json!({"municipality_id": municipality_id, "url": "http://127.0.0.1:9/hooks", "event_types": ["grant.approved"]}),
        )
        .await;
    assert_eq!(subscribed.status, 201, "{}", subscribed.text());
    let id = subscribed.json()["id"].as_str().unwrap().to_owned();
    let outcome = app
        .state
        .db
        .run(move |conn| {
            use pactum::webhooks::repo;
            assert!(repo::hold(conn, &id, "slow", t0, t0 + lease)?);
            assert!(!repo::hold(conn, &id, "fast", t0 + chrono::Duration::minutes(1), t0 + lease)?, "held");
            let later = t0 + lease + chrono::Duration::seconds(1);
            assert!(repo::hold(conn, &id, "fast", later, later + lease)?, "taken over after the lease");
            let renewed = repo::renew(conn, &id, "slow", later + lease)?;
            repo::release(conn, &id, "slow")?;
            let still_held = !repo::hold(conn, &id, "third", later, later + lease)?;
            Ok((renewed, still_held))
        })
        .await
        .unwrap();
    assert_eq!(outcome, (false, true), "the slow pass stops, and its release leaves the new hold alone");
}

/// The window in the database, on either backend: parallel requests pass up to the limit and no
/// further, the wait is what is left of the window, a reset opens it, and it starts again after.
async fn the_shared_window_counts_every_request_once(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let limiter = std::sync::Arc::new(pactum::auth::rate_limit::RateLimiter::shared(
        "test",
        5,
        Duration::from_secs(60),
        app.state.db.clone(),
    ));
    let outcomes = join_all((0..20).map(|_| {
        let limiter = limiter.clone();
        async move { limiter.take("10.0.0.1").await }
    }))
    .await;
    let passed = outcomes.iter().filter(|o| o.is_ok()).count();
    assert_eq!(passed, 5, "{outcomes:?}");
    for refused in outcomes.iter().filter_map(|o| o.as_ref().err()) {
        assert_eq!(refused.code, pactum::error::ErrorCode::RateLimited);
        assert!(matches!(refused.retry_after_seconds, Some(50..=61)), "{:?}", refused.retry_after_seconds);
    }
    assert!(limiter.take("10.0.0.2").await.is_ok(), "keys are apart");
    let reset = limiter.clone();
    app.state.db.run(move |conn| reset.reset_on(conn, "10.0.0.1")).await.unwrap();
    assert!(limiter.take("10.0.0.1").await.is_ok(), "a reset opens the window");
    assert_eq!(rate_limit_keys(&app), ["test:10.0.0.1", "test:10.0.0.2"]);

    let short = pactum::auth::rate_limit::RateLimiter::shared(
        "short",
        1,
        Duration::from_secs(1),
        app.state.db.clone(),
    );
    assert!(short.take("10.0.0.1").await.is_ok());
    assert!(short.take("10.0.0.1").await.is_err());
    actix_web::rt::time::sleep(Duration::from_millis(1100)).await;
    assert!(short.take("10.0.0.1").await.is_ok(), "a new window");
}

/// Each instance keeps the memberships of people who called lately; a change made through the
/// other instance (or anywhere in the database) bumps the person's access version, so the next
/// request sees it.
async fn a_role_changed_through_one_instance_holds_at_once_on_the_other(backend: Backend) {
    let Some(first) = TestApp::spawn(backend).await else { return };
    let second = first.spawn_beside(&[]);
    let root = first.signed_in("root@platform.example", "Root", true).await;
    let t = tenant(&first, &root, "a").await;
    let network = format!("/api/v1/networks/{}", t.network_id);
    assert_eq!(network_role(&second, &t.treasurer).await.as_deref(), Some("treasurer"));
    assert_eq!(second.get_as(&t.treasurer, &network).await.status, 200);

    let membership = format!("{network}/members/{}", t.treasurer.id);
    let demoted = first
        .call(&t.coordinator, actix_web::http::Method::PATCH, &membership, Some(json!({"role": "member"})))
        .await;
    assert_eq!(demoted.status, 200, "{}", demoted.text());
    assert_eq!(network_role(&second, &t.treasurer).await.as_deref(), Some("member"));

    let removed = first.call(&t.coordinator, actix_web::http::Method::DELETE, &membership, None).await;
    assert_eq!(removed.status, 204, "{}", removed.text());
    assert_eq!(network_role(&second, &t.treasurer).await, None);
    second.get_as(&t.treasurer, &network).await.assert_problem(404, "not_found");
}

/// The person's role in their (one) network, as `/me` tells it.
async fn network_role(app: &TestApp, user: &User) -> Option<String> {
    let me = app.get_as(user, "/api/v1/me").await.json();
    me["networks"].as_array().unwrap().first().map(|n| n["role"].as_str().unwrap().to_owned())
}
