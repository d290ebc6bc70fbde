//! Request and response bodies for commitments.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::workflow::{CommitmentAction, CommitmentStatus};
use crate::domain::{Party, PartyType};

/// What one party of a signed agreement committed to, and whether it was done.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommitmentDto {
    pub id: String,
    pub agreement_id: String,
    /// Stays the same across versions of the agreement.
    pub key: String,
    /// Who owes it.
    pub party: Party,
    pub description: String,
    pub due_on: Option<NaiveDate>,
    pub status: CommitmentStatus,
    pub note: Option<String>,
    pub allowed_actions: Vec<CommitmentAction>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

/// An optional note with a commitment action.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "Verslag gemaild op 28 maart."}))]
pub struct CommitmentActionRequest {
    /// Required to waive.
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CommitmentQuery {
    pub status: Option<CommitmentStatus>,
    /// Only commitments due before this date.
    pub due_before: Option<NaiveDate>,
    /// With `party_id`: commitments owed by this party.
    pub party_type: Option<PartyType>,
    pub party_id: Option<uuid::Uuid>,
    pub agreement_id: Option<uuid::Uuid>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
