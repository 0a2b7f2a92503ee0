//! Reading and checking the body of `POST /lead/` and `PUT /lead/{id}/`.
//!
//! A write body becomes a `LeadChanges`: only the keys the client sent, each already
//! checked, with every problem collected into Close's `field-errors` so a client sees all
//! of them at once. Custom values must be written as `"custom.cf_<id>": value`; the
//! deprecated forms (a `custom` object keyed by name, `"custom.<Field Name>"` keys) are
//! refused, because Close has announced their removal and a client relying on them would
//! break later. Keys the sandbox does not know are ignored, as Close ignores them.

use serde_json::{Map, Number, Value};

use super::model::{Address, Email, FieldType, Link, Phone};
use super::phone;
use super::reply::FieldErrors;
use super::store::Org;
use super::time;

/// What a write asks to change; `None` means the key was not sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LeadChanges {
    pub name: Option<String>,
    pub url: Option<Option<String>>,
    pub description: Option<Option<String>>,
    pub status: Option<usize>,
    pub addresses: Option<Vec<Address>>,
    pub contacts: Vec<NewContact>,
    /// Field positions with their new values; `None` clears the field.
    pub custom: Vec<(usize, Option<Value>)>,
}

/// A contact created inline with a new lead.
#[derive(Debug, Clone, PartialEq)]
pub struct NewContact {
    pub name: String,
    pub title: Option<String>,
    pub emails: Vec<Email>,
    pub phones: Vec<Phone>,
    pub urls: Vec<Link>,
}

/// The refusal of `contacts` in a lead update.
const CONTACTS_IN_UPDATE: &str = "Contacts cannot be changed through a lead update; use the Contacts API.";

/// Reads a lead write; `creating` is true for `POST`, where contacts may be nested.
pub fn read(org: &Org, body: &Map<String, Value>, creating: bool) -> Result<LeadChanges, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut note = |key: &str, result: Result<(), String>| {
        if let Err(message) = result {
            errors.insert(key.to_string(), message);
        }
    };
    let mut changes = LeadChanges::default();

    note("name", text_or_null(body, "name").map(|v| changes.name = v.map(Option::unwrap_or_default)));
    note("url", text_or_null(body, "url").map(|v| changes.url = v));
    note("description", text_or_null(body, "description").map(|v| changes.description = v));
    note("status", read_status(org, body).map(|v| changes.status = v));
    if let Some(value) = body.get("addresses") {
        note("addresses", read_addresses(value).map(|v| changes.addresses = Some(v)));
    }
    match body.get("contacts") {
        // Close's update endpoint does not take contacts; whether it ignores or refuses
        // them is not documented. The sandbox refuses, so a client cannot believe it
        // changed contacts when it did not.
        Some(_) if !creating => note("contacts", Err(CONTACTS_IN_UPDATE.to_string())),
        Some(value) => note("contacts", read_contacts(value).map(|v| changes.contacts = v)),
        None => {}
    }
    for (key, value) in body {
        if key == "custom" || key.starts_with("custom.") {
            note(key, read_custom(org, key, value).map(|v| changes.custom.push(v)));
        }
    }

    if errors.is_empty() { Ok(changes) } else { Err(errors) }
}

/// A string-or-null key: absent is `None`, null is `Some(None)`.
fn text_or_null(body: &Map<String, Value>, key: &str) -> Result<Option<Option<String>>, String> {
    match body.get(key) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(text)) => Ok(Some(Some(text.clone()))),
        Some(_) => Err("Not a valid string.".to_string()),
    }
}

/// `status_id` or `status` (a label). Close reports a bad value of either under `status`.
fn read_status(org: &Org, body: &Map<String, Value>) -> Result<Option<usize>, String> {
    let find = |key: &str, same: &dyn Fn(usize, &str) -> bool| -> Result<Option<usize>, String> {
        match body.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(wanted)) => (0..org.statuses.len())
                .find(|index| same(*index, wanted))
                .map(Some)
                .ok_or_else(|| format!("'{wanted}' is not a valid choice of lead status.")),
            Some(other) => Err(format!("{other} is not a valid choice of lead status.")),
        }
    };
    let by_id = find("status_id", &|i, wanted| org.statuses[i].id == wanted)?;
    let by_label = find("status", &|i, wanted| org.statuses[i].label.eq_ignore_ascii_case(wanted))?;
    match (by_id, by_label) {
        (Some(id), Some(label)) if id != label => {
            Err("status_id and status name different statuses; send only one.".to_string())
        }
        (id, label) => Ok(id.or(label)),
    }
}

/// A list of address objects.
fn read_addresses(value: &Value) -> Result<Vec<Address>, String> {
    let items = objects(value, "addresses")?;
    items
        .iter()
        .enumerate()
        .map(|(n, item)| {
            let part = |key: &str| match item.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(text)) => Ok(Some(text.clone())),
                Some(_) => Err(format!("Address {}: {key} is not a valid string.", n + 1)),
            };
            Ok(Address {
                label: part("label")?.unwrap_or_else(|| "business".to_string()),
                address_1: part("address_1")?,
                address_2: part("address_2")?,
                city: part("city")?,
                state: part("state")?,
                zipcode: part("zipcode")?,
                country: part("country")?,
            })
        })
        .collect()
}

/// Contacts nested in a new lead.
fn read_contacts(value: &Value) -> Result<Vec<NewContact>, String> {
    let items = objects(value, "contacts")?;
    let mut contacts = Vec::with_capacity(items.len());
    for (n, item) in items.iter().enumerate() {
        let at = |message: String| format!("Contact {}: {message}", n + 1);
        let text = |key: &str| match item.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(_) => Err(at(format!("{key} is not a valid string."))),
        };
        let mut contact = NewContact {
            name: text("name")?.unwrap_or_default(),
            title: text("title")?,
            emails: Vec::new(),
            phones: Vec::new(),
            urls: Vec::new(),
        };
        // Addresses are taken as written: how strictly Close checks them is not documented,
        // and the Lua API reference's own examples use placeholder addresses.
        for (email, kind) in entries(item, "emails", "email").map_err(at)? {
            contact.emails.push(Email { email, kind });
        }
        for (number, kind) in entries(item, "phones", "phone").map_err(at)? {
            contact.phones.push(phone::normalize(&number, &kind).map_err(at)?);
        }
        for (url, kind) in entries(item, "urls", "url").map_err(at)? {
            contact.urls.push(Link { url, kind });
        }
        contacts.push(contact);
    }
    Ok(contacts)
}

/// The `(value, type)` pairs of a contact's `emails`, `phones` or `urls` list; the type
/// defaults to `office` as in Close's app.
fn entries(contact: &Map<String, Value>, list: &str, key: &str) -> Result<Vec<(String, String)>, String> {
    let Some(value) = contact.get(list) else {
        return Ok(Vec::new());
    };
    objects(value, list)?
        .iter()
        .map(|entry| {
            let Some(Value::String(text)) = entry.get(key) else {
                return Err(format!("every entry of {list} needs a string '{key}'."));
            };
            let kind = match entry.get("type") {
                Some(Value::String(kind)) => kind.clone(),
                _ => "office".to_string(),
            };
            Ok((text.clone(), kind))
        })
        .collect()
}

/// A list whose items must all be JSON objects.
fn objects<'a>(value: &'a Value, name: &str) -> Result<Vec<&'a Map<String, Value>>, String> {
    let Value::Array(items) = value else {
        return Err(format!("{name} must be a list."));
    };
    items
        .iter()
        .map(|item| item.as_object().ok_or_else(|| format!("every item of {name} must be an object.")))
        .collect()
}

/// One `custom.cf_<id>` key, checked against the field's type.
fn read_custom(org: &Org, key: &str, value: &Value) -> Result<(usize, Option<Value>), String> {
    let Some(id) = key.strip_prefix("custom.") else {
        return Err("The \"custom\" object keyed by field name is deprecated and not accepted; \
                    write each value as \"custom.cf_<field id>\": value."
            .to_string());
    };
    if !id.starts_with("cf_") {
        return Err(format!(
            "Custom fields are written by ID, not by name: use \
                            \"custom.cf_<field id>\" instead of \"{key}\"."
        ));
    }
    let field = org
        .fields
        .iter()
        .position(|f| f.id == id)
        .ok_or_else(|| format!("There is no lead custom field with the ID '{id}'."))?;
    if value.is_null() {
        return Ok((field, None));
    }
    let definition = &org.fields[field];
    let checked = match (&definition.kind, value) {
        (FieldType::Text, Value::String(_)) => value.clone(),
        (FieldType::Choices(choices), Value::String(choice)) if choices.contains(choice) => value.clone(),
        (FieldType::Choices(choices), _) => {
            return Err(format!(
                "{value} is not one of the choices of {}: {}.",
                definition.name,
                choices.join(", ")
            ));
        }
        (FieldType::Number, Value::Number(_)) => value.clone(),
        (FieldType::Number, Value::String(text)) => number_from(text).ok_or("A valid number is required.")?,
        (FieldType::Date, Value::String(text)) if time::parse_day(text).is_some() => value.clone(),
        (FieldType::Date, _) => return Err("Enter a valid date (YYYY-MM-DD).".to_string()),
        (FieldType::Number, _) => return Err("A valid number is required.".to_string()),
        (FieldType::Text, _) => return Err("Not a valid string.".to_string()),
    };
    Ok((field, Some(checked)))
}

/// A number written as text, kept whole when it is whole.
fn number_from(text: &str) -> Option<Value> {
    let text = text.trim();
    if let Ok(whole) = text.parse::<i64>() {
        return Some(Value::Number(whole.into()));
    }
    let float: f64 = text.parse().ok()?;
    Number::from_f64(float).map(Value::Number)
}
