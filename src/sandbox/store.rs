//! The organisations' data and the tables that keep it in order.
//!
//! Each account has one `Org` behind its own mutex; a request locks the organisation of the
//! key it authenticated with and nothing else. Leads, activities and tasks sit in `Table`s
//! that keep rows in the API's default order (newest `date_created` first, ties by ID), so a
//! page without a query is a walk from the start, never a sort.

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::HashMap;
use std::iter::Rev;
use std::slice;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::ids::IdGen;
use super::model::{Activity, Contact, CustomField, Lead, Status, Task, User};
use super::time::Timestamp;

/// A row a `Table` can hold: it has an ID and a creation time.
pub trait Row {
    fn id(&self) -> &str;
    fn created(&self) -> Timestamp;
}

impl Row for Lead {
    fn id(&self) -> &str {
        &self.id
    }
    fn created(&self) -> Timestamp {
        self.date_created
    }
}

impl Row for Activity {
    fn id(&self) -> &str {
        &self.id
    }
    fn created(&self) -> Timestamp {
        self.date_created
    }
}

impl Row for Task {
    fn id(&self) -> &str {
        &self.id
    }
    fn created(&self) -> Timestamp {
        self.date_created
    }
}

/// Rows kept in the API's default order, with an index by ID.
///
/// Close does not document the default order of its lists; the sandbox uses the newest
/// `date_created` first, ties by ascending ID, for every list.
///
/// The rows sit in a vector in exactly the reverse of the default order (oldest first,
/// ties by descending ID), so the usual insertion, a new newest row, is a push at the end,
/// and reading the default order is walking the vector backwards, where skipping to an
/// offset costs nothing. The index maps an ID to its `date_created`, which together with
/// the ID locates the row by binary search.
#[derive(Debug, Clone)]
pub struct Table<T> {
    rows: Vec<T>,
    index: HashMap<String, Timestamp>,
}

impl<T: Row> Table<T> {
    /// An empty table.
    pub fn new() -> Table<T> {
        Table { rows: Vec::new(), index: HashMap::new() }
    }

    /// Adds a row, replacing any row with the same ID.
    pub fn insert(&mut self, row: T) {
        self.remove(row.id());
        let (created, id) = (row.created(), row.id().to_string());
        let at = self.position(created, &id).unwrap_or_else(|free| free);
        self.rows.insert(at, row);
        self.index.insert(id, created);
    }

    /// Adds many rows at once: one sort of the whole table instead of a search and a shift
    /// per row. The rows' IDs must be new to the table.
    pub fn extend(&mut self, rows: Vec<T>) {
        self.index.reserve(rows.len());
        for row in &rows {
            self.index.insert(row.id().to_string(), row.created());
        }
        self.rows.extend(rows);
        // A stable sort of two sorted runs, as here, takes linear time.
        self.rows.sort_by(|a, b| (a.created(), Reverse(a.id())).cmp(&(b.created(), Reverse(b.id()))));
    }

    /// The row with this ID.
    pub fn get(&self, id: &str) -> Option<&T> {
        let at = self.position(*self.index.get(id)?, id).ok()?;
        Some(&self.rows[at])
    }

    /// The row with this ID, for changes that keep its `date_created`.
    pub fn get_mut(&mut self, id: &str) -> Option<&mut T> {
        let at = self.position(*self.index.get(id)?, id).ok()?;
        Some(&mut self.rows[at])
    }

    /// Takes the row with this ID out of the table.
    pub fn remove(&mut self, id: &str) -> Option<T> {
        let at = self.position(*self.index.get(id)?, id).ok()?;
        self.index.remove(id);
        Some(self.rows.remove(at))
    }

    /// All rows in default order: newest first, ties by ID.
    pub fn iter(&self) -> Rev<slice::Iter<'_, T>> {
        self.rows.iter().rev()
    }

    /// The row at a position of the table's own order (oldest first, ties by ID
    /// descending), as `oldest_first` gives them.
    pub fn at(&self, position: usize) -> &T {
        &self.rows[position]
    }

    /// The positions of all rows oldest first, ties by ID.
    pub fn oldest_first(&self) -> Vec<usize> {
        let mut positions: Vec<usize> = (0..self.rows.len()).collect();
        // The rows are kept oldest first with ties by ID descending, so only runs of equal
        // times need turning round.
        let mut start = 0;
        while start < positions.len() {
            let time = self.rows[start].created();
            let end = self.rows[start..]
                .iter()
                .position(|row| row.created() != time)
                .map_or(self.rows.len(), |n| start + n);
            positions[start..end].reverse();
            start = end;
        }
        positions
    }

    /// How many rows there are.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Keeps only the rows for which `keep` says yes.
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        let index = &mut self.index;
        self.rows.retain(|row| {
            let kept = keep(row);
            if !kept {
                index.remove(row.id());
            }
            kept
        });
    }

    /// Where the row with this creation time and ID is, or would go.
    fn position(&self, created: Timestamp, id: &str) -> Result<usize, usize> {
        self.rows.binary_search_by(|row| (row.created(), Reverse(row.id())).cmp(&(created, Reverse(id))))
    }
}

impl<T: Row> Default for Table<T> {
    fn default() -> Table<T> {
        Table::new()
    }
}

/// One organisation: its people, settings and data.
#[derive(Debug)]
pub struct Org {
    /// The account name from the sandbox options.
    pub account: String,
    pub id: String,
    pub name: String,
    pub date_created: Timestamp,
    /// The organisation's users; the first is the one the API key belongs to.
    pub users: Vec<User>,
    pub membership_id: String,
    pub email_account_id: String,
    pub statuses: Vec<Status>,
    pub fields: Vec<CustomField>,
    pub leads: Table<Lead>,
    /// Which lead each contact belongs to.
    pub contact_leads: HashMap<String, String>,
    pub activities: Table<Activity>,
    pub tasks: Table<Task>,
    pub ids: IdGen,
    /// Each lead's full JSON as last rendered, so that paging through thousands of leads
    /// costs copies rather than rendering. Any write to the organisation empties it.
    pub rendered: RefCell<HashMap<String, Arc<[u8]>>>,
    /// The leads' positions oldest first, which every page of an iterator's walk asks for;
    /// working it out touches every lead. Any write to the organisation empties it.
    pub oldest_first: RefCell<Option<Arc<[usize]>>>,
}

impl Org {
    /// Position of the user the API key belongs to.
    pub const KEY_USER: usize = 0;

    /// The leads oldest first, ties by ID, from the cache or worked out into it.
    pub fn leads_oldest_first(&self) -> Vec<&Lead> {
        let order = self.oldest_first.borrow().clone();
        let order = order.unwrap_or_else(|| {
            let order: Arc<[usize]> = self.leads.oldest_first().into();
            *self.oldest_first.borrow_mut() = Some(Arc::clone(&order));
            order
        });
        order.iter().map(|&at| self.leads.at(at)).collect()
    }

    /// Forgets what is kept ready for reads, after a write that may change it.
    pub fn forget_cached(&mut self) {
        self.rendered.get_mut().clear();
        *self.oldest_first.get_mut() = None;
    }

    /// Position of the user with this ID.
    pub fn user_index(&self, id: &str) -> Option<usize> {
        self.users.iter().position(|u| u.id == id)
    }

    /// Adds a lead and indexes it for search and its contacts for lookup.
    pub fn insert_lead(&mut self, mut lead: Lead) {
        lead.refresh_search_text();
        for contact in &lead.contacts {
            self.contact_leads.insert(contact.id.clone(), lead.id.clone());
        }
        self.leads.insert(lead);
        *self.oldest_first.get_mut() = None;
    }

    /// Adds many new leads at once, as `insert_lead` would one by one.
    pub fn insert_leads(&mut self, mut leads: Vec<Lead>) {
        self.contact_leads.reserve(leads.iter().map(|lead| lead.contacts.len()).sum());
        for lead in &mut leads {
            lead.refresh_search_text();
            for contact in &lead.contacts {
                self.contact_leads.insert(contact.id.clone(), lead.id.clone());
            }
        }
        self.leads.extend(leads);
        *self.oldest_first.get_mut() = None;
    }

    /// Removes a lead together with its contacts, activities and tasks.
    pub fn delete_lead(&mut self, id: &str) -> Option<Lead> {
        let lead = self.leads.remove(id)?;
        *self.oldest_first.get_mut() = None;
        for contact in &lead.contacts {
            self.contact_leads.remove(&contact.id);
        }
        self.activities.retain(|a| a.lead_id != id);
        self.tasks.retain(|t| t.lead_id != id);
        Some(lead)
    }

    /// A contact and the lead it belongs to.
    pub fn contact(&self, id: &str) -> Option<(&Lead, &Contact)> {
        let lead = self.leads.get(self.contact_leads.get(id)?)?;
        let contact = lead.contacts.iter().find(|c| c.id == id)?;
        Some((lead, contact))
    }

    /// The lead's incomplete tasks, which Close embeds in the lead.
    pub fn open_tasks<'a>(&'a self, lead_id: &'a str) -> impl Iterator<Item = &'a Task> + 'a {
        self.tasks.iter().filter(move |t| t.lead_id == lead_id && !t.is_complete)
    }
}

/// Every organisation of a running sandbox, and which API key opens which.
#[derive(Debug)]
pub struct Store {
    orgs: Vec<Mutex<Org>>,
    keys: HashMap<String, usize>,
    accounts: Vec<(String, String)>,
}

impl Store {
    /// Wraps organisations, each reachable with its own API key.
    pub fn new(orgs: Vec<(String, Org)>) -> Store {
        let mut store = Store { orgs: Vec::new(), keys: HashMap::new(), accounts: Vec::new() };
        for (key, org) in orgs {
            store.keys.insert(key.clone(), store.orgs.len());
            store.accounts.push((org.account.clone(), key));
            store.orgs.push(Mutex::new(org));
        }
        store
    }

    /// The account an API key belongs to, with the organisation's position.
    pub fn account_of_key(&self, key: &str) -> Option<(usize, &str)> {
        let index = *self.keys.get(key)?;
        Some((index, self.accounts[index].0.as_str()))
    }

    /// The API key of an account.
    pub fn key_of_account(&self, account: &str) -> Option<&str> {
        self.accounts.iter().find(|(name, _)| name == account).map(|(_, key)| key.as_str())
    }

    /// Locks one organisation. A handler that panicked leaves the data as it was at the
    /// panic; the sandbox keeps serving it rather than failing every later request.
    pub fn lock(&self, index: usize) -> MutexGuard<'_, Org> {
        self.orgs[index].lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Entry(&'static str, i64);

    impl Row for Entry {
        fn id(&self) -> &str {
            self.0
        }
        fn created(&self) -> Timestamp {
            Timestamp(self.1)
        }
    }

    #[test]
    fn oldest_first_breaks_ties_by_id_the_other_way_round_from_default_order() {
        let mut table = Table::new();
        for (id, created) in [("b", 2), ("a", 1), ("d", 2), ("c", 2), ("e", 3)] {
            table.insert(Entry(id, created));
        }
        let newest_first: Vec<&str> = table.iter().map(|row| row.0).collect();
        assert_eq!(newest_first, ["e", "b", "c", "d", "a"]);
        let oldest_first: Vec<&str> = table.oldest_first().into_iter().map(|at| table.at(at).0).collect();
        assert_eq!(oldest_first, ["a", "b", "c", "d", "e"]);
    }
}
