//! Request and response bodies for networks.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::{LegalForm, NetworkKind};

/// The organisation that receives money on behalf of a network without a legal entity
/// (the "penvoerder").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Intermediary {
    pub name: String,
    /// KvK number of 8 digits.
    pub kvk_number: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Buurtkracht Kanaleneiland",
    "kind": "citizens_initiative",
    "description": "Bewoners die elkaar helpen met boodschappen, taal en eenzaamheid.",
    "themes": ["loneliness", "language"],
    "neighbourhoods": ["Kanaleneiland"],
    "legal_form": "none",
    "intermediary": {"name": "Stichting Welzijn Utrecht", "kvk_number": "41234567"},
    "contact_email": "buurtkracht@example.nl",
    "listed_publicly": true
}))]
/// Registering an informal network.
pub struct CreateNetwork {
    pub name: String,
    pub kind: NetworkKind,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub themes: Vec<String>,
    #[serde(default)]
    pub neighbourhoods: Vec<String>,
    pub legal_form: LegalForm,
    pub kvk_number: Option<String>,
    pub intermediary: Option<Intermediary>,
    pub contact_email: String,
    #[serde(default)]
    pub listed_publicly: bool,
    /// Link the network to this municipality: active at once when an officer of it registers
    /// the network, otherwise a request the municipality accepts or declines.
    pub municipality_id: Option<uuid::Uuid>,
}

/// Fields to change; leave a field out to keep it; `null` clears an optional field.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"description": "Nu ook met een taalcafé op woensdag.", "themes": ["language"]}))]
pub struct UpdateNetwork {
    pub name: Option<String>,
    pub kind: Option<NetworkKind>,
    pub description: Option<String>,
    pub themes: Option<Vec<String>>,
    pub neighbourhoods: Option<Vec<String>>,
    pub legal_form: Option<LegalForm>,
    #[serde(default, deserialize_with = "crate::http::extractors::present")]
    #[schema(value_type = Option<String>)]
    pub kvk_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::extractors::present")]
    #[schema(value_type = Option<Intermediary>)]
    pub intermediary: Option<Option<Intermediary>>,
    pub contact_email: Option<String>,
    pub listed_publicly: Option<bool>,
}

crate::domain::text_enum! {
    /// Whether the municipality accepted a network's link.
    pub enum LinkStatus {
        /// Asked for by the network; the municipality has not accepted yet.
        Requested,
        /// The municipality and the network work together.
        Active,
    }
}

/// A network's link with one municipality.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MunicipalityLink {
    pub municipality_id: String,
    pub status: LinkStatus,
}

/// An informal network: its profile and the municipalities it works with.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NetworkDto {
    pub id: String,
    pub name: String,
    pub kind: NetworkKind,
    pub description: String,
    pub themes: Vec<String>,
    pub neighbourhoods: Vec<String>,
    pub legal_form: LegalForm,
    pub kvk_number: Option<String>,
    pub intermediary: Option<Intermediary>,
    pub contact_email: String,
    pub listed_publicly: bool,
    /// Whether someone at the contact address confirmed it through the link sent to it. Until
    /// then the network is not in the public directory and receives no messages through it.
    pub contact_email_confirmed: bool,
    /// The municipalities this network works with, or has asked to.
    pub municipalities: Vec<MunicipalityLink>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A network asking a municipality to work together.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"municipality_id": "01934f6e-5d2a-7c3b-9a1e-2f3d4c5b6a79"}))]
pub struct LinkRequest {
    pub municipality_id: uuid::Uuid,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NetworkQuery {
    /// Networks with this theme.
    pub theme: Option<String>,
    pub kind: Option<NetworkKind>,
    /// Networks active in this neighbourhood.
    pub neighbourhood: Option<String>,
    /// Part of the name, in any letter case.
    pub q: Option<String>,
    /// Networks linked to this municipality.
    pub municipality_id: Option<uuid::Uuid>,
    /// With `municipality_id`: only links in this state.
    pub link_status: Option<LinkStatus>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// A contact address, confirmed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactConfirmed {
    pub network_id: String,
    pub network_name: String,
    pub contact_email: String,
    pub confirmed_at: DateTime<Utc>,
}
