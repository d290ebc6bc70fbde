//! Reminders: on the right days, once, in the reader's language, escalated when overdue, and
//! cancelled when the deadline is met before they go out. `today` is passed in.

use actix_web::http::Method;
use chrono::NaiveDate;
use serde_json::{json, Value};

use pactum::outbox::worker::run_once;

use crate::fixtures::{post_keyed, tenant, Tenant};
use crate::helpers::{Backend, TestApp, User};
use crate::smtp_sink::{header, SmtpSink};

crate::on_each_backend!(
    a_report_due_date_reminds_on_the_right_days_once,
    meeting_a_deadline_cancels_reminders_not_yet_sent,
    my_deadlines_and_a_calendar_feed,
    workflow_notices_tell_the_people_concerned,
    a_daily_digest_bundles_the_days_reminders,
    moving_a_due_date_moves_its_reminders,
    an_invitation_about_to_expire_is_reminded,
);

async fn setup(backend: Backend, sink: &SmtpSink) -> Option<(TestApp, User, Tenant)> {
    let url = format!("smtp://127.0.0.1:{}", sink.port);
    let app = TestApp::spawn_configured(
        backend,
        |_| {},
        &["--smtp-url", url.as_str(), "--public-url", "https://pactum.example"],
    )
    .await?;
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    Some((app, root, a))
}

async fn plan(app: &TestApp, day: &str) -> usize {
    let today: NaiveDate = day.parse().unwrap();
    let url = app.state.settings.public_url.clone();
    app.state.db.run(move |conn| pactum::reminders::plan::run(conn, &url, Some(today))).await.unwrap().queued
}

async fn deliver(app: &TestApp) -> usize {
    let (db, mailer, config) =
        (app.state.db.clone(), app.state.mailer.clone().unwrap(), app.state.settings.outbox.clone());
    actix_web::web::block(move || run_once(&db, &mailer, &config, "test", pactum::domain::time::now()))
        .await
        .unwrap()
        .unwrap()
        .sent
}

async fn a_report_due_date_reminds_on_the_right_days_once(backend: Backend) {
    let sink = SmtpSink::start();
    let Some((app, root, a)) = setup(backend, &sink).await else { return };
    // The fixture's grant (report due 2027-03-31) becomes active with its first payment.
    let members = format!("/api/v1/municipalities/{}/members", a.municipality_id);
    let finance = app.join(&a.admin, &members, "finance@a.example", "finance").await;
    let paid = post_keyed(&app, &finance, &format!("/api/v1/tranches/{}/pay", a.tranche_id), json!({})).await;
    assert_eq!(paid.status, 200, "{}", paid.text());
    app.call(&a.treasurer, Method::PATCH, "/api/v1/me", Some(json!({"locale": "en"}))).await;
    deliver(&app).await; // the invitations of the fixture go out first
    let before = sink.messages().len();

    // 14 and 3 days before, on the day: the coordinator and the treasurer. Other days: nothing.
    for (day, expected) in
        [("2027-03-16", 0), ("2027-03-17", 2), ("2027-03-28", 2), ("2027-03-31", 2), ("2027-04-01", 0)]
    {
        assert_eq!(plan(&app, day).await, expected, "{day}");
        assert_eq!(plan(&app, day).await, 0, "{day} again: once");
    }
    // A week late: also the municipality's admin and officer.
    assert_eq!(plan(&app, "2027-04-07").await, 4);
    assert_eq!(deliver(&app).await, 10);
    let reminders: Vec<String> = sink.messages().split_off(before);
    assert_eq!(reminders.len(), 10);
    let to = |who: &str| {
        reminders.iter().filter(|m| header(m, "To").as_deref() == Some(who)).cloned().collect::<Vec<_>>()
    };
    let coordinator = to("coordinator@a.example");
    assert_eq!(coordinator.len(), 4);
    let subjects: Vec<String> = coordinator.iter().filter_map(|m| header(m, "Subject")).collect();
    assert_eq!(
        subjects
            .iter()
            .filter(|s| *s == "Herinnering: verantwoording \"Koffie-ochtenden\" op 31-03-2027")
            .count(),
        3
    );
    assert_eq!(subjects.iter().filter(|s| *s == "Te laat: verantwoording \"Koffie-ochtenden\"").count(), 1);
    let treasurer = to("treasurer@a.example");
    assert_eq!(
        header(&treasurer[0], "Subject").as_deref(),
        Some("Reminder: spending report \"Koffie-ochtenden\" on 31-03-2027"),
        "in English"
    );
    assert!(treasurer[0]
        .replace("=\r\n", "")
        .contains(&format!("https://pactum.example/grants/{}", a.grant_id)));
    assert!(header(&treasurer[0], "Message-ID").is_some_and(|id| id.ends_with("@outbox.pactum>")));
    assert_eq!(to("officer@a.example").len(), 1, "escalated when overdue");
    assert_eq!(to("member@a.example").len(), 0);

    let metrics = app.get("/metrics").await.text();
    assert!(metrics.lines().any(|l| l == "pactum_outbox_messages{status=\"queued\"} 0"), "{metrics}");

    // An interim report leaves the deadline open; a final one sent in meets it.
    let reports_due =
        |page: Value| page["items"].as_array().unwrap().iter().filter(|i| i["kind"] == "report").count();
    assert_eq!(reports_due(app.get_as(&a.treasurer, "/api/v1/me/reminders").await.json()), 1);
    let report = app
        .post_as(
            &a.treasurer,
            &format!("/api/v1/grants/{}/reports", a.grant_id),
            json!({"kind": "final", "narrative": "Klaar.", "people_reached": 12,
                   "expenses": [{"spent_on": "2027-03-02", "description": "Koffie", "category": "catering", "amount_cents": 10_000}]}),
        )
        .await;
    assert_eq!(report.status, 201, "{}", report.text());
    let submit = format!("/api/v1/reports/{}/submit", report.json()["id"].as_str().unwrap());
    let submitted = app.post_as(&a.treasurer, &submit, json!({})).await;
    assert_eq!(submitted.status, 200, "{}", submitted.text());
    assert_eq!(reports_due(app.get_as(&a.treasurer, "/api/v1/me/reminders").await.json()), 0);
    let _ = root;
}

async fn meeting_a_deadline_cancels_reminders_not_yet_sent(backend: Backend) {
    let sink = SmtpSink::start();
    let Some((app, root, a)) = setup(backend, &sink).await else { return };
    deliver(&app).await;
    // The fixture's network commitment is due 2027-03-01: two weeks before, two reminders are queued...
    assert_eq!(plan(&app, "2027-02-15").await, 1, "the network's coordinator");
    let queued = app.get_as(&root, "/api/v1/outbox?status=queued").await.json();
    assert_eq!(queued["items"].as_array().unwrap().len(), 1);
    // ...the commitment is met before they go out: they are cancelled, and nothing is sent.
    let done = app
        .post_as(&a.coordinator, &format!("/api/v1/commitments/{}/complete", a.commitment_id), json!({}))
        .await;
    assert_eq!(done.status, 200, "{}", done.text());
    let url = app.state.settings.public_url.clone();
    let planned = app
        .state
        .db
        .run(move |conn| pactum::reminders::plan::run(conn, &url, Some("2027-02-16".parse().unwrap())))
        .await
        .unwrap();
    assert_eq!(planned.cancelled, 1);
    assert_eq!(deliver(&app).await, 0);
    assert_eq!(
        app.get_as(&root, "/api/v1/outbox?status=cancelled").await.json()["items"].as_array().unwrap().len(),
        1
    );

    // Settings: when reminders go out is the municipality's choice.
    let path = format!("/api/v1/municipalities/{}/reminder-settings", a.municipality_id);
    assert_eq!(app.get_as(&a.officer, &path).await.json(), json!({"offsets_days": [-14, -3, 0, 7]}));
    app.call(&a.officer, Method::PATCH, &path, Some(json!({"offsets_days": [-7]})))
        .await
        .assert_problem(403, "forbidden");
    app.call(&a.admin, Method::PATCH, &path, Some(json!({"offsets_days": [400]})))
        .await
        .assert_problem(422, "validation_failed");
    let changed = app.call(&a.admin, Method::PATCH, &path, Some(json!({"offsets_days": [0, -7, -7]}))).await;
    assert_eq!(changed.json(), json!({"offsets_days": [-7, 0]}));
    // The fixture's agreement review (2026-07-01) now reminds a week before.
    assert!(plan(&app, "2026-06-24").await > 0);
}

async fn my_deadlines_and_a_calendar_feed(backend: Backend) {
    let sink = SmtpSink::start();
    let Some((app, root, a)) = setup(backend, &sink).await else { return };
    let b = tenant(&app, &root, "b").await;
    let mine = app.get_as(&a.coordinator, "/api/v1/me/reminders").await.json();
    let items = mine["items"].as_array().unwrap().clone();
    let kinds: Vec<(&str, bool)> =
        items.iter().map(|i| (i["kind"].as_str().unwrap(), i["overdue"].as_bool().unwrap())).collect();
    assert!(kinds.contains(&("agreement_review", true)), "the review of July is overdue: {kinds:?}");
    assert!(kinds.contains(&("commitment", false)), "the network's commitment is coming: {kinds:?}");
    assert!(items.iter().all(|i| !i["path"].as_str().unwrap().contains(&b.agreement_id)));

    let link = app.post_as(&a.coordinator, "/api/v1/me/calendar-token", json!({})).await;
    assert_eq!(link.status, 201, "{}", link.text());
    let url = link.json()["calendar_url"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/{}", url.split_once("/api/v1/").unwrap().1);
    let feed = app.get(&path).await;
    assert_eq!(feed.status, 200, "{}", feed.text());
    assert_eq!(feed.header("content-type"), Some("text/calendar; charset=utf-8"));
    let text = feed.text();
    assert!(text.lines().all(|l| l.len() <= 76), "lines are folded");
    let calendars: Vec<_> = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes())).collect();
    assert_eq!(calendars.len(), 1);
    let calendar = calendars.into_iter().next().unwrap().expect("a valid iCalendar");
    assert_eq!(calendar.events.len(), items.len(), "exactly the caller's deadlines");
    let starts: Vec<String> = calendar
        .events
        .iter()
        .filter_map(|e| e.properties.iter().find(|p| p.name == "DTSTART").and_then(|p| p.value.clone()))
        .collect();
    assert!(starts.contains(&"20270301".to_owned()), "{starts:?}");

    let again = app.post_as(&a.coordinator, "/api/v1/me/calendar-token", json!({})).await;
    assert_eq!(again.status, 201);
    app.get(&path).await.assert_problem(401, "unauthenticated");
    app.get("/api/v1/me/calendar.ics?token=cal_made_up").await.assert_problem(401, "unauthenticated");
    let theirs = app.post_as(&b.coordinator, "/api/v1/me/calendar-token", json!({})).await.json();
    let their_path =
        format!("/api/v1/{}", theirs["calendar_url"].as_str().unwrap().split_once("/api/v1/").unwrap().1);
    let their_feed = app.get(&their_path).await.text();
    assert!(!their_feed.contains(&a.commitment_id), "another network's feed holds none of A's deadlines");
}

async fn workflow_notices_tell_the_people_concerned(backend: Backend) {
    let sink = SmtpSink::start();
    let Some((app, _root, a)) = setup(backend, &sink).await else { return };
    // The fixture proposed and signed an agreement and submitted and approved a grant.
    deliver(&app).await;
    let messages = sink.messages();
    let subjects_to = |who: &str| -> Vec<String> {
        messages
            .iter()
            .filter(|m| header(m, "To").as_deref() == Some(who))
            .filter_map(|m| header(m, "Subject"))
            .collect()
    };
    let coordinator = subjects_to("coordinator@a.example");
    assert!(coordinator.contains(&"Klaar om te tekenen: Koffie-ochtenden".to_owned()), "{coordinator:?}");
    assert!(coordinator.contains(&"Getekend door iedereen: Koffie-ochtenden".to_owned()), "{coordinator:?}");
    assert!(coordinator.contains(&"Uw aanvraag Koffie-ochtenden is toegekend".to_owned()), "{coordinator:?}");
    let officer = subjects_to("officer@a.example");
    assert!(officer.contains(&"Nieuwe aanvraag: Koffie-ochtenden".to_owned()), "{officer:?}");
    let member = subjects_to("member@a.example");
    assert!(
        member.iter().all(|s| s.starts_with("Uitnodiging")),
        "members only got their invitation: {member:?}"
    );
    let approved = messages
        .iter()
        .find(|m| header(m, "Subject").as_deref() == Some("Uw aanvraag Koffie-ochtenden is toegekend"))
        .unwrap()
        .replace("=\r\n", "");
    assert!(
        approved.contains(&format!("https://pactum.example/grants/{}", a.grant_id)),
        "the link has the public address"
    );
    assert!(!approved.contains("{base_url}"));
    // A question to the network reaches its coordinator and treasurer, once.
    let fund = crate::fixtures::fund(&app, &a, 1_000_000, 900_000).await;
    let grant = crate::fixtures::grant_in_review(&app, &a, &fund, 10_000).await;
    assert_eq!(deliver(&app).await, 2, "the new application reaches the admin and the officer");
    let before = sink.messages().len();
    app.post_as(
        &a.officer,
        &format!("/api/v1/grants/{grant}/request-info"),
        json!({"question": "Hoeveel bewoners?"}),
    )
    .await;
    assert_eq!(deliver(&app).await, 2);
    let question = sink.messages().split_off(before);
    assert!(question.iter().all(|m| m.contains("Hoeveel bewoners?")));
}

async fn a_daily_digest_bundles_the_days_reminders(backend: Backend) {
    let sink = SmtpSink::start();
    let Some((app, _root, a)) = setup(backend, &sink).await else { return };
    let members = format!("/api/v1/municipalities/{}/members", a.municipality_id);
    let finance = app.join(&a.admin, &members, "finance@a.example", "finance").await;
    post_keyed(&app, &finance, &format!("/api/v1/tranches/{}/pay", a.tranche_id), json!({})).await;
    // On 2027-03-01 the network's commitment is due and its report is 30 days away.
    let settings = format!("/api/v1/municipalities/{}/reminder-settings", a.municipality_id);
    app.call(&a.admin, Method::PATCH, &settings, Some(json!({"offsets_days": [-30, 0]}))).await;
    let me = app
        .call(
            &a.coordinator,
            Method::PATCH,
            "/api/v1/me",
            Some(json!({"notification_preference": "daily_digest"})),
        )
        .await;
    assert_eq!(me.json()["notification_preference"], "daily_digest");
    deliver(&app).await;
    let before = sink.messages().len();
    assert_eq!(
        plan(&app, "2027-03-01").await,
        2,
        "one digest for the coordinator, one reminder for the treasurer"
    );
    assert_eq!(plan(&app, "2027-03-01").await, 0, "once a day");
    deliver(&app).await;
    let today = sink.messages().split_off(before);
    let digest =
        today.iter().find(|m| header(m, "To").as_deref() == Some("coordinator@a.example")).expect("a digest");
    assert_eq!(header(digest, "Subject").as_deref(), Some("Uw herinneringen van 01-03-2027 (2)"));
    let body = digest.replace("=\r\n", "");
    assert!(body.contains("toezegging") && body.contains("verantwoording"), "{body}");
    let treasurer =
        today.iter().filter(|m| header(m, "To").as_deref() == Some("treasurer@a.example")).count();
    assert_eq!(treasurer, 1);
}

async fn moving_a_due_date_moves_its_reminders(backend: Backend) {
    let sink = SmtpSink::start();
    let Some((app, root, a)) = setup(backend, &sink).await else { return };
    deliver(&app).await;
    assert_eq!(plan(&app, "2027-02-15").await, 1, "two weeks before 2027-03-01");
    // An amendment moves the commitment to 2027-04-01 (same key, so the same commitment).
    let path = format!("/api/v1/agreements/{}", a.agreement_id);
    let opened = app.post_as(&a.coordinator, &format!("{path}/amendments"), json!({})).await.json();
    let mut commitments = opened["amendment"]["content"]["commitments"].clone();
    for commitment in commitments.as_array_mut().unwrap() {
        if commitment["due_on"] == "2027-03-01" {
            commitment["due_on"] = json!("2027-04-01");
        }
    }
    let edited =
        app.call(&a.coordinator, Method::PATCH, &path, Some(json!({"commitments": commitments}))).await;
    assert_eq!(edited.status, 200, "{}", edited.text());
    crate::fixtures::sign_by_all(&app, &a, &a.agreement_id).await;
    let url = app.state.settings.public_url.clone();
    let planned = app
        .state
        .db
        .run(move |conn| pactum::reminders::plan::run(conn, &url, Some("2027-02-16".parse().unwrap())))
        .await
        .unwrap();
    assert_eq!(planned.cancelled, 1, "the reminder for the old date is cancelled");
    assert_eq!(plan(&app, "2027-03-18").await, 1, "and comes two weeks before the new date");
    deliver(&app).await;
    let cancelled = app.get_as(&root, "/api/v1/outbox?status=cancelled").await.json();
    assert_eq!(cancelled["items"].as_array().unwrap().len(), 1);
}

async fn an_invitation_about_to_expire_is_reminded(backend: Backend) {
    let sink = SmtpSink::start();
    let Some((app, root, a)) = setup(backend, &sink).await else { return };
    deliver(&app).await;
    let invite = app
        .post_as(
            &a.admin,
            &format!("/api/v1/municipalities/{}/members", a.municipality_id),
            json!({"email": "laat@a.example", "name": "Laat", "role": "auditor"}),
        )
        .await
        .json();
    let expires: NaiveDate = invite["expires_at"].as_str().unwrap()[..10].parse().unwrap();
    let three_before = (expires - chrono::Duration::days(3)).to_string();
    assert_eq!(plan(&app, &three_before).await, 1);
    assert_eq!(
        plan(&app, &(expires + chrono::Duration::days(7)).to_string()).await,
        0,
        "no reminders about a lapsed invitation"
    );
    deliver(&app).await;
    let reminder = sink.messages().pop().unwrap();
    assert_eq!(header(&reminder, "To").as_deref(), Some("laat@a.example"));
    assert!(header(&reminder, "Subject").unwrap().starts_with("Herinnering: uitnodiging"));
    let _ = root;
}
