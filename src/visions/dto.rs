//! Request and response bodies for visions.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::workflow::{VisionAction, VisionStatus};
use crate::domain::Party;

/// Something the parties want to achieve, and optionally how they will know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    pub title: String,
    pub indicator: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "municipality_id": "01934f6e-5d2a-7c3b-9a1e-2f3d4c5b6a79",
    "title": "Samen tegen eenzaamheid in Oost",
    "statement": "Niemand in Oost hoeft er alleen voor te staan.",
    "goals": [{"title": "Meer ontmoeting", "indicator": "Twee koffie-ochtenden per week"}],
    "themes": ["loneliness"],
    "parties": [{"type": "network", "id": "01934f6e-5d2a-7c3b-9a1e-2f3d4c5b6a80"}]
}))]
/// A new draft shared vision.
pub struct CreateVision {
    pub municipality_id: uuid::Uuid,
    pub title: String,
    /// Markdown.
    pub statement: String,
    #[serde(default)]
    pub goals: Vec<Goal>,
    #[serde(default)]
    pub themes: Vec<String>,
    /// Networks and organisations; the municipality is always a party.
    pub parties: Vec<Party>,
}

/// Fields to change; an edit of a proposed vision returns it to draft and clears endorsements.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"statement": "Niemand in Oost hoeft er alleen voor te staan, jong of oud."}))]
pub struct UpdateVision {
    pub title: Option<String>,
    pub statement: Option<String>,
    pub goals: Option<Vec<Goal>>,
    pub themes: Option<Vec<String>>,
    pub parties: Option<Vec<Party>>,
}

/// Which party endorses; may be left out when the caller acts for one party only.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"party": {"type": "network", "id": "01934f6e-5d2a-7c3b-9a1e-2f3d4c5b6a80"}}))]
pub struct EndorseRequest {
    pub party: Option<Party>,
}

/// One party's endorsement of a vision.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EndorsementDto {
    pub party: Party,
    pub endorsed_by: String,
    pub endorsed_at: DateTime<Utc>,
    /// The revision that was endorsed.
    pub revision: i32,
}

/// A shared vision: what the parties want to achieve together, and who endorsed it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VisionDto {
    pub id: String,
    pub municipality_id: String,
    pub status: VisionStatus,
    pub title: String,
    pub statement: String,
    pub goals: Vec<Goal>,
    pub themes: Vec<String>,
    pub parties: Vec<Party>,
    pub endorsements: Vec<EndorsementDto>,
    /// Number of the current revision; every edit adds one.
    pub revision: i32,
    pub version: i64,
    /// What the caller may do now.
    pub allowed_actions: Vec<VisionAction>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The content of a vision at one revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VisionContent {
    pub title: String,
    pub statement: String,
    pub goals: Vec<Goal>,
    pub themes: Vec<String>,
    pub parties: Vec<Party>,
}

/// One saved revision of a vision.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionDto {
    pub revision: i32,
    pub content: VisionContent,
    pub edited_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A vision's revisions, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionList {
    pub items: Vec<RevisionDto>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VisionQuery {
    pub municipality_id: Option<uuid::Uuid>,
    pub status: Option<VisionStatus>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
