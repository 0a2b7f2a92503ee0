//! Phone numbers in the form Close stores them.
//!
//! Close keeps phones in E.164 (`+15555550100`) with a display form beside it
//! (`+1 555-555-0100`) and the country. A national number gets the organisation's country
//! code; every demo organisation is American, so that is always `+1`. Only a handful of
//! country codes are known here, enough for display; other numbers are kept as given.

use super::model::Phone;

/// Country codes the display form knows, with their ISO country.
const COUNTRIES: [(&str, &str); 8] = [
    ("44", "GB"),
    ("49", "DE"),
    ("33", "FR"),
    ("61", "AU"),
    ("31", "NL"),
    ("34", "ES"),
    ("39", "IT"),
    ("353", "IE"),
];

/// Normalises a phone as written by a client into a stored `Phone`, or explains what is
/// wrong with it.
pub fn normalize(raw: &str, kind: &str) -> Result<Phone, String> {
    let digits = digits_of(raw).ok_or_else(|| format!("'{raw}' is not a valid phone number."))?;
    // Numbers that already carry a country code keep it; others are national (American).
    let has_code = raw.trim_start().starts_with('+') || (digits.len() == 11 && digits.starts_with('1'));
    let international = if has_code { digits } else { format!("1{digits}") };
    if !(8..=15).contains(&international.len()) {
        return Err(format!("'{raw}' is not a valid phone number."));
    }
    let (phone_formatted, country) = display_form(&international);
    Ok(Phone {
        phone: format!("+{international}"),
        phone_formatted,
        kind: kind.to_string(),
        country: country.map(str::to_string),
    })
}

/// The digits of a number written with the usual separators; `None` if anything else is in
/// it (letters, a `+` in the middle).
fn digits_of(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    let body = trimmed.strip_prefix('+').unwrap_or(trimmed);
    let mut digits = String::with_capacity(body.len());
    for c in body.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' | '/' => {}
            _ => return None,
        }
    }
    (!digits.is_empty()).then_some(digits)
}

/// The display form and country of an international number given as digits.
fn display_form(digits: &str) -> (String, Option<&'static str>) {
    if digits.len() == 11 && digits.starts_with('1') {
        let national = &digits[1..];
        let formatted = format!("+1 {}-{}-{}", &national[0..3], &national[3..6], &national[6..]);
        return (formatted, Some("US"));
    }
    for (code, country) in COUNTRIES {
        if let Some(national) = digits.strip_prefix(code) {
            return (format!("+{code} {}", grouped(national)), Some(country));
        }
    }
    (format!("+{digits}"), None)
}

/// A national number split 3-3-rest for reading, e.g. `800 444 5555`.
fn grouped(national: &str) -> String {
    if national.len() < 7 {
        return national.to_string();
    }
    format!("{} {} {}", &national[0..3], &national[3..6], &national[6..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_numbers_gain_plus_one() {
        let phone = normalize("(800) 444-5555", "office").unwrap();
        assert_eq!(phone.phone, "+18004445555");
        assert_eq!(phone.phone_formatted, "+1 800-444-5555");
        assert_eq!(phone.country.as_deref(), Some("US"));
        assert_eq!(normalize("1-800-444-5555", "office").unwrap().phone, "+18004445555");
    }

    #[test]
    fn international_numbers_keep_their_code() {
        let phone = normalize("+44 800 444 5555", "mobile").unwrap();
        assert_eq!(phone.phone, "+448004445555");
        assert_eq!(phone.phone_formatted, "+44 800 444 5555");
        assert_eq!(phone.country.as_deref(), Some("GB"));
        let odd = normalize("+1234567890", "office").unwrap();
        assert_eq!((odd.phone.as_str(), odd.country), ("+1234567890", None));
    }

    #[test]
    fn rejects_what_is_not_a_number() {
        assert!(normalize("call me", "office").is_err());
        assert!(normalize("12", "office").is_err());
        assert!(normalize("", "office").is_err());
    }
}
