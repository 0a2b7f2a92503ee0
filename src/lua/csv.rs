//! The `csv` global: `csv.writer(path or "-", { columns = {...} })` and `csv.reader(path or
//! "-")`. Quoting and escaping are the `csv` crate's.
//!
//! Cells are written by these rules: nil, `json.null` and empty tables are empty; numbers and booleans
//! as Lua prints them (`5`, `5.0`, `2.5`, `true`); a list (such as a contact's `emails`) is
//! joined with "; ", each item being its text or, for a table, its `email`, `phone`, `url`,
//! `name`, `label` or `id` field, whichever comes first; any other table as JSON. A column
//! name finds a row's key as written, and otherwise follows dots into nested tables
//! (`custom.Industry`). Given `columns`, the header is written when the writer opens, so an
//! export of nothing still has its header. Without them, the first row's keys make the
//! header, and a later row with a key outside it is an error rather than a value lost. Every row has the header's number of fields (or,
//! with no header, the first row's); a row given as a list of another length is an error,
//! to a file and to "-" alike.
//!
//! A writer to "-" writes through Lua's `io.stdout`, so its rows and the script's `print`s
//! come out in order. Writers are flushed by `:close()`, by a `<close>` variable going out
//! of scope, by `os.exit`, before each call to Close, and when the run ends.
//!
//! A reader refuses a header that names a column twice, since a row could then hold only
//! one of the two values.

use std::cell::RefCell;
use std::fs::File;
use std::io::BufWriter;
use std::rc::{Rc, Weak};

use mlua::{Function, Lua, Table, Value};

use super::json::{self, NULL_MARKER};
use super::namespace::Glue;
use super::validate::{a_type, check_option_names};

/// The fields a list item that is a table is shown by, in order of preference.
const ITEM_FIELDS: [&str; 6] = ["email", "phone", "url", "name", "label", "id"];

/// Where a writer's rows go.
enum Sink {
    /// Through `io.stdout:write`.
    Stdout(Function),
    File(Box<csv::Writer<BufWriter<File>>>),
}

/// One open writer.
struct Writer {
    sink: Sink,
    columns: Option<Vec<String>>,
    /// Whether the columns are the first row's keys, so that a later row's key outside them
    /// would be lost rather than left out on purpose.
    columns_from_first_row: bool,
    header_written: bool,
    /// The number of fields every line has, once the first line is written.
    width: Option<usize>,
    /// Lines written so far, the header included.
    lines: usize,
    name: String,
}

/// The writers not yet closed, flushed when the run ends.
#[derive(Default)]
struct OpenWriters(Vec<Weak<RefCell<Option<Writer>>>>);

/// Installs the `csv` global.
pub fn install(lua: &Lua, glue: &Glue) -> mlua::Result<()> {
    lua.set_app_data(OpenWriters::default());
    let module = lua.create_table()?;
    let writer_glue = glue.clone();
    module.set(
        "writer",
        glue.function(lua, move |lua, (target, options): (Value, Value)| {
            open_writer(lua, &writer_glue, target, options)
        })?,
    )?;
    let reader_glue = glue.clone();
    module.set(
        "reader",
        glue.function(lua, move |lua, target: Value| open_reader(lua, &reader_glue, target))?,
    )?;
    lua.globals().set("csv", module)
}

/// Flushes every writer still open, unless it is in the middle of writing a row. Called
/// when the run ends, however it ends, and before every call that blocks (a call to Close),
/// which Ctrl-C or `--max-runtime` may end with the process. Lua code that a writer runs
/// for a row (a metamethod of the row) may call Close, call `os.exit` or be stopped; that
/// writer is then left alone, and its rows are flushed at the next call or the end of the
/// run instead.
pub fn flush_all(lua: &Lua) {
    let open = match lua.try_app_data_ref::<OpenWriters>() {
        Ok(Some(open)) => open.0.clone(),
        _ => return,
    };
    for writer in open.iter().filter_map(Weak::upgrade) {
        // A writer in the middle of a row is borrowed; it is flushed another time.
        let Ok(mut writer) = writer.try_borrow_mut() else { continue };
        if let Some(writer) = writer.as_mut()
            && let Err(why) = writer.flush()
        {
            log::warn!("{}", why);
        }
    }
}

/// `csv.writer(path or "-", { columns = {...} })`.
fn open_writer(lua: &Lua, glue: &Glue, target: Value, options: Value) -> Result<Value, String> {
    let name = match &target {
        Value::String(path) => path.to_string_lossy(),
        other => {
            return Err(format!("csv.writer: expected a file path or \"-\", got {}", a_type(other)));
        }
    };
    let columns = columns_option(&options)?;
    let sink = if name == "-" {
        let stdout: Function = lua
            .load("local out = io.stdout return function(text) out:write(text) end")
            .set_name("=[close-lua]")
            .eval()
            .map_err(|err| err.to_string())?;
        Sink::Stdout(stdout)
    } else {
        let file = File::create(&name).map_err(|err| format!("csv.writer: cannot create {name}: {err}"))?;
        Sink::File(Box::new(csv::Writer::from_writer(BufWriter::new(file))))
    };
    let mut writer = Writer {
        sink,
        columns,
        columns_from_first_row: false,
        header_written: false,
        width: None,
        lines: 0,
        name,
    };
    writer.write_header()?;
    let state = Rc::new(RefCell::new(Some(writer)));
    if let Some(mut open) = lua.app_data_mut::<OpenWriters>() {
        open.0.retain(|writer| writer.strong_count() > 0);
        open.0.push(Rc::downgrade(&state));
    }
    writer_object(lua, glue, state).map_err(|err| err.to_string())
}

/// The `columns` option: a list of strings, or none.
fn columns_option(options: &Value) -> Result<Option<Vec<String>>, String> {
    let options = match options {
        Value::Nil => return Ok(None),
        Value::Table(options) => {
            check_option_names("csv.writer", options, &["columns"])?;
            options
        }
        other => {
            return Err(format!(
                "csv.writer: options must be a table like {{ columns = {{...}} }}, got {}",
                a_type(other)
            ));
        }
    };
    let columns = match options.get::<Value>("columns").map_err(|err| err.to_string())? {
        Value::Nil => return Ok(None),
        Value::Table(columns) => columns,
        other => {
            return Err(format!("csv.writer: columns must be a list of names, got {}", a_type(&other)));
        }
    };
    let mut names = Vec::new();
    for value in columns.sequence_values::<Value>() {
        match value.map_err(|err| err.to_string())? {
            Value::String(name) => names.push(name.to_string_lossy()),
            other => {
                return Err(format!("csv.writer: column names must be strings, got {}", a_type(&other)));
            }
        }
    }
    Ok(Some(names))
}

/// The Lua object of a writer: `:write(row)` and `:close()`, closed by `<close>` too.
fn writer_object(lua: &Lua, glue: &Glue, state: Rc<RefCell<Option<Writer>>>) -> mlua::Result<Value> {
    let object = lua.create_table()?;
    let write_state = Rc::clone(&state);
    object.set(
        "write",
        glue.function(lua, move |lua, (_, row): (Value, Value)| {
            let mut guard = write_state.borrow_mut();
            let writer = guard.as_mut().ok_or("csv writer: write after close")?;
            writer.write_row(lua, &row).map(|()| Value::Nil)
        })?,
    )?;
    let close_state = Rc::clone(&state);
    let close =
        glue.function(lua, move |_, _: mlua::MultiValue| close_writer(&close_state).map(|()| Value::Nil))?;
    object.set("close", close.clone())?;
    let metatable = lua.create_table()?;
    metatable.set("__close", close.clone())?;
    metatable.set("__gc", close)?;
    metatable.set("__name", "csv.writer")?;
    object.set_metatable(Some(metatable))?;
    Ok(Value::Table(object))
}

fn close_writer(state: &RefCell<Option<Writer>>) -> Result<(), String> {
    match state.borrow_mut().take() {
        Some(mut writer) => writer.flush(),
        None => Ok(()),
    }
}

impl Writer {
    /// Writes one row (a table keyed by column, or a list in column order), after the header.
    fn write_row(&mut self, lua: &Lua, row: &Value) -> Result<(), String> {
        let Value::Table(row) = row else {
            return Err(format!("csv writer: a row must be a table, got {}", a_type(row)));
        };
        let is_list = row.raw_len() > 0;
        if self.columns.is_none() && !is_list {
            self.columns = Some(sorted_keys(row)?);
            self.columns_from_first_row = true;
        } else if self.columns_from_first_row && !is_list {
            self.check_keys(row)?;
        }
        self.write_header()?;
        let cells = match (&self.columns, is_list) {
            (Some(columns), false) => columns
                .iter()
                .map(|column| lookup(row, column).and_then(|v| cell(lua, &v)))
                .collect::<Result<_, _>>()?,
            _ => row
                .sequence_values::<Value>()
                .map(|v| v.map_err(|e| e.to_string()).and_then(|v| cell(lua, &v)))
                .collect::<Result<Vec<_>, _>>()?,
        };
        self.record(cells)
    }

    /// Fails when a row has a key that the header, made of the first row's keys, has no
    /// column for: its value would be lost without a word.
    fn check_keys(&self, row: &Table) -> Result<(), String> {
        let columns = self.columns.as_deref().unwrap_or_default();
        for key in sorted_keys(row)? {
            if !columns.contains(&key) {
                return Err(format!(
                    "csv writer {}: line {} has the key '{key}', which the header (the first row's keys: {}) \
                     lacks; to choose the columns, give csv.writer the option columns = {{ ... }}",
                    self.name,
                    self.lines + 1,
                    columns.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// Writes the header line once, as soon as the columns are known.
    fn write_header(&mut self) -> Result<(), String> {
        if self.header_written {
            return Ok(());
        }
        let Some(columns) = self.columns.clone() else { return Ok(()) };
        self.header_written = true;
        self.record(columns)
    }

    fn record(&mut self, cells: Vec<String>) -> Result<(), String> {
        let width = *self.width.get_or_insert(cells.len());
        if cells.len() != width {
            let first = if self.header_written { "the header" } else { "the first line" };
            return Err(format!(
                "csv writer {}: line {} would have {} fields where {first} has {width}",
                self.name,
                self.lines + 1,
                cells.len()
            ));
        }
        self.lines += 1;
        let fail = |err: csv::Error| format!("csv writer {}: {err}", self.name);
        match &mut self.sink {
            Sink::File(file) => file.write_record(&cells).map_err(fail),
            Sink::Stdout(write) => {
                let mut text = csv::Writer::from_writer(Vec::new());
                text.write_record(&cells).map_err(fail)?;
                let text = text.into_inner().map_err(|err| err.to_string())?;
                write.call::<()>(mlua::BString::from(text)).map_err(|err| err.to_string())
            }
        }
    }

    fn flush(&mut self) -> Result<(), String> {
        match &mut self.sink {
            Sink::File(file) => file.flush().map_err(|err| format!("csv writer {}: {err}", self.name)),
            Sink::Stdout(_) => Ok(()),
        }
    }
}

/// The string keys of a row, sorted, for a header nobody gave.
fn sorted_keys(row: &Table) -> Result<Vec<String>, String> {
    let mut keys = Vec::new();
    for pair in row.pairs::<Value, Value>() {
        if let (Value::String(key), _) = pair.map_err(|err| err.to_string())? {
            keys.push(key.to_string_lossy());
        }
    }
    keys.sort();
    Ok(keys)
}

/// A row's value for a column: the key as written, else a dotted path into nested tables.
fn lookup(row: &Table, column: &str) -> Result<Value, String> {
    let direct: Value = row.get(column).map_err(|err| err.to_string())?;
    if direct != Value::Nil || !column.contains('.') {
        return Ok(direct);
    }
    let mut current = Value::Table(row.clone());
    for part in column.split('.') {
        current = match current {
            Value::Table(table) => table.get(part).map_err(|err| err.to_string())?,
            _ => return Ok(Value::Nil),
        };
    }
    Ok(current)
}

/// The text of one cell, by the rules at the top of this file.
fn cell(lua: &Lua, value: &Value) -> Result<String, String> {
    Ok(match value {
        Value::Nil => String::new(),
        v if *v == NULL_MARKER => String::new(),
        Value::String(text) => text.to_string_lossy(),
        Value::Table(table) if table.raw_len() > 0 => {
            let items: Result<Vec<String>, String> = table
                .sequence_values::<Value>()
                .map(|item| item.map_err(|err| err.to_string()).and_then(|item| list_item(lua, &item)))
                .collect();
            items?.join("; ")
        }
        Value::Table(table) if table.is_empty() => String::new(),
        Value::Table(_) => json::encode(lua, value, "cell")?.to_string(),
        // Lua's own conversion, so a float keeps its ".0" as `print` shows it.
        Value::Integer(_) | Value::Number(_) => match lua.coerce_string(value.clone()) {
            Ok(Some(text)) => text.to_string_lossy(),
            _ => String::new(),
        },
        other => other.to_string().map_err(|err| err.to_string())?,
    })
}

/// A list item: its text, or a table's most telling field.
fn list_item(lua: &Lua, item: &Value) -> Result<String, String> {
    if let Value::Table(table) = item {
        for field in ITEM_FIELDS {
            if let Value::String(text) = table.get::<Value>(field).map_err(|err| err.to_string())? {
                return Ok(text.to_string_lossy());
            }
        }
    }
    cell(lua, item)
}

/// `csv.reader(path or "-")`: an iterator over the rows, each a table keyed by the header.
fn open_reader(lua: &Lua, glue: &Glue, target: Value) -> Result<Value, String> {
    let name = match &target {
        Value::String(path) => path.to_string_lossy(),
        other => {
            return Err(format!("csv.reader: expected a file path or \"-\", got {}", a_type(other)));
        }
    };
    let input: Box<dyn std::io::Read> = if name == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(File::open(&name).map_err(|err| format!("csv.reader: cannot open {name}: {err}"))?)
    };
    let mut reader = csv::ReaderBuilder::new().from_reader(input);
    let headers = reader.byte_headers().map_err(|err| read_error(&name, &err))?.clone();
    for (at, header) in headers.iter().enumerate() {
        if headers.iter().skip(at + 1).any(|other| other == header) {
            return Err(format!(
                "csv.reader: {name} line 1: the header names the column '{}' twice",
                String::from_utf8_lossy(header)
            ));
        }
    }
    let records = RefCell::new(reader.into_byte_records());
    let step = glue
        .function(lua, move |lua, _: mlua::MultiValue| {
            let Some(record) = records.borrow_mut().next() else { return Ok(Value::Nil) };
            let record = record.map_err(|err| read_error(&name, &err))?;
            let row = lua.create_table_with_capacity(0, headers.len()).map_err(|err| err.to_string())?;
            for (header, field) in headers.iter().zip(record.iter()) {
                let (header, field) = (lua.create_string(header), lua.create_string(field));
                let (header, field) = (header.map_err(|e| e.to_string())?, field.map_err(|e| e.to_string())?);
                row.raw_set(header, field).map_err(|err| err.to_string())?;
            }
            Ok(Value::Table(row))
        })
        .map_err(|err| err.to_string())?;
    Ok(Value::Function(step))
}

/// A reading error with the file and line.
fn read_error(name: &str, err: &csv::Error) -> String {
    match err.position() {
        Some(position) => format!("csv.reader: {name} line {}: {}", position.line(), describe(err)),
        None => format!("csv.reader: {name}: {}", describe(err)),
    }
}

fn describe(err: &csv::Error) -> String {
    match err.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("{len} fields where the header has {expected_len}")
        }
        _ => err.to_string(),
    }
}
