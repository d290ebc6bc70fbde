//! A party to a vision or an agreement: the municipality, a network or a partner organisation.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

text_enum! {
    /// Which kind of party: the municipality, a network or a partner organisation.
    pub enum PartyType {
        Municipality,
        Network,
        Organisation,
    }
}

/// `{"type": "network", "id": "..."}` everywhere a party is named.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Party {
    #[serde(rename = "type")]
    pub party_type: PartyType,
    #[schema(value_type = String, format = Uuid)]
    pub id: String,
}

impl PartialOrd for PartyType {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PartyType {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for PartyType {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl Party {
    pub fn new(party_type: PartyType, id: impl Into<String>) -> Self {
        Self { party_type, id: id.into() }
    }
}
