//! The state every clone of a client shares: configuration, HTTP transport and the token cache.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;

use crate::retry::RetryPolicy;
use crate::secret::Secret;
use crate::token_cache::TokenCache;
use crate::transport::Transport;

/// The facade's state inside the generated [`Client`](crate::Client): API key, base URL, HTTP
/// transport, token cache and retry policy, shared by every clone of a client (cheap to clone).
#[derive(Clone)]
pub struct ClientState(pub(crate) Arc<Shared>, pub(crate) PerCall);

/// Settings a clone of a client may change without touching the shared state.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PerCall {
    /// Longest time one call may take, retries, token wait and replay included.
    pub(crate) deadline: Option<Duration>,
}

impl std::fmt::Debug for ClientState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientState")
            .field("base_url", &self.0.base_url)
            .field("api_key", &self.0.api_key)
            .field("retry", &self.0.retry)
            .field("deadline", &self.1.deadline)
            .finish_non_exhaustive()
    }
}

/// Everything the hooks need, shared by all clones of a client.
pub(crate) struct Shared {
    pub(crate) api_key: Secret,
    pub(crate) base_url: String,
    /// The path part of `base_url` without its trailing slash (empty for a bare host).
    pub(crate) base_path: String,
    pub(crate) http: reqwest::Client,
    pub(crate) transport: Arc<dyn Transport>,
    pub(crate) tokens: TokenCache,
    pub(crate) retry: RetryPolicy,
    pub(crate) attempt_timeout: Option<Duration>,
    /// Most pages one paging stream may fetch.
    pub(crate) max_pages: usize,
    pub(crate) user_agent: HeaderValue,
}
