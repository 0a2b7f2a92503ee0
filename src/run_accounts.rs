//! The accounts a run talks to: those of the config (or the environment), pointed at the
//! built-in sandbox when the run asks for it.

use crate::config::ConfigError;
use crate::sandbox::{Sandbox, SandboxOptions};
use crate::settings::{self, Accounts, Settings};

/// Reads the accounts and, in a sandbox run, starts the sandbox and points every account at
/// it. The sandbox runs as long as the returned value is kept.
pub fn open(settings: &Settings) -> Result<(Accounts, Option<Sandbox>), ConfigError> {
    let mut accounts = settings::load_accounts(settings, &|name| std::env::var(name).ok())?;
    if !settings.sandbox {
        return Ok((accounts, None));
    }
    let options =
        SandboxOptions { accounts: accounts.by_name.keys().cloned().collect(), ..Default::default() };
    let sandbox = Sandbox::start(options)
        .map_err(|err| ConfigError::new(format!("cannot start the sandbox: {err}")))?;
    log::info!("sandbox serving at {}", sandbox.base_url());
    accounts.point_at_sandbox(&sandbox.base_url(), |name| sandbox.api_key(name));
    Ok((accounts, Some(sandbox)))
}
