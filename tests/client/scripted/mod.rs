//! A scripted HTTP server on 127.0.0.1 for the wire-level tests (`mod scripted;`): it records
//! every request and answers each with a script. Each test crate uses a different subset, hence
//! the `dead_code` allowance.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use basiq::{Client, RetryPolicy};
use serde_json::{Value, json};

/// The API key of [`Scripted::client`].
pub const API_KEY: &str = "dGVzdDp0ZXN0";

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: Method,
    pub path: String,
    /// The raw query string, empty when there is none.
    pub query: String,
    pub headers: HeaderMap,
    pub body: String,
}

impl Seen {
    /// The header's value, or `""` when it is missing or not text.
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    /// `http://<host>` from the Host header, for building absolute links back to the server.
    pub fn origin(&self) -> String {
        format!("http://{}", self.header("host"))
    }
}

/// A reply header that is not sent: the server waits this many milliseconds before answering.
pub const DELAY_MS: &str = "x-script-delay-ms";

/// What the script answers: a status, extra headers and a body (always sent as JSON). A
/// [`DELAY_MS`] header delays the answer instead of being sent.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl From<(u16, Value)> for Reply {
    fn from((status, body): (u16, Value)) -> Self {
        Self { status, headers: Vec::new(), body: body.to_string() }
    }
}

impl From<(u16, Vec<(&'static str, String)>, String)> for Reply {
    fn from((status, headers, body): (u16, Vec<(&'static str, String)>, String)) -> Self {
        Self { status, headers, body }
    }
}

/// A token response handing out `access_token`.
pub fn token(access_token: &str) -> (u16, Value) {
    (200, json!({"access_token": access_token, "token_type": "Bearer", "expires_in": 3600}))
}

type Script = Arc<dyn Fn(&Seen, usize) -> Reply + Send + Sync>;

/// A running server; every request is recorded in `seen`.
pub struct Scripted {
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Scripted {
    /// Answers every request with `script(request, n)`, where `n` counts the earlier requests with
    /// the same method and path.
    pub async fn start<R: Into<Reply>>(script: impl Fn(&Seen, usize) -> R + Send + Sync + 'static) -> Self {
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let script: Script = Arc::new(move |seen, n| script(seen, n).into());
        let log = seen.clone();
        let app = axum::Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let (log, script) = (log.clone(), script.clone());
            async move {
                let seen = Seen {
                    method,
                    path: uri.path().to_owned(),
                    query: uri.query().unwrap_or_default().to_owned(),
                    headers,
                    body: String::from_utf8_lossy(&body).into(),
                };
                let n = {
                    let mut log = log.lock().unwrap();
                    let n = log.iter().filter(|s| s.method == seen.method && s.path == seen.path).count();
                    log.push(seen.clone());
                    n
                };
                let reply = script(&seen, n);
                let mut response = Response::builder().status(StatusCode::from_u16(reply.status).unwrap());
                for (name, value) in reply.headers {
                    if name == DELAY_MS {
                        tokio::time::sleep(std::time::Duration::from_millis(value.parse().unwrap())).await;
                        continue;
                    }
                    response = response.header(name, value);
                }
                response.header("content-type", "application/json").body(Body::from(reply.body)).unwrap()
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { url, seen }
    }

    /// Answers `/token` itself with `server-token-<n>` (`n` counting the token requests) and every
    /// other request with `script(request, n)`.
    pub async fn api<R: Into<Reply>>(script: impl Fn(&Seen, usize) -> R + Send + Sync + 'static) -> Self {
        Self::start(move |seen, n| {
            if seen.path == "/token" { token(&format!("server-token-{n}")).into() } else { script(seen, n).into() }
        })
        .await
    }

    /// A client of this server with [`API_KEY`] and no retries.
    pub fn client(&self) -> Client {
        self.client_with(API_KEY, RetryPolicy::disabled())
    }

    /// A client of this server with this key and retry policy.
    pub fn client_with(&self, api_key: &str, policy: RetryPolicy) -> Client {
        Client::builder().api_key(api_key).base_url(&self.url).retry_policy(policy).build().unwrap()
    }

    /// Every request so far, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// The requests to `path`, whatever their method.
    pub fn requests(&self, path: &str) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.path == path).collect()
    }

    /// How many `method` requests went to `path`.
    pub fn count(&self, method: Method, path: &str) -> usize {
        self.requests(path).iter().filter(|s| s.method == method).count()
    }
}
