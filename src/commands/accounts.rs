//! `close-lua accounts` and `close-lua config`: what is configured, and a first config.

use std::io::Write;
use std::path::Path;

use crate::close::{Client, Method};
use crate::run_accounts;
use crate::runner::EXIT_USAGE;
use crate::settings::{Account, Settings, Source};

/// Lists the accounts; with `check`, calls `/me/` for each. Exit status 1 when a check
/// fails, 2 when the configuration cannot be read.
pub fn accounts(settings: &Settings, check: bool) -> i32 {
    let (accounts, _sandbox) = match run_accounts::open(settings) {
        Ok(opened) => opened,
        Err(err) => {
            eprintln!("close-lua: error: {err}");
            return EXIT_USAGE;
        }
    };
    println!("accounts from {}", accounts.origin);
    let default = accounts.default.as_ref().ok().cloned().unwrap_or_default();
    let rows: Vec<[String; 5]> = accounts
        .by_name
        .values()
        .map(|account| {
            let marker = if account.name == default { " (default)" } else { "" };
            [
                format!("{}{marker}", account.name),
                account.base_url.clone(),
                account.mode.as_str().to_string(),
                redacted(account),
                account.key_source.clone(),
            ]
        })
        .collect();
    print_table(&["name", "base url", "mode", "key", "key from"], &rows);
    for account in accounts.by_name.values() {
        if let Some(problem) = &account.problem {
            println!("{}: {}", account.name, problem.message);
        }
    }
    if !check {
        return 0;
    }

    let mut failed = false;
    for account in accounts.by_name.values() {
        match check_account(account, &accounts) {
            Ok(line) => println!("{}: ok: {line}", account.name),
            Err(why) => {
                failed = true;
                println!("{}: failed: {why}", account.name);
            }
        }
    }
    i32::from(failed)
}

/// The last four characters of a key at most, so accounts can be told apart without
/// showing what would let anyone use them.
fn redacted(account: &Account) -> String {
    let key = account.api_key.expose();
    if account.problem.is_some() || key.is_empty() {
        return "(none)".to_string();
    }
    let chars: Vec<char> = key.chars().collect();
    let shown: String = chars[chars.len().saturating_sub(4).max(chars.len() / 2)..].iter().collect();
    format!("...{shown}")
}

/// Calls `/me/` for an account: "Pat Example <pat@...> in Demo Co", or why it failed.
fn check_account(account: &Account, accounts: &crate::settings::Accounts) -> Result<String, String> {
    if let Some(problem) = &account.problem {
        return Err(problem.message.clone());
    }
    let client = Client::new(account, accounts.network);
    let body = client.call(Method::Get, "/me/", &[], None).map_err(|err| err.to_string())?;
    let me: serde_json::Value = serde_json::from_slice(&body).map_err(|err| err.to_string())?;
    let text = |value: &serde_json::Value| value.as_str().unwrap_or("?").to_string();
    let orgs: Vec<String> =
        me["organizations"].as_array().into_iter().flatten().map(|org| text(&org["name"])).collect();
    Ok(format!(
        "{} {} <{}> in {}",
        text(&me["first_name"]),
        text(&me["last_name"]),
        text(&me["email"]),
        if orgs.is_empty() { "no organization".to_string() } else { orgs.join(", ") }
    ))
}

/// Prints rows under a header, in columns.
fn print_table(header: &[&str; 5], rows: &[[String; 5]]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> =
            cells.iter().zip(&widths).map(|(cell, width)| format!("{cell:<width$}")).collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

/// `close-lua config path`.
pub fn config_path(settings: &Settings) -> i32 {
    let Some(path) = &settings.config_path else {
        println!("no config path: the home directory is unknown; use --config or CLOSE_LUA_CONFIG");
        return EXIT_USAGE;
    };
    let from = match settings.config_source {
        Source::Flag => " (from --config)",
        Source::Env => " (from CLOSE_LUA_CONFIG)",
        Source::Default => "",
    };
    let state = if path.exists() { "exists" } else { "does not exist yet; close-lua config init writes one" };
    println!("{}{from}: {state}", path.display());
    0
}

/// `close-lua config init`: a commented config, readable by its owner only.
pub fn config_init(settings: &Settings) -> i32 {
    let Some(path) = &settings.config_path else {
        eprintln!("close-lua: error: the home directory is unknown; give the file with --config");
        return EXIT_USAGE;
    };
    match write_template(path) {
        Ok(()) => {
            println!("wrote {}: add your API key under [accounts.default]", path.display());
            0
        }
        Err(why) => {
            eprintln!("close-lua: error: {why}");
            EXIT_USAGE
        }
    }
}

fn write_template(path: &Path) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|err| match err.kind() {
        std::io::ErrorKind::AlreadyExists => {
            format!("{} already exists; close-lua does not overwrite it", path.display())
        }
        _ => format!("cannot create {}: {err}", path.display()),
    })?;
    file.write_all(TEMPLATE.as_bytes()).map_err(|err| format!("cannot write {}: {err}", path.display()))
}

/// The first config `config init` writes; `config::parse` accepts it as it is.
const TEMPLATE: &str = r#"# close-lua configuration: the Close accounts scripts can use.
# Keep this file readable by you alone; it holds API keys.

# The account app.integrations.close calls when --account does not name one.
# default_account = "default"

# Seconds one HTTP call may take.
# timeout_secs = 30

# [retry]
# max_attempts = 5      # tries in all for one call
# max_wait_secs = 120   # the most one call waits between tries

[accounts.default]
# Paste an API key from Close (Settings > Developer > API Keys) between the quotes,
# or name an environment variable that holds it: api_key_env = "CLOSE_API_KEY_MAIN"
api_key = ""
# mode = "delete"       # "read": reads only; "write": no deletes; "delete": everything
# base_url = "https://api.close.com/api/v1"

# More accounts, reached as app.integrations.close.<name>:
# [accounts.eu_team]
# api_key = ""
# mode = "read"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    use crate::config;

    #[test]
    fn the_template_is_a_valid_config() {
        let parsed = config::parse(TEMPLATE, Path::new("template.toml")).unwrap();
        assert_eq!(parsed.accounts.len(), 1);
    }

    #[test]
    fn keys_show_four_characters_at_most() {
        let mut account = Account {
            name: "a".into(),
            api_key: config::ApiKey::new("api_SECRETSECRETSECRET1234"),
            base_url: String::new(),
            problem: None,
            mode: config::Mode::Read,
            key_source: String::new(),
        };
        assert_eq!(redacted(&account), "...1234");
        account.api_key = config::ApiKey::new("abcdef");
        assert_eq!(redacted(&account), "...def");
    }
}
