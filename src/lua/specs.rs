//! The one table of function specs.
//!
//! Every function under `app.integrations.close` is described here once: its HTTP call, its
//! parameters with their types, limits and the names the API uses, and a description. The
//! validator reads this table before any request is sent, and the help and reference
//! output are generated from it, so they cannot drift apart.

use crate::close::Method;

/// The Lua type a parameter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    String,
    Integer,
    Boolean,
    /// A Lua list (a table with keys 1..n), sent as a JSON array.
    Array,
    /// A Lua table with string keys, sent as a JSON object.
    Object,
}

impl ParamType {
    /// The type's name in messages and docs.
    pub fn name(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Integer => "integer",
            ParamType::Boolean => "boolean",
            ParamType::Array => "array",
            ParamType::Object => "object",
        }
    }
}

/// What the text of a string parameter must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Any text.
    Any,
    /// A date (`2026-04-15`) or an ISO 8601 date and time (`2026-04-15T09:00:00+00:00`), the
    /// two forms Close takes for a task's `date`.
    Date,
}

/// A field of the records a list parameter holds, such as a contact's `name` or `emails`.
#[derive(Debug)]
pub struct RecordField {
    /// The field's name, as scripts and Close both write it.
    pub name: &'static str,
    /// When the field is a list of records itself (`emails`), the fields of each of those;
    /// empty for a plain value.
    pub items: &'static [&'static str],
}

/// Fields that Close sets itself and returns on a contact and on its emails, phones and urls
/// (close-api.md §4.2). A contact copied from `get_lead` carries them; they are sent as they
/// are, and only a name that is neither one of these nor a field Close takes is refused.
pub const RETURNED_CONTACT_FIELDS: &[&str] = &[
    "id",
    "lead_id",
    "display_name",
    "organization_id",
    "created_by",
    "updated_by",
    "date_created",
    "date_updated",
    "integration_links",
    "phone_formatted",
    "country",
    "is_unsubscribed",
    "email_lower",
    "tz_ids",
];

/// The fields of a contact created with a lead, as Close documents them; a field by any
/// other name would be lost on the way. Custom fields (`custom.cf_...`) may be given too.
pub const CONTACT_FIELDS: &[RecordField] = &[
    RecordField { name: "name", items: &[] },
    RecordField { name: "title", items: &[] },
    RecordField { name: "emails", items: &["email", "type"] },
    RecordField { name: "phones", items: &["phone", "type"] },
    RecordField { name: "urls", items: &["url", "type"] },
];

/// One parameter of a function.
#[derive(Debug)]
pub struct Param {
    /// The name scripts use.
    pub name: &'static str,
    /// The Lua type it takes.
    pub kind: ParamType,
    /// Whether the call fails without it.
    pub required: bool,
    /// Where it goes in the request: a query parameter or body key, or `{id}` for the path.
    pub api_name: &'static str,
    /// The inclusive range of an integer.
    pub range: Option<(i64, i64)>,
    /// The values a string may take (any case); empty when any string is fine.
    pub choices: &'static [&'static str],
    /// Whether `json.null` may be given, to clear the field.
    pub nullable: bool,
    /// The form a string's text must have.
    pub format: Format,
    /// For a list of records (contacts), the fields each record may have; empty when the
    /// records are not checked field by field.
    pub record: &'static [RecordField],
    /// What it means, in a sentence.
    pub description: &'static str,
}

impl Param {
    /// An optional parameter without limits.
    const fn new(
        name: &'static str,
        kind: ParamType,
        api_name: &'static str,
        description: &'static str,
    ) -> Param {
        Param {
            name,
            kind,
            required: false,
            api_name,
            range: None,
            choices: &[],
            nullable: false,
            format: Format::Any,
            record: &[],
            description,
        }
    }

    /// The same parameter, required.
    const fn required(mut self) -> Param {
        self.required = true;
        self
    }

    /// The same parameter, limited to `min..=max`.
    const fn range(mut self, min: i64, max: i64) -> Param {
        self.range = Some((min, max));
        self
    }

    /// The same parameter, which `json.null` clears.
    const fn nullable(mut self) -> Param {
        self.nullable = true;
        self
    }

    /// The same parameter, limited to dates and dates with a time.
    const fn date(mut self) -> Param {
        self.format = Format::Date;
        self
    }

    /// The same parameter, a list of records with these fields.
    const fn records(mut self, fields: &'static [RecordField]) -> Param {
        self.record = fields;
        self
    }

    /// The same parameter, limited to these strings.
    const fn choices(mut self, choices: &'static [&'static str]) -> Param {
        self.choices = choices;
        self
    }
}

/// One function of `app.integrations.close`.
#[derive(Debug)]
pub struct FunctionSpec {
    /// The Lua name, also the name of its handler in `functions`.
    pub name: &'static str,
    /// What it does, in a sentence.
    pub summary: &'static str,
    /// The HTTP method of its call.
    pub method: Method,
    /// The API path it calls, with `{id}` where a parameter goes.
    pub path: &'static str,
    /// Its parameters, in the order docs list them.
    pub params: &'static [Param],
    /// The shape of what it returns.
    pub returns: &'static str,
    /// Whether it returns an iterator for a generic `for` rather than a value.
    pub iterator: bool,
    /// A short script that uses it, runnable against the sandbox.
    pub example: &'static str,
}

impl FunctionSpec {
    /// A parameter by name.
    pub fn param(&self, name: &str) -> Option<&'static Param> {
        self.params.iter().find(|param| param.name == name)
    }
}

/// The largest page a list function asks for.
pub const MAX_LIMIT: i64 = 100;

/// The page size when a script does not give `limit`.
pub const DEFAULT_LIMIT: i64 = 25;

/// The activity types `list_activities` filters by.
pub const ACTIVITY_TYPES: &[&str] = &["email", "call", "note", "sms", "meeting"];

use ParamType::{Array, Boolean, Integer, Object, String as Str};

const LIMIT: Param =
    Param::new("limit", Integer, "_limit", "How many records to return in one page (25 when left out).")
        .range(1, MAX_LIMIT);
const SKIP: Param =
    Param::new("skip", Integer, "_skip", "How many matching records to pass over before the page starts.")
        .range(0, i64::MAX);

const PAGE_SIZE: Param =
    Param::new("page_size", Integer, "_limit", "How many records each request fetches (100 when left out).")
        .range(1, MAX_LIMIT);

/// Every function, in the order the reference lists them.
pub static FUNCTIONS: &[FunctionSpec] = &[
    FunctionSpec {
        name: "list_leads",
        summary: "Find leads with Close's search syntax and return one page of them.",
        method: Method::Get,
        path: "/lead/",
        params: &[
            Param::new(
                "query",
                Str,
                "query",
                "A Close search, e.g. \"name:Acme\", \"status:Qualified\", \"custom.Industry:SaaS\"; all leads when left out.",
            ),
            LIMIT,
            SKIP,
        ],
        returns: "{ leads = { lead, ... }, has_more = boolean, total_results = integer or nil }",
        iterator: false,
        example: r#"local page = app.integrations.close.list_leads({ query = "status:Qualified", limit = 50 })
print(page.total_results .. " qualified leads")
for _, lead in ipairs(page.leads) do
  print(lead.id, lead.display_name)
end"#,
    },
    FunctionSpec {
        name: "get_lead",
        summary: "Fetch one lead with its contacts, addresses and custom fields.",
        method: Method::Get,
        path: "/lead/{id}/",
        params: &[Param::new("id", Str, "{id}", "The lead's id, which starts with \"lead_\".").required()],
        returns: "the lead; lead.custom holds custom field values by field name",
        iterator: false,
        example: r#"local lead = app.integrations.close.get_lead({ id = "lead_abc123XYZ" })
print(lead.display_name, lead.custom.Industry or "-")
for _, contact in ipairs(lead.contacts) do
  print("  " .. contact.display_name)
end"#,
    },
    FunctionSpec {
        name: "create_lead",
        summary: "Create a lead, with any contacts given inline.",
        method: Method::Post,
        path: "/lead/",
        params: &[
            Param::new("name", Str, "name", "The company's or lead's name.").required(),
            Param::new(
                "contacts",
                Array,
                "contacts",
                "Contacts to create with the lead: tables with name, title, emails = { { email, type } }, phones = { { phone, type } }, urls = { { url, type } }.",
            )
            .records(CONTACT_FIELDS),
            Param::new("url", Str, "url", "The company's web site."),
            Param::new("status_id", Str, "status_id", "The lead status to start in (a \"stat_...\" id)."),
            Param::new(
                "custom",
                Object,
                "custom.{field}",
                "Custom field values keyed by field name (or \"cf_...\" id).",
            ),
        ],
        returns: "the new lead",
        iterator: false,
        example: r#"local lead = app.integrations.close.create_lead({
  name = "Example Industries",
  url = "https://example.com",
  contacts = { { name = "Sam Example", emails = { { email = "sam@example.com", type = "office" } } } },
  custom = { Industry = "SaaS" },
})
print("created " .. lead.id)"#,
    },
    FunctionSpec {
        name: "update_lead",
        summary: "Change some fields of a lead; fields left out keep their values.",
        method: Method::Put,
        path: "/lead/{id}/",
        params: &[
            Param::new("id", Str, "{id}", "The lead to change.").required(),
            Param::new("name", Str, "name", "The new name."),
            Param::new("status_id", Str, "status_id", "The new lead status (a \"stat_...\" id)."),
            Param::new("url", Str, "url", "The new web site; json.null removes it.").nullable(),
            Param::new(
                "custom",
                Object,
                "custom.{field}",
                "Custom field values to set, keyed by field name (or \"cf_...\" id); json.null clears one.",
            ),
        ],
        returns: "the updated lead",
        iterator: false,
        example: r#"local lead = app.integrations.close.update_lead({
  id = "lead_abc123XYZ",
  url = json.null,                -- removes the website
  custom = { Industry = "Retail" },
})
print(lead.display_name, lead.custom.Industry)"#,
    },
    FunctionSpec {
        name: "delete_lead",
        summary: "Delete a lead for good, together with its contacts, activities and tasks.",
        method: Method::Delete,
        path: "/lead/{id}/",
        params: &[Param::new("id", Str, "{id}", "The lead to delete.").required()],
        returns: "true",
        iterator: false,
        example: r#"local lead = app.integrations.close.create_lead({ name = "Short-lived Co" })
app.integrations.close.delete_lead({ id = lead.id })"#,
    },
    FunctionSpec {
        name: "list_contacts",
        summary: "Return one page of contacts, of one lead or of the whole organisation.",
        method: Method::Get,
        path: "/contact/",
        params: &[Param::new("lead_id", Str, "lead_id", "Only the contacts of this lead."), LIMIT, SKIP],
        returns: "{ contacts = { contact, ... }, has_more = boolean }",
        iterator: false,
        example: r#"local page = app.integrations.close.list_contacts({ lead_id = "lead_abc123XYZ" })
for _, contact in ipairs(page.contacts) do
  print(contact.display_name, contact.emails[1] and contact.emails[1].email or "")
end"#,
    },
    FunctionSpec {
        name: "list_activities",
        summary: "Return one page of activities (emails, calls, notes, SMS, meetings), newest first.",
        method: Method::Get,
        path: "/activity/",
        params: &[
            Param::new("lead_id", Str, "lead_id", "Only the activities of this lead."),
            Param::new("type", Str, "_type", "Only activities of this type.").choices(ACTIVITY_TYPES),
            LIMIT,
            SKIP,
        ],
        returns: "{ activities = { activity, ... }, has_more = boolean }; each activity also has type and body_preview",
        iterator: false,
        example: r#"local page = app.integrations.close.list_activities({ lead_id = "lead_abc123XYZ", type = "call", limit = 10 })
for _, activity in ipairs(page.activities) do
  print(activity.date_created, activity.type, activity.body_preview)
end"#,
    },
    FunctionSpec {
        name: "create_task",
        summary: "Create a task on a lead.",
        method: Method::Post,
        path: "/task/",
        params: &[
            Param::new("text", Str, "text", "What is to be done.").required(),
            Param::new(
                "lead_id",
                Str,
                "lead_id",
                "The lead the task belongs to: Close creates tasks on leads only, so it is required.",
            )
            .required(),
            Param::new(
                "assignee_id",
                Str,
                "assigned_to",
                "The user to do it (a \"user_...\" id); yourself when left out.",
            ),
            Param::new(
                "due_date",
                Str,
                "date",
                "When it is due: a date (\"2026-04-15\") or an ISO 8601 date and time.",
            )
            .date(),
            Param::new(
                "is_complete",
                Boolean,
                "is_complete",
                "Whether it is already done (false when left out).",
            ),
        ],
        returns: "the new task",
        iterator: false,
        example: r#"local task = app.integrations.close.create_task({
  lead_id = "lead_abc123XYZ",
  text = "Send the renewal quote",
  due_date = "2026-12-15",
})
print(task.id, task.date)"#,
    },
    FunctionSpec {
        name: "get_current_user",
        summary: "Return the user the API key belongs to, with their organizations.",
        method: Method::Get,
        path: "/me/",
        params: &[],
        returns: "the user: id, first_name, last_name, email, organizations = { { id, name, ... } }, ...",
        iterator: false,
        example: r#"local me = app.integrations.close.get_current_user({})
print(me.first_name .. " " .. me.last_name .. " <" .. me.email .. ">")
for _, org in ipairs(me.organizations or {}) do
  print("member of " .. org.name)
end"#,
    },
    FunctionSpec {
        name: "iter_leads",
        summary: "Walk every lead matching a search, oldest first, fetching pages as the loop goes.",
        method: Method::Get,
        path: "/lead/",
        params: &[
            Param::new("query", Str, "query", "A Close search; all leads when left out."),
            Param::new(
                "snapshot",
                Boolean,
                "",
                "Collect the matching ids first, so that changes the loop makes to the leads neither skip nor repeat any.",
            ),
            PAGE_SIZE,
        ],
        returns: "an iterator: for lead in close.iter_leads({ ... }) do ... end",
        iterator: true,
        example: r#"local count = 0
for lead in app.integrations.close.iter_leads({ query = "custom.Industry:SaaS" }) do
  count = count + 1
end
print(count .. " SaaS leads")"#,
    },
    FunctionSpec {
        name: "iter_contacts",
        summary: "Walk every contact, of one lead or of the organisation, fetching pages as the loop goes.",
        method: Method::Get,
        path: "/contact/",
        params: &[Param::new("lead_id", Str, "lead_id", "Only the contacts of this lead."), PAGE_SIZE],
        returns: "an iterator: for contact in close.iter_contacts({ ... }) do ... end",
        iterator: true,
        example: r#"for contact in app.integrations.close.iter_contacts({ lead_id = "lead_abc123XYZ" }) do
  print(contact.display_name)
end"#,
    },
    FunctionSpec {
        name: "iter_activities",
        summary: "Walk every activity, newest first, fetching pages as the loop goes.",
        method: Method::Get,
        path: "/activity/",
        params: &[
            Param::new("lead_id", Str, "lead_id", "Only the activities of this lead."),
            Param::new("type", Str, "_type", "Only activities of this type.").choices(ACTIVITY_TYPES),
            PAGE_SIZE,
        ],
        returns: "an iterator: for activity in close.iter_activities({ ... }) do ... end; each activity also has type and body_preview",
        iterator: true,
        example: r#"for activity in app.integrations.close.iter_activities({ type = "meeting" }) do
  print(activity.date_created:sub(1, 10), activity.body_preview)
end"#,
    },
];

/// A function spec by its Lua name.
pub fn find(name: &str) -> Option<&'static FunctionSpec> {
    FUNCTIONS.iter().find(|spec| spec.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nine_functions_and_three_iterators_each_documented() {
        assert_eq!(FUNCTIONS.iter().filter(|spec| !spec.iterator).count(), 9);
        assert_eq!(FUNCTIONS.iter().filter(|spec| spec.iterator).count(), 3);
        for spec in FUNCTIONS {
            assert!(spec.summary.ends_with('.'), "{}", spec.name);
            assert!(spec.path.starts_with('/') && spec.path.ends_with('/'), "{}", spec.name);
            for param in spec.params {
                assert!(!param.description.is_empty(), "{}.{}", spec.name, param.name);
            }
        }
    }

    #[test]
    fn paging_limits() {
        let limit = find("list_leads").unwrap().param("limit").unwrap();
        assert_eq!((limit.range, limit.api_name), (Some((1, 100)), "_limit"));
        assert_eq!(find("create_task").unwrap().param("due_date").unwrap().api_name, "date");
    }
}
