//! Bounds on the stores that grow with traffic, so a long-running sandbox levels off: events age
//! out after the retention period (Basiq keeps seven days) and events, webhook messages, jobs,
//! tokens, reports and insight snapshots are capped. The state applies them on every write
//! (`Inner::prune`); a check costs O(1) unless a bound is crossed, and a crossed cap is cut back to
//! nine tenths of itself, so the work of cutting is spread over many writes.
//!
//! This module knows no sandbox types: it holds the bounds and the generic cutting rules.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::Duration;

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

impl Limits {
    /// Unix seconds before which events are too old to keep, at wall time `now_wall`.
    pub(crate) fn event_cutoff(&self, now_wall: i64) -> i64 {
        let secs = i64::try_from(self.event_retention.as_secs()).unwrap_or(i64::MAX);
        now_wall.saturating_sub(secs)
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

/// How far a crossed cap is cut back.
pub(crate) fn low_water(cap: usize) -> usize {
    (cap - cap / 10).min(cap.saturating_sub(1))
}

/// How many entries to drop from the front of a store of `len` entries whose first `expired`
/// entries are too old: the expired ones, or, when the store is full (`len >= cap`), down to the
/// low-water mark, whichever is more. A full store is cut before the write, so the write's own
/// entry still fits under the cap.
pub(crate) fn front_cut(len: usize, expired: usize, cap: usize) -> usize {
    let cap = cap.max(1);
    let cut = if len >= cap { len - low_water(cap) } else { 0 };
    expired.max(cut).min(len)
}

/// Drop the oldest entries of a full store (oldest first in the list) down to the low-water mark.
pub(crate) fn cap_front<T>(items: &mut Vec<T>, cap: usize) {
    let n = front_cut(items.len(), 0, cap);
    if n > 0 {
        items.drain(..n);
    }
}

/// Drop entries of a full map (`len >= cap`) down to the low-water mark, smallest `order` first;
/// entries `keep` says yes to are never dropped.
pub(crate) fn cap_map<K, V, O>(
    map: &mut HashMap<K, V>,
    cap: usize,
    order: impl Fn(&V) -> O,
    keep: impl Fn(&K, &V) -> bool,
) where
    K: Eq + Hash + Clone + Ord,
    O: Ord,
{
    let cap = cap.max(1);
    if map.len() < cap {
        return;
    }
    let mut droppable: Vec<(O, K)> =
        map.iter().filter(|(k, v)| !keep(k, v)).map(|(k, v)| (order(v), k.clone())).collect();
    droppable.sort();
    let n = map.len().saturating_sub(low_water(cap)).min(droppable.len());
    for (_, key) in droppable.into_iter().take(n) {
        map.remove(&key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_store_is_cut_to_nine_tenths_before_the_write() {
        assert_eq!(front_cut(99, 0, 100), 0);
        assert_eq!(front_cut(100, 0, 100), 10);
        assert_eq!(front_cut(100, 30, 100), 30);
        assert_eq!(front_cut(5, 9, 100), 5);
        assert_eq!(low_water(1), 0);
        let mut v: Vec<u32> = (0..10).collect();
        cap_front(&mut v, 10);
        assert_eq!(v.first(), Some(&1));
    }

    #[test]
    fn cap_map_keeps_protected_entries_and_drops_the_smallest() {
        let mut m: HashMap<u32, u32> = (0..10).map(|k| (k, 100 - k)).collect();
        cap_map(&mut m, 10, |v| *v, |k, _| *k == 9);
        assert_eq!(m.len(), 9);
        assert!(m.contains_key(&9), "protected");
        assert!(!m.contains_key(&8), "smallest order value goes first");
    }
}
