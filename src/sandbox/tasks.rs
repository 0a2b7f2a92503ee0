//! The task endpoints: create, list, read.
//!
//! Only `lead` and `outgoing_call` tasks can be created through the API, and a task needs a
//! lead. A task created complete also writes the `TaskCompleted` activity Close records and
//! points at it through `object_type`/`object_id`. Untyped lists return only `lead` tasks,
//! as Close's do; `_type=all` returns every kind. Lists come newest first (Close's default
//! order for tasks is not documented).

use serde_json::Value;

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
fn read_task(org: &mut Org, body: &serde_json::Map<String, Value>) -> Result<Task, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut fail = |key: &str, message: &str| {
        errors.insert(key.to_string(), message.to_string());
    };

    let kind = match body.get("_type") {
        None | Some(Value::Null) => "lead",
        Some(Value::String(kind)) if CREATABLE.contains(&kind.as_str()) => {
            if kind == "lead" {
                "lead"
            } else {
                "outgoing_call"
            }
        }
        Some(_) => {
            fail("_type", "Only lead and outgoing_call tasks can be created.");
            "lead"
        }
    };
    let lead_id = match body.get("lead_id") {
        None | Some(Value::Null) => {
            fail("lead", "This field is required.");
            String::new()
        }
        Some(Value::String(id)) if org.leads.get(id).is_some() => id.clone(),
        Some(_) => {
            fail("lead", "Object does not exist.");
            String::new()
        }
    };
    let text = match body.get("text") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(_) => {
            fail("text", "Not a valid string.");
            String::new()
        }
    };
    let assigned_to = match body.get("assigned_to") {
        None | Some(Value::Null) => Org::KEY_USER,
        Some(Value::String(id)) if org.user_index(id).is_some() => org.user_index(id).unwrap_or(0),
        Some(_) => {
            fail("assigned_to", "Object does not exist.");
            Org::KEY_USER
        }
    };
    let date = match body.get("date") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => task_date(text).or_else(|| {
            fail("date", "Enter a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM:SS+00:00).");
            None
        }),
        Some(_) => {
            fail("date", "Enter a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM:SS+00:00).");
            None
        }
    };
    let is_complete = match body.get("is_complete") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(done)) => *done,
        Some(_) => {
            fail("is_complete", "Must be true or false.");
            false
        }
    };
    let contact_id = match body.get("contact_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) if org.contact(id).is_some_and(|(lead, _)| lead.id == lead_id) => {
            Some(id.clone())
        }
        Some(_) => {
            fail("contact", "Object does not exist.");
            None
        }
    };
    if !errors.is_empty() {
        return Err(errors);
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
