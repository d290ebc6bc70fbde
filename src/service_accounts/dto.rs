//! Request and response bodies for service accounts and their tokens.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::time::utc;
use crate::domain::Scope;

use super::repo::{ServiceAccountRow, TokenRow};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Financieel systeem", "scopes": ["grants:read", "payments:write"],
    "expires_at": "2027-12-31T23:00:00Z"}))]
/// A new service account for another system of the municipality.
pub struct CreateServiceAccount {
    pub name: String,
    /// At least one.
    pub scopes: Vec<Scope>,
    /// After this instant its tokens stop working.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Changing a service account; only the fields sent change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"scopes": ["grants:read"], "active": false}))]
pub struct UpdateServiceAccount {
    pub name: Option<String>,
    pub scopes: Option<Vec<Scope>>,
    #[serde(default, deserialize_with = "crate::http::extractors::present")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub expires_at: Option<Option<DateTime<Utc>>>,
    /// `false` stops all its tokens at once.
    pub active: Option<bool>,
}

/// Another system of the municipality, with what its tokens may do.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceAccountDto {
    /// Also the actor id of its calls in the audit trail.
    pub id: String,
    pub municipality_id: String,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub expires_at: Option<DateTime<Utc>>,
    pub active: bool,
    pub created_by: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ServiceAccountRow> for ServiceAccountDto {
    fn from(row: ServiceAccountRow) -> Self {
        Self {
            scopes: Scope::split(&row.scopes),
            id: row.id,
            municipality_id: row.municipality_id,
            name: row.name,
            expires_at: row.expires_at.map(utc),
            active: row.active,
            created_by: row.created_by,
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        }
    }
}

/// A new API token for a service account.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"label": "Productie, koppeling Key2Financiën", "expires_at": "2027-06-30T22:00:00Z"}))]
pub struct IssueToken {
    /// What the token is for, to recognise it later.
    #[serde(default)]
    pub label: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A token as listed: never the token itself.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenDto {
    pub id: String,
    pub service_account_id: String,
    pub label: String,
    /// The token's first characters, e.g. `pct_Qk3x`.
    pub hint: String,
    pub expires_at: Option<DateTime<Utc>>,
    /// Updated at most once a minute.
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl From<TokenRow> for TokenDto {
    fn from(row: TokenRow) -> Self {
        Self {
            id: row.id,
            service_account_id: row.service_account_id,
            label: row.label,
            hint: row.hint,
            expires_at: row.expires_at.map(utc),
            last_used_at: row.last_used_at.map(utc),
            revoked_at: row.revoked_at.map(utc),
            created_by: row.created_by,
            created_at: utc(row.created_at),
        }
    }
}

/// A new token: the only time it is shown. Send it as `Authorization: Bearer pct_...`.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedTokenDto {
    pub token: String,
    #[serde(flatten)]
    pub details: TokenDto,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ServiceAccountQuery {
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
