//! What the bindings send and what they give back: the requests the sandbox received and the
//! shapes scripts see.

use crate::helpers::{Served, stderr, stdout};

/// The JSON body of the only request matching `method` and `path`.
fn body_of(served: &Served, method: &str, path: &str) -> serde_json::Value {
    let requests = served.sandbox.requests();
    let matching: Vec<_> = requests.iter().filter(|r| r.method == method && r.path == path).collect();
    assert_eq!(matching.len(), 1, "one {method} {path} in {:?}", served.request_lines());
    serde_json::from_str(&matching[0].body).unwrap()
}

#[test]
fn list_leads_sends_query_limit_and_skip() {
    let served = Served::new();
    let script = "local c = app.integrations.close
local r = c.list_leads({ query = 'name:Acme', limit = 2, skip = 1 })
print(#r.leads, r.has_more, r.total_results)
c.list_leads({})";
    served.cmd().args(["-e", script]).assert().success().stdout("2\tfalse\t3\n");
    assert_eq!(
        served.request_lines(),
        ["GET /lead/?query=name:Acme&_limit=2&_skip=1", "GET /lead/?_limit=25"]
    );
}

#[test]
fn list_contacts_and_its_envelope() {
    let served = Served::new();
    let script = "local r = app.integrations.close.list_contacts({ lead_id = 'lead_abc123XYZ' })
print(#r.contacts, r.has_more, r.total_results)";
    served.cmd().args(["-e", script]).assert().success().stdout("2\tfalse\tnil\n");
    assert_eq!(served.request_lines(), ["GET /contact/?lead_id=lead_abc123XYZ&_limit=25"]);
}

#[test]
fn activity_types_use_the_endpoint_close_honours() {
    let served = Served::new();
    let script = "local c = app.integrations.close
local r = c.list_activities({ lead_id = 'lead_abc123XYZ', type = 'sms' })
for _, a in ipairs(r.activities) do print(a._type, a.type, a.body_preview ~= '') end
r = c.list_activities({ type = 'email', limit = 100 })
local all_email = true
for _, a in ipairs(r.activities) do all_email = all_email and a.type == 'email' end
print(#r.activities > 2, all_email)
c.list_activities({})";
    served.cmd().args(["-e", script]).assert().success().stdout("SMS\tsms\ttrue\ntrue\ttrue\n");
    assert_eq!(
        served.request_lines(),
        [
            "GET /activity/?lead_id=lead_abc123XYZ&_type=SMS&_limit=25",
            "GET /activity/email/?_limit=100",
            "GET /activity/?_limit=25"
        ]
    );
}

#[test]
fn every_activity_gains_type_and_preview() {
    let served = Served::new();
    let script = "local r = app.integrations.close.list_activities({ lead_id = 'lead_abc123XYZ', limit = 100 })
local kinds = {}
for _, a in ipairs(r.activities) do
  assert(type(a.body_preview) == 'string' and #a.body_preview <= 203 and not a.body_preview:find('\\n'))
  assert(a.type == a._type:lower())
  kinds[a.type] = true
end
for _, k in ipairs({ 'email', 'call', 'note', 'sms', 'meeting' }) do io.write(k, '=', tostring(kinds[k] or false), ' ') end";
    served
        .cmd()
        .args(["-e", script])
        .assert()
        .success()
        .stdout("email=true call=true note=true sms=true meeting=true ");
}

#[test]
fn create_task_maps_names_to_the_api() {
    let served = Served::new();
    let script = "local c = app.integrations.close
local me = c.get_current_user({})
local t = c.create_task({ text = 'Call back', lead_id = 'lead_abc123XYZ',
  assignee_id = me.id, due_date = '2026-04-15', is_complete = false })
print(me.id)
print(t.id:sub(1, 5), t.text, t.date, t.assigned_to == me.id)";
    let output = served.cmd().args(["-e", script]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    let (user, rest) = out.split_once('\n').unwrap();
    assert_eq!(rest, "task_\tCall back\t2026-04-15\ttrue\n");
    assert_eq!(
        body_of(&served, "POST", "/task/"),
        serde_json::json!({"_type": "lead", "text": "Call back", "lead_id": "lead_abc123XYZ",
            "assigned_to": user, "date": "2026-04-15", "is_complete": false})
    );
}

#[test]
fn a_task_without_a_lead_is_refused_before_sending() {
    let served = Served::new();
    let script = "app.integrations.close.create_task({ text = 'Orphan' })";
    for (_, output) in served.run_and_dry_run(script) {
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        assert!(
            stderr(&output).contains(
                "close-lua: error: (command line):1: close.create_task: parameter 'lead_id' is required (string)\n"
            ),
            "{}",
            stderr(&output)
        );
        assert!(!stderr(&output).contains("dry run: POST"), "{}", stderr(&output));
    }
    assert_eq!(served.request_lines(), Vec::<String>::new());

    let docs = stdout(&served.cmd().args(["docs", "create_task"]).output().unwrap());
    assert!(
        docs.contains(
            "| `lead_id` | string | yes |  | The lead the task belongs to: Close creates tasks on leads only"
        ),
        "{docs}"
    );
}

#[test]
fn a_misspelt_contact_field_is_refused_before_sending() {
    let served = Served::new();
    let script = "app.integrations.close.create_lead({name=\"x\", contacts={{name=\"y\", emials={{email=\"a@b.c\"}}}}})";
    for (dry_run, output) in served.run_and_dry_run(script) {
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        let error = "close-lua: error: (command line):1: close.create_lead: contacts[1]: unknown field 'emials'; \
                     did you mean 'emails'?\n";
        let expected =
            if dry_run { format!("close-lua: dry run: no writes\n{error}") } else { error.to_string() };
        assert!(stderr(&output).starts_with(&expected), "{}", stderr(&output));
    }
    assert_eq!(served.request_lines(), Vec::<String>::new());
}

#[test]
fn a_task_date_close_would_refuse_is_refused_before_sending_in_real_and_dry_runs() {
    let served = Served::new();
    for due_date in ["tomorrow", "2026-04-15Tgarbage", "2026-02-30"] {
        let script = format!(
            "app.integrations.close.create_task({{ lead_id = 'lead_abc123XYZ', text = 'x', due_date = '{due_date}' }})"
        );
        for (dry_run, output) in served.run_and_dry_run(&script) {
            assert_eq!(output.status.code(), Some(1), "{due_date}: {}", stderr(&output));
            let mut expected = format!(
                "close-lua: error: (command line):1: close.create_task: parameter 'due_date' must be a date \
                 (2026-04-15) or an ISO 8601 date and time (2026-04-15T09:00:00+00:00), got \"{due_date}\"\n"
            );
            // A dry run counts no write it refused.
            if dry_run {
                expected = format!("close-lua: dry run: no writes\n{expected}");
            }
            assert!(stderr(&output).starts_with(&expected), "{due_date}: {}", stderr(&output));
        }
    }
    assert_eq!(served.request_lines(), Vec::<String>::new());
}

#[test]
fn custom_fields_by_name_are_sent_by_id_and_fetched_once() {
    let served = Served::new();
    let script = "local c = app.integrations.close
local a = c.create_lead({ name = 'First Co', custom = { Industry = 'SaaS' } })
local b = c.update_lead({ id = a.id, custom = { industry = 'Retail' } })
print(a.custom.Industry, b.custom.Industry, b.name)";
    served.cmd().args(["-e", script]).assert().success().stdout("SaaS\tRetail\tFirst Co\n");

    let lines = served.request_lines();
    assert_eq!(lines.iter().filter(|l| l.starts_with("GET /custom_field/lead/")).count(), 1, "{lines:?}");
    let body = body_of(&served, "POST", "/lead/");
    let object = body.as_object().unwrap();
    assert!(!object.contains_key("custom"), "the deprecated custom object is not sent: {body}");
    let keys: Vec<&String> = object.keys().filter(|k| k.starts_with("custom.cf_")).collect();
    assert_eq!(keys.len(), 1, "{body}");
    assert_eq!(object[keys[0]], "SaaS");
}

#[test]
fn a_custom_field_id_is_used_as_given() {
    let served = Served::new();
    let script = "local c = app.integrations.close
local lead = c.get_lead({ id = 'lead_abc123XYZ' })
local id
for k in pairs(lead) do if k:match('^custom%.cf_') then id = id or k:sub(8) end end
c.update_lead({ id = 'lead_abc123XYZ', custom = { [id] = lead['custom.' .. id] } })";
    served.cmd().args(["-e", script]).assert().success();
    assert!(
        served.request_lines().iter().all(|l| !l.starts_with("GET /custom_field/")),
        "{:?}",
        served.request_lines()
    );
}

#[test]
fn update_sends_only_what_changes_and_delete_returns_true() {
    let served = Served::new();
    let script = "local c = app.integrations.close
local lead = c.create_lead({ name = 'Temp Co', url = 'https://temp.example.com' })
c.update_lead({ id = lead.id, url = 'https://new.example.com' })
print(c.delete_lead({ id = lead.id }))
local ok, err = pcall(c.get_lead, { id = lead.id })
print(ok, err.status)";
    served.cmd().args(["-e", script]).assert().success().stdout("true\nfalse\t404\n");
    let lines = served.request_lines();
    let put = lines.iter().find(|l| l.starts_with("PUT")).unwrap().clone();
    let path = put.trim_start_matches("PUT ");
    assert_eq!(body_of(&served, "PUT", path), serde_json::json!({"url": "https://new.example.com"}));
    assert!(lines.iter().any(|l| l == &format!("DELETE {path}")));
}

#[test]
fn requests_carry_basic_auth_and_a_user_agent() {
    let served = Served::new();
    served.cmd().args(["-e", "app.integrations.close.get_current_user({})"]).assert().success();
    let request = &served.sandbox.requests()[0];
    let header = |name: &str| request.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    use base64::Engine;
    let expected = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:", served.sandbox.api_key("default").unwrap()));
    assert_eq!(header("authorization"), Some(format!("Basic {expected}")));
    assert_eq!(header("user-agent"), Some(format!("close-lua/{}", env!("CARGO_PKG_VERSION"))));
    assert_eq!(request.path, "/me/");
}

#[test]
fn json_null_becomes_an_absent_key() {
    let served = Served::new();
    let script = "local lead = app.integrations.close.get_lead({ id = 'lead_abc123XYZ' })
print(lead.description, lead.url or '-', #lead.contacts)";
    let output = served.cmd().args(["-e", script]).output().unwrap();
    assert_eq!(stdout(&output), "nil\thttps://acme.example.com\t2\n", "{}", stderr(&output));
}

#[test]
fn verbose_prints_one_line_per_call() {
    let served = Served::new();
    let output = served
        .cmd()
        .args([
            "-v",
            "-e",
            "local c = app.integrations.close c.get_current_user({}) c.list_leads({ limit = 1 })",
        ])
        .output()
        .unwrap();
    let err = stderr(&output);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines[0].starts_with("close-lua: GET /me/ -> 200 ("), "{err}");
    assert!(lines[0].ends_with(" ms, account default)"), "{err}");
    assert!(lines[1].starts_with("close-lua: GET /lead/?_limit=1 -> 200 ("), "{err}");
}

#[test]
fn namespaces_share_one_client_per_account() {
    let served = Served::new();
    let script = "local c = app.integrations.close
print(c.get_current_user({}).email == c.default.get_current_user({}).email)
print(c.us_team.get_current_user({}).email ~= c.get_current_user({}).email)
print(c.eu_team.list_leads({ limit = 1 }).leads[1].organization_id ~= c.list_leads({ limit = 1 }).leads[1].organization_id)";
    served.cmd().args(["-e", script]).assert().success().stdout("true\ntrue\ntrue\n");
    let accounts: Vec<Option<String>> = served.sandbox.requests().into_iter().map(|r| r.account).collect();
    let default = Some("default".to_string());
    assert_eq!(accounts.iter().filter(|a| **a == default).count(), 4);
}

#[test]
fn each_account_keeps_one_connection_alive() {
    let served = Served::new();
    let script = "local c = app.integrations.close
for i = 1, 5 do c.get_lead({ id = 'lead_abc123XYZ' }) end
for i = 1, 3 do c.us_team.list_leads({ limit = 1 }) c.default.get_current_user({}) end";
    served.cmd().args(["-e", script]).assert().success();
    let requests = served.sandbox.requests();
    assert_eq!(requests.len(), 11);
    let peers = |account: &str| {
        let mut peers: Vec<_> =
            requests.iter().filter(|r| r.account.as_deref() == Some(account)).map(|r| r.peer).collect();
        peers.dedup();
        peers
    };
    assert_eq!(peers("default").len(), 1, "{:?}", peers("default"));
    assert_eq!(peers("us_team").len(), 1);
    assert_ne!(peers("default"), peers("us_team"));
}

#[test]
fn a_query_too_long_for_a_url_goes_in_the_body() {
    let served = Served::new();
    let script = "local q = string.rep('name:Acme OR ', 300) .. 'name:Acme'
local r = app.integrations.close.list_leads({ query = q, limit = 10 })
print(#q > 3000, #r.leads, r.total_results)";
    served.cmd().args(["-e", script]).assert().success().stdout("true\t3\t3\n");
    let requests = served.sandbox.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!((request.method.as_str(), request.path.as_str()), ("POST", "/lead/"));
    assert!(request.headers.contains(&("x-http-method-override".to_string(), "GET".to_string())));
    let body: serde_json::Value = serde_json::from_str(&request.body).unwrap();
    assert_eq!(body["_params"]["_limit"], "10");
    assert!(body["_params"]["query"].as_str().unwrap().starts_with("name:Acme OR name:Acme OR "));
}

#[test]
fn a_delete_whose_answer_was_lost_is_done_when_the_retry_finds_nothing() {
    let served = Served::new();
    // The first DELETE deletes the lead, but a proxy answers 502; the retry then gets 404.
    served.sandbox.push_fault(
        1,
        close_lua::sandbox::Fault::ApplyThenRespond {
            status: 502,
            headers: vec![],
            body: b"<html>Bad Gateway</html>".to_vec(),
        },
    );
    let script = "local c = app.integrations.close
print(c.delete_lead({ id = 'lead_abc123XYZ' }))
local ok, err = pcall(c.get_lead, { id = 'lead_abc123XYZ' })
print(ok, err.status)";
    let output = served.cmd().args(["-v", "-e", script]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "true\nfalse\t404\n");
    assert!(
        stderr(&output).contains(
            "close-lua: DELETE /lead/lead_abc123XYZ/: 404 on try 2; an earlier try whose answer was lost deleted it\n"
        ),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        served.request_lines(),
        ["DELETE /lead/lead_abc123XYZ/", "DELETE /lead/lead_abc123XYZ/", "GET /lead/lead_abc123XYZ/"]
    );

    // A lead that is not there on the first try is still an error.
    let output = served
        .cmd()
        .args(["-e", "app.integrations.close.delete_lead({ id = 'lead_abc123XYZ' })"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("close.delete_lead: HTTP 404"), "{}", stderr(&output));
}

#[test]
fn a_delete_that_finds_nothing_after_a_refused_try_is_still_an_error() {
    let served = Served::new();
    // A 429 means Close did nothing, so the retry's 404 says the id is wrong.
    let refused = close_lua::sandbox::Fault::Respond {
        status: 429,
        headers: vec![("Retry-After".to_string(), "0".to_string())],
        body: b"{}".to_vec(),
    };
    served.sandbox.push_fault(1, refused);
    let script = "local ok, err = pcall(app.integrations.close.delete_lead, { id = 'lead_missing' })
print(ok, err.status, err.retries)
print(err.message)";
    let output = served.cmd().args(["-e", script]).output().unwrap();
    assert_eq!(
        stdout(&output),
        "false\t404\t1\nLead matching query does not exist.\n",
        "{}",
        stderr(&output)
    );
    assert_eq!(served.request_lines(), ["DELETE /lead/lead_missing/"; 2]);
}
