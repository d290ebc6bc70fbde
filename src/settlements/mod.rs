//! Settling grants (vaststelling): the final amount once the report the fund asks for is
//! accepted, refunds of what was paid above it, and closing the grant when nothing is due.
//! Builds on grants and reports.

pub mod dto;
pub mod handlers;
pub mod repo;
pub mod service;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/v1/grants/{id}/settle").route(web::post().to(handlers::settle)))
        .service(web::resource("/api/v1/grants/{id}/settlement").route(web::get().to(handlers::settlement)))
        .service(web::resource("/api/v1/grants/{id}/refunds").route(web::post().to(handlers::refund)))
        .service(web::resource("/api/v1/grants/{id}/close").route(web::post().to(handlers::close)));
}
