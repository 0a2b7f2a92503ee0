//! The JSON shapes of leads, contacts, tasks and activities.
//!
//! Each view pairs a stored object with its organisation (for status labels, user names and
//! field names) and writes the object exactly as Close does, straight into the serializer
//! without building a `serde_json::Value` first: a page of a hundred leads is written for
//! every list call, and this keeps that cheap. Key order follows Close's responses loosely.

use std::fmt;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::model::{Activity, Contact, Detail, Lead, Task, TaskDate};
use super::store::Org;
use super::time::{self, Plain};

/// The number the organisation calls and texts from, for `local_phone`.
const LOCAL_PHONE: (&str, &str) = ("+14155550199", "+1 415-555-0199");

/// An empty JSON list.
const NONE: [u8; 0] = [];

/// A lead as `GET /lead/{id}/` answers it.
pub struct LeadView<'a> {
    pub org: &'a Org,
    pub lead: &'a Lead,
}

/// A contact as `GET /contact/{id}/` answers it and as leads embed it.
pub struct ContactView<'a> {
    pub org: &'a Org,
    pub lead: &'a Lead,
    pub contact: &'a Contact,
}

/// A task as `GET /task/{id}/` answers it and as leads embed it.
pub struct TaskView<'a> {
    pub org: &'a Org,
    pub task: &'a Task,
}

/// An activity of any type.
pub struct ActivityView<'a> {
    pub org: &'a Org,
    pub activity: &'a Activity,
}

/// The one integration link Close adds to every lead.
#[derive(Serialize)]
struct IntegrationLink<'a> {
    name: &'static str,
    url: Text<SearchUrl<'a>>,
}

impl Serialize for LeadView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (org, lead) = (self.org, self.lead);
        let status = &org.statuses[lead.status];
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("id", &lead.id)?;
        map.serialize_entry("name", &lead.name)?;
        map.serialize_entry("display_name", lead.display_name())?;
        map.serialize_entry("description", &lead.description)?;
        map.serialize_entry("url", &lead.url)?;
        map.serialize_entry("status_id", &status.id)?;
        map.serialize_entry("status_label", &status.label)?;
        map.serialize_entry("html_url", &Text(format_args!("https://app.close.com/lead/{}/", lead.id)))?;
        map.serialize_entry("organization_id", &org.id)?;
        write_user(&mut map, org, ("created_by", "created_by_name"), lead.created_by)?;
        write_user(&mut map, org, ("updated_by", "updated_by_name"), lead.updated_by)?;
        map.serialize_entry("date_created", &lead.date_created)?;
        map.serialize_entry("date_updated", &lead.date_updated)?;
        map.serialize_entry("addresses", &lead.addresses)?;
        map.serialize_entry("contacts", &Contacts(org, lead))?;
        map.serialize_entry("opportunities", &NONE)?;
        map.serialize_entry("tasks", &OpenTasks(org, lead))?;
        map.serialize_entry("integration_links", &[search_link(lead.display_name())])?;

        // Custom values twice: the deprecated dict by field name, then one key per field.
        map.serialize_entry("custom", &CustomByName(org, lead))?;
        for (field, value) in &lead.custom {
            map.serialize_entry(&org.fields[*field].key, value)?;
        }
        map.end()
    }
}

/// The lead's contacts as a JSON list.
struct Contacts<'a>(&'a Org, &'a Lead);

impl Serialize for Contacts<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Contacts(org, lead) = *self;
        serializer.collect_seq(lead.contacts.iter().map(|contact| ContactView { org, lead, contact }))
    }
}

/// The lead's incomplete tasks as a JSON list.
struct OpenTasks<'a>(&'a Org, &'a Lead);

impl Serialize for OpenTasks<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let OpenTasks(org, lead) = *self;
        serializer.collect_seq(org.open_tasks(&lead.id).map(|task| TaskView { org, task }))
    }
}

/// The deprecated `custom` object: values keyed by field name.
struct CustomByName<'a>(&'a Org, &'a Lead);

impl Serialize for CustomByName<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let CustomByName(org, lead) = *self;
        serializer.collect_map(lead.custom.iter().map(|(field, value)| (&org.fields[*field].name, value)))
    }
}

impl Serialize for ContactView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (org, contact) = (self.org, self.contact);
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("id", &contact.id)?;
        map.serialize_entry("lead_id", &self.lead.id)?;
        map.serialize_entry("name", &contact.name)?;
        map.serialize_entry("display_name", &contact.name)?;
        map.serialize_entry("title", &contact.title)?;
        map.serialize_entry("emails", &contact.emails)?;
        map.serialize_entry("phones", &contact.phones)?;
        map.serialize_entry("urls", &contact.urls)?;
        map.serialize_entry("integration_links", &NONE)?;
        map.serialize_entry("organization_id", &org.id)?;
        map.serialize_entry("created_by", &org.users[contact.created_by].id)?;
        map.serialize_entry("updated_by", &org.users[contact.created_by].id)?;
        map.serialize_entry("date_created", &contact.date_created)?;
        map.serialize_entry("date_updated", &contact.date_created)?;
        map.end()
    }
}

impl Serialize for TaskView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (org, task) = (self.org, self.task);
        let lead = org.leads.get(&task.lead_id);
        let contact_name = task.contact_id.as_deref().and_then(|id| org.contact(id)).map(|(_, c)| &c.name);
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("id", &task.id)?;
        map.serialize_entry("_type", task.kind)?;
        map.serialize_entry("lead_id", &task.lead_id)?;
        map.serialize_entry("lead_name", &lead.map(Lead::display_name))?;
        map.serialize_entry("contact_id", &task.contact_id)?;
        map.serialize_entry("contact_name", &contact_name)?;
        map.serialize_entry("text", &task.text)?;
        write_user(&mut map, org, ("assigned_to", "assigned_to_name"), task.assigned_to)?;

        // Without a date Close answers today's date but marks the task dateless.
        match task.date {
            Some(TaskDate::Day(day)) => map.serialize_entry("date", &day)?,
            Some(TaskDate::Moment(moment)) => map.serialize_entry("date", &Plain(moment))?,
            None => map.serialize_entry("date", &time::today())?,
        }
        map.serialize_entry("due_date", &task.date.map(TaskDate::day))?;
        map.serialize_entry("is_dateless", &task.date.is_none())?;
        map.serialize_entry("is_complete", &task.is_complete)?;
        map.serialize_entry("view", task_view(task))?;
        let object_type = task.completed_activity.as_ref().map(|_| "taskcompleted");
        map.serialize_entry("object_type", &object_type)?;
        map.serialize_entry("object_id", &task.completed_activity)?;
        write_user(&mut map, org, ("created_by", "created_by_name"), task.created_by)?;
        write_user(&mut map, org, ("updated_by", "updated_by_name"), task.created_by)?;
        map.serialize_entry("organization_id", &org.id)?;
        map.serialize_entry("date_created", &task.date_created)?;
        map.serialize_entry("date_updated", &task.date_created)?;
        map.end()
    }
}

/// Which inbox view a task shows in: done ones are archived, future ones wait.
fn task_view(task: &Task) -> &'static str {
    match task.date {
        _ if task.is_complete => "archive",
        Some(date) if date.day() > time::today() => "future",
        _ => "inbox",
    }
}

impl Serialize for ActivityView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (org, activity) = (self.org, self.activity);
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("id", &activity.id)?;
        map.serialize_entry("_type", activity.kind().type_name())?;
        map.serialize_entry("lead_id", &activity.lead_id)?;
        map.serialize_entry("contact_id", &activity.contact_id)?;
        map.serialize_entry("user_id", &org.users[activity.user].id)?;
        map.serialize_entry("user_name", &org.users[activity.user].name)?;
        map.serialize_entry("users", &NONE)?;
        map.serialize_entry("organization_id", &org.id)?;
        write_user(&mut map, org, ("created_by", "created_by_name"), activity.user)?;
        write_user(&mut map, org, ("updated_by", "updated_by_name"), activity.user)?;
        map.serialize_entry("date_created", &activity.date_created)?;
        map.serialize_entry("date_updated", &activity.date_created)?;
        map.serialize_entry("activity_at", &activity.activity_at)?;
        write_detail(&mut map, org, activity)?;
        map.end()
    }
}

/// Writes the per-type fields of an activity.
fn write_detail<M: SerializeMap>(map: &mut M, org: &Org, activity: &Activity) -> Result<(), M::Error> {
    let at = Plain(activity.activity_at);
    match &activity.detail {
        Detail::Email { subject, body_text, incoming, sender, to } => {
            map.serialize_entry("subject", subject)?;
            map.serialize_entry("body_text", body_text)?;
            map.serialize_entry("body_html", &paragraphs(body_text))?;
            map.serialize_entry("body_preview", &preview(body_text))?;
            map.serialize_entry("direction", if *incoming { "incoming" } else { "outgoing" })?;
            map.serialize_entry("status", if *incoming { "inbox" } else { "sent" })?;
            map.serialize_entry("sender", sender)?;
            map.serialize_entry("to", to)?;
            map.serialize_entry("cc", &NONE)?;
            map.serialize_entry("bcc", &NONE)?;
            map.serialize_entry("date_sent", &at)?;
            map.serialize_entry("date_scheduled", &None::<()>)?;
            map.serialize_entry("template_id", &None::<()>)?;
            map.serialize_entry("opens", &NONE)?;
            map.serialize_entry("attachments", &NONE)?;
        }
        Detail::Call { note, outbound, duration, disposition, remote_phone } => {
            map.serialize_entry("note", note)?;
            map.serialize_entry("note_html", &paragraphs(note))?;
            map.serialize_entry("direction", if *outbound { "outbound" } else { "inbound" })?;
            map.serialize_entry("status", "completed")?;
            map.serialize_entry("disposition", disposition)?;
            map.serialize_entry("duration", duration)?;
            map.serialize_entry("phone", &remote_phone.phone)?;
            map.serialize_entry("remote_phone", &remote_phone.phone)?;
            map.serialize_entry("remote_phone_formatted", &remote_phone.phone_formatted)?;
            map.serialize_entry("local_phone", LOCAL_PHONE.0)?;
            map.serialize_entry("local_phone_formatted", LOCAL_PHONE.1)?;
            map.serialize_entry("source", "External")?;
            map.serialize_entry("recording_url", &None::<()>)?;
            map.serialize_entry("voicemail_url", &None::<()>)?;
            let answered = (disposition == "answered").then_some(at);
            map.serialize_entry("date_answered", &answered)?;
            map.serialize_entry("cost", &None::<()>)?;
        }
        Detail::Note { note } => {
            map.serialize_entry("note", note)?;
            map.serialize_entry("note_html", &format!("<body>{}</body>", paragraphs(note)))?;
            map.serialize_entry("title", &None::<()>)?;
            map.serialize_entry("pinned", &false)?;
            map.serialize_entry("attachments", &NONE)?;
        }
        Detail::Sms { text, outbound, remote_phone } => {
            map.serialize_entry("text", text)?;
            map.serialize_entry("direction", if *outbound { "outbound" } else { "inbound" })?;
            map.serialize_entry("status", if *outbound { "sent" } else { "inbox" })?;
            map.serialize_entry("local_phone", LOCAL_PHONE.0)?;
            map.serialize_entry("local_phone_formatted", LOCAL_PHONE.1)?;
            map.serialize_entry("remote_phone", &remote_phone.phone)?;
            map.serialize_entry("remote_phone_formatted", &remote_phone.phone_formatted)?;
            map.serialize_entry("date_sent", &at)?;
            map.serialize_entry("date_scheduled", &None::<()>)?;
            map.serialize_entry("error_message", &None::<()>)?;
            map.serialize_entry("attachments", &NONE)?;
            map.serialize_entry("source", "Close.io")?;
        }
        Detail::Meeting { title, note, minutes, attendees } => {
            let ends = Plain(activity.activity_at.plus_seconds(i64::from(*minutes) * 60));
            map.serialize_entry("title", title)?;
            map.serialize_entry("note", note)?;
            map.serialize_entry("starts_at", &at)?;
            map.serialize_entry("ends_at", &ends)?;
            map.serialize_entry("duration", &(minutes * 60))?;
            map.serialize_entry("attendees", &Attendees(org, activity, attendees))?;
            map.serialize_entry("location", &None::<()>)?;
            map.serialize_entry("status", "completed")?;
            map.serialize_entry("source", "calendar")?;
            map.serialize_entry("calendar_event_link", &None::<()>)?;
            map.serialize_entry("is_recurring", &false)?;
        }
        Detail::TaskCompleted { task_id, task_text, assigned_to } => {
            map.serialize_entry("task_id", task_id)?;
            map.serialize_entry("task_text", task_text)?;
            write_user(map, org, ("task_assigned_to", "task_assigned_to_name"), *assigned_to)?;
        }
    }
    Ok(())
}

/// A meeting's attendees: the organising user first, then the guests.
struct Attendees<'a>(&'a Org, &'a Activity, &'a [(String, String)]);

/// One attendee of a meeting.
#[derive(Serialize)]
struct Attendee<'a> {
    email: &'a str,
    name: &'a str,
    status: &'static str,
    is_organizer: bool,
    user_id: Option<&'a str>,
    contact_id: Option<&'a str>,
}

impl Serialize for Attendees<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Attendees(org, activity, guests) = *self;
        let user = &org.users[activity.user];
        let organiser = Attendee {
            email: &user.email,
            name: &user.name,
            status: "yes",
            is_organizer: true,
            user_id: Some(&user.id),
            contact_id: None,
        };
        let guests = guests.iter().map(|(name, email)| Attendee {
            email,
            name,
            status: "yes",
            is_organizer: false,
            user_id: None,
            contact_id: None,
        });
        serializer.collect_seq(std::iter::once(organiser).chain(guests))
    }
}

/// Writes `<key>` with a user's ID and `<key>_name` with the user's name.
fn write_user<M: SerializeMap>(
    map: &mut M,
    org: &Org,
    (id_key, name_key): (&str, &str),
    user: usize,
) -> Result<(), M::Error> {
    let user = &org.users[user];
    map.serialize_entry(id_key, &user.id)?;
    map.serialize_entry(name_key, &user.name)
}

/// The Google search link Close lists under `integration_links`.
fn search_link(name: &str) -> IntegrationLink<'_> {
    IntegrationLink { name: "Google Search", url: Text(SearchUrl(name)) }
}

/// Writes a `Display` value as a JSON string without building a `String` first.
struct Text<T>(T);

impl<T: fmt::Display> Serialize for Text<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

/// A Google search URL for a lead name.
struct SearchUrl<'a>(&'a str);

impl fmt::Display for SearchUrl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("https://google.com/search?q=")?;
        form_urlencoded::byte_serialize(self.0.as_bytes()).try_for_each(|piece| f.write_str(piece))
    }
}

/// Plain text as HTML paragraphs, one per line; empty text stays empty.
fn paragraphs(text: &str) -> String {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| format!("<p>{}</p>", escape_html(line)))
        .collect()
}

/// The first words of a body, on one line, as Close shows in lists.
fn preview(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(100) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
