//! Token fetching under pressure, with an in-memory transport and tokio's paused clock: callers
//! that give up, per-user tokens over hours, extreme lifetimes and failure back-off.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use basiq::transport::{Transport, TransportFuture};
use basiq::{Call, Client, Error, TokenErrorKind};

/// Answers `/token` after `delay` with `status` (200: a token living `expires_in` seconds).
#[derive(Debug)]
struct Script {
    token_calls: AtomicUsize,
    delay: Mutex<Duration>,
    status: Mutex<u16>,
    expires_in: AtomicU64,
}

#[derive(Debug, Clone)]
struct Fake(Arc<Script>);

impl Transport for Fake {
    fn send(&self, request: reqwest::Request) -> TransportFuture {
        let script = self.0.clone();
        Box::pin(async move {
            let respond = |status: u16, body: String| {
                let response = http::Response::builder().status(status).body(body).unwrap();
                Ok(reqwest::Response::from(response))
            };
            if request.url().path() != "/token" {
                return respond(200, r#"{"type":"user","id":"u1"}"#.into());
            }
            let n = script.token_calls.fetch_add(1, Ordering::SeqCst) + 1;
            let delay = *script.delay.lock().unwrap();
            tokio::time::sleep(delay).await;
            let status = *script.status.lock().unwrap();
            if status != 200 {
                return respond(
                    status,
                    r#"{"type":"list","data":[{"type":"error","code":"too-many-requests"}]}"#.into(),
                );
            }
            let expires_in = script.expires_in.load(Ordering::SeqCst);
            respond(200, format!(r#"{{"access_token":"token-{n}","token_type":"Bearer","expires_in":{expires_in}}}"#))
        })
    }
}

fn setup(delay: Duration) -> (Arc<Script>, Client) {
    let script = Arc::new(Script {
        token_calls: AtomicUsize::new(0),
        delay: Mutex::new(delay),
        status: Mutex::new(200),
        expires_in: AtomicU64::new(3600),
    });
    let client = Client::builder()
        .api_key("dGVzdDp0ZXN0")
        .base_url("http://basiq.test")
        .transport(Fake(script.clone()))
        .build()
        .unwrap();
    (script, client)
}

#[tokio::test(start_paused = true)]
async fn callers_that_give_up_do_not_cancel_the_token_fetch() {
    let (script, client) = setup(Duration::from_millis(300));
    // Five callers at once, each giving up after 200 ms, while /token takes 300 ms.
    let impatient = (0..5).map(|_| tokio::time::timeout(Duration::from_millis(200), client.server_token()));
    let outcomes = futures::future::join_all(impatient).await;
    assert!(outcomes.iter().all(Result::is_err), "all five gave up");
    // A later caller gets the token of that same fetch.
    let token = client.server_token().await.unwrap();
    assert_eq!(token.expose(), "token-1");
    assert_eq!(script.token_calls.load(Ordering::SeqCst), 1, "one /token request for all six callers");

    // One caller after another, each giving up at 200 ms: the second one already gets the token.
    let mut attempts = 0;
    let user_token = loop {
        attempts += 1;
        if let Ok(token) = tokio::time::timeout(Duration::from_millis(200), client.client_token("u1")).await {
            break token.unwrap();
        }
        assert!(attempts < 5, "five attempts and still no token");
    };
    assert_eq!((attempts, user_token.expose()), (2, "token-2"));
    assert_eq!(script.token_calls.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn per_user_tokens_are_forgotten_after_they_expire() {
    let (script, client) = setup(Duration::ZERO);
    for n in 0..20_000 {
        client.client_token(&format!("user-{n}")).await.unwrap();
    }
    assert_eq!(client.cached_client_tokens(), 10_000, "the default capacity bounds the cache");
    tokio::time::advance(Duration::from_secs(3 * 3600)).await;
    client.client_token("one-more").await.unwrap();
    assert_eq!(client.cached_client_tokens(), 1, "expired users are dropped");
    assert_eq!(script.token_calls.load(Ordering::SeqCst), 20_001);
}

#[tokio::test(start_paused = true)]
async fn the_capacity_is_configurable_and_drops_the_least_recently_used() {
    let script = Arc::new(Script {
        token_calls: AtomicUsize::new(0),
        delay: Mutex::new(Duration::ZERO),
        status: Mutex::new(200),
        expires_in: AtomicU64::new(3600),
    });
    let client = Client::builder()
        .api_key("dGVzdDp0ZXN0")
        .base_url("http://basiq.test")
        .transport(Fake(script.clone()))
        .client_token_capacity(2)
        .build()
        .unwrap();
    client.client_token("a").await.unwrap();
    client.client_token("b").await.unwrap();
    client.client_token("a").await.unwrap();
    client.client_token("c").await.unwrap();
    assert_eq!(client.cached_client_tokens(), 2);
    client.client_token("a").await.unwrap();
    assert_eq!(script.token_calls.load(Ordering::SeqCst), 3, "a stayed cached");
    client.client_token("b").await.unwrap();
    assert_eq!(script.token_calls.load(Ordering::SeqCst), 4, "b was dropped and fetched again");
}

#[tokio::test(start_paused = true)]
async fn a_huge_expires_in_does_not_panic() {
    let (script, client) = setup(Duration::ZERO);
    script.expires_in.store(u64::MAX, Ordering::SeqCst);
    client.get_user().user_id("u1").call().await.unwrap();
    tokio::time::advance(Duration::from_secs(10 * 365 * 24 * 3600)).await;
    client.get_user().user_id("u1").call().await.unwrap();
    assert_eq!(script.token_calls.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn token_failures_back_off_longer_each_time_and_429_means_rate_limited() {
    let (script, client) = setup(Duration::ZERO);
    *script.status.lock().unwrap() = 429;
    let client = client.with_deadline(None);
    let fail = || async {
        match client.server_token().await {
            Err(Error::Token(e)) => e,
            other => panic!("{other:?}"),
        }
    };
    let first = fail().await;
    assert_eq!(first.kind, TokenErrorKind::RateLimited);
    assert!(!first.backing_off);
    // The client's own retry policy retries a 429 on /token; count the fetches, not the attempts.
    let per_fetch = script.token_calls.load(Ordering::SeqCst);
    // First back-off: 1 s.
    tokio::time::advance(Duration::from_millis(900)).await;
    assert!(fail().await.backing_off);
    tokio::time::advance(Duration::from_millis(200)).await;
    assert!(!fail().await.backing_off, "after 1 s the second fetch is made");
    assert_eq!(script.token_calls.load(Ordering::SeqCst), 2 * per_fetch);
    // Second back-off: 2 s, not 1 s.
    tokio::time::advance(Duration::from_millis(1500)).await;
    assert!(fail().await.backing_off, "the back-off doubled");
    tokio::time::advance(Duration::from_millis(600)).await;
    assert!(!fail().await.backing_off);
    assert_eq!(script.token_calls.load(Ordering::SeqCst), 3 * per_fetch);
}
