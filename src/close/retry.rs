//! When a failed call is tried again, how long to wait first, and how to pace calls so that
//! Close's rate limit is not hit in the first place.
//!
//! The rules:
//! - 429 (rate limited) is retried for every method: Close refused the call without doing
//!   it. The wait comes from the answer (`RateLimit` reset, `Retry-After`, `RateLimit-Reset`,
//!   then the deprecated `rate_reset` in the body, under `error` or at the top level).
//! - 502, 503, 504, timeouts and broken connections are retried with exponential backoff
//!   and jitter, but only for GET, PUT and DELETE, which Close applies at most once however
//!   often they are sent. A POST is retried only when it provably never left: the host could
//!   not be resolved, refused the connection, or did not complete setting it up in time.
//! - Tries and the total wait are bounded; the caller gives up when either would be passed.

use std::time::Duration;

use serde_json::Value;
use ureq::http::HeaderMap;

use super::Method;

/// The wait on a 429 that says nothing about how long to wait.
pub const DEFAULT_RATE_LIMIT_WAIT: Duration = Duration::from_secs(2);

/// The first backoff wait; each later one doubles, up to [`MAX_BACKOFF`].
const BACKOFF_BASE: Duration = Duration::from_millis(500);

/// The longest single backoff wait.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// How one try ended, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The server answered with this status.
    Status(u16),
    /// The request never reached the server (no such host, connection refused, a connection
    /// not set up within its timeout).
    NotSent,
    /// The request may have reached the server, but no full answer came back.
    Lost,
    /// The request could not be sent, and trying again would not change that (a bad proxy
    /// URL, a certificate that does not verify).
    Unusable,
}

/// Whether to try again, and after how long.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Try again after this wait.
    Retry(Duration),
    /// Do not try again.
    Stop,
}

/// Decides about a failed try. `tries` counts the tries so far (1 after the first);
/// `jitter` is a random number in 0..1 that spreads the backoff of many clients.
pub fn decide(
    method: Method,
    failure: Failure,
    rate_limit_wait: Option<Duration>,
    tries: u32,
    jitter: f64,
) -> Decision {
    let repeatable = method != Method::Post;
    match failure {
        Failure::Status(429) => Decision::Retry(rate_limit_wait.unwrap_or(DEFAULT_RATE_LIMIT_WAIT)),
        Failure::Status(502..=504) | Failure::Lost if repeatable => Decision::Retry(backoff(tries, jitter)),
        Failure::NotSent => Decision::Retry(backoff(tries, jitter)),
        _ => Decision::Stop,
    }
}

/// Exponential backoff with jitter: half the doubled wait plus a random part of the other
/// half, so that clients failing together do not retry together.
fn backoff(tries: u32, jitter: f64) -> Duration {
    let doubled = BACKOFF_BASE.saturating_mul(1 << tries.saturating_sub(1).min(16)).min(MAX_BACKOFF);
    doubled.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
}

/// How long a 429 answer asks to wait, from its headers or its body.
pub fn rate_limit_wait(headers: &HeaderMap, body: &[u8]) -> Option<Duration> {
    let from_headers = rate_limit_field(headers, "reset")
        .or_else(|| header_seconds(headers, "retry-after"))
        .or_else(|| header_seconds(headers, "ratelimit-reset"))
        .or_else(|| header_seconds(headers, "x-rate-limit-reset"));
    from_headers.or_else(|| body_rate_reset(body)).map(Duration::from_secs_f64)
}

/// When an answer says the rate window is used up (`remaining=0`), how long until it resets.
pub fn exhausted_window(headers: &HeaderMap) -> Option<Duration> {
    let remaining = rate_limit_field(headers, "remaining")
        .or_else(|| header_seconds(headers, "ratelimit-remaining"))
        .or_else(|| header_seconds(headers, "x-rate-limit-remaining"))?;
    if remaining > 0.0 {
        return None;
    }
    let reset = rate_limit_field(headers, "reset")
        .or_else(|| header_seconds(headers, "ratelimit-reset"))
        .or_else(|| header_seconds(headers, "x-rate-limit-reset"))?;
    Some(Duration::from_secs_f64(reset))
}

/// A field of the combined `RateLimit: limit=100, remaining=0, reset=1` header.
fn rate_limit_field(headers: &HeaderMap, name: &str) -> Option<f64> {
    let value = headers.get("ratelimit")?.to_str().ok()?;
    value.split([',', ';']).find_map(|part| {
        let (key, number) = part.trim().split_once('=')?;
        (key.trim().eq_ignore_ascii_case(name)).then(|| seconds(number))?
    })
}

/// A header holding a number of seconds.
fn header_seconds(headers: &HeaderMap, name: &str) -> Option<f64> {
    seconds(headers.get(name)?.to_str().ok()?)
}

/// A non-negative, finite number of seconds.
fn seconds(text: &str) -> Option<f64> {
    let value: f64 = text.trim().trim_matches('"').parse().ok()?;
    (value.is_finite() && value >= 0.0).then_some(value.min(3600.0))
}

/// The deprecated `rate_reset` of a 429 body, under `error` or at the top level, as a
/// number or a string.
fn body_rate_reset(body: &[u8]) -> Option<f64> {
    let json: Value = serde_json::from_slice(body).ok()?;
    let value =
        json.get("error").and_then(|error| error.get("rate_reset")).or_else(|| json.get("rate_reset"))?;
    match value {
        Value::Number(number) => number.as_f64().and_then(|n| seconds(&n.to_string())),
        Value::String(text) => seconds(text),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn rate_limit_waits_in_order_of_preference() {
        let secs = |h: &HeaderMap, body: &str| rate_limit_wait(h, body.as_bytes()).map(|d| d.as_secs_f64());
        let all = headers(&[("ratelimit", "limit=100, remaining=0, reset=3"), ("retry-after", "5")]);
        assert_eq!(secs(&all, ""), Some(3.0));
        assert_eq!(secs(&headers(&[("retry-after", "5")]), ""), Some(5.0));
        assert_eq!(secs(&headers(&[("ratelimit-reset", "4")]), ""), Some(4.0));
        assert_eq!(secs(&headers(&[]), r#"{"error": {"message": "x", "rate_reset": 0.25}}"#), Some(0.25));
        assert_eq!(secs(&headers(&[]), r#"{"rate_reset": "1.5", "rate_limit": 240}"#), Some(1.5));
        assert_eq!(secs(&headers(&[]), "<html>"), None);
        assert_eq!(secs(&headers(&[("retry-after", "Wed, 21 Oct 2026 07:28:00 GMT")]), ""), None);
    }

    #[test]
    fn an_exhausted_window_says_how_long_to_pause() {
        let spent = headers(&[("ratelimit", "limit=100, remaining=0, reset=2")]);
        assert_eq!(exhausted_window(&spent), Some(Duration::from_secs(2)));
        assert_eq!(exhausted_window(&headers(&[("ratelimit", "limit=100, remaining=7, reset=2")])), None);
        let old = headers(&[("x-rate-limit-remaining", "0"), ("x-rate-limit-reset", "0.5")]);
        assert_eq!(exhausted_window(&old), Some(Duration::from_millis(500)));
        assert_eq!(exhausted_window(&headers(&[])), None);
    }

    #[test]
    fn writes_are_repeated_only_when_they_never_left() {
        assert_eq!(decide(Method::Post, Failure::Status(503), None, 1, 0.0), Decision::Stop);
        assert_eq!(decide(Method::Post, Failure::Lost, None, 1, 0.0), Decision::Stop);
        assert_eq!(decide(Method::Post, Failure::Status(500), None, 1, 0.0), Decision::Stop);
        assert_eq!(
            decide(Method::Post, Failure::NotSent, None, 1, 0.0),
            Decision::Retry(Duration::from_millis(250))
        );
        let wait = Some(Duration::from_secs(1));
        assert_eq!(
            decide(Method::Post, Failure::Status(429), wait, 1, 0.0),
            Decision::Retry(Duration::from_secs(1))
        );
    }

    #[test]
    fn repeatable_methods_back_off() {
        for method in [Method::Get, Method::Put, Method::Delete] {
            for status in [502, 503, 504] {
                assert!(matches!(decide(method, Failure::Status(status), None, 1, 0.5), Decision::Retry(_)));
            }
            assert_eq!(decide(method, Failure::Status(500), None, 1, 0.5), Decision::Stop);
            assert_eq!(decide(method, Failure::Status(404), None, 1, 0.5), Decision::Stop);
        }
        assert_eq!(backoff(1, 1.0), Duration::from_millis(500));
        assert_eq!(backoff(3, 1.0), Duration::from_secs(2));
        assert_eq!(backoff(3, 0.0), Duration::from_secs(1));
        assert_eq!(backoff(30, 1.0), MAX_BACKOFF);
        assert_eq!(
            decide(Method::Get, Failure::Status(429), None, 1, 0.5),
            Decision::Retry(DEFAULT_RATE_LIMIT_WAIT)
        );
    }
}
