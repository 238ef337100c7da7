//! Small helpers shared by the sandbox: ids, hashing, base64, dates and money.

use std::fmt::Write as _;

use rand::Rng;

/// A 64-bit FNV-1a hash of `bytes`, continued from `state`.
fn fnv1a(mut state: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        state ^= u64::from(*b);
        state = state.wrapping_mul(0x0100_0000_01b3);
    }
    state
}

/// Hash a seed and a list of parts into one 64-bit value (stable across runs and platforms).
pub(crate) fn hash_parts(seed: u64, parts: &[&str]) -> u64 {
    let mut h = fnv1a(0xcbf2_9ce4_8422_2325, &seed.to_le_bytes());
    for p in parts {
        h = fnv1a(h, p.as_bytes());
        h = fnv1a(h, &[0x1f]);
    }
    splitmix(h)
}

/// One SplitMix64 scramble step.
pub(crate) fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A tiny deterministic generator (SplitMix64) used for persona data.
#[derive(Debug, Clone)]
pub(crate) struct Mix(u64);

impl Mix {
    /// Start a stream from a seed and a list of labels.
    pub(crate) fn new(seed: u64, parts: &[&str]) -> Self {
        Mix(hash_parts(seed, parts))
    }

    /// Next raw 64-bit value.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        splitmix(self.0)
    }

    /// A value in `lo..=hi` (returns `lo` when the range is empty).
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo) as u64 + 1;
        lo + (self.next_u64() % span) as i64
    }

    /// Pick an index below `n` (`n` must be non-zero to be meaningful).
    pub(crate) fn pick(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next_u64() % n as u64) as usize }
    }

    /// A UUID-shaped id drawn from this stream.
    pub(crate) fn uuid(&mut self) -> String {
        format_uuid(self.next_u64(), self.next_u64())
    }
}

/// Format two 64-bit values as a version-4-looking UUID string.
pub(crate) fn format_uuid(a: u64, b: u64) -> String {
    let a = (a & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
    let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

/// A UUID-shaped id from any random generator.
pub(crate) fn random_uuid<R: Rng + ?Sized>(rng: &mut R) -> String {
    format_uuid(rng.random(), rng.random())
}

/// A 64-character lowercase hex id (the shape Basiq uses for event ids).
pub(crate) fn hex64<R: Rng + ?Sized>(rng: &mut R) -> String {
    let mut s = String::with_capacity(64);
    for _ in 0..4 {
        let v: u64 = rng.random();
        let _ = write!(s, "{v:016x}");
    }
    s
}

/// A random alphanumeric string of `len` characters.
pub(crate) fn random_token<R: Rng + ?Sized>(rng: &mut R, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..len).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])).collect()
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn b64_encode_with(input: &[u8], table: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let n = match chunk.len() {
            1 => u32::from(chunk[0]) << 16,
            2 => (u32::from(chunk[0]) << 16) | (u32::from(chunk[1]) << 8),
            _ => (u32::from(chunk[0]) << 16) | (u32::from(chunk[1]) << 8) | u32::from(chunk[2]),
        };
        let chars = chunk.len() + 1;
        for i in 0..4 {
            if i < chars {
                out.push(char::from(table[((n >> (18 - 6 * i)) & 63) as usize]));
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

/// Standard base64 with padding.
pub(crate) fn base64_encode(input: &[u8]) -> String {
    b64_encode_with(input, B64, true)
}

/// URL-safe base64 without padding.
pub(crate) fn base64url_encode(input: &[u8]) -> String {
    b64_encode_with(input, B64URL, false)
}

/// Decode URL-safe base64 (padding optional); `None` on any invalid input.
pub(crate) fn base64url_decode(input: &str) -> Option<Vec<u8>> {
    let input = input.trim_end_matches('=');
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for c in input.bytes() {
        let v = B64URL.iter().position(|x| *x == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    if bits >= 6 {
        return None;
    }
    Some(out)
}

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

/// Money in cents rendered as a decimal string (`-124.69`).
pub(crate) fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Percent-encode everything except RFC 3986 unreserved characters.
pub(crate) fn encode_component(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}

/// Escape text for safe inclusion in HTML.
pub(crate) fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Parse an `application/x-www-form-urlencoded` string into pairs.
pub(crate) fn parse_form(s: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(s.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// Remove the items matching `gone`; whether any was removed.
pub(crate) fn remove_where<T>(items: &mut Vec<T>, mut gone: impl FnMut(&T) -> bool) -> bool {
    let before = items.len();
    items.retain(|item| !gone(item));
    items.len() != before
}

/// First value of a form/query field.
pub(crate) fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip() {
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64_encode(b"fooba"), "Zm9vYmE=");
        assert_eq!(base64_encode(b"foob"), "Zm9vYg==");
        let enc = base64url_encode(b"\xff\xfe hello");
        assert_eq!(base64url_decode(&enc).as_deref(), Some(&b"\xff\xfe hello"[..]));
        assert!(base64url_decode("a$b").is_none());
    }

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

    #[test]
    fn money_format() {
        assert_eq!(money(-12469), "-124.69");
        assert_eq!(money(5), "0.05");
        assert_eq!(money(-5), "-0.05");
        assert_eq!(money(100_000), "1000.00");
    }

    #[test]
    fn uuid_shape() {
        let id = Mix::new(1, &["x"]).uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert_eq!(Mix::new(1, &["x"]).uuid(), id);
        assert_ne!(Mix::new(2, &["x"]).uuid(), id);
    }
}
