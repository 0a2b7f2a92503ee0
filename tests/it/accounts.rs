//! `close-lua accounts` and `close-lua config`.

use crate::helpers::{Env, Served, stderr, stdout};

#[test]
fn accounts_lists_names_urls_modes_and_redacted_keys() {
    let served = Served::new();
    let config = served.env.home.path().join(".config/close-lua/config.toml");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("[accounts.eu_team]\n", "[accounts.eu_team]\nmode = \"read\"\n");
    std::fs::write(&config, format!("{text}[accounts.env_one]\napi_key_env = \"CLOSE_ONE_KEY\"\n")).unwrap();
    let key = served.sandbox.api_key("default").unwrap();
    let output =
        served.cmd().env("CLOSE_ONE_KEY", "api_from_the_environment_9876").arg("accounts").output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    let last4: String = key.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    assert!(!out.contains(&key[..key.len() - 4]), "the key is hidden:\n{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("accounts from config file "), "{out}");
    assert!(lines[1].starts_with("name"), "{out}");
    let row = |name: &str| lines.iter().find(|line| line.starts_with(name)).copied().unwrap_or_default();
    assert!(row("default (default)").contains(&format!("  delete  ...{last4}  config file")), "{out}");
    assert!(row("eu_team").contains("  read  "), "{out}");
    assert!(row("env_one").ends_with("...9876  $CLOSE_ONE_KEY"), "{out}");
    assert!(row("env_one").contains("https://api.close.com/api/v1"), "{out}");
}

#[test]
fn accounts_check_calls_each_account() {
    let served = Served::new();
    let output = served.cmd().args(["accounts", "--check"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.contains("default: ok: Pat Example <pat@demo.example.com> in Demo Co\n"), "{out}");
    assert!(out.contains("eu_team: ok: Alex Martin <alex@eu-team.example.org> in EU Team Demo\n"), "{out}");

    let config = served.env.home.path().join(".config/close-lua/config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!(
            "{text}[accounts.wrong]\napi_key = \"api_wrong\"\nbase_url = \"{}\"\n",
            served.sandbox.base_url()
        ),
    )
    .unwrap();
    let output = served.cmd().args(["accounts", "--check"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("wrong: failed: HTTP 401: the API key of account 'wrong' was refused"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn config_path_and_init() {
    let env = Env::new();
    let path = env.home.path().join(".config/close-lua/config.toml");
    env.cmd()
        .args(["config", "path"])
        .assert()
        .success()
        .stdout(format!("{}: does not exist yet; close-lua config init writes one\n", path.display()));
    env.cmd().args(["config", "init"]).assert().success();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    assert!(std::fs::read_to_string(&path).unwrap().contains("[accounts.default]"));
    let again = env.cmd().args(["config", "init"]).output().unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(
        stderr(&again),
        format!("close-lua: error: {} already exists; close-lua does not overwrite it\n", path.display())
    );
    env.cmd().args(["config", "path"]).assert().success().stdout(format!("{}: exists\n", path.display()));
    // The template holds an empty key: a call says exactly that.
    let output = env.cmd().args(["-e", "app.integrations.close.get_current_user({})"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("has an empty api_key"), "{}", stderr(&output));
}
