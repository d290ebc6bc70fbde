//! What rate limiting costs a request, over real HTTP on loopback, on SQLite and PostgreSQL:
//! the latency of one sign-in (counted per account and per address, the account's failures
//! cleared on success) and of one read with a service account's API token (counted per token).
//! Requests go one at a time, so each latency is one request's path, not a queue.
//!
//! Run: `cargo bench --bench limits` (PostgreSQL from `PACTUM_TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/postgres`; skipped when unreachable). Prints the median
//! and the 90th percentile in milliseconds; the machine is shared, so compare runs made together.

use std::time::Instant;

use diesel::connection::SimpleConnection;

use pactum::db::DbConnection;
use pactum::domain::{MunicipalityRole, Scope};
use pactum::members::{repo as members, MembershipOwner};

#[path = "common.rs"]
mod common;
use common::{caller, municipality, user, PASSWORD};

const LOGINS: usize = 300;
const READS: usize = 1000;

fn main() {
    common::on_each_backend(|backend, url, dir| async move { measure(backend, &url, &dir).await });
}

/// A person who signs in, and a token of a service account that reads grants.
fn world(conn: &mut DbConnection) -> (String, String) {
    let municipality = municipality(conn);
    let admin_id = user(conn, "admin@bench.example", false);
    let scope = MembershipOwner::Municipality(municipality.id.clone());
    let role = MunicipalityRole::MunicipalAdmin.as_str();
    members::insert_member(conn, &scope, &admin_id, role, pactum::domain::time::now()).expect("member");
    let admin = caller(conn, &admin_id);
    let account = pactum::service_accounts::service::create(
        conn,
        &admin,
        &municipality.id,
        pactum::service_accounts::dto::CreateServiceAccount {
            name: "Bench".into(),
            scopes: vec![Scope::GrantsRead],
            expires_at: None,
        },
    )
    .expect("service account");
    let issued = pactum::service_accounts::service::issue_token(
        conn,
        &admin,
        &municipality.id,
        &account.id,
        pactum::service_accounts::dto::IssueToken { label: None, expires_at: None },
    )
    .expect("token");
    ("admin@bench.example".to_owned(), issued.token)
}

/// The median and the 90th percentile, in milliseconds.
fn summary(mut millis: Vec<f64>) -> (f64, f64) {
    millis.sort_by(f64::total_cmp);
    (millis[millis.len() / 2], millis[millis.len() * 9 / 10])
}

async fn measure(backend: &str, url: &str, data_dir: &std::path::Path) {
    let flags =
        ["--no-worker", "--login-attempts-per-address", "100000", "--token-requests-per-minute", "100000"];
    let (base, state) = common::serve(url, data_dir, &flags);
    let (email, token) = {
        let mut conn = state.db.connection().expect("connection");
        world(&mut conn)
    };
    let client = awc::Client::builder().timeout(std::time::Duration::from_secs(60)).finish();
    let login = serde_json::json!({"email": email, "password": PASSWORD});
    let mut logins = Vec::with_capacity(LOGINS);
    for _ in 0..LOGINS {
        let started = Instant::now();
        let response = client.post(format!("{base}/api/v1/auth/login")).send_json(&login).await;
        let status = response.expect("login").status().as_u16();
        logins.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(status, 200, "login");
    }
    let mut reads = Vec::with_capacity(READS);
    for _ in 0..READS {
        let started = Instant::now();
        let mut response = client
            .get(format!("{base}/api/v1/funds"))
            .insert_header(("Authorization", format!("Bearer {token}")))
            .send()
            .await
            .expect("read");
        response.body().await.expect("body");
        reads.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(response.status().as_u16(), 200, "token read");
    }
    // In this process, on one pooled connection, turn about: the sign-in service alone, and with
    // what the handler adds around it (two counts before, the reset after), so that a busy
    // machine weighs on both alike.
    let (mut bare, mut limited, mut counts, mut empty) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    {
        let mut conn = state.db.connection().expect("connection");
        let tokens = &state.auth.tokens;
        for _ in 0..LOGINS / 2 {
            let started = Instant::now();
            pactum::identity::service::login(&mut conn, tokens, &email, PASSWORD).expect("signed in");
            bare.push(started.elapsed().as_secs_f64() * 1000.0);
            let started = Instant::now();
            state.login_limits.take_on(&mut conn, &email, "127.0.0.2").expect("within the limit");
            let counted = started.elapsed();
            pactum::identity::service::login(&mut conn, tokens, &email, PASSWORD).expect("signed in");
            let reset = Instant::now();
            state.login_limits.succeeded_on(&mut conn, &email).expect("reset");
            counts.push((counted + reset.elapsed()).as_secs_f64() * 1000.0);
            limited.push(started.elapsed().as_secs_f64() * 1000.0);
            // The same three round trips doing nothing, after the same password check.
            pactum::identity::service::login(&mut conn, tokens, &email, PASSWORD).expect("signed in");
            let started = Instant::now();
            for _ in 0..3 {
                conn.batch_execute("SELECT 1").expect("select");
            }
            empty.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let rows = [
        ("login", logins),
        ("token read", reads),
        ("login service alone", bare),
        ("login service with limits", limited),
        ("the limits in it", counts),
        ("three empty round trips", empty),
    ];
    for (name, values) in rows {
        let count = values.len();
        let (median, p90) = summary(values);
        println!("{backend:>8} {name:>26}: median {median:>7.2} ms, p90 {p90:>7.2} ms ({count} requests)");
    }
}
