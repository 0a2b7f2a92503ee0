//! The `query` parameter of `GET /lead/` against the demo organisation.

use std::collections::BTreeSet;

use serde_json::json;

use super::{call, column, get, sandbox};
use crate::sandbox::Sandbox;

/// The names of the leads a query finds, in answer order.
fn names(sandbox: &Sandbox, query: &str) -> Vec<String> {
    let encoded: String = form_urlencoded::byte_serialize(query.as_bytes()).collect();
    let list = get(sandbox, &format!("/lead/?_limit=200&query={encoded}"));
    let found: Vec<String> = column(&list, "name").into_iter().map(String::from).collect();
    assert_eq!(list["total_results"], found.len(), "{query}");
    found
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| n.to_string()).collect()
}

#[test]
fn free_text_finds_names_contacts_and_emails() {
    let sandbox = sandbox();
    let acme = names(&sandbox, "Acme");
    assert_eq!(
        acme.iter().cloned().collect::<BTreeSet<_>>(),
        set(&["Acme Corp", "Acme Logistics", "Acme Widgets"])
    );
    assert_eq!(names(&sandbox, "jane"), ["Acme Corp"]);
    assert_eq!(names(&sandbox, "\"jane.smith@acme\""), ["Acme Corp"]);
    assert_eq!(names(&sandbox, "acme widgets"), ["Acme Widgets"]);
    assert_eq!(names(&sandbox, "\"Acme Corp\""), ["Acme Corp"]);
    assert_eq!(names(&sandbox, "*").len(), 32);
    assert!(names(&sandbox, "zzzz-nothing").is_empty());
}

#[test]
fn fields_and_boolean_operators() {
    let sandbox = sandbox();
    assert_eq!(names(&sandbox, "name:Acme AND status:Qualified"), ["Acme Logistics"]);
    assert_eq!(names(&sandbox, "company:\"acme corp\""), ["Acme Corp"]);
    assert_eq!(names(&sandbox, "email_address:jane.smith@acme.example.com"), ["Acme Corp"]);
    assert!(names(&sandbox, "email_address:jane").is_empty(), "addresses match whole");
    assert_eq!(names(&sandbox, "status:Potential").len(), 11);
    assert_eq!(names(&sandbox, "status:\"bad fit\"").len(), 5);
    assert_eq!(names(&sandbox, "status:Customer or status:Qualified").len(), 16);
    assert_eq!(names(&sandbox, "NOT status:Potential").len(), 21);
    assert!(names(&sandbox, "status:Imaginary").is_empty());
    let found = names(&sandbox, "(status:Customer OR status:Qualified) custom.Industry:Healthcare");
    assert_eq!(
        found.iter().cloned().collect::<BTreeSet<_>>(),
        set(&["Cedar Grove Clinics", "Quartz Health Analytics", "Willow Creek Pharmacy"])
    );
    assert_eq!(names(&sandbox, "name:acme and not (status:Customer or status:Qualified)"), ["Acme Corp"]);
}

#[test]
fn custom_fields_by_name_or_id() {
    let sandbox = sandbox();
    assert_eq!(names(&sandbox, "custom.Industry:SaaS").len(), 5);
    assert_eq!(names(&sandbox, "custom.industry:saas").len(), 5);
    assert_eq!(names(&sandbox, "\"custom.Lead Source\":Referral").len(), 6);
    assert_eq!(names(&sandbox, "\"custom.Renewal Date\":*").len(), 8);
    assert_eq!(names(&sandbox, "custom.Employees:250"), ["Acme Corp"]);
    let id = super::field_id(&sandbox, "Industry");
    assert_eq!(names(&sandbox, &format!("custom.{id}:Software")).len(), 4);
    assert_eq!(names(&sandbox, "NOT \"custom.Renewal Date\":*").len(), 24);
}

#[test]
fn date_comparisons() {
    let sandbox = sandbox();
    assert_eq!(names(&sandbox, "created_at>=2026-01-01").len(), 11);
    assert_eq!(names(&sandbox, "date_created < 2026-01-01").len(), 21);
    assert_eq!(names(&sandbox, "created >= 2026-01-01 created < 2026-02-01").len(), 2);
    assert_eq!(names(&sandbox, "created=2025-02-03"), ["Acme Corp"]);
    assert_eq!(names(&sandbox, "created > 2025-02-03T15:19 created<=\"2025-02-03T15:20\""), ["Acme Corp"]);
    assert_eq!(names(&sandbox, "updated>=2025-03-18T18:45:00+00:00 updated<2025-03-19"), ["Acme Corp"]);
}

#[test]
fn sorting() {
    let sandbox = sandbox();
    let by_name = names(&sandbox, "sort:display_name");
    assert_eq!(by_name[0], "Acme Corp");
    let mut sorted = by_name.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(by_name, sorted);
    assert_eq!(names(&sandbox, "sort:-name")[0], "Zephyr Wind Technologies");
    assert_eq!(names(&sandbox, "sort:created")[0], "Foxglove Software");
    assert_eq!(names(&sandbox, "sort:-created"), names(&sandbox, "*"));
    let updated = get(&sandbox, "/lead/?_limit=200&query=sort%3A-date_updated");
    let dates = column(&updated, "date_updated");
    assert!(dates.windows(2).all(|pair| pair[0] >= pair[1]));
    assert_eq!(names(&sandbox, "status:Customer sort:name")[0], "Acme Widgets");
}

#[test]
fn counting_and_paging_a_search() {
    let sandbox = sandbox();
    let count = get(&sandbox, "/lead/?_limit=0&query=status%3APotential");
    assert_eq!((&count["total_results"], &count["data"]), (&json!(11), &json!([])));
    let page = get(&sandbox, "/lead/?_limit=5&_skip=10&query=status%3APotential");
    assert_eq!((page["data"].as_array().unwrap().len(), &page["has_more"]), (1, &json!(false)));
}

#[test]
fn slices_split_the_matches_into_parts_that_do_not_overlap() {
    let sandbox = sandbox();
    let mut seen = Vec::new();
    for part in 1..=3 {
        let found =
            names(&sandbox, &format!("(status:Potential OR status:Customer) slice:{part}/3 sort:created"));
        assert!(!found.is_empty() && found.len() < 19, "part {part}: {found:?}");
        seen.extend(found);
    }
    let mut whole = names(&sandbox, "status:Potential OR status:Customer");
    assert_eq!(whole.len(), 19);
    whole.sort();
    seen.sort();
    assert_eq!(seen, whole);
    assert_eq!(names(&sandbox, "slice:1/1").len(), 32);
    let answer = call(&sandbox, "GET", "/lead/?query=slice%3A4%2F3", None);
    assert_eq!(answer.status, 400);
}

#[test]
fn queries_not_understood_are_refused() {
    let sandbox = sandbox();
    let cases = [
        ("foo:bar", "Could not understand the query: unsupported search field 'foo' (in 'foo:bar')."),
        (
            "custom.Color:red",
            "Could not understand the query: unknown custom field 'Color' (in 'custom.Color').",
        ),
        ("calls > 0", "Could not understand the query: unsupported comparison 'calls > 0'."),
        (
            "created <= 30 days ago",
            "Could not understand the query: '30' is not a date (use YYYY-MM-DD or \
            YYYY-MM-DDTHH:MM[:SS]).",
        ),
        ("(Acme", "Could not understand the query: missing closing parenthesis."),
    ];
    for (query, message) in cases {
        let encoded: String = form_urlencoded::byte_serialize(query.as_bytes()).collect();
        let answer = call(&sandbox, "GET", &format!("/lead/?query={encoded}"), None);
        assert_eq!((answer.status, answer.json()), (400, json!({"error": message})), "{query}");
    }
}

#[test]
fn oldest_first_is_the_default_order_reversed_with_ties_by_id() {
    let sandbox =
        Sandbox::start(crate::sandbox::SandboxOptions { generated_leads: 300, ..Default::default() })
            .unwrap();
    // Two leads created in the same microsecond cannot be made over HTTP, so ties are checked
    // on what there is: every lead once, times never going back, equal times by id.
    let mut rows = Vec::new();
    for skip in (0..400).step_by(100) {
        let page = get(&sandbox, &format!("/lead/?query=sort%3Adate_created&_limit=100&_skip={skip}"));
        rows.extend(page["data"].as_array().unwrap().iter().map(|lead| {
            (lead["date_created"].as_str().unwrap().to_string(), lead["id"].as_str().unwrap().to_string())
        }));
    }
    assert_eq!(rows.len(), 332);
    assert!(rows.windows(2).all(|pair| pair[0] <= pair[1]), "ascending by time, then id");
    let newest = get(&sandbox, "/lead/?query=sort%3A-date_created&_limit=1");
    assert_eq!(newest["data"][0]["id"], rows.last().unwrap().1.as_str());
    assert_eq!(rows.iter().map(|(_, id)| id).collect::<BTreeSet<_>>().len(), 332);
}
