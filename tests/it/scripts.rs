//! The scripts shipped in `scripts/`, run as a user would run them.

use std::path::PathBuf;

use crate::helpers::{Env, Served, stderr, stdout};

fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts").join(name)
}

#[test]
fn the_tour_runs_on_the_sandbox() {
    let output = Env::new().cmd().arg("run").arg("--sandbox").arg(script("tour.lua")).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    for expected in [
        "Signed in as Pat Example <pat@demo.example.com>\nOrganization: Demo Co\n",
        "== list_leads\n8 qualified leads, the first 5:\n",
        "Renamed  Tour Example Co (renamed)\n",
        "false\t404\tLead matching query does not exist.\nclose.get_lead: HTTP 404: Lead matching query does not exist.\n",
        "us_team  US Team Demo <",
        "eu_team  EU Team Demo <",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    assert_eq!(stderr(&output), "");
}

#[test]
fn export_writes_one_row_per_lead() {
    let served = Served::new();
    let output = served.cmd().arg("run").arg(script("export_leads_csv.lua")).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows[0], "id,display_name,status_label,url,contacts,custom.Industry,date_created");
    assert_eq!(stderr(&output), format!("exported {} leads\n", rows.len() - 1));
    assert!(
        rows.iter()
            .any(|row| row.starts_with("lead_abc123XYZ,Acme Corp,Potential,https://acme.example.com,"))
    );

    let count = served
        .cmd()
        .args(["-e", "print(app.integrations.close.list_leads({ limit = 1 }).total_results)"])
        .output()
        .unwrap();
    let total: usize = stdout(&count).trim().parse().unwrap();
    assert!(total > 30, "the demo organisation has over 30 leads, not {total}");
    assert_eq!(rows.len() - 1, total);
}

#[test]
fn export_of_a_status_to_a_file() {
    let served = Served::new();
    let output = served
        .cmd()
        .arg("run")
        .arg(script("export_leads_csv.lua"))
        .args(["status:Customer", "customers.csv"])
        .output()
        .unwrap();
    assert_eq!(stderr(&output), "exported 8 leads\n");
    let file = std::fs::read_to_string(served.env.home.path().join("customers.csv")).unwrap();
    let rows: Vec<&str> = file.lines().collect();
    assert_eq!(rows.len(), 9);
    assert!(rows[1..].iter().all(|row| row.contains(",Customer,")), "{file}");
    assert_eq!(served.request_lines(), ["GET /lead/?query=(status:Customer) sort:date_created&_limit=100"]);
}

#[test]
fn set_custom_field_from_a_csv_file() {
    let served = Served::new();
    served.env.write("industries.csv", "lead_id,value\nlead_abc123XYZ,SaaS\nlead_nope,Retail\n");
    let output = served
        .cmd()
        .arg("run")
        .arg(script("set_custom_field.lua"))
        .args(["industries.csv", "Industry"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "updated 1 leads, 1 failed\n");
    assert_eq!(
        stderr(&output),
        "lead_nope: close.update_lead: HTTP 404: Lead matching query does not exist.\n"
    );
    let check = "print(app.integrations.close.get_lead({ id = 'lead_abc123XYZ' }).custom.Industry)";
    served.cmd().args(["-e", check]).assert().success().stdout("SaaS\n");
}

#[test]
fn set_custom_field_changes_nothing_when_the_file_or_field_is_wrong() {
    let served = Served::new();
    served.env.write("bad_line.csv", "lead_id,value\nlead_abc123XYZ,SaaS\nlead_def456UVW\n");
    served.env.write("no_value.csv", "lead_id,industry\nlead_abc123XYZ,SaaS\n");
    served.env.write("no_id.csv", "lead_id,value\nlead_abc123XYZ,SaaS\n,Retail\n");
    served.env.write("good.csv", "lead_id,value\nlead_abc123XYZ,SaaS\n");
    for (file, field, message) in [
        (
            "bad_line.csv",
            "Industry",
            "csv.reader: bad_line.csv line 3: 1 fields where the header has 2; nothing was changed\n",
        ),
        (
            "no_value.csv",
            "Industry",
            "no_value.csv: the header must name the columns lead_id and value; nothing was changed\n",
        ),
        ("no_id.csv", "Industry", "no_id.csv: row 2 has no lead_id; nothing was changed\n"),
        (
            "good.csv",
            "Industy",
            "close.update_lead: custom: unknown custom field 'Industy'; the account's lead custom fields \
             are: Industry, Lead Source, Employees, Renewal Date; nothing was changed\n",
        ),
    ] {
        let output =
            served.cmd().arg("run").arg(script("set_custom_field.lua")).args([file, field]).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{file}");
        assert!(stderr(&output).ends_with(message), "{file}: {}", stderr(&output));
        assert_eq!(stdout(&output), "", "{file}");
    }
    assert!(served.sandbox.requests().iter().all(|r| r.method == "GET"), "{:?}", served.request_lines());
}

#[test]
fn duplicate_leads_keeps_no_lead_tables() {
    // The walk hands each lead to a weak table; when the script starts printing, after the
    // walk, at most the last lead walked may still be reachable from its stack.
    let served = Served::new();
    let setup = "app.integrations.close.create_lead({ name = 'Acme Again',
  contacts = { { name = 'Jane S', emails = { { email = 'Jane.Smith@acme.example.com', type = 'office' } } } } })";
    served.cmd().args(["-e", setup]).assert().success();
    let watch = format!(
        "local real = app.integrations.close
local alive = setmetatable({{}}, {{ __mode = 'k' }})
app.integrations.close = setmetatable({{ iter_leads = function(params)
  local step, state, control, closing = real.iter_leads(params)
  return function(...)
    local lead = step(...)
    if lead then alive[lead] = true end
    return lead
  end, state, control, closing
end }}, {{ __index = real }})
local real_print, walked = print, 0
print = function(...)
  if walked == 0 then
    collectgarbage() collectgarbage()
    for _ in pairs(alive) do walked = walked + 1 end
    io.stderr:write('leads still reachable: ', walked, '\\n')
    walked = walked + 1000
  end
  real_print(...)
end
dofile({:?})",
        script("duplicate_leads.lua").display().to_string()
    );
    let output = served.cmd().args(["-e", &watch]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let reachable: usize = stderr(&output)
        .lines()
        .find_map(|line| line.strip_prefix("leads still reachable: "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(reachable <= 1, "{reachable} leads kept by the script");
    assert_eq!(stdout(&output).lines().count(), 1);
}

#[test]
fn duplicate_leads_by_contact_email() {
    let served = Served::new();
    let setup = "app.integrations.close.create_lead({ name = 'Acme Again',
  contacts = { { name = 'Jane S', emails = { { email = 'Jane.Smith@acme.example.com', type = 'office' } } } } })";
    served.cmd().args(["-e", setup]).assert().success();
    let output = served.cmd().arg("run").arg(script("duplicate_leads.lua")).output().unwrap();
    let out = stdout(&output);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with("jane.smith@acme.example.com  lead_abc123XYZ (Acme Corp), lead_"), "{out}");
    assert!(out.ends_with(" (Acme Again)\n"), "{out}");
    assert_eq!(stderr(&output), "1 addresses are on more than one lead\n");
}

#[test]
fn stale_leads_by_last_activity() {
    let served = Served::new();
    let run = |today: &str| {
        let output =
            served.cmd().arg("run").arg(script("stale_leads.lua")).args(["30", today]).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        stdout(&output)
    };
    let early = run("2025-03-20");
    assert!(!early.contains("Acme Corp"), "Acme Corp had an activity on 2025-03-18: {early}");
    let late = run("2026-08-20");
    assert!(late.lines().count() > early.lines().count());

    // The columns line up: each starts where the header's does.
    let lines: Vec<&str> = late.lines().collect();
    let (name_at, last_at) =
        (lines[0].find("  name  ").unwrap() + 2, lines[0].find("  last activity").unwrap() + 2);
    assert_eq!(
        lines[0],
        format!("{:<name_at$}{:<width$}last activity", "id", "name", width = last_at - name_at)
    );
    let acme =
        format!("{:<name_at$}{:<width$}2025-03-18", "lead_abc123XYZ", "Acme Corp", width = last_at - name_at);
    assert!(lines.contains(&acme.as_str()), "{late}");
    for line in &lines[1..] {
        let cells: Vec<char> = line.chars().collect();
        let starts_column = |at: usize| cells[at - 2..at] == [' ', ' '] && cells[at] != ' ';
        let last: String = cells[last_at..].iter().collect();
        assert!(starts_column(name_at) && starts_column(last_at), "{line}");
        assert!(last == "never" || is_day(&last), "{line}");
    }
}

/// Whether `text` looks like 2025-03-18.
fn is_day(text: &str) -> bool {
    text.len() == 10
        && text
            .chars()
            .enumerate()
            .all(|(at, c)| if at == 4 || at == 7 { c == '-' } else { c.is_ascii_digit() })
}

#[test]
fn stale_leads_refuses_arguments_it_cannot_use() {
    let served = Served::new();
    for (args, problem) in [
        (&["abc"][..], "DAYS must be a whole number of days from 0 to 36500, not \"abc\""),
        (&["-5"], "DAYS must be a whole number of days from 0 to 36500, not \"-5\""),
        (&["2.5"], "DAYS must be a whole number of days from 0 to 36500, not \"2.5\""),
        (&["99999"], "DAYS must be a whole number of days from 0 to 36500, not \"99999\""),
        (&["10", "2026-13-45"], "TODAY must be a date like 2026-12-31, not \"2026-13-45\""),
        (&["10", "2026-02-30"], "TODAY must be a date like 2026-12-31, not \"2026-02-30\""),
        (&["10", "tomorrow"], "TODAY must be a date like 2026-12-31, not \"tomorrow\""),
        (&["10", "2026-01-01", "x"], "too many arguments"),
    ] {
        let output = served.cmd().arg("run").arg(script("stale_leads.lua")).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert_eq!(
            stderr(&output),
            format!("stale_leads.lua: {problem}\nusage: stale_leads.lua [DAYS] [TODAY]\n"),
            "{args:?}"
        );
        assert_eq!(stdout(&output), "", "{args:?}");
    }
    assert_eq!(served.request_lines(), Vec::<String>::new());
}

#[test]
fn follow_up_tasks_for_a_status() {
    let served = Served::new();
    let output = served
        .cmd()
        .arg("run")
        .arg(script("follow_up_tasks.lua"))
        .args(["Bad Fit", "Check in", "2026-12-15"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let posts: Vec<serde_json::Value> = served
        .sandbox
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/task/")
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect();
    assert!(!posts.is_empty());
    assert_eq!(stdout(&output).lines().count(), posts.len());
    assert_eq!(stderr(&output), format!("created {} tasks for leads in status Bad Fit\n", posts.len()));
    for body in posts {
        assert_eq!((body["text"].as_str(), body["date"].as_str()), (Some("Check in"), Some("2026-12-15")));
    }
}

#[test]
fn follow_up_tasks_refuses_a_status_or_date_it_cannot_use() {
    let served = Served::new();
    let usage = "usage: follow_up_tasks.lua STATUS [TEXT] [DUE_DATE]\n";
    for (args, problem) in [
        (
            &["Nope"][..],
            "no lead status \"Nope\"; the lead statuses are: Potential, Qualified, Customer, Bad Fit",
        ),
        (
            &["Bad Fit", "Check in", "tomorrow"],
            "DUE_DATE must be a date like 2026-12-15 or a date and time like 2026-12-15T09:00:00+00:00, not \"tomorrow\"",
        ),
        (
            &["Bad Fit", "Check in", "2026-02-30"],
            "DUE_DATE must be a date like 2026-12-15 or a date and time like 2026-12-15T09:00:00+00:00, not \"2026-02-30\"",
        ),
        (&["Bad", "Fit", "2026-12-15", "x"], "too many arguments (quote a TEXT of several words)"),
    ] {
        let output = served.cmd().arg("run").arg(script("follow_up_tasks.lua")).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&output), format!("follow_up_tasks.lua: {problem}\n{usage}"), "{args:?}");
        assert_eq!(stdout(&output), "", "{args:?}");
    }
    assert!(served.request_lines().iter().all(|line| line == "GET /me/"), "{:?}", served.request_lines());

    // A status in another case is the status.
    let output = served.cmd().arg("run").arg(script("follow_up_tasks.lua")).arg("bad fit").output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).ends_with(" tasks for leads in status Bad Fit\n"), "{}", stderr(&output));
    assert!(served.request_lines().iter().any(|line| line == "POST /task/"));
}

#[test]
fn follow_up_tasks_needs_a_status() {
    let output = Env::new().cmd().arg("run").arg(script("follow_up_tasks.lua")).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stderr(&output), "usage: follow_up_tasks.lua STATUS [TEXT] [DUE_DATE]\n");
}
