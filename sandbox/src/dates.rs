//! Calendar arithmetic on unix seconds: civil dates, `YYYY-MM-DD`/`YYYY-MM`/RFC 3339 formatting
//! and parsing.

/// Seconds per day.
pub(crate) const DAY: i64 = 86_400;

/// Days since 1970-01-01 for a proleptic Gregorian date.
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Calendar date (year, month, day) of a day number since 1970-01-01.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// RFC 3339 UTC timestamp (`2024-09-25T04:15:59Z`) for unix seconds.
pub(crate) fn fmt_datetime(secs: i64) -> String {
    let days = secs.div_euclid(DAY);
    let rem = secs.rem_euclid(DAY);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, (rem / 60) % 60, rem % 60)
}

/// `YYYY-MM-DD` for unix seconds.
pub(crate) fn fmt_date(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(DAY));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM` for unix seconds.
pub(crate) fn fmt_month(secs: i64) -> String {
    let (y, m, _) = civil_from_days(secs.div_euclid(DAY));
    format!("{y:04}-{m:02}")
}

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parse `YYYY-MM-DD` into the unix seconds of that day's midnight UTC.
pub(crate) fn parse_date(s: &str) -> Option<i64> {
    let mut it = s.split('-');
    let (y, m, d) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d) = (num(y)?, num(m)? as u32, num(d)? as u32);
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d) * DAY)
}

/// Parse `YYYY-MM` into the unix seconds of the first day of that month.
pub(crate) fn parse_month(s: &str) -> Option<i64> {
    parse_date(&format!("{s}-01")).filter(|_| s.len() == 7)
}

/// Number of days in a month.
pub(crate) fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Parse an RFC 3339 date-time (`Z` or `±hh:mm` offset, optional fraction) into unix seconds.
pub(crate) fn parse_datetime(s: &str) -> Option<i64> {
    let (date, rest) = s.split_once(['T', 't', ' '])?;
    let day = parse_date(date)?;
    if rest.len() < 8 {
        return None;
    }
    let (clock, zone) = rest.split_at(8);
    let mut parts = clock.split(':');
    let (h, mi, se) = (num(parts.next()?)?, num(parts.next()?)?, num(parts.next()?)?);
    if h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let zone = match zone.strip_prefix('.') {
        Some(frac) => frac.trim_start_matches(|c: char| c.is_ascii_digit()),
        None => zone,
    };
    let offset = match zone {
        "Z" | "z" | "" => 0,
        z if z.len() == 6 && (z.starts_with('+') || z.starts_with('-')) => {
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let (oh, om) = z[1..].split_once(':')?;
            sign * (num(oh)? * 3600 + num(om)? * 60)
        }
        _ => return None,
    };
    Some(day + h * 3600 + mi * 60 + se - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(fmt_datetime(0), "1970-01-01T00:00:00Z");
        assert_eq!(fmt_datetime(1_727_237_759), "2024-09-25T04:15:59Z");
        assert_eq!(parse_date("2024-02-29"), Some(days_from_civil(2024, 2, 29) * DAY));
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2024-2-01"), None);
        assert_eq!(parse_datetime("2024-09-25T04:15:59Z"), Some(1_727_237_759));
        assert_eq!(parse_datetime("2024-09-25T14:15:59+10:00"), Some(1_727_237_759));
        assert_eq!(parse_datetime("2024-09-25T04:15:59.123Z"), Some(1_727_237_759));
        assert_eq!(parse_datetime("2024-09-25"), None);
        assert_eq!(parse_month("2024-09"), parse_date("2024-09-01"));
        for d in [-800_000, -1, 0, 1, 19_000, 60_000] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
    }
}
