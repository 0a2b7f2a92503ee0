//! `close-lua repl`: an interactive prompt with `app.integrations.close` ready.
//!
//! Each input is tried first as an expression (so `1 + 1` prints 2) and then as a
//! statement; an input that stops in the middle (an open `function`, say) continues on the
//! next line. Results print as indented JSON when they are tables JSON can hold.

use mlua::{Lua, MultiValue, Value};
use rustyline::error::ReadlineError;

use crate::lua::json;
use crate::runner::{self, EXIT_USAGE};
use crate::settings::Settings;

/// Runs the prompt until end of input (Ctrl-D).
pub fn repl(settings: Settings) -> i32 {
    let (lua, _glue) = match runner::new_vm(settings, true) {
        Ok(vm) => vm,
        Err(err) => {
            eprintln!("close-lua: error: {}", runner::root_message(&err));
            return EXIT_USAGE;
        }
    };
    // As with `lua -i`, LUA_INIT runs before the prompt, and its failure ends the REPL.
    if let Err(ended) = runner::run_lua_init(&lua) {
        eprintln!("close-lua: error: {}", ended.message);
        return ended.status;
    }
    let mut editor = match rustyline::DefaultEditor::new() {
        Ok(editor) => editor,
        Err(err) => {
            eprintln!("close-lua: error: cannot start the prompt: {err}");
            return EXIT_USAGE;
        }
    };
    let history = history_file();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    eprintln!(
        "close-lua {} (Lua 5.4): app.integrations.close is ready; help(app.integrations.close) lists it; Ctrl-D ends",
        env!("CARGO_PKG_VERSION")
    );

    let mut pending = String::new();
    loop {
        let prompt = if pending.is_empty() { "> " } else { ">> " };
        let line = match editor.readline(prompt) {
            Ok(line) => line,
            Err(ReadlineError::Interrupted) => {
                pending.clear();
                continue;
            }
            Err(ReadlineError::Eof) => break,
            Err(err) => {
                eprintln!("close-lua: error: {err}");
                break;
            }
        };
        if !pending.is_empty() {
            pending.push('\n');
        }
        pending.push_str(&line);
        match evaluate(&lua, &pending) {
            Outcome::Incomplete => continue,
            Outcome::Done(text) => {
                let _ = editor.add_history_entry(pending.as_str());
                runner::flush_lua_output();
                if !text.is_empty() {
                    println!("{text}");
                }
            }
            Outcome::Failed(message) => {
                let _ = editor.add_history_entry(pending.as_str());
                runner::flush_lua_output();
                eprintln!("{message}");
            }
        }
        pending.clear();
    }
    if let Some(path) = &history {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = editor.save_history(path);
    }
    crate::lua::namespace::end_of_run(&lua);
    0
}

/// What one input came to.
enum Outcome {
    /// The input stops in the middle; read another line.
    Incomplete,
    /// It ran; the text of its results.
    Done(String),
    /// It failed; the message.
    Failed(String),
}

/// Runs an input as an expression if it is one, else as a statement.
fn evaluate(lua: &Lua, input: &str) -> Outcome {
    let function = match lua.load(format!("return {input}")).set_name("=stdin").into_function() {
        Ok(function) => function,
        Err(_) => match lua.load(input).set_name("=stdin").into_function() {
            Ok(function) => function,
            Err(mlua::Error::SyntaxError { incomplete_input: true, .. }) => return Outcome::Incomplete,
            Err(err) => return Outcome::Failed(runner::root_message(&err)),
        },
    };
    match function.call::<MultiValue>(()) {
        Ok(values) => {
            Outcome::Done(values.iter().map(|value| show(lua, value)).collect::<Vec<_>>().join("\t"))
        }
        Err(err) => Outcome::Failed(describe_error(&err)),
    }
}

/// A result as text: tables as indented JSON when they can be, the rest as `tostring`.
fn show(lua: &Lua, value: &Value) -> String {
    if let Value::Table(_) = value
        && let Ok(json) = json::encode(lua, value, "value")
        && let Ok(text) = serde_json::to_string_pretty(&json)
    {
        return text;
    }
    match value {
        Value::String(text) => text.to_string_lossy(),
        other => other.to_string().unwrap_or_else(|_| format!("{other:?}")),
    }
}

/// An error raised by an input, without the traceback: at a prompt the input is the place.
fn describe_error(err: &mlua::Error) -> String {
    let message = runner::root_message(err);
    match message.split_once("\nstack traceback:") {
        Some((message, _)) => message.to_string(),
        None => message,
    }
}

/// Where the prompt's history is kept.
fn history_file() -> Option<std::path::PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "close-lua")?;
    Some(dirs.data_dir().join("history"))
}
