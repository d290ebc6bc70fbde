//! People and their sign-ins: users, login with rotating refresh tokens, logout, and `/me`.

pub mod dto;
pub mod handlers;
pub mod repo;
pub mod service;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/v1/auth/login").route(web::post().to(handlers::login)))
        .service(web::resource("/api/v1/auth/refresh").route(web::post().to(handlers::refresh)))
        .service(web::resource("/api/v1/auth/logout").route(web::post().to(handlers::logout)))
        .service(
            web::resource("/api/v1/me")
                .route(web::get().to(handlers::me))
                .route(web::patch().to(handlers::update_me)),
        );
}
