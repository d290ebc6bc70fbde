//! End-to-end tests over HTTP, each on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used)]

mod helpers;

mod cli;
mod errors;
mod health;
mod migrations;
mod openapi;
mod test_routes;
