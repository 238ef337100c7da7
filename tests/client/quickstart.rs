//! The README's quickstart, run as a test: the example's own code, offline against the sandbox.

use crate::quickstart_example as quickstart;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_quickstart_runs_offline_and_lists_the_accounts() {
    let accounts = quickstart::run_offline(quickstart::Options::default()).await.unwrap();
    assert!(!accounts.is_empty(), "gavinBelson at Hooli has accounts");
    assert!(accounts.iter().all(|a| a.name.is_some() && a.balance.is_some()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_quickstart_fails_with_a_one_line_reason_on_a_bad_key() {
    let sandbox = basiq_sandbox::Sandbox::start().await.unwrap();
    let client = basiq::Client::builder().api_key("d3Jvbmc6a2V5").base_url(sandbox.base_url()).build().unwrap();
    let options = quickstart::Options::default();
    let reason = quickstart::run(&client, &options, quickstart::Consent::Sandbox(&sandbox)).await.unwrap_err();
    assert!(reason.contains("API key was not accepted"), "{reason}");
    assert!(!reason.contains('\n'));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_online_path_finds_the_job_a_person_started_through_the_consent_ui() {
    use basiq::Call;
    let sandbox =
        basiq_sandbox::Sandbox::builder().job_step_delay(std::time::Duration::from_millis(20)).start().await.unwrap();
    let client = basiq::Client::builder().api_key(sandbox.api_key()).base_url(sandbox.base_url()).build().unwrap();
    // The "person": once the quickstart has created its user, they consent in the browser.
    let watcher = client.clone();
    let person = async {
        loop {
            let events = watcher.get_events().call().await.unwrap();
            let created = events.data.iter().find(|e| e.entity.as_deref() == Some("user"));
            if let Some(user) = created.and_then(|e| e.user_id.clone()) {
                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                return sandbox.complete_consent(&user, "AU00000", "jared", "django").unwrap();
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    };
    let options = quickstart::Options { email: Some("person@example.com".into()), ..Default::default() };
    let (accounts, consent) = tokio::join!(quickstart::run(&client, &options, quickstart::Consent::Person), person);
    let accounts = accounts.unwrap();
    assert!(!accounts.is_empty());
    assert!(accounts.iter().all(|a| a.connection.is_some()), "{accounts:?} {consent:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_id_goes_with_its_user_and_lists_that_users_accounts() {
    use basiq::Call;
    let sandbox =
        basiq_sandbox::Sandbox::builder().job_step_delay(std::time::Duration::from_millis(20)).start().await.unwrap();
    let client = basiq::Client::builder().api_key(sandbox.api_key()).base_url(sandbox.base_url()).build().unwrap();
    let user = sandbox.create_user("existing@example.com");
    let job = sandbox.complete_consent(&user, "AU00000", "gavinBelson", "hooli2016").unwrap().job_id;

    let alone = quickstart::Options { job_id: Some(job.clone()), ..Default::default() };
    let refused = quickstart::run(&client, &alone, quickstart::Consent::Sandbox(&sandbox)).await.unwrap_err();
    assert!(refused.contains("--user-id"), "{refused}");

    let options = quickstart::Options { user_id: Some(user.clone()), job_id: Some(job), ..Default::default() };
    let accounts = quickstart::run(&client, &options, quickstart::Consent::Sandbox(&sandbox)).await.unwrap();
    let listed = client.get_accounts().user_id(&user).call().await.unwrap().data;
    assert!(!accounts.is_empty(), "the existing user's accounts are listed");
    assert_eq!(accounts.len(), listed.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_runs_need_an_email_instead_of_inventing_one() {
    let sandbox = basiq_sandbox::Sandbox::start().await.unwrap();
    let client = basiq::Client::builder().api_key(sandbox.api_key()).base_url(sandbox.base_url()).build().unwrap();
    let reason =
        quickstart::run(&client, &quickstart::Options::default(), quickstart::Consent::Person).await.unwrap_err();
    assert!(reason.contains("--email"), "{reason}");
    assert_eq!(sandbox.token_requests(), 0, "refused before any request");
    assert!(quickstart::Options { user_id: Some("u".into()), ..Default::default() }.check(true).is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_online_path_keeps_waiting_while_the_person_answers_mfa() {
    use basiq::Call;
    let sandbox =
        basiq_sandbox::Sandbox::builder().job_step_delay(std::time::Duration::from_millis(20)).start().await.unwrap();
    let client = basiq::Client::builder().api_key(sandbox.api_key()).base_url(sandbox.base_url()).build().unwrap();
    let watcher = client.clone();
    // The "person" connects Pied Piper (MFA always) and, a little later, answers the code as the
    // consent page would.
    let person = async {
        let user = loop {
            let events = watcher.get_events().call().await.unwrap();
            if let Some(id) =
                events.data.iter().find(|e| e.entity.as_deref() == Some("user")).and_then(|e| e.user_id.clone())
            {
                break id;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let outcome = sandbox.complete_consent(&user, "AU00002", "jared", "django").unwrap();
        loop {
            let job = serde_json::to_value(watcher.get_jobs().job_id(&outcome.job_id).call().await.unwrap()).unwrap();
            if job["steps"][1]["status"] == "in-progress" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        watcher.answer_mfa(&outcome.job_id, vec!["1234".into()]).await.unwrap();
    };
    let options = quickstart::Options { email: Some("jared@example.com".into()), ..Default::default() };
    let (accounts, ()) = tokio::join!(quickstart::run(&client, &options, quickstart::Consent::Person), person);
    let accounts = accounts.expect("the quickstart waited through MFA");
    assert_eq!(accounts.len(), 4, "jared's accounts");
}
