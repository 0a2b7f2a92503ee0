//! The HTTP client of one account.
//!
//! Each account gets one `ureq::Agent`, so every call of a run reuses one kept-alive
//! connection. The client authenticates with HTTP Basic (the key as user name, an empty
//! password), sends and receives JSON, repeats calls as `retry` allows, paces itself by the
//! rate-limit headers, and turns every failure into an [`ApiError`].

use std::fmt;
use std::io::Read;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use base64::Engine;
use ureq::http;

use super::error::{ApiError, Call, FailureKind};
use super::retry::{self, Decision, Failure};
use super::secret::Secret;
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

/// The longest a connection may take to be set up (the TCP and TLS handshakes).
const MAX_CONNECT: Duration = Duration::from_secs(10);

/// How much longer than its connection set-up a request is given in all. Without it, a call
/// whose timeout is no longer than the set-up's would report a set-up that ran out (nothing
/// sent) as a request that ran out (effect unknown).
const CONNECT_MARGIN: Duration = Duration::from_millis(250);

/// A connection to the Close API for one account.
pub struct Client {
    account: String,
    base_url: String,
    authorization: String,
    /// Where the key came from, for the advice on a refused key.
    key_source: String,
    /// What must never be shown: the key and its encoded forms.
    secret: Secret,
    /// The proxy calls go through, as `host:port`, for messages.
    proxy: Option<String>,
    agent: ureq::Agent,
    network: Network,
    /// Set when an answer said the rate window is used up: no call before this instant.
    /// Shared with the threads that fetch pages ahead for iterators; every thread compares
    /// it with the time, so all of them wait until it has passed.
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
    /// Whether the connection ended before the whole body arrived (kept only for error
    /// answers, whose status says enough on its own).
    cut_short: bool,
}

/// A try that got no HTTP answer.
struct Unanswered {
    failure: Failure,
    error: ApiError,
}

/// Waits of a call, for the message when Ctrl-C ends one.
const RETRY_WAIT: &str = "waiting to be tried again";
const PACING_WAIT: &str = "waiting for the rate limit window to reset";

impl Client {
    /// A client for `account`; no connection is made until the first call.
    pub fn new(account: &Account, network: Network) -> Client {
        let key = account.api_key.expose();
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{key}:"));
        let authorization = format!("Basic {encoded}");
        let tls = ureq::tls::TlsConfig::builder().root_certs(ureq::tls::RootCerts::PlatformVerifier).build();
        let no_proxy = std::env::var("NO_PROXY").or_else(|_| std::env::var("no_proxy")).unwrap_or_default();
        let host = host_name(&account.base_url);
        let proxy = match is_loopback(host) || bypasses_proxy(host, &no_proxy) {
            true => None,
            false => ureq::Proxy::try_from_env(),
        };
        let proxy_name = proxy.as_ref().map(|proxy| format!("{}:{}", proxy.host(), proxy.port()));
        let config = ureq::Agent::config_builder()
            .proxy(proxy)
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_global(Some(network.timeout))
            .timeout_connect(Some(network.timeout.min(MAX_CONNECT)))
            .tls_config(tls)
            .user_agent(concat!("close-lua/", env!("CARGO_PKG_VERSION")))
            .build();
        Client {
            account: account.name.clone(),
            base_url: account.base_url.clone(),
            authorization,
            key_source: account.key_source.clone(),
            secret: Secret::new(key, &encoded),
            proxy: proxy_name,
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
        self.call_unredacted(method, path, query, body).map_err(|mut error| {
            error.redact(|text| self.secret.hide(text));
            // The script's own calls report this in their error; a page fetched ahead
            // reports it only if the script asks for the page.
            if error.kind == FailureKind::Interrupted && !interrupt::on_script_thread() {
                log::info!("{}", error.message);
            }
            error
        })
    }

    fn call_unredacted(
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
        let progress =
            interrupt::track(format!("{method} {target} (account {})", self.account), method.is_write());
        let mut tries: u32 = 0;
        let mut waited = Duration::ZERO;
        // Whether a try may have changed data: said if Ctrl-C comes or the call fails.
        let mut effect_unknown = false;

        loop {
            let paused = self.respect_pause(&progress, method, path, &target, waited, effect_unknown);
            waited += paused.map_err(|mut error| {
                error.retries = tries.saturating_sub(1);
                with_write_note(error, effect_unknown)
            })?;
            if interrupt::requested() {
                let why = if tries == 0 { interrupt::BEFORE_SENDING } else { RETRY_WAIT };
                return Err(self.interrupted(&progress, why, effect_unknown, method, path));
            }
            tries += 1;
            progress.sending();
            let (failure, rate_wait, mut error) =
                match self.try_once(method, path, &target, body.as_deref(), long_read) {
                    Ok(answer) if (200..300).contains(&answer.status) => return Ok(answer.body),
                    Ok(answer) => {
                        let call = Call {
                            method,
                            path,
                            account: &self.account,
                            key_source: &self.key_source,
                            cut_short: answer.cut_short,
                        };
                        let body = self.secret.hide_bytes(&answer.body);
                        let error = ApiError::from_response(answer.status, &body, call);
                        let rate_wait = retry::rate_limit_wait(&answer.headers, &answer.body);
                        (Failure::Status(answer.status), rate_wait, error)
                    }
                    Err(unanswered) => (unanswered.failure, None, unanswered.error),
                };
            error.retries = tries - 1;
            effect_unknown |= method.is_write() && may_have_applied(failure);

            let wait = match retry::decide(method, failure, rate_wait, tries, fastrand::f64()) {
                Decision::Retry(wait) => wait,
                // The last answer may be a 400 or a 404 to a write that an earlier try, whose
                // answer was lost, carried out.
                Decision::Stop => return Err(with_write_note(error, effect_unknown)),
            };
            if let Some(reason) = self.retry_refused(tries, waited, wait) {
                return Err(with_write_note(gave_up(error, failure, waited, reason), effect_unknown));
            }
            let _waiting = progress.waiting(RETRY_WAIT, effect_unknown);
            log::info!(
                "{method} {target}: {}; waiting {:.1} s before try {} of {}",
                short_reason(failure, &error),
                wait.as_secs_f64(),
                tries + 1,
                self.network.max_attempts
            );
            if !interrupt::sleep(wait) {
                return Err(self.interrupted(&progress, RETRY_WAIT, effect_unknown, method, path));
            }
            waited += wait;
        }
    }

    /// Why no further try may be made, if one may not.
    fn retry_refused(&self, tries: u32, waited: Duration, wait: Duration) -> Option<String> {
        if tries >= self.network.max_attempts {
            return Some(format!("after {tries} tries"));
        }
        self.wait_refused(waited, wait).map(|limit| {
            format!("and not tried again: the next wait of {:.1} s would pass {limit}", wait.as_secs_f64())
        })
    }

    /// Which bound a further wait of `wait` would pass, after `waited` in the same call.
    fn wait_refused(&self, waited: Duration, wait: Duration) -> Option<String> {
        if waited + wait > self.network.max_wait {
            return Some(format!("the limit of {} s of waiting per call", self.network.max_wait.as_secs()));
        }
        if self.network.deadline.is_some_and(|deadline| Instant::now() + wait >= deadline) {
            return Some("--max-runtime".to_string());
        }
        None
    }

    /// Waits out a rate window that an earlier answer said was used up, within the same
    /// bounds as any other wait of the call. Returns how long it waited.
    fn respect_pause(
        &self,
        progress: &interrupt::CallGuard,
        method: Method,
        path: &str,
        target: &str,
        waited: Duration,
        effect_unknown: bool,
    ) -> Result<Duration, ApiError> {
        let paused = *self.paused_until.lock().unwrap_or_else(PoisonError::into_inner);
        let wait = paused.map_or(Duration::ZERO, |until| until.saturating_duration_since(Instant::now()));
        if wait.is_zero() {
            return Ok(wait);
        }
        if let Some(limit) = self.wait_refused(waited, wait) {
            let message = format!(
                "not sent: Close's rate limit window is used up for another {:.1} s, which would pass {limit}",
                wait.as_secs_f64()
            );
            let mut error =
                ApiError::without_response(FailureKind::Http, message, method, path, &self.account);
            error.status = Some(429);
            return Err(error);
        }

        let _waiting = progress.waiting(PACING_WAIT, effect_unknown);
        log::info!("{method} {target}: rate limit window used up; waiting {:.1} s", wait.as_secs_f64());
        if !interrupt::sleep(wait) {
            return Err(self.interrupted(progress, PACING_WAIT, effect_unknown, method, path));
        }
        Ok(wait)
    }

    /// The end of a call that Ctrl-C cut short before its next try: on the script's thread
    /// outside the REPL that ends the run; elsewhere the call fails (see
    /// [`interrupt::CallGuard::cut_short`]).
    fn interrupted(
        &self,
        progress: &interrupt::CallGuard,
        why: &'static str,
        effect_unknown: bool,
        method: Method,
        path: &str,
    ) -> ApiError {
        let message = progress.cut_short(why, effect_unknown);
        let mut error =
            ApiError::without_response(FailureKind::Interrupted, message, method, path, &self.account);
        error.effect_unknown = effect_unknown;
        error
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

        let mut last_status = 0;
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
            last_status = answer.status;
            url = self.redirect_target(method, path, &answer)?;
        }
        // The server answered every time, with a redirect: it did not act on the request, and
        // asking again would only go round the same loop.
        let message = format!(
            "the server answered with more than {MAX_REDIRECTS} redirects in a row; the Close API \
             does not redirect (check the account's base_url)"
        );
        let mut unanswered =
            self.unanswered(Failure::Status(last_status), FailureKind::Redirect, message, method, path);
        unanswered.error.status = Some(last_status);
        Err(unanswered)
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
                self.agent.run(self.with_timeout(request, timeout))
            }
            None => {
                let request = builder.body(()).map_err(bad_url)?;
                self.agent.run(self.with_timeout(request, timeout))
            }
        };
        let mut response = sent.map_err(|err| self.transport_error(err, method, path, false, timeout))?;

        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        let read = response.body_mut().with_config().limit(MAX_BODY_BYTES).reader().read_to_end(&mut body);
        let cut_short = match read {
            Ok(_) => false,
            Err(err) if (200..300).contains(&status) => {
                return Err(self.transport_error(ureq::Error::from(err), method, path, true, timeout));
            }
            // The status already says what happened; what came of the body is still worth
            // quoting, and the status decides whether to try again.
            Err(err) => {
                log::debug!("{method} {path}: the body of the HTTP {status} answer was cut short: {err}");
                true
            }
        };
        Ok(Answer { status, headers, body, cut_short })
    }

    /// `request` with the timeouts of one try: `timeout` for setting up the connection,
    /// and a little more for the whole request (see [`CONNECT_MARGIN`]).
    fn with_timeout<B: ureq::AsSendBody>(
        &self,
        request: http::Request<B>,
        timeout: Duration,
    ) -> http::Request<B> {
        self.agent
            .configure_request(request)
            .timeout_global(Some(timeout + CONNECT_MARGIN))
            .timeout_connect(Some(timeout.min(MAX_CONNECT)))
            .build()
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
    /// `answered` says whether the status line had arrived; `timeout` is the one the call had.
    fn transport_error(
        &self,
        err: ureq::Error,
        method: Method,
        path: &str,
        answered: bool,
        timeout: Duration,
    ) -> Unanswered {
        let host = host_of(&self.base_url);
        // Through a proxy, the proxy is what is looked up and connected to.
        let reached = match &self.proxy {
            Some(proxy) => format!("the proxy {proxy}"),
            None => host.to_string(),
        };
        let cut_by_deadline = timeout < self.network.timeout;
        let (failure, kind, message) = match &err {
            ureq::Error::Timeout(ureq::Timeout::Resolve) => (
                Failure::NotSent,
                FailureKind::Timeout,
                format!("looking up the address of {reached} took longer than {} s", seconds(timeout)),
            ),
            ureq::Error::Timeout(ureq::Timeout::Connect) => {
                let limit = timeout.min(MAX_CONNECT);
                let why = if cut_by_deadline { " (all that --max-runtime left)" } else { "" };
                let message = format!("cannot connect to {reached} within {} s{why}", seconds(limit));
                (Failure::NotSent, FailureKind::Timeout, message)
            }
            ureq::Error::Timeout(_) if cut_by_deadline => (
                Failure::Lost,
                FailureKind::Timeout,
                format!(
                    "no answer from {host} before --max-runtime ran out ({} s were left for the call)",
                    seconds(timeout)
                ),
            ),
            ureq::Error::Timeout(_) => (
                Failure::Lost,
                FailureKind::Timeout,
                format!(
                    "no answer from {host} within {} s; if the server is only slow, raise --timeout",
                    seconds(timeout)
                ),
            ),
            ureq::Error::HostNotFound => {
                let what = match &self.proxy {
                    Some(proxy) => format!("the proxy's host {proxy}"),
                    None => format!("the host {host}"),
                };
                (Failure::NotSent, FailureKind::Network, format!("cannot resolve {what}"))
            }
            ureq::Error::Io(io) if let Some(why) = refusal(io).filter(|_| !answered) => {
                (Failure::NotSent, FailureKind::Network, format!("cannot connect to {reached}: {why}"))
            }
            ureq::Error::Io(io) if let Some(tls) = tls_failure(io).filter(|_| !answered) => (
                Failure::Unusable,
                FailureKind::Network,
                format!("a secure connection to {host} could not be set up: {tls}"),
            ),
            ureq::Error::Io(io) if answered => {
                (Failure::Lost, FailureKind::Network, format!("the answer from {host} was cut short ({io})"))
            }
            ureq::Error::ConnectionFailed => {
                (Failure::NotSent, FailureKind::Network, format!("cannot connect to {reached}"))
            }
            ureq::Error::ConnectProxyFailed(why) => (
                Failure::NotSent,
                FailureKind::Network,
                format!("{reached} would not open a connection to {host}: {why}"),
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

/// A number of seconds as messages show it: "30", "0.5".
fn seconds(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs.fract() == 0.0 { format!("{secs:.0}") } else { format!("{secs:.1}") }
}

/// Why a connection could not be opened, for the failures that mean nothing was sent.
fn refusal(io: &std::io::Error) -> Option<&'static str> {
    use std::io::ErrorKind;
    Some(match io.kind() {
        ErrorKind::ConnectionRefused => "connection refused",
        ErrorKind::HostUnreachable => "no route to the host",
        ErrorKind::NetworkUnreachable => "the network is unreachable",
        ErrorKind::NetworkDown => "the network is down",
        ErrorKind::AddrNotAvailable => "the address is not available",
        _ => return None,
    })
}

/// The TLS failure inside an I/O error, such as a certificate that does not verify. ureq
/// hands the handshake's failures over as I/O errors.
fn tls_failure(io: &std::io::Error) -> Option<&rustls::Error> {
    io.get_ref()?.downcast_ref::<rustls::Error>()
}

/// Whether a failed try may have changed data on Close's side.
fn may_have_applied(failure: Failure) -> bool {
    match failure {
        Failure::Lost => true,
        Failure::Status(status) => status >= 500,
        Failure::NotSent | Failure::Unusable => false,
    }
}

/// Marks a failed call as a write that may have reached Close (`unknown`), and says in its
/// message that its effect is unknown.
fn with_write_note(mut error: ApiError, unknown: bool) -> ApiError {
    error.effect_unknown = unknown;
    if unknown {
        error.message.push_str(&format!("; {}: check before running it again", interrupt::EFFECT_UNKNOWN));
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

/// Whether `host` is this machine, which no proxy is asked to reach (the sandbox listens
/// there).
fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(address) => address.is_loopback(),
        Err(_) => {
            let name = bare.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    }
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

    fn account(base_url: &str) -> Account {
        Account {
            name: "default".into(),
            api_key: crate::config::ApiKey::new("api_SECRET"),
            base_url: base_url.into(),
            problem: None,
            mode: crate::config::Mode::Delete,
            key_source: "config file".into(),
        }
    }

    fn network(timeout: Duration, max_attempts: u32, deadline: Option<Instant>) -> Network {
        Network { timeout, max_attempts, max_wait: Duration::from_secs(120), deadline }
    }

    #[test]
    fn debug_output_has_no_key() {
        let client =
            Client::new(&account("https://api.close.com/api/v1"), network(Duration::from_secs(1), 1, None));
        let shown = format!("{client:?}");
        assert!(!shown.contains("SECRET") && !shown.contains("YXBpX1NFQ1JFVDo"), "{shown}");
    }

    /// How `client` classifies `err` on a POST that got no status line, given `timeout`.
    fn classify(client: &Client, err: ureq::Error, timeout: Duration) -> (Failure, FailureKind, String) {
        let Unanswered { failure, error } =
            client.transport_error(err, Method::Post, "/lead/", false, timeout);
        (failure, error.kind, error.message)
    }

    #[test]
    fn failures_before_anything_is_sent_are_told_apart() {
        let thirty = Duration::from_secs(30);
        let client = Client::new(&account("https://api.close.com/api/v1"), network(thirty, 5, None));
        let io = |kind, text: &str| ureq::Error::Io(std::io::Error::new(kind, text.to_string()));

        assert_eq!(
            classify(&client, ureq::Error::Timeout(ureq::Timeout::Connect), thirty),
            (Failure::NotSent, FailureKind::Timeout, "cannot connect to api.close.com within 10 s".into())
        );
        assert_eq!(
            classify(&client, io(std::io::ErrorKind::ConnectionRefused, "refused"), thirty),
            (
                Failure::NotSent,
                FailureKind::Network,
                "cannot connect to api.close.com: connection refused".into()
            )
        );
        assert_eq!(
            classify(&client, ureq::Error::HostNotFound, thirty),
            (Failure::NotSent, FailureKind::Network, "cannot resolve the host api.close.com".into())
        );
        let certificate = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let tls = ureq::Error::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, certificate));
        assert_eq!(
            classify(&client, tls, thirty),
            (
                Failure::Unusable,
                FailureKind::Network,
                "a secure connection to api.close.com could not be set up: invalid peer certificate: UnknownIssuer"
                    .into()
            )
        );
    }

    #[test]
    fn failures_after_sending_leave_the_effect_unknown() {
        let thirty = Duration::from_secs(30);
        let client = Client::new(&account("https://api.close.com/api/v1"), network(thirty, 5, None));
        assert_eq!(
            classify(&client, ureq::Error::Timeout(ureq::Timeout::RecvResponse), thirty),
            (
                Failure::Lost,
                FailureKind::Timeout,
                "no answer from api.close.com within 30 s; if the server is only slow, raise --timeout"
                    .into()
            )
        );
        let reset = ureq::Error::Io(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset"));
        assert_eq!(classify(&client, reset, thirty).0, Failure::Lost);
        // A call that had only the rest of --max-runtime blames --max-runtime, not --timeout.
        assert_eq!(
            classify(&client, ureq::Error::Timeout(ureq::Timeout::Global), Duration::from_secs(2)).2,
            "no answer from api.close.com before --max-runtime ran out (2 s were left for the call)"
        );
    }

    #[test]
    fn a_call_cut_short_by_max_runtime_says_so() {
        // A server that takes the connection (the kernel's backlog does) and never answers.
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/api/v1", silent.local_addr().unwrap());
        let deadline = Instant::now() + Duration::from_millis(300);
        let client = Client::new(&account(&url), network(Duration::from_secs(30), 5, Some(deadline)));
        let err = client.call(Method::Get, "/me/", &[], None).unwrap_err();
        assert_eq!((err.kind, err.retries), (FailureKind::Timeout, 0));
        let host = url.trim_start_matches("http://").trim_end_matches("/api/v1");
        let start = format!("no answer from {host} before --max-runtime ran out (");
        assert!(err.message.starts_with(&start), "{}", err.message);
        assert!(err.message.contains("; failed and not tried again: the next wait of "), "{}", err.message);
        assert!(
            err.message.ends_with(" would pass --max-runtime, having waited 0.0 s in all"),
            "{}",
            err.message
        );
    }

    #[test]
    fn loopback_hosts_need_no_proxy() {
        for host in ["127.0.0.1", "127.3.4.5", "[::1]", "localhost", "LOCALHOST."] {
            assert!(is_loopback(host), "{host}");
        }
        for host in ["api.close.com", "10.0.0.1", "[2001:db8::1]", "localhost.example.com"] {
            assert!(!is_loopback(host), "{host}");
        }
    }

    #[test]
    fn failed_writes_say_their_effect_is_unknown() {
        let error =
            || ApiError::without_response(FailureKind::Http, "boom".into(), Method::Post, "/lead/", "a");
        let noted = with_write_note(error(), true);
        assert_eq!(
            noted.message,
            "boom; the change may or may not have been applied: check before running it again"
        );
        assert!(noted.effect_unknown);
        let plain = with_write_note(error(), false);
        assert_eq!((plain.message.as_str(), plain.effect_unknown), ("boom", false));
        assert!(may_have_applied(Failure::Status(500)) && may_have_applied(Failure::Lost));
        assert!(!may_have_applied(Failure::Status(400)) && !may_have_applied(Failure::NotSent));
        assert!(!may_have_applied(Failure::Unusable));
    }
}
