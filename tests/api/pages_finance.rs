//! Finance in a real browser: the tranches due in euros, a SEPA payment batch made, its
//! pain.001 file downloaded through the page's link (valid against the ISO 20022 schema) and
//! confirmed with the day the bank paid, another cancelled after its check; a single tranche
//! paid after the check of amount and account, and paying it twice refused in words; the fund's
//! balances equal the API's. Someone of the municipality who may not pay sees no pay buttons and
//! a forged payment pays nothing; finance of another municipality gets "not found". Accessible
//! (axe-core) on every page.

use actix_web::http::Method;
use fantoccini::Locator;
use serde_json::{json, Value};

use crate::browser::Browser;
use crate::fixtures::{euros, grant_in_review, post_keyed, tenant, Tenant};
use crate::helpers::{TestApp, User};
use crate::on_both_backends;
use crate::pages_grants::sign_in;

on_both_backends!(
    finance_pays_by_batch_and_one_by_one,
    who_may_not_pay_sees_no_buttons_and_another_municipality_nothing_and_finance_cancels,
);

const NOT_FOUND: &str = "Deze pagina bestaat niet, of je mag hem niet zien.";

struct Setup {
    a: Tenant,
    b: Tenant,
    fund_id: String,
    grant_id: String,
    /// Due on 1 March 2026 (€ 1.200,00) and on 1 June 2026 (€ 300,00).
    tranches: [String; 2],
}

/// A fund "Wijkfonds" with a debtor account, and an approved grant from it with two tranches.
async fn setup(app: &TestApp) -> Setup {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(app, &root, "a").await;
    let b = tenant(app, &root, "b").await;
    let fund = app
        .post_as(
            &a.admin,
            "/api/v1/funds",
            json!({"municipality_id": a.municipality_id, "name": "Wijkfonds", "budget_cents": 2_000_000,
                "opens_on": "2026-01-01", "debtor_name": "Gemeente A", "debtor_iban": "NL02ABNA0123456789"}),
        )
        .await;
    assert_eq!(fund.status, 201, "{}", fund.text());
    let fund_id = fund.json()["id"].as_str().unwrap().to_owned();
    let grant_id = grant_in_review(app, &a, &fund_id, 150_000).await;
    let approved = post_keyed(
        app,
        &a.officer,
        &format!("/api/v1/grants/{grant_id}/approve"),
        json!({"tranches": [{"due_on": "2026-03-01", "amount_cents": 120_000},
            {"due_on": "2026-06-01", "amount_cents": 30_000}]}),
    )
    .await;
    assert_eq!(approved.json()["status"], "approved", "{}", approved.text());
    let tranches = tranches(app, &a.officer, &grant_id).await;
    let ids =
        [tranches[0]["id"].as_str().unwrap().to_owned(), tranches[1]["id"].as_str().unwrap().to_owned()];
    Setup { a, b, fund_id, grant_id, tranches: ids }
}

async fn tranches(app: &TestApp, user: &User, grant_id: &str) -> Vec<Value> {
    let mut items = app.get_as(user, &format!("/api/v1/grants/{grant_id}/tranches")).await.json()["items"]
        .as_array()
        .unwrap()
        .clone();
    items.sort_by_key(|t| t["due_on"].as_str().unwrap().to_owned());
    items
}

async fn finance(app: &TestApp, t: &Tenant, email: &str) -> User {
    app.join(&t.admin, &format!("/api/v1/municipalities/{}/members", t.municipality_id), email, "finance")
        .await
}

async fn finance_pays_by_batch_and_one_by_one(app: TestApp) {
    let Setup { a, fund_id, grant_id, tranches: [first, second], .. } = setup(&app).await;
    let finance = finance(&app, &a, "finance@a.example").await;
    let Some(browser) = Browser::start(true).await else { return };
    sign_in(&browser, &app, "finance@a.example").await;

    // The tranches due, in euros, with the grant and the network.
    browser.follow("Betalingen").await;
    assert_eq!(browser.path().await, "/payments");
    let page = browser.text().await;
    assert!(page.contains("Wijkfonds") && page.contains("Koffie-ochtenden"), "{page}");
    assert!(page.contains("1 maart 2026") && page.contains("€ 1.200,00"), "{page}");
    assert!(page.contains("1 juni 2026") && page.contains("€ 300,00"), "{page}");
    browser.assert_accessible().await;

    // A payment batch of the tranches due by 1 April: the first one.
    browser.follow("Betaalbestand maken voor Wijkfonds").await;
    browser.assert_accessible().await;
    browser.fill("Termijnen tot en met", "1-4-2026").await;
    browser.press("Betaalbestand maken").await;
    let path = browser.path().await;
    let batch_id = path
        .strip_prefix("/payments/batches/")
        .and_then(|p| p.strip_suffix("?done=created"))
        .expect(&path)
        .to_owned();
    let page = browser.text().await;
    assert!(page.contains("Het betaalbestand is gemaakt."), "{page}");
    assert!(page.contains("€ 1.200,00") && page.contains("NL91 ABNA 0417 1643 00"), "{page}");
    assert!(!page.contains("€ 300,00"), "the tranche due in June stays out: {page}");
    browser.assert_accessible().await;

    // The file, through the page's link with the browser's session: valid pain.001.
    let href = browser.attribute("a[download]", "href").await.expect("a download link");
    assert_eq!(href, format!("/payments/batches/{batch_id}/pain.001.xml"));
    let session = browser.client.get_named_cookie("pactum_session").await.expect("signed in");
    let request = app
        .request(Method::GET, &href)
        .insert_header(("Cookie", format!("pactum_session={}", session.value())));
    let file = app.send(request, None).await;
    assert_eq!(file.status, 200, "{}", file.text());
    assert!(file.header("content-disposition").unwrap().starts_with("attachment;"));
    let xml = file.text();
    crate::payment_batches::assert_valid_pain001(&xml);
    assert!(xml.contains("<CtrlSum>1200.00</CtrlSum>"), "{xml}");

    // Confirmed only after the check, with the day the bank paid.
    browser.fill("Datum waarop de bank betaalde", "2-11-2026").await;
    browser.press("Op betaald zetten").await;
    let page = browser.text().await;
    let missing = "Zet een vinkje als je hebt gecontroleerd dat de bank alle betalingen heeft uitgevoerd.";
    assert_eq!(page.matches(missing).count(), 2, "beside the box and in the summary: {page}");
    browser.assert_accessible().await;
    let open = app.get_as(&finance, &format!("/api/v1/payment-batches/{batch_id}")).await.json();
    assert_eq!(open["status"], "open", "nothing confirmed without the check");
    browser.tick("Ik heb gecontroleerd dat de bank alle betalingen heeft uitgevoerd").await;
    browser.press("Op betaald zetten").await;
    assert_eq!(browser.path().await, format!("/payments/batches/{batch_id}?done=confirmed"));
    let page = browser.text().await;
    assert!(
        page.contains("Het betaalbestand staat op betaald.") && page.contains("2 november 2026"),
        "{page}"
    );
    assert!(!page.contains("Betaalbestand intrekken"), "a paid batch is not cancelled: {page}");
    browser.assert_accessible().await;
    let paid = tranches(&app, &finance, &grant_id).await;
    assert_eq!(paid[0]["id"], first.as_str());
    assert_eq!((paid[0]["status"].as_str(), paid[0]["paid_on"].as_str()), (Some("paid"), Some("2026-11-02")));
    assert_eq!(paid[1]["status"], "scheduled");
    let grant = app.get_as(&finance, &format!("/api/v1/grants/{grant_id}")).await.json();
    assert_eq!(grant["paid_cents"], 120_000);

    // The second tranche on its own, after the check of amount and account.
    browser.follow("Terug naar betalingen").await;
    let page = browser.text().await;
    assert!(page.contains("Betaald") && !page.contains("Betaal € 1.200,00"), "{page}");
    browser.follow("Betaal € 300,00").await;
    assert_eq!(browser.path().await, format!("/payments/tranches/{second}"));
    let page = browser.text().await;
    assert!(page.contains("€ 300,00") && page.contains("NL91 ABNA 0417 1643 00"), "{page}");
    assert!(page.contains("Stichting Welzijn"), "{page}");
    browser.assert_accessible().await;
    browser.fill("Kenmerk van de betaling (optioneel)", "OV-2026-17").await;
    browser.press("Betaling vastleggen").await;
    let page = browser.text().await;
    let unchecked = "Zet een vinkje als je het bedrag en het rekeningnummer hebt gecontroleerd.";
    assert_eq!(page.matches(unchecked).count(), 2, "{page}");
    browser.assert_accessible().await;
    browser.tick("Ik heb het bedrag en het rekeningnummer gecontroleerd").await;
    browser.press("Betaling vastleggen").await;
    assert_eq!(browser.path().await, "/payments?done=paid");
    assert!(browser.text().await.contains("De betaling is vastgelegd."));
    browser.assert_accessible().await;
    let paid = tranches(&app, &finance, &grant_id).await;
    assert_eq!(paid[1]["status"], "paid");
    assert_eq!(paid[1]["payment_reference"], "OV-2026-17");
    let grant = app.get_as(&finance, &format!("/api/v1/grants/{grant_id}")).await.json();
    assert_eq!(grant["paid_cents"], 150_000);

    // Paying it again (a second tab, a double click) is refused in words; nothing paid twice.
    let action = format!("/payments/tranches/{second}");
    browser.forge(&action, json!({"paid_on": "6-11-2026", "checked": "yes"})).await;
    let page = browser.text().await;
    assert!(
        page.contains("Deze termijn is al betaald op") && page.contains("Er is niets opnieuw betaald."),
        "{page}"
    );
    browser.assert_accessible().await;
    let grant = app.get_as(&finance, &format!("/api/v1/grants/{grant_id}")).await.json();
    assert_eq!(grant["paid_cents"], 150_000, "paid once");

    // The fund's money: the same figures as the API, and its ledger.
    browser.open(&app.url("/payments")).await;
    browser.follow("Geld van Wijkfonds").await;
    assert_eq!(browser.path().await, format!("/funds/{fund_id}"));
    let api = app.get_as(&finance, &format!("/api/v1/funds/{fund_id}")).await.json();
    let balances = &api["balances"];
    let expected: Vec<String> =
        ["budget_cents", "committed_cents", "paid_cents", "available_cents", "refunded_cents"]
            .iter()
            .map(|k| euros(balances[k].as_i64().unwrap()))
            .collect();
    let mut shown = Vec::new();
    for dd in browser.client.find_all(Locator::Css(".pactum-facts dd")).await.unwrap() {
        shown.push(dd.text().await.unwrap());
    }
    assert_eq!(shown, expected);
    assert_eq!(shown[..4], ["€ 20.000,00", "€ 1.500,00", "€ 1.500,00", "€ 18.500,00"]);
    let ledger = app.get_as(&finance, &format!("/api/v1/funds/{fund_id}/ledger")).await.json();
    let rows = browser.client.find_all(Locator::Css("tbody tr")).await.unwrap();
    assert_eq!(rows.len(), ledger["items"].as_array().unwrap().len());
    assert_eq!(rows.len(), 3, "the commitment and two payments");
    browser.assert_accessible().await;
    browser.close().await;
}

async fn who_may_not_pay_sees_no_buttons_and_another_municipality_nothing_and_finance_cancels(app: TestApp) {
    let Setup { a, b, fund_id, grant_id, tranches: [first, second] } = setup(&app).await;
    let finance_a = finance(&app, &a, "finance@a.example").await;
    finance(&app, &b, "finance@b.example").await;
    let batch = app
        .post_as(
            &finance_a,
            &format!("/api/v1/funds/{fund_id}/payment-batches"),
            json!({"due_before": "2026-04-01"}),
        )
        .await;
    assert_eq!(batch.status, 201, "{}", batch.text());
    let batch_id = batch.json()["id"].as_str().unwrap().to_owned();
    let Some(browser) = Browser::start(true).await else { return };

    // The auditor reads the payments but gets no button to pay, make or close a batch.
    sign_in(&browser, &app, "auditor@a.example").await;
    browser.open(&app.url("/payments")).await;
    let page = browser.text().await;
    assert!(page.contains("Wijkfonds") && page.contains("€ 300,00"), "{page}");
    assert!(!page.contains("Betaal €") && !page.contains("Betaalbestand maken"), "{page}");
    browser.assert_accessible().await;
    browser.open(&app.url(&format!("/payments/batches/{batch_id}"))).await;
    let page = browser.text().await;
    assert!(page.contains("€ 1.200,00"), "{page}");
    assert!(!page.contains("Op betaald zetten") && !page.contains("Betaalbestand intrekken"), "{page}");
    browser.assert_accessible().await;
    browser.open(&app.url(&format!("/payments/tranches/{second}"))).await;
    let page = browser.text().await;
    assert!(page.contains("Je kunt deze termijn hier nu niet betalen."), "{page}");
    assert!(!page.contains("Betaling vastleggen"), "{page}");
    browser.assert_accessible().await;
    // A forged payment pays nothing.
    let action = format!("/payments/tranches/{second}");
    browser.forge(&action, json!({"paid_on": "6-11-2026", "checked": "yes"})).await;
    let page = browser.text().await;
    assert!(page.contains("Je mag geen betalingen doen voor deze gemeente."), "{page}");
    browser.assert_accessible().await;
    browser.open(&app.url(&format!("/payments/batches/{batch_id}"))).await;
    let action = format!("/payments/batches/{batch_id}/confirm");
    browser.forge(&action, json!({"paid_on": "6-11-2026", "checked": "yes"})).await;
    assert!(browser.text().await.contains("Je mag geen betalingen doen"));
    browser.open(&app.url(&format!("/payments/funds/{fund_id}/batch"))).await;
    assert!(browser.text().await.contains(NOT_FOUND));
    let left = tranches(&app, &finance_a, &grant_id).await;
    assert_eq!(
        (left[0]["status"].as_str(), left[1]["status"].as_str()),
        (Some("scheduled"), Some("scheduled"))
    );
    let open = app.get_as(&finance_a, &format!("/api/v1/payment-batches/{batch_id}")).await.json();
    assert_eq!(open["status"], "open");
    browser.close().await;

    // Finance of another municipality: not found, and nothing paid by a forged form.
    let browser = Browser::start(true).await.unwrap();
    sign_in(&browser, &app, "finance@b.example").await;
    browser.follow("Betalingen").await;
    let page = browser.text().await;
    assert!(!page.contains("Wijkfonds"), "{page}");
    browser.assert_accessible().await;
    for path in [
        format!("/payments/tranches/{second}"),
        format!("/payments/tranches/{first}"),
        format!("/payments/batches/{batch_id}"),
        format!("/payments/batches/{batch_id}/pain.001.xml"),
        format!("/payments/funds/{fund_id}/batch"),
        format!("/funds/{fund_id}"),
    ] {
        browser.open(&app.url(&path)).await;
        assert!(browser.text().await.contains(NOT_FOUND), "{path}");
    }
    browser.assert_accessible().await;
    let action = format!("/payments/tranches/{second}");
    browser.forge(&action, json!({"paid_on": "6-11-2026", "checked": "yes"})).await;
    assert!(browser.text().await.contains(NOT_FOUND));
    let left = tranches(&app, &finance_a, &grant_id).await;
    assert_eq!(left[1]["status"], "scheduled", "nothing paid");
    browser.close().await;

    // A network's volunteer has no payments page.
    let browser = Browser::start(true).await.unwrap();
    sign_in(&browser, &app, "treasurer@a.example").await;
    browser.open(&app.url("/payments")).await;
    assert!(browser.text().await.contains(NOT_FOUND));
    browser.open(&app.url(&format!("/funds/{fund_id}"))).await;
    assert!(browser.text().await.contains(NOT_FOUND));
    browser.close().await;

    // Finance cancels the batch, after saying the file will not go to the bank.
    let browser = Browser::start(true).await.unwrap();
    sign_in(&browser, &app, "finance@a.example").await;
    browser.open(&app.url(&format!("/payments/batches/{batch_id}"))).await;
    browser.open_details("Betaalbestand intrekken").await;
    browser.press("Ja, trek het betaalbestand in").await;
    let page = browser.text().await;
    let unchecked = "Zet een vinkje als je dit bestand niet naar de bank stuurt.";
    assert_eq!(page.matches(unchecked).count(), 2, "{page}");
    browser.assert_accessible().await;
    browser.tick("Ik stuur dit bestand niet naar de bank").await;
    browser.press("Ja, trek het betaalbestand in").await;
    assert_eq!(browser.path().await, format!("/payments/batches/{batch_id}?done=cancelled"));
    let page = browser.text().await;
    assert!(page.contains("Het betaalbestand is ingetrokken.") && page.contains("Ingetrokken"), "{page}");
    assert!(!page.contains("Download het betaalbestand") && !page.contains("Op betaald zetten"), "{page}");
    browser.assert_accessible().await;
    let cancelled = app.get_as(&finance_a, &format!("/api/v1/payment-batches/{batch_id}")).await.json();
    assert_eq!(cancelled["status"], "cancelled");
    // Its tranche is free again: payable on its own.
    browser.open(&app.url("/payments")).await;
    assert!(browser.text().await.contains("Betaal € 1.200,00"));
    browser.close().await;
}
