//! `app.integrations.close` and its account namespaces.
//!
//! The bare namespace and `.default` call the run's default account; `.<name>` calls a named
//! account. Functions are plain fields; account namespaces are created on first access, which
//! is also when the config file is first read. Each account has one `AccountHandle` (one
//! client, one kept-alive connection) however many namespaces reach it.

use std::cell::{OnceCell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use mlua::{Function, Lua, Table, Value};

use super::Failure;
use super::functions::{self, AccountHandle};
use super::iterators;
use super::json::Markers;
use super::specs::{self, FunctionSpec};
use super::validate;
use crate::close::{ApiError, Client, Method};
use crate::config::{ConfigError, Mode};
use crate::interrupt;
use crate::sandbox::Sandbox;
use crate::settings::{Accounts, Settings};

/// The Lua glue: the wrapper that raises error values, their metatable, and the runner of
/// the main chunk.
#[derive(Clone)]
pub struct Glue {
    /// Wraps a Rust function returning `ok, result` into one that raises on failure.
    pub wrap: Function,
    /// The same for a Rust function whose result is the list of a generic `for`'s values.
    pub wrap_iterator: Function,
    /// The metatable of the error values bindings raise.
    pub error_metatable: Table,
    /// Calls a function under `xpcall`, returning `true, ...` or `false, { value, traceback }`.
    pub run: Function,
}

impl Glue {
    /// A Lua function from `f`. An `Err(message)` is raised as a string error that names the
    /// script line of the call, like Lua's own argument errors.
    pub fn function<A, F>(&self, lua: &Lua, f: F) -> mlua::Result<Function>
    where
        A: mlua::FromLuaMulti,
        F: Fn(&Lua, A) -> Result<Value, String> + 'static,
    {
        let raw = lua.create_function(move |lua, args: A| match f(lua, args) {
            Ok(value) => Ok((true, value)),
            Err(message) => Ok((false, Value::String(lua.create_string(message)?))),
        })?;
        self.wrap.call(raw)
    }

    fn load(lua: &Lua) -> mlua::Result<Glue> {
        let glue: Table = lua.load(include_str!("glue.lua")).set_name("=[close-lua]").eval()?;
        Ok(Glue {
            wrap: glue.get("wrap")?,
            wrap_iterator: glue.get("wrap_iterator")?,
            error_metatable: glue.get("Error")?,
            run: glue.get("run")?,
        })
    }
}

/// Which account a namespace calls.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// The run's default account.
    Default,
    /// An account by name.
    Named(String),
}

impl Target {
    /// The namespace's Lua path, for messages.
    fn lua_path(&self) -> String {
        match self {
            Target::Default => "app.integrations.close".to_string(),
            Target::Named(name) => format!("app.integrations.close.{name}"),
        }
    }
}

/// What the bindings share in one run: the settings, the accounts once loaded, and one
/// handle per account.
pub struct Context {
    settings: Settings,
    /// In a dry run, the writes not sent.
    dry_run: Option<Rc<functions::DryRun>>,
    accounts: OnceCell<Result<Accounts, ConfigError>>,
    handles: RefCell<BTreeMap<String, Rc<AccountHandle>>>,
    /// Kept alive for the run once started.
    sandbox: OnceCell<Sandbox>,
}

impl Context {
    /// A context that has read nothing yet.
    pub fn new(settings: Settings) -> Context {
        let dry_run = settings.dry_run.then(Rc::default);
        Context {
            settings,
            dry_run,
            accounts: OnceCell::new(),
            handles: RefCell::default(),
            sandbox: OnceCell::new(),
        }
    }

    /// The run's accounts, read on first need. In sandbox runs this starts the sandbox.
    fn accounts(&self) -> Result<&Accounts, ConfigError> {
        self.accounts.get_or_init(|| self.load_accounts()).as_ref().map_err(Clone::clone)
    }

    fn load_accounts(&self) -> Result<Accounts, ConfigError> {
        let (accounts, sandbox) = crate::run_accounts::open(&self.settings)?;
        if let Some(sandbox) = sandbox {
            let _ = self.sandbox.set(sandbox);
        }
        Ok(accounts)
    }

    /// The accounts in a line, for `help(app.integrations.close)`.
    fn accounts_line(&self) -> String {
        match self.accounts() {
            Ok(accounts) => {
                let default =
                    accounts.default.as_ref().map(|name| format!(" (default: {name})")).unwrap_or_default();
                format!("{}{default}", accounts.known_names())
            }
            Err(err) => format!("none usable: {}", err.message),
        }
    }

    /// The handle of the account a namespace calls.
    fn handle(&self, target: &Target) -> Result<Rc<AccountHandle>, ConfigError> {
        let accounts = self.accounts()?;
        let name = match target {
            Target::Default => accounts.default.clone()?,
            Target::Named(name) => name.clone(),
        };
        if let Some(handle) = self.handles.borrow().get(&name) {
            return Ok(Rc::clone(handle));
        }
        let account = accounts.get(&name)?;
        let client = Client::new(account, accounts.network);
        let handle = Rc::new(AccountHandle::new(client, account.mode, self.dry_run.clone()));
        self.handles.borrow_mut().insert(name, Rc::clone(&handle));
        Ok(handle)
    }

    /// One binding call: validate, find the account, run the handler.
    fn call(
        &self,
        lua: &Lua,
        spec: &'static FunctionSpec,
        target: &Target,
        params: &Value,
        glue: &Glue,
    ) -> Result<Value, Failure> {
        let params = validate::validate(lua, spec, params).map_err(Failure::Usage)?;
        let handle = self.handle(target).map_err(|err| self.settings.explain(err))?;
        let (needed, operation) = match spec.method {
            Method::Get => (Mode::Read, "read"),
            Method::Post | Method::Put => (Mode::Write, "write"),
            Method::Delete => (Mode::Delete, "delete"),
        };
        if handle.mode < needed {
            let account = handle.client.account().to_string();
            return Err(Failure::Refused { account, mode: handle.mode, operation });
        }
        if spec.iterator {
            let progress = !self.settings.quiet && iterators::progress_possible();
            return iterators::start(lua, handle, &params, &glue.wrap, progress);
        }
        let handler = functions::handler(spec.name).expect("every spec has a handler");
        handler(lua, &handle, &params)
    }
}

/// What has to happen however a run ends, `os.exit`, Ctrl-C and `--max-runtime` included:
/// open CSV writers are flushed and a dry run says how many writes it did not send. Returns
/// the exit status the run must end with instead of its own, if Ctrl-C was pressed.
pub fn end_of_run(lua: &Lua) -> Option<i32> {
    super::csv::flush_all(lua);
    let context = lua.app_data_ref::<Rc<Context>>().map(|context| Rc::clone(&context));
    if let Some(dry_run) = context.as_ref().and_then(|context| context.dry_run.as_ref()) {
        crate::runner::flush_lua_output();
        eprintln!("close-lua: {}", dry_run.summary());
        interrupt::set_farewell(None);
    }
    (interrupt::requested() && !interrupt::interactive()).then_some(interrupt::EXIT_INTERRUPTED)
}

/// Keeps what a run stopped off the script's thread must still say (see
/// [`interrupt::set_farewell`]) up to date, and has CSV writers flushed whenever the script
/// blocks in a call, which such a stop may end.
fn prepare_for_stops(lua: &Lua, context: &Context) {
    if let Some(dry_run) = &context.dry_run {
        interrupt::set_farewell(Some(dry_run.summary()));
    }
    let lua = lua.weak();
    interrupt::before_blocking(Box::new(move || {
        if let Some(lua) = lua.try_upgrade() {
            super::csv::flush_all(&lua);
        }
    }));
}

/// Makes `os.exit` run [`end_of_run`] first, and end with its status after Ctrl-C.
fn wrap_exit(lua: &Lua) -> mlua::Result<()> {
    let end = lua.create_function(|lua, ()| Ok(end_of_run(lua)))?;
    let exit: Function = lua.globals().get::<Table>("os")?.get("exit")?;
    let code = "local finish, exit = ...
os.exit = function(code, ...)
  local status = finish()
  return exit(status or code, ...)
end";
    lua.load(code).set_name("=[close-lua]").call::<()>((end, exit))
}

/// Installs `app.integrations.close` into the VM.
pub fn install(lua: &Lua, context: Rc<Context>) -> mlua::Result<Glue> {
    lua.set_app_data(Rc::clone(&context));
    prepare_for_stops(lua, &context);
    wrap_exit(lua)?;
    let glue = Glue::load(lua)?;
    Markers::install(lua)?;
    super::json_module::install(lua, &glue)?;
    super::csv::install(lua, &glue)?;
    let help_context = Rc::clone(&context);
    super::help::install(lua, Box::new(move || help_context.accounts_line()))?;

    let close = namespace(lua, &glue, &context, Target::Default)?;
    close.raw_set("default", namespace(lua, &glue, &context, Target::Default)?)?;

    let integrations = lua.create_table()?;
    integrations.set("close", close)?;
    let app = lua.create_table()?;
    app.set("integrations", integrations)?;
    lua.globals().set("app", app)?;
    Ok(glue)
}

/// A table with every function, calling `target`.
fn namespace(lua: &Lua, glue: &Glue, context: &Rc<Context>, target: Target) -> mlua::Result<Table> {
    let table = lua.create_table_with_capacity(0, specs::FUNCTIONS.len())?;
    for spec in specs::FUNCTIONS {
        let (context, target, call_glue) = (Rc::clone(context), target.clone(), glue.clone());
        let raw = lua.create_function(move |lua, params: Value| {
            let result = context.call(lua, spec, &target, &params, &call_glue);
            if let Some(dry_run) = &context.dry_run {
                interrupt::set_farewell(Some(dry_run.summary()));
            }
            outcome(lua, spec.name, result)
        })?;
        let wrap = if spec.iterator { &glue.wrap_iterator } else { &glue.wrap };
        let function = wrap.call::<Function>(raw)?;
        super::help::HelpIndex::add(lua, &function, spec.name)?;
        table.raw_set(spec.name, function)?;
    }

    let (index_context, index_glue, index_target) = (Rc::clone(context), glue.clone(), target.clone());
    let index = lua.create_function(move |lua, (table, key): (Table, Value)| {
        let Value::String(key) = key else { return Ok((true, Value::Nil)) };
        let key = key.to_string_lossy();
        let found = lookup(lua, &index_glue, &index_context, &index_target, &key);
        if let Ok(Value::Table(namespace)) = &found {
            table.raw_set(key.as_str(), namespace.clone())?;
        }
        outcome(lua, "", found)
    })?;
    let metatable = lua.create_table()?;
    metatable.set("__index", glue.wrap.call::<Function>(index)?)?;
    metatable.set("__name", target.lua_path())?;
    if target == Target::Default {
        metatable.set("__pairs", account_pairs(lua, glue, context)?)?;
    }
    table.set_metatable(Some(metatable))?;
    Ok(table)
}

/// `__pairs` of the default namespace: the accounts are looked up only when first named, so
/// before a `for ... in pairs(app.integrations.close)` walks it, each gets its namespace.
fn account_pairs(lua: &Lua, glue: &Glue, context: &Rc<Context>) -> mlua::Result<Function> {
    let next: Function = lua.globals().get("next")?;
    let (context, glue) = (Rc::clone(context), glue.clone());
    lua.create_function(move |lua, table: Table| {
        // A config that cannot be read leaves the functions to list; calls report it.
        if let Ok(accounts) = context.accounts() {
            for name in accounts.by_name.keys() {
                if specs::find(name).is_none() && table.raw_get::<Value>(name.as_str())?.is_nil() {
                    table.raw_set(
                        name.as_str(),
                        namespace(lua, &glue, &context, Target::Named(name.clone()))?,
                    )?;
                }
            }
        }
        Ok((next.clone(), table, Value::Nil))
    })
}

/// What `namespace.<key>` is when `key` is not a function: an account namespace (only on the
/// bare namespace) or an error that says what was meant.
fn lookup(
    lua: &Lua,
    glue: &Glue,
    context: &Rc<Context>,
    target: &Target,
    key: &str,
) -> Result<Value, Failure> {
    let accounts = match target {
        Target::Default => Some(context.accounts()),
        Target::Named(_) => None,
    };
    if let Some(Ok(accounts)) = &accounts
        && accounts.by_name.contains_key(key)
    {
        return Ok(Value::Table(namespace(lua, glue, context, Target::Named(key.to_string()))?));
    }

    let path = target.lua_path();
    if let Some(function) = closest_function(key) {
        return Err(Failure::Usage(format!("no function {key} in {path}; did you mean {function}?")));
    }
    match accounts {
        Some(Err(err)) => Err(Failure::Config(context.settings.explain(err))),
        Some(Ok(accounts)) => {
            let known = accounts.known_names();
            Err(Failure::Usage(match validate::closest(key, accounts.by_name.keys().map(String::as_str)) {
                Some(name) => {
                    format!(
                        "no function or account named {key} in {path}; did you mean {name}? (accounts: {known})"
                    )
                }
                None => format!("no function or account named {key} in {path}; accounts: {known}"),
            }))
        }
        None => Err(Failure::Usage(format!("no function {key} in {path}"))),
    }
}

/// The function whose name is closest to `name`, if any is close.
fn closest_function(name: &str) -> Option<&'static str> {
    validate::closest(name, specs::FUNCTIONS.iter().map(|spec| spec.name))
}

/// Turns a call's outcome into the `ok, result` pair the glue expects.
pub(crate) fn outcome(
    lua: &Lua,
    function: &str,
    result: Result<Value, Failure>,
) -> mlua::Result<(bool, Value)> {
    let operation = (!function.is_empty()).then(|| format!("close.{function}"));
    let error = match result {
        Ok(value) => return Ok((true, value)),
        Err(Failure::Lua(err)) => return Err(err),
        Err(Failure::Usage(message)) => {
            let message = match &operation {
                Some(op) if !message.starts_with(op.as_str()) => format!("{op}: {message}"),
                _ => message,
            };
            return Ok((false, Value::String(lua.create_string(message)?)));
        }
        Err(Failure::Config(err)) => config_error_value(lua, &err)?,
        Err(Failure::Refused { account, mode, operation: would }) => {
            let value = lua.create_table()?;
            value.set("kind", "permission")?;
            value.set("account", account.as_str())?;
            value.set(
                "message",
                format!(
                    "account '{account}' is in {} mode, which does not allow this {would}; nothing was sent \
                     (mode is set under [accounts.{account}] in the config)",
                    mode.as_str()
                ),
            )?;
            value
        }
        Err(Failure::Api(err)) => api_error_value(lua, &err)?,
    };
    if let Some(operation) = operation {
        error.set("operation", operation)?;
    }
    Ok((false, Value::Table(error)))
}

/// The Lua error value of a configuration problem.
fn config_error_value(lua: &Lua, err: &ConfigError) -> mlua::Result<Table> {
    let value = lua.create_table()?;
    value.set("kind", "config")?;
    value.set("message", err.message.as_str())?;
    value.set("hint", err.hint.as_deref())?;
    Ok(value)
}

/// The Lua error value of a failed API call.
fn api_error_value(lua: &Lua, err: &ApiError) -> mlua::Result<Table> {
    let value = lua.create_table()?;
    value.set("kind", err.kind.as_str())?;
    value.set("status", err.status)?;
    value.set("message", err.message.as_str())?;
    let field_errors = lua.create_table()?;
    for (field, message) in &err.field_errors {
        field_errors.set(field.as_str(), message.as_str())?;
    }
    if err.field_errors.is_empty() {
        field_errors.set_metatable(Some(Markers::of(lua).object))?;
    }
    value.set("field_errors", field_errors)?;
    value.set("method", err.method.as_str())?;
    value.set("path", err.path.as_str())?;
    value.set("account", err.account.as_str())?;
    value.set("retries", err.retries)?;
    value.set("hint", err.hint())?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_find_their_function() {
        assert_eq!(closest_function("list_lead"), Some("list_leads"));
        assert_eq!(closest_function("getlead"), Some("get_lead"));
        assert_eq!(closest_function("us_team"), None);
    }
}
