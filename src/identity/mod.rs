//! People and their sign-ins: users, login with rotating refresh tokens, logout, and `/me`.

pub mod dto;
pub mod handlers;
pub mod passwords;
pub mod repo;
pub mod service;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/v1/auth/login").route(web::post().to(handlers::login)))
        .service(web::resource("/api/v1/auth/refresh").route(web::post().to(handlers::refresh)))
        .service(web::resource("/api/v1/auth/logout").route(web::post().to(handlers::logout)))
        .service(
            web::resource("/api/v1/auth/password-reset")
                .route(web::post().to(handlers::request_password_reset)),
        )
        .service(
            web::resource("/api/v1/auth/password-reset/{token}")
                .route(web::post().to(handlers::reset_password)),
        )
        .service(web::resource("/api/v1/me/password").route(web::post().to(handlers::change_password)))
        .service(
            web::resource("/api/v1/me")
                .route(web::get().to(handlers::me))
                .route(web::patch().to(handlers::update_me)),
        );
}
