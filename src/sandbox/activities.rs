//! The activity endpoints: the mixed list, the per-type lists and single activities.
//!
//! Lists come newest first by `date_created` unless `_order_by` says otherwise:
//! `-date_created` (the default), `date_created` (oldest first), and `-activity_at` or
//! `activity_at`, which as in Close need `lead_id`. The date filters must name the field the
//! list is ordered by: `date_created__{gt,gte,lt,lte}` (how a walk gets past the `_skip`
//! cap) or `activity_at__{gt,gte,lt,lte}`. As in Close, `_type` and `_type__in` on
//! `/activity/` only take effect together with `lead_id`; without it they are ignored,
//! which is the trap the per-type endpoints (`/activity/email/`...) exist to avoid.

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

/// One page of the activities `keep` and the date filters accept, in the order asked for.
fn list(org: &Org, call: &Call, keep: impl Fn(&Activity) -> bool) -> Answer {
    let params = list_params(call.query, MAX_LIMIT, call.max_skip)?;
    let order = order_by(call)?;
    let dates = date_filters(call, order.field)?;
    let in_range = |a: &Activity| dates.iter().all(|(op, bound)| op.holds(order.field.of(a), *bound));
    let mut rows: Vec<&Activity> = org.activities.iter().filter(|a| keep(a) && in_range(a)).collect();
    if order.field == DateField::ActivityAt {
        // The table is in `date_created` order; a stable sort keeps that among equal times.
        rows.sort_by_key(|a| std::cmp::Reverse(a.activity_at));
    }
    if !order.newest_first {
        rows.reverse();
    }
    let total = rows.len();
    let page =
        rows.into_iter().skip(params.skip).take(params.limit).map(|activity| ActivityView { org, activity });
    Ok(list_reply(page, params.has_more(total), None, params.fields.as_ref()))
}

/// The date an activity list is ordered and filtered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateField {
    /// When Close stored the activity.
    Created,
    /// When it happened.
    ActivityAt,
}

impl DateField {
    fn name(self) -> &'static str {
        match self {
            DateField::Created => "date_created",
            DateField::ActivityAt => "activity_at",
        }
    }

    fn of(self, activity: &Activity) -> Timestamp {
        match self {
            DateField::Created => activity.date_created,
            DateField::ActivityAt => activity.activity_at,
        }
    }
}

/// The order `_order_by` asks for.
#[derive(Debug, Clone, Copy)]
struct Order {
    field: DateField,
    newest_first: bool,
}

/// Reads `_order_by`; ordering by `activity_at` needs `lead_id`, as in Close.
fn order_by(call: &Call) -> Result<Order, Reply> {
    let Some(text) = param(call.query, "_order_by") else {
        return Ok(Order { field: DateField::Created, newest_first: true });
    };
    let (newest_first, name) = match text.strip_prefix('-') {
        Some(name) => (true, name),
        None => (false, text),
    };
    let field = match name {
        "date_created" => DateField::Created,
        "activity_at" => DateField::ActivityAt,
        _ => {
            return Err(Reply::bad_request(format!(
                "_order_by: '{text}' is not a field activities can be ordered by; use date_created or \
                 activity_at, with '-' for newest first."
            )));
        }
    };
    if field == DateField::ActivityAt && param(call.query, "lead_id").is_none() {
        return Err(Reply::bad_request(
            "_order_by: ordering by activity_at is only possible for the activities of one lead (lead_id).",
        ));
    }
    Ok(Order { field, newest_first })
}

/// A comparison of a date filter (`__gt`, `__gte`, `__lt`, `__lte`).
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

/// The date filters of a list request, which must be on the field the list is ordered by.
fn date_filters(call: &Call, ordered_by: DateField) -> Result<Vec<(DateOp, time::Span)>, Reply> {
    let mut filters = Vec::new();
    for field in [DateField::Created, DateField::ActivityAt] {
        for (suffix, op) in
            [("gt", DateOp::Gt), ("gte", DateOp::Gte), ("lt", DateOp::Lt), ("lte", DateOp::Lte)]
        {
            let name = format!("{}__{suffix}", field.name());
            let Some(text) = param(call.query, &name) else { continue };
            if field != ordered_by {
                return Err(Reply::bad_request(format!(
                    "{name}: a list ordered by {} can only be filtered by that date; order it with \
                     _order_by=-{} to filter by {}.",
                    ordered_by.name(),
                    field.name(),
                    field.name()
                )));
            }
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
