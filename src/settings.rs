//! Settings: the command line, the environment and the config file merged into one value.
//!
//! `Settings::resolve` looks only at the command line and the environment, so it is cheap
//! and cannot fail on a bad config file. The file is read by `load_accounts`, which runs the
//! first time a script touches `app.integrations.close`: a script that never calls Close
//! needs no configuration at all.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::cli::GlobalArgs;
use crate::config::{self, ApiKey, ConfigError, Mode};

/// The accounts the sandbox provides when there is no config file.
pub const SANDBOX_ACCOUNTS: [&str; 3] = ["default", "us_team", "eu_team"];

/// How long an HTTP call may take when neither `--timeout` nor `timeout_secs` says.
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;

/// Tries in all for one call when the config does not say.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;

/// The most one call waits between tries, in all, when the config does not say.
pub const DEFAULT_MAX_WAIT_SECS: u64 = 120;

/// Where a setting came from, for messages that tell the user what to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A command-line option.
    Flag,
    /// An environment variable.
    Env,
    /// Built in.
    Default,
}

/// The resolved settings of one run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The config file to read; `None` when no home directory is known and none was given.
    pub config_path: Option<PathBuf>,
    /// Whether `config_path` was given explicitly (then it must exist).
    pub config_source: Source,
    /// The account chosen by `--account` or `CLOSE_LUA_ACCOUNT`.
    pub account: Option<(String, Source)>,
    /// Whether every account points at the built-in sandbox.
    pub sandbox: bool,
    /// How much to report on stderr: 0 quiet, 1 one line per HTTP call, 2 and up more.
    pub verbose: u8,
    /// No progress bars.
    pub quiet: bool,
    /// Report writes instead of sending them.
    pub dry_run: bool,
    /// The limit on each HTTP call given by `--timeout`.
    pub timeout: Option<Duration>,
    /// How long the whole run may take (`--max-runtime`).
    pub max_runtime: Option<Duration>,
    /// When the whole run must end: the start plus `max_runtime`.
    pub deadline: Option<Instant>,
    /// `CLOSE_API_KEY`, used when there is no config file.
    pub env_api_key: Option<ApiKey>,
    /// `CLOSE_API_BASE_URL`, used together with `CLOSE_API_KEY`.
    pub env_base_url: Option<String>,
    /// close-lua options the script got as arguments, having come after it.
    pub misplaced: Option<Misplaced>,
}

/// close-lua options deciding the accounts that were given after the script (or after the
/// first of the chunks' arguments), and so went to the script as arguments: `close-lua run
/// s.lua --sandbox` runs `s.lua` with the argument `--sandbox`, not against the sandbox.
/// When the run then fails for want of configuration, the hint says where they belong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Misplaced {
    /// The options as given: `--sandbox`, `--account=eu`.
    pub options: Vec<String>,
    /// Whether they followed a chunk's arguments rather than a script.
    pub after_chunk: bool,
}

/// The options that decide which accounts a run has, and so the ones whose absence a
/// configuration error can come from.
const ACCOUNT_OPTIONS: [&str; 3] = ["--config", "--account", "--sandbox"];

impl Misplaced {
    /// The options deciding the accounts among `args`; `None` when there are none.
    pub fn among(args: &[std::ffi::OsString], after_chunk: bool) -> Option<Misplaced> {
        let options: Vec<String> = args
            .iter()
            .filter_map(|arg| arg.to_str())
            .filter(|arg| ACCOUNT_OPTIONS.iter().any(|option| arg.split('=').next() == Some(option)))
            .map(str::to_string)
            .collect();
        (!options.is_empty()).then_some(Misplaced { options, after_chunk })
    }

    /// What to tell the user.
    fn hint(&self) -> String {
        let (list, them) = match self.options.as_slice() {
            [one] => (one.clone(), "it as an argument"),
            [first @ .., last] => (format!("{} and {last}", first.join(", ")), "them as arguments"),
            [] => (String::new(), ""),
        };
        if self.after_chunk {
            format!(
                "{list} came after the first of the chunk's arguments, so the chunk got {them}; close-lua's \
                 options go before the chunk's arguments"
            )
        } else {
            format!(
                "{list} came after the script, so the script got {them}; close-lua's options go before the \
                 script, as in close-lua {} run script.lua",
                self.options[0]
            )
        }
    }
}

impl Settings {
    /// A configuration error with, when close-lua options reached the script instead, a
    /// hint that says so in place of its own: the usual hint, such as "add --sandbox", would
    /// mislead someone who did add it, after the script.
    pub fn explain(&self, err: ConfigError) -> ConfigError {
        match &self.misplaced {
            Some(misplaced) => err.with_hint(misplaced.hint()),
            None => err,
        }
    }
}

impl Settings {
    /// Merges the command line with the environment; `env` looks up a variable.
    pub fn resolve(args: GlobalArgs, env: impl Fn(&str) -> Option<String>) -> Settings {
        let non_empty = |name: &str| env(name).filter(|value| !value.is_empty());

        let (config_path, config_source) = match (args.config, non_empty("CLOSE_LUA_CONFIG")) {
            (Some(path), _) => (Some(path), Source::Flag),
            (None, Some(path)) => (Some(PathBuf::from(path)), Source::Env),
            (None, None) => (config::default_path(), Source::Default),
        };
        let account = match (args.account, non_empty("CLOSE_LUA_ACCOUNT")) {
            (Some(name), _) => Some((name, Source::Flag)),
            (None, Some(name)) => Some((name, Source::Env)),
            (None, None) => None,
        };

        Settings {
            config_path,
            config_source,
            account,
            sandbox: args.sandbox,
            verbose: args.verbose,
            quiet: args.quiet,
            dry_run: args.dry_run,
            timeout: args.timeout,
            max_runtime: args.max_runtime,
            deadline: args.max_runtime.map(|limit| Instant::now() + limit),
            env_api_key: non_empty("CLOSE_API_KEY").map(ApiKey::new),
            env_base_url: non_empty("CLOSE_API_BASE_URL"),
            misplaced: None,
        }
    }
}

/// One account, ready for the client.
#[derive(Debug, Clone)]
pub struct Account {
    /// The name scripts use: `app.integrations.close.<name>`.
    pub name: String,
    /// The credential; a placeholder until the sandbox assigns one in sandbox runs.
    pub api_key: ApiKey,
    /// Where the API lives, without a trailing slash.
    pub base_url: String,
    /// Why the account cannot be used (e.g. its key is missing), reported on first use.
    pub problem: Option<ConfigError>,
    /// What scripts may do with it.
    pub mode: Mode,
    /// Where the key came from, for `close-lua accounts`: "config file", "$VARIABLE"...
    pub key_source: String,
}

impl Account {
    /// An account that may do everything, with a key from `key_source`.
    fn new(name: &str, api_key: ApiKey, base_url: String, key_source: &str) -> Account {
        Account {
            name: name.to_string(),
            api_key,
            base_url,
            problem: None,
            mode: Mode::Delete,
            key_source: key_source.to_string(),
        }
    }
}

/// How the client behaves on the network, the same for every account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    /// The limit on each HTTP call.
    pub timeout: Duration,
    /// Tries in all for one call, the first included.
    pub max_attempts: u32,
    /// The most one call may spend waiting between its tries.
    pub max_wait: Duration,
    /// When the whole run must end; calls never outlast it.
    pub deadline: Option<Instant>,
}

impl Network {
    /// The command line's values over the config file's over the defaults.
    fn new(settings: &Settings, file: Option<&config::ConfigFile>) -> Network {
        let file_timeout = file.and_then(|f| f.timeout_secs).map(Duration::from_secs_f64);
        let retry = file.map(|f| &f.retry);
        Network {
            timeout: settings.timeout.or(file_timeout).unwrap_or(Duration::from_secs(DEFAULT_TIMEOUT_SECS)),
            max_attempts: retry.and_then(|r| r.max_attempts).unwrap_or(DEFAULT_MAX_ATTEMPTS).max(1),
            max_wait: Duration::from_secs(
                retry.and_then(|r| r.max_wait_secs).unwrap_or(DEFAULT_MAX_WAIT_SECS),
            ),
            deadline: settings.deadline,
        }
    }
}

/// Every account of the run and which one is the default.
#[derive(Debug, Clone)]
pub struct Accounts {
    /// Where the accounts came from, e.g. "config file /home/x/.config/close-lua/config.toml".
    pub origin: String,
    /// The accounts by name.
    pub by_name: BTreeMap<String, Account>,
    /// The default account's name, or why there is none. The error only matters when a
    /// script uses the default account.
    pub default: Result<String, ConfigError>,
    /// Timeouts and retries.
    pub network: Network,
}

impl Accounts {
    /// Looks up an account by name, with an error that lists the known ones.
    pub fn get(&self, name: &str) -> Result<&Account, ConfigError> {
        let account = self.by_name.get(name).ok_or_else(|| {
            ConfigError::new(format!(
                "no account named '{name}' in {}; known accounts: {}",
                self.origin,
                self.known_names()
            ))
        })?;
        match &account.problem {
            Some(problem) => Err(problem.clone()),
            None => Ok(account),
        }
    }

    /// The names of all accounts, comma separated, for messages.
    pub fn known_names(&self) -> String {
        if self.by_name.is_empty() {
            return "none".to_string();
        }
        self.by_name.keys().map(String::as_str).collect::<Vec<_>>().join(", ")
    }

    /// Points every account at the sandbox, with the key its organisation accepts.
    pub fn point_at_sandbox(&mut self, base_url: &str, key_for: impl Fn(&str) -> Option<String>) {
        for account in self.by_name.values_mut() {
            account.base_url = base_url.to_string();
            account.api_key = ApiKey::new(key_for(&account.name).unwrap_or_default());
            account.key_source = "sandbox".to_string();
        }
    }
}

/// Reads the config file (or the environment) into the run's accounts; `env` looks up the
/// variables that `api_key_env` names.
///
/// In a sandbox run, keys are not required and base URLs are left for
/// [`Accounts::point_at_sandbox`]; without a config file the sandbox provides
/// [`SANDBOX_ACCOUNTS`].
pub fn load_accounts(
    settings: &Settings,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Accounts, ConfigError> {
    let file = match &settings.config_path {
        Some(path) => config::read(path)?.map(|file| (path.clone(), file)),
        None => None,
    };
    if file.is_none() && settings.config_source != Source::Default {
        let path = settings.config_path.as_deref().unwrap_or_else(|| "".as_ref());
        let via = if settings.config_source == Source::Flag { "--config" } else { "CLOSE_LUA_CONFIG" };
        return Err(ConfigError::new(format!("config file {} (from {via}) does not exist", path.display()))
            .with_hint(creation_hint(path, settings.config_source, settings.sandbox)));
    }

    let network = Network::new(settings, file.as_ref().map(|(_, file)| file));
    let found = match file {
        Some((path, file)) => {
            let origin = format!("config file {}", path.display());
            let mut by_name = accounts_from_file(&origin, file.accounts, settings.sandbox, env);
            if settings.sandbox {
                // The sandbox's own accounts stay available beside the file's, so that the
                // tour and the multi-account examples run whatever the file holds.
                for name in SANDBOX_ACCOUNTS {
                    by_name.entry(name.to_string()).or_insert_with(|| placeholder(name).1);
                }
            }
            Found { origin, by_name, file_default: file.default_account }
        }
        None if settings.sandbox => Found {
            origin: "the sandbox".to_string(),
            by_name: SANDBOX_ACCOUNTS.iter().map(|name| placeholder(name)).collect(),
            file_default: None,
        },
        None => accounts_from_env(settings)?,
    };

    let mut accounts =
        Accounts { origin: found.origin, by_name: found.by_name, default: Ok(String::new()), network };
    accounts.default = choose_default(&accounts, settings, found.file_default);
    Ok(accounts)
}

/// Accounts as read from one place, before the default is chosen.
struct Found {
    origin: String,
    by_name: BTreeMap<String, Account>,
    file_default: Option<String>,
}

/// The accounts of a config file. An account whose key cannot be had keeps the reason as
/// its `problem`, which only a call to that account reports: one broken account does not
/// stop scripts that use the others.
fn accounts_from_file(
    origin: &str,
    entries: BTreeMap<String, config::AccountEntry>,
    sandbox: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> BTreeMap<String, Account> {
    let mut accounts = BTreeMap::new();
    for (name, entry) in entries {
        let (api_key, problem) = match (sandbox, key_of(origin, &name, &entry, env)) {
            (true, _) => (ApiKey::new(""), None),
            (false, Ok(key)) => (key, None),
            (false, Err(problem)) => (ApiKey::new(""), Some(problem)),
        };
        let key_source = match &entry.api_key_env {
            Some(variable) => format!("${variable}"),
            None => "config file".to_string(),
        };
        let base_url = entry.base_url.clone().unwrap_or_else(|| config::DEFAULT_BASE_URL.to_string());
        let mut account =
            Account::new(&name, api_key, base_url.trim_end_matches('/').to_string(), &key_source);
        account.problem = problem;
        account.mode = entry.mode;
        accounts.insert(name, account);
    }
    accounts
}

/// An account's key, from `api_key` or the variable `api_key_env` names. White space
/// around a key is dropped: keys never contain any, and a stray space is an easy slip.
fn key_of(
    origin: &str,
    name: &str,
    entry: &config::AccountEntry,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ApiKey, ConfigError> {
    let key = match (&entry.api_key, &entry.api_key_env) {
        (Some(_), Some(_)) => {
            return Err(ConfigError::new(format!(
                "account '{name}' in {origin} has both api_key and api_key_env; keep one"
            )));
        }
        (Some(key), None) => key.expose().trim().to_string(),
        (None, Some(variable)) => env(variable).map(|key| key.trim().to_string()).unwrap_or_default(),
        (None, None) => {
            return Err(ConfigError::new(format!("account '{name}' in {origin} has no api_key")).with_hint(
                format!("add api_key = \"api_...\" (or api_key_env = \"VARIABLE\") under [accounts.{name}]"),
            ));
        }
    };
    if !key.is_empty() {
        return Ok(ApiKey::new(key));
    }
    Err(match &entry.api_key_env {
        Some(variable) => ConfigError::new(format!(
            "account '{name}' in {origin} takes its key from the environment variable {variable}, \
             which is not set"
        ))
        .with_hint(format!("export {variable}=api_... before running close-lua")),
        None => ConfigError::new(format!("account '{name}' in {origin} has an empty api_key")),
    })
}

/// What to tell a user whose config file does not exist: `close-lua config init` writes one
/// at the same place. `CLOSE_API_KEY` is suggested only where it would be used, that is
/// when no config file was asked for; `sandbox` when the run already asked for the sandbox
/// (which then suggests itself no more).
fn creation_hint(path: &Path, from: Source, sandbox: bool) -> String {
    let init = match from {
        Source::Flag => format!("close-lua --config {} config init", path.display()),
        _ => "close-lua config init".to_string(),
    };
    let mut hint =
        format!("{init} writes a commented config at {} to fill in with your api_key", path.display());
    match (from, sandbox) {
        (Source::Flag, true) => hint.push_str(", or leave out --config to use the sandbox's own accounts"),
        (Source::Env, true) => hint.push_str(", or unset CLOSE_LUA_CONFIG to use the sandbox's own accounts"),
        (Source::Default, _) => {
            hint.push_str(", or set CLOSE_API_KEY; to try close-lua without an account, add --sandbox")
        }
        (_, false) => hint.push_str("; to try close-lua without an account, add --sandbox"),
    }
    hint
}

/// The single `default` account that `CLOSE_API_KEY` gives when there is no config file.
fn accounts_from_env(settings: &Settings) -> Result<Found, ConfigError> {
    let Some(api_key) = settings.env_api_key.clone() else {
        let message = match &settings.config_path {
            Some(path) => format!("no config file at {} and CLOSE_API_KEY is not set", path.display()),
            None => "no config file (the home directory is unknown) and CLOSE_API_KEY is not set".to_string(),
        };
        let path = settings.config_path.clone().unwrap_or_else(|| PathBuf::from("config.toml"));
        return Err(ConfigError::new(message).with_hint(creation_hint(&path, Source::Default, false)));
    };
    let base_url = match &settings.env_base_url {
        Some(url) => {
            config::check_base_url(url)
                .map_err(|why| ConfigError::new(format!("CLOSE_API_BASE_URL {why}")))?;
            url.trim_end_matches('/').to_string()
        }
        None => config::DEFAULT_BASE_URL.to_string(),
    };
    let account = Account::new("default", api_key, base_url, "$CLOSE_API_KEY");
    let by_name = BTreeMap::from([("default".to_string(), account)]);
    Ok(Found { origin: "the environment (CLOSE_API_KEY)".to_string(), by_name, file_default: None })
}

/// An account whose key and URL the sandbox fills in.
fn placeholder(name: &str) -> (String, Account) {
    let account = Account::new(name, ApiKey::new(""), String::new(), "sandbox");
    (name.to_string(), account)
}

/// Picks the default account: `--account`, then `CLOSE_LUA_ACCOUNT`, then the file's
/// `default_account`, then the account named `default`, then the only account there is.
fn choose_default(
    accounts: &Accounts,
    settings: &Settings,
    file_default: Option<String>,
) -> Result<String, ConfigError> {
    let (name, named_by) = match (&settings.account, file_default) {
        (Some((name, Source::Env)), _) => (name.clone(), "CLOSE_LUA_ACCOUNT"),
        (Some((name, _)), _) => (name.clone(), "--account"),
        (None, Some(name)) => (name, "default_account"),
        (None, None) if accounts.by_name.contains_key("default") => return Ok("default".to_string()),
        (None, None) if accounts.by_name.len() == 1 => {
            return Ok(accounts.by_name.keys().next().cloned().unwrap_or_default());
        }
        (None, None) => {
            return Err(ConfigError::new(format!(
                "no default account in {}: there is no account named 'default' and no default_account",
                accounts.origin
            ))
            .with_hint(format!(
                "set default_account, pass --account, or name the account in the script \
                 (known accounts: {})",
                accounts.known_names()
            )));
        }
    };
    if accounts.by_name.contains_key(&name) {
        return Ok(name);
    }
    Err(ConfigError::new(format!(
        "{named_by} names the account '{name}', which is not in {}; known accounts: {}",
        accounts.origin,
        accounts.known_names()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Settings for a run with `config` as its config file (none when `None`), `account` as
    /// `--account`, and `env` as the whole environment. The directory holding the file lives
    /// as long as the returned guard.
    fn settings_for(
        config: Option<&str>,
        account: Option<&str>,
        env: &[(&str, &str)],
    ) -> (Settings, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        if let Some(text) = config {
            std::fs::write(&path, text).unwrap();
        }
        let args = GlobalArgs {
            config: Some(path),
            account: account.map(str::to_string),
            sandbox: false,
            verbose: 0,
            quiet: false,
            dry_run: false,
            timeout: None,
            max_runtime: None,
        };
        let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let lookup = move |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let mut settings = Settings::resolve(args, lookup);
        if config.is_none() {
            settings.config_source = Source::Default;
        }
        (settings, dir)
    }

    /// Loads with an environment holding only CLOSE_US_KEY.
    fn load(settings: &Settings) -> Result<Accounts, ConfigError> {
        load_accounts(settings, &|name| (name == "CLOSE_US_KEY").then(|| "api_from_env".to_string()))
    }

    const TWO: &str = "[accounts.default]\napi_key = \"k1\"\n[accounts.us_team]\napi_key = \"k2\"\n";

    #[test]
    fn account_options_are_close_luas_and_found_after_the_script() {
        let known = crate::cli::long_options();
        assert!(ACCOUNT_OPTIONS.iter().all(|option| known.iter().any(|known| known == option)), "{known:?}");
        let args: Vec<std::ffi::OsString> =
            ["a", "--sandbox", "-v", "--verbose", "--account=eu", "--sandboxes"]
                .iter()
                .map(Into::into)
                .collect();
        assert_eq!(
            Misplaced::among(&args, false),
            Some(Misplaced { options: vec!["--sandbox".into(), "--account=eu".into()], after_chunk: false })
        );
        assert_eq!(Misplaced::among(&args[2..4], true), None);
    }

    #[test]
    fn account_flag_beats_environment_and_file() {
        let (settings, _dir) = settings_for(Some(TWO), Some("us_team"), &[("CLOSE_LUA_ACCOUNT", "default")]);
        assert_eq!(load(&settings).unwrap().default.unwrap(), "us_team");
        let (settings, _dir) = settings_for(Some(TWO), None, &[("CLOSE_LUA_ACCOUNT", "us_team")]);
        assert_eq!(load(&settings).unwrap().default.unwrap(), "us_team");
    }

    #[test]
    fn default_account_setting_beats_the_account_named_default() {
        let text = format!("default_account = \"us_team\"\n{TWO}");
        let (settings, _dir) = settings_for(Some(&text), None, &[]);
        assert_eq!(load(&settings).unwrap().default.unwrap(), "us_team");
        let (settings, _dir) = settings_for(Some(TWO), None, &[]);
        assert_eq!(load(&settings).unwrap().default.unwrap(), "default");
    }

    #[test]
    fn unknown_account_lists_the_known_ones() {
        let (settings, _dir) = settings_for(Some(TWO), Some("eu"), &[]);
        let err = load(&settings).unwrap().default.unwrap_err();
        assert!(err.message.starts_with("--account names the account 'eu', which is not in config file "));
        assert!(err.message.ends_with("; known accounts: default, us_team"), "{}", err.message);
    }

    #[test]
    fn an_account_needs_a_key_but_only_its_own_calls_fail() {
        let text = "[accounts.x]\nbase_url = \"https://h/api\"\n[accounts.y]\napi_key = \"  \"\n\
                    [accounts.z]\napi_key = \" api_z \"\n";
        let (settings, _dir) = settings_for(Some(text), None, &[]);
        let accounts = load(&settings).unwrap();
        let err = accounts.get("x").unwrap_err();
        assert!(err.message.starts_with("account 'x' in config file "), "{}", err.message);
        assert!(err.message.ends_with(" has no api_key"));
        assert!(accounts.get("y").unwrap_err().message.ends_with(" has an empty api_key"));
        assert_eq!(accounts.get("z").unwrap().api_key.expose(), "api_z");
    }

    #[test]
    fn an_explicit_config_must_exist() {
        let (mut settings, _dir) = settings_for(None, None, &[("CLOSE_API_KEY", "k")]);
        settings.config_path = Some(PathBuf::from("/nonexistent/c.toml"));
        settings.config_source = Source::Flag;
        // The explicit path wins even over CLOSE_API_KEY.
        let err = load(&settings).unwrap_err();
        assert_eq!(err.message, "config file /nonexistent/c.toml (from --config) does not exist");
        assert_eq!(
            err.hint.as_deref(),
            Some(
                "close-lua --config /nonexistent/c.toml config init writes a commented config at \
                 /nonexistent/c.toml to fill in with your api_key; to try close-lua without an account, add --sandbox"
            )
        );

        settings.config_source = Source::Env;
        settings.sandbox = true;
        let err = load(&settings).unwrap_err();
        assert_eq!(err.message, "config file /nonexistent/c.toml (from CLOSE_LUA_CONFIG) does not exist");
        assert_eq!(
            err.hint.as_deref(),
            Some(
                "close-lua config init writes a commented config at /nonexistent/c.toml to fill in with your \
                 api_key, or unset CLOSE_LUA_CONFIG to use the sandbox's own accounts"
            )
        );
    }

    #[test]
    fn environment_key_gives_one_default_account() {
        let (mut settings, _dir) = settings_for(
            None,
            None,
            &[("CLOSE_API_KEY", "api_env"), ("CLOSE_API_BASE_URL", "http://localhost:1/v1/")],
        );
        settings.config_path = Some(PathBuf::from("/nonexistent/c.toml"));
        let accounts = load(&settings).unwrap();
        let account = accounts.get("default").unwrap();
        assert_eq!(account.api_key.expose(), "api_env");
        assert_eq!(account.base_url, "http://localhost:1/v1");
        assert_eq!(accounts.default.unwrap(), "default");
    }

    #[test]
    fn nothing_configured_explains_how_to_start() {
        let (mut settings, _dir) = settings_for(None, None, &[]);
        settings.config_path = Some(PathBuf::from("/nonexistent/c.toml"));
        let err = load(&settings).unwrap_err();
        assert_eq!(err.message, "no config file at /nonexistent/c.toml and CLOSE_API_KEY is not set");
        assert_eq!(
            err.hint.as_deref(),
            Some(
                "close-lua config init writes a commented config at /nonexistent/c.toml to fill in with your \
                 api_key, or set CLOSE_API_KEY; to try close-lua without an account, add --sandbox"
            )
        );
    }

    #[test]
    fn sandbox_without_config_has_three_accounts() {
        let (mut settings, _dir) = settings_for(None, None, &[]);
        settings.config_path = Some(PathBuf::from("/nonexistent/c.toml"));
        settings.sandbox = true;
        let accounts = load(&settings).unwrap();
        assert_eq!(accounts.known_names(), "default, eu_team, us_team");
    }

    #[test]
    fn keys_may_come_from_a_named_environment_variable() {
        let text =
            "[accounts.us]\napi_key_env = \"CLOSE_US_KEY\"\n[accounts.eu]\napi_key_env = \"CLOSE_EU_KEY\"\n";
        let (settings, _dir) = settings_for(Some(text), None, &[]);
        let err = load(&settings).unwrap().get("eu").unwrap_err();
        assert!(err.message.starts_with("account 'eu' in config file "), "{}", err.message);
        assert!(
            err.message
                .ends_with("takes its key from the environment variable CLOSE_EU_KEY, which is not set")
        );

        let (settings, _dir) =
            settings_for(Some("[accounts.us]\napi_key_env = \"CLOSE_US_KEY\"\n"), None, &[]);
        assert_eq!(load(&settings).unwrap().get("us").unwrap().api_key.expose(), "api_from_env");

        let both = "[accounts.us]\napi_key = \"k\"\napi_key_env = \"CLOSE_US_KEY\"\n";
        let (settings, _dir) = settings_for(Some(both), None, &[]);
        let err = load(&settings).unwrap().get("us").unwrap_err();
        assert!(err.message.ends_with("has both api_key and api_key_env; keep one"));
    }

    #[test]
    fn network_settings_flag_over_file_over_defaults() {
        let (settings, _dir) = settings_for(Some(TWO), None, &[]);
        let network = load(&settings).unwrap().network;
        assert_eq!(
            (network.timeout.as_secs(), network.max_attempts, network.max_wait.as_secs()),
            (30, 5, 120)
        );

        let text = format!("timeout_secs = 7\n[retry]\nmax_attempts = 2\nmax_wait_secs = 9\n{TWO}");
        let (mut settings, _dir) = settings_for(Some(&text), None, &[]);
        let network = load(&settings).unwrap().network;
        assert_eq!((network.timeout.as_secs(), network.max_attempts, network.max_wait.as_secs()), (7, 2, 9));
        settings.timeout = Some(Duration::from_secs(3));
        assert_eq!(load(&settings).unwrap().network.timeout.as_secs(), 3);
    }
}
