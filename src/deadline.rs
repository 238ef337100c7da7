//! Carries a call's overall deadline from the `pre` hook (where the call starts and waits for its
//! token) to the `exec` hook (retries and replay) on a private header that `exec` removes, so it
//! never reaches the wire.

use std::sync::OnceLock;
use std::time::Duration;

use reqwest::Request;
use reqwest::header::{HeaderName, HeaderValue};
use tokio::time::Instant;

use crate::clock;

const HEADER: HeaderName = HeaderName::from_static("x-basiq-rs-call-deadline");

/// The instant deadlines are counted from within this process.
fn epoch() -> Instant {
    static EPOCH: OnceLock<std::time::Instant> = OnceLock::new();
    Instant::from_std(*EPOCH.get_or_init(std::time::Instant::now))
}

/// Records `at` on `request`.
pub(crate) fn stamp(request: &mut Request, at: Instant) {
    let nanos = at.saturating_duration_since(epoch()).as_nanos();
    if let Ok(value) = HeaderValue::from_str(&nanos.to_string()) {
        request.headers_mut().insert(HEADER, value);
    }
}

/// Removes the recorded deadline from `request` and returns it.
pub(crate) fn take(request: &mut Request) -> Option<Instant> {
    let value = request.headers_mut().remove(HEADER)?;
    let nanos: u64 = value.to_str().ok()?.parse().ok()?;
    Some(clock::after(epoch(), Duration::from_nanos(nanos)))
}

/// What is left of `deadline` now (zero once it has passed).
pub(crate) fn remaining(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamped_deadline_comes_back_and_leaves_no_header() {
        let mut request = Request::new(reqwest::Method::GET, "http://h/x".parse().unwrap());
        let at = Instant::now() + Duration::from_secs(7);
        stamp(&mut request, at);
        let back = take(&mut request).unwrap();
        assert!(back.max(at) - back.min(at) < Duration::from_micros(1));
        assert!(request.headers().is_empty());
        assert_eq!(take(&mut request), None);
    }
}
