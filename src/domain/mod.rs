//! Pure domain types: values parsed at the edge so that past it invalid states cannot exist.
//! Nothing here knows about HTTP or the database.

/// A closed set of values stored as snake_case text and shown as snake_case JSON:
/// roles, kinds, statuses. Gives `as_str`, `FromStr` and the OpenAPI schema.
macro_rules! text_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$variant_meta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
            strum::EnumString, strum::IntoStaticStr, strum::EnumIter,
        )]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        pub enum $name {
            $($(#[$variant_meta])* $variant),+
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                self.into()
            }
        }
    };
}
pub(crate) use text_enum;

pub mod deadline;
pub mod email;
pub mod iban;
pub mod locale;
pub mod markdown;
pub mod money;
pub mod network;
pub mod pages;
pub mod party;
pub mod registry;
pub mod roles;
pub mod scopes;
pub mod sepa;
pub mod spreadsheet;
pub mod text;
pub mod time;
pub mod workflow;

pub use deadline::DeadlineKind;
pub use email::Email;
pub use iban::Iban;
pub use locale::Locale;
pub use network::{LegalForm, NetworkKind};
pub use party::{Party, PartyType};
pub use registry::{CbsCode, KvkNumber, OpenDataPrefix, TimeZone};
pub use roles::{MunicipalityRole, NetworkRole};
pub use scopes::Scope;
pub use text::BoundedText;
