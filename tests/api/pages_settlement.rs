//! The end of a grant in a real browser: the officer finds the network's agreements and the
//! grant's reports with their receipts on the grant's page, settles the grant below what was
//! paid (confirmation first), finance records the refund that came back, and the officer closes
//! the file; the network reads the settlement without the forms. A stale refund form is not
//! counted twice; another municipality's officer gets "not found". Accessible (axe-core).

use serde_json::{json, Value};

use crate::browser::Browser;
use crate::fixtures::{post_keyed, tenant, Tenant};
use crate::helpers::{TestApp, User};
use crate::on_both_backends;
use crate::pages_grants::sign_in;
use crate::pages_review::{image_width, PNG};

on_both_backends!(a_grant_is_settled_refunded_and_closed_through_the_pages);

async fn ok(reply: crate::helpers::Reply) -> Value {
    assert!(reply.status < 300, "{}", reply.text());
    reply.json()
}

/// `t`'s grant paid in full by a finance colleague, with an accepted final report whose one
/// line has a photo of its receipt; returns the finance colleague and the photo's id.
async fn paid_and_reported(app: &TestApp, t: &Tenant) -> (User, String) {
    let members = format!("/api/v1/municipalities/{}/members", t.municipality_id);
    let finance = app.join(&t.admin, &members, "finance@a.example", "finance").await;
    ok(post_keyed(app, &finance, &format!("/api/v1/tranches/{}/pay", t.tranche_id), json!({})).await).await;
    let grant = format!("/api/v1/grants/{}", t.grant_id);
    let report = ok(app
        .post_as(
            &t.treasurer,
            &format!("{grant}/reports"),
            json!({"kind": "final", "narrative": "Twintig ochtenden."}),
        )
        .await)
    .await;
    let report = format!("/api/v1/reports/{}", report["id"].as_str().unwrap());
    let photo = ok(app.upload(&t.treasurer, &format!("{report}/receipts"), "koffie.png", PNG).await).await;
    let photo_id = photo["id"].as_str().unwrap().to_owned();
    let lines = json!({"expenses": [{"spent_on": "2026-03-02", "description": "Koffie", "category": "catering",
        "amount_cents": 80_000, "receipt_id": photo_id}]});
    ok(app.call(&t.treasurer, actix_web::http::Method::PATCH, &report, Some(lines)).await).await;
    ok(app.post_as(&t.treasurer, &format!("{report}/submit"), json!({})).await).await;
    let accepted = ok(app.post_as(&t.officer, &format!("{report}/accept"), json!({})).await).await;
    assert_eq!(accepted["status"], "accepted", "{accepted}");
    (finance, photo_id)
}

async fn settlement(app: &TestApp, user: &User, grant_id: &str) -> Value {
    ok(app.get_as(user, &format!("/api/v1/grants/{grant_id}/settlement")).await).await
}

async fn a_grant_is_settled_refunded_and_closed_through_the_pages(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let b = tenant(&app, &root, "b").await;
    let (finance, _photo) = paid_and_reported(&app, &a).await;
    let page = format!("/grants/{}", a.grant_id);

    let Some(browser) = Browser::start(true).await else { return };
    sign_in(&browser, &app, &a.officer.email).await;
    browser.open(&app.url(&page)).await;
    let text = browser.text().await;
    for expected in [
        "Samenwerkingsafspraken met Buurtkracht a",
        "Koffie-ochtenden",
        "Verantwoording",
        "Eindverantwoording",
        "Tussentijds",
        "Uitgegeven: € 800,00.",
        "Open bon.pdf (PDF)",
        "Vaststelling",
        "Goedgekeurd: € 1.000,00. Al betaald: € 1.000,00.",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    assert_eq!(
        browser.attribute(&format!("a[href='/agreements/{}']", a.agreement_id), "href").await,
        Some(format!("/agreements/{}", a.agreement_id))
    );
    assert_eq!(image_width(&browser, "koffie.png").await, 4, "the receipt photo is shown in the page");
    browser.assert_accessible().await;

    // Money moves only with the box ticked, and never above what was approved.
    browser.fill("Vastgesteld bedrag", "800").await;
    browser.press("Vaststellen").await;
    let text = browser.text().await;
    assert!(text.contains("Controleer het bedrag en vink aan dat je dat hebt gedaan."), "{text}");
    assert_eq!(settlement(&app, &a.officer, &a.grant_id).await["settled"], false);
    browser.assert_accessible().await;
    browser.fill("Vastgesteld bedrag", "1.000,01").await;
    browser.tick("Ik heb het bedrag gecontroleerd").await;
    browser.press("Vaststellen").await;
    let text = browser.text().await;
    assert!(text.contains("niet hoger zijn dan het goedgekeurde bedrag"), "{text}");
    assert_eq!(settlement(&app, &a.officer, &a.grant_id).await["settled"], false);
    browser.fill("Vastgesteld bedrag", "800,00").await;
    browser.fill("Toelichting voor het netwerk (optioneel)", "Twee ochtenden gingen niet door.").await;
    browser.tick("Ik heb het bedrag gecontroleerd").await;
    browser.press("Vaststellen").await;
    assert_eq!(browser.path().await, format!("{page}?done=settled"));
    let text = browser.text().await;
    for expected in [
        "De subsidie is vastgesteld.",
        "€ 800,00",
        "Terug te betalen door het netwerk",
        "€ 200,00",
        "Twee ochtenden gingen niet door.",
        "Sluiten kan pas als alles is afgerond. Nog terug te betalen: € 200,00.",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    browser.assert_accessible().await;
    let settled = settlement(&app, &a.officer, &a.grant_id).await;
    assert_eq!(
        (settled["settled_cents"].as_i64(), settled["refund_due_cents"].as_i64()),
        (Some(80_000), Some(20_000))
    );
    let grant = ok(app.get_as(&a.officer, &format!("/api/v1/grants/{}", a.grant_id)).await).await;
    assert_eq!(grant["status"], "settled");

    // Finance records the refund; a second post of the same form is refused, not counted twice.
    browser.client.delete_all_cookies().await.expect("sign out");
    sign_in(&browser, &app, &finance.email).await;
    browser.open(&app.url(&page)).await;
    browser.fill("Ontvangen op", "32-9-2026").await;
    browser.press("Terugbetaling vastleggen").await;
    let text = browser.text().await;
    assert!(text.contains("Vul de datum in als dag-maand-jaar"), "{text}");
    assert!(text.contains("Kijk of het geld binnen is"), "{text}");
    browser.assert_accessible().await;
    browser.fill("Ontvangen bedrag", "200,00").await;
    browser.fill("Ontvangen op", "15-9-2026").await;
    browser.tick("Ik heb het bedrag op de bankrekening van de gemeente gezien").await;
    browser.press("Terugbetaling vastleggen").await;
    assert_eq!(browser.path().await, format!("{page}?done=refund"));
    assert!(browser.text().await.contains("De terugbetaling is vastgelegd."), "{}", browser.text().await);
    browser.assert_accessible().await;
    let stale = json!({"refund": "200,00", "received_on": "15-9-2026", "refund_checked": "yes", "outstanding": "20000"});
    browser.forge(&format!("{page}/settlement/refund"), stale).await;
    assert!(
        browser.text().await.contains("intussen is er al een terugbetaling vastgelegd"),
        "{}",
        browser.text().await
    );
    let refunded = settlement(&app, &a.officer, &a.grant_id).await;
    assert_eq!(
        (refunded["refunded_cents"].as_i64(), refunded["refund_outstanding_cents"].as_i64()),
        (Some(20_000), Some(0))
    );

    // The network reads the settlement, without the municipality's forms.
    browser.client.delete_all_cookies().await.expect("sign out");
    sign_in(&browser, &app, &a.treasurer.email).await;
    browser.open(&app.url(&page)).await;
    let text = browser.text().await;
    assert!(text.contains("Vastgesteld bedrag") && text.contains("€ 800,00"), "{text}");
    assert!(!text.contains("Dossier sluiten") && !text.contains("Samenwerkingsafspraken met"), "{text}");
    browser.assert_accessible().await;

    // Another municipality's officer cannot close it, even with a forged form.
    browser.client.delete_all_cookies().await.expect("sign out");
    sign_in(&browser, &app, &b.officer.email).await;
    browser.forge(&format!("{page}/settlement/close"), json!({})).await;
    assert!(browser.text().await.contains("Deze pagina bestaat niet"), "{}", browser.text().await);
    assert_eq!(
        ok(app.get_as(&a.officer, &format!("/api/v1/grants/{}", a.grant_id)).await).await["status"],
        "settled"
    );

    // Nothing is due either way: the officer closes the file.
    browser.client.delete_all_cookies().await.expect("sign out");
    sign_in(&browser, &app, &a.officer.email).await;
    browser.open(&app.url(&page)).await;
    browser.press("Dossier sluiten").await;
    assert_eq!(browser.path().await, format!("{page}?done=closed"));
    let text = browser.text().await;
    assert!(text.contains("Het dossier is gesloten."), "{text}");
    assert!(!text.contains("Dossier sluiten") && !text.contains("Terugbetaling vastleggen"), "{text}");
    browser.assert_accessible().await;
    let grant = ok(app.get_as(&a.officer, &format!("/api/v1/grants/{}", a.grant_id)).await).await;
    assert_eq!(grant["status"], "closed");
    browser.close().await;
}
