//! `close-lua sandbox serve`: the sandbox on its own, for other tools and benchmarks.

use std::io::Write;
use std::path::Path;

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
    if let Some(twice) =
        names.iter().enumerate().find_map(|(i, name)| names[..i].contains(name).then_some(name))
    {
        eprintln!("close-lua: error: --accounts names the account '{twice}' twice");
        return EXIT_USAGE;
    }
    let sandbox = match Sandbox::start(options) {
        Ok(sandbox) => sandbox,
        Err(err) => {
            eprintln!("close-lua: error: cannot start the sandbox on port {}: {err}", args.port);
            return EXIT_USAGE;
        }
    };

    // A config for the accounts, so that `close-lua --config` (or any client) can use them.
    let mut config = format!("{HEADER}{}\n", sandbox.base_url());
    for name in &names {
        let key = sandbox.api_key(name).unwrap_or_default();
        config.push_str(&format!(
            "\n[accounts.{name}]\napi_key = \"{key}\"\nbase_url = \"{}\"\n",
            sandbox.base_url()
        ));
    }
    match &args.write_config {
        Some(path) => {
            if let Err(err) = write_private(path, &config) {
                eprintln!("close-lua: error: cannot write the config to {}: {err}", path.display());
                return EXIT_USAGE;
            }
            eprintln!("close-lua: wrote the sandbox's config to {}", path.display());
        }
        None => {
            let mut stdout = std::io::stdout();
            if stdout.write_all(config.as_bytes()).and_then(|()| stdout.flush()).is_err() {
                return EXIT_USAGE;
            }
        }
    }
    eprintln!("close-lua: sandbox serving at {}; stop it with Ctrl-C", sandbox.base_url());
    loop {
        std::thread::park();
    }
}

/// The first line of every config `sandbox serve` writes, by which it knows its own files.
const HEADER: &str = "# close-lua sandbox at ";

/// Writes a config file readable by its owner only. A file there already is replaced only
/// when an earlier `sandbox serve` wrote it: anything else may hold real keys.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    match std::fs::read(path) {
        Ok(old) if !old.starts_with(HEADER.as_bytes()) => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "the file exists and was not written by close-lua sandbox serve; give another path",
            ));
        }
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(err),
        _ => {}
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        // The mode applies only to a new file; an old one is made private first.
        if path.exists() {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.flush()
}
