//! SEPA payment batches: a fund's due tranches gathered into one ISO 20022 pain.001 credit
//! transfer file for the bank, then confirmed (all paid at once) or cancelled.

pub mod dto;
pub mod handlers;
pub mod overview;
pub mod pain001;
pub mod repo;
pub mod service;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/funds/{id}/payment-batches")
            .route(web::get().to(handlers::list))
            .route(web::post().to(handlers::create)),
    )
    .service(web::resource("/api/v1/payment-batches/{id}").route(web::get().to(handlers::get)))
    .service(web::resource("/api/v1/payment-batches/{id}/pain.001.xml").route(web::get().to(handlers::file)))
    .service(web::resource("/api/v1/payment-batches/{id}/confirm").route(web::post().to(handlers::confirm)))
    .service(web::resource("/api/v1/payment-batches/{id}/cancel").route(web::post().to(handlers::cancel)));
}
