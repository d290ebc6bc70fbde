//! Micro-grants: a network applies to a fund, officers decide (four eyes above the fund's
//! threshold), tranches are paid within the award, all on the ledger.

pub mod applications;
pub mod dates;
pub mod decisions;
pub mod dto;
pub mod handlers;
pub mod history;
pub mod notices;
pub mod payments;
pub mod record;
pub mod repo;
pub mod tranches;
pub mod views;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/grants")
            .route(web::get().to(handlers::list))
            .route(web::post().to(handlers::create)),
    )
    .service(
        web::resource("/api/v1/grants/{id}")
            .route(web::get().to(handlers::get))
            .route(web::patch().to(handlers::update)),
    )
    .service(web::resource("/api/v1/grants/{id}/submit").route(web::post().to(handlers::submit)))
    .service(web::resource("/api/v1/grants/{id}/start-review").route(web::post().to(handlers::start_review)))
    .service(web::resource("/api/v1/grants/{id}/request-info").route(web::post().to(handlers::request_info)))
    .service(web::resource("/api/v1/grants/{id}/approve").route(web::post().to(handlers::approve)))
    .service(web::resource("/api/v1/grants/{id}/reject").route(web::post().to(handlers::reject)))
    .service(web::resource("/api/v1/grants/{id}/withdraw").route(web::post().to(handlers::withdraw)))
    .service(web::resource("/api/v1/grants/{id}/cancel").route(web::post().to(handlers::cancel)))
    .service(web::resource("/api/v1/grants/{id}/ledger").route(web::get().to(handlers::ledger)))
    .service(web::resource("/api/v1/funds/{id}/grants.csv").route(web::get().to(handlers::fund_grants_csv)))
    .service(web::resource("/api/v1/networks/{id}/grants").route(web::get().to(handlers::network_grants)))
    .service(
        web::resource("/api/v1/grants/{id}/tranches")
            .route(web::get().to(handlers::list_tranches))
            .route(web::post().to(handlers::add_tranche)),
    )
    .service(web::resource("/api/v1/tranches/{id}").route(web::get().to(handlers::get_tranche)))
    .service(web::resource("/api/v1/tranches/{id}/pay").route(web::post().to(handlers::pay_tranche)))
    .service(web::resource("/api/v1/tranches/{id}/cancel").route(web::post().to(handlers::cancel_tranche)));
}
