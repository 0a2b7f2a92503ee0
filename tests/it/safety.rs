//! Dry runs and permission modes: nothing in the CRM changes by surprise.

use crate::helpers::{Served, stderr, stdout};

const WRITES: &str = "local c = app.integrations.close
local me = c.get_current_user({})
local lead = c.create_lead({ name = 'Dry Co', custom = { Industry = 'SaaS' },
  contacts = { { name = 'Ann Dry', emails = { { email = 'ann@dry.test', type = 'office' } } } } })
print(lead.id, lead.display_name, lead.custom.Industry, lead.contacts[1].id, lead.contacts[1].lead_id)
print(lead.status_label, lead.status_id == me.organizations[1].lead_statuses[1].id, lead.html_url)
print(lead.organization_id == me.organizations[1].id, lead.created_by == me.id, lead.updated_by_name,
  lead.date_updated == lead.date_created, #lead.addresses, #lead.tasks)
local changed = c.update_lead({ id = 'lead_abc123XYZ', name = 'Renamed', url = json.null })
print(changed.name, changed.display_name, changed.url, #changed.contacts, changed.updated_by == me.id)
local task = c.create_task({ lead_id = 'lead_abc123XYZ', text = 'Call', due_date = '2026-12-01' })
print(task.id, task.date, task.due_date, task.assigned_to == me.id, task.assigned_to_name, task.lead_name)
print(task.is_complete, task.is_dateless, task.organization_id == me.organizations[1].id)
print(c.delete_lead({ id = 'lead_abc123XYZ' }))
local ok, err = pcall(c.get_lead, { id = 'lead_abc123XYZ' })
print(ok, err.status, err.message)
print(#c.list_leads({ query = 'name:Acme' }).leads)";

#[test]
fn a_dry_run_reads_but_sends_no_writes() {
    let served = Served::new();
    let output = served.cmd().args(["--dry-run", "-e", WRITES]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "lead_dryrun_1\tDry Co\tSaaS\tcont_dryrun_1_1\tlead_dryrun_1\n\
         Potential\ttrue\thttps://app.close.com/lead/lead_dryrun_1/\n\
         true\ttrue\tPat Example\ttrue\t0\t0\n\
         Renamed\tRenamed\tnil\t2\ttrue\n\
         task_dryrun_3\t2026-12-01\t2026-12-01\ttrue\tPat Example\tRenamed\n\
         false\tfalse\ttrue\n\
         true\n\
         false\t404\tLead matching query does not exist (this dry run deleted it earlier)\n\
         3\n"
    );
    let err = stderr(&output);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 5, "{err}");
    assert!(lines[0].starts_with(
        "close-lua: dry run: POST /lead/ {\"contacts\":[{\"emails\":[{\"email\":\"ann@dry.test\""
    ));
    assert!(lines[0].contains("\"custom.cf_"), "custom field names are resolved: {}", lines[0]);
    assert_eq!(lines[1], "close-lua: dry run: PUT /lead/lead_abc123XYZ/ {\"name\":\"Renamed\",\"url\":null}");
    assert!(lines[2].starts_with("close-lua: dry run: POST /task/ {\"_type\":\"lead\""));
    assert_eq!(lines[3], "close-lua: dry run: DELETE /lead/lead_abc123XYZ/");
    assert_eq!(lines[4], "close-lua: dry run: 4 writes were not sent (2 POST, 1 PUT, 1 DELETE)");
    // Reads go through: the script's own, then the dry run's reads of the user and the
    // statuses, once each; the lead the dry run changed is not read again, and lists show
    // the account as it is.
    assert_eq!(
        served.request_lines(),
        [
            "GET /me/",
            "GET /custom_field/lead/?_limit=100&_skip=0",
            "GET /me/",
            "GET /status/lead/",
            "GET /lead/lead_abc123XYZ/",
            "GET /lead/?query=name:Acme&_limit=25"
        ]
    );
}

#[test]
fn a_dry_run_answers_later_calls_on_its_own_leads() {
    let served = Served::new();
    let script = "local c = app.integrations.close
local l = c.create_lead({ name = 'X' })
local u = c.update_lead({ id = l.id, name = 'Y', custom = { Industry = 'Retail' } })
print(u.id, u.name, u.display_name, u.custom.Industry, u.status_label)
local again = c.get_lead({ id = l.id })
print(again.name, again.custom.Industry)
local t = c.create_task({ lead_id = l.id, text = 'Follow up' })
print(t.lead_id, t.lead_name, t.is_dateless, t.due_date, t.view)
print(c.delete_lead({ id = l.id }))
local ok, err = pcall(c.update_lead, { id = l.id, name = 'Z' })
print(ok, err.status, err.method, err.path)";
    let output = served.cmd().args(["--dry-run", "-e", script]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "lead_dryrun_1\tY\tY\tRetail\tPotential\nY\tRetail\nlead_dryrun_1\tY\ttrue\tnil\tinbox\ntrue\n\
         false\t404\tPUT\t/lead/lead_dryrun_1/\n"
    );
    assert!(
        stderr(&output).ends_with("close-lua: dry run: 4 writes were not sent (2 POST, 1 PUT, 1 DELETE)\n"),
        "{}",
        stderr(&output)
    );
    // Nothing about the dry run's own lead was asked of the sandbox.
    assert!(served.request_lines().iter().all(|line| line.starts_with("GET ") && !line.contains("dryrun")));
}

#[test]
fn a_dry_run_refuses_a_status_close_would_refuse() {
    let served = Served::new();
    let script = "app.integrations.close.create_lead({ name = 'X', status_id = 'stat_nope' })";
    let output = served.cmd().args(["--dry-run", "-e", script]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(
            "close.create_lead: status_id: account 'default' has no lead status stat_nope, so Close would refuse this write"
        ),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("close-lua: dry run: no writes"), "{}", stderr(&output));
}

#[test]
fn a_dry_run_summary_survives_os_exit() {
    let served = Served::new();
    let script = "app.integrations.close.create_task({ lead_id = 'lead_abc123XYZ', text = 'x' }) os.exit(0)";
    let output = served.cmd().args(["--dry-run", "-e", script]).output().unwrap();
    assert!(
        stderr(&output).ends_with("close-lua: dry run: 1 write was not sent (1 POST)\n"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn modes_refuse_before_sending() {
    let served = Served::new();
    let config = served.env.home.path().join(".config/close-lua/config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let text = text
        .replace("[accounts.us_team]\n", "[accounts.us_team]\nmode = \"read\"\n")
        .replace("[accounts.eu_team]\n", "[accounts.eu_team]\nmode = \"write\"\n");
    std::fs::write(&config, text).unwrap();

    let script = "local c = app.integrations.close
print(c.us_team.get_current_user({}).email ~= nil)
local ok, err = pcall(c.us_team.create_task, { lead_id = 'x', text = 'y' })
print(err.kind, err.message)
print(c.eu_team.update_lead({ id = 'lead_abc123XYZ', name = 'EU edit' }).name)
ok, err = pcall(c.eu_team.delete_lead, { id = 'lead_abc123XYZ' })
print(err.kind, tostring(err))
print(c.delete_lead({ id = 'lead_abc123XYZ' }))";
    let output = served.cmd().args(["-e", script]).output().unwrap();
    assert_eq!(
        stdout(&output),
        "true\npermission\taccount 'us_team' is in read mode, which does not allow this write; nothing was sent \
         (mode is set under [accounts.us_team] in the config)\nEU edit\npermission\tclose.delete_lead: account \
         'eu_team' is in write mode, which does not allow this delete; nothing was sent (mode is set under \
         [accounts.eu_team] in the config)\ntrue\n",
        "{}",
        stderr(&output)
    );
    let writes: Vec<(Option<String>, String)> = served
        .sandbox
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| (r.account, r.method))
        .collect();
    assert_eq!(
        writes,
        [
            (Some("eu_team".to_string()), "PUT".to_string()),
            (Some("default".to_string()), "DELETE".to_string())
        ]
    );
}

#[test]
fn a_dry_run_read_that_is_not_json_fails_as_any_read_does() {
    let served = Served::new();
    let html = b"<html>maintenance</html>".to_vec();
    let script = "local c = app.integrations.close
for _, call in ipairs({
  function() return c.get_lead({ id = 'lead_abc123XYZ' }) end,
  function() return c.create_task({ lead_id = 'lead_abc123XYZ', text = 'x' }) end,
}) do
  local ok, err = pcall(call)
  print(ok, err.kind, err.status, err.method, err.path)
  print(err.message:match('^the answer was not valid JSON %(.+%): \"<html>maintenance</html>\"$') ~= nil)
end";
    served
        .sandbox
        .push_fault(2, close_lua::sandbox::Fault::Respond { status: 200, headers: vec![], body: html });
    let output = served.cmd().args(["--dry-run", "-e", script]).output().unwrap();
    assert_eq!(
        stdout(&output),
        "false\tinvalid_response\t200\tGET\t/lead/lead_abc123XYZ/\ntrue\n\
         false\tinvalid_response\t200\tGET\t/lead/lead_abc123XYZ/\ntrue\n",
        "{}",
        stderr(&output)
    );
    assert_eq!(stderr(&output), "close-lua: dry run: no writes\n");
    assert_eq!(served.request_lines(), ["GET /lead/lead_abc123XYZ/", "GET /lead/lead_abc123XYZ/"]);
}
