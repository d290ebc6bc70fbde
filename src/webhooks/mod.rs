//! Webhooks: other systems of a municipality subscribe to events (a grant approved, a tranche
//! paid, an agreement signed, ...). Each event is written to a webhook outbox in the
//! transaction that causes it, then delivered, signed, in order, with retries.

pub mod dto;
pub mod events;
pub mod handlers;
pub mod repo;
pub mod service;
pub mod signature;
pub mod spec;
pub mod target;
pub mod worker;

use actix_web::web;

pub use events::{emit, Event, EventType};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/webhooks")
            .route(web::get().to(handlers::list))
            .route(web::post().to(handlers::create)),
    )
    .service(
        web::resource("/api/v1/webhooks/{id}")
            .route(web::get().to(handlers::get))
            .route(web::patch().to(handlers::update)),
    )
    .service(
        web::resource("/api/v1/webhooks/{id}/rotate-secret").route(web::post().to(handlers::rotate_secret)),
    )
    .service(web::resource("/api/v1/webhooks/{id}/deliveries").route(web::get().to(handlers::deliveries)))
    .service(
        web::resource("/api/v1/webhooks/{id}/deliveries/{did}/redeliver")
            .route(web::post().to(handlers::redeliver)),
    );
}
