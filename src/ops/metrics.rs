//! The `/metrics` endpoint: the request metrics that `http::metrics` records, with the pool
//! in use and the outbox and webhook messages by status, read fresh on every scrape.

use actix_web::{web, HttpResponse};

use crate::error::ApiError;
use crate::state::AppState;
use crate::{outbox, webhooks};

/// Metrics in the Prometheus text format.
///
/// Requests by method, route template and status; request latency; database connections in use;
/// email and webhook messages by status.
#[utoipa::path(get, path = "/metrics", tag = "operations", operation_id = "metrics",
    responses((status = 200, description = "Prometheus text exposition format", body = String,
               content_type = "text/plain; version=0.0.4")))]
pub async fn scrape(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let metrics = &state.metrics;
    metrics.set_pool_in_use(i64::from(state.db.connections_in_use()));
    let counts = state.db.run(|conn| Ok(outbox::repo::counts(conn)?)).await?;
    for status in ["queued", "sending", "sent", "failed", "dead", "cancelled"] {
        let count = counts.iter().find(|(s, _)| s == status).map_or(0, |(_, c)| *c);
        metrics.set_outbox(status, count);
    }
    let deliveries = state.db.run(|conn| Ok(webhooks::repo::counts(conn)?)).await?;
    for status in ["pending", "delivered", "dead"] {
        let count = deliveries.iter().find(|(s, _)| s == status).map_or(0, |(_, c)| *c);
        metrics.set_webhooks(status, count);
    }
    let buffer = metrics.encode().map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().content_type(prometheus::TEXT_FORMAT).body(buffer))
}
