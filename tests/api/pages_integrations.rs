//! Other systems, as a municipal admin connects them in a real browser: a service account made
//! through the pages gets a key that works against the API until it is revoked on the page; a
//! webhook made through the pages receives an event, the delivery log shows it, and redelivery
//! sends it again. An officer cannot (not even with a forged form); another municipality's
//! admin gets "not found". Accessible (axe-core).

use actix_web::http::Method;
use pactum::outbox::worker::WorkerConfig;
use serde_json::json;

use crate::browser::Browser;
use crate::fixtures::{grant_in_review, tenant};
use crate::helpers::{TestApp, User};
use crate::on_both_backends;
use crate::pages_grants::sign_in;
use crate::webhooks::{deliver, pause_fixture, Receiver};

on_both_backends!(
    an_admin_connects_a_system_and_revokes_its_key,
    an_admin_sends_events_to_another_system_and_redelivers_one,
);

/// The items of a list in the API.
async fn items(app: &TestApp, user: &User, path: &str) -> Vec<serde_json::Value> {
    app.get_as(user, path).await.json()["items"].as_array().unwrap().clone()
}

async fn an_admin_connects_a_system_and_revokes_its_key(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let b = tenant(&app, &root, "b").await;
    let id = a.municipality_id.clone();
    let accounts = format!("/api/v1/municipalities/{id}/service-accounts");
    let Some(browser) = Browser::start(true).await else { return };
    sign_in(&browser, &app, "admin@a.example").await;
    browser.follow("Beheer").await;
    browser.follow("Koppelingen met andere systemen").await;
    assert_eq!(browser.path().await, format!("/municipalities/{id}/service-accounts"));
    let page = browser.text().await;
    assert!(
        page.contains("Financieel systeem")
            && page.contains("Mag: Fondsen, aanvragen en betalingen bekijken"),
        "{page}"
    );
    browser.assert_accessible().await;

    // No name and nothing ticked: said beside the fields, nothing made.
    browser.follow("Nieuwe koppeling").await;
    browser.press("Koppeling aanmaken").await;
    let page = browser.text().await;
    assert!(
        page.contains("Vul een naam in van hoogstens 200 tekens.")
            && page.contains("Kies minstens één ding dat het systeem mag."),
        "{page}"
    );
    assert_eq!(browser.attribute("#name", "aria-invalid").await.as_deref(), Some("true"));
    browser.assert_accessible().await;
    assert_eq!(items(&app, &a.admin, &accounts).await.len(), 1, "nothing made from a wrong form");
    browser.fill("Naam van de koppeling", "Zaaksysteem").await;
    browser.tick("Fondsen, aanvragen en betalingen bekijken").await;
    browser.fill("Werkt tot en met (optioneel)", "31-12-2099").await;
    browser.press("Koppeling aanmaken").await;
    let page = browser.text().await;
    assert!(
        page.contains("Koppeling: Zaaksysteem") && page.contains("De koppeling is aangemaakt."),
        "{page}"
    );
    browser.assert_accessible().await;
    let made = items(&app, &a.admin, &accounts).await;
    let account = made.iter().find(|s| s["name"] == "Zaaksysteem").expect("the new account");
    assert_eq!(account["scopes"], json!(["grants:read"]));
    assert_eq!(account["expires_at"], "2099-12-31T23:00:00Z", "the end of that day in Amsterdam");
    let sid = account["id"].as_str().unwrap().to_owned();

    // A key, shown once on the answer page (not in its address), that works against the API.
    browser.fill("Waarvoor is de sleutel? (optioneel)", "Productie").await;
    browser.press("Sleutel maken").await;
    assert!(browser.text().await.contains("Je ziet hem hierna nooit meer."));
    browser.assert_accessible().await;
    let secret = browser.attribute("#secret", "value").await.expect("the key");
    assert!(secret.starts_with("pct_"), "{secret}");
    assert!(!browser.path().await.contains(&secret));
    let system = User { id: sid.clone(), email: String::new(), token: secret.clone() };
    let funds = format!("/api/v1/funds?municipality_id={id}");
    assert_eq!(app.get_as(&system, &funds).await.status, 200);
    browser.follow("Ik heb de sleutel gekopieerd: terug naar de koppeling").await;
    let page = browser.text().await;
    assert!(page.contains("Productie") && !page.contains(&secret), "{page}");

    // Revoked after a confirmation: the same call is refused.
    let hint = &secret[..8];
    browser.open_details(&format!("Sleutel {hint}… intrekken")).await;
    browser.press(&format!("Ja, trek sleutel {hint}… in")).await;
    let page = browser.text().await;
    assert!(page.contains("De sleutel is ingetrokken.") && page.contains("ingetrokken op"), "{page}");
    assert_eq!(app.get_as(&system, &funds).await.status, 401);

    // Switching it off at a version someone else changed meanwhile changes nothing, and says so.
    let path = format!("/api/v1/municipalities/{id}/service-accounts/{sid}");
    let renamed = app.call(&a.admin, Method::PATCH, &path, Some(json!({"name": "Zaaksysteem 2"}))).await;
    assert_eq!(renamed.status, 200, "{}", renamed.text());
    browser.press("Koppeling uitzetten").await;
    assert!(browser.text().await.contains("Iemand anders heeft dit net aangepast. Er is niets veranderd."));
    assert_eq!(app.get_as(&a.admin, &path).await.json()["active"], true);
    browser.press("Koppeling uitzetten").await;
    assert!(browser.text().await.contains("De koppeling staat uit."));
    assert_eq!(app.get_as(&a.admin, &path).await.json()["active"], false);
    browser.close().await;

    // An officer has no link to it, is refused, and a forged form makes nothing.
    let Some(browser) = Browser::start(true).await else { return };
    sign_in(&browser, &app, "officer@a.example").await;
    assert!(!browser.text().await.contains("Beheer"));
    browser.open(&app.url(&format!("/municipalities/{id}/service-accounts"))).await;
    let refused = "Alleen een beheerder van de gemeente regelt koppelingen en webhooks.";
    assert!(browser.text().await.contains(refused), "{}", browser.text().await);
    let action = format!("/municipalities/{id}/service-accounts/new");
    browser.forge(&action, json!({"name": "Nep", "scope-members-read": "yes"})).await;
    assert!(browser.text().await.contains(refused));
    assert_eq!(items(&app, &a.admin, &accounts).await.len(), 2, "nothing made");
    browser.close().await;

    // Another municipality's admin: not found.
    let Some(browser) = Browser::start(false).await else { return };
    sign_in(&browser, &app, &b.admin.email).await;
    browser.open(&app.url(&format!("/municipalities/{id}/service-accounts/{sid}"))).await;
    let page = browser.text().await;
    assert!(page.contains("Deze pagina bestaat niet") && !page.contains("Zaaksysteem"), "{page}");
    browser.close().await;
}

/// The text of each cell of the first row of the page's table.
async fn first_row(browser: &Browser) -> Vec<String> {
    let cells =
        browser.client.find_all(fantoccini::Locator::Css("tbody tr:first-child td")).await.expect("cells");
    let mut texts = Vec::new();
    for cell in cells {
        texts.push(cell.text().await.expect("its text"));
    }
    texts
}

async fn an_admin_sends_events_to_another_system_and_redelivers_one(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let b = tenant(&app, &root, "b").await;
    pause_fixture(&app, &a).await;
    let webhooks = format!("/api/v1/webhooks?municipality_id={}", a.municipality_id);
    let receiver = Receiver::start();
    let Some(browser) = Browser::start(true).await else { return };
    sign_in(&browser, &app, "admin@a.example").await;
    browser.follow("Beheer").await;
    browser.follow("Berichten aan andere systemen (webhooks)").await;
    let page = browser.text().await;
    assert!(page.contains("http://127.0.0.1:9/hooks") && page.contains("Gepauzeerd"), "{page}");
    browser.assert_accessible().await;

    // Plain http to another machine and no events: said beside the fields, nothing made.
    browser.follow("Nieuwe webhook").await;
    browser.fill("Adres van het andere systeem", "http://financien.example/pactum").await;
    browser.press("Webhook aanmaken").await;
    let page = browser.text().await;
    assert!(
        page.contains("Dit adres kan niet.") && page.contains("Kies minstens één gebeurtenis."),
        "{page}"
    );
    browser.assert_accessible().await;
    assert_eq!(items(&app, &a.admin, &webhooks).await.len(), 1, "nothing made from a wrong form");
    browser.fill("Adres van het andere systeem", &receiver.url).await;
    browser.tick("Een netwerk heeft een aanvraag ingediend").await;
    browser.fill("Omschrijving (optioneel)", "Financieel systeem").await;
    browser.press("Webhook aanmaken").await;
    assert!(browser.text().await.contains("Je ziet hem hierna nooit meer."));
    let secret = browser.attribute("#secret", "value").await.expect("the signing secret");
    assert!(secret.starts_with("whsec_"), "{secret}");
    browser.follow("Ik heb de sleutel gekopieerd: naar de webhook").await;
    browser.assert_accessible().await;
    let made = items(&app, &a.admin, &webhooks).await;
    let subscription = made.iter().find(|s| s["url"] == receiver.url.as_str()).expect("the webhook");
    assert_eq!(subscription["event_types"], json!(["grant.submitted"]));
    let wid = subscription["id"].as_str().unwrap().to_owned();

    // An application arrives: the receiver gets it signed with the secret the page showed.
    let _grant = grant_in_review(&app, &a, &a.fund_id, 10_000).await;
    assert_eq!(deliver(&app, WorkerConfig::default(), pactum::domain::time::now()).await.sent, 1);
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    let first = &got[0];
    let body = first.body.as_bytes();
    assert!(pactum::webhooks::signature::verify(&secret, &first.id, first.timestamp, body, &first.signature));

    // The log shows it delivered with the receiver's answer; sending it again delivers it again.
    browser.follow("Bekijk de berichten die Pactum heeft verstuurd").await;
    let row = first_row(&browser).await;
    assert_eq!(
        (row[0].as_str(), row[2].as_str(), row[3].as_str(), row[4].as_str()),
        ("Een netwerk heeft een aanvraag ingediend", "afgeleverd", "1", "204"),
        "{row:?}"
    );
    browser.assert_accessible().await;
    browser.press("Nog een keer versturen").await;
    assert!(browser.text().await.contains("Het bericht gaat nog een keer."));
    assert_eq!(deliver(&app, WorkerConfig::default(), pactum::domain::time::now()).await.sent, 1);
    let got = receiver.received();
    assert_eq!((got.len(), got[1].id.as_str()), (2, first.id.as_str()), "the same message again");
    let log = app.get_as(&a.admin, &format!("/api/v1/webhooks/{wid}/deliveries")).await.json();
    assert_eq!(log["items"][0]["attempt_log"].as_array().unwrap().len(), 2, "{log}");

    // Paused on its page; a new signing secret is shown once.
    browser.follow("Terug naar de webhook").await;
    browser.press("Webhook pauzeren").await;
    assert!(browser.text().await.contains("De webhook is gepauzeerd."));
    assert_eq!(app.get_as(&a.admin, &format!("/api/v1/webhooks/{wid}")).await.json()["active"], false);
    browser.follow("Terug naar de webhooks").await;
    assert!(browser.text().await.contains("Financieel systeem"));
    browser.assert_accessible().await;
    browser.follow(&receiver.url).await;
    browser.open_details("Een nieuwe geheime sleutel maken").await;
    browser.press("Ja, maak een nieuwe geheime sleutel").await;
    let rotated = browser.attribute("#secret", "value").await.expect("the new secret");
    assert!(rotated.starts_with("whsec_") && rotated != secret);
    browser.close().await;

    // An officer's forged form changes nothing; another municipality's admin: not found.
    let Some(browser) = Browser::start(true).await else { return };
    sign_in(&browser, &app, "officer@a.example").await;
    browser.forge(&format!("/webhooks/{wid}/active"), json!({"active": "true", "version": "3"})).await;
    let page = browser.text().await;
    assert!(page.contains("Alleen een beheerder van de gemeente regelt koppelingen en webhooks."), "{page}");
    assert_eq!(app.get_as(&a.admin, &format!("/api/v1/webhooks/{wid}")).await.json()["active"], false);
    browser.close().await;
    let Some(browser) = Browser::start(false).await else { return };
    sign_in(&browser, &app, &b.admin.email).await;
    browser.open(&app.url(&format!("/webhooks/{wid}/deliveries"))).await;
    let page = browser.text().await;
    assert!(page.contains("Deze pagina bestaat niet") && !page.contains(&receiver.url), "{page}");
    browser.close().await;
}
