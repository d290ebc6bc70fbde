//! 360Giving open data: a municipality's awarded grants as a 360Giving Data Standard package
//! (JSON) and as its flattened CSV, public when the municipality chooses so.

pub mod csv;
pub mod handlers;
pub mod package;
pub mod repo;
pub mod service;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/municipalities/{id}/open-data/360giving.json")
            .route(web::get().to(handlers::package_json)),
    )
    .service(
        web::resource("/api/v1/municipalities/{id}/open-data/360giving.csv")
            .route(web::get().to(handlers::package_csv)),
    );
}
