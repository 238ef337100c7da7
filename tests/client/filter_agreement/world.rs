//! The data the property test filters: a sandbox with two users, three connections, a webhook
//! with its messages and a report over both users.

use std::time::Duration;

use basiq::jobs::{CompletedJob, JobOutcome};
use basiq::{Call, Client, types};
use basiq_sandbox::Sandbox;
use serde_json::json;

/// The sandbox, its client and the ids the checks need.
pub(super) struct World {
    pub(super) _sandbox: Sandbox,
    pub(super) client: Client,
    pub(super) users: Vec<String>,
    pub(super) webhook: String,
    pub(super) report: String,
}

pub(super) async fn settle(client: &Client, job: &str) -> CompletedJob {
    let outcome = client
        .wait_for_job(job)
        .initial_interval(Duration::from_millis(5))
        .max_interval(Duration::from_millis(20))
        .deadline(Duration::from_secs(30))
        .await
        .unwrap();
    match outcome {
        JobOutcome::Succeeded(done) => done,
        other => panic!("job {job}: {other:?}"),
    }
}

pub(super) async fn world() -> World {
    let sandbox = Sandbox::builder().job_step_delay(Duration::from_millis(1)).start().await.unwrap();
    let client = Client::builder().api_key(sandbox.api_key()).base_url(sandbox.base_url()).build().unwrap();
    let hook: types::WebhookRequest = serde_json::from_value(json!({
        "name": "agreement",
        "url": "https://hooks.example.com/basiq",
        "subscribedEvents": ["user.created", "connection.created", "transactions.updated", "consent.created", "account.updated"],
    }))
    .unwrap();
    let webhook = client.add_webhook().body(hook).call().await.unwrap().id;
    let logins = [
        ("gavin@hooli.com", vec![("AU00000", "gavinBelson", "hooli2016"), ("AU00004", "Whistler", "ShowBox")]),
        ("jared@piedpiper.com", vec![("AU00000", "jared", "django")]),
    ];
    let mut users = Vec::new();
    let mut accounts = Vec::new();
    for (email, connections) in logins {
        let user = sandbox.create_user(email);
        for (institution, login, password) in connections {
            let outcome = sandbox.complete_consent(&user, institution, login, password).unwrap();
            settle(&client, &outcome.job_id).await;
        }
        let list = client.get_accounts().user_id(&user).call().await.unwrap();
        accounts.extend(list.data.into_iter().map(|a| a.id));
        users.push(user);
    }
    let report: types::ReportCreateRequest = serde_json::from_value(json!({
        "reportType": "CON_AFFOR_01",
        "title": "Filter agreement",
        "filters": [
            {"name": "fromDate", "value": "2000-01-01"},
            {"name": "toDate", "value": "2099-12-31"},
            {"name": "accounts", "value": accounts},
            {"name": "users", "value": users},
        ]
    }))
    .unwrap();
    let job = client.create_report().body(report).call().await.unwrap();
    let report = settle(&client, &job.id).await.report_id.expect("the report job links its report");
    World { _sandbox: sandbox, client, users, webhook, report }
}
