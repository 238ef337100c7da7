//! When and how long to wait before sending a request again.
//!
//! A 429 is retried for every method: Basiq refused the request without processing it.
//! 502, 503, 504 and connection failures are retried only for idempotent requests (GET,
//! DELETE and the token request), because a POST may have been processed before the failure.
//! Delays grow exponentially with full jitter, and a `Retry-After` header wins when present.

use std::time::{Duration, SystemTime};

use reqwest::{Method, StatusCode, header::HeaderMap};

/// How a call retries transient failures; see the module docs for which failures qualify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    base_delay: Duration,
    max_delay: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The default policy: 3 retries, 250 ms base delay, 10 s backoff cap, `Retry-After` capped at 60 s.
    pub fn new() -> Self {
        Self::default()
    }

    /// A policy that never retries.
    pub fn disabled() -> Self {
        Self { max_retries: 0, ..Self::default() }
    }

    /// Retries allowed per call, on top of the first attempt.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Upper bound of the first jittered delay; each further retry doubles it.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Largest delay the exponential backoff may reach.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Longest `Retry-After` the client will honour; longer hints are shortened to this.
    pub fn max_retry_after(mut self, delay: Duration) -> Self {
        self.max_retry_after = delay;
        self
    }

    /// Retries allowed per call.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// The delay before retry number `retry` (0-based): full jitter over an exponential ceiling.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self.base_delay.saturating_mul(2u32.saturating_pow(retry.min(20))).min(self.max_delay);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        if nanos == 0 {
            return Duration::ZERO;
        }
        Duration::from_nanos(rand::random_range(0..=nanos))
    }

    /// The delay before the next attempt after `status`, or `None` when it must not be retried.
    pub(crate) fn delay_after_status(
        &self,
        retry: u32,
        status: StatusCode,
        headers: &HeaderMap,
        idempotent: bool,
    ) -> Option<Duration> {
        if retry >= self.max_retries || !retryable_status(status, idempotent) {
            return None;
        }
        Some(match retry_after(headers, SystemTime::now()) {
            Some(hint) => hint.min(self.max_retry_after),
            None => self.backoff(retry),
        })
    }

    /// The delay before the next attempt after a transport failure, or `None`.
    pub(crate) fn delay_after_transport_error(
        &self,
        retry: u32,
        error: &reqwest::Error,
        idempotent: bool,
    ) -> Option<Duration> {
        let transient = error.is_connect() || error.is_timeout() || error.is_request();
        (retry < self.max_retries && idempotent && transient).then(|| self.backoff(retry))
    }
}

/// Whether a response with this status may be sent again.
pub(crate) fn retryable_status(status: StatusCode, idempotent: bool) -> bool {
    match status {
        StatusCode::TOO_MANY_REQUESTS => true,
        StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT => idempotent,
        _ => false,
    }
}

/// Whether repeating the request cannot change the outcome: GET, HEAD, DELETE, and the token request.
pub(crate) fn is_idempotent(method: &Method, operation: &str) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::DELETE | Method::OPTIONS) || is_token_request(operation)
}

/// Whether the operation named `name` (snake_case, e.g. `get_user`) is idempotent, from the operation table.
pub(crate) fn operation_is_idempotent(name: &str) -> bool {
    let method = crate::OPERATIONS.iter().find(|o| o.name == name).and_then(|o| o.method.parse::<Method>().ok());
    method.is_some_and(|method| is_idempotent(&method, name))
}

/// The token request only hands out a token, so sending it twice is harmless.
fn is_token_request(name: &str) -> bool {
    crate::OPERATIONS.iter().any(|o| o.name == name && o.operation_id == "postToken")
}

/// Parses `Retry-After` as delta-seconds or an HTTP-date relative to `now`.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderValue, RETRY_AFTER};

    #[test]
    fn retries_reports_the_budget_that_was_set() {
        assert_eq!(RetryPolicy::default().max_retries(5).retries(), 5);
        assert_eq!(RetryPolicy::default().max_retries(0).retries(), 0);
    }

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn retry_after_reads_seconds() {
        assert_eq!(retry_after(&headers("7"), SystemTime::now()), Some(Duration::from_secs(7)));
    }

    #[test]
    fn retry_after_reads_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        let h = headers("Wed, 21 Oct 2015 07:28:30 GMT");
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(30)));
    }

    #[test]
    fn retry_after_ignores_garbage() {
        assert_eq!(retry_after(&headers("soon"), SystemTime::now()), None);
    }

    #[test]
    fn retry_after_is_capped() {
        let p = RetryPolicy::new().max_retry_after(Duration::from_secs(5));
        let d = p.delay_after_status(0, StatusCode::TOO_MANY_REQUESTS, &headers("3600"), false);
        assert_eq!(d, Some(Duration::from_secs(5)));
    }

    #[test]
    fn too_many_requests_is_retried_for_post_but_503_is_not() {
        assert!(retryable_status(StatusCode::TOO_MANY_REQUESTS, false));
        assert!(!retryable_status(StatusCode::SERVICE_UNAVAILABLE, false));
        assert!(retryable_status(StatusCode::SERVICE_UNAVAILABLE, true));
        assert!(!retryable_status(StatusCode::INTERNAL_SERVER_ERROR, true));
    }

    #[test]
    fn backoff_stays_under_its_exponential_ceiling() {
        let p = RetryPolicy::new().base_delay(Duration::from_millis(100)).max_delay(Duration::from_secs(1));
        for retry in 0..10 {
            let ceiling = Duration::from_millis(100 * 2u64.pow(retry)).min(Duration::from_secs(1));
            assert!(p.backoff(retry) <= ceiling);
        }
    }

    #[test]
    fn budget_is_respected() {
        let p = RetryPolicy::new().max_retries(2);
        let h = HeaderMap::new();
        assert!(p.delay_after_status(1, StatusCode::TOO_MANY_REQUESTS, &h, true).is_some());
        assert!(p.delay_after_status(2, StatusCode::TOO_MANY_REQUESTS, &h, true).is_none());
        assert!(RetryPolicy::disabled().delay_after_status(0, StatusCode::TOO_MANY_REQUESTS, &h, true).is_none());
    }

    #[test]
    fn token_request_counts_as_idempotent() {
        assert!(is_idempotent(&Method::POST, "post_token"));
        assert!(!is_idempotent(&Method::POST, "create_user"));
        assert!(is_idempotent(&Method::DELETE, "delete_user"));
        assert!(operation_is_idempotent("post_token") && operation_is_idempotent("get_user"));
        assert!(!operation_is_idempotent("create_user") && !operation_is_idempotent("post_job_mfa"));
        assert!(!operation_is_idempotent("no_such_operation"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 2048, failure_persistence: None, ..proptest::prelude::ProptestConfig::default() })]

        /// Any header text gives a delay or nothing, never a panic; seconds read back exactly.
        #[test]
        fn any_retry_after_value_is_read_or_ignored(value in ".{0,40}", now in 0u64..8_000_000_000, secs: u64) {
            let now = SystemTime::UNIX_EPOCH + Duration::from_secs(now);
            if let Ok(v) = HeaderValue::from_str(&value) {
                let mut h = HeaderMap::new();
                h.insert(RETRY_AFTER, v);
                let _ = retry_after(&h, now);
                let _ = RetryPolicy::new().delay_after_status(0, StatusCode::TOO_MANY_REQUESTS, &h, true);
            }
            proptest::prop_assert_eq!(retry_after(&headers(&secs.to_string()), now), Some(Duration::from_secs(secs)));
        }

        /// A date `ahead` seconds in the future is read as that delay; a past one as zero.
        #[test]
        fn http_dates_are_read_relative_to_now(at in 0u64..4_000_000_000, ahead in -100_000i64..100_000) {
            let now = SystemTime::UNIX_EPOCH + Duration::from_secs(at);
            let then = if ahead >= 0 { now + Duration::from_secs(ahead as u64) } else { now - Duration::from_secs(ahead.unsigned_abs().min(at)) };
            let date = httpdate::fmt_http_date(then);
            let expected = then.duration_since(now).unwrap_or(Duration::ZERO);
            proptest::prop_assert_eq!(retry_after(&headers(&date), now), Some(expected));
        }

        /// Any policy and retry number give a delay within the policy's bounds.
        #[test]
        fn backoff_never_exceeds_its_ceiling(base: u64, max: u64, retry: u32) {
            let p = RetryPolicy::new().base_delay(Duration::from_nanos(base)).max_delay(Duration::from_nanos(max));
            proptest::prop_assert!(p.backoff(retry) <= Duration::from_nanos(max));
        }
    }
}
