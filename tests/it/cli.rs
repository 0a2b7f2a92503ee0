//! The command line itself: usage, help, version.

use crate::helpers::{Env, stderr, stdout};

#[test]
fn no_arguments_prints_usage_and_exits_two() {
    let output = Env::new().cmd().output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("Usage: close-lua"), "{}", stderr(&output));
}

#[test]
fn run_without_a_script_is_a_usage_error() {
    let output = Env::new().cmd().args(["run"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = Env::new().cmd().args(["--sandbox"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).starts_with("close-lua: error: nothing to run"), "{}", stderr(&output));
}

#[test]
fn help_shows_examples() {
    let output = Env::new().cmd().arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = stdout(&output);
    assert!(help.contains("Examples:\n  close-lua run --sandbox scripts/tour.lua"), "{help}");
    for option in ["--config <PATH>", "--account <NAME>", "--sandbox", "--verbose", "--timeout <SECS>"] {
        assert!(help.contains(option), "{option} missing from {help}");
    }
}

#[test]
fn version_prints_the_version() {
    Env::new()
        .cmd()
        .arg("--version")
        .assert()
        .success()
        .stdout(format!("close-lua {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn an_unknown_option_before_the_script_is_a_usage_error() {
    for args in [&["run", "--sandobx", "s.lua"][..], &["--sandobx", "s.lua"], &["--bogus", "-e", "print(1)"]]
    {
        let output = Env::new().cmd().args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let expected = if args.contains(&"--bogus") {
            "close-lua: error: unknown option '--bogus' (close-lua --help lists the options)\n"
        } else {
            "close-lua: error: unknown option '--sandobx'; did you mean '--sandbox'?\n"
        };
        assert!(stderr(&output).starts_with(expected), "{args:?}: {}", stderr(&output));
    }
}

#[test]
fn clap_errors_carry_the_close_lua_prefix() {
    let output = Env::new().cmd().args(["--timeout", "soon", "-e", "print(1)"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "");
    assert!(
        stderr(&output)
            .starts_with("close-lua: error: invalid value 'soon' for '--timeout <SECS>': 'soon' is not a number of seconds\n"),
        "{}",
        stderr(&output)
    );
    let output = Env::new().cmd().args(["docs", "a", "b"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).starts_with("close-lua: error: unexpected argument 'b'"), "{}", stderr(&output));
}

#[test]
fn the_sandbox_serves_on_its_own_and_prints_a_config() {
    use std::io::{BufRead, BufReader};
    let env = Env::new();
    let mut child = env
        .std_cmd()
        .args(["sandbox", "serve", "--leads", "20", "--accounts", "default,eu_team"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut config = String::new();
    while let Some(Ok(line)) = lines.next() {
        config.push_str(&line);
        config.push('\n');
        if line.starts_with("base_url") && config.contains("[accounts.eu_team]") {
            break;
        }
    }
    let path = env.write("sandbox.toml", &config);
    crate::helpers::private(&path);
    let script = "print(app.integrations.close.list_leads({ limit = 1 }).total_results, app.integrations.close.eu_team.get_current_user({}).email)";
    let output = env.cmd().args(["--config", "sandbox.toml", "-e", script]).output().unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(stdout(&output), "52\talex@eu-team.example.org\n", "{config}\n{}", stderr(&output));
}

#[test]
fn the_sandbox_writes_its_config_for_the_owner_only() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    // A file that an earlier `sandbox serve` did not write is never replaced.
    env.write("mine.toml", "[accounts.default]\napi_key = \"api_real\"\n");
    let output = env.cmd().args(["sandbox", "serve", "--write-config", "mine.toml"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "close-lua: error: cannot write the config to mine.toml: the file exists and was not written by \
         close-lua sandbox serve; give another path\n"
    );
    assert_eq!(
        std::fs::read_to_string(env.home.path().join("mine.toml")).unwrap(),
        "[accounts.default]\napi_key = \"api_real\"\n"
    );

    // A config left by an earlier run, readable by everyone, is replaced and made private.
    let path = env.write("sandbox.toml", "# close-lua sandbox at http://127.0.0.1:1/api/v1\n");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut child = env
        .std_cmd()
        .args(["sandbox", "serve", "--write-config", "sandbox.toml"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let serving = lines.next().unwrap().unwrap();
    assert_eq!(first, "close-lua: wrote the sandbox's config to sandbox.toml");
    assert!(serving.starts_with("close-lua: sandbox serving at http://127.0.0.1:"), "{serving}");
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);

    let script = "print(app.integrations.close.get_current_user({}).email)";
    let output = env.cmd().args(["--config", "sandbox.toml", "-e", script]).output().unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut rest).unwrap();
    assert_eq!(rest, "", "nothing on stdout with --write-config");
    assert_eq!(stdout(&output), "pat@demo.example.com\n");
    assert_eq!(stderr(&output), "", "no warning about who can read the file");
}

#[test]
fn sandbox_serve_refuses_accounts_and_sizes_it_cannot_serve() {
    let env = Env::new();
    let refused = |args: &[&str], message: &str| {
        let output = env.cmd().args(["sandbox", "serve"]).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).starts_with(message), "{args:?}: {}", stderr(&output));
    };
    refused(&["--accounts", "a,a"], "close-lua: error: --accounts names the account 'a' twice\n");
    refused(
        &["--accounts", "us team"],
        "close-lua: error: invalid value 'us team' for '--accounts <NAMES>': 'us team' is not an account \
         name: use letters, digits, '_' and '-'",
    );
    refused(&["--accounts", ""], "close-lua: error: invalid value '' for '--accounts <NAMES>'");
    refused(
        &["--leads", "100000000"],
        "close-lua: error: invalid value '100000000' for '--leads <N>': 100000000 leads is more than the \
         sandbox makes (500000 at most)",
    );
}
