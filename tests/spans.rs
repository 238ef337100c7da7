//! The whole seed flow against the sandbox, traced at TRACE level (ours, reqwest's, hyper's, the
//! sandbox's): neither the API key nor any SERVER_ACCESS token the client received appears.
//! Its own test binary: it installs a tracing subscriber, and tracing caches which callsites are
//! enabled process-wide, which other tests running at the same time would disturb.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use basiq::consent::ConsentUrl;
use basiq::{Call, Client, types};
use basiq_sandbox::{Fault, FaultKind, Sandbox};
use support::recorder::Recorder;

#[path = "client/support/mod.rs"]
mod support;

/// Appends everything the subscriber writes to a shared buffer.
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
fn a_full_flow_traced_at_trace_level_leaks_no_key_and_no_server_token() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let recorder = Recorder::default();
    let key = runtime.block_on(async {
        let sandbox = Sandbox::builder()
            .job_step_delay(Duration::from_millis(10))
            .token_lifetime(Duration::from_secs(2))
            .start()
            .await
            .unwrap();
        let client = Client::builder()
            .api_key(sandbox.api_key())
            .base_url(sandbox.base_url())
            .transport(recorder.clone())
            .build()
            .unwrap();
        let body: types::UserCreateRequest =
            serde_json::from_value(serde_json::json!({"email": "g@hooli.com"})).unwrap();
        let user = client.create_user().body(body).call().await.unwrap();
        let client_token = client.client_token(&user.id).await.unwrap();
        let client_token_debug = format!("{client_token:?} {client_token}");
        let url = ConsentUrl::new(client_token).with_base(sandbox.consent_url_base()).build().unwrap();
        tracing::info!(?client, ?client_token_debug, consent_url_length = url.len(), "debug-printing secrets");
        let outcome = sandbox.complete_consent(&user.id, "AU00000", "gavinBelson", "hooli2016").unwrap();
        client.wait_for_job(&outcome.job_id).initial_interval(Duration::from_millis(20)).wait().await.unwrap();
        // A revoked token is replayed with a fresh one, a 503 is retried...
        sandbox.revoke_all_tokens();
        sandbox.inject(Fault::new("getAccounts", FaultKind::Unavailable, 1));
        client.get_accounts().user_id(&user.id).call().await.unwrap();
        // ...and the short-lived token expires, so the flow also refreshes it.
        tokio::time::sleep(Duration::from_millis(2100)).await;
        let accounts = client.get_accounts().user_id(&user.id).call().await.unwrap();
        assert!(!accounts.data.is_empty());
        sandbox.api_key().to_owned()
    });
    let text = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    let tokens = recorder.access_tokens();
    assert!(tokens.len() >= 4, "server, client, replacement and refreshed tokens: {}", tokens.len());
    assert!(text.contains("TRACE") && text.contains("basiq.call"), "the flow was traced");
    assert!(text.contains("get_accounts") && text.contains("attempts=2"), "the retried call was traced");
    assert!(!text.contains(&key), "the API key leaked into the trace");
    for token in &tokens {
        assert!(!text.contains(token.as_str()), "an access token leaked into the trace");
    }
}
