//! Who belongs to a municipality or a network, with which role: invitations (single use,
//! valid 7 days, token stored hashed), accepting them, changing roles and removing people.

pub mod dto;
pub mod handlers;
pub mod repo;
pub mod service;

use actix_web::web;

use crate::domain::{MunicipalityRole, NetworkRole};

/// The organisation a membership belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Municipality(String),
    Network(String),
}

impl Scope {
    /// The role name, if it is a role of this kind of organisation.
    pub fn parse_role(&self, role: &str) -> Option<&'static str> {
        match self {
            Self::Municipality(_) => role.parse::<MunicipalityRole>().ok().map(MunicipalityRole::as_str),
            Self::Network(_) => role.parse::<NetworkRole>().ok().map(NetworkRole::as_str),
        }
    }

    /// The role that must always have at least one holder.
    pub fn admin_role(&self) -> &'static str {
        match self {
            Self::Municipality(_) => MunicipalityRole::MunicipalAdmin.as_str(),
            Self::Network(_) => NetworkRole::Coordinator.as_str(),
        }
    }

    pub fn municipality_id(&self) -> Option<&str> {
        match self {
            Self::Municipality(id) => Some(id),
            Self::Network(_) => None,
        }
    }

    pub fn network_id(&self) -> Option<&str> {
        match self {
            Self::Network(id) => Some(id),
            Self::Municipality(_) => None,
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
        web::resource("/api/v1/invitations/{token}/accept")
            .route(web::post().to(handlers::accept_invitation)),
    );
}
