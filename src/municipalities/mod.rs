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
