//! The municipality drafts visions and agreements in a real browser, without the API: an officer
//! drafts an agreement with a network (clauses, an offer, commitments on both sides), proposes
//! it, the network's coordinator and then the municipality sign it on its page; an amendment is
//! prepared, proposed and compared with the version in force; a check-in is recorded; a vision
//! is drafted, edited, proposed, endorsed and archived. A stale form never overwrites what
//! someone else saved; an officer of another municipality gets "not found"; someone without
//! the right changes nothing with a forged form. Accessible (axe-core) on every new page.

use serde_json::json;

use crate::browser::Browser;
use crate::fixtures::{draft_agreement, tenant, Tenant};
use crate::helpers::{TestApp, User};
use crate::on_both_backends;
use crate::pages_grants::sign_in;

on_both_backends!(
    an_agreement_is_drafted_proposed_and_signed_by_the_municipality_through_the_pages,
    an_amendment_is_compared_with_the_version_in_force_and_a_check_in_is_recorded,
    a_vision_is_drafted_proposed_endorsed_and_archived_through_the_pages,
    a_stale_edit_is_refused_with_a_message_and_bad_input_is_explained,
    an_agreement_is_suspended_resumed_and_completed_from_its_page,
    another_municipality_gets_not_found_and_forged_forms_change_nothing,
);

const NOT_FOUND: &str = "Deze pagina bestaat niet, of je mag hem niet zien.";

async fn sign_out(browser: &Browser) {
    browser.press("Uitloggen").await;
}

/// The agreement's id from its page's address.
async fn id_from_path(browser: &Browser, prefix: &str) -> String {
    let path = browser.path().await;
    let rest = path.strip_prefix(prefix).unwrap_or_else(|| panic!("{path} starts with {prefix}"));
    rest.split(['?', '/']).next().unwrap().to_owned()
}

/// What a field holds now (a text box or a text area).
async fn typed(browser: &Browser, css: &str) -> String {
    let field = browser.client.find(fantoccini::Locator::Css(css)).await.expect("the field");
    field.prop("value").await.expect("its value").unwrap_or_default()
}

/// Municipality `a` with its officer signed in, on the page of its agreement in force.
async fn officer_on_the_agreement_in_force(app: &TestApp) -> Option<(Tenant, Browser)> {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(app, &root, "a").await;
    let browser = Browser::start(true).await?;
    sign_in(&browser, app, &a.officer.email).await;
    browser.open(&app.url(&format!("/agreements/{}", a.agreement_id))).await;
    Some((a, browser))
}

async fn agreement(app: &TestApp, who: &User, id: &str) -> serde_json::Value {
    let reply = app.get_as(who, &format!("/api/v1/agreements/{id}")).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()
}

async fn an_agreement_is_drafted_proposed_and_signed_by_the_municipality_through_the_pages(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let Some(browser) = Browser::start(true).await else { return };
    sign_in(&browser, &app, &a.officer.email).await;

    // The list, from the staff menu: the fixture's agreement and vision, with their status.
    browser.follow("Afspraken en visies").await;
    assert_eq!(browser.path().await, "/agreements");
    let page = browser.text().await;
    assert!(page.contains("Koffie-ochtenden") && page.contains("Loopt"), "{page}");
    assert!(page.contains("Visie a") && page.contains("In voorbereiding"), "{page}");
    assert!(page.contains("Buurtkracht a, Welzijn a"), "the other parties by name: {page}");
    browser.assert_accessible().await;

    browser.follow("Nieuwe samenwerkingsafspraak").await;
    assert_eq!(browser.path().await, "/agreements/new");
    browser.assert_accessible().await;
    browser.fill("Naam van de afspraak", "Taalcafé in de bibliotheek").await;
    browser.tick("Buurtkracht a").await;
    browser.fill("Eerste dag", "1-1-2026").await;
    browser.fill("Laatste dag (optioneel)", "31-12-2027").await;
    browser
        .fill(
            "De afspraken (optioneel)",
            "1. Het netwerk houdt elke week een taalcafé.\n2. De gemeente betaalt koffie en thee.",
        )
        .await;
    browser.choose("Aanbod 1: soort (optioneel)", "Geld").await;
    browser.fill("Aanbod 1: wat (optioneel)", "Koffie en thee").await;
    browser.fill("Aanbod 1: bedrag (optioneel)", "300,50").await;
    browser.choose("Toezegging 1: wie (optioneel)", "Buurtkracht a").await;
    browser.fill("Toezegging 1: wat (optioneel)", "Elke week een taalcafé").await;
    browser.fill("Toezegging 1: uiterlijk (optioneel)", "1-3-2027").await;
    // Without JavaScript: more rows come from the server, with what was typed kept.
    browser.press("Meer regels toevoegen").await;
    let page = browser.text().await;
    assert!(page.contains("Toezegging 5: wie"), "more rows: {page}");
    assert_eq!(typed(&browser, "#commitment-1-description").await, "Elke week een taalcafé");
    browser.choose("Toezegging 2: wie (optioneel)", "Gemeente a").await;
    browser.fill("Toezegging 2: wat (optioneel)", "Een ruimte in de bibliotheek regelen").await;
    browser.press("Opslaan").await;
    let id = id_from_path(&browser, "/agreements/").await;
    assert_eq!(browser.path().await, format!("/agreements/{id}?saved=drafted"));
    let page = browser.text().await;
    assert!(page.contains("opgeslagen als concept") && page.contains("In voorbereiding"), "{page}");
    assert!(page.contains("Koffie en thee (€ 300,50)"), "{page}");
    browser.assert_accessible().await;

    browser.press("Stel voor aan de partijen").await;
    assert_eq!(browser.path().await, format!("/agreements/{id}?saved=propose"));
    let page = browser.text().await;
    assert!(page.contains("De afspraak is voorgesteld.") && page.contains("Voorgesteld"), "{page}");
    assert!(!page.contains("Stel voor aan de partijen"), "proposed once: {page}");
    // Asking for changes (a reason is needed) sends it back to draft; proposed again.
    browser.open_details("Vraag om aanpassingen").await;
    browser.press("Vraag om aanpassingen").await;
    assert!(browser.text().await.contains("Schrijf op waarom."), "a reason is needed");
    browser.fill("Wat moet er anders?", "De einddatum klopt niet.").await;
    browser.press("Vraag om aanpassingen").await;
    let page = browser.text().await;
    assert!(
        page.contains("Je hebt om aanpassingen gevraagd.") && page.contains("In voorbereiding"),
        "{page}"
    );
    assert_eq!(agreement(&app, &a.officer, &id).await["status_reason"], "De einddatum klopt niet.");
    browser.press("Stel voor aan de partijen").await;
    assert!(browser.text().await.contains("De afspraak is voorgesteld."));
    sign_out(&browser).await;

    // The network's coordinator signs on the page, then the municipality.
    sign_in(&browser, &app, &a.coordinator.email).await;
    browser.open(&app.url(&format!("/agreements/{id}"))).await;
    browser.press("Teken namens Buurtkracht a").await;
    assert!(browser.text().await.contains("Je hebt getekend."));
    sign_out(&browser).await;
    sign_in(&browser, &app, &a.officer.email).await;
    browser.open(&app.url(&format!("/agreements/{id}"))).await;
    browser.press("Teken namens Gemeente a").await;
    let page = browser.text().await;
    assert!(page.contains("Je hebt getekend.") && page.contains("Loopt"), "{page}");
    browser.close().await;

    let signed = agreement(&app, &a.officer, &id).await;
    assert_eq!(signed["status"], "active", "{signed}");
    let content = &signed["current"]["content"];
    assert_eq!(content["title"], "Taalcafé in de bibliotheek");
    assert_eq!(content["ends_on"], "2027-12-31");
    assert_eq!(
        content["provisions"],
        json!([{"kind": "money", "description": "Koffie en thee", "amount_cents": 30050}])
    );
    let signatures = signed["current"]["signatures"].as_array().unwrap();
    let by = |kind: &str| signatures.iter().find(|s| s["party"]["type"] == kind).cloned().expect(kind);
    assert_eq!(by("network")["signed_by"], a.coordinator.id.as_str());
    assert_eq!(by("municipality")["signed_by"], a.officer.id.as_str());
    assert_eq!(signatures.len(), 2, "{signed}");
    let commitments = app.get_as(&a.officer, &format!("/api/v1/commitments?agreement_id={id}")).await.json();
    let mut owed: Vec<(String, String, String)> = commitments["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let due = c["due_on"].as_str().unwrap_or("").to_owned();
            (
                c["party"]["type"].as_str().unwrap().to_owned(),
                c["description"].as_str().unwrap().to_owned(),
                due,
            )
        })
        .collect();
    owed.sort();
    assert_eq!(
        owed,
        vec![
            ("municipality".into(), "Een ruimte in de bibliotheek regelen".into(), String::new()),
            ("network".into(), "Elke week een taalcafé".into(), "2027-03-01".into()),
        ]
    );
}

async fn an_amendment_is_compared_with_the_version_in_force_and_a_check_in_is_recorded(app: TestApp) {
    let Some((a, browser)) = officer_on_the_agreement_in_force(&app).await else { return };
    let id = a.agreement_id.clone();
    assert!(!browser.text().await.contains("Afspraak aanpassen"), "a signed version never changes");

    browser.open_details("Wijziging voorbereiden").await;
    browser.press("Maak een nieuwe versie").await;
    let page = browser.text().await;
    assert!(page.contains("Er is een wijziging in voorbereiding (versie 2)"), "{page}");
    browser.follow("Wijziging aanpassen").await;
    assert_eq!(browser.path().await, format!("/agreements/{id}/edit"));
    let page = browser.text().await;
    assert!(page.contains("Een wijziging houdt dezelfde partijen."), "{page}");
    browser.assert_accessible().await;
    browser
        .fill(
            "De afspraken (optioneel)",
            "1. Elke dinsdag en donderdag koffie.\n2. De gemeente stelt de buurtkamer beschikbaar.",
        )
        .await;
    browser.fill("Toezegging 1: wat (optioneel)", "Koffie en thee zetten").await;
    browser.press("Opslaan").await;
    assert_eq!(browser.path().await, format!("/agreements/{id}?saved=saved"));
    browser.press("Stel voor aan de partijen").await;
    let page = browser.text().await;
    assert!(page.contains("Dit is de voorgestelde wijziging (versie 2)"), "{page}");

    // The versions, and what changed, marked in words.
    browser.follow("Alle versies").await;
    let page = browser.text().await;
    assert!(page.contains("Versie 1") && page.contains("Door iedereen getekend"), "{page}");
    assert!(page.contains("Versie 2") && page.contains("Voorgesteld, wacht op handtekeningen"), "{page}");
    browser.assert_accessible().await;
    browser.follow("Wat is er veranderd ten opzichte van versie 1?").await;
    assert_eq!(browser.path().await, format!("/agreements/{id}/diff?from=1&to=2"));
    let page = browser.text().await;
    assert!(page.contains("Weggehaald: 1. Elke dinsdag koffie."), "{page}");
    assert!(page.contains("Toegevoegd: 1. Elke dinsdag en donderdag koffie."), "{page}");
    assert!(!page.contains("Weggehaald: 2."), "an unchanged line is not marked: {page}");
    assert!(page.contains("Toezegging veranderd"), "{page}");
    assert!(page.contains("was: Buurtkracht a: Koffie zetten, uiterlijk 1 maart 2027"), "{page}");
    assert!(page.contains("wordt: Buurtkracht a: Koffie en thee zetten, uiterlijk 1 maart 2027"), "{page}");
    browser.assert_accessible().await;
    let api = agreement(&app, &a.officer, &id).await;
    assert_eq!((api["status"].as_str(), api["current"]["number"].as_i64()), (Some("active"), Some(1)));
    assert_eq!(api["amendment"]["status"], "proposed", "{api}");

    // A check-in: a date that is no date is explained and nothing is written; then it is saved.
    browser.open(&app.url(&format!("/agreements/{id}"))).await;
    browser.open_details("Gesprek vastleggen").await;
    browser.fill("Datum van het gesprek", "morgen").await;
    browser.fill("Wat hebben jullie besproken? (optioneel)", "Goed begin.").await;
    browser.press("Gesprek opslaan").await;
    let page = browser.text().await;
    assert!(page.contains("Vul een datum in als dag-maand-jaar"), "{page}");
    assert_eq!(typed(&browser, "#notes").await, "Goed begin.", "kept");
    let check_ins = format!("/api/v1/agreements/{id}/check-ins");
    assert_eq!(app.get_as(&a.officer, &check_ins).await.json()["items"], json!([]));
    browser.fill("Datum van het gesprek", "20-11-2026").await;
    browser.fill("Wie waren erbij? (optioneel)", "Sanne, Fatima").await;
    browser
        .fill("Wat hebben jullie afgesproken? (optioneel)", "Nieuwe koffiemachine\nGrotere ruimte zoeken")
        .await;
    browser.press("Gesprek opslaan").await;
    assert_eq!(browser.path().await, format!("/agreements/{id}?saved=check-in"));
    let page = browser.text().await;
    assert!(
        page.contains("Het gesprek is opgeslagen.") && page.contains("Aanwezig: Sanne, Fatima"),
        "{page}"
    );
    browser.assert_accessible().await;
    browser.close().await;
    let recorded = app.get_as(&a.officer, &check_ins).await.json();
    let item = &recorded["items"][0];
    assert_eq!(item["held_on"], "2026-11-20");
    assert_eq!(item["participants"], json!(["Sanne", "Fatima"]));
    assert_eq!(item["notes"], "Goed begin.");
    assert_eq!(item["agreed_actions"], json!(["Nieuwe koffiemachine", "Grotere ruimte zoeken"]));
    assert_eq!(item["created_by"], a.officer.id.as_str());
}

async fn a_vision_is_drafted_proposed_endorsed_and_archived_through_the_pages(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let Some(browser) = Browser::start(true).await else { return };
    sign_in(&browser, &app, &a.officer.email).await;
    browser.open(&app.url("/agreements")).await;
    browser.follow("Nieuwe visie").await;
    browser.assert_accessible().await;
    browser.fill("Naam van de visie", "Samen sterk in Oost").await;
    browser.fill("Wat willen jullie samen bereiken? (optioneel)", "Niemand staat er alleen voor.").await;
    browser.fill("Doelen (optioneel)", "Meer ontmoeting\nMinder eenzaamheid").await;
    browser.fill("Thema's (optioneel)", "eenzaamheid, taal").await;
    browser.press("Opslaan").await;
    assert!(browser.text().await.contains("Kies minstens één netwerk of organisatie."), "a party is needed");
    browser.tick("Buurtkracht a").await;
    browser.press("Opslaan").await;
    let id = id_from_path(&browser, "/visions/").await;
    assert_eq!(browser.path().await, format!("/visions/{id}?saved=drafted"));
    let page = browser.text().await;
    assert!(page.contains("Niemand staat er alleen voor.") && page.contains("Minder eenzaamheid"), "{page}");
    browser.assert_accessible().await;

    browser.follow("Visie aanpassen").await;
    browser.assert_accessible().await;
    browser
        .fill("Wat willen jullie samen bereiken? (optioneel)", "Niemand in Oost staat er alleen voor.")
        .await;
    browser.press("Opslaan").await;
    assert_eq!(browser.path().await, format!("/visions/{id}?saved=saved"));
    browser.press("Stel voor aan de partijen").await;
    assert!(browser.text().await.contains("De visie is voorgesteld."));
    browser.press("Onderschrijf namens Gemeente a").await;
    assert!(browser.text().await.contains("Je hebt de visie onderschreven."));
    browser.follow("Eerdere versies").await;
    let page = browser.text().await;
    assert!(page.contains("Versie 2") && page.contains("Niemand in Oost staat er alleen voor."), "{page}");
    assert!(page.contains("Versie 1") && page.contains("Niemand staat er alleen voor."), "{page}");
    browser.assert_accessible().await;

    // The network endorses (its page is tested elsewhere); then the officer archives it.
    let path = format!("/api/v1/visions/{id}");
    let endorsed = app.post_as(&a.coordinator, &format!("{path}/endorse"), json!({})).await.json();
    assert_eq!(endorsed["status"], "endorsed", "{endorsed}");
    assert_eq!(
        endorsed["goals"],
        json!([{"title": "Meer ontmoeting", "indicator": null}, {"title": "Minder eenzaamheid", "indicator": null}])
    );
    assert_eq!(endorsed["themes"], json!(["eenzaamheid", "taal"]));
    browser.open(&app.url(&format!("/visions/{id}"))).await;
    assert!(browser.text().await.contains("Door iedereen onderschreven"));
    browser.open_details("Visie niet meer gebruiken").await;
    browser.press("Zet in het archief").await;
    assert!(browser.text().await.contains("De visie staat in het archief."));
    browser.close().await;
    let archived = app.get_as(&a.officer, &path).await.json();
    assert_eq!(archived["status"], "archived");
    assert_eq!(archived["endorsements"].as_array().unwrap().len(), 2, "{archived}");
}

async fn a_stale_edit_is_refused_with_a_message_and_bad_input_is_explained(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let id = draft_agreement(&app, &a, "2026-01-01", None).await["id"].as_str().unwrap().to_owned();
    let Some(browser) = Browser::start(true).await else { return };
    sign_in(&browser, &app, &a.officer.email).await;
    browser.open(&app.url(&format!("/agreements/{id}/edit"))).await;
    browser.assert_accessible().await;

    // Someone saves through the API while the form is open.
    let api = format!("/api/v1/agreements/{id}");
    let other = app
        .call(&a.officer, actix_web::http::Method::PATCH, &api, Some(json!({"title": "Koffie (API)"})))
        .await;
    assert_eq!(other.status, 200, "{}", other.text());
    browser.fill("Naam van de afspraak", "Koffie in Oost").await;
    browser.press("Opslaan").await;
    let page = browser.text().await;
    assert!(page.contains("Iemand anders heeft dit opgeslagen nadat jij het opende."), "{page}");
    assert!(page.contains("Lees de nieuwe versie"), "{page}");
    assert_eq!(typed(&browser, "#title").await, "Koffie in Oost", "kept");
    assert_eq!(agreement(&app, &a.officer, &id).await["current"]["content"]["title"], "Koffie (API)");
    browser.assert_accessible().await;

    // Bad input: said beside each field, nothing written.
    browser.fill("Eerste dag", "32-1-2026").await;
    browser.fill("Toezegging 2: wat (optioneel)", "").await;
    browser.fill("Toezegging 2: uiterlijk (optioneel)", "1-4-2027").await;
    browser.choose("Aanbod 2: soort (optioneel)", "Advies").await;
    browser.press("Opslaan").await;
    let page = browser.text().await;
    assert!(page.contains("Vul een datum in als dag-maand-jaar"), "{page}");
    assert!(page.contains("Schrijf op wat deze partij doet."), "{page}");
    assert!(page.contains("Een bedrag hoort bij geld."), "the coffee money became advice: {page}");
    assert_eq!(browser.attribute("#starts_on", "aria-invalid").await.as_deref(), Some("true"));
    assert_eq!(agreement(&app, &a.officer, &id).await["current"]["content"]["title"], "Koffie (API)");

    // Fixed, and saved after the newer version was seen.
    browser.fill("Eerste dag", "1-2-2026").await;
    browser.fill("Toezegging 2: wat (optioneel)", "Sleutel regelen").await;
    browser.choose("Aanbod 2: soort (optioneel)", "Geld").await;
    browser.press("Opslaan").await;
    assert_eq!(browser.path().await, format!("/agreements/{id}?saved=saved"));
    browser.close().await;
    let saved = agreement(&app, &a.officer, &id).await;
    let content = &saved["current"]["content"];
    assert_eq!(
        (content["title"].as_str(), content["starts_on"].as_str()),
        (Some("Koffie in Oost"), Some("2026-02-01"))
    );
    assert_eq!(content["commitments"][1]["due_on"], "2027-04-01", "{saved}");
}

async fn an_agreement_is_suspended_resumed_and_completed_from_its_page(app: TestApp) {
    let Some((a, browser)) = officer_on_the_agreement_in_force(&app).await else { return };
    let id = a.agreement_id.clone();
    assert!(!browser.text().await.contains("Laat de afspraak weer lopen"), "not suspended");
    browser.open_details("Afspraak tijdelijk stilzetten").await;
    browser.press("Zet stil").await;
    let page = browser.text().await;
    assert!(page.contains("Schrijf op waarom."), "a reason is needed: {page}");
    assert_eq!(agreement(&app, &a.officer, &id).await["status"], "active");
    browser.fill("Waarom zet je de afspraak stil?", "De buurtkamer wordt verbouwd.").await;
    browser.press("Zet stil").await;
    let page = browser.text().await;
    assert!(
        page.contains("De afspraak is tijdelijk stilgezet.") && page.contains("Tijdelijk stilgezet"),
        "{page}"
    );
    browser.assert_accessible().await;
    let suspended = agreement(&app, &a.officer, &id).await;
    assert_eq!(suspended["status"], "suspended");
    assert_eq!(suspended["status_reason"], "De buurtkamer wordt verbouwd.");
    browser.press("Laat de afspraak weer lopen").await;
    assert!(browser.text().await.contains("De afspraak loopt weer."));
    browser.open_details("Afspraak afronden").await;
    browser.press("Rond af").await;
    let page = browser.text().await;
    assert!(page.contains("De afspraak is afgerond.") && !page.contains("Afspraak beëindigen"), "{page}");

    // The drafting pages in English and Arabic (right to left).
    browser.open(&app.url("/agreements/new?lang=en")).await;
    let page = browser.text().await;
    assert!(page.contains("New collaboration agreement") && page.contains("Commitment 1: who"), "{page}");
    browser.assert_accessible().await;
    browser.open(&app.url(&format!("/agreements/{id}/versions?lang=ar"))).await;
    assert_eq!(browser.attribute("html", "dir").await.as_deref(), Some("rtl"));
    browser.assert_accessible().await;
    browser.open(&app.url("/?lang=nl")).await;
    browser.close().await;
    assert_eq!(agreement(&app, &a.officer, &id).await["status"], "completed");
}

/// Nothing in `t`'s draft agreement and vision changed, and no agreement was added.
async fn unchanged(app: &TestApp, t: &Tenant, draft: &str, agreements: usize) {
    let api = agreement(app, &t.officer, draft).await;
    assert_eq!((api["status"].as_str(), api["version"].as_i64()), (Some("draft"), Some(1)), "{api}");
    assert_eq!(api["current"]["content"]["title"], "Koffie-ochtenden");
    let vision = app.get_as(&t.officer, &format!("/api/v1/visions/{}", t.vision_id)).await.json();
    assert_eq!(
        (vision["status"].as_str(), vision["revision"].as_i64()),
        (Some("draft"), Some(1)),
        "{vision}"
    );
    let listed =
        app.get_as(&t.officer, &format!("/api/v1/agreements?municipality_id={}", t.municipality_id)).await;
    assert_eq!(listed.json()["items"].as_array().unwrap().len(), agreements);
    let check_ins = app.get_as(&t.officer, &format!("/api/v1/agreements/{draft}/check-ins")).await.json();
    assert_eq!(check_ins["items"], json!([]));
}

async fn another_municipality_gets_not_found_and_forged_forms_change_nothing(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let b = tenant(&app, &root, "b").await;
    let draft = draft_agreement(&app, &a, "2026-01-01", None).await["id"].as_str().unwrap().to_owned();
    let (vision, active) = (a.vision_id.clone(), a.agreement_id.clone());
    let forged = [
        (
            format!("/agreements/{draft}/edit"),
            json!({"title": "Gekaapt", "starts_on": "1-1-2026", "party-network-x": "yes", "version": "1"}),
        ),
        (format!("/agreements/{draft}/propose"), json!({})),
        (format!("/agreements/{active}/terminate"), json!({"reason-terminate": "Zomaar"})),
        (format!("/agreements/{draft}/check-ins"), json!({"held_on": "1-11-2026", "notes": "Gekaapt"})),
        (format!("/visions/{vision}/edit"), json!({"title": "Gekaapt", "version": "1"})),
        (format!("/visions/{vision}/propose"), json!({})),
        (
            "/agreements/new".to_owned(),
            json!({"municipality_id": a.municipality_id, "title": "Gekaapt", "starts_on": "1-1-2026"}),
        ),
        ("/visions/new".to_owned(), json!({"municipality_id": a.municipality_id, "title": "Gekaapt"})),
    ];

    // An officer of another municipality: not found, on every page and every form.
    let Some(browser) = Browser::start(true).await else { return };
    sign_in(&browser, &app, &b.officer.email).await;
    for path in [
        format!("/agreements/{draft}/edit"),
        format!("/agreements/{active}/versions"),
        format!("/agreements/{active}/diff?from=1&to=1"),
        format!("/visions/{vision}/edit"),
        format!("/visions/{vision}/revisions"),
        format!("/agreements/new?municipality={}", a.municipality_id),
    ] {
        browser.open(&app.url(&path)).await;
        let page = browser.text().await;
        assert!(page.contains(NOT_FOUND), "{path}: {page}");
        assert!(!page.contains("Koffie") && !page.contains("Visie a"), "{path}: {page}");
    }
    browser.open(&app.url("/agreements")).await;
    assert!(!browser.text().await.contains("Visie a"), "only their own");
    for (action, fields) in &forged {
        browser.forge(action, fields.clone()).await;
        let page = browser.text().await;
        assert!(page.contains(NOT_FOUND), "{action}: {page}");
    }
    sign_out(&browser).await;
    unchanged(&app, &a, &draft, 2).await;
    assert_eq!(agreement(&app, &a.officer, &active).await["status"], "active");

    // The auditor reads everything but drafts nothing; a forged form changes nothing.
    sign_in(&browser, &app, &a.auditor.email).await;
    browser.follow("Afspraken en visies").await;
    let page = browser.text().await;
    assert!(page.contains("Koffie-ochtenden") && !page.contains("Nieuwe samenwerkingsafspraak"), "{page}");
    browser.open(&app.url(&format!("/agreements/{draft}"))).await;
    let page = browser.text().await;
    assert!(!page.contains("Stel voor aan de partijen") && !page.contains("Afspraak aanpassen"), "{page}");
    assert!(!page.contains("Gesprek vastleggen"), "{page}");
    for (action, fields) in &forged {
        browser.forge(action, fields.clone()).await;
        let page = browser.text().await;
        assert!(
            page.contains(NOT_FOUND) || page.contains("Dit mag je niet doen met jouw rol."),
            "{action}: {page}"
        );
    }
    browser.close().await;
    unchanged(&app, &a, &draft, 2).await;
    assert_eq!(agreement(&app, &a.officer, &active).await["status"], "active");
}
