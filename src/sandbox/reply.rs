//! Answers before they become HTTP: a status, extra headers and a body.
//!
//! Handlers return a `Reply`; the server adds the rate-limit headers and writes it out. The
//! constructors here are the error shapes Close uses, so every handler words its failures
//! the same way: `{"error": "..."}` for request errors, `{"errors": [], "field-errors": {}}`
//! for validation, and `Empty query: <Model> matching query does not exist.` for unknown IDs.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;

/// A response the server is about to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Whether the body is JSON, so the server labels it `application/json`.
    pub is_json: bool,
}

/// Field errors of a rejected write, by field name.
pub type FieldErrors = BTreeMap<String, String>;

impl Reply {
    /// A JSON answer with this status.
    pub fn json(status: u16, value: &impl Serialize) -> Reply {
        let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
        Reply::json_bytes(status, body)
    }

    /// A JSON answer whose body is already written.
    pub fn json_bytes(status: u16, body: Vec<u8>) -> Reply {
        Reply { status, headers: Vec::new(), body, is_json: true }
    }

    /// 200 with a JSON body.
    pub fn ok(value: &impl Serialize) -> Reply {
        Reply::json(200, value)
    }

    /// `{"error": message}` with this status.
    pub fn error(status: u16, message: impl Into<String>) -> Reply {
        Reply::json(status, &json!({ "error": message.into() }))
    }

    /// 400 `{"error": message}`: a malformed request that is not about one field.
    pub fn bad_request(message: impl Into<String>) -> Reply {
        Reply::error(400, message)
    }

    /// 400 with Close's validation shape.
    pub fn field_errors(errors: FieldErrors) -> Reply {
        Reply::json(400, &json!({ "errors": [], "field-errors": errors }))
    }

    /// 404 for an ID that names nothing, worded per model (`Lead`, `Contact`, `Task`...).
    pub fn no_such(model: &str) -> Reply {
        Reply::error(404, format!("Empty query: {model} matching query does not exist."))
    }

    /// Adds a header to the answer.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.push((name.to_string(), value.into()));
        self
    }
}
