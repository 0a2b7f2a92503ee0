//! Generated leads: bulk data for paging tests and benchmarks.
//!
//! `SandboxOptions::generated_leads` adds this many leads after the demo set. Each looks
//! like a real lead of about 2.5 KB of JSON: a made-up company name, one to three contacts
//! with emails and phones, an address, and the Industry, Lead Source and Employees custom
//! fields (Renewal Date on customers). Their `date_created` values are distinct and spread
//! evenly from 2015 to the end of 2024, before every demo lead, so the first page of the
//! default order is always the demo set. No generated name or email contains "acme".
//! They have no activities or tasks. Creation is a few allocations per lead, so even
//! 100,000 leads take a fraction of a second in release builds.
//!
//! [`import`] adds leads the way a bulk import leaves them instead: created a fixed,
//! short time apart (many in one minute or one second), each with the same number of notes
//! created at the very moment of its lead. Walks over such data are what Close's `_skip`
//! cap makes hard.

use serde_json::{Value, json};

use super::demo::{CUSTOMER, EMPLOYEES, INDUSTRIES, INDUSTRY, LEAD_SOURCE, RENEWAL_DATE};
use super::ids::{fnv1a, splitmix};
use super::model::{Activity, Address, Contact, Detail, Email, Lead, Phone};
use super::store::Org;
use super::time::Timestamp;

/// Company names are a prefix, a core and a suffix: "Harbor Ridge Labs".
const PREFIXES: [&str; 30] = [
    "Blue", "Red", "Silver", "Golden", "North", "South", "East", "West", "Pacific", "Atlantic", "Prairie",
    "Harbor", "Summit", "Valley", "River", "Lake", "Pine", "Oak", "Maple", "Cedar", "Stone", "Iron",
    "Bright", "Clear", "True", "Swift", "Grand", "Urban", "Coastal", "Alpine",
];
const CORES: [&str; 20] = [
    "Ridge", "Point", "Field", "Bridge", "Crest", "Works", "Labs", "Grove", "Haven", "Peak", "Path", "Line",
    "Gate", "Forge", "Mill", "Wave", "Brook", "Bay", "Dale", "Spring",
];
const SUFFIXES: [&str; 15] = [
    "Inc",
    "LLC",
    "Group",
    "Partners",
    "Systems",
    "Solutions",
    "Co",
    "Holdings",
    "Industries",
    "Studio",
    "Logistics",
    "Health",
    "Capital",
    "Foods",
    "Software",
];
/// Contact names.
const FIRST_NAMES: [&str; 24] = [
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "Lucas", "Mia", "Mason", "Isla", "Logan",
    "Zoe", "Ethan", "Nora", "Aiden", "Leah", "Caleb", "Ruby", "Owen", "Hazel", "Miles", "Ivy", "Julian",
];
const LAST_NAMES: [&str; 24] = [
    "Anderson",
    "Brooks",
    "Castillo",
    "Dawson",
    "Ellis",
    "Foster",
    "Gallagher",
    "Hughes",
    "Ibarra",
    "Jensen",
    "Keller",
    "Lambert",
    "Morales",
    "Nakamura",
    "Olsen",
    "Porter",
    "Quinn",
    "Ramirez",
    "Sullivan",
    "Thornton",
    "Underwood",
    "Vasquez",
    "Whitaker",
    "Young",
];
/// Job titles of contacts.
const TITLES: [&str; 8] =
    ["CEO", "CFO", "Head of Operations", "IT Manager", "Office Manager", "Buyer", "VP Sales", "Founder"];
/// Values of the Lead Source field.
const SOURCES: [&str; 6] = ["Web", "Referral", "Trade Show", "Cold Call", "Partner", "Webinar"];
/// Street names of addresses.
const STREETS: [&str; 10] = [
    "Main Street",
    "Oak Avenue",
    "Park Road",
    "Elm Street",
    "Commerce Drive",
    "Lakeview Lane",
    "Industrial Parkway",
    "Second Street",
    "Hillside Avenue",
    "Market Square",
];
/// City, state, ZIP code and area code.
const CITIES: [(&str, &str, &str, &str); 10] = [
    ("Columbus", "OH", "43215", "614"),
    ("Raleigh", "NC", "27601", "919"),
    ("Spokane", "WA", "99201", "509"),
    ("Tucson", "AZ", "85701", "520"),
    ("Omaha", "NE", "68102", "402"),
    ("Albany", "NY", "12207", "518"),
    ("Boise", "ID", "83702", "208"),
    ("Richmond", "VA", "23219", "804"),
    ("Savannah", "GA", "31401", "912"),
    ("Fargo", "ND", "58102", "701"),
];

/// Adds `count` generated leads to the organisation.
pub fn add(org: &mut Org, count: usize) {
    if count == 0 {
        return;
    }
    let start = Timestamp::at(2015, 1, 1, 0, 0, 0);
    let span = Timestamp::at(2024, 12, 31, 0, 0, 0).0 - start.0;
    let step = (span / count as i64).max(2_000_000);
    let seed = fnv1a(format!("generated leads of {}", org.account).as_bytes());
    let mut leads = Vec::with_capacity(count);
    for n in 0..count {
        let mut draws = seed ^ (n as u64).wrapping_mul(0xA24B_AED4_963E_E407);
        let mut draw = |bound: usize| (splitmix(&mut draws) % bound as u64) as usize;
        // Whole steps keep the times distinct; the jitter (under a second) stays inside one.
        let created = Timestamp(start.0 + n as i64 * step + draw(1_000_000) as i64);
        leads.push(generated_lead(org, created, &mut draw));
    }
    org.insert_leads(leads);
}

/// Leads as a bulk import leaves them; see [`super::Sandbox::import_leads`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkImport {
    /// How many leads to add.
    pub leads: usize,
    /// When the first was created, as Close writes times (`2026-12-04T00:44:00+00:00`; the
    /// zone may be left out for UTC).
    pub first: String,
    /// The time between one lead's creation and the next one's; zero puts them all in one
    /// microsecond.
    pub spacing: std::time::Duration,
    /// How many notes each lead gets, created at the same moment as the lead.
    pub notes_per_lead: usize,
}

/// Adds the leads of a bulk import; an error when `first` is not a time.
pub fn import(org: &mut Org, import: &BulkImport) -> Result<(), String> {
    let first = super::time::parse_moment(&import.first)
        .ok_or_else(|| format!("'{}' is not a time like 2026-12-04T00:44:00+00:00", import.first))?
        .start;
    let spacing =
        i64::try_from(import.spacing.as_micros()).map_err(|_| "the spacing is too long".to_string())?;
    let seed = fnv1a(format!("imported leads of {} at {first}", org.account).as_bytes());
    let mut leads = Vec::with_capacity(import.leads);
    for n in 0..import.leads {
        let mut draws = seed ^ (n as u64).wrapping_mul(0xA24B_AED4_963E_E407);
        let mut draw = |bound: usize| (splitmix(&mut draws) % bound as u64) as usize;
        let created = Timestamp(first.0 + n as i64 * spacing);
        leads.push(generated_lead(org, created, &mut draw));
    }
    for lead in &leads {
        for k in 0..import.notes_per_lead {
            let note = Activity {
                id: org.ids.next("acti"),
                lead_id: lead.id.clone(),
                contact_id: None,
                user: lead.created_by,
                date_created: lead.date_created,
                activity_at: lead.date_created,
                detail: Detail::Note { note: format!("Imported note {} of {}", k + 1, lead.name) },
            };
            org.activities.insert(note);
        }
    }
    org.insert_leads(leads);
    org.forget_cached();
    Ok(())
}

/// One generated lead; `draw(k)` gives the next number below `k`.
fn generated_lead(org: &mut Org, created: Timestamp, draw: &mut impl FnMut(usize) -> usize) -> Lead {
    let (prefix, core) = (PREFIXES[draw(PREFIXES.len())], CORES[draw(CORES.len())]);
    let name = format!("{prefix} {core} {}", SUFFIXES[draw(SUFFIXES.len())]);
    let domain = format!("{}{}.example.org", prefix.to_lowercase(), core.to_lowercase());
    let (city, state, zipcode, area) = CITIES[draw(CITIES.len())];
    let status = draw(org.statuses.len());
    let creator = draw(org.users.len());

    let contacts = (0..1 + draw(3))
        .map(|k| {
            let (first, last) = (FIRST_NAMES[draw(FIRST_NAMES.len())], LAST_NAMES[draw(LAST_NAMES.len())]);
            let number = format!("+1{area}55501{:02}", draw(100));
            let formatted = format!("+1 {area}-555-01{}", &number[number.len() - 2..]);
            Contact {
                id: org.ids.next("cont"),
                name: format!("{first} {last}"),
                title: Some(TITLES[draw(TITLES.len())].to_string()),
                emails: vec![Email {
                    email: format!("{}.{}@{domain}", first.to_lowercase(), last.to_lowercase()),
                    kind: "office".to_string(),
                }],
                phones: vec![Phone {
                    phone: number,
                    phone_formatted: formatted,
                    kind: if k == 0 { "office" } else { "mobile" }.to_string(),
                    country: Some("US".to_string()),
                }],
                urls: Vec::new(),
                created_by: creator,
                date_created: created,
            }
        })
        .collect();

    let mut custom: Vec<(usize, Value)> = vec![
        (INDUSTRY, json!(INDUSTRIES[draw(INDUSTRIES.len())])),
        (LEAD_SOURCE, json!(SOURCES[draw(SOURCES.len())])),
        (EMPLOYEES, json!(5 + draw(4_995))),
    ];
    if status == CUSTOMER {
        let renewal = format!("{}-{:02}-{:02}", 2025 + draw(3), 1 + draw(12), 1 + draw(28));
        custom.push((RENEWAL_DATE, Value::String(renewal)));
    }
    Lead {
        id: org.ids.next("lead"),
        name,
        description: None,
        url: Some(format!("https://{domain}")),
        status,
        addresses: vec![Address {
            label: "business".to_string(),
            address_1: Some(format!("{} {}", 1 + draw(9_998), STREETS[draw(STREETS.len())])),
            address_2: None,
            city: Some(city.to_string()),
            state: Some(state.to_string()),
            zipcode: Some(zipcode.to_string()),
            country: Some("US".to_string()),
        }],
        contacts,
        custom,
        created_by: creator,
        updated_by: creator,
        date_created: created,
        date_updated: created.plus_seconds(draw(90 * 86_400) as i64),
        search_text: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_generated_name_or_address_can_spell_acme() {
        let joined = |a: &str, b: &str, glue: &str| format!("{a}{glue}{b}").to_lowercase();
        for prefix in PREFIXES {
            for core in CORES {
                assert!(!joined(prefix, core, "").contains("acme"));
                for suffix in SUFFIXES {
                    assert!(!format!("{prefix} {core} {suffix}").to_lowercase().contains("acme"));
                }
            }
        }
        for first in FIRST_NAMES {
            for last in LAST_NAMES {
                assert!(
                    !joined(first, last, ".").contains("acme") && !joined(first, last, " ").contains("acme")
                );
            }
        }
    }
}
