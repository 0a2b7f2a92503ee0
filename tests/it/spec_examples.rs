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
  print(q, #r.leads, r.total_results)
end"#;
    let out = run(&served, script);
    let counts: Vec<(&str, usize, usize)> = out
        .lines()
        .map(|line| {
            let parts: Vec<&str> = line.split('\t').collect();
            (parts[0], parts[1].parse().unwrap(), parts[2].parse().unwrap())
        })
        .collect();
    assert_eq!(counts.len(), 6);
    for (query, shown, total) in &counts {
        assert!(*shown > 0 && shown == total, "{query}: {shown} of {total}");
    }
    assert_eq!(counts[0].1, 3);
    assert_eq!(counts[1].1, 3);
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
