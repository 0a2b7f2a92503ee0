//! Creating, updating and deleting leads, and how bad writes are refused.

use serde_json::{Value, json};

use super::{call, column, field_id, get, sandbox};

/// The 400 body of a refused write.
fn field_errors(errors: Value) -> Value {
    json!({"errors": [], "field-errors": errors})
}

#[test]
fn creating_a_lead_answers_it_in_full() {
    let sandbox = sandbox();
    let industry = field_id(&sandbox, "Industry");
    let employees = field_id(&sandbox, "Employees");
    let body = json!({
        "name": "Fresh Start Ltd",
        "url": "https://fresh.example.com",
        "status": "Qualified",
        "contacts": [{"name": "Ada Byron", "title": "CTO",
            "emails": [{"email": "ada@fresh.example.com", "type": "office"}],
            "phones": [{"phone": "(415) 555-0100", "type": "mobile"}]}],
        "addresses": [
            {"label": "business", "address_1": "1 Example St", "city": "Springfield", "country": "US"}
        ],
        format!("custom.{industry}"): "SaaS",
        format!("custom.{employees}"): "42",
    });
    let answer = call(&sandbox, "POST", "/lead/", Some(&body));
    assert_eq!(answer.status, 200, "{}", answer.body);
    let lead = answer.json();
    assert!(lead["id"].as_str().unwrap().starts_with("lead_"));
    assert_eq!(
        (&lead["display_name"], &lead["status_label"]),
        (&json!("Fresh Start Ltd"), &json!("Qualified"))
    );
    assert_eq!(lead["description"], Value::Null);
    assert_eq!(lead["custom"], json!({"Industry": "SaaS", "Employees": 42}));
    assert_eq!(lead[format!("custom.{employees}")], 42);
    let contact = &lead["contacts"][0];
    assert!(contact["id"].as_str().unwrap().starts_with("cont_"));
    assert_eq!(
        contact["phones"],
        json!([{"phone": "+14155550100", "phone_formatted": "+1 415-555-0100",
        "type": "mobile", "country": "US"}])
    );
    assert_eq!(
        lead["addresses"],
        json!([{"label": "business", "address_1": "1 Example St", "address_2": null,
        "city": "Springfield", "state": null, "zipcode": null, "country": "US"}])
    );
    assert_eq!(lead["date_created"], lead["date_updated"]);

    // It reads back the same, is the newest lead, and its contact is listed.
    let path = format!("/lead/{}/", lead["id"].as_str().unwrap());
    assert_eq!(get(&sandbox, &path), lead);
    assert_eq!(get(&sandbox, "/lead/?_limit=1")["data"][0]["id"], lead["id"]);
    assert_eq!(get(&sandbox, "/lead/?_limit=0")["total_results"], 33);
    assert_eq!(get(&sandbox, &format!("/contact/{}/", contact["id"].as_str().unwrap()))["name"], "Ada Byron");
}

#[test]
fn bad_writes_get_field_errors() {
    let sandbox = sandbox();
    let industry = field_id(&sandbox, "Industry");
    let cases = [
        (
            json!({"name": "X", "status_id": "stat_nope"}),
            json!({"status": "'stat_nope' is not a valid choice of lead status."}),
        ),
        (
            json!({"name": "X", "status": "Hot"}),
            json!({"status": "'Hot' is not a valid choice of lead status."}),
        ),
        (json!({"name": 5}), json!({"name": "Not a valid string."})),
        (
            json!({"custom": {"Industry": "SaaS"}}),
            json!({"custom": "The \"custom\" object keyed by field name is \
            deprecated and not accepted; write each value as \"custom.cf_<field id>\": value."}),
        ),
        (
            json!({"custom.Industry": "SaaS"}),
            json!({"custom.Industry": "Custom fields are written by ID, not by \
            name: use \"custom.cf_<field id>\" instead of \"custom.Industry\"."}),
        ),
        (
            json!({"custom.cf_nope": "x"}),
            json!({"custom.cf_nope": "There is no lead custom field with the ID 'cf_nope'."}),
        ),
        (
            json!({format!("custom.{industry}"): "Fintech"}),
            json!({format!("custom.{industry}"): "\"Fintech\" is not one of the choices of \
                Industry: SaaS, Software, Retail, Manufacturing, Healthcare, Finance, Logistics, \
                Education."}),
        ),
        (
            json!({"contacts": [{"name": "Bo", "emails": [{"address": "bo@example.com"}]}]}),
            json!({"contacts": "Contact 1: every entry of emails needs a string 'email'."}),
        ),
        (
            json!({"contacts": [{"name": "Bo", "phones": [{"phone": "call me"}]}]}),
            json!({"contacts": "Contact 1: 'call me' is not a valid phone number."}),
        ),
    ];
    for (body, errors) in cases {
        let answer = call(&sandbox, "POST", "/lead/", Some(&body));
        assert_eq!(answer.status, 400, "{body}");
        assert_eq!(answer.json(), field_errors(errors), "{body}");
    }
    // All problems are reported at once.
    let answer = call(&sandbox, "POST", "/lead/", Some(&json!({"status": "Hot", "url": 1})));
    assert_eq!(answer.json()["field-errors"].as_object().unwrap().len(), 2);
    assert_eq!(get(&sandbox, "/lead/?_limit=0")["total_results"], 32);
}

#[test]
fn updates_are_partial_and_lists_replace() {
    let sandbox = sandbox();
    let before = get(&sandbox, "/lead/lead_abc123XYZ/");
    let source = field_id(&sandbox, "Lead Source");
    let industry = field_id(&sandbox, "Industry");
    let body = json!({
        "name": "Acme Corp (Updated)",
        "status": "qualified",
        "addresses": [{"label": "mailing", "city": "Oakland"}],
        format!("custom.{source}"): null,
        format!("custom.{industry}"): "SaaS",
    });
    let answer = call(&sandbox, "PUT", "/lead/lead_abc123XYZ/", Some(&body));
    assert_eq!(answer.status, 200, "{}", answer.body);
    let after = answer.json();
    assert_eq!(after["name"], "Acme Corp (Updated)");
    assert_eq!(after["status_label"], "Qualified");
    assert_eq!(after["url"], before["url"]);
    assert_eq!(after["contacts"], before["contacts"]);
    assert_eq!(after["addresses"].as_array().unwrap().len(), 1);
    assert_eq!(after["addresses"][0]["label"], "mailing");
    assert_eq!(after["custom"], json!({"Industry": "SaaS", "Employees": 250}));
    assert!(after.get(format!("custom.{source}")).is_none());
    assert_eq!(after["date_created"], before["date_created"]);
    assert!(after["date_updated"].as_str() > before["date_updated"].as_str());
    assert_eq!(get(&sandbox, "/lead/lead_abc123XYZ/"), after);
}

#[test]
fn updates_refuse_contacts_and_unknown_leads() {
    let sandbox = sandbox();
    let answer = call(&sandbox, "PUT", "/lead/lead_abc123XYZ/", Some(&json!({"contacts": []})));
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.json(),
        field_errors(json!({"contacts": "Contacts cannot be changed through a lead update; \
        use the Contacts API."}))
    );
    let answer = call(&sandbox, "PUT", "/lead/lead_nope/", Some(&json!({"name": "x"})));
    assert_eq!(
        (answer.status, answer.json()),
        (404, json!({"error": "Empty query: Lead matching query does not exist."}))
    );
}

#[test]
fn deleting_a_lead_removes_what_hangs_off_it() {
    let sandbox = sandbox();
    let lead = get(&sandbox, "/lead/lead_abc123XYZ/");
    let jane = lead["contacts"][0]["id"].as_str().unwrap().to_string();
    let task = lead["tasks"][0]["id"].as_str().unwrap().to_string();
    let answer = call(&sandbox, "DELETE", "/lead/lead_abc123XYZ/", None);
    assert_eq!((answer.status, answer.json()), (200, json!({})));
    assert_eq!(call(&sandbox, "GET", "/lead/lead_abc123XYZ/", None).status, 404);
    assert_eq!(call(&sandbox, "GET", &format!("/contact/{jane}/"), None).status, 404);
    assert_eq!(call(&sandbox, "GET", &format!("/task/{task}/"), None).status, 404);
    assert_eq!(get(&sandbox, "/activity/?lead_id=lead_abc123XYZ")["data"], json!([]));
    assert_eq!(get(&sandbox, "/contact/?lead_id=lead_abc123XYZ")["data"], json!([]));
    assert!(!column(&get(&sandbox, "/activity/email/"), "lead_id").contains(&"lead_abc123XYZ"));
    assert_eq!(get(&sandbox, "/lead/?_limit=0")["total_results"], 31);
    assert_eq!(call(&sandbox, "DELETE", "/lead/lead_abc123XYZ/", None).status, 404);
}

#[test]
fn custom_field_definitions_on_both_paths() {
    let sandbox = sandbox();
    let fields = get(&sandbox, "/custom_field/lead/");
    assert_eq!(fields, get(&sandbox, "/custom_fields/lead/"));
    assert_eq!(column(&fields, "name"), ["Industry", "Lead Source", "Employees", "Renewal Date"]);
    assert_eq!(column(&fields, "type"), ["choices", "text", "number", "date"]);
    assert_eq!(fields["data"][0]["choices"][0], "SaaS");
    assert_eq!(fields["data"][1]["choices"], Value::Null);
    let id = fields["data"][3]["id"].as_str().unwrap();
    assert!(id.starts_with("cf_") && id.len() == 46);
    assert_eq!(get(&sandbox, &format!("/custom_field/lead/{id}/"))["name"], "Renewal Date");

    // Typed values: a date must be a date, a number a number.
    let bad = call(&sandbox, "PUT", "/lead/lead_abc123XYZ/", Some(&json!({format!("custom.{id}"): "soon"})));
    assert_eq!(bad.json(), field_errors(json!({format!("custom.{id}"): "Enter a valid date (YYYY-MM-DD)."})));
    let good =
        call(&sandbox, "PUT", "/lead/lead_abc123XYZ/", Some(&json!({format!("custom.{id}"): "2027-01-31"})));
    assert_eq!(good.json()["custom"]["Renewal Date"], "2027-01-31");
}
