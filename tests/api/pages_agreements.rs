//! A network's agreements and shared vision in a real browser: the coordinator finds what waits
//! for their signature on the home page, reads the agreement, signs it (who and when are
//! recorded, as the API does), marks the network's own commitment done, sees the check-ins and
//! the printable version, endorses the vision; another municipality's volunteer gets "not
//! found". Accessible (axe-core) in Dutch, English and Arabic.

use serde_json::json;

use crate::browser::Browser;
use crate::fixtures::{draft_agreement, tenant};
use crate::helpers::TestApp;
use crate::on_both_backends;
use crate::pages_grants::sign_in;

on_both_backends!(a_coordinator_signs_an_agreement_marks_a_commitment_done_and_endorses_the_vision);

async fn a_coordinator_signs_an_agreement_marks_a_commitment_done_and_endorses_the_vision(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let b = tenant(&app, &root, "b").await;
    let network = json!({"type": "network", "id": a.network_id});
    let vision = app
        .post_as(
            &a.officer,
            "/api/v1/visions",
            json!({"municipality_id": a.municipality_id, "title": "Samen tegen eenzaamheid",
                   "statement": "Niemand hoeft er alleen voor te staan.\n\nWe kennen elkaar in de buurt.",
                   "goals": [{"title": "Meer ontmoeting", "indicator": "Twee koffie-ochtenden per week"}],
                   "themes": ["loneliness"], "parties": [network]}),
        )
        .await;
    assert_eq!(vision.status, 201, "{}", vision.text());
    let vision_id = vision.json()["id"].as_str().unwrap().to_owned();
    let proposed = app.post_as(&a.officer, &format!("/api/v1/visions/{vision_id}/propose"), json!({})).await;
    assert_eq!(proposed.status, 200, "{}", proposed.text());

    let draft = draft_agreement(&app, &a, "2026-01-01", None).await;
    let id = draft["id"].as_str().unwrap().to_owned();
    let api = format!("/api/v1/agreements/{id}");
    let linked = app
        .call(&a.officer, actix_web::http::Method::PATCH, &api, Some(json!({"vision_id": vision_id})))
        .await;
    assert_eq!(linked.status, 200, "{}", linked.text());
    for (who, step) in [(&a.officer, "propose"), (&a.officer, "sign")] {
        let reply = app.post_as(who, &format!("{api}/{step}"), json!({})).await;
        assert_eq!(reply.status, 200, "{step}: {}", reply.text());
    }

    let Some(browser) = Browser::start(true).await else { return };
    sign_in(&browser, &app, &a.coordinator.email).await;
    let home = browser.text().await;
    assert!(home.contains("Visies en samenwerkingsafspraken"), "{home}");
    assert!(home.contains("Koffie-ochtenden") && home.contains("Wacht op jouw handtekening"), "{home}");
    assert!(home.contains("Samen tegen eenzaamheid") && home.contains("Wacht op jouw steun"), "{home}");

    // Read the agreement: who signed, what it says, what the municipality offers. (The
    // fixture's grant has the same title, so the link is found by where it goes.)
    let link = format!("a[href='/agreements/{id}']");
    assert_eq!(browser.attribute(&link, "href").await, Some(format!("/agreements/{id}")));
    browser.open(&app.url(&format!("/agreements/{id}"))).await;
    let page = browser.text().await;
    assert!(
        page.contains("Voorgesteld, wacht op handtekeningen") && page.contains("Jij bent aan de beurt"),
        "{page}"
    );
    assert_eq!(page.matches("getekend door").count(), 1, "the municipality signed: {page}");
    assert_eq!(page.matches("nog niet getekend").count(), 2, "{page}");
    assert!(page.contains("Elke dinsdag koffie.") && page.contains("De buurtkamer"), "{page}");
    assert!(page.contains("Koffie (€ 250,00)"), "{page}");
    browser.assert_accessible().await;

    browser.press("Teken namens Buurtkracht a").await;
    assert_eq!(browser.path().await, format!("/agreements/{id}?saved=signed"));
    let page = browser.text().await;
    assert!(page.contains("Je hebt getekend."), "{page}");
    assert!(page.contains("Buurtkracht a: getekend door"), "{page}");
    assert!(!page.contains("Teken namens"), "signed once: {page}");
    let signed = app.get_as(&a.officer, &api).await.json();
    let signature = signed["current"]["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["party"]["type"] == "network")
        .cloned()
        .expect("the network's signature");
    assert_eq!(signature["party"]["id"], a.network_id.as_str());
    assert_eq!(signature["signed_by"], a.coordinator.id.as_str(), "who signed is recorded");
    assert!(
        signature["signed_at"].is_string() && signature["content_hash"] == signed["current"]["content_hash"]
    );

    // The organisation signs too: the agreement runs, its commitments open; a check-in is held.
    let last = app.post_as(&a.contact, &format!("{api}/sign"), json!({})).await.json();
    assert_eq!(last["status"], "active", "{last}");
    let check_in = app
        .post_as(
            &a.officer,
            &format!("{api}/check-ins"),
            json!({"held_on": "2026-11-20", "participants": ["Sanne", "Fatima"],
                   "notes": "Goed begin.", "agreed_actions": ["Nieuwe koffiemachine"]}),
        )
        .await;
    assert_eq!(check_in.status, 201, "{}", check_in.text());
    browser.open(&app.url(&format!("/agreements/{id}"))).await;
    let page = browser.text().await;
    assert!(
        page.contains("Loopt") && page.contains("Koffie zetten") && page.contains("Sleutel regelen"),
        "{page}"
    );
    assert!(page.contains("Aanwezig: Sanne, Fatima") && page.contains("Nieuwe koffiemachine"), "{page}");
    assert_eq!(page.matches("Nog te doen").count(), 2, "{page}");
    browser.assert_accessible().await;

    // Mark the network's own commitment done; the municipality's is not the network's to mark.
    assert_eq!(page.matches("Dit is gedaan").count(), 1, "only the network's own commitment: {page}");
    browser.open_details("Dit is gedaan").await;
    browser.fill("Wat is er gedaan? (optioneel)", "Elke dinsdag koffie gezet.").await;
    browser.press("Zet op gedaan").await;
    let page = browser.text().await;
    assert!(
        page.contains("Deze toezegging staat nu op gedaan.") && page.contains("Elke dinsdag koffie gezet."),
        "{page}"
    );
    let commitments = app.get_as(&a.officer, &format!("/api/v1/commitments?agreement_id={id}")).await.json();
    let ours = commitments["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["party"]["type"] == "network")
        .cloned()
        .expect("the network's commitment");
    assert_eq!(ours["status"], "done");
    assert_eq!(ours["note"], "Elke dinsdag koffie gezet.");
    let commitment_id = ours["id"].as_str().unwrap().to_owned();

    // The reminder's link opens the commitment on its agreement; the printable version.
    browser.open(&app.url(&format!("/commitments/{commitment_id}"))).await;
    assert_eq!(browser.path().await, format!("/agreements/{id}"));
    browser.follow("Printversie").await;
    let print = browser.text().await;
    assert!(print.contains("Samenwerkingsafspraak") && print.contains("Koffie-ochtenden"), "{print}");
    assert!(print.contains("Ondertekening") && print.contains("getekend door"), "{print}");

    // The shared vision: read and endorse.
    browser.open(&app.url(&format!("/agreements/{id}"))).await;
    browser.follow("Lees de gedeelde visie").await;
    let page = browser.text().await;
    assert!(
        page.contains("Niemand hoeft er alleen voor te staan.") && page.contains("Meer ontmoeting"),
        "{page}"
    );
    assert!(page.contains("nog niet onderschreven"), "{page}");
    browser.assert_accessible().await;
    browser.press("Onderschrijf namens Buurtkracht a").await;
    let page = browser.text().await;
    assert!(
        page.contains("Je hebt de visie onderschreven.") && page.contains("onderschreven door"),
        "{page}"
    );
    let endorsed = app.get_as(&a.officer, &format!("/api/v1/visions/{vision_id}")).await.json();
    let ours = endorsed["endorsements"].as_array().unwrap().iter().find(|e| e["party"] == network).cloned();
    assert_eq!(ours.expect("the network endorsed")["endorsed_by"], a.coordinator.id.as_str(), "{endorsed}");

    // English and Arabic (right to left).
    browser.open(&app.url(&format!("/agreements/{id}?lang=en"))).await;
    let page = browser.text().await;
    assert!(page.contains("Who does what") && page.contains("Running"), "{page}");
    browser.assert_accessible().await;
    browser.open(&app.url(&format!("/agreements/{id}?lang=ar"))).await;
    assert_eq!(browser.attribute("html", "dir").await.as_deref(), Some("rtl"));
    assert!(browser.text().await.contains("من يفعل ماذا"));
    browser.assert_accessible().await;
    browser.open(&app.url("/?lang=nl")).await;
    browser.close().await;

    // Another municipality's coordinator: not found, on every page of these records.
    let Some(other) = Browser::start(false).await else { return };
    sign_in(&other, &app, &b.coordinator.email).await;
    for path in [
        format!("/agreements/{id}"),
        format!("/agreements/{id}/print"),
        format!("/visions/{vision_id}"),
        format!("/commitments/{commitment_id}"),
    ] {
        other.open(&app.url(&path)).await;
        let page = other.text().await;
        assert!(page.contains("Deze pagina bestaat niet, of je mag hem niet zien."), "{path}: {page}");
        assert!(!page.contains("Koffie") && !page.contains("eenzaamheid"), "{path}: {page}");
    }
    other.close().await;
}
