//! A transport that forwards to the network and keeps a copy of every response, for tests that
//! inspect what the client received (schemas, tokens handed out).

use std::sync::{Arc, Mutex};

use basiq::transport::{Transport, TransportFuture};

/// One response as the client received it.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub body: Vec<u8>,
}

/// Forwards every request with a `reqwest::Client` and records the response.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    http: reqwest::Client,
    log: Arc<Mutex<Vec<Exchange>>>,
}

impl Recorder {
    /// A client for `sandbox` whose every response this recorder keeps.
    pub fn client_for(&self, sandbox: &basiq_sandbox::Sandbox) -> basiq::Client {
        basiq::Client::builder()
            .api_key(sandbox.api_key())
            .base_url(sandbox.base_url())
            .transport(self.clone())
            .build()
            .unwrap()
    }

    /// Everything received so far.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.log.lock().unwrap().clone()
    }

    /// Every `access_token` that `/token` handed out.
    pub fn access_tokens(&self) -> Vec<String> {
        self.exchanges()
            .iter()
            .filter(|e| e.path == "/token")
            .filter_map(|e| serde_json::from_slice::<serde_json::Value>(&e.body).ok())
            .filter_map(|json| json["access_token"].as_str().map(str::to_owned))
            .collect()
    }
}

impl Transport for Recorder {
    fn send(&self, request: reqwest::Request) -> TransportFuture {
        let http = self.http.clone();
        let log = self.log.clone();
        Box::pin(async move {
            let method = request.method().to_string();
            let path = request.url().path().to_owned();
            let response = http.execute(request).await?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = response.bytes().await?;
            log.lock().unwrap().push(Exchange { method, path, status: status.as_u16(), body: body.to_vec() });
            let mut rebuilt = http::Response::new(body);
            *rebuilt.status_mut() = status;
            *rebuilt.headers_mut() = headers;
            Ok(reqwest::Response::from(rebuilt))
        })
    }
}
