//! API failures as values: what went wrong with one HTTP call, in words a person can act on.
//!
//! Close answers errors in several shapes (`{"error": "..."}`, `{"error": {"message": ...}}`,
//! `{"errors": [...]}`, `{"field-errors": {...}}`), and proxies in front of it answer with
//! HTML or nothing at all. `ApiError::from_response` reads all of them.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

use super::Method;

/// What kind of failure ended an HTTP call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The server answered with an error status.
    Http,
    /// The server could not be reached, or the connection broke.
    Network,
    /// The call took longer than the timeout.
    Timeout,
    /// The server answered with a redirect, which Close's API never does.
    Redirect,
    /// The server answered 2xx with a body that is not the JSON expected.
    InvalidResponse,
    /// Ctrl-C ended the call before its next try.
    Interrupted,
}

impl FailureKind {
    /// The name scripts see in `err.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Http => "http",
            FailureKind::Network => "network",
            FailureKind::Timeout => "timeout",
            FailureKind::Redirect => "redirect",
            FailureKind::InvalidResponse => "invalid_response",
            FailureKind::Interrupted => "interrupted",
        }
    }
}

/// One failed call to the API.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The kind of failure.
    pub kind: FailureKind,
    /// The HTTP status, when the server answered.
    pub status: Option<u16>,
    /// What went wrong, in one line.
    pub message: String,
    /// Per-field validation messages from a 400 answer.
    pub field_errors: BTreeMap<String, String>,
    /// The HTTP method of the call.
    pub method: Method,
    /// The API path of the call, without host and query, e.g. `/lead/lead_x/`.
    pub path: String,
    /// The account the call was made for.
    pub account: String,
    /// How many times the call was repeated before giving up.
    pub retries: u32,
    /// Whether the call is a write that may have been carried out all the same: one of its
    /// tries reached Close and its answer was lost (a timeout, a broken connection, a 5xx).
    /// A later try's answer says nothing about that, so it is kept here.
    pub effect_unknown: bool,
}

/// What the client knows of a call whose answer was an error, besides the answer itself.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    /// The HTTP method of the call.
    pub method: Method,
    /// The API path of the call.
    pub path: &'a str,
    /// The account the call was made for.
    pub account: &'a str,
    /// Where the account's key came from: "config file", "$VARIABLE"...
    pub key_source: &'a str,
    /// Whether the connection ended before the whole body arrived.
    pub cut_short: bool,
}

/// How much of a non-JSON body an error message quotes.
const EXCERPT_CHARS: usize = 120;

impl ApiError {
    /// A failure without an HTTP answer.
    pub fn without_response(
        kind: FailureKind,
        message: String,
        method: Method,
        path: &str,
        account: &str,
    ) -> Self {
        ApiError {
            kind,
            status: None,
            message,
            field_errors: BTreeMap::new(),
            method,
            path: path.to_string(),
            account: account.to_string(),
            retries: 0,
            effect_unknown: false,
        }
    }

    /// Reads an error answer, whatever its body looks like.
    pub fn from_response(status: u16, body: &[u8], call: Call) -> Self {
        let Call { method, path, account, .. } = call;
        let mut error = ApiError::without_response(FailureKind::Http, String::new(), method, path, account);
        error.status = Some(status);

        let parsed = serde_json::from_slice::<Value>(body).ok();
        let (message, field_errors) = match &parsed {
            Some(Value::Object(object)) => read_error_object(object),
            _ => (None, BTreeMap::new()),
        };
        error.field_errors = field_errors;
        let message =
            message.unwrap_or_else(|| describe_body(status, body, parsed.is_some(), call.cut_short));

        error.message = match status {
            401 => format!(
                "the API key of account '{account}' was refused ({message}); {}",
                key_advice(account, call.key_source)
            ),
            403 => format!("not allowed: {message}"),
            _ => message,
        };
        error
    }
}

/// Where to look for a refused key, by where it came from.
fn key_advice(account: &str, key_source: &str) -> String {
    match key_source.strip_prefix('$') {
        Some(variable) => format!("check the key in the environment variable {variable}"),
        None if key_source == "config file" => {
            format!("check api_key under [accounts.{account}] in the config file")
        }
        None => format!("check the key of account '{account}' ({key_source})"),
    }
}

impl ApiError {
    /// What to look at next, where Close's own words leave it open: which call found
    /// nothing, or was refused.
    pub fn hint(&self) -> Option<String> {
        let ApiError { method, path, account, .. } = self;
        match (self.kind, self.status) {
            (FailureKind::Http, Some(403)) => Some(format!(
                "Close refused {method} {path} (account '{account}'): the key's user lacks the permission"
            )),
            (FailureKind::Http, Some(404)) => {
                // A path with an id in it names an object; one without is a wrong address.
                let check =
                    if path.trim_matches('/').contains('/') { "the id" } else { "the account's base_url" };
                Some(format!("Close found nothing at {method} {path} (account '{account}'); check {check}"))
            }
            _ => None,
        }
    }

    /// Passes every text of the error through `hide`, which blanks out secrets.
    pub fn redact(&mut self, hide: impl Fn(&str) -> String) {
        self.message = hide(&self.message);
        self.field_errors =
            std::mem::take(&mut self.field_errors).into_iter().map(|(k, v)| (hide(&k), hide(&v))).collect();
    }

    /// Renames field errors (e.g. from the API's `date` to the script's `due_date`), and the
    /// message with them when it was made from them.
    pub fn rename_fields(&mut self, rename: impl Fn(&str) -> Option<String>) {
        let from_fields = self.message == fields_summary(&self.field_errors);
        self.field_errors = std::mem::take(&mut self.field_errors)
            .into_iter()
            .map(|(k, v)| (rename(&k).unwrap_or(k), v))
            .collect();
        if from_fields {
            self.message = fields_summary(&self.field_errors);
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => write!(f, "HTTP {status}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ApiError {}

/// The message and field errors of a JSON error body in any of Close's shapes.
fn read_error_object(object: &serde_json::Map<String, Value>) -> (Option<String>, BTreeMap<String, String>) {
    let field_errors: BTreeMap<String, String> = match object.get("field-errors") {
        Some(Value::Object(fields)) => fields.iter().map(|(k, v)| (k.clone(), text_of(v))).collect(),
        _ => BTreeMap::new(),
    };

    let from_error = match object.get("error") {
        Some(Value::String(text)) if !text.is_empty() => Some(tidy(text)),
        Some(Value::Object(inner)) => inner.get("message").map(text_of),
        _ => None,
    };
    let from_errors = match object.get("errors") {
        Some(Value::Array(items)) if !items.is_empty() => {
            Some(items.iter().map(text_of).collect::<Vec<_>>().join("; "))
        }
        _ => None,
    };
    let from_fields = (!field_errors.is_empty()).then(|| fields_summary(&field_errors));

    (from_error.or(from_errors).or(from_fields), field_errors)
}

/// Field errors in one line: "field: message; other: message".
fn fields_summary(field_errors: &BTreeMap<String, String>) -> String {
    field_errors.iter().map(|(field, text)| format!("{field}: {text}")).collect::<Vec<_>>().join("; ")
}

/// Close prefixes "not found" messages with the name of an internal query; people do not
/// need it.
fn tidy(text: &str) -> String {
    text.strip_prefix("Empty query: ").unwrap_or(text).to_string()
}

/// A JSON value as message text: strings bare, lists joined, anything else as JSON.
fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(items) => items.iter().map(text_of).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    }
}

/// A message for an answer whose body says nothing usable.
fn describe_body(status: u16, body: &[u8], is_json: bool, cut_short: bool) -> String {
    let reason = reason_phrase(status);
    let empty = body.iter().all(u8::is_ascii_whitespace);
    match (cut_short, empty) {
        (true, true) => format!("{reason} (the connection closed before the body arrived)"),
        (true, false) => format!("{reason} (the body was cut short: \"{}\")", excerpt(body)),
        (false, true) => format!("{reason} (empty response)"),
        (false, false) if is_json => reason.to_string(),
        (false, false) => format!("{reason} (the response was not JSON: \"{}\")", excerpt(body)),
    }
}

/// The start of a body on one line, at most [`EXCERPT_CHARS`] characters.
pub fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let words: Vec<&str> = text.split_whitespace().collect();
    let line = words.join(" ");
    match line.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}...", &line[..cut]),
        None => line,
    }
}

/// The standard name of an HTTP status.
fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(key_source: &str) -> Call<'_> {
        Call { method: Method::Get, path: "/lead/x/", account: "default", key_source, cut_short: false }
    }

    fn error(status: u16, body: &str) -> ApiError {
        ApiError::from_response(status, body.as_bytes(), call("config file"))
    }

    #[test]
    fn not_found_reads_without_the_query_prefix() {
        let err = error(404, r#"{"error": "Empty query: Lead matching query does not exist."}"#);
        assert_eq!(err.to_string(), "HTTP 404: Lead matching query does not exist.");
    }

    #[test]
    fn field_errors_are_kept_and_summarised() {
        let err = error(
            400,
            r#"{"errors": [], "field-errors": {"status": "Not a valid choice.", "lead": "Required."}}"#,
        );
        assert_eq!(err.message, "lead: Required.; status: Not a valid choice.");
        assert_eq!(err.field_errors["status"], "Not a valid choice.");
    }

    #[test]
    fn renamed_fields_rename_the_message_made_from_them() {
        let mut err = error(400, r#"{"errors": [], "field-errors": {"date": "Enter a date."}}"#);
        err.rename_fields(|field| (field == "date").then(|| "due_date".to_string()));
        assert_eq!(
            (err.message.as_str(), err.field_errors["due_date"].as_str()),
            ("due_date: Enter a date.", "Enter a date.")
        );

        let mut err = error(400, r#"{"error": "Bad date", "field-errors": {"date": "Enter a date."}}"#);
        err.rename_fields(|_| Some("due_date".to_string()));
        assert_eq!(err.message, "Bad date");
    }

    #[test]
    fn error_object_with_message() {
        let err = error(429, r#"{"error": {"message": "API call count exceeded", "rate_reset": 1.5}}"#);
        assert_eq!(err.message, "API call count exceeded");
    }

    #[test]
    fn errors_list() {
        assert_eq!(error(404, r#"{"errors": ["a", "b"]}"#).message, "a; b");
    }

    #[test]
    fn html_and_empty_bodies() {
        let err = error(502, "<html>\n<body><h1>502 Bad Gateway</h1></body>\n</html>\n");
        assert_eq!(
            err.message,
            "Bad Gateway (the response was not JSON: \"<html> <body><h1>502 Bad Gateway</h1></body> </html>\")"
        );
        assert_eq!(error(504, "").message, "Gateway Timeout (empty response)");
        assert_eq!(error(500, r#"{"unexpected": 1}"#).message, "Internal Server Error");
    }

    #[test]
    fn long_bodies_are_cut() {
        let body = "x".repeat(5000);
        let err = error(500, &body);
        assert!(err.message.ends_with(&format!("\"{}...\")", "x".repeat(EXCERPT_CHARS))));
    }

    #[test]
    fn refused_key_names_the_account_and_where_its_key_came_from() {
        let body = br#"{"error": "Could not verify your credentials."}"#;
        let err = ApiError::from_response(401, body, call("config file"));
        assert_eq!(
            err.message,
            "the API key of account 'default' was refused (Could not verify your credentials.); \
             check api_key under [accounts.default] in the config file"
        );
        let err = ApiError::from_response(401, body, call("$CLOSE_US_KEY"));
        assert!(err.message.ends_with("; check the key in the environment variable CLOSE_US_KEY"), "{err}");
        let err = ApiError::from_response(401, body, call("$CLOSE_API_KEY"));
        assert!(err.message.ends_with("; check the key in the environment variable CLOSE_API_KEY"), "{err}");
    }

    #[test]
    fn not_found_and_forbidden_say_which_call() {
        let err = error(404, r#"{"error": "Empty query: Lead matching query does not exist."}"#);
        assert_eq!(err.message, "Lead matching query does not exist.");
        assert_eq!(
            err.hint().as_deref(),
            Some("Close found nothing at GET /lead/x/ (account 'default'); check the id")
        );
        let call = Call { path: "/lead/", ..call("config file") };
        let err = ApiError::from_response(404, b"", call);
        assert_eq!(
            err.hint().as_deref(),
            Some("Close found nothing at GET /lead/ (account 'default'); check the account's base_url")
        );
        let err = error(403, r#"{"error": "Forbidden"}"#);
        assert_eq!(err.message, "not allowed: Forbidden");
        assert_eq!(
            err.hint().as_deref(),
            Some("Close refused GET /lead/x/ (account 'default'): the key's user lacks the permission")
        );
        assert_eq!(error(400, r#"{"error": "x"}"#).hint(), None);
    }

    #[test]
    fn a_body_cut_short_keeps_its_status() {
        let cut = Call { cut_short: true, ..call("config file") };
        let err = ApiError::from_response(400, br#"{"error": "Inval"#, cut);
        assert_eq!((err.status, err.kind), (Some(400), FailureKind::Http));
        assert_eq!(err.message, "Bad Request (the body was cut short: \"{\"error\": \"Inval\")");
        let err = ApiError::from_response(404, b"", cut);
        assert_eq!(err.message, "Not Found (the connection closed before the body arrived)");
    }
}
