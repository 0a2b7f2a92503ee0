//! Checks a script's parameter table against a function spec before any request is sent.
//!
//! Unknown names, wrong types, missing required parameters and values out of range are
//! reported here, with the closest known name when a name looks like a typo.

use mlua::{Lua, Table, Value};

use super::json;
use super::specs::{self, Format, FunctionSpec, Param, ParamType, RecordField};

/// A checked parameter value.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    Str(String),
    Int(i64),
    Bool(bool),
    /// An array or object, already in JSON form.
    Json(serde_json::Value),
    /// `json.null`: clear the field.
    Null,
}

/// The parameters of one call, all checked.
#[derive(Debug)]
pub struct Validated {
    /// The function they were checked against.
    pub spec: &'static FunctionSpec,
    values: Vec<(&'static Param, ParamValue)>,
}

impl Validated {
    fn new(spec: &'static FunctionSpec) -> Validated {
        Validated { spec, values: Vec::new() }
    }

    /// A parameter's value, if the script gave it.
    pub fn get(&self, name: &str) -> Option<&ParamValue> {
        self.values.iter().find(|(param, _)| param.name == name).map(|(_, value)| value)
    }

    /// A string parameter.
    pub fn str(&self, name: &str) -> Option<&str> {
        match self.get(name) {
            Some(ParamValue::Str(s)) => Some(s),
            _ => None,
        }
    }

    /// An integer parameter.
    pub fn int(&self, name: &str) -> Option<i64> {
        match self.get(name) {
            Some(ParamValue::Int(i)) => Some(*i),
            _ => None,
        }
    }

    /// Every given parameter with its spec, in the spec's order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static Param, &ParamValue)> {
        self.values.iter().map(|(param, value)| (*param, value))
    }
}

/// Checks `params` (the script's argument) against `spec`. The error reads like
/// `close.list_leads: unknown parameter 'limt'; did you mean 'limit'?`.
pub fn validate(lua: &Lua, spec: &'static FunctionSpec, params: &Value) -> Result<Validated, String> {
    let fail = |message: String| format!("close.{}: {message}", spec.name);
    let table = match params {
        Value::Table(table) => table,
        Value::Nil => return check_required(spec, Validated::new(spec)).map_err(fail),
        other => {
            return Err(fail(format!(
                "expected a table of named parameters, got {}; call it as close.{}({{ ... }})",
                a_type(other),
                spec.name
            )));
        }
    };

    if is_namespace(table) {
        return Err(fail(format!(
            "called with ':', which passes the namespace as the parameters; use '.', as in \
             app.integrations.close.{}({{ ... }})",
            spec.name
        )));
    }

    let mut validated = Validated::new(spec);
    for pair in table.pairs::<Value, Value>() {
        let (key, value) = pair.map_err(|err| fail(err.to_string()))?;
        let name = match &key {
            Value::String(s) => s.to_string_lossy(),
            other => {
                return Err(fail(format!(
                    "parameters must be named, like {{ id = \"...\" }}; found a value under the {} key {}",
                    other.type_name(),
                    describe(other)
                )));
            }
        };
        let param = spec.param(&name).ok_or_else(|| fail(unknown_param(spec, &name)))?;
        let value = check_value(lua, param, &value).map_err(fail)?;
        validated.values.push((param, value));
    }
    validated.values.sort_by_key(|(param, _)| spec.params.iter().position(|p| std::ptr::eq(p, *param)));
    check_required(spec, validated).map_err(fail)
}

/// Whether a table is one of the `app.integrations.close` namespaces, which a call written
/// with `:` instead of `.` passes as its first argument.
fn is_namespace(table: &Table) -> bool {
    let name = table.metatable().and_then(|meta| meta.raw_get::<Option<String>>("__name").ok().flatten());
    name.is_some_and(|name| name.starts_with("app.integrations.close"))
}

/// Fails when a required parameter is missing.
fn check_required(spec: &FunctionSpec, validated: Validated) -> Result<Validated, String> {
    match spec.params.iter().find(|param| param.required && validated.get(param.name).is_none()) {
        Some(param) => Err(format!("parameter '{}' is required ({})", param.name, param.kind.name())),
        None => Ok(validated),
    }
}

/// The message for a name the spec does not have.
fn unknown_param(spec: &FunctionSpec, name: &str) -> String {
    if spec.params.is_empty() {
        return format!("unknown parameter '{name}'; close.{} takes no parameters", spec.name);
    }
    match closest(name, spec.params.iter().map(|param| param.name)) {
        Some(known) => format!("unknown parameter '{name}'; did you mean '{known}'?"),
        None => {
            let known: Vec<&str> = spec.params.iter().map(|param| param.name).collect();
            format!("unknown parameter '{name}'; known parameters: {}", known.join(", "))
        }
    }
}

/// The candidate closest to `name`, if it is close enough to be a slip of the fingers: at
/// most a third of its length away (one edit for short names, never more than three), case
/// aside. Of candidates equally close, the first. Every "did you mean" uses this one rule.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let name = name.to_lowercase();
    candidates
        .into_iter()
        .map(|candidate| (strsim::damerau_levenshtein(&name, &candidate.to_lowercase()), candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.chars().count() / 3).clamp(1, 3))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Checks the keys of an options table (`csv.writer(path, { columns = ... })`) against the
/// names `function` knows, so a misspelt option is an error rather than silently ignored.
pub fn check_option_names(function: &str, options: &Table, known: &[&str]) -> Result<(), String> {
    for pair in options.pairs::<Value, Value>() {
        let (key, _) = pair.map_err(|err| format!("{function}: {err}"))?;
        let name = match &key {
            Value::String(name) => name.to_string_lossy(),
            other => {
                return Err(format!(
                    "{function}: options are named, like {{ {} = ... }}; found {} key",
                    known[0],
                    a_type(other)
                ));
            }
        };
        if known.contains(&name.as_str()) {
            continue;
        }
        return Err(match closest(&name, known.iter().copied()) {
            Some(closest) => format!("{function}: unknown option '{name}'; did you mean '{closest}'?"),
            None => format!("{function}: unknown option '{name}'; the options are {}", known.join(", ")),
        });
    }
    Ok(())
}

/// Checks one value against its parameter's type and limits.
fn check_value(lua: &Lua, param: &Param, value: &Value) -> Result<ParamValue, String> {
    if *value == json::NULL_MARKER {
        if param.nullable {
            return Ok(ParamValue::Null);
        }
        if param.required {
            return Err(format!(
                "parameter '{}' is required and cannot be json.null; give it {}",
                param.name,
                article(param.kind)
            ));
        }
        return Err(format!("parameter '{}' cannot be json.null; leave it out instead", param.name));
    }
    let wrong_type =
        || format!("parameter '{}' must be {}, got {}", param.name, article(param.kind), describe(value));
    match param.kind {
        ParamType::String => {
            let Value::String(s) = value else { return Err(wrong_type()) };
            let text =
                s.to_str().map_err(|_| format!("parameter '{}' is not valid UTF-8 text", param.name))?;
            check_string(param, &text)
        }
        ParamType::Integer => {
            let number = match value {
                Value::Integer(i) => *i,
                Value::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => *n as i64,
                _ => return Err(wrong_type()),
            };
            check_range(param, number)
        }
        ParamType::Boolean => match value {
            Value::Boolean(b) => Ok(ParamValue::Bool(*b)),
            _ => Err(wrong_type()),
        },
        ParamType::Array | ParamType::Object => {
            let Value::Table(table) = value else { return Err(wrong_type()) };
            check_table(lua, param, table)
        }
    }
}

fn check_string(param: &Param, text: &str) -> Result<ParamValue, String> {
    if param.api_name == "{id}" && text.is_empty() {
        return Err(format!("parameter '{}' must not be empty", param.name));
    }
    if param.format == Format::Date && !is_date_or_date_time(text) {
        return Err(format!(
            "parameter '{}' must be a date (2026-04-15) or an ISO 8601 date and time \
             (2026-04-15T09:00:00+00:00), got \"{text}\"",
            param.name
        ));
    }
    if param.choices.is_empty() {
        return Ok(ParamValue::Str(text.to_string()));
    }
    match param.choices.iter().find(|choice| choice.eq_ignore_ascii_case(text)) {
        Some(choice) => Ok(ParamValue::Str(choice.to_string())),
        None => Err(format!(
            "parameter '{}' must be one of {}, got \"{text}\"",
            param.name,
            param.choices.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// Whether `text` is a day (`2026-04-15`) or a day and a time of ISO 8601: `T`, hours and
/// minutes, optionally seconds and a fraction, then optionally a zone (`Z`, `+02:00`, `+0200`
/// or `+02`). These are the forms Close takes for a task's `date`.
fn is_date_or_date_time(text: &str) -> bool {
    let (day, time) = match text.split_once('T') {
        Some((day, time)) => (day, Some(time)),
        None => (text, None),
    };
    // chrono alone would also take one-digit months and days, or a sign before the year.
    let shaped = day.len() == 10
        && day.bytes().enumerate().all(|(at, byte)| match at {
            4 | 7 => byte == b'-',
            _ => byte.is_ascii_digit(),
        });
    if !shaped || chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").is_err() {
        return false;
    }
    let Some(time) = time else { return true };
    let (clock, zone) = match time.find(['Z', '+', '-']) {
        Some(at) => time.split_at(at),
        None => (time, ""),
    };
    let (clock, fraction) = match clock.split_once('.') {
        Some((clock, fraction)) => (clock, Some(fraction)),
        None => (clock, None),
    };
    let fields: Vec<&str> = clock.split(':').collect();
    let clock_fits = match fields.as_slice() {
        [hours, minutes] => fraction.is_none() && two_digits(hours, 23) && two_digits(minutes, 59),
        [hours, minutes, seconds] => {
            two_digits(hours, 23)
                && two_digits(minutes, 59)
                && two_digits(seconds, 59)
                && fraction
                    .is_none_or(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        }
        _ => false,
    };
    let zone_fits = match zone.strip_prefix(['+', '-']) {
        None => zone.is_empty() || zone == "Z",
        Some(offset) => match (offset.get(..2), offset.get(2..)) {
            (Some(hours), Some(minutes)) => {
                let minutes = minutes.strip_prefix(':').filter(|m| !m.is_empty()).unwrap_or(minutes);
                two_digits(hours, 23) && (minutes.is_empty() || two_digits(minutes, 59))
            }
            _ => false,
        },
    };
    clock_fits && zone_fits
}

/// Whether `text` is two ASCII digits making a number of at most `most`.
fn two_digits(text: &str, most: u8) -> bool {
    text.len() == 2 && text.bytes().all(|b| b.is_ascii_digit()) && text.parse::<u8>().is_ok_and(|n| n <= most)
}

fn check_range(param: &Param, number: i64) -> Result<ParamValue, String> {
    match param.range {
        Some((min, max)) if number < min || number > max => Err(if max == i64::MAX {
            format!("parameter '{}' must be at least {min}, got {number}", param.name)
        } else {
            format!("parameter '{}' must be from {min} to {max}, got {number}", param.name)
        }),
        _ => Ok(ParamValue::Int(number)),
    }
}

fn check_table(lua: &Lua, param: &Param, table: &Table) -> Result<ParamValue, String> {
    let json = json::encode(lua, &Value::Table(table.clone()), param.name)?;
    let fits = match param.kind {
        ParamType::Array => json.is_array(),
        // An empty table encodes as a list, but as an object parameter it means "no fields".
        _ => json.is_object() || json.as_array().is_some_and(Vec::is_empty),
    };
    if !fits {
        return Err(format!(
            "parameter '{}' must be {}, got a {}",
            param.name,
            article(param.kind),
            json_kind(&json)
        ));
    }
    let mut json =
        if json.is_array() && param.kind == ParamType::Object { serde_json::json!({}) } else { json };
    if param.kind == ParamType::Array {
        check_items_are_objects(param, &mut json)?;
    }
    check_nulls(param, &json)?;
    for (index, record) in json.as_array().into_iter().flatten().enumerate() {
        check_record(param.record, record, &format!("{}[{}]", param.name, index + 1))?;
    }
    Ok(ParamValue::Json(json))
}

/// Checks the fields of one record of a list parameter (a contact), and of the records in
/// its lists (its emails, phones and urls), against what Close takes: a misspelt field
/// would otherwise be sent, ignored, and its value lost. `place` names the record.
fn check_record(fields: &[RecordField], record: &serde_json::Value, place: &str) -> Result<(), String> {
    if fields.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = fields.iter().map(|field| field.name).collect();
    for (key, value) in record.as_object().into_iter().flatten() {
        let Some(field) = fields.iter().find(|field| field.name == key) else {
            if returned_by_close(key) {
                continue;
            }
            return Err(unknown_field(place, key, &names));
        };
        if field.items.is_empty() {
            continue;
        }
        let like = field.items.iter().map(|item| format!("{item} = ...")).collect::<Vec<_>>().join(", ");
        let Some(items) = value.as_array() else {
            return Err(format!(
                "{place}.{key} must be a list of tables like {{ {like} }}, got a {}",
                json_kind(value)
            ));
        };
        for (index, item) in items.iter().enumerate() {
            let item_place = format!("{place}.{key}[{}]", index + 1);
            let Some(item_fields) = item.as_object() else {
                return Err(format!(
                    "{item_place} must be a table like {{ {like} }}, got a {}",
                    json_kind(item)
                ));
            };
            if let Some(unknown) = item_fields
                .keys()
                .find(|name| !field.items.contains(&name.as_str()) && !returned_by_close(name))
            {
                return Err(unknown_field(&item_place, unknown, field.items));
            }
        }
    }
    Ok(())
}

/// Whether a record's field is one Close returns on its own records, so that a contact read
/// from Close can be sent back as it is.
fn returned_by_close(name: &str) -> bool {
    name.starts_with("custom.") || specs::RETURNED_CONTACT_FIELDS.contains(&name)
}

/// The message for a field a record may not have, with the closest known one.
fn unknown_field(place: &str, name: &str, known: &[&str]) -> String {
    match closest(name, known.iter().copied()) {
        Some(known) => format!("{place}: unknown field '{name}'; did you mean '{known}'?"),
        None => format!("{place}: unknown field '{name}'; the fields are {}", known.join(", ")),
    }
}

/// `json.null` clears a field, so it may stand only where a field is set: as a value of an
/// object parameter (`custom = { Industry = json.null }`). Anywhere deeper, or inside the
/// records of a list parameter (contacts), there is nothing to clear and Close would refuse
/// it or store a null, so it is refused here with its place.
fn check_nulls(param: &Param, json: &serde_json::Value) -> Result<(), String> {
    let place = match json {
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(index, item)| null_inside(item, format!("{}[{}]", param.name, index + 1))),
        serde_json::Value::Object(fields) => fields
            .iter()
            .filter(|(_, value)| !value.is_null())
            .find_map(|(key, value)| null_inside(value, format!("{}.{key}", param.name))),
        _ => None,
    };
    match place {
        Some(place) => Err(format!("{place} cannot be json.null; leave it out instead")),
        None => Ok(()),
    }
}

/// The place of the first null in `value` (itself included), written from `place`.
fn null_inside(value: &serde_json::Value, place: String) -> Option<String> {
    match value {
        serde_json::Value::Null => Some(place),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(index, item)| null_inside(item, format!("{place}[{}]", index + 1))),
        serde_json::Value::Object(fields) => {
            fields.iter().find_map(|(key, item)| null_inside(item, format!("{place}.{key}")))
        }
        _ => None,
    }
}

/// The items of array parameters (contacts) are records; an empty table is an empty
/// record, not an empty list.
fn check_items_are_objects(param: &Param, json: &mut serde_json::Value) -> Result<(), String> {
    for (index, item) in json.as_array_mut().into_iter().flatten().enumerate() {
        if item.as_array().is_some_and(Vec::is_empty) {
            *item = serde_json::json!({});
        }
        if !item.is_object() {
            return Err(format!(
                "{}[{}] must be a table with named fields, got a {}",
                param.name,
                index + 1,
                json_kind(item)
            ));
        }
    }
    Ok(())
}

fn json_kind(json: &serde_json::Value) -> &'static str {
    match json {
        serde_json::Value::Array(_) => "list",
        serde_json::Value::Object(_) => "table with named keys",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Null => "null",
    }
}

fn article(kind: ParamType) -> &'static str {
    match kind {
        ParamType::String => "a string",
        ParamType::Integer => "an integer",
        ParamType::Boolean => "a boolean",
        ParamType::Array => "a list (a table like { a, b })",
        ParamType::Object => "a table with named keys",
    }
}

/// A value as a short phrase for messages: its type, and small values themselves.
pub fn describe(value: &Value) -> String {
    match value {
        Value::String(s) => {
            format!("the string \"{}\"", s.to_string_lossy().chars().take(40).collect::<String>())
        }
        Value::Integer(i) => format!("the number {i}"),
        Value::Number(n) if n.abs() < 1e15 => format!("the number {n}"),
        Value::Number(n) => format!("the number {n:e}"),
        Value::Boolean(b) => format!("{b}"),
        other => a_type(other),
    }
}

/// A value's Lua type with its article, for messages: "an integer", "a table", "nil".
pub fn a_type(value: &Value) -> String {
    match value.type_name() {
        "nil" => "nil".to_string(),
        name if name.starts_with(['a', 'e', 'i', 'o', 'u']) => format!("an {name}"),
        name => format!("a {name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lua::specs::find;

    fn check(function: &str, code: &str) -> Result<Validated, String> {
        let lua = Lua::new();
        json::Markers::install(&lua).unwrap();
        lua.globals().set("json_null", json::NULL_MARKER).unwrap();
        let params: Value = lua.load(code).eval().unwrap();
        validate(&lua, find(function).unwrap(), &params)
    }

    #[test]
    fn typos_get_a_suggestion() {
        assert_eq!(
            check("list_leads", "return { limt = 5 }").unwrap_err(),
            "close.list_leads: unknown parameter 'limt'; did you mean 'limit'?"
        );
        assert_eq!(
            check("list_leads", "return { colour = 'x' }").unwrap_err(),
            "close.list_leads: unknown parameter 'colour'; known parameters: query, limit, skip"
        );
        assert_eq!(
            check("get_current_user", "return { x = 1 }").unwrap_err(),
            "close.get_current_user: unknown parameter 'x'; close.get_current_user takes no parameters"
        );
    }

    #[test]
    fn the_closest_name_is_one_slip_away() {
        let names = ["id", "limit", "page_size", "list_leads", "list_contacts"];
        assert_eq!(closest("ix", names), Some("id"));
        assert_eq!(closest("xy", names), None);
        assert_eq!(closest("LIMIT", names), Some("limit"));
        assert_eq!(closest("limt", names), Some("limit"));
        assert_eq!(closest("lmt", names), None);
        assert_eq!(closest("pagesize", names), Some("page_size"));
        assert_eq!(closest("list_lead", names), Some("list_leads"));
        assert_eq!(closest("lst_contcs", names), Some("list_contacts"));
        assert_eq!(closest("contacts", names), None);
        // Equally close: the first.
        assert_eq!(closest("ab", ["aa", "bb"]), Some("aa"));
    }

    #[test]
    fn types_and_limits() {
        assert_eq!(
            check("list_leads", "return { limit = 500 }").unwrap_err(),
            "close.list_leads: parameter 'limit' must be from 1 to 100, got 500"
        );
        assert_eq!(
            check("list_leads", "return { limit = 0 }").unwrap_err(),
            "close.list_leads: parameter 'limit' must be from 1 to 100, got 0"
        );
        assert_eq!(
            check("list_leads", "return { limit = '10' }").unwrap_err(),
            "close.list_leads: parameter 'limit' must be an integer, got the string \"10\""
        );
        assert_eq!(check("list_leads", "return { limit = 10.0 }").unwrap().int("limit"), Some(10));
        assert!(
            check("list_leads", "return { skip = -1 }").unwrap_err().ends_with("must be at least 0, got -1")
        );
        assert_eq!(
            check("create_task", "return { text = 'x', is_complete = 'yes' }").unwrap_err(),
            "close.create_task: parameter 'is_complete' must be a boolean, got the string \"yes\""
        );
    }

    #[test]
    fn required_and_empty_ids() {
        assert_eq!(
            check("get_lead", "return {}").unwrap_err(),
            "close.get_lead: parameter 'id' is required (string)"
        );
        assert_eq!(
            check("get_lead", "return nil").unwrap_err(),
            "close.get_lead: parameter 'id' is required (string)"
        );
        assert_eq!(
            check("get_lead", "return { id = '' }").unwrap_err(),
            "close.get_lead: parameter 'id' must not be empty"
        );
        assert!(check("get_current_user", "return nil").is_ok());
    }

    #[test]
    fn types_are_named_with_their_article() {
        assert_eq!(
            check("get_lead", "return 5").unwrap_err(),
            "close.get_lead: expected a table of named parameters, got an integer; call it as close.get_lead({ ... })"
        );
        assert!(check("get_lead", "return 2.5").unwrap_err().contains(" got a number;"));
        assert!(check("get_lead", "return print").unwrap_err().contains(" got a function;"));
    }

    #[test]
    fn positional_arguments_are_refused() {
        assert_eq!(
            check("get_lead", "return 'lead_x'").unwrap_err(),
            "close.get_lead: expected a table of named parameters, got a string; call it as close.get_lead({ ... })"
        );
        assert!(check("get_lead", "return { 'lead_x' }").unwrap_err().contains("parameters must be named"));
    }

    #[test]
    fn null_only_where_a_field_can_be_cleared() {
        let ok = check("update_lead", "return { id = 'l', url = json_null }");
        assert_eq!(ok.unwrap().get("url"), Some(&ParamValue::Null));
        assert_eq!(
            check("get_lead", "return { id = json_null }").unwrap_err(),
            "close.get_lead: parameter 'id' is required and cannot be json.null; give it a string"
        );
        assert_eq!(
            check("list_leads", "return { query = json_null }").unwrap_err(),
            "close.list_leads: parameter 'query' cannot be json.null; leave it out instead"
        );
        let custom = check("update_lead", "return { id = 'l', custom = { Industry = json_null } }").unwrap();
        assert_eq!(custom.get("custom"), Some(&ParamValue::Json(serde_json::json!({"Industry": null}))));
    }

    #[test]
    fn task_dates_are_a_day_or_a_moment() {
        let date = |text: &str| {
            check("create_task", &format!("return {{ text = 't', lead_id = 'l', due_date = '{text}' }}"))
        };
        for good in [
            "2026-04-15",
            "2026-04-15T09:00",
            "2026-04-15T09:00:00",
            "2026-04-15T09:00:00Z",
            "2026-04-15T09:00:00.123456+00:00",
            "2026-04-15T23:59:59-05:30",
            "2026-04-15T09:00+0200",
            "2026-04-15T09:00:00-03",
        ] {
            assert_eq!(date(good).unwrap().str("due_date"), Some(good), "{good}");
        }
        for bad in [
            "tomorrow",
            "2026-4-15",
            "2026-02-30",
            "2026-13-01",
            "2026-04-1é",
            "+2026-04-15",
            "2026-04-15 09:00",
            "2026-04-15T",
            "2026-04-15Tgarbage",
            "2026-04-15T9:00",
            "2026-04-15T25:00:00",
            "2026-04-15T09:00:00+2:00",
            "2026-04-15T09:00:00+25:00",
            "2026-04-15T09:00:00z",
            "2026-04-15T09:00:00+02:",
            "2026-04-15T09:00:00+2",
            "2026-04-15T09:00.5",
            "2026-04-15T09:00:00.",
            "2026-04-15T09:00:00ZZ",
        ] {
            assert_eq!(
                date(bad).unwrap_err(),
                format!(
                    "close.create_task: parameter 'due_date' must be a date (2026-04-15) or an ISO 8601 date \
                     and time (2026-04-15T09:00:00+00:00), got \"{bad}\""
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn choices_ignore_case() {
        assert_eq!(check("list_activities", "return { type = 'Email' }").unwrap().str("type"), Some("email"));
        assert_eq!(
            check("list_activities", "return { type = 'fax' }").unwrap_err(),
            "close.list_activities: parameter 'type' must be one of \"email\", \"call\", \"note\", \"sms\", \"meeting\", got \"fax\""
        );
    }

    #[test]
    fn tables_follow_the_json_rules() {
        let ok = check(
            "create_lead",
            "return { name = 'A', contacts = { { name = 'J', emails = {} } }, custom = {} }",
        )
        .unwrap();
        assert_eq!(
            ok.get("contacts"),
            Some(&ParamValue::Json(serde_json::json!([{"name": "J", "emails": []}])))
        );
        assert_eq!(ok.get("custom"), Some(&ParamValue::Json(serde_json::json!({}))));
        assert_eq!(
            check("create_lead", "return { name = 'A', contacts = { name = 'J' } }").unwrap_err(),
            "close.create_lead: parameter 'contacts' must be a list (a table like { a, b }), got a table with named keys"
        );
        assert_eq!(
            check("create_lead", "return { name = 'A', contacts = { 'J' } }").unwrap_err(),
            "close.create_lead: contacts[1] must be a table with named fields, got a string"
        );
        assert_eq!(
            check("update_lead", "return { id = 'l', custom = { 'SaaS' } }").unwrap_err(),
            "close.update_lead: parameter 'custom' must be a table with named keys, got a list"
        );
    }

    #[test]
    fn contacts_have_the_fields_close_takes() {
        let contacts =
            |code: &str| check("create_lead", &format!("return {{ name = 'A', contacts = {code} }}"));
        let all = "{ { name = 'J', title = 'CTO', emails = { { email = 'j@x.test', type = 'office' } },
            phones = { { phone = '+15555550100', type = 'mobile' } }, urls = { { url = 'https://x.test', type = 'url' } } },
            {}, { emails = {}, phones = {}, urls = {} } }";
        assert!(contacts(all).is_ok());
        // A contact as get_lead returns it can be sent back as it is.
        let copied = "{ { id = 'cont_1', lead_id = 'lead_1', name = 'J', display_name = 'J',
            organization_id = 'orga_1', date_created = 'x', integration_links = {}, ['custom.cf_1'] = 'v',
            phones = { { phone = '+15555550100', phone_formatted = '+1 555-555-0100', type = 'office', country = 'US' } } } }";
        assert!(contacts(copied).is_ok(), "{:?}", contacts(copied));
        for (code, message) in [
            (
                "{ { name = 'y', emials = { { email = 'a@b.c' } } } }",
                "contacts[1]: unknown field 'emials'; did you mean 'emails'?",
            ),
            ("{ { name = 'y' }, { Name = 'z' } }", "contacts[2]: unknown field 'Name'; did you mean 'name'?"),
            (
                "{ { company = 'y' } }",
                "contacts[1]: unknown field 'company'; the fields are name, title, emails, phones, urls",
            ),
            (
                "{ { phones = { { phone = '1' }, { phone = '2', typ = 'office' } } } }",
                "contacts[1].phones[2]: unknown field 'typ'; did you mean 'type'?",
            ),
            (
                "{ { urls = { { link = 'https://x.test' } } } }",
                "contacts[1].urls[1]: unknown field 'link'; the fields are url, type",
            ),
            (
                "{ { emails = { email = 'a@b.c' } } }",
                "contacts[1].emails must be a list of tables like { email = ..., type = ... }, got a table with named keys",
            ),
            (
                "{ { emails = 'a@b.c' } }",
                "contacts[1].emails must be a list of tables like { email = ..., type = ... }, got a string",
            ),
            (
                "{ { emails = { 'a@b.c' } } }",
                "contacts[1].emails[1] must be a table like { email = ..., type = ... }, got a string",
            ),
        ] {
            assert_eq!(contacts(code).unwrap_err(), format!("close.create_lead: {message}"), "{code}");
        }
    }

    #[test]
    fn null_inside_a_table_is_refused_with_its_place() {
        for (code, place) in [
            ("contacts = { { name = json_null } }", "contacts[1].name"),
            ("contacts = { { name = 'A' }, { emails = { json_null } } }", "contacts[2].emails[1]"),
            ("contacts = { { emails = { { email = json_null } } } }", "contacts[1].emails[1].email"),
            ("custom = { Tags = { 'a', json_null } }", "custom.Tags[2]"),
        ] {
            assert_eq!(
                check("create_lead", &format!("return {{ name = 'A', {code} }}")).unwrap_err(),
                format!("close.create_lead: {place} cannot be json.null; leave it out instead"),
                "{code}"
            );
        }
    }
}
