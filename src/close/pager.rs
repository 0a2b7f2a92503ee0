//! Walking a whole list on a thread of its own, a page ahead of the script.
//!
//! A [`Pager`] fetches pages in order and hands them over through a channel that holds one
//! page, so while the script works on one page the next is already on its way, and memory
//! stays bounded however long the list. Dropping the pager stops the walk.
//!
//! Close caps `_skip`, so offset paging alone cannot reach every lead of a large
//! organisation. The lead walk sorts by `date_created` and, when Close refuses a skip,
//! starts a new window at the second of the last lead seen (`date_created >=
//! "2026-12-04T00:44:17+00:00"`, always with its zone, so Close cannot read it in the
//! user's), passing over the leads of that second it has already handed out. When one
//! second holds more leads than Close pages through (a bulk import), that second is split
//! with `slice:i/n` into parts small enough to page through. Activities are walked the same
//! way by `date_created__lte` (or `__gte`, should Close list them oldest first), to the
//! microsecond. Contacts have no date filter in Close's API, so an organisation-wide contact
//! walk ends at the cap with an error that says how to reach the rest.

mod windows;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use super::client::path_segment;
use super::{ApiError, Client, FailureKind, Method};
use crate::lua::tape::{Node, Tape};
use windows::{ActivityWindows, LeadWindows, Move};

/// What to walk.
#[derive(Debug, Clone)]
pub enum Walk {
    /// Leads matching a search. With `snapshot`, the ids are collected first and exactly
    /// those leads are handed out, whatever the script changes on the way.
    Leads { query: Option<String>, snapshot: bool },
    /// Contacts, of one lead or of the organisation.
    Contacts { lead_id: Option<String> },
    /// Activities, newest first: `path` is `/activity/` or a per-type path, with its query.
    Activities { path: String, query: Vec<(&'static str, String)> },
}

/// One page as the script gets it.
#[derive(Debug)]
pub struct Page {
    /// A list envelope, or (when `single`) one object, already parsed here so that the
    /// script's thread only builds Lua tables.
    pub tape: Tape,
    /// Whether `tape` is one object rather than a list.
    pub single: bool,
    /// For each row of the list, whether to hand it out (rows seen before are not).
    pub keep: Vec<bool>,
    /// How many rows the whole walk has, when known.
    pub total: Option<u64>,
}

/// A walk in progress on its own thread.
#[derive(Debug)]
pub struct Pager {
    pages: Receiver<Result<Page, ApiError>>,
    stop: Arc<AtomicBool>,
}

impl Pager {
    /// Starts walking; the first page is fetched at once.
    pub fn start(client: Arc<Client>, walk: Walk, page_size: usize) -> Pager {
        let (sender, pages) = sync_channel(1);
        let stop = Arc::new(AtomicBool::new(false));
        let worker = Worker { client, page_size, sender, stop: Arc::clone(&stop) };
        let spawned = std::thread::Builder::new().name("pager".into()).spawn(move || worker.run(walk));
        if let Err(err) = spawned {
            // Without a thread there is no walk; the script hears why at its first step.
            let (sender, failed) = sync_channel(1);
            let message = format!("cannot start fetching pages: {err}");
            let error = ApiError::without_response(FailureKind::Network, message, Method::Get, "", "");
            let _ = sender.send(Err(error));
            return Pager { pages: failed, stop };
        }
        Pager { pages, stop }
    }

    /// The next page; `None` when the walk is over.
    pub fn next_page(&self) -> Option<Result<Page, ApiError>> {
        self.pages.recv().ok()
    }
}

impl Drop for Pager {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// The thread's side of a walk.
struct Worker {
    client: Arc<Client>,
    page_size: usize,
    sender: SyncSender<Result<Page, ApiError>>,
    stop: Arc<AtomicBool>,
}

/// What the walk reads of each page: the rows' ids and creation times.
struct Envelope {
    data: Vec<Row>,
    has_more: bool,
    total_results: Option<u64>,
}

/// One row of a page, as far as the walk needs it.
struct Row {
    id: String,
    date_created: String,
}

/// Why a walk ended early.
enum Halt {
    /// The script no longer wants pages.
    Stopped,
    /// An error to hand to the script.
    Failed(ApiError),
}

impl Worker {
    fn run(self, walk: Walk) {
        let result = match walk {
            Walk::Leads { query, snapshot: false } => self.walk_leads(&mut LeadWindows::new(query, None)),
            Walk::Leads { query, snapshot: true } => self.snapshot_leads(query),
            Walk::Contacts { lead_id } => self.walk_contacts(lead_id),
            Walk::Activities { path, query } => self.walk_activities(&path, query),
        };
        if let Err(Halt::Failed(error)) = result {
            let _ = self.sender.send(Err(error));
        }
    }

    /// Hands a page to the script; fails once the script has stopped listening.
    fn deliver(&self, page: Page) -> Result<(), Halt> {
        if self.stop.load(Ordering::SeqCst) {
            return Err(Halt::Stopped);
        }
        self.sender.send(Ok(page)).map_err(|_| Halt::Stopped)
    }

    /// One GET, unless the script has stopped listening.
    fn fetch(&self, path: &str, query: &[(&str, String)]) -> Result<Result<Vec<u8>, ApiError>, Halt> {
        if self.stop.load(Ordering::SeqCst) {
            return Err(Halt::Stopped);
        }
        Ok(self.client.call(Method::Get, path, query, None))
    }

    /// Walks leads by windows of `date_created`, handing out (or, for a snapshot's first
    /// pass, collecting) each lead once.
    fn walk_leads(&self, windows: &mut LeadWindows) -> Result<(), Halt> {
        loop {
            // Once Close has refused a skip, later windows move on before reaching it rather
            // than spend a request on a refusal each time.
            if windows.refused_skip.is_some_and(|cap| windows.skip >= cap) {
                self.next_lead_window(windows)?;
            }
            let mut query = vec![("query", windows.query()), ("_limit", self.page_size.to_string())];
            if windows.skip > 0 {
                query.push(("_skip", windows.skip.to_string()));
            }
            if windows.collect.is_some() {
                query.push(("_fields", "id,date_created".to_string()));
            }
            let body = match self.fetch("/lead/", &query)? {
                Ok(body) => body,
                Err(error) if is_skip_cap(&error) => {
                    windows.refused_skip = Some(windows.skip);
                    self.next_lead_window(windows)?;
                    continue;
                }
                Err(error) => return Err(Halt::Failed(error)),
            };
            let (tape, envelope) =
                read_envelope(body, "/lead/", self.client.account()).map_err(Halt::Failed)?;
            windows.page_read(envelope.total_results);
            let keep: Vec<bool> = envelope.data.iter().map(|row| windows.visit(row)).collect();
            windows.skip += envelope.data.len();
            let last = !envelope.has_more || envelope.data.is_empty();
            if windows.collect.is_none() {
                self.deliver(Page { tape, single: false, keep, total: windows.total })?;
            }
            if last && windows.query_done() {
                return Ok(());
            }
        }
    }

    /// Moves a lead walk past a refused skip, counting a second's leads first when it has
    /// to be split.
    fn next_lead_window(&self, windows: &mut LeadWindows) -> Result<(), Halt> {
        let fail = |error: ApiError| Halt::Failed(with_account(error, self.client.account()));
        let Move::Split(second) = windows.next_window().map_err(fail)? else { return Ok(()) };
        let query = [("query", windows.second_query(second)), ("_limit", "0".to_string())];
        let body = self.fetch("/lead/", &query)?.map_err(Halt::Failed)?;
        let (_, envelope) = read_envelope(body, "/lead/", self.client.account()).map_err(Halt::Failed)?;
        windows.split(second, envelope.total_results).map_err(fail)
    }

    /// A snapshot: collect the ids, walk again handing out only those, then fetch one by one
    /// any the second walk no longer found (the script changed them so they left the search).
    fn snapshot_leads(&self, query: Option<String>) -> Result<(), Halt> {
        let mut first = LeadWindows::new(query.clone(), None);
        first.collect = Some(Vec::new());
        self.walk_leads(&mut first)?;
        let ids = first.collect.unwrap_or_default();

        let mut second = LeadWindows::new(query, Some(ids.iter().cloned().collect()));
        second.total = Some(ids.len() as u64);
        self.walk_leads(&mut second)?;

        for id in ids.iter().filter(|id| !second.handed_out.contains(*id)) {
            let path = format!("/lead/{}/", path_segment(id));
            match self.fetch(&path, &[])? {
                Ok(body) => {
                    let tape = Tape::parse(body)
                        .map_err(|why| Halt::Failed(invalid(&why, &path, self.client.account())))?;
                    let page = Page { tape, single: true, keep: vec![true], total: Some(ids.len() as u64) };
                    self.deliver(page)?;
                }
                // Deleted since the snapshot: there is nothing to hand out.
                Err(error) if error.status == Some(404) => {}
                Err(error) => return Err(Halt::Failed(error)),
            }
        }
        Ok(())
    }

    /// Contacts by offset paging. Close's contact list takes no date filter to window by, so
    /// a walk over all of an organisation's contacts ends at the skip cap, with an error
    /// that says how to reach every contact.
    fn walk_contacts(&self, lead_id: Option<String>) -> Result<(), Halt> {
        let mut skip = 0;
        loop {
            let mut query = Vec::new();
            if let Some(lead_id) = &lead_id {
                query.push(("lead_id", lead_id.clone()));
            }
            query.push(("_limit", self.page_size.to_string()));
            query.push(("_skip", skip.to_string()));
            let body = match self.fetch("/contact/", &query)? {
                Ok(body) => body,
                Err(mut error) if is_skip_cap(&error) => {
                    error.message = format!(
                        "Close lists no more than the first {skip} contacts of an organisation, and its \
                         contact list cannot be narrowed by date to reach the rest; to reach every \
                         contact, walk the leads with iter_leads and read each lead's contacts"
                    );
                    return Err(Halt::Failed(error));
                }
                Err(error) => return Err(Halt::Failed(error)),
            };
            let (tape, envelope) =
                read_envelope(body, "/contact/", self.client.account()).map_err(Halt::Failed)?;
            let rows = envelope.data.len();
            let last = !envelope.has_more || rows == 0;
            self.deliver(Page {
                tape,
                single: false,
                keep: vec![true; rows],
                total: envelope.total_results,
            })?;
            if last {
                return Ok(());
            }
            skip += rows;
        }
    }

    /// Activities by offset paging within windows of `date_created`. `/activity/` is asked
    /// for newest first with `_order_by`; Close documents no `_order_by` on the per-type
    /// lists, so there the walk goes by the order the rows come in.
    fn walk_activities(&self, path: &str, base: Vec<(&'static str, String)>) -> Result<(), Halt> {
        let mut windows = ActivityWindows::new(path);
        let fail = |error: ApiError| Halt::Failed(with_account(error, self.client.account()));
        loop {
            if windows.refused_skip.is_some_and(|cap| windows.skip >= cap) {
                windows.next_window().map_err(fail)?;
            }
            let mut query = base.clone();
            if path == "/activity/" {
                query.push(("_order_by", "-date_created".to_string()));
            }
            query.extend(windows.filter());
            query.push(("_limit", self.page_size.to_string()));
            query.push(("_skip", windows.skip.to_string()));
            let body = match self.fetch(path, &query)? {
                Ok(body) => body,
                Err(error) if is_skip_cap(&error) => {
                    windows.refused_skip = Some(windows.skip);
                    windows.next_window().map_err(fail)?;
                    continue;
                }
                Err(error) => return Err(Halt::Failed(error)),
            };
            let (tape, envelope) = read_envelope(body, path, self.client.account()).map_err(Halt::Failed)?;
            let keep: Vec<bool> = envelope.data.iter().map(|row| windows.visit(row)).collect();
            windows.skip += envelope.data.len();
            let last = !envelope.has_more || envelope.data.is_empty();
            self.deliver(Page { tape, single: false, keep, total: envelope.total_results })?;
            if last {
                return Ok(());
            }
        }
    }
}

/// The error of a walk that cannot go on, with the account it was walking.
fn with_account(mut error: ApiError, account: &str) -> ApiError {
    error.account = account.to_string();
    error
}

/// Whether Close refused a page for being past its `_skip` cap.
fn is_skip_cap(error: &ApiError) -> bool {
    error.status == Some(400) && error.message.contains("max_skip")
}

/// Parses a list page and reads what the walk needs of it.
fn read_envelope(body: Vec<u8>, path: &str, account: &str) -> Result<(Tape, Envelope), ApiError> {
    let tape = Tape::parse(body).map_err(|why| invalid(&why, path, account))?;
    let data = tape.field(0, "data").filter(|at| matches!(tape.node(*at), Some(Node::Array { .. })));
    let Some(data) = data else {
        return Err(invalid("it has no \"data\" list", path, account));
    };
    let text =
        |row: usize, name: &str| tape.field(row, name).and_then(|at| tape.text(at)).unwrap_or("").to_string();
    let rows = tape
        .items(data)
        .into_iter()
        .map(|row| Row { id: text(row, "id"), date_created: text(row, "date_created") });
    let envelope = Envelope {
        data: rows.collect(),
        has_more: matches!(tape.field(0, "has_more").and_then(|at| tape.node(at)), Some(Node::Bool(true))),
        total_results: match tape.field(0, "total_results").and_then(|at| tape.node(at)) {
            Some(Node::Int(total)) => u64::try_from(total).ok(),
            _ => None,
        },
    };
    Ok((tape, envelope))
}

/// The error of a page that is not what a list page should be.
fn invalid(why: &str, path: &str, account: &str) -> ApiError {
    let message = format!("a list page was not in the expected form: {why}");
    let mut error =
        ApiError::without_response(FailureKind::InvalidResponse, message, Method::Get, path, account);
    error.status = Some(200);
    error
}
