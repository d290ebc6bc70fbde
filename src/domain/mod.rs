//! Pure domain types: values parsed at the edge so that past it invalid states cannot exist.
//! Nothing here knows about HTTP or the database.

pub mod email;
pub mod locale;
pub mod network;
pub mod registry;
pub mod roles;
pub mod text;
pub mod time;

pub use email::Email;
pub use locale::Locale;
pub use network::{LegalForm, NetworkKind};
pub use registry::{CbsCode, KvkNumber, TimeZone};
pub use roles::{MunicipalityRole, NetworkRole};
pub use text::BoundedText;
