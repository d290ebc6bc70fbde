//! A grant officer's day in a real browser: the work queue lists the applications to decide,
//! soonest deadline first with the days left in words; the officer asks a question on the
//! grant's page, the network answers (API) and the officer approves with a checked amount;
//! above the four-eyes threshold a second officer gives the second approval and the page names
//! both; a finance-only user sees no officer actions and a forged approval changes nothing; an
//! officer of another municipality gets "not found". Accessible (axe-core) at every step.

use serde_json::json;

use crate::browser::Browser;
use crate::fixtures::{tenant, Tenant};
use crate::helpers::TestApp;
use crate::on_both_backends;
use crate::pages_grants::sign_in;

on_both_backends!(an_officer_decides_from_the_queue_with_four_eyes);

/// An application of the network for `cents` from `fund_id`, submitted.
async fn submitted(app: &TestApp, t: &Tenant, fund_id: &str, title: &str, cents: i64) -> String {
    let reply = app
        .post_as(
            &t.treasurer,
            "/api/v1/grants",
            json!({"fund_id": fund_id, "network_id": t.network_id, "title": title, "purpose": "Ontmoeting",
                "requested_cents": cents, "starts_on": "2026-02-01", "ends_on": "2026-12-31",
                "budget_lines": [{"description": "Koffie", "amount_cents": cents}],
                "payee": {"iban": "NL91 ABNA 0417 1643 00", "name": "Stichting Welzijn"}}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let id = reply.json()["id"].as_str().unwrap().to_owned();
    let sent = app.post_as(&t.treasurer, &format!("/api/v1/grants/{id}/submit"), json!({})).await;
    assert_eq!(sent.json()["status"], "submitted", "{}", sent.text());
    id
}

async fn sign_out(browser: &Browser) {
    browser.press("Uitloggen").await;
}

async fn an_officer_decides_from_the_queue_with_four_eyes(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let b = tenant(&app, &root, "b").await;
    let members = format!("/api/v1/municipalities/{}/members", a.municipality_id);
    let finance = app.join(&a.admin, &members, "finance@a.example", "finance").await;
    let second = app.join(&a.admin, &members, "officer2@a.example", "officer").await;

    // Four eyes from € 2.000 on (set before the applications are submitted, so it applies).
    let fund = format!("/api/v1/funds/{}", a.fund_id);
    let changed = app
        .call(
            &a.admin,
            actix_web::http::Method::PATCH,
            &fund,
            Some(json!({"four_eyes_threshold_cents": 200_000})),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text());
    // A fund with a shorter decision term: its application comes first in the queue.
    let quick = app
        .post_as(
            &a.admin,
            "/api/v1/funds",
            json!({"municipality_id": a.municipality_id, "name": "Snelbudget", "budget_cents": 1_000_000,
                "opens_on": "2026-01-01", "max_grant_cents": 1_000_000, "four_eyes_threshold_cents": 1_000_000,
                "decision_weeks": 2}),
        )
        .await;
    assert_eq!(quick.status, 201, "{}", quick.text());
    let quick = quick.json()["id"].as_str().unwrap().to_owned();
    let small = submitted(&app, &a, &a.fund_id, "Taalcafé", 150_000).await;
    let urgent = submitted(&app, &a, &quick, "Buurtfeest", 50_000).await;
    let big = submitted(&app, &a, &a.fund_id, "Zomerschool", 300_000).await;
    let other = submitted(&app, &b, &b.fund_id, "Geheim plan van b", 10_000).await;

    let Some(browser) = Browser::start(true).await else { return };
    sign_in(&browser, &app, &a.officer.email).await;
    browser.follow("Werkvoorraad").await;
    assert_eq!(browser.path().await, "/work");
    let queue = browser.text().await;
    let at = |title: &str| queue.find(title).unwrap_or_else(|| panic!("{title} in {queue}"));
    assert!(
        at("Buurtfeest") < at("Taalcafé") && at("Buurtfeest") < at("Zomerschool"),
        "soonest first: {queue}"
    );
    assert!(queue.contains("nog 14 dagen") && queue.contains("nog 56 dagen"), "days left in words: {queue}");
    assert!(!queue.contains("Geheim plan van b"), "{queue}");
    browser.assert_accessible().await;
    // Filtered by fund: the other fund's application is gone.
    browser.open(&app.url(&format!("/work?fund={quick}"))).await;
    let filtered = browser.text().await;
    assert!(filtered.contains("Buurtfeest") && !filtered.contains("Taalcafé"), "{filtered}");

    // The grant's page: the network, the history, the masked IBAN, and a question.
    browser.open(&app.url(&format!("/grants/{small}"))).await;
    let page = browser.text().await;
    assert!(
        page.contains("Buurtkracht a") && page.contains("Geschiedenis") && page.contains("Ingediend"),
        "{page}"
    );
    assert!(page.contains("NL91 **** **** **43 00") && !page.contains("NL91ABNA0417164300"), "{page}");
    browser.assert_accessible().await;
    browser.fill("Je vraag aan het netwerk", "Hoeveel mensen verwachten jullie?").await;
    browser.press("Vraag stellen").await;
    let asked = browser.text().await;
    assert!(
        asked.contains("Je vraag is verstuurd") && asked.contains("Vraag gesteld aan het netwerk"),
        "{asked}"
    );
    browser.assert_accessible().await;
    let api = app.get_as(&a.officer, &format!("/api/v1/grants/{small}")).await.json();
    assert_eq!(api["status"], "info_requested");
    assert_eq!(api["info_question"], "Hoeveel mensen verwachten jullie?");

    // The network answers through the API; the answer shows in the queue.
    let answered = app
        .post_as(
            &a.treasurer,
            &format!("/api/v1/grants/{small}/submit"),
            json!({"answer": "Ongeveer twintig."}),
        )
        .await;
    assert_eq!(answered.json()["status"], "submitted", "{}", answered.text());
    browser.open(&app.url("/work")).await;
    let queue = browser.text().await;
    assert!(queue.contains("Vraag beantwoord") && queue.contains("Ongeveer twintig."), "{queue}");
    browser.assert_accessible().await;

    // Start the review, then approve: the amount must be checked first.
    browser.open(&app.url(&format!("/grants/{small}"))).await;
    browser.press("Beoordeling starten").await;
    assert!(browser.text().await.contains("Je bent begonnen met de beoordeling."));
    browser.fill("Bedrag dat je toekent (in euro)", "1.500,00").await;
    browser.press("Goedkeuren").await;
    let refused = browser.text().await;
    assert!(refused.contains("Controleer het bedrag en vink aan"), "{refused}");
    browser.assert_accessible().await;
    assert_eq!(
        app.get_as(&a.officer, &format!("/api/v1/grants/{small}")).await.json()["status"],
        "in_review"
    );
    browser.tick("Ik heb het bedrag gecontroleerd").await;
    browser.press("Goedkeuren").await;
    let approved = browser.text().await;
    assert!(approved.contains("De aanvraag is goedgekeurd."), "{approved}");
    assert!(approved.contains("Goedgekeurd door officer@a.example"), "{approved}");
    browser.assert_accessible().await;
    let api = app.get_as(&a.officer, &format!("/api/v1/grants/{small}")).await.json();
    assert_eq!((api["status"].as_str(), api["approved_cents"].as_i64()), (Some("approved"), Some(150_000)));
    // A second submit of the same approval is refused in words, and changes nothing.
    browser
        .forge(
            &format!("/grants/{small}/decision/approve"),
            json!({"approved": "1.500,00", "checked": "yes"}),
        )
        .await;
    let again = browser.text().await;
    assert!(again.contains("Dat kan nu niet meer"), "{again}");
    let ledger = app.get_as(&a.officer, &format!("/api/v1/grants/{small}/ledger")).await.json();
    assert_eq!(ledger["items"].as_array().unwrap().len(), 1, "committed once: {ledger}");

    // Above the threshold: the first approval waits for a second person.
    browser.open(&app.url(&format!("/grants/{big}"))).await;
    browser.press("Beoordeling starten").await;
    browser.fill("Bedrag dat je toekent (in euro)", "3000").await;
    browser.tick("Ik heb het bedrag gecontroleerd").await;
    browser.press("Goedkeuren").await;
    let first = browser.text().await;
    assert!(first.contains("Je eerste goedkeuring is vastgelegd"), "{first}");
    assert!(!first.contains("Tweede goedkeuring geven"), "not by the same person: {first}");
    browser.assert_accessible().await;
    assert_eq!(app.get_as(&a.officer, &format!("/api/v1/grants/{big}")).await.json()["status"], "in_review");
    sign_out(&browser).await;

    // A finance-only user: reads the grant and the whole IBAN, but has no officer actions, and
    // a forged approval is refused with nothing changed.
    sign_in(&browser, &app, &finance.email).await;
    browser.open(&app.url(&format!("/grants/{urgent}"))).await;
    let page = browser.text().await;
    assert!(page.contains("NL91ABNA0417164300"), "finance pays, so reads the IBAN: {page}");
    for button in ["Beoordeling starten", "Goedkeuren", "Aanvraag afwijzen", "Vraag stellen"] {
        assert!(!page.contains(button), "{button}: {page}");
    }
    browser.assert_accessible().await;
    browser
        .forge(&format!("/grants/{urgent}/decision/approve"), json!({"approved": "500", "checked": "yes"}))
        .await;
    assert!(browser.text().await.contains("Dit mag je met jouw rol niet doen"), "{}", browser.text().await);
    let api = app.get_as(&a.officer, &format!("/api/v1/grants/{urgent}")).await.json();
    assert_eq!((api["status"].as_str(), api["approved_cents"].as_i64()), (Some("submitted"), None));
    sign_out(&browser).await;

    // The second officer sees who gave the first approval, and gives the second.
    sign_in(&browser, &app, &second.email).await;
    browser.open(&app.url(&format!("/grants/{big}"))).await;
    let page = browser.text().await;
    assert!(
        page.contains("Eerste goedkeuring gegeven") && page.contains("Goedgekeurd door officer@a.example"),
        "{page}"
    );
    browser.assert_accessible().await;
    browser.fill("Deel 1: datum (optioneel)", "1-2-2026").await;
    browser.fill("Deel 1: bedrag (optioneel)", "2.000,00").await;
    browser.fill("Deel 2: datum (optioneel)", "1-6-2026").await;
    browser.fill("Deel 2: bedrag (optioneel)", "1000").await;
    browser.tick("Ik heb het bedrag gecontroleerd").await;
    browser.press("Tweede goedkeuring geven").await;
    let done = browser.text().await;
    assert!(done.contains("De aanvraag is goedgekeurd."), "{done}");
    assert!(
        done.contains("Goedgekeurd door officer@a.example")
            && done.contains("Goedgekeurd door officer2@a.example"),
        "both names: {done}"
    );
    browser.assert_accessible().await;
    let api = app.get_as(&a.officer, &format!("/api/v1/grants/{big}")).await.json();
    assert_eq!((api["status"].as_str(), api["approved_cents"].as_i64()), (Some("approved"), Some(300_000)));
    let tranches = app.get_as(&a.officer, &format!("/api/v1/grants/{big}/tranches")).await.json();
    let amounts: Vec<i64> =
        tranches["items"].as_array().unwrap().iter().map(|t| t["amount_cents"].as_i64().unwrap()).collect();
    assert_eq!(amounts, vec![200_000, 100_000], "{tranches}");
    sign_out(&browser).await;

    // An officer of another municipality: not found, and a's grants are not in their queue.
    sign_in(&browser, &app, &b.officer.email).await;
    browser.open(&app.url(&format!("/grants/{small}"))).await;
    assert!(browser.text().await.contains("Deze pagina bestaat niet"), "{}", browser.text().await);
    browser.open(&app.url("/work")).await;
    let queue = browser.text().await;
    assert!(queue.contains("Geheim plan van b"), "{queue}");
    for title in ["Taalcafé", "Buurtfeest", "Zomerschool"] {
        assert!(!queue.contains(title), "{title}: {queue}");
    }
    browser.assert_accessible().await;
    let _ = other;
    browser.close().await;
}
