//! What the test modules share: a running sandbox with a client and a token, token requests and
//! error-envelope checks.

use std::time::Duration;

use basiq_sandbox::{Sandbox, SandboxBuilder};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A running sandbox plus an HTTP client holding a SERVER_ACCESS token.
pub struct Api {
    pub sb: Sandbox,
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
}

/// Get a token over HTTP.
pub async fn token(http: &reqwest::Client, sb: &Sandbox, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let resp = http
        .post(format!("{}/token", sb.base_url()))
        .header("Authorization", format!("Basic {}", sb.api_key()))
        .header("basiq-version", "3.0")
        .form(form)
        .send()
        .await
        .expect("token request");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

impl Api {
    /// Default sandbox with a fast job clock.
    pub async fn new() -> Api {
        Api::with(Sandbox::builder().job_step_delay(Duration::from_millis(20))).await
    }

    /// A sandbox from a builder.
    pub async fn with(builder: SandboxBuilder) -> Api {
        let sb = builder.start().await.expect("sandbox starts");
        let http = reqwest::Client::new();
        let (status, body) = token(&http, &sb, &[("scope", "SERVER_ACCESS")]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let token = body["access_token"].as_str().expect("access_token").to_owned();
        let base = sb.base_url();
        Api { sb, http, base, token }
    }

    /// Absolute URL for a path (absolute URLs pass through).
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") { path.to_owned() } else { format!("{}{path}", self.base) }
    }

    async fn finish(resp: reqwest::Response) -> (StatusCode, Value) {
        let status = resp.status();
        let text = resp.text().await.expect("body");
        let v = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        (status, v)
    }

    /// GET with the server token.
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.get_with(path, &self.token).await
    }

    /// GET with a given bearer token.
    pub async fn get_with(&self, path: &str, token: &str) -> (StatusCode, Value) {
        let resp = self.http.get(self.url(path)).bearer_auth(token).send().await.expect("GET");
        Self::finish(resp).await
    }

    /// POST a JSON body with the server token.
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.post_with(path, body, &self.token).await
    }

    /// POST a JSON body with a given token.
    pub async fn post_with(&self, path: &str, body: Value, token: &str) -> (StatusCode, Value) {
        let resp = self.http.post(self.url(path)).bearer_auth(token).json(&body).send().await.expect("POST");
        Self::finish(resp).await
    }

    /// DELETE with the server token.
    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        let resp = self.http.delete(self.url(path)).bearer_auth(&self.token).send().await.expect("DELETE");
        Self::finish(resp).await
    }

    /// Create a user over HTTP.
    pub async fn user(&self) -> String {
        let (status, body) =
            self.post("/users", json!({ "email": "test@example.com", "mobile": "+61410888999" })).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_str().expect("user id").to_owned()
    }

    /// Poll a job until it finished (every step success, or one failed) or an MFA step waits.
    pub async fn wait_job(&self, job_id: &str) -> Value {
        for _ in 0..500 {
            let (status, job) = self.get(&format!("/jobs/{job_id}")).await;
            assert_eq!(status, StatusCode::OK, "{job}");
            let steps = job["steps"].as_array().cloned().unwrap_or_default();
            let done = steps.iter().all(|s| s["status"] == "success");
            let failed = steps.iter().any(|s| s["status"] == "failed");
            let mfa = steps.iter().any(|s| s["status"] == "in-progress" && s["result"]["type"] == "mfa");
            if done || failed || mfa {
                return job;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("job {job_id} never settled");
    }

    /// Connect a login through the consent helper and wait for its job.
    pub async fn connect(&self, user: &str, institution: &str, login: &str, password: &str) -> Value {
        let outcome = self.sb.complete_consent(user, institution, login, password).expect("consent");
        self.wait_job(&outcome.job_id).await
    }

    /// Titles and statuses of a job's steps.
    pub fn steps(job: &Value) -> Vec<(String, String)> {
        job["steps"]
            .as_array()
            .map(|s| {
                s.iter()
                    .map(|st| {
                        (st["title"].as_str().unwrap_or("").to_owned(), st["status"].as_str().unwrap_or("").to_owned())
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The first error item of a Basiq error envelope.
pub fn err(body: &Value) -> &Value {
    assert_eq!(body["type"], "list", "not an error envelope: {body}");
    assert!(body["correlationId"].is_string(), "no correlationId: {body}");
    &body["data"][0]
}
