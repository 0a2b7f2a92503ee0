//! Walking a whole list on a thread of its own, a page ahead of the script.
//!
//! A [`Pager`] fetches pages in order and hands them over through a channel that holds one
//! page, so while the script works on one page the next is already on its way, and memory
//! stays bounded however long the list. Dropping the pager stops the walk.
//!
//! Close caps `_skip`, so offset paging alone cannot reach every lead of a large
//! organisation. The lead walk sorts by `date_created` and, when Close refuses a skip, starts
//! a new window at the minute of the last lead seen (`date_created >= "..."`), passing over
//! the leads of that minute it has already handed out. It works whether Close compares
//! those dates to the minute or more finely. Activities do the same with
//! `date_created__lte`, newest first.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use super::client::path_segment;
use super::{ApiError, Client, FailureKind, Method};
use crate::lua::tape::{Node, Tape};

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
                windows.next_window().map_err(Halt::Failed)?;
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
                    windows.next_window().map_err(Halt::Failed)?;
                    continue;
                }
                Err(error) => return Err(Halt::Failed(error)),
            };
            let (tape, envelope) =
                read_envelope(body, "/lead/", self.client.account()).map_err(Halt::Failed)?;
            let keep: Vec<bool> = envelope.data.iter().map(|row| windows.visit(row)).collect();
            windows.skip += envelope.data.len();
            let last = !envelope.has_more || envelope.data.is_empty();
            if windows.collect.is_none() {
                let total = windows.total.or(envelope.total_results);
                self.deliver(Page { tape, single: false, keep, total })?;
            }
            if last {
                return Ok(());
            }
        }
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

    /// Contacts by offset paging; Close's skip cap ends a walk over all of an organisation's
    /// contacts with an error that says how to get the rest.
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
                    error.message.push_str(
                        "; to reach every contact, walk the leads with iter_leads and read each lead's contacts",
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

    /// Activities, newest first, by offset paging within windows of `date_created__lte`.
    fn walk_activities(&self, path: &str, base: Vec<(&'static str, String)>) -> Result<(), Halt> {
        let mut skip = 0;
        let mut window: Option<String> = None;
        let mut carried: HashSet<String> = HashSet::new();
        let mut last_date = String::new();
        let mut at_last_date: HashSet<String> = HashSet::new();
        loop {
            let mut query = base.clone();
            if let Some(bound) = &window {
                query.push(("date_created__lte", bound.clone()));
            }
            query.push(("_limit", self.page_size.to_string()));
            query.push(("_skip", skip.to_string()));
            let body = match self.fetch(path, &query)? {
                Ok(body) => body,
                Err(error) if is_skip_cap(&error) => {
                    if window.as_deref() == Some(last_date.as_str()) || last_date.is_empty() {
                        return Err(Halt::Failed(error));
                    }
                    window = Some(last_date.clone());
                    carried = at_last_date.clone();
                    skip = 0;
                    continue;
                }
                Err(error) => return Err(Halt::Failed(error)),
            };
            let (tape, envelope) = read_envelope(body, path, self.client.account()).map_err(Halt::Failed)?;
            let keep: Vec<bool> = envelope
                .data
                .iter()
                .map(|row| {
                    let seen = window.as_ref().is_some_and(|bound| {
                        row.date_created.as_str() > bound.as_str()
                            || (row.date_created == *bound && carried.contains(&row.id))
                    });
                    if !seen {
                        if row.date_created != last_date {
                            last_date.clone_from(&row.date_created);
                            at_last_date.clear();
                        }
                        at_last_date.insert(row.id.clone());
                    }
                    !seen
                })
                .collect();
            skip += envelope.data.len();
            let last = !envelope.has_more || envelope.data.is_empty();
            self.deliver(Page { tape, single: false, keep, total: envelope.total_results })?;
            if last {
                return Ok(());
            }
        }
    }
}

/// The state of a lead walk: the current window and what has been seen at its edge.
struct LeadWindows {
    /// The script's search, without any `sort:` of ours.
    search: Option<String>,
    /// Whether the search sets its own order, which rules out windows.
    sorted: bool,
    /// The minute the current window starts at (`None`: from the first lead).
    window: Option<String>,
    /// Leads of the window's first minute already handed out in earlier windows.
    carried: HashSet<String>,
    /// The offset within the window.
    skip: usize,
    /// The first `_skip` Close refused.
    refused_skip: Option<usize>,
    /// The minute of the last lead seen, and the leads seen in it.
    last_minute: Option<String>,
    in_last_minute: HashSet<String>,
    /// For a snapshot's second pass: the leads to hand out, and those handed out so far.
    wanted: Option<HashSet<String>>,
    handed_out: HashSet<String>,
    /// For a snapshot's first pass: the ids, in order.
    collect: Option<Vec<String>>,
    /// The number of leads the walk hands out, when known in advance.
    total: Option<u64>,
}

impl LeadWindows {
    fn new(search: Option<String>, wanted: Option<HashSet<String>>) -> LeadWindows {
        let search = search.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let sorted = search.as_deref().is_some_and(|s| s.to_ascii_lowercase().contains("sort:"));
        LeadWindows {
            search,
            sorted,
            window: None,
            carried: HashSet::new(),
            skip: 0,
            refused_skip: None,
            last_minute: None,
            in_last_minute: HashSet::new(),
            wanted,
            handed_out: HashSet::new(),
            collect: None,
            total: None,
        }
    }

    /// The `query` of the next page.
    fn query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(search) = &self.search {
            parts.push(format!("({search})"));
        }
        if let Some(minute) = &self.window {
            parts.push(format!("date_created >= \"{minute}\""));
        }
        if !self.sorted {
            parts.push("sort:date_created".to_string());
        }
        parts.join(" ")
    }

    /// Moves to a window starting at the last lead's minute, after Close refused a skip.
    fn next_window(&mut self) -> Result<(), ApiError> {
        let stuck = |message: String| {
            ApiError::without_response(FailureKind::Http, message, Method::Get, "/lead/", "")
        };
        if self.sorted {
            return Err(stuck(format!(
                "Close will not page further than {} leads into a search with its own sort: order; \
                 leave out sort: to let close-lua walk past that limit",
                self.skip
            )));
        }
        let Some(minute) = self.last_minute.clone() else {
            return Err(stuck("Close refused the first page of the walk as too far in".to_string()));
        };
        if self.window.as_ref() == Some(&minute) {
            return Err(stuck(format!(
                "more leads were created in the minute {minute} than Close lets a search page through"
            )));
        }
        self.window = Some(minute);
        self.carried = self.in_last_minute.clone();
        self.skip = 0;
        Ok(())
    }

    /// Records a lead of a page; whether the script gets it.
    fn visit(&mut self, row: &Row) -> bool {
        let minute = minute_of(&row.date_created);
        if let Some(window) = &self.window
            && (minute < window.as_str() || (minute == window && self.carried.contains(&row.id)))
        {
            return false;
        }
        if self.last_minute.as_deref() != Some(minute) {
            self.last_minute = Some(minute.to_string());
            self.in_last_minute.clear();
        }
        self.in_last_minute.insert(row.id.clone());

        if let Some(collect) = &mut self.collect {
            collect.push(row.id.clone());
            return false;
        }
        match &self.wanted {
            Some(wanted) if !wanted.contains(&row.id) => false,
            Some(_) => self.handed_out.insert(row.id.clone()),
            None => true,
        }
    }
}

/// `2024-03-01T10:00` of `2024-03-01T10:00:00.123000+00:00`: the precision every search
/// understands.
fn minute_of(timestamp: &str) -> &str {
    timestamp.get(..16).unwrap_or(timestamp)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, date: &str) -> Row {
        Row { id: id.to_string(), date_created: date.to_string() }
    }

    #[test]
    fn queries_add_a_window_and_an_order() {
        let mut walk = LeadWindows::new(Some("status:Potential".into()), None);
        assert_eq!(walk.query(), "(status:Potential) sort:date_created");
        walk.window = Some("2024-03-01T10:00".into());
        assert_eq!(walk.query(), "(status:Potential) date_created >= \"2024-03-01T10:00\" sort:date_created");
        assert_eq!(LeadWindows::new(None, None).query(), "sort:date_created");
        assert_eq!(LeadWindows::new(Some("x sort:-created".into()), None).query(), "(x sort:-created)");
    }

    #[test]
    fn a_new_window_passes_over_what_was_seen() {
        let mut walk = LeadWindows::new(None, None);
        assert!(walk.visit(&row("a", "2024-03-01T09:59:59.000000+00:00")));
        assert!(walk.visit(&row("b", "2024-03-01T10:00:01.000000+00:00")));
        assert!(walk.visit(&row("c", "2024-03-01T10:00:30.000000+00:00")));
        walk.skip = 3;
        walk.next_window().unwrap();
        assert_eq!((walk.window.as_deref(), walk.skip), (Some("2024-03-01T10:00"), 0));
        // A server comparing coarsely may send earlier leads again; they are passed over.
        assert!(!walk.visit(&row("a", "2024-03-01T09:59:59.000000+00:00")));
        assert!(!walk.visit(&row("b", "2024-03-01T10:00:01.000000+00:00")));
        assert!(!walk.visit(&row("c", "2024-03-01T10:00:30.000000+00:00")));
        assert!(walk.visit(&row("d", "2024-03-01T10:00:45.000000+00:00")));
        assert!(walk.visit(&row("e", "2024-03-01T10:01:00.000000+00:00")));
    }

    #[test]
    fn a_window_that_cannot_move_is_an_error() {
        let mut walk = LeadWindows::new(None, None);
        walk.visit(&row("a", "2024-03-01T10:00:01.000000+00:00"));
        walk.next_window().unwrap();
        let err = walk.next_window().unwrap_err();
        assert!(
            err.message.starts_with("more leads were created in the minute 2024-03-01T10:00"),
            "{}",
            err.message
        );
        let mut sorted = LeadWindows::new(Some("sort:name".into()), None);
        sorted.skip = 10_000;
        assert!(sorted.next_window().unwrap_err().message.contains("leave out sort:"));
    }

    #[test]
    fn snapshots_hand_out_only_their_leads_once() {
        let wanted: HashSet<String> = ["a", "b"].iter().map(|s| s.to_string()).collect();
        let mut walk = LeadWindows::new(None, Some(wanted));
        assert!(walk.visit(&row("a", "2024-01-01T00:00:00")));
        assert!(!walk.visit(&row("new", "2024-01-02T00:00:00")));
        assert!(!walk.visit(&row("a", "2024-01-03T00:00:00")));
        assert!(walk.visit(&row("b", "2024-01-03T00:00:00")));
    }
}
