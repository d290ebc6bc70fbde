//! Routes that exist only in tests, to drive the shared machinery (extractors, the error
//! middleware, graceful shutdown) into situations no real endpoint should reach on purpose.

use std::time::Duration;

use actix_web::{web, HttpResponse};
use diesel::connection::SimpleConnection;
use serde::Deserialize;

use pactum::error::ApiError;
use pactum::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/test/echo", web::post().to(echo))
        .route("/test/items/{id}", web::get().to(item))
        .route("/test/search", web::get().to(search))
        .route("/test/panic", web::get().to(panic))
        .route("/test/database-failure", web::get().to(database_failure))
        .route("/test/slow", web::get().to(slow));
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Echo {
    name: String,
    count: u32,
}

async fn echo(body: web::Json<Echo>) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"name": body.name, "count": body.count}))
}

async fn item(id: web::Path<uuid::Uuid>) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"id": id.into_inner()}))
}

#[derive(Deserialize)]
struct Search {
    limit: u8,
}

async fn search(query: web::Query<Search>) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"limit": query.limit}))
}

async fn panic() -> HttpResponse {
    panic!("secret internal state: do not show me");
}

async fn database_failure(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state
        .db
        .run(|conn| conn.batch_execute("SELECT * FROM no_such_table_secret").map_err(ApiError::from))
        .await?;
    Ok(HttpResponse::Ok().finish())
}

/// The tags of the slow requests the server has begun (`/test/slow?tag=`), so a test can stop
/// the server once its request is surely in flight.
pub static SLOW_BEGUN: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

#[derive(Deserialize)]
struct Tag {
    tag: Option<String>,
}

async fn slow(tag: web::Query<Tag>) -> HttpResponse {
    if let Some(tag) = tag.into_inner().tag {
        SLOW_BEGUN.lock().expect("not poisoned").push(tag);
    }
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    HttpResponse::Ok().body("finished")
}
