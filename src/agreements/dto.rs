//! Request and response bodies for agreements, their versions and check-ins.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::commitments::terms::CommitmentTerms;
use crate::domain::workflow::{AgreementAction, AgreementStatus, VersionStatus};
use crate::domain::Party;

use super::content::{AgreementContent, Provision};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "municipality_id": "01934f6e-5d2a-7c3b-9a1e-2f3d4c5b6a79",
    "title": "Koffie-ochtenden in Oost",
    "parties": [{"type": "network", "id": "01934f6e-5d2a-7c3b-9a1e-2f3d4c5b6a80"}],
    "starts_on": "2027-01-01",
    "ends_on": "2027-12-31",
    "review_interval_months": 6,
    "body": "1. Het netwerk organiseert elke dinsdag een koffie-ochtend.\n2. De gemeente stelt de buurtkamer beschikbaar.",
    "provisions": [{"kind": "space", "description": "De buurtkamer op dinsdagochtend"}],
    "commitments": [{"party": {"type": "network", "id": "01934f6e-5d2a-7c3b-9a1e-2f3d4c5b6a80"},
                     "description": "Verslag van de eerste drie maanden", "due_on": "2027-04-01"}]
}))]
/// A new draft agreement.
pub struct CreateAgreement {
    pub municipality_id: uuid::Uuid,
    pub title: String,
    pub vision_id: Option<uuid::Uuid>,
    /// Networks and organisations; the municipality is always a party.
    pub parties: Vec<Party>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    /// Months between reviews; `next_review_on` follows from `starts_on` when left out.
    pub review_interval_months: Option<u32>,
    pub next_review_on: Option<NaiveDate>,
    /// The clauses, in Markdown.
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub provisions: Vec<Provision>,
    #[serde(default)]
    pub commitments: Vec<CommitmentTerms>,
}

/// Changes to the version being negotiated (the draft, or the open amendment). Leave a field
/// out to keep it; `null` clears an optional one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"body": "1. Het netwerk organiseert elke dinsdag en donderdag een koffie-ochtend."}))]
pub struct UpdateAgreement {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extractors::present")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub vision_id: Option<Option<uuid::Uuid>>,
    pub parties: Option<Vec<Party>>,
    pub starts_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::http::extractors::present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub ends_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "crate::http::extractors::present")]
    #[schema(value_type = Option<u32>)]
    pub review_interval_months: Option<Option<u32>>,
    #[serde(default, deserialize_with = "crate::http::extractors::present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub next_review_on: Option<Option<NaiveDate>>,
    pub body: Option<String>,
    pub provisions: Option<Vec<Provision>>,
    pub commitments: Option<Vec<CommitmentTerms>>,
}

/// The optional body of a workflow action.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "De begroting klopt nog niet."}))]
pub struct ActionRequest {
    /// Required for `request-changes`, `suspend` and `terminate`.
    pub reason: Option<String>,
    /// For `sign`: the party you sign for, when you act for several.
    pub party: Option<Party>,
}

/// One party's signature on a version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignatureDto {
    pub party: Party,
    pub signed_by: String,
    pub signed_at: DateTime<Utc>,
    /// SHA-256 of the canonical content that was signed.
    pub content_hash: String,
}

/// One version of an agreement: its content and who signed it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionDto {
    pub number: i32,
    pub status: VersionStatus,
    pub content: AgreementContent,
    /// SHA-256 of the canonical JSON of `content`.
    pub content_hash: String,
    pub signatures: Vec<SignatureDto>,
    pub created_at: DateTime<Utc>,
    pub signed_at: Option<DateTime<Utc>>,
}

/// An agreement's versions, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionList {
    pub items: Vec<VersionDto>,
}

/// A collaboration agreement: its status, the version in force and any amendment being negotiated.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgreementDto {
    pub id: String,
    pub municipality_id: String,
    pub status: AgreementStatus,
    /// Why it was last sent back, suspended or terminated.
    pub status_reason: Option<String>,
    /// The version in force (before the first signing: the one being negotiated).
    pub current: VersionDto,
    /// An amendment being negotiated while `current` stays in force.
    pub amendment: Option<VersionDto>,
    /// What the caller may do now.
    pub allowed_actions: Vec<AgreementAction>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"held_on": "2027-02-14", "participants": ["Sanne de Vries", "Fatima El Amrani"],
    "notes": "Goede opkomst; de buurtkamer is te klein.", "agreed_actions": ["Gemeente zoekt een grotere ruimte"]}))]
/// Recording a check-in.
pub struct CheckInRequest {
    pub held_on: NaiveDate,
    #[serde(default)]
    pub participants: Vec<String>,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub agreed_actions: Vec<String>,
}

/// A check-in: the parties met to see how the agreement works.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckInDto {
    pub id: String,
    pub agreement_id: String,
    pub held_on: NaiveDate,
    pub participants: Vec<String>,
    pub notes: String,
    pub agreed_actions: Vec<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// An agreement's check-ins, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckInList {
    pub items: Vec<CheckInDto>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AgreementQuery {
    pub municipality_id: Option<uuid::Uuid>,
    pub status: Option<AgreementStatus>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    /// The version to compare with; the one before when left out.
    pub against: Option<i32>,
}
