//! Long-running check of the sandbox: sends mixed requests (user creates and deletes, consents,
//! lists, insight snapshots, reports, webhook test messages, tokens) to one in-process sandbox and
//! prints the resident memory at the start, every tenth of the run and at the end, the store
//! sizes, and the slowest request. A sandbox whose stores are bounded levels off.
//!
//! ```text
//! cargo run --release -p basiq-sandbox --example long_run -- [requests, default 100000]
//! ```

use std::time::{Duration, Instant};

use basiq_sandbox::Sandbox;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Live users kept at once; creating one more deletes the oldest.
const LIVE_USERS: usize = 20;

/// Resident set size of this process in KiB (Linux `/proc/self/status`; 0 elsewhere).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

struct Run {
    sandbox: Sandbox,
    http: reqwest::Client,
    base: String,
    token: String,
    sent: usize,
    errors: usize,
    slowest: (Duration, String),
}

impl Run {
    /// One timed request; returns the status and the JSON body (null when none).
    async fn call(&mut self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let started = Instant::now();
        let mut req = self.http.request(method.clone(), format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let (status, value) = match req.send().await {
            Ok(resp) => {
                let status = resp.status();
                (status, resp.json().await.unwrap_or(Value::Null))
            }
            Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, Value::Null),
        };
        self.note(started, format!("{method} {path}"), status);
        (status, value)
    }

    /// `POST /token` with the API key.
    async fn token(&mut self) -> String {
        let started = Instant::now();
        let resp = self
            .http
            .post(format!("{}/token", self.base))
            .header("Authorization", format!("Basic {}", self.sandbox.api_key()))
            .header("basiq-version", "3.0")
            .form(&[("scope", "SERVER_ACCESS")])
            .send()
            .await;
        let (status, body) = match resp {
            Ok(r) => (r.status(), r.json::<Value>().await.unwrap_or(Value::Null)),
            Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, Value::Null),
        };
        self.note(started, "POST /token".to_owned(), status);
        body["access_token"].as_str().unwrap_or_default().to_owned()
    }

    fn note(&mut self, started: Instant, what: String, status: StatusCode) {
        let took = started.elapsed();
        self.sent += 1;
        if status.is_server_error() {
            self.errors += 1;
        }
        if took > self.slowest.0 {
            self.slowest = (took, what);
        }
    }
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let total: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let sandbox =
        Sandbox::builder().job_step_delay(Duration::from_millis(1)).start().await.expect("the sandbox starts");
    let base = sandbox.base_url();
    let token = sandbox.server_token();
    let mut run = Run {
        sandbox,
        http: reqwest::Client::new(),
        base,
        token,
        sent: 0,
        errors: 0,
        slowest: (Duration::ZERO, String::new()),
    };
    let (_, hook) = run
        .call(
            Method::POST,
            "/notifications/webhooks",
            Some(json!({"url": "https://hooks.example.com/long-run", "subscribedEvents": ["user.created", "user.deleted", "connection.created"]})),
        )
        .await;
    let hook = id(&hook);
    let start_rss = rss_kib();
    let started = Instant::now();
    println!("start: rss {start_rss} KiB, {total} requests to send");
    let mut users: std::collections::VecDeque<(String, String)> = Default::default();
    let mut step = 0usize;
    let mut next_report = total / 10;
    while run.sent < total {
        step += 1;
        match step % 16 {
            // Create a user, connect a persona, and retire the oldest user beyond the pool.
            0 => {
                let (_, u) =
                    run.call(Method::POST, "/users", Some(json!({"email": format!("lr{step}@example.com")}))).await;
                let user = id(&u);
                let outcome = run.sandbox.complete_consent(&user, "AU00000", "gavinBelson", "hooli2016");
                let account = match outcome {
                    Ok(o) => {
                        let mut account = String::new();
                        for _ in 0..200 {
                            let (_, job) = run.call(Method::GET, &format!("/jobs/{}", o.job_id), None).await;
                            let steps = job["steps"].as_array().cloned().unwrap_or_default();
                            if steps.iter().all(|s| s["status"] == "success") {
                                let (_, accs) = run.call(Method::GET, &format!("/users/{user}/accounts"), None).await;
                                account = accs["data"][0]["id"].as_str().unwrap_or_default().to_owned();
                                break;
                            }
                            tokio::time::sleep(Duration::from_millis(1)).await;
                        }
                        account
                    }
                    Err(_) => String::new(),
                };
                users.push_back((user, account));
                if users.len() > LIVE_USERS
                    && let Some((old, _)) = users.pop_front()
                {
                    run.call(Method::DELETE, &format!("/users/{old}"), None).await;
                }
            }
            1 => {
                run.token = run.token().await;
            }
            2 | 3 => {
                run.call(Method::GET, "/events?limit=100", None).await;
            }
            4 => {
                run.call(Method::POST, "/notifications/messages/test", Some(json!({"eventTypeId": "user.created"})))
                    .await;
                run.call(Method::GET, &format!("/notifications/webhooks/{hook}/messages?limit=50"), None).await;
            }
            _ => {
                let Some((user, account)) = users.get(step % users.len().max(1)).cloned() else {
                    step = 15;
                    continue;
                };
                match step % 16 {
                    5 | 6 => {
                        run.call(Method::GET, &format!("/users/{user}/transactions?limit=100"), None).await;
                    }
                    7 => {
                        run.call(Method::GET, &format!("/users/{user}/consents"), None).await;
                    }
                    8 => {
                        run.call(Method::POST, &format!("/users/{user}/affordability"), Some(json!({}))).await;
                    }
                    9 => {
                        run.call(Method::POST, &format!("/users/{user}/income"), Some(json!({}))).await;
                    }
                    10 => {
                        let filters = json!([{"name": "fromDate", "value": "2000-01-01"}, {"name": "toDate", "value": "2100-01-01"},
                                             {"name": "accounts", "value": [account]}, {"name": "users", "value": [user]}]);
                        run.call(
                            Method::POST,
                            "/reports",
                            Some(json!({"reportType": "CON_AFFOR_01", "title": "long run", "filters": filters})),
                        )
                        .await;
                    }
                    11 => {
                        let (_, reports) = run.call(Method::GET, "/reports?limit=20", None).await;
                        if step.is_multiple_of(3)
                            && let Some(r) = reports["data"][0]["id"].as_str()
                        {
                            run.call(Method::DELETE, &format!("/reports/{r}"), None).await;
                        }
                    }
                    12 => {
                        run.call(Method::GET, &format!("/users/{user}/jobs"), None).await;
                    }
                    13 => {
                        run.call(Method::POST, &format!("/users/{user}"), Some(json!({"firstName": "Long"}))).await;
                    }
                    _ => {
                        run.call(Method::GET, &format!("/users/{user}/connections"), None).await;
                    }
                }
            }
        }
        if run.sent >= next_report {
            println!(
                "{:>7} requests, {:>6.1} s: rss {} KiB, stores {:?}",
                run.sent,
                started.elapsed().as_secs_f64(),
                rss_kib(),
                run.sandbox.store_sizes()
            );
            next_report += total / 10;
        }
    }
    let end_rss = rss_kib();
    println!(
        "end: {} requests in {:.1} s, {} answered 5xx; rss start {start_rss} KiB, end {end_rss} KiB ({:.2}x); slowest {:.1} ms ({})",
        run.sent,
        started.elapsed().as_secs_f64(),
        run.errors,
        end_rss as f64 / start_rss.max(1) as f64,
        run.slowest.0.as_secs_f64() * 1000.0,
        run.slowest.1
    );
}
