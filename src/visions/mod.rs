//! Shared visions: what a municipality and its partners want to achieve together. Drafted,
//! proposed, endorsed by every party, archived; every edit is kept as a revision.

pub mod dto;
pub mod handlers;
pub mod repo;
pub mod service;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/visions")
            .route(web::get().to(handlers::list))
            .route(web::post().to(handlers::create)),
    )
    .service(
        web::resource("/api/v1/visions/{id}")
            .route(web::get().to(handlers::get))
            .route(web::patch().to(handlers::update)),
    )
    .service(web::resource("/api/v1/visions/{id}/revisions").route(web::get().to(handlers::revisions)))
    .service(web::resource("/api/v1/visions/{id}/propose").route(web::post().to(handlers::propose)))
    .service(web::resource("/api/v1/visions/{id}/endorse").route(web::post().to(handlers::endorse)))
    .service(web::resource("/api/v1/visions/{id}/archive").route(web::post().to(handlers::archive)));
}
