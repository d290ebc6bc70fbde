//! A believable tenancy to test authorization against: two municipalities, each with a
//! network, and people in every role.

use crate::helpers::{TestApp, User};

pub struct Tenant {
    pub municipality_id: String,
    pub network_id: String,
    pub admin: User,
    pub officer: User,
    pub auditor: User,
    pub coordinator: User,
    pub treasurer: User,
    pub member: User,
    pub organisation_id: String,
    pub contact: User,
    /// A draft vision of the municipality, the network and the organisation.
    pub vision_id: String,
    /// An active agreement between the same three parties, signed by all.
    pub agreement_id: String,
    /// The network's commitment under that agreement.
    pub commitment_id: String,
    /// A fund of the municipality, and an approved grant of the network from it with one
    /// scheduled tranche.
    pub fund_id: String,
    pub grant_id: String,
    pub tranche_id: String,
    /// A draft spending report on that grant with one receipt.
    pub report_id: String,
    pub receipt_id: String,
    /// The email that invited the municipality's auditor.
    pub outbox_id: String,
    /// A service account of the municipality that may read grants, and its token.
    pub service_account: User,
    pub token_id: String,
    /// A webhook subscription of the municipality to every event (to a port nobody listens
    /// on), and its message about the grant's approval.
    pub webhook_id: String,
    pub delivery_id: String,
}

/// The first bytes of a real PDF, enough to be recognised as one.
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// A POST with a fresh `Idempotency-Key`, as a careful client sends it.
pub async fn post_keyed(
    app: &TestApp,
    user: &User,
    path: &str,
    body: serde_json::Value,
) -> crate::helpers::Reply {
    let request = app
        .request(actix_web::http::Method::POST, path)
        .insert_header(("Authorization", format!("Bearer {}", user.token)))
        .insert_header(("Idempotency-Key", uuid::Uuid::now_v7().to_string()))
        .content_type("application/json");
    app.send(request, Some(actix_web::web::Bytes::from(body.to_string()))).await
}

/// A fund of `t`'s municipality, open since 2026, made by its admin (who sets a fund's controls).
pub async fn fund(app: &TestApp, t: &Tenant, budget_cents: i64, threshold_cents: i64) -> String {
    let reply = app
        .post_as(
            &t.admin,
            "/api/v1/funds",
            serde_json::json!({"municipality_id": t.municipality_id, "name": "Buurtbudget", "budget_cents": budget_cents,
                "opens_on": "2026-01-01", "max_grant_cents": budget_cents, "four_eyes_threshold_cents": threshold_cents}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    reply.json()["id"].as_str().unwrap().to_owned()
}

/// An application of `t`'s network for `cents`, submitted and in review.
pub async fn grant_in_review(app: &TestApp, t: &Tenant, fund_id: &str, cents: i64) -> String {
    let reply = app
        .post_as(
            &t.treasurer,
            "/api/v1/grants",
            serde_json::json!({"fund_id": fund_id, "network_id": t.network_id, "title": "Koffie-ochtenden",
                "purpose": "Ontmoeting", "requested_cents": cents, "starts_on": "2026-02-01", "ends_on": "2026-12-31",
                "budget_lines": [{"description": "Koffie", "amount_cents": cents}],
                "payee": {"iban": "NL91 ABNA 0417 1643 00", "name": "Stichting Welzijn"}}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let id = reply.json()["id"].as_str().unwrap().to_owned();
    let submitted =
        app.post_as(&t.treasurer, &format!("/api/v1/grants/{id}/submit"), serde_json::json!({})).await;
    assert_eq!(submitted.json()["status"], "submitted", "{}", submitted.text());
    let review =
        app.post_as(&t.officer, &format!("/api/v1/grants/{id}/start-review"), serde_json::json!({})).await;
    assert_eq!(review.json()["status"], "in_review", "{}", review.text());
    id
}

/// A new agreement between the municipality, the network and the organisation, in draft.
pub async fn draft_agreement(
    app: &TestApp,
    t: &Tenant,
    starts_on: &str,
    ends_on: Option<&str>,
) -> serde_json::Value {
    let reply = app
        .post_as(
            &t.officer,
            "/api/v1/agreements",
            serde_json::json!({
                "municipality_id": t.municipality_id,
                "title": "Koffie-ochtenden",
                "parties": [{"type": "network", "id": t.network_id}, {"type": "organisation", "id": t.organisation_id}],
                "starts_on": starts_on,
                "ends_on": ends_on,
                "review_interval_months": 6,
                "body": "1. Elke dinsdag koffie.\n2. De gemeente stelt de buurtkamer beschikbaar.\n",
                "provisions": [{"kind": "space", "description": "De buurtkamer"}, {"kind": "money", "description": "Koffie", "amount_cents": 25000}],
                "commitments": [
                    {"party": {"type": "network", "id": t.network_id}, "description": "Koffie zetten", "due_on": "2027-03-01"},
                    {"party": {"type": "municipality", "id": t.municipality_id}, "description": "Sleutel regelen"},
                ],
            }),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    reply.json()
}

/// Proposes the agreement and has every party sign it.
pub async fn sign_by_all(app: &TestApp, t: &Tenant, agreement_id: &str) -> serde_json::Value {
    let path = format!("/api/v1/agreements/{agreement_id}");
    let proposed = app.post_as(&t.officer, &format!("{path}/propose"), serde_json::json!({})).await;
    assert_eq!(proposed.status, 200, "{}", proposed.text());
    let mut last = serde_json::Value::Null;
    for signer in [&t.officer, &t.coordinator, &t.contact] {
        let signed = app.post_as(signer, &format!("{path}/sign"), serde_json::json!({})).await;
        assert_eq!(signed.status, 200, "{}: {}", signer.email, signed.text());
        last = signed.json();
    }
    last
}

/// One municipality with its admin, officer and auditor, and a linked network with its
/// coordinator, treasurer and member, and a partner organisation with a contact. `tag` keeps
/// emails unique.
pub async fn tenant(app: &TestApp, platform_admin: &User, tag: &str) -> Tenant {
    let municipality = app
        .post_as(
            platform_admin,
            "/api/v1/municipalities",
            serde_json::json!({"name": format!("Gemeente {tag}")}),
        )
        .await;
    assert_eq!(municipality.status, 201, "{}", municipality.text());
    let municipality_id = municipality.json()["id"].as_str().unwrap().to_owned();
    let members = format!("/api/v1/municipalities/{municipality_id}/members");
    let admin = app.join(platform_admin, &members, &format!("admin@{tag}.example"), "municipal_admin").await;
    let officer = app.join(&admin, &members, &format!("officer@{tag}.example"), "officer").await;
    let auditor = app.join(&admin, &members, &format!("auditor@{tag}.example"), "auditor").await;

    let network = app
        .post_as(
            &officer,
            "/api/v1/networks",
            serde_json::json!({
                "name": format!("Buurtkracht {tag}"),
                "kind": "citizens_initiative",
                "themes": ["loneliness", "language"],
                "neighbourhoods": ["Centrum"],
                "legal_form": "none",
                "contact_email": format!("network@{tag}.example"),
                "municipality_id": municipality_id,
            }),
        )
        .await;
    assert_eq!(network.status, 201, "{}", network.text());
    let network_id = network.json()["id"].as_str().unwrap().to_owned();
    let network_members = format!("/api/v1/networks/{network_id}/members");
    let coordinator =
        app.join(&officer, &network_members, &format!("coordinator@{tag}.example"), "coordinator").await;
    let treasurer =
        app.join(&coordinator, &network_members, &format!("treasurer@{tag}.example"), "treasurer").await;
    let member = app.join(&coordinator, &network_members, &format!("member@{tag}.example"), "member").await;
    let organisation = app
        .post_as(
            &officer,
            "/api/v1/organisations",
            serde_json::json!({"municipality_id": municipality_id, "name": format!("Welzijn {tag}"), "kind": "welfare"}),
        )
        .await;
    assert_eq!(organisation.status, 201, "{}", organisation.text());
    let organisation_id = organisation.json()["id"].as_str().unwrap().to_owned();
    let contacts = format!("/api/v1/organisations/{organisation_id}/contacts");
    let contact = app.join(&officer, &contacts, &format!("contact@{tag}.example"), "contact").await;
    let vision = app
        .post_as(
            &officer,
            "/api/v1/visions",
            serde_json::json!({"municipality_id": municipality_id, "title": format!("Visie {tag}"), "statement": "",
                "parties": [{"type": "network", "id": network_id}, {"type": "organisation", "id": organisation_id}]}),
        )
        .await;
    assert_eq!(vision.status, 201, "{}", vision.text());
    let vision_id = vision.json()["id"].as_str().unwrap().to_owned();
    let mut tenant = Tenant {
        vision_id,
        municipality_id,
        network_id,
        admin,
        officer,
        auditor,
        coordinator,
        treasurer,
        member,
        organisation_id,
        contact,
        agreement_id: String::new(),
        commitment_id: String::new(),
        fund_id: String::new(),
        grant_id: String::new(),
        tranche_id: String::new(),
        report_id: String::new(),
        receipt_id: String::new(),
        outbox_id: String::new(),
        service_account: User { id: String::new(), email: String::new(), token: String::new() },
        token_id: String::new(),
        webhook_id: String::new(),
        delivery_id: String::new(),
    };
    let agreement = draft_agreement(app, &tenant, "2026-01-01", None).await;
    tenant.agreement_id = agreement["id"].as_str().unwrap().to_owned();
    let active = sign_by_all(app, &tenant, &tenant.agreement_id).await;
    assert_eq!(active["status"], "active", "{active}");
    let commitments = app
        .get_as(
            &tenant.officer,
            &format!(
                "/api/v1/commitments?agreement_id={}&party_type=network&party_id={}",
                tenant.agreement_id, tenant.network_id
            ),
        )
        .await
        .json();
    tenant.commitment_id = commitments["items"][0]["id"].as_str().unwrap().to_owned();
    let subscribed = app
        .post_as(
            &tenant.admin,
            "/api/v1/webhooks",
            serde_json::json!({"municipality_id": tenant.municipality_id, "url": "http://127.0.0.1:9/hooks",
                "event_types": ["grant.approved", "tranche.paid", "agreement.signed"]}),
        )
        .await;
    assert_eq!(subscribed.status, 201, "{}", subscribed.text());
    tenant.webhook_id = subscribed.json()["id"].as_str().unwrap().to_owned();
    tenant.fund_id = fund(app, &tenant, 1_000_000, 500_000).await;
    tenant.grant_id = grant_in_review(app, &tenant, &tenant.fund_id, 100_000).await;
    let approved = post_keyed(
        app,
        &tenant.officer,
        &format!("/api/v1/grants/{}/approve", tenant.grant_id),
        serde_json::json!({}),
    )
    .await;
    assert_eq!(approved.json()["status"], "approved", "{}", approved.text());
    let tranches =
        app.get_as(&tenant.officer, &format!("/api/v1/grants/{}/tranches", tenant.grant_id)).await.json();
    tenant.tranche_id = tranches["items"][0]["id"].as_str().unwrap().to_owned();
    let deliveries =
        app.get_as(&tenant.admin, &format!("/api/v1/webhooks/{}/deliveries", tenant.webhook_id)).await.json();
    tenant.delivery_id = deliveries["items"][0]["id"].as_str().expect("the approval was queued").to_owned();
    let report = app
        .post_as(
            &tenant.treasurer,
            &format!("/api/v1/grants/{}/reports", tenant.grant_id),
            serde_json::json!({"kind": "interim", "narrative": "Begonnen."}),
        )
        .await;
    assert_eq!(report.status, 201, "{}", report.text());
    tenant.report_id = report.json()["id"].as_str().unwrap().to_owned();
    let receipt = app
        .upload(&tenant.treasurer, &format!("/api/v1/reports/{}/receipts", tenant.report_id), "bon.pdf", PDF)
        .await;
    assert_eq!(receipt.status, 201, "{}", receipt.text());
    tenant.receipt_id = receipt.json()["id"].as_str().unwrap().to_owned();
    let mail = app.get_as(&tenant.admin, "/api/v1/outbox?limit=200").await.json();
    let invited =
        mail["items"].as_array().unwrap().iter().find(|m| m["recipient"] == format!("auditor@{tag}.example"));
    tenant.outbox_id =
        invited.expect("the auditor's invitation is in the outbox")["id"].as_str().unwrap().to_owned();
    (tenant.service_account, tenant.token_id) =
        service_account(app, &tenant.admin, &tenant.municipality_id, &["grants:read"]).await;
    tenant
}

/// A new service account of the municipality with these scopes, as a caller with its first
/// token; and that token's id.
pub async fn service_account(
    app: &TestApp,
    admin: &User,
    municipality_id: &str,
    scopes: &[&str],
) -> (User, String) {
    let accounts = format!("/api/v1/municipalities/{municipality_id}/service-accounts");
    let created = app
        .post_as(admin, &accounts, serde_json::json!({"name": "Financieel systeem", "scopes": scopes}))
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let issued = app.post_as(admin, &format!("{accounts}/{id}/tokens"), serde_json::json!({})).await;
    assert_eq!(issued.status, 201, "{}", issued.text());
    let issued = issued.json();
    let token = issued["token"].as_str().unwrap().to_owned();
    (User { id, email: String::new(), token }, issued["id"].as_str().unwrap().to_owned())
}

/// Cents as a Dutch page shows them: `€ 1.250,50` (written out here, not by the code under test).
/// Queues `count` emails straight into the outbox, as a service would, with dedupe keys
/// `{tag}:0`, `{tag}:1`, ... to `r{i}@{tag}.example`.
pub async fn queue_emails(app: &TestApp, tag: &'static str, count: usize) {
    app.state
        .db
        .run(move |conn| {
            for i in 0..count {
                let email = pactum::outbox::Email {
                    kind: "test",
                    dedupe_key: format!("{tag}:{i}"),
                    municipality_id: None,
                    recipient: format!("r{i}@{tag}.example"),
                    subject: format!("Bericht {i}"),
                    text: "tekst".into(),
                    html: "<p>tekst</p>".into(),
                };
                pactum::outbox::enqueue(conn, &email)?;
            }
            Ok(())
        })
        .await
        .expect("queued");
}

pub fn euros(cents: i64) -> String {
    let whole = (cents.abs() / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    format!("{}€ {grouped},{:02}", if cents < 0 { "-" } else { "" }, cents.abs() % 100)
}
