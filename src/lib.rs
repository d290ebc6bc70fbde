//! Pactum: the system of record for how a municipality and the informal networks in its area
//! work together. The binary (`main.rs`) and the tests both build on this library.

pub mod agreements;
pub mod audit;
pub mod auth;
pub mod commitments;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod funds;
pub mod grants;
pub mod http;
pub mod idempotency;
pub mod identity;
pub mod ledger;
pub mod mail;
pub mod members;
pub mod municipalities;
pub mod networks;
pub mod open_data;
pub mod openapi;
pub mod ops;
pub mod organisations;
pub mod outbox;
pub mod parties;
pub mod payment_batches;
pub mod reminders;
pub mod reports;
pub mod service_accounts;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod visions;
pub mod web;
pub mod webhooks;
