//! Service accounts: how a municipality's other systems (finance, case management, its
//! website) use the API with scoped tokens instead of a person's login. Every call made with a
//! token is attributed to its service account.

pub mod dto;
pub mod handlers;
pub mod repo;
pub mod service;

use actix_web::web;

/// What every API token starts with (auth tells them from access tokens by it).
pub use crate::auth::callers::SERVICE_ACCOUNT_TOKEN_PREFIX as TOKEN_PREFIX;

pub fn routes(cfg: &mut web::ServiceConfig) {
    let base = "/api/v1/municipalities/{id}/service-accounts";
    cfg.service(
        web::resource(base).route(web::get().to(handlers::list)).route(web::post().to(handlers::create)),
    )
    .service(
        web::resource(format!("{base}/{{sid}}"))
            .route(web::get().to(handlers::get))
            .route(web::patch().to(handlers::update)),
    )
    .service(
        web::resource(format!("{base}/{{sid}}/tokens"))
            .route(web::get().to(handlers::list_tokens))
            .route(web::post().to(handlers::issue_token)),
    )
    .service(
        web::resource(format!("{base}/{{sid}}/tokens/{{tid}}/revoke"))
            .route(web::post().to(handlers::revoke_token)),
    );
}
