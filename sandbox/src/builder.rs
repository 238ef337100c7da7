//! The sandbox's builder: token lifetime, job pace, seed, redirect URL, port, faults, API key,
//! store limits and the error-screen setting, then `start`, which binds and serves.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::state::{Config, Shared};
use crate::{Fault, Sandbox, SandboxError, clock, encoding, retention, routes, seeded, server};

/// Configures and starts a [`Sandbox`].
#[derive(Clone)]
pub struct SandboxBuilder {
    token_lifetime: Duration,
    job_step_delay: Duration,
    seed: u64,
    redirect_url: Option<String>,
    port: u16,
    faults: Vec<Fault>,
    api_key: Option<String>,
    limits: retention::Limits,
    skip_error_screen: bool,
}

impl fmt::Debug for SandboxBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxBuilder")
            .field("token_lifetime", &self.token_lifetime)
            .field("job_step_delay", &self.job_step_delay)
            .field("seed", &self.seed)
            .field("redirect_url", &self.redirect_url)
            .field("port", &self.port)
            .field("faults", &self.faults)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("limits", &self.limits)
            .field("skip_error_screen", &self.skip_error_screen)
            .finish()
    }
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        SandboxBuilder {
            token_lifetime: Duration::from_secs(3600),
            job_step_delay: Duration::from_millis(50),
            seed: 42,
            redirect_url: None,
            port: 0,
            faults: Vec::new(),
            api_key: None,
            limits: retention::Limits::default(),
            skip_error_screen: false,
        }
    }
}

impl SandboxBuilder {
    /// How long issued tokens live (default one hour).
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// How long each job step takes (default 50 ms).
    pub fn job_step_delay(mut self, delay: Duration) -> Self {
        self.job_step_delay = delay;
        self
    }

    /// Seed for ids, persona data and MFA coin flips (default 42).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Where the consent page redirects (default `{base}/consent/done`).
    pub fn redirect_url(mut self, url: impl Into<String>) -> Self {
        self.redirect_url = Some(url.into());
        self
    }

    /// Make a failed connection job redirect straight back to the application (its job carries the
    /// failure) instead of showing the consent journey's error screen, like Basiq's "Skip error
    /// screen" setting (default off).
    pub fn skip_error_screen(mut self, skip: bool) -> Self {
        self.skip_error_screen = skip;
        self
    }

    /// Port to listen on (0 = any free port, the default).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Arm a fault from the start.
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }

    /// Use this API key instead of the one derived from the seed.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// How long events are kept (default seven days, as Basiq does); older ones are dropped.
    pub fn event_retention(mut self, retention: Duration) -> Self {
        self.limits.event_retention = retention;
        self
    }

    /// Most events kept (default 10,000); the oldest go first.
    pub fn max_events(mut self, max: usize) -> Self {
        self.limits.max_events = max;
        self
    }

    /// Most entries kept in each other store that grows with traffic: webhook messages, jobs
    /// (never a connection's latest) and tokens (default 1,000); the oldest go first.
    pub fn max_entries(mut self, max: usize) -> Self {
        self.limits.max_entries = max;
        self
    }

    /// Most reports, and most insight snapshots, kept (default 100; they are large documents);
    /// the oldest go first.
    pub fn max_documents(mut self, max: usize) -> Self {
        self.limits.max_documents = max;
        self
    }

    /// Bind and start serving in a background task.
    pub async fn start(self) -> Result<Sandbox, SandboxError> {
        let port = self.port;
        let listener =
            TcpListener::bind(("127.0.0.1", port)).await.map_err(|source| SandboxError::Bind { port, source })?;
        let addr = listener.local_addr().map_err(|source| SandboxError::Bind { port, source })?;
        let base_url = format!("http://{addr}");
        let api_key = self.api_key.unwrap_or_else(|| default_api_key(self.seed));
        let cfg = Config {
            redirect_url: self.redirect_url.unwrap_or_else(|| format!("{base_url}/consent/done")),
            base_url,
            api_key,
            token_lifetime: self.token_lifetime,
            step_delay: self.job_step_delay,
            seed: self.seed,
            clock: clock::Clock::new(),
            limits: self.limits,
            skip_error_screen: self.skip_error_screen,
        };
        let shared = Arc::new(Shared::new(cfg));
        for f in self.faults {
            shared.faults.push(f);
        }
        let router = routes::router(shared.clone());
        let (tx, rx) = oneshot::channel();
        let task = tokio::spawn(server::serve(listener, router, rx));
        Ok(Sandbox { shared, addr, shutdown: Some(tx), task: Some(task) })
    }
}

/// The API key a seed yields: base64 of `<uuid>:<uuid>`.
fn default_api_key(seed: u64) -> String {
    let mut mix = seeded::Mix::new(seed, &["api-key"]);
    let raw = format!("{}:{}", mix.uuid(), mix.uuid());
    encoding::base64_encode(raw.as_bytes())
}
