//! The municipality's review of a spending report and its overview, in a real browser: the
//! officer sees the expense lines beside both receipts (the photo loads, the PDF opens with
//! its real type), sends the report back with comments, and accepts it once the treasurer has
//! resubmitted; another municipality's volunteer gets "not found" for the report and its
//! receipts. The overview's tables hold the figures the API reports. Accessible (axe-core).

use actix_web::http::Method;
use serde_json::{json, Value};

use crate::browser::Browser;
use crate::fixtures::tenant;
use crate::helpers::TestApp;
use crate::on_both_backends;
use crate::pages_grants::sign_in;

on_both_backends!(an_officer_reviews_a_report_beside_its_receipts);

/// A real 4 x 3 pixel PNG, so a browser can draw it.
pub const PNG: &[u8] = b"\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x04\x00\x00\x00\x03\x08\x02\x00\x00\x00\x3b\x96\x39\x91\x00\x00\x00\x10\x49\x44\x41\x54\x78\x9c\x63\x50\x48\x58\x00\x47\x0c\x38\x39\x00\x01\x76\x0d\x81\x76\x04\xd8\x65\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82";

/// Fetches `path` with the browser's own session: `[status, content type, disposition, nosniff]`.
async fn fetch(browser: &Browser, path: &str) -> Vec<String> {
    let reply = browser
        .client
        .execute_async(
            "const [path, done] = arguments;
             fetch(path, {redirect: 'manual'}).then(r => done([String(r.status),
                 r.headers.get('content-type') || '', r.headers.get('content-disposition') || '',
                 r.headers.get('x-content-type-options') || '']))
               .catch(e => done(['failed: ' + e, '', '', '']));",
            vec![json!(path)],
        )
        .await
        .expect("fetch with the session");
    reply.as_array().unwrap().iter().map(|v| v.as_str().unwrap_or_default().to_owned()).collect()
}

/// The receipt image's natural width, once it has loaded (0 when it could not be drawn).
async fn image_width(browser: &Browser, alt: &str) -> i64 {
    let width = browser
        .client
        .execute_async(
            "const [alt, done] = arguments;
             const img = [...document.querySelectorAll('img')].find(i => i.alt === alt);
             if (!img) return done(-1);
             if (img.complete) return done(img.naturalWidth);
             img.addEventListener('load', () => done(img.naturalWidth));
             img.addEventListener('error', () => done(0));",
            vec![json!(alt)],
        )
        .await
        .expect("measure the image");
    width.as_i64().unwrap_or(-1)
}

async fn report(app: &TestApp, user: &crate::helpers::User, id: &str) -> Value {
    let reply = app.get_as(user, &format!("/api/v1/reports/{id}")).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()
}

async fn an_officer_reviews_a_report_beside_its_receipts(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let b = tenant(&app, &root, "b").await;
    let id = a.report_id.clone();
    let api = format!("/api/v1/reports/{id}");

    // The treasurer's report: a photo of a receipt beside the fixture's PDF, two lines, submitted.
    let photo = app.upload(&a.treasurer, &format!("{api}/receipts"), "bon.png", PNG).await;
    assert_eq!(photo.status, 201, "{}", photo.text());
    let photo_id = photo.json()["id"].as_str().unwrap().to_owned();
    let pdf_id = a.receipt_id.clone();
    let edited = app
        .call(
            &a.treasurer,
            Method::PATCH,
            &api,
            Some(json!({"narrative": "Tien koffie-ochtenden in de buurtkamer.", "people_reached": 64,
                "expenses": [
                    {"spent_on": "2026-03-02", "description": "Koffie en thee", "category": "catering", "amount_cents": 4250, "receipt_id": photo_id},
                    {"spent_on": "2026-03-09", "description": "Flyers", "category": "materials", "amount_cents": 125050, "receipt_id": pdf_id},
                ]})),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text());
    let submitted = app.post_as(&a.treasurer, &format!("{api}/submit"), json!({})).await;
    assert_eq!(submitted.json()["status"], "submitted", "{}", submitted.text());

    let Some(browser) = Browser::start(true).await else { return };
    sign_in(&browser, &app, &a.officer.email).await;
    browser.open(&app.url(&format!("/reports/{id}"))).await;
    let text = browser.text().await;
    for expected in [
        "Verantwoording beoordelen",
        "Ingediend: wacht op beoordeling",
        "Koffie en thee",
        "€ 42,50",
        "Flyers",
        "€ 1.250,50",
        "€ 1.293,00",
        "eten en drinken",
        "Tien koffie-ochtenden in de buurtkamer.",
        "64",
        "€ 1.000,00",
        "Open bon.pdf (PDF)",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    // The photo is drawn in the page; both receipts come with their real type, inline.
    assert_eq!(image_width(&browser, "bon.png").await, 4, "the receipt photo loads");
    let png = fetch(&browser, &format!("/receipts/{photo_id}")).await;
    assert_eq!(png[..2], ["200", "image/png"], "{png:?}");
    assert!(png[2].starts_with("inline"), "{png:?}");
    assert_eq!(png[3], "nosniff");
    let pdf = fetch(&browser, &format!("/receipts/{pdf_id}")).await;
    assert_eq!(pdf[..2], ["200", "application/pdf"], "{pdf:?}");
    assert!(pdf[2].starts_with("inline") && pdf[2].contains("bon.pdf"), "{pdf:?}");
    assert_eq!(pdf[3], "nosniff");
    browser.assert_accessible().await;

    // Sending it back needs comments; then the report is the network's again, with them.
    browser.press("Terugsturen met opmerkingen").await;
    let text = browser.text().await;
    assert!(text.contains("Schrijf op wat het netwerk moet aanpassen."), "{text}");
    browser.assert_accessible().await;
    assert_eq!(report(&app, &a.officer, &id).await["status"], "submitted");
    browser.fill("Wat moet het netwerk aanpassen?", "Voeg de bon van de koffie toe.").await;
    browser.press("Terugsturen met opmerkingen").await;
    assert_eq!(browser.path().await, format!("/reports/{id}?done=changes"));
    let text = browser.text().await;
    assert!(text.contains("teruggestuurd naar het netwerk"), "{text}");
    assert!(text.contains("Voeg de bon van de koffie toe."), "{text}");
    assert!(!text.contains("Verantwoording goedkeuren"), "no accepting a draft: {text}");
    browser.assert_accessible().await;
    let returned = report(&app, &a.officer, &id).await;
    assert_eq!(returned["status"], "draft", "{returned}");
    assert_eq!(returned["status_reason"], "Voeg de bon van de koffie toe.", "{returned}");

    // The treasurer resubmits; the officer accepts.
    let again = app.post_as(&a.treasurer, &format!("{api}/submit"), json!({})).await;
    assert_eq!(again.json()["status"], "submitted", "{}", again.text());
    browser.open(&app.url(&format!("/reports/{id}"))).await;
    browser.press("Verantwoording goedkeuren").await;
    assert_eq!(browser.path().await, format!("/reports/{id}?done=accepted"));
    let text = browser.text().await;
    assert!(text.contains("De verantwoording is goedgekeurd."), "{text}");
    assert!(!text.contains("Terugsturen met opmerkingen"), "{text}");
    browser.assert_accessible().await;
    assert_eq!(report(&app, &a.officer, &id).await["status"], "accepted");

    // Another municipality's volunteer: not found, for the page and for each receipt.
    browser.client.delete_all_cookies().await.expect("sign out");
    sign_in(&browser, &app, &b.member.email).await;
    browser.open(&app.url(&format!("/reports/{id}"))).await;
    let text = browser.text().await;
    assert!(text.contains("Deze pagina bestaat niet, of je mag hem niet zien."), "{text}");
    assert!(!text.contains("Koffie en thee"), "{text}");
    browser.assert_accessible().await;
    for receipt in [&photo_id, &pdf_id] {
        let answer = fetch(&browser, &format!("/receipts/{receipt}")).await;
        assert_eq!(answer[0], "404", "{answer:?}");
        assert!(answer[1].starts_with("text/html"), "{answer:?}");
    }
    browser.close().await;
}
