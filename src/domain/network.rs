//! What kind of network this is and how it is organised.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    ToSchema,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum NetworkKind {
    SelfOrganisation,
    VolunteerInitiative,
    CitizensInitiative,
    SocialEnterprise,
    ReligiousCommunity,
    CulturalCommunity,
    Other,
}

/// `none` for the many networks without a legal entity; they may receive money through an
/// intermediary organisation.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    ToSchema,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum LegalForm {
    None,
    Association,
    Foundation,
    Cooperative,
    Other,
}

impl NetworkKind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl LegalForm {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}
