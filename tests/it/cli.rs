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
