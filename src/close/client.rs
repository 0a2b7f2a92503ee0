//! The HTTP client of one account.
//!
//! Each account gets one `ureq::Agent`, so every call of a run reuses one kept-alive
//! connection. The client authenticates with HTTP Basic (the key as user name, an empty
//! password), sends and receives JSON, and turns every failure into an [`ApiError`].

use std::fmt;
use std::time::{Duration, Instant};

use base64::Engine;
use ureq::http;

use super::error::{ApiError, FailureKind};
use crate::settings::Account;

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
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The largest response body read; far above any page Close sends, small enough that a
/// misbehaving server cannot exhaust memory.
const MAX_BODY_BYTES: u64 = 1 << 30;

/// A connection to the Close API for one account.
pub struct Client {
    account: String,
    base_url: String,
    authorization: String,
    agent: ureq::Agent,
    timeout: Duration,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The authorization header holds the key, so it is left out.
        f.debug_struct("Client").field("account", &self.account).field("base_url", &self.base_url).finish()
    }
}

impl Client {
    /// A client for `account`; no connection is made until the first call.
    pub fn new(account: &Account, timeout: Duration) -> Client {
        let credentials = format!("{}:", account.api_key.expose());
        let authorization =
            format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(credentials));
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_global(Some(timeout))
            .user_agent(concat!("close-lua/", env!("CARGO_PKG_VERSION")))
            .build();
        Client {
            account: account.name.clone(),
            base_url: account.base_url.clone(),
            authorization,
            agent: config.new_agent(),
            timeout,
        }
    }

    /// The name of the account this client calls for.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// Calls the API and returns the body of a 2xx answer.
    ///
    /// `path` is relative to the base URL and ends with a slash; `query` is encoded here.
    pub fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
    ) -> Result<Vec<u8>, ApiError> {
        let target = with_query(path, query);
        let started = Instant::now();
        let result = self.exchange(method, path, &target, body);
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;

        match &result {
            Ok((status, _)) => log::info!("{method} {target} -> {status} ({elapsed:.1} ms)"),
            Err(err) => log::info!("{method} {target} -> failed: {err} ({elapsed:.1} ms)"),
        }
        let (status, bytes) = result?;

        if (200..300).contains(&status) {
            return Ok(bytes);
        }
        Err(ApiError::from_response(status, &bytes, method, path, &self.account))
    }

    /// Sends one request and reads the whole answer, whatever its status.
    fn exchange(
        &self,
        method: Method,
        path: &str,
        target: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<(u16, Vec<u8>), ApiError> {
        let url = format!("{}{target}", self.base_url);
        let request = http::Request::builder()
            .method(method.as_str())
            .uri(&url)
            .header("Authorization", &self.authorization)
            .header("Accept", "application/json");
        let fail =
            |kind, message: String| ApiError::without_response(kind, message, method, path, &self.account);

        let sent = match body {
            Some(json) => {
                let bytes = serde_json::to_vec(json).unwrap_or_default();
                let request = request.header("Content-Type", "application/json").body(bytes);
                request
                    .map_err(|err| fail(FailureKind::Network, format!("bad request URL {url}: {err}")))
                    .and_then(|request| {
                        self.agent.run(request).map_err(|err| self.transport_error(err, method, path))
                    })
            }
            None => request
                .body(())
                .map_err(|err| fail(FailureKind::Network, format!("bad request URL {url}: {err}")))
                .and_then(|request| {
                    self.agent.run(request).map_err(|err| self.transport_error(err, method, path))
                }),
        };
        let mut response = sent?;
        let status = response.status().as_u16();

        if (300..400).contains(&status) {
            let location =
                response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("nowhere");
            let message = format!(
                "the server answered HTTP {status} with a redirect to {location}; the Close API does not \
                 redirect, so close-lua does not follow it (check the account's base_url)"
            );
            let mut err = fail(FailureKind::Redirect, message);
            err.status = Some(status);
            return Err(err);
        }

        let bytes = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY_BYTES)
            .read_to_vec()
            .map_err(|err| self.transport_error(err, method, path))?;
        Ok((status, bytes))
    }

    /// Describes a failure below HTTP: connection, timeout, TLS, a body cut short.
    fn transport_error(&self, err: ureq::Error, method: Method, path: &str) -> ApiError {
        let host = self.host();
        let (kind, message) = match &err {
            ureq::Error::Timeout(_) => (
                FailureKind::Timeout,
                format!(
                    "no answer from {host} within {} s; if the server is only slow, raise --timeout",
                    self.timeout.as_secs_f64()
                ),
            ),
            ureq::Error::HostNotFound => (FailureKind::Network, format!("cannot resolve the host {host}")),
            ureq::Error::ConnectionFailed => (FailureKind::Network, format!("cannot connect to {host}")),
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                (FailureKind::Network, format!("cannot connect to {host}: connection refused"))
            }
            _ => (FailureKind::Network, format!("the call to {host} failed: {err}")),
        };
        ApiError::without_response(kind, message, method, path, &self.account)
    }

    /// The host part of the base URL, for messages.
    fn host(&self) -> &str {
        let rest = self.base_url.split_once("://").map_or(self.base_url.as_str(), |(_, rest)| rest);
        rest.split('/').next().unwrap_or(rest)
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
    fn debug_output_has_no_key() {
        let account = Account {
            name: "default".into(),
            api_key: crate::config::ApiKey::new("api_SECRET"),
            base_url: "https://api.close.com/api/v1".into(),
        };
        let client = Client::new(&account, Duration::from_secs(1));
        let shown = format!("{client:?}");
        assert!(!shown.contains("SECRET") && !shown.contains("YXBpX1NFQ1JFVDo"), "{shown}");
        assert_eq!(client.host(), "api.close.com");
    }
}
