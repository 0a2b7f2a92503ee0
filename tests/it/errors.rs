//! How failures reach scripts and users: error values, messages, exit statuses, and that a
//! bad call sends nothing.

use close_lua::sandbox::Fault;

use crate::helpers::{Env, Served, stderr, stdout};

#[test]
fn not_found_is_a_catchable_error_value() {
    let served = Served::new();
    let script = "local ok, err = pcall(app.integrations.close.get_lead, { id = 'lead_missing' })
print(ok, err.kind, err.status, err.method, err.path, err.account, err.retries)
print(err.message)
print(tostring(err))
print(next(err.field_errors))";
    served.cmd().args(["-e", script]).assert().success().stdout(
        "false\thttp\t404\tGET\t/lead/lead_missing/\tdefault\t0\n\
         Lead matching query does not exist.\n\
         close.get_lead: HTTP 404: Lead matching query does not exist.\n\
         nil\n",
    );
}

#[test]
fn an_uncaught_api_error_names_the_script_line() {
    let served = Served::new();
    served
        .env
        .write("t.lua", "local close = app.integrations.close\nclose.get_lead({ id = 'lead_missing' })\n");
    served.cmd().args(["run", "t.lua"]).assert().code(1).stdout("").stderr(
        "close-lua: error: t.lua:2: close.get_lead: HTTP 404: Lead matching query does not exist.\n\
         hint: Close found nothing at GET /lead/lead_missing/ (account 'default'); check the id\n\
         stack traceback:\n\tt.lua:2: in main chunk\n",
    );
}

#[test]
fn a_refused_call_says_which_call_was_refused() {
    let served = Served::new();
    served.sandbox.push_fault(
        1,
        Fault::Respond { status: 403, headers: vec![], body: b"{\"error\": \"Forbidden\"}".to_vec() },
    );
    let script =
        "local ok, err = pcall(app.integrations.close.update_lead, { id = 'lead_abc123XYZ', name = 'X' })
print(tostring(err))
print(err.hint)";
    served.cmd().args(["-e", script]).assert().success().stdout(
        "close.update_lead: HTTP 403: not allowed: Forbidden\n\
         Close refused PUT /lead/lead_abc123XYZ/ (account 'default'): the key's user lacks the permission\n",
    );
}

#[test]
fn validation_errors_carry_field_errors_by_the_scripts_names() {
    let served = Served::new();
    let script = "local c = app.integrations.close
local ok, err = pcall(c.create_lead, { name = 'X', status_id = 'stat_nope' })
print(err.status, err.field_errors.status_id)
print(err)
ok, err = pcall(c.create_task, { lead_id = 'lead_abc123XYZ', text = 'x', assignee_id = 'user_nope' })
print(next(err.field_errors))
ok, err = pcall(c.update_lead, { id = 'lead_abc123XYZ', custom = { industry = 'Space' } })
print(next(err.field_errors))";
    let output = served.cmd().args(["-e", script]).output().unwrap();
    let out = stdout(&output);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "400\t'stat_nope' is not a valid choice of lead status.", "{out}");
    assert_eq!(
        lines[1],
        "close.create_lead: HTTP 400: status_id: 'stat_nope' is not a valid choice of lead status."
    );
    assert!(lines[2].starts_with("assignee_id\t"), "{out}");
    assert!(lines[3].starts_with("custom.industry\t"), "{out}");
}

#[test]
fn a_failed_write_is_sent_once_and_reported() {
    let served = Served::new();
    served.sandbox.push_fault(
        1,
        Fault::Respond { status: 500, headers: vec![], body: b"{\"error\": \"boom\"}".to_vec() },
    );
    let script = "local ok, err = pcall(app.integrations.close.create_lead, { name = 'Once Co' })
print(ok, err.status, tostring(err))";
    served.cmd().args(["-e", script]).assert().success().stdout(
        "false\t500\tclose.create_lead: HTTP 500: boom; the change may or may not have been applied: \
             check before running it again\n",
    );
    let posts: Vec<String> =
        served.request_lines().into_iter().filter(|line| line.starts_with("POST")).collect();
    assert_eq!(posts, ["POST /lead/"]);
}

#[test]
fn a_non_json_error_body_is_quoted_briefly() {
    let served = Served::new();
    let page = format!("<html><body><h1>500 Server Error</h1>{}</body></html>", "<p>padding</p>".repeat(50));
    served.sandbox.push_fault(1, Fault::Respond { status: 500, headers: vec![], body: page.into_bytes() });
    let script =
        "local ok, err = pcall(app.integrations.close.get_current_user, {}) print(err.status, err.message)";
    let output = served.cmd().args(["-e", script]).output().unwrap();
    let out = stdout(&output);
    assert!(
        out.starts_with(
            "500\tInternal Server Error (the response was not JSON: \"<html><body><h1>500 Server Error</h1>"
        ),
        "{out}"
    );
    assert!(out.ends_with("...\")\n") && out.len() < 240, "{out}");
}

#[test]
fn a_refused_key_names_the_account_and_never_shows_the_key() {
    let served = Served::new();
    let key = "api_RECOGNISABLE.SECRET_4242";
    let config =
        format!("[accounts.default]\napi_key = \"{key}\"\nbase_url = \"{}\"\n", served.sandbox.base_url());
    served.env.write_default_config(&config);
    let output =
        served.cmd().args(["-vv", "-e", "app.integrations.close.get_current_user({})"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("close.get_current_user: HTTP 401: the API key of account 'default' was refused"),
        "{err}"
    );
    let encoded = base64_of(&format!("{key}:"));
    for text in [stdout(&output), err] {
        assert!(!text.contains("SECRET_4242") && !text.contains(&encoded), "the key leaked: {text}");
    }
}

#[test]
fn a_bad_parameter_is_reported_before_any_request() {
    let served = Served::new();
    served.env.write("t.lua", "\napp.integrations.close.list_leads({ limt = 5 })\n");
    served.cmd().args(["run", "t.lua"]).assert().code(1).stderr(predicates::str::starts_with(
        "close-lua: error: t.lua:2: close.list_leads: unknown parameter 'limt'; did you mean 'limit'?\nstack traceback:\n",
    ));
    for script in [
        "app.integrations.close.list_leads({ limit = 500 })",
        "app.integrations.close.get_lead({})",
        "app.integrations.close.create_lead({ name = 5 })",
        "app.integrations.close.list_contacts('lead_x')",
    ] {
        served.cmd().args(["-e", script]).assert().code(1);
    }
    assert_eq!(served.request_lines(), Vec::<String>::new());
}

#[test]
fn usage_errors_are_strings_with_the_location() {
    let served = Served::new();
    let script =
        "local ok, err = pcall(app.integrations.close.list_leads, { limit = 0 }) print(type(err), err)";
    served
        .cmd()
        .args(["-e", script])
        .assert()
        .success()
        .stdout("string\tclose.list_leads: parameter 'limit' must be from 1 to 100, got 0\n");
    let script =
        "local ok, err = pcall(function() app.integrations.close.list_leads({ limit = 0 }) end) print(err)";
    served
        .cmd()
        .args(["-e", script])
        .assert()
        .success()
        .stdout("(command line):1: close.list_leads: parameter 'limit' must be from 1 to 100, got 0\n");
}

#[test]
fn an_unknown_custom_field_sends_nothing() {
    let served = Served::new();
    let script = "app.integrations.close.create_lead({ name = 'X', custom = { Industri = 'SaaS' } })";
    let output = served.cmd().args(["-e", script]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.starts_with("close-lua: error: (command line):1: close.create_lead: custom: unknown custom field 'Industri'; the account's lead custom fields are: "), "{err}");
    assert!(err.contains("Industry"), "{err}");
    assert!(served.request_lines().iter().all(|line| line.starts_with("GET /custom_field/lead/")));
}

#[test]
fn a_misspelt_function_suggests_the_right_one() {
    let output = Env::new().cmd().args(["-e", "app.integrations.close.list_lead({})"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).starts_with(
        "close-lua: error: (command line):1: no function list_lead in app.integrations.close; did you mean list_leads?\n"
    ), "{}", stderr(&output));
}

#[test]
fn a_refused_key_names_where_the_key_came_from() {
    let served = Served::new();
    served.env.write_default_config(&format!(
        "[accounts.us_team]\napi_key_env = \"CLOSE_US_KEY\"\nbase_url = \"{}\"\n",
        served.sandbox.base_url()
    ));
    let script =
        "local ok, err = pcall(app.integrations.close.us_team.get_current_user, {}) print(err.message)";
    served
        .cmd()
        .env("CLOSE_US_KEY", "api_NOT.THE_RIGHT_ONE")
        .args(["-e", script])
        .assert()
        .success()
        .stdout(predicates::str::ends_with("; check the key in the environment variable CLOSE_US_KEY\n"));

    let env_only = Env::new();
    let output = env_only
        .cmd()
        .env("CLOSE_API_KEY", "api_NOT.THE_RIGHT_ONE")
        .env("CLOSE_API_BASE_URL", served.sandbox.base_url())
        .args(["-e", "local ok, err = pcall(app.integrations.close.get_current_user, {}) print(err.message)"])
        .output()
        .unwrap();
    let out = stdout(&output);
    assert!(out.starts_with("the API key of account 'default' was refused ("), "{out}{}", stderr(&output));
    assert!(out.ends_with("; check the key in the environment variable CLOSE_API_KEY\n"), "{out}");
}

#[test]
fn a_key_echoed_back_by_the_server_is_not_shown() {
    let served = Served::new();
    let key = served.sandbox.api_key("default").unwrap();
    let encoded = base64_of(&format!("{key}:"));
    let echoes = [
        (401, format!("{{\"error\": \"Invalid key {key}\"}}")),
        (400, format!("<html>bad request; you sent Authorization: Basic {encoded}</html>")),
        (502, format!("<html>{}Authorization: Basic {encoded}</html>", "x".repeat(80))),
    ];
    for (status, body) in &echoes {
        served.sandbox.push_fault(
            1,
            Fault::Respond { status: *status, headers: vec![], body: body.clone().into_bytes() },
        );
    }
    served.prepend_config("[retry]\nmax_attempts = 1\n");
    let script = "for _ = 1, 3 do
  local ok, err = pcall(app.integrations.close.get_current_user, {})
  print(tostring(err))
end";
    let output = served.cmd().args(["-v", "-e", script]).output().unwrap();
    let out = stdout(&output);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].contains("(Invalid key <redacted>)"), "{out}");
    assert!(lines[1].ends_with("you sent Authorization: Basic <redacted></html>\")"), "{out}");
    let all = format!("{out}{}", stderr(&output));
    // The excerpt of the third body ends inside the encoded key: not even its start may show.
    let start_of_encoded = &encoded[..12];
    assert!(!all.contains(&key) && !all.contains(start_of_encoded), "the key leaked:\n{all}");
}

/// A server on 127.0.0.1 that answers each connection with `raw` bytes and closes it,
/// counting the connections. Returns its base URL and the count.
fn raw_server(raw: &'static [u8]) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api/v1", listener.local_addr().unwrap());
    let count = std::sync::Arc::new(AtomicUsize::new(0));
    let counted = std::sync::Arc::clone(&count);
    std::thread::spawn(move || {
        use std::io::{BufRead, Write};
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            counted.fetch_add(1, Ordering::SeqCst);
            let mut reader = std::io::BufReader::new(&stream);
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 2 {
                line.clear();
            }
            let _ = (&stream).write_all(raw);
        }
    });
    (url, count)
}

#[test]
fn an_error_answer_cut_short_keeps_its_status() {
    let cases: [(&[u8], &str, &str); 2] = [
        (
            b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"error\": \"Inva",
            "create_lead({ name = 'X' })",
            "http\t400\t0\tBad Request (the body was cut short: \"{\"error\": \"Inva\")\n",
        ),
        (
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 500\r\n\r\n{\"error\": \"Empty query: Lead matching",
            "get_lead({ id = 'lead_gone' })",
            "http\t404\t0\tNot Found (the body was cut short: \"{\"error\": \"Empty query: Lead matching\")\n",
        ),
    ];
    for (raw, call, expected) in cases {
        let (url, connections) = raw_server(raw);
        let env = Env::new();
        env.write_default_config(&format!("[accounts.default]\napi_key = \"k\"\nbase_url = \"{url}\"\n"));
        let script = format!(
            "local ok, err = pcall(function() return app.integrations.close.{call} end)
print(err.kind, err.status, err.retries, err.message)"
        );
        let output = env.cmd().args(["-e", &script]).output().unwrap();
        assert_eq!(stdout(&output), expected, "{}", stderr(&output));
        assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 1, "{call} was sent again");
    }
}

fn base64_of(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[test]
fn a_call_with_a_colon_says_to_use_a_dot() {
    let served = Served::new();
    for script in [
        "app.integrations.close:list_leads({ limit = 3 })",
        "app.integrations.close.us_team:get_current_user({})",
    ] {
        let output = served.cmd().args(["-e", script]).output().unwrap();
        assert_eq!(output.status.code(), Some(1));
        let function = if script.contains("list_leads") { "list_leads" } else { "get_current_user" };
        let expected = format!(
            "close-lua: error: (command line):1: close.{function}: called with ':', which passes the namespace as the \
             parameters; use '.', as in app.integrations.close.{function}({{ ... }})\n"
        );
        assert!(stderr(&output).starts_with(&expected), "{}", stderr(&output));
    }
    assert!(served.sandbox.requests().is_empty());
}
