//! Waiting for jobs against a scripted server on 127.0.0.1: success, a failure at each step,
//! MFA, deadlines, unknown steps, cancellation and discovery of a new connection job.

use crate::scripted;

use std::future::IntoFuture;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::Method;
use basiq::jobs::JobOutcome;
use basiq::open::JobStepTitle;
use basiq::{Client, Error};
use scripted::Scripted;
use serde_json::{Value, json};

fn step(title: &str, status: &str, result: Value) -> Value {
    json!({"title": title, "status": status, "result": result})
}

fn job(id: &str, steps: Vec<Value>) -> (u16, Value) {
    (
        200,
        json!({"type": "job", "id": id, "jobType": "connection", "created": "2024-09-25T04:15:59Z", "steps": steps,
               "links": {"self": format!("https://au-api.basiq.io/jobs/{id}")}}),
    )
}

fn link(url: &str) -> Value {
    json!({"type": "link", "url": url})
}

/// A connection job whose three steps have all succeeded.
fn finished(id: &str) -> (u16, Value) {
    job(
        id,
        vec![
            step("verify-credentials", "success", link("/users/u1/connections/c-42")),
            step("retrieve-accounts", "success", link("/users/u1/accounts?filter=institution.id.eq('AU00000')")),
            step(
                "retrieve-transactions",
                "success",
                link("/users/u1/transactions?filter=institution.id.eq('AU00000')"),
            ),
        ],
    )
}

fn quick<'a>(wait: basiq::jobs::JobWait<'a>) -> basiq::jobs::JobWait<'a> {
    wait.initial_interval(Duration::from_millis(5))
        .max_interval(Duration::from_millis(20))
        .deadline(Duration::from_secs(10))
}

#[tokio::test]
async fn a_job_that_succeeds_yields_its_connection_id_and_reports_each_step() {
    let server = Scripted::api(|_, n| match n {
        0 => job(
            "j1",
            vec![
                step("verify-credentials", "in-progress", Value::Null),
                step("retrieve-accounts", "pending", Value::Null),
                step("retrieve-transactions", "pending", Value::Null),
            ],
        ),
        1 => job(
            "j1",
            vec![
                step("verify-credentials", "success", link("/users/u1/connections/c-42")),
                step("retrieve-accounts", "in-progress", Value::Null),
                step("retrieve-transactions", "pending", Value::Null),
            ],
        ),
        _ => finished("j1"),
    })
    .await;
    let client = server.client();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let outcome = quick(client.wait_for_job("j1"))
        .on_progress(move |p| log.lock().unwrap().push((p.step.clone(), p.done, p.total)))
        .await
        .unwrap();
    let JobOutcome::Succeeded(done) = outcome else { panic!("expected success, got {outcome:?}") };
    assert_eq!(done.connection_id.as_deref(), Some("c-42"));
    assert_eq!(done.report_id, None);
    assert_eq!(done.job.id, "j1");
    assert_eq!(
        *seen.lock().unwrap(),
        vec![(Some(JobStepTitle::VerifyCredentials), 0, 3), (Some(JobStepTitle::RetrieveAccounts), 1, 3)]
    );
    assert_eq!(server.count(Method::GET, "/jobs/j1"), 3);
}

#[tokio::test]
async fn a_failure_at_each_step_names_the_step_and_basiqs_reason() {
    let titles = ["verify-credentials", "retrieve-accounts", "retrieve-transactions"];
    let server = Scripted::api(move |seen, _| {
        let failing = seen.path.trim_start_matches("/jobs/fail-").parse::<usize>().unwrap();
        let steps = titles
            .iter()
            .enumerate()
            .map(|(i, title)| match i.cmp(&failing) {
                std::cmp::Ordering::Less => step(title, "success", link("/users/u1/connections/c-1")),
                std::cmp::Ordering::Equal => step(
                    title,
                    "failed",
                    json!({"type": "error", "code": format!("code-{i}"), "title": format!("Title {i}"), "detail": format!("Detail {i}")}),
                ),
                std::cmp::Ordering::Greater => step(title, "pending", Value::Null),
            })
            .collect();
        job(&format!("fail-{failing}"), steps)
    })
    .await;
    let client = server.client();
    for (i, title) in titles.iter().enumerate() {
        let id = format!("fail-{i}");
        let error = quick(client.wait_for_job(&id)).await.unwrap_err();
        let Error::JobFailed(failure) = &error else { panic!("expected JobFailed, got {error:?}") };
        assert_eq!(failure.job_id, id);
        assert_eq!(failure.step, *title);
        assert_eq!(failure.code.as_deref(), Some(format!("code-{i}").as_str()));
        assert_eq!(failure.title.as_deref(), Some(format!("Title {i}").as_str()));
        assert_eq!(failure.detail.as_deref(), Some(format!("Detail {i}").as_str()));
        assert_eq!(error.codes(), vec![format!("code-{i}")]);
        assert!(error.to_string().contains(title), "{error}");
    }
}

#[tokio::test]
async fn an_mfa_challenge_is_reported_answered_and_then_the_job_succeeds() {
    let answered_at = Arc::new(AtomicUsize::new(usize::MAX));
    let polls = Arc::new(AtomicUsize::new(0));
    let (answered, polled) = (answered_at.clone(), polls.clone());
    let server = Scripted::api(move |seen, _| {
        if seen.method == Method::POST {
            answered.store(polled.load(Ordering::SeqCst), Ordering::SeqCst);
            return (202, json!({"type": "job", "id": "j-mfa", "links": {"self": "/jobs/j-mfa"}}));
        }
        let poll = polled.fetch_add(1, Ordering::SeqCst);
        // Basiq keeps showing the answered prompt for one more poll before moving on.
        if poll <= answered.load(Ordering::SeqCst) {
            let prompt = json!({"type": "mfa", "method": "token", "description": "Enter the code sent to your phone",
                                "input": ["One-time code"], "expiryMs": 120000 - poll * 1000,
                                "links": {"response": "https://au-api.basiq.io/jobs/j-mfa/mfa"}});
            return job(
                "j-mfa",
                vec![
                    step("verify-credentials", "success", link("/users/u1/connections/c-7")),
                    step("mfa-challenge", "in-progress", prompt),
                    step("retrieve-accounts", "pending", Value::Null),
                    step("retrieve-transactions", "pending", Value::Null),
                ],
            );
        }
        finished("j-mfa")
    })
    .await;
    let client = server.client();

    let JobOutcome::MfaRequired(challenge) = quick(client.wait_for_job("j-mfa")).await.unwrap() else {
        panic!("expected an MFA challenge")
    };
    assert_eq!(challenge.job_id, "j-mfa");
    assert_eq!(challenge.method.as_deref(), Some("token"));
    assert_eq!(challenge.description.as_deref(), Some("Enter the code sent to your phone"));
    assert_eq!(challenge.prompts, ["One-time code"]);
    assert_eq!(challenge.expiry_ms, Some(120000));

    let reference = client.answer_mfa("j-mfa", vec!["1234".into()]).await.unwrap();
    assert_eq!(reference.id, "j-mfa");
    let posts = server.requests("/jobs/j-mfa/mfa");
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].method, Method::POST);
    assert_eq!(posts[0].body, r#"{"mfa-response":["1234"]}"#);

    let outcome = quick(client.wait_for_job("j-mfa")).answered(&challenge).await.unwrap();
    let JobOutcome::Succeeded(done) = outcome else { panic!("expected success, got {outcome:?}") };
    assert_eq!(done.connection_id.as_deref(), Some("c-42"));
    assert_eq!(polls.load(Ordering::SeqCst), 3, "one poll before answering, the lingering prompt, then success");
}

#[tokio::test]
async fn answering_without_answers_is_refused_before_any_request() {
    let server = Scripted::api(|_, _| (500, json!({}))).await;
    let error = server.client().answer_mfa("j", Vec::new()).await.unwrap_err();
    assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
    assert_eq!(server.count(Method::POST, "/jobs/j/mfa"), 0);
}

#[tokio::test]
async fn a_job_that_never_finishes_hits_the_deadline_naming_the_running_step() {
    let server = Scripted::api(|_, _| {
        job(
            "slow",
            vec![
                step("verify-credentials", "success", link("/users/u1/connections/c-1")),
                step("retrieve-accounts", "in-progress", Value::Null),
                step("retrieve-transactions", "pending", Value::Null),
            ],
        )
    })
    .await;
    let client = server.client();
    let started = std::time::Instant::now();
    let error = client
        .wait_for_job("slow")
        .deadline(Duration::from_millis(300))
        .initial_interval(Duration::from_millis(10))
        .max_interval(Duration::from_millis(20))
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    let Error::JobDeadline { job_id, waited, step } = &error else { panic!("expected JobDeadline, got {error:?}") };
    assert_eq!(job_id, "slow");
    assert_eq!(step.as_deref(), Some("retrieve-accounts"));
    assert!(*waited >= Duration::from_millis(300) && elapsed < Duration::from_secs(3), "{waited:?} {elapsed:?}");
    assert!(server.count(Method::GET, "/jobs/slow") >= 5, "polled only {}", server.count(Method::GET, "/jobs/slow"));
    assert!(error.to_string().contains("retrieve-accounts"), "{error}");
}

#[tokio::test]
async fn unknown_step_titles_are_tolerated_and_reported() {
    let server = Scripted::api(|_, n| {
        let weather = if n == 0 { "in-progress" } else { "success" };
        job(
            "odd",
            vec![
                step("verify-credentials", "success", link("/users/u1/connections/c-9")),
                step("check-the-weather", weather, json!({"type": "forecast", "sunny": true})),
                step("retrieve-accounts", if n == 0 { "pending" } else { "success" }, Value::Null),
            ],
        )
    })
    .await;
    let client = server.client();
    let steps = Arc::new(Mutex::new(Vec::new()));
    let log = steps.clone();
    let outcome =
        quick(client.wait_for_job("odd")).on_progress(move |p| log.lock().unwrap().push(p.step.clone())).await;
    let Ok(JobOutcome::Succeeded(done)) = outcome else { panic!("expected success, got {outcome:?}") };
    assert_eq!(done.connection_id.as_deref(), Some("c-9"));
    assert_eq!(*steps.lock().unwrap(), vec![Some(JobStepTitle::Unknown("check-the-weather".into()))]);
}

#[tokio::test]
async fn an_api_error_while_polling_is_returned_at_once() {
    let server = Scripted::api(|_, _| {
        (
            404,
            json!({"type": "list", "correlationId": "c1", "data": [{"type": "error", "code": "resource-not-found",
                     "title": "Resource not found", "detail": "Job not found"}]}),
        )
    })
    .await;
    let error = quick(server.client().wait_for_job("missing")).await.unwrap_err();
    assert_eq!(error.status(), Some(404), "{error:?}");
    assert_eq!(server.count(Method::GET, "/jobs/missing"), 1);
}

#[tokio::test]
async fn dropping_the_wait_stops_polling() {
    let server =
        Scripted::api(|_, _| job("forever", vec![step("verify-credentials", "in-progress", Value::Null)])).await;
    let client = server.client();
    let mut wait = quick(client.wait_for_job("forever")).deadline(Duration::from_secs(60)).into_future();
    let give_up = std::time::Instant::now() + Duration::from_secs(10);
    while server.count(Method::GET, "/jobs/forever") < 2 && std::time::Instant::now() < give_up {
        assert!(tokio::time::timeout(Duration::from_millis(20), &mut wait).await.is_err(), "the job never finishes");
    }
    drop(wait);
    // A request already on the wire when the wait was dropped may still arrive; let it land.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let polled = server.count(Method::GET, "/jobs/forever");
    assert!(polled >= 2, "{polled}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(server.count(Method::GET, "/jobs/forever"), polled, "polling went on after the wait was dropped");
}

#[tokio::test]
async fn a_new_connection_job_is_found_among_the_users_jobs() {
    let server = Scripted::api(|_, n| {
        let known = json!({"id": "old", "jobType": "connection", "created": "2024-09-25T04:00:00Z"});
        let data = match n {
            0 => vec![known],
            _ => vec![
                json!({"id": "report", "jobType": "report", "created": "2024-09-25T06:00:00Z"}),
                json!({"id": "new", "created": "2024-09-25T05:00:00Z",
                       "steps": [{"title": "verify-credentials", "status": "in-progress", "result": null}]}),
                known,
            ],
        };
        (200, json!({"type": "list", "size": data.len(), "data": data}))
    })
    .await;
    let client = server.client();
    let id = client
        .wait_for_new_connection_job("u1", ["old"])
        .initial_interval(Duration::from_millis(5))
        .deadline(Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(id, "new");
    assert_eq!(server.count(Method::GET, "/users/u1/jobs"), 2);
}

#[tokio::test]
async fn waiting_for_a_new_connection_job_has_a_deadline() {
    let server =
        Scripted::api(|_, _| (200, json!({"type": "list", "data": [{"id": "old", "jobType": "connection"}]}))).await;
    let client = server.client();
    let error = client
        .wait_for_new_connection_job("u1", vec!["old".to_owned()])
        .initial_interval(Duration::from_millis(10))
        .deadline(Duration::from_millis(200))
        .await
        .unwrap_err();
    let Error::JobDeadline { waited, .. } = error else { panic!("expected JobDeadline, got {error:?}") };
    assert!(waited >= Duration::from_millis(200));
    assert!(server.count(Method::GET, "/users/u1/jobs") >= 2);
}

/// Answers in memory (no sockets), so the clock can be paused: every job poll sees `in-progress`.
#[derive(Debug, Clone)]
struct NeverDone {
    start: tokio::time::Instant,
    polls: Arc<Mutex<Vec<Duration>>>,
}

impl basiq::transport::Transport for NeverDone {
    fn send(&self, request: reqwest::Request) -> basiq::transport::TransportFuture {
        let body = if request.url().path() == "/token" {
            scripted::token("t").1
        } else {
            self.polls.lock().unwrap().push(self.start.elapsed());
            job("paused", vec![step("verify-credentials", "in-progress", Value::Null)]).1
        };
        let response =
            http::Response::builder().status(200).header("content-type", "application/json").body(body.to_string());
        Box::pin(async move { Ok(reqwest::Response::from(response.unwrap())) })
    }
}

#[tokio::test(start_paused = true)]
async fn by_default_polls_back_off_from_one_second_to_ten_and_give_up_after_five_minutes() {
    let transport = NeverDone { start: tokio::time::Instant::now(), polls: Arc::default() };
    let polls = transport.polls.clone();
    let client = Client::builder()
        .api_key(scripted::API_KEY)
        .base_url("http://basiq.test")
        .transport(transport)
        .build()
        .unwrap();
    let error = client.wait_for_job("paused").await.unwrap_err();
    let Error::JobDeadline { waited, step, .. } = error else { panic!("expected JobDeadline, got {error:?}") };
    assert_eq!(waited, Duration::from_secs(300));
    assert_eq!(step.as_deref(), Some("verify-credentials"));
    let polls = polls.lock().unwrap().clone();
    // 1 s, growing ×1.5 per poll, capped at 10 s (tokio's timer rounds each sleep up to a millisecond).
    let expected = [0.0, 1.0, 2.5, 4.75, 8.125, 13.1875, 20.78125, 30.78125];
    for (seen, expected) in polls.iter().zip(expected) {
        assert!((seen.as_secs_f64() - expected).abs() < 0.003, "{polls:?}");
    }
    assert!(polls.windows(2).all(|w| w[1] - w[0] <= Duration::from_secs(10)));
    assert_eq!(polls.len(), 34, "{polls:?}");
}

/// A job showing the same token prompt as long as `prompt_at(poll)` gives an expiry, else a
/// verify step still running; `POST /jobs/j-mfa/mfa` is accepted.
async fn repeating_prompt(prompt_at: fn(usize) -> Option<i64>) -> Scripted {
    let polls = Arc::new(AtomicUsize::new(0));
    Scripted::api(move |seen, _| {
        if seen.method == Method::POST {
            return (202, json!({"type": "job", "id": "j-mfa", "links": {"self": "/jobs/j-mfa"}}));
        }
        let poll = polls.fetch_add(1, Ordering::SeqCst);
        let mfa = match prompt_at(poll) {
            Some(expiry) => step(
                "mfa-challenge",
                "in-progress",
                json!({"type": "mfa", "method": "token", "input": ["One-time code"], "expiryMs": expiry}),
            ),
            None => step("mfa-challenge", "in-progress", Value::Null),
        };
        job("j-mfa", vec![step("verify-credentials", "success", Value::Null), mfa])
    })
    .await
}

#[tokio::test]
async fn the_same_prompt_asked_again_after_a_wrong_answer_is_reported() {
    // Poll 0 asks; poll 1 still shows the answered prompt; poll 2 checks the answer; poll 3 asks again.
    for (name, script) in [
        (
            "after a gap",
            (|poll| match poll {
                0 => Some(120_000),
                1 => Some(119_000),
                2 => None,
                _ => Some(120_000),
            }) as fn(usize) -> Option<i64>,
        ),
        ("with a fresh expiry", |poll| match poll {
            0 => Some(120_000),
            1 => Some(119_000),
            _ => Some(120_000),
        }),
    ] {
        let server = repeating_prompt(script).await;
        let client = server.client();
        let JobOutcome::MfaRequired(first) = quick(client.wait_for_job("j-mfa")).await.unwrap() else {
            panic!("{name}: expected MFA")
        };
        client.answer_mfa("j-mfa", vec!["wrong".into()]).await.unwrap();
        let again = quick(client.wait_for_job("j-mfa")).answered(&first).deadline(Duration::from_secs(3)).await;
        match again {
            Ok(JobOutcome::MfaRequired(second)) => assert_eq!(second.prompts, ["One-time code"], "{name}"),
            other => panic!("{name}: the repeated prompt was not reported: {other:?}"),
        }
    }
}

#[tokio::test]
async fn new_job_discovery_reads_every_page_and_compares_times_as_times() {
    let server = Scripted::api(|seen, _| {
        let connection = |id: &str, created: &str| json!({"id": id, "jobType": "connection", "created": created});
        if seen.query.contains("page=2") {
            // 05:00 UTC: the newest job, on the second page.
            return (200, json!({"type": "list", "data": [connection("later", "2024-09-25T05:00:00Z")]}));
        }
        // 14:00+10:00 is 04:00 UTC, although as text it sorts after "2024-09-25T05...".
        let data = vec![connection("old", "2024-09-25T01:00:00Z"), connection("earlier", "2024-09-25T14:00:00+10:00")];
        let next = format!("{}/users/u1/jobs?page=2", seen.origin());
        (200, json!({"type": "list", "data": data, "links": {"self": "x", "next": next}}))
    })
    .await;
    let client = server.client();
    let id = client
        .wait_for_new_connection_job("u1", ["old"])
        .initial_interval(Duration::from_millis(5))
        .deadline(Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(id, "later");
    assert_eq!(server.count(Method::GET, "/users/u1/jobs"), 2);
}

#[tokio::test]
async fn extreme_deadlines_and_intervals_saturate_instead_of_panicking() {
    let server = Scripted::api(|seen, _| {
        if seen.path == "/jobs/done" {
            finished("done")
        } else {
            job("running", vec![step("verify-credentials", "in-progress", Value::Null)])
        }
    })
    .await;
    let client = server.client();
    let outcome = client.wait_for_job("done").deadline(Duration::MAX).await.unwrap();
    assert!(matches!(outcome, JobOutcome::Succeeded(_)));
    let stuck = client
        .wait_for_job("running")
        .deadline(Duration::from_millis(100))
        .initial_interval(Duration::MAX)
        .max_interval(Duration::MAX)
        .backoff(f64::MAX)
        .await;
    assert!(matches!(stuck, Err(Error::JobDeadline { .. })), "{stuck:?}");
    let stuck = client
        .wait_for_job("running")
        .deadline(Duration::from_millis(100))
        .initial_interval(Duration::from_secs(u64::MAX / 2))
        .max_interval(Duration::MAX)
        .backoff(1e300)
        .await;
    assert!(matches!(stuck, Err(Error::JobDeadline { .. })), "{stuck:?}");
}

// ---- payment jobs: their own three steps, no connection steps anywhere -----------------------

/// A payment job as Basiq shows it: the three payment steps, each linking to the payout.
fn payment_job(id: &str, statuses: [&str; 3]) -> (u16, Value) {
    let titles = ["validate-payment", "external-processing", "payment-completed"];
    let payout = format!("/payments/payouts/{id}");
    let steps = titles.iter().zip(statuses).map(|(t, s)| step(t, s, link(&payout))).collect::<Vec<_>>();
    (
        200,
        json!({"type": "job", "id": id, "created": "2026-05-04T01:00:00Z", "steps": steps,
               "links": {"self": format!("/jobs/{id}"), "source": payout}}),
    )
}

#[tokio::test]
async fn a_payment_job_is_waited_for_through_its_own_steps_and_names_its_payout() {
    let server = Scripted::api(|_, n| match n {
        0 => payment_job("p1", ["in-progress", "pending", "pending"]),
        1 => payment_job("p1", ["success", "in-progress", "pending"]),
        2 => payment_job("p1", ["success", "success", "in-progress"]),
        _ => payment_job("p1", ["success", "success", "success"]),
    })
    .await;
    let client = server.client();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let outcome = quick(client.wait_for_job("p1"))
        .on_progress(move |p| log.lock().unwrap().push((p.step.clone(), p.done, p.total)))
        .await
        .unwrap();
    let JobOutcome::Succeeded(done) = outcome else { panic!("expected success, got {outcome:?}") };
    assert_eq!(done.payout_id.as_deref(), Some("p1"));
    assert_eq!((done.connection_id, done.payrequest_id, done.report_id), (None, None, None));
    assert_eq!(
        *seen.lock().unwrap(),
        vec![
            (Some(JobStepTitle::ValidatePayment), 0, 3),
            (Some(JobStepTitle::ExternalProcessing), 1, 3),
            (Some(JobStepTitle::PaymentCompleted), 2, 3),
        ]
    );
    assert_eq!(server.count(Method::GET, "/jobs/p1"), 4);
}

#[tokio::test]
async fn a_payment_failing_at_external_processing_names_that_step() {
    let server = Scripted::api(|_, _| payment_job("p2", ["success", "failed", "pending"])).await;
    let client = server.client();
    match quick(client.wait_for_job("p2")).await {
        Err(Error::JobFailed(failure)) => {
            assert_eq!((failure.job_id.as_str(), failure.step.as_str()), ("p2", "external-processing"));
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn a_step_result_reads_its_input_as_a_list_or_as_one_text() {
    let parsed = |result: Value| {
        let step: basiq::types::JobStep =
            serde_json::from_value(step("verify-credentials", "in-progress", result)).unwrap();
        step.parsed_result().expect("an object result parses")
    };
    let one = parsed(json!({"type": "mfa", "input": "Enter the code we sent", "expiryMs": "120000"}));
    assert_eq!(one.input, Some(vec!["Enter the code we sent".to_owned()]));
    assert_eq!(one.expiry_ms, Some(120_000));
    let many = parsed(json!([{"type": "mfa", "input": ["Code", 7, "Answer"], "details": "two prompts"}]));
    assert_eq!(many.input, Some(vec!["Code".to_owned(), "Answer".to_owned()]));
    assert_eq!(many.detail.as_deref(), Some("two prompts"));
    assert_eq!(parsed(json!({"type": "mfa", "input": 3})).input, None);
}

#[test]
fn a_waits_debug_names_the_job_and_its_timing() {
    let client = Client::builder().api_key("a2V5").build().unwrap();
    let wait = client.wait_for_job("job-7").deadline(Duration::from_secs(42)).on_progress(|_| {});
    let shown = format!("{wait:?}");
    assert!(shown.starts_with("JobWait { job_id: \"job-7\", polling: Polling { deadline: 42s"), "{shown}");
    assert!(shown.ends_with("answered: false, on_progress: true }"), "{shown}");
    assert!(!shown.contains("a2V5"), "{shown}");
}
