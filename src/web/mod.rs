//! Pactum in the browser: server-rendered pages for the people who never write an HTTP call,
//! on the same services and the same authorization policy as the API. Pages work without
//! JavaScript, speak Dutch, English and Arabic, and follow the NL Design System.

pub mod account;
pub mod admin;
pub mod agreement_drafts;
pub mod agreement_form;
pub mod agreement_form_page;
pub mod agreement_list;
pub mod agreement_steps;
pub mod agreement_versions;
pub mod agreements;
pub mod api_tokens;
pub mod applications;
pub mod assets;
pub mod audit;
pub mod batches;
pub mod commitment_pages;
pub mod contacts;
pub mod decisions;
pub mod form;
pub mod format;
pub mod fund_settings;
pub mod funds;
pub mod grants;
pub mod home;
pub mod i18n;
pub mod integrations;
pub mod invitations;
pub mod layout;
pub mod ledger;
pub mod links;
pub mod members;
pub mod networks;
pub mod overview;
pub mod party_choices;
pub mod passwords;
pub mod payments;
pub mod queue;
pub mod receipts;
pub mod related;
pub mod reminder_settings;
pub mod reports;
pub mod review;
pub mod service_accounts;
pub mod session;
pub mod settlement;
pub mod vision_drafts;
pub mod vision_steps;
pub mod visions;
pub mod webhook_deliveries;
pub mod webhooks;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.configure(queue::routes).configure(decisions::routes).configure(settlement::routes);
    // Fixed paths (`/agreements/new`, `/visions/new`) before `/agreements/{id}` and the like.
    cfg.configure(agreement_list::routes)
        .configure(agreement_drafts::routes)
        .configure(agreement_versions::routes)
        .configure(vision_drafts::routes)
        .configure(vision_steps::routes);
    cfg.service(web::resource("/").route(web::get().to(home::home)))
        .service(
            web::resource("/sign-in")
                .route(web::get().to(account::sign_in_form))
                .route(web::post().to(account::sign_in)),
        )
        .service(
            web::resource("/password-reset")
                .route(web::get().to(passwords::forgot))
                .route(web::post().to(passwords::send_link)),
        )
        .service(web::resource("/password-reset/sent").route(web::get().to(passwords::sent)))
        .service(
            web::resource("/password-reset/{token}")
                .route(web::get().to(passwords::choose))
                .route(web::post().to(passwords::save)),
        )
        .service(
            web::resource("/invitations/{token}")
                .route(web::get().to(invitations::open))
                .route(web::post().to(invitations::accept)),
        )
        .service(
            web::resource("/contact-confirmations/{token}")
                .route(web::get().to(contacts::open))
                .route(web::post().to(contacts::confirm)),
        )
        .service(web::resource("/privacy").route(web::get().to(invitations::privacy)))
        .service(
            web::resource("/account/password")
                .route(web::get().to(passwords::change_page))
                .route(web::post().to(passwords::change)),
        )
        .service(
            web::resource("/grants/new")
                .route(web::get().to(applications::new))
                .route(web::post().to(applications::create)),
        )
        .service(web::resource("/grants/{id}").route(web::get().to(grants::show)))
        .service(
            web::resource("/grants/{id}/edit")
                .route(web::get().to(applications::edit_form))
                .route(web::post().to(applications::edit)),
        )
        .service(
            web::resource("/grants/{id}/report")
                .route(web::get().to(reports::show))
                .route(web::post().to(reports::update)),
        )
        .service(web::resource("/grants/{id}/report/receipts").route(web::post().to(receipts::upload)))
        .service(web::resource("/grants/{id}/{step}").route(web::post().to(grants::step)))
        .service(web::resource("/tranches/{id}").route(web::get().to(grants::tranche)))
        .service(web::resource("/agreements/{id}").route(web::get().to(agreements::show)))
        .service(web::resource("/agreements/{id}/print").route(web::get().to(agreements::print)))
        .service(web::resource("/agreements/{id}/sign").route(web::post().to(agreements::sign)))
        .service(web::resource("/commitments/{id}").route(web::get().to(commitment_pages::commitment)))
        .service(web::resource("/commitments/{id}/done").route(web::post().to(commitment_pages::done)))
        .service(web::resource("/visions/{id}").route(web::get().to(visions::show)))
        .service(web::resource("/visions/{id}/endorse").route(web::post().to(visions::endorse)))
        .service(web::resource("/networks/{id}").route(web::get().to(networks::show)))
        .service(
            web::resource("/networks/{id}/profile")
                .route(web::get().to(networks::profile_form))
                .route(web::post().to(networks::save_profile)),
        )
        .configure(members::routes)
        .configure(review::routes)
        .configure(overview::routes)
        .configure(payments::routes)
        .configure(fund_settings::routes)
        .configure(links::routes)
        .configure(reminder_settings::routes)
        .configure(service_accounts::routes)
        .configure(webhooks::routes)
        .service(web::resource("/admin").route(web::get().to(admin::index)))
        .service(web::resource("/audit").route(web::get().to(audit::trail_page)))
        .service(web::resource("/sign-out").route(web::post().to(account::sign_out)))
        // Steps by name (`/agreements/{id}/propose`...), after the paths they share a shape with.
        .configure(agreement_steps::routes)
        .configure(vision_steps::step_routes)
        .service(web::resource("/assets/{version}/{file}").route(web::get().to(assets::file)));
}
