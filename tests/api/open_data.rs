//! 360Giving open data: the package validates against the official schemas, its amounts are
//! exact, unlisted networks stay anonymous, and access follows the municipality's setting.

use actix_web::http::Method;
use serde_json::{json, Value};

use crate::fixtures::{post_keyed, tenant, Tenant};
use crate::helpers::{TestApp, User};
use crate::on_both_backends;

on_both_backends!(
    open_data_package_is_valid_360giving_with_exact_amounts,
    open_data_hides_unlisted_network_names_and_people,
    open_data_filters_on_the_award_date,
    open_data_access_follows_the_municipality_setting,
);

/// Where the package schema's `$ref` points; the grant schema is registered under it locally.
const GRANT_SCHEMA_URL: &str =
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json";

fn standard(file: &str) -> Value {
    let path = crate::helpers::standards_dir().join("360giving").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// Problems against the official 360Giving 1.4.3 package schema, offline, with formats checked
/// (the standard's dates are `oneOf` a date-time format or a date pattern).
fn validation_errors(package: &Value) -> Vec<String> {
    let grant_schema = standard("360-giving-schema.json");
    let grant_id = grant_schema["$id"].as_str().unwrap().to_owned();
    let registry = jsonschema::Registry::new()
        .add(GRANT_SCHEMA_URL, grant_schema.clone())
        .unwrap()
        .add(grant_id.as_str(), grant_schema)
        .unwrap()
        .prepare()
        .unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .offline()
        .with_registry(&registry)
        .build(&standard("360-giving-package-schema.json"))
        .unwrap();
    validator.iter_errors(package).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

fn assert_valid_360giving(package: &Value) {
    let errors = validation_errors(package);
    assert!(errors.is_empty(), "360Giving validation errors:\n{}\n{package:#}", errors.join("\n"));
}

fn json_path(municipality_id: &str) -> String {
    format!("/api/v1/municipalities/{municipality_id}/open-data/360giving.json")
}

fn csv_path(municipality_id: &str) -> String {
    format!("/api/v1/municipalities/{municipality_id}/open-data/360giving.csv")
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().with_timezone(&chrono_tz::Europe::Amsterdam).date_naive()
}

/// A new application of the tenant's network, created by its treasurer (a draft).
async fn draft(app: &TestApp, t: &Tenant, title: &str, purpose: &str, cents: i64) -> String {
    let reply = app
        .post_as(
            &t.treasurer,
            "/api/v1/grants",
            json!({"fund_id": t.fund_id, "network_id": t.network_id, "title": title, "purpose": purpose,
                "requested_cents": cents, "starts_on": "2027-01-15", "ends_on": "2027-06-30",
                "budget_lines": [{"description": "Materiaal", "amount_cents": cents}],
                "payee": {"iban": "NL91 ABNA 0417 1643 00", "name": "Penningmeester Jansen"}}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    reply.json()["id"].as_str().unwrap().to_owned()
}

async fn in_review(app: &TestApp, t: &Tenant, title: &str, purpose: &str, cents: i64) -> String {
    let id = draft(app, t, title, purpose, cents).await;
    let submitted = app.post_as(&t.treasurer, &format!("/api/v1/grants/{id}/submit"), json!({})).await;
    assert_eq!(submitted.status, 200, "{}", submitted.text());
    let review = app.post_as(&t.officer, &format!("/api/v1/grants/{id}/start-review"), json!({})).await;
    assert_eq!(review.status, 200, "{}", review.text());
    id
}

/// Awards 1,234.56 in two tranches and pays the first, 500.00; returns (grant id, tranche id).
async fn awarded_and_partly_paid(app: &TestApp, t: &Tenant, purpose: &str) -> (String, String) {
    let id = in_review(app, t, "Taalcafé", purpose, 123_456).await;
    let plan = json!({"approved_cents": 123_456, "tranches": [
        {"due_on": "2027-01-15", "amount_cents": 50_000}, {"due_on": "2027-05-01", "amount_cents": 73_456}]});
    let approved = post_keyed(app, &t.officer, &format!("/api/v1/grants/{id}/approve"), plan).await;
    assert_eq!(approved.status, 200, "{}", approved.text());
    let tranches = app.get_as(&t.officer, &format!("/api/v1/grants/{id}/tranches")).await.json();
    let first = tranches["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(tranches["items"][0]["amount_cents"], 50_000);
    let members = format!("/api/v1/municipalities/{}/members", t.municipality_id);
    let finance = app.join(&t.admin, &members, &format!("finance-{id}@a.example"), "finance").await;
    let paid = post_keyed(app, &finance, &format!("/api/v1/tranches/{first}/pay"), json!({})).await;
    assert_eq!(paid.status, 200, "{}", paid.text());
    (id, first)
}

fn grant_ids(package: &Value) -> Vec<String> {
    package["grants"].as_array().unwrap().iter().map(|g| g["id"].as_str().unwrap().to_owned()).collect()
}

async fn open_data_package_is_valid_360giving_with_exact_amounts(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let (grant_id, tranche_id) = awarded_and_partly_paid(&app, &a, "Samen Nederlands oefenen.").await;

    let reply = app.get_as(&a.officer, &json_path(&a.municipality_id)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let package = reply.json();
    assert_valid_360giving(&package);

    let prefix = format!("pactum-{}", a.municipality_id);
    let ids = grant_ids(&package);
    assert_eq!(
        ids,
        [format!("360G-{prefix}-{}", a.grant_id), format!("360G-{prefix}-{grant_id}")],
        "the fixture's approved grant and the new one, by award"
    );
    let grant = &package["grants"][1];
    assert_eq!(grant["title"], "Taalcafé");
    assert_eq!(grant["description"], "Samen Nederlands oefenen.");
    assert_eq!(grant["currency"], "EUR");
    assert_eq!(grant["amountAwarded"], json!(1234.56));
    assert_eq!(grant["amountDisbursed"], json!(500.0));
    assert!(reply.text().contains("\"amountAwarded\":1234.56"), "exact decimal: {}", reply.text());
    assert_eq!(grant["awardDate"], today().to_string());
    assert_eq!(grant["plannedDates"], json!([{"startDate": "2027-01-15", "endDate": "2027-06-30"}]));
    assert_eq!(
        grant["fundingOrganization"],
        json!([{"id": format!("360G-{prefix}-{}", a.municipality_id), "name": "Gemeente a"}])
    );
    assert_eq!(
        grant["recipientOrganization"],
        json!([{"id": format!("360G-{prefix}-{}", a.network_id), "name": "Informeel netwerk"}])
    );
    assert_eq!(grant["grantProgramme"], json!([{"code": a.fund_id, "title": "Buurtbudget"}]));
    let transactions = grant["disbursementTransaction"].as_array().unwrap();
    assert_eq!(transactions.len(), 1, "one paid tranche: {grant}");
    assert_eq!(transactions[0]["id"], format!("360G-{prefix}-{tranche_id}"));
    assert_eq!(transactions[0]["value"], json!(500.0));
    assert_eq!(transactions[0]["transactionDate"], today().to_string());
    assert_eq!(package["grants"][0]["amountAwarded"], json!(1000.0));
    assert_eq!(package["grants"][0]["amountDisbursed"], json!(0.0));
    assert_eq!(package["grants"][0]["disbursementTransaction"], json!([]));
    assert_eq!(package["publisher"]["name"], "Gemeente a");
    assert_eq!(package["version"], "1.4");
    // The validator really checks the grants: a broken copy fails.
    let mut broken = package.clone();
    broken["grants"][1].as_object_mut().unwrap().remove("fundingOrganization");
    broken["grants"][0]["awardDate"] = json!("29-11-2026");
    broken["grants"][0]["amountAwarded"] = json!("1000.00");
    let errors = validation_errors(&broken).join("\n");
    for path in ["at /grants/1\n", "at /grants/0/awardDate", "at /grants/0/amountAwarded"] {
        assert!(format!("{errors}\n").contains(path), "{path} not reported: {errors}");
    }

    let csv = app.get_as(&a.officer, &csv_path(&a.municipality_id)).await;
    assert_eq!(csv.status, 200, "{}", csv.text());
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let mut reader = csv::Reader::from_reader(csv.body.as_ref());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(
        header,
        [
            "Identifier",
            "Title",
            "Description",
            "Currency",
            "Amount Awarded",
            "Amount Disbursed",
            "Award Date",
            "Planned Dates:Start Date",
            "Planned Dates:End Date",
            "Recipient Org:Identifier",
            "Recipient Org:Name",
            "Funding Org:Identifier",
            "Funding Org:Name",
            "Grant Programme:Code",
            "Grant Programme:Title",
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), package["grants"].as_array().unwrap().len());
    assert_eq!(rows[1][0], format!("360G-{prefix}-{grant_id}"));
    assert_eq!((&rows[1][4], &rows[1][5]), ("1234.56", "500.00"));
    assert_eq!(&rows[1][10], "Informeel netwerk");
}

async fn open_data_hides_unlisted_network_names_and_people(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    // The network's own text names it; the fixture network is not listed publicly.
    let (awarded, _) = awarded_and_partly_paid(&app, &a, "Taalcafé van buurtkracht A in het Centrum.").await;
    let still_draft = draft(&app, &a, "Nog een concept", "Concept", 10_000).await;
    let rejected = in_review(&app, &a, "Afgewezen", "Past niet", 20_000).await;
    let reason = json!({"reason": "Dit past niet binnen de regeling."});
    let refused = app.post_as(&a.officer, &format!("/api/v1/grants/{rejected}/reject"), reason).await;
    assert_eq!(refused.status, 200, "{}", refused.text());
    let submitted = in_review(&app, &a, "In behandeling", "Wacht", 30_000).await;

    let json_reply = app.get_as(&a.officer, &json_path(&a.municipality_id)).await;
    let csv_reply = app.get_as(&a.officer, &csv_path(&a.municipality_id)).await;
    let package = json_reply.json();
    assert_valid_360giving(&package);
    let ids = grant_ids(&package).join(" ");
    assert!(ids.contains(&awarded));
    for absent in [&still_draft, &rejected, &submitted] {
        assert!(!ids.contains(absent.as_str()), "{absent} is not awarded: {ids}");
    }
    assert_eq!(package["grants"][1]["description"], "Taalcafé van Informeel netwerk in het Centrum.");
    for body in [json_reply.text(), csv_reply.text()] {
        for private in
            ["Buurtkracht a", "buurtkracht A", "Jansen", "NL91", "ABNA", "@a.example", "Stichting Welzijn"]
        {
            assert!(!body.to_lowercase().contains(&private.to_lowercase()), "{private} leaked: {body}");
        }
        assert!(body.contains("Informeel netwerk"));
    }

    // Once listed (and registered), the network shows with its name and KvK number.
    let network = format!("/api/v1/networks/{}", a.network_id);
    let listed = app
        .call(
            &a.coordinator,
            Method::PATCH,
            &network,
            Some(json!({"listed_publicly": true, "legal_form": "foundation", "kvk_number": "12345678"})),
        )
        .await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    let package = app.get_as(&a.officer, &json_path(&a.municipality_id)).await.json();
    assert_valid_360giving(&package);
    assert_eq!(
        package["grants"][1]["recipientOrganization"],
        json!([{"id": "NL-KVK-12345678", "name": "Buurtkracht a"}])
    );
    let csv = app.get_as(&a.officer, &csv_path(&a.municipality_id)).await.text();
    assert!(csv.contains("Buurtkracht a"), "{csv}");
}

async fn open_data_filters_on_the_award_date(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let path = json_path(&a.municipality_id);
    let (today, yesterday, tomorrow) = (today(), today().pred_opt().unwrap(), today().succ_opt().unwrap());
    let count = |package: Value| package["grants"].as_array().unwrap().len();

    let same_day = app.get_as(&a.officer, &format!("{path}?from={today}&to={today}")).await;
    assert_eq!(same_day.status, 200, "{}", same_day.text());
    assert_eq!(count(same_day.json()), 1, "both ends are inclusive");
    assert_eq!(count(app.get_as(&a.officer, &format!("{path}?from={yesterday}")).await.json()), 1);
    assert_eq!(count(app.get_as(&a.officer, &format!("{path}?to={yesterday}")).await.json()), 0);
    assert_eq!(count(app.get_as(&a.officer, &format!("{path}?from={tomorrow}")).await.json()), 0);
    let csv = app.get_as(&a.officer, &format!("{}?to={yesterday}", csv_path(&a.municipality_id))).await;
    assert_eq!(csv.text().lines().count(), 1, "only the header: {}", csv.text());

    for bad in ["2027-13-01", "2027-02-30", "yesterday", "2027-1-01", "20270101"] {
        let reply = app.get_as(&a.officer, &format!("{path}?from={bad}")).await;
        let problem = reply.assert_problem(400, "bad_request");
        assert!(problem["detail"].as_str().unwrap().contains("from"), "{problem}");
    }
    let reversed = app.get_as(&a.officer, &format!("{path}?from={tomorrow}&to={yesterday}")).await;
    assert_eq!(reversed.assert_problem(422, "validation_failed")["errors"][0]["field"], "from");
    app.get_as(&a.officer, &format!("{path}?since={today}")).await.assert_problem(400, "bad_request");
}

async fn open_data_access_follows_the_municipality_setting(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let other = app.post_as(&root, "/api/v1/municipalities", json!({"name": "Gemeente b"})).await;
    let other_id = other.json()["id"].as_str().unwrap().to_owned();
    let other_admin = app
        .join(
            &root,
            &format!("/api/v1/municipalities/{other_id}/members"),
            "admin@b.example",
            "municipal_admin",
        )
        .await;
    let path = json_path(&a.municipality_id);
    let municipality = format!("/api/v1/municipalities/{}", a.municipality_id);

    // Off by default: only the municipality's own people.
    let shown = app.get_as(&a.officer, &municipality).await.json();
    assert_eq!(
        (shown["open_data_public"].clone(), shown["open_data_prefix"].clone()),
        (json!(false), Value::Null)
    );
    app.get(&path).await.assert_problem(404, "not_found");
    app.get(&csv_path(&a.municipality_id)).await.assert_problem(404, "not_found");
    let unknown = json_path(&uuid::Uuid::now_v7().to_string());
    app.get(&unknown).await.assert_problem(404, "not_found");
    app.get_as(&other_admin, &path).await.assert_problem(404, "not_found");
    let own = app.get_as(&a.officer, &path).await;
    assert_eq!(own.status, 200, "{}", own.text());
    assert_eq!(own.header("cache-control"), Some("private, no-cache"));
    assert_eq!(app.get_as(&a.auditor, &path).await.status, 200);
    let forged = User { id: String::new(), email: "nobody@example".into(), token: "not-a-token".into() };
    app.get_as(&forged, &path).await.assert_problem(401, "unauthenticated");

    // Only a municipal admin changes the settings, and only to a valid prefix.
    let change = |user: &User, body: Value| {
        let (app, municipality) = (&app, municipality.clone());
        let user = User { id: user.id.clone(), email: user.email.clone(), token: user.token.clone() };
        async move { app.call(&user, Method::PATCH, &municipality, Some(body)).await }
    };
    change(&a.officer, json!({"open_data_public": true})).await.assert_problem(403, "forbidden");
    change(&other_admin, json!({"open_data_public": true})).await.assert_problem(404, "not_found");
    for bad in ["A", "Gemeente-A", "gemeente a", "-a", &"a".repeat(41)] {
        let reply = change(&a.admin, json!({"open_data_prefix": bad})).await;
        assert_eq!(reply.assert_problem(422, "validation_failed")["errors"][0]["field"], "open_data_prefix");
    }
    let changed = change(&a.admin, json!({"open_data_public": true, "open_data_prefix": "gemeente-a"})).await;
    assert_eq!(changed.status, 200, "{}", changed.text());
    assert_eq!(changed.json()["open_data_public"], true);
    assert_eq!(changed.json()["open_data_prefix"], "gemeente-a");
    let audit =
        app.get_as(&a.admin, &format!("/api/v1/audit-events?municipality_id={}", a.municipality_id)).await;
    assert!(audit.text().contains("open_data_public"), "the change is audited: {}", audit.text());

    // Public: anyone, cacheable, with the chosen prefix.
    let public = app.get(&path).await;
    assert_eq!(public.status, 200, "{}", public.text());
    assert_eq!(public.header("cache-control"), Some("public, max-age=300"));
    let etag = public.header("etag").expect("an ETag").to_owned();
    assert_eq!(grant_ids(&public.json()), [format!("360G-gemeente-a-{}", a.grant_id)]);
    let again =
        app.send(app.request(Method::GET, &path).insert_header(("If-None-Match", etag.clone())), None).await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    assert_eq!(app.get_as(&other_admin, &path).await.status, 200, "public for signed-in outsiders too");
    let csv = app.get(&csv_path(&a.municipality_id)).await;
    assert_eq!(csv.status, 200, "{}", csv.text());
    assert_eq!(csv.text().lines().count(), 2);
    app.get_as(&forged, &path).await.assert_problem(401, "unauthenticated");

    // Back to private, and the prefix back to the default.
    let private = change(&a.admin, json!({"open_data_public": false, "open_data_prefix": null})).await;
    assert_eq!(private.json()["open_data_prefix"], Value::Null);
    app.get(&path).await.assert_problem(404, "not_found");
}
