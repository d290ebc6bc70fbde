//! Spending reports (verantwoording): what a network did and spent, with receipts, reported by
//! its coordinator or treasurer and accepted by an officer, as much as the fund's tier asks.

pub mod dto;
pub mod expenses;
pub mod handlers;
pub mod receipts;
pub mod repo;
pub mod service;
pub mod storage;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/grants/{id}/reports")
            .route(web::get().to(handlers::list))
            .route(web::post().to(handlers::create)),
    )
    .service(
        web::resource("/api/v1/reports/{id}")
            .route(web::get().to(handlers::get))
            .route(web::patch().to(handlers::update)),
    )
    .service(web::resource("/api/v1/reports/{id}/submit").route(web::post().to(handlers::submit)))
    .service(
        web::resource("/api/v1/reports/{id}/request-changes")
            .route(web::post().to(handlers::request_changes)),
    )
    .service(web::resource("/api/v1/reports/{id}/accept").route(web::post().to(handlers::accept)))
    .service(web::resource("/api/v1/reports/{id}/receipts").route(web::post().to(handlers::upload_receipt)))
    .service(web::resource("/api/v1/receipts/{id}").route(web::get().to(handlers::download_receipt)))
    .service(web::resource("/api/v1/grants/{id}/expenses.csv").route(web::get().to(handlers::expenses_csv)));
}
