//! The seam between the client and the network: every request, token requests included, goes
//! through a [`Transport`]. The default is the client's `reqwest::Client`; tests and users can
//! plug in their own to capture or script traffic without a network.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

/// Future returned by [`Transport::send`].
pub type TransportFuture = Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send + 'static>>;

/// Sends one HTTP request and returns its response; implement it to intercept traffic.
///
/// A scripted answer can be built from an `http::Response` with `reqwest::Response::from`.
pub trait Transport: fmt::Debug + Send + Sync + 'static {
    /// Sends `request` once; retries and authentication are handled by the caller.
    fn send(&self, request: reqwest::Request) -> TransportFuture;
}

impl Transport for reqwest::Client {
    fn send(&self, request: reqwest::Request) -> TransportFuture {
        Box::pin(self.execute(request))
    }
}
