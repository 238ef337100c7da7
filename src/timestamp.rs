//! Reads Basiq's timestamps (`2024-09-25T04:15:59Z`, with or without fractions, a `+10:00`
//! offset, a space for the `T`, or no zone at all, taken as UTC) into a comparable instant, so
//! that times are compared as times and not as strings.

/// Seconds since the Unix epoch and nanoseconds, ordered as time is.
pub(crate) type Timestamp = (i64, u32);

/// Parses `text`; `None` when it is not a date-time this module understands.
pub(crate) fn parse(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    let bytes = text.as_bytes();
    if bytes.len() < 19 || !matches!(bytes[10], b'T' | b't' | b' ') {
        return None;
    }
    let number = |from: usize, to: usize| -> Option<i64> {
        let part = text.get(from..to)?;
        part.bytes().all(|b| b.is_ascii_digit()).then(|| part.parse().ok())?
    };
    let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if separators.iter().any(|(at, want)| bytes[*at] != *want) {
        return None;
    }
    let (year, month, day) = (number(0, 4)?, number(5, 7)?, number(8, 10)?);
    let (hour, minute, second) = (number(11, 13)?, number(14, 16)?, number(17, 19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &text[19..];
    let mut nanos = 0u32;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let kept = &fraction[..digits.min(9)];
        nanos = kept.parse::<u32>().ok()? * 10u32.pow(9 - kept.len() as u32);
        rest = &fraction[digits..];
    }
    let offset = match rest {
        "" | "Z" | "z" => 0,
        zone => {
            let sign = match zone.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let (h, m): (i64, i64) = (digits[..2].parse().ok()?, digits[2..].parse().ok()?);
            sign * (h * 3600 + m * 60)
        }
    };
    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
    Some((seconds, nanos))
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_shapes_basiq_sends() {
        assert_eq!(parse("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(parse("2024-09-25T04:15:59Z"), Some((1_727_237_759, 0)));
        assert_eq!(parse("2024-09-25 04:15:59"), Some((1_727_237_759, 0)));
        assert_eq!(parse("2024-09-25T14:15:59+10:00"), Some((1_727_237_759, 0)));
        assert_eq!(parse("2024-09-25T04:15:59.5Z"), Some((1_727_237_759, 500_000_000)));
        assert_eq!(parse("2024-09-25T04:15:59.123456789123Z"), Some((1_727_237_759, 123_456_789)));
    }

    #[test]
    fn compares_as_time_where_strings_would_not() {
        let earlier = parse("2024-09-25T14:00:00+10:00").unwrap();
        let later = parse("2024-09-25T05:00:00Z").unwrap();
        assert!(later > earlier, "as strings the +10:00 time sorts later");
        assert!(parse("2024-09-25T04:15:59.9Z") > parse("2024-09-25T04:15:59Z"));
    }

    #[test]
    fn refuses_what_it_does_not_understand() {
        for bad in [
            "",
            "yesterday",
            "2024-09-25",
            "2024-13-01T00:00:00Z",
            "2024-09-25T04:15:59+1",
            "2024-09-25T04:15:59.Z",
            "２０２４-09-25T04:15:59Z",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
