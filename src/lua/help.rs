//! The `help` global: `help(app.integrations.close.list_leads)` prints that function's
//! reference, `help(app.integrations.close)` the functions and accounts.

use mlua::{Function, Lua, Table, Value};

use super::reference;
use super::specs;
use super::validate::a_type;

/// The functions of every namespace, each with its spec name, so `help` can tell which
/// function it was given. Weak keys: the index keeps no function alive.
#[derive(Clone)]
pub struct HelpIndex(Table);

impl HelpIndex {
    fn new(lua: &Lua) -> mlua::Result<HelpIndex> {
        let table = lua.create_table()?;
        let weak = lua.create_table()?;
        weak.set("__mode", "k")?;
        table.set_metatable(Some(weak))?;
        Ok(HelpIndex(table))
    }

    /// Records that `function` is the binding `name`.
    pub fn add(lua: &Lua, function: &Function, name: &str) -> mlua::Result<()> {
        match lua.app_data_ref::<HelpIndex>() {
            Some(index) => index.0.raw_set(function.clone(), name),
            None => Ok(()),
        }
    }
}

/// What `help(app.integrations.close)` says about the accounts.
pub type AccountsLine = Box<dyn Fn() -> String>;

/// Installs `help`.
pub fn install(lua: &Lua, accounts: AccountsLine) -> mlua::Result<()> {
    let index = HelpIndex::new(lua)?;
    lua.set_app_data(index.clone());
    let write: Function = lua
        .load("local out = io.stdout return function(text) out:write(text) end")
        .set_name("=[close-lua]")
        .eval()?;
    let raw = lua.create_function(move |lua, what: Value| match describe(lua, &index, &what, &accounts) {
        Ok(text) => {
            write.call::<()>(text)?;
            Ok((true, Value::Nil))
        }
        Err(message) => Ok((false, Value::String(lua.create_string(message)?))),
    })?;
    // Unlike the glue's wrapper, this one returns nothing at all, as `print` does, so that
    // the REPL shows no `nil` after the text. An error names the caller's line (level 2).
    let help: Function = lua
        .load(
            "local raw = ...
return function(what)
  local ok, message = raw(what)
  if not ok then error(message, 2) end
end",
        )
        .set_name("=[close-lua]")
        .call(raw)?;
    lua.globals().set("help", help)
}

fn describe(lua: &Lua, index: &HelpIndex, what: &Value, accounts: &AccountsLine) -> Result<String, String> {
    let named = |name: &str| lua.globals().get::<Value>(name).map(|global| global == *what).unwrap_or(false);
    match what {
        Value::Nil => Ok(INTRO.to_string()),
        Value::Function(function) => {
            let name: Option<String> = index.0.raw_get(function.clone()).map_err(|err| err.to_string())?;
            let spec = name.as_deref().and_then(specs::find);
            spec.map(reference::function_markdown)
                .ok_or_else(|| "help: that function is not one of app.integrations.close's".to_string())
        }
        Value::Table(table) if namespace_path(table).is_some() => {
            let path = namespace_path(table).unwrap_or_default();
            // An account's namespace calls that account only; the list of all is the bare one's.
            let line = match path.strip_prefix("app.integrations.close.") {
                Some(account) => format!("account: {account} (help(app.integrations.close) lists them all)"),
                None => format!("accounts: {}", accounts()),
            };
            Ok(reference::overview(&path, &line))
        }
        _ if named("json") => Ok(JSON.to_string()),
        _ if named("csv") => Ok(CSV.to_string()),
        other => Err(format!("help: no help for {}; try help(app.integrations.close)", a_type(other))),
    }
}

/// The Lua path of one of the `app.integrations.close` namespaces; `None` for other tables.
fn namespace_path(table: &Table) -> Option<String> {
    let name = table.metatable().and_then(|meta| meta.raw_get::<Option<String>>("__name").ok().flatten());
    name.filter(|name| name.starts_with("app.integrations.close"))
}

const INTRO: &str = "\
help(app.integrations.close)             the functions and the accounts
help(app.integrations.close.list_leads)  one function: parameters, result, an example
help(json), help(csv)                    the json and csv globals
close-lua docs prints the whole reference as Markdown.
";

const JSON: &str = "\
json.encode(value [, { pretty = true }])  JSON text of a Lua value
json.decode(text)                         the Lua value of JSON text
json.null                                 JSON null: in lists, and to clear a field
json.array(t), json.object(t)             mark a table to encode as [] or {} when empty
";

const CSV: &str = "\
csv.writer(path or \"-\", { columns = {...} })  :write(row) and :close(); \"-\" is stdout
csv.reader(path or \"-\")                      for row in csv.reader(path) do ... end
";
