//! Acme Corp (`lead_abc123XYZ`) and the demo tasks, written out by hand.
//!
//! Tests, the Lua API reference and its examples name Acme Corp's details (its contacts,
//! its activities' subjects), so they are spelled out here rather than generated; `demo.rs`
//! lists them for test writers. The tasks are spread over a few leads to cover the task
//! views: a past date (inbox), a future date, no date, and one completed task with the
//! `TaskCompleted` activity Close writes for it.

use serde_json::json;

use super::demo::{EMPLOYEES, INDUSTRY, LEAD_SOURCE, POTENTIAL};
use super::demo_leads::{address, contact};
use super::model::{Activity, Detail, Lead, Task, TaskDate};
use super::store::Org;
use super::time::{self, Timestamp};

/// Acme Corp, `lead_abc123XYZ`, written out in full.
pub fn add(org: &mut Org) {
    let created = Timestamp::at(2025, 2, 3, 15, 20, 0);
    let jane = contact(org, "Jane Smith", "VP Operations", "acme", Some("4155550142"), "office", created);
    let john = contact(org, "John Doe", "Procurement Manager", "acme", None, "office", created);
    let (jane_id, jane_phone) = (jane.id.clone(), jane.phones[0].clone());
    let lead = Lead {
        id: "lead_abc123XYZ".to_string(),
        name: "Acme Corp".to_string(),
        description: None,
        url: Some("https://acme.example.com".to_string()),
        status: POTENTIAL,
        addresses: vec![address(("100 Market Street", "San Francisco", "CA", "94105"))],
        contacts: vec![jane, john],
        custom: vec![(INDUSTRY, json!("Software")), (LEAD_SOURCE, json!("Web")), (EMPLOYEES, json!(250))],
        created_by: 0,
        updated_by: 0,
        date_created: created,
        date_updated: Timestamp::at(2025, 3, 18, 18, 45, 0),
        search_text: String::new(),
    };
    org.insert_lead(lead);

    let me = org.users[0].clone();
    let (user_line, jane_line) =
        (format!("{} <{}>", me.name, me.email), "Jane Smith <jane.smith@acme.example.com>");
    let to_jane = vec!["jane.smith@acme.example.com".to_string()];
    let plan = [
        (
            (2025, 2, 4, 16, 5),
            Detail::Email {
                subject: "Quick intro and next steps".into(),
                body_text: format!(
                    "Hi Jane,\n\nGreat to meet you at the conference. As promised, here is a short \
                     overview of how we help operations teams.\nWould next Wednesday work for a \
                     call?\n\nBest,\n{}",
                    me.first_name
                ),
                incoming: false,
                sender: user_line.clone(),
                to: to_jane.clone(),
            },
        ),
        (
            (2025, 2, 5, 9, 12),
            Detail::Email {
                subject: "Re: Quick intro and next steps".into(),
                body_text: "Thanks for reaching out. Wednesday at 9am Pacific works for me.\n\nJane".into(),
                incoming: true,
                sender: jane_line.into(),
                to: vec![me.email.clone()],
            },
        ),
        (
            (2025, 2, 12, 17, 0),
            Detail::Call {
                note: "Discovery call with Jane: 40 seats, needs single sign-on and an API.".into(),
                outbound: true,
                duration: 540,
                disposition: "answered".into(),
                remote_phone: jane_phone.clone(),
            },
        ),
        (
            (2025, 2, 13, 10, 0),
            Detail::Note {
                note: "Jane decides; John runs procurement and wants a security review first.".into(),
            },
        ),
        (
            (2025, 3, 10, 14, 30),
            Detail::Email {
                subject: "Proposal for Acme Corp".into(),
                body_text: format!(
                    "Hi Jane,\n\nAttached is our proposal for 40 seats, including single \
                     sign-on.\n\nBest,\n{}",
                    me.first_name
                ),
                incoming: false,
                sender: user_line,
                to: to_jane,
            },
        ),
        (
            (2025, 3, 11, 15, 0),
            Detail::Sms {
                text: "Hi Jane, the proposal is in your inbox. Happy to walk through it this week.".into(),
                outbound: true,
                remote_phone: jane_phone,
            },
        ),
        (
            (2025, 3, 18, 18, 0),
            Detail::Meeting {
                title: "Acme Corp product demo".into(),
                note: "Demo of reporting and SSO for Jane and John.".into(),
                minutes: 45,
                attendees: vec![
                    ("Jane Smith".into(), "jane.smith@acme.example.com".into()),
                    ("John Doe".into(), "john.doe@acme.example.com".into()),
                ],
            },
        ),
    ];
    for ((y, mo, d, h, mi), detail) in plan {
        let contact = if matches!(detail, Detail::Note { .. }) { None } else { Some(jane_id.clone()) };
        let at = Timestamp::at(y, mo, d, h, mi, 0);
        let activity = Activity {
            id: org.ids.next("acti"),
            lead_id: "lead_abc123XYZ".into(),
            contact_id: contact,
            user: 0,
            date_created: at,
            activity_at: at,
            detail,
        };
        org.activities.insert(activity);
    }
}

/// A few tasks: open ones with past, future and no dates, and one completed.
pub fn add_tasks(org: &mut Org) {
    let plan: [(&str, &str, Option<TaskDate>, usize, bool); 5] = [
        ("Acme Corp", "Follow up with Jane on the proposal", Some(TaskDate::Day(day(2025, 3, 25))), 0, false),
        (
            "Copperline Manufacturing",
            "Call Frank about the plant tour",
            Some(TaskDate::Day(day(2026, 12, 15))),
            0,
            false,
        ),
        (
            "Bluebird Analytics",
            "Send the security questionnaire",
            Some(TaskDate::Day(day(2025, 6, 2))),
            1,
            false,
        ),
        ("Tidewater Shipping", "Prepare a pilot proposal", None, 0, false),
        (
            "Foxglove Software",
            "Send the onboarding checklist",
            Some(TaskDate::Day(day(2025, 1, 20))),
            0,
            true,
        ),
    ];
    for (lead_name, text, date, assigned_to, done) in plan {
        let Some(lead) = org.leads.iter().find(|l| l.name == lead_name) else { continue };
        let (lead_id, contact_id) = (lead.id.clone(), lead.contacts.first().map(|c| c.id.clone()));
        let created = lead.date_created.plus_seconds(2 * 86_400);
        let id = org.ids.next("task");
        let mut completed_activity = None;
        if done {
            let at = created.plus_seconds(9 * 86_400);
            let detail = Detail::TaskCompleted { task_id: id.clone(), task_text: text.into(), assigned_to };
            let activity = Activity {
                id: org.ids.next("acti"),
                lead_id: lead_id.clone(),
                contact_id: contact_id.clone(),
                user: assigned_to,
                date_created: at,
                activity_at: at,
                detail,
            };
            completed_activity = Some(activity.id.clone());
            org.activities.insert(activity);
        }
        let task = Task {
            id,
            kind: "lead",
            lead_id,
            contact_id,
            text: text.into(),
            assigned_to,
            date,
            is_complete: done,
            completed_activity,
            created_by: 0,
            date_created: created,
        };
        org.tasks.insert(task);
    }
}

fn day(year: i64, month: u32, date: u32) -> time::Day {
    time::Day(time::days_from_civil(year, month, date))
}
