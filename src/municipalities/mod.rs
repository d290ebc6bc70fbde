//! Municipalities (gemeenten): the tenants. Platform admins create them; their members read
//! them; municipal admins change them.

pub mod dto;
pub mod handlers;
pub mod repo;
pub mod service;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/municipalities")
            .route(web::get().to(handlers::list))
            .route(web::post().to(handlers::create)),
    )
    .service(
        web::resource("/api/v1/municipalities/{id}")
            .route(web::get().to(handlers::get))
            .route(web::patch().to(handlers::update)),
    );
}

/// Today's date where the municipality is; Amsterdam's when it is unknown or has no time zone.
pub fn today(
    conn: &mut crate::db::DbConnection,
    municipality_id: &str,
) -> Result<chrono::NaiveDate, crate::error::ApiError> {
    let zone = repo::find(conn, municipality_id)?.map(|m| m.time_zone).unwrap_or_default();
    Ok(crate::domain::time::today_in(&zone))
}
