//! Request and response bodies for partner organisations.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::time::utc;

use super::repo::OrganisationRow;

crate::domain::text_enum! {
    /// What kind of partner organisation it is.
    pub enum OrganisationKind {
        Welfare,
        Care,
        Housing,
        Education,
        Other,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"municipality_id": "01934f6e-5d2a-7c3b-9a1e-2f3d4c5b6a79",
    "name": "Stichting Welzijn Lindendaal", "kind": "welfare", "kvk_number": "41234567"}))]
/// Registering a partner organisation.
pub struct CreateOrganisation {
    pub municipality_id: uuid::Uuid,
    pub name: String,
    pub kind: OrganisationKind,
    pub kvk_number: Option<String>,
}

/// Changing a partner organisation; only the fields sent change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Stichting Welzijn Lindendaal-Oost"}))]
pub struct UpdateOrganisation {
    pub name: Option<String>,
    pub kind: Option<OrganisationKind>,
    #[serde(default, deserialize_with = "crate::http::extractors::present")]
    #[schema(value_type = Option<String>)]
    pub kvk_number: Option<Option<String>>,
}

/// A partner organisation (welfare, care, housing, ...).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganisationDto {
    pub id: String,
    pub municipality_id: String,
    pub name: String,
    pub kind: OrganisationKind,
    pub kvk_number: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<OrganisationRow> for OrganisationDto {
    type Error = crate::error::ApiError;

    fn try_from(row: OrganisationRow) -> Result<Self, Self::Error> {
        Ok(Self {
            kind: crate::db::stored::parse("organisations.kind", &row.kind)?,
            id: row.id,
            municipality_id: row.municipality_id,
            name: row.name,
            kvk_number: row.kvk_number,
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrganisationQuery {
    pub municipality_id: Option<uuid::Uuid>,
    pub kind: Option<OrganisationKind>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
