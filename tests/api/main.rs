//! End-to-end tests over HTTP, each on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used)]

mod contract;
mod fixtures;
mod helpers;

mod accounts;
mod agreements;
mod browser;
mod cli;
mod directory;
mod errors;
mod four_eyes;
mod grants;
mod health;
mod idempotency;
mod identity;
mod instances;
mod mail;
mod migrations;
mod open_data;
mod openapi;
mod pages;
mod pages_admin;
mod pages_agreements;
mod pages_drafting;
mod pages_finance;
mod pages_grants;
mod pages_integrations;
mod pages_networks;
mod pages_officer;
mod pages_review;
mod pages_settlement;
mod payment_batches;
mod reminders;
mod scopes;
mod security;
mod seed;
mod service_accounts;
mod smtp_sink;
mod tenancy;
mod test_routes;
mod visions;
mod webhooks;
