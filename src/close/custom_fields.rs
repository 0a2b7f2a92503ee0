//! Lead custom fields: names for scripts, `cf_` ids for the API.
//!
//! Scripts write `custom = { Industry = "SaaS" }`; Close wants `"custom.cf_<id>": "SaaS"`.
//! The definitions come from `GET /custom_field/lead/`, fetched at most once per account per
//! run by the caller, which keeps them.

use serde::Deserialize;

use super::{ApiError, Client, Method};

/// One lead custom field definition, reduced to what name resolution needs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CustomField {
    /// The `cf_...` id.
    pub id: String,
    /// The name shown in Close.
    pub name: String,
}

/// One page of the definitions list.
#[derive(Deserialize)]
struct Page {
    data: Vec<CustomField>,
    #[serde(default)]
    has_more: bool,
}

/// How many definitions to ask for per page.
const PAGE_SIZE: usize = 100;

/// Fetches every lead custom field of the account.
pub fn fetch(client: &Client) -> Result<Vec<CustomField>, ApiError> {
    let path = "/custom_field/lead/";
    let mut fields = Vec::new();
    loop {
        let query = [("_limit", PAGE_SIZE.to_string()), ("_skip", fields.len().to_string())];
        let body = client.call(Method::Get, path, &query, None)?;
        let page: Page = serde_json::from_slice(&body).map_err(|err| {
            let message = format!("the custom field list was not in the expected form: {err}");
            ApiError::without_response(
                super::FailureKind::InvalidResponse,
                message,
                Method::Get,
                path,
                client.account(),
            )
        })?;
        let received = page.data.len();
        fields.extend(page.data);
        if !page.has_more || received == 0 {
            return Ok(fields);
        }
    }
}

/// The `cf_` id for a name (or an id given as is). Exact names win; otherwise a name that
/// matches ignoring case is accepted when it is the only one.
pub fn resolve<'a>(fields: &'a [CustomField], key: &'a str) -> Result<&'a str, String> {
    if key.starts_with("cf_") {
        return Ok(key);
    }
    if let Some(field) = fields.iter().find(|field| field.name == key) {
        return Ok(&field.id);
    }
    let mut folded = fields.iter().filter(|field| field.name.eq_ignore_ascii_case(key));
    if let (Some(field), None) = (folded.next(), folded.next()) {
        return Ok(&field.id);
    }
    let known: Vec<&str> = fields.iter().map(|field| field.name.as_str()).collect();
    let known = if known.is_empty() { "none".to_string() } else { known.join(", ") };
    Err(format!("unknown custom field '{key}'; the account's lead custom fields are: {known}"))
}

/// The name for an id, if the account has such a field.
pub fn name_of<'a>(fields: &'a [CustomField], id: &str) -> Option<&'a str> {
    fields.iter().find(|field| field.id == id).map(|field| field.name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> Vec<CustomField> {
        let field = |id: &str, name: &str| CustomField { id: id.into(), name: name.into() };
        vec![field("cf_1", "Industry"), field("cf_2", "Lead Source"), field("cf_3", "lead source")]
    }

    #[test]
    fn names_ids_and_case() {
        let fields = fields();
        assert_eq!(resolve(&fields, "Industry"), Ok("cf_1"));
        assert_eq!(resolve(&fields, "industry"), Ok("cf_1"));
        assert_eq!(resolve(&fields, "cf_zzz"), Ok("cf_zzz"));
        assert_eq!(resolve(&fields, "lead source"), Ok("cf_3"));
        assert_eq!(name_of(&fields, "cf_2"), Some("Lead Source"));
    }

    #[test]
    fn unknown_and_ambiguous_names_list_the_known_ones() {
        let fields = fields();
        assert_eq!(
            resolve(&fields, "LEAD SOURCE").unwrap_err(),
            "unknown custom field 'LEAD SOURCE'; the account's lead custom fields are: Industry, Lead Source, lead source"
        );
        assert!(resolve(&[], "X").unwrap_err().ends_with("are: none"));
    }
}
