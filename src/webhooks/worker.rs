//! Delivers the webhook outbox: per subscription, oldest message first; a message that fails
//! holds back the ones after it (so receivers get events in the order they happened) and is
//! retried with growing waits, like email, until it is `dead` and the next one goes. A worker
//! holds a subscription's queue while it delivers, so several workers never reorder it. Time is
//! passed in, so tests move it instead of waiting.

use std::time::Instant;

use chrono::NaiveDateTime;

use crate::db::Database;
use crate::error::ApiError;
use crate::outbox::worker::{backoff, DeliveryPass, WorkerConfig};

use super::events::body_for;
use super::repo::{self, AttemptRow, DeliveryRow, SubscriptionRow};
use super::signature;
use super::target::Sender;

/// One pass over every subscription with a message due at `at`.
pub fn run_once(
    db: &Database,
    sender: &Sender,
    config: &WorkerConfig,
    public_url: &str,
    at: NaiveDateTime,
) -> Result<DeliveryPass, ApiError> {
    let mut conn = db.connection()?;
    let lease = chrono::Duration::from_std(config.lease).unwrap_or(chrono::Duration::minutes(5));
    // This pass holds queues under its own name, so it renews and releases only its own holds.
    let holder = Holder {
        name: format!("pass-{}", uuid::Uuid::now_v7().simple()),
        at,
        started: Instant::now(),
        lease,
    };
    let mut pass = DeliveryPass::default();
    for subscription_id in repo::due_subscriptions(&mut conn, at)? {
        if !repo::hold(&mut conn, &subscription_id, &holder.name, at, holder.until())? {
            continue;
        }
        let delivered =
            deliver_queue(&mut conn, sender, config, public_url, &subscription_id, &holder, &mut pass);
        repo::release(&mut conn, &subscription_id, &holder.name)?;
        delivered?;
    }
    Ok(pass)
}

/// A pass's hold on a queue: its name, and a lease that runs from the time the pass was given,
/// moved on by the time the pass has taken so far (tests move time instead of waiting).
struct Holder {
    name: String,
    at: NaiveDateTime,
    started: Instant,
    lease: chrono::Duration,
}

impl Holder {
    /// When the hold runs out if it is taken or renewed now.
    fn until(&self) -> NaiveDateTime {
        let elapsed = chrono::Duration::from_std(self.started.elapsed()).unwrap_or(self.lease);
        self.at + elapsed + self.lease
    }
}

fn deliver_queue(
    conn: &mut crate::db::DbConnection,
    sender: &Sender,
    config: &WorkerConfig,
    public_url: &str,
    subscription_id: &str,
    holder: &Holder,
    pass: &mut DeliveryPass,
) -> Result<(), ApiError> {
    let at = holder.at;
    let Some(subscription) = repo::find(conn, subscription_id)? else { return Ok(()) };
    let signer = match open_secrets(config, &subscription) {
        Ok(signer) => signer,
        Err(err) => {
            // Without its key nothing can be signed: the messages wait, and the log says why.
            tracing::error!(subscription_id, error = %err, "cannot open the webhook signing secret; set PACTUM_SECRET_KEY_PREVIOUS");
            return Ok(());
        }
    };
    for _ in 0..config.batch {
        let Some(delivery) = repo::head(conn, subscription_id)? else { break };
        if delivery.next_attempt_at > at {
            break;
        }
        // Each post starts with the lease renewed: a pass slower than its lease stops here, so
        // a message never goes out from two workers (each post is bounded by the timeouts).
        if !repo::renew(conn, subscription_id, &holder.name, holder.until())? {
            tracing::warn!(subscription_id, "another worker took this webhook queue over; stopping");
            break;
        }
        let outcome = send(sender, &signer, &delivery, public_url, at);
        let attempt = AttemptRow {
            id: uuid::Uuid::now_v7().to_string(),
            delivery_id: delivery.id.clone(),
            attempted_at: at,
            status_code: outcome.status_code.map(i32::from),
            error: outcome.error.clone(),
            duration_ms: i64::try_from(outcome.duration.as_millis()).unwrap_or(i64::MAX),
        };
        if outcome.delivered() {
            repo::record_attempt(conn, &delivery, &attempt, "delivered", at)?;
            pass.sent += 1;
            continue;
        }
        let attempts = delivery.attempts + 1;
        tracing::warn!(
            delivery_id = %delivery.id, subscription_id, attempts,
            error = outcome.error.as_deref().unwrap_or_default(), "webhook delivery failed"
        );
        if attempts >= config.max_attempts {
            repo::record_attempt(conn, &delivery, &attempt, "dead", at)?;
            pass.dead += 1;
            continue;
        }
        repo::record_attempt(conn, &delivery, &attempt, "pending", at + backoff(config, attempts))?;
        pass.retrying += 1;
        break;
    }
    Ok(())
}

/// Where a subscription's messages go, and its signing secrets, opened: the current one, and
/// the one it replaced while that still signs beside it.
struct Signer {
    url: String,
    current: String,
    previous: Option<(String, NaiveDateTime)>,
}

fn open_secrets(
    config: &WorkerConfig,
    subscription: &SubscriptionRow,
) -> Result<Signer, crate::auth::seal::SealError> {
    let keys = &config.seal_keys;
    let previous = match (&subscription.previous_secret, subscription.previous_secret_until) {
        (Some(previous), Some(until)) => Some((keys.open(previous)?, until)),
        _ => None,
    };
    Ok(Signer { url: subscription.url.clone(), current: keys.open(&subscription.secret)?, previous })
}

/// Signs and posts one message, with the Standard Webhooks headers.
fn send(
    sender: &Sender,
    signer: &Signer,
    delivery: &DeliveryRow,
    public_url: &str,
    at: NaiveDateTime,
) -> super::target::Outcome {
    let body = body_for(&delivery.payload, public_url);
    let timestamp = chrono::Utc::now().timestamp();
    let id = format!("msg_{}", delivery.id);
    let mut signatures = signature::sign(&signer.current, &id, timestamp, body.as_bytes());
    // Just after a rotation, also with the old secret (space-separated, as the convention says).
    if let Some((previous, until)) = &signer.previous {
        if at < *until {
            signatures.push(' ');
            signatures.push_str(&signature::sign(previous, &id, timestamp, body.as_bytes()));
        }
    }
    let headers = [
        ("webhook-signature", signatures),
        ("webhook-id", id),
        ("webhook-timestamp", timestamp.to_string()),
        ("webhook-event-type", delivery.event_type.clone()),
    ];
    sender.post(&signer.url, &headers, &body)
}
