//! The operational endpoints: liveness, readiness and metrics. They read the state of the
//! outbox and the webhooks, so they sit above the areas.

pub mod health;
pub mod metrics;
