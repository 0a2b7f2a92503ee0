//! The objects an organisation holds, as plain data.
//!
//! These types store what a Close object is, not how it is written out: `render.rs` turns
//! them into the JSON shapes of the API. Statuses, custom fields and users never change
//! while the sandbox runs, so leads and tasks refer to them by position in the
//! organisation's lists rather than by ID string.

use serde::Serialize;
use serde_json::Value;

use super::time::{Day, Timestamp};

/// A member of the organisation.
#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    /// "First Last", the form Close uses in `*_name` fields; kept ready for rendering.
    pub name: String,
    pub email: String,
    pub date_created: Timestamp,
}

/// A lead status such as "Potential".
#[derive(Debug, Clone)]
pub struct Status {
    pub id: String,
    pub label: String,
}

/// The value type of a custom field.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldType {
    /// Free text; values are strings.
    Text,
    /// One of a fixed list of strings.
    Choices(Vec<String>),
    /// A JSON number (what Close sends for number fields is not documented; a number is
    /// the natural reading).
    Number,
    /// A day written `YYYY-MM-DD`.
    Date,
}

impl FieldType {
    /// The name Close gives the type in field definitions.
    pub fn name(&self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Choices(_) => "choices",
            FieldType::Number => "number",
            FieldType::Date => "date",
        }
    }
}

/// A lead custom field definition.
#[derive(Debug, Clone)]
pub struct CustomField {
    pub id: String,
    pub name: String,
    pub kind: FieldType,
    /// `custom.<id>`, kept ready because every rendered lead writes it.
    pub key: String,
    pub date_created: Timestamp,
}

/// A postal address on a lead.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Address {
    pub label: String,
    pub address_1: Option<String>,
    pub address_2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zipcode: Option<String>,
    pub country: Option<String>,
}

/// An email address on a contact.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Email {
    pub email: String,
    #[serde(rename = "type")]
    pub kind: String,
}

/// A phone number on a contact, already normalised to E.164.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Phone {
    pub phone: String,
    pub phone_formatted: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub country: Option<String>,
}

/// A web address on a contact.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    pub url: String,
    #[serde(rename = "type")]
    pub kind: String,
}

/// A person at a lead.
#[derive(Debug, Clone)]
pub struct Contact {
    pub id: String,
    pub name: String,
    pub title: Option<String>,
    pub emails: Vec<Email>,
    pub phones: Vec<Phone>,
    pub urls: Vec<Link>,
    /// Position of the creating user in the organisation's user list.
    pub created_by: usize,
    pub date_created: Timestamp,
}

/// A company or person the organisation sells to; contacts live inside it.
#[derive(Debug, Clone)]
pub struct Lead {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub url: Option<String>,
    /// Position in the organisation's status list.
    pub status: usize,
    pub addresses: Vec<Address>,
    pub contacts: Vec<Contact>,
    /// Values by position in the organisation's field list, in that order, set ones only.
    pub custom: Vec<(usize, Value)>,
    pub created_by: usize,
    pub updated_by: usize,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
    /// The name, contact names and emails, lower-cased and joined, for free-text search.
    /// `Org::insert_lead` fills it in; writes that change those parts refresh it.
    pub search_text: String,
}

impl Lead {
    /// Recomputes `search_text` from the lead's current name and contacts. One string per
    /// lead keeps a free-text search to one memory read per lead instead of a handful.
    pub fn refresh_search_text(&mut self) {
        let mut text = self.name.to_lowercase();
        for contact in &self.contacts {
            text.push('\0');
            text.push_str(&contact.name.to_lowercase());
            for email in &contact.emails {
                text.push('\0');
                text.push_str(&email.email.to_lowercase());
            }
        }
        self.search_text = text;
    }

    /// What Close shows for the lead: its name, or the first contact's name when the name is
    /// empty (a choice; what Close shows then is not documented).
    pub fn display_name(&self) -> &str {
        if !self.name.is_empty() {
            return &self.name;
        }
        self.contacts.first().map(|c| c.name.as_str()).unwrap_or("")
    }

    /// The stored value of the field at position `field`, if set.
    pub fn custom_value(&self, field: usize) -> Option<&Value> {
        self.custom.iter().find(|(index, _)| *index == field).map(|(_, value)| value)
    }
}

/// The activity kinds the sandbox stores, with their `_type` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityType {
    Email,
    Call,
    Note,
    Sms,
    Meeting,
    TaskCompleted,
}

impl ActivityType {
    /// Every stored kind, in the order the per-type routes are tried.
    pub const ALL: [ActivityType; 6] = [
        ActivityType::Email,
        ActivityType::Call,
        ActivityType::Note,
        ActivityType::Sms,
        ActivityType::Meeting,
        ActivityType::TaskCompleted,
    ];

    /// The `_type` string, CamelCase as Close writes it (`SMS` in capitals).
    pub fn type_name(self) -> &'static str {
        match self {
            ActivityType::Email => "Email",
            ActivityType::Call => "Call",
            ActivityType::Note => "Note",
            ActivityType::Sms => "SMS",
            ActivityType::Meeting => "Meeting",
            ActivityType::TaskCompleted => "TaskCompleted",
        }
    }

    /// The path segment of the per-type endpoint, e.g. `/activity/sms/`.
    pub fn path_name(self) -> &'static str {
        match self {
            ActivityType::Email => "email",
            ActivityType::Call => "call",
            ActivityType::Note => "note",
            ActivityType::Sms => "sms",
            ActivityType::Meeting => "meeting",
            ActivityType::TaskCompleted => "task_completed",
        }
    }
}

/// Something that happened on a lead: an email, a call, a note...
#[derive(Debug, Clone)]
pub struct Activity {
    pub id: String,
    pub lead_id: String,
    pub contact_id: Option<String>,
    /// Position in the organisation's user list.
    pub user: usize,
    pub date_created: Timestamp,
    pub activity_at: Timestamp,
    pub detail: Detail,
}

/// The per-type part of an activity.
#[derive(Debug, Clone)]
pub enum Detail {
    Email { subject: String, body_text: String, incoming: bool, sender: String, to: Vec<String> },
    Call { note: String, outbound: bool, duration: u32, disposition: String, remote_phone: Phone },
    Note { note: String },
    Sms { text: String, outbound: bool, remote_phone: Phone },
    Meeting { title: String, note: String, minutes: u32, attendees: Vec<(String, String)> },
    TaskCompleted { task_id: String, task_text: String, assigned_to: usize },
}

impl Activity {
    /// Which kind of activity this is.
    pub fn kind(&self) -> ActivityType {
        match self.detail {
            Detail::Email { .. } => ActivityType::Email,
            Detail::Call { .. } => ActivityType::Call,
            Detail::Note { .. } => ActivityType::Note,
            Detail::Sms { .. } => ActivityType::Sms,
            Detail::Meeting { .. } => ActivityType::Meeting,
            Detail::TaskCompleted { .. } => ActivityType::TaskCompleted,
        }
    }
}

/// When a task becomes actionable: a whole day or a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskDate {
    Day(Day),
    Moment(Timestamp),
}

impl TaskDate {
    /// The day part, which Close also sends as the deprecated `due_date`.
    pub fn day(self) -> Day {
        match self {
            TaskDate::Day(day) => day,
            TaskDate::Moment(moment) => moment.day(),
        }
    }
}

/// A to-do on a lead.
#[derive(Debug, Clone)]
pub struct Task {
    pub id: String,
    /// `lead` or `outgoing_call`, the two kinds the API lets clients create.
    pub kind: &'static str,
    pub lead_id: String,
    pub contact_id: Option<String>,
    pub text: String,
    pub assigned_to: usize,
    /// `None` for a dateless task.
    pub date: Option<TaskDate>,
    pub is_complete: bool,
    /// The `TaskCompleted` activity written when the task was completed.
    pub completed_activity: Option<String>,
    pub created_by: usize,
    pub date_created: Timestamp,
}
