//! Bounds on the stores that grow with traffic, so a long-running sandbox levels off: events age
//! out after the retention period (Basiq keeps seven days) and events, webhook messages, jobs,
//! tokens, reports and insight snapshots are capped. Checks run on every write and cost O(1)
//! unless a bound is crossed; a crossed cap is cut back to nine tenths of itself, so the work of
//! cutting is spread over many writes.

use std::collections::HashSet;
use std::time::Duration;

use super::state::{Config, Inner};

/// The bounds a sandbox keeps (set on the builder).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// Events older than this are dropped (and never listed).
    pub(crate) event_retention: Duration,
    /// Most events kept.
    pub(crate) max_events: usize,
    /// Most entries kept in each other growing store (messages, jobs, tokens).
    pub(crate) max_entries: usize,
    /// Most reports, and most insight snapshots, kept (large documents, so a smaller cap).
    pub(crate) max_documents: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            event_retention: Duration::from_secs(7 * 24 * 3600),
            max_events: 10_000,
            max_entries: 1_000,
            max_documents: 100,
        }
    }
}

/// Bookkeeping of what was pruned (the events cursor counts from the first event ever recorded).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Pruned {
    /// Events removed from the front of the log so far.
    pub(crate) events: usize,
}

/// How many entries each store holds right now (see `Sandbox::store_sizes`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreSizes {
    /// Users.
    pub users: usize,
    /// Recorded events.
    pub events: usize,
    /// Webhook messages.
    pub messages: usize,
    /// Jobs.
    pub jobs: usize,
    /// Reports.
    pub reports: usize,
    /// Insight snapshots.
    pub snapshots: usize,
    /// Issued tokens.
    pub tokens: usize,
}

impl StoreSizes {
    /// Count the stores of `inner`.
    pub(crate) fn of(inner: &Inner) -> Self {
        StoreSizes {
            users: inner.users.len(),
            events: inner.events.len(),
            messages: inner.messages.len(),
            jobs: inner.jobs.len(),
            reports: inner.reports.len(),
            snapshots: inner.snapshots.len(),
            tokens: inner.tokens.len(),
        }
    }
}

/// How far a crossed cap is cut back.
fn low_water(cap: usize) -> usize {
    (cap - cap / 10).min(cap.saturating_sub(1))
}

/// Unix seconds before which events are too old to keep.
pub(crate) fn event_cutoff(cfg: &Config) -> i64 {
    let secs = i64::try_from(cfg.limits.event_retention.as_secs()).unwrap_or(i64::MAX);
    cfg.clock.now_wall().saturating_sub(secs)
}

/// Apply every bound (cheap when none is crossed).
pub(crate) fn prune(inner: &mut Inner, cfg: &Config) {
    let limits = cfg.limits;
    let cap = limits.max_entries.max(1);
    // Events: oldest first in the log.
    let cutoff = event_cutoff(cfg);
    let old = inner.events.iter().take_while(|e| e.created < cutoff).count();
    // A full store is cut before the write, so the write's own entry still fits under the cap.
    let cut = if inner.events.len() >= limits.max_events {
        inner.events.len() - low_water(limits.max_events.max(1))
    } else {
        0
    };
    let drop = old.max(cut).min(inner.events.len());
    if drop > 0 {
        inner.events.drain(..drop);
        inner.pruned.events += drop;
    }
    if inner.messages.len() >= cap {
        let n = inner.messages.len() - low_water(cap);
        inner.messages.drain(..n);
    }
    let docs = limits.max_documents.max(1);
    if inner.reports.len() >= docs {
        let n = inner.reports.len() - low_water(docs);
        inner.reports.drain(..n);
    }
    if inner.snapshots.len() >= docs {
        let n = inner.snapshots.len() - low_water(docs);
        inner.snapshots.drain(..n);
    }
    if inner.tokens.len() >= cap {
        prune_tokens(inner, cfg, low_water(cap));
    }
    if inner.jobs.len() >= cap {
        prune_jobs(inner, low_water(cap));
    }
}

/// Drop expired tokens first, then the ones expiring soonest, down to `keep`.
fn prune_tokens(inner: &mut Inner, cfg: &Config, keep: usize) {
    let now = cfg.clock.now();
    inner.tokens.retain(|_, t| t.expires > now);
    if inner.tokens.len() > keep {
        let mut by_expiry: Vec<_> = inner.tokens.iter().map(|(k, t)| (t.expires, k.clone())).collect();
        by_expiry.sort();
        let n = inner.tokens.len() - keep;
        for (_, key) in by_expiry.into_iter().take(n) {
            inner.tokens.remove(&key);
        }
    }
}

/// Drop the oldest jobs down to `keep`, never a connection's latest job (its status and refresh
/// rules read it).
fn prune_jobs(inner: &mut Inner, keep: usize) {
    let current: HashSet<&str> =
        inner.users.values().flat_map(|u| u.connections.iter().map(|c| c.job_id.as_str())).collect();
    let mut old: Vec<_> =
        inner.jobs.values().filter(|j| !current.contains(j.id.as_str())).map(|j| (j.created, j.id.clone())).collect();
    old.sort();
    let n = inner.jobs.len().saturating_sub(keep).min(old.len());
    for (_, id) in old.into_iter().take(n) {
        inner.jobs.remove(&id);
    }
}
