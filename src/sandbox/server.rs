//! HTTP on 127.0.0.1: worker threads, the request log and faults.
//!
//! tiny_http accepts connections and reads requests on its own threads, keeping HTTP/1.1
//! connections alive between requests. A few worker threads share the server and each
//! takes the next request with `recv()`, so several clients (and one slow, delayed request)
//! do not hold each other up. Each request is logged as it arrives and its status filled in
//! once answered, then either gets a queued fault or goes to `dispatch`.

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};

use percent_encoding::percent_decode_str;

use super::RecordedRequest;
use super::dispatch::{self, API_PREFIX, Incoming};
use super::faults::{Fault, FaultQueue, StopSignal};
use super::ratelimit::RateLimiter;
use super::reply::Reply;
use super::store::Store;

/// How many requests can be worked on at once (delayed ones included).
const WORKERS: usize = 8;

/// The state all workers share.
#[derive(Debug)]
pub struct Shared {
    pub store: Store,
    pub limiter: RateLimiter,
    pub faults: FaultQueue,
    pub log: RequestLog,
    pub stop: StopSignal,
    pub max_skip: usize,
}

/// The running HTTP side: the tiny_http server and the workers reading from it.
pub struct Server {
    http: Arc<tiny_http::Server>,
    workers: Vec<JoinHandle<()>>,
    shared: Arc<Shared>,
    address: SocketAddr,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("address", &self.address)
            .field("workers", &self.workers.len())
            .finish()
    }
}

impl Server {
    /// Binds 127.0.0.1:`port` (0 for any free port) and starts the workers.
    pub fn start(shared: Arc<Shared>, port: u16) -> io::Result<Server> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let listener = without_delayed_sends(listener)?;
        let http = tiny_http::Server::from_listener(listener, None).map_err(io::Error::other)?;
        let address = http.server_addr().to_ip().ok_or_else(|| io::Error::other("not an IP listener"))?;
        let mut server = Server { http: Arc::new(http), workers: Vec::new(), shared, address };
        // Should a spawn fail, dropping `server` stops the workers already started.
        for number in 0..WORKERS {
            let (http, shared) = (Arc::clone(&server.http), Arc::clone(&server.shared));
            let worker = thread::Builder::new()
                .name(format!("sandbox-{number}"))
                .spawn(move || work(&http, &shared))?;
            server.workers.push(worker);
        }
        Ok(server)
    }

    /// The address the server listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }
}

impl Drop for Server {
    /// Wakes every worker (those waiting for a request and those sitting in a delay) and
    /// waits for them; the listener closes when the last handle to it goes.
    fn drop(&mut self) {
        self.shared.stop.stop();
        for _ in &self.workers {
            self.http.unblock();
        }
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

/// Turns off Nagle's algorithm on the listening socket, which Linux passes on to every
/// connection it accepts (tiny_http gives no access to the accepted sockets themselves).
///
/// tiny_http writes a response's head and body separately. With Nagle on, the body waits
/// for the client to acknowledge the head, and clients delay that acknowledgement by up to
/// 40 ms: every small answer on a kept-alive connection would take 40 ms instead of tens of
/// microseconds.
#[cfg(unix)]
fn without_delayed_sends(listener: TcpListener) -> io::Result<TcpListener> {
    use std::net::TcpStream;
    use std::os::fd::{FromRawFd, IntoRawFd};

    // SAFETY: the descriptor is moved from one owner to the next and never shared: the
    // listener gives it up, the stream owns it only to set the option (a plain setsockopt
    // call, valid on a listening TCP socket), then gives it back to a new listener.
    let stream = unsafe { TcpStream::from_raw_fd(listener.into_raw_fd()) };
    let result = stream.set_nodelay(true);
    let listener = unsafe { TcpListener::from_raw_fd(stream.into_raw_fd()) };
    result.map(|()| listener)
}

/// Elsewhere the option cannot be set this way; answers are then slower, not wrong.
#[cfg(not(unix))]
fn without_delayed_sends(listener: TcpListener) -> io::Result<TcpListener> {
    Ok(listener)
}

/// A worker: answers requests until the sandbox stops.
fn work(http: &tiny_http::Server, shared: &Shared) {
    while !shared.stop.is_stopped() {
        match http.recv() {
            Ok(request) => serve(shared, request),
            Err(error) if !shared.stop.is_stopped() => log::debug!("sandbox: receive failed: {error}"),
            Err(_) => break,
        }
    }
}

/// Reads, logs, answers and sends one request.
fn serve(shared: &Shared, mut request: tiny_http::Request) {
    let incoming = read_request(&mut request);
    let entry = shared.log.open(&incoming, dispatch::account_of(shared, &incoming.headers));
    let reply = match shared.faults.take() {
        Some(Fault::Respond { status, headers, body }) => Reply { status, headers, body, is_json: false },
        Some(Fault::ApplyThenRespond { status, headers, body }) => {
            let _done = answer_safely(shared, &incoming);
            Reply { status, headers, body, is_json: false }
        }
        Some(Fault::Delay(wait)) => {
            shared.stop.sleep(wait);
            answer_safely(shared, &incoming)
        }
        None => answer_safely(shared, &incoming),
    };
    shared.log.close(entry, reply.status);
    log::debug!("sandbox: {} {} -> {}", incoming.method, incoming.path, reply.status);
    if let Err(error) = request.respond(response(reply)) {
        log::debug!("sandbox: could not send the answer: {error}");
    }
}

/// The normal answer; a bug that panics in a handler becomes a 500 for that request
/// instead of taking a worker thread down with it.
fn answer_safely(shared: &Shared, incoming: &Incoming) -> Reply {
    panic::catch_unwind(AssertUnwindSafe(|| dispatch::answer(shared, incoming))).unwrap_or_else(|_| {
        Reply::error(500, "The sandbox failed while answering this request; see its log.")
    })
}

/// The parts of a request the sandbox looks at, decoded.
fn read_request(request: &mut tiny_http::Request) -> Incoming {
    let url = origin_form(request.url()).to_string();
    let (raw_path, raw_query) = url.split_once('?').unwrap_or((&url, ""));
    let headers = request
        .headers()
        .iter()
        .map(|h| (h.field.as_str().as_str().to_ascii_lowercase(), h.value.as_str().to_string()))
        .collect();
    let mut body = Vec::new();
    if let Err(error) = request.as_reader().read_to_end(&mut body) {
        log::debug!("sandbox: could not read a request body: {error}");
    }
    Incoming {
        method: request.method().as_str().to_string(),
        path: percent_decode_str(raw_path).decode_utf8_lossy().into_owned(),
        query: form_urlencoded::parse(raw_query.as_bytes()).into_owned().collect(),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        peer: request.remote_addr().copied(),
    }
}

/// The path and query of a request target. A client talking through an HTTP proxy sends
/// the absolute form (`http://api.close.com/api/v1/me/`); the sandbox answers it as the
/// server it names would, so it can stand in for a proxy in tests.
fn origin_form(target: &str) -> &str {
    match target.split_once("://") {
        Some((scheme, rest)) if !scheme.contains('/') => rest.find('/').map_or("/", |slash| &rest[slash..]),
        _ => target,
    }
}

/// The tiny_http response for a reply. Bodies always go out with a `Content-Length`
/// (never chunked), as Close's JSON answers do.
fn response(reply: Reply) -> tiny_http::Response<io::Cursor<Vec<u8>>> {
    let mut response = tiny_http::Response::from_data(reply.body)
        .with_status_code(reply.status)
        .with_chunked_threshold(usize::MAX);
    if reply.is_json {
        response.add_header(header("Content-Type", "application/json"));
    }
    for (name, value) in &reply.headers {
        match tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            Ok(header) => response.add_header(header),
            Err(()) => log::debug!("sandbox: dropped an unusable header {name:?}"),
        }
    }
    response
}

fn header(name: &str, value: &str) -> tiny_http::Header {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes())
        .unwrap_or_else(|()| unreachable!("constant headers are valid"))
}

/// Every request received, in arrival order.
#[derive(Debug, Default)]
pub struct RequestLog {
    inner: Mutex<LogInner>,
}

/// The log's entries, each tagged with an arrival number so an answer can find its entry
/// even after entries before it were cleared.
#[derive(Debug, Default)]
struct LogInner {
    next: u64,
    entries: Vec<(u64, RecordedRequest)>,
}

impl RequestLog {
    /// Records an arriving request with status 0 (not answered yet); returns its number.
    fn open(&self, request: &Incoming, account: Option<String>) -> u64 {
        let path = match request.path.strip_prefix(API_PREFIX) {
            Some(relative) if relative.starts_with('/') => relative.to_string(),
            _ => request.path.clone(),
        };
        let entry = RecordedRequest {
            method: request.method.clone(),
            path,
            query: request.query.clone(),
            headers: request.headers.clone(),
            body: request.body.clone(),
            account,
            status: 0,
            peer: request.peer,
        };
        let mut inner = self.lock();
        let number = inner.next;
        inner.next += 1;
        inner.entries.push((number, entry));
        number
    }

    /// Fills in the status a request was answered with.
    fn close(&self, number: u64, status: u16) {
        let mut inner = self.lock();
        if let Ok(at) = inner.entries.binary_search_by_key(&number, |(n, _)| *n) {
            inner.entries[at].1.status = status;
        }
    }

    /// A copy of every entry so far.
    pub fn snapshot(&self) -> Vec<RecordedRequest> {
        self.lock().entries.iter().map(|(_, entry)| entry.clone()).collect()
    }

    /// Forgets every entry so far.
    pub fn clear(&self) {
        self.lock().entries.clear();
    }

    fn lock(&self) -> MutexGuard<'_, LogInner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
