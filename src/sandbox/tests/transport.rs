//! Keep-alive, faults, the request log and shutting down.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::json;

use super::{basic, call, get, sandbox};
use crate::sandbox::{Fault, RecordedRequest, Sandbox};

/// The sandbox's `host:port`.
fn address(sandbox: &Sandbox) -> String {
    sandbox.base_url().trim_start_matches("http://").split('/').next().unwrap().to_string()
}

/// A connection to `address`, split into a writer and a buffered reader.
fn connect(address: &str) -> (TcpStream, BufReader<TcpStream>) {
    let stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    (stream.try_clone().unwrap(), BufReader::new(stream))
}

/// Reads one HTTP response (status and body) from a kept-alive connection.
fn read_response(reader: &mut BufReader<TcpStream>) -> (u16, String) {
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    let status = status_line.split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    (status, String::from_utf8(body).unwrap())
}

#[test]
fn one_connection_serves_many_requests() {
    let sandbox = sandbox();
    let (address, auth) = (address(&sandbox), basic(&sandbox.api_key("default").unwrap()));
    let (mut writer, mut reader) = connect(&address);
    for path in ["/me/", "/lead/?_limit=100", "/lead/lead_abc123XYZ/", "/status/lead/"] {
        let request =
            format!("GET /api/v1{path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: {auth}\r\n\r\n");
        writer.write_all(request.as_bytes()).unwrap();
        let (status, body) = read_response(&mut reader);
        assert_eq!(status, 200, "{path}: {body}");
        assert!(serde_json::from_str::<serde_json::Value>(&body).is_ok());
    }
    // A write on the same connection, then a read that sees it.
    let body = json!({"name": "Kept Alive Ltd"}).to_string();
    let request = format!(
        "POST /api/v1/lead/ HTTP/1.1\r\nHost: {address}\r\nAuthorization: {auth}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    writer.write_all(request.as_bytes()).unwrap();
    assert_eq!(read_response(&mut reader).0, 200);
    assert_eq!(get(&sandbox, "/lead/?_limit=0")["total_results"], 33);
}

#[test]
fn respond_faults_replace_the_answer_exactly() {
    let sandbox = sandbox();
    let page = b"<html>upstream down</html>".to_vec();
    let headers = vec![("X-Fault".to_string(), "yes".to_string())];
    sandbox.push_fault(2, Fault::Respond { status: 503, headers, body: page.clone() });
    for path in ["/me/", "/nothing/"] {
        let answer = call(&sandbox, "GET", path, None);
        assert_eq!(answer.status, 503);
        assert_eq!(answer.body.as_bytes(), page.as_slice());
        assert_eq!(answer.header("x-fault"), Some("yes"));
        assert_eq!(answer.header("ratelimit"), None);
        assert_eq!(answer.header("content-type"), None);
    }
    assert_eq!(call(&sandbox, "GET", "/me/", None).status, 200);
    let statuses: Vec<u16> = sandbox.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 503, 200]);
    assert_eq!(sandbox.requests()[0].account.as_deref(), Some("default"));
}

#[test]
fn delay_faults_answer_late_but_normally() {
    let sandbox = sandbox();
    sandbox.push_fault(1, Fault::Delay(Duration::from_millis(150)));
    let started = Instant::now();
    let answer = call(&sandbox, "GET", "/me/", None);
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["first_name"], "Pat");
    let started = Instant::now();
    call(&sandbox, "GET", "/me/", None);
    assert!(started.elapsed() < Duration::from_millis(150));
}

#[test]
fn the_log_keeps_what_was_asked() {
    let sandbox = sandbox();
    call(&sandbox, "GET", "/lead/?query=name%3A%22Acme%20Corp%22&_limit=5", None);
    call(&sandbox, "PUT", "/lead/lead_abc123XYZ/", Some(&json!({"description": "x"})));
    let log = sandbox.requests();
    let first: &RecordedRequest = &log[0];
    assert_eq!((first.method.as_str(), first.path.as_str(), first.status), ("GET", "/lead/", 200));
    assert_eq!(
        first.query,
        vec![("query".into(), "name:\"Acme Corp\"".into()), ("_limit".into(), "5".into())]
    );
    assert_eq!(first.body, "");
    assert_eq!(first.account.as_deref(), Some("default"));
    assert!(first.headers.iter().any(|(name, value)| name == "authorization" && value.starts_with("Basic ")));
    let second = &log[1];
    assert_eq!((second.method.as_str(), second.path.as_str()), ("PUT", "/lead/lead_abc123XYZ/"));
    assert_eq!(second.body, "{\"description\":\"x\"}");
    assert!(second.headers.contains(&("content-type".into(), "application/json".into())));
    sandbox.clear_requests();
    assert!(sandbox.requests().is_empty());
    call(&sandbox, "GET", "/me/", None);
    assert_eq!(sandbox.requests().len(), 1);
}

#[test]
fn dropping_the_sandbox_does_not_wait_out_a_delay() {
    let sandbox = sandbox();
    let address = address(&sandbox);
    sandbox.push_fault(1, Fault::Delay(Duration::from_secs(30)));
    let mut stream = TcpStream::connect(&address).unwrap();
    stream.write_all(format!("GET /api/v1/me/ HTTP/1.1\r\nHost: {address}\r\n\r\n").as_bytes()).unwrap();
    // Wait until the request is being held, then stop the sandbox.
    let deadline = Instant::now() + Duration::from_secs(5);
    while sandbox.requests().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(sandbox.requests()[0].status, 0, "pending requests show status 0");
    let started = Instant::now();
    drop(sandbox);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn absolute_targets_are_answered_as_a_proxy_would_pass_them_on() {
    let sandbox = sandbox();
    let (address, auth) = (address(&sandbox), basic(&sandbox.api_key("default").unwrap()));
    let (mut writer, mut reader) = connect(&address);
    let request = format!(
        "GET http://api.close.invalid/api/v1/me/ HTTP/1.1\r\nHost: api.close.invalid\r\nAuthorization: {auth}\r\n\r\n"
    );
    writer.write_all(request.as_bytes()).unwrap();
    let (status, body) = read_response(&mut reader);
    assert_eq!(status, 200, "{body}");
    assert_eq!(sandbox.requests()[0].path, "/me/");
}
