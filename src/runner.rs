//! The Lua VM of one run: how a script is loaded, given its arguments, run and ended.
//!
//! Each run gets a fresh Lua 5.4 VM with the full standard library, like the `lua`
//! interpreter. Chunks are named so that errors read `script.lua:12: ...`; a first line
//! starting with `#` (a shebang) is blanked, keeping its newline so line numbers stay right.

use std::ffi::OsString;
use std::io::Read;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::{Duration, Instant};

use mlua::chunk::ChunkMode;
use mlua::{Function, HookTriggers, Lua, LuaOptions, MultiValue, StdLib, Table, Value, VmState};

use crate::cli::LuaOption;
use crate::interrupt;
use crate::lua::namespace::{self, Context, Glue};
use crate::settings::Settings;

/// Exit status of a run whose script failed.
pub const EXIT_SCRIPT_ERROR: i32 = 1;
/// Exit status of a usage or configuration error.
pub const EXIT_USAGE: i32 = 2;

/// Where a script's code comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A script file.
    File(PathBuf),
    /// Standard input (`-`).
    Stdin,
}

/// A script and its command line.
#[derive(Debug, Clone)]
pub struct Script {
    /// The `-e` chunks and `-l` modules, run in this order (before the script, when there
    /// is one: only `-l` modules can come with a script).
    pub lua_options: Vec<LuaOption>,
    /// The script; `None` when `-e` chunks run instead.
    pub source: Option<Source>,
    /// The arguments after the script, or after the options when chunks run: `arg[1]`,
    /// `arg[2]`... and the `...` of the script or of each chunk.
    pub args: Vec<OsString>,
    /// close-lua's own command line before `name`: `arg[-n]` .. `arg[-1]`.
    pub before: Vec<OsString>,
    /// `arg[0]`: the script's path or `-`; without a script, the last chunk.
    pub name: OsString,
}

/// Runs a script and returns the process's exit status.
pub fn run(settings: Settings, script: Script) -> i32 {
    match run_script(settings, script) {
        Ok(status) => status,
        Err(Ended { message, status }) => {
            flush_lua_output();
            let label = if status == interrupt::EXIT_INTERRUPTED { "" } else { "error: " };
            eprintln!("close-lua: {label}{message}");
            status
        }
    }
}

/// How a run ended when it did not end well.
pub(crate) struct Ended {
    /// What to tell the user.
    pub(crate) message: String,
    /// The exit status.
    pub(crate) status: i32,
}

impl Ended {
    fn script(message: impl Into<String>) -> Ended {
        Ended { message: message.into(), status: EXIT_SCRIPT_ERROR }
    }
}

impl From<mlua::Error> for Ended {
    fn from(err: mlua::Error) -> Ended {
        Ended::script(err.to_string())
    }
}

fn run_script(settings: Settings, script: Script) -> Result<i32, Ended> {
    // Everything is read and compiled before anything runs, so that a missing script or a
    // syntax error changes nothing.
    let code = script.source.as_ref().map(read_source).transpose()?;
    let (lua, glue) = new_vm(settings, false)?;
    lua.globals().set("arg", arg_table(&lua, &script)?)?;
    if let Some(Source::File(path)) = &script.source {
        search_beside(&lua, path)?;
    }
    let steps = lua_option_steps(&lua, &script.lua_options)?;
    let main = match (&code, &script.source) {
        (Some(code), Some(source)) => Some(compile(&lua, code, &chunk_name(source))?),
        _ => None,
    };
    run_lua_init(&lua)?;

    let sequence = lua.load(SEQUENCE).set_name("=[close-lua]").into_function()?;
    let main = sequence.call::<Function>((steps, main))?;
    execute(&lua, &glue, main, &script.args)
}

/// Makes one function of the `-e`/`-l` steps and the script, which `execute` runs like a
/// script. Its own frames are close-lua's, so tracebacks leave them out. A chunk rules out
/// a script (the words after the options are the chunk's arguments), so the arguments go
/// to the chunks, or else to the script after its `-l` modules.
///
/// `call` takes the function to call straight from `...`, so that a traceback names the
/// chunk "main chunk" as `lua` does, not after a variable of this code. `require` is called
/// through `pcall` so that its message names no line of this code either.
const SEQUENCE: &str = "local steps, script = ...
local function call(...) (...)(select(2, ...)) end
local function load(global, module)
  local ok, loaded = pcall(require, module)
  if not ok then error(loaded, 0) end
  _G[global] = loaded
end
return function(...)
  for _, step in ipairs(steps) do
    if type(step) ~= 'function' then
      load(step[1], step[2])
    else
      call(step, ...)
    end
  end
  if script then call(script, ...) end
end";

/// Compiles a chunk of Lua text; a syntax error is the script's failure.
fn compile(lua: &Lua, code: &[u8], name: &str) -> Result<Function, Ended> {
    lua.load(prepare(code))
        .set_name(name)
        .set_mode(ChunkMode::Text)
        .into_function()
        .map_err(|err| Ended::script(syntax_message(err)))
}

/// The `-e` and `-l` options as a Lua list: a compiled function for each chunk, and
/// `{ global, module }` for each module.
fn lua_option_steps(lua: &Lua, options: &[LuaOption]) -> Result<Table, Ended> {
    let steps = lua.create_table()?;
    for option in options {
        match option {
            LuaOption::Chunk(code) => steps.push(compile(lua, code.as_bytes(), "=(command line)")?)?,
            LuaOption::Module(spec) => {
                let (global, module) = module_global(spec);
                steps.push(lua.create_sequence_from([global, module])?)?;
            }
        }
    }
    Ok(steps)
}

/// The global and the module of `-l name=module` or `-l module`. As in `lua`, a module
/// named with a version suffix (`mod-v2`) goes into the global named before the '-'.
fn module_global(spec: &str) -> (&str, &str) {
    match spec.split_once('=') {
        Some((global, module)) => (global, module),
        None => (spec.split('-').next().unwrap_or(spec), spec),
    }
}

/// A fresh VM with the standard libraries, the bindings, `json`, `csv`, and the stops for
/// Ctrl-C and `--max-runtime`. In an `interactive` VM, Ctrl-C ends the current chunk with an
/// error instead of the process.
pub fn new_vm(settings: Settings, interactive: bool) -> mlua::Result<(Lua, Glue)> {
    // SAFETY: the full standard library includes `debug` and loading C modules, which mlua
    // calls unsafe because they can break memory safety. Scripts are the user's own code,
    // run with the user's rights, exactly as the `lua` interpreter would run them.
    let lua = unsafe { Lua::unsafe_new_with(StdLib::ALL, LuaOptions::default()) };
    install_stops(&lua, settings.max_runtime.zip(settings.deadline), interactive)?;
    let glue = namespace::install(&lua, Rc::new(Context::new(settings)))?;
    Ok((lua, glue))
}

/// Lets `require` find modules next to the script, wherever close-lua is started from (cron
/// starts jobs in `/`). The script's folder comes before the rest of `package.path`.
fn search_beside(lua: &Lua, script: &std::path::Path) -> mlua::Result<()> {
    let folder =
        script.parent().filter(|dir| !dir.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let folder = std::fs::canonicalize(folder).unwrap_or_else(|_| folder.to_path_buf());
    let folder = folder.to_string_lossy();
    let package: Table = lua.globals().get("package")?;
    let path: String = package.get("path")?;
    package.set("path", format!("{folder}/?.lua;{folder}/?/init.lua;{path}"))?;
    let cpath: String = package.get("cpath")?;
    package.set("cpath", format!("{folder}/?.so;{cpath}"))
}

/// Runs `LUA_INIT_5_4` or else `LUA_INIT` before the script (or the prompt), as the `lua`
/// interpreter does: a value starting with `@` names a file to run, anything else is Lua
/// code.
pub(crate) fn run_lua_init(lua: &Lua) -> Result<(), Ended> {
    let Some((name, value)) = ["LUA_INIT_5_4", "LUA_INIT"]
        .iter()
        .find_map(|name| std::env::var(name).ok().map(|value| (*name, value)))
    else {
        return Ok(());
    };
    let (code, chunk_name) = match value.strip_prefix('@') {
        Some(file) => {
            let code = std::fs::read(file)
                .map_err(|err| Ended::script(format!("cannot read {file} (from {name}): {err}")))?;
            (code, format!("@{file}"))
        }
        None => (value.into_bytes(), format!("={name}")),
    };
    lua.load(prepare(&code))
        .set_name(chunk_name)
        .set_mode(ChunkMode::Text)
        .exec()
        .map_err(|err| Ended::script(root_message(&err)))
}

/// How many Lua instructions run between checks for Ctrl-C and the end of `--max-runtime`.
const CHECK_EVERY: u32 = 1000;

/// How long past `--max-runtime` a script stuck outside Lua (in a blocking read, say) is
/// given before the run ends anyway.
const RUNTIME_GRACE: Duration = Duration::from_secs(1);

/// Ends the run on Ctrl-C and at the end of `--max-runtime`, between two Lua instructions so
/// never in the middle of the script's output.
fn install_stops(lua: &Lua, max_runtime: Option<(Duration, Instant)>, interactive: bool) -> mlua::Result<()> {
    interrupt::install(interactive);
    if let Some((limit, deadline)) = max_runtime {
        watch_deadline(limit, deadline + RUNTIME_GRACE);
    }
    let deadline = max_runtime.map(|(_, deadline)| deadline);
    let limit = max_runtime.map(|(limit, _)| limit.as_secs_f64()).unwrap_or_default();
    lua.set_global_hook(HookTriggers::new().every_nth_instruction(CHECK_EVERY), move |lua, debug| {
        let location = || {
            let source = debug.source();
            let file = source.short_src.as_deref().unwrap_or("?").to_string();
            debug.current_line().map_or(file.clone(), |line| format!("{file}:{line}"))
        };
        if interrupt::requested() {
            if interactive {
                interrupt::clear();
                return Err(mlua::Error::runtime(format!("interrupted at {}", location())));
            }
            stop(lua, &format!("interrupted at {}", location()), interrupt::EXIT_INTERRUPTED);
        }
        if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
            let message = format!("error: stopped at {} after --max-runtime {limit} s", location());
            stop(lua, &message, EXIT_SCRIPT_ERROR);
        }
        Ok(VmState::Continue)
    })
}

/// Ends the run at `at` even if the script never returns to Lua. Off the script's thread,
/// CSV files can only be flushed as far as the script's last call to Close flushed them.
fn watch_deadline(limit: Duration, at: Instant) {
    let watcher = std::thread::Builder::new().name("max-runtime".into()).spawn(move || {
        std::thread::sleep(at.saturating_duration_since(Instant::now()));
        let message = format!("error: stopped after --max-runtime {} s", limit.as_secs_f64());
        interrupt::exit(&message, EXIT_SCRIPT_ERROR);
    });
    if let Err(err) = watcher {
        log::warn!("--max-runtime is enforced only while Lua code runs: {err}");
    }
}

/// Ends the run from the script's own thread: CSV writers flushed and the dry-run count
/// given as at any other end, then `message` and `status`.
fn stop(lua: &Lua, message: &str, status: i32) -> ! {
    namespace::end_of_run(lua);
    interrupt::exit(message, status)
}

/// Reads the script's code.
fn read_source(source: &Source) -> Result<Vec<u8>, Ended> {
    let usage = |message: String| Ended { message, status: EXIT_USAGE };
    match source {
        Source::File(path) => {
            std::fs::read(path).map_err(|err| usage(format!("cannot read script {}: {err}", path.display())))
        }
        Source::Stdin => {
            let mut code = Vec::new();
            std::io::stdin()
                .read_to_end(&mut code)
                .map_err(|err| usage(format!("cannot read stdin: {err}")))?;
            Ok(code)
        }
    }
}

/// The name errors use for the script: the path as given, or `stdin`.
fn chunk_name(source: &Source) -> String {
    match source {
        Source::File(path) => format!("@{}", path.display()),
        Source::Stdin => "=stdin".to_string(),
    }
}

/// Drops a UTF-8 byte-order mark and blanks a first line starting with `#`, keeping its
/// newline so the line numbers of the rest stay as in the file.
fn prepare(code: &[u8]) -> &[u8] {
    let code = code.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(code);
    if code.first() == Some(&b'#') {
        let end = code.iter().position(|&b| b == b'\n').unwrap_or(code.len());
        return &code[end..];
    }
    code
}

/// `arg` as the `lua` interpreter builds it: the script at 0, its arguments at 1..n, and
/// the command line before it at negative indices (without a script, the last chunk takes
/// the script's place).
fn arg_table(lua: &Lua, script: &Script) -> mlua::Result<Table> {
    let table = lua.create_table_with_capacity(script.args.len(), script.before.len() + 1)?;
    let before = script.before.len() as i64;
    for (i, word) in script.before.iter().enumerate() {
        table.raw_set(i as i64 - before, lua_string(lua, word)?)?;
    }
    table.raw_set(0, lua_string(lua, &script.name)?)?;
    for (i, word) in script.args.iter().enumerate() {
        table.raw_set(i as i64 + 1, lua_string(lua, word)?)?;
    }
    Ok(table)
}

/// A command-line word as a Lua string, byte for byte.
fn lua_string(lua: &Lua, word: &OsString) -> mlua::Result<mlua::LuaString> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        lua.create_string(word.as_bytes())
    }
    #[cfg(not(unix))]
    {
        lua.create_string(word.to_string_lossy().as_bytes())
    }
}

/// Calls the main chunk and turns an uncaught error into a message and an exit status.
fn execute(lua: &Lua, glue: &Glue, main: Function, args: &[OsString]) -> Result<i32, Ended> {
    let mut call_args = MultiValue::new();
    call_args.push_back(Value::Function(main));
    for word in args {
        call_args.push_back(Value::String(lua_string(lua, word)?));
    }
    let results = glue.run.call::<MultiValue>(call_args);
    let interrupted = namespace::end_of_run(lua);
    let ended = finish(glue, results);
    // Ctrl-C may have cut a call short off the script's thread (a page fetched ahead) and the
    // script ended on the error, or caught it and ended well: either way, it was interrupted.
    match (interrupted, ended) {
        (None, ended) => ended,
        (Some(status), Ok(_)) => Err(Ended { message: "interrupted".to_string(), status }),
        (Some(status), Err(ended)) => Err(Ended { status, ..ended }),
    }
}

/// The exit status of a script that returned, or how it failed.
fn finish(glue: &Glue, results: mlua::Result<MultiValue>) -> Result<i32, Ended> {
    let mut results = results?.into_iter();
    if let Some(Value::Boolean(true)) = results.next() {
        return Ok(0);
    }

    let Some(Value::Table(failure)) = results.next() else {
        return Err(Ended::script("the script failed without an error value"));
    };
    let value: Value = failure.get("value")?;
    let traceback: String = failure.get::<Option<String>>("traceback")?.unwrap_or_default();
    Err(describe_failure(glue, &value, &traceback)?)
}

/// The message of an uncaught error, with its hint and cleaned traceback.
fn describe_failure(glue: &Glue, value: &Value, traceback: &str) -> mlua::Result<Ended> {
    let mut status = EXIT_SCRIPT_ERROR;
    let mut message = match value {
        Value::Table(table) if table.metatable().as_ref() == Some(&glue.error_metatable) => {
            if table.get::<Option<String>>("kind")?.as_deref() == Some("config") {
                status = EXIT_USAGE;
            }
            let text = value.to_string()?;
            let mut message = match table.get::<Option<String>>("location")? {
                Some(location) => format!("{location}: {text}"),
                None => text,
            };
            if let Some(hint) = table.get::<Option<String>>("hint")? {
                message.push_str(&format!("\nhint: {hint}"));
            }
            message
        }
        Value::String(text) => text.to_string_lossy(),
        Value::Error(err) => root_message(err),
        Value::Table(table)
            if table.metatable().is_some_and(|mt| mt.contains_key("__tostring").unwrap_or(false)) =>
        {
            value.to_string()?
        }
        other => format!("(error object is a {} value)", other.type_name()),
    };
    let traceback = clean_traceback(traceback);
    if !traceback.is_empty() {
        message.push('\n');
        message.push_str(&traceback);
    }
    Ok(Ended { message, status })
}

/// The message at the root of an mlua error, without the tracebacks mlua adds on the way.
pub fn root_message(err: &mlua::Error) -> String {
    match err {
        mlua::Error::CallbackError { cause, .. } => root_message(cause),
        mlua::Error::WithContext { cause, .. } => root_message(cause),
        mlua::Error::RuntimeError(message) => message.clone(),
        other => other.to_string(),
    }
}

/// The traceback without the frames of close-lua's own glue and of the call into the script.
fn clean_traceback(traceback: &str) -> String {
    let mut lines: Vec<&str> = Vec::new();
    for line in traceback.lines() {
        if line.contains("[close-lua]") {
            // The frame above a glue frame is the glue's own `error` call.
            if lines.last().is_some_and(|last| last.trim_start().starts_with("[C]: in function 'error'")) {
                lines.pop();
            }
            continue;
        }
        lines.push(line);
    }
    // The lowest `xpcall` is the one that runs the script: it and what follows are close-lua's.
    if let Some(ours) = lines.iter().rposition(|line| line.contains("in function 'xpcall'")) {
        lines.truncate(ours);
    }
    if lines.len() <= 1 {
        return String::new();
    }
    lines.join("\n")
}

/// A syntax error's message: Lua's own text already names the chunk and line.
fn syntax_message(err: mlua::Error) -> String {
    match err {
        mlua::Error::SyntaxError { message, .. } => message,
        other => other.to_string(),
    }
}

/// Writes out whatever the script printed, so it comes before close-lua's own messages.
pub fn flush_lua_output() {
    // SAFETY: fflush(NULL) flushes every C stdio output stream; it takes no pointers of ours.
    unsafe {
        libc::fflush(std::ptr::null_mut());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shebang_and_bom_keep_line_numbers() {
        assert_eq!(prepare(b"#!/usr/bin/env close-lua\nprint(1)\n"), b"\nprint(1)\n");
        assert_eq!(prepare(b"\xEF\xBB\xBF# comment\nx"), b"\nx");
        assert_eq!(prepare(b"#"), b"");
        assert_eq!(prepare(b"print('#')"), b"print('#')");
    }

    #[test]
    fn traceback_hides_the_glue() {
        let raw = "stack traceback:\n\t[C]: in function 'error'\n\t[close-lua]:40: in function \
                   'app.integrations.close.get_lead'\n\tt.lua:3: in main chunk\n\t[C]: in function 'xpcall'\n\t\
                   [close-lua]:55: in function <[close-lua]:54>";
        assert_eq!(clean_traceback(raw), "stack traceback:\n\tt.lua:3: in main chunk");
        assert_eq!(clean_traceback("stack traceback:\n\t[C]: in ?"), "stack traceback:\n\t[C]: in ?");
    }
}
