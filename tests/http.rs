//! Behaviour on the wire against scripted servers on 127.0.0.1: token request shape, replay
//! after a refused token, retries, and secrets kept out of traces.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use basiq::{Call, Client, Error, RetryPolicy};

const KEY: &str = "MDBhYmNkZWYtMTExMS0yMjIyLTMzMzMtNDQ0NDU1NTU2NjY2OjlmOGU3ZDZj";

/// One request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: Method,
    path: String,
    headers: HeaderMap,
    body: String,
}

type Script = Arc<dyn Fn(&Seen, usize) -> (u16, Vec<(&'static str, String)>, String) + Send + Sync>;

/// A server that records every request and answers with `script(request, index among same path)`.
struct Scripted {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Scripted {
    async fn start(
        script: impl Fn(&Seen, usize) -> (u16, Vec<(&'static str, String)>, String) + Send + Sync + 'static,
    ) -> Self {
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let script: Script = Arc::new(script);
        let log = seen.clone();
        let app = axum::Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let log = log.clone();
            let script = script.clone();
            async move {
                let request =
                    Seen { method, path: uri.path().to_owned(), headers, body: String::from_utf8_lossy(&body).into() };
                let index = {
                    let mut log = log.lock().unwrap();
                    let index = log.iter().filter(|s| s.path == request.path).count();
                    log.push(request.clone());
                    index
                };
                let (status, headers, body) = script(&request, index);
                let mut response = Response::builder().status(StatusCode::from_u16(status).unwrap());
                for (name, value) in headers {
                    response = response.header(name, value);
                }
                response.header("content-type", "application/json").body(Body::from(body)).unwrap()
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { url, seen }
    }

    fn client(&self) -> Client {
        let policy = RetryPolicy::new().base_delay(Duration::from_millis(5)).max_delay(Duration::from_millis(20));
        Client::builder().api_key(KEY).base_url(&self.url).retry_policy(policy).build().unwrap()
    }

    fn count(&self, method: Method, path: &str) -> usize {
        self.seen.lock().unwrap().iter().filter(|s| s.method == method && s.path == path).count()
    }

    fn requests(&self, path: &str) -> Vec<Seen> {
        self.seen.lock().unwrap().iter().filter(|s| s.path == path).cloned().collect()
    }
}

fn token(n: usize) -> (u16, Vec<(&'static str, String)>, String) {
    (200, vec![], format!(r#"{{"access_token":"server-token-{n}","token_type":"Bearer","expires_in":3600}}"#))
}

fn user() -> (u16, Vec<(&'static str, String)>, String) {
    (200, vec![], r#"{"type":"user","id":"u1","email":"gavin@hooli.com"}"#.into())
}

fn envelope(status: u16, code: &str, detail: &str) -> (u16, Vec<(&'static str, String)>, String) {
    let body = format!(
        r#"{{"type":"list","correlationId":"corr-{status}","data":[{{"type":"error","code":"{code}","title":"t","detail":"{detail}"}}]}}"#
    );
    (status, vec![], body)
}

fn header<'a>(seen: &'a Seen, name: &str) -> &'a str {
    seen.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test]
async fn the_token_request_is_exactly_what_basiq_documents() {
    let server = Scripted::start(|s, i| if s.path == "/token" { token(i) } else { user() }).await;
    server.client().get_user().user_id("u1").call().await.unwrap();
    let token = &server.requests("/token")[0];
    assert_eq!(token.method, Method::POST);
    assert_eq!(header(token, "authorization"), format!("Basic {KEY}"));
    assert_eq!(header(token, "content-type"), "application/x-www-form-urlencoded");
    assert_eq!(header(token, "basiq-version"), "3.0");
    assert_eq!(token.body, "scope=SERVER_ACCESS");
    let call = &server.requests("/users/u1")[0];
    assert_eq!(header(call, "authorization"), "Bearer server-token-0");
    assert!(call.headers.get("api-version").is_none(), "progenitor's api-version header must not be sent");
    assert!(header(call, "user-agent").starts_with("basiq-rs/"));
}

#[tokio::test]
async fn a_401_invalidates_the_token_and_replays_once() {
    let server = Scripted::start(|s, i| match (s.path.as_str(), i) {
        ("/token", i) => token(i),
        (_, 0) => envelope(401, "invalid-authorization-token", "Invalid authorization token."),
        _ => user(),
    })
    .await;
    let user = server.client().get_user().user_id("u1").call().await.unwrap();
    assert_eq!(user.id, "u1");
    let calls = server.requests("/users/u1");
    assert_eq!(calls.len(), 2);
    assert_eq!(header(&calls[1], "authorization"), "Bearer server-token-1");
    assert_eq!(server.count(Method::POST, "/token"), 2);
}

#[tokio::test]
async fn a_403_token_has_expired_invalidates_the_token_and_replays_once() {
    let server = Scripted::start(|s, i| match (s.path.as_str(), i) {
        ("/token", i) => token(i),
        (_, 0) => envelope(403, "access-denied", "Token has expired"),
        _ => user(),
    })
    .await;
    server.client().get_user().user_id("u1").call().await.unwrap();
    assert_eq!(server.count(Method::GET, "/users/u1"), 2);
    assert_eq!(server.count(Method::POST, "/token"), 2);
}

#[tokio::test]
async fn a_second_refusal_is_returned_without_looping() {
    let server = Scripted::start(|s, i| match s.path.as_str() {
        "/token" => token(i),
        _ => envelope(401, "invalid-authorization-token", "Invalid authorization token."),
    })
    .await;
    let err = server.client().get_user().user_id("u1").call().await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.codes(), vec!["invalid-authorization-token"]);
    assert_eq!(err.correlation_id(), Some("corr-401"));
    assert_eq!(server.count(Method::GET, "/users/u1"), 2);
}

#[tokio::test]
async fn a_403_for_a_wrong_scope_is_not_replayed() {
    let server = Scripted::start(|s, i| match s.path.as_str() {
        "/token" => token(i),
        _ => envelope(403, "forbidden-access", "Access to this resource is forbidden"),
    })
    .await;
    let err = server.client().get_user().user_id("u1").call().await.unwrap_err();
    assert_eq!(err.status(), Some(403));
    assert_eq!(server.count(Method::GET, "/users/u1"), 1);
    assert_eq!(server.count(Method::POST, "/token"), 1);
}

#[tokio::test]
async fn a_429_with_retry_after_is_honoured_even_for_a_post() {
    let server = Scripted::start(|s, i| match (s.path.as_str(), i) {
        ("/token", i) => token(i),
        (_, 0) => {
            let (status, _, body) = envelope(429, "too-many-requests", "Query limit reached.");
            (status, vec![("retry-after", "1".to_owned())], body)
        }
        _ => (201, vec![], r#"{"type":"user","id":"new-user","email":"a@b.co"}"#.into()),
    })
    .await;
    let body: basiq::types::UserCreateRequest = serde_json::from_value(serde_json::json!({"email": "a@b.co"})).unwrap();
    let started = Instant::now();
    let user = server.client().create_user().body(body).call().await.unwrap();
    assert_eq!(user.id, "new-user");
    assert_eq!(server.count(Method::POST, "/users"), 2);
    assert!(started.elapsed() >= Duration::from_millis(950), "waited only {:?}", started.elapsed());
}

#[tokio::test]
async fn a_503_is_retried_for_a_get() {
    let server = Scripted::start(|s, i| match (s.path.as_str(), i) {
        ("/token", i) => token(i),
        (_, 0 | 1) => envelope(503, "service-unavailable", "Service is currently unavailable."),
        _ => user(),
    })
    .await;
    server.client().get_user().user_id("u1").call().await.unwrap();
    assert_eq!(server.count(Method::GET, "/users/u1"), 3);
}

#[tokio::test]
async fn a_503_is_not_retried_for_a_post() {
    let server = Scripted::start(|s, i| match s.path.as_str() {
        "/token" => token(i),
        _ => envelope(503, "service-unavailable", "Service is currently unavailable."),
    })
    .await;
    let body: basiq::types::UserCreateRequest = serde_json::from_value(serde_json::json!({"email": "a@b.co"})).unwrap();
    let err = server.client().create_user().body(body).call().await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert!(err.is_retryable());
    assert_eq!(server.count(Method::POST, "/users"), 1);
}

#[tokio::test]
async fn the_retry_budget_bounds_the_attempts() {
    let server = Scripted::start(|s, i| match s.path.as_str() {
        "/token" => token(i),
        _ => envelope(503, "service-unavailable", "down"),
    })
    .await;
    let err = server.client().get_user().user_id("u1").call().await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(server.count(Method::GET, "/users/u1"), 4, "1 attempt + 3 retries");
}

#[tokio::test]
async fn a_bad_api_key_is_a_token_error_that_names_the_cause() {
    let server = Scripted::start(|s, _| match s.path.as_str() {
        "/token" => envelope(404, "parameter-not-valid", "Unable to authenticate. Please, check your API key"),
        _ => user(),
    })
    .await;
    let err = server.client().get_user().user_id("u1").call().await.unwrap_err();
    match &err {
        Error::Token(t) => assert_eq!(t.kind, basiq::TokenErrorKind::InvalidApiKey),
        other => panic!("expected a token error, got {other:?}"),
    }
    assert!(err.to_string().contains("API key was not accepted"), "{err}");
    assert!(!err.to_string().contains(KEY));
    assert_eq!(server.count(Method::GET, "/users/u1"), 0);
}

#[tokio::test]
async fn a_non_json_error_body_keeps_its_status() {
    let server = Scripted::start(|s, i| match s.path.as_str() {
        "/token" => token(i),
        _ => (502, vec![], "<html><body>Bad gateway</body></html>".into()),
    })
    .await;
    let client =
        Client::builder().api_key(KEY).base_url(&server.url).retry_policy(RetryPolicy::disabled()).build().unwrap();
    let err = client.get_user().user_id("u1").call().await.unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert!(err.to_string().contains("Bad gateway"), "{err}");
}

/// A writer that appends everything the subscriber prints to a shared buffer.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn trace_output_of_a_full_flow_contains_no_secret() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let _guard = tracing::subscriber::set_default(subscriber);
    runtime.block_on(async {
        let server = Scripted::start(|s, i| match (s.path.as_str(), i) {
            ("/token", i) => token(i),
            ("/users/u1", 0) => envelope(401, "invalid-authorization-token", "Invalid authorization token."),
            ("/users/u1", 1) => envelope(503, "service-unavailable", "down"),
            _ => user(),
        })
        .await;
        let client = server.client();
        client.get_user().user_id("u1").call().await.unwrap();
        let client_token = client.client_token("u1").await.unwrap();
        tracing::info!(?client, ?client_token, "debug-printing the client and a token");
        client.get_user().user_id("u1").call().await.unwrap();
    });
    let text = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("basiq.call"), "the calls were traced");
    assert!(text.contains("TRACE"), "TRACE-level events were captured");
    assert!(text.contains("operation=\"get_user\"") || text.contains("operation=get_user"), "{text}");
    assert!(!text.contains(KEY), "the API key leaked into the trace");
    assert!(!text.contains("server-token-"), "a SERVER_ACCESS token leaked into the trace");
}
