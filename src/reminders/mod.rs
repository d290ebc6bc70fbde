//! Reminders: before, on and after every deadline (by the municipality's settings), once per
//! recipient per deadline, in the recipient's language, through the outbox. A reminder for a
//! deadline that moved or was met before it went out is cancelled.

pub mod deadlines;
pub mod handlers;
pub mod me;
pub mod plan;
pub mod settings;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/municipalities/{id}/reminder-settings")
            .route(web::get().to(handlers::get_settings))
            .route(web::patch().to(handlers::update_settings)),
    )
    .service(web::resource("/api/v1/me/reminders").route(web::get().to(handlers::my_reminders)))
    .service(web::resource("/api/v1/me/calendar-token").route(web::post().to(handlers::new_calendar_token)))
    .service(web::resource("/api/v1/me/calendar.ics").route(web::get().to(handlers::calendar)));
}
