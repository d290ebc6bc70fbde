//! Pactum in the browser: server-rendered pages for the people who never write an HTTP call,
//! on the same services and the same authorization policy as the API. Pages work without
//! JavaScript, speak Dutch, English and Arabic, and follow the NL Design System.

pub mod assets;
pub mod i18n;
pub mod pages;
pub mod session;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/").route(web::get().to(pages::home)))
        .service(
            web::resource("/sign-in")
                .route(web::get().to(pages::sign_in_form))
                .route(web::post().to(pages::sign_in)),
        )
        .service(web::resource("/sign-out").route(web::post().to(pages::sign_out)))
        .service(web::resource("/assets/{version}/{file}").route(web::get().to(assets::file)));
}
