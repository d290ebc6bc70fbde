//! The language a person reads Pactum in.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(
    Debug,
    Clone,
    Copy,
    Default,
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
pub enum Locale {
    /// Dutch (the default).
    #[default]
    Nl,
    /// English.
    En,
}

impl Locale {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}
