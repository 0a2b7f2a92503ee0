//! The lead endpoints: list and search, read, create, update, delete.
//!
//! Leads are the sandbox's largest answers, so the plain list (no query) walks the table in
//! its stored default order and writes only the requested page. A query is parsed, compiled
//! against the organisation and run over every lead; `total_results` counts all matches,
//! which is how `_limit=0` gives a count without rows.

use std::sync::Arc;

use serde_json::json;

use super::dispatch::{Answer, Call};
use super::lead_write::{self, LeadChanges};
use super::model::{Contact, Lead};
use super::paging::{self, list_params, list_reply, object_reply, param};
use super::query;
use super::render::LeadView;
use super::reply::Reply;
use super::search::{self, Search};
use super::store::Org;
use super::time;

/// The largest `_limit` `GET /lead/` takes (a hint from public integrations; the real
/// number is not published).
const MAX_LEAD_LIMIT: usize = 200;

/// `GET /lead/`: the organisation's leads, optionally filtered and sorted by `query`.
pub fn list_leads(org: &Org, call: &Call) -> Answer {
    let params = list_params(call.query, MAX_LEAD_LIMIT, call.max_skip)?;
    let fields = params.fields.as_ref();
    match search_of(org, call)? {
        None => {
            let total = org.leads.len();
            let page = org.leads.iter().skip(params.skip).take(params.limit);
            Ok(lead_page(org, page, params.has_more(total), total, fields))
        }
        Some(search) => {
            let found = search.run(org);
            let total = found.len();
            let page = found.into_iter().skip(params.skip).take(params.limit);
            Ok(lead_page(org, page, params.has_more(total), total, fields))
        }
    }
}

/// A page of leads in the list envelope. Whole leads come from the organisation's cache of
/// rendered leads, so paging through thousands of them costs copies rather than rendering.
fn lead_page<'a>(
    org: &'a Org,
    page: impl Iterator<Item = &'a Lead>,
    has_more: bool,
    total: usize,
    fields: Option<&paging::Fields>,
) -> Reply {
    if fields.is_some() {
        return list_reply(page.map(|lead| LeadView { org, lead }), has_more, Some(total), fields);
    }
    let mut body = Vec::with_capacity(64 * 1024);
    body.extend_from_slice(
        format!("{{\"has_more\":{has_more},\"total_results\":{total},\"data\":[").as_bytes(),
    );
    for (position, lead) in page.enumerate() {
        if position > 0 {
            body.push(b',');
        }
        body.extend_from_slice(&rendered(org, lead));
    }
    body.extend_from_slice(b"]}");
    Reply::json_bytes(200, body)
}

/// A lead's full JSON, from the cache or rendered into it.
fn rendered(org: &Org, lead: &Lead) -> Arc<[u8]> {
    if let Some(bytes) = org.rendered.borrow().get(&lead.id) {
        return Arc::clone(bytes);
    }
    let bytes: Arc<[u8]> =
        serde_json::to_vec(&LeadView { org, lead }).unwrap_or_else(|_| b"null".to_vec()).into();
    org.rendered.borrow_mut().insert(lead.id.clone(), Arc::clone(&bytes));
    bytes
}

/// The compiled `query` parameter, or `None` when it keeps every lead in default order.
fn search_of(org: &Org, call: &Call) -> Result<Option<Search>, Reply> {
    let Some(text) = param(call.query, "query").map(str::trim).filter(|q| !q.is_empty()) else {
        return Ok(None);
    };
    let refuse = |problem: String| Reply::bad_request(format!("Could not understand the query: {problem}."));
    let parsed = query::parse(text).map_err(refuse)?;
    let search = search::compile(&parsed, org).map_err(refuse)?;
    Ok((!search.is_everything()).then_some(search))
}

/// `GET /lead/{id}/`.
pub fn get_lead(org: &Org, id: &str, call: &Call) -> Answer {
    let lead = org.leads.get(id).ok_or_else(|| Reply::no_such("Lead"))?;
    Ok(object_reply(&LeadView { org, lead }, paging::fields_param(call.query).as_ref()))
}

/// `POST /lead/`: creates a lead (and its inline contacts) and answers it in full, with 200
/// as Close does. Close also logs a `Created` activity for a new lead; the sandbox does not
/// record that kind.
pub fn create_lead(org: &mut Org, call: &Call) -> Answer {
    let changes = lead_write::read(org, call.body, true).map_err(Reply::field_errors)?;
    let now = time::now();
    let contacts = changes
        .contacts
        .iter()
        .map(|new| Contact {
            id: org.ids.next("cont"),
            name: new.name.clone(),
            title: new.title.clone(),
            emails: new.emails.clone(),
            phones: new.phones.clone(),
            urls: new.urls.clone(),
            created_by: Org::KEY_USER,
            date_created: now,
        })
        .collect();
    let mut lead = Lead {
        id: org.ids.next("lead"),
        name: String::new(),
        description: None,
        url: None,
        status: 0,
        addresses: Vec::new(),
        contacts,
        custom: Vec::new(),
        created_by: Org::KEY_USER,
        updated_by: Org::KEY_USER,
        date_created: now,
        date_updated: now,
        search_text: String::new(),
    };
    apply(&mut lead, changes);
    let id = lead.id.clone();
    org.insert_lead(lead);
    answer_lead(org, &id)
}

/// `PUT /lead/{id}/`: a partial update; lists that are sent replace the stored ones.
pub fn update_lead(org: &mut Org, id: &str, call: &Call) -> Answer {
    if org.leads.get(id).is_none() {
        return Err(Reply::no_such("Lead"));
    }
    let changes = lead_write::read(org, call.body, false).map_err(Reply::field_errors)?;
    if let Some(lead) = org.leads.get_mut(id) {
        apply(lead, changes);
        lead.refresh_search_text();
        lead.updated_by = Org::KEY_USER;
        lead.date_updated = time::now();
    }
    answer_lead(org, id)
}

/// `DELETE /lead/{id}/`: removes the lead with its contacts, activities and tasks (Close
/// treats them as the lead's children) and answers `{}`.
pub fn delete_lead(org: &mut Org, id: &str) -> Answer {
    org.delete_lead(id).ok_or_else(|| Reply::no_such("Lead"))?;
    Ok(Reply::ok(&json!({})))
}

/// Copies the sent fields onto the lead.
fn apply(lead: &mut Lead, changes: LeadChanges) {
    if let Some(name) = changes.name {
        lead.name = name;
    }
    if let Some(url) = changes.url {
        lead.url = url;
    }
    if let Some(description) = changes.description {
        lead.description = description;
    }
    if let Some(status) = changes.status {
        lead.status = status;
    }
    if let Some(addresses) = changes.addresses {
        lead.addresses = addresses;
    }
    for (field, value) in changes.custom {
        lead.custom.retain(|(index, _)| *index != field);
        if let Some(value) = value {
            lead.custom.push((field, value));
        }
    }
    lead.custom.sort_by_key(|(index, _)| *index);
}

/// The whole lead as the answer to a write.
fn answer_lead(org: &Org, id: &str) -> Answer {
    let lead = org.leads.get(id).ok_or_else(|| Reply::no_such("Lead"))?;
    Ok(object_reply(&LeadView { org, lead }, None))
}
