//! What one party owes under an agreement, as the agreement's content states it: the terms
//! that signing a version turns into commitments.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::Party;

/// One party's obligation. `key` stays the same across versions, so an amendment can change a
/// commitment without losing its status; leave it out for a new commitment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitmentTerms {
    #[serde(default)]
    pub key: Option<String>,
    pub party: Party,
    pub description: String,
    pub due_on: Option<NaiveDate>,
}
