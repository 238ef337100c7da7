//! Fidelity: one workflow (user → consent → connection job → connections, accounts, transactions
//! → clean-up), every answer checked against our spec's schema for its operation, run against the
//! embedded sandbox always, and against a real Basiq server when `BASIQ_API_KEY` is set AND
//! `BASIQ_FIDELITY=1` opts in (never in CI: there is no network there). Against Basiq the
//! connection needs a person: with `BASIQ_FIDELITY_CONSENT=wait` the test prints the consent link
//! and waits up to ten minutes for them to connect (Hooli, `gavinBelson` / `hooli2016`); otherwise
//! the steps that need a connection are left out. The test prints what it found per operation, so
//! a maintainer sees where the sandbox and Basiq differ. See CONTRIBUTING.md.

use std::io::Write;
use std::time::Duration;

use basiq::consent::ConsentUrl;
use basiq::jobs::{JobOutcome, MfaChallenge};
use basiq::{Call, Client, OPERATIONS};
use basiq_sandbox::Sandbox;
use serde_json::Value;

use crate::spec_schema::Spec;
use crate::support::recorder::Recorder;
use crate::support::spec::match_template;

/// Opt-in variable for running against the server named by `BASIQ_BASE_URL` (default Basiq's).
const ENV_FIDELITY: &str = "BASIQ_FIDELITY";
/// `wait`: print the consent link and wait for a person to connect.
const ENV_FIDELITY_CONSENT: &str = "BASIQ_FIDELITY_CONSENT";

/// How the workflow gets its connection.
enum Connect<'a> {
    /// The embedded sandbox completes consent for the user.
    Sandbox(&'a Sandbox),
    /// A person connects through the printed consent link.
    Person,
    /// No connection: the steps that need one are left out.
    Skip,
}

/// The operation a request was for (the template with the most literal segments wins).
fn operation(method: &str, path: &str) -> Option<&'static str> {
    OPERATIONS
        .iter()
        .filter(|op| op.method == method && match_template(op.path, path).is_some())
        .max_by_key(|op| op.path.split('/').filter(|s| !s.starts_with('{')).count())
        .map(|op| op.operation_id)
}

/// Run the workflow; returns the problems found (schema mismatches, unexpected outcomes).
async fn workflow(client: &Client, recorder: &Recorder, connect: Connect<'_>) -> Vec<String> {
    let mut problems = Vec::new();
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let request: basiq::types::UserCreateRequest = serde_json::from_value(serde_json::json!({
        "email": format!("fidelity+{stamp}@example.com"), "mobile": "+61410888999", "firstName": "Fidelity"
    }))
    .unwrap();
    let user = client.create_user().body(request).call().await.expect("create a user");
    let u = user.id.as_str();
    client.get_user().user_id(u).call().await.expect("read the user back");
    let token = client.client_token(u).await.expect("a CLIENT_ACCESS token");
    let url = ConsentUrl::new(token).with_base(client.consent_page().await).state("fidelity").build().unwrap();

    let job_id = match connect {
        Connect::Sandbox(sandbox) => {
            Some(sandbox.complete_consent(u, "AU00000", "gavinBelson", "hooli2016").unwrap().job_id)
        }
        Connect::Person => {
            let _ = writeln!(std::io::stderr(), "fidelity: connect Hooli as gavinBelson / hooli2016 at\n  {url}");
            let wait = client.wait_for_new_connection_job(u, Vec::<String>::new()).deadline(Duration::from_secs(600));
            Some(wait.wait().await.expect("a person connected within ten minutes"))
        }
        Connect::Skip => None,
    };
    if let Some(job_id) = job_id {
        let mut answered: Option<MfaChallenge> = None;
        for _ in 0..5 {
            let mut wait = client.wait_for_job(&job_id).initial_interval(Duration::from_millis(100));
            if let Some(c) = &answered {
                wait = wait.answered(c);
            }
            match wait.wait().await {
                Ok(JobOutcome::MfaRequired(c)) => answered = Some(c),
                Ok(_) => break,
                Err(e) => {
                    problems.push(format!("the connection job failed: {e}"));
                    break;
                }
            }
        }
        client.get_user_jobs().user_id(u).call().await.expect("the user's jobs");
        let connections = client.get_connections().user_id(u).call().await.expect("connections");
        if let Some(c) = connections.data.first() {
            client.get_connection().user_id(u).connection_id(&c.id).call().await.expect("one connection");
        }
        let accounts = client.get_accounts().user_id(u).call().await.expect("accounts");
        match accounts.data.first() {
            Some(a) => {
                client.get_account().user_id(u).account_id(&a.id).call().await.expect("one account");
            }
            None => problems.push("the connection yielded no accounts".to_owned()),
        }
        client.get_transactions().user_id(u).limit(5).call().await.expect("transactions");
        client.get_consents().user_id(u).call().await.expect("consents");
    }
    client.get_connectors().call().await.expect("connectors");
    client.list_event_types().call().await.expect("event types");
    client.delete_user().user_id(u).call().await.expect("delete the user");

    let spec = Spec::load();
    let successes = spec.successes();
    for exchange in recorder.exchanges() {
        let Some(op) = operation(&exchange.method, &exchange.path) else { continue };
        let success = &successes[op];
        if !success.statuses.contains(&exchange.status) {
            continue;
        }
        if let Some(schema) = &success.schema {
            let value: Value = serde_json::from_slice(&exchange.body).unwrap_or(Value::Null);
            problems.extend(spec.validate(schema, &value).into_iter().map(|p| format!("{op} ({schema}): {p}")));
        }
        println!("fidelity: {op} {} {}", exchange.method, exchange.status);
    }
    problems
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workflow_matches_the_spec_against_the_sandbox() {
    let sandbox = Sandbox::builder().job_step_delay(Duration::from_millis(5)).start().await.unwrap();
    let recorder = Recorder::default();
    let client = recorder.client_for(&sandbox);
    let problems = workflow(&client, &recorder, Connect::Sandbox(&sandbox)).await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(recorder.exchanges().iter().any(|e| e.path.ends_with("/accounts") && e.status == 200));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workflow_matches_the_spec_against_a_real_basiq_when_opted_in() {
    let opted_in = std::env::var(ENV_FIDELITY).is_ok_and(|v| v == "1");
    let has_key = std::env::var(basiq::ENV_API_KEY).is_ok_and(|k| !k.trim().is_empty());
    if !(opted_in && has_key) {
        let _ = writeln!(
            std::io::stderr(),
            "skipped fidelity run against Basiq: set {} and {ENV_FIDELITY}=1 to run it",
            basiq::ENV_API_KEY
        );
        return;
    }
    let recorder = Recorder::default();
    let mut builder =
        Client::builder().api_key(std::env::var(basiq::ENV_API_KEY).unwrap_or_default()).transport(recorder.clone());
    if let Some(url) = std::env::var(basiq::ENV_BASE_URL).ok().filter(|u| !u.trim().is_empty()) {
        builder = builder.base_url(url);
    }
    let client = builder.build().unwrap();
    let connect =
        if std::env::var(ENV_FIDELITY_CONSENT).is_ok_and(|v| v == "wait") { Connect::Person } else { Connect::Skip };
    let problems = workflow(&client, &recorder, connect).await;
    assert!(problems.is_empty(), "where Basiq differs from our spec:\n{}", problems.join("\n"));
}
