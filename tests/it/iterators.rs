//! The iterators: every row once, past Close's skip cap, with snapshots, stopping on break.

use std::time::Duration;

use close_lua::sandbox::{BulkImport, RecordedRequest, SandboxOptions};

use crate::helpers::{Served, stderr, stdout};

/// A sandbox with `extra` generated leads beside the demo ones and a small skip cap.
fn large(extra: usize, max_skip: usize) -> Served {
    Served::with_options(SandboxOptions { generated_leads: extra, max_skip, ..Default::default() })
}

/// A sandbox with a skip cap of 300 and `leads` leads imported `spacing` apart from
/// 2026-12-04T00:44:00 UTC, each with `notes` notes, beside the 32 demo leads.
fn imported(leads: usize, spacing: Duration, notes: usize) -> Served {
    let served = large(0, 300);
    let import =
        BulkImport { leads, first: "2026-12-04T00:44:00+00:00".into(), spacing, notes_per_lead: notes };
    served.sandbox.import_leads("default", &import).unwrap();
    served
}

/// The `query` of each lead search the sandbox received.
fn lead_queries(requests: &[RecordedRequest]) -> Vec<String> {
    requests
        .iter()
        .filter(|r| r.path == "/lead/")
        .filter_map(|r| r.query.iter().find(|(k, _)| k == "query").map(|(_, v)| v.clone()))
        .collect()
}

/// The date bounds in a query, as written: `date_created >= "…"` gives `…`.
fn bounds(query: &str) -> Vec<&str> {
    query.split("date_created ").skip(1).filter_map(|part| part.split('"').nth(1)).collect()
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
fn a_walk_gets_through_a_minute_with_more_leads_than_the_cap() {
    // 1,500 leads 40 ms apart: all in the minute 00:44, 25 in each second, so windows start
    // in the middle of a second whose first leads were already handed out.
    let served = imported(1500, Duration::from_millis(40), 0);
    let script = COUNT_LEADS.replace("QUERY", "nil");
    let output = served.cmd().args(["-e", &script]).output().unwrap();
    assert_eq!(stdout(&output), "1532\t1532\t1532\n", "{}", stderr(&output));
    assert_eq!(output.status.code(), Some(0));

    let queries = lead_queries(&served.sandbox.requests());
    let windows: Vec<&String> = queries.iter().filter(|q| q.contains("date_created >=")).collect();
    assert!(windows.len() >= 3, "{queries:?}");
    // The first window ended at the 400th lead, the 368th imported, in the second 00:44:14
    // whose first 17 leads it had handed out and whose last 8 the next window gives.
    assert_eq!(bounds(windows[0]), ["2026-12-04T00:44:14+00:00"]);
    assert!(queries.iter().all(|q| !q.contains("slice:")), "no second holds more than the cap: {queries:?}");
    for query in &windows {
        for bound in bounds(query) {
            assert!(bound.starts_with("2026-12-04T00:44:") && bound.ends_with("+00:00"), "{query}");
            assert_eq!(bound.len(), "2026-12-04T00:44:17+00:00".len(), "{query}");
        }
    }
}

#[test]
fn a_walk_gets_through_a_second_with_more_leads_than_the_cap() {
    // 1,500 leads half a millisecond apart, all in the second 00:44:00.
    let served = imported(1500, Duration::from_micros(500), 0);
    let script = COUNT_LEADS.replace("QUERY", "nil");
    let output = served.cmd().args(["-e", &script]).output().unwrap();
    assert_eq!(stdout(&output), "1532\t1532\t1532\n", "{}", stderr(&output));

    let requests = served.sandbox.requests();
    let queries = lead_queries(&requests);
    let sliced: Vec<&String> = queries.iter().filter(|q| q.contains(" slice:")).collect();
    assert!(!sliced.is_empty(), "{queries:?}");
    for query in &sliced {
        assert!(
            query.starts_with(
                "date_created >= \"2026-12-04T00:44:00+00:00\" date_created < \"2026-12-04T00:44:01+00:00\" slice:"
            ) && query.ends_with(" sort:date_created"),
            "{query}"
        );
    }
    let counts = requests.iter().filter(|r| r.query.iter().any(|(k, v)| k == "_limit" && v == "0")).count();
    assert_eq!(counts, 1, "the crowded second is counted once");
    let refused = requests.iter().filter(|r| r.status == 400).count();
    assert_eq!(refused, 1, "after the first refusal the walk moves on before the cap");
}

#[test]
fn a_search_and_a_snapshot_get_through_a_crowded_second() {
    let served = imported(1500, Duration::from_micros(500), 0);
    let script = COUNT_LEADS.replace("QUERY", "'status:Potential OR status:Customer'");
    let output = served.cmd().args(["-e", &script]).output().unwrap();
    let out = stdout(&output);
    let counts: Vec<&str> = out.trim().split('\t').collect();
    assert_eq!((counts[0], counts[1]), (counts[2], counts[2]), "{out} {}", stderr(&output));
    assert!(counts[2].parse::<usize>().unwrap() > 400, "{out}");

    let snapshot = "local n, seen = 0, {}
for lead in app.integrations.close.iter_leads({ snapshot = true }) do
  assert(not seen[lead.id], 'visited twice: ' .. lead.id)
  seen[lead.id] = true
  n = n + 1
end
print(n)";
    served.sandbox.clear_requests();
    let output = served.cmd().args(["-e", snapshot]).output().unwrap();
    assert_eq!(stdout(&output), "1532\n", "{}", stderr(&output));
    let queries = lead_queries(&served.sandbox.requests());
    assert!(queries.iter().filter(|q| q.contains(" slice:")).count() >= 2, "both passes split the second");
    let singles = served.sandbox.requests().iter().filter(|r| r.path.starts_with("/lead/lead_")).count();
    assert_eq!(singles, 0, "the second pass found every lead of the first");
}

#[test]
fn searches_are_sent_with_the_walks_order_unless_they_sort_themselves() {
    let served = Served::new();
    let script = "local c = app.integrations.close
for _, query in ipairs({ 'not name:\"sort:x\"', 'sort:-created', 'status:Potential sort:name' }) do
  local n = 0
  for lead in c.iter_leads({ query = query }) do n = n + 1 end
  print(n)
end";
    served.cmd().args(["-e", script]).assert().success().stdout("32\n32\n11\n");
    assert_eq!(
        lead_queries(&served.sandbox.requests()),
        ["(not name:\"sort:x\") sort:date_created", "sort:-created", "status:Potential sort:name"]
    );
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
    // 110 pages of 3 to fetch; the loop leaves at the first lead and the script goes on with
    // calls of its own. The pager holds one page ready, so besides the page the loop got only
    // the one waiting and at most one more in flight are ever asked for.
    let served = large(300, 10_000);
    let script = "local n = 0
for lead in app.integrations.close.iter_leads({ page_size = 3 }) do
  n = n + 1
  break
end
for _ = 1, 20 do app.integrations.close.get_current_user({}) end
print(n)";
    served.cmd().args(["-e", script]).assert().success().stdout("1\n");
    let requests = served.request_lines();
    let pages = requests.iter().filter(|r| r.starts_with("GET /lead/")).count();
    assert!((1..=3).contains(&pages), "{pages} pages of 110 were fetched: {requests:#?}");
    assert_eq!(requests.iter().filter(|r| r.starts_with("GET /me/")).count(), 20);
}

/// Prints how many activities a walk gave, how many distinct ones, and how many notes.
const COUNT_ACTIVITIES: &str = "local n, seen, distinct, notes = 0, {}, 0, 0
for a in app.integrations.close.iter_activities({ FILTER page_size = 7 }) do
  n = n + 1
  if not seen[a.id] then seen[a.id] = true distinct = distinct + 1 end
  if a.type == 'note' then notes = notes + 1 end
end
print(n, distinct, notes)";

#[test]
fn an_activity_walk_gets_past_the_skip_cap() {
    // 120 imported leads a second apart with 3 notes each: the notes of one lead share one
    // microsecond, and windows of 301 rows start in the middle of such a group.
    let served = imported(120, Duration::from_secs(1), 3);
    let output = served.cmd().args(["-e", &COUNT_ACTIVITIES.replace("FILTER", "")]).output().unwrap();
    let out = stdout(&output);
    let counts: Vec<usize> = out.trim().split('\t').map(|n| n.parse().unwrap()).collect();
    assert_eq!(counts[0], counts[1], "{out} {}", stderr(&output));
    assert!(counts[2] > 360, "every imported note and the demo ones: {out}");

    // The same data without a cap, listed page by page, has as many.
    let uncapped = Served::new();
    let import = BulkImport {
        leads: 120,
        first: "2026-12-04T00:44:00+00:00".into(),
        spacing: Duration::from_secs(1),
        notes_per_lead: 3,
    };
    uncapped.sandbox.import_leads("default", &import).unwrap();
    let listed = "local n, skip = 0, 0
repeat
  local page = app.integrations.close.list_activities({ limit = 100, skip = skip })
  n = n + #page.activities
  skip = skip + #page.activities
until not page.has_more
print(n)";
    let total = stdout(&uncapped.cmd().args(["-e", listed]).output().unwrap());
    assert_eq!(total.trim(), counts[0].to_string());

    let requests = served.sandbox.requests();
    assert!(requests.iter().all(|r| r.query.contains(&("_order_by".into(), "-date_created".into()))));
    let bounds: Vec<&String> = requests
        .iter()
        .flat_map(|r| r.query.iter().filter(|(k, _)| k == "date_created__lte").map(|(_, v)| v))
        .collect();
    assert!(bounds.len() > 3, "{bounds:?}");
    assert!(
        bounds.iter().all(|b| b.ends_with("+00:00") && b.len() == "2026-12-04T00:44:00.000000+00:00".len())
    );
    assert_eq!(requests.iter().filter(|r| r.status == 400).count(), 1, "one refusal for the whole walk");
}

#[test]
fn a_walk_of_one_activity_type_past_the_cap() {
    let served = imported(120, Duration::from_secs(1), 3);
    let output =
        served.cmd().args(["-e", &COUNT_ACTIVITIES.replace("FILTER", "type = 'note',")]).output().unwrap();
    let out = stdout(&output);
    let counts: Vec<usize> = out.trim().split('\t').map(|n| n.parse().unwrap()).collect();
    assert_eq!((counts[0], counts[1]), (counts[2], counts[2]), "{out} {}", stderr(&output));
    assert!(counts[2] > 360, "{out}");
    let requests = served.sandbox.requests();
    assert!(requests.iter().all(|r| r.path == "/activity/note/"));
    assert!(
        requests.iter().all(|r| r.query.iter().all(|(k, _)| k != "_order_by")),
        "Close documents no _order_by there"
    );
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

const WALK: &str = "-e 'for l in app.integrations.close.iter_leads({ page_size = 4 }) do print(l.id) end'";

/// The `N/M` counts the bar showed for `noun`, in order.
fn bar_counts(screen: &str, noun: &str) -> Vec<(u64, u64)> {
    let marker = format!(" {noun}");
    screen
        .match_indices(&marker)
        .filter_map(|(at, _)| {
            let before = &screen[..at];
            let counts = before.rsplit(|c: char| !c.is_ascii_digit() && c != '/').next()?;
            let (done, total) = counts.split_once('/')?;
            Some((done.parse().ok()?, total.parse().ok()?))
        })
        .collect()
}

#[test]
fn a_progress_bar_shows_on_a_terminal_only() {
    let served = Served::new();
    let (screen, file) = on_a_terminal(&served, WALK);
    assert_eq!(file.lines().count(), 32);
    let counts = bar_counts(&screen, "leads");
    assert_eq!(counts.first(), Some(&(0, 32)), "drawn as the first page arrives: {screen:?}");
    for page in 1..8 {
        assert!(counts.contains(&(page * 4, 32)), "and as each next page arrives: {counts:?}");
    }
    assert!(!file.contains("leads"), "the bar never goes to stdout");

    let (screen, file) = on_a_terminal(&served, &format!("--quiet {WALK}"));
    assert_eq!(file.lines().count(), 32);
    assert!(!screen.contains("leads"), "--quiet turns it off: {screen:?}");

    let (screen, file) = on_a_terminal(&served, &format!("-v {WALK}"));
    assert_eq!(file.lines().count(), 32);
    assert!(bar_counts(&screen, "leads").is_empty(), "-v logs each call instead: {screen:?}");
    assert_eq!(screen.matches("close-lua: GET /lead/").count(), 8, "{screen:?}");

    let output =
        served.cmd().args(["-e", "for l in app.integrations.close.iter_leads({}) do end"]).output().unwrap();
    assert_eq!(stderr(&output), "", "no bar when stderr is not a terminal");
}

#[test]
fn the_progress_bar_keeps_the_walks_total_past_the_cap() {
    let served = large(1500, 300);
    let walk = "-e 'for l in app.integrations.close.iter_leads({}) do print(l.id) end'";
    let (screen, file) = on_a_terminal(&served, walk);
    assert_eq!(file.lines().count(), 1532);
    let counts = bar_counts(&screen, "leads");
    assert_eq!(counts.first(), Some(&(0, 1532)), "{screen:?}");
    assert!(counts.iter().all(|(_, total)| *total == 1532), "{counts:?}");
    assert!(counts.iter().any(|(done, _)| *done >= 1400), "drawn after the cap too: {counts:?}");
}
