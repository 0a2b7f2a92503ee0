//! The contact endpoints: list (optionally per lead) and read.
//!
//! Contacts live inside their leads, so the organisation-wide list walks the leads in their
//! default order and each lead's contacts in the order they were added (Close does not
//! document the order of this list).

use super::dispatch::{Answer, Call};
use super::paging::{self, list_params, list_reply, object_reply, param};
use super::render::ContactView;
use super::reply::Reply;
use super::store::Org;

/// The largest `_limit` on lists other than leads.
pub const MAX_LIMIT: usize = 100;

/// `GET /contact/`, with `lead_id` optional.
pub fn list_contacts(org: &Org, call: &Call) -> Answer {
    let params = list_params(call.query, MAX_LIMIT, call.max_skip)?;
    let lead_id = param(call.query, "lead_id");
    let rows = org
        .leads
        .iter()
        .filter(|lead| lead_id.is_none_or(|id| lead.id == id))
        .flat_map(|lead| lead.contacts.iter().map(move |contact| ContactView { org, lead, contact }));
    let total = rows.clone().count();
    let page = rows.skip(params.skip).take(params.limit);
    Ok(list_reply(page, params.has_more(total), None, params.fields.as_ref()))
}

/// `GET /contact/{id}/`.
pub fn get_contact(org: &Org, id: &str, call: &Call) -> Answer {
    let (lead, contact) = org.contact(id).ok_or_else(|| Reply::no_such("Contact"))?;
    Ok(object_reply(&ContactView { org, lead, contact }, paging::fields_param(call.query).as_ref()))
}
