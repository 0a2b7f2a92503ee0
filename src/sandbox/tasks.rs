//! The task endpoints: create, list, read.
//!
//! Only `lead` and `outgoing_call` tasks can be created through the API, and a task needs a
//! lead. A task created complete also writes the `TaskCompleted` activity Close records and
//! points at it through `object_type`/`object_id`. Untyped lists return only `lead` tasks,
//! as Close's do; `_type=all` returns every kind. Lists come newest first (Close's default
//! order for tasks is not documented).

use serde_json::{Map, Value};

use super::contacts::MAX_LIMIT;
use super::dispatch::{Answer, Call};
use super::model::{Activity, Detail, Task, TaskDate};
use super::paging::{self, list_params, list_reply, object_reply, param};
use super::render::TaskView;
use super::reply::{FieldErrors, Reply};
use super::store::Org;
use super::time;

/// The task kinds clients may create, which are also the ones the sandbox stores.
const CREATABLE: [&str; 2] = ["lead", "outgoing_call"];

/// `POST /task/`.
pub fn create_task(org: &mut Org, call: &Call) -> Answer {
    let mut task = read_task(org, call.body).map_err(Reply::field_errors)?;
    if task.is_complete {
        let activity = completion(org, &task);
        task.completed_activity = Some(activity.id.clone());
        org.activities.insert(activity);
    }
    let id = task.id.clone();
    org.tasks.insert(task);
    let task = org.tasks.get(&id).ok_or_else(|| Reply::no_such("Task"))?;
    Ok(object_reply(&TaskView { org, task }, None))
}

/// Checks a task body and builds the task, collecting every field error.
fn read_task(org: &mut Org, body: &Map<String, Value>) -> Result<Task, FieldErrors> {
    let mut body = Reader { body, errors: FieldErrors::new() };
    let bad_date = "Enter a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM:SS+00:00).";

    if body.body.get("lead_id").is_none_or(Value::is_null) {
        body.errors.insert("lead".into(), "This field is required.".into());
    }
    let lead_id = body.read("lead_id", "lead", "Object does not exist.", String::new(), |v| {
        v.as_str().filter(|id| org.leads.get(id).is_some()).map(str::to_string)
    });
    let kind =
        body.read("_type", "_type", "Only lead and outgoing_call tasks can be created.", "lead", |v| {
            CREATABLE.into_iter().find(|kind| v.as_str() == Some(kind))
        });
    let text =
        body.read("text", "text", "Not a valid string.", String::new(), |v| v.as_str().map(str::to_string));
    let assigned_to = body.read("assigned_to", "assigned_to", "Object does not exist.", Org::KEY_USER, |v| {
        v.as_str().and_then(|id| org.user_index(id))
    });
    let date = body.read("date", "date", bad_date, None, |v| v.as_str().and_then(task_date).map(Some));
    let is_complete =
        body.read("is_complete", "is_complete", "Must be true or false.", false, Value::as_bool);
    let contact_id = body.read("contact_id", "contact", "Object does not exist.", None, |v| {
        let id = v.as_str()?;
        org.contact(id).filter(|(lead, _)| lead.id == lead_id).map(|_| Some(id.to_string()))
    });
    if !body.errors.is_empty() {
        return Err(body.errors);
    }

    let prefix = if kind == "lead" { "task" } else { "noti" };
    Ok(Task {
        id: org.ids.next(prefix),
        kind,
        lead_id,
        contact_id,
        text,
        assigned_to,
        date,
        is_complete,
        completed_activity: None,
        created_by: Org::KEY_USER,
        date_created: time::now(),
    })
}

/// Reads a write body key by key, noting each refused value under Close's name for the
/// field (`lead` for `lead_id`, as Close reports it).
struct Reader<'a> {
    body: &'a Map<String, Value>,
    errors: FieldErrors,
}

impl Reader<'_> {
    /// The value of `key` as `accept` reads it; `default` when the key is absent or null,
    /// or when `accept` refuses the value, in which case `message` is noted under `field`.
    fn read<T>(
        &mut self,
        key: &str,
        field: &str,
        message: &str,
        default: T,
        accept: impl FnOnce(&Value) -> Option<T>,
    ) -> T {
        match self.body.get(key) {
            None | Some(Value::Null) => default,
            Some(value) => accept(value).unwrap_or_else(|| {
                self.errors.entry(field.to_string()).or_insert_with(|| message.to_string());
                default
            }),
        }
    }
}

/// A task date: a day, or a moment with a time of day.
fn task_date(text: &str) -> Option<TaskDate> {
    if let Some(day) = time::parse_day(text) {
        return Some(TaskDate::Day(day));
    }
    time::parse_moment(text).map(|span| TaskDate::Moment(span.start))
}

/// The `TaskCompleted` activity for a task finished by the key's user.
fn completion(org: &mut Org, task: &Task) -> Activity {
    let now = time::now();
    Activity {
        id: org.ids.next("acti"),
        lead_id: task.lead_id.clone(),
        contact_id: task.contact_id.clone(),
        user: Org::KEY_USER,
        date_created: now,
        activity_at: now,
        detail: Detail::TaskCompleted {
            task_id: task.id.clone(),
            task_text: task.text.clone(),
            assigned_to: task.assigned_to,
        },
    }
}

/// `GET /task/`: filters `lead_id`, `_type` (`all` for every kind) and `is_complete`.
pub fn list_tasks(org: &Org, call: &Call) -> Answer {
    let params = list_params(call.query, MAX_LIMIT, call.max_skip)?;
    let lead_id = param(call.query, "lead_id");
    let kind = param(call.query, "_type").unwrap_or("lead");
    if kind != "all" && !KNOWN_KINDS.contains(&kind) {
        return Err(Reply::bad_request(format!("'{kind}' is not a task type.")));
    }
    let complete = match param(call.query, "is_complete") {
        None => None,
        Some("true" | "True" | "1") => Some(true),
        Some("false" | "False" | "0") => Some(false),
        Some(other) => {
            return Err(Reply::bad_request(format!("is_complete must be true or false, not '{other}'.")));
        }
    };
    let rows = org
        .tasks
        .iter()
        .filter(|t| lead_id.is_none_or(|id| t.lead_id == id))
        .filter(|t| kind == "all" || t.kind == kind)
        .filter(|t| complete.is_none_or(|done| t.is_complete == done))
        .map(|task| TaskView { org, task });
    let total = rows.clone().count();
    let page = rows.skip(params.skip).take(params.limit);
    Ok(list_reply(page, params.has_more(total), None, params.fields.as_ref()))
}

/// Every task type Close lists, including those only Close itself creates.
const KNOWN_KINDS: [&str; 9] = [
    "lead",
    "outgoing_call",
    "incoming_email",
    "email_followup",
    "missed_call",
    "voicemail",
    "answered_detached_call",
    "opportunity_due",
    "incoming_sms",
];

/// `GET /task/{id}/`.
pub fn get_task(org: &Org, id: &str, call: &Call) -> Answer {
    let task = org.tasks.get(id).ok_or_else(|| Reply::no_such("Task"))?;
    Ok(object_reply(&TaskView { org, task }, paging::fields_param(call.query).as_ref()))
}
