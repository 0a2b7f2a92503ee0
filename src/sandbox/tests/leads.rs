//! Reading leads: the demo set, shapes, paging, caps and `_fields`.

use std::collections::{BTreeSet, HashSet};

use serde_json::{Value, json};

use super::{call, column, field_id, get, sandbox};
use crate::sandbox::{Sandbox, SandboxOptions};

/// Whether a string has Close's timestamp shape, `2024-03-01T10:00:00.123000+00:00`.
fn is_timestamp(value: &Value) -> bool {
    let text = value.as_str().unwrap_or("");
    let bytes = text.as_bytes();
    text.len() == 32 && bytes[10] == b'T' && bytes[19] == b'.' && text.ends_with("+00:00")
}

#[test]
fn the_demo_set_in_default_order() {
    let sandbox = sandbox();
    let list = get(&sandbox, "/lead/");
    assert_eq!((&list["has_more"], &list["total_results"]), (&json!(false), &json!(32)));
    let rows = list["data"].as_array().unwrap();
    assert_eq!(rows.len(), 32);
    assert_eq!(rows[0]["name"], "Open Field Agritech");
    let created: Vec<&str> = column(&list, "date_created");
    assert!(created.windows(2).all(|pair| pair[0] > pair[1]), "newest first");
    let statuses: BTreeSet<&str> = column(&list, "status_label").into_iter().collect();
    assert_eq!(statuses, BTreeSet::from(["Bad Fit", "Customer", "Potential", "Qualified"]));
    let acme: Vec<&str> = column(&list, "name").into_iter().filter(|n| n.contains("Acme")).collect();
    assert_eq!(acme.len(), 3);
}

#[test]
fn lead_abc123xyz_has_the_documented_shape() {
    let sandbox = sandbox();
    let lead = get(&sandbox, "/lead/lead_abc123XYZ/");
    assert_eq!(lead["id"], "lead_abc123XYZ");
    assert_eq!((&lead["name"], &lead["display_name"]), (&json!("Acme Corp"), &json!("Acme Corp")));
    assert_eq!(lead["url"], "https://acme.example.com");
    assert_eq!(lead["description"], Value::Null);
    assert_eq!(lead["status_label"], "Potential");
    assert!(lead["status_id"].as_str().unwrap().starts_with("stat_"));
    assert_eq!(lead["html_url"], "https://app.close.com/lead/lead_abc123XYZ/");
    assert!(is_timestamp(&lead["date_created"]) && is_timestamp(&lead["date_updated"]));
    assert_eq!(lead["created_by_name"], "Pat Example");
    assert_eq!(lead["opportunities"], json!([]));
    assert_eq!(lead["addresses"][0]["address_2"], Value::Null);
    assert_eq!(lead["addresses"][0]["city"], "San Francisco");

    let jane = &lead["contacts"][0];
    assert_eq!((&jane["name"], &jane["lead_id"]), (&json!("Jane Smith"), &json!("lead_abc123XYZ")));
    assert_eq!(jane["emails"], json!([{"email": "jane.smith@acme.example.com", "type": "office"}]));
    assert_eq!(
        jane["phones"],
        json!([{"phone": "+14155550142", "phone_formatted": "+1 415-555-0142",
        "type": "office", "country": "US"}])
    );
    assert_eq!(lead["contacts"][1]["name"], "John Doe");

    let industry = field_id(&sandbox, "Industry");
    assert_eq!(lead[format!("custom.{industry}")], "Software");
    assert_eq!(lead["custom"], json!({"Industry": "Software", "Lead Source": "Web", "Employees": 250}));
    assert!(lead.get(format!("custom.{}", field_id(&sandbox, "Renewal Date"))).is_none());
    assert_eq!(column(&json!({"data": lead["tasks"]}), "text"), ["Follow up with Jane on the proposal"]);
}

#[test]
fn unknown_ids_answer_404_per_model() {
    let sandbox = sandbox();
    let cases = [
        ("/lead/lead_nope/", "Lead"),
        ("/contact/cont_nope/", "Contact"),
        ("/task/task_nope/", "Task"),
        ("/user/user_nope/", "User"),
        ("/custom_field/lead/cf_nope/", "LeadCustomField"),
        ("/activity/sms/acti_nope/", "SMS"),
    ];
    for (path, model) in cases {
        let answer = call(&sandbox, "GET", path, None);
        assert_eq!(answer.status, 404, "{path}");
        assert_eq!(
            answer.json(),
            json!({"error": format!("Empty query: {model} matching query does not exist.")})
        );
    }
}

#[test]
fn offset_paging_and_counting() {
    let sandbox = sandbox();
    let page = get(&sandbox, "/lead/?_limit=10&_skip=30");
    assert_eq!((page["data"].as_array().unwrap().len(), &page["has_more"]), (2, &json!(false)));
    let page = get(&sandbox, "/lead/?_limit=10&_skip=20");
    assert_eq!((page["data"].as_array().unwrap().len(), &page["has_more"]), (10, &json!(true)));
    let count = get(&sandbox, "/lead/?_limit=0");
    assert_eq!(count["data"], json!([]));
    assert_eq!(count["total_results"], 32);
    let everything: Vec<String> = (0..4)
        .flat_map(|n| {
            column(&get(&sandbox, &format!("/lead/?_limit=10&_skip={}", n * 10)), "id")
                .into_iter()
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(everything.iter().collect::<HashSet<_>>().len(), 32);
}

#[test]
fn limits_over_the_maximum_are_refused() {
    let sandbox = sandbox();
    assert_eq!(get(&sandbox, "/lead/?_limit=200")["data"].as_array().unwrap().len(), 32);
    let answer = call(&sandbox, "GET", "/lead/?_limit=201", None);
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.json(),
        json!({"error": "_limit is too large: it must be less than or equal to 200 on this endpoint."})
    );
    assert_eq!(call(&sandbox, "GET", "/contact/?_limit=100", None).status, 200);
    let answer = call(&sandbox, "GET", "/activity/?_limit=101", None);
    assert_eq!(
        answer.json(),
        json!({"error": "_limit is too large: it must be less than or equal to 100 on this endpoint."})
    );
    let answer = call(&sandbox, "GET", "/lead/?_limit=ten", None);
    assert_eq!(answer.json(), json!({"error": "_limit must be a non-negative whole number, not 'ten'."}));
}

#[test]
fn skips_past_the_cap_are_refused() {
    let options = SandboxOptions { max_skip: 50, generated_leads: 100, ..SandboxOptions::default() };
    let sandbox = Sandbox::start(options).unwrap();
    assert_eq!(get(&sandbox, "/lead/?_skip=50&_limit=200")["data"].as_array().unwrap().len(), 82);
    for path in ["/lead/?_skip=51", "/contact/?_skip=51", "/activity/email/?_skip=51"] {
        let answer = call(&sandbox, "GET", path, None);
        assert_eq!(answer.status, 400, "{path}");
        assert_eq!(
            answer.json(),
            json!({"error": "_skip is too large: it must be less than or equal to \
            max_skip = 50. Narrow the search (for example with a date_created range) to reach later rows."})
        );
    }
    let default = super::sandbox();
    let text =
        call(&default, "GET", "/lead/?_skip=10001", None).json()["error"].as_str().unwrap().to_string();
    assert!(text.contains("max_skip = 10000") && text.contains("less than or equal to"));
}

#[test]
fn fields_trim_objects_and_keep_the_id() {
    let sandbox = sandbox();
    let list = get(&sandbox, "/lead/?_fields=name,status_label&_limit=3");
    for row in list["data"].as_array().unwrap() {
        let keys: BTreeSet<&str> = row.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, BTreeSet::from(["id", "name", "status_label"]));
    }
    let industry = format!("custom.{}", field_id(&sandbox, "Industry"));
    let lead = get(&sandbox, &format!("/lead/lead_abc123XYZ/?_fields=custom,{industry}"));
    assert_eq!(
        lead,
        json!({"id": "lead_abc123XYZ", "custom": {"Industry": "Software", "Lead Source": "Web",
        "Employees": 250}, industry: "Software"})
    );
}

#[test]
fn generated_leads_page_through_in_order() {
    let options = SandboxOptions { generated_leads: 468, ..SandboxOptions::default() };
    let sandbox = Sandbox::start(options).unwrap();
    let mut ids = Vec::new();
    let mut created = Vec::new();
    let mut bytes = 0;
    for page in 0..5 {
        let answer = call(&sandbox, "GET", &format!("/lead/?_skip={}", page * 100), None);
        bytes += answer.body.len();
        let list = answer.json();
        assert_eq!(list["total_results"], 500);
        assert_eq!(list["has_more"], page < 4);
        ids.extend(column(&list, "id").into_iter().map(String::from));
        created.extend(column(&list, "date_created").into_iter().map(String::from));
    }
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 500);
    assert!(created.windows(2).all(|pair| pair[0] > pair[1]));
    assert!(ids[32..].iter().all(|id| id.starts_with("lead_") && id.len() == 48));
    let average = bytes / 500;
    assert!((1800..3500).contains(&average), "about 2.5 KB per lead, got {average}");

    // The same options give the same data.
    let again = Sandbox::start(SandboxOptions { generated_leads: 468, ..SandboxOptions::default() }).unwrap();
    assert_eq!(get(&again, "/lead/?_skip=400"), get(&sandbox, "/lead/?_skip=400"));
}

#[test]
fn lists_show_a_change_made_after_they_were_read() {
    let sandbox = sandbox();
    let before = get(&sandbox, "/lead/?_limit=100");
    assert!(before.to_string().contains("\"Acme Corp\""));
    let changed = call(&sandbox, "PUT", "/lead/lead_abc123XYZ/", Some(&json!({"name": "Acme Renamed"})));
    assert_eq!(changed.status, 200);
    let after = get(&sandbox, "/lead/?_limit=100");
    assert!(after.to_string().contains("\"Acme Renamed\"") && !after.to_string().contains("\"Acme Corp\""));
    assert_eq!(before["data"].as_array().unwrap().len(), after["data"].as_array().unwrap().len());
}
