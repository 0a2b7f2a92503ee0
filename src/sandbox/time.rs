//! Timestamps and dates as Close writes them, without a calendar library.
//!
//! Close sends times as `2024-03-01T10:00:00.123000+00:00` (six-digit fraction, UTC) and days
//! as `2024-03-01`. Lead pages format a dozen timestamps per lead, so formatting is done by
//! hand from a count of microseconds. Parsing accepts the forms search queries and task dates
//! use: a day, or a day and time to the minute, second or fraction, with an optional zone.

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Serialize, Serializer};

/// Timestamps count microseconds.
const MICROS_PER_SECOND: i64 = 1_000_000;
const MICROS_PER_DAY: i64 = 86_400 * MICROS_PER_SECOND;

/// A moment in UTC, in microseconds since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

/// A calendar day, in days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i64);

/// A timestamp written without the fraction (`2024-03-05T18:00:00+00:00`), the form Close
/// uses for `date_sent`, `starts_at` and date-time task dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plain(pub Timestamp);

/// The stretch of time a written moment stands for: `2026-01-01` covers the whole day,
/// `2026-01-01T10:00` the whole minute. Comparisons in search queries use both ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// The first microsecond inside the span.
    pub start: Timestamp,
    /// The first microsecond after the span.
    pub end: Timestamp,
}

impl Timestamp {
    /// A UTC moment from calendar parts; the demo data is written with this.
    pub fn at(year: i64, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> Timestamp {
        let days = days_from_civil(year, month, day);
        let seconds = i64::from(hour * 3600 + minute * 60 + second);
        Timestamp(days * MICROS_PER_DAY + seconds * MICROS_PER_SECOND)
    }

    /// The same moment `seconds` later.
    pub fn plus_seconds(self, seconds: i64) -> Timestamp {
        Timestamp(self.0 + seconds * MICROS_PER_SECOND)
    }

    /// The UTC day this moment falls on.
    pub fn day(self) -> Day {
        Day(self.0.div_euclid(MICROS_PER_DAY))
    }
}

/// The current time, strictly later than any earlier answer of this function, so objects
/// created in the same microsecond still get distinct, ordered `date_created` values.
pub fn now() -> Timestamp {
    static LAST: AtomicI64 = AtomicI64::new(0);
    let clock = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0);
    let mut last = LAST.load(Ordering::Relaxed);
    loop {
        let next = clock.max(last + 1);
        match LAST.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return Timestamp(next),
            Err(seen) => last = seen,
        }
    }
}

/// Today's UTC day.
pub fn today() -> Day {
    now().day()
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let micros = self.0.rem_euclid(MICROS_PER_SECOND);
        write_date_time(f, *self)?;
        let mut fraction = [b'0'; 7];
        fraction[0] = b'.';
        write_digits(&mut fraction[1..], micros);
        f.write_str(std::str::from_utf8(&fraction).unwrap_or(".000000"))?;
        f.write_str("+00:00")
    }
}

impl fmt::Display for Plain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_date_time(f, self.0)?;
        f.write_str("+00:00")
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = civil_from_days(self.0);
        let mut text = *b"0000-00-00";
        write_digits(&mut text[0..4], year);
        write_digits(&mut text[5..7], i64::from(month));
        write_digits(&mut text[8..10], i64::from(day));
        f.write_str(std::str::from_utf8(&text).unwrap_or("0000-00-00"))
    }
}

/// Writes `YYYY-MM-DDTHH:MM:SS` for the moment.
fn write_date_time(f: &mut fmt::Formatter<'_>, moment: Timestamp) -> fmt::Result {
    let seconds = moment.0.div_euclid(MICROS_PER_SECOND).rem_euclid(86_400);
    fmt::Display::fmt(&moment.day(), f)?;
    let mut text = *b"T00:00:00";
    write_digits(&mut text[1..3], seconds / 3600);
    write_digits(&mut text[4..6], seconds / 60 % 60);
    write_digits(&mut text[7..9], seconds % 60);
    f.write_str(std::str::from_utf8(&text).unwrap_or("T00:00:00"))
}

/// Fills `slot` with the low decimal digits of `value`, zero-padded.
fn write_digits(slot: &mut [u8], mut value: i64) {
    for byte in slot.iter_mut().rev() {
        *byte = b'0' + (value.rem_euclid(10)) as u8;
        value /= 10;
    }
}

macro_rules! serialize_as_text {
    ($($kind:ty),*) => {$(
        impl Serialize for $kind {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }
    )*};
}
serialize_as_text!(Timestamp, Plain, Day);

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's method).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The calendar date of a count of days since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Reads `YYYY-MM-DD`, checking that the day exists.
pub fn parse_day(text: &str) -> Option<Day> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year = number(&text[0..4])?;
    let month = number(&text[5..7])? as u32;
    let day = number(&text[8..10])? as u32;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(Day(days_from_civil(year, month, day)))
}

/// Reads a day or a date-time (`T` or a space between; minutes, seconds and a fraction
/// optional after the hour and minute; zone `Z`, `±HH:MM`, `±HHMM` or none, meaning UTC).
pub fn parse_moment(text: &str) -> Option<Span> {
    let text = text.trim();
    let day = parse_day(text.get(0..10)?)?;
    let day_start = Timestamp(day.0 * MICROS_PER_DAY);
    if text.len() == 10 {
        return Some(Span { start: day_start, end: Timestamp(day_start.0 + MICROS_PER_DAY) });
    }
    let rest = text[10..].strip_prefix(['T', 't', ' '])?;
    let (clock, offset) = split_zone(rest)?;
    let (micros, width) = parse_clock(clock)?;
    let start = Timestamp(day_start.0 + micros - offset * MICROS_PER_SECOND);
    Some(Span { start, end: Timestamp(start.0 + width) })
}

/// Splits `HH:MM[:SS[.ffffff]][zone]` into the clock text and the zone offset in seconds.
fn split_zone(rest: &str) -> Option<(&str, i64)> {
    if let Some(clock) = rest.strip_suffix(['Z', 'z']) {
        return Some((clock, 0));
    }
    let Some(sign_at) = rest.rfind(['+', '-']) else {
        return Some((rest, 0));
    };
    let zone = rest[sign_at + 1..].replace(':', "");
    if zone.len() != 4 {
        return None;
    }
    let hours = number(&zone[0..2])?;
    let minutes = number(&zone[2..4])?;
    let sign = if rest[sign_at..].starts_with('-') { -1 } else { 1 };
    Some((&rest[..sign_at], sign * (hours * 3600 + minutes * 60)))
}

/// Microseconds since midnight of `HH:MM[:SS[.f…]]`, and the width of its precision.
fn parse_clock(clock: &str) -> Option<(i64, i64)> {
    let (whole, fraction) = match clock.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (clock, None),
    };
    let parts: Vec<&str> = whole.split(':').collect();
    if parts.len() < 2 || parts.len() > 3 || parts.iter().any(|p| p.len() != 2) {
        return None;
    }
    let hour = number(parts[0])?;
    let minute = number(parts[1])?;
    let second = if parts.len() == 3 { number(parts[2])? } else { 0 };
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut micros = (hour * 3600 + minute * 60 + second) * MICROS_PER_SECOND;
    let mut width = if parts.len() == 3 { MICROS_PER_SECOND } else { 60 * MICROS_PER_SECOND };
    if let Some(fraction) = fraction {
        if parts.len() != 3 || fraction.is_empty() || fraction.len() > 6 {
            return None;
        }
        let digits = number(fraction)?;
        let scale = 10_i64.pow(6 - fraction.len() as u32);
        micros += digits * scale;
        width = scale;
    }
    Some((micros, width))
}

/// A non-negative decimal number made of ASCII digits only.
fn number(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_close() {
        let moment = Timestamp::at(2024, 3, 1, 10, 0, 0);
        assert_eq!(Timestamp(moment.0 + 123_000).to_string(), "2024-03-01T10:00:00.123000+00:00");
        assert_eq!(Plain(moment).to_string(), "2024-03-01T10:00:00+00:00");
        assert_eq!(moment.day().to_string(), "2024-03-01");
        assert_eq!(Timestamp::at(1969, 12, 31, 23, 59, 59).to_string(), "1969-12-31T23:59:59.000000+00:00");
    }

    #[test]
    fn calendar_round_trips() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn parses_days_and_moments_with_their_precision() {
        assert_eq!(parse_day("2024-02-29").map(|d| d.to_string()), Some("2024-02-29".into()));
        assert_eq!(parse_day("2023-02-29"), None);
        let day = parse_moment("2026-01-01").unwrap();
        assert_eq!(day.start, Timestamp::at(2026, 1, 1, 0, 0, 0));
        assert_eq!(day.end, Timestamp::at(2026, 1, 2, 0, 0, 0));
        let minute = parse_moment("2021-07-01T10:00").unwrap();
        assert_eq!(minute.end.0 - minute.start.0, 60_000_000);
        let zoned = parse_moment("2021-07-01T10:00:00+02:00").unwrap();
        assert_eq!(zoned.start, Timestamp::at(2021, 7, 1, 8, 0, 0));
        let fraction = parse_moment("2021-07-01T10:00:00.5Z").unwrap();
        assert_eq!(fraction.start.0 - Timestamp::at(2021, 7, 1, 10, 0, 0).0, 500_000);
        assert_eq!(parse_moment("30 days ago"), None);
        assert_eq!(parse_moment("2021-07-01T25:00"), None);
    }
}
