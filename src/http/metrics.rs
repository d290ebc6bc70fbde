//! Prometheus metrics: requests by route template and status, a latency histogram, and how
//! many database connections are in use. Route templates (not raw paths) keep cardinality low.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool_in_use: IntGauge,
    outbox: prometheus::IntGaugeVec,
    webhooks: prometheus::IntGaugeVec,
}

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("pactum".into()), None)?;
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests by method, route template and status"),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by method and route template",
            )
            .buckets(vec![0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]),
            &["method", "route"],
        )?;
        let pool_in_use =
            IntGauge::new("db_pool_connections_in_use", "Database connections handed out right now")?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        let outbox = prometheus::IntGaugeVec::new(
            Opts::new(
                "outbox_messages",
                "Emails in the outbox by status: queued, sending, sent, failed (queued again after a failure), dead, cancelled",
            ),
            &["status"],
        )?;
        registry.register(Box::new(pool_in_use.clone()))?;
        registry.register(Box::new(outbox.clone()))?;
        let webhooks = prometheus::IntGaugeVec::new(
            Opts::new("webhook_deliveries", "Webhook messages by status: pending, delivered, dead"),
            &["status"],
        )?;
        registry.register(Box::new(webhooks.clone()))?;
        Ok(Self { registry, requests, latency, pool_in_use, outbox, webhooks })
    }

    pub fn set_pool_in_use(&self, connections: i64) {
        self.pool_in_use.set(connections);
    }

    /// Emails in the outbox with this status.
    pub fn set_outbox(&self, status: &str, count: i64) {
        self.outbox.with_label_values(&[status]).set(count);
    }

    /// Webhook messages with this status.
    pub fn set_webhooks(&self, status: &str, count: i64) {
        self.webhooks.with_label_values(&[status]).set(count);
    }

    /// Everything, in the Prometheus text format.
    pub fn encode(&self) -> Result<Vec<u8>, prometheus::Error> {
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer)?;
        Ok(buffer)
    }
}

/// A method as a label: the standard ones by name, any other as `other`, so that requests with
/// made-up methods cannot grow the metrics without bound.
fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    const KNOWN: [(Method, &str); 7] = [
        (Method::GET, "GET"),
        (Method::HEAD, "HEAD"),
        (Method::POST, "POST"),
        (Method::PUT, "PUT"),
        (Method::PATCH, "PATCH"),
        (Method::DELETE, "DELETE"),
        (Method::OPTIONS, "OPTIONS"),
    ];
    KNOWN.iter().find(|(known, _)| known == method).map_or("other", |(_, label)| label)
}

/// Middleware that counts and times every request.
pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let method = method_label(req.method());
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".to_owned());
    let outcome = next.call(req).await;
    if let Some(metrics) = metrics {
        let status = match &outcome {
            Ok(response) => response.status(),
            Err(err) => err.as_response_error().status_code(),
        };
        let status = status.as_u16().to_string();
        metrics.requests.with_label_values(&[method, route.as_str(), status.as_str()]).inc();
        metrics.latency.with_label_values(&[method, route.as_str()]).observe(started.elapsed().as_secs_f64());
    }
    outcome
}
