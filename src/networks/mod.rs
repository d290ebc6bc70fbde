//! Informal networks: their profile, the municipalities they work with (links that are
//! requested, then accepted), and the directory of networks a caller may see.

pub mod contact;
pub mod directory;
pub mod dto;
pub mod handlers;
pub mod repo;
pub mod service;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/v1/public/networks").route(web::get().to(directory::list)))
        .service(
            web::resource("/api/v1/public/networks/{id}/messages").route(web::post().to(directory::message)),
        )
        .service(
            web::resource("/api/v1/public/contact-confirmations/{token}")
                .route(web::post().to(directory::confirm_contact)),
        );
    cfg.service(
        web::resource("/api/v1/networks")
            .route(web::get().to(handlers::list))
            .route(web::post().to(handlers::create)),
    )
    .service(
        web::resource("/api/v1/networks/{id}")
            .route(web::get().to(handlers::get))
            .route(web::patch().to(handlers::update)),
    )
    .service(
        web::resource("/api/v1/networks/{id}/contact-confirmation")
            .route(web::post().to(handlers::ask_contact_confirmation)),
    )
    .service(
        web::resource("/api/v1/networks/{id}/link-requests").route(web::post().to(handlers::request_link)),
    )
    .service(
        web::resource("/api/v1/municipalities/{id}/networks/{network_id}/accept")
            .route(web::post().to(handlers::accept_link)),
    )
    .service(
        web::resource("/api/v1/municipalities/{id}/networks/{network_id}/decline")
            .route(web::post().to(handlers::decline_link)),
    );
}
