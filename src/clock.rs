//! Instants that saturate: a duration handed over by a caller or a server (a "no deadline"
//! `Duration::MAX`, a huge `expires_in`) never overflows `Instant` arithmetic.

use std::time::Duration;

use tokio::time::Instant;

/// About thirty years: far enough to mean "never", near enough for every platform's `Instant`.
const FAR: Duration = Duration::from_secs(30 * 365 * 24 * 60 * 60);

/// `at + duration`, or a time about thirty years after `at` when that would overflow.
pub(crate) fn after(at: Instant, duration: Duration) -> Instant {
    at.checked_add(duration.min(FAR)).or_else(|| at.checked_add(Duration::from_secs(24 * 60 * 60))).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_durations_saturate_instead_of_panicking() {
        let now = Instant::now();
        assert!(after(now, Duration::MAX) > now + Duration::from_secs(365 * 24 * 60 * 60));
        assert_eq!(after(now, Duration::from_secs(5)), now + Duration::from_secs(5));
        assert_eq!(after(now, Duration::ZERO), now);
    }
}
