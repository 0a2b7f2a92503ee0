//! The API keys of a run, and blanking them out of what close-lua shows.
//!
//! A key can turn up in several forms: as itself; as the Base64 of "key:" that the
//! Authorization header carries, whole or cut short at the end of a quoted body; and
//! percent-encoded, as a URL carries it when a script passes it in a path or a query. Each
//! client blanks its own key out of its error values. Log lines are blanked of every key the
//! run has given a client, since the code that writes one need not know which account it
//! concerns.

use std::cmp::Reverse;
use std::sync::{Mutex, PoisonError};

use super::client::path_segment;

/// What stands in for a key.
const SHOWN: &str = "<redacted>";

/// A key shorter than this is none that Close issues, and blanking so short a text out of
/// every message would garble them.
const SHORTEST: usize = 8;

/// The forms of every key a client was made for, longest first.
static KNOWN: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// One account's key in the forms it could appear in.
pub struct Secret {
    forms: Vec<String>,
}

impl Secret {
    /// The key, and `encoded`, the Base64 of "key:" that the Authorization header carries.
    /// Its forms are also blanked out of every log line from now on.
    pub fn new(key: &str, encoded: &str) -> Secret {
        let forms = forms_of(key, encoded);
        let mut known = KNOWN.lock().unwrap_or_else(PoisonError::into_inner);
        known.extend(forms.iter().cloned());
        longest_first(&mut known);
        Secret { forms }
    }

    /// `text` with every form of the key blanked out.
    pub fn hide(&self, text: &str) -> String {
        hide_in(&self.forms, text)
    }

    /// The same for the raw body of an answer.
    pub fn hide_bytes(&self, body: &[u8]) -> Vec<u8> {
        let mut body = body.to_vec();
        for form in &self.forms {
            let form = form.as_bytes();
            let mut start = 0;
            while let Some(at) = body[start..].windows(form.len()).position(|w| w == form) {
                let at = start + at;
                body.splice(at..at + form.len(), SHOWN.bytes());
                start = at + SHOWN.len();
            }
        }
        body
    }
}

/// `text` with every form of every key of the run blanked out: what a log line goes
/// through.
pub fn hide_known(text: &str) -> String {
    hide_in(&KNOWN.lock().unwrap_or_else(PoisonError::into_inner), text)
}

fn hide_in(forms: &[String], text: &str) -> String {
    forms.iter().fold(text.to_string(), |text, form| text.replace(form.as_str(), SHOWN))
}

/// The forms of a key, longest first so that none is left half blanked by a shorter one
/// inside it; none for a key too short to be one.
fn forms_of(key: &str, encoded: &str) -> Vec<String> {
    if key.len() < SHORTEST {
        return Vec::new();
    }
    let mut forms = Vec::new();
    // Without its padding, the encoded form is also what a body cut short could end in.
    for plain in [key, encoded, encoded.trim_end_matches('=')] {
        forms.push(plain.to_string());
        forms.push(path_segment(plain));
        forms.push(form_urlencoded::byte_serialize(plain.as_bytes()).collect());
    }
    longest_first(&mut forms);
    forms
}

fn longest_first(forms: &mut Vec<String>) {
    forms.sort_by(|a, b| (Reverse(a.len()), a).cmp(&(Reverse(b.len()), b)));
    forms.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn secret(key: &str) -> (Secret, String) {
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{key}:"));
        (Secret::new(key, &encoded), encoded)
    }

    #[test]
    fn every_form_of_the_key_is_hidden() {
        let key = "api_0123456789.abcdefghij";
        let (secret, encoded) = secret(key);
        assert_eq!(
            secret.hide(&format!("bad key {key} (Basic {encoded})")),
            "bad key <redacted> (Basic <redacted>)"
        );
        let body = format!("{{\"error\": \"{key}\"}}");
        assert_eq!(secret.hide_bytes(body.as_bytes()), b"{\"error\": \"<redacted>\"}");
        // Too short to be a key Close issues: left alone rather than blanking every "k".
        assert_eq!(Secret::new("k", "azo=").hide("a kind key"), "a kind key");
    }

    #[test]
    fn keys_in_urls_are_hidden() {
        let key = "api_0123456789.abc+def/ghij";
        let (secret, encoded) = secret(key);
        let path = format!("/lead/{}/", path_segment(key));
        assert_eq!(path, "/lead/api_0123456789%2Eabc%2Bdef%2Fghij/");
        assert_eq!(secret.hide(&path), "/lead/<redacted>/");
        let query: String = form_urlencoded::byte_serialize(format!("{key}:{encoded}").as_bytes()).collect();
        assert_eq!(secret.hide(&query), "<redacted>%3A<redacted>");
    }

    #[test]
    fn log_lines_are_hidden_of_every_key_of_the_run() {
        let first = "api_first.0123456789";
        let second = "api_second.0123456789";
        let _ = (secret(first), secret(second));
        assert_eq!(
            hide_known(&format!("GET /lead/?query={first}%3A{second}")),
            "GET /lead/?query=<redacted>%3A<redacted>"
        );
    }
}
