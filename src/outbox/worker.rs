//! The delivery worker: claims due messages, sends them, and records the outcome. Failures wait
//! longer each time (exponential backoff with jitter) and become `dead` after the configured
//! number of attempts. Time is passed in, so tests move it instead of waiting.

use chrono::NaiveDateTime;
use rand::Rng;

use crate::db::Database;
use crate::error::ApiError;

use crate::mail::{Mailer, Outgoing};

use super::repo::{self, OutboxRow};

pub use crate::config::WorkerConfig;

fn opened(mut row: OutboxRow, keys: &crate::auth::seal::SealKeys) -> Result<OutboxRow, String> {
    let open = |body: &str| keys.open(body).map_err(|e| format!("cannot open the sealed email: {e}"));
    row.body_text = open(&row.body_text)?;
    row.body_html = open(&row.body_html)?;
    Ok(row)
}

/// An opened row as the mailer sends it. Notices link with a placeholder for the public
/// address; no other email is a template.
fn outgoing(row: &OutboxRow) -> Outgoing<'_> {
    Outgoing {
        id: &row.id,
        recipient: &row.recipient,
        subject: &row.subject,
        body_text: &row.body_text,
        body_html: &row.body_html,
        fill_in_links: row.kind == super::notices::KIND,
    }
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryPass {
    pub sent: usize,
    pub retrying: usize,
    pub dead: usize,
}

/// The wait before attempt `attempts + 1`: base * 2^(attempts-1), capped at an hour, with up to
/// a fifth more at random so failed messages do not all come back at once.
pub fn backoff(config: &WorkerConfig, attempts: i32) -> chrono::Duration {
    let exponent = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(16);
    let base = config.retry_base.as_millis().saturating_mul(1 << exponent).min(3_600_000);
    let jitter = rand::rng().random_range(0..=base / 5 + 1);
    chrono::Duration::milliseconds(i64::try_from(base + jitter).unwrap_or(3_600_000))
}

/// One pass: claim what is due at `at`, send it, record how it went.
pub fn run_once(
    db: &Database,
    mailer: &Mailer,
    config: &WorkerConfig,
    worker: &str,
    at: NaiveDateTime,
) -> Result<DeliveryPass, ApiError> {
    let mut conn = db.connection()?;
    let lease = chrono::Duration::from_std(config.lease).unwrap_or(chrono::Duration::minutes(5));
    let mut claimed = repo::claim(&mut conn, worker, at, at - lease, config.batch)?;
    // Oldest first (RETURNING keeps no order).
    claimed.sort_by(|a, b| (a.next_attempt_at, &a.id).cmp(&(b.next_attempt_at, &b.id)));
    let mut pass = DeliveryPass::default();
    let started = std::time::Instant::now();
    for row in claimed {
        // A claim runs out after the lease, and another worker may then take the message: so
        // each message is claimed anew just before it goes out (the lease then has to cover one
        // send, which the SMTP timeouts bound, not the whole batch), and skipped when it was
        // taken over. Time moves on from `at` by the time this pass has taken.
        let elapsed = chrono::Duration::from_std(started.elapsed()).unwrap_or(lease);
        if !repo::renew_claim(&mut conn, &row.id, worker, at + elapsed)? {
            tracing::warn!(outbox_id = %row.id, "another worker took this email over; not sending it here");
            continue;
        }
        // A sealed body (it holds a one-time link) is opened only here, for sending.
        let sent = opened(row.clone(), &config.seal_keys).and_then(|row| mailer.send(&outgoing(&row)));
        match sent {
            Ok(()) => {
                repo::mark_sent(&mut conn, &row.id, worker, at)?;
                pass.sent += 1;
            }
            Err(error) => {
                let retry_at =
                    (row.attempts < config.max_attempts).then(|| at + backoff(config, row.attempts));
                tracing::warn!(outbox_id = %row.id, attempts = row.attempts, error = %error, "sending failed");
                repo::mark_failed(&mut conn, &row.id, worker, &error, retry_at)?;
                if retry_at.is_some() {
                    pass.retrying += 1;
                } else {
                    pass.dead += 1;
                }
            }
        }
    }
    Ok(pass)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_and_are_capped() {
        let config =
            WorkerConfig { retry_base: std::time::Duration::from_secs(10), ..WorkerConfig::default() };
        let first = backoff(&config, 1).num_milliseconds();
        let third = backoff(&config, 3).num_milliseconds();
        assert!((10_000..=12_001).contains(&first), "{first}");
        assert!((40_000..=48_001).contains(&third), "{third}");
        assert!(backoff(&config, 30).num_milliseconds() <= 3_600_000 + 720_001);
    }
}
