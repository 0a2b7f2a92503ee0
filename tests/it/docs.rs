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
        // Each parameter's whole row: type, whether required, what it accepts, description.
        let one = stdout(&Env::new().cmd().args(["docs", spec.name]).output().unwrap());
        for param in spec.params {
            let required = if param.required { "yes" } else { "no" };
            let row = format!("| `{}` | {} | {required} |", param.name, param.kind.name());
            let line = one
                .lines()
                .find(|line| line.starts_with(&row))
                .unwrap_or_else(|| panic!("{}: no {row}", spec.name));
            assert!(line.ends_with(&format!(" | {} |", param.description)), "{}: {line}", spec.name);
            assert!(!param.description.is_empty(), "{}.{}", spec.name, param.name);
        }
    }
    // The descriptions the reference table gives each parameter.
    for (function, param, words) in [
        ("list_leads", "query", "Close search"),
        ("get_lead", "id", "\"lead_\""),
        ("create_lead", "contacts", "Contacts to create with the lead"),
        ("create_lead", "custom", "Custom field values"),
        ("update_lead", "url", "json.null removes it"),
        ("list_activities", "type", "Only activities of this type"),
        ("create_task", "due_date", "ISO 8601"),
        ("create_task", "assignee_id", "yourself when left out"),
        ("create_task", "is_complete", "false when left out"),
    ] {
        let one = stdout(&Env::new().cmd().args(["docs", function]).output().unwrap());
        let line = one.lines().find(|line| line.starts_with(&format!("| `{param}` |"))).unwrap();
        assert!(line.contains(words), "{function}.{param}: {line}");
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
    assert!(
        out.starts_with("app.integrations.close: functions (help(app.integrations.close.<name>) for more)\n")
    );
    assert!(out.contains("  iter_leads         Walk every lead"), "{out}");
    assert!(out.ends_with("\n\naccounts: default, eu_team, us_team (default: default)\n"), "{out}");

    // An account's namespace names that account, not every one.
    let output = served.cmd().args(["-e", "help(app.integrations.close.eu_team)"]).output().unwrap();
    let out = stdout(&output);
    assert!(out.starts_with("app.integrations.close.eu_team: functions (help(app.integrations.close.eu_team.<name>) for more)\n"), "{out}");
    assert!(out.ends_with("\n\naccount: eu_team (help(app.integrations.close) lists them all)\n"), "{out}");
}

#[test]
fn a_misspelt_account_gets_a_suggestion() {
    let served = Served::new();
    let output = served.cmd().args(["-e", "app.integrations.close.eu_tem.list_leads({})"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).starts_with(
            "close-lua: error: (command line):1: no function or account named eu_tem in app.integrations.close; \
             did you mean eu_team? (accounts: default, eu_team, us_team)\n"
        ),
        "{}",
        stderr(&output)
    );
    assert!(served.sandbox.requests().is_empty());
}

#[test]
fn every_suggestion_follows_one_rule_whatever_the_case() {
    let served = Served::new();
    let first_line = |args: &[&str]| {
        let output = served.cmd().args(args).output().unwrap();
        assert_ne!(output.status.code(), Some(0), "{args:?}");
        stderr(&output).lines().next().unwrap_or_default().to_string()
    };
    assert_eq!(
        first_line(&["docs", "LIST_LEAD"]),
        "close-lua: error: no function LIST_LEAD in app.integrations.close"
    );
    let docs = served.cmd().args(["docs", "LIST_LEAD"]).output().unwrap();
    assert!(stderr(&docs).ends_with("\nhint: did you mean list_leads?\n"), "{}", stderr(&docs));
    assert_eq!(
        first_line(&["--SANDBOX", "s.lua"]),
        "close-lua: error: unknown option '--SANDBOX'; did you mean '--sandbox'?"
    );
    assert_eq!(
        first_line(&["-e", "app.integrations.close.Get_Lead({})"]),
        "close-lua: error: (command line):1: no function Get_Lead in app.integrations.close; did you mean get_lead?"
    );
    assert_eq!(
        first_line(&["-e", "app.integrations.close.EU_TEAM.list_leads({})"]),
        "close-lua: error: (command line):1: no function or account named EU_TEAM in app.integrations.close; \
         did you mean eu_team? (accounts: default, eu_team, us_team)"
    );
    assert_eq!(
        first_line(&["-e", "app.integrations.close.list_leads({ LIMIT = 5 })"]),
        "close-lua: error: (command line):1: close.list_leads: unknown parameter 'LIMIT'; did you mean 'limit'?"
    );
    assert_eq!(
        first_line(&["-e", "csv.writer('-', { COLUMNS = {} })"]),
        "close-lua: error: (command line):1: csv.writer: unknown option 'COLUMNS'; did you mean 'columns'?"
    );
    assert!(served.sandbox.requests().is_empty());
}

#[test]
fn pairs_lists_the_functions_and_the_accounts() {
    let served = Served::new();
    let script = "local names = {}
for key, value in pairs(app.integrations.close) do names[#names + 1] = key .. ':' .. type(value) end
table.sort(names)
print(table.concat(names, ' '))
print(app.integrations.close.us_team == app.integrations.close.us_team)";
    let output = served.cmd().args(["-e", script]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let mut expected: Vec<String> = FUNCTIONS.iter().map(|spec| format!("{}:function", spec.name)).collect();
    expected.extend(["default:table", "eu_team:table", "us_team:table"].map(String::from));
    expected.sort();
    assert_eq!(stdout(&output), format!("{}\ntrue\n", expected.join(" ")));
}

#[test]
fn returns_end_with_one_full_stop() {
    let output = Env::new().cmd().arg("docs").output().unwrap();
    let reference = stdout(&output);
    for returns in reference.lines().filter(|line| line.starts_with("Returns: ")) {
        assert!(returns.ends_with('.') && !returns.ends_with("...."), "{returns}");
    }
    for spec in FUNCTIONS {
        let line = format!("Returns: {}", spec.returns);
        let line = if spec.returns.ends_with('.') { line } else { format!("{line}.") };
        assert!(reference.contains(&format!("\n{line}\n")), "{}: {line}", spec.name);
    }
    assert!(reference.contains(
        "\nReturns: the user: id, first_name, last_name, email, organizations = { { id, name, ... } }, ...\n"
    ));
}

#[test]
fn types_write_annotations_that_load_in_lua() {
    let served = Served::new();
    let output = served.cmd().arg("types").output().unwrap();
    let annotations = stdout(&output);
    assert!(annotations.starts_with("---@meta close-lua\n"));
    assert!(annotations.contains("---@field us_team close.Namespace"));
    // Each function's parameters are the fields of its own class, optional ones marked.
    for spec in FUNCTIONS.iter().filter(|spec| !spec.params.is_empty()) {
        let stem: String = spec.name.split('_').map(|w| w[..1].to_uppercase() + &w[1..]).collect();
        let class = format!("close.{stem}Params");
        let names: Vec<&str> = spec.params.iter().map(|param| param.name).collect();
        assert_eq!(class_fields(&annotations, &class), names, "{class}");
        for param in spec.params {
            let optional = if param.required { "" } else { "?" };
            let field = format!("---@field {}{optional} ", param.name);
            let block = &annotations[annotations.find(&format!("---@class {class}\n")).unwrap()..];
            assert!(block.lines().any(|line| line.starts_with(&field)), "{class}: {field}");
        }
        assert!(
            annotations.contains(&format!("---@param params close.{stem}Params\n---@return"))
                || annotations.contains(&format!("---@param params? close.{stem}Params\n---@return")),
            "{}",
            spec.name
        );
    }
    assert!(annotations.contains(
        "---@class close.ListActivitiesParams\n---@field lead_id? string Only the activities of this lead.\n"
    ));
    assert!(annotations.contains(
        "---@field type? \"email\"|\"call\"|\"note\"|\"sms\"|\"meeting\" Only activities of this type."
    ));
    assert!(annotations.contains("---@class close.CreateTaskParams\n---@field text string What is to be done.\n---@field lead_id string "));
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
    for (dry_run, output) in served.run_and_dry_run(script) {
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
