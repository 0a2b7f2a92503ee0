//! The activities of the table-driven demo leads.
//!
//! Each lead gets two to six activities, following a fixed pattern: the kind cycles through
//! Email, Call, Note, SMS and Meeting starting at a different kind per lead, the gaps
//! between them vary per lead, and the texts come from small pools. The result looks like a
//! real sales history and is identical on every run. The lead's `date_updated` becomes the
//! time of its last activity.

use super::model::{Activity, Detail, Phone};
use super::store::Org;

/// The order kinds are handed out in.
const KINDS: [&str; 5] = ["email", "call", "note", "sms", "meeting"];

/// Subjects of outgoing emails; replies put "Re: " in front. `{company}` is the lead name.
const SUBJECTS: [&str; 5] = [
    "Following up on our conversation",
    "Pricing for {company}",
    "Next steps for {company}",
    "Case studies you asked for",
    "Agenda for our call",
];

/// Bodies of outgoing emails; `{first}` is the contact's first name, `{user}` the sender's.
const EMAIL_BODIES: [&str; 3] = [
    "Hi {first},\n\nThanks for your time today. The overview we discussed is attached.\n\nBest,\n{user}",
    "Hi {first},\n\nCould you share who else should join the next call? Happy to adapt the \
     agenda.\n\nThanks,\n{user}",
    "Hello {first},\n\nAs promised, here are two short case studies from similar teams.\n\nRegards,\n{user}",
];

/// Bodies of the contacts' replies.
const REPLIES: [&str; 3] = [
    "Thanks, this is helpful. Let me check with the team and get back to you.\n\n{first}",
    "Looks good. Can we talk about pricing on Thursday?\n\n{first}",
    "Got it, thank you. I will forward this to our finance team.\n\n{first}",
];

/// Notes of answered calls.
const CALL_NOTES: [&str; 4] = [
    "Walked through the pricing tiers; they want a pilot.",
    "Discussed the integration with their ERP.",
    "Checked in after the demo; positive feedback.",
    "Talked about budget timing for next quarter.",
];

/// Notes about the lead.
const NOTES: [&str; 5] = [
    "Decision expected by the end of the quarter.",
    "Prefers email over phone.",
    "Uses a competitor today; their contract ends soon.",
    "Asked for references in their industry.",
    "Security review required before signing.",
];

/// Text messages.
const TEXTS: [&str; 5] = [
    "Hi {first}, I just sent the details by email.",
    "Running 5 minutes late for our call, sorry!",
    "Thanks for the meeting today, {first}.",
    "Quick reminder about tomorrow's call at 10am.",
    "Can we move our call to Thursday?",
];

/// Meeting titles.
const MEETINGS: [&str; 5] = [
    "{company} kickoff",
    "{company} product demo",
    "Quarterly review with {company}",
    "{company} pricing workshop",
    "Implementation planning with {company}",
];

/// Adds the activities of the `n`th table lead.
pub fn add(org: &mut Org, lead_id: &str, n: usize) {
    let Some(lead) = org.leads.get(lead_id) else { return };
    let company = lead.name.clone();
    let created = lead.date_created;
    let people: Vec<_> = lead
        .contacts
        .iter()
        .map(|c| (c.id.clone(), c.name.clone(), c.emails[0].email.clone(), c.phones.first().cloned()))
        .collect();
    let gap_days = 4 + (n % 9) as i64;
    let mut last = created;
    for j in 0..2 + n % 5 {
        let at = created.plus_seconds((j as i64 + 1) * gap_days * 86_400 + (j as i64 * 3 + 1) * 3_600);
        let (contact_id, name, email, phone) = &people[j % people.len()];
        let user = (n + j) % 2;
        let fill = |text: &str| {
            let first = name.trim_start_matches("Dr. ").split(' ').next().unwrap_or("");
            text.replace("{company}", &company)
                .replace("{first}", first)
                .replace("{user}", &org.users[user].first_name)
        };
        let phone = phone.clone().unwrap_or_else(placeholder_phone);
        let pick = n + j;
        let detail = match KINDS[(n + j) % KINDS.len()] {
            "email" if j % 2 == 1 => Detail::Email {
                subject: format!("Re: {}", fill(SUBJECTS[pick % SUBJECTS.len()])),
                body_text: fill(REPLIES[pick % REPLIES.len()]),
                incoming: true,
                sender: format!("{name} <{email}>"),
                to: vec![org.users[user].email.clone()],
            },
            "email" => Detail::Email {
                subject: fill(SUBJECTS[pick % SUBJECTS.len()]),
                body_text: fill(EMAIL_BODIES[pick % EMAIL_BODIES.len()]),
                incoming: false,
                sender: format!("{} <{}>", org.users[user].name, org.users[user].email),
                to: vec![email.clone()],
            },
            "call" if pick % 4 == 3 => Detail::Call {
                note: "Left a voicemail asking for a good time to talk.".into(),
                outbound: true,
                duration: 35,
                disposition: "vm-left".into(),
                remote_phone: phone,
            },
            "call" => Detail::Call {
                note: CALL_NOTES[pick % CALL_NOTES.len()].into(),
                outbound: pick % 3 != 1,
                duration: 120 + (pick as u32 * 97) % 1500,
                disposition: "answered".into(),
                remote_phone: phone,
            },
            "note" => Detail::Note { note: NOTES[pick % NOTES.len()].into() },
            "sms" => Detail::Sms {
                text: fill(TEXTS[pick % TEXTS.len()]),
                outbound: pick % 3 != 2,
                remote_phone: phone,
            },
            _ => Detail::Meeting {
                title: fill(MEETINGS[pick % MEETINGS.len()]),
                note: String::new(),
                minutes: [30, 45, 60][pick % 3],
                attendees: vec![(name.clone(), email.clone())],
            },
        };
        let contact = (!matches!(detail, Detail::Note { .. })).then(|| contact_id.clone());
        let activity = Activity {
            id: org.ids.next("acti"),
            lead_id: lead_id.to_string(),
            contact_id: contact,
            user,
            date_created: at,
            activity_at: at,
            detail,
        };
        org.activities.insert(activity);
        last = at;
    }
    if let Some(lead) = org.leads.get_mut(lead_id) {
        lead.date_updated = last;
    }
}

/// Every table contact has a phone; this is only a fallback so the code needs no panic.
fn placeholder_phone() -> Phone {
    Phone {
        phone: "+12125550100".into(),
        phone_formatted: "+1 212-555-0100".into(),
        kind: "office".into(),
        country: Some("US".into()),
    }
}
