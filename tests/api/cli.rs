//! The `pactum` binary as a newcomer or an operator runs it.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use pactum::db::schema::users;

use crate::helpers::{Backend, TestDatabase};

fn pactum(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pactum"));
    command.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    for key in ["PACTUM_ENV", "PACTUM_DATABASE_URL", "PACTUM_JWT_SECRET", "PACTUM_JWT_SECRET_FILE"] {
        command.env_remove(key);
    }
    command.envs(env.iter().copied());
    let mut child = command.spawn().expect("runs pactum");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_explains_every_command_and_version_prints_it() {
    let help = pactum(&["--help"], &[], None);
    assert!(help.status.success());
    for command in ["serve", "migrate", "openapi", "user", "demo", "version"] {
        assert!(text(&help.stdout).contains(command), "{command} in {}", text(&help.stdout));
    }
    let serve_help = text(&pactum(&["serve", "--help"], &[], None).stdout);
    for var in [
        "PACTUM_DATABASE_URL",
        "PACTUM_BIND",
        "PACTUM_PUBLIC_URL",
        "PACTUM_JWT_SECRET",
        "PACTUM_LOG_FORMAT",
        "PACTUM_BODY_LIMIT_BYTES",
    ] {
        assert!(serve_help.contains(var), "serve --help names {var}");
    }
    let version = pactum(&["version"], &[], None);
    assert!(text(&version.stdout).contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn openapi_prints_the_committed_spec() {
    let out = pactum(&["openapi"], &[], None);
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), include_str!("../../openapi/pactum.json"));
}

fn migrate_then_create_users(backend: Backend) {
    let Some(database) = TestDatabase::create(backend) else { return };
    let url = database.url();
    let db = [("PACTUM_DATABASE_URL", url.as_str())];

    let migrate = pactum(&["migrate"], &db, None);
    assert!(migrate.status.success(), "{}", text(&migrate.stderr));
    assert!(text(&migrate.stdout).contains("applied"), "{}", text(&migrate.stdout));
    let again = pactum(&["migrate"], &db, None);
    assert!(text(&again.stdout).contains("up to date"), "{}", text(&again.stdout));

    let args = ["user", "create", "--email", "Admin@Gemeente.NL", "--name", "Anna de Vries", "--admin"];
    let created = pactum(&args, &db, Some("a long enough password\n"));
    assert!(created.status.success(), "{}", text(&created.stderr));
    assert!(text(&created.stdout).contains("platform admin"), "{}", text(&created.stdout));

    let mut conn = database.target.connect().unwrap();
    let (email, is_admin, hash): (String, bool, String) = users::table
        .select((users::email, users::is_platform_admin, users::password_hash))
        .first(&mut conn)
        .unwrap();
    assert_eq!(email, "admin@gemeente.nl");
    assert!(is_admin);
    assert!(hash.starts_with("$argon2id$"));
    assert!(pactum::auth::password::verify("a long enough password", &hash));

    let duplicate = pactum(&args, &db, Some("another long password\n"));
    assert!(!duplicate.status.success());
    assert!(text(&duplicate.stderr).contains("already exists"), "{}", text(&duplicate.stderr));

    let weak = ["user", "create", "--email", "b@gemeente.nl", "--name", "Bram"];
    let refused = pactum(&weak, &db, Some("short\n"));
    assert!(!refused.status.success());
    assert!(text(&refused.stderr).contains("password: must be at least 12"), "{}", text(&refused.stderr));
    let count: i64 = users::table.count().get_result(&mut conn).unwrap();
    assert_eq!(count, 1, "refused users are not written");
}

#[test]
fn migrate_then_create_users_on_sqlite() {
    migrate_then_create_users(Backend::Sqlite);
}

#[test]
fn migrate_then_create_users_on_postgres() {
    migrate_then_create_users(Backend::Postgres);
}

#[test]
fn production_refuses_to_start_without_secrets_and_says_which() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/p.db", dir.path().display());
    let out = pactum(
        &["serve", "--data-dir", dir.path().to_str().unwrap()],
        &[("PACTUM_ENV", "production"), ("PACTUM_DATABASE_URL", &url)],
        None,
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("PACTUM_JWT_SECRET"), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("PACTUM_SECRET_KEY"), "{}", text(&out.stderr));
    assert!(!dir.path().join("jwt-secret").exists(), "no secret is generated in production");
    assert!(!dir.path().join("secret-key").exists(), "no secret is generated in production");
}

struct Server {
    child: Child,
    port: u16,
}

/// Starts `pactum serve` on a free port and waits until it listens.
fn serve(dir: &std::path::Path, extra_env: &[(&str, &str)]) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("sqlite://{}/pactum.db", dir.display());
    let bind = format!("127.0.0.1:{port}");
    let mut command = Command::new(env!("CARGO_BIN_EXE_pactum"));
    command
        .args(["serve", "--data-dir", dir.to_str().unwrap(), "--workers", "1"])
        .env("PACTUM_DATABASE_URL", url)
        .env("PACTUM_BIND", bind)
        .env_remove("PACTUM_ENV")
        .env_remove("PACTUM_JWT_SECRET")
        .envs(extra_env.iter().copied())
        .stderr(Stdio::piped())
        .stdout(Stdio::null());
    let child = command.spawn().unwrap();
    let started = Instant::now();
    // Ready when it answers, not merely listens: only then are its signal handlers in place.
    while !try_get(port, "/healthz").is_some_and(|r| r.starts_with("HTTP/1.1 200")) {
        assert!(started.elapsed() < Duration::from_secs(30), "pactum serve did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Server { child, port }
}

fn try_get(port: u16, path: &str) -> Option<String> {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").ok()?;
    let mut response = String::new();
    std::io::Read::read_to_string(&mut stream, &mut response).ok()?;
    Some(response)
}

fn http_get(port: u16, path: &str, request_id: &str) -> String {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: {request_id}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    std::io::Read::read_to_string(&mut stream, &mut response).unwrap();
    response
}

fn terminate(child: &Child) {
    let pid = child.id().to_string();
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success());
}

#[test]
fn serve_logs_json_with_the_request_id_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = serve(dir.path(), &[("PACTUM_LOG_FORMAT", "json")]);
    let response = http_get(server.port, "/healthz", "trace-me-123");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    terminate(&server.child);
    let status = server.child.wait().unwrap();
    assert!(status.success(), "exit status after SIGTERM: {status}");

    let lines: Vec<serde_json::Value> = BufReader::new(server.child.stderr.take().unwrap())
        .lines()
        .map(|l| l.unwrap())
        .filter_map(|l| serde_json::from_str(&l).ok())
        .collect();
    let finished = lines
        .iter()
        .find(|l| l["fields"]["message"] == "request finished" && l["span"]["request_id"] == "trace-me-123")
        .unwrap_or_else(|| panic!("no access log line in {lines:#?}"));
    assert_eq!(finished["span"]["request_id"], "trace-me-123");
    assert_eq!(finished["fields"]["status"], 200);
    assert!(dir.path().join("pactum.db").exists(), "the SQLite database was created on first start");
    assert!(dir.path().join("jwt-secret").exists(), "a development secret was generated");
}

#[test]
fn the_development_secret_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = serve(dir.path(), &[]);
    terminate(&first.child);
    assert!(first.child.wait().unwrap().success());
    let secret = std::fs::read_to_string(dir.path().join("jwt-secret")).unwrap();
    let mut second = serve(dir.path(), &[]);
    terminate(&second.child);
    assert!(second.child.wait().unwrap().success());
    assert_eq!(std::fs::read_to_string(dir.path().join("jwt-secret")).unwrap(), secret);
}

fn demo_twice(backend: Backend) {
    let Some(database) = TestDatabase::create(backend) else { return };
    let url = database.url();
    let env = [("PACTUM_DATABASE_URL", url.as_str())];
    let first = pactum(&["demo"], &env, None);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let out = text(&first.stdout);
    for expected in [
        "pactum-demo-2026",
        "sanne.devries@lindendaal.example",
        "finance of Gemeente Lindendaal",
        "treasurer of Buurtkracht Oost",
    ] {
        assert!(out.contains(expected), "{expected} in {out}");
    }
    let second = pactum(&["demo"], &env, None);
    assert!(second.status.success(), "{}", text(&second.stderr));

    use pactum::db::schema::{municipalities, network_memberships, networks};
    let mut conn = database.target.connect().unwrap();
    assert_eq!(
        municipalities::table.count().get_result::<i64>(&mut conn).unwrap(),
        1,
        "running again adds nothing"
    );
    assert_eq!(networks::table.count().get_result::<i64>(&mut conn).unwrap(), 3);
    assert_eq!(users::table.count().get_result::<i64>(&mut conn).unwrap(), 7);
    assert_eq!(network_memberships::table.count().get_result::<i64>(&mut conn).unwrap(), 4);
    let kinds: Vec<(String, String, Option<String>)> = networks::table
        .select((networks::kind, networks::legal_form, networks::intermediary_name))
        .order(networks::name)
        .load(&mut conn)
        .unwrap();
    assert!(kinds.contains(&(
        "citizens_initiative".into(),
        "none".into(),
        Some("Stichting Welzijn Lindendaal".into())
    )));
    let distinct: std::collections::BTreeSet<_> = kinds.iter().map(|k| k.0.clone()).collect();
    assert_eq!(distinct.len(), 3, "three kinds of network");
    use pactum::db::schema::{agreements, commitments, visions};
    let vision_states: Vec<String> = visions::table.select(visions::status).load(&mut conn).unwrap();
    assert_eq!(vision_states, ["endorsed"], "one shared vision, endorsed by all");
    let agreement_states: Vec<String> = agreements::table.select(agreements::status).load(&mut conn).unwrap();
    assert_eq!(agreement_states, ["active"], "one agreement in force");
    assert_eq!(commitments::table.count().get_result::<i64>(&mut conn).unwrap(), 3);
    use pactum::db::schema::grants;
    let mut grant_states: Vec<String> = grants::table.select(grants::status).load(&mut conn).unwrap();
    grant_states.sort();
    assert_eq!(
        grant_states,
        ["active", "closed", "draft", "in_review"],
        "a fund with grants in several states"
    );
    assert!(pactum::ledger::verify(&mut conn).unwrap().is_empty());

    let refused =
        pactum(&["demo"], &[("PACTUM_DATABASE_URL", url.as_str()), ("PACTUM_ENV", "production")], None);
    assert!(!refused.status.success());
}

#[test]
fn demo_data_is_believable_and_idempotent_on_sqlite() {
    demo_twice(Backend::Sqlite);
}

#[test]
fn demo_data_is_believable_and_idempotent_on_postgres() {
    demo_twice(Backend::Postgres);
}

#[test]
fn serve_with_demo_lets_an_officer_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = serve(dir.path(), &[("PACTUM_DEMO", "true")]);
    let body = r#"{"email":"sanne.devries@lindendaal.example","password":"pactum-demo-2026"}"#;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    write!(
        stream,
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    std::io::Read::read_to_string(&mut stream, &mut response).unwrap();
    terminate(&server.child);
    server.child.wait().unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("access_token"));
}

/// One request over a fresh connection; the status and the body.
fn http(port: u16, method: &str, path: &str, bearer: Option<&str>, body: Option<&str>) -> (u16, String) {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let auth = bearer.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    std::io::Read::read_to_string(&mut stream, &mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

#[test]
fn tokens_never_reach_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let mut server =
        serve(dir.path(), &[("PACTUM_DEMO", "true"), ("PACTUM_LOG_FORMAT", "json"), ("RUST_LOG", "debug")]);
    let port = server.port;
    let login = r#"{"email":"petra.smit@lindendaal.example","password":"pactum-demo-2026"}"#;
    let (status, body) = http(port, "POST", "/api/v1/auth/login", None, Some(login));
    assert_eq!(status, 200, "{body}");
    let access: serde_json::Value = serde_json::from_str(&body).unwrap();
    let access = access["access_token"].as_str().unwrap().to_owned();
    let (_, body) = http(port, "GET", "/api/v1/municipalities", Some(&access), None);
    let municipalities: serde_json::Value = serde_json::from_str(&body).unwrap();
    let accounts = format!(
        "/api/v1/municipalities/{}/service-accounts",
        municipalities["items"][0]["id"].as_str().unwrap()
    );
    let (status, body) =
        http(port, "POST", &accounts, Some(&access), Some(r#"{"name":"Finance","scopes":["grants:read"]}"#));
    assert_eq!(status, 201, "{body}");
    let account: serde_json::Value = serde_json::from_str(&body).unwrap();
    let tokens = format!("{accounts}/{}/tokens", account["id"].as_str().unwrap());
    let (status, body) = http(port, "POST", &tokens, Some(&access), Some("{}"));
    assert_eq!(status, 201, "{body}");
    let issued: serde_json::Value = serde_json::from_str(&body).unwrap();
    let token = issued["token"].as_str().unwrap().to_owned();
    assert_eq!(http(port, "GET", "/api/v1/grants", Some(&token), None).0, 200);
    assert_eq!(http(port, "GET", "/api/v1/agreements", Some(&token), None).0, 403);
    let revoke = format!("{tokens}/{}/revoke", issued["id"].as_str().unwrap());
    assert_eq!(http(port, "POST", &revoke, Some(&access), Some("{}")).0, 200);
    assert_eq!(http(port, "GET", "/api/v1/grants", Some(&token), None).0, 401);
    // Tokens that travel in URLs: a calendar feed, an invitation link.
    let (status, body) = http(port, "POST", "/api/v1/me/calendar-token", Some(&access), Some("{}"));
    assert_eq!(status, 201, "{body}");
    let feed: serde_json::Value = serde_json::from_str(&body).unwrap();
    let feed = feed["calendar_url"].as_str().unwrap().split_once("/api/v1/").unwrap().1.to_owned();
    let calendar_token = feed.split_once("token=").unwrap().1.to_owned();
    assert_eq!(http(port, "GET", &format!("/api/v1/{feed}"), None, None).0, 200);
    let invitation = format!("inv_{}", "k".repeat(43));
    let accept = format!("/api/v1/invitations/{invitation}/accept");
    assert_eq!(http(port, "POST", &accept, None, Some("{}")).0, 404);
    terminate(&server.child);
    server.child.wait().unwrap();

    let mut logs = String::new();
    std::io::Read::read_to_string(&mut server.child.stderr.take().unwrap(), &mut logs).unwrap();
    assert!(logs.contains("request finished"), "the requests were logged: {logs}");
    assert!(!logs.contains(&token["pct_".len()..]), "an API token is in the logs");
    assert!(!logs.contains(&access), "an access token is in the logs");
    assert!(!logs.contains(&calendar_token[4..]), "a calendar token is in the logs");
    assert!(!logs.contains(&invitation[4..]), "an invitation token is in the logs");
    assert!(logs.contains("/api/v1/invitations/{token}/accept"), "the path is logged without it: {logs}");
}

#[test]
fn seed_prints_the_logins_and_is_refused_in_production() {
    let Some(database) = TestDatabase::create(Backend::Sqlite) else { return };
    let url = database.url();
    let refused = pactum(
        &["seed", "--grants", "200"],
        &[("PACTUM_DATABASE_URL", url.as_str()), ("PACTUM_ENV", "production")],
        None,
    );
    assert!(!refused.status.success());
    assert!(text(&refused.stderr).contains("refused"), "{}", text(&refused.stderr));
    let seeded = pactum(&["seed", "--grants", "200"], &[("PACTUM_DATABASE_URL", url.as_str())], None);
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    let out = text(&seeded.stdout);
    for expected in
        ["Seeded 200 grants", "20 with an open decision deadline", "pactum-seed-2026", "officer@seed.example"]
    {
        assert!(out.contains(expected), "{expected} in {out}");
    }
}
