//! Where a walk stands past Close's `_skip` cap: the date windows of lead and activity
//! walks, kept apart from the fetching so that every step can be checked without a server.
//!
//! A window is a query that starts where the last one got stuck. Leads are windowed by the
//! second of their `date_created` (Close's search compares written times at the precision
//! they are written in, so a bound to the second is read to the second) and, when one
//! second holds more leads than Close pages through, that second is split into `slice:i/n`
//! parts. Activities are windowed to the microsecond by `date_created__lte` or `__gte`.
//! Every bound carries `+00:00`: Close reads a time without a zone in the zone of the user
//! the key belongs to, which would move the window and skip leads.
//!
//! Each window passes over what earlier windows handed out, so a server that compares
//! bounds more coarsely than asked still gives every row once.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDateTime, TimeDelta, Timelike, Utc};

use super::Row;
use crate::close::{ApiError, FailureKind, Method};

/// A moment in UTC.
pub type Moment = DateTime<Utc>;

/// The most parts one second is split into. Each part is walked from its start, so this
/// bounds the requests a second can cost; a second that needs more is an error.
const MAX_PARTS: u64 = 1 << 12;

/// A `date_created` as Close writes it (`2024-03-01T10:00:00.123000+00:00`), in UTC; a
/// time without a zone is taken as UTC.
pub fn moment(text: &str) -> Option<Moment> {
    if let Ok(zoned) = DateTime::parse_from_rfc3339(text) {
        return Some(zoned.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|naive| naive.and_utc())
}

/// The whole second a moment falls in.
fn second_of(text: &str) -> Option<Moment> {
    moment(text).and_then(|moment| moment.with_nanosecond(0))
}

/// A second as a search bound: `2024-03-01T10:00:17+00:00`.
fn second_bound(second: Moment) -> String {
    second.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
}

/// A moment as a list filter: `2024-03-01T10:00:17.123456+00:00`.
fn moment_bound(moment: Moment) -> String {
    moment.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
}

/// The error of a walk that cannot go on, as if Close had refused it.
fn stuck(path: &str, message: String) -> ApiError {
    ApiError::without_response(FailureKind::Http, message, Method::Get, path, "")
}

/// What the worker has to do after a refused skip.
#[derive(Debug, PartialEq, Eq)]
pub enum Move {
    /// Nothing: the next query is ready.
    Ahead,
    /// Count the leads of `second` (with [`LeadWindows::second_query`]) and pass the count to
    /// [`LeadWindows::split`].
    Split(Moment),
}

/// The parts one second is being walked in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Slices {
    second: Moment,
    /// The part being walked, counted from 1.
    part: u64,
    parts: u64,
}

/// The state of a lead walk: the current window and what has been seen at its edge.
#[derive(Debug)]
pub struct LeadWindows {
    /// The script's search, without any `sort:` of ours.
    search: Option<String>,
    /// Whether the search sets its own order, which rules out windows.
    sorted: bool,
    /// The second the current window starts at (`None`: from the first lead).
    window: Option<Moment>,
    /// While one second holds more leads than Close pages through: its parts.
    slices: Option<Slices>,
    /// Leads of the window's first second, or of the second being split, already visited.
    carried: HashSet<String>,
    /// The offset within the window.
    pub skip: usize,
    /// The first `_skip` Close refused.
    pub refused_skip: Option<usize>,
    /// The second of the last lead visited, and the leads visited in it.
    last_second: Option<Moment>,
    in_last_second: HashSet<String>,
    /// Whether a lead came without a readable `date_created`, which rules windows out.
    undated: bool,
    /// For a snapshot's second pass: the leads to hand out, and those handed out so far.
    wanted: Option<HashSet<String>>,
    pub handed_out: HashSet<String>,
    /// For a snapshot's first pass: the ids, in order.
    pub collect: Option<Vec<String>>,
    /// The number of leads the walk hands out: set in advance, or the first page's
    /// `total_results` (later windows count only what is left of the walk).
    pub total: Option<u64>,
    /// Whether a page has been read.
    started: bool,
}

impl LeadWindows {
    pub fn new(search: Option<String>, wanted: Option<HashSet<String>>) -> LeadWindows {
        let search = search.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let sorted = search.as_deref().is_some_and(sets_its_own_order);
        LeadWindows {
            search,
            sorted,
            window: None,
            slices: None,
            carried: HashSet::new(),
            skip: 0,
            refused_skip: None,
            last_second: None,
            in_last_second: HashSet::new(),
            undated: false,
            wanted,
            handed_out: HashSet::new(),
            collect: None,
            total: None,
            started: false,
        }
    }

    /// The `query` of the next page.
    pub fn query(&self) -> String {
        let mut added = Vec::new();
        if let Some(slices) = &self.slices {
            added.push(seconds_range(slices.second));
            added.push(format!("slice:{}/{}", slices.part, slices.parts));
        } else if let Some(second) = self.window {
            added.push(format!("date_created >= \"{}\"", second_bound(second)));
        }
        if !self.sorted {
            added.push("sort:date_created".to_string());
        }
        self.with_search(added)
    }

    /// The search for every lead of one second, to count them before splitting it.
    pub fn second_query(&self, second: Moment) -> String {
        self.with_search(vec![seconds_range(second)])
    }

    /// The script's search followed by terms of the walk's own; parentheses keep an `OR` in
    /// the search from swallowing them, and are left out when nothing follows.
    fn with_search(&self, added: Vec<String>) -> String {
        match &self.search {
            None => added.join(" "),
            Some(search) if added.is_empty() => search.clone(),
            Some(search) => format!("({search}) {}", added.join(" ")),
        }
    }

    /// Reads the `total_results` of a page: the first page's is the walk's.
    pub fn page_read(&mut self, total_results: Option<u64>) {
        if !self.started {
            self.started = true;
            self.total = self.total.or(total_results);
        }
    }

    /// Whether a page that was the last of its query ends the walk; otherwise the walk goes
    /// on with the next part of a split second, or after that second.
    pub fn query_done(&mut self) -> bool {
        let Some(slices) = &mut self.slices else { return true };
        self.skip = 0;
        if slices.part < slices.parts {
            slices.part += 1;
            return false;
        }
        self.window = Some(slices.second + TimeDelta::seconds(1));
        self.slices = None;
        self.carried.clear();
        self.last_second = None;
        self.in_last_second.clear();
        false
    }

    /// Moves on after Close refused a skip (or before it would): a window at the last
    /// lead's second, or, when the window could not get past that second, a split of it.
    pub fn next_window(&mut self) -> Result<Move, ApiError> {
        if self.sorted {
            return Err(stuck(
                "/lead/",
                format!(
                    "Close will not page further than {} leads into a search with its own sort: order; \
                     leave out sort: to let close-lua walk past that limit",
                    self.skip
                ),
            ));
        }
        if let Some(slices) = &mut self.slices {
            // A part still held more than Close pages through: split finer and start the
            // second again; the leads already handed out are passed over.
            if slices.parts * 2 > MAX_PARTS {
                return Err(stuck(
                    "/lead/",
                    format!(
                        "even 1/{} of the leads created in the second {} is more than Close lets a \
                         search page through",
                        slices.parts,
                        second_bound(slices.second)
                    ),
                ));
            }
            slices.parts *= 2;
            slices.part = 1;
            self.skip = 0;
            return Ok(Move::Ahead);
        }
        if self.undated {
            return Err(stuck(
                "/lead/",
                "Close sent leads without a readable date_created, so the walk cannot go on past \
                 the number of leads Close pages through"
                    .to_string(),
            ));
        }
        let Some(second) = self.last_second else {
            return Err(stuck(
                "/lead/",
                "Close refused the first page of the walk as too far in".to_string(),
            ));
        };
        if self.window == Some(second) {
            return Ok(Move::Split(second));
        }
        self.window = Some(second);
        self.carried = self.in_last_second.clone();
        self.skip = 0;
        Ok(Move::Ahead)
    }

    /// Splits `second`, which holds `count` leads by Close's count (`None` when Close gave
    /// none), into parts that each stay well under the skip Close refused.
    pub fn split(&mut self, second: Moment, count: Option<u64>) -> Result<(), ApiError> {
        let seen = self.in_last_second.len() as u64;
        if let Some(count) = count
            && count < seen
        {
            return Err(stuck(
                "/lead/",
                format!(
                    "Close counts {count} leads created in the second {}, fewer than the {seen} \
                     already seen in it, so it does not compare date_created to the second and the \
                     walk cannot go past the number of leads Close pages through",
                    second_bound(second)
                ),
            ));
        }
        let per_part = (self.refused_skip.unwrap_or(self.skip) as u64 / 2).max(1);
        let parts = count.map_or(2, |count| count.div_ceil(per_part)).clamp(2, MAX_PARTS);
        self.slices = Some(Slices { second, part: 1, parts });
        self.carried = self.in_last_second.clone();
        self.skip = 0;
        Ok(())
    }

    /// Records a lead of a page; whether the script gets it.
    pub fn visit(&mut self, row: &Row) -> bool {
        let second = second_of(&row.date_created);
        if let Some(slices) = &self.slices {
            // Only the split second's leads, each once: a server comparing coarsely may send
            // others, and the parts of a finer split repeat what coarser ones gave.
            if second != Some(slices.second) || !self.carried.insert(row.id.clone()) {
                return false;
            }
            return self.offer(&row.id);
        }
        match second {
            None => self.undated = true,
            Some(second) => {
                if let Some(window) = self.window
                    && (second < window || (second == window && self.carried.contains(&row.id)))
                {
                    return false;
                }
                if self.last_second != Some(second) {
                    self.last_second = Some(second);
                    self.in_last_second.clear();
                }
                self.in_last_second.insert(row.id.clone());
            }
        }
        self.offer(&row.id)
    }

    /// Whether a lead that is new to the walk goes to the script.
    fn offer(&mut self, id: &str) -> bool {
        if let Some(collect) = &mut self.collect {
            collect.push(id.to_string());
            return false;
        }
        match &self.wanted {
            Some(wanted) if !wanted.contains(id) => false,
            Some(_) => self.handed_out.insert(id.to_string()),
            None => true,
        }
    }
}

/// `date_created >= "S" date_created < "S+1"`: every lead of one second.
fn seconds_range(second: Moment) -> String {
    format!(
        "date_created >= \"{}\" date_created < \"{}\"",
        second_bound(second),
        second_bound(second + TimeDelta::seconds(1))
    )
}

/// Whether a search has a `sort:` term of its own: `sort:` starting a term outside quotes
/// (`name:"sort:x"` sorts nothing).
fn sets_its_own_order(search: &str) -> bool {
    let mut quoted = false;
    let mut escaped = false;
    let mut term_start = true;
    for (at, c) in search.char_indices() {
        if quoted {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => quoted = false,
                _ => {}
            }
            continue;
        }
        if term_start && search[at..].get(..5).is_some_and(|word| word.eq_ignore_ascii_case("sort:")) {
            return true;
        }
        term_start = c.is_whitespace() || c == '(';
        if c == '"' {
            quoted = true;
        }
    }
    false
}

/// The order activities come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    NewestFirst,
    OldestFirst,
}

/// The state of an activity walk. Close documents newest first (and is asked for it where
/// it takes `_order_by`), but the walk reads the order from the rows and windows the other
/// way if they come oldest first.
#[derive(Debug)]
pub struct ActivityWindows {
    /// The current window's bound and which way it points (`None`: from the first row).
    bound: Option<(Moment, Order)>,
    /// Activities at exactly the bound already handed out.
    carried: HashSet<String>,
    /// The offset within the window.
    pub skip: usize,
    /// The first `_skip` Close refused.
    pub refused_skip: Option<usize>,
    /// The order the rows came in, once two different dates showed it.
    order: Option<Order>,
    /// Whether the rows went back and forth in date, which rules windows out.
    unordered: bool,
    /// Whether a row came without a readable `date_created`.
    undated: bool,
    /// The last row's moment and the rows seen at it.
    last: Option<Moment>,
    at_last: HashSet<String>,
    /// The API path, for errors.
    path: String,
}

impl ActivityWindows {
    pub fn new(path: &str) -> ActivityWindows {
        ActivityWindows {
            bound: None,
            carried: HashSet::new(),
            skip: 0,
            refused_skip: None,
            order: None,
            unordered: false,
            undated: false,
            last: None,
            at_last: HashSet::new(),
            path: path.to_string(),
        }
    }

    /// The date filter of the current window, if any.
    pub fn filter(&self) -> Option<(&'static str, String)> {
        self.bound.map(|(bound, order)| match order {
            Order::NewestFirst => ("date_created__lte", moment_bound(bound)),
            Order::OldestFirst => ("date_created__gte", moment_bound(bound)),
        })
    }

    /// Records a row of a page; whether the script gets it.
    pub fn visit(&mut self, row: &Row) -> bool {
        let Some(at) = moment(&row.date_created) else {
            self.undated = true;
            return true;
        };
        if let Some((bound, order)) = self.bound {
            let beyond = match order {
                Order::NewestFirst => at > bound,
                Order::OldestFirst => at < bound,
            };
            if beyond || (at == bound && self.carried.contains(&row.id)) {
                return false;
            }
        }
        if let Some(last) = self.last
            && at != last
        {
            let seen = if at < last { Order::NewestFirst } else { Order::OldestFirst };
            match self.order {
                None => self.order = Some(seen),
                Some(order) if order != seen => self.unordered = true,
                Some(_) => {}
            }
        }
        if self.last != Some(at) {
            self.last = Some(at);
            self.at_last.clear();
        }
        self.at_last.insert(row.id.clone());
        true
    }

    /// Moves to a window at the last row's moment after Close refused a skip (or before it
    /// would).
    pub fn next_window(&mut self) -> Result<(), ApiError> {
        let cannot = |why: &str| {
            stuck(
                &self.path,
                format!(
                    "{why}, so the walk cannot go on past the {} activities Close pages through",
                    self.skip
                ),
            )
        };
        if self.unordered {
            return Err(cannot("Close listed the activities out of date order"));
        }
        if self.undated {
            return Err(cannot("Close sent activities without a readable date_created"));
        }
        let Some(last) = self.last else {
            return Err(stuck(
                &self.path,
                "Close refused the first page of the walk as too far in".to_string(),
            ));
        };
        if self.bound.map(|(bound, _)| bound) == Some(last) {
            return Err(stuck(
                &self.path,
                format!(
                    "more activities were created at {} than Close lets a list page through",
                    moment_bound(last)
                ),
            ));
        }
        self.bound = Some((last, self.order.unwrap_or(Order::NewestFirst)));
        self.carried = self.at_last.clone();
        self.skip = 0;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, date: &str) -> Row {
        Row { id: id.to_string(), date_created: date.to_string() }
    }

    fn at(text: &str) -> Moment {
        moment(text).unwrap()
    }

    #[test]
    fn queries_add_a_window_and_an_order() {
        let mut walk = LeadWindows::new(Some("status:Potential".into()), None);
        assert_eq!(walk.query(), "(status:Potential) sort:date_created");
        walk.window = Some(at("2024-03-01T10:00:17Z"));
        assert_eq!(
            walk.query(),
            "(status:Potential) date_created >= \"2024-03-01T10:00:17+00:00\" sort:date_created"
        );
        assert_eq!(LeadWindows::new(None, None).query(), "sort:date_created");
    }

    #[test]
    fn a_search_with_its_own_sort_is_sent_as_written() {
        for search in ["x sort:-created", "SORT:name", "(a OR b) sort:created", "status:x (sort:name)"] {
            assert_eq!(LeadWindows::new(Some(search.into()), None).query(), search);
        }
        let quoted = LeadWindows::new(Some("not name:\"sort:x\"".into()), None);
        assert_eq!(quoted.query(), "(not name:\"sort:x\") sort:date_created");
        let inside = LeadWindows::new(Some("name:resort:x".into()), None);
        assert_eq!(inside.query(), "(name:resort:x) sort:date_created");
        let escaped = LeadWindows::new(Some(r#"name:"a \" sort:b""#.into()), None);
        assert!(escaped.query().ends_with(" sort:date_created"));
    }

    #[test]
    fn bounds_are_in_utc_whatever_zone_close_wrote() {
        let mut walk = LeadWindows::new(None, None);
        assert!(walk.visit(&row("a", "2024-03-01T11:00:17.500000+01:00")));
        walk.skip = 3;
        assert_eq!(walk.next_window().unwrap(), Move::Ahead);
        assert_eq!(walk.query(), "date_created >= \"2024-03-01T10:00:17+00:00\" sort:date_created");
        let mut activities = ActivityWindows::new("/activity/");
        activities.visit(&row("x", "2024-03-01T10:00:17.000250"));
        activities.skip = 5;
        activities.next_window().unwrap();
        assert_eq!(
            activities.filter(),
            Some(("date_created__lte", "2024-03-01T10:00:17.000250+00:00".into()))
        );
    }

    #[test]
    fn a_new_window_passes_over_what_was_seen() {
        let mut walk = LeadWindows::new(None, None);
        assert!(walk.visit(&row("a", "2024-03-01T10:00:16.900000+00:00")));
        assert!(walk.visit(&row("b", "2024-03-01T10:00:17.100000+00:00")));
        assert!(walk.visit(&row("c", "2024-03-01T10:00:17.300000+00:00")));
        walk.skip = 3;
        assert_eq!(walk.next_window().unwrap(), Move::Ahead);
        assert_eq!((walk.window, walk.skip), (Some(at("2024-03-01T10:00:17Z")), 0));
        // A server comparing coarsely may send earlier leads again; they are passed over.
        assert!(!walk.visit(&row("a", "2024-03-01T10:00:16.900000+00:00")));
        assert!(!walk.visit(&row("b", "2024-03-01T10:00:17.100000+00:00")));
        assert!(!walk.visit(&row("c", "2024-03-01T10:00:17.300000+00:00")));
        assert!(walk.visit(&row("d", "2024-03-01T10:00:17.800000+00:00")));
        assert!(walk.visit(&row("e", "2024-03-01T10:00:18.000000+00:00")));
    }

    #[test]
    fn a_second_that_fills_a_window_is_split_into_slices() {
        let mut walk = LeadWindows::new(Some("status:Potential".into()), None);
        walk.visit(&row("a", "2024-03-01T10:00:16.000000+00:00"));
        walk.visit(&row("b", "2024-03-01T10:00:17.000001+00:00"));
        walk.refused_skip = Some(400);
        walk.skip = 400;
        assert_eq!(walk.next_window().unwrap(), Move::Ahead);
        assert!(walk.visit(&row("c", "2024-03-01T10:00:17.000002+00:00")));
        walk.skip = 400;
        let second = at("2024-03-01T10:00:17Z");
        assert_eq!(walk.next_window().unwrap(), Move::Split(second));
        assert_eq!(
            walk.second_query(second),
            "(status:Potential) date_created >= \"2024-03-01T10:00:17+00:00\" \
             date_created < \"2024-03-01T10:00:18+00:00\""
        );
        walk.split(second, Some(1000)).unwrap();
        assert_eq!(
            walk.query(),
            "(status:Potential) date_created >= \"2024-03-01T10:00:17+00:00\" \
             date_created < \"2024-03-01T10:00:18+00:00\" slice:1/5 sort:date_created"
        );
        // Leads seen before, and leads of other seconds, are passed over.
        assert!(!walk.visit(&row("b", "2024-03-01T10:00:17.000001+00:00")));
        assert!(!walk.visit(&row("z", "2024-03-01T10:00:18.000000+00:00")));
        assert!(walk.visit(&row("d", "2024-03-01T10:00:17.500000+00:00")));
        assert!(!walk.query_done());
        assert!(walk.query().contains(" slice:2/5 "));

        // A part still too large: twice as many parts, from the first, without repeats.
        walk.skip = 400;
        assert_eq!(walk.next_window().unwrap(), Move::Ahead);
        assert!(walk.query().contains(" slice:1/10 "));
        assert!(!walk.visit(&row("d", "2024-03-01T10:00:17.500000+00:00")));
        for part in 1..=10 {
            assert!(walk.query().contains(&format!(" slice:{part}/10 ")));
            assert!(!walk.query_done());
        }
        assert_eq!(
            walk.query(),
            "(status:Potential) date_created >= \"2024-03-01T10:00:18+00:00\" sort:date_created"
        );
        assert!(walk.visit(&row("z", "2024-03-01T10:00:18.000000+00:00")));
        assert!(walk.query_done(), "the last page of a plain window ends the walk");
    }

    #[test]
    fn a_count_below_what_was_seen_is_an_error() {
        let mut walk = LeadWindows::new(None, None);
        walk.visit(&row("a", "2024-03-01T10:00:17.1Z"));
        walk.visit(&row("b", "2024-03-01T10:00:17.2Z"));
        walk.skip = 2;
        walk.next_window().unwrap();
        let second = at("2024-03-01T10:00:17Z");
        assert_eq!(walk.next_window().unwrap(), Move::Split(second));
        let err = walk.split(second, Some(0)).unwrap_err();
        assert!(err.message.starts_with("Close counts 0 leads created in the second"), "{}", err.message);
        walk.split(second, None).unwrap();
        assert!(walk.query().contains(" slice:1/2 "));
    }

    #[test]
    fn walks_that_cannot_move_are_errors() {
        let mut sorted = LeadWindows::new(Some("sort:name".into()), None);
        sorted.skip = 10_000;
        assert!(sorted.next_window().unwrap_err().message.contains("leave out sort:"));
        let mut fresh = LeadWindows::new(None, None);
        assert!(fresh.next_window().unwrap_err().message.contains("first page"));
        let mut undated = LeadWindows::new(None, None);
        assert!(undated.visit(&row("a", "yesterday")));
        assert!(undated.next_window().unwrap_err().message.contains("readable date_created"));
    }

    #[test]
    fn the_first_total_is_the_walks() {
        let mut walk = LeadWindows::new(None, None);
        walk.page_read(Some(2737));
        walk.page_read(Some(454));
        assert_eq!(walk.total, Some(2737));
        let mut snapshot = LeadWindows::new(None, Some(HashSet::new()));
        snapshot.total = Some(12);
        snapshot.page_read(Some(40));
        assert_eq!(snapshot.total, Some(12));
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

    #[test]
    fn activity_windows_follow_the_order_the_rows_come_in() {
        let mut newest = ActivityWindows::new("/activity/");
        assert!(newest.visit(&row("c", "2024-03-03T00:00:00Z")));
        assert!(newest.visit(&row("b", "2024-03-02T00:00:00Z")));
        assert!(newest.visit(&row("b2", "2024-03-02T00:00:00Z")));
        newest.skip = 3;
        newest.next_window().unwrap();
        assert_eq!(newest.filter(), Some(("date_created__lte", "2024-03-02T00:00:00.000000+00:00".into())));
        assert!(!newest.visit(&row("b", "2024-03-02T00:00:00Z")));
        assert!(newest.visit(&row("b3", "2024-03-02T00:00:00Z")));
        assert!(newest.visit(&row("a", "2024-03-01T00:00:00Z")));

        let mut oldest = ActivityWindows::new("/activity/email/");
        assert!(oldest.visit(&row("a", "2024-03-01T00:00:00Z")));
        assert!(oldest.visit(&row("b", "2024-03-02T00:00:00Z")));
        oldest.skip = 2;
        oldest.next_window().unwrap();
        assert_eq!(oldest.filter(), Some(("date_created__gte", "2024-03-02T00:00:00.000000+00:00".into())));
        assert!(!oldest.visit(&row("a", "2024-03-01T00:00:00Z")));
        assert!(!oldest.visit(&row("b", "2024-03-02T00:00:00Z")));
        assert!(oldest.visit(&row("c", "2024-03-03T00:00:00Z")));
    }

    #[test]
    fn activity_walks_that_cannot_move_are_errors() {
        let mut unordered = ActivityWindows::new("/activity/");
        for (id, date) in
            [("a", "2024-03-02T00:00:00Z"), ("b", "2024-03-01T00:00:00Z"), ("c", "2024-03-03T00:00:00Z")]
        {
            unordered.visit(&row(id, date));
        }
        unordered.skip = 3;
        let err = unordered.next_window().unwrap_err();
        assert_eq!(
            err.message,
            "Close listed the activities out of date order, so the walk cannot go on past the 3 \
             activities Close pages through"
        );
        let mut crowded = ActivityWindows::new("/activity/");
        crowded.visit(&row("a", "2024-03-02T00:00:00Z"));
        crowded.next_window().unwrap();
        crowded.visit(&row("b", "2024-03-02T00:00:00Z"));
        assert!(crowded.next_window().unwrap_err().message.starts_with("more activities were created at"));
    }
}
