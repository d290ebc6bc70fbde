//! The state every request handler shares: the database, settings, keys, limiters and metrics.
//! It knows no area, so handlers import it without reaching into `startup`.

use std::sync::Arc;

use crate::auth::rate_limit::{LoginLimits, RateLimiter};
use crate::auth::Authenticator;
use crate::config::Settings;
use crate::db::Database;
use crate::http::metrics::Metrics;
use crate::mail::Mailer;

/// Shared by every worker; cheap to clone through `web::Data`.
pub struct AppState {
    pub db: Database,
    /// `None` without `PACTUM_SMTP_URL`: email waits in the outbox.
    pub mailer: Option<Arc<Mailer>>,
    /// Access token keys and the limit per service account token; also app data of its own,
    /// for the caller extractor.
    pub auth: Arc<Authenticator>,
    pub login_limits: LoginLimits,
    /// Password reset emails asked for, per account and per client address (as sign-ins).
    pub password_reset_limits: LoginLimits,
    /// Requests per client address to the public directory.
    pub public_limits: RateLimiter,
    pub settings: Settings,
    /// Also app data of its own, for the middleware that records requests.
    pub metrics: Arc<Metrics>,
}
