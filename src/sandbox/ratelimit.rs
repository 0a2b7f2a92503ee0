//! Per-key rate limiting in one-second windows.
//!
//! Close limits each API key per endpoint group and sends the state on every response as
//! `RateLimit: limit=N, remaining=R, reset=S`. The sandbox keeps one group per key (a
//! simplification: all endpoints share the budget). A window opens with a key's first
//! request and lasts one second; the request that goes over the limit, and every one after
//! it in the same window, is answered 429.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::json;

use super::reply::Reply;

/// How long one window lasts.
const WINDOW: Duration = Duration::from_secs(1);

/// Counts requests per key.
#[derive(Debug)]
pub struct RateLimiter {
    limit: u32,
    windows: Mutex<HashMap<String, Window>>,
}

/// The current window of one key.
#[derive(Debug, Clone, Copy)]
struct Window {
    opened: Instant,
    count: u32,
}

/// A key's standing after counting one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub limit: u32,
    pub remaining: u32,
    /// Whole seconds until the window closes, at least 1.
    pub reset: u64,
    pub exceeded: bool,
}

impl RateLimiter {
    /// A limiter allowing `limit` requests per key per second.
    pub fn new(limit: u32) -> RateLimiter {
        RateLimiter { limit, windows: Mutex::new(HashMap::new()) }
    }

    /// Counts a request made with `key` (the key as presented, valid or not, so a client
    /// hammering with a wrong key is limited too) and says where the key stands.
    pub fn count(&self, key: &str) -> Standing {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let window = windows.entry(key.to_string()).or_insert(Window { opened: now, count: 0 });
        if now.duration_since(window.opened) >= WINDOW {
            *window = Window { opened: now, count: 0 };
        }
        window.count = window.count.saturating_add(1);
        let left = WINDOW.saturating_sub(now.duration_since(window.opened));
        Standing {
            limit: self.limit,
            remaining: self.limit.saturating_sub(window.count),
            reset: left.as_secs_f64().ceil().max(1.0) as u64,
            exceeded: window.count > self.limit,
        }
    }
}

impl Standing {
    /// The `RateLimit` header value.
    pub fn header(&self) -> String {
        format!("limit={}, remaining={}, reset={}", self.limit, self.remaining, self.reset)
    }

    /// The 429 answer, with `Retry-After` and the deprecated `error` body that older clients
    /// read `rate_reset` from. `rate_reset` repeats the header's whole seconds.
    pub fn too_many(&self, endpoint_group: &str) -> Reply {
        let body = json!({ "error": {
            "message": format!(
                "API call count exceeded for this key: {} requests per second allowed. \
                 Wait {} s before trying again.", self.limit, self.reset),
            "rate_reset": self.reset,
            "rate_limit": self.limit,
            "rate_window": WINDOW.as_secs(),
            "rate_endpoint_group": endpoint_group,
            "rate_limit_type": "key",
        }});
        Reply::json(429, &body).with_header("Retry-After", self.reset.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_down_then_refuses() {
        let limiter = RateLimiter::new(2);
        let first = limiter.count("k");
        assert_eq!((first.remaining, first.exceeded, first.reset), (1, false, 1));
        assert_eq!(limiter.count("k").remaining, 0);
        let third = limiter.count("k");
        assert!(third.exceeded);
        assert_eq!(third.header(), "limit=2, remaining=0, reset=1");
        assert!(!limiter.count("other key").exceeded);
    }
}
