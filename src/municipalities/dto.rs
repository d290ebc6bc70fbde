//! Request and response bodies for municipalities.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::time::utc;

use super::repo::MunicipalityRow;

/// A new municipality (platform admins only).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Gemeente Utrecht", "cbs_code": "GM0344", "time_zone": "Europe/Amsterdam"}))]
pub struct CreateMunicipality {
    pub name: String,
    /// CBS code: `GM` and 4 digits.
    pub cbs_code: Option<String>,
    /// IANA time zone; `Europe/Amsterdam` when left out.
    pub time_zone: Option<String>,
}

/// Fields to change; leave a field out to keep it. `cbs_code: null` removes the code.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Gemeente Utrecht"}))]
pub struct UpdateMunicipality {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extractors::present")]
    #[schema(value_type = Option<String>)]
    pub cbs_code: Option<Option<String>>,
    pub time_zone: Option<String>,
    /// Publish the awarded grants as 360Giving open data that anyone may fetch.
    pub open_data_public: Option<bool>,
    /// The 360Giving publisher prefix (2-40 lower-case letters, digits, hyphens); `null`
    /// returns to the default `pactum-<cbs code or id>`.
    #[serde(default, deserialize_with = "crate::http::extractors::present")]
    #[schema(value_type = Option<String>)]
    pub open_data_prefix: Option<Option<String>>,
}

/// A municipality (gemeente), the tenant everything else belongs to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MunicipalityDto {
    pub id: String,
    pub name: String,
    pub cbs_code: Option<String>,
    pub time_zone: String,
    /// Whether anyone may fetch the 360Giving open data without signing in.
    pub open_data_public: bool,
    /// The 360Giving publisher prefix as set; `null` means the default `pactum-<cbs code or id>`.
    pub open_data_prefix: Option<String>,
    /// Send as `If-Match` to change only this version.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<MunicipalityRow> for MunicipalityDto {
    fn from(row: MunicipalityRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            cbs_code: row.cbs_code,
            time_zone: row.time_zone,
            open_data_public: row.open_data_public,
            open_data_prefix: row.open_data_prefix,
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        }
    }
}
