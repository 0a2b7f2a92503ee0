//! Matching parsed queries against an organisation's leads.
//!
//! A `Query` from `query.rs` is first compiled against the organisation: status labels
//! become status positions and custom field names become field positions, so unknown
//! custom fields are refused before any lead is looked at. Matching choices, all
//! case-insensitive (Close's exact rules are not documented, so these are the sandbox's):
//! free text and `name:` find substrings, `email_address:` needs the whole address,
//! `status:` an existing label (an unknown label matches nothing), date comparisons are
//! read in UTC (`X-TZ-Offset` is not honoured), and `slice:i/n` puts each lead in one of the
//! `n` parts by a hash of its ID (Close does not say how it splits; any split into parts
//! that do not overlap and together hold every match serves the same purpose).

use std::cmp::Ordering;

use serde_json::Value;

use super::ids::fnv1a;
use super::model::{FieldType, Lead};
use super::query::{Comparison, DateField, Expr, FieldName, Pattern, Query, SortField, SortKey};
use super::store::Org;
use super::time::{self, Span, Timestamp};

/// A query ready to run against one organisation.
#[derive(Debug, Clone)]
pub struct Search {
    filter: Filter,
    sort: Vec<SortKey>,
}

/// A condition with names resolved and text lower-cased.
#[derive(Debug, Clone)]
enum Filter {
    All,
    Never,
    Text(String),
    Name(Option<String>),
    Email(Option<String>),
    Status(usize),
    Custom(usize, Option<Wanted>),
    Date(DateField, Comparison, Span),
    Slice(u32, u32),
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
}

/// What a custom field value must be, per field type.
#[derive(Debug, Clone)]
enum Wanted {
    Contains(String),
    Equals(String),
    Number(f64),
}

/// Resolves a parsed query against `org`, or explains what names nothing there.
pub fn compile(query: &Query, org: &Org) -> Result<Search, String> {
    Ok(Search { filter: resolve(&query.expr, org)?, sort: query.sort.clone() })
}

fn resolve(expr: &Expr, org: &Org) -> Result<Filter, String> {
    let all = |parts: &[Expr]| parts.iter().map(|p| resolve(p, org)).collect::<Result<Vec<_>, _>>();
    Ok(match expr {
        Expr::All => Filter::All,
        Expr::Text(text) => Filter::Text(text.clone()),
        Expr::Field(FieldName::Name, pattern) => Filter::Name(lowered(pattern)),
        Expr::Field(FieldName::Email, pattern) => Filter::Email(lowered(pattern)),
        Expr::Field(FieldName::Status, Pattern::Any) => Filter::All,
        Expr::Field(FieldName::Status, Pattern::Value(label)) => {
            match org.statuses.iter().position(|s| s.label.eq_ignore_ascii_case(label)) {
                Some(status) => Filter::Status(status),
                None => Filter::Never,
            }
        }
        Expr::Field(FieldName::Custom(name), pattern) => custom_filter(org, name, pattern)?,
        Expr::Date(field, op, span) => Filter::Date(*field, *op, *span),
        Expr::Slice(part, parts) => Filter::Slice(*part, *parts),
        Expr::And(parts) => Filter::And(all(parts)?),
        Expr::Or(parts) => Filter::Or(all(parts)?),
        Expr::Not(inner) => Filter::Not(Box::new(resolve(inner, org)?)),
    })
}

fn lowered(pattern: &Pattern) -> Option<String> {
    match pattern {
        Pattern::Any => None,
        Pattern::Value(value) => Some(value.to_lowercase()),
    }
}

/// `custom.<name or id>:value`, checked against the field's type.
fn custom_filter(org: &Org, name: &str, pattern: &Pattern) -> Result<Filter, String> {
    let field = org
        .fields
        .iter()
        .position(|f| f.id == name || f.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| format!("unknown custom field '{name}' (in 'custom.{name}')"))?;
    let Pattern::Value(value) = pattern else {
        return Ok(Filter::Custom(field, None));
    };
    let wanted = match &org.fields[field].kind {
        FieldType::Text => Wanted::Contains(value.to_lowercase()),
        FieldType::Choices(_) => Wanted::Equals(value.to_lowercase()),
        FieldType::Number => Wanted::Number(
            value
                .parse()
                .map_err(|_| format!("'{value}' is not a number, but custom.{name} holds numbers"))?,
        ),
        FieldType::Date => match time::parse_day(value) {
            Some(day) => Wanted::Equals(day.to_string()),
            None => return Err(format!("'{value}' is not a date (YYYY-MM-DD) for custom.{name}")),
        },
    };
    Ok(Filter::Custom(field, Some(wanted)))
}

impl Search {
    /// Whether the search keeps every lead in the default order, so paging can skip it.
    pub fn is_everything(&self) -> bool {
        matches!(self.filter, Filter::All) && self.sort.is_empty()
    }

    /// The matching leads, in the order the query asks for.
    pub fn run<'a>(&self, org: &'a Org) -> Vec<&'a Lead> {
        if let (Filter::All, [SortKey { field: SortField::Created, descending: false }]) =
            (&self.filter, self.sort.as_slice())
        {
            return org.leads_oldest_first();
        }
        let found = org.leads.iter().filter(|lead| self.filter.matches(lead));
        if self.sort.is_empty() {
            return found.collect();
        }
        if let [SortKey { field: SortField::Created, descending }] = self.sort.as_slice() {
            return by_creation(found.collect(), *descending);
        }

        // Work out each lead's sort values once, not at every comparison; a stable sort
        // keeps the default order among leads the keys call equal.
        let mut keyed: Vec<(Vec<SortValue>, &Lead)> = found
            .map(|lead| (self.sort.iter().map(|key| sort_value(key.field, lead)).collect(), lead))
            .collect();
        keyed.sort_by(|(a, _), (b, _)| compare(&self.sort, a, b));
        keyed.into_iter().map(|(_, lead)| lead).collect()
    }
}

impl Filter {
    fn matches(&self, lead: &Lead) -> bool {
        match self {
            Filter::All => true,
            Filter::Never => false,
            Filter::Text(text) => mentions(lead, text),
            Filter::Name(None) => !lead.name.is_empty(),
            Filter::Name(Some(text)) => contains_folded(&lead.name, text),
            Filter::Email(wanted) => lead.contacts.iter().flat_map(|c| &c.emails).any(|e| match wanted {
                None => true,
                Some(address) => e.email.eq_ignore_ascii_case(address) || e.email.to_lowercase() == *address,
            }),
            Filter::Status(status) => lead.status == *status,
            Filter::Custom(field, wanted) => match (lead.custom_value(*field), wanted) {
                (None, _) => false,
                (Some(_), None) => true,
                (Some(value), Some(wanted)) => value_matches(value, wanted),
            },
            Filter::Date(field, op, span) => in_range(lead_date(lead, *field), *op, span),
            Filter::Slice(part, parts) => {
                fnv1a(lead.id.as_bytes()) % u64::from(*parts) == u64::from(part - 1)
            }
            Filter::And(parts) => parts.iter().all(|p| p.matches(lead)),
            Filter::Or(parts) => parts.iter().any(|p| p.matches(lead)),
            Filter::Not(inner) => !inner.matches(lead),
        }
    }
}

/// Free text: the lead's name, a contact's name or a contact's email contains it.
fn mentions(lead: &Lead, text: &str) -> bool {
    lead.search_text.contains(text)
}

fn value_matches(value: &Value, wanted: &Wanted) -> bool {
    match (value, wanted) {
        (Value::String(text), Wanted::Contains(part)) => contains_folded(text, part),
        (Value::String(text), Wanted::Equals(whole)) => text.to_lowercase() == *whole,
        (Value::Number(number), Wanted::Number(wanted)) => number.as_f64() == Some(*wanted),
        _ => false,
    }
}

fn lead_date(lead: &Lead, field: DateField) -> Timestamp {
    match field {
        DateField::Created => lead.date_created,
        DateField::Updated => lead.date_updated,
    }
}

/// Compares a moment with a written date at its precision: `> 2026-01-01` means after that
/// whole day, `<= 2026-01-01` up to its end.
fn in_range(moment: Timestamp, op: Comparison, span: &Span) -> bool {
    match op {
        Comparison::Before => moment < span.start,
        Comparison::AtOrBefore => moment < span.end,
        Comparison::Within => span.start <= moment && moment < span.end,
        Comparison::AtOrAfter => moment >= span.start,
        Comparison::After => moment >= span.end,
    }
}

/// One sort value of a lead.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum SortValue {
    Time(Timestamp),
    Text(String),
}

fn sort_value(field: SortField, lead: &Lead) -> SortValue {
    match field {
        SortField::Created => SortValue::Time(lead.date_created),
        SortField::Updated => SortValue::Time(lead.date_updated),
        SortField::Name => SortValue::Text(lead.display_name().to_lowercase()),
    }
}

/// Leads in default order (newest first, ties by id) re-ordered by creation time without a
/// sort: the default order already is that order, newest first. Walks that page through
/// every lead by creation time ask for this on every page, so it must not cost a sort each.
fn by_creation(mut leads: Vec<&Lead>, descending: bool) -> Vec<&Lead> {
    if descending {
        return leads;
    }
    leads.reverse();
    // Reversing also reversed each run of equal times; a stable sort keeps them by id.
    let mut start = 0;
    while start < leads.len() {
        let time = leads[start].date_created;
        let end = leads[start..]
            .iter()
            .position(|lead| lead.date_created != time)
            .map_or(leads.len(), |n| start + n);
        leads[start..end].reverse();
        start = end;
    }
    leads
}

/// Compares two leads' sort values key by key, each in its direction.
fn compare(keys: &[SortKey], a: &[SortValue], b: &[SortValue]) -> Ordering {
    for ((key, a), b) in keys.iter().zip(a).zip(b) {
        let order = if key.descending { b.cmp(a) } else { a.cmp(b) };
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

/// Whether `haystack` contains `needle` (already lower-case), ignoring case.
pub fn contains_folded(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if haystack.len() < needle.len() {
        return false;
    }
    // ASCII case folding leaves other characters alone, so it is enough for ASCII needles,
    // the usual case, and much cheaper than full Unicode lower-casing.
    if needle.is_ascii() {
        haystack.to_ascii_lowercase().contains(needle)
    } else {
        haystack.to_lowercase().contains(needle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_containment() {
        assert!(contains_folded("Acme Corp", "acme"));
        assert!(contains_folded("ACME", "cm"));
        assert!(!contains_folded("Acne", "acme"));
        assert!(contains_folded("Grüße GmbH", "grüße"));
        assert!(contains_folded("anything", ""));
    }

    #[test]
    fn date_ranges_follow_precision() {
        let day = time::parse_moment("2026-01-01").unwrap();
        let noon = Timestamp::at(2026, 1, 1, 12, 0, 0);
        assert!(in_range(noon, Comparison::Within, &day));
        assert!(in_range(noon, Comparison::AtOrAfter, &day));
        assert!(in_range(noon, Comparison::AtOrBefore, &day));
        assert!(!in_range(noon, Comparison::After, &day));
        assert!(!in_range(noon, Comparison::Before, &day));
    }
}
