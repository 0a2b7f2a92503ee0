//! The handlers: one Rust function per Lua function, named alike.
//!
//! A handler receives parameters that `validate` has already checked, makes its HTTP
//! calls through the account's client, and shapes the answer into what scripts get.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use mlua::{Lua, Table, Value};

use super::Failure;
use super::dry_run::DryAccount;
pub use super::dry_run::DryRun;
use super::json;
use super::specs::DEFAULT_LIMIT;
use super::validate::{ParamValue, Validated};
use crate::close::client::path_segment;
use crate::close::custom_fields::{self, CustomField};
use crate::close::{ApiError, Client, FailureKind, Method};
use crate::config::Mode;

/// The client of one account and what the run has learnt about the account.
#[derive(Debug)]
pub struct AccountHandle {
    /// The account's HTTP client, shared with the threads that fetch pages ahead.
    pub client: Arc<Client>,
    /// The lead custom field definitions, fetched on first need.
    custom_fields: RefCell<Option<Rc<Vec<CustomField>>>>,
    /// What scripts may do with the account.
    pub mode: Mode,
    /// Set in a dry run: writes are reported instead of sent, and remembered.
    dry_run: Option<DryAccount>,
}

impl AccountHandle {
    /// Wraps a client.
    pub fn new(client: Client, mode: Mode, dry_run: Option<Rc<DryRun>>) -> AccountHandle {
        let dry_run = dry_run.map(DryAccount::new);
        AccountHandle { client: Arc::new(client), custom_fields: RefCell::new(None), mode, dry_run }
    }

    /// The account's lead custom fields, fetched once per run.
    pub(super) fn custom_fields(&self) -> Result<Rc<Vec<CustomField>>, ApiError> {
        if let Some(fields) = self.custom_fields.borrow().as_ref() {
            return Ok(Rc::clone(fields));
        }
        let fields = Rc::new(custom_fields::fetch(&self.client)?);
        *self.custom_fields.borrow_mut() = Some(Rc::clone(&fields));
        Ok(fields)
    }
}

/// The signature every handler shares.
pub type Handler = fn(&Lua, &AccountHandle, &Validated) -> Result<Value, Failure>;

/// The handler of a function spec, by name.
pub fn handler(name: &str) -> Option<Handler> {
    let handler: Handler = match name {
        "list_leads" => list_leads,
        "get_lead" => get_lead,
        "create_lead" => create_lead,
        "update_lead" => update_lead,
        "delete_lead" => delete_lead,
        "list_contacts" => list_contacts,
        "list_activities" => list_activities,
        "create_task" => create_task,
        "get_current_user" => get_current_user,
        _ => return None,
    };
    Some(handler)
}

fn list_leads(lua: &Lua, account: &AccountHandle, params: &Validated) -> Result<Value, Failure> {
    let mut query = paging(params);
    if let Some(search) = params.str("query") {
        query.insert(0, ("query", search.to_string()));
    }
    let page = get_page(lua, account, "/lead/", &query)?;
    let leads: Table = page.get("data")?;
    for lead in leads.sequence_values::<Table>() {
        name_custom_fields(lua, account, &lead?)?;
    }
    envelope(lua, &page, "leads", true)
}

fn get_lead(lua: &Lua, account: &AccountHandle, params: &Validated) -> Result<Value, Failure> {
    let path = lead_path(params);
    if let Some(dry_run) = &account.dry_run
        && let Some(lead) = dry_run.remembered_lead(account, lead_id(params), Method::Get, &path)?
    {
        return named_lead(lua, account, to_lua(lua, &lead)?);
    }
    let lead = call_json(lua, account, Method::Get, &path, &[], None)?;
    named_lead(lua, account, lead)
}

fn create_lead(lua: &Lua, account: &AccountHandle, params: &Validated) -> Result<Value, Failure> {
    let (body, custom) = lead_body(account, params)?;
    if let Some(dry_run) = &account.dry_run {
        let lead = dry_run.create_lead(account, &body)?;
        return named_lead(lua, account, to_lua(lua, &lead)?);
    }
    let lead = write_json(lua, account, params, Method::Post, "/lead/", &body, &custom)?;
    named_lead(lua, account, lead)
}

fn update_lead(lua: &Lua, account: &AccountHandle, params: &Validated) -> Result<Value, Failure> {
    let (body, custom) = lead_body(account, params)?;
    let path = lead_path(params);
    if let Some(dry_run) = &account.dry_run {
        let lead = dry_run.update_lead(account, lead_id(params), &path, &body)?;
        return named_lead(lua, account, to_lua(lua, &lead)?);
    }
    let lead = write_json(lua, account, params, Method::Put, &path, &body, &custom)?;
    named_lead(lua, account, lead)
}

fn delete_lead(_lua: &Lua, account: &AccountHandle, params: &Validated) -> Result<Value, Failure> {
    let path = lead_path(params);
    if let Some(dry_run) = &account.dry_run {
        dry_run.delete_lead(account, lead_id(params), &path)?;
        return Ok(Value::Boolean(true));
    }
    // Close answers `{}`, some endpoints 204 with no body; either way there is nothing to read.
    match account.client.call(Method::Delete, &path, &[], None) {
        Ok(_) => Ok(Value::Boolean(true)),
        // A 404 after a try that may have deleted the lead (its answer was lost to a
        // timeout, or a 502 from a proxy) means that try did: the delete is done. After
        // tries that did nothing (a 429, a connection refused) the 404 stands.
        Err(err) if err.status == Some(404) && err.effect_unknown => {
            log::info!(
                "DELETE {path}: 404 on try {}; an earlier try whose answer was lost deleted it",
                err.retries + 1
            );
            Ok(Value::Boolean(true))
        }
        Err(err) => Err(err.into()),
    }
}

fn list_contacts(lua: &Lua, account: &AccountHandle, params: &Validated) -> Result<Value, Failure> {
    let mut query = paging(params);
    if let Some(lead_id) = params.str("lead_id") {
        query.insert(0, ("lead_id", lead_id.to_string()));
    }
    let page = get_page(lua, account, "/contact/", &query)?;
    envelope(lua, &page, "contacts", false)
}

fn list_activities(lua: &Lua, account: &AccountHandle, params: &Validated) -> Result<Value, Failure> {
    let mut query = paging(params);
    let lead_id = params.str("lead_id");
    let kind = params.str("type").map(api_activity_type);

    // Close honours `_type` on /activity/ only together with `lead_id`; without a lead, the
    // per-type endpoint gives the same filter across the organisation.
    let path = match (lead_id, kind) {
        (Some(lead_id), Some((api_type, _))) => {
            query.insert(0, ("lead_id", lead_id.to_string()));
            query.insert(1, ("_type", api_type.to_string()));
            "/activity/".to_string()
        }
        (Some(lead_id), None) => {
            query.insert(0, ("lead_id", lead_id.to_string()));
            "/activity/".to_string()
        }
        (None, Some((_, segment))) => format!("/activity/{segment}/"),
        (None, None) => "/activity/".to_string(),
    };

    let page = get_page(lua, account, &path, &query)?;
    let activities: Table = page.get("data")?;
    for activity in activities.sequence_values::<Table>() {
        add_activity_fields(&activity?)?;
    }
    envelope(lua, &page, "activities", false)
}

fn create_task(lua: &Lua, account: &AccountHandle, params: &Validated) -> Result<Value, Failure> {
    let mut body = serde_json::Map::new();
    body.insert("_type".into(), "lead".into());
    for (param, value) in params.iter() {
        body.insert(param.api_name.to_string(), json_of(value));
    }
    let body = serde_json::Value::Object(body);
    if let Some(dry_run) = &account.dry_run {
        let task = dry_run.create_task(account, &body)?;
        return to_lua(lua, &task);
    }
    write_json(lua, account, params, Method::Post, "/task/", &body, &[])
}

/// A JSON value as Lua, by the bridge's rules.
fn to_lua(lua: &Lua, value: &serde_json::Value) -> Result<Value, Failure> {
    json::decode(lua, value.to_string().as_bytes()).map_err(Failure::Usage)
}

fn get_current_user(lua: &Lua, account: &AccountHandle, _params: &Validated) -> Result<Value, Failure> {
    call_json(lua, account, Method::Get, "/me/", &[], None)
}

/// `_limit` (the spec's default when not given) and `_skip`.
fn paging(params: &Validated) -> Vec<(&'static str, String)> {
    let mut query = vec![("_limit", params.int("limit").unwrap_or(DEFAULT_LIMIT).to_string())];
    if let Some(skip) = params.int("skip") {
        query.push(("_skip", skip.to_string()));
    }
    query
}

/// `/lead/<id>/` for a lead function's `id`.
fn lead_path(params: &Validated) -> String {
    path_of_lead(lead_id(params))
}

/// `/lead/<id>/`, with the id encoded so it cannot change the path.
pub(super) fn path_of_lead(id: &str) -> String {
    format!("/lead/{}/", path_segment(id))
}

/// The `id` of a lead function.
fn lead_id(params: &Validated) -> &str {
    params.str("id").unwrap_or_default()
}

/// The Close `_type` and per-type path segment for a Lua activity type.
pub fn api_activity_type(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "email" => ("Email", "email"),
        "call" => ("Call", "call"),
        "note" => ("Note", "note"),
        "sms" => ("SMS", "sms"),
        _ => ("Meeting", "meeting"),
    }
}

/// A parameter value as JSON.
fn json_of(value: &ParamValue) -> serde_json::Value {
    match value {
        ParamValue::Str(s) => serde_json::Value::from(s.as_str()),
        ParamValue::Int(i) => serde_json::Value::from(*i),
        ParamValue::Bool(b) => serde_json::Value::from(*b),
        ParamValue::Json(json) => json.clone(),
        ParamValue::Null => serde_json::Value::Null,
    }
}

/// The body of a lead create or update: the given fields, with custom field names turned
/// into top-level `custom.cf_...` keys, and the names given for each id. An unknown name
/// fails before anything is written.
fn lead_body(
    account: &AccountHandle,
    params: &Validated,
) -> Result<(serde_json::Value, CustomNames), Failure> {
    let mut body = serde_json::Map::new();
    let mut names = Vec::new();
    for (param, value) in params.iter() {
        match (param.name, value) {
            ("id", _) => {}
            ("custom", ParamValue::Json(serde_json::Value::Object(custom))) => {
                for (name, value) in custom {
                    let id = custom_field_id(account, name)?;
                    body.insert(format!("custom.{id}"), value.clone());
                    names.push((id, name.clone()));
                }
            }
            ("custom", _) => {}
            _ => {
                body.insert(param.api_name.to_string(), json_of(value));
            }
        }
    }
    Ok((serde_json::Value::Object(body), names))
}

/// Custom field ids with the names a script gave them.
type CustomNames = Vec<(String, String)>;

/// Makes a write and, when Close rejects fields, reports them by the names the script used.
fn write_json(
    lua: &Lua,
    account: &AccountHandle,
    params: &Validated,
    method: Method,
    path: &str,
    body: &serde_json::Value,
    custom: &[(String, String)],
) -> Result<Value, Failure> {
    call_json(lua, account, method, path, &[], Some(body)).map_err(|failure| match failure {
        Failure::Api(mut err) => {
            err.rename_fields(|field| script_field_name(params, field, custom));
            Failure::Api(err)
        }
        other => other,
    })
}

/// The script's name for a field Close names in an error: `date` is `due_date`, `status` is
/// `status_id`, `custom.cf_...` is `custom.<name given>`.
fn script_field_name(params: &Validated, field: &str, custom: &[(String, String)]) -> Option<String> {
    if let Some(id) = field.strip_prefix("custom.") {
        let (_, name) = custom.iter().find(|(known, _)| known == id)?;
        return Some(format!("custom.{name}"));
    }
    let spec = params.spec;
    if let Some(param) = spec.params.iter().find(|param| param.api_name == field && param.name != field) {
        return Some(param.name.to_string());
    }
    // Close names a relation by its object (`status`, `lead`) where the request sent its id.
    let id_name = format!("{field}_id");
    spec.param(&id_name).map(|param| param.name.to_string())
}

/// The `cf_` id for a custom field name; the definitions are fetched only for names.
fn custom_field_id(account: &AccountHandle, name: &str) -> Result<String, Failure> {
    if name.starts_with("cf_") {
        return Ok(name.to_string());
    }
    let fields = account.custom_fields()?;
    let id = custom_fields::resolve(&fields, name).map_err(|why| Failure::Usage(format!("custom: {why}")))?;
    Ok(id.to_string())
}

/// Makes one call and decodes its JSON answer.
fn call_json(
    lua: &Lua,
    account: &AccountHandle,
    method: Method,
    path: &str,
    query: &[(&str, String)],
    body: Option<&serde_json::Value>,
) -> Result<Value, Failure> {
    let bytes = account.client.call(method, path, query, body)?;
    // The start of the answer, kept for the message should it not be JSON; the answer
    // itself is handed over whole, without a copy.
    let head = bytes[..bytes.len().min(512)].to_vec();
    json::decode_owned(lua, bytes).map_err(|why| invalid_json(account, method, path, &why, &head))
}

/// The error of a successful answer that is not valid JSON, quoting the start of `body`.
pub(super) fn invalid_json(
    account: &AccountHandle,
    method: Method,
    path: &str,
    why: &dyn std::fmt::Display,
    body: &[u8],
) -> Failure {
    let excerpt = crate::close::error::excerpt(&body[..body.len().min(512)]);
    invalid_response(account, method, path, format!("the answer was not valid JSON ({why}): \"{excerpt}\""))
}

/// The error of a successful answer that is not what Close sends.
fn invalid_response(account: &AccountHandle, method: Method, path: &str, message: String) -> Failure {
    let mut err = ApiError::without_response(
        FailureKind::InvalidResponse,
        message,
        method,
        path,
        account.client.account(),
    );
    err.status = Some(200);
    Failure::Api(err)
}

/// Fetches a list page and checks that it has the `data` list of Close's envelope.
fn get_page(
    lua: &Lua,
    account: &AccountHandle,
    path: &str,
    query: &[(&str, String)],
) -> Result<Table, Failure> {
    let page = call_json(lua, account, Method::Get, path, query, None)?;
    match &page {
        Value::Table(table) if matches!(table.get::<Value>("data")?, Value::Table(_)) => Ok(table.clone()),
        _ => Err(invalid_response(account, Method::Get, path, "the answer had no \"data\" list".to_string())),
    }
}

/// The result of a list function: the page's rows under `key`, `has_more`, and for leads
/// `total_results` (Close does not always send it, so it may be nil).
fn envelope(lua: &Lua, page: &Table, key: &str, with_total: bool) -> Result<Value, Failure> {
    let result = lua.create_table_with_capacity(0, 3)?;
    result.set(key, page.get::<Table>("data")?)?;
    result.set("has_more", page.get::<Option<bool>>("has_more")?.unwrap_or(false))?;
    if with_total {
        result.set("total_results", page.get::<Value>("total_results")?)?;
    }
    Ok(Value::Table(result))
}

/// A lead answer with `custom` keyed by field name.
fn named_lead(lua: &Lua, account: &AccountHandle, lead: Value) -> Result<Value, Failure> {
    if let Value::Table(table) = &lead {
        name_custom_fields(lua, account, table)?;
    }
    Ok(lead)
}

/// Gives a lead a `custom` table keyed by field name. Close still sends one (deprecated); when
/// it does not, the table is built from the `custom.cf_...` keys and the field definitions.
pub fn name_custom_fields(lua: &Lua, account: &AccountHandle, lead: &Table) -> Result<(), Failure> {
    if let Value::Table(_) = lead.raw_get::<Value>("custom")? {
        return Ok(());
    }
    let mut values = Vec::new();
    for pair in lead.pairs::<mlua::LuaString, Value>() {
        let (key, value) = pair?;
        if let Some(id) = key.to_str().ok().and_then(|key| key.strip_prefix("custom.").map(str::to_string)) {
            values.push((id, value));
        }
    }
    let custom = lua.create_table()?;
    if values.is_empty() {
        custom.set_metatable(Some(json::Markers::of(lua).object))?;
    } else {
        let fields = account.custom_fields()?;
        for (id, value) in values {
            let name = custom_fields::name_of(&fields, &id).unwrap_or(&id);
            custom.set(name, value)?;
        }
    }
    lead.raw_set("custom", custom)?;
    Ok(())
}

/// Adds `type` (the lowercase `_type`) and `body_preview` to an activity.
pub fn add_activity_fields(activity: &Table) -> mlua::Result<()> {
    if let Some(kind) = activity.raw_get::<Option<mlua::LuaString>>("_type")? {
        activity.raw_set("type", kind.to_string_lossy().to_lowercase())?;
    }
    let mut preview = String::new();
    for field in ["body_preview", "body_text", "note", "text", "title"] {
        if let Some(Value::String(text)) = activity.raw_get::<Option<Value>>(field)? {
            preview = short_preview(&text.to_string_lossy());
            if !preview.is_empty() {
                break;
            }
        }
    }
    activity.raw_set("body_preview", preview)
}

/// How many characters a preview keeps.
const PREVIEW_CHARS: usize = 200;

/// The text on one line with runs of white space collapsed, cut to [`PREVIEW_CHARS`].
fn short_preview(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(PREVIEW_CHARS) {
        Some((cut, _)) => format!("{}...", line[..cut].trim_end()),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_are_one_short_line() {
        assert_eq!(short_preview("  Hello,\n\n  world \t!  "), "Hello, world !");
        let long = "word ".repeat(100);
        let preview = short_preview(&long);
        assert!(preview.ends_with("word...") && preview.chars().count() <= PREVIEW_CHARS + 3, "{preview}");
    }

    #[test]
    fn activity_fields() {
        let lua = Lua::new();
        let activity: Table = lua.load("return { _type = 'SMS', text = 'See you\\nat 3' }").eval().unwrap();
        add_activity_fields(&activity).unwrap();
        assert_eq!(activity.get::<String>("type").unwrap(), "sms");
        assert_eq!(activity.get::<String>("body_preview").unwrap(), "See you at 3");

        let empty: Table = lua.load("return { _type = 'Meeting', note = '' }").eval().unwrap();
        add_activity_fields(&empty).unwrap();
        assert_eq!(empty.get::<String>("body_preview").unwrap(), "");
    }
}
