//! The retry promises of the README, pinned: a connection failure is retried, `max_retries` is
//! the budget, and the pauses between attempts are not zero.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use basiq::transport::{Transport, TransportFuture};
use basiq::{Call, Client, Error, RetryPolicy};

/// Fails the first `failures` API attempts as told (a refused connection or a 503), then answers
/// with a user; `/token` always succeeds. Records when each API attempt was made.
#[derive(Clone, Debug)]
struct Flaky {
    failures: usize,
    refuse_connection: bool,
    closed: String,
    attempts: Arc<AtomicUsize>,
    times: Arc<Mutex<Vec<tokio::time::Instant>>>,
}

impl Transport for Flaky {
    fn send(&self, mut request: reqwest::Request) -> TransportFuture {
        let this = self.clone();
        Box::pin(async move {
            let respond = |status: u16, body: &str| {
                Ok(reqwest::Response::from(http::Response::builder().status(status).body(body.to_owned()).unwrap()))
            };
            if request.url().path() == "/token" {
                return respond(200, r#"{"access_token":"t","token_type":"Bearer","expires_in":3600}"#);
            }
            this.times.lock().unwrap().push(tokio::time::Instant::now());
            let n = this.attempts.fetch_add(1, Ordering::SeqCst);
            if n >= this.failures {
                return respond(200, r#"{"type":"user","id":"u1"}"#);
            }
            if this.refuse_connection {
                *request.url_mut() = this.closed.parse().unwrap();
                return reqwest::Client::new().execute(request).await;
            }
            respond(503, r#"{"type":"list","data":[]}"#)
        })
    }
}

/// A URL on 127.0.0.1 where nothing listens.
async fn closed_port() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/users/u1", listener.local_addr().unwrap());
    drop(listener);
    url
}

async fn client(failures: usize, refuse_connection: bool, policy: RetryPolicy) -> (Flaky, Client) {
    let flaky = Flaky {
        failures,
        refuse_connection,
        closed: closed_port().await,
        attempts: Arc::default(),
        times: Arc::default(),
    };
    let client = Client::builder()
        .api_key("dGVzdDp0ZXN0")
        .base_url("http://basiq.test")
        .retry_policy(policy)
        .transport(flaky.clone())
        .build()
        .unwrap();
    (flaky, client)
}

#[tokio::test]
async fn a_refused_connection_is_retried() {
    let (flaky, client) = client(1, true, RetryPolicy::new().base_delay(Duration::from_millis(1))).await;
    let user = client.get_user().user_id("u1").call().await.unwrap();
    assert_eq!(user.id, "u1");
    assert_eq!(flaky.attempts.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn max_retries_is_the_budget_for_connection_failures_and_statuses() {
    for (retries, refuse) in [(0, true), (2, true), (5, false)] {
        let policy = RetryPolicy::new().max_retries(retries).base_delay(Duration::from_millis(1));
        let (flaky, client) = client(usize::MAX, refuse, policy).await;
        let err = client.get_user().user_id("u1").call().await.unwrap_err();
        assert_eq!(flaky.attempts.load(Ordering::SeqCst), retries as usize + 1, "{retries} retries, refuse {refuse}");
        if refuse {
            assert!(matches!(&err, Error::Transport { .. }), "{err:?}");
            assert!(err.is_retryable(), "a connection never made is safe to retry");
        } else {
            assert_eq!(err.status(), Some(503));
        }
    }
}

#[tokio::test]
async fn a_write_is_not_retried_after_a_refused_connection_but_may_be_by_the_caller() {
    let (flaky, client) = client(usize::MAX, true, RetryPolicy::new().base_delay(Duration::from_millis(1))).await;
    let body: basiq::types::UserCreateRequest = serde_json::from_value(serde_json::json!({"email": "a@b.co"})).unwrap();
    let err = client.create_user().body(body).call().await.unwrap_err();
    assert_eq!(flaky.attempts.load(Ordering::SeqCst), 1);
    assert!(err.is_retryable(), "the connection was refused, so the user was not created: {err:?}");
}

#[tokio::test(start_paused = true)]
async fn retries_pause_between_attempts() {
    let policy =
        RetryPolicy::new().max_retries(3).base_delay(Duration::from_secs(10)).max_delay(Duration::from_secs(60));
    let (flaky, client) = client(3, false, policy).await;
    let client = client.with_deadline(None);
    client.get_user().user_id("u1").call().await.unwrap();
    let times = flaky.times.lock().unwrap().clone();
    assert_eq!(times.len(), 4);
    let paused: Duration = times.windows(2).map(|w| w[1] - w[0]).sum();
    assert!(paused > Duration::from_millis(10), "three jittered pauses of up to 10, 20 and 40 s took {paused:?}");
    assert!(paused <= Duration::from_secs(70), "{paused:?}");
}
