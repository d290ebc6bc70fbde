//! Pure domain types: values parsed at the edge so that past it invalid states cannot exist.
//! Nothing here knows about HTTP or the database.

pub mod email;
pub mod text;

pub use email::Email;
pub use text::BoundedText;
