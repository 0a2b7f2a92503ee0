//! The close-lua binary: parse the command line, run, exit with the status.

use clap::Parser;

fn main() {
    restore_default_sigpipe();
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = close_lua::cli::Cli::parse_from(&argv);
    let status = close_lua::commands::dispatch(cli, &argv);
    close_lua::runner::flush_lua_output();
    std::process::exit(status);
}

/// Rust ignores SIGPIPE, so a script printing into `| head` would meet write errors and
/// carry on. With the default action the process ends quietly when the reader goes away,
/// as the `lua` interpreter does. Sockets are unaffected: Rust writes to them with
/// MSG_NOSIGNAL.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
