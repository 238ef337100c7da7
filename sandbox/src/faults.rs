//! Fault injection: make chosen operations fail, slow down or drop the connection.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// What an injected fault does to a matching request.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultKind {
    /// Answer 429 `too-many-requests`, with a `Retry-After` header (whole seconds) when given.
    TooManyRequests {
        /// Value for the `Retry-After` header; `None` sends no header.
        retry_after: Option<Duration>,
    },
    /// Answer 503 `service-unavailable`.
    Unavailable,
    /// Wait this long, then handle the request normally.
    Latency(Duration),
    /// Revoke the request's bearer token first, so it is answered 403 "Token has expired".
    RevokeToken,
    /// Close the TCP connection without sending any HTTP response.
    DropConnection,
}

/// A fault armed for an operation (camelCase operationId, or `"*"` for every operation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    operation: String,
    kind: FaultKind,
    remaining: Option<u32>,
}

impl Fault {
    /// A fault hitting the next `times` requests to `operation_id` (`"*"` matches any operation;
    /// `times == 0` arms nothing). Ids are our camelCase operationIds; Basiq's original ids are
    /// accepted where ours differ (`createreport`, `listallreports`, `Enrich`).
    pub fn new(operation_id: &str, kind: FaultKind, times: u32) -> Self {
        Fault { operation: operation_id.to_owned(), kind, remaining: Some(times) }
    }

    /// A fault hitting every request to `operation_id` until the faults are cleared.
    pub fn always(operation_id: &str, kind: FaultKind) -> Self {
        Fault { operation: operation_id.to_owned(), kind, remaining: None }
    }

    /// The operation id this fault targets.
    pub fn operation_id(&self) -> &str {
        &self.operation
    }

    /// What the fault does.
    pub fn kind(&self) -> &FaultKind {
        &self.kind
    }

    fn matches(&self, op: &str, alias: Option<&str>) -> bool {
        self.operation == "*" || self.operation == op || alias.is_some_and(|a| a == self.operation)
    }
}

/// The armed faults of one sandbox.
#[derive(Debug, Default)]
pub(crate) struct FaultTable {
    faults: Mutex<Vec<Fault>>,
    /// Number of armed faults, read without locking on every request.
    armed: AtomicUsize,
}

impl FaultTable {
    /// Arm a fault.
    pub(crate) fn push(&self, fault: Fault) {
        if fault.remaining == Some(0) {
            return;
        }
        let mut faults = self.lock();
        faults.push(fault);
        self.armed.store(faults.len(), Ordering::SeqCst);
    }

    /// Disarm every fault.
    pub(crate) fn clear(&self) {
        let mut faults = self.lock();
        faults.clear();
        self.armed.store(0, Ordering::SeqCst);
    }

    /// Take the first armed fault matching this operation, counting it down.
    pub(crate) fn take(&self, op: &str, alias: Option<&str>) -> Option<FaultKind> {
        if self.armed.load(Ordering::SeqCst) == 0 {
            return None;
        }
        let mut faults = self.lock();
        let idx = faults.iter().position(|f| f.matches(op, alias))?;
        let kind = faults[idx].kind.clone();
        if let Some(n) = faults[idx].remaining.as_mut() {
            *n = n.saturating_sub(1);
            if *n == 0 {
                faults.remove(idx);
                self.armed.store(faults.len(), Ordering::SeqCst);
            }
        }
        Some(kind)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Fault>> {
        self.faults.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_down_and_matches_aliases() {
        let t = FaultTable::default();
        t.push(Fault::new("getAccounts", FaultKind::Unavailable, 2));
        t.push(Fault::new("createreport", FaultKind::DropConnection, 1));
        t.push(Fault::new("x", FaultKind::Unavailable, 0));
        assert_eq!(t.take("getUser", None), None);
        assert_eq!(t.take("getAccounts", None), Some(FaultKind::Unavailable));
        assert_eq!(t.take("getAccounts", None), Some(FaultKind::Unavailable));
        assert_eq!(t.take("getAccounts", None), None);
        assert_eq!(t.take("createReport", Some("createreport")), Some(FaultKind::DropConnection));
        assert_eq!(t.take("x", None), None);
        t.push(Fault::always("*", FaultKind::RevokeToken));
        for _ in 0..5 {
            assert_eq!(t.take("anything", None), Some(FaultKind::RevokeToken));
        }
        t.clear();
        assert_eq!(t.take("anything", None), None);
    }
}
