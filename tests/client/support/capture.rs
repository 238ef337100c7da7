//! A [`Transport`] that never touches the network: it records every request the client sends
//! (method, URL, headers, body bytes) and answers from a script.
//!
//! `/token` is answered with a fixed token (`tok-123`) unless the test overrides it; every
//! other request takes the next scripted [`Answer`], or the fallback answer once the queue is
//! empty. [`Captured::snapshot`] turns a request into the redacted form the insta snapshots
//! store.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use basiq::transport::{Transport, TransportFuture};
use bytes::Bytes;
use reqwest::header::HeaderMap;
use serde::Serialize;
use serde::ser::SerializeMap;

/// The access token the capture transport hands out.
pub const TOKEN: &str = "tok-123";
/// The `/token` answer body.
pub const TOKEN_BODY: &str = r#"{"access_token":"tok-123","token_type":"Bearer","expires_in":3600}"#;
/// A realistic dashboard API key: base64 of two UUIDs joined by `:`.
pub const API_KEY: &str =
    "NmIwZjFjMmUtOGQ0YS00ZjdiLTllM2MtMmE1ZDdmMWIwYzllOjFlN2QzYjVhLTBjOWYtNGEyZS04YjZkLWY0YzJhMWU5ZDdiMw==";
/// Base URL the test clients use; nothing is ever sent there.
pub const BASE_URL: &str = "https://au-api.basiq.io";

/// One scripted response.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Answer {
    /// `status` with a JSON body.
    pub fn json(status: u16, body: impl Into<Bytes>) -> Self {
        Self { status, headers: vec![("content-type".into(), "application/json".into())], body: body.into() }
    }

    /// `status` with no body at all (a 204).
    pub fn empty(status: u16) -> Self {
        Self { status, headers: Vec::new(), body: Bytes::new() }
    }

    /// `status` with a body of the given media type.
    pub fn with_type(status: u16, content_type: &str, body: impl Into<Bytes>) -> Self {
        Self { status, headers: vec![("content-type".into(), content_type.into())], body: body.into() }
    }

    /// The response fixture of `operation_id` with the spec's success status, or an empty answer
    /// with that status when the spec gives the success no body.
    pub fn success(operation_id: &str) -> Self {
        let op = super::spec::operation(operation_id);
        if op.success_has_body {
            Self::json(op.success_status, super::spec::response_fixture(operation_id))
        } else {
            Self::empty(op.success_status)
        }
    }

    /// Adds a response header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    fn into_response(self) -> reqwest::Response {
        let mut builder = http::Response::builder().status(self.status);
        for (name, value) in &self.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        reqwest::Response::from(builder.body(self.body).expect("scripted response is valid"))
    }
}

#[derive(Debug)]
struct State {
    requests: Vec<Captured>,
    queue: VecDeque<Answer>,
    fallback: Answer,
    token: Answer,
}

/// The capturing transport; clones share one recording.
#[derive(Clone, Debug)]
pub struct Capture {
    state: Arc<Mutex<State>>,
}

impl Default for Capture {
    fn default() -> Self {
        Self::new()
    }
}

impl Capture {
    /// A transport answering `/token` with [`TOKEN_BODY`] and everything else with 200 `{}`.
    pub fn new() -> Self {
        Self {
            state: Arc::new(Mutex::new(State {
                requests: Vec::new(),
                queue: VecDeque::new(),
                fallback: Answer::json(200, "{}"),
                token: Answer::json(200, TOKEN_BODY),
            })),
        }
    }

    /// A transport whose first non-token answer is `answer`.
    pub fn answering(answer: Answer) -> Self {
        let capture = Self::new();
        capture.push(answer);
        capture
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `answer` for the next non-token request.
    pub fn push(&self, answer: Answer) {
        self.state().queue.push_back(answer);
    }

    /// Answer given to non-token requests once the queue is empty.
    pub fn fallback(&self, answer: Answer) {
        self.state().fallback = answer;
    }

    /// Answer given to every `/token` request.
    pub fn token_answer(&self, answer: Answer) {
        self.state().token = answer;
    }

    /// A client builder wired to this transport, with [`API_KEY`] and [`BASE_URL`].
    pub fn builder(&self) -> basiq::ClientBuilder {
        basiq::Client::builder().api_key(API_KEY).base_url(BASE_URL).transport(self.clone())
    }

    /// A client wired to this transport.
    pub fn client(&self) -> basiq::Client {
        self.builder().build().expect("test client builds")
    }

    /// Every request sent so far, in order, token requests included.
    pub fn requests(&self) -> Vec<Captured> {
        self.state().requests.clone()
    }

    /// The requests to `/token`.
    pub fn token_requests(&self) -> Vec<Captured> {
        self.requests().into_iter().filter(Captured::is_token).collect()
    }

    /// The requests to anything but `/token`.
    pub fn api_requests(&self) -> Vec<Captured> {
        self.requests().into_iter().filter(|r| !r.is_token()).collect()
    }

    /// The one request to anything but `/token`; panics unless there was exactly one.
    pub fn only_api_request(&self) -> Captured {
        let mut api = self.api_requests();
        assert_eq!(api.len(), 1, "expected exactly one API request, got {:#?}", self.requests());
        api.remove(0)
    }
}

impl Transport for Capture {
    fn send(&self, mut request: reqwest::Request) -> TransportFuture {
        let state = self.state.clone();
        Box::pin(async move {
            let body = match request.body_mut().take() {
                None => None,
                Some(body) => match body.as_bytes() {
                    Some(bytes) => Some(Bytes::copy_from_slice(bytes)),
                    // A streamed body (the multipart upload): drain it through a Response.
                    None => Some(reqwest::Response::from(http::Response::new(body)).bytes().await?),
                },
            };
            let captured = Captured {
                method: request.method().as_str().to_owned(),
                url: request.url().clone(),
                headers: request.headers().clone(),
                timeout: request.timeout().copied(),
                body,
            };
            let answer = {
                let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
                let answer = if captured.is_token() {
                    state.token.clone()
                } else {
                    let fallback = state.fallback.clone();
                    state.queue.pop_front().unwrap_or(fallback)
                };
                state.requests.push(captured);
                answer
            };
            Ok(answer.into_response())
        })
    }
}

/// One request as the transport received it.
#[derive(Clone, Debug)]
pub struct Captured {
    pub method: String,
    pub url: reqwest::Url,
    pub headers: HeaderMap,
    /// The per-attempt timeout set on the request (not sent on the wire).
    pub timeout: Option<std::time::Duration>,
    pub body: Option<Bytes>,
}

impl Captured {
    /// True for a request to `/token`.
    pub fn is_token(&self) -> bool {
        self.url.path() == "/token"
    }

    /// The path exactly as sent (still percent-encoded).
    pub fn path(&self) -> &str {
        self.url.path()
    }

    /// The raw query string, if any.
    pub fn query(&self) -> Option<&str> {
        self.url.query()
    }

    /// The decoded query pairs, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        self.url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
    }

    /// Asserts that the query holds exactly `expected` (given in name order), whatever the order sent.
    pub fn assert_query(&self, expected: &[(&str, &str)]) {
        let mut pairs = self.query_pairs();
        pairs.sort();
        let expected: Vec<(String, String)> =
            expected.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        assert_eq!(pairs, expected);
    }

    /// The single value of header `name`; panics if it is repeated or not text.
    pub fn header(&self, name: &str) -> Option<&str> {
        let mut values = self.headers.get_all(name).iter();
        let first = values.next()?;
        assert!(values.next().is_none(), "header {name} is sent more than once");
        Some(first.to_str().expect("header value is text"))
    }

    /// The body as text; panics if there is none or it is not UTF-8.
    pub fn body_text(&self) -> &str {
        std::str::from_utf8(self.body.as_deref().expect("request has a body")).expect("body is UTF-8")
    }

    /// The body parsed as JSON; panics if it is not JSON.
    pub fn body_json(&self) -> serde_json::Value {
        serde_json::from_slice(self.body.as_deref().expect("request has a body")).expect("body is JSON")
    }

    /// The body parsed as an urlencoded form, in order.
    pub fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.body.as_deref().unwrap_or_default()).into_owned().collect()
    }

    /// The multipart parts of the body; panics if it is not `multipart/form-data`.
    pub fn multipart(&self) -> Vec<Part> {
        let content_type = self.header("content-type").expect("multipart request has a content type");
        let boundary = boundary_of(content_type).expect("multipart content type names its boundary");
        parse_multipart(self.body.as_deref().unwrap_or_default(), boundary)
    }

    /// The redacted, serialisable form stored in the snapshots.
    pub fn snapshot(&self) -> Snapshot {
        let mut headers: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, value) in &self.headers {
            let text = match value.to_str() {
                Ok(text) => redact_header(name.as_str(), text),
                Err(_) => format!("[non-text value, {} bytes]", value.as_bytes().len()),
            };
            headers.entry(name.as_str().to_owned()).or_default().push(text);
        }
        let content_type = self.header("content-type").unwrap_or_default().to_ascii_lowercase();
        let body = match self.body.as_deref() {
            None => Body::None,
            Some([]) => Body::Empty,
            Some(bytes) if content_type.starts_with("application/json") => match serde_json::from_slice(bytes) {
                Ok(value) => Body::Json(value),
                Err(_) => Body::Text(String::from_utf8_lossy(bytes).into_owned()),
            },
            Some(bytes) if content_type.starts_with("application/x-www-form-urlencoded") => {
                Body::Form { raw: String::from_utf8_lossy(bytes).into_owned(), pairs: Pairs(self.form()) }
            }
            Some(_) if content_type.starts_with("multipart/form-data") => Body::Multipart(self.multipart()),
            Some(bytes) => match std::str::from_utf8(bytes) {
                Ok(text) => Body::Text(text.to_owned()),
                Err(_) => Body::Bytes(bytes.len()),
            },
        };
        Snapshot {
            method: self.method.clone(),
            path: self.path().to_owned(),
            query: self.query().map(str::to_owned),
            query_pairs: Pairs(self.query_pairs()),
            headers: headers
                .into_iter()
                .map(|(name, mut values)| {
                    let value = if values.len() == 1 {
                        HeaderValues::One(values.remove(0))
                    } else {
                        HeaderValues::Many(values)
                    };
                    (name, value)
                })
                .collect(),
            body,
        }
    }
}

/// Hides credentials, the crate version and the random multipart boundary; keeps the rest.
fn redact_header(name: &str, value: &str) -> String {
    match name {
        "authorization" => match value.split_once(' ') {
            Some((scheme, _)) => format!("{scheme} [redacted]"),
            None => "[redacted]".to_owned(),
        },
        "user-agent" => value.replace(env!("CARGO_PKG_VERSION"), "[version]"),
        "content-type" => match boundary_of(value) {
            Some(boundary) => value.replace(boundary, "[boundary]"),
            None => value.to_owned(),
        },
        _ => value.to_owned(),
    }
}

fn boundary_of(content_type: &str) -> Option<&str> {
    content_type.split(';').map(str::trim).find_map(|p| p.strip_prefix("boundary=")).map(|b| b.trim_matches('"'))
}

/// What the snapshots record for one request.
#[derive(Debug, Serialize)]
pub struct Snapshot {
    pub method: String,
    /// Percent-encoded, exactly as sent.
    pub path: String,
    /// Raw query string, exactly as sent.
    pub query: Option<String>,
    /// The query decoded into ordered name/value pairs.
    pub query_pairs: Pairs,
    /// Every header, sorted by name; secrets and versions redacted.
    pub headers: BTreeMap<String, HeaderValues>,
    pub body: Body,
}

/// A header sent once (a string) or several times (a list).
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum HeaderValues {
    One(String),
    Many(Vec<String>),
}

/// The request body, decoded by content type.
#[derive(Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Body {
    /// No body at all.
    None,
    /// A body of zero bytes.
    Empty,
    Json(serde_json::Value),
    Form {
        raw: String,
        pairs: Pairs,
    },
    Multipart(Vec<Part>),
    Text(String),
    /// Binary content: its length.
    Bytes(usize),
}

/// Ordered name/value pairs, serialised as a list of one-entry maps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pairs(pub Vec<(String, String)>);

impl Serialize for Pairs {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct One<'a>(&'a str, &'a str);
        impl Serialize for One<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry(self.0, self.1)?;
                map.end()
            }
        }
        serializer.collect_seq(self.0.iter().map(|(k, v)| One(k, v)))
    }
}

/// One part of a `multipart/form-data` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Part {
    pub name: Option<String>,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub content: PartContent,
}

/// A part's content: text when it is UTF-8, else its length.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PartContent {
    Text(String),
    Bytes(usize),
}

/// Splits a multipart body (RFC 7578) into its parts.
pub fn parse_multipart(body: &[u8], boundary: &str) -> Vec<Part> {
    let delimiter = format!("--{boundary}");
    let text = body;
    let mut parts = Vec::new();
    let mut chunks = split_bytes(text, delimiter.as_bytes()).into_iter();
    let preamble = chunks.next().unwrap_or_default();
    assert!(preamble.is_empty(), "multipart body starts with something other than the boundary");
    for chunk in chunks {
        if chunk.starts_with(b"--") {
            break; // the closing delimiter
        }
        let chunk = chunk.strip_prefix(b"\r\n").expect("a CRLF follows each boundary");
        let chunk = chunk.strip_suffix(b"\r\n").expect("a CRLF precedes each boundary");
        let split = chunk.windows(4).position(|w| w == b"\r\n\r\n").expect("part headers end with an empty line");
        let head = std::str::from_utf8(&chunk[..split]).expect("part headers are text");
        let content = &chunk[split + 4..];
        let mut part = Part {
            name: None,
            filename: None,
            content_type: None,
            content: match std::str::from_utf8(content) {
                Ok(text) => PartContent::Text(text.to_owned()),
                Err(_) => PartContent::Bytes(content.len()),
            },
        };
        for line in head.split("\r\n") {
            let (name, value) = line.split_once(':').expect("part header has a colon");
            match name.trim().to_ascii_lowercase().as_str() {
                "content-disposition" => {
                    for param in value.split(';').map(str::trim) {
                        if let Some(v) = param.strip_prefix("name=") {
                            part.name = Some(v.trim_matches('"').to_owned());
                        } else if let Some(v) = param.strip_prefix("filename=") {
                            part.filename = Some(v.trim_matches('"').to_owned());
                        }
                    }
                }
                "content-type" => part.content_type = Some(value.trim().to_owned()),
                other => panic!("unexpected part header {other}"),
            }
        }
        parts.push(part);
    }
    parts
}

fn split_bytes<'a>(haystack: &'a [u8], needle: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut rest = haystack;
    while let Some(at) = rest.windows(needle.len()).position(|w| w == needle) {
        out.push(&rest[..at]);
        rest = &rest[at + needle.len()..];
    }
    out.push(rest);
    out
}
