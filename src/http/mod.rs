//! What every request passes through: request ids, problem responses, metrics recording,
//! extractor limits, ETags, pagination, protective headers. It knows no area and no caller.

pub mod etag;
pub mod extractors;
pub mod idempotency;
pub mod metrics;
pub mod pagination;
pub mod protection;
pub mod request;

/// Full semantic version of the API, sent as `API-Version` on every response.
pub const API_VERSION: &str = env!("CARGO_PKG_VERSION");
