//! A network's grant work in a real browser, as one journey: a new coordinator is invited by
//! email (delivered over real SMTP on loopback), opens the link, sets a password and is signed
//! in; the home page says what needs doing and whose turn it is; they apply in euros with a
//! comma, get a clear message for a wrong IBAN, submit, open the municipality's question from
//! its email and answer it, and see the award; the treasurer reports spending with two
//! receipts and submits; another network's volunteer gets "not found". Accessible (axe-core)
//! in Dutch, English and Arabic.

use serde_json::json;

use crate::browser::Browser;
use crate::fixtures::{post_keyed, tenant};
use crate::helpers::{Backend, TestApp, PASSWORD};
use crate::mail::{app_with_mail, now, pass};
use crate::smtp_sink::{header, SmtpSink};

crate::on_each_backend!(an_invited_coordinator_applies_answers_and_the_treasurer_reports);

pub async fn sign_in(browser: &Browser, app: &TestApp, email: &str) {
    browser.open(&app.url("/sign-in?lang=nl")).await;
    browser.fill("E-mailadres", email).await;
    browser.fill("Wachtwoord", PASSWORD).await;
    browser.press("Inloggen").await;
    assert_eq!(browser.path().await, "/", "signed in");
}

/// The page a delivered email links to, on this test server: the first link to Pactum whose
/// path starts with `prefix`, from the raw message (quoted-printable undone).
fn link_in(app: &TestApp, message: &str, prefix: &str) -> String {
    let text = message.replace("=\r\n", "").replace("=3D", "=");
    let start = format!("{}{prefix}", app.state.settings.public_url);
    let at = text.find(&start).unwrap_or_else(|| panic!("a link to {prefix} in {message}"));
    let link: String =
        text[at..].chars().take_while(|c| !c.is_whitespace() && !matches!(c, '"' | '<' | '>')).collect();
    app.url(&link[app.state.settings.public_url.len()..])
}

/// Delivers what the outbox holds and gives the newest message to `to`.
async fn delivered_to(app: &TestApp, sink: &SmtpSink, to: &str) -> String {
    pass(app, "w1", now()).await;
    sink.messages()
        .into_iter()
        .rfind(|m| header(m, "To").as_deref() == Some(to))
        .unwrap_or_else(|| panic!("no email to {to}"))
}

async fn an_invited_coordinator_applies_answers_and_the_treasurer_reports(backend: Backend) {
    let sink = SmtpSink::start();
    let Some(app) = app_with_mail(backend, sink.port).await else { return };
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let b = tenant(&app, &root, "b").await;
    let Some(browser) = Browser::start(true).await else { return };

    // Invited by email: the link opens a page; a name, a password, consent, done.
    let invited = app
        .post_as(
            &a.coordinator,
            &format!("/api/v1/networks/{}/members", a.network_id),
            json!({"email": "sanne@buurt.example", "name": "Sanne", "role": "coordinator"}),
        )
        .await;
    assert_eq!(invited.status, 201, "{}", invited.text());
    let invitation = delivered_to(&app, &sink, "sanne@buurt.example").await;
    // (A Dutch phone asks for Dutch; this browser asks for English, so the test says so.)
    browser.open(&format!("{}?lang=nl", link_in(&app, &invitation, "/invitations/"))).await;
    assert!(browser.text().await.contains("als coördinator"), "{}", browser.text().await);
    browser.fill("Kies een wachtwoord (minstens 12 tekens)", "een lang wachtwoord voor sanne").await;
    browser.tick("Ik heb de privacyverklaring gelezen en ga akkoord.").await;
    browser.press("Uitnodiging aannemen").await;
    assert_eq!(browser.path().await, "/", "signed in at once");
    let home = browser.text().await;
    assert!(home.contains("Hallo Sanne"), "{home}");
    assert!(home.contains("Aanvragen voor subsidie") && home.contains("Koffie-ochtenden"), "{home}");
    browser.assert_accessible().await;

    // Choose the fund: its maximum and the reporting it asks for are shown.
    browser.follow("Subsidie aanvragen").await;
    let funds = browser.text().await;
    assert!(funds.contains("Buurtbudget") && funds.contains("€ 10.000,00"), "{funds}");
    assert!(funds.contains("een verslag met de uitgaven en de bonnetjes"), "{funds}");
    browser.assert_accessible().await;
    browser.press("Aanvragen bij Buurtbudget").await;

    // The form, with a wrong IBAN and an amount over the maximum: messages next to the fields.
    browser.fill("Naam van je plan", "Taalcafé op zaterdag").await;
    browser.fill("Waar is het geld voor? (optioneel)", "Samen Nederlands oefenen bij koffie.").await;
    browser.fill("Bedrag dat je aanvraagt", "12.500").await;
    browser.fill("Eerste dag", "1-3-2027").await;
    browser.fill("Laatste dag", "30-11-2027").await;
    browser.fill("Regel 1: waarvoor (optioneel)", "Huur van de zaal").await;
    browser.fill("Regel 1: bedrag (optioneel)", "1.000").await;
    browser.fill("Regel 2: waarvoor (optioneel)", "Koffie en thee").await;
    browser.fill("Regel 2: bedrag (optioneel)", "250,50").await;
    browser.fill("Naam van de rekeninghouder", "Stichting Taalcafé").await;
    browser.fill("IBAN", "NL91 ABNA 0417 1643 01").await;
    browser.press("Opslaan").await;
    let form = browser.text().await;
    assert_eq!(form.matches("Dit IBAN klopt niet").count(), 2, "beside the field and in the summary: {form}");
    assert!(form.contains("hoogstens € 10.000,00"), "{form}");
    assert_eq!(browser.attribute("#iban", "aria-invalid").await.as_deref(), Some("true"));
    assert_eq!(
        browser.attribute("#line-2-amount", "value").await.as_deref(),
        Some("250,50"),
        "kept as typed"
    );
    browser.assert_accessible().await;
    let drafts =
        app.get_as(&a.treasurer, &format!("/api/v1/grants?network_id={}&status=draft", a.network_id)).await;
    assert_eq!(drafts.json()["items"].as_array().unwrap().len(), 0, "nothing saved from a wrong form");

    browser.fill("Bedrag dat je aanvraagt", "1.250,50").await;
    browser.fill("IBAN", "NL91 ABNA 0417 1643 00").await;
    browser.press("Opslaan").await;
    let path = browser.path().await;
    let id = path.strip_prefix("/grants/").and_then(|p| p.strip_suffix("?saved=1")).expect(&path).to_owned();
    let page = browser.text().await;
    assert!(page.contains("Je aanvraag is opgeslagen.") && page.contains("€ 1.250,50"), "{page}");
    assert!(page.contains("Nog niet ingediend") && page.contains("Jij bent aan de beurt"), "{page}");
    assert!(page.contains("1 maart 2027") && page.contains("€ 250,50"), "{page}");
    browser.assert_accessible().await;
    let saved = app.get_as(&a.coordinator, &format!("/api/v1/grants/{id}")).await.json();
    assert_eq!(saved["status"], "draft");
    assert_eq!(saved["requested_cents"], 125_050);
    assert_eq!(saved["starts_on"], "2027-03-01");
    assert_eq!(
        saved["budget_lines"],
        json!([{"description": "Huur van de zaal", "amount_cents": 100_000},
        {"description": "Koffie en thee", "amount_cents": 25_050}])
    );
    assert_eq!(saved["payee"]["iban"], "NL91ABNA0417164300");

    // Submit; the municipality asks a question; the treasurer answers on the page.
    browser.press("Aanvraag indienen").await;
    assert!(browser.text().await.contains("Wacht op de gemeente"), "{}", browser.text().await);
    let grant = format!("/api/v1/grants/{id}");
    assert_eq!(post_keyed(&app, &a.officer, &format!("{grant}/start-review"), json!({})).await.status, 200);
    let asked = post_keyed(
        &app,
        &a.officer,
        &format!("{grant}/request-info"),
        json!({"question": "Hoeveel mensen verwacht je per week?"}),
    )
    .await;
    assert_eq!(asked.status, 200, "{}", asked.text());
    let question = delivered_to(&app, &sink, "sanne@buurt.example").await;
    let link = link_in(&app, &question, "/grants/");
    assert_eq!(link, app.url(&format!("/grants/{id}")), "the email opens the grant's page");
    browser.open(&link).await;
    let page = browser.text().await;
    assert!(
        page.contains("Hoeveel mensen verwacht je per week?") && page.contains("Jij bent aan de beurt"),
        "{page}"
    );
    browser.assert_accessible().await;
    browser.press("Antwoord versturen").await;
    assert!(browser.text().await.contains("Schrijf je antwoord op."), "an empty answer is refused");
    browser.fill("Je antwoord", "Ongeveer twintig mensen.").await;
    browser.press("Antwoord versturen").await;
    let answered = app.get_as(&a.coordinator, &grant).await.json();
    assert_eq!(answered["status"], "submitted");
    assert_eq!(answered["status_reason"], "Ongeveer twintig mensen.");
    assert!(browser.text().await.contains("Wacht op de gemeente"));

    // Approved: the page says so, in euros, in three languages.
    assert_eq!(post_keyed(&app, &a.officer, &format!("{grant}/start-review"), json!({})).await.status, 200);
    let approved = post_keyed(&app, &a.officer, &format!("{grant}/approve"), json!({})).await;
    assert_eq!(approved.status, 200, "{}", approved.text());
    browser.open(&app.url(&format!("/grants/{id}"))).await;
    let page = browser.text().await;
    assert!(
        page.contains("Toegekend, betaling volgt") && page.contains("Nog te betalen: € 1.250,50"),
        "{page}"
    );
    browser.assert_accessible().await;

    // Paid: the treasurer signs in and reports spending with two receipts chosen at once.
    let members = format!("/api/v1/municipalities/{}/members", a.municipality_id);
    let finance = app.join(&a.admin, &members, "finance@a.example", "finance").await;
    let tranches = app.get_as(&a.officer, &format!("{grant}/tranches")).await.json();
    let tranche = tranches["items"][0]["id"].as_str().unwrap().to_owned();
    let paid = post_keyed(&app, &finance, &format!("/api/v1/tranches/{tranche}/pay"), json!({})).await;
    assert_eq!(paid.status, 200, "{}", paid.text());
    browser.press("Uitloggen").await;
    sign_in(&browser, &app, &a.treasurer.email).await;
    browser.open(&app.url(&format!("/grants/{id}"))).await;
    browser.follow("Vertel hoe het geld is besteed").await;
    let report = browser.text().await;
    assert!(report.contains("Betaald aan jullie") && report.contains("€ 1.250,50"), "{report}");
    browser.assert_accessible().await;
    let folder = tempfile::tempdir().unwrap();
    let (photo, invoice, note) = (
        folder.path().join("kassabon.png"),
        folder.path().join("factuur-zaal.pdf"),
        folder.path().join("notitie.txt"),
    );
    std::fs::write(&photo, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR a receipt").unwrap();
    std::fs::write(&invoice, crate::fixtures::PDF).unwrap();
    std::fs::write(&note, b"not a receipt").unwrap();
    assert_eq!(browser.attribute("#receipts", "accept").await.as_deref(), Some("image/*,application/pdf"));
    browser.attach("Bonnetjes toevoegen", &[&photo, &note]).await;
    let chosen = browser.text().await;
    assert!(
        chosen.contains("kassabon.png (1 kB)") && chosen.contains("notitie.txt (1 kB)"),
        "sizes shown before uploading: {chosen}"
    );
    browser.press("Bonnetjes uploaden").await;
    let refused = browser.text().await;
    assert!(refused.contains("notitie.txt is geen PDF, JPEG of PNG"), "{refused}");
    assert!(refused.contains("Nog geen bonnetjes."), "all or none: {refused}");
    browser.attach("Bonnetjes toevoegen", &[&photo, &invoice]).await;
    browser.press("Bonnetjes uploaden").await;
    let uploaded = browser.text().await;
    assert!(
        uploaded.contains("kassabon.png (1 kB)") && uploaded.contains("factuur-zaal.pdf (1 kB)"),
        "{uploaded}"
    );
    browser.fill("Datum van uitgave 1 (optioneel)", "2-3-2027").await;
    browser.fill("Wat heb je gekocht of betaald? (1) (optioneel)", "Huur van de zaal").await;
    browser.fill("Bedrag van uitgave 1 (optioneel)", "1.000").await;
    browser.fill("Datum van uitgave 2 (optioneel)", "9-3-2027").await;
    browser.fill("Wat heb je gekocht of betaald? (2) (optioneel)", "Koffie en thee").await;
    browser.fill("Bedrag van uitgave 2 (optioneel)", "250,5").await;
    browser
        .fill("Wat heb je gedaan en wat leverde het op?", "Elke zaterdag een taalcafé met twintig mensen.")
        .await;
    browser.fill("Hoeveel mensen heb je bereikt? (optioneel)", "42").await;
    browser.assert_accessible().await;
    browser.press("Indienen bij de gemeente").await;
    let submitted = browser.text().await;
    assert!(
        submitted.contains("Ingediend: wacht op de gemeente") && submitted.contains("€ 1.250,50"),
        "{submitted}"
    );
    let reports = app.get_as(&a.treasurer, &format!("{grant}/reports")).await.json();
    let report = &reports["items"][0];
    assert_eq!(report["status"], "submitted", "{report}");
    assert_eq!(report["expenses_total_cents"], 125_050);
    assert_eq!(report["people_reached"], 42);
    assert_eq!(report["receipts"].as_array().unwrap().len(), 2, "{report}");
    assert_eq!(report["expenses"][1]["spent_on"], "2027-03-09");

    // "Please change": the officer's comments are on the page; the treasurer changes and resubmits.
    let report_path = format!("/api/v1/reports/{}", report["id"].as_str().unwrap());
    let sent_back = app
        .post_as(
            &a.officer,
            &format!("{report_path}/request-changes"),
            json!({"reason": "Hoeveel mensen kwamen er echt? Tel de deelnemerslijst."}),
        )
        .await;
    assert_eq!(sent_back.status, 200, "{}", sent_back.text());
    browser.open(&app.url(&format!("/grants/{id}/report"))).await;
    let page = browser.text().await;
    assert!(
        page.contains("De gemeente vraagt je iets aan te passen")
            && page.contains("Hoeveel mensen kwamen er echt? Tel de deelnemerslijst."),
        "{page}"
    );
    browser.assert_accessible().await;
    browser.fill("Hoeveel mensen heb je bereikt? (optioneel)", "38").await;
    browser.press("Indienen bij de gemeente").await;
    assert!(browser.text().await.contains("Ingediend: wacht op de gemeente"), "{}", browser.text().await);
    let resubmitted = app.get_as(&a.treasurer, &report_path).await.json();
    assert_eq!(
        (resubmitted["status"].as_str(), resubmitted["people_reached"].as_i64()),
        (Some("submitted"), Some(38))
    );

    browser.open(&app.url(&format!("/grants/{id}?lang=en"))).await;
    assert!(browser.text().await.contains("Paid: €1,250.50"), "{}", browser.text().await);
    browser.open(&app.url(&format!("/grants/{id}?lang=ar"))).await;
    assert_eq!(browser.attribute("html", "dir").await.as_deref(), Some("rtl"));
    browser.assert_accessible().await;
    browser.close().await;

    // Another network's treasurer: not found, the same as a grant that does not exist.
    let Some(browser) = Browser::start(false).await else { return };
    sign_in(&browser, &app, &b.treasurer.email).await;
    for path in [format!("/grants/{id}"), format!("/grants/{id}/report"), format!("/grants/{id}/edit")] {
        browser.open(&app.url(&path)).await;
        let page = browser.text().await;
        assert!(page.contains("Deze pagina bestaat niet"), "{path}: {page}");
    }
    let page = browser.text().await;
    assert!(!page.contains("Taalcafé"), "{page}");
    browser.close().await;
    let status = app.get(&format!("/grants/{id}")).await.status;
    assert_eq!(status, 303, "not signed in: to the sign-in page");
}
