//! Rate limits: a fixed-window counter per key (an account, a client address, an API token).
//! On PostgreSQL the windows live in the database, so every instance on it counts together; on
//! SQLite, whose file one process owns, they are kept in that process's memory.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::db::{Database, DbConnection, DbTarget};
use crate::error::ApiError;

use super::rate_windows;

pub struct RateLimiter {
    /// Starts every key of this limit in the shared table, so two limits never share a window.
    name: &'static str,
    max: u32,
    window: Duration,
    store: Store,
}

enum Store {
    Memory(Mutex<HashMap<String, (Instant, u32)>>),
    Shared(Arc<Shared>),
}

/// The database that holds the windows, and when this process last swept ended ones.
struct Shared {
    db: Database,
    last_sweep: AtomicI64,
}

/// Beyond this many keys in memory, expired windows are swept before a new key is added.
const SWEEP_ABOVE: usize = 10_000;
/// How often (seconds) a process sweeps ended windows from the shared table: on the first
/// request after this long, never on every request.
const SWEEP_EVERY: i64 = 60;

impl RateLimiter {
    /// Shared through the database on PostgreSQL, in this process's memory on SQLite: there one
    /// process owns the file, and counting in it would make every request with an API token a
    /// write that waits for SQLite's one write lock (a sign-in measured 0.2 ms more, little, but
    /// nothing is gained).
    pub fn new(name: &'static str, max: u32, window: Duration, db: &Database) -> Self {
        match db.target() {
            DbTarget::Postgres(_) => Self::shared(name, max, window, db.clone()),
            DbTarget::Sqlite(_) => Self::in_memory(name, max, window),
        }
    }

    pub fn in_memory(name: &'static str, max: u32, window: Duration) -> Self {
        Self { name, max, window, store: Store::Memory(Mutex::new(HashMap::new())) }
    }

    pub fn shared(name: &'static str, max: u32, window: Duration, db: Database) -> Self {
        let shared = Shared { db, last_sweep: AtomicI64::new(0) };
        Self { name, max, window, store: Store::Shared(Arc::new(shared)) }
    }

    /// Counts one request against `key` and lets it through, or refuses it with `429
    /// rate_limited` and the seconds to wait when the key has used up its window. Counting and
    /// checking are one step (a lock in memory, one upsert in the database), so parallel
    /// requests cannot all pass a check before any of them is counted.
    pub async fn take(&self, key: &str) -> Result<(), ApiError> {
        match &self.store {
            Store::Memory(windows) => self.take_in_memory(windows, key),
            Store::Shared(shared) => {
                let (shared, key, limit) = (shared.clone(), self.key(key), self.limit());
                shared.db.clone().run(move |conn| shared.take(conn, &key, limit)).await
            }
        }
    }

    /// As [`Self::take`], for code that already holds a connection (on the blocking pool).
    pub fn take_on(&self, conn: &mut DbConnection, key: &str) -> Result<(), ApiError> {
        match &self.store {
            Store::Memory(windows) => self.take_in_memory(windows, key),
            Store::Shared(shared) => shared.take(conn, &self.key(key), self.limit()),
        }
    }

    /// Forgets the key's window.
    pub fn reset_on(&self, conn: &mut DbConnection, key: &str) -> Result<(), ApiError> {
        match &self.store {
            Store::Memory(windows) => {
                windows.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(key);
                Ok(())
            }
            Store::Shared(_) => Ok(rate_windows::forget(conn, &self.key(key))?),
        }
    }

    fn key(&self, key: &str) -> String {
        format!("{}:{key}", self.name)
    }

    fn limit(&self) -> (i32, chrono::Duration) {
        let window = chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::days(1));
        (i32::try_from(self.max).unwrap_or(i32::MAX), window)
    }

    fn take_in_memory(
        &self,
        windows: &Mutex<HashMap<String, (Instant, u32)>>,
        key: &str,
    ) -> Result<(), ApiError> {
        let mut windows = windows.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if windows.len() > SWEEP_ABOVE {
            let window = self.window;
            windows.retain(|_, (started, _)| started.elapsed() < window);
        }
        let entry = windows.entry(key.to_owned()).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= self.window {
            *entry = (Instant::now(), 0);
        }
        if entry.1 >= self.max {
            let wait = self.window.saturating_sub(entry.0.elapsed()).as_secs() + 1;
            return Err(ApiError::rate_limited(wait));
        }
        entry.1 += 1;
        Ok(())
    }
}

impl Shared {
    fn take(
        &self,
        conn: &mut DbConnection,
        key: &str,
        (max, window): (i32, chrono::Duration),
    ) -> Result<(), ApiError> {
        let at = crate::domain::time::now();
        self.sweep_now_and_then(conn, at);
        let (count, ends) = rate_windows::count(conn, key, at, window)?;
        if count > max {
            // As in memory: the whole seconds left, plus one, so a client that waits is let in.
            let wait = u64::try_from((ends - at).num_seconds()).unwrap_or(0) + 1;
            return Err(ApiError::rate_limited(wait));
        }
        Ok(())
    }

    /// Sweeps ended windows if this process has not for `SWEEP_EVERY` seconds; a failed sweep
    /// only waits for the next.
    fn sweep_now_and_then(&self, conn: &mut DbConnection, at: chrono::NaiveDateTime) {
        let now = at.and_utc().timestamp();
        let last = self.last_sweep.load(Ordering::Relaxed);
        if now - last < SWEEP_EVERY
            || self.last_sweep.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_err()
        {
            return;
        }
        match rate_windows::sweep(conn, at) {
            Ok(0) => {}
            Ok(swept) => tracing::debug!(swept, "swept ended rate limit windows"),
            Err(err) => tracing::warn!(error = %err, "sweeping rate limit windows failed"),
        }
    }
}

/// Login limits: failed attempts per account, all attempts per client address. Accounts are
/// kept by the SHA-256 of their address, so the shared table holds no email in clear.
pub struct LoginLimits {
    per_account: RateLimiter,
    per_address: RateLimiter,
}

impl LoginLimits {
    /// `[account, address]` name the two limits, to keep them apart from other limits (sign-ins,
    /// password resets).
    pub fn new(
        [account, address]: [&'static str; 2],
        per_account: u32,
        per_address: u32,
        window: Duration,
        db: &Database,
    ) -> Self {
        Self {
            per_account: RateLimiter::new(account, per_account, window, db),
            per_address: RateLimiter::new(address, per_address, window, db),
        }
    }

    /// Counts a sign-in attempt against the account and the address before the password is
    /// checked: an attempt counts as failed until it succeeds.
    pub fn take_on(&self, conn: &mut DbConnection, account: &str, address: &str) -> Result<(), ApiError> {
        self.per_address.take_on(conn, address)?;
        self.per_account.take_on(conn, &super::secrets::hash(account))
    }

    /// A successful sign-in clears the account's failures.
    pub fn succeeded_on(&self, conn: &mut DbConnection, account: &str) -> Result<(), ApiError> {
        self.per_account.reset_on(conn, &super::secrets::hash(account))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn take(limiter: &RateLimiter, key: &str) -> Result<(), ApiError> {
        let Store::Memory(windows) = &limiter.store else { panic!("in memory") };
        limiter.take_in_memory(windows, key)
    }

    #[test]
    fn blocks_after_the_maximum_until_the_window_ends() {
        let limiter = RateLimiter::in_memory("test", 2, Duration::from_millis(200));
        assert!(take(&limiter, "a").is_ok());
        assert!(take(&limiter, "a").is_ok());
        let refused = take(&limiter, "a").expect_err("third");
        assert_eq!(refused.retry_after_seconds, Some(1));
        assert!(take(&limiter, "b").is_ok(), "keys are independent");
        std::thread::sleep(Duration::from_millis(250));
        assert!(take(&limiter, "a").is_ok());
        assert!(take(&limiter, "a").is_ok());
        if let Store::Memory(windows) = &limiter.store {
            windows.lock().unwrap().remove("a");
        }
        assert!(take(&limiter, "a").is_ok());
    }

    #[test]
    fn parallel_attempts_cannot_pass_together() {
        let limiter = Arc::new(RateLimiter::in_memory("test", 10, Duration::from_secs(60)));
        let passed: usize = (0..40)
            .map(|_| {
                let limiter = limiter.clone();
                std::thread::spawn(move || take(&limiter, "account").is_ok())
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| usize::from(t.join().unwrap_or(false)))
            .sum();
        assert_eq!(passed, 10);
    }
}
