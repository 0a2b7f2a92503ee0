//! Dry runs: writes reported on stderr instead of sent, and what a script gets back instead.
//!
//! Reads go through in a dry run, so the objects handed back are built from what the
//! account really holds: the current user (`/me/`) and the lead statuses, each read once,
//! and a lead's state before it is changed. They have the fields Close's own answers have.
//! What the dry run created, changed or deleted is remembered for the rest of the run, so a
//! script that creates a lead and then updates, reads or deletes it behaves as it would
//! against Close. Lists and searches still show the account as it is.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use serde_json::{Map, Value, json};

use super::Failure;
use super::functions::{AccountHandle, invalid_json, path_of_lead};
use crate::close::custom_fields;
use crate::close::{ApiError, FailureKind, Method};

/// The writes a dry run did not send, over every account.
#[derive(Debug, Default)]
pub struct DryRun {
    writes: RefCell<Vec<Method>>,
}

impl DryRun {
    /// Reports a write that is not sent, and returns its number (1 for the first).
    fn report(&self, method: Method, path: &str, body: Option<&Value>) -> usize {
        let body = body.map(|body| format!(" {body}")).unwrap_or_default();
        eprintln!("close-lua: dry run: {method} {path}{body}");
        let mut writes = self.writes.borrow_mut();
        writes.push(method);
        writes.len()
    }

    /// The closing line: how many writes were not sent, by method.
    pub fn summary(&self) -> String {
        let writes = self.writes.borrow();
        if writes.is_empty() {
            return "dry run: no writes".to_string();
        }
        let by_method: Vec<String> = [Method::Post, Method::Put, Method::Delete]
            .iter()
            .map(|method| (method, writes.iter().filter(|w| *w == method).count()))
            .filter(|(_, count)| *count > 0)
            .map(|(method, count)| format!("{count} {method}"))
            .collect();
        let noun = if writes.len() == 1 { "write was" } else { "writes were" };
        format!("dry run: {} {noun} not sent ({})", writes.len(), by_method.join(", "))
    }
}

/// What a dry run knows about one account.
#[derive(Debug)]
pub struct DryAccount {
    run: Rc<DryRun>,
    /// The key's user, read once.
    me: OnceCell<Me>,
    /// The lead statuses in Close's order, read once.
    statuses: OnceCell<Vec<Status>>,
    /// Leads as the dry run left them: created or changed ones whole, deleted ones `None`.
    leads: RefCell<HashMap<String, Option<Value>>>,
}

/// The user an account's key belongs to, as the objects it would create name them.
#[derive(Debug)]
struct Me {
    id: String,
    name: String,
    organization_id: Option<String>,
}

/// A lead status.
#[derive(Debug)]
struct Status {
    id: String,
    label: String,
}

impl DryAccount {
    /// An account in the dry run `run`.
    pub fn new(run: Rc<DryRun>) -> DryAccount {
        DryAccount { run, me: OnceCell::new(), statuses: OnceCell::new(), leads: RefCell::default() }
    }

    /// The lead as this dry run left it, when it created, changed or deleted it; `None`
    /// when the dry run has not touched it, so Close's answer stands.
    pub fn remembered_lead(
        &self,
        account: &AccountHandle,
        id: &str,
        method: Method,
        path: &str,
    ) -> Result<Option<Value>, Failure> {
        match self.leads.borrow().get(id) {
            Some(Some(lead)) => Ok(Some(lead.clone())),
            Some(None) => Err(deleted(account, method, path)),
            None => Ok(None),
        }
    }

    /// The lead `POST /lead/` with `body` would have created.
    pub fn create_lead(&self, account: &AccountHandle, body: &Value) -> Result<Value, Failure> {
        let me = self.me(account)?;
        let status = match body.get("status_id").and_then(Value::as_str) {
            Some(id) => Some(self.status(account, id)?),
            None => self.statuses(account)?.first(),
        };
        let number = self.run.report(Method::Post, "/lead/", Some(body));

        let id = format!("lead_dryrun_{number}");
        let now = now();
        let contacts: Vec<Value> = match body.get("contacts") {
            Some(Value::Array(contacts)) => contacts
                .iter()
                .enumerate()
                .map(|(index, contact)| {
                    dry_run_contact(contact, &format!("{number}_{}", index + 1), &id, me, &now)
                })
                .collect(),
            _ => Vec::new(),
        };
        let mut lead = json!({
            "id": id,
            "name": body.get("name"),
            "display_name": body.get("name"),
            "description": null,
            "url": body.get("url"),
            "status_id": status.map(|s| s.id.as_str()),
            "status_label": status.map(|s| s.label.as_str()),
            "html_url": format!("https://app.close.com/lead/{id}/"),
            "organization_id": me.organization_id,
            "created_by": me.id, "created_by_name": me.name,
            "updated_by": me.id, "updated_by_name": me.name,
            "date_created": now, "date_updated": now,
            "addresses": [], "contacts": contacts, "opportunities": [], "tasks": [], "integration_links": [],
        });
        let fields = lead.as_object_mut().expect("a lead is an object");
        for (key, value) in body.as_object().into_iter().flatten() {
            if key.starts_with("custom.") && !value.is_null() {
                fields.insert(key.clone(), value.clone());
            }
        }
        self.leads.borrow_mut().insert(id, Some(lead.clone()));
        Ok(lead)
    }

    /// The lead `PUT path` with `body` would have left: the current one (as Close has it,
    /// or as this dry run left it) with the changes.
    pub fn update_lead(
        &self,
        account: &AccountHandle,
        id: &str,
        path: &str,
        body: &Value,
    ) -> Result<Value, Failure> {
        let mut lead = self.current_lead(account, id, Method::Put, path)?;
        let me = self.me(account)?;
        let changes = body.as_object().cloned().unwrap_or_default();
        let status = match changes.get("status_id").and_then(Value::as_str) {
            Some(status_id) => Some(self.status(account, status_id)?),
            None => None,
        };
        let names = if changes.keys().any(|key| key.starts_with("custom.")) {
            Some(account.custom_fields()?)
        } else {
            None
        };
        self.run.report(Method::Put, path, Some(body));

        let Some(fields) = lead.as_object_mut() else { return Ok(lead) };
        for (key, value) in changes {
            if let Some(field_id) = key.strip_prefix("custom.") {
                let name = names.as_ref().and_then(|fields| custom_fields::name_of(fields, field_id));
                set_custom(fields, field_id, name.unwrap_or(field_id), &value);
                continue;
            }
            if key == "name" {
                fields.insert("display_name".into(), value.clone());
            }
            fields.insert(key, value);
        }
        if let Some(status) = status {
            fields.insert("status_label".into(), status.label.clone().into());
        }
        fields.insert("updated_by".into(), me.id.clone().into());
        fields.insert("updated_by_name".into(), me.name.clone().into());
        fields.insert("date_updated".into(), now().into());
        self.leads.borrow_mut().insert(id.to_string(), Some(lead.clone()));
        Ok(lead)
    }

    /// Reports `DELETE path`; the lead must exist, as the real delete would need.
    pub fn delete_lead(&self, account: &AccountHandle, id: &str, path: &str) -> Result<(), Failure> {
        self.current_lead(account, id, Method::Delete, path)?;
        self.run.report(Method::Delete, path, None);
        self.leads.borrow_mut().insert(id.to_string(), None);
        Ok(())
    }

    /// The task `POST /task/` with `body` would have created, on a lead that must exist.
    /// The parameter check has made sure that a `date` is a day or starts with one.
    pub fn create_task(&self, account: &AccountHandle, body: &Value) -> Result<Value, Failure> {
        let lead_id = body.get("lead_id").and_then(Value::as_str).unwrap_or_default();
        let lead = self.current_lead(account, lead_id, Method::Get, &path_of_lead(lead_id))?;
        let me = self.me(account)?;
        let number = self.run.report(Method::Post, "/task/", Some(body));

        let now = now();
        let today = &now[..10];
        let date = body.get("date").and_then(Value::as_str);
        let day = date.and_then(|date| date.get(..10));
        let is_complete = body.get("is_complete").and_then(Value::as_bool).unwrap_or(false);
        let view = match day {
            _ if is_complete => "archive",
            Some(day) if day > today => "future",
            _ => "inbox",
        };
        let assigned_to = body.get("assigned_to").and_then(Value::as_str).unwrap_or(&me.id);
        let task = json!({
            "id": format!("task_dryrun_{number}"),
            "_type": "lead",
            "lead_id": lead_id,
            "lead_name": lead.get("display_name"),
            "contact_id": null, "contact_name": null,
            "text": body.get("text"),
            "assigned_to": assigned_to,
            "assigned_to_name": (assigned_to == me.id).then_some(me.name.as_str()),
            "date": date.unwrap_or(today),
            "due_date": day,
            "is_dateless": date.is_none(),
            "is_complete": is_complete,
            "view": view,
            "object_type": null, "object_id": null,
            "organization_id": me.organization_id,
            "created_by": me.id, "created_by_name": me.name,
            "updated_by": me.id, "updated_by_name": me.name,
            "date_created": now, "date_updated": now,
        });
        Ok(task)
    }

    /// The lead as this dry run left it or else as Close has it (a read).
    fn current_lead(
        &self,
        account: &AccountHandle,
        id: &str,
        method: Method,
        path: &str,
    ) -> Result<Value, Failure> {
        match self.remembered_lead(account, id, method, path)? {
            Some(lead) => Ok(lead),
            None => read_json(account, path),
        }
    }

    /// The key's user, read once.
    fn me(&self, account: &AccountHandle) -> Result<&Me, Failure> {
        if let Some(me) = self.me.get() {
            return Ok(me);
        }
        let user = read_json(account, "/me/")?;
        let text = |key: &str| user.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
        let name = format!("{} {}", text("first_name"), text("last_name")).trim().to_string();
        let organization_id = user
            .pointer("/organizations/0/id")
            .or_else(|| user.pointer("/organizations/0"))
            .and_then(Value::as_str)
            .map(str::to_string);
        Ok(self.me.get_or_init(|| Me { id: text("id"), name, organization_id }))
    }

    /// The lead statuses, read once.
    fn statuses(&self, account: &AccountHandle) -> Result<&[Status], Failure> {
        if let Some(statuses) = self.statuses.get() {
            return Ok(statuses);
        }
        let page = read_json(account, "/status/lead/")?;
        let statuses = page
            .get("data")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|status| {
                let text = |key: &str| status.get(key).and_then(Value::as_str).map(str::to_string);
                Some(Status { id: text("id")?, label: text("label").unwrap_or_default() })
            })
            .collect();
        Ok(self.statuses.get_or_init(|| statuses))
    }

    /// The status with this id; one Close does not know is refused, as Close would.
    fn status(&self, account: &AccountHandle, id: &str) -> Result<&Status, Failure> {
        let statuses = self.statuses(account)?;
        match statuses.iter().find(|status| status.id == id) {
            Some(status) => Ok(status),
            None => {
                let known: Vec<String> =
                    statuses.iter().map(|status| format!("{} ({})", status.id, status.label)).collect();
                Err(Failure::Usage(format!(
                    "status_id: account '{}' has no lead status {id}, so Close would refuse this write; \
                     its statuses: {}",
                    account.client.account(),
                    known.join(", ")
                )))
            }
        }
    }
}

/// One contact of a dry-run lead: what was given, with the fields Close adds.
fn dry_run_contact(given: &Value, number: &str, lead_id: &str, me: &Me, now: &str) -> Value {
    let mut contact = given.as_object().cloned().unwrap_or_default();
    let name = contact.get("name").cloned().unwrap_or_else(|| "".into());
    contact.entry("display_name").or_insert(name);
    for list in ["emails", "phones", "urls", "integration_links"] {
        contact.entry(list).or_insert_with(|| json!([]));
    }
    let added = json!({
        "id": format!("cont_dryrun_{number}"),
        "lead_id": lead_id,
        "organization_id": me.organization_id,
        "created_by": me.id, "updated_by": me.id,
        "date_created": now, "date_updated": now,
    });
    contact.extend(added.as_object().into_iter().flatten().map(|(k, v)| (k.clone(), v.clone())));
    Value::Object(contact)
}

/// Sets (or, for null, clears) a custom value on a lead: the `custom.<id>` key, and the
/// deprecated `custom` table by name when the lead has one.
fn set_custom(lead: &mut Map<String, Value>, id: &str, name: &str, value: &Value) {
    let key = format!("custom.{id}");
    let named = lead.get_mut("custom").and_then(Value::as_object_mut);
    if value.is_null() {
        // Close leaves out the fields that have no value.
        if let Some(named) = named {
            named.remove(name);
        }
        lead.remove(&key);
    } else {
        if let Some(named) = named {
            named.insert(name.to_string(), value.clone());
        }
        lead.insert(key, value.clone());
    }
}

/// The error a call on a lead this dry run deleted gets: the one Close would answer.
fn deleted(account: &AccountHandle, method: Method, path: &str) -> Failure {
    let message = "Lead matching query does not exist (this dry run deleted it earlier)".to_string();
    let mut err =
        ApiError::without_response(FailureKind::Http, message, method, path, account.client.account());
    err.status = Some(404);
    Failure::Api(err)
}

/// A read, as JSON.
fn read_json(account: &AccountHandle, path: &str) -> Result<Value, Failure> {
    let bytes = account.client.call(Method::Get, path, &[], None)?;
    serde_json::from_slice(&bytes).map_err(|why| invalid_json(account, Method::Get, path, &why, &bytes))
}

/// The current time as Close writes it.
fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_values_are_set_and_cleared_in_both_places() {
        let mut lead = json!({ "custom": { "Industry": "SaaS" }, "custom.cf_1": "SaaS" });
        let fields = lead.as_object_mut().unwrap();
        set_custom(fields, "cf_2", "Tier", &json!("Gold"));
        set_custom(fields, "cf_1", "Industry", &Value::Null);
        assert_eq!(lead, json!({ "custom": { "Tier": "Gold" }, "custom.cf_2": "Gold" }));

        let mut bare = json!({});
        set_custom(bare.as_object_mut().unwrap(), "cf_2", "Tier", &json!("Gold"));
        assert_eq!(bare, json!({ "custom.cf_2": "Gold" }));
    }

    #[test]
    fn the_summary_counts_by_method() {
        let run = DryRun::default();
        assert_eq!(run.summary(), "dry run: no writes");
        run.writes.borrow_mut().extend([Method::Post, Method::Delete, Method::Post]);
        assert_eq!(run.summary(), "dry run: 3 writes were not sent (2 POST, 1 DELETE)");
    }
}
