//! Which endpoint a path names, and which methods it answers.
//!
//! Paths here are relative to `/api/v1` and end with a slash, as every documented Close
//! path does. Finding the route is kept apart from running it, so the server can tell an
//! unknown path (404) from a known path with the wrong method (405) before it looks at the
//! API key.

use super::model::ActivityType;

/// A known endpoint, with the IDs its path carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Me,
    Users,
    User(String),
    LeadStatuses,
    LeadFields,
    LeadField(String),
    Leads,
    Lead(String),
    Contacts,
    Contact(String),
    Activities,
    ActivitiesOf(ActivityType),
    ActivityOf(ActivityType, String),
    Tasks,
    Task(String),
}

impl Route {
    /// The route of a slash-terminated path relative to `/api/v1`, if there is one.
    pub fn find(path: &str) -> Option<Route> {
        let inner = path.strip_prefix('/')?.strip_suffix('/')?;
        let parts: Vec<&str> = inner.split('/').collect();
        if parts.iter().any(|p| p.is_empty()) {
            return None;
        }
        let id = |s: &str| s.to_string();
        let route = match parts.as_slice() {
            ["me"] => Route::Me,
            ["user"] => Route::Users,
            ["user", user] => Route::User(id(user)),
            ["status", "lead"] => Route::LeadStatuses,
            // Older clients use the plural; Close still answered it when last recorded.
            ["custom_field" | "custom_fields", "lead"] => Route::LeadFields,
            ["custom_field" | "custom_fields", "lead", field] => Route::LeadField(id(field)),
            ["lead"] => Route::Leads,
            ["lead", lead] => Route::Lead(id(lead)),
            ["contact"] => Route::Contacts,
            ["contact", contact] => Route::Contact(id(contact)),
            ["activity"] => Route::Activities,
            ["activity", kind] => Route::ActivitiesOf(activity_type(kind)?),
            ["activity", kind, activity] => Route::ActivityOf(activity_type(kind)?, id(activity)),
            ["task"] => Route::Tasks,
            ["task", task] => Route::Task(id(task)),
            _ => return None,
        };
        Some(route)
    }

    /// The methods this endpoint answers.
    pub fn methods(&self) -> &'static [&'static str] {
        match self {
            Route::Leads | Route::Tasks => &["GET", "POST"],
            Route::Lead(_) => &["GET", "PUT", "DELETE"],
            _ => &["GET"],
        }
    }
}

/// The activity kind of a per-type path segment such as `sms`.
fn activity_type(segment: &str) -> Option<ActivityType> {
    ActivityType::ALL.into_iter().find(|kind| kind.path_name() == segment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_routes_and_their_ids() {
        assert_eq!(Route::find("/lead/"), Some(Route::Leads));
        assert_eq!(Route::find("/lead/lead_abc123XYZ/"), Some(Route::Lead("lead_abc123XYZ".into())));
        assert_eq!(Route::find("/custom_fields/lead/"), Some(Route::LeadFields));
        assert_eq!(Route::find("/activity/sms/"), Some(Route::ActivitiesOf(ActivityType::Sms)));
        assert_eq!(Route::find("/activity/fax/"), None);
        assert_eq!(Route::find("/lead"), None);
        assert_eq!(Route::find("/lead//"), None);
        assert_eq!(Route::find("/nothing/"), None);
    }
}
