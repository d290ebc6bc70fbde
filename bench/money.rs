//! Throughput of the money path over real HTTP on loopback, on SQLite and PostgreSQL:
//! approving a grant (with ledger, audit and idempotency), paying a tranche, reading a grant.
//! Targets: 300 approvals/s, 300 payments/s, 3,000 reads/s on a 2-core machine.
//!
//! Run: `cargo bench --bench money` (PostgreSQL from `PACTUM_TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/postgres`; skipped when unreachable). Prints medians of
//! three runs and the ratio to each target; the machine is shared, so read ratios, not digits.

use std::time::Instant;

use actix_web::http::Method;
use futures_util::future::join_all;

use pactum::db::DbConnection;
use pactum::domain::{MunicipalityRole, NetworkRole};
use pactum::grants::dto::{CreateGrant, GrantActionRequest, Payee};
use pactum::members::{repo as members, MembershipOwner};

#[path = "common.rs"]
mod common;
use common::{caller, municipality, user, PASSWORD};

const CONCURRENCY: usize = 16;
const WRITES: usize = 400;
const READS: usize = 4000;
const RUNS: usize = 3;

fn main() {
    common::on_each_backend(|backend, url, dir| async move { measure(backend, &url, &dir).await });
}

struct World {
    officer: String,
    finance: String,
    fund_id: String,
    network_id: String,
    treasurer: String,
}

/// A municipality, its officers, a network and a fund big enough for every approval.
fn world(conn: &mut DbConnection) -> World {
    let municipality = municipality(conn);
    let scope = MembershipOwner::Municipality(municipality.id.clone());
    let officer = user(conn, "officer@bench.example", false);
    let finance = user(conn, "finance@bench.example", false);
    members::insert_member(
        conn,
        &scope,
        &officer,
        MunicipalityRole::Officer.as_str(),
        pactum::domain::time::now(),
    )
    .expect("member");
    members::insert_member(
        conn,
        &scope,
        &finance,
        MunicipalityRole::Finance.as_str(),
        pactum::domain::time::now(),
    )
    .expect("member");
    let officer_caller = caller(conn, &officer);
    let network = pactum::networks::service::create(
        conn,
        &officer_caller,
        serde_json::from_value(
            serde_json::json!({"name": "Bench netwerk", "kind": "other", "legal_form": "none",
            "contact_email": "n@bench.example", "municipality_id": municipality.id}),
        )
        .expect("network body"),
        None,
    )
    .expect("network");
    let treasurer = user(conn, "treasurer@bench.example", false);
    members::insert_member(
        conn,
        &MembershipOwner::Network(network.id.clone()),
        &treasurer,
        NetworkRole::Treasurer.as_str(),
        pactum::domain::time::now(),
    )
    .expect("member");
    // A fund's controls are a municipal admin's to set.
    let admin = user(conn, "admin@bench.example", false);
    let role = MunicipalityRole::MunicipalAdmin.as_str();
    members::insert_member(conn, &scope, &admin, role, pactum::domain::time::now()).expect("member");
    let admin = caller(conn, &admin);
    let fund = pactum::funds::service::create(
        conn,
        &admin,
        serde_json::from_value(serde_json::json!({"municipality_id": municipality.id, "name": "Bench fund",
            "budget_cents": 100_000_000_000_i64, "opens_on": "2020-01-01", "four_eyes_threshold_cents": 100_000_000_000_i64}))
        .expect("fund body"),
    )
    .expect("fund");
    World { officer, finance, fund_id: fund.id, network_id: network.id, treasurer }
}

/// `count` applications submitted and in review.
fn applications(conn: &mut DbConnection, world: &World, count: usize) -> Vec<String> {
    let treasurer = caller(conn, &world.treasurer);
    let officer = caller(conn, &world.officer);
    (0..count)
        .map(|i| {
            let grant = pactum::grants::applications::create(
                conn,
                &treasurer,
                CreateGrant {
                    fund_id: world.fund_id.parse().expect("uuid"),
                    network_id: world.network_id.parse().expect("uuid"),
                    agreement_id: None,
                    title: format!("Aanvraag {i}"),
                    purpose: String::new(),
                    requested_cents: 10_000,
                    starts_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
                    ends_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 31).expect("date"),
                    budget_lines: vec![],
                    payee: Payee { iban: "NL91ABNA0417164300".into(), name: "Bench".into() },
                },
            )
            .expect("grant");
            pactum::grants::applications::submit(conn, &treasurer, &grant.id, GrantActionRequest::default())
                .expect("submit");
            pactum::grants::decisions::start_review(conn, &officer, &grant.id).expect("review");
            grant.id
        })
        .collect()
}

async fn login(client: &awc::Client, base: &str, email: &str) -> String {
    let mut response = client
        .post(format!("{base}/api/v1/auth/login"))
        .send_json(&serde_json::json!({"email": email, "password": PASSWORD}))
        .await
        .expect("login");
    let body: serde_json::Value = response.json().await.expect("token");
    body["access_token"].as_str().expect("access token").to_owned()
}

/// Sends every request, `CONCURRENCY` at a time; returns requests per second.
async fn throughput(client: &awc::Client, token: &str, method: Method, paths: &[String], keyed: bool) -> f64 {
    let started = Instant::now();
    for chunk in paths.chunks(CONCURRENCY) {
        let replies = join_all(chunk.iter().map(|path| {
            let mut request = client
                .request(method.clone(), path.as_str())
                .insert_header(("Authorization", format!("Bearer {token}")));
            if keyed {
                request = request.insert_header(("Idempotency-Key", uuid::Uuid::now_v7().to_string()));
            }
            async move { request.send().await.map(|r| r.status().as_u16()) }
        }))
        .await;
        for reply in replies {
            let status = reply.expect("response");
            assert!(status < 300, "status {status}");
        }
    }
    paths.len() as f64 / started.elapsed().as_secs_f64()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

async fn measure(backend: &str, url: &str, data_dir: &std::path::Path) {
    let flags = ["--database-pool-size", "8", "--login-attempts-per-address", "100000"];
    let (base, state) = common::serve(url, data_dir, &flags);
    let mut conn = state.db.connection().expect("connection");
    let world = world(&mut conn);
    let client = awc::Client::builder().timeout(std::time::Duration::from_secs(60)).finish();
    let officer = login(&client, &base, "officer@bench.example").await;
    let finance = login(&client, &base, "finance@bench.example").await;

    let (mut approvals, mut payments, mut reads) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let grants = applications(&mut conn, &world, WRITES);
        let approve: Vec<String> =
            grants.iter().map(|g| format!("{base}/api/v1/grants/{g}/approve")).collect();
        approvals.push(throughput(&client, &officer, Method::POST, &approve, true).await);
        let finance_caller = caller(&mut conn, &world.finance);
        let pay: Vec<String> = grants
            .iter()
            .flat_map(|g| pactum::grants::tranches::list(&mut conn, &finance_caller, g).expect("tranches"))
            .map(|t| format!("{base}/api/v1/tranches/{}/pay", t.id))
            .collect();
        payments.push(throughput(&client, &finance, Method::POST, &pay, true).await);
        let read: Vec<String> =
            (0..READS).map(|i| format!("{base}/api/v1/grants/{}", grants[i % grants.len()])).collect();
        reads.push(throughput(&client, &officer, Method::GET, &read, false).await);
    }
    for (name, values, target) in
        [("approve", approvals, 300.0), ("pay", payments, 300.0), ("read", reads, 3000.0)]
    {
        let m = median(values.clone());
        println!(
            "{backend:>8} {name:>8}: median {m:>8.0} req/s  (target {target:>5.0}, ratio {:.2})  runs {:?}",
            m / target,
            values.iter().map(|v| v.round()).collect::<Vec<_>>()
        );
    }
}
