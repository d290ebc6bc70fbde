//! The municipality's review of a spending report and its overview, in a real browser: the
//! officer sees the expense lines beside both receipts (the photo loads, the PDF opens with
//! its real type), sends the report back with comments, and accepts it once the treasurer has
//! resubmitted; another municipality's volunteer gets "not found" for the report and its
//! receipts. The overview's tables hold the figures the API reports. Accessible (axe-core).

use actix_web::http::Method;
use serde_json::{json, Value};

use crate::browser::Browser;
use crate::fixtures::{euros, grant_in_review, tenant};
use crate::helpers::TestApp;
use crate::on_both_backends;
use crate::pages_grants::sign_in;

on_both_backends!(an_officer_reviews_a_report_beside_its_receipts, the_overview_shows_what_the_api_reports);

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
pub async fn image_width(browser: &Browser, alt: &str) -> i64 {
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
    // The work queue lists the report waiting for review and leads straight to it.
    browser.open(&app.url("/work")).await;
    let link = format!("a[href='/reports/{id}']");
    assert_eq!(
        browser.attribute(&link, "href").await,
        Some(format!("/reports/{id}")),
        "{}",
        browser.text().await
    );
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

/// The text of each cell (header cells too) of each body row of the table `#id`.
async fn rows(browser: &Browser, id: &str) -> Vec<Vec<String>> {
    let found = browser
        .client
        .execute(
            "return [...document.querySelectorAll('#' + arguments[0] + ' tbody tr')]
                .map(r => [...r.children].map(c => c.textContent.trim()));",
            vec![json!(id)],
        )
        .await
        .expect("read the table");
    serde_json::from_value(found).expect("rows of cells")
}

async fn the_overview_shows_what_the_api_reports(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let b = tenant(&app, &root, "b").await;
    // A second application, in review within its term; the first grant's report reached 64.
    grant_in_review(&app, &a, &a.fund_id, 50_000).await;
    let api = format!("/api/v1/reports/{}", a.report_id);
    let edited = app.call(&a.treasurer, Method::PATCH, &api, Some(json!({"people_reached": 64}))).await;
    assert_eq!(edited.status, 200, "{}", edited.text());
    let submitted = app.post_as(&a.treasurer, &format!("{api}/submit"), json!({})).await;
    assert_eq!(submitted.json()["status"], "submitted", "{}", submitted.text());

    let fund = app.get_as(&a.officer, &format!("/api/v1/funds/{}", a.fund_id)).await.json();
    let reply =
        app.get_as(&a.officer, &format!("/api/v1/municipalities/{}/overview", a.municipality_id)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let overview = reply.json();
    let balances = &fund["balances"];
    let figures = &overview["funds"][0];
    for (api_name, ours) in [
        ("budget_cents", "budget_cents"),
        ("committed_cents", "committed_cents"),
        ("paid_cents", "paid_cents"),
        ("available_cents", "remaining_cents"),
    ] {
        assert_eq!(balances[api_name], figures[ours], "{api_name}: {fund} / {overview}");
    }
    assert_eq!(balances["committed_cents"], 100_000, "{fund}");
    let statuses: Vec<(String, i64)> = overview["grants_by_status"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["status"].as_str().unwrap().to_owned(), s["count"].as_i64().unwrap()))
        .collect();
    assert_eq!(statuses, [("in_review".to_owned(), 1), ("approved".to_owned(), 1)], "{overview}");
    let terms = &overview["decision_terms"];
    assert_eq!((terms["met"].as_i64(), terms["open_in_time"].as_i64()), (Some(1), Some(1)), "{overview}");
    let network = &overview["networks"][0];
    assert_eq!(
        (network["people_reached"].as_i64(), network["reports"].as_i64()),
        (Some(64), Some(1)),
        "{overview}"
    );
    assert_eq!(overview["total"]["people_reached"], 64);
    assert_eq!(overview["total"]["themes"], json!(["language", "loneliness"]), "{overview}");
    assert_eq!(overview["total"]["neighbourhoods"], json!(["Centrum"]), "{overview}");
    // Another municipality's people do not see it.
    let hidden =
        app.get_as(&b.officer, &format!("/api/v1/municipalities/{}/overview", a.municipality_id)).await;
    hidden.assert_problem(404, "not_found");

    let Some(browser) = Browser::start(true).await else { return };
    sign_in(&browser, &app, &a.auditor.email).await;
    browser.follow("Overzicht").await;
    assert_eq!(browser.path().await, "/overview");
    browser.assert_accessible().await;

    // The page's tables hold the API's numbers.
    let cents = |v: &Value| euros(v.as_i64().unwrap());
    assert_eq!(
        rows(&browser, "overview-funds").await,
        [[
            fund["name"].as_str().unwrap().to_owned(),
            cents(&balances["budget_cents"]),
            cents(&balances["committed_cents"]),
            cents(&balances["paid_cents"]),
            cents(&balances["available_cents"]),
        ]]
    );
    let counts =
        |table: Vec<Vec<String>>| -> Vec<i64> { table.iter().map(|r| r[1].parse().unwrap()).collect() };
    assert_eq!(
        counts(rows(&browser, "overview-statuses").await),
        statuses.iter().map(|s| s.1).collect::<Vec<_>>()
    );
    assert_eq!(rows(&browser, "overview-statuses").await[0][0], "In behandeling");
    let term_counts: Vec<i64> = ["met", "missed", "open_in_time", "open_overdue"]
        .iter()
        .map(|k| terms[k].as_i64().unwrap())
        .collect();
    assert_eq!(counts(rows(&browser, "overview-terms").await), term_counts);
    let networks = rows(&browser, "overview-networks").await;
    assert_eq!(networks.len(), overview["networks"].as_array().unwrap().len());
    assert_eq!(networks[0][0], network["name"].as_str().unwrap());
    assert_eq!(networks[0][3], "64");
    assert_eq!(networks[0][4], "loneliness, language");
    assert_eq!(counts(rows(&browser, "overview-reach").await), [64]);
    let total = browser
        .client
        .execute("return document.getElementById('overview-total-people').textContent", vec![])
        .await
        .unwrap();
    assert_eq!(total, "64");

    // Each chart is an image with a name, and has its table beside it.
    let charts = browser
        .client
        .execute(
            "return [...document.querySelectorAll('.pactum-chart')].map(c => [
                 c.querySelectorAll('svg[role=img]').length,
                 [...c.querySelectorAll('svg[role=img]')].every(s => s.querySelector('title') && s.querySelector('title').textContent.trim().length > 0),
                 c.querySelectorAll('table caption').length]);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(charts, json!([[1, true, 1], [1, true, 1], [1, true, 1], [1, true, 1]]), "{charts}");

    // The downloads are the API's exports, with the session.
    let csv = app.get_as(&a.officer, &format!("/api/v1/funds/{}/grants.csv", a.fund_id)).await;
    let page_csv = browser
        .client
        .execute_async(
            "const [path, done] = arguments; fetch(path).then(r => r.text()).then(done);",
            vec![json!(format!("/overview/funds/{}/grants.csv", a.fund_id))],
        )
        .await
        .unwrap();
    assert_eq!(page_csv.as_str().unwrap(), csv.text());
    for format in ["json", "csv"] {
        let open = app
            .get_as(
                &a.officer,
                &format!("/api/v1/municipalities/{}/open-data/360giving.{format}", a.municipality_id),
            )
            .await;
        assert_eq!(open.status, 200, "{}", open.text());
        let page = browser
            .client
            .execute_async(
                "const [path, done] = arguments; fetch(path).then(r => r.text()).then(done);",
                vec![json!(format!("/overview/{}/360giving.{format}", a.municipality_id))],
            )
            .await
            .unwrap();
        assert_eq!(page.as_str().unwrap(), open.text(), "360giving.{format}");
    }

    // An officer of another municipality: not found.
    browser.client.delete_all_cookies().await.expect("sign out");
    sign_in(&browser, &app, &b.officer.email).await;
    browser.open(&app.url(&format!("/overview?municipality={}", a.municipality_id))).await;
    let text = browser.text().await;
    assert!(text.contains("Deze pagina bestaat niet, of je mag hem niet zien."), "{text}");
    browser.close().await;
}
