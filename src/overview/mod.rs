//! The municipality's overview: what its funds hold, committed and paid, how its grants stand,
//! whether decisions came within their term, and what its networks reach (people, themes,
//! neighbourhoods). One function computes the figures, for the API and the page alike.

pub mod handlers;
pub mod service;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/municipalities/{id}/overview").route(web::get().to(handlers::overview)),
    );
}
