//! The 32 leads of the demo organisation and their contacts.
//!
//! `demo.rs` documents what a test may rely on. Acme Corp (`lead_abc123XYZ`) and the tasks
//! are written out by hand in `demo_acme.rs`; the other 31 leads come from the table below,
//! and their activities from `demo_activities.rs`, so the organisation has a realistic
//! spread of companies, people, emails, calls, notes, texts and meetings.

use serde_json::{Value, json};

use super::demo::{BAD_FIT, CUSTOMER, EMPLOYEES, INDUSTRY, LEAD_SOURCE, POTENTIAL, QUALIFIED, RENEWAL_DATE};
use super::model::{Address, Contact, Email, Lead};
use super::phone;
use super::store::Org;
use super::time::Timestamp;
use super::{demo_acme, demo_activities};

/// One demo lead as written in the table.
struct Row {
    name: &'static str,
    /// The first label of the company's domain: `acme` gives `acme.example.com`.
    domain: &'static str,
    status: usize,
    industry: &'static str,
    source: &'static str,
    employees: u32,
    renewal: Option<&'static str>,
    /// Street, city, state, ZIP code.
    address: (&'static str, &'static str, &'static str, &'static str),
    /// Names and job titles.
    contacts: &'static [(&'static str, &'static str)],
    created: (i64, u32, u32),
}

/// A table row, written positionally to keep the table short.
const fn row(
    name: &'static str,
    domain: &'static str,
    status: usize,
    (industry, source, employees, renewal): (&'static str, &'static str, u32, Option<&'static str>),
    address: (&'static str, &'static str, &'static str, &'static str),
    contacts: &'static [(&'static str, &'static str)],
    created: (i64, u32, u32),
) -> Row {
    Row { name, domain, status, industry, source, employees, renewal, address, contacts, created }
}

/// Every demo lead except Acme Corp.
const ROWS: [Row; 31] = [
    row(
        "Acme Logistics",
        "acmelogistics",
        QUALIFIED,
        ("Logistics", "Referral", 1200, None),
        ("2200 Harbor Way", "Oakland", "CA", "94607"),
        &[("Maria Garcia", "Operations Director"), ("Tom Becker", "IT Lead")],
        (2025, 4, 14),
    ),
    row(
        "Acme Widgets",
        "acmewidgets",
        CUSTOMER,
        ("Manufacturing", "Trade Show", 85, Some("2026-09-30")),
        ("45 Foundry Road", "Dayton", "OH", "45402"),
        &[("Priya Raman", "Purchasing Manager")],
        (2025, 1, 22),
    ),
    row(
        "Bluebird Analytics",
        "bluebird",
        QUALIFIED,
        ("SaaS", "Web", 60, None),
        ("700 Lavaca Street", "Austin", "TX", "78701"),
        &[("Ethan Cole", "CTO"), ("Lena Park", "Head of Data")],
        (2025, 5, 6),
    ),
    row(
        "Cedar Grove Clinics",
        "cedargrove",
        CUSTOMER,
        ("Healthcare", "Referral", 340, Some("2026-12-31")),
        ("1200 NW Glisan Street", "Portland", "OR", "97209"),
        &[("Dr. Hannah Weiss", "Medical Director"), ("Owen Price", "Practice Manager")],
        (2025, 3, 2),
    ),
    row(
        "Copperline Manufacturing",
        "copperline",
        POTENTIAL,
        ("Manufacturing", "Cold Call", 410, None),
        ("88 Riverfront Drive", "Pittsburgh", "PA", "15222"),
        &[("Frank Novak", "Plant Manager")],
        (2025, 6, 19),
    ),
    row(
        "Driftwood Outfitters",
        "driftwood",
        BAD_FIT,
        ("Retail", "Web", 12, None),
        ("19 Bond Street", "Bend", "OR", "97701"),
        &[("Kelsey Moore", "Owner")],
        (2025, 2, 27),
    ),
    row(
        "Evergreen Credit Union",
        "evergreencu",
        QUALIFIED,
        ("Finance", "Partner", 230, None),
        ("950 Pacific Avenue", "Tacoma", "WA", "98402"),
        &[("Grace Liu", "VP Member Services"), ("Martin Shaw", "Compliance Officer")],
        (2025, 7, 8),
    ),
    row(
        "Foxglove Software",
        "foxglove",
        CUSTOMER,
        ("Software", "Webinar", 95, Some("2026-06-15")),
        ("1650 Pearl Street", "Boulder", "CO", "80302"),
        &[("Nina Alvarez", "CEO"), ("Ben Carter", "Engineering Manager"), ("Sofia Rossi", "Office Manager")],
        (2025, 1, 9),
    ),
    row(
        "Granite Peak Insurance",
        "granitepeak",
        POTENTIAL,
        ("Finance", "Trade Show", 780, None),
        ("1801 California Street", "Denver", "CO", "80202"),
        &[("Victor Hale", "Director of Operations")],
        (2025, 8, 21),
    ),
    row(
        "Harborview Dental Group",
        "harborview",
        POTENTIAL,
        ("Healthcare", "Web", 45, None),
        ("3200 Rosecrans Street", "San Diego", "CA", "92110"),
        &[("Emily Tran", "Office Manager")],
        (2025, 9, 3),
    ),
    row(
        "Ironwood Robotics",
        "ironwood",
        QUALIFIED,
        ("Manufacturing", "Partner", 150, None),
        ("400 Renaissance Center", "Detroit", "MI", "48243"),
        &[("Raj Mehta", "COO"), ("Laura Kim", "Procurement Lead")],
        (2025, 5, 28),
    ),
    row(
        "Juniper Learning Labs",
        "juniperlabs",
        CUSTOMER,
        ("Education", "Web", 70, Some("2027-01-31")),
        ("25 West Main Street", "Madison", "WI", "53703"),
        &[("Chloe Bennett", "Program Director")],
        (2025, 3, 17),
    ),
    row(
        "Kestrel Freight",
        "kestrelfreight",
        BAD_FIT,
        ("Logistics", "Cold Call", 2200, None),
        ("3100 Airways Boulevard", "Memphis", "TN", "38116"),
        &[("Derek Simmons", "Fleet Manager")],
        (2025, 10, 2),
    ),
    row(
        "Lighthouse Media Co",
        "lighthousemedia",
        POTENTIAL,
        ("SaaS", "Webinar", 38, None),
        ("55 Water Street", "Brooklyn", "NY", "11201"),
        &[("Ava Thompson", "Creative Director"), ("Marcus Reid", "Producer")],
        (2025, 11, 12),
    ),
    row(
        "Maple & Main Bakery",
        "mapleandmain",
        BAD_FIT,
        ("Retail", "Web", 8, None),
        ("112 Church Street", "Burlington", "VT", "05401"),
        &[("Rosa Delgado", "Owner")],
        (2025, 4, 30),
    ),
    row(
        "Nimbus Data Systems",
        "nimbusdata",
        CUSTOMER,
        ("SaaS", "Referral", 520, Some("2026-03-31")),
        ("1301 Second Avenue", "Seattle", "WA", "98101"),
        &[("Kevin O'Brien", "VP Engineering"), ("Yuki Tanaka", "Platform Lead")],
        (2025, 2, 11),
    ),
    row(
        "Orchard Lane Grocers",
        "orchardlane",
        POTENTIAL,
        ("Retail", "Trade Show", 160, None),
        ("980 Ninth Street", "Sacramento", "CA", "95814"),
        &[("Daniel Ortiz", "Category Manager")],
        (2025, 12, 4),
    ),
    row(
        "Pinecone Payments",
        "pineconepay",
        CUSTOMER,
        ("Finance", "Partner", 130, Some("2026-10-01")),
        ("300 South Tryon Street", "Charlotte", "NC", "28202"),
        &[("Isabel Fischer", "Head of Partnerships"), ("Tyler Brooks", "CFO")],
        (2025, 6, 5),
    ),
    row(
        "Quartz Health Analytics",
        "quartzhealth",
        QUALIFIED,
        ("Healthcare", "Webinar", 210, None),
        ("100 Federal Street", "Boston", "MA", "02110"),
        &[("Dr. Samuel Green", "Chief Medical Officer"), ("Olivia Hart", "IT Director")],
        (2026, 1, 13),
    ),
    row(
        "Riverbend Brewing Company",
        "riverbendbrewing",
        POTENTIAL,
        ("Retail", "Web", 55, None),
        ("37 Depot Street", "Asheville", "NC", "28801"),
        &[("Jake Morrison", "Co-founder")],
        (2026, 2, 2),
    ),
    row(
        "Summit Ridge Software",
        "summitridge",
        QUALIFIED,
        ("Software", "Referral", 300, None),
        ("222 South Main Street", "Salt Lake City", "UT", "84101"),
        &[("Mei Chen", "VP Product"), ("Carlos Ruiz", "Sales Operations")],
        (2026, 1, 27),
    ),
    row(
        "Tidewater Shipping",
        "tidewater",
        POTENTIAL,
        ("Logistics", "Cold Call", 640, None),
        ("500 East Main Street", "Norfolk", "VA", "23510"),
        &[("William Grant", "Logistics Director")],
        (2026, 3, 9),
    ),
    row(
        "Upland Solar Systems",
        "uplandsolar",
        CUSTOMER,
        ("Manufacturing", "Trade Show", 180, Some("2027-03-15")),
        ("2 North Central Avenue", "Phoenix", "AZ", "85004"),
        &[("Natalie Brooks", "Project Manager"), ("Omar Farouk", "Procurement")],
        (2025, 8, 4),
    ),
    row(
        "Vantage Point Security",
        "vantagepoint",
        BAD_FIT,
        ("Software", "Web", 25, None),
        ("11950 Democracy Drive", "Reston", "VA", "20190"),
        &[("Greg Palmer", "Founder")],
        (2026, 4, 1),
    ),
    row(
        "Willow Creek Pharmacy",
        "willowcreek",
        CUSTOMER,
        ("Healthcare", "Referral", 40, Some("2026-08-01")),
        ("77 West Broadway", "Eugene", "OR", "97401"),
        &[("Angela Russo", "Pharmacist in Charge")],
        (2025, 9, 22),
    ),
    row(
        "Yellowfin Marketing",
        "yellowfin",
        POTENTIAL,
        ("SaaS", "Webinar", 22, None),
        ("801 Brickell Avenue", "Miami", "FL", "33131"),
        &[("Diego Santos", "Marketing Lead")],
        (2026, 4, 20),
    ),
    row(
        "Zephyr Wind Technologies",
        "zephyrwind",
        QUALIFIED,
        ("Manufacturing", "Partner", 890, None),
        ("666 Walnut Street", "Des Moines", "IA", "50309"),
        &[("Karen Lindqvist", "Supply Chain Director"), ("Paul Meyer", "Engineer")],
        (2026, 5, 11),
    ),
    row(
        "Brightpath Tutoring",
        "brightpath",
        BAD_FIT,
        ("Education", "Web", 15, None),
        ("41 South High Street", "Columbus", "OH", "43215"),
        &[("Jasmine Lee", "Director")],
        (2026, 5, 26),
    ),
    row(
        "Silverleaf Wealth Partners",
        "silverleaf",
        QUALIFIED,
        ("Finance", "Referral", 65, None),
        ("2 Greenwich Avenue", "Greenwich", "CT", "06830"),
        &[("Richard Vance", "Managing Partner"), ("Elena Popova", "Operations Manager")],
        (2026, 6, 8),
    ),
    row(
        "Northstar Fitness Studios",
        "northstarfit",
        POTENTIAL,
        ("Retail", "Web", 120, None),
        ("90 South Seventh Street", "Minneapolis", "MN", "55402"),
        &[("Brianna Scott", "Regional Manager")],
        (2026, 7, 14),
    ),
    row(
        "Open Field Agritech",
        "openfield",
        POTENTIAL,
        ("SaaS", "Trade Show", 48, None),
        ("2300 Tulare Street", "Fresno", "CA", "93721"),
        &[("Luis Herrera", "CEO"), ("Amy Walsh", "Agronomist")],
        (2026, 8, 3),
    ),
];

/// Adds the demo leads, their activities and tasks to the organisation.
pub fn add(org: &mut Org) {
    demo_acme::add(org);
    for (n, row) in ROWS.iter().enumerate() {
        let created = Timestamp::at(
            row.created.0,
            row.created.1,
            row.created.2,
            9 + (n % 8) as u32,
            (n * 7 % 60) as u32,
            0,
        );
        let created = Timestamp(created.0 + (n as i64 * 137_250) % 1_000_000);
        let id = org.ids.next("lead");
        let lead = lead_from(org, row, id.clone(), created, n);
        org.insert_lead(lead);
        demo_activities::add(org, &id, n);
    }
    demo_acme::add_tasks(org);
}

/// Builds a lead with its contacts from a table row.
fn lead_from(org: &mut Org, row: &Row, id: String, created: Timestamp, n: usize) -> Lead {
    let area = area_code(row.address.2);
    let contacts = row
        .contacts
        .iter()
        .enumerate()
        .map(|(k, (name, title))| {
            let number = format!("{area}55501{:02}", (n * 3 + k + 10) % 100);
            let kind = if k == 0 { "office" } else { "mobile" };
            contact(org, name, title, row.domain, Some(&number), kind, created)
        })
        .collect();
    let mut custom = vec![
        (INDUSTRY, json!(row.industry)),
        (LEAD_SOURCE, json!(row.source)),
        (EMPLOYEES, json!(row.employees)),
    ];
    if let Some(renewal) = row.renewal {
        custom.push((RENEWAL_DATE, Value::String(renewal.to_string())));
    }
    Lead {
        id,
        name: row.name.to_string(),
        description: None,
        url: Some(format!("https://{}.example.com", row.domain)),
        status: row.status,
        addresses: vec![address(row.address)],
        contacts,
        custom,
        created_by: n % 2,
        updated_by: n % 2,
        date_created: created,
        date_updated: created,
        search_text: String::new(),
    }
}

/// A demo contact with an office email on the company's domain and, maybe, a phone.
pub(super) fn contact(
    org: &mut Org,
    name: &str,
    title: &str,
    domain: &str,
    phone: Option<&str>,
    kind: &str,
    created: Timestamp,
) -> Contact {
    let local: Vec<String> = name
        .trim_start_matches("Dr. ")
        .split_whitespace()
        .map(|w| w.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_lowercase())
        .collect();
    Contact {
        id: org.ids.next("cont"),
        name: name.to_string(),
        title: Some(title.to_string()),
        emails: vec![Email {
            email: format!("{}@{domain}.example.com", local.join(".")),
            kind: "office".into(),
        }],
        phones: phone.into_iter().filter_map(|p| phone::normalize(p, kind).ok()).collect(),
        urls: Vec::new(),
        created_by: 0,
        date_created: created,
    }
}

pub(super) fn address((street, city, state, zipcode): (&str, &str, &str, &str)) -> Address {
    Address {
        label: "business".into(),
        address_1: Some(street.into()),
        address_2: None,
        city: Some(city.into()),
        state: Some(state.into()),
        zipcode: Some(zipcode.into()),
        country: Some("US".into()),
    }
}

/// A real area code of the state, so numbers look local (the 555-01xx part is fictional).
fn area_code(state: &str) -> &'static str {
    match state {
        "CA" => "415",
        "TX" => "512",
        "OR" => "503",
        "PA" => "412",
        "WA" => "206",
        "CO" => "303",
        "NY" => "718",
        "MI" => "313",
        "WI" => "608",
        "TN" => "901",
        "VT" => "802",
        "NC" => "704",
        "MA" => "617",
        "UT" => "801",
        "VA" => "757",
        "AZ" => "602",
        "FL" => "305",
        "IA" => "515",
        "OH" => "614",
        "CT" => "203",
        "MN" => "612",
        _ => "212",
    }
}
