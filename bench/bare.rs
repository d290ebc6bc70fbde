//! The bare service: the limit of Pactum's stack (actix-web 4, diesel 2 on SQLite, r2d2, one
//! query per request on `web::block`), with nothing of Pactum in it: no authentication, no
//! audit, no policy. `bench/load.py` measures Pactum's workloads as a ratio of this one's.
//!
//! `cargo run --release --example bare -- --database bare.db --seed 10000 --bind 127.0.0.1:8090`

use std::time::Duration;

use actix_web::{web, App, HttpResponse, HttpServer};
use chrono::NaiveDateTime;
use clap::Parser;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use serde::{Deserialize, Serialize};

diesel::table! {
    bare_grants (id) {
        id -> Text,
        municipality_id -> Text,
        network_id -> Text,
        status -> Text,
        title -> Text,
        requested_cents -> BigInt,
        created_at -> Timestamp,
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = bare_grants)]
struct Grant {
    id: String,
    municipality_id: String,
    network_id: String,
    status: String,
    title: String,
    requested_cents: i64,
    created_at: NaiveDateTime,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewGrant {
    municipality_id: String,
    network_id: String,
    title: String,
    requested_cents: i64,
}

#[derive(Deserialize)]
struct ListQuery {
    status: String,
    limit: Option<i64>,
    after: Option<String>,
}

#[derive(Serialize)]
struct Page {
    items: Vec<Grant>,
    next_cursor: Option<String>,
}

#[derive(Parser)]
struct Args {
    /// The SQLite file (its own; not a Pactum database).
    #[arg(long, default_value = "bare.db")]
    database: String,
    #[arg(long, default_value = "127.0.0.1:8090")]
    bind: String,
    /// Start over with this many grants before serving.
    #[arg(long)]
    seed: Option<usize>,
    /// Connections in the pool (Pactum's default).
    #[arg(long, default_value_t = 10)]
    pool_size: u32,
}

type DbPool = Pool<ConnectionManager<SqliteConnection>>;

/// The PRAGMAs Pactum sets on every SQLite connection.
#[derive(Debug)]
struct Pragmas;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(
            "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
        )
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

const STATUSES: [(&str, usize); 5] =
    [("draft", 7), ("submitted", 5), ("in_review", 6), ("rejected", 1), ("withdrawn", 1)];

/// The same spread of statuses as `pactum seed`.
fn status_of(index: usize) -> &'static str {
    let mut slot = index % 20;
    for (status, share) in STATUSES {
        if slot < share {
            return status;
        }
        slot -= share;
    }
    "draft"
}

fn seed(conn: &mut SqliteConnection, grants: usize) -> QueryResult<()> {
    conn.batch_execute(
        "DROP TABLE IF EXISTS bare_grants;
         CREATE TABLE bare_grants (
             id TEXT PRIMARY KEY NOT NULL,
             municipality_id TEXT NOT NULL,
             network_id TEXT NOT NULL,
             status TEXT NOT NULL,
             title TEXT NOT NULL,
             requested_cents BIGINT NOT NULL,
             created_at TIMESTAMP NOT NULL
         );
         CREATE INDEX bare_grants_status ON bare_grants (status, id);",
    )?;
    let municipality = uuid::Uuid::now_v7().to_string();
    let networks: Vec<String> =
        (0..(grants / 100).max(1)).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let now = chrono::Utc::now().naive_utc();
    for start in (0..grants).step_by(10_000) {
        let rows: Vec<Grant> = (start..(start + 10_000).min(grants))
            .map(|i| Grant {
                id: uuid::Uuid::now_v7().to_string(),
                municipality_id: municipality.clone(),
                network_id: networks[i % networks.len()].clone(),
                status: status_of(i).to_owned(),
                title: format!("Buurtactiviteit {}", i + 1),
                requested_cents: 10_000 + i64::try_from(i * 7919 % 1900).unwrap_or_default() * 100,
                created_at: now,
            })
            .collect();
        conn.transaction(|conn| {
            for batch in rows.chunks(1000) {
                diesel::insert_into(bare_grants::table).values(batch).execute(conn)?;
            }
            QueryResult::Ok(())
        })?;
    }
    Ok(())
}

/// Runs one query on a pooled connection on the blocking pool, as Pactum does.
async fn run<T: Send + 'static>(
    pool: &DbPool,
    work: impl FnOnce(&mut SqliteConnection) -> QueryResult<T> + Send + 'static,
) -> Result<T, actix_web::Error> {
    let pool = pool.clone();
    web::block(move || {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        work(&mut conn).map_err(|e| e.to_string())
    })
    .await?
    .map_err(actix_web::error::ErrorInternalServerError)
}

async fn get(pool: web::Data<DbPool>, id: web::Path<String>) -> Result<HttpResponse, actix_web::Error> {
    let id = id.into_inner();
    let grant =
        run(&pool, move |conn| bare_grants::table.find(id).select(Grant::as_select()).first(conn).optional())
            .await?;
    Ok(match grant {
        Some(grant) => HttpResponse::Ok().json(grant),
        None => HttpResponse::NotFound().finish(),
    })
}

async fn list(
    pool: web::Data<DbPool>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, actix_web::Error> {
    let ListQuery { status, limit, after } = query.into_inner();
    let limit = limit.unwrap_or(50).clamp(1, 200);
    let items = run(&pool, move |conn| {
        let mut query = bare_grants::table.filter(bare_grants::status.eq(status)).into_boxed();
        if let Some(after) = after {
            query = query.filter(bare_grants::id.gt(after));
        }
        query.order(bare_grants::id.asc()).limit(limit).select(Grant::as_select()).load(conn)
    })
    .await?;
    let next_cursor = (i64::try_from(items.len()).unwrap_or_default() == limit)
        .then(|| items.last().map(|g| g.id.clone()))
        .flatten();
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

async fn create(
    pool: web::Data<DbPool>,
    body: web::Json<NewGrant>,
) -> Result<HttpResponse, actix_web::Error> {
    let body = body.into_inner();
    let grant = Grant {
        id: uuid::Uuid::now_v7().to_string(),
        municipality_id: body.municipality_id,
        network_id: body.network_id,
        status: "draft".into(),
        title: body.title,
        requested_cents: body.requested_cents,
        created_at: chrono::Utc::now().naive_utc(),
    };
    let row = grant.clone();
    run(&pool, move |conn| diesel::insert_into(bare_grants::table).values(&row).execute(conn)).await?;
    Ok(HttpResponse::Created().json(grant))
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let pool = Pool::builder()
        .max_size(args.pool_size)
        .min_idle(Some(0))
        .connection_timeout(Duration::from_secs(5))
        .test_on_check_out(false)
        .connection_customizer(Box::new(Pragmas))
        .build(ConnectionManager::<SqliteConnection>::new(&args.database))
        .map_err(std::io::Error::other)?;
    if let Some(grants) = args.seed {
        let mut conn = pool.get().map_err(std::io::Error::other)?;
        seed(&mut conn, grants).map_err(std::io::Error::other)?;
        println!("seeded {grants} grants");
    }
    let pool = web::Data::new(pool);
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || {
            App::new()
                .app_data(pool.clone())
                .route("/grants", web::get().to(list))
                .route("/grants", web::post().to(create))
                .route("/grants/{id}", web::get().to(get))
        })
        .bind(&args.bind)?
        .run()
        .await
    })
}
