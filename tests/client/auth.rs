//! Token caching rules, tested with an in-memory transport and tokio's paused clock.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use basiq::transport::{Transport, TransportFuture};
use basiq::{Call, Client, Error, TokenErrorKind};

/// Answers `/token` with numbered tokens (after a small delay) and every other call with a user.
#[derive(Debug, Default)]
struct Script {
    token_calls: AtomicUsize,
    token_status: Mutex<u16>,
    bearers: Mutex<Vec<String>>,
    forms: Mutex<Vec<String>>,
}

#[derive(Debug, Clone)]
struct Fake(Arc<Script>);

impl Transport for Fake {
    fn send(&self, request: reqwest::Request) -> TransportFuture {
        let script = self.0.clone();
        Box::pin(async move {
            let respond = |status: u16, body: String| {
                let response = http::Response::builder()
                    .status(status)
                    .header("content-type", "application/json")
                    .body(body)
                    .unwrap();
                Ok(reqwest::Response::from(response))
            };
            if request.url().path() == "/token" {
                let n = script.token_calls.fetch_add(1, Ordering::SeqCst) + 1;
                let form = request.body().and_then(|b| b.as_bytes()).map(|b| String::from_utf8_lossy(b).into_owned());
                script.forms.lock().unwrap().push(form.unwrap_or_default());
                tokio::time::sleep(Duration::from_millis(50)).await;
                let status = *script.token_status.lock().unwrap();
                if status != 200 {
                    return respond(status, r#"{"type":"list","correlationId":"c1","data":[{"type":"error","code":"internal-server-error","title":"Internal server error"}]}"#.into());
                }
                return respond(
                    200,
                    format!(r#"{{"access_token":"token-{n}","token_type":"Bearer","expires_in":3600}}"#),
                );
            }
            let bearer =
                request.headers().get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
            script.bearers.lock().unwrap().push(bearer);
            respond(200, r#"{"type":"user","id":"u1"}"#.into())
        })
    }
}

fn client(script: &Arc<Script>) -> Client {
    *script.token_status.lock().unwrap() = 200;
    Client::builder()
        .api_key("dGVzdDp0ZXN0")
        .base_url("http://basiq.test")
        .transport(Fake(script.clone()))
        .build()
        .unwrap()
}

async fn many_calls(client: &Client, n: usize) {
    let calls = (0..n).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.get_user().user_id("u1").call().await })
    });
    for result in futures::future::join_all(calls).await {
        result.unwrap().unwrap();
    }
}

#[tokio::test(start_paused = true)]
async fn a_thousand_callers_on_a_cold_cache_make_one_token_request() {
    let script = Arc::new(Script::default());
    let client = client(&script);
    many_calls(&client, 1000).await;
    assert_eq!(script.token_calls.load(Ordering::SeqCst), 1);
    assert_eq!(script.bearers.lock().unwrap().len(), 1000);
}

#[tokio::test(start_paused = true)]
async fn a_thousand_callers_on_an_expired_cache_make_one_more_token_request() {
    let script = Arc::new(Script::default());
    let client = client(&script);
    many_calls(&client, 1).await;
    tokio::time::advance(Duration::from_secs(3600)).await;
    many_calls(&client, 1000).await;
    assert_eq!(script.token_calls.load(Ordering::SeqCst), 2);
    assert!(script.bearers.lock().unwrap().iter().skip(1).all(|b| b == "Bearer token-2"));
}

#[tokio::test(start_paused = true)]
async fn the_token_is_refreshed_in_the_background_before_it_expires() {
    let script = Arc::new(Script::default());
    let client = client(&script);
    many_calls(&client, 1).await;
    // A third of the hour left: the caller is served the current token at once...
    tokio::time::advance(Duration::from_secs(2500)).await;
    many_calls(&client, 1).await;
    assert_eq!(script.bearers.lock().unwrap().last().unwrap(), "Bearer token-1");
    // ...while one refresh runs in the background, and later calls use its token.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(script.token_calls.load(Ordering::SeqCst), 2);
    many_calls(&client, 10).await;
    assert_eq!(script.bearers.lock().unwrap().last().unwrap(), "Bearer token-2");
    assert_eq!(script.token_calls.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn the_token_is_not_refreshed_while_two_thirds_of_its_life_remain() {
    let script = Arc::new(Script::default());
    let client = client(&script);
    many_calls(&client, 1).await;
    tokio::time::advance(Duration::from_secs(2300)).await;
    many_calls(&client, 5).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(script.token_calls.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn a_failed_token_request_backs_off_instead_of_storming() {
    let script = Arc::new(Script::default());
    let client = client(&script);
    *script.token_status.lock().unwrap() = 400;
    let first = client.get_user().user_id("u1").call().await.unwrap_err();
    assert!(matches!(first, Error::Token(ref t) if t.kind == TokenErrorKind::Rejected), "{first:?}");
    for _ in 0..50 {
        let again = client.get_user().user_id("u1").call().await.unwrap_err();
        assert!(matches!(again, Error::Token(ref t) if t.backing_off), "{again:?}");
    }
    assert_eq!(script.token_calls.load(Ordering::SeqCst), 1);
    *script.token_status.lock().unwrap() = 200;
    tokio::time::advance(Duration::from_millis(1100)).await;
    client.get_user().user_id("u1").call().await.unwrap();
    assert_eq!(script.token_calls.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn client_tokens_are_cached_per_user_and_bound_to_it() {
    let script = Arc::new(Script::default());
    let client = client(&script);
    let a = client.client_token("user-a").await.unwrap();
    let again = client.client_token("user-a").await.unwrap();
    assert_eq!(a, again);
    client.client_token("user b&c").await.unwrap();
    assert_eq!(script.token_calls.load(Ordering::SeqCst), 2);
    let forms = script.forms.lock().unwrap().clone();
    assert_eq!(forms, vec!["scope=CLIENT_ACCESS&userId=user-a", "scope=CLIENT_ACCESS&userId=user+b%26c"]);
}

#[tokio::test]
async fn an_empty_user_id_is_refused_without_a_request() {
    let script = Arc::new(Script::default());
    let client = client(&script);
    assert!(matches!(client.client_token("").await, Err(Error::InvalidInput(_))));
    assert_eq!(script.token_calls.load(Ordering::SeqCst), 0);
}
