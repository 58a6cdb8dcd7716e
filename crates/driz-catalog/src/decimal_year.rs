//! `astropy.time.Time(date).decimalyear` for a UTC ISO date, reproduced step by step.
//!
//! astropy turns the ISO text into a two-part Julian date with ERFA's `dtf2d` (on a day
//! that ends with a leap second the day is 86401 s long, so every UTC day spans exactly 1.0
//! in this "quasi-JD"), normalises the pair with `day_frac`, and divides the time since
//! 1 January 00:00 by the length of the year (365 or 366). The same sequence of float
//! operations is done here so the result matches to the last bit in normal cases.

use crate::CatalogError;

/// Last days of June/December that end with a positive leap second (IERS Bulletin C,
/// the same table as ERFA's `dat`; no leap second has been announced after 2016).
const LEAP_SECOND_DAYS: [(i32, u32); 27] = [
    (1972, 6),
    (1972, 12),
    (1973, 12),
    (1974, 12),
    (1975, 12),
    (1976, 12),
    (1977, 12),
    (1978, 12),
    (1979, 12),
    (1981, 6),
    (1982, 6),
    (1983, 6),
    (1985, 6),
    (1987, 12),
    (1989, 12),
    (1990, 12),
    (1992, 6),
    (1993, 6),
    (1994, 6),
    (1995, 12),
    (1997, 6),
    (1998, 12),
    (2005, 12),
    (2008, 12),
    (2012, 6),
    (2015, 6),
    (2016, 12),
];

/// Decimal year of `DATE-OBS` (and optionally `TIME-OBS`), UTC, as astropy computes it.
///
/// Accepted forms are astropy's ISO ones: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]]` (or a
/// space instead of `T`). With `time_obs`, the text `DATE-OBST TIME-OBS` is parsed.
/// runastrodriz passes `DATE-OBS` only (epoch of the first image).
pub fn decimal_year(date_obs: &str, time_obs: Option<&str>) -> Result<f64, CatalogError> {
    let text = match time_obs {
        Some(t) => format!("{}T{}", date_obs.trim(), t.trim()),
        None => date_obs.trim().to_string(),
    };
    let bad = |message: &str| CatalogError::Date { value: text.clone(), message: message.to_string() };
    let parsed = parse_iso(&text).ok_or_else(|| bad("expected YYYY-MM-DD[THH:MM[:SS[.fff]]]"))?;
    let UtcDateTime { year, month, day, hour, minute, second } = parsed;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return Err(bad("no such calendar day"));
    }
    let day_length = utc_day_length(year, month, day);
    let second_limit = if hour == 23 && minute == 59 { 60.0 + (day_length - 86400.0) } else { 60.0 };
    if hour > 23 || minute > 59 || !(0.0..second_limit).contains(&second) {
        return Err(bad("time of day out of range"));
    }

    // ERFA dtf2d: (JD of 0h, fraction of the UTC day).
    let jd_day = 2_400_000.5 + modified_julian_day(year, month, day) as f64;
    let fraction = (60.0 * f64::from(60 * hour + minute) + second) / day_length;
    let (jd1, jd2) = day_frac(jd_day, fraction);

    // ERFA d2dtf with precision 0 rounds to the nearest second, which can move the year.
    let seconds_of_day = (f64::from(3600 * hour + 60 * minute) + second).round_ties_even();
    let start_year = if month == 12 && day == 31 && seconds_of_day >= day_length { year + 1 } else { year };

    let jd_start = 2_400_000.5 + modified_julian_day(start_year, 1, 1) as f64;
    let jd_end = 2_400_000.5 + modified_julian_day(start_year + 1, 1, 1) as f64;
    let elapsed = (jd1 - jd_start) + jd2;
    let year_length = jd_end - jd_start;
    Ok(f64::from(start_year) + elapsed / year_length)
}

struct UtcDateTime {
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: f64,
}

fn parse_iso(text: &str) -> Option<UtcDateTime> {
    let (date, time) = match text.find(['T', ' ']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let mut date_parts = date.split('-');
    let year = parse_digits(date_parts.next()?, 4)? as i32;
    let month = parse_digits(date_parts.next()?, 2)?;
    let day = parse_digits(date_parts.next()?, 2)?;
    if date_parts.next().is_some() {
        return None;
    }
    let (mut hour, mut minute, mut second) = (0, 0, 0.0);
    if let Some(time) = time {
        let mut parts = time.split(':');
        hour = parse_digits(parts.next()?, 2)?;
        minute = parse_digits(parts.next()?, 2)?;
        if let Some(sec) = parts.next() {
            let (whole, frac) = sec.split_once('.').unwrap_or((sec, ""));
            parse_digits(whole, 2)?;
            if !frac.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            second = sec.parse().ok()?;
        }
        if parts.next().is_some() {
            return None;
        }
    }
    Some(UtcDateTime { year, month, day, hour, minute, second })
}

fn parse_digits(text: &str, width: usize) -> Option<u32> {
    if text.len() != width || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

fn utc_day_length(year: i32, month: u32, day: u32) -> f64 {
    let leap = day == days_in_month(year, month) && LEAP_SECOND_DAYS.contains(&(year, month));
    if leap { 86401.0 } else { 86400.0 }
}

/// Gregorian calendar date → Modified Julian Day (days since 1858-11-17).
fn modified_julian_day(year: i32, month: u32, day: u32) -> i64 {
    let (y, m) =
        if month <= 2 { (i64::from(year) - 1, i64::from(month) + 9) } else { (i64::from(year), i64::from(month) - 3) };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * m + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days_since_1970 = era * 146_097 + day_of_era - 719_468;
    days_since_1970 + 40_587
}

/// Error-free sum of two floats (Knuth), as astropy's `two_sum`.
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let x = a + b;
    let eb = x - a;
    let ea = x - eb;
    (x, (b - eb) + (a - ea))
}

/// astropy's `day_frac`: an integer day and a fraction in [-0.5, 0.5].
fn day_frac(val1: f64, val2: f64) -> (f64, f64) {
    let (sum, err) = two_sum(val1, val2);
    let mut day = sum.round_ties_even();
    let (extra, mut frac) = two_sum(sum, -day);
    frac += extra + err;
    let excess = frac.round_ties_even();
    if excess != 0.0 {
        day += excess;
        let (extra, f) = two_sum(sum, -day);
        frac = f + extra + err;
    }
    (day, frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mjd_matches_known_epochs() {
        assert_eq!(modified_julian_day(1858, 11, 17), 0);
        assert_eq!(modified_julian_day(2000, 1, 1), 51544);
    }

    #[test]
    fn malformed_dates_are_errors() {
        for bad in ["2019-2-13", "2019-02-30", "13/02/19", "2019-02-13T25:00:00", "", "2019-02-13T10:00:60"] {
            assert!(decimal_year(bad, None).is_err(), "{bad}");
        }
    }
}
