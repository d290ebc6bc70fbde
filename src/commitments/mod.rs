//! Commitments: each party's obligations under the agreement version in force, with their own
//! status (`open -> done | missed | waived`), listed across agreements. Agreements build on
//! this floor: their content states commitment terms (terms.rs) that signing turns into these.

pub mod dto;
pub mod handlers;
pub mod repo;
pub mod service;
pub mod terms;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/v1/commitments").route(web::get().to(handlers::list)))
        .service(web::resource("/api/v1/commitments/{id}").route(web::get().to(handlers::get)))
        .service(web::resource("/api/v1/commitments/{id}/complete").route(web::post().to(handlers::complete)))
        .service(web::resource("/api/v1/commitments/{id}/miss").route(web::post().to(handlers::miss)))
        .service(web::resource("/api/v1/commitments/{id}/waive").route(web::post().to(handlers::waive)));
}
