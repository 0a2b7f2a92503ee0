//! Tests that drive a running sandbox over real HTTP on 127.0.0.1, as the client does.
//!
//! Each test starts its own sandbox on a free port, so tests run in parallel without
//! sharing state. The helpers here send requests with ureq (status codes are answers, not
//! errors) and hand back the status, headers and body for exact assertions.

mod http;
mod leads;
mod related;
mod search;
mod transport;
mod writes;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use super::{Sandbox, SandboxOptions};

/// An answer as a test sees it.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    /// The body parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }
}

/// A sandbox with the default options.
pub fn sandbox() -> Sandbox {
    Sandbox::start(SandboxOptions::default()).expect("the sandbox starts")
}

/// The `Authorization` header for a key.
pub fn basic(key: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{key}:")))
}

/// Sends a request with full control over the key and content type.
pub fn send(
    sandbox: &Sandbox,
    key: Option<&str>,
    method: &str,
    path: &str,
    body: Option<(&str, &str)>,
) -> Answer {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    let url = format!("{}{path}", sandbox.base_url());
    let auth = key.map(basic);
    let result = match (method, body) {
        ("GET" | "DELETE", None) => {
            let mut request = if method == "GET" { agent.get(&url) } else { agent.delete(&url) };
            if let Some(auth) = &auth {
                request = request.header("Authorization", auth);
            }
            request.call()
        }
        (_, body) => {
            let mut request = match method {
                "POST" => agent.post(&url),
                "PUT" => agent.put(&url),
                other => panic!("the helper does not send {other} with a body"),
            };
            if let Some(auth) = &auth {
                request = request.header("Authorization", auth);
            }
            let (content_type, text) = body.unwrap_or(("application/json", ""));
            request.content_type(content_type).send(text)
        }
    };
    let mut response = result.expect("the sandbox answers");
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_string(), value.to_str().unwrap_or("").to_string()))
        .collect();
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().expect("a text body");
    Answer { status, headers, body }
}

/// A request as the `default` account.
pub fn call(sandbox: &Sandbox, method: &str, path: &str, body: Option<&Value>) -> Answer {
    let key = sandbox.api_key("default").expect("the default account exists");
    let text = body.map(Value::to_string);
    send(sandbox, Some(&key), method, path, text.as_deref().map(|t| ("application/json", t)))
}

/// A GET as the `default` account that must answer 200; returns the JSON body.
pub fn get(sandbox: &Sandbox, path: &str) -> Value {
    let answer = call(sandbox, "GET", path, None);
    assert_eq!(answer.status, 200, "GET {path}: {}", answer.body);
    answer.json()
}

/// The values of one key across a list answer's `data`.
pub fn column<'a>(list: &'a Value, key: &str) -> Vec<&'a str> {
    list["data"].as_array().expect("a list").iter().map(|row| row[key].as_str().unwrap_or("")).collect()
}

/// The ID of the demo custom field with this name.
pub fn field_id(sandbox: &Sandbox, name: &str) -> String {
    let fields = get(sandbox, "/custom_field/lead/");
    let field = fields["data"].as_array().unwrap().iter().find(|f| f["name"] == name);
    field.unwrap_or_else(|| panic!("no field {name}"))["id"].as_str().unwrap().to_string()
}
