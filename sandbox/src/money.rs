//! Money on the wire: amounts are held in cents and shown as decimal strings.

/// Money in cents rendered as a decimal string (`-124.69`).
pub(crate) fn decimal(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_format() {
        assert_eq!(decimal(-12469), "-124.69");
        assert_eq!(decimal(5), "0.05");
        assert_eq!(decimal(-5), "-0.05");
        assert_eq!(decimal(100_000), "1000.00");
    }
}
