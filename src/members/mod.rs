//! Who belongs to a municipality or a network, with which role: invitations (single use,
//! valid 7 days, token stored hashed), accepting them, changing roles and removing people.

pub mod dto;
pub mod handlers;
pub mod repo;
pub mod service;

use actix_web::web;

use crate::domain::{MunicipalityRole, NetworkRole};

/// The one role of a partner organisation's people.
pub const CONTACT: &str = "contact";

/// The organisation a membership belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MembershipOwner {
    Municipality(String),
    Network(String),
    /// A partner organisation; its people are `contact`s.
    Organisation(String),
}

impl MembershipOwner {
    /// The role name, if it is a role of this kind of organisation.
    pub fn parse_role(&self, role: &str) -> Option<&'static str> {
        match self {
            Self::Municipality(_) => role.parse::<MunicipalityRole>().ok().map(MunicipalityRole::as_str),
            Self::Network(_) => role.parse::<NetworkRole>().ok().map(NetworkRole::as_str),
            Self::Organisation(_) => (role == CONTACT).then_some(CONTACT),
        }
    }

    /// The role that must always have at least one holder, if any.
    pub fn admin_role(&self) -> Option<&'static str> {
        match self {
            Self::Municipality(_) => Some(MunicipalityRole::MunicipalAdmin.as_str()),
            Self::Network(_) => Some(NetworkRole::Coordinator.as_str()),
            Self::Organisation(_) => None,
        }
    }

    pub fn municipality_id(&self) -> Option<&str> {
        match self {
            Self::Municipality(id) => Some(id),
            _ => None,
        }
    }

    pub fn network_id(&self) -> Option<&str> {
        match self {
            Self::Network(id) => Some(id),
            _ => None,
        }
    }

    pub fn organisation_id(&self) -> Option<&str> {
        match self {
            Self::Organisation(id) => Some(id),
            _ => None,
        }
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/municipalities/{id}/members")
            .route(web::get().to(handlers::list_municipality_members))
            .route(web::post().to(handlers::invite_municipality_member)),
    )
    .service(
        web::resource("/api/v1/municipalities/{id}/members/{user_id}")
            .route(web::patch().to(handlers::change_municipality_role))
            .route(web::delete().to(handlers::remove_municipality_member)),
    )
    .service(
        web::resource("/api/v1/municipalities/{id}/invitations")
            .route(web::get().to(handlers::list_municipality_invitations)),
    )
    .service(
        web::resource("/api/v1/networks/{id}/members")
            .route(web::get().to(handlers::list_network_members))
            .route(web::post().to(handlers::invite_network_member)),
    )
    .service(
        web::resource("/api/v1/networks/{id}/members/{user_id}")
            .route(web::patch().to(handlers::change_network_role))
            .route(web::delete().to(handlers::remove_network_member)),
    )
    .service(
        web::resource("/api/v1/networks/{id}/invitations")
            .route(web::get().to(handlers::list_network_invitations)),
    )
    .service(
        web::resource("/api/v1/organisations/{id}/contacts")
            .route(web::get().to(handlers::list_organisation_contacts))
            .route(web::post().to(handlers::invite_organisation_contact)),
    )
    .service(
        web::resource("/api/v1/organisations/{id}/contacts/{user_id}")
            .route(web::delete().to(handlers::remove_organisation_contact)),
    )
    .service(
        web::resource("/api/v1/invitations/{token}/accept")
            .route(web::post().to(handlers::accept_invitation)),
    );
}
