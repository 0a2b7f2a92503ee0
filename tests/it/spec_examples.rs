//! Every example of the Lua API reference, as written, against the sandbox.
//!
//! The examples are kept byte for byte as the reference prints them (including its lack of
//! indentation), so a change that breaks a documented script breaks a test.

use crate::helpers::{Served, stderr, stdout};

/// Runs `script` as a file against a fresh sandbox and returns stdout; the run must succeed.
fn run(served: &Served, script: &str) -> String {
    served.env.write("example.lua", script);
    let output = served.cmd().args(["run", "example.lua"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert_eq!(stderr(&output), "");
    stdout(&output)
}

/// The JSON body of the one write the sandbox received.
fn only_body(served: &Served) -> serde_json::Value {
    let requests = served.sandbox.requests();
    let writes: Vec<_> = requests.iter().filter(|r| r.method != "GET").collect();
    assert_eq!(writes.len(), 1, "{:?}", served.request_lines());
    serde_json::from_str(&writes[0].body).unwrap()
}

#[test]
fn list_leads() {
    let served = Served::new();
    let out = run(
        &served,
        r#"local result = app.integrations.close.list_leads({
query = "Acme",
limit = 10
})
for _, lead in ipairs(result.leads) do
print(lead.id .. ": " .. lead.name)
end
"#,
    );
    let names: Vec<&str> = out.lines().map(|line| line.split_once(": ").unwrap().1).collect();
    assert_eq!(names, ["Acme Logistics", "Acme Corp", "Acme Widgets"]);
    assert!(out.contains("lead_abc123XYZ: Acme Corp\n"));
    assert_eq!(served.request_lines(), ["GET /lead/?query=Acme&_limit=10"]);
}

#[test]
fn search_syntax_examples() {
    let served = Served::new();
    let script = r#"for _, q in ipairs({ "Acme", "name:Acme", "status:Potential", "name:Acme AND status:Qualified",
    "custom.Industry:SaaS", "created_at>=2026-01-01" }) do
  local r = app.integrations.close.list_leads({ query = q, limit = 100 })
  local names = {}
  for _, lead in ipairs(r.leads) do names[#names + 1] = lead.name end
  print(q, #r.leads, r.total_results, table.concat(names, "; "))
end"#;
    let out = run(&served, script);
    // Each query against the demo data: how many leads match, and which.
    let expected: [(&str, &[&str]); 6] = [
        ("Acme", &["Acme Logistics", "Acme Corp", "Acme Widgets"]),
        ("name:Acme", &["Acme Logistics", "Acme Corp", "Acme Widgets"]),
        (
            "status:Potential",
            &[
                "Open Field Agritech",
                "Northstar Fitness Studios",
                "Yellowfin Marketing",
                "Tidewater Shipping",
                "Riverbend Brewing Company",
                "Orchard Lane Grocers",
                "Lighthouse Media Co",
                "Harborview Dental Group",
                "Granite Peak Insurance",
                "Copperline Manufacturing",
                "Acme Corp",
            ],
        ),
        ("name:Acme AND status:Qualified", &["Acme Logistics"]),
        (
            "custom.Industry:SaaS",
            &[
                "Open Field Agritech",
                "Yellowfin Marketing",
                "Lighthouse Media Co",
                "Bluebird Analytics",
                "Nimbus Data Systems",
            ],
        ),
        (
            "created_at>=2026-01-01",
            &[
                "Open Field Agritech",
                "Northstar Fitness Studios",
                "Silverleaf Wealth Partners",
                "Brightpath Tutoring",
                "Zephyr Wind Technologies",
                "Yellowfin Marketing",
                "Vantage Point Security",
                "Tidewater Shipping",
                "Riverbend Brewing Company",
                "Summit Ridge Software",
                "Quartz Health Analytics",
            ],
        ),
    ];
    let expected: String = expected
        .iter()
        .map(|(query, names)| format!("{query}\t{}\t{}\t{}\n", names.len(), names.len(), names.join("; ")))
        .collect();
    assert_eq!(out, expected);
}

#[test]
fn get_lead() {
    let served = Served::new();
    let out = run(
        &served,
        r#"local lead = app.integrations.close.get_lead({
id = "lead_abc123XYZ"
})
print(lead.name)
for _, contact in ipairs(lead.contacts) do
print(" Contact: " .. contact.display_name)
end
"#,
    );
    assert_eq!(out, "Acme Corp\n Contact: Jane Smith\n Contact: John Doe\n");
}

#[test]
fn create_lead() {
    let served = Served::new();
    let out = run(
        &served,
        r#"local lead = app.integrations.close.create_lead({
name = "Acme Corp",
contacts = {
{
name = "Jane Smith",
emails = {
{ email = "[email protected]", type = "office" }
},
phones = {
{ phone = "+1234567890", type = "office" }
}
}
},
url = "https://acme.com"
})
print("Created lead: " .. lead.id)
"#,
    );
    let id = out.strip_prefix("Created lead: ").and_then(|rest| rest.strip_suffix('\n')).unwrap();
    assert!(id.starts_with("lead_") && id.len() == 48, "{out}");
    assert_eq!(served.request_lines(), ["POST /lead/"]);
    assert_eq!(
        only_body(&served),
        serde_json::json!({
            "name": "Acme Corp",
            "url": "https://acme.com",
            "contacts": [{
                "name": "Jane Smith",
                "emails": [{ "email": "[email protected]", "type": "office" }],
                "phones": [{ "phone": "+1234567890", "type": "office" }],
            }],
        })
    );
}

#[test]
fn contact_object() {
    let served = Served::new();
    let contact = r#"{
name = "John Doe",
emails = {
{ email = "[email protected]", type = "office" }
},
phones = {
{ phone = "+1234567890", type = "office" }
}
}"#;
    let script = format!(
        "local contact = {contact}
local lead = app.integrations.close.create_lead({{ name = 'Contact Test', contacts = {{ contact }} }})
local c = lead.contacts[1]
print(c.name, c.emails[1].email, c.emails[1].type, c.phones[1].phone, c.phones[1].type)"
    );
    let out = run(&served, &script);
    assert_eq!(out, "John Doe\t[email protected]\toffice\t+1234567890\toffice\n");
}

#[test]
fn update_lead() {
    let served = Served::new();
    let out = run(
        &served,
        r#"local lead = app.integrations.close.update_lead({
id = "lead_abc123XYZ",
name = "Acme Corp (Updated)",
custom = { Industry = "SaaS" }
})
print("Updated: " .. lead.name)
"#,
    );
    assert_eq!(out, "Updated: Acme Corp (Updated)\n");
    let lines = served.request_lines();
    assert_eq!(lines, ["GET /custom_field/lead/?_limit=100&_skip=0", "PUT /lead/lead_abc123XYZ/"]);
    // The custom field went by its id: the one under which the lead now holds SaaS as its
    // Industry.
    let body = only_body(&served);
    let check = "local lead = app.integrations.close.get_lead({ id = 'lead_abc123XYZ' })
for key, value in pairs(lead) do if key:find('^custom%.cf_') and value == 'SaaS' then print(key) end end
print(lead.custom.Industry)";
    let key = run(&served, check);
    let (key, industry) = key.split_once('\n').unwrap();
    assert_eq!(industry, "SaaS\n");
    assert!(key.starts_with("custom.cf_") && key.len() == "custom.cf_".len() + 43, "{key}");
    assert_eq!(body, serde_json::json!({ "name": "Acme Corp (Updated)", key: "SaaS" }));
}

#[test]
fn delete_lead() {
    let served = Served::new();
    let out = run(
        &served,
        r#"app.integrations.close.delete_lead({
id = "lead_abc123XYZ"
})
"#,
    );
    assert_eq!(out, "");
    assert_eq!(served.request_lines(), ["DELETE /lead/lead_abc123XYZ/"]);
}

#[test]
fn list_contacts() {
    let served = Served::new();
    let out = run(
        &served,
        r#"local result = app.integrations.close.list_contacts({
lead_id = "lead_abc123XYZ",
limit = 50
})
for _, contact in ipairs(result.contacts) do
print(contact.display_name)
end
"#,
    );
    assert_eq!(out, "Jane Smith\nJohn Doe\n");
}

#[test]
fn list_activities() {
    let served = Served::new();
    let out = run(
        &served,
        r#"local result = app.integrations.close.list_activities({
lead_id = "lead_abc123XYZ",
type = "email",
limit = 10
})
for _, activity in ipairs(result.activities) do
print(activity.type .. ": " .. (activity.subject or activity.body_preview or ""))
end
"#,
    );
    assert_eq!(
        out,
        "email: Proposal for Acme Corp\nemail: Re: Quick intro and next steps\nemail: Quick intro and next steps\n"
    );
}

#[test]
fn create_task() {
    let served = Served::new();
    let out = run(
        &served,
        r#"local task = app.integrations.close.create_task({
text = "Follow up with prospect",
lead_id = "lead_abc123XYZ",
due_date = "2026-04-15"
})
print("Created task: " .. task.id)
"#,
    );
    let id = out.strip_prefix("Created task: ").and_then(|rest| rest.strip_suffix('\n')).unwrap();
    assert!(id.starts_with("task_") && id.len() == 48, "{out}");
    assert_eq!(served.request_lines(), ["POST /task/"]);
    assert_eq!(
        only_body(&served),
        serde_json::json!({
            "_type": "lead",
            "text": "Follow up with prospect",
            "lead_id": "lead_abc123XYZ",
            "date": "2026-04-15",
        })
    );
}

#[test]
fn get_current_user() {
    let served = Served::new();
    let out = run(
        &served,
        r#"local user = app.integrations.close.get_current_user({})
print("Logged in as: " .. user.first_name .. " " .. user.last_name)
print("Email: " .. user.email)
for _, org in ipairs(user.organizations or {}) do
print("Organization: " .. org.name)
end
"#,
    );
    assert_eq!(out, "Logged in as: Pat Example\nEmail: pat@demo.example.com\nOrganization: Demo Co\n");
}

/// The multi-account example is a template (`function_name`); it runs with each function
/// that needs no parameters put in its place.
#[test]
fn multi_account_usage() {
    let template = r#"-- Default account (always works)
app.integrations.close.function_name({...})
-- Explicit default (portable across setups)
app.integrations.close.default.function_name({...})
-- Named accounts
app.integrations.close.us_team.function_name({...})
app.integrations.close.eu_team.function_name({...})
"#;
    for function in ["get_current_user", "list_leads", "list_contacts", "list_activities"] {
        let served = Served::new();
        run(&served, &template.replace("function_name", function));
        let accounts: Vec<String> =
            served.sandbox.requests().into_iter().map(|r| r.account.unwrap_or_default()).collect();
        assert_eq!(accounts, ["default", "default", "us_team", "eu_team"], "{function}");
    }
}
