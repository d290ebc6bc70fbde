//! What the in-process benchmarks (`money`, `limits`) share: a server on SQLite and then on a
//! fresh PostgreSQL database, and people and a municipality to work with.

use std::future::Future;
use std::path::{Path, PathBuf};

use actix_web::web;
use clap::Parser;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

use pactum::auth::Caller;
use pactum::config::{ServeArgs, Settings};
use pactum::db::DbConnection;
use pactum::domain::Locale;
use pactum::identity::repo as identity;
use pactum::identity::service::{create_user, CreateUser};
use pactum::municipalities::dto::{CreateMunicipality, MunicipalityDto};
use pactum::startup::Application;
use pactum::state::AppState;

pub const PASSWORD: &str = "benchmark password";

/// Runs `measure(backend, database URL, data folder)` on a SQLite file, then on a new
/// PostgreSQL database (from `PACTUM_TEST_POSTGRES_URL`, default
/// `postgres://postgres@127.0.0.1:5432/postgres`; skipped when unreachable), dropped after.
pub fn on_each_backend<F, Fut>(measure: F)
where
    F: Fn(&'static str, String, PathBuf) -> Fut,
    Fut: Future<Output = ()>,
{
    actix_web::rt::System::new().block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
        measure("sqlite", sqlite, dir.path().to_owned()).await;
        let admin = std::env::var("PACTUM_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        match PgConnection::establish(&admin) {
            Ok(mut conn) => {
                let name = format!("pactum_bench_{}", uuid::Uuid::now_v7().simple());
                conn.batch_execute(&format!("CREATE DATABASE {name}")).expect("create database");
                let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
                measure("postgres", format!("{base}/{name}"), dir.path().to_owned()).await;
                let _ = conn.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"));
            }
            Err(err) => println!("postgres: skipped ({err})"),
        }
    });
}

/// Starts `pactum serve` in this process on a free port (development settings, no date job),
/// with `flags` added; its base URL and state.
pub fn serve(url: &str, data_dir: &Path, flags: &[&str]) -> (String, web::Data<AppState>) {
    let mut args = vec![
        "serve",
        "--env",
        "development",
        "--database-url",
        url,
        "--bind",
        "127.0.0.1:0",
        "--data-dir",
        data_dir.to_str().expect("utf-8"),
        "--jwt-secret",
        "bench-secret-that-is-long-enough-for-hs256",
        "--schedule-interval-seconds",
        "0",
    ];
    args.extend_from_slice(flags);
    let args = ServeArgs::try_parse_from(args).expect("flags");
    let app = Application::build(Settings::resolve(args).expect("settings")).expect("app");
    let base = format!("http://127.0.0.1:{}", app.port());
    let state = app.state();
    actix_web::rt::spawn(app.into_server());
    (base, state)
}

/// A new user with [`PASSWORD`]; their id.
pub fn user(conn: &mut DbConnection, email: &str, admin: bool) -> String {
    create_user(
        conn,
        CreateUser { email, name: email, password: PASSWORD, locale: Locale::Nl, is_platform_admin: admin },
    )
    .expect("user")
    .id
}

pub fn caller(conn: &mut DbConnection, id: &str) -> Caller {
    let row = identity::find_user(conn, id).expect("query").expect("user");
    identity::caller_for(conn, row).expect("caller")
}

/// "Gemeente Bench", created by a platform admin.
pub fn municipality(conn: &mut DbConnection) -> MunicipalityDto {
    let root_id = user(conn, "root@bench.example", true);
    let root = caller(conn, &root_id);
    let input = CreateMunicipality { name: "Gemeente Bench".into(), cbs_code: None, time_zone: None };
    pactum::municipalities::service::create(conn, &(&root).into(), input).expect("municipality")
}
