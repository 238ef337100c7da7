//! The sandbox's clock: tokio's monotonic instants (which tests can pause and advance) mapped to
//! wall-clock unix seconds, anchored when the sandbox started.

use std::time::{SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

use crate::dates::DAY;

/// Maps the monotonic clock the jobs use to wall-clock timestamps.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    start: Instant,
    start_wall_ms: i64,
}

impl Clock {
    /// A clock anchored now.
    pub(crate) fn new() -> Self {
        let ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
        Clock { start: Instant::now(), start_wall_ms: ms }
    }

    /// The current instant.
    pub(crate) fn now(&self) -> Instant {
        Instant::now()
    }

    /// Unix seconds of an instant.
    pub(crate) fn wall(&self, at: Instant) -> i64 {
        let delta = if at >= self.start {
            at.duration_since(self.start).as_millis() as i64
        } else {
            -(self.start.duration_since(at).as_millis() as i64)
        };
        (self.start_wall_ms + delta).div_euclid(1000)
    }

    /// Unix seconds now.
    pub(crate) fn now_wall(&self) -> i64 {
        self.wall(self.now())
    }

    /// Unix seconds of midnight UTC on the day the sandbox started.
    pub(crate) fn anchor_day(&self) -> i64 {
        self.start_wall_ms.div_euclid(1000).div_euclid(DAY) * DAY
    }
}
