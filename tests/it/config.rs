//! Configuration: where accounts come from, which one is the default, and how problems
//! with them are reported (exit status 2, naming the file).

use crate::helpers::{Env, Served, stderr, stdout};

const WHO: &str = "print(app.integrations.close.get_current_user({}).email)";

/// A script that tells which account the bare namespace and `.default` call. (`.default`
/// is the run's default account, so the account named "default" is the one that matches
/// neither named account.)
const WHICH: &str = "local c = app.integrations.close
local me = c.get_current_user({}).email
assert(c.default.get_current_user({}).email == me)
local which = 'default'
for _, name in ipairs({ 'us_team', 'eu_team' }) do
  if c[name].get_current_user({}).email == me then which = name end
end
print(which)";

#[test]
fn an_explicit_config_that_does_not_exist() {
    let env = Env::new();
    let output = env.cmd().args(["--config", "missing.toml", "-e", WHO]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.starts_with(
            "close-lua: error: (command line):1: close.get_current_user: config file missing.toml (from --config) \
             does not exist\nhint: close-lua --config missing.toml config init writes a commented config at \
             missing.toml to fill in with your api_key; to try close-lua without an account, add --sandbox\n"
        ),
        "{err}"
    );
    assert!(!err.contains("CLOSE_API_KEY"), "{err}");

    // The command the hint gives writes the file the run looked for.
    env.cmd().args(["--config", "missing.toml", "config", "init"]).assert().success();
    assert!(env.home.path().join("missing.toml").exists());
}

#[test]
fn a_missing_config_named_by_the_environment() {
    let env = Env::new();
    let output = env.cmd().env("CLOSE_LUA_CONFIG", "gone.toml").args(["-e", WHO]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains(
            "config file gone.toml (from CLOSE_LUA_CONFIG) does not exist\nhint: close-lua config init writes a \
             commented config at gone.toml to fill in with your api_key; to try close-lua without an account, add --sandbox\n"
        ),
        "{err}"
    );
}

#[test]
fn the_config_path_may_come_from_the_environment() {
    let served = Served::new();
    let config = served.env.home.path().join(".config/close-lua/config.toml");
    let moved = served.env.home.path().join("elsewhere.toml");
    std::fs::rename(&config, &moved).unwrap();
    served
        .cmd()
        .env("CLOSE_LUA_CONFIG", &moved)
        .args(["-e", WHO])
        .assert()
        .success()
        .stdout("pat@demo.example.com\n");
}

#[test]
fn malformed_toml_names_line_and_column() {
    let env = Env::new();
    let path = env.write_default_config("[accounts.default]\napi_key = \"open\n");
    let output = env.cmd().args(["-e", WHO]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let expected = format!("config file {} is not valid: line 2, column ", path.display());
    assert!(stderr(&output).contains(&expected), "{}", stderr(&output));

    // Columns count characters: "ü" is one.
    let path = env.write_default_config("[accounts]\ndefault = { api_key = \"ü\", mode = \"nope\" }\n");
    let output = env.cmd().args(["-e", WHO]).output().unwrap();
    let expected =
        format!("config file {} is not valid: line 2, column 35: unknown variant `nope`", path.display());
    assert!(stderr(&output).contains(&expected), "{}", stderr(&output));
}

#[test]
fn an_unknown_account_lists_the_known_ones() {
    let served = Served::new();
    let output = served.cmd().args(["--account", "asia", "-e", WHO]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("--account names the account 'asia', which is not in config file "), "{err}");
    assert!(err.contains("; known accounts: default, eu_team, us_team"), "{err}");
    assert!(served.sandbox.requests().is_empty());
}

#[test]
fn an_unknown_account_namespace_is_an_error() {
    let served = Served::new();
    let output =
        served.cmd().args(["-e", "app.integrations.close.asia.get_current_user({})"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).starts_with(
        "close-lua: error: (command line):1: no function or account named asia in app.integrations.close; accounts: default, eu_team, us_team"
    ), "{}", stderr(&output));
}

#[test]
fn an_account_without_a_key() {
    let env = Env::new();
    env.write_default_config("[accounts.default]\nbase_url = \"https://example.invalid/api/v1\"\n");
    let output = env.cmd().args(["-e", WHO]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("account 'default' in config file "), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(" has no api_key\nhint: add api_key = \"api_...\" (or api_key_env = \"VARIABLE\") under [accounts.default]")
    );
}

#[test]
fn no_configuration_at_all_explains_how_to_start() {
    let output = Env::new().cmd().args(["-e", WHO]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("close.get_current_user: no config file at "), "{err}");
    assert!(err.contains("and CLOSE_API_KEY is not set\nhint: "), "{err}");
}

#[test]
fn an_option_after_the_script_is_said_to_belong_before_it() {
    let env = Env::new();
    env.write("who.lua", WHO);
    let hint = |args: &[&str]| {
        let output = env.cmd().args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let err = stderr(&output);
        assert!(err.contains("and CLOSE_API_KEY is not set\n"), "{err}");
        err.lines().find(|line| line.starts_with("hint: ")).unwrap_or_default().to_string()
    };
    assert_eq!(
        hint(&["run", "who.lua", "--sandbox"]),
        "hint: --sandbox came after the script, so the script got it as an argument; close-lua's options go \
         before the script, as in close-lua --sandbox run script.lua"
    );
    assert_eq!(
        hint(&["who.lua", "x", "--sandbox", "--account=eu_team"]),
        "hint: --sandbox and --account=eu_team came after the script, so the script got them as arguments; \
         close-lua's options go before the script, as in close-lua --sandbox run script.lua"
    );
    assert_eq!(
        hint(&["-e", WHO, "x", "--sandbox"]),
        "hint: --sandbox came after the first of the chunk's arguments, so the chunk got it as an argument; \
         close-lua's options go before the chunk's arguments"
    );
    // Options that do not decide the accounts leave the usual hint.
    assert!(hint(&["run", "who.lua", "--verbose"]).contains("add --sandbox"));
}

#[test]
fn a_configuration_error_can_be_caught() {
    let output = Env::new()
        .cmd()
        .args(["-e", "local ok, err = pcall(app.integrations.close.get_current_user, {}) print(ok, err.kind) print(tostring(err):match('^close.get_current_user: no config file') ~= nil)"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "false\tconfig\ntrue\n");
}

#[test]
fn the_environment_key_makes_one_account() {
    let served = Served::with_accounts(&["default"]);
    std::fs::remove_file(served.env.home.path().join(".config/close-lua/config.toml")).unwrap();
    served
        .cmd()
        .env("CLOSE_API_KEY", served.sandbox.api_key("default").unwrap())
        .env("CLOSE_API_BASE_URL", served.sandbox.base_url())
        .args(["-e", WHO])
        .assert()
        .success()
        .stdout("pat@demo.example.com\n");
}

#[test]
fn the_default_account_is_chosen_in_order() {
    let served = Served::new();
    served.cmd().args(["-e", WHICH]).assert().success().stdout("default\n");
    served
        .cmd()
        .env("CLOSE_LUA_ACCOUNT", "eu_team")
        .args(["-e", WHICH])
        .assert()
        .success()
        .stdout("eu_team\n");
    served
        .cmd()
        .env("CLOSE_LUA_ACCOUNT", "eu_team")
        .args(["--account", "us_team", "-e", WHICH])
        .assert()
        .success()
        .stdout("us_team\n");

    let config = served.env.home.path().join(".config/close-lua/config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("default_account = \"eu_team\"\n{text}")).unwrap();
    served.cmd().args(["-e", WHICH]).assert().success().stdout("eu_team\n");
}

#[test]
fn sandbox_without_config_has_three_accounts() {
    let env = Env::new();
    let script = "local c = app.integrations.close
local seen = {}
for _, name in ipairs({ 'default', 'us_team', 'eu_team' }) do
  local me = c[name].get_current_user({})
  seen[me.email] = true
  print(name, me.organizations[1].name)
end
local n = 0 for _ in pairs(seen) do n = n + 1 end
print(n .. ' different users')";
    let output = env.cmd().args(["--sandbox", "-e", script]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.starts_with("default\tDemo Co\n"), "{out}");
    assert!(out.ends_with("3 different users\n"), "{out}");
}

#[test]
fn sandbox_uses_the_accounts_of_the_config() {
    let env = Env::new();
    env.write_default_config(
        "default_account = \"alpha\"\n[accounts.alpha]\napi_key = \"api_not_used\"\n[accounts.beta]\n",
    );
    let script = "print(app.integrations.close.get_current_user({}).email ~= nil, app.integrations.close.beta.get_current_user({}).email ~= nil)";
    env.cmd().args(["--sandbox", "-e", script]).assert().success().stdout("true\ttrue\n");
}

#[test]
fn sandbox_keeps_its_own_accounts_beside_the_config() {
    let env = Env::new();
    env.write_default_config("[accounts.prod]\napi_key = \"api_real_key_not_sent\"\n");
    let script = "local c = app.integrations.close
print(c.get_current_user({}).email, c.prod.get_current_user({}).email ~= nil, c.eu_team.get_current_user({}).email)";
    env.cmd()
        .args(["--sandbox", "-e", script])
        .assert()
        .success()
        .stdout("pat@demo.example.com\ttrue\talex@eu-team.example.org\n");
}

#[test]
fn a_broken_account_does_not_stop_the_others() {
    let served = Served::new();
    let config = served.env.home.path().join(".config/close-lua/config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("{text}[accounts.broken]\nbase_url = \"https://example.invalid/api/v1\"\n"),
    )
    .unwrap();
    served.cmd().args(["-e", WHO]).assert().success().stdout("pat@demo.example.com\n");
    let output =
        served.cmd().args(["-e", "app.integrations.close.broken.get_current_user({})"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("account 'broken' in config file "), "{}", stderr(&output));
}

#[test]
fn a_timeout_too_long_is_refused_with_the_rule_of_the_option() {
    let env = Env::new();
    env.write_default_config("timeout_secs = 2e9\n[accounts.default]\napi_key = \"api_x\"\n");
    let output = env.cmd().args(["-e", WHO]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let path = env.home.path().join(".config/close-lua/config.toml");
    assert!(
        stderr(&output).starts_with(&format!(
            "close-lua: error: (command line):1: close.get_current_user: config file {}: timeout_secs = \
             2000000000 is not a usable number of seconds: give at most 1000000000\n",
            path.display()
        )),
        "{}",
        stderr(&output)
    );
    let option = env.cmd().args(["--timeout", "2e9", "-e", "print(1)"]).output().unwrap();
    assert!(
        stderr(&option).contains("2e9 is not a usable number of seconds: give at most 1000000000"),
        "{}",
        stderr(&option)
    );
}

#[test]
fn only_a_config_holding_keys_is_warned_about_when_others_can_read_it() {
    use std::os::unix::fs::PermissionsExt;
    let served = Served::new();
    let path = served.env.home.path().join(".config/close-lua/config.toml");
    let with_keys = std::fs::read_to_string(&path).unwrap();
    let key = served.sandbox.api_key("default").unwrap();
    let from_env = format!(
        "[accounts.default]\napi_key_env = \"CLOSE_TEST_KEY\"\nbase_url = \"{}\"\n",
        served.sandbox.base_url()
    );
    for (text, warned) in [(from_env.as_str(), false), (with_keys.as_str(), true)] {
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let output = served.cmd().env("CLOSE_TEST_KEY", &key).args(["-e", WHO]).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let warning = format!(
            "close-lua: warning: config file {} can be read by other users (mode 644) and holds API keys; \
             to fix it: chmod 600 {}\n",
            path.display(),
            path.display()
        );
        assert_eq!(stderr(&output), if warned { warning } else { String::new() }, "{text}");
    }
    crate::helpers::private(&path);
}
