//! `iter_leads`, `iter_contacts` and `iter_activities`: whole lists for a generic `for`.
//!
//! Each call starts a [`Pager`] and returns the four values of a generic `for`: the step
//! function, two unused values, and a closing value whose `__close` stops the pager when
//! the loop ends, by `break` or by error included. Rows get the same treatment as from the
//! list functions (custom fields by name, activity `type` and `body_preview`).

use std::cell::RefCell;
use std::io::IsTerminal;
use std::rc::Rc;

use indicatif::{ProgressBar, ProgressStyle};
use mlua::{Function, Lua, Table, UserData, UserDataMethods, Value};

use super::Failure;
use super::functions::{self, AccountHandle};
use super::json;
use super::validate::Validated;
use crate::close::pager::{Page, Pager, Walk};
use crate::close::{ApiError, FailureKind, Method};

/// The page size when a script does not give `page_size`: the most a list function allows.
const DEFAULT_PAGE_SIZE: i64 = super::specs::MAX_LIMIT;

/// The rows an iterator walks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rows {
    Leads,
    Contacts,
    Activities,
}

impl Rows {
    /// The iterator that walks these rows.
    fn iterator(self) -> &'static str {
        match self {
            Rows::Leads => "iter_leads",
            Rows::Contacts => "iter_contacts",
            Rows::Activities => "iter_activities",
        }
    }
}

/// A walk in progress, as the step function sees it.
struct Walking {
    pager: Pager,
    rows: Rows,
    account: Rc<AccountHandle>,
    /// The page being handed out: its rows, which to keep, and the next position.
    page: Option<(Table, Vec<bool>, usize)>,
    progress: Option<ProgressBar>,
}

/// The closing value of the `for`: ends the walk.
struct Closer(Rc<RefCell<Option<Walking>>>);

impl UserData for Closer {
    fn add_methods<M: UserDataMethods<Self>>(methods: &mut M) {
        methods.add_meta_method(mlua::MetaMethod::Close, |_, closer, ()| {
            finish(&closer.0);
            Ok(())
        });
    }
}

/// Ends a walk: stops the pager and takes the progress bar off the screen.
fn finish(state: &RefCell<Option<Walking>>) {
    if let Some(walking) = state.borrow_mut().take()
        && let Some(progress) = walking.progress
    {
        progress.finish_and_clear();
    }
}

/// Starts an iterator. `wrap` turns the raw step function into one that raises errors;
/// `progress` says whether a progress bar may be shown.
pub fn start(
    lua: &Lua,
    account: Rc<AccountHandle>,
    params: &Validated,
    wrap: &Function,
    progress: bool,
) -> Result<Value, Failure> {
    let page_size = params.int("page_size").unwrap_or(DEFAULT_PAGE_SIZE) as usize;
    let (walk, rows) = match params.spec.name {
        "iter_leads" => {
            let snapshot = matches!(params.get("snapshot"), Some(super::validate::ParamValue::Bool(true)));
            (Walk::Leads { query: params.str("query").map(str::to_string), snapshot }, Rows::Leads)
        }
        "iter_contacts" => {
            (Walk::Contacts { lead_id: params.str("lead_id").map(str::to_string) }, Rows::Contacts)
        }
        _ => (activities_walk(params), Rows::Activities),
    };
    let pager = Pager::start(account.client.clone(), walk, page_size);
    let progress = progress.then(|| new_progress_bar(rows));
    let state = Rc::new(RefCell::new(Some(Walking { pager, rows, account, page: None, progress })));

    let step_state = Rc::clone(&state);
    let operation = params.spec.name;
    let raw = lua.create_function(move |lua, ()| {
        let result = step(lua, &step_state);
        if result.is_err() {
            finish(&step_state);
        }
        super::namespace::outcome(lua, operation, result)
    })?;
    let step = wrap.call::<Function>(raw)?;
    let closer = lua.create_userdata(Closer(state))?;
    let values =
        lua.create_sequence_from([Value::Function(step), Value::Nil, Value::Nil, Value::UserData(closer)])?;
    Ok(Value::Table(values))
}

/// The walk for `iter_activities`: like `list_activities`, `_type` goes to `/activity/` only
/// together with `lead_id`, and to the per-type path otherwise.
fn activities_walk(params: &Validated) -> Walk {
    let lead_id = params.str("lead_id");
    let kind = params.str("type").map(functions::api_activity_type);
    let mut query = Vec::new();
    if let Some(lead_id) = lead_id {
        query.push(("lead_id", lead_id.to_string()));
    }
    let path = match (lead_id, kind) {
        (Some(_), Some((api_type, _))) => {
            query.push(("_type", api_type.to_string()));
            "/activity/".to_string()
        }
        (None, Some((_, segment))) => format!("/activity/{segment}/"),
        _ => "/activity/".to_string(),
    };
    Walk::Activities { path, query }
}

/// The next row of the walk, or nil at its end.
fn step(lua: &Lua, state: &RefCell<Option<Walking>>) -> Result<Value, Failure> {
    loop {
        let mut guard = state.borrow_mut();
        let Some(walking) = guard.as_mut() else { return Ok(Value::Nil) };

        if let Some((rows, keep, position)) = &mut walking.page {
            while *position < keep.len() {
                let index = *position;
                *position += 1;
                if !keep[index] {
                    continue;
                }
                let row: Table = rows.raw_get(index + 1)?;
                if let Some(progress) = &walking.progress {
                    progress.inc(1);
                }
                let (kind, account) = (walking.rows, Rc::clone(&walking.account));
                drop(guard);
                finish_row(lua, kind, &account, &row)?;
                return Ok(Value::Table(row));
            }
            walking.page = None;
        }

        // Ctrl-C while the page is still on its way ends the run at once, as in a call.
        let waiting = crate::interrupt::blocked(format!("the next page of {}", walking.rows.iterator()));
        let next = walking.pager.next_page();
        drop(waiting);
        match next {
            None => {
                drop(guard);
                finish(state);
                return Ok(Value::Nil);
            }
            Some(Err(error)) => return Err(Failure::Api(error)),
            Some(Ok(page)) => {
                if let Some(progress) = &walking.progress {
                    if let Some(total) = page.total
                        && progress.length() != Some(total)
                    {
                        progress.set_length(total);
                        progress.set_style(bar_style());
                    }
                    // Drawn once a page whatever the pace: the bar's own drawing is limited
                    // in rate and may otherwise never show a quick walk.
                    progress.force_draw();
                }
                walking.page = Some(rows_of(lua, &page, walking.account.client.account())?);
            }
        }
    }
}

/// The rows of a page as a Lua list, with which to keep.
fn rows_of(lua: &Lua, page: &Page, account: &str) -> Result<(Table, Vec<bool>, usize), Failure> {
    let value = json::decode_tape(lua, &page.tape).map_err(|why| {
        let message = format!("a page could not be turned into Lua values ({why})");
        let mut error =
            ApiError::without_response(FailureKind::InvalidResponse, message, Method::Get, "", account);
        error.status = Some(200);
        Failure::Api(error)
    })?;
    let rows = match (page.single, value) {
        (true, value) => lua.create_sequence_from([value])?,
        (false, Value::Table(envelope)) => envelope.get::<Table>("data")?,
        (false, _) => lua.create_table()?,
    };
    Ok((rows, page.keep.clone(), 0))
}

/// Gives a row what the list functions give theirs.
fn finish_row(lua: &Lua, kind: Rows, account: &AccountHandle, row: &Table) -> Result<(), Failure> {
    match kind {
        Rows::Leads => functions::name_custom_fields(lua, account, row),
        Rows::Activities => Ok(functions::add_activity_fields(row)?),
        Rows::Contacts => Ok(()),
    }
}

/// Whether a progress bar can be shown: stderr must be a terminal, and stdout must not be
/// (a bar redrawn between the lines a script prints on the same screen would garble them);
/// nor may close-lua be logging each HTTP call (`-v`), for the same reason.
pub fn progress_possible() -> bool {
    std::io::stderr().is_terminal()
        && !std::io::stdout().is_terminal()
        && !log::log_enabled!(log::Level::Info)
}

/// A bar that counts rows; it gains a length and an estimate once the total is known.
fn new_progress_bar(rows: Rows) -> ProgressBar {
    let noun = match rows {
        Rows::Leads => "leads",
        Rows::Contacts => "contacts",
        Rows::Activities => "activities",
    };
    let bar = ProgressBar::new_spinner();
    let template = format!("{{spinner}} {{pos}} {noun} ({{per_sec}})");
    bar.set_style(
        ProgressStyle::with_template(&template).unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(noun);
    bar
}

fn bar_style() -> ProgressStyle {
    ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} · {eta} left")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
}
