//! The token cache: one slot per scope (the SERVER_ACCESS token, and a CLIENT_ACCESS token per
//! user), each holding the current token, the fetch under way and the last failure.
//!
//! Per-user slots are bounded: a slot whose token has expired (and that nobody is using or
//! fetching) is dropped as soon as it is the least recently used one, and once the configured
//! capacity is reached the least recently used slot makes room for a new user.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use futures::future::{BoxFuture, Shared};
use reqwest::header::HeaderValue;
use tokio::time::Instant;

use crate::error::TokenError;
use crate::secret::Secret;

/// How many users' CLIENT_ACCESS tokens a client keeps unless configured otherwise.
pub const DEFAULT_CLIENT_TOKEN_CAPACITY: usize = 10_000;

/// Which token a caller needs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Scope {
    Server,
    Client(String),
}

/// A token as its ready-made `Authorization` value (the token is kept only there, which halves
/// what a cached user costs) with its refresh and expiry times.
#[derive(Clone)]
pub(crate) struct Cached {
    pub(crate) header: HeaderValue,
    pub(crate) refresh_at: Instant,
    pub(crate) expires_at: Instant,
}

/// The last failed fetch, served to callers until `retry_at`.
pub(crate) struct Failure {
    pub(crate) error: TokenError,
    pub(crate) retry_at: Instant,
    pub(crate) consecutive: u32,
}

/// A token fetch under way, shared by everyone waiting for it; it runs on its own task, so a
/// waiter that gives up does not cancel it.
pub(crate) type Flight = Shared<BoxFuture<'static, Result<Cached, TokenError>>>;

/// One cached token with the fetch under way and failure memory.
#[derive(Default)]
pub(crate) struct Slot {
    current: RwLock<Option<Cached>>,
    pub(crate) flight: Mutex<Option<Flight>>,
    pub(crate) failure: Mutex<Option<Box<Failure>>>,
}

impl Cached {
    /// The token itself, from the `Bearer <token>` header value.
    pub(crate) fn token(&self) -> Secret {
        let value = self.header.to_str().unwrap_or_default();
        Secret::new(value.strip_prefix("Bearer ").unwrap_or(value))
    }
}

#[cfg(test)]
impl Cached {
    /// The token `t`, due for refresh and expiring these long from now; for tests.
    pub(crate) fn in_test(refresh_in: std::time::Duration, expires_in: std::time::Duration) -> Self {
        let now = Instant::now();
        Cached {
            header: HeaderValue::from_static("Bearer t"),
            refresh_at: now + refresh_in,
            expires_at: now + expires_in,
        }
    }
}

impl Slot {
    pub(crate) fn cached(&self) -> Option<Cached> {
        self.current.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    pub(crate) fn store(&self, value: Option<Cached>) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = value;
    }

    /// True when the slot holds nothing worth keeping at `now`: no live token, no failure
    /// still being served, no fetch under way.
    fn is_stale(&self, now: Instant) -> bool {
        let live = self.cached().is_some_and(|c| now < c.expires_at);
        let backing_off =
            self.failure.lock().unwrap_or_else(PoisonError::into_inner).as_ref().is_some_and(|f| now < f.retry_at);
        let fetching = self.flight.lock().unwrap_or_else(PoisonError::into_inner).is_some();
        !live && !backing_off && !fetching
    }
}

/// The per-user slots in least-recently-used order.
#[derive(Default)]
struct Users {
    /// The user id is shared by both maps.
    slots: HashMap<Arc<str>, (u64, Arc<Slot>)>,
    order: BTreeMap<u64, Arc<str>>,
    tick: u64,
}

impl Users {
    /// The user's slot, marked as most recently used (created if absent).
    fn touch(&mut self, user: &str, capacity: usize, now: Instant) -> Arc<Slot> {
        self.tick += 1;
        let tick = self.tick;
        if let Some((key, (used, slot))) = self.slots.get_key_value(user).map(|(k, v)| (k.clone(), v.clone())) {
            self.order.remove(&used);
            self.order.insert(tick, key.clone());
            self.slots.insert(key, (tick, slot.clone()));
            return slot;
        }
        self.evict_stale(now);
        while self.slots.len() >= capacity.max(1) {
            let Some((_, oldest)) = self.order.pop_first() else { break };
            self.slots.remove(&oldest);
        }
        let slot = Arc::new(Slot::default());
        let key: Arc<str> = Arc::from(user);
        self.slots.insert(key.clone(), (tick, slot.clone()));
        self.order.insert(tick, key);
        slot
    }

    /// Drops least recently used slots while they are stale and nobody holds them.
    fn evict_stale(&mut self, now: Instant) {
        while let Some((_, user)) = self.order.first_key_value() {
            let Some((_, slot)) = self.slots.get(user) else { break };
            if Arc::strong_count(slot) > 1 || !slot.is_stale(now) {
                break;
            }
            if let Some((_, user)) = self.order.pop_first() {
                self.slots.remove(&user);
            }
        }
    }
}

/// The token cache shared by every clone of a client.
pub(crate) struct TokenCache {
    server: Arc<Slot>,
    users: Mutex<Users>,
    capacity: usize,
}

impl Default for TokenCache {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CLIENT_TOKEN_CAPACITY)
    }
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache").field("capacity", &self.capacity).finish_non_exhaustive()
    }
}

impl TokenCache {
    /// A cache keeping at most `capacity` users' tokens (at least one).
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self { server: Arc::default(), users: Mutex::default(), capacity: capacity.max(1) }
    }

    pub(crate) fn slot(&self, scope: &Scope) -> Arc<Slot> {
        match scope {
            Scope::Server => self.server.clone(),
            Scope::Client(user) => {
                self.users.lock().unwrap_or_else(PoisonError::into_inner).touch(user, self.capacity, Instant::now())
            }
        }
    }

    /// Number of users whose slot is held now.
    pub(crate) fn users(&self) -> usize {
        self.users.lock().unwrap_or_else(PoisonError::into_inner).slots.len()
    }

    /// Forgets `refused` if it is still the cached token for `scope`, so the next caller fetches anew.
    pub(crate) fn invalidate(&self, scope: &Scope, refused: &str) {
        let slot = self.slot(scope);
        let mut current = slot.current.write().unwrap_or_else(PoisonError::into_inner);
        if current.as_ref().is_some_and(|c| c.token().expose() == refused) {
            *current = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::error::TokenErrorKind;

    fn fill(slot: &Slot, expires_in: Duration) {
        slot.store(Some(Cached::in_test(Duration::ZERO, expires_in)));
    }

    #[tokio::test(start_paused = true)]
    async fn expired_users_are_forgotten() {
        let cache = TokenCache::with_capacity(100);
        for n in 0..50 {
            fill(&cache.slot(&Scope::Client(format!("u{n}"))), Duration::from_secs(60));
        }
        assert_eq!(cache.users(), 50);
        tokio::time::advance(Duration::from_secs(61)).await;
        fill(&cache.slot(&Scope::Client("fresh".into())), Duration::from_secs(60));
        assert_eq!(cache.users(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn live_tokens_stay_and_capacity_evicts_the_least_recently_used() {
        let cache = TokenCache::with_capacity(3);
        for user in ["a", "b", "c"] {
            fill(&cache.slot(&Scope::Client(user.into())), Duration::from_secs(600));
        }
        cache.slot(&Scope::Client("a".into()));
        fill(&cache.slot(&Scope::Client("d".into())), Duration::from_secs(600));
        assert_eq!(cache.users(), 3);
        let users = cache.users.lock().unwrap();
        assert!(users.slots.contains_key("a") && users.slots.contains_key("d"));
        assert!(!users.slots.contains_key("b"), "b was the least recently used");
    }

    #[tokio::test(start_paused = true)]
    async fn a_token_is_stale_from_its_expiry_on() {
        let slot = Slot::default();
        fill(&slot, Duration::from_secs(1));
        assert!(!slot.is_stale(Instant::now()));
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(slot.is_stale(Instant::now()), "at its expiry instant the token is no longer live");
    }

    #[tokio::test(start_paused = true)]
    async fn a_failure_keeps_its_slot_until_its_retry_time() {
        let slot = Slot::default();
        let error = TokenError { kind: TokenErrorKind::RateLimited, api: None, message: None, backing_off: false };
        *slot.failure.lock().unwrap() =
            Some(Box::new(Failure { error, retry_at: Instant::now() + Duration::from_secs(2), consecutive: 1 }));
        assert!(!slot.is_stale(Instant::now()), "the failure is still being served");
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(!slot.is_stale(Instant::now()));
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(slot.is_stale(Instant::now()), "at the retry time the failure is no longer served");
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(slot.is_stale(Instant::now()));
    }

    #[test]
    fn debug_shows_the_capacity_and_no_tokens() {
        let cache = TokenCache::with_capacity(7);
        fill(&cache.slot(&Scope::Client("u".into())), Duration::from_secs(60));
        let shown = format!("{cache:?}");
        assert_eq!(shown, "TokenCache { capacity: 7, .. }");
    }

    #[tokio::test(start_paused = true)]
    async fn a_slot_in_use_is_not_evicted_for_staleness() {
        let cache = TokenCache::with_capacity(10);
        let held = cache.slot(&Scope::Client("busy".into()));
        cache.slot(&Scope::Client("other".into()));
        assert_eq!(cache.users(), 2, "the held slot is kept although it has no token");
        drop(held);
        cache.slot(&Scope::Client("third".into()));
        assert_eq!(cache.users(), 1, "both stale slots go once nobody holds them");
    }
}
