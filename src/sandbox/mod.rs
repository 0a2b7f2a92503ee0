//! The sandbox: an emulator of the Close REST API serving real HTTP on 127.0.0.1.
//!
//! `close-lua --sandbox`, the tests and the benchmarks run against it. It speaks the same
//! HTTP as `api.close.com` (Basic auth with the API key, the list envelopes, Close's error
//! shapes, `RateLimit` headers, the `_skip` cap, the `query` search language) over one or
//! more demo organisations, each with its own API key. Tests can read the log of requests
//! it received and ask it to misbehave (`push_fault`).
//!
//! It shares no code with the client side of close-lua on purpose: if both sides used the
//! same helper, a mistake in that helper would be invisible to the tests.
//!
//! Layout: `server` (threads and HTTP), `dispatch` (checks and routing) with `routes`,
//! the handlers (`leads`, `contacts`, `activities`, `tasks`, `account`), `store` and
//! `model` (the data), `render` (JSON shapes), `query` and `search` (the search language),
//! `demo`, `demo_leads`, `demo_acme`, `demo_activities` and `generated` (the demo
//! organisation), `faults`, `ratelimit`, `paging`, `reply`, `lead_write`, `phone`, `ids`
//! and `time`.

mod account;
mod activities;
mod contacts;
mod demo;
mod demo_acme;
mod demo_activities;
mod demo_leads;
mod dispatch;
mod faults;
mod generated;
mod ids;
mod lead_write;
mod leads;
mod model;
mod paging;
mod phone;
mod query;
mod ratelimit;
mod render;
mod reply;
mod routes;
mod search;
mod server;
mod store;
mod tasks;
mod time;

#[cfg(test)]
mod tests;

use std::io;
use std::sync::Arc;

pub use faults::Fault;
pub use generated::BulkImport;

use faults::{FaultQueue, StopSignal};
use ratelimit::RateLimiter;
use server::{RequestLog, Server, Shared};
use store::Store;

/// How to start a sandbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxOptions {
    /// One demo organisation per account name, each with its own API key.
    pub accounts: Vec<String>,
    /// Port to bind on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Largest `_skip` the list endpoints accept (Close caps offset paging). Default 10_000.
    pub max_skip: usize,
    /// Extra generated leads per organisation beyond the demo set, for paging tests and
    /// benchmarks. Default 0.
    pub generated_leads: usize,
    /// Requests allowed per API key per one-second window before answering 429. Default 1000.
    pub rate_limit_per_sec: u32,
}

impl Default for SandboxOptions {
    fn default() -> SandboxOptions {
        SandboxOptions {
            accounts: vec!["default".to_string()],
            port: 0,
            max_skip: 10_000,
            generated_leads: 0,
            rate_limit_per_sec: 1000,
        }
    }
}

/// A running sandbox. Dropping it stops the server and joins its worker threads.
pub struct Sandbox {
    shared: Arc<Shared>,
    server: Server,
}

/// One request the sandbox received, as the log keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The HTTP method, e.g. "GET".
    pub method: String,
    /// The path relative to `/api/v1`, decoded, e.g. "/lead/lead_abc123XYZ/" (the full
    /// path for requests outside `/api/v1`).
    pub path: String,
    /// The decoded query pairs, in order.
    pub query: Vec<(String, String)>,
    /// All request headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The request body as text ("" when none).
    pub body: String,
    /// The account whose key authenticated it, `None` if none did.
    pub account: Option<String>,
    /// The status the sandbox answered; 0 while the answer is still pending (a delayed
    /// request).
    pub status: u16,
    /// The client's address. Requests over one kept-alive connection share it.
    pub peer: Option<std::net::SocketAddr>,
}

impl std::fmt::Debug for Sandbox {
    /// Names the address only: the organisations' data would bury everything else.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox").field("base_url", &self.base_url()).finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Builds the demo organisations and starts serving on 127.0.0.1.
    pub fn start(options: SandboxOptions) -> io::Result<Sandbox> {
        let mut accounts: Vec<String> = Vec::new();
        for account in &options.accounts {
            if !accounts.contains(account) {
                accounts.push(account.clone());
            }
        }
        let orgs = accounts
            .iter()
            .map(|account| (ids::api_key(account), demo::organisation(account, options.generated_leads)))
            .collect();
        let shared = Arc::new(Shared {
            store: Store::new(orgs),
            limiter: RateLimiter::new(options.rate_limit_per_sec),
            faults: FaultQueue::default(),
            log: RequestLog::default(),
            stop: StopSignal::default(),
            max_skip: options.max_skip,
        });
        let server = Server::start(Arc::clone(&shared), options.port)?;
        Ok(Sandbox { shared, server })
    }

    /// The API root, e.g. "http://127.0.0.1:43123/api/v1" (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://{}{}", self.server.address(), dispatch::API_PREFIX)
    }

    /// The API key the organisation of `account` accepts.
    pub fn api_key(&self, account: &str) -> Option<String> {
        self.shared.store.key_of_account(account).map(str::to_string)
    }

    /// Every request received so far, in order (faulted ones and 401s included).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.log.snapshot()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        self.shared.log.clear();
    }

    /// Adds leads to the organisation of `account` as a bulk import leaves them: many
    /// created within a minute or a second, which is what a walk past the `_skip` cap must
    /// cope with. An error names an unknown account or a start time that is not a time.
    pub fn import_leads(&self, account: &str, import: &BulkImport) -> Result<(), String> {
        let (index, _) = self
            .api_key(account)
            .and_then(|key| {
                self.shared.store.account_of_key(&key).map(|(index, name)| (index, name.to_string()))
            })
            .ok_or_else(|| format!("the sandbox has no account '{account}'"))?;
        generated::import(&mut self.shared.store.lock(index), import)
    }

    /// The next `times` requests (any path) get `fault` instead of the normal answer.
    pub fn push_fault(&self, times: usize, fault: Fault) {
        self.shared.faults.push(times, fault);
    }
}
