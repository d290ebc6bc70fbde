//! Who the caller is and what they may do: passwords, tokens, the authenticated-caller
//! extractor and the one authorization policy.

pub mod caller;
pub mod callers;
pub mod known_access;
pub mod operations;
pub mod password;
pub mod policy;
pub mod rate_limit;
pub mod rate_windows;
pub mod rotation;
pub mod seal;
pub mod secrets;
pub mod tokens;

pub use caller::{Authenticator, Caller};
pub use policy::{Action, NetworkScope, Target};
