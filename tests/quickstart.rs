//! The README's quickstart, run as a test: the example's own code, offline against the sandbox.

#[path = "../examples/quickstart.rs"]
#[allow(dead_code)]
mod quickstart;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_quickstart_runs_offline_and_lists_the_accounts() {
    let accounts = quickstart::run_offline(quickstart::Options::default()).await.unwrap();
    assert!(!accounts.is_empty(), "gavinBelson at Hooli has accounts");
    assert!(accounts.iter().all(|a| a.name.is_some() && a.balance.is_some()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_quickstart_fails_with_a_one_line_reason_on_a_bad_key() {
    let sandbox = basiq::sandbox::Sandbox::start().await.unwrap();
    let client = basiq::Client::builder().api_key("d3Jvbmc6a2V5").base_url(sandbox.base_url()).build().unwrap();
    let options = quickstart::Options::default();
    let reason = quickstart::run(&client, &options, quickstart::Consent::Sandbox(&sandbox)).await.unwrap_err();
    assert!(reason.contains("API key was not accepted"), "{reason}");
    assert!(!reason.contains('\n'));
}
