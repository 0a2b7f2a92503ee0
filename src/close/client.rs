//! The HTTP client of one account.
//!
//! Each account gets one `ureq::Agent`, so every call of a run reuses one kept-alive
//! connection. The client authenticates with HTTP Basic (the key as user name, an empty
//! password), sends and receives JSON, repeats calls as `retry` allows, paces itself by the
//! rate-limit headers, and turns every failure into an [`ApiError`].

use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use base64::Engine;
use ureq::http;

use super::error::{ApiError, FailureKind};
use super::retry::{self, Decision, Failure};
use crate::interrupt;
use crate::settings::{Account, Network};

/// The HTTP methods the bindings use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    /// Whether the call changes data.
    pub fn is_write(self) -> bool {
        self != Method::Get
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The largest response body read; far above any page Close sends, small enough that a
/// misbehaving server cannot exhaust memory.
const MAX_BODY_BYTES: u64 = 1 << 30;

/// The longest URL sent; Close documents about 2000 characters as the limit.
const MAX_URL_LEN: usize = 2000;

/// How many same-host redirects one call follows.
const MAX_REDIRECTS: u32 = 3;

/// A connection to the Close API for one account.
pub struct Client {
    account: String,
    base_url: String,
    authorization: String,
    agent: ureq::Agent,
    network: Network,
    /// Set when an answer said the rate window is used up: no call before this instant.
    /// Shared with the threads that fetch pages ahead for iterators.
    paused_until: Mutex<Option<Instant>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The authorization header holds the key, so it is left out.
        f.debug_struct("Client").field("account", &self.account).field("base_url", &self.base_url).finish()
    }
}

/// An HTTP answer, whatever its status.
struct Answer {
    status: u16,
    headers: http::HeaderMap,
    body: Vec<u8>,
}

/// A try that got no HTTP answer.
struct Unanswered {
    failure: Failure,
    error: ApiError,
}

impl Client {
    /// A client for `account`; no connection is made until the first call.
    pub fn new(account: &Account, network: Network) -> Client {
        let credentials = format!("{}:", account.api_key.expose());
        let authorization =
            format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(credentials));
        let tls = ureq::tls::TlsConfig::builder().root_certs(ureq::tls::RootCerts::PlatformVerifier).build();
        let no_proxy = std::env::var("NO_PROXY").or_else(|_| std::env::var("no_proxy")).unwrap_or_default();
        let proxy = match bypasses_proxy(host_name(&account.base_url), &no_proxy) {
            true => None,
            false => ureq::Proxy::try_from_env(),
        };
        let config = ureq::Agent::config_builder()
            .proxy(proxy)
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_global(Some(network.timeout))
            .timeout_connect(Some(network.timeout.min(Duration::from_secs(10))))
            .tls_config(tls)
            .user_agent(concat!("close-lua/", env!("CARGO_PKG_VERSION")))
            .build();
        Client {
            account: account.name.clone(),
            base_url: account.base_url.clone(),
            authorization,
            agent: ureq::Agent::with_parts(
                config,
                ureq::unversioned::transport::DefaultConnector::default(),
                super::resolve::RememberingResolver::default(),
            ),
            network,
            paused_until: Mutex::new(None),
        }
    }

    /// The name of the account this client calls for.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// Calls the API and returns the body of a 2xx answer, trying again where that is safe.
    ///
    /// `path` is relative to the base URL and ends with a slash; `query` is encoded here.
    pub fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
    ) -> Result<Vec<u8>, ApiError> {
        let mut target = with_query(path, query);
        let mut body = body.map(|json| serde_json::to_vec(json).unwrap_or_default());
        let long_read = method == Method::Get && self.base_url.len() + target.len() > MAX_URL_LEN;
        if long_read {
            // Close takes a read whose query is too long for a URL as a POST carrying the
            // parameters in `_params` and the real method in a header.
            let params: serde_json::Map<String, serde_json::Value> =
                query.iter().map(|(name, value)| (name.to_string(), value.as_str().into())).collect();
            body = Some(serde_json::to_vec(&serde_json::json!({ "_params": params })).unwrap_or_default());
            target = path.to_string();
        }
        let mut tries = 0;
        let mut waited = Duration::ZERO;

        loop {
            self.respect_pause(method, &target)?;
            tries += 1;
            let (failure, rate_wait, mut error) =
                match self.try_once(method, path, &target, body.as_deref(), long_read) {
                    Ok(answer) if (200..300).contains(&answer.status) => return Ok(answer.body),
                    Ok(answer) => {
                        let error =
                            ApiError::from_response(answer.status, &answer.body, method, path, &self.account);
                        let rate_wait = retry::rate_limit_wait(&answer.headers, &answer.body);
                        (Failure::Status(answer.status), rate_wait, error)
                    }
                    Err(unanswered) => (unanswered.failure, None, unanswered.error),
                };
            error.retries = tries - 1;

            let wait = match retry::decide(method, failure, rate_wait, tries, fastrand::f64()) {
                Decision::Retry(wait) => wait,
                Decision::Stop => return Err(with_write_note(error, method, failure)),
            };
            if let Some(reason) = self.retry_refused(tries, waited, wait) {
                return Err(gave_up(error, failure, waited, reason));
            }
            log::info!(
                "{method} {target}: {}; waiting {:.1} s before try {} of {}",
                short_reason(failure, &error),
                wait.as_secs_f64(),
                tries + 1,
                self.network.max_attempts
            );
            std::thread::sleep(wait);
            waited += wait;
        }
    }

    /// Why no further try may be made, if one may not.
    fn retry_refused(&self, tries: u32, waited: Duration, wait: Duration) -> Option<String> {
        if tries >= self.network.max_attempts {
            return Some(format!("after {tries} tries"));
        }
        if waited + wait > self.network.max_wait {
            return Some(format!(
                "the next wait of {:.1} s would pass the limit of {} s of waiting per call",
                wait.as_secs_f64(),
                self.network.max_wait.as_secs()
            ));
        }
        if self.network.deadline.is_some_and(|deadline| Instant::now() + wait >= deadline) {
            return Some("the next wait would pass --max-runtime".to_string());
        }
        None
    }

    /// Waits out a rate window that an earlier answer said was used up.
    fn respect_pause(&self, method: Method, target: &str) -> Result<(), ApiError> {
        let paused = self.paused_until.lock().unwrap_or_else(PoisonError::into_inner).take();
        let Some(until) = paused else { return Ok(()) };
        let wait = until.saturating_duration_since(Instant::now());
        if !wait.is_zero() {
            log::info!("{method} {target}: rate limit window used up; waiting {:.1} s", wait.as_secs_f64());
            std::thread::sleep(wait);
        }
        Ok(())
    }

    /// One try: sends the request (following same-host redirects) and reads the answer.
    fn try_once(
        &self,
        method: Method,
        path: &str,
        target: &str,
        body: Option<&[u8]>,
        long_read: bool,
    ) -> Result<Answer, Unanswered> {
        let mut url = format!("{}{target}", self.base_url);
        if let Some(body) = body {
            log::debug!("{method} {target} body: {}", String::from_utf8_lossy(body));
        }
        let _in_flight =
            interrupt::track(format!("{method} {target} (account {})", self.account), method.is_write());

        for _ in 0..=MAX_REDIRECTS {
            let started = Instant::now();
            let result = self.exchange(method, path, &url, body, long_read);
            let elapsed = started.elapsed().as_secs_f64() * 1000.0;
            let answer = match result {
                Ok(answer) => answer,
                Err(unanswered) => {
                    log::info!(
                        "{method} {target} -> failed: {} ({elapsed:.1} ms, account {})",
                        unanswered.error.message,
                        self.account
                    );
                    return Err(unanswered);
                }
            };
            log::info!("{method} {target} -> {} ({elapsed:.1} ms, account {})", answer.status, self.account);
            if let Some(limit) = answer.headers.get("ratelimit").and_then(|value| value.to_str().ok()) {
                log::debug!("  rate limit: {limit}");
            }
            if let Some(wait) = retry::exhausted_window(&answer.headers) {
                *self.paused_until.lock().unwrap_or_else(PoisonError::into_inner) =
                    Some(Instant::now() + wait);
            }
            if !(300..400).contains(&answer.status) {
                return Ok(answer);
            }
            url = self.redirect_target(method, path, &answer)?;
        }
        let message =
            format!("more than {MAX_REDIRECTS} redirects; the Close API does not redirect (check base_url)");
        Err(self.unanswered(Failure::Lost, FailureKind::Redirect, message, method, path))
    }

    /// Where a redirect may be followed: only to the same host, and only where the method
    /// stays what it was. Anything else would send the key elsewhere or turn a write into a
    /// read, so it is an error.
    fn redirect_target(&self, method: Method, path: &str, answer: &Answer) -> Result<String, Unanswered> {
        let location = answer.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or("");
        let origin = origin(&self.base_url);
        let same_host = if location.starts_with('/') && !location.starts_with("//") {
            Some(format!("{origin}{location}"))
        } else if location.starts_with(&format!("{origin}/")) {
            Some(location.to_string())
        } else {
            None
        };
        let keeps_method = matches!(answer.status, 307 | 308) || method == Method::Get;
        match same_host {
            Some(url) if keeps_method => Ok(url),
            _ => {
                let why =
                    if same_host.is_none() { "to another host" } else { "that would change the method" };
                let message = format!(
                    "the server answered HTTP {} with a redirect {why} ({location}); close-lua does not \
                     follow it, since the Close API does not redirect (check the account's base_url)",
                    answer.status
                );
                let mut unanswered = self.unanswered(
                    Failure::Status(answer.status),
                    FailureKind::Redirect,
                    message,
                    method,
                    path,
                );
                unanswered.error.status = Some(answer.status);
                Err(unanswered)
            }
        }
    }

    /// Sends one request and reads the whole answer.
    fn exchange(
        &self,
        method: Method,
        path: &str,
        url: &str,
        body: Option<&[u8]>,
        long_read: bool,
    ) -> Result<Answer, Unanswered> {
        let mut builder = http::Request::builder()
            .method(if long_read { "POST" } else { method.as_str() })
            .uri(url)
            .header("Authorization", &self.authorization)
            .header("Accept", "application/json");
        if long_read {
            builder = builder.header("X-HTTP-Method-Override", "GET");
        }
        let timeout = self.call_timeout();
        let bad_url = |err: http::Error| {
            let message = format!("the URL {} is not usable: {err}", super::error::excerpt(url.as_bytes()));
            self.unanswered(Failure::Unusable, FailureKind::Network, message, method, path)
        };

        let sent = match body {
            Some(bytes) => {
                let request =
                    builder.header("Content-Type", "application/json").body(bytes).map_err(bad_url)?;
                let request = self.agent.configure_request(request).timeout_global(Some(timeout)).build();
                self.agent.run(request)
            }
            None => {
                let request = builder.body(()).map_err(bad_url)?;
                let request = self.agent.configure_request(request).timeout_global(Some(timeout)).build();
                self.agent.run(request)
            }
        };
        let mut response = sent.map_err(|err| self.transport_error(err, method, path, false))?;

        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY_BYTES)
            .read_to_vec()
            .map_err(|err| self.transport_error(err, method, path, true))?;
        Ok(Answer { status, headers, body })
    }

    /// The timeout of the next call: the configured one, cut short by `--max-runtime`.
    fn call_timeout(&self) -> Duration {
        match self.network.deadline {
            Some(deadline) => self.network.timeout.min(deadline.saturating_duration_since(Instant::now())),
            None => self.network.timeout,
        }
        .max(Duration::from_millis(1))
    }

    /// Describes a failure below HTTP: no host, no connection, a timeout, a body cut short.
    fn transport_error(&self, err: ureq::Error, method: Method, path: &str, answered: bool) -> Unanswered {
        let host = host_of(&self.base_url);
        let (failure, kind, message) = match &err {
            ureq::Error::Timeout(_) => (
                Failure::Lost,
                FailureKind::Timeout,
                format!(
                    "no answer from {host} within {} s; if the server is only slow, raise --timeout",
                    self.network.timeout.as_secs_f64()
                ),
            ),
            ureq::Error::HostNotFound => {
                (Failure::NotSent, FailureKind::Network, format!("cannot resolve the host {host}"))
            }
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused && !answered => (
                Failure::NotSent,
                FailureKind::Network,
                format!("cannot connect to {host}: connection refused"),
            ),
            ureq::Error::Io(io) if answered => {
                (Failure::Lost, FailureKind::Network, format!("the answer from {host} was cut short ({io})"))
            }
            ureq::Error::ConnectionFailed => {
                (Failure::NotSent, FailureKind::Network, format!("cannot connect to {host}"))
            }
            ureq::Error::ConnectProxyFailed(why) => (
                Failure::NotSent,
                FailureKind::Network,
                format!("the proxy would not open a connection to {host}: {why}"),
            ),
            ureq::Error::InvalidProxyUrl => (
                Failure::Unusable,
                FailureKind::Network,
                "the proxy URL in HTTPS_PROXY, HTTP_PROXY or ALL_PROXY is not usable".to_string(),
            ),
            ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_) => (
                Failure::Unusable,
                FailureKind::Network,
                format!("a secure connection to {host} could not be set up: {err}"),
            ),
            ureq::Error::BodyExceedsLimit(limit) => (
                Failure::Lost,
                FailureKind::InvalidResponse,
                format!("the answer from {host} is larger than {limit} bytes"),
            ),
            _ => (Failure::Lost, FailureKind::Network, format!("the call to {host} failed: {err}")),
        };
        self.unanswered(failure, kind, message, method, path)
    }

    fn unanswered(
        &self,
        failure: Failure,
        kind: FailureKind,
        message: String,
        method: Method,
        path: &str,
    ) -> Unanswered {
        Unanswered { failure, error: ApiError::without_response(kind, message, method, path, &self.account) }
    }
}

/// Adds, to a failed write that may have reached Close, that its effect is unknown.
fn with_write_note(mut error: ApiError, method: Method, failure: Failure) -> ApiError {
    let unknown = match failure {
        Failure::Lost => true,
        Failure::Status(status) => status >= 500,
        Failure::NotSent | Failure::Unusable => false,
    };
    if method.is_write() && unknown {
        error
            .message
            .push_str("; the change may or may not have been applied: check before running it again");
    }
    error
}

/// The error of a call that ran out of tries or of waiting. A call allowed one try only
/// has nothing to add.
fn gave_up(mut error: ApiError, failure: Failure, waited: Duration, reason: String) -> ApiError {
    if error.retries == 0 && reason == "after 1 tries" {
        return error;
    }
    let what = if failure == Failure::Status(429) { "rate limited" } else { "failed" };
    error.message =
        format!("{}; {what} {reason}, having waited {:.1} s in all", error.message, waited.as_secs_f64());
    error
}

/// A few words on why a try failed, for the -v line about the wait.
fn short_reason(failure: Failure, error: &ApiError) -> String {
    match failure {
        Failure::Status(429) => "rate limited (429)".to_string(),
        Failure::Status(status) => format!("HTTP {status}"),
        _ => error.message.clone(),
    }
}

/// The path with its query string, as logged and as sent.
fn with_query(path: &str, query: &[(&str, String)]) -> String {
    if query.is_empty() {
        return path.to_string();
    }
    let mut encoder = form_urlencoded::Serializer::new(String::new());
    for (name, value) in query {
        encoder.append_pair(name, value);
    }
    format!("{path}?{}", encoder.finish())
}

/// `https://host:port` of a URL.
fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url[after_scheme..].find('/').map_or(url.len(), |i| after_scheme + i);
    &url[..end]
}

/// The host (and port) of a URL, for messages.
fn host_of(url: &str) -> &str {
    let origin = origin(url);
    origin.split_once("://").map_or(origin, |(_, host)| host)
}

/// The host name of a URL, without port.
fn host_name(url: &str) -> &str {
    let host = host_of(url);
    if let Some(end) = host.strip_prefix('[').and_then(|rest| rest.find(']')) {
        return &host[..end + 2];
    }
    host.split(':').next().unwrap_or(host)
}

/// Whether `NO_PROXY` exempts `host`, read the way curl reads it: `*` exempts every host,
/// and an entry exempts that host and its subdomains, with or without a leading dot.
fn bypasses_proxy(host: &str, no_proxy: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    no_proxy.split([',', ' ']).map(str::trim).filter(|entry| !entry.is_empty()).any(|entry| {
        let entry = entry.trim_start_matches("*.").trim_start_matches('.').to_ascii_lowercase();
        entry == "*" || host == entry || host.ends_with(&format!(".{entry}"))
    })
}

/// Encodes a value for use as one path segment, so an id can never change the path.
pub fn path_segment(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, SEGMENT).to_string()
}

/// Everything but letters, digits and `-_~`. Dots are encoded too, so that an id of `..`
/// cannot be read as a step up the path.
const SEGMENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'~');

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_is_encoded() {
        let query = [("query", "name:\"Acme Corp\" & co".to_string()), ("_limit", "10".to_string())];
        assert_eq!(with_query("/lead/", &query), "/lead/?query=name%3A%22Acme+Corp%22+%26+co&_limit=10");
        assert_eq!(with_query("/me/", &[]), "/me/");
    }

    #[test]
    fn ids_cannot_escape_their_segment() {
        assert_eq!(path_segment("lead_abc123XYZ"), "lead_abc123XYZ");
        assert_eq!(path_segment("../me/?x=1"), "%2E%2E%2Fme%2F%3Fx%3D1");
    }

    #[test]
    fn origins_and_hosts() {
        assert_eq!(origin("https://api.close.com/api/v1"), "https://api.close.com");
        assert_eq!(origin("http://127.0.0.1:9"), "http://127.0.0.1:9");
        assert_eq!(host_of("http://127.0.0.1:9/api/v1"), "127.0.0.1:9");
    }

    #[test]
    fn no_proxy_reads_like_curl() {
        assert!(bypasses_proxy("api.close.com", "close.com"));
        assert!(bypasses_proxy("api.close.com", "localhost, .close.com"));
        assert!(bypasses_proxy("api.close.com", "*"));
        assert!(bypasses_proxy("API.Close.com", "api.close.com"));
        assert!(!bypasses_proxy("api.close.com", "lose.com"));
        assert!(!bypasses_proxy("api.close.com", ""));
        assert_eq!(host_name("http://127.0.0.1:9/api"), "127.0.0.1");
        assert_eq!(host_name("https://api.close.com/api/v1"), "api.close.com");
    }

    #[test]
    fn debug_output_has_no_key() {
        let account = Account {
            name: "default".into(),
            api_key: crate::config::ApiKey::new("api_SECRET"),
            base_url: "https://api.close.com/api/v1".into(),
            problem: None,
            mode: crate::config::Mode::Delete,
            key_source: "config file".into(),
        };
        let network = Network {
            timeout: Duration::from_secs(1),
            max_attempts: 1,
            max_wait: Duration::ZERO,
            deadline: None,
        };
        let client = Client::new(&account, network);
        let shown = format!("{client:?}");
        assert!(!shown.contains("SECRET") && !shown.contains("YXBpX1NFQ1JFVDo"), "{shown}");
    }

    #[test]
    fn failed_writes_say_their_effect_is_unknown() {
        let error =
            || ApiError::without_response(FailureKind::Http, "boom".into(), Method::Post, "/lead/", "a");
        let noted = with_write_note(error(), Method::Post, Failure::Status(500)).message;
        assert_eq!(noted, "boom; the change may or may not have been applied: check before running it again");
        assert_eq!(with_write_note(error(), Method::Post, Failure::Status(400)).message, "boom");
        assert_eq!(with_write_note(error(), Method::Get, Failure::Lost).message, "boom");
    }
}
