//! The reference, editor annotations, help(), and that every documented example runs.

use close_lua::lua::specs::FUNCTIONS;

use crate::helpers::{Env, Served, stderr, stdout};

#[test]
fn docs_print_the_reference_from_the_spec_table() {
    let output = Env::new().cmd().arg("docs").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let reference = stdout(&output);
    for spec in FUNCTIONS {
        assert!(reference.contains(&format!("## {}\n\n{}\n", spec.name, spec.summary)), "{}", spec.name);
        for param in spec.params {
            assert!(
                reference.contains(&format!("| `{}` | {} |", param.name, param.kind.name())),
                "{}.{}",
                spec.name,
                param.name
            );
        }
    }
    let one = Env::new().cmd().args(["docs", "list_leads"]).output().unwrap();
    assert!(stdout(&one).starts_with("## list_leads\n\nFind leads"), "{}", stdout(&one));
    assert!(stdout(&one).contains("| `limit` | integer | no | 1 to 100 |"));
    let wrong = Env::new().cmd().args(["docs", "list_lead"]).output().unwrap();
    assert_eq!(wrong.status.code(), Some(2));
    assert_eq!(
        stderr(&wrong),
        "close-lua: error: no function list_lead in app.integrations.close\nhint: did you mean list_leads?\n"
    );
}

#[test]
fn every_documented_example_runs_on_the_sandbox() {
    for spec in FUNCTIONS {
        let output = Env::new().cmd().args(["--sandbox", "-e", spec.example]).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{}: {}", spec.name, stderr(&output));
        assert_eq!(stderr(&output), "", "{}", spec.name);
    }
}

#[test]
fn help_prints_a_function_or_the_namespace() {
    let served = Served::new();
    let script = "help(app.integrations.close.eu_team.create_task)";
    let output = served.cmd().args(["-e", script]).output().unwrap();
    assert!(
        stdout(&output).starts_with("## create_task\n\nCreate a task on a lead.\n"),
        "{}",
        stdout(&output)
    );
    let output = served.cmd().args(["-e", "help(app.integrations.close)"]).output().unwrap();
    let out = stdout(&output);
    assert!(out.contains("  iter_leads         Walk every lead"), "{out}");
    assert!(out.ends_with("accounts: default, eu_team, us_team (default: default)\n"), "{out}");
}

#[test]
fn types_write_annotations_that_load_in_lua() {
    let served = Served::new();
    let output = served.cmd().arg("types").output().unwrap();
    let annotations = stdout(&output);
    assert!(annotations.starts_with("---@meta close-lua\n"));
    assert!(annotations.contains("---@field us_team close.Namespace"));
    served.env.write("close.d.lua", &annotations);
    Env::new().cmd().arg("run").arg(served.env.home.path().join("close.d.lua")).assert().success().stdout("");
}

#[test]
fn completions_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F _close__lua"),
        ("zsh", "#compdef close-lua"),
        ("fish", "complete -c close-lua"),
    ] {
        let output = Env::new().cmd().args(["completions", shell]).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{shell}");
        assert!(stdout(&output).contains(marker), "{shell}");
        assert!(stdout(&output).contains("dry-run"), "{shell}");
    }
}
