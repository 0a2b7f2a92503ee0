//! The `json` global: `json.encode`, `json.decode`, `json.null`, `json.array`, `json.object`.
//!
//! These follow the same rules as the bindings (see `json`), so a table that `json.encode`
//! accepts is one a binding accepts, and what the API returned encodes back as it came.

use mlua::{Lua, Table, Value};

use super::json::{self, Markers, NULL_MARKER};
use super::namespace::Glue;
use super::validate::{a_type, check_option_names, describe};

/// Installs the `json` global.
pub fn install(lua: &Lua, glue: &Glue) -> mlua::Result<()> {
    let module = lua.create_table()?;
    module.set("null", NULL_MARKER)?;
    module.set("encode", glue.function(lua, encode)?)?;
    module.set("decode", glue.function(lua, decode)?)?;
    module.set("array", glue.function(lua, |lua, table: Value| mark(lua, table, "array"))?)?;
    module.set("object", glue.function(lua, |lua, table: Value| mark(lua, table, "object"))?)?;
    lua.globals().set("json", module)
}

/// `json.encode(value [, { pretty = true }])`: JSON text.
fn encode(lua: &Lua, (value, options): (Value, Value)) -> Result<Value, String> {
    let pretty = match &options {
        Value::Nil => false,
        Value::Table(options) => {
            check_option_names("json.encode", options, &["pretty"])?;
            match options.get::<Value>("pretty").map_err(|err| err.to_string())? {
                Value::Nil => false,
                Value::Boolean(pretty) => pretty,
                other => {
                    return Err(format!(
                        "json.encode: option 'pretty' must be true or false, got {}",
                        describe(&other)
                    ));
                }
            }
        }
        other => {
            return Err(format!(
                "json.encode: options must be a table like {{ pretty = true }}, got {}",
                a_type(other)
            ));
        }
    };
    let json = json::encode(lua, &value, "value").map_err(|why| format!("json.encode: {why}"))?;
    let text = if pretty { serde_json::to_string_pretty(&json) } else { serde_json::to_string(&json) };
    let text = text.map_err(|err| format!("json.encode: {err}"))?;
    lua.create_string(text).map(Value::String).map_err(|err| err.to_string())
}

/// `json.decode(text)`: the Lua value of JSON text.
fn decode(lua: &Lua, text: Value) -> Result<Value, String> {
    let Value::String(text) = text else {
        return Err(format!("json.decode: expected a string of JSON text, got {}", a_type(&text)));
    };
    json::decode(lua, &text.as_bytes()).map_err(|why| format!("json.decode: {why}"))
}

/// `json.array(t)` and `json.object(t)`: mark a table (a new one when `t` is nil) so that
/// it encodes as a JSON array or object even when empty.
fn mark(lua: &Lua, table: Value, kind: &str) -> Result<Value, String> {
    let table: Table = match table {
        Value::Nil => lua.create_table().map_err(|err| err.to_string())?,
        Value::Table(table) => table,
        other => return Err(format!("json.{kind}: expected a table, got {}", a_type(&other))),
    };
    let markers = Markers::of(lua);
    let marker = if kind == "array" { markers.array.clone() } else { markers.object.clone() };
    match table.metatable() {
        None => {}
        Some(existing) if existing == markers.array || existing == markers.object => {}
        Some(_) => return Err(format!("json.{kind}: the table already has a metatable of its own")),
    }
    table.set_metatable(Some(marker)).map_err(|err| err.to_string())?;
    Ok(Value::Table(table))
}
