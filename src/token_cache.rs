//! The token cache: one slot per scope (the SERVER_ACCESS token, and a CLIENT_ACCESS token per
//! user), each holding the current token, its single-flight lock and the last failure.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use reqwest::header::HeaderValue;
use tokio::time::Instant;

use crate::error::TokenError;
use crate::secret::Secret;

/// Which token a caller needs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Scope {
    Server,
    Client(String),
}

/// A token with its ready-made `Authorization` value and its refresh and expiry times.
#[derive(Clone)]
pub(crate) struct Cached {
    pub(crate) token: Secret,
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

/// One cached token with its single-flight lock and failure memory.
#[derive(Default)]
pub(crate) struct Slot {
    current: RwLock<Option<Cached>>,
    pub(crate) fetching: tokio::sync::Mutex<()>,
    pub(crate) failure: Mutex<Option<Failure>>,
}

impl Slot {
    pub(crate) fn cached(&self) -> Option<Cached> {
        self.current.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    pub(crate) fn store(&self, value: Option<Cached>) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = value;
    }
}

/// The token cache shared by every clone of a client.
#[derive(Default)]
pub(crate) struct TokenCache {
    server: Arc<Slot>,
    clients: Mutex<HashMap<String, Arc<Slot>>>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenCache { .. }")
    }
}

impl TokenCache {
    pub(crate) fn slot(&self, scope: &Scope) -> Arc<Slot> {
        match scope {
            Scope::Server => self.server.clone(),
            Scope::Client(user) => {
                self.clients.lock().unwrap_or_else(PoisonError::into_inner).entry(user.clone()).or_default().clone()
            }
        }
    }

    /// Forgets `refused` if it is still the cached token for `scope`, so the next caller fetches anew.
    pub(crate) fn invalidate(&self, scope: &Scope, refused: &str) {
        let slot = self.slot(scope);
        let mut current = slot.current.write().unwrap_or_else(PoisonError::into_inner);
        if current.as_ref().is_some_and(|c| c.token.expose() == refused) {
            *current = None;
        }
    }
}
