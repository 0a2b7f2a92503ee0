//! The demo organisation every sandbox account gets.
//!
//! Everything here is fixed: the same options give the same organisations, IDs and data on
//! every run. What a test can rely on, per account:
//!
//! - **Organisation and users.** Account `default`: organisation "Demo Co", key user
//!   "Pat Example" <pat@demo.example.com>, colleague "Sam Rivera" <sam@demo.example.com>.
//!   `us_team` (also `us`, `us-team`): "US Team Demo", "Morgan Lee"
//!   <morgan@us-team.example.com> and "Chris Baker". `eu_team` (also `eu`, `eu-team`):
//!   "EU Team Demo", "Alex Martin" <alex@eu-team.example.org> and "Noor Haddad". Any other
//!   account name `x_y`: "X Y Demo" with a user picked from a fixed list. `/me/` is always
//!   the first user; the API key comes from `Sandbox::api_key`.
//! - **Lead statuses**, in order: Potential, Qualified, Customer, Bad Fit.
//! - **Lead custom fields**, in order: `Industry` (choices SaaS, Software, Retail,
//!   Manufacturing, Healthcare, Finance, Logistics, Education), `Lead Source` (text),
//!   `Employees` (number), `Renewal Date` (date, set on customers). Field IDs differ per
//!   account; read them from `/custom_field/lead/`.
//! - **32 leads** (see `demo_leads.rs`), created between 2025-01 and 2026-08, across all
//!   four statuses (11 Potential, 8 Qualified, 8 Customer, 5 Bad Fit), each with 1-3
//!   contacts (emails on `*.example.com`, phones in the fictional 555-01xx range), an
//!   address, all four custom fields where they apply, and 2-6 activities of the five kinds
//!   spread over 2025-2026. Five leads have Industry "SaaS".
//! - Exactly three lead names contain "Acme": "Acme Corp", "Acme Logistics", "Acme Widgets".
//!   No other lead, contact name or email contains "acme".
//! - **`lead_abc123XYZ`**: "Acme Corp", url https://acme.example.com, status Potential,
//!   Industry "Software", Lead Source "Web", Employees 250, description null. Contacts
//!   "Jane Smith" (VP Operations; jane.smith@acme.example.com office; +1 415-555-0142
//!   office) and "John Doe" (Procurement Manager; john.doe@acme.example.com office). Seven
//!   activities, newest first: Meeting "Acme Corp product demo", SMS "Hi Jane, the proposal
//!   is in your inbox…", Email "Proposal for Acme Corp", Note "Jane decides; John runs
//!   procurement…", Call (outbound, 9 minutes), Email "Re: Quick intro and next steps"
//!   (incoming), Email "Quick intro and next steps" (outgoing). One open task: "Follow up
//!   with Jane on the proposal".
//! - **Tasks** on a few other leads, one of them complete (Foxglove Software) with its
//!   `TaskCompleted` activity.
//! - **Generated leads** (`SandboxOptions::generated_leads`), see `generated.rs`: created
//!   2015-2024, so they sort after the demo leads in the default order.

use super::demo_leads;
use super::generated;
use super::ids::{IdGen, fnv1a};
use super::model::{CustomField, FieldType, Status, User};
use super::store::{Org, Table};
use super::time::Timestamp;

/// Positions of the demo statuses in `Org::statuses`.
pub const POTENTIAL: usize = 0;
pub const QUALIFIED: usize = 1;
pub const CUSTOMER: usize = 2;
pub const BAD_FIT: usize = 3;

/// Positions of the demo custom fields in `Org::fields`.
pub const INDUSTRY: usize = 0;
pub const LEAD_SOURCE: usize = 1;
pub const EMPLOYEES: usize = 2;
pub const RENEWAL_DATE: usize = 3;

/// The choices of the Industry field.
pub const INDUSTRIES: [&str; 8] =
    ["SaaS", "Software", "Retail", "Manufacturing", "Healthcare", "Finance", "Logistics", "Education"];

/// Who an organisation is: its name and its two users.
struct Identity {
    org_name: String,
    people: [(String, String, String); 2],
}

/// Builds an account's organisation: the demo set plus `generated` extra leads.
pub fn organisation(account: &str, generated: usize) -> Org {
    let identity = identity(account);
    let mut ids = IdGen::new(&format!("organisation {account}"));
    let founded = Timestamp::at(2024, 11, 4, 9, 30, 0);
    let users = identity
        .people
        .iter()
        .enumerate()
        .map(|(n, (first, last, email))| User {
            id: ids.next("user"),
            first_name: first.clone(),
            last_name: last.clone(),
            name: format!("{first} {last}"),
            email: email.clone(),
            date_created: founded.plus_seconds(600 * n as i64),
        })
        .collect();
    let statuses = ["Potential", "Qualified", "Customer", "Bad Fit"]
        .map(|label| Status { id: ids.next("stat"), label: label.to_string() })
        .to_vec();
    let fields = custom_fields(&mut ids, founded);
    let mut org = Org {
        account: account.to_string(),
        id: ids.next("orga"),
        name: identity.org_name,
        date_created: founded,
        users,
        membership_id: ids.next("memb"),
        email_account_id: ids.next("emailacct"),
        statuses,
        fields,
        leads: Table::new(),
        contact_leads: Default::default(),
        activities: Table::new(),
        tasks: Table::new(),
        ids,
        rendered: Default::default(),
        oldest_first: Default::default(),
    };
    demo_leads::add(&mut org);
    generated::add(&mut org, generated);
    org
}

/// The four demo custom fields, in the order of the position constants above.
fn custom_fields(ids: &mut IdGen, created: Timestamp) -> Vec<CustomField> {
    let choices = FieldType::Choices(INDUSTRIES.iter().map(|s| s.to_string()).collect());
    [
        ("Industry", choices),
        ("Lead Source", FieldType::Text),
        ("Employees", FieldType::Number),
        ("Renewal Date", FieldType::Date),
    ]
    .into_iter()
    .enumerate()
    .map(|(n, (name, kind))| {
        let id = ids.next("cf");
        CustomField {
            key: format!("custom.{id}"),
            id,
            name: name.to_string(),
            kind,
            date_created: created.plus_seconds(3600 + 60 * n as i64),
        }
    })
    .collect()
}

/// People to pick from for accounts without a fixed identity.
const SPARE_PEOPLE: [(&str, &str); 6] = [
    ("Robin", "Taylor"),
    ("Jordan", "Patel"),
    ("Casey", "Nguyen"),
    ("Riley", "Schmidt"),
    ("Avery", "Okafor"),
    ("Quinn", "Larsen"),
];

/// The organisation name and users of an account.
fn identity(account: &str) -> Identity {
    let fixed = |org: &str, domain: &str, one: (&str, &str), two: (&str, &str)| Identity {
        org_name: org.to_string(),
        people: [person(one, domain), person(two, domain)],
    };
    match account {
        "default" => fixed("Demo Co", "demo.example.com", ("Pat", "Example"), ("Sam", "Rivera")),
        "us_team" | "us-team" | "us" => {
            fixed("US Team Demo", "us-team.example.com", ("Morgan", "Lee"), ("Chris", "Baker"))
        }
        "eu_team" | "eu-team" | "eu" => {
            fixed("EU Team Demo", "eu-team.example.org", ("Alex", "Martin"), ("Noor", "Haddad"))
        }
        _ => {
            let words: Vec<String> = account
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(capitalised)
                .collect();
            let slug = words.join("-").to_lowercase();
            let domain = format!("{}.example.com", if slug.is_empty() { "org" } else { &slug });
            let pick = (fnv1a(account.as_bytes()) % SPARE_PEOPLE.len() as u64) as usize;
            let org = if words.is_empty() {
                "Sandbox Demo".to_string()
            } else {
                format!("{} Demo", words.join(" "))
            };
            let second = SPARE_PEOPLE[(pick + 1) % SPARE_PEOPLE.len()];
            Identity { org_name: org, people: [person(SPARE_PEOPLE[pick], &domain), person(second, &domain)] }
        }
    }
}

fn person((first, last): (&str, &str), domain: &str) -> (String, String, String) {
    (first.to_string(), last.to_string(), format!("{}@{domain}", first.to_lowercase()))
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
