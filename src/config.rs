//! Building a [`Client`]: API key, base URL, timeouts, retry policy, HTTP pool and transport.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;

use crate::retry::RetryPolicy;
use crate::secret::Secret;
use crate::state::{ClientState, PerCall, Shared};
use crate::transport::Transport;
use crate::{Client, Error};

/// Basiq's production API.
pub const DEFAULT_BASE_URL: &str = "https://au-api.basiq.io";
/// Environment variable holding the API key, read by [`Client::from_env`].
pub const ENV_API_KEY: &str = "BASIQ_API_KEY";
/// Environment variable overriding the base URL, read by [`Client::from_env`].
pub const ENV_BASE_URL: &str = "BASIQ_BASE_URL";

/// Configures and builds a [`Client`]; start from [`Client::builder`].
#[derive(Debug)]
pub struct ClientBuilder {
    api_key: Option<Secret>,
    base_url: String,
    connect_timeout: Duration,
    timeout: Duration,
    retry: RetryPolicy,
    http: Option<reqwest::Client>,
    transport: Option<Arc<dyn Transport>>,
    user_agent: String,
    deadline: Option<Duration>,
    client_tokens: usize,
    max_pages: usize,
}

/// How long one call may take in all unless configured otherwise (retries, token wait and replay included).
pub const DEFAULT_CALL_DEADLINE: Duration = Duration::from_secs(120);

/// How many pages one paging stream may fetch unless configured otherwise (at 500 items a page, 5 million items).
pub const DEFAULT_MAX_PAGES: usize = 10_000;

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            api_key: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            http: None,
            transport: None,
            user_agent: format!("basiq-rs/{}", env!("CARGO_PKG_VERSION")),
            deadline: Some(DEFAULT_CALL_DEADLINE),
            client_tokens: crate::token_cache::DEFAULT_CLIENT_TOKEN_CAPACITY,
            max_pages: DEFAULT_MAX_PAGES,
        }
    }
}

impl ClientBuilder {
    /// The API key from the Basiq dashboard, used verbatim (it is already base64).
    pub fn api_key(mut self, key: impl Into<Secret>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Where the API lives; defaults to [`DEFAULT_BASE_URL`]. Point it at a sandbox in tests.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Longest time to establish a connection (default 10 s); used when the builder creates the HTTP client.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Longest time for one attempt of a request, retries excluded (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How transient failures are retried; [`RetryPolicy::disabled`] turns retries off.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Shares an existing `reqwest::Client` (and its connection pool) instead of creating one.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Sends every request through `transport` instead of the network; for tests and recording.
    pub fn transport(mut self, transport: impl Transport) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// Replaces the `User-Agent` (default `basiq-rs/<version>`).
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = agent.into();
        self
    }

    /// Longest time one call may take in all: every attempt, the pauses between retries, the wait
    /// for an access token and the replay after a refused token (default 2 minutes; `None` for no
    /// limit). When it passes the call ends with [`Error::Timeout`]. Override it for some calls
    /// with [`Client::with_deadline`].
    pub fn call_deadline(mut self, deadline: Option<Duration>) -> Self {
        self.deadline = deadline;
        self
    }

    /// How many users' CLIENT_ACCESS tokens are kept (default 10,000); beyond it the least
    /// recently used user's token is dropped. Expired tokens are dropped whatever the capacity.
    pub fn client_token_capacity(mut self, users: usize) -> Self {
        self.client_tokens = users;
        self
    }

    /// Most pages one paging stream fetches before ending with [`Error::PageLimit`] (default 10,000).
    pub fn max_pages(mut self, pages: usize) -> Self {
        self.max_pages = pages;
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let api_key = self
            .api_key
            .filter(|k| !k.is_blank())
            .ok_or_else(|| Error::Config(format!("no API key: set {ENV_API_KEY} or call ClientBuilder::api_key")))?;
        let base_url = normalise_base_url(&self.base_url)?;
        let user_agent = HeaderValue::from_str(&self.user_agent)
            .map_err(|_| Error::Config("the user agent contains characters not allowed in a header".into()))?;
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .user_agent(self.user_agent.clone())
                .build()
                .map_err(|e| Error::Config(format!("could not create the HTTP client: {e}")))?,
        };
        let transport = self.transport.unwrap_or_else(|| Arc::new(http.clone()));
        let shared = Shared {
            api_key,
            base_path: url::Url::parse(&base_url)
                .map(|u| u.path().trim_end_matches('/').to_owned())
                .unwrap_or_default(),
            base_url: base_url.clone(),
            http: http.clone(),
            transport,
            tokens: crate::token_cache::TokenCache::with_capacity(self.client_tokens),
            retry: self.retry,
            attempt_timeout: Some(self.timeout),
            max_pages: self.max_pages.max(1),
            user_agent,
        };
        Ok(Client::new_with_client(&base_url, http, ClientState(Arc::new(shared), PerCall { deadline: self.deadline })))
    }
}

/// Accepts `http(s)://host[:port][/stem]`, without a trailing slash.
fn normalise_base_url(raw: &str) -> Result<String, Error> {
    let url = url::Url::parse(raw.trim()).map_err(|e| Error::Config(format!("base URL {raw:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(Error::Config(format!("base URL {raw:?} must be an http or https URL with a host")));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(format!("base URL {raw:?} must not have a query or fragment")));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from `BASIQ_API_KEY` (required) and `BASIQ_BASE_URL` (optional).
    pub fn from_env() -> Result<Client, Error> {
        let key = std::env::var(ENV_API_KEY).unwrap_or_default();
        if key.trim().is_empty() {
            return Err(Error::Config(format!("{ENV_API_KEY} is not set or is empty; put your Basiq API key in it")));
        }
        let mut builder = Client::builder().api_key(key);
        if let Some(url) = std::env::var(ENV_BASE_URL).ok().filter(|u| !u.trim().is_empty()) {
            builder = builder.base_url(url);
        }
        builder.build()
    }

    /// This client (sharing its connections and tokens) with another overall deadline per call;
    /// e.g. `client.with_deadline(Some(Duration::from_secs(5))).get_user().user_id(id).call()`.
    pub fn with_deadline(&self, deadline: Option<Duration>) -> Client {
        let mut client = self.clone();
        client.inner.1.deadline = deadline;
        client
    }

    /// The base URL every request goes to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.0.base_url
    }

    /// A CLIENT_ACCESS token bound to `user_id`, for the consent UI; cached per user until near expiry.
    pub async fn client_token(&self, user_id: &str) -> Result<Secret, Error> {
        if user_id.trim().is_empty() {
            return Err(Error::InvalidInput("a client token needs a user id".into()));
        }
        crate::auth::token(&self.inner.0, crate::token_cache::Scope::Client(user_id.to_owned()))
            .await
            .map_err(Error::Token)
    }

    /// How many users' CLIENT_ACCESS tokens the client holds now (bounded by
    /// [`ClientBuilder::client_token_capacity`]; expired ones are dropped as new users come).
    pub fn cached_client_tokens(&self) -> usize {
        self.inner.0.tokens.users()
    }

    /// The cached SERVER_ACCESS token, fetched if needed; rarely needed directly.
    pub async fn server_token(&self) -> Result<Secret, Error> {
        crate::auth::token(&self.inner.0, crate::token_cache::Scope::Server).await.map_err(Error::Token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_key_is_a_config_error_naming_the_variable() {
        let err = Client::builder().build().unwrap_err();
        assert!(err.to_string().contains(ENV_API_KEY), "{err}");
        let err = Client::builder().api_key("  ").build().unwrap_err();
        assert!(matches!(err, Error::Config(_)));
    }

    #[test]
    fn base_url_is_validated_and_trimmed() {
        assert_eq!(normalise_base_url("http://127.0.0.1:8080/").unwrap(), "http://127.0.0.1:8080");
        assert!(normalise_base_url("ftp://x").is_err());
        assert!(normalise_base_url("not a url").is_err());
        assert!(normalise_base_url("https://h/?q=1").is_err());
    }

    #[test]
    fn debug_never_shows_the_key() {
        let client = Client::builder().api_key("c2VjcmV0LWtleQ==").build().unwrap();
        assert!(!format!("{client:?}").contains("c2VjcmV0LWtleQ=="));
        let builder = Client::builder().api_key("c2VjcmV0LWtleQ==");
        assert!(!format!("{builder:?}").contains("c2VjcmV0LWtleQ=="));
    }
}
