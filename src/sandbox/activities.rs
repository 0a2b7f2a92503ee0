//! The activity endpoints: the mixed list, the per-type lists and single activities.
//!
//! Lists come newest first. As in Close, `_type` and `_type__in` on `/activity/` only take
//! effect together with `lead_id`; without it they are ignored, which is the trap the
//! per-type endpoints (`/activity/email/`...) exist to avoid. Every list takes the
//! `date_created__{gt,gte,lt,lte}` filters, which is how a walk gets past the `_skip` cap.

use super::contacts::MAX_LIMIT;
use super::dispatch::{Answer, Call};
use super::model::{Activity, ActivityType};
use super::paging::{self, list_params, list_reply, object_reply, param};
use super::render::ActivityView;
use super::reply::Reply;
use super::store::Org;
use super::time::{self, Timestamp};

/// Every `_type` Close knows, stored by the sandbox or not. Filtering by one the sandbox
/// never stores is valid and simply finds nothing.
const KNOWN_TYPES: [&str; 14] = [
    "Note",
    "Call",
    "Email",
    "EmailThread",
    "SMS",
    "Meeting",
    "Created",
    "LeadStatusChange",
    "OpportunityStatusChange",
    "TaskCompleted",
    "WhatsAppMessage",
    "FormSubmission",
    "LeadMerge",
    "Custom",
];

/// `GET /activity/`.
pub fn list_activities(org: &Org, call: &Call) -> Answer {
    let lead_id = param(call.query, "lead_id");
    let types = match lead_id {
        Some(_) => wanted_types(call)?,
        None => None,
    };
    list(org, call, |activity| {
        lead_id.is_none_or(|id| activity.lead_id == id)
            && types.as_ref().is_none_or(|types| types.iter().any(|t| t == activity.kind().type_name()))
    })
}

/// `GET /activity/<type>/`, with `lead_id` optional.
pub fn list_activities_of(org: &Org, kind: ActivityType, call: &Call) -> Answer {
    let lead_id = param(call.query, "lead_id");
    list(org, call, |activity| activity.kind() == kind && lead_id.is_none_or(|id| activity.lead_id == id))
}

/// `GET /activity/<type>/{id}/`.
pub fn get_activity_of(org: &Org, kind: ActivityType, id: &str, call: &Call) -> Answer {
    let activity = org
        .activities
        .get(id)
        .filter(|activity| activity.kind() == kind)
        .ok_or_else(|| Reply::no_such(kind.type_name()))?;
    Ok(object_reply(&ActivityView { org, activity }, paging::fields_param(call.query).as_ref()))
}

/// One page of the activities `keep` and the date filters accept.
fn list(org: &Org, call: &Call, keep: impl Fn(&Activity) -> bool) -> Answer {
    let params = list_params(call.query, MAX_LIMIT, call.max_skip)?;
    let dates = date_filters(call)?;
    let in_range = |a: &Activity| dates.iter().all(|(op, bound)| op.holds(a.date_created, *bound));
    let rows = org
        .activities
        .iter()
        .filter(|a| keep(a) && in_range(a))
        .map(|activity| ActivityView { org, activity });
    let total = rows.clone().count();
    let page = rows.skip(params.skip).take(params.limit);
    Ok(list_reply(page, params.has_more(total), None, params.fields.as_ref()))
}

/// A comparison of `date_created__*`.
#[derive(Debug, Clone, Copy)]
enum DateOp {
    Gt,
    Gte,
    Lt,
    Lte,
}

impl DateOp {
    /// Whether `moment` passes against the written time `bound`, which stands for a span
    /// (a day, a minute...): `gte` starts at its start, `gt` after its end.
    fn holds(self, moment: Timestamp, bound: time::Span) -> bool {
        match self {
            DateOp::Gt => moment >= bound.end,
            DateOp::Gte => moment >= bound.start,
            DateOp::Lt => moment < bound.start,
            DateOp::Lte => moment < bound.end,
        }
    }
}

/// The `date_created__*` filters of a list request.
fn date_filters(call: &Call) -> Result<Vec<(DateOp, time::Span)>, Reply> {
    let mut filters = Vec::new();
    for (name, op) in [
        ("date_created__gt", DateOp::Gt),
        ("date_created__gte", DateOp::Gte),
        ("date_created__lt", DateOp::Lt),
        ("date_created__lte", DateOp::Lte),
    ] {
        if let Some(text) = param(call.query, name) {
            let bound = time::parse_moment(text).ok_or_else(|| {
                Reply::bad_request(format!("{name}: '{text}' is not a date or a date and time."))
            })?;
            filters.push((op, bound));
        }
    }
    Ok(filters)
}

/// The types asked for by `_type` or `_type__in`. An unknown name is refused rather than
/// quietly matching nothing (a choice: Close's answer is not documented), so a client that
/// sends `email` instead of `Email` finds out.
fn wanted_types(call: &Call) -> Result<Option<Vec<String>>, Reply> {
    let names: Vec<String> = match (param(call.query, "_type"), param(call.query, "_type__in")) {
        (None, None) => return Ok(None),
        (one, many) => {
            one.into_iter().chain(many.into_iter().flat_map(|m| m.split(','))).map(str::to_string).collect()
        }
    };
    for name in &names {
        if !KNOWN_TYPES.contains(&name.as_str()) && !name.starts_with("actitype_") {
            return Err(Reply::bad_request(format!(
                "'{name}' is not an activity type. Types are written as Close names them, \
                 e.g. Email, Call, Note, SMS, Meeting."
            )));
        }
    }
    Ok(Some(names))
}
