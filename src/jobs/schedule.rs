//! Poll timing: the deadline, the first pause and its growth, shared by [`JobWait`](super::JobWait)
//! and [`NewJobWait`](super::NewJobWait), and the builder methods that set it.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use super::{DEFAULT_BACKOFF, DEFAULT_DEADLINE, DEFAULT_INITIAL_INTERVAL, DEFAULT_MAX_INTERVAL};
use crate::clock;

/// The shortest pause allowed, so that a zero interval cannot turn polling into a busy loop.
const MIN_INTERVAL: Duration = Duration::from_millis(1);

/// Poll timing shared by the waiters.
#[derive(Clone, Copy, Debug)]
pub(super) struct Polling {
    pub(super) deadline: Duration,
    pub(super) initial: Duration,
    pub(super) max: Duration,
    pub(super) backoff: f64,
}

impl Default for Polling {
    fn default() -> Self {
        Self {
            deadline: DEFAULT_DEADLINE,
            initial: DEFAULT_INITIAL_INTERVAL,
            max: DEFAULT_MAX_INTERVAL,
            backoff: DEFAULT_BACKOFF,
        }
    }
}

impl Polling {
    fn first(&self) -> Duration {
        self.initial.min(self.max).max(MIN_INTERVAL)
    }

    fn next(&self, current: Duration) -> Duration {
        let factor = if self.backoff.is_finite() && self.backoff > 1.0 { self.backoff } else { 1.0 };
        let grown = Duration::try_from_secs_f64(current.as_secs_f64() * factor).unwrap_or(Duration::MAX);
        grown.min(self.max).max(MIN_INTERVAL)
    }

    /// Starts the clock of one wait.
    pub(super) fn start(self) -> Schedule {
        let started = Instant::now();
        Schedule { until: clock::after(started, self.deadline), interval: self.first(), started, polling: self }
    }
}

/// The builder methods that set a waiter's [`Polling`], shared by [`JobWait`](super::JobWait) and
/// [`NewJobWait`](super::NewJobWait).
macro_rules! polling_setters {
    () => {
        /// Gives up with [`Error::JobDeadline`] after this long (default 5 minutes).
        pub fn deadline(mut self, deadline: Duration) -> Self {
            self.polling.deadline = deadline;
            self
        }

        /// Pause after the first poll (default 1 s).
        pub fn initial_interval(mut self, interval: Duration) -> Self {
            self.polling.initial = interval;
            self
        }

        /// Longest pause between polls (default 10 s).
        pub fn max_interval(mut self, interval: Duration) -> Self {
            self.polling.max = interval;
            self
        }

        /// Growth of the pause after each poll (default 1.5; values below 1 mean a fixed pause).
        pub fn backoff(mut self, factor: f64) -> Self {
            self.polling.backoff = factor;
            self
        }
    };
}
pub(super) use polling_setters;

/// One wait under way: when it started, when it must end and how long the next pause is.
pub(super) struct Schedule {
    polling: Polling,
    started: Instant,
    until: Instant,
    interval: Duration,
}

impl Schedule {
    /// Runs one poll; `None` when the deadline comes first.
    pub(super) async fn poll<T>(&self, fetch: impl Future<Output = T>) -> Option<T> {
        tokio::time::timeout_at(self.until, fetch).await.ok()
    }

    /// Sleeps before the next poll, then lengthens the pause; false when the deadline has come instead.
    pub(super) async fn pause(&mut self) -> bool {
        let now = Instant::now();
        if now >= self.until {
            return false;
        }
        tokio::time::sleep_until(clock::after(now, self.interval).min(self.until)).await;
        self.interval = self.polling.next(self.interval);
        Instant::now() < self.until
    }

    /// How long the wait has taken so far.
    pub(super) fn waited(&self) -> Duration {
        self.started.elapsed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_to_the_cap_and_never_reaches_zero() {
        let p = Polling {
            deadline: DEFAULT_DEADLINE,
            initial: Duration::from_secs(1),
            max: Duration::from_secs(3),
            backoff: 1.5,
        };
        let mut seen = vec![p.first()];
        for _ in 0..4 {
            seen.push(p.next(*seen.last().unwrap()));
        }
        let ms: Vec<u128> = seen.iter().map(Duration::as_millis).collect();
        assert_eq!(ms, [1000, 1500, 2250, 3000, 3000]);
        let zero = Polling { initial: Duration::ZERO, backoff: f64::NAN, ..p };
        assert_eq!(zero.next(zero.first()), MIN_INTERVAL);
    }

    #[test]
    fn a_factor_that_is_not_a_finite_growth_keeps_the_pause_fixed() {
        let p = Polling {
            deadline: DEFAULT_DEADLINE,
            initial: Duration::from_secs(2),
            max: Duration::from_secs(60),
            backoff: 1.5,
        };
        for backoff in [f64::INFINITY, f64::NAN, 0.5, 1.0, 0.0, -3.0, f64::NEG_INFINITY] {
            let fixed = Polling { backoff, ..p };
            assert_eq!(fixed.next(fixed.first()), Duration::from_secs(2), "backoff {backoff}");
        }
        assert_eq!(Polling { backoff: 2.0, ..p }.next(p.first()), Duration::from_secs(4));
    }
}
