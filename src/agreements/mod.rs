//! Collaboration agreements: who does what, for how long, with commitments on every side.
//! Versions are signed by every party and never change; amendments are new versions.

pub mod check_ins;
pub mod content;
pub mod dates;
pub mod document;
pub mod dto;
pub mod events;
pub mod handlers;
pub mod loaded;
pub mod repo;
pub mod service;
mod steps;
pub mod versions;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/agreements")
            .route(web::get().to(handlers::list))
            .route(web::post().to(handlers::create)),
    )
    .service(
        web::resource("/api/v1/agreements/{id}")
            .route(web::get().to(handlers::get))
            .route(web::patch().to(handlers::update)),
    )
    .service(web::resource("/api/v1/agreements/{id}/amendments").route(web::post().to(handlers::amend)))
    .service(web::resource("/api/v1/agreements/{id}/versions").route(web::get().to(handlers::versions)))
    .service(web::resource("/api/v1/agreements/{id}/versions/{n}").route(web::get().to(handlers::version)))
    .service(web::resource("/api/v1/agreements/{id}/versions/{n}/diff").route(web::get().to(handlers::diff)))
    .service(
        web::resource("/api/v1/agreements/{id}/versions/{n}/document")
            .route(web::get().to(handlers::document)),
    )
    .service(
        web::resource("/api/v1/agreements/{id}/check-ins")
            .route(web::get().to(handlers::list_check_ins))
            .route(web::post().to(handlers::create_check_in)),
    )
    .service(web::resource("/api/v1/agreements/{id}/propose").route(web::post().to(handlers::propose)))
    .service(
        web::resource("/api/v1/agreements/{id}/request-changes")
            .route(web::post().to(handlers::request_changes)),
    )
    .service(web::resource("/api/v1/agreements/{id}/sign").route(web::post().to(handlers::sign)))
    .service(web::resource("/api/v1/agreements/{id}/suspend").route(web::post().to(handlers::suspend)))
    .service(web::resource("/api/v1/agreements/{id}/resume").route(web::post().to(handlers::resume)))
    .service(web::resource("/api/v1/agreements/{id}/complete").route(web::post().to(handlers::complete)))
    .service(web::resource("/api/v1/agreements/{id}/terminate").route(web::post().to(handlers::terminate)));
}
