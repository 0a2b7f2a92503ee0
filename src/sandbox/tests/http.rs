//! Authentication, rate limits, routing rules and request checks.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::{call, get, sandbox, send};
use crate::sandbox::{Sandbox, SandboxOptions};

const UNAUTHORIZED: &str = "The server could not verify that you are authorized to access this resource. \
    Check the API key you sent as the user name of HTTP Basic authentication.";

#[test]
fn requests_without_a_valid_key_get_401() {
    let sandbox = sandbox();
    for key in [None, Some("api_wrong.key")] {
        let answer = send(&sandbox, key, "GET", "/me/", None);
        assert_eq!(answer.status, 401);
        assert_eq!(answer.header("content-type"), Some("application/json"));
        assert_eq!(answer.json(), json!({ "error": UNAUTHORIZED }));
    }
    let log = sandbox.requests();
    assert_eq!(log.len(), 2);
    assert!(log.iter().all(|r| r.account.is_none() && r.status == 401));
}

#[test]
fn every_answer_carries_the_rate_limit() {
    let sandbox = sandbox();
    let first = call(&sandbox, "GET", "/me/", None);
    assert_eq!(first.header("ratelimit"), Some("limit=1000, remaining=999, reset=1"));
    let missing = call(&sandbox, "GET", "/nothing/", None);
    assert_eq!(missing.header("ratelimit"), Some("limit=1000, remaining=998, reset=1"));
}

#[test]
fn a_key_over_its_limit_gets_429() {
    let options = SandboxOptions { rate_limit_per_sec: 3, ..SandboxOptions::default() };
    let sandbox = Sandbox::start(options).unwrap();
    for remaining in [2, 1, 0] {
        let answer = call(&sandbox, "GET", "/me/", None);
        assert_eq!(answer.status, 200);
        assert_eq!(
            answer.header("ratelimit"),
            Some(format!("limit=3, remaining={remaining}, reset=1").as_str())
        );
    }
    let refused = call(&sandbox, "GET", "/lead/", None);
    assert_eq!(refused.status, 429);
    assert_eq!(refused.header("retry-after"), Some("1"));
    assert_eq!(refused.header("ratelimit"), Some("limit=3, remaining=0, reset=1"));
    let error = &refused.json()["error"];
    let keys: BTreeSet<&str> = error.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "message",
            "rate_endpoint_group",
            "rate_limit",
            "rate_limit_type",
            "rate_reset",
            "rate_window"
        ])
    );
    assert_eq!(
        (&error["rate_reset"], &error["rate_limit"], &error["rate_window"]),
        (&json!(1), &json!(3), &json!(1))
    );
    assert_eq!(error["rate_limit_type"], "key");
    assert!(error["message"].as_str().unwrap().contains("exceeded"));
    assert_eq!(sandbox.requests().last().unwrap().status, 429);
}

#[test]
fn paths_must_end_with_a_slash() {
    let sandbox = sandbox();
    let answer = call(&sandbox, "GET", "/lead", None);
    assert_eq!(answer.status, 404);
    assert_eq!(
        answer.json(),
        json!({"error": "Not found: API paths end with a slash. \
        Request /api/v1/lead/ instead of /api/v1/lead."})
    );
    let answer = call(&sandbox, "GET", "/lead/lead_abc123XYZ", None);
    assert_eq!(answer.status, 404);
    assert!(answer.json()["error"].as_str().unwrap().contains("end with a slash"));
}

#[test]
fn unknown_paths_and_wrong_methods() {
    let sandbox = sandbox();
    let answer = call(&sandbox, "GET", "/opportunity_magic/", None);
    assert_eq!(answer.status, 404);
    assert_eq!(
        answer.json(),
        json!({"error": "Not found: there is no API endpoint at /api/v1/opportunity_magic/."})
    );
    let answer = call(&sandbox, "DELETE", "/lead/", None);
    assert_eq!(answer.status, 405);
    assert_eq!(answer.header("allow"), Some("GET, POST"));
    assert_eq!(
        answer.json(),
        json!({"error": "Method DELETE is not allowed here; this endpoint answers GET, POST."})
    );
    let answer = call(&sandbox, "POST", "/lead/lead_abc123XYZ/", Some(&json!({})));
    assert_eq!(answer.status, 405);
}

#[test]
fn writes_need_a_json_object() {
    let sandbox = sandbox();
    let key = sandbox.api_key("default").unwrap();
    let answer = send(&sandbox, Some(&key), "POST", "/lead/", Some(("text/plain", "name=Acme")));
    assert_eq!(answer.status, 415);
    assert_eq!(
        answer.json(),
        json!({"error": "Unsupported media type 'text/plain': send the body as JSON \
        with Content-Type: application/json."})
    );
    let answer = send(&sandbox, Some(&key), "POST", "/lead/", Some(("application/json", "[1, 2]")));
    assert_eq!(
        (answer.status, answer.json()),
        (400, json!({"error": "The request body must be a JSON object."}))
    );
    let answer = send(
        &sandbox,
        Some(&key),
        "PUT",
        "/lead/lead_abc123XYZ/",
        Some(("application/json; charset=utf-8", "{\"name\":")),
    );
    assert_eq!(answer.status, 400);
    assert!(answer.json()["error"].as_str().unwrap().starts_with("The request body is not valid JSON"));
    // Nothing was created by the refused writes.
    assert_eq!(get(&sandbox, "/lead/?_limit=0")["total_results"], 32);
}

#[test]
fn each_account_has_its_own_organisation() {
    let options = SandboxOptions {
        accounts: vec!["default".into(), "us_team".into(), "eu_team".into()],
        ..SandboxOptions::default()
    };
    let sandbox = Sandbox::start(options).unwrap();
    let keys: Vec<String> =
        ["default", "us_team", "eu_team"].iter().map(|a| sandbox.api_key(a).unwrap()).collect();
    assert_eq!(keys.iter().collect::<BTreeSet<_>>().len(), 3);
    assert_eq!(sandbox.api_key("nobody"), None);
    let me = |key: &str| send(&sandbox, Some(key), "GET", "/me/", None).json();
    let names: Vec<Value> = keys.iter().map(|k| me(k)["organizations"][0]["name"].clone()).collect();
    assert_eq!(names, [json!("Demo Co"), json!("US Team Demo"), json!("EU Team Demo")]);
    assert_eq!(me(&keys[1])["email"], "morgan@us-team.example.com");
    assert_ne!(me(&keys[0])["id"], me(&keys[2])["id"]);

    // A lead made in one organisation does not exist in another.
    let body = json!({"name": "Only in US"}).to_string();
    let made = send(&sandbox, Some(&keys[1]), "POST", "/lead/", Some(("application/json", &body))).json();
    let path = format!("/lead/{}/", made["id"].as_str().unwrap());
    assert_eq!(send(&sandbox, Some(&keys[0]), "GET", &path, None).status, 404);
    assert_eq!(send(&sandbox, Some(&keys[1]), "GET", &path, None).status, 200);
    assert_eq!(sandbox.requests().last().unwrap().account.as_deref(), Some("us_team"));
}

#[test]
fn a_post_can_stand_in_for_a_long_get() {
    let sandbox = sandbox();
    let key = sandbox.api_key("default").unwrap();
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    let body = json!({"_params": {"query": "name:Acme", "_limit": 2, "_fields": ["name"]}}).to_string();
    let mut response = agent
        .post(format!("{}/lead/", sandbox.base_url()))
        .header("Authorization", super::basic(&key))
        .header("X-HTTP-Method-Override", "GET")
        .content_type("application/json")
        .send(&body)
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let list: Value = serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!((&list["total_results"], &list["has_more"]), (&json!(3), &json!(true)));
    assert_eq!(list["data"][0].as_object().unwrap().len(), 2, "only id and name");
    assert_eq!(get(&sandbox, "/lead/?_limit=0")["total_results"], 32, "nothing was created");
}
