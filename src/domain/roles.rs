//! The roles a person can hold in a municipality or a network.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A role inside a municipality. Platform admin is a flag on the user, not a role here.
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
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum MunicipalityRole {
    /// Manages the municipality's settings and its people.
    MunicipalAdmin,
    /// Grant officer: registers networks, drafts agreements, decides grants.
    Officer,
    /// Finance officer: second approver, marks payments.
    Finance,
    /// Reads everything of the municipality, including the audit trail; changes nothing.
    Auditor,
}

/// A role inside an informal network.
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
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum NetworkRole {
    /// Keeps the profile, manages members, signs and applies on the network's behalf.
    Coordinator,
    /// Volunteer treasurer: reports spending, sees payments.
    Treasurer,
    /// Reads what the network shares.
    Member,
}

impl MunicipalityRole {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl NetworkRole {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}
