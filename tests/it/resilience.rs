//! Unattended runs: rate limits, retries that cannot write twice, timeouts, odd answers,
//! redirects, interrupts, and the key kept out of every output.

use std::time::Duration;

use close_lua::sandbox::{Fault, SandboxOptions};

use crate::helpers::{Env, Served, private, stderr, stdout};

fn respond(status: u16, headers: &[(&str, &str)], body: &str) -> Fault {
    let headers = headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Fault::Respond { status, headers, body: body.as_bytes().to_vec() }
}

/// The lines of a -v run's stderr that announce a wait.
fn wait_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|line| line.contains("waiting")).collect()
}

const GET_LEAD: &str = "print(app.integrations.close.get_lead({ id = 'lead_abc123XYZ' }).name)";

#[test]
fn a_429_is_waited_out_by_its_ratelimit_header() {
    let served = Served::new();
    served.sandbox.push_fault(1, respond(429, &[("RateLimit", "limit=10, remaining=0, reset=1")], "{}"));
    let output = served.cmd().args(["-v", "-e", GET_LEAD]).output().unwrap();
    assert_eq!(stdout(&output), "Acme Corp\n", "{}", stderr(&output));
    assert_eq!(
        wait_lines(&stderr(&output)),
        ["close-lua: GET /lead/lead_abc123XYZ/: rate limited (429); waiting 1.0 s before try 2 of 5"]
    );
    assert_eq!(served.request_lines(), ["GET /lead/lead_abc123XYZ/", "GET /lead/lead_abc123XYZ/"]);
}

#[test]
fn every_429_variant_gives_its_wait() {
    type Headers<'a> = &'a [(&'a str, &'a str)];
    let variants: [(Headers, &str, &str); 4] = [
        (&[("Retry-After", "1")], "{}", "1.0"),
        (&[("RateLimit-Reset", "0.4")], "{}", "0.4"),
        (&[], r#"{"error": {"message": "API call count exceeded", "rate_reset": 0.3}}"#, "0.3"),
        (&[], r#"{"error": "API call count exceeded", "rate_reset": "0.2"}"#, "0.2"),
    ];
    for (headers, body, wait) in variants {
        let served = Served::new();
        served.sandbox.push_fault(1, respond(429, headers, body));
        let output = served.cmd().args(["-v", "-e", GET_LEAD]).output().unwrap();
        assert_eq!(stdout(&output), "Acme Corp\n", "{}", stderr(&output));
        let expected = format!("rate limited (429); waiting {wait} s before try 2 of 5");
        assert!(stderr(&output).contains(&expected), "{headers:?} {body}: {}", stderr(&output));
    }
}

#[test]
fn running_out_of_tries_on_429_says_so() {
    let served = Served::new();
    served.prepend_config("[retry]\nmax_attempts = 3\n");
    served.sandbox.push_fault(
        3,
        respond(429, &[], r#"{"error": {"message": "API call count exceeded", "rate_reset": 0.1}}"#),
    );
    let script = "local ok, err = pcall(app.integrations.close.get_lead, { id = 'lead_abc123XYZ' })
print(err.status, err.retries)
print(err.message)";
    served
        .cmd()
        .args(["-e", script])
        .assert()
        .success()
        .stdout("429\t2\nAPI call count exceeded; rate limited after 3 tries, having waited 0.2 s in all\n");
    assert_eq!(served.sandbox.requests().len(), 3);
}

#[test]
fn a_wait_beyond_the_limit_is_not_waited() {
    let served = Served::new();
    served.prepend_config("[retry]\nmax_wait_secs = 5\n");
    served.sandbox.push_fault(1, respond(429, &[("Retry-After", "100")], "{}"));
    let script = "local ok, err = pcall(app.integrations.close.get_lead, { id = 'lead_abc123XYZ' }) print(err.message)";
    served.cmd().args(["-e", script]).assert().success().stdout(
        "Too Many Requests; rate limited and not tried again: the next wait of 100.0 s would pass the limit of \
         5 s of waiting per call, having waited 0.0 s in all\n",
    );
}

#[test]
fn an_exhausted_window_pauses_before_the_next_call() {
    let served = Served::new();
    let page = r#"{"has_more": false, "data": []}"#;
    served.sandbox.push_fault(1, respond(200, &[("RateLimit", "limit=10, remaining=0, reset=0.5")], page));
    let script = "local c = app.integrations.close
print(#c.list_contacts({}).contacts)
print(c.get_lead({ id = 'lead_abc123XYZ' }).name)";
    let output = served.cmd().args(["-v", "-e", script]).output().unwrap();
    assert_eq!(stdout(&output), "0\nAcme Corp\n", "{}", stderr(&output));
    assert_eq!(
        wait_lines(&stderr(&output)),
        ["close-lua: GET /lead/lead_abc123XYZ/: rate limit window used up; waiting 0.5 s"]
    );
}

#[test]
fn pacing_keeps_a_run_under_the_rate_limit() {
    // Two calls a second: every second call uses the window up, and the next one waits for
    // the window to reset instead of being refused.
    let options =
        SandboxOptions { accounts: vec!["default".to_string()], rate_limit_per_sec: 2, ..Default::default() };
    let served = Served::with_options(options);
    let script = "for _ = 1, 5 do print(app.integrations.close.get_lead({ id = 'lead_abc123XYZ' }).name) end";
    let output = served.cmd().args(["-v", "-e", script]).output().unwrap();
    assert_eq!(stdout(&output), "Acme Corp\n".repeat(5), "{}", stderr(&output));
    let statuses: Vec<u16> = served.sandbox.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [200; 5]);
    assert_eq!(
        wait_lines(&stderr(&output)),
        ["close-lua: GET /lead/lead_abc123XYZ/: rate limit window used up; waiting 1.0 s"; 2]
    );
}

#[test]
fn a_pause_longer_than_the_limits_fails_the_call_unsent() {
    let served = Served::new();
    let page = r#"{"has_more": false, "data": []}"#;
    let spent = [("RateLimit", "limit=10, remaining=0, reset=3600")];
    served.sandbox.push_fault(1, respond(200, &spent, page));
    let script = "local c = app.integrations.close
c.list_contacts({})
local ok, err = pcall(c.get_lead, { id = 'lead_abc123XYZ' })
print(err.status, err.retries, err.message)";
    served.cmd().args(["-e", script]).assert().success().stdout(
        "429\t0\tnot sent: Close's rate limit window is used up for another 3600.0 s, which would pass the \
         limit of 120 s of waiting per call\n",
    );
    assert_eq!(served.request_lines(), ["GET /contact/?_limit=25"]);

    let spent = [("RateLimit", "limit=10, remaining=0, reset=50")];
    served.sandbox.push_fault(1, respond(200, &spent, page));
    let output = served.cmd().args(["--max-runtime", "30", "-e", script]).output().unwrap();
    assert!(stdout(&output).ends_with(", which would pass --max-runtime\n"), "{}", stdout(&output));
    assert_eq!(served.request_lines(), ["GET /contact/?_limit=25"; 2]);
}

#[test]
fn pacing_holds_the_script_and_the_iterator_alike() {
    let served = Served::new();
    let page = r#"{"has_more": true, "data": [{"id": "cont_1", "lead_id": "lead_abc123XYZ", "name": "A"}]}"#;
    served.sandbox.push_fault(1, respond(200, &[("RateLimit", "limit=10, remaining=0, reset=3")], page));
    // The first page says the window is used up. The iterator's thread, fetching the next
    // page, and the script, calling get_lead, must both wait for it.
    let script = "for contact in app.integrations.close.iter_contacts({ page_size = 1 }) do
  print(app.integrations.close.get_lead({ id = 'lead_abc123XYZ' }).name)
  break
end";
    let output = served.cmd().args(["-v", "-e", script]).output().unwrap();
    assert_eq!(stdout(&output), "Acme Corp\n", "{}", stderr(&output));
    let err = stderr(&output);
    let mut waits = wait_lines(&err);
    waits.sort();
    assert_eq!(waits.len(), 2, "{err}");
    assert!(
        waits[0]
            .starts_with("close-lua: GET /contact/?_limit=1&_skip=1: rate limit window used up; waiting ")
    );
    assert!(
        waits[1].starts_with("close-lua: GET /lead/lead_abc123XYZ/: rate limit window used up; waiting ")
    );
}

#[test]
fn a_503_on_a_read_is_retried() {
    let served = Served::new();
    served.sandbox.push_fault(1, respond(503, &[], "<html>Service Unavailable</html>"));
    let output = served.cmd().args(["-v", "-e", GET_LEAD]).output().unwrap();
    assert_eq!(stdout(&output), "Acme Corp\n", "{}", stderr(&output));
    let err = stderr(&output);
    let waits = wait_lines(&err);
    assert_eq!(waits.len(), 1);
    assert!(waits[0].starts_with("close-lua: GET /lead/lead_abc123XYZ/: HTTP 503; waiting 0."), "{waits:?}");
    assert_eq!(served.sandbox.requests().len(), 2);
}

#[test]
fn a_503_on_a_create_is_not_repeated() {
    let served = Served::new();
    served.sandbox.push_fault(1, respond(503, &[], ""));
    let script = "local ok, err = pcall(app.integrations.close.create_task, { lead_id = 'lead_abc123XYZ', text = 'x' })
print(err.status, err.retries, err.message)";
    served.cmd().args(["-e", script]).assert().success().stdout(
        "503\t0\tService Unavailable (empty response); the change may or may not have been applied: \
         check before running it again\n",
    );
    assert_eq!(served.request_lines(), ["POST /task/"]);
}

#[test]
fn a_500_on_create_lead_is_sent_once() {
    let served = Served::new();
    served.sandbox.push_fault(1, respond(500, &[], r#"{"error": "internal"}"#));
    let script =
        "local ok, err = pcall(app.integrations.close.create_lead, { name = 'Once' }) print(ok, err.status)";
    served.cmd().args(["-e", script]).assert().success().stdout("false\t500\n");
    assert_eq!(served.request_lines(), ["POST /lead/"]);
}

#[test]
fn a_write_that_never_left_is_tried_again() {
    let env = Env::new();
    let port = closed_port();
    env.write_default_config(&format!(
        "[retry]\nmax_attempts = 2\n[accounts.default]\napi_key = \"k\"\nbase_url = \"http://127.0.0.1:{port}/api/v1\"\n"
    ));
    let script = "local ok, err = pcall(app.integrations.close.create_lead, { name = 'X' })
print(err.kind, err.status, err.retries)
print(err.message)";
    let output = env.cmd().args(["-v", "-e", script]).output().unwrap();
    let out = stdout(&output);
    let expected = format!(
        "network\tnil\t1\ncannot connect to 127.0.0.1:{port}: connection refused; failed after 2 tries"
    );
    assert!(out.starts_with(&expected), "{out}");
    assert_eq!(wait_lines(&stderr(&output)).len(), 1, "{}", stderr(&output));
}

#[test]
fn a_stalled_read_is_retried_after_the_timeout() {
    let served = Served::new();
    served.sandbox.push_fault(1, Fault::Delay(Duration::from_secs(30)));
    served.cmd().args(["--timeout", "0.5", "-e", GET_LEAD]).assert().success().stdout("Acme Corp\n");
    assert_eq!(served.sandbox.requests().len(), 2);
}

#[test]
fn a_stalled_server_ends_the_call_at_the_timeout() {
    let served = Served::new();
    served.prepend_config("timeout_secs = 0.5\n[retry]\nmax_attempts = 1\n");
    served.sandbox.push_fault(1, Fault::Delay(Duration::from_secs(30)));
    let script = "local ok, err = pcall(app.integrations.close.get_current_user, {})
print(err.kind, err.status, err.path, err.message:match('^no answer from 127%.0%.0%.1:%d+ within 0.5 s;') ~= nil)";
    served.cmd().args(["-e", script]).assert().success().stdout("timeout\tnil\t/me/\ttrue\n");
}

#[test]
fn max_runtime_stops_a_runaway_script() {
    let output = Env::new()
        .cmd()
        .args(["--max-runtime", "0.5", "-e", "print('started')\nwhile true do end"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "started\n");
    assert_eq!(stderr(&output), "close-lua: error: stopped at (command line):2 after --max-runtime 0.5 s\n");

    let caught = "while true do pcall(function() while true do end end) end";
    let output = Env::new().cmd().args(["--max-runtime", "0.5", "-e", caught]).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "a pcall cannot swallow the stop");
}

#[test]
fn max_runtime_also_ends_a_run_stuck_outside_lua() {
    let output = Env::new()
        .cmd()
        .args(["--max-runtime", "0.5", "-e", "os.execute('exec sleep 20 >/dev/null 2>&1')"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stderr(&output), "close-lua: error: stopped after --max-runtime 0.5 s\n");
}

#[test]
fn a_redirect_to_another_host_is_refused() {
    let served = Served::new();
    served
        .sandbox
        .push_fault(1, respond(302, &[("Location", "https://elsewhere.example.com/api/v1/me/")], ""));
    let script = "local ok, err = pcall(app.integrations.close.get_current_user, {}) print(err.kind, err.status) print(err.message)";
    served.cmd().args(["-e", script]).assert().success().stdout(
        "redirect\t302\nthe server answered HTTP 302 with a redirect to another host \
         (https://elsewhere.example.com/api/v1/me/); close-lua does not follow it, since the Close API \
         does not redirect (check the account's base_url)\n",
    );
    assert_eq!(served.sandbox.requests().len(), 1);
}

#[test]
fn a_redirect_that_would_turn_a_write_into_a_read_is_refused() {
    let served = Served::new();
    served.sandbox.push_fault(1, respond(302, &[("Location", "/api/v1/lead/")], ""));
    let script = "local ok, err = pcall(app.integrations.close.create_lead, { name = 'X' }) print(err.kind, err.status)";
    served.cmd().args(["-e", script]).assert().success().stdout("redirect\t302\n");
    assert_eq!(served.request_lines(), ["POST /lead/"]);
}

#[test]
fn a_same_host_redirect_keeping_the_method_is_followed() {
    let served = Served::new();
    served.sandbox.push_fault(1, respond(307, &[("Location", "/api/v1/lead/lead_abc123XYZ/")], ""));
    served
        .cmd()
        .args(["-e", "print(app.integrations.close.get_lead({ id = 'lead_old' }).name)"])
        .assert()
        .success()
        .stdout("Acme Corp\n");
    let requests = served.sandbox.requests();
    assert_eq!(served.request_lines(), ["GET /lead/lead_old/", "GET /lead/lead_abc123XYZ/"]);
    assert_eq!(requests[1].account.as_deref(), Some("default"));
}

#[test]
fn odd_success_bodies_are_errors_not_crashes() {
    for (body, expected) in [
        (&b"<html>maintenance</html>"[..], "invalid_response\t200\tthe answer was not valid JSON"),
        (
            &b"{\"id\": \"lead_x\", \"name\": \"\xff\xfe\"}"[..],
            "invalid_response\t200\tthe answer was not valid JSON",
        ),
        (&b"{\"id\": \"lead_x\", "[..], "invalid_response\t200\tthe answer was not valid JSON"),
    ] {
        let served = Served::new();
        served.sandbox.push_fault(1, Fault::Respond { status: 200, headers: vec![], body: body.to_vec() });
        let script = "local ok, err = pcall(app.integrations.close.get_lead, { id = 'lead_x' }) print(err.kind, err.status, err.message)";
        let output = served.cmd().args(["-e", script]).output().unwrap();
        assert!(stdout(&output).starts_with(expected), "{}", stdout(&output));
        assert!(!stderr(&output).contains("panicked"));
    }
}

#[test]
fn an_answer_over_ten_megabytes_is_read_in_full() {
    let served = Served::new();
    let description = "x".repeat(120_000);
    let leads: Vec<serde_json::Value> = (0..100)
        .map(|i| serde_json::json!({"id": format!("lead_{i}"), "name": format!("Lead {i}"), "description": description, "custom": {}}))
        .collect();
    let page = serde_json::json!({"has_more": false, "total_results": 100, "data": leads}).to_string();
    assert!(page.len() > 12_000_000);
    served.sandbox.push_fault(1, Fault::Respond { status: 200, headers: vec![], body: page.into_bytes() });
    let script = "local r = app.integrations.close.list_leads({ limit = 100 })
local total = 0
for _, lead in ipairs(r.leads) do total = total + #lead.description end
print(#r.leads, total, r.leads[100].name)";
    served.cmd().args(["-e", script]).assert().success().stdout("100\t12000000\tLead 99\n");
}

#[test]
fn a_proxy_from_the_environment_is_used_unless_no_proxy_says_otherwise() {
    // A stand-in proxy that records the tunnel it is asked for and refuses it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy = format!("http://{}", listener.local_addr().unwrap());
    let serving = listener.try_clone().unwrap();
    let asked = std::thread::spawn(move || {
        use std::io::{BufRead, Write};
        let (stream, _) = serving.accept().unwrap();
        let mut reader = std::io::BufReader::new(&stream);
        let mut first = String::new();
        reader.read_line(&mut first).unwrap();
        let mut header = String::new();
        while reader.read_line(&mut header).unwrap() > 2 {
            header.clear();
        }
        (&stream).write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n").unwrap();
        first
    });

    let env = Env::new();
    env.write_default_config(
        "timeout_secs = 0.5\n[retry]\nmax_attempts = 1\n\
         [accounts.default]\napi_key = \"k\"\nbase_url = \"https://api.close.invalid/api/v1\"\n",
    );
    let script =
        "local ok, err = pcall(app.integrations.close.get_current_user, {}) print(err.kind, err.message)";
    let output = env.cmd().env("HTTPS_PROXY", &proxy).args(["-e", script]).output().unwrap();
    assert_eq!(asked.join().unwrap(), "CONNECT api.close.invalid:443 HTTP/1.1\r\n");
    let expected =
        format!("network\tthe proxy {} would not open a connection to api.close.invalid: ", &proxy[7..]);
    assert!(stdout(&output).starts_with(&expected), "{}", stdout(&output));

    // With NO_PROXY the proxy hears nothing: the call goes to the (unreachable) host itself.
    let output = env
        .cmd()
        .env("HTTPS_PROXY", &proxy)
        .env("NO_PROXY", "close.invalid")
        .args(["-e", script])
        .output()
        .unwrap();
    assert!(!stdout(&output).contains("proxy"), "{}", stdout(&output));
    listener.set_nonblocking(true).unwrap();
    let pending = listener.accept();
    assert!(
        matches!(&pending, Err(err) if err.kind() == std::io::ErrorKind::WouldBlock),
        "the proxy was contacted despite NO_PROXY"
    );
}

#[test]
fn keys_may_come_from_a_named_environment_variable() {
    let served = Served::new();
    served.env.write_default_config(&format!(
        "[accounts.default]\napi_key_env = \"CLOSE_TEST_KEY\"\nbase_url = \"{}\"\n",
        served.sandbox.base_url()
    ));
    let script = "print(app.integrations.close.get_current_user({}).email)";
    served
        .cmd()
        .env("CLOSE_TEST_KEY", served.sandbox.api_key("default").unwrap())
        .args(["-e", script])
        .assert()
        .success()
        .stdout("pat@demo.example.com\n");
    let output = served.cmd().args(["-e", script]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output)
            .contains("takes its key from the environment variable CLOSE_TEST_KEY, which is not set")
    );
}

#[test]
fn a_config_others_can_read_gets_one_warning() {
    let served = Served::new();
    let path = served.env.home.path().join(".config/close-lua/config.toml");
    let script =
        "app.integrations.close.get_current_user({}) app.integrations.close.us_team.get_current_user({})";
    served.cmd().args(["-e", script]).assert().success().stderr("");

    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    served.cmd().args(["-e", script]).assert().success().stderr(format!(
        "close-lua: warning: config file {} can be read by other users (mode 644) and holds API keys; \
         to fix it: chmod 600 {}\n",
        path.display(),
        path.display()
    ));
    private(&path);
}

#[test]
fn the_key_appears_in_no_output_on_any_error_path() {
    let served = Served::new();
    served.prepend_config("[retry]\nmax_attempts = 2\n");
    let key = served.sandbox.api_key("default").unwrap();
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{key}:"));
    served.sandbox.push_fault(1, respond(429, &[("Retry-After", "0")], "{}"));
    served.sandbox.push_fault(2, respond(503, &[], "<html>down</html>"));
    served.sandbox.push_fault(1, respond(500, &[], "{\"error\": \"boom\"}"));
    served.sandbox.push_fault(1, respond(302, &[("Location", "https://elsewhere.example.com/")], ""));
    served.sandbox.push_fault(1, respond(401, &[], "{\"error\": \"no\"}"));
    let script = "local c = app.integrations.close
for _, call in ipairs({
  function() return c.get_lead({ id = 'lead_abc123XYZ' }) end,
  function() return c.get_lead({ id = 'lead_abc123XYZ' }) end,
  function() return c.create_lead({ name = 'X' }) end,
  function() return c.get_current_user({}) end,
  function() return c.get_current_user({}) end,
  function() return c.get_lead({ id = 'lead_missing' }) end,
  function() return c.list_leads({ limt = 1 }) end,
  function() return c.create_lead({ name = 'X', custom = { Nope = 1 } }) end,
}) do
  local ok, err = pcall(call)
  print(ok, tostring(err))
  if type(err) == 'table' then for k, v in pairs(err) do print(k, tostring(v)) end end
end
print(c, c.default, c.get_lead)
c.get_lead({ id = 'lead_missing' })";
    let output = served.cmd().args(["-vv", "-e", script]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let all = format!("{}{}", stdout(&output), stderr(&output));
    assert!(all.contains("HTTP 401") && all.contains("HTTP 500") && all.contains("redirect"), "{all}");
    assert!(!all.contains(&key) && !all.contains(&encoded), "the key leaked:\n{all}");
}

#[test]
fn the_key_appears_in_no_log_line_even_where_a_script_sends_it() {
    let served = Served::new();
    let key = served.sandbox.api_key("default").unwrap();
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{key}:"));
    // In a query, in a path and in a body; the answers echo the path back too.
    let script = format!(
        "local c = app.integrations.close
pcall(c.list_leads, {{ query = '{key}:x' }})
pcall(c.get_lead, {{ id = '{key}/{encoded}' }})
pcall(c.list_contacts, {{ lead_id = '{encoded}' }})
pcall(c.update_lead, {{ id = 'lead_abc123XYZ', name = '{key}' }})"
    );
    let hidden = [
        key.clone(),
        encoded.clone(),
        encoded.trim_end_matches('=').to_string(),
        close_lua::close::client::path_segment(&key),
        close_lua::close::client::path_segment(&encoded),
        form_urlencoded::byte_serialize(encoded.as_bytes()).collect(),
    ];
    // The sandbox within close-lua has the same key, and logs what it receives.
    for sandbox in [&[][..], &["--sandbox"][..]] {
        let output = served.cmd().args(sandbox).args(["-vv", "-e", &script]).output().unwrap();
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(0), "{err}");
        assert!(err.contains("GET /lead/?query=<redacted>%3Ax"), "{err}");
        assert!(err.contains("GET /lead/<redacted>%2F<redacted>/ -> 404"), "{err}");
        assert!(err.contains("GET /contact/?lead_id=<redacted>"), "{err}");
        for form in &hidden {
            assert!(!err.contains(form.as_str()), "{form} leaked:\n{err}");
        }
    }
}

/// A port on 127.0.0.1 that nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// What a running close-lua has written so far.
#[derive(Debug, Default)]
struct Seen {
    out: String,
    err: String,
    /// How many of its two output streams have ended.
    ended: usize,
}

/// A close-lua process whose output is read all along, so that a script that prints without
/// end is never held up by a full pipe, and whose progress a test can wait for.
struct Watched {
    child: std::process::Child,
    seen: std::sync::Arc<(std::sync::Mutex<Seen>, std::sync::Condvar)>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

impl Watched {
    fn start(mut cmd: std::process::Command) -> Watched {
        use std::io::Read;
        use std::process::Stdio;
        let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let seen = std::sync::Arc::new((std::sync::Mutex::new(Seen::default()), std::sync::Condvar::new()));
        let out: Box<dyn std::io::Read + Send> = Box::new(child.stdout.take().unwrap());
        let err: Box<dyn std::io::Read + Send> = Box::new(child.stderr.take().unwrap());
        let readers = [(out, false), (err, true)]
            .into_iter()
            .map(|(mut stream, is_err)| {
                let seen = std::sync::Arc::clone(&seen);
                std::thread::spawn(move || {
                    let mut buffer = [0; 4096];
                    loop {
                        let read = stream.read(&mut buffer).unwrap_or(0);
                        let mut state = seen.0.lock().unwrap();
                        let text = String::from_utf8_lossy(&buffer[..read]);
                        if is_err {
                            state.err.push_str(&text)
                        } else {
                            state.out.push_str(&text)
                        }
                        if read == 0 {
                            state.ended += 1;
                        }
                        seen.1.notify_all();
                        if read == 0 {
                            return;
                        }
                    }
                })
            })
            .collect();
        Watched { child, seen, readers }
    }

    /// Returns once `ready` holds. It is asked again whenever output arrives, and every 10 ms
    /// for what it may look at besides (such as the sandbox's request log).
    fn wait_until(&self, ready: impl Fn(&Seen) -> bool) {
        let mut seen = self.seen.0.lock().unwrap();
        while !ready(&seen) {
            seen = self.tick(seen);
        }
    }

    /// Waits until output arrives or 10 ms have passed; fails if the process has ended.
    fn tick<'a>(&'a self, seen: std::sync::MutexGuard<'a, Seen>) -> std::sync::MutexGuard<'a, Seen> {
        assert!(seen.ended < 2, "it ended before it was ready: {seen:?}");
        self.seen.1.wait_timeout(seen, Duration::from_millis(10)).unwrap().0
    }

    /// Opens `gate` (see [`make_gate`]) for writing, once the script has opened it to read.
    fn open_gate(&self, gate: &std::path::Path) -> std::fs::File {
        use std::os::unix::fs::OpenOptionsExt;
        loop {
            // Without a reader, a named pipe opened this way fails at once rather than waits.
            match std::fs::OpenOptions::new().write(true).custom_flags(libc::O_NONBLOCK).open(gate) {
                Ok(file) => return file,
                Err(err) if err.raw_os_error() == Some(libc::ENXIO) => {}
                Err(err) => panic!("cannot open {}: {err}", gate.display()),
            }
            drop(self.tick(self.seen.0.lock().unwrap()));
        }
    }

    /// Presses Ctrl-C.
    fn interrupt(&self) {
        // SAFETY: kill with a pid of our own child and a standard signal.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGINT) };
    }

    /// Waits for the end; returns (exit status, all stdout, all stderr).
    fn finish(mut self) -> (Option<i32>, String, String) {
        let status = self.child.wait().unwrap();
        for reader in self.readers.drain(..) {
            reader.join().unwrap();
        }
        let seen = std::mem::take(&mut *self.seen.0.lock().unwrap());
        (status.code(), seen.out, seen.err)
    }
}

/// Starts close-lua, presses Ctrl-C once `ready` holds (see [`Watched::wait_until`]) and
/// returns (exit status, stdout, stderr).
fn interrupt_when(
    cmd: std::process::Command,
    ready: impl Fn(&Seen) -> bool,
) -> (Option<i32>, String, String) {
    let watched = Watched::start(cmd);
    watched.wait_until(ready);
    watched.interrupt();
    watched.finish()
}

#[test]
fn ctrl_c_stops_the_script_between_instructions() {
    let env = Env::new();
    let mut cmd = env.std_cmd();
    cmd.args(["-e", "io.stdout:setvbuf('line') print('ready')\nlocal n = 0\nwhile true do n = n + 1 end"]);
    let (status, out, err) = interrupt_when(cmd, |seen| seen.out.contains('\n'));
    assert_eq!(status, Some(130));
    assert_eq!(out, "ready\n");
    assert_eq!(err, "close-lua: interrupted at (command line):3\n");
}

#[test]
fn ctrl_c_during_a_call_names_the_call() {
    let served = Served::new();
    served.sandbox.push_fault(1, Fault::Delay(Duration::from_secs(30)));
    let mut cmd = served.std_cmd();
    cmd.args([
        "-e",
        "io.stdout:setvbuf('line') print('ready') app.integrations.close.create_lead({ name = 'Slow' })",
    ]);
    let (status, out, err) =
        interrupt_when(cmd, |seen| seen.out.contains('\n') && !served.sandbox.requests().is_empty());
    assert_eq!(status, Some(130));
    assert_eq!(out, "ready\n");
    assert_eq!(
        err,
        "close-lua: interrupted while POST /lead/ (account default) was in flight; \
         the change may or may not have been applied\n"
    );
}

/// A one-shot server on 127.0.0.1 that answers its first request with `raw` bytes and
/// closes the connection. Returns its base URL.
fn raw_server(raw: &'static [u8]) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api/v1", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        use std::io::{BufRead, Write};
        let (stream, _) = listener.accept().unwrap();
        let mut reader = std::io::BufReader::new(&stream);
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap() > 2 {
            line.clear();
        }
        (&stream).write_all(raw).unwrap();
    });
    url
}

#[test]
fn a_body_cut_short_is_a_network_error() {
    let env = Env::new();
    let url = raw_server(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"id\": \"lead_",
    );
    env.write_default_config(&format!(
        "[retry]\nmax_attempts = 1\n[accounts.default]\napi_key = \"k\"\nbase_url = \"{url}\"\n"
    ));
    let script = "local ok, err = pcall(app.integrations.close.get_lead, { id = 'x' }) print(err.kind, err.status, err.path) print(err.message)";
    let output = env.cmd().args(["-e", script]).output().unwrap();
    let out = stdout(&output);
    assert!(out.starts_with("network\tnil\t/lead/x/\nthe answer from 127.0.0.1:"), "{out}");
    assert!(out.contains(" was cut short"), "{out}");
}

#[test]
fn ctrl_c_during_a_rate_limit_wait_ends_the_run_and_sends_nothing_more() {
    let served = Served::new();
    served.sandbox.push_fault(1, respond(429, &[("Retry-After", "60")], "{}"));
    let mut cmd = served.std_cmd();
    cmd.args(["-v", "-e", "app.integrations.close.create_lead({ name = 'Later' }) print('created')"]);
    let (status, out, err) = interrupt_when(cmd, |seen| seen.err.contains("waiting 60.0 s before try 2"));
    assert_eq!(status, Some(130), "{err}");
    assert_eq!(out, "");
    assert_eq!(
        err.lines().last(),
        Some("close-lua: interrupted while POST /lead/ (account default) was waiting to be tried again")
    );
    assert_eq!(served.request_lines(), ["POST /lead/"]);
}

#[test]
fn ctrl_c_during_a_pacing_wait_ends_the_run() {
    let served = Served::new();
    let page = r#"{"has_more": false, "data": []}"#;
    served.sandbox.push_fault(1, respond(200, &[("RateLimit", "limit=10, remaining=0, reset=60")], page));
    let script = "local c = app.integrations.close c.list_contacts({}) c.get_lead({ id = 'lead_abc123XYZ' })";
    let mut cmd = served.std_cmd();
    cmd.args(["-v", "-e", script]);
    let (status, _, err) =
        interrupt_when(cmd, |seen| seen.err.contains("rate limit window used up; waiting"));
    assert_eq!(status, Some(130), "{err}");
    assert_eq!(
        err.lines().last(),
        Some(
            "close-lua: interrupted while GET /lead/lead_abc123XYZ/ (account default) was waiting for the \
             rate limit window to reset"
        )
    );
    assert_eq!(served.request_lines(), ["GET /contact/?_limit=25"]);
}

#[test]
fn a_stop_during_a_call_keeps_csv_rows_and_the_dry_run_count() {
    let served = Served::new();
    // The dry run's create reads the user and the statuses first; the get_lead after it
    // meets the 429.
    served.sandbox.push_fault(2, Fault::Delay(Duration::ZERO));
    served.sandbox.push_fault(1, respond(429, &[("Retry-After", "60")], "{}"));
    let script = "local out = csv.writer('out.csv', { columns = { 'id' } })
out:write({ id = 'a' }) out:write({ id = 'b' })
app.integrations.close.create_lead({ name = 'Dry' })
app.integrations.close.get_lead({ id = 'lead_abc123XYZ' })";
    let mut cmd = served.std_cmd();
    cmd.args(["--dry-run", "-v", "-e", script]);
    let (status, _, err) = interrupt_when(cmd, |seen| seen.err.contains("waiting 60.0 s before try 2"));
    assert_eq!(status, Some(130), "{err}");
    let last: Vec<&str> = err.lines().rev().take(2).collect();
    assert_eq!(
        last,
        [
            "close-lua: interrupted while GET /lead/lead_abc123XYZ/ (account default) was waiting to be tried again",
            "close-lua: dry run: 1 write was not sent (1 POST)",
        ]
    );
    let written = std::fs::read_to_string(served.env.home.path().join("out.csv")).unwrap();
    assert_eq!(written, "id\na\nb\n");
}

#[test]
fn max_runtime_keeps_csv_rows_and_the_dry_run_count() {
    let served = Served::new();
    let script = "local out = csv.writer('out.csv', { columns = { 'id' } })
out:write({ id = 'a' })
app.integrations.close.create_lead({ name = 'Dry' })
while true do end";
    let output = served.cmd().args(["--dry-run", "--max-runtime", "0.5", "-e", script]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "close-lua: dry run: POST /lead/ {\"name\":\"Dry\"}\n\
         close-lua: dry run: 1 write was not sent (1 POST)\n\
         close-lua: error: stopped at (command line):4 after --max-runtime 0.5 s\n"
    );
    let written = std::fs::read_to_string(served.env.home.path().join("out.csv")).unwrap();
    assert_eq!(written, "id\na\n");
}

#[test]
fn ctrl_c_while_a_page_is_fetched_ahead_waits_for_the_script_to_finish_its_line() {
    let served = Served::new();
    served.sandbox.push_fault(1, Fault::Delay(Duration::ZERO));
    served.sandbox.push_fault(1, Fault::Delay(Duration::from_secs(60)));
    let script = "io.stdout:setvbuf('line')
for contact in app.integrations.close.iter_contacts({ page_size = 2 }) do
  print('ready') local n = 0 while true do n = n + 1 io.write('line ', n, '\\n') end
end";
    let mut cmd = served.std_cmd();
    cmd.args(["-e", script]);
    // Interrupt once the page fetched ahead is in flight, while the script is printing.
    let fetching = || served.sandbox.requests().get(1).is_some_and(|request| request.status == 0);
    let (status, out, err) = interrupt_when(cmd, |seen| seen.out.contains('\n') && fetching());
    assert_eq!(status, Some(130), "{err}");
    assert_eq!(err, "close-lua: interrupted at (command line):3\n");
    assert!(out.ends_with('\n'));
    for (i, line) in out.lines().skip(1).enumerate() {
        assert_eq!(line, format!("line {}", i + 1));
    }
}

#[test]
fn ctrl_c_while_the_script_waits_for_the_next_page_ends_the_run_at_once() {
    let served = Served::new();
    served.sandbox.push_fault(1, Fault::Delay(Duration::ZERO));
    served.sandbox.push_fault(1, Fault::Delay(Duration::from_secs(60)));
    let script = "io.stdout:setvbuf('line')
local n = 0
for contact in app.integrations.close.iter_contacts({ page_size = 2 }) do
  n = n + 1
  if n == 2 then print('waiting') end
end";
    let mut cmd = served.std_cmd();
    cmd.args(["-e", script]);
    // The script has handed out the whole first page and the second is held back.
    let fetching = || served.sandbox.requests().get(1).is_some_and(|request| request.status == 0);
    let (status, out, err) = interrupt_when(cmd, |seen| seen.out.contains('\n') && fetching());
    assert_eq!(status, Some(130), "{err}");
    assert_eq!(out, "waiting\n");
    assert_eq!(
        err,
        "close-lua: interrupted while GET /contact/?_limit=2&_skip=2 (account default) was in flight\n"
    );
}

/// Makes a named pipe `gate` in the home directory. A script that reads a line from it waits
/// outside Lua and outside any call until the test writes one, so that a Ctrl-C can be
/// pressed exactly there.
fn make_gate(env: &Env) -> std::path::PathBuf {
    use std::os::unix::ffi::OsStrExt;
    let path = env.home.path().join("gate");
    let name = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: mkfifo reads a NUL-terminated path that lives across the call.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0, "mkfifo {}", path.display());
    path
}

/// Runs `cmd` (with -v, walking contacts one a page) while the second page meets a 429 that
/// asks for a minute. While the script waits at its gate, Ctrl-C makes that fetch give up;
/// then the script is let through the gate. `input` is written to stdin first and once the
/// gate is open. Returns (exit status, stdout, stderr).
fn interrupt_at_the_gate(
    served: &Served,
    mut cmd: std::process::Command,
    input: [&str; 2],
) -> (Option<i32>, String, String) {
    use std::io::Write;
    let gate = make_gate(&served.env);
    served.sandbox.push_fault(1, Fault::Delay(Duration::ZERO));
    served.sandbox.push_fault(1, respond(429, &[("Retry-After", "60")], "{}"));
    cmd.stdin(std::process::Stdio::piped());
    let mut watched = Watched::start(cmd);
    let mut stdin = watched.child.stdin.take().unwrap();
    stdin.write_all(input[0].as_bytes()).unwrap();
    watched.wait_until(|seen| seen.err.contains("waiting 60.0 s before try 2"));
    let mut opened = watched.open_gate(&gate);
    watched.interrupt();
    watched.wait_until(|seen| {
        seen.err.contains(
            "close-lua: interrupted while GET /contact/?_limit=1&_skip=1 (account default) was waiting to be \
             tried again\n",
        )
    });
    opened.write_all(b"go\n").unwrap();
    drop(opened);
    stdin.write_all(input[1].as_bytes()).unwrap();
    drop(stdin);
    watched.finish()
}

#[test]
fn ctrl_c_just_before_the_script_waits_for_the_next_page_ends_the_run_at_once() {
    let served = Served::new();
    let script = "for contact in app.integrations.close.iter_contacts({ page_size = 1 }) do
  io.open('gate'):read('l')
end";
    let mut cmd = served.std_cmd();
    cmd.args(["-v", "-e", script]);
    let (status, out, err) = interrupt_at_the_gate(&served, cmd, ["", ""]);
    assert_eq!(status, Some(130), "{err}");
    assert_eq!(out, "");
    assert_eq!(
        err.lines().last(),
        Some("close-lua: interrupted while waiting for the next page of iter_contacts")
    );
    assert!(!err.contains("traceback"), "{err}");
    assert_eq!(served.request_lines(), ["GET /contact/?_limit=1&_skip=0", "GET /contact/?_limit=1&_skip=1"]);
}

#[test]
fn ctrl_c_just_before_a_call_ends_the_run_before_it_is_sent() {
    let served = Served::new();
    let script = "for contact in app.integrations.close.iter_contacts({ page_size = 1 }) do
  io.open('gate'):read('l')
  app.integrations.close.get_lead({ id = contact.lead_id })
end";
    let mut cmd = served.std_cmd();
    cmd.args(["-v", "-e", script]);
    let (status, out, err) = interrupt_at_the_gate(&served, cmd, ["", ""]);
    assert_eq!(status, Some(130), "{err}");
    assert_eq!(out, "");
    let last = err.lines().last().unwrap_or_default();
    assert!(last.starts_with("close-lua: interrupted while GET /lead/lead_"), "{err}");
    assert!(last.ends_with("/ (account default) was about to be sent"), "{err}");
    assert_eq!(served.request_lines(), ["GET /contact/?_limit=1&_skip=0", "GET /contact/?_limit=1&_skip=1"]);
}

#[test]
fn ctrl_c_in_the_repl_that_ends_a_page_fetched_ahead_still_stops_the_chunk() {
    let served = Served::new();
    // Once through the gate the chunk runs Lua only: only the hook can stop it.
    let chunk = "for c in app.integrations.close.iter_contacts({ page_size = 1 }) do \
                 io.open('gate'):read('l') for _ = 1, 1e7 do end print('not stopped') break end\n";
    let mut cmd = served.std_cmd();
    cmd.args(["-v", "repl"]);
    let (status, out, err) = interrupt_at_the_gate(&served, cmd, [chunk, "print('still here')\n"]);
    assert_eq!(status, Some(0), "{err}");
    assert_eq!(out, "still here\n");
    assert!(err.contains("interrupted at stdin:1"), "{err}");
}

#[test]
fn a_create_whose_host_cannot_be_resolved_is_tried_again_and_said_unsent() {
    // Names under .invalid never resolve, and close-lua refuses them without a lookup.
    let env = Env::new();
    env.write_default_config(
        "[retry]\nmax_attempts = 2\n[accounts.default]\napi_key = \"k\"\nbase_url = \"https://api.close.invalid/api/v1\"\n",
    );
    let script = "local ok, err = pcall(app.integrations.close.create_lead, { name = 'X' })
print(err.kind, err.status, err.retries)
print(err.message)";
    let output = env.cmd().args(["-e", script]).output().unwrap();
    let out = stdout(&output);
    assert!(
        out.starts_with("network\tnil\t1\ncannot resolve the host api.close.invalid; failed after 2 tries, having waited 0."),
        "{out}"
    );
    assert!(!out.contains("may or may not"), "{out}");
}

#[test]
fn a_redirect_loop_is_one_try() {
    let served = Served::new();
    served.sandbox.push_fault(4, respond(307, &[("Location", "/api/v1/me/")], ""));
    let script = "local ok, err = pcall(app.integrations.close.get_current_user, {})
print(err.kind, err.status, err.retries)
print(err.message)";
    served.cmd().args(["-e", script]).assert().success().stdout(
        "redirect\t307\t0\nthe server answered with more than 3 redirects in a row; the Close API does not \
         redirect (check the account's base_url)\n",
    );
    assert_eq!(served.request_lines(), ["GET /me/"; 4]);
}

/// A certificate for 127.0.0.1 that no system trusts, and its key, made for these tests.
const UNTRUSTED_CERT: &str = "-----BEGIN CERTIFICATE-----
MIIByTCCAW+gAwIBAgIUHEkzVC3VzZfoHmGp0djoli5X6aYwCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwOY2xvc2UtbHVhIHRlc3QwIBcNMjYxMjA0MDEzMzMxWhgPMjEy
NjExMTAwMTMzMzFaMBkxFzAVBgNVBAMMDmNsb3NlLWx1YSB0ZXN0MFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAE3FMG/gA8EmxzugrK5ArQngrC9qYp0V9YAdXdzEMd
ROda6KoIhkbcHGHF4wF/hiHEQ3YsCclC708V4Tr3pykjK6OBkjCBjzAdBgNVHQ4E
FgQUmd4GN8N9CRvOfeQl5/k2x/7oPIwwHwYDVR0jBBgwFoAUmd4GN8N9CRvOfeQl
5/k2x/7oPIwwGgYDVR0RBBMwEYIJbG9jYWxob3N0hwR/AAABMAwGA1UdEwEB/wQC
MAAwEwYDVR0lBAwwCgYIKwYBBQUHAwEwDgYDVR0PAQH/BAQDAgeAMAoGCCqGSM49
BAMCA0gAMEUCIQDKb8p0cUVgrkT2xXJGkW9Rtordk8XmzuzmJnfzQHWAtQIgQWpk
S1nQ+sWErzz6m7c0SytoQ15oUP0kbAZBDt1nauE=
-----END CERTIFICATE-----
";
const UNTRUSTED_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgzwoxD5zMUbg1WIMC
J8XWmCZs8Z4tBwzo/FRWLLkdXOahRANCAATcUwb+ADwSbHO6CsrkCtCeCsL2pinR
X1gB1d3MQx1E51roqgiGRtwcYcXjAX+GIcRDdiwJyULvTxXhOvenKSMr
-----END PRIVATE KEY-----
";

/// An HTTPS server on 127.0.0.1 with [`UNTRUSTED_CERT`] that counts the handshakes it is
/// offered. Returns its base URL and the count.
fn untrusted_tls_server() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = vec![CertificateDer::from_pem_slice(UNTRUSTED_CERT.as_bytes()).unwrap()];
    let key = PrivateKeyDer::from_pem_slice(UNTRUSTED_KEY.as_bytes()).unwrap();
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let config = std::sync::Arc::new(config);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}/api/v1", listener.local_addr().unwrap());
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = std::sync::Arc::clone(&count);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut connection = rustls::ServerConnection::new(std::sync::Arc::clone(&config)).unwrap();
            // The client gives up during the handshake; that ends this connection.
            while connection.is_handshaking() && connection.complete_io(&mut stream).is_ok() {}
        }
    });
    (url, count)
}

#[test]
fn a_certificate_that_does_not_verify_is_one_quiet_try() {
    let (url, handshakes) = untrusted_tls_server();
    let env = Env::new();
    env.write_default_config(&format!("[accounts.default]\napi_key = \"k\"\nbase_url = \"{url}\"\n"));
    let script = "local ok, err = pcall(app.integrations.close.get_current_user, {})
print(err.kind, err.retries)
print(err.message)";
    let output = env.cmd().args(["-e", script]).output().unwrap();
    let host = url.trim_start_matches("https://").trim_end_matches("/api/v1");
    assert_eq!(
        stdout(&output),
        format!(
            "network\t0\na secure connection to {host} could not be set up: invalid peer certificate: UnknownIssuer\n"
        ),
        "{}",
        stderr(&output)
    );
    // The script caught the error, so nothing else is said about it.
    assert_eq!(stderr(&output), "");
    assert_eq!(handshakes.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[test]
fn sandbox_runs_ignore_a_proxy_in_the_environment() {
    let proxy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let output = Env::new()
        .cmd()
        .env("HTTPS_PROXY", &proxy_url)
        .env("HTTP_PROXY", &proxy_url)
        .args(["--sandbox", "-e", GET_LEAD])
        .output()
        .unwrap();
    assert_eq!(stdout(&output), "Acme Corp\n", "{}", stderr(&output));
    proxy.set_nonblocking(true).unwrap();
    assert!(
        matches!(proxy.accept(), Err(err) if err.kind() == std::io::ErrorKind::WouldBlock),
        "the proxy was contacted for the sandbox"
    );
}

#[test]
fn a_proxy_that_cannot_be_reached_is_named() {
    let env = Env::new();
    env.write_default_config(
        "[retry]\nmax_attempts = 1\n[accounts.default]\napi_key = \"k\"\nbase_url = \"https://api.close.invalid/api/v1\"\n",
    );
    let port = closed_port();
    let script = "local ok, err = pcall(app.integrations.close.get_current_user, {}) print(err.message)";
    let output = env
        .cmd()
        .env("HTTPS_PROXY", format!("http://127.0.0.1:{port}"))
        .args(["-e", script])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&output),
        format!("cannot connect to the proxy 127.0.0.1:{port}: connection refused\n"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_call_made_while_a_csv_row_is_written_works() {
    // CSV writers are flushed whenever the script blocks in a call; a call made from inside
    // a row being written finds its writer busy and must neither fail nor flush it.
    let served = Served::new();
    let script = "local out = csv.writer('out.csv', { columns = { 'name' } })
local lazy = setmetatable({}, { __index = function(_, field)
  return app.integrations.close.get_lead({ id = 'lead_abc123XYZ' })[field]
end })
out:write(lazy)
out:close()
io.write(io.open('out.csv'):read('a'))";
    served.cmd().args(["-e", script]).assert().success().stdout("name\nAcme Corp\n").stderr("");
}

#[test]
fn an_update_refused_after_a_lost_answer_says_its_effect_is_unknown() {
    for (status, body, message) in [
        (400, r#"{"error": "Bad name"}"#, "Bad name"),
        (
            404,
            r#"{"error": "Empty query: Lead matching query does not exist."}"#,
            "Lead matching query does not exist.",
        ),
    ] {
        let served = Served::new();
        // The first try is carried out but its answer lost; the second is refused.
        served.sandbox.push_fault(1, Fault::ApplyThenRespond { status: 502, headers: vec![], body: vec![] });
        served.sandbox.push_fault(1, respond(status, &[], body));
        let script =
            "local ok, err = pcall(app.integrations.close.update_lead, { id = 'lead_abc123XYZ', name = 'X' })
print(err.status, err.retries)
print(err.message)";
        let output = served.cmd().args(["-e", script]).output().unwrap();
        assert_eq!(
            stdout(&output),
            format!(
                "{status}\t1\n{message}; the change may or may not have been applied: check before running it \
                 again\n"
            ),
            "{}",
            stderr(&output)
        );
        assert_eq!(served.request_lines(), ["PUT /lead/lead_abc123XYZ/"; 2]);
    }
}

#[test]
fn an_update_that_ran_out_of_tries_after_a_lost_answer_says_its_effect_is_unknown() {
    let served = Served::new();
    served.prepend_config("timeout_secs = 0.3\n[retry]\nmax_attempts = 2\n");
    served.sandbox.push_fault(2, Fault::Delay(Duration::from_secs(30)));
    let script =
        "local ok, err = pcall(app.integrations.close.update_lead, { id = 'lead_abc123XYZ', name = 'X' })
print(err.kind, err.retries)
print(err.message)";
    let output = served.cmd().args(["-e", script]).output().unwrap();
    let out = stdout(&output);
    assert!(out.starts_with("timeout\t1\nno answer from 127.0.0.1:"), "{out}");
    assert!(
        out.ends_with("; the change may or may not have been applied: check before running it again\n"),
        "{out}"
    );
    assert_eq!(served.request_lines(), ["PUT /lead/lead_abc123XYZ/"; 2]);
}

#[test]
fn a_call_cut_short_by_ctrl_c_in_the_repl_names_itself_in_its_error() {
    use std::io::Write;
    let served = Served::new();
    // The first try is carried out but its answer lost; the second is asked to wait.
    let lost = Fault::ApplyThenRespond { status: 502, headers: vec![], body: vec![] };
    served.sandbox.push_fault(1, lost);
    served.sandbox.push_fault(1, respond(429, &[("Retry-After", "60")], "{}"));
    let mut cmd = served.std_cmd();
    cmd.args(["-v", "repl"]).stdin(std::process::Stdio::piped());
    let mut watched = Watched::start(cmd);
    let mut stdin = watched.child.stdin.take().unwrap();
    stdin
        .write_all(
            b"local ok, err = pcall(app.integrations.close.update_lead, { id = 'lead_abc123XYZ', name = 'X' }) \
              print(err.kind, err.message)\nprint('still here')\n",
        )
        .unwrap();
    watched.wait_until(|seen| seen.err.contains("waiting 60.0 s before try 3"));
    watched.interrupt();
    drop(stdin);
    let (status, out, err) = watched.finish();
    assert_eq!(status, Some(0), "{err}");
    assert_eq!(
        out,
        "interrupted\tinterrupted while PUT /lead/lead_abc123XYZ/ (account default) was waiting to be tried \
         again; the change may or may not have been applied\nstill here\n"
    );
    assert_eq!(served.request_lines(), ["PUT /lead/lead_abc123XYZ/"; 2]);
}
