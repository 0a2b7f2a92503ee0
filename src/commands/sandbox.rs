//! `close-lua sandbox serve`: the sandbox on its own, for other tools and benchmarks.

use std::io::Write;

use crate::cli::ServeArgs;
use crate::runner::EXIT_USAGE;
use crate::sandbox::{Sandbox, SandboxOptions};

/// Starts the sandbox, prints a config for its accounts and serves until the process is
/// stopped.
pub fn serve(args: ServeArgs) -> i32 {
    let options = SandboxOptions {
        accounts: args.accounts,
        port: args.port,
        max_skip: args.max_skip,
        generated_leads: args.leads,
        rate_limit_per_sec: args.rate_limit,
    };
    let names = options.accounts.clone();
    let sandbox = match Sandbox::start(options) {
        Ok(sandbox) => sandbox,
        Err(err) => {
            eprintln!("close-lua: error: cannot start the sandbox on port {}: {err}", args.port);
            return EXIT_USAGE;
        }
    };

    // A config for the accounts, so that `close-lua --config` (or any client) can use them.
    let mut config = format!("# close-lua sandbox at {}\n", sandbox.base_url());
    for name in &names {
        let key = sandbox.api_key(name).unwrap_or_default();
        config.push_str(&format!(
            "\n[accounts.{name}]\napi_key = \"{key}\"\nbase_url = \"{}\"\n",
            sandbox.base_url()
        ));
    }
    let mut stdout = std::io::stdout();
    if stdout.write_all(config.as_bytes()).and_then(|()| stdout.flush()).is_err() {
        return EXIT_USAGE;
    }
    eprintln!("close-lua: sandbox serving at {}; stop it with Ctrl-C", sandbox.base_url());
    loop {
        std::thread::park();
    }
}
