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

/// The `---@field` names of one `---@class` block of the annotations.
fn class_fields(annotations: &str, class: &str) -> Vec<String> {
    let start =
        annotations.find(&format!("---@class {class}\n")).unwrap_or_else(|| panic!("no class {class}"));
    annotations[start..]
        .lines()
        .skip(1)
        .take_while(|line| line.starts_with("---@field "))
        .map(|line| line["---@field ".len()..].split([' ', '?']).next().unwrap().to_string())
        .collect()
}

#[test]
fn types_declare_every_field_of_the_leads_and_tasks_scripts_get() {
    let served = Served::new();
    let annotations = stdout(&served.cmd().arg("types").output().unwrap());
    let script = "local c = app.integrations.close
local function keys(label, t)
  for key in pairs(t) do if not key:find('^custom%.') then print(label, key) end end
end
local lead = c.create_lead({ name = 'Typed Co', url = 'https://typed.test', status_id = c.get_lead({ id = 'lead_abc123XYZ' }).status_id })
keys('close.Lead', lead)
keys('close.Lead', c.update_lead({ id = lead.id, name = 'Typed Again' }))
keys('close.Task', c.create_task({ lead_id = lead.id, text = 'Check', due_date = '2026-05-01' }))";
    for dry_run in [false, true] {
        let mut cmd = served.cmd();
        if dry_run {
            cmd.arg("--dry-run");
        }
        let output = cmd.args(["-e", script]).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let out = stdout(&output);
        assert!(out.contains("close.Task\tassigned_to\n") && out.contains("close.Lead\thtml_url\n"), "{out}");
        for line in out.lines() {
            let (class, key) = line.split_once('\t').unwrap();
            assert!(
                class_fields(&annotations, class).iter().any(|field| field == key),
                "{class} lacks {key} (dry run: {dry_run})"
            );
        }
    }
}

/// What bash offers for the words typed so far, the last being the one being completed,
/// with close-lua's completion script loaded.
fn bash_completes(script: &std::path::Path, words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|word| format!("'{word}'")).collect();
    let program = format!(
        "source '{}'\nCOMP_WORDS=({})\nCOMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))\nCOMPREPLY=()\n\
         _close__lua close-lua \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
         echo \"${{COMPREPLY[*]}}\"",
        script.display(),
        quoted.join(" ")
    );
    let output = std::process::Command::new("bash").args(["--norc", "-c", &program]).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output).trim_end().to_string()
}

#[test]
fn bash_completes_subcommands_and_their_options() {
    let env = Env::new();
    let output = env.cmd().args(["completions", "bash"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let script = env.write("close-lua.bash", &stdout(&output));
    assert_eq!(
        bash_completes(&script, &["close-lua", "completions", ""]),
        "-h --help bash elvish fish powershell zsh"
    );
    assert_eq!(bash_completes(&script, &["close-lua", "run", "--sa"]), "--sandbox");
    assert_eq!(bash_completes(&script, &["close-lua", "accounts", "--ch"]), "--check");
    assert_eq!(bash_completes(&script, &["close-lua", "sandbox", "serve", "--le"]), "--leads");
    assert_eq!(bash_completes(&script, &["close-lua", "--dr"]), "--dry-run");
}

#[test]
fn zsh_and_fish_scripts_know_the_subcommands_options() {
    let fish = stdout(&Env::new().cmd().args(["completions", "fish"]).output().unwrap());
    assert!(fish.contains("-n \"__fish_close_lua_using_subcommand accounts\" -l check"), "{fish}");
    assert!(fish.contains("-l dry-run"), "{fish}");
    let zsh = stdout(&Env::new().cmd().args(["completions", "zsh"]).output().unwrap());
    assert!(zsh.starts_with("#compdef close-lua\n"), "{zsh}");
    assert!(zsh.contains("'--check[Call the API once for each account"), "{zsh}");
}
