//! Ctrl-C and `--max-runtime`: ending a run at a point where nothing is half done.
//!
//! The first Ctrl-C sets a flag. If an HTTP call is in flight, the run ends at once, saying
//! which call (the script cannot be in the middle of writing its output then); otherwise a
//! Lua hook ends the run before the next Lua instruction, so never inside `print`. A second
//! Ctrl-C ends the run whatever it is doing.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Exit status after an interrupt, as shells report SIGINT.
pub const EXIT_INTERRUPTED: i32 = 130;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Set in the REPL, where an interrupt ends the chunk being run rather than the process.
static INTERACTIVE: AtomicBool = AtomicBool::new(false);

/// The HTTP calls in flight (the script's own, and pages fetched ahead for iterators), by a
/// number each. The handler holds this lock while it ends the process, so the main thread
/// cannot return from a call and start printing meanwhile.
static IN_FLIGHT: Mutex<Vec<(u64, InFlight)>> = Mutex::new(Vec::new());

/// Numbers the calls in flight.
static NEXT_CALL: AtomicU64 = AtomicU64::new(0);

/// An HTTP call in progress.
#[derive(Debug, Clone)]
struct InFlight {
    /// e.g. "POST /lead/ (account default)".
    description: String,
    /// Whether the call changes data, so an interrupt leaves its effect unknown.
    is_write: bool,
}

/// Installs the Ctrl-C handler. Failing to install it only costs the graceful stop.
pub fn install(interactive: bool) {
    INTERACTIVE.store(interactive, Ordering::SeqCst);
    if let Err(err) = ctrlc::set_handler(on_interrupt) {
        log::debug!("no Ctrl-C handler: {err}");
    }
}

/// Whether Ctrl-C was pressed.
pub fn requested() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Forgets an interrupt that has been dealt with (in the REPL).
pub fn clear() {
    INTERRUPTED.store(false, Ordering::SeqCst);
}

/// Marks an HTTP call as in flight until the guard is dropped.
pub fn track(description: String, is_write: bool) -> InFlightGuard {
    let number = NEXT_CALL.fetch_add(1, Ordering::Relaxed);
    lock().push((number, InFlight { description, is_write }));
    InFlightGuard(number)
}

/// Clears the in-flight call when dropped.
#[derive(Debug)]
pub struct InFlightGuard(u64);

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        lock().retain(|(number, _)| *number != self.0);
    }
}

fn lock() -> MutexGuard<'static, Vec<(u64, InFlight)>> {
    IN_FLIGHT.lock().unwrap_or_else(PoisonError::into_inner)
}

fn on_interrupt() {
    if INTERRUPTED.swap(true, Ordering::SeqCst) {
        stop("interrupted again; stopping at once".to_string());
    }
    if INTERACTIVE.load(Ordering::SeqCst) {
        // The REPL's hook ends the chunk being run; a call in flight finishes first.
        return;
    }
    let in_flight = lock();
    // A write is named first: its effect is what the user most needs to know about.
    let call = in_flight.iter().map(|(_, call)| call).max_by_key(|call| call.is_write);
    if let Some(call) = call {
        let note = if call.is_write { "; the change may or may not have been applied" } else { "" };
        stop(format!("interrupted while {} was in flight{note}", call.description));
    }
    // No call in flight: the Lua hook stops the script before its next instruction.
}

/// Ends the process after an interrupt, with what the script printed written out first.
pub fn stop(message: String) -> ! {
    crate::runner::flush_lua_output();
    eprintln!("close-lua: {message}");
    std::process::exit(EXIT_INTERRUPTED);
}
