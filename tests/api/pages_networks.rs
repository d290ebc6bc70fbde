//! A network's profile and people in a real browser: the coordinator changes the description,
//! themes, neighbourhoods and the public listing (a text too long and a change made meanwhile
//! get clear messages), invites someone by email and removes a member, and cannot remove the
//! last coordinator; the treasurer reads but cannot change, even with a forged form; another
//! municipality's volunteer gets "not found". Accessible (axe-core) in Dutch, English and Arabic.

use actix_web::http::Method;
use serde_json::json;

use crate::browser::Browser;
use crate::fixtures::tenant;
use crate::helpers::TestApp;
use crate::on_both_backends;
use crate::pages_grants::sign_in;

on_both_backends!(
    a_coordinator_keeps_the_profile_and_a_treasurer_only_reads_it,
    a_coordinator_invites_and_removes_people,
);

/// Posts `form` with the browser's session but without its CSRF cookie, as another site could
/// make the browser do; the answer's status.
async fn post_without_token(app: &TestApp, browser: &Browser, path: &str, form: &str) -> u16 {
    let session = browser.client.get_named_cookie("pactum_session").await.expect("signed in");
    let request = app
        .request(Method::POST, path)
        .insert_header(("Cookie", format!("pactum_session={}", session.value())))
        .content_type("application/x-www-form-urlencoded");
    app.send(request, Some(form.to_owned().into())).await.status
}

async fn a_coordinator_keeps_the_profile_and_a_treasurer_only_reads_it(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let b = tenant(&app, &root, "b").await;
    let id = a.network_id.clone();
    let api = format!("/api/v1/networks/{id}");
    let Some(browser) = Browser::start(true).await else { return };
    sign_in(&browser, &app, &a.coordinator.email).await;
    browser.follow("Profiel en leden").await;
    assert_eq!(browser.path().await, format!("/networks/{id}"));
    let page = browser.text().await;
    assert!(page.contains("Buurtkracht a") && page.contains("loneliness, language"), "{page}");
    assert!(page.contains("Centrum") && page.contains("Nee. Alleen de leden"), "{page}");
    browser.assert_accessible().await;

    // The coordinator changes the profile.
    browser.follow("Profiel aanpassen").await;
    assert!(browser.text().await.contains("Zet elk thema op een eigen regel"), "the hint says how");
    browser.assert_accessible().await;
    browser.fill("Beschrijving (optioneel)", "Buren helpen elkaar met taal en boodschappen.").await;
    browser.fill("Thema's (optioneel)", "Taal\neenzaamheid, sport").await;
    browser.fill("Buurten (optioneel)", "Kanaleneiland\nCentrum").await;
    browser.tick("Zet ons netwerk in de openbare lijst").await;
    browser.press("Profiel opslaan").await;
    assert_eq!(browser.path().await, format!("/networks/{id}?saved=1"));
    let page = browser.text().await;
    assert!(
        page.contains("Het profiel is opgeslagen.") && page.contains("met taal en boodschappen"),
        "{page}"
    );
    assert!(page.contains("taal, eenzaamheid, sport") && page.contains("Kanaleneiland, Centrum"), "{page}");
    assert!(page.contains("Ja. Iedereen kan jullie netwerk vinden"), "{page}");
    browser.assert_accessible().await;
    let saved = app.get_as(&a.coordinator, &api).await.json();
    assert_eq!(saved["description"], "Buren helpen elkaar met taal en boodschappen.");
    assert_eq!(saved["themes"], json!(["taal", "eenzaamheid", "sport"]));
    assert_eq!(saved["neighbourhoods"], json!(["Kanaleneiland", "Centrum"]));
    assert_eq!(saved["listed_publicly"], true);
    assert_eq!(saved["version"], 2);

    // What the service refuses is said beside the field and in the summary; nothing is saved.
    browser.follow("Profiel aanpassen").await;
    browser
        .client
        .execute("document.getElementById('description').value = 'x'.repeat(5001);", vec![])
        .await
        .expect("a long description");
    browser.fill("Thema's (optioneel)", &format!("taal\n{}", "a".repeat(101))).await;
    browser.press("Profiel opslaan").await;
    let page = browser.text().await;
    assert_eq!(page.matches("De beschrijving is te lang").count(), 2, "beside the field and on top: {page}");
    assert!(page.contains("hoogstens 30 thema's, en elk thema hoogstens 100 tekens"), "{page}");
    assert_eq!(browser.attribute("#description", "aria-invalid").await.as_deref(), Some("true"));
    assert_eq!(browser.attribute("#themes", "aria-invalid").await.as_deref(), Some("true"));
    browser.assert_accessible().await;
    assert_eq!(app.get_as(&a.coordinator, &api).await.json()["version"], 2, "nothing saved");

    // Someone else saves meanwhile: no overwrite without a word; what was typed stays.
    browser.open(&app.url(&format!("/networks/{id}/profile"))).await;
    let other =
        app.call(&a.coordinator, Method::PATCH, &api, Some(json!({"description": "Door iemand anders."})));
    assert_eq!(other.await.status, 200);
    browser.fill("Beschrijving (optioneel)", "Mijn versie.").await;
    browser.press("Profiel opslaan").await;
    let page = browser.text().await;
    assert!(page.contains("Iemand anders heeft het profiel net ook veranderd"), "{page}");
    let typed = browser.client.execute("return document.getElementById('description').value", vec![]).await;
    assert_eq!(typed.unwrap(), "Mijn versie.", "kept");
    assert_eq!(app.get_as(&a.coordinator, &api).await.json()["description"], "Door iemand anders.");
    browser.assert_accessible().await;
    browser.press("Profiel opslaan").await;
    assert_eq!(browser.path().await, format!("/networks/{id}?saved=1"), "saved the second time, knowingly");
    assert_eq!(app.get_as(&a.coordinator, &api).await.json()["description"], "Mijn versie.");

    // A form from another site, without the CSRF token: refused, nothing saved.
    let forged =
        post_without_token(&app, &browser, &format!("/networks/{id}/profile"), "version=4&description=Weg")
            .await;
    assert_eq!(forged, 403);
    assert_eq!(app.get_as(&a.coordinator, &api).await.json()["description"], "Mijn versie.");

    // English and Arabic.
    browser.open(&app.url(&format!("/networks/{id}?lang=en"))).await;
    let page = browser.text().await;
    assert!(page.contains("Edit profile") && page.contains("Yes. Anyone can find your network"), "{page}");
    browser.open(&app.url(&format!("/networks/{id}/profile?lang=ar"))).await;
    assert_eq!(browser.attribute("html", "dir").await.as_deref(), Some("rtl"));
    assert!(browser.text().await.contains("تعديل الملف التعريفي"), "{}", browser.text().await);
    browser.assert_accessible().await;
    browser.close().await;

    // The treasurer reads the profile, without a way to change it, and a forged form is refused.
    let Some(browser) = Browser::start(true).await else { return };
    sign_in(&browser, &app, &a.treasurer.email).await;
    browser.open(&app.url(&format!("/networks/{id}"))).await;
    let page = browser.text().await;
    assert!(page.contains("Mijn versie.") && !page.contains("Profiel aanpassen"), "{page}");
    assert!(page.contains("Bekijk wie er in het netwerk zitten"), "{page}");
    browser.assert_accessible().await;
    browser.open(&app.url(&format!("/networks/{id}/profile"))).await;
    assert!(browser.text().await.contains("Alleen een coördinator van het netwerk kan dit doen."));
    browser.open(&app.url(&format!("/networks/{id}"))).await;
    let action = format!("/networks/{id}/profile");
    browser.forge(&action, json!({"version": "4", "description": "Gehackt."})).await;
    let page = browser.text().await;
    assert!(page.contains("Alleen een coördinator van het netwerk kan dit doen."), "{page}");
    assert_eq!(app.get_as(&a.coordinator, &api).await.json()["description"], "Mijn versie.", "unchanged");
    browser.close().await;

    // Another municipality's volunteer: not found, the same as a network that does not exist.
    let Some(browser) = Browser::start(false).await else { return };
    sign_in(&browser, &app, &b.coordinator.email).await;
    let unknown = uuid::Uuid::now_v7();
    for path in [
        format!("/networks/{id}"),
        format!("/networks/{id}/profile"),
        format!("/networks/{id}/members"),
        format!("/networks/{unknown}"),
        "/networks/not-an-id".to_owned(),
    ] {
        browser.open(&app.url(&path)).await;
        let page = browser.text().await;
        assert!(page.contains("Deze pagina bestaat niet") && !page.contains("Mijn versie"), "{path}: {page}");
    }
    browser.close().await;
    assert_eq!(app.get(&format!("/networks/{id}")).await.status, 303, "not signed in: to the sign-in page");
}

async fn a_coordinator_invites_and_removes_people(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let id = a.network_id.clone();
    let members_api = format!("/api/v1/networks/{id}/members");
    let Some(browser) = Browser::start(true).await else { return };
    sign_in(&browser, &app, &a.coordinator.email).await;
    browser.follow("Profiel en leden").await;
    browser.follow("Bekijk de mensen en nodig iemand uit").await;
    assert_eq!(browser.path().await, format!("/networks/{id}/members"));
    let page = browser.text().await;
    assert!(page.contains("coordinator@a.example (jij)") && page.contains("coördinator"), "{page}");
    assert!(page.contains("treasurer@a.example") && page.contains("penningmeester"), "{page}");
    assert!(page.contains("Er staan geen uitnodigingen open."), "{page}");
    browser.assert_accessible().await;

    // A wrong address is refused beside the field, with what was typed kept.
    browser.fill("Naam", "Fatima El Amrani").await;
    browser.fill("E-mailadres", "fatima-at-buurt").await;
    browser.choose("Rol", "penningmeester").await;
    browser.press("Uitnodiging versturen").await;
    let page = browser.text().await;
    assert_eq!(page.matches("Vul een goed e-mailadres in").count(), 2, "{page}");
    assert_eq!(browser.attribute("#email", "aria-invalid").await.as_deref(), Some("true"));
    assert_eq!(browser.attribute("#name", "value").await.as_deref(), Some("Fatima El Amrani"), "kept");
    browser.assert_accessible().await;
    assert!(app.emails_to("fatima-at-buurt").await.is_empty());

    // The invitation goes out by email and waits in the list.
    browser.fill("E-mailadres", "fatima@buurt.example").await;
    browser.choose("Rol", "penningmeester").await;
    browser.press("Uitnodiging versturen").await;
    assert_eq!(browser.path().await, format!("/networks/{id}/members?invited=1"));
    let page = browser.text().await;
    assert!(page.contains("De uitnodiging is verstuurd.") && page.contains("Fatima El Amrani"), "{page}");
    assert!(page.contains("fatima@buurt.example") && page.contains("geldig tot"), "{page}");
    browser.assert_accessible().await;
    let emails = app.emails_to("fatima@buurt.example").await;
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0].kind, "invitation");
    assert!(emails[0].text.contains("/invitations/inv_") && emails[0].text.contains("Buurtkracht a"));
    let open = app.get_as(&a.coordinator, &format!("/api/v1/networks/{id}/invitations")).await.json();
    assert_eq!(open["items"][0]["email"], "fatima@buurt.example", "{open}");
    assert_eq!(open["items"][0]["role"], "treasurer");

    // Someone already in the network is not invited twice.
    browser.fill("Naam", "Lid").await;
    browser.fill("E-mailadres", &a.member.email).await;
    browser.press("Uitnodiging versturen").await;
    assert!(browser.text().await.contains("Deze persoon zit al in het netwerk."));

    // The coordinator removes the member, after a confirmation.
    browser.open_details("member@a.example uit het netwerk halen").await;
    browser.press("Ja, haal member@a.example uit het netwerk").await;
    assert_eq!(browser.path().await, format!("/networks/{id}/members?removed=1"));
    let page = browser.text().await;
    assert!(page.contains("Deze persoon zit niet meer in het netwerk."), "{page}");
    assert!(!page.contains("member@a.example"), "{page}");
    let members = app.get_as(&a.coordinator, &members_api).await.json();
    assert!(!members.to_string().contains("member@a.example"), "{members}");
    assert_eq!(app.get_as(&a.member, &format!("/api/v1/networks/{id}")).await.status, 404, "no access left");

    // Forms from another site, without the CSRF token: refused, nothing done.
    let invite = "name=X&email=x%40buurt.example&role=member";
    assert_eq!(post_without_token(&app, &browser, &format!("/networks/{id}/members"), invite).await, 403);
    let remove = format!("/networks/{id}/members/{}/remove", a.treasurer.id);
    assert_eq!(post_without_token(&app, &browser, &remove, "").await, 403);
    assert!(app.emails_to("x@buurt.example").await.is_empty(), "no invitation sent");
    let members = app.get_as(&a.coordinator, &members_api).await.json();
    assert!(members.to_string().contains("treasurer@a.example"), "{members}");

    // The last coordinator cannot leave: the refusal is said in words.
    browser.open_details("Zelf uit het netwerk stappen").await;
    browser.press("Ja, haal mij uit het netwerk").await;
    let page = browser.text().await;
    assert_eq!(page.matches("jij bent de laatste coördinator").count(), 1, "{page}");
    assert!(page.contains("Dat kan niet"), "{page}");
    browser.assert_accessible().await;
    let members = app.get_as(&a.coordinator, &members_api).await.json();
    assert!(members.to_string().contains("coordinator@a.example"), "{members}");

    // English and Arabic.
    browser.open(&app.url(&format!("/networks/{id}/members?lang=en"))).await;
    let page = browser.text().await;
    assert!(page.contains("People of Buurtkracht a") && page.contains("Invite someone"), "{page}");
    assert!(page.contains("treasurer"), "{page}");
    browser.open(&app.url(&format!("/networks/{id}/members?lang=ar"))).await;
    assert_eq!(browser.attribute("html", "dir").await.as_deref(), Some("rtl"));
    browser.assert_accessible().await;
    browser.close().await;

    // The treasurer sees the people, but no invitations and no way to invite or remove; a forged
    // removal is refused.
    let Some(browser) = Browser::start(true).await else { return };
    sign_in(&browser, &app, &a.treasurer.email).await;
    browser.open(&app.url(&format!("/networks/{id}/members"))).await;
    let page = browser.text().await;
    assert!(page.contains("coordinator@a.example") && !page.contains("Iemand uitnodigen"), "{page}");
    assert!(!page.contains("fatima@buurt.example") && !page.contains("uit het netwerk halen"), "{page}");
    browser.assert_accessible().await;
    let action = format!("/networks/{id}/members/{}/remove", a.coordinator.id);
    browser.forge(&action, json!({})).await;
    assert!(browser.text().await.contains("Alleen een coördinator van het netwerk kan dit doen."));
    browser.open(&app.url(&format!("/networks/{id}"))).await;
    let action = format!("/networks/{id}/members");
    browser.forge(&action, json!({"name": "X", "email": "x@buurt.example", "role": "coordinator"})).await;
    assert!(browser.text().await.contains("Alleen een coördinator van het netwerk kan dit doen."));
    assert!(app.emails_to("x@buurt.example").await.is_empty(), "no invitation sent");
    let members = app.get_as(&a.coordinator, &members_api).await.json();
    assert!(members.to_string().contains("coordinator@a.example"), "{members}");
    browser.close().await;
}
