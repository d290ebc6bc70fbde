//! A fixed-window counter per key (an account, a client address), kept in memory: enough to
//! slow password guessing on one instance. Entries expire with their window.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    max: u32,
    window: Duration,
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

/// Beyond this many keys, expired windows are swept before a new key is added.
const SWEEP_ABOVE: usize = 10_000;

impl RateLimiter {
    pub fn new(max: u32, window: Duration) -> Self {
        Self { max, window, windows: Mutex::new(HashMap::new()) }
    }

    /// Counts one attempt and lets it through, or `Err(seconds to wait)` when the key has used
    /// up its window. Counting and checking are one step under the lock, so parallel requests
    /// cannot all pass a check before any of them is counted.
    pub fn take(&self, key: &str) -> Result<(), u64> {
        let mut windows = self.windows.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if windows.len() > SWEEP_ABOVE {
            let window = self.window;
            windows.retain(|_, (started, _)| started.elapsed() < window);
        }
        let entry = windows.entry(key.to_owned()).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= self.window {
            *entry = (Instant::now(), 0);
        }
        if entry.1 >= self.max {
            return Err((self.window.saturating_sub(entry.0.elapsed())).as_secs() + 1);
        }
        entry.1 += 1;
        Ok(())
    }

    pub fn reset(&self, key: &str) {
        self.windows.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(key);
    }
}

/// Login limits: failed attempts per account, all attempts per client address.
pub struct LoginLimits {
    per_account: RateLimiter,
    per_address: RateLimiter,
}

impl LoginLimits {
    pub fn new(per_account: u32, per_address: u32, window: Duration) -> Self {
        Self {
            per_account: RateLimiter::new(per_account, window),
            per_address: RateLimiter::new(per_address, window),
        }
    }

    /// Counts a sign-in attempt against the account and the address before the password is
    /// checked: an attempt counts as failed until it succeeds.
    pub fn take(&self, account: &str, address: &str) -> Result<(), crate::error::ApiError> {
        self.per_address.take(address).map_err(crate::error::ApiError::rate_limited)?;
        self.per_account.take(account).map_err(crate::error::ApiError::rate_limited)
    }

    /// A successful sign-in clears the account's failures.
    pub fn succeeded(&self, account: &str) {
        self.per_account.reset(account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_maximum_until_the_window_ends() {
        let limiter = RateLimiter::new(2, Duration::from_millis(200));
        assert!(limiter.take("a").is_ok());
        assert!(limiter.take("a").is_ok());
        assert!(limiter.take("a").is_err());
        assert!(limiter.take("b").is_ok(), "keys are independent");
        std::thread::sleep(Duration::from_millis(250));
        assert!(limiter.take("a").is_ok());
        assert!(limiter.take("a").is_ok());
        limiter.reset("a");
        assert!(limiter.take("a").is_ok());
    }

    #[test]
    fn parallel_attempts_cannot_pass_together() {
        let limiter = std::sync::Arc::new(RateLimiter::new(10, Duration::from_secs(60)));
        let passed: usize = (0..40)
            .map(|_| {
                let limiter = limiter.clone();
                std::thread::spawn(move || limiter.take("account").is_ok())
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| usize::from(t.join().unwrap_or(false)))
            .sum();
        assert_eq!(passed, 10);
    }
}
