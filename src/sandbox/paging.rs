//! Offset paging, the list envelope and `_fields`.
//!
//! Every list endpoint takes `_limit` (default 100, capped per endpoint), `_skip` (capped by
//! the sandbox's `max_skip`, as Close caps deep offsets) and `_fields`. Lists answer
//! `{"has_more": bool, "data": [...]}`; lead lists add `total_results`, with or without a
//! query (recordings only show it on searches; the sandbox always sends it). Pages are written
//! row by row straight into the body, since lead pages are the largest answers the sandbox
//! gives and benchmarks measure them.

use std::collections::HashSet;

use serde::Serialize;
use serde_json::Value;

use super::reply::Reply;

/// The default `_limit` of every list, as in Close's published API description.
pub const DEFAULT_LIMIT: usize = 100;

/// Paging and field selection asked for by a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListParams {
    pub limit: usize,
    pub skip: usize,
    pub fields: Option<Fields>,
}

/// The top-level fields `_fields` keeps. `id` is always among them: Close's own scripts
/// always ask for it, and whether Close adds it unasked is not documented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields(HashSet<String>);

/// The first value of a query parameter.
pub fn param<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
}

/// Reads `_limit`, `_skip` and `_fields`, refusing values Close refuses.
pub fn list_params(
    query: &[(String, String)],
    max_limit: usize,
    max_skip: usize,
) -> Result<ListParams, Reply> {
    let limit = whole_number(query, "_limit")?.unwrap_or(DEFAULT_LIMIT);
    if limit > max_limit {
        return Err(Reply::bad_request(format!(
            "_limit is too large: it must be less than or equal to {max_limit} on this endpoint."
        )));
    }
    let skip = whole_number(query, "_skip")?.unwrap_or(0);
    if skip > max_skip {
        return Err(Reply::bad_request(format!(
            "_skip is too large: it must be less than or equal to max_skip = {max_skip}. \
             Narrow the search (for example with a date_created range) to reach later rows."
        )));
    }
    Ok(ListParams { limit, skip, fields: fields_param(query) })
}

/// `_fields` as a set, or `None` when absent or empty.
pub fn fields_param(query: &[(String, String)]) -> Option<Fields> {
    let mut names: HashSet<String> = param(query, "_fields")?
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_string)
        .collect();
    if names.is_empty() {
        return None;
    }
    names.insert("id".to_string());
    Some(Fields(names))
}

/// A parameter that must be a non-negative whole number, if present.
fn whole_number(query: &[(String, String)], name: &str) -> Result<Option<usize>, Reply> {
    let Some(text) = param(query, name) else {
        return Ok(None);
    };
    text.trim()
        .parse()
        .map(Some)
        .map_err(|_| Reply::bad_request(format!("{name} must be a non-negative whole number, not '{text}'.")))
}

impl ListParams {
    /// Whether rows remain after this page, given how many rows match in all.
    pub fn has_more(&self, total: usize) -> bool {
        self.skip.saturating_add(self.limit) < total
    }
}

/// Writes a list envelope around the rows of one page.
pub fn list_reply<T: Serialize>(
    rows: impl Iterator<Item = T>,
    has_more: bool,
    total_results: Option<usize>,
    fields: Option<&Fields>,
) -> Reply {
    let mut body = Vec::with_capacity(4096);
    body.extend_from_slice(format!("{{\"has_more\":{has_more},").as_bytes());
    if let Some(total) = total_results {
        body.extend_from_slice(format!("\"total_results\":{total},").as_bytes());
    }
    body.extend_from_slice(b"\"data\":[");
    for (position, row) in rows.enumerate() {
        if position > 0 {
            body.push(b',');
        }
        write_row(&mut body, &row, fields);
    }
    body.extend_from_slice(b"]}");
    Reply::json_bytes(200, body)
}

/// A single object, trimmed to `_fields` when asked.
pub fn object_reply<T: Serialize>(row: &T, fields: Option<&Fields>) -> Reply {
    let mut body = Vec::with_capacity(2048);
    write_row(&mut body, row, fields);
    Reply::json_bytes(200, body)
}

/// Appends one row's JSON; the full row is written directly, a trimmed one goes through a
/// `Value` so the kept keys can be picked.
fn write_row<T: Serialize>(body: &mut Vec<u8>, row: &T, fields: Option<&Fields>) {
    let written = match fields {
        None => serde_json::to_writer(&mut *body, row),
        Some(Fields(keep)) => {
            let mut value = serde_json::to_value(row).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut value {
                map.retain(|key, _| keep.contains(key));
            }
            serde_json::to_writer(&mut *body, &value)
        }
    };
    if written.is_err() {
        body.extend_from_slice(b"null");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults_and_caps() {
        let params = list_params(&[], 200, 10).unwrap();
        assert_eq!((params.limit, params.skip, params.fields), (100, 0, None));
        let too_many = list_params(&query(&[("_limit", "201")]), 200, 10).unwrap_err();
        assert_eq!(too_many.status, 400);
        let too_deep = list_params(&query(&[("_skip", "11")]), 200, 10).unwrap_err();
        let text = String::from_utf8(too_deep.body).unwrap();
        assert!(text.contains("max_skip = 10") && text.contains("less than or equal to"));
        assert_eq!(list_params(&query(&[("_skip", "-1")]), 200, 10).unwrap_err().status, 400);
    }

    #[test]
    fn fields_keep_id_and_the_named_keys() {
        let fields = fields_param(&query(&[("_fields", "name, url")]));
        let row = json!({"id": "x", "name": "n", "url": "u", "other": 1});
        let reply = list_reply([row].iter(), false, Some(1), fields.as_ref());
        let body: Value = serde_json::from_slice(&reply.body).unwrap();
        assert_eq!(
            body,
            json!({"has_more": false, "total_results": 1,
            "data": [{"id": "x", "name": "n", "url": "u"}]})
        );
    }
}
