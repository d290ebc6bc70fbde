//! A municipality's administration in a real browser: its admin finds "Beheer" in the menu,
//! invites someone by email with a role, gives someone another role and removes someone, and
//! cannot remove the last admin; an officer sees the people but cannot change them, even with a
//! forged form; another municipality's admin gets "not found". Accessible (axe-core).

use serde_json::json;

use crate::browser::Browser;
use crate::fixtures::tenant;
use crate::helpers::TestApp;
use crate::on_both_backends;
use crate::pages_grants::sign_in;

on_both_backends!(
    a_municipal_admin_manages_the_people_of_the_municipality,
    a_municipal_admin_sets_up_a_fund_in_euros,
    an_admin_accepts_a_network_that_asked_to_work_together,
    an_auditor_reads_the_audit_trail_with_filters,
    an_admin_chooses_when_reminders_go_out,
);

/// `(email, role)` of the municipality's people, through the API.
async fn people(app: &TestApp, as_user: &crate::helpers::User, municipality: &str) -> Vec<(String, String)> {
    let reply = app.get_as(as_user, &format!("/api/v1/municipalities/{municipality}/members")).await;
    let mut people: Vec<(String, String)> = reply.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["email"].as_str().unwrap().to_owned(), m["role"].as_str().unwrap().to_owned()))
        .collect();
    people.sort();
    people
}

async fn a_municipal_admin_manages_the_people_of_the_municipality(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let b = tenant(&app, &root, "b").await;
    let id = a.municipality_id.clone();
    let Some(browser) = Browser::start(true).await else { return };
    sign_in(&browser, &app, "admin@a.example").await;
    browser.follow("Beheer").await;
    assert!(browser.text().await.contains("Gemeente a"), "{}", browser.text().await);
    browser.assert_accessible().await;
    browser.follow("Mensen en rollen").await;
    assert_eq!(browser.path().await, format!("/municipalities/{id}/people"));
    let page = browser.text().await;
    assert!(page.contains("Mensen bij Gemeente a") && page.contains("officer@a.example"), "{page}");
    browser.assert_accessible().await;

    // Invite someone for finance: the email is queued, the invitation is listed.
    browser.fill("Naam", "Joris Bakker").await;
    browser.fill("E-mailadres", "joris@a.example").await;
    browser.choose("Rol", "financiën").await;
    browser.press("Uitnodiging versturen").await;
    let page = browser.text().await;
    assert!(page.contains("De uitnodiging is verstuurd.") && page.contains("joris@a.example"), "{page}");
    let sent = app.emails_to("joris@a.example").await;
    assert_eq!(sent.len(), 1, "one invitation email");
    assert!(sent[0].text.contains("/invitations/"), "{}", sent[0].text);

    // The auditor becomes an officer; the officer is removed.
    browser.open_details("Andere rol voor auditor@a.example").await;
    browser.choose("Nieuwe rol van auditor@a.example", "medewerker").await;
    browser.press("Rol van auditor@a.example opslaan").await;
    assert!(browser.text().await.contains("De rol is aangepast."));
    browser.open_details("officer@a.example uit de gemeente halen").await;
    browser.press("Ja, haal officer@a.example eruit").await;
    assert!(browser.text().await.contains("Deze persoon werkt niet meer voor de gemeente in Pactum."));
    assert_eq!(
        people(&app, &a.admin, &id).await,
        [
            ("admin@a.example".to_owned(), "municipal_admin".to_owned()),
            ("auditor@a.example".to_owned(), "officer".to_owned())
        ]
    );

    // The last admin cannot remove themselves: said in words, nothing changed.
    browser.open_details("Zelf stoppen bij de gemeente in Pactum").await;
    browser.press("Ja, haal mij eruit").await;
    let page = browser.text().await;
    assert!(page.contains("jij bent de laatste beheerder van de gemeente"), "{page}");
    assert_eq!(people(&app, &a.admin, &id).await.len(), 2);
    browser.close().await;

    // The former auditor, now an officer, sees the people but cannot change them.
    let Some(browser) = Browser::start(true).await else { return };
    sign_in(&browser, &app, "auditor@a.example").await;
    browser.open(&app.url(&format!("/municipalities/{id}/people"))).await;
    let page = browser.text().await;
    assert!(page.contains("admin@a.example") && !page.contains("Iemand uitnodigen"), "{page}");
    let action = format!("/municipalities/{id}/people/{}/role", a.admin.id);
    browser.forge(&action, json!({"role": "auditor"})).await;
    assert!(browser.text().await.contains("Alleen een beheerder van de gemeente kan dit doen."));
    assert_eq!(people(&app, &a.admin, &id).await[0].1, "municipal_admin", "unchanged");
    browser.close().await;

    // Another municipality's admin: not found.
    let Some(browser) = Browser::start(false).await else { return };
    sign_in(&browser, &app, &b.admin.email).await;
    browser.open(&app.url(&format!("/municipalities/{id}/people"))).await;
    let page = browser.text().await;
    assert!(page.contains("Deze pagina bestaat niet") && !page.contains("officer@a.example"), "{page}");
    browser.close().await;
}

/// The fund "Zomerfonds" of the municipality, through the API.
async fn zomerfonds(
    app: &TestApp,
    admin: &crate::helpers::User,
    municipality: &str,
) -> Option<serde_json::Value> {
    let reply = app.get_as(admin, &format!("/api/v1/funds?municipality_id={municipality}")).await.json();
    reply["items"].as_array().unwrap().iter().find(|f| f["name"] == "Zomerfonds").cloned()
}

async fn a_municipal_admin_sets_up_a_fund_in_euros(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let b = tenant(&app, &root, "b").await;
    let id = a.municipality_id.clone();
    let Some(browser) = Browser::start(true).await else { return };
    sign_in(&browser, &app, "admin@a.example").await;
    browser.follow("Beheer").await;
    browser.follow("Fondsen en hun regels").await;
    assert!(browser.text().await.contains("Buurtbudget"), "{}", browser.text().await);
    browser.assert_accessible().await;

    // A new fund: a wrong amount and a wrong IBAN are said beside their fields; nothing saved.
    browser.follow("Nieuw fonds").await;
    browser.fill("Naam van het fonds", "Zomerfonds").await;
    browser.fill("Budget", "vijfentwintigduizend").await;
    browser.fill("Open vanaf", "1-6-2026").await;
    browser.fill("Twee medewerkers keuren goed vanaf (optioneel)", "2.500").await;
    browser.fill("Weken om te beslissen (optioneel)", "6").await;
    browser.press("Fonds aanmaken").await;
    let page = browser.text().await;
    assert!(page.contains("Vul een bedrag in euro's in"), "{page}");
    assert_eq!(browser.attribute("#budget", "aria-invalid").await.as_deref(), Some("true"));
    browser.assert_accessible().await;
    browser.fill("Budget", "25.000").await;
    browser.fill("IBAN van de betalende rekening (optioneel)", "NL00 1234").await;
    browser.press("Fonds aanmaken").await;
    assert!(browser.text().await.contains("Dit IBAN klopt niet."), "{}", browser.text().await);
    assert!(zomerfonds(&app, &a.admin, &id).await.is_none(), "nothing saved from a wrong form");
    browser.fill("IBAN van de betalende rekening (optioneel)", "NL91 ABNA 0417 1643 00").await;
    browser.press("Fonds aanmaken").await;
    let page = browser.text().await;
    assert!(
        page.contains("Het fonds is opgeslagen.") && page.contains("twee medewerkers vanaf € 2.500,00"),
        "{page}"
    );
    let fund = zomerfonds(&app, &a.admin, &id).await.expect("the fund");
    assert_eq!(
        (
            fund["budget_cents"].as_i64(),
            fund["four_eyes_threshold_cents"].as_i64(),
            fund["decision_weeks"].as_i64()
        ),
        (Some(2_500_000), Some(250_000), Some(6))
    );
    assert_eq!(fund["debtor_iban"], "NL91ABNA0417164300");
    let fund_id = fund["id"].as_str().unwrap().to_owned();

    // Its rules change; a change made meanwhile is not overwritten unseen.
    browser.follow("Zomerfonds").await;
    browser.assert_accessible().await;
    let patched = app
        .call(
            &a.officer,
            actix_web::http::Method::PATCH,
            &format!("/api/v1/funds/{fund_id}"),
            Some(json!({"decision_weeks": 7})),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text());
    browser.fill("Twee medewerkers keuren goed vanaf (optioneel)", "1.000").await;
    browser.press("Opslaan").await;
    assert!(browser.text().await.contains("Iemand anders heeft dit fonds net aangepast."));
    browser.press("Opslaan").await;
    assert!(browser.text().await.contains("Het fonds is opgeslagen."));
    let fund = zomerfonds(&app, &a.admin, &id).await.expect("the fund");
    assert_eq!(fund["four_eyes_threshold_cents"], 100_000);
    browser.close().await;

    // Finance does not set up funds; another municipality's admin does not see them.
    let members = format!("/api/v1/municipalities/{id}/members");
    app.join(&a.admin, &members, "finance@a.example", "finance").await;
    let Some(browser) = Browser::start(false).await else { return };
    sign_in(&browser, &app, "finance@a.example").await;
    browser.open(&app.url(&format!("/funds/{fund_id}/settings"))).await;
    assert!(browser
        .text()
        .await
        .contains("Alleen medewerkers en beheerders van de gemeente passen fondsen aan."));
    browser.open(&app.url(&format!("/municipalities/{id}/funds"))).await;
    assert!(browser.text().await.contains("Deze pagina bestaat niet"));
    browser.close().await;
    let Some(browser) = Browser::start(false).await else { return };
    sign_in(&browser, &app, &b.admin.email).await;
    browser.open(&app.url(&format!("/funds/{fund_id}/settings"))).await;
    let page = browser.text().await;
    assert!(page.contains("Deze pagina bestaat niet") && !page.contains("Zomerfonds"), "{page}");
    browser.close().await;
}

async fn an_admin_accepts_a_network_that_asked_to_work_together(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let b = tenant(&app, &root, "b").await;
    let asked = app
        .post_as(
            &b.coordinator,
            &format!("/api/v1/networks/{}/link-requests", b.network_id),
            json!({"municipality_id": a.municipality_id}),
        )
        .await;
    assert_eq!(asked.status, 201, "{}", asked.text());
    let Some(browser) = Browser::start(true).await else { return };
    sign_in(&browser, &app, "admin@a.example").await;
    browser.follow("Beheer").await;
    browser.follow("Netwerken en aanvragen om samen te werken").await;
    let page = browser.text().await;
    assert!(page.contains("Netwerken die willen samenwerken") && page.contains("Buurtkracht b"), "{page}");
    browser.assert_accessible().await;
    browser.press("Samenwerken met Buurtkracht b").await;
    let page = browser.text().await;
    assert!(
        page.contains("De gemeente werkt nu met dit netwerk samen.")
            && page.contains("Er zijn geen nieuwe aanvragen."),
        "{page}"
    );
    let active = app
        .get_as(
            &a.officer,
            &format!("/api/v1/networks?municipality_id={}&link_status=active", a.municipality_id),
        )
        .await
        .json();
    assert!(active["items"].as_array().unwrap().iter().any(|n| n["id"] == b.network_id.as_str()), "{active}");
    // The same step again: the request is gone, said in words.
    let action = format!("/municipalities/{}/networks/{}/accept", a.municipality_id, b.network_id);
    browser.forge(&action, json!({})).await;
    assert!(browser.text().await.contains("Deze aanvraag is er niet meer."), "{}", browser.text().await);
    browser.close().await;
    // Another municipality's admin does not see a's networks.
    let Some(browser) = Browser::start(false).await else { return };
    sign_in(&browser, &app, &b.admin.email).await;
    browser.open(&app.url(&format!("/municipalities/{}/networks", a.municipality_id))).await;
    assert!(browser.text().await.contains("Deze pagina bestaat niet"));
    browser.close().await;
}

async fn an_auditor_reads_the_audit_trail_with_filters(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let b = tenant(&app, &root, "b").await;
    let api = app
        .get_as(
            &a.auditor,
            &format!("/api/v1/audit-events?municipality_id={}&entity_type=grant", a.municipality_id),
        )
        .await
        .json();
    let grant_events = api["items"].as_array().unwrap().len();
    assert!(grant_events > 0, "{api}");
    let Some(browser) = Browser::start(true).await else { return };
    sign_in(&browser, &app, &a.auditor.email).await;
    browser.follow("Logboek").await;
    let page = browser.text().await;
    assert!(page.contains("Aanvraag: goedgekeurd") && page.contains("grant.approved"), "{page}");
    assert!(page.contains("officer@a.example"), "{page}");
    assert!(!page.contains(&b.grant_id), "another municipality's events stay out");
    browser.assert_accessible().await;
    browser.choose("Soort gegeven", "aanvragen").await;
    browser.press("Toon").await;
    let rows = browser.client.find_all(fantoccini::Locator::Css("tbody tr")).await.unwrap().len();
    assert_eq!(rows, grant_events, "the page shows what the API gives");
    assert!(!browser.text().await.contains("membership "), "only grants");
    browser.fill("Vanaf (optioneel)", "gisteren").await;
    browser.press("Toon").await;
    assert!(browser.text().await.contains("Vul een datum in als dag-maand-jaar"));
    browser.fill("Vanaf (optioneel)", "1-1-2099").await;
    browser.press("Toon").await;
    assert!(browser.text().await.contains("Er zijn geen wijzigingen die passen bij wat je zoekt."));
    browser.close().await;
    // An officer does not read the trail.
    let Some(browser) = Browser::start(false).await else { return };
    sign_in(&browser, &app, &a.officer.email).await;
    browser.open(&app.url("/audit")).await;
    assert!(browser.text().await.contains("Deze pagina bestaat niet"));
    browser.close().await;
}

async fn an_admin_chooses_when_reminders_go_out(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let api = format!("/api/v1/municipalities/{}/reminder-settings", a.municipality_id);
    let Some(browser) = Browser::start(true).await else { return };
    sign_in(&browser, &app, "admin@a.example").await;
    browser.follow("Beheer").await;
    browser.follow("Wanneer herinneringen gaan").await;
    assert_eq!(browser.attribute("#offsets", "value").await.as_deref(), Some("-14, -3, 0, 7"));
    browser.assert_accessible().await;
    browser.fill("Dagen rond de termijn", "-7, morgen").await;
    browser.press("Opslaan").await;
    assert!(browser.text().await.contains("Vul 1 tot 10 hele getallen in"), "{}", browser.text().await);
    assert_eq!(browser.attribute("#offsets", "aria-invalid").await.as_deref(), Some("true"));
    browser.assert_accessible().await;
    browser.fill("Dagen rond de termijn", "-120, 0").await;
    browser.press("Opslaan").await;
    assert!(browser.text().await.contains("Vul 1 tot 10 hele getallen in"), "the service's limit, in words");
    browser.fill("Dagen rond de termijn", "3 -10, 0, 3").await;
    browser.press("Opslaan").await;
    assert!(browser.text().await.contains("Opgeslagen. Nieuwe herinneringen gaan op deze dagen."));
    assert_eq!(app.get_as(&a.admin, &api).await.json()["offsets_days"], json!([-10, 0, 3]));
    browser.close().await;
    // An officer reads the settings through the API but does not change them on a page.
    let Some(browser) = Browser::start(false).await else { return };
    sign_in(&browser, &app, &a.officer.email).await;
    browser.open(&app.url(&format!("/municipalities/{}/reminders", a.municipality_id))).await;
    assert!(browser.text().await.contains("Deze pagina bestaat niet"));
    browser.close().await;
}
