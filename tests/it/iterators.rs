//! The iterators: every row once, past Close's skip cap, with snapshots, stopping on break.

use close_lua::sandbox::SandboxOptions;

use crate::helpers::{Served, stderr, stdout};

/// A sandbox with `extra` generated leads beside the demo ones and a small skip cap.
fn large(extra: usize, max_skip: usize) -> Served {
    Served::with_options(SandboxOptions { generated_leads: extra, max_skip, ..Default::default() })
}

/// Prints the number of leads walked, the number of distinct ids, and the total Close gave.
const COUNT_LEADS: &str = "local c = app.integrations.close
local n, seen, distinct = 0, {}, 0
for lead in c.iter_leads({ query = QUERY }) do
  n = n + 1
  if not seen[lead.id] then seen[lead.id] = true distinct = distinct + 1 end
end
print(n, distinct, c.list_leads({ query = QUERY, limit = 1 }).total_results)";

#[test]
fn a_lead_walk_gets_past_the_skip_cap_visiting_each_lead_once() {
    let served = large(1500, 300);
    let script = COUNT_LEADS.replace("QUERY", "nil");
    let output = served.cmd().args(["-e", &script]).output().unwrap();
    assert_eq!(stdout(&output), "1532\t1532\t1532\n", "{}", stderr(&output));

    let requests = served.sandbox.requests();
    let refused = requests.iter().filter(|r| r.status == 400).count();
    let windows = requests
        .iter()
        .filter(|r| r.query.iter().any(|(k, v)| k == "query" && v.contains("date_created >=")))
        .count();
    assert_eq!(refused, 1, "after the first refusal the walk moves on before the cap");
    assert!(windows >= 3, "and went on by date windows ({windows})");
    let past_cap = requests
        .iter()
        .filter(|r| r.query.iter().any(|(k, v)| k == "_skip" && v.parse::<usize>().unwrap() > 300))
        .count();
    assert_eq!(past_cap, 1, "a skip past the cap is asked for once only");
}

#[test]
fn a_search_walk_past_the_cap() {
    let served = large(1500, 300);
    let script = COUNT_LEADS.replace("QUERY", "'status:Potential'");
    let output = served.cmd().args(["-e", &script]).output().unwrap();
    let out = stdout(&output);
    let counts: Vec<&str> = out.trim().split('\t').collect();
    assert_eq!(counts[0], counts[2], "{out} {}", stderr(&output));
    assert_eq!(counts[1], counts[2], "{out}");
    assert!(counts[2].parse::<usize>().unwrap() > 300, "{out}");
}

#[test]
fn a_snapshot_walk_visits_exactly_the_leads_that_matched() {
    let served = Served::new();
    let script = "local c = app.integrations.close
local before = c.list_leads({ query = 'status:Potential', limit = 1 }).total_results
local qualified
for _, s in ipairs(c.get_current_user({}).organizations[1].lead_statuses) do
  if s.label == 'Qualified' then qualified = s.id end
end
local n, seen = 0, {}
for lead in c.iter_leads({ query = 'status:Potential', snapshot = true, page_size = 3 }) do
  assert(not seen[lead.id], 'visited twice: ' .. lead.id)
  seen[lead.id] = true
  n = n + 1
  c.update_lead({ id = lead.id, status_id = qualified })
end
print(before, n, c.list_leads({ query = 'status:Potential', limit = 1 }).total_results)";
    let output = served.cmd().args(["-e", script]).output().unwrap();
    assert_eq!(stdout(&output), "11\t11\t0\n", "{}", stderr(&output));
}

#[test]
fn breaking_out_stops_the_fetching() {
    let served = Served::new();
    let script = "local n = 0
for lead in app.integrations.close.iter_leads({ page_size = 2 }) do
  n = n + 1
  if n == 3 then break end
end
local t = os.clock() + 0.3
while os.clock() < t do end
print(n)";
    served.cmd().args(["-e", script]).assert().success().stdout("3\n");
    let pages = served.sandbox.requests().len();
    assert!(pages <= 4, "{pages} pages of 2 were fetched for 3 leads (of 32)");
}

#[test]
fn contacts_and_activities_are_walked_whole() {
    let served = Served::new();
    let script = "local c = app.integrations.close
local contacts = 0
for contact in c.iter_contacts({ page_size = 7 }) do contacts = contacts + 1 end
local listed = 0
local skip = 0
repeat
  local page = c.list_contacts({ limit = 100, skip = skip })
  listed = listed + #page.contacts
  skip = skip + #page.contacts
until not page.has_more
local emails, typed = 0, true
for a in c.iter_activities({ type = 'email', page_size = 5 }) do
  emails = emails + 1
  typed = typed and a.type == 'email' and type(a.body_preview) == 'string'
end
local on_lead = 0
for a in c.iter_activities({ lead_id = 'lead_abc123XYZ' }) do on_lead = on_lead + 1 end
print(contacts == listed, emails > 10, typed, on_lead)";
    served.cmd().args(["-e", script]).assert().success().stdout("true\ttrue\ttrue\t7\n");
}

#[test]
fn an_error_during_a_walk_names_the_loop_line() {
    let served = Served::new();
    served.env.write("walk.lua", "local n = 0\nfor lead in app.integrations.close.iter_leads({ page_size = 5 }) do\n  n = n + 1\nend\n");
    served.sandbox.push_fault(
        1,
        close_lua::sandbox::Fault::Respond {
            status: 401,
            headers: vec![],
            body: b"{\"error\": \"no\"}".to_vec(),
        },
    );
    let output = served.cmd().args(["run", "walk.lua"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).starts_with("close-lua: error: walk.lua:2: close.iter_leads: HTTP 401: the API key of account 'default' was refused"),
        "{}",
        stderr(&output)
    );
}

/// Runs `close-lua ARGS > out.txt` under `script`, so that stderr is a terminal and stdout a
/// file; returns what reached the terminal and the file.
fn on_a_terminal(served: &Served, args: &str) -> (String, String) {
    let binary = assert_cmd::cargo::cargo_bin("close-lua");
    let out = served.env.home.path().join("out.txt");
    let command = format!("{} {args} > {}", binary.display(), out.display());
    let typescript = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env_clear()
        .env("HOME", served.env.home.path())
        .env("PATH", "/usr/bin:/bin")
        .env("TERM", "xterm")
        .output()
        .expect("script(1) from util-linux runs commands on a terminal");
    (
        String::from_utf8_lossy(&typescript.stdout).into_owned(),
        std::fs::read_to_string(out).unwrap_or_default(),
    )
}

const SLOW_WALK: &str = "-e 'for l in app.integrations.close.iter_leads({ page_size = 4 }) do local t = os.clock() + 0.01 while os.clock() < t do end print(l.id) end'";

#[test]
fn a_progress_bar_shows_on_a_terminal_only() {
    let served = Served::new();
    let (screen, file) = on_a_terminal(&served, SLOW_WALK);
    assert_eq!(file.lines().count(), 32);
    assert!(screen.contains("/32 leads"), "{screen:?}");
    assert!(!file.contains("leads"), "the bar never goes to stdout");

    let (screen, file) = on_a_terminal(&served, &format!("--quiet {SLOW_WALK}"));
    assert_eq!(file.lines().count(), 32);
    assert!(!screen.contains("leads"), "--quiet turns it off: {screen:?}");

    let output =
        served.cmd().args(["-e", "for l in app.integrations.close.iter_leads({}) do end"]).output().unwrap();
    assert_eq!(stderr(&output), "", "no bar when stderr is not a terminal");
}
