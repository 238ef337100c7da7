//! Behaviour on the wire against scripted servers on 127.0.0.1: token request shape, replay
//! after a refused token, retries, and secrets kept out of traces.

use crate::scripted;

use std::time::{Duration, Instant};

use axum::http::Method;
use basiq::{Call, Client, Error, RetryPolicy};
use scripted::{Reply, Scripted};

const KEY: &str = "MDBhYmNkZWYtMTExMS0yMjIyLTMzMzMtNDQ0NDU1NTU2NjY2OjlmOGU3ZDZj";

/// A client of `server` with [`KEY`] and quick retries.
fn client(server: &Scripted) -> Client {
    let policy = RetryPolicy::new().base_delay(Duration::from_millis(5)).max_delay(Duration::from_millis(20));
    server.client_with(KEY, policy)
}

/// Grants tokens and answers every other request with `reply`.
async fn always(reply: fn() -> Reply) -> Scripted {
    Scripted::api(move |_, _| reply()).await
}

/// Grants tokens and answers the first other request with `first`, the next ones with a user.
async fn first_then_user(first: fn() -> Reply) -> Scripted {
    Scripted::api(move |_, n| if n == 0 { first() } else { user() }).await
}

fn user() -> Reply {
    (200, vec![], r#"{"type":"user","id":"u1","email":"gavin@hooli.com"}"#.into()).into()
}

fn envelope(status: u16, code: &str, detail: &str) -> Reply {
    let body = format!(
        r#"{{"type":"list","correlationId":"corr-{status}","data":[{{"type":"error","code":"{code}","title":"t","detail":"{detail}"}}]}}"#
    );
    (status, vec![], body).into()
}

#[tokio::test]
async fn the_token_request_is_exactly_what_basiq_documents() {
    let server = Scripted::api(|_, _| user()).await;
    client(&server).get_user().user_id("u1").call().await.unwrap();
    let token = &server.requests("/token")[0];
    assert_eq!(token.method, Method::POST);
    assert_eq!(token.header("authorization"), format!("Basic {KEY}"));
    assert_eq!(token.header("content-type"), "application/x-www-form-urlencoded");
    assert_eq!(token.header("basiq-version"), "3.0");
    assert_eq!(token.body, "scope=SERVER_ACCESS");
    let call = &server.requests("/users/u1")[0];
    assert_eq!(call.header("authorization"), "Bearer server-token-0");
    assert!(call.headers.get("api-version").is_none(), "progenitor's api-version header must not be sent");
    assert!(call.header("user-agent").starts_with("basiq-rs/"));
}

#[tokio::test]
async fn a_401_invalidates_the_token_and_replays_once() {
    let server = first_then_user(|| envelope(401, "invalid-authorization-token", "Invalid authorization token.")).await;
    let user = client(&server).get_user().user_id("u1").call().await.unwrap();
    assert_eq!(user.id, "u1");
    let calls = server.requests("/users/u1");
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1].header("authorization"), "Bearer server-token-1");
    assert_eq!(server.count(Method::POST, "/token"), 2);
}

#[tokio::test]
async fn a_403_token_has_expired_invalidates_the_token_and_replays_once() {
    let server = first_then_user(|| envelope(403, "access-denied", "Token has expired")).await;
    client(&server).get_user().user_id("u1").call().await.unwrap();
    assert_eq!(server.count(Method::GET, "/users/u1"), 2);
    assert_eq!(server.count(Method::POST, "/token"), 2);
}

#[tokio::test]
async fn a_second_refusal_is_returned_without_looping() {
    let server = always(|| envelope(401, "invalid-authorization-token", "Invalid authorization token.")).await;
    let err = client(&server).get_user().user_id("u1").call().await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.codes(), vec!["invalid-authorization-token"]);
    assert_eq!(err.correlation_id(), Some("corr-401"));
    assert_eq!(server.count(Method::GET, "/users/u1"), 2);
}

#[tokio::test]
async fn a_403_for_a_wrong_scope_is_not_replayed() {
    let server = always(|| envelope(403, "forbidden-access", "Access to this resource is forbidden")).await;
    let err = client(&server).get_user().user_id("u1").call().await.unwrap_err();
    assert_eq!(err.status(), Some(403));
    assert_eq!(server.count(Method::GET, "/users/u1"), 1);
    assert_eq!(server.count(Method::POST, "/token"), 1);
}

#[tokio::test]
async fn a_429_with_retry_after_is_honoured_even_for_a_post() {
    let server = Scripted::api(|_, n| match n {
        0 => Reply {
            headers: vec![("retry-after", "1".to_owned())],
            ..envelope(429, "too-many-requests", "Query limit reached.")
        },
        _ => (201, vec![], r#"{"type":"user","id":"new-user","email":"a@b.co"}"#.into()).into(),
    })
    .await;
    let body: basiq::types::UserCreateRequest = serde_json::from_value(serde_json::json!({"email": "a@b.co"})).unwrap();
    let started = Instant::now();
    let user = client(&server).create_user().body(body).call().await.unwrap();
    assert_eq!(user.id, "new-user");
    assert_eq!(server.count(Method::POST, "/users"), 2);
    assert!(started.elapsed() >= Duration::from_millis(950), "waited only {:?}", started.elapsed());
}

#[tokio::test]
async fn a_503_is_retried_for_a_get() {
    let server = Scripted::api(|_, n| match n {
        0 | 1 => envelope(503, "service-unavailable", "Service is currently unavailable."),
        _ => user(),
    })
    .await;
    client(&server).get_user().user_id("u1").call().await.unwrap();
    assert_eq!(server.count(Method::GET, "/users/u1"), 3);
}

#[tokio::test]
async fn a_503_is_not_retried_for_a_post() {
    let server = always(|| envelope(503, "service-unavailable", "Service is currently unavailable.")).await;
    let body: basiq::types::UserCreateRequest = serde_json::from_value(serde_json::json!({"email": "a@b.co"})).unwrap();
    let err = client(&server).create_user().body(body).call().await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert!(!err.is_retryable(), "a POST answered 503 may have been processed");
    assert_eq!(server.count(Method::POST, "/users"), 1);
}

#[tokio::test]
async fn the_retry_budget_bounds_the_attempts() {
    let server = always(|| envelope(503, "service-unavailable", "down")).await;
    let err = client(&server).get_user().user_id("u1").call().await.unwrap_err();
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
    let err = client(&server).get_user().user_id("u1").call().await.unwrap_err();
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
    let server = always(|| (502, vec![], "<html><body>Bad gateway</body></html>".into()).into()).await;
    let client = server.client_with(KEY, RetryPolicy::disabled());
    let err = client.get_user().user_id("u1").call().await.unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert!(err.to_string().contains("Bad gateway"), "{err}");
}

#[tokio::test]
async fn a_403_about_the_user_keeps_the_token_and_is_not_replayed() {
    let server = always(|| envelope(403, "access-denied", "Access to this user is denied")).await;
    let client = client(&server);
    for _ in 0..10 {
        let err = client.get_user().user_id("u1").call().await.unwrap_err();
        assert_eq!(err.status(), Some(403));
        assert_eq!(err.codes(), ["access-denied"]);
    }
    assert_eq!(server.count(Method::GET, "/users/u1"), 10, "one GET per call, no replay");
    assert_eq!(server.count(Method::POST, "/token"), 1, "the valid token is kept");
}

#[tokio::test]
async fn a_posts_transport_timeout_and_503_are_not_retryable_but_a_get_is() {
    let server = Scripted::api(|seen, _| {
        let slow = (200, vec![(scripted::DELAY_MS, "400".to_owned())], "{}".to_owned()).into();
        if seen.method == Method::POST { slow } else { envelope(503, "service-unavailable", "down") }
    })
    .await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&server.url)
        .timeout(Duration::from_millis(100))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let body: basiq::types::UserCreateRequest = serde_json::from_value(serde_json::json!({"email": "a@b.co"})).unwrap();
    let err = client.create_user().body(body).call().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(!err.is_retryable(), "the user may have been created");
    let err = client.get_user().user_id("u1").call().await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert!(err.is_retryable());
}

#[tokio::test]
async fn the_call_deadline_bounds_retries() {
    let server = Scripted::api(|_, _| {
        (503, vec![(scripted::DELAY_MS, "300".to_owned())], r#"{"type":"list","data":[]}"#.to_owned())
    })
    .await;
    let policy =
        RetryPolicy::new().max_retries(10).base_delay(Duration::from_millis(1)).max_delay(Duration::from_millis(1));
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&server.url)
        .retry_policy(policy)
        .call_deadline(Some(Duration::from_millis(1000)))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.get_user().user_id("u1").call().await.unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, Error::Timeout { .. }) || err.status() == Some(503), "{err:?}");
    assert!(took < Duration::from_millis(1800), "11 attempts of 300 ms would take 3.3 s; took {took:?}");
    assert!(server.count(Method::GET, "/users/u1") <= 4);

    // A per-call override shortens it further, sharing the token already fetched.
    let started = Instant::now();
    let err = client.with_deadline(Some(Duration::from_millis(200))).get_user().user_id("u1").call().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_millis(900), "took {:?}", started.elapsed());
    assert_eq!(server.count(Method::POST, "/token"), 1);
}

#[tokio::test]
async fn the_call_deadline_bounds_the_token_wait() {
    let server = Scripted::start(|seen, _| {
        if seen.path == "/token" {
            let body = r#"{"access_token":"slow","token_type":"Bearer","expires_in":3600}"#.to_owned();
            (200, vec![(scripted::DELAY_MS, "3000".to_owned())], body)
        } else {
            (200, vec![], r#"{"type":"user","id":"u1"}"#.to_owned())
        }
    })
    .await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&server.url)
        .call_deadline(Some(Duration::from_millis(300)))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.get_user().user_id("u1").call().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { ref operation } if operation.as_deref() == Some("get_user")), "{err:?}");
    assert!(started.elapsed() < Duration::from_millis(2000), "took {:?}", started.elapsed());
}
