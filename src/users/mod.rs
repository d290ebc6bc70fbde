//! People who sign in. For now: creating the first platform admin from the command line.

pub mod repo;
pub mod service;
