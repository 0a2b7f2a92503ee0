//! The config file: its TOML model, where it is looked for, and the redacted `ApiKey`.
//!
//! This module only reads and checks the file. Which account a run uses, and how the
//! command line and the environment override the file, is decided in `settings`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Where the Close API lives when an account does not say otherwise.
pub const DEFAULT_BASE_URL: &str = "https://api.close.com/api/v1";

/// An API key. It prints as a placeholder, so a key inside any struct that is logged or
/// formatted for an error message never shows.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key read from a file or the environment.
    pub fn new(key: impl Into<String>) -> ApiKey {
        ApiKey(key.into())
    }

    /// The key itself, for the one place that needs it: the Authorization header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The config file as written by the user.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// The account used when neither `--account` nor `CLOSE_LUA_ACCOUNT` names one.
    pub default_account: Option<String>,
    /// The limit on each HTTP call, in seconds; `--timeout` overrides it.
    pub timeout_secs: Option<f64>,
    /// How failed calls are repeated.
    #[serde(default)]
    pub retry: RetryEntry,
    /// Accounts by name.
    #[serde(default)]
    pub accounts: BTreeMap<String, AccountEntry>,
}

/// The `[retry]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryEntry {
    /// Tries in all for one call, the first included.
    pub max_attempts: Option<u32>,
    /// The most time one call may spend waiting between its tries, in seconds.
    pub max_wait_secs: Option<u64>,
}

/// One `[accounts.<name>]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountEntry {
    /// The Close API key.
    pub api_key: Option<ApiKey>,
    /// The name of an environment variable holding the key, instead of `api_key`.
    pub api_key_env: Option<String>,
    /// Overrides [`DEFAULT_BASE_URL`].
    pub base_url: Option<String>,
    /// What scripts may do with the account.
    #[serde(default)]
    pub mode: Mode,
}

/// What scripts may do with an account: only read, also create and change, or also delete.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Reads only.
    Read,
    /// Reads, creates and updates.
    Write,
    /// Everything, deletes included.
    #[default]
    Delete,
}

impl Mode {
    /// The mode's name as the config writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Read => "read",
            Mode::Write => "write",
            Mode::Delete => "delete",
        }
    }
}

/// A problem with the configuration. It ends the run with exit status 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// What is wrong, naming the file where there is one.
    pub message: String,
    /// How to fix it, when that is known.
    pub hint: Option<String>,
}

impl ConfigError {
    /// An error without a hint.
    pub fn new(message: impl Into<String>) -> ConfigError {
        ConfigError { message: message.into(), hint: None }
    }

    /// Adds a line telling the user what to do.
    pub fn with_hint(mut self, hint: impl Into<String>) -> ConfigError {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\nhint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// The config file's usual place: `~/.config/close-lua/config.toml` on Linux, the platform's
/// equivalent elsewhere. `None` when the home directory cannot be determined.
pub fn default_path() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "close-lua")?;
    Some(dirs.config_dir().join("config.toml"))
}

/// Reads and parses a config file. `Ok(None)` when there is no file at `path`.
pub fn read(path: &Path) -> Result<Option<ConfigFile>, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => {
            return Err(ConfigError::new(format!("cannot read config file {}: {err}", path.display())));
        }
    };
    let config = parse(&text, path)?;
    if config.accounts.values().any(|account| account.api_key.is_some()) {
        warn_if_readable_by_others(path);
    }
    Ok(Some(config))
}

/// A file holding API keys should be its owner's alone; like ssh with its keys, say so
/// when others can read it, but go on: refusing would break a cron job over a permission
/// bit. A file whose accounts all take their keys from the environment holds no secret.
fn warn_if_readable_by_others(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(metadata) = std::fs::metadata(path) else { return };
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            log::warn!(
                "config file {} can be read by other users (mode {mode:o}) and holds API keys; \
                 to fix it: chmod 600 {}",
                path.display(),
                path.display()
            );
        }
    }
}

/// Parses config text; `path` only names the file in errors.
pub fn parse(text: &str, path: &Path) -> Result<ConfigFile, ConfigError> {
    let config: ConfigFile = toml::from_str(text).map_err(|err| {
        ConfigError::new(format!("config file {} is not valid: {}", path.display(), toml_error(text, &err)))
    })?;
    if let Some(secs) = config.timeout_secs
        && let Err(why) = crate::cli::usable_seconds(secs)
    {
        return Err(ConfigError::new(format!(
            "config file {}: timeout_secs = {secs} is not a usable number of seconds: {why}",
            path.display()
        )));
    }
    for (name, account) in &config.accounts {
        if let Some(url) = &account.base_url {
            check_base_url(url).map_err(|why| {
                ConfigError::new(format!("config file {}: accounts.{name}.base_url {why}", path.display()))
            })?;
        }
    }
    Ok(config)
}

/// A base URL must be an absolute http(s) URL; the client appends paths to it.
pub fn check_base_url(url: &str) -> Result<(), String> {
    let (secure, rest) = match (url.strip_prefix("https://"), url.strip_prefix("http://")) {
        (Some(rest), _) => (true, rest),
        (None, Some(rest)) => (false, rest),
        (None, None) => return Err(format!("must start with https:// (got \"{url}\")")),
    };
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("has no host (got \"{url}\")"));
    }
    // The key travels in every request, so plain HTTP is only for this machine (the
    // sandbox, or a tunnel that encrypts on its own).
    if !secure && !is_loopback(rest) {
        return Err(format!(
            "uses plain http:// to another machine, which would send the API key unencrypted; use https:// (got \"{url}\")"
        ));
    }
    Ok(())
}

/// Whether the host at the start of `rest` (what follows the scheme) is this machine.
fn is_loopback(rest: &str) -> bool {
    let authority = rest.split('/').next().unwrap_or(rest);
    let host = match authority.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or(""),
        None => authority.rsplit_once(':').map_or(authority, |(host, _)| host),
    };
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Renders a TOML error as "line L, column C: message" on one line.
fn toml_error(text: &str, err: &toml::de::Error) -> String {
    let message = err.message().trim_end_matches('.');
    match err.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            // Characters, not bytes, as an editor counts them.
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let column = before[line_start..].chars().count() + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<ConfigFile, ConfigError> {
        parse(text, Path::new("/etc/c.toml"))
    }

    #[test]
    fn reads_accounts_and_default() {
        let config = parse_str(
            "default_account = \"us\"\n[accounts.us]\napi_key = \"api_1\"\n\
             [accounts.eu]\napi_key = \"api_2\"\nbase_url = \"http://127.0.0.1:9/api/v1\"\n",
        )
        .unwrap();
        assert_eq!(config.default_account.as_deref(), Some("us"));
        assert_eq!(config.accounts.len(), 2);
        assert_eq!(config.accounts["eu"].base_url.as_deref(), Some("http://127.0.0.1:9/api/v1"));
        assert_eq!(config.accounts["us"].api_key.as_ref().map(ApiKey::expose), Some("api_1"));
    }

    #[test]
    fn modes_default_to_everything_and_refuse_unknown_words() {
        let config =
            parse_str("[accounts.a]\napi_key = \"k\"\n[accounts.b]\napi_key = \"k\"\nmode = \"read\"\n")
                .unwrap();
        assert_eq!((config.accounts["a"].mode, config.accounts["b"].mode), (Mode::Delete, Mode::Read));
        let err = parse_str("[accounts.a]\napi_key = \"k\"\nmode = \"readonly\"\n").unwrap_err();
        assert!(err.message.contains("line 3, column 8: unknown variant `readonly`"), "{err}");
    }

    #[test]
    fn malformed_toml_names_file_line_and_column() {
        let err = parse_str("[accounts.us]\napi_key = \"unterminated\n").unwrap_err();
        assert!(err.message.starts_with("config file /etc/c.toml is not valid: line 2, column "), "{err}");
    }

    #[test]
    fn columns_count_characters() {
        let err = parse_str("[accounts]\n\"zürich\" = { api_key = \"k\", mode = \"nope\" }\n").unwrap_err();
        assert!(err.message.contains("line 2, column 36: unknown variant `nope`"), "{err}");
        let err = parse_str("[accounts.a]\napi_key = \"ü\" x\n").unwrap_err();
        assert!(err.message.contains("line 2, column 15: "), "{err}");
    }

    #[test]
    fn unknown_settings_are_refused() {
        let err = parse_str("[accounts.us]\napikey = \"x\"\n").unwrap_err();
        assert!(err.message.contains("line 2, column 1: unknown field `apikey`"), "{err}");
    }

    #[test]
    fn base_url_must_be_http() {
        let err = parse_str("[accounts.us]\napi_key = \"k\"\nbase_url = \"api.close.com\"\n").unwrap_err();
        assert_eq!(
            err.message,
            "config file /etc/c.toml: accounts.us.base_url must start with https:// (got \"api.close.com\")"
        );
    }

    #[test]
    fn plain_http_is_only_for_this_machine() {
        let err = parse_str("[accounts.us]\napi_key = \"k\"\nbase_url = \"http://api.close.com/api/v1\"\n")
            .unwrap_err();
        assert_eq!(
            err.message,
            "config file /etc/c.toml: accounts.us.base_url uses plain http:// to another machine, which would \
             send the API key unencrypted; use https:// (got \"http://api.close.com/api/v1\")"
        );
        for url in [
            "http://127.0.0.1:8099/api/v1",
            "http://localhost/api/v1",
            "http://[::1]:9/v1",
            "https://x.example",
        ] {
            assert_eq!(check_base_url(url), Ok(()), "{url}");
        }
        assert!(check_base_url("http://localhost.example.com/v1").is_err());
    }

    #[test]
    fn timeout_secs_follows_the_rule_of_timeout() {
        for (secs, why) in [
            ("0", "0 is not a usable number of seconds: give more than 0"),
            ("-1.5", "-1.5 is not a usable number of seconds: give more than 0"),
            ("1e10", "10000000000 is not a usable number of seconds: give at most 1000000000"),
        ] {
            let err = parse_str(&format!("timeout_secs = {secs}\n")).unwrap_err();
            assert_eq!(err.message, format!("config file /etc/c.toml: timeout_secs = {why}"));
        }
        assert_eq!(parse_str("timeout_secs = 0.5\n").unwrap().timeout_secs, Some(0.5));
    }

    #[test]
    fn keys_never_print() {
        let config = parse_str("[accounts.us]\napi_key = \"api_SECRET\"\n").unwrap();
        assert!(!format!("{config:?}").contains("SECRET"));
        let key = ApiKey::new("api_SECRET");
        assert_eq!(format!("{key} {key:?}"), "<redacted> ApiKey(<redacted>)");
    }

    #[test]
    fn the_example_config_is_valid() {
        let config = parse_str(include_str!("../config.example.toml")).unwrap();
        assert_eq!(config.default_account.as_deref(), Some("default"));
        let names: Vec<&str> = config.accounts.keys().map(String::as_str).collect();
        assert_eq!(names, ["default", "eu_team", "us_team"]);
    }

    #[test]
    fn a_missing_file_is_not_an_error_here() {
        assert!(read(Path::new("/nonexistent/close-lua/config.toml")).unwrap().is_none());
    }
}
