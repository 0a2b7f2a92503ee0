//! Ctrl-C and the other stops of a run: ending it at a point where nothing is half done.
//!
//! The first Ctrl-C sets a flag and cuts every wait of the client short. If the script's own
//! thread is blocked in a call to Close (a request in flight, a wait before the next try,
//! or a wait for a page fetched ahead), or starts one after the Ctrl-C, the run ends at
//! once, saying which call: the script cannot be in the middle of writing its
//! output then, and its CSV files were flushed when the call began. Otherwise (the script is
//! running Lua, perhaps while a page is fetched ahead for an iterator on another thread) a
//! Lua hook ends the run before the next Lua instruction, so never inside `print`. A second
//! Ctrl-C ends the run whatever it is doing.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

/// Exit status after an interrupt, as shells report SIGINT.
pub const EXIT_INTERRUPTED: i32 = 130;

/// What is said of a write that failed or was interrupted after it may have reached Close.
pub const EFFECT_UNKNOWN: &str = "the change may or may not have been applied";

/// What a call is doing before its request (or its next try) is sent.
pub const BEFORE_SENDING: &str = "about to be sent";

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Set in the REPL, where an interrupt ends the chunk being run rather than the process.
static INTERACTIVE: AtomicBool = AtomicBool::new(false);

/// The thread that runs the script's Lua code.
static SCRIPT_THREAD: OnceLock<ThreadId> = OnceLock::new();

/// The calls in progress (the script's own, and pages fetched ahead for iterators), by a
/// number each. The handler holds this lock while it ends the process, so the script's
/// thread cannot return from a call and start printing meanwhile.
static CALLS: Mutex<Vec<(u64, Call)>> = Mutex::new(Vec::new());

/// Numbers the calls in progress.
static NEXT_CALL: AtomicU64 = AtomicU64::new(0);

/// Wakes the waits of [`sleep`] when Ctrl-C is pressed.
static WAKE: Condvar = Condvar::new();
static WAKE_LOCK: Mutex<()> = Mutex::new(());

/// Held by whoever ends the process, so that two stops cannot mix their last words.
static STOPPING: Mutex<()> = Mutex::new(());

/// What a run that is stopped off the script's thread still has to say (the dry-run count),
/// as last brought up to date by the script's thread.
static FAREWELL: Mutex<Option<String>> = Mutex::new(None);

thread_local! {
    /// Run on the script's thread before it blocks, to write out what it has buffered.
    static BEFORE_BLOCKING: RefCell<Option<Box<dyn Fn()>>> = RefCell::new(None);
}

/// A call in progress.
#[derive(Debug, Clone)]
struct Call {
    /// e.g. "POST /lead/ (account default)".
    description: String,
    /// Whether it runs on the script's thread, which is then blocked until it ends.
    on_script_thread: bool,
    /// Whether it is a request to Close (rather than a wait for another thread's request).
    is_request: bool,
    /// What it is doing.
    state: State,
}

/// What a call in progress is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// A request is in flight; `true` if it changes data.
    InFlight(bool),
    /// Waiting, for the reason given, before its next try. The flag says whether an earlier
    /// try may have changed data.
    Waiting(&'static str, bool),
    /// Waiting for something done on another thread.
    Blocked,
}

/// Installs the Ctrl-C handler, from the thread that will run the script. Failing to install
/// it only costs the graceful stop.
pub fn install(interactive: bool) {
    INTERACTIVE.store(interactive, Ordering::SeqCst);
    let _ = SCRIPT_THREAD.set(std::thread::current().id());
    if let Err(err) = ctrlc::set_handler(on_interrupt) {
        log::debug!("no Ctrl-C handler: {err}");
    }
}

/// Whether Ctrl-C was pressed.
pub fn requested() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Whether an interrupt ends the chunk being run (in the REPL) rather than the process.
pub fn interactive() -> bool {
    INTERACTIVE.load(Ordering::SeqCst)
}

/// Forgets an interrupt that has been dealt with (in the REPL).
pub fn clear() {
    INTERRUPTED.store(false, Ordering::SeqCst);
}

/// Sets what the script's thread runs before it blocks in a call (see [`track`]).
pub fn before_blocking(prepare: Box<dyn Fn()>) {
    BEFORE_BLOCKING.with(|slot| *slot.borrow_mut() = Some(prepare));
}

/// Sets the line printed before the message when the run is stopped off the script's
/// thread; `None` for none. [`exit`] prints it at most once.
pub fn set_farewell(line: Option<String>) {
    *FAREWELL.lock().unwrap_or_else(PoisonError::into_inner) = line;
}

/// Whether this is the thread that runs the script's Lua code.
pub fn on_script_thread() -> bool {
    SCRIPT_THREAD.get() == Some(&std::thread::current().id())
}

/// Marks a call to Close as in progress until the guard is dropped; it is about to be sent
/// until [`CallGuard::sending`]. On the script's thread this first writes out what the
/// script has buffered, since an interrupt may end the run while the call blocks.
pub fn track(description: String, is_write: bool) -> CallGuard {
    let state = State::Waiting(BEFORE_SENDING, false);
    CallGuard::start(Call { description, on_script_thread: false, is_request: true, state }, is_write)
}

/// Marks the script's thread as waiting for work done on another thread (such as the next
/// page an iterator fetches ahead), so that Ctrl-C ends the run at once rather than after
/// the wait. `description` says what is waited for, e.g. "the next page of iter_leads".
pub fn blocked(description: String) -> CallGuard {
    CallGuard::start(
        Call { description, on_script_thread: false, is_request: false, state: State::Blocked },
        false,
    )
}

/// Clears its call when dropped.
#[derive(Debug)]
pub struct CallGuard {
    number: u64,
    on_script_thread: bool,
    is_write: bool,
}

impl CallGuard {
    fn start(mut call: Call, is_write: bool) -> CallGuard {
        call.on_script_thread = on_script_thread();
        if call.on_script_thread {
            BEFORE_BLOCKING.with(|slot| {
                if let Some(prepare) = slot.borrow().as_ref() {
                    prepare();
                }
            });
        }
        let guard = CallGuard {
            number: NEXT_CALL.fetch_add(1, Ordering::Relaxed),
            on_script_thread: call.on_script_thread,
            is_write,
        };
        let mut calls = calls();
        calls.push((guard.number, call));

        // A Ctrl-C that came just before found the script's thread in no call and left the
        // stop to the Lua hook, which cannot run while the thread blocks in this one. The
        // handler raises the flag before it looks at the calls, so it either finds this
        // call or the flag is seen here.
        if guard.on_script_thread && requested() && !interactive() {
            end_run(&calls);
        }
        guard
    }

    /// Marks the request of the call as sent (or about to be, the next instant).
    pub fn sending(&self) {
        self.set_state(State::InFlight(self.is_write));
    }

    /// Marks the call as waiting, for the reason `why` (e.g. "waiting to be tried again"),
    /// until the returned guard is dropped. `effect_unknown` says whether an earlier try may
    /// have changed data. The wait itself is [`sleep`].
    pub fn waiting(&self, why: &'static str, effect_unknown: bool) -> Waiting<'_> {
        let before = self.set_state(State::Waiting(why, effect_unknown));
        Waiting { call: self, before }
    }

    /// Deals with a Ctrl-C that came while this call was `why` (waiting, or about to be
    /// sent): on the script's thread outside the REPL the run ends, naming the call.
    /// Otherwise the call is to fail with the message returned. In the REPL, the failure of
    /// the script's own call is how the interrupt reaches the chunk, so it is then dealt
    /// with; a call on another thread leaves it to the REPL's hook, which must still see it
    /// to stop the chunk's Lua code.
    pub fn cut_short(&self, why: &'static str, effect_unknown: bool) -> String {
        self.set_state(State::Waiting(why, effect_unknown));
        let message = calls()
            .iter()
            .find(|(number, _)| *number == self.number)
            .map(|(_, call)| describe(call))
            .unwrap_or_else(|| "interrupted".to_string());
        if self.on_script_thread {
            if !interactive() {
                exit(&message, EXIT_INTERRUPTED);
            }
            clear();
        }
        message
    }

    fn set_state(&self, state: State) -> State {
        let mut calls = calls();
        let call = calls.iter_mut().find(|(number, _)| *number == self.number);
        call.map_or(state, |(_, call)| std::mem::replace(&mut call.state, state))
    }
}

/// Marks a call as waiting while it lives.
#[derive(Debug)]
pub struct Waiting<'a> {
    call: &'a CallGuard,
    before: State,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.call.set_state(self.before);
    }
}

impl Drop for CallGuard {
    fn drop(&mut self) {
        calls().retain(|(number, _)| *number != self.number);
    }
}

fn calls() -> MutexGuard<'static, Vec<(u64, Call)>> {
    CALLS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Sleeps for `duration`, or less if Ctrl-C is pressed; returns false in that case.
pub fn sleep(duration: Duration) -> bool {
    let end = Instant::now() + duration;
    let mut guard = WAKE_LOCK.lock().unwrap_or_else(PoisonError::into_inner);
    loop {
        if requested() {
            return false;
        }
        let now = Instant::now();
        if now >= end {
            return true;
        }
        guard = WAKE.wait_timeout(guard, end - now).unwrap_or_else(PoisonError::into_inner).0;
    }
}

fn on_interrupt() {
    if INTERRUPTED.swap(true, Ordering::SeqCst) {
        exit("interrupted again; stopping at once", EXIT_INTERRUPTED);
    }
    // Taking the lock orders this wake-up after the check of a sleeper that is about to wait.
    drop(WAKE_LOCK.lock().unwrap_or_else(PoisonError::into_inner));
    WAKE.notify_all();
    if interactive() {
        // The REPL's hook ends the chunk being run; a request in flight finishes first.
        return;
    }

    let calls = calls();
    if !calls.iter().any(|(_, call)| call.on_script_thread) {
        // The script is running Lua: the hook stops it before its next instruction. If it
        // is about to block in a call instead, the call's start stops it.
        return;
    }
    end_run(&calls);
}

/// Ends the run because of Ctrl-C while the script's thread is blocked in one of `calls`,
/// naming the call that matters most. The caller holds the lock of the calls, so that the
/// script's thread cannot return from its call and print meanwhile.
fn end_run(calls: &[(u64, Call)]) -> ! {
    let message = calls.iter().map(|(_, call)| call).max_by_key(|call| rank(call)).map(describe);
    exit(&message.unwrap_or_else(|| "interrupted".to_string()), EXIT_INTERRUPTED)
}

/// Which call an interrupt message names: a write in flight first, since its effect is what
/// the user most needs to know about, then the script's own call, then any request.
fn rank(call: &Call) -> (bool, bool, bool) {
    (call.state == State::InFlight(true), call.on_script_thread && call.is_request, call.is_request)
}

/// "interrupted while POST /lead/ (account default) was in flight; ..."
fn describe(call: &Call) -> String {
    let note = |unknown: bool| if unknown { format!("; {EFFECT_UNKNOWN}") } else { String::new() };
    match call.state {
        State::InFlight(is_write) => {
            format!("interrupted while {} was in flight{}", call.description, note(is_write))
        }
        State::Waiting(why, effect_unknown) => {
            format!("interrupted while {} was {why}{}", call.description, note(effect_unknown))
        }
        State::Blocked => format!("interrupted while waiting for {}", call.description),
    }
}

/// Ends the process with `status` after writing out what the script printed, the farewell
/// line if one is set, and `message`.
pub fn exit(message: &str, status: i32) -> ! {
    let _last = STOPPING.lock().unwrap_or_else(PoisonError::into_inner);
    crate::runner::flush_lua_output();
    if let Some(line) = FAREWELL.lock().unwrap_or_else(PoisonError::into_inner).take() {
        eprintln!("close-lua: {line}");
    }
    eprintln!("close-lua: {message}");
    std::process::exit(status);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(state: State, on_script_thread: bool, is_request: bool) -> Call {
        let description = "PUT /lead/x/ (account default)".to_string();
        Call { description, on_script_thread, is_request, state }
    }

    #[test]
    fn messages_say_what_the_call_was_doing() {
        assert_eq!(
            describe(&call(State::InFlight(true), true, true)),
            "interrupted while PUT /lead/x/ (account default) was in flight; the change may or may \
             not have been applied"
        );
        assert_eq!(
            describe(&call(State::Waiting("waiting to be tried again", false), true, true)),
            "interrupted while PUT /lead/x/ (account default) was waiting to be tried again"
        );
        assert_eq!(
            describe(&call(State::Waiting(BEFORE_SENDING, false), true, true)),
            "interrupted while PUT /lead/x/ (account default) was about to be sent"
        );
        let page = Call { description: "the next page".into(), ..call(State::Blocked, true, false) };
        assert_eq!(describe(&page), "interrupted while waiting for the next page");
    }

    #[test]
    fn a_write_in_flight_is_named_first() {
        let write = call(State::InFlight(true), false, true);
        let script_read = call(State::InFlight(false), true, true);
        let page_wait = call(State::Blocked, true, false);
        let other_read = call(State::InFlight(false), false, true);
        assert!(rank(&write) > rank(&script_read));
        assert!(rank(&script_read) > rank(&other_read));
        assert!(rank(&other_read) > rank(&page_wait));
    }
}
