//! Funds (subsidieregelingen): a municipality's budget for micro-grants and its rules, with
//! live balances derived from the ledger.

pub mod dto;
pub mod handlers;
pub mod repo;
pub mod service;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/funds")
            .route(web::get().to(handlers::list))
            .route(web::post().to(handlers::create)),
    )
    .service(
        web::resource("/api/v1/funds/{id}")
            .route(web::get().to(handlers::get))
            .route(web::patch().to(handlers::update)),
    )
    .service(web::resource("/api/v1/funds/{id}/ledger").route(web::get().to(handlers::ledger)));
}
