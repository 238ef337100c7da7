//! The seeded world a round of requests draws ids from: a fresh user with a connected persona
//! and one of every other resource (snapshots, a report, an auth link, a job waiting at MFA, a
//! webhook with a message, events), plus filters that match them.

use std::collections::HashMap;
use std::time::Duration;

use basiq::filter::{
    AccountFilter, ConnectionFilter, ConnectorFilter, EventFilter, JobFilter, TransactionFilter, WebhookMessageFilter,
};
use basiq::open::{ConnectionStatus, ConnectorStatus, EventEntity, EventTypeId};
use basiq_sandbox::Sandbox;
use serde_json::{Value, json};
use time::macros::date;

/// The real ids of one connected user (and the app's other resources), by path parameter.
#[derive(Default)]
pub(super) struct World {
    pub(super) ids: HashMap<String, Vec<String>>,
    pub(super) filters: Vec<String>,
}

impl World {
    fn add(&mut self, key: &str, id: impl Into<String>) {
        let id = id.into();
        if !id.is_empty() {
            self.ids.entry(key.to_owned()).or_default().push(id);
        }
    }

    pub(super) fn all(&self) -> Vec<String> {
        self.ids.values().flatten().cloned().collect()
    }

    /// The pool for a path parameter of `path`.
    pub(super) fn pool(&self, path: &str, name: &str) -> Vec<String> {
        let key = match name {
            "snapshotId" if path.contains("/expenses/") => "expensesId",
            "snapshotId" if path.contains("/income/") => "incomeId",
            "snapshotId" => "affordabilityId",
            "id" if path.starts_with("/events/types") => "eventTypeId",
            "id" if path.starts_with("/events") => "eventId",
            "id" if path.starts_with("/payments/payrequests") => "payrequestId",
            "id" if path.starts_with("/payments/payouts") => "payoutId",
            "id" if path.starts_with("/payments/float-accounts") => "floatAccountId",
            "id" | "reportId" => "reportId",
            other => other,
        };
        self.ids.get(key).cloned().unwrap_or_default()
    }
}

pub(super) struct Fuzz {
    pub(super) sandbox: Sandbox,
    pub(super) http: reqwest::Client,
    pub(super) base: String,
    pub(super) token: String,
}

impl Fuzz {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("seed request");
        resp.json().await.unwrap_or(Value::Null)
    }

    async fn wait_job(&self, job: &str) -> Value {
        for _ in 0..400 {
            let j = self.call(reqwest::Method::GET, &format!("/jobs/{job}"), None).await;
            let steps = j["steps"].as_array().cloned().unwrap_or_default();
            if steps.iter().all(|s| s["status"] == "success") || steps.iter().any(|s| s["status"] == "failed") {
                return j;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("seed job {job} never finished");
    }

    /// A fresh user with a connected persona, and one of every other resource.
    pub(super) async fn seed(&mut self, round: usize) -> World {
        use reqwest::Method;
        self.token = self.sandbox.server_token();
        let mut w = World::default();
        let (login, password, institution) = if round.is_multiple_of(2) {
            ("gavinBelson", "hooli2016", "AU00000")
        } else {
            ("laurieBream", "business2024", "AU00004")
        };
        let user = self.sandbox.create_user(&format!("fuzz{round}@example.com"));
        let outcome = self.sandbox.complete_consent(&user, institution, login, password).expect("consent");
        self.wait_job(&outcome.job_id).await;
        w.add("userId", &user);
        w.add("jobId", &outcome.job_id);
        let ids = |v: &Value| -> Vec<String> {
            v["data"].as_array().into_iter().flatten().filter_map(|i| i["id"].as_str().map(str::to_owned)).collect()
        };
        for (list, key) in [
            ("accounts", "accountId"),
            ("transactions?limit=10", "transactionId"),
            ("connections", "connectionId"),
            ("consents", "consentId"),
            ("identities", "identityId"),
        ] {
            let v = self.call(Method::GET, &format!("/users/{user}/{list}"), None).await;
            for id in ids(&v) {
                w.add(key, id);
            }
        }
        for (kind, key) in [("affordability", "affordabilityId"), ("expenses", "expensesId"), ("income", "incomeId")] {
            let v = self.call(Method::POST, &format!("/users/{user}/{kind}"), Some(json!({}))).await;
            w.add(key, v["id"].as_str().unwrap_or_default());
        }
        let account = w.pool("", "accountId").first().cloned().unwrap_or_default();
        let job = self
            .call(
                Method::POST,
                "/reports",
                Some(json!({"reportType": "CON_AFFOR_01", "title": "fuzz", "filters": [
                    {"name": "fromDate", "value": "2000-01-01"}, {"name": "toDate", "value": "2100-01-01"},
                    {"name": "accounts", "value": [account]}, {"name": "users", "value": [user]}]})),
            )
            .await;
        if let Some(job) = job["id"].as_str() {
            let done = self.wait_job(job).await;
            let url = done["steps"][0]["result"]["url"].as_str().unwrap_or_default();
            w.add("reportId", url.rsplit('/').next().unwrap_or_default());
        }
        self.call(Method::POST, &format!("/users/{user}/auth_link"), Some(json!({"mobile": "+61410888999"}))).await;
        // A job waiting at its MFA step (Pied Piper Bank always asks).
        if let Ok(mfa) = self.sandbox.complete_consent(&user, "AU00002", "jared", "django") {
            w.add("jobId", mfa.job_id);
        }
        let hook = self
            .call(
                Method::POST,
                "/notifications/webhooks",
                Some(json!({"url": format!("https://hooks.example.com/{round}"), "subscribedEvents": ["user.created", "user.updated"]})),
            )
            .await;
        let hook_id = hook["id"].as_str().unwrap_or_default().to_owned();
        w.add("webhookId", &hook_id);
        self.call(Method::POST, "/notifications/messages/test", Some(json!({"eventTypeId": "user.created"}))).await;
        let messages = self.call(Method::GET, &format!("/notifications/webhooks/{hook_id}/messages"), None).await;
        for id in ids(&messages) {
            w.add("messageId", id);
        }
        let events = self.call(Method::GET, "/events?limit=20", None).await;
        for id in ids(&events) {
            w.add("eventId", id);
        }
        for id in ids(&self.call(Method::GET, "/events/types", None).await) {
            w.add("eventTypeId", id);
        }
        for id in ids(&self.call(Method::GET, "/reports/types", None).await) {
            w.add("reportTypeId", id);
        }
        let connectors = self.call(Method::GET, "/connectors", None).await;
        for c in connectors["data"].as_array().into_iter().flatten().take(5) {
            w.add("connectorId", c["id"].as_str().unwrap_or_default());
            w.add("method", c["method"].as_str().unwrap_or_default());
        }
        self.seed_newer_domains(&user, &mut w).await;
        let conn = w.pool("", "connectionId").first().cloned().unwrap_or_default();
        w.filters = [
            JobFilter::connection_id().eq(conn.as_str()).render(),
            AccountFilter::account_id().eq(account.as_str()).render(),
            EventFilter::user_id().eq(user.as_str()).render(),
            EventFilter::entity().eq(EventEntity::User).render(),
            TransactionFilter::post_date().between(date!(2024 - 01 - 01), date!(2100 - 01 - 01)).render(),
            ConnectorFilter::status()
                .one_of([ConnectorStatus::Operational, ConnectorStatus::DegradedPerformance])
                .render(),
            ConnectionFilter::status().eq(ConnectionStatus::Active).render(),
            WebhookMessageFilter::event_type_id().eq(EventTypeId::UserCreated).render(),
            // Malformed on purpose: the sandbox must answer 400, never 5xx.
            AccountFilter::raw("nonsense(").render(),
        ]
        .into_iter()
        .map(|f| f.expect("the fuzzer's filters render"))
        .collect();
        w
    }
}

impl Fuzz {
    /// Ids of the 2026 domains for `user`: insight types and a stored insight, the user's payees,
    /// a payout and a pay request (their job ids), and the float accounts.
    async fn seed_newer_domains(&self, user: &str, w: &mut World) {
        use reqwest::Method;
        let ids = |v: &Value, key: &str| -> Vec<String> {
            v["data"].as_array().into_iter().flatten().filter_map(|i| i[key].as_str().map(str::to_owned)).collect()
        };
        for id in ids(&self.call(Method::GET, "/insights/types", None).await, "id") {
            w.add("typeId", id);
        }
        let accounts = self.call(Method::GET, &format!("/users/{user}/accounts"), None).await;
        let number = accounts["data"][0]["accountNo"].as_str().unwrap_or("032096658830").to_owned();
        let insight = self
            .call(
                Method::POST,
                &format!("/users/{user}/insights/account"),
                Some(json!({"accountNumber": number, "accountType": "savings"})),
            )
            .await;
        w.add("insightId", insight["id"].as_str().unwrap_or_default());
        for id in ids(&self.call(Method::GET, &format!("/users/{user}/payees"), None).await, "id") {
            w.add("payeeId", id);
        }
        let payouts = self
            .call(
                Method::POST,
                "/payments/payouts",
                Some(json!({"payouts": [{
                    "requestId": format!("fuzz-payout-{user}"), "method": "fast/batch",
                    "payee": {"payeeUserId": user, "payeeBankBranchCode": "730002", "payeeAccountNumber": "123456789"},
                    "description": "Fuzz payout", "amount": 12.5
                }]})),
            )
            .await;
        w.add("payoutId", payouts["jobs"][0]["id"].as_str().unwrap_or_default());
        let payrequests = self
            .call(
                Method::POST,
                "/payments/payrequests",
                Some(json!({"payrequests": [{
                    "requestId": format!("fuzz-payrequest-{user}"), "payer": {"payerUserId": user},
                    "description": "Fuzz pay request", "amount": 20
                }]})),
            )
            .await;
        w.add("payrequestId", payrequests["jobs"][0]["id"].as_str().unwrap_or_default());
        for id in ids(&self.call(Method::GET, "/payments/float-accounts", None).await, "id") {
            w.add("floatAccountId", id);
        }
    }
}
