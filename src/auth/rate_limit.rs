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

    /// `Err(seconds to wait)` when the key has used up its window.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        let windows = self.windows.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match windows.get(key) {
            Some((started, count)) if *count >= self.max && started.elapsed() < self.window => {
                Err((self.window - started.elapsed()).as_secs() + 1)
            }
            _ => Ok(()),
        }
    }

    /// Counts one attempt.
    pub fn hit(&self, key: &str) {
        let mut windows = self.windows.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if windows.len() > SWEEP_ABOVE {
            let window = self.window;
            windows.retain(|_, (started, _)| started.elapsed() < window);
        }
        let entry = windows.entry(key.to_owned()).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= self.window {
            *entry = (Instant::now(), 0);
        }
        entry.1 += 1;
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

    pub fn check(&self, account: &str, address: &str) -> Result<(), crate::error::ApiError> {
        self.per_account
            .check(account)
            .and_then(|()| self.per_address.check(address))
            .map_err(crate::error::ApiError::rate_limited)
    }

    pub fn record(&self, account: &str, address: &str, success: bool) {
        self.per_address.hit(address);
        if success {
            self.per_account.reset(account);
        } else {
            self.per_account.hit(account);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_maximum_until_the_window_ends() {
        let limiter = RateLimiter::new(2, Duration::from_millis(200));
        limiter.hit("a");
        assert!(limiter.check("a").is_ok());
        limiter.hit("a");
        assert!(limiter.check("a").is_err());
        assert!(limiter.check("b").is_ok(), "keys are independent");
        std::thread::sleep(Duration::from_millis(250));
        assert!(limiter.check("a").is_ok());
        limiter.hit("a");
        limiter.hit("a");
        limiter.reset("a");
        assert!(limiter.check("a").is_ok());
    }
}
