//! Who the caller is: password hashing now; tokens and the authenticated-caller extractor follow.

pub mod password;
