//! Dry runs and permission modes: nothing in the CRM changes by surprise.

use crate::helpers::{Served, stderr, stdout};

const WRITES: &str = "local c = app.integrations.close
local lead = c.create_lead({ name = 'Dry Co', custom = { Industry = 'SaaS' },
  contacts = { { name = 'Ann Dry', emails = { { email = 'ann@dry.test', type = 'office' } } } } })
print(lead.id, lead.display_name, lead.custom.Industry, lead.contacts[1].id)
local changed = c.update_lead({ id = 'lead_abc123XYZ', name = 'Renamed', url = json.null })
print(changed.name, changed.url, #changed.contacts)
print(c.delete_lead({ id = 'lead_abc123XYZ' }))
local task = c.create_task({ lead_id = 'lead_abc123XYZ', text = 'Call', due_date = '2026-12-01' })
print(task.id, task.date)
print(c.get_lead({ id = 'lead_abc123XYZ' }).name)";

#[test]
fn a_dry_run_reads_but_sends_no_writes() {
    let served = Served::new();
    let output = served.cmd().args(["--dry-run", "-e", WRITES]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "lead_dryrun_1\tDry Co\tSaaS\tcont_dryrun_1_1\nRenamed\tnil\t2\ntrue\ntask_dryrun_4\t2026-12-01\nAcme Corp\n"
    );
    let err = stderr(&output);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 5, "{err}");
    assert!(lines[0].starts_with(
        "close-lua: dry run: POST /lead/ {\"contacts\":[{\"emails\":[{\"email\":\"ann@dry.test\""
    ));
    assert!(lines[0].contains("\"custom.cf_"), "custom field names are resolved: {}", lines[0]);
    assert_eq!(
        lines[1],
        format!("close-lua: dry run: PUT /lead/lead_abc123XYZ/ {{\"name\":\"Renamed\",\"url\":null}}")
    );
    assert_eq!(lines[2], "close-lua: dry run: DELETE /lead/lead_abc123XYZ/");
    assert!(lines[3].starts_with("close-lua: dry run: POST /task/ {\"_type\":\"lead\""));
    assert_eq!(lines[4], "close-lua: dry run: 4 writes were not sent (2 POST, 1 PUT, 1 DELETE)");
    assert!(served.sandbox.requests().iter().all(|r| r.method == "GET"), "{:?}", served.request_lines());
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
