//! Every one of the 56 operations answered by the sandbox, each success checked against the
//! status and body schema our OpenAPI spec declares (closed value sets checked too).
#![cfg(feature = "sandbox")]

#[path = "sandbox_helpers.rs"]
mod helpers;
// The project's shared spec-to-JSON-Schema helper; its lints are its owners' business.
#[allow(clippy::all)]
#[path = "spec_schema/mod.rs"]
mod spec_schema;

use std::collections::BTreeSet;
use std::sync::Mutex;

use helpers::Api;
use reqwest::StatusCode;
use serde_json::{Value, json};
use spec_schema::Spec;

struct Checker {
    spec: Spec,
    seen: Mutex<BTreeSet<String>>,
}

impl Checker {
    fn check(&self, op: &str, status: StatusCode, body: &Value) {
        let successes = self.spec.successes();
        let success = successes.get(op).unwrap_or_else(|| panic!("{op} is not in the spec"));
        assert_eq!(status.as_u16(), success.status, "{op}: {body}");
        if let Some(schema) = &success.schema {
            let problems = self.spec.validate(schema, body);
            assert!(problems.is_empty(), "{op} ({schema}):\n{}\n{body:#}", problems.join("\n"));
        }
        self.seen.lock().unwrap().insert(op.to_owned());
    }
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}")).to_owned()
}

#[tokio::test]
async fn all_operations_match_the_spec() {
    let c = Checker { spec: Spec::load(), seen: Mutex::new(BTreeSet::new()) };
    // The checker itself notices a wrong body.
    assert!(
        !c.spec.validate("Token", &json!({ "access_token": 5, "token_type": "Bearer", "expires_in": 1 })).is_empty()
    );
    let api = Api::new().await;

    // token
    let (st, body) = helpers::token(&api.http, &api.sb, &[("scope", "SERVER_ACCESS")]).await;
    c.check("postToken", st, &body);

    // users
    let (st, user) = api
        .post("/users", json!({
            "email": "priya@example.com", "mobile": "+61412345678", "firstName": "Priya", "lastName": "Nair",
            "businessName": "Harbourside", "businessIdNo": "51824753556", "businessIdNoType": "ABN",
            "businessAddress": { "addressLine1": "1 Pitt St", "suburb": "Sydney", "state": "NSW", "postcode": "2000", "countryCode": "AUS" },
            "verificationStatus": true, "verificationDate": "03/02/2025"
        }))
        .await;
    c.check("createUser", st, &user);
    let uid = s(&user["id"]);
    let (st, body) = api.post(&format!("/users/{uid}"), json!({ "lastName": "Nair-Fletcher" })).await;
    c.check("updateUser", st, &body);
    assert_eq!(body["lastName"], "Nair-Fletcher");
    assert_eq!(body["email"], "priya@example.com");

    // connect two logins: one plain, one with MFA
    let o = api.sb.complete_consent(&uid, "AU00000", "laurieBream", "business2024").unwrap();
    let job = api.wait_job(&o.job_id).await;
    let (st, body) = api.get(&format!("/jobs/{}", o.job_id)).await;
    c.check("getJobs", st, &body);
    assert_eq!(body, job);
    let mfa = api.sb.complete_consent(&uid, "AU00002", "gavinBelson", "hooli2016").unwrap();
    let waiting = api.wait_job(&mfa.job_id).await;
    c.check("getJobs", StatusCode::OK, &waiting);
    assert_eq!(waiting["steps"][1]["result"]["input"][0], "What's your first company?");
    let (st, body) = api.post(&format!("/jobs/{}/mfa", mfa.job_id), json!({ "mfa-response": ["Hooli"] })).await;
    c.check("postJobMfa", st, &body);
    api.wait_job(&mfa.job_id).await;
    let (st, body) = api.get(&format!("/users/{uid}/jobs")).await;
    c.check("getUserJobs", st, &body);
    assert_eq!(body["data"].as_array().unwrap().len(), 2);

    let (st, body) = api.get(&format!("/users/{uid}")).await;
    c.check("getUser", st, &body);
    assert_eq!(body["connections"]["count"], 2);

    let (st, consents) = api.get(&format!("/users/{uid}/consents")).await;
    c.check("getConsents", st, &consents);
    assert_eq!(consents["data"].as_array().unwrap().len(), 1);
    let consent_id = s(&consents["data"][0]["id"]);

    let (st, body) = api.post(&format!("/users/{uid}/auth_link"), json!({})).await;
    c.check("postAuthLink", st, &body);
    assert_eq!(body["mobile"], "+61412345678");
    let (st, body) = api.get(&format!("/users/{uid}/auth_link")).await;
    c.check("getAuthLink", st, &body);

    // data
    let (st, accounts) = api.get(&format!("/users/{uid}/accounts")).await;
    c.check("getAccounts", st, &accounts);
    let acc = s(&accounts["data"][0]["id"]);
    let (st, body) = api.get(&format!("/users/{uid}/accounts/{acc}")).await;
    c.check("getAccount", st, &body);
    let (st, txns) = api.get(&format!("/users/{uid}/transactions?limit=100")).await;
    c.check("getTransactions", st, &txns);
    let tid = s(&txns["data"][0]["id"]);
    let (st, body) = api.get(&format!("/users/{uid}/transactions/{tid}")).await;
    c.check("getTransaction", st, &body);
    let (st, conns) = api.get(&format!("/users/{uid}/connections")).await;
    c.check("getConnections", st, &conns);
    let conn = o.connection_id.clone().unwrap();
    let (st, body) = api.get(&format!("/users/{uid}/connections/{conn}")).await;
    c.check("getConnection", st, &body);
    let (st, body) = api.post(&format!("/users/{uid}/connections/{conn}/refresh"), json!({})).await;
    c.check("refreshConnection", st, &body);
    api.wait_job(&s(&body["id"])).await;
    let (st, body) = api.post(&format!("/users/{uid}/connections/refresh"), json!({})).await;
    c.check("refreshConnections", st, &body);
    for j in body["data"].as_array().unwrap() {
        let job = api.wait_job(&s(&j["id"])).await;
        if job["steps"][1]["title"] == "mfa-challenge" && job["steps"][1]["status"] == "in-progress" {
            api.post(&format!("/jobs/{}/mfa", s(&j["id"])), json!({ "mfa-response": ["Hooli"] })).await;
            api.wait_job(&s(&j["id"])).await;
        }
    }

    let form = reqwest::multipart::Form::new().text("institutionId", "AU00002").part(
        "statement",
        reqwest::multipart::Part::bytes(
            b"date,description,amount\n2025-01-02,COFFEE,-4.50\n2025-01-03,SALARY,2500.00\n".to_vec(),
        )
        .file_name("statement.csv")
        .mime_str("text/csv")
        .unwrap(),
    );
    let resp = api
        .http
        .post(api.url(&format!("/users/{uid}/statements")))
        .bearer_auth(&api.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let st = resp.status();
    let body: Value = resp.json().await.unwrap();
    c.check("createStatement", st, &body);
    let stmt_job = api.wait_job(&s(&body["id"])).await;
    assert!(Api::steps(&stmt_job).iter().all(|(_, st)| st == "success"), "{stmt_job}");

    let (st, body) = api.get("/connectors").await;
    c.check("getConnectors", st, &body);
    assert_eq!(body["totalCount"], 4);
    let (st, body) = api.get("/connectors/AU00002/web").await;
    c.check("getConnector", st, &body);
    assert_eq!(body["institution"]["name"], "Pied Piper Bank");

    // events
    let (st, events) = api.get("/events").await;
    c.check("getEvents", st, &events);
    let types: BTreeSet<String> = events["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{}.{}", s(&e["entity"]), s(&e["eventType"])))
        .collect();
    for t in ["user.created", "user.updated", "connection.created", "consent.created", "transactions.updated"] {
        assert!(types.contains(t), "missing event {t}: {types:?}");
    }
    let eid = s(&events["data"][0]["id"]);
    let (st, body) = api.get(&format!("/events/{eid}")).await;
    c.check("getTypeById", st, &body);
    let (st, body) = api.get("/events/types").await;
    c.check("listEventTypes", st, &body);
    assert_eq!(body["data"].as_array().unwrap().len(), 15);
    let (st, body) = api.get("/events/types/user.created").await;
    c.check("getEventTypeById", st, &body);

    // insights
    let (st, aff) = api.post(&format!("/users/{uid}/affordability"), json!({})).await;
    c.check("postAffordability", st, &aff);
    let aid = s(&aff["id"]);
    let (st, body) = api.get(&format!("/users/{uid}/affordability")).await;
    c.check("getAffordabilityList", st, &body);
    let (st, body) = api.get(&format!("/users/{uid}/affordability/{aid}")).await;
    c.check("getAffordability", st, &body);
    assert_eq!(body, aff);
    let (st, body) = api.get(&format!("/users/{uid}/affordability/{aid}/transactions?limit=50")).await;
    c.check("getAffordabilitySnapshotTransactions", st, &body);
    assert_eq!(body["count"], 50);
    let (st, exp) = api.post(&format!("/users/{uid}/expenses"), json!({})).await;
    c.check("postExpenses", st, &exp);
    let (st, body) = api.get(&format!("/users/{uid}/expenses/{}", s(&exp["id"]))).await;
    c.check("getExpenses", st, &body);
    let (st, inc) = api.post(&format!("/users/{uid}/income"), json!({})).await;
    c.check("postIncome", st, &inc);
    let (st, body) = api.get(&format!("/users/{uid}/income/{}", s(&inc["id"]))).await;
    c.check("getIncome", st, &body);

    let (st, ids) = api.get(&format!("/users/{uid}/identities")).await;
    c.check("getUserIdentities", st, &ids);
    let iid = s(&ids["data"][0]["id"]);
    let (st, body) = api.get(&format!("/users/{uid}/identities/{iid}")).await;
    c.check("getUserIdentity", st, &body);
    let (st, body) = api.get("/enrich?q=WOOLWORTHS%201624%20SYDNEY&country=AU&institution=AU00000").await;
    c.check("enrich", st, &body);
    assert_eq!(body["data"]["merchant"]["businessName"], "Woolworths");

    // reports
    let accs: Vec<String> = accounts["data"].as_array().unwrap().iter().map(|a| s(&a["id"])).collect();
    let (st, body) = api
        .post("/reports", json!({
            "reportType": "CON_AFFOR_01", "title": "Affordability",
            "filters": [
                { "name": "fromDate", "value": "2000-01-01" }, { "name": "toDate", "value": "2100-01-01" },
                { "name": "accounts", "value": accs }, { "name": "users", "value": [uid] },
                { "name": "includeMetrics", "value": [] }, { "name": "includeGroups", "value": ["INC-001", "EXP-001"] }
            ]
        }))
        .await;
    c.check("createReport", st, &body);
    let rjob = api.wait_job(&s(&body["id"])).await;
    assert_eq!(rjob["jobType"], "report");
    assert_eq!(rjob["steps"][0]["title"], "create-report");
    let rid = s(&rjob["steps"][0]["result"]["url"]).trim_start_matches("/reports/").to_owned();
    let (st, body) = api.get("/reports").await;
    c.check("listAllReports", st, &body);
    let (st, report) = api.get(&format!("/reports/{rid}")).await;
    c.check("retrieveReport", st, &report);
    assert_eq!(report["data"]["groups"].as_array().unwrap().len(), 2);
    assert!(report["data"]["metrics"].as_array().unwrap().len() >= 5);
    let (st, body) = api.get(&format!("/reports/{rid}/transactions?filter=transaction.direction.eq('credit')")).await;
    c.check("retrieveReportTransactions", st, &body);
    assert!(body["data"].as_array().unwrap().iter().all(|t| t["direction"] == "credit"));
    let (st, body) = api.get("/reports/types").await;
    c.check("listReportTypes", st, &body);
    let (st, body) = api.get("/reports/types/STATEMENT_01").await;
    c.check("retrieveSpecificReportType", st, &body);
    let (st, body) = api.delete(&format!("/reports/{rid}")).await;
    c.check("deleteReport", st, &body);

    // webhooks
    let (st, hook) = api
        .post("/notifications/webhooks", json!({ "name": "ops", "url": "https://example.com/hook", "subscribedEvents": ["user.updated", "connection.deleted"] }))
        .await;
    c.check("addWebhook", st, &hook);
    assert!(s(&hook["secret"]).starts_with("whsec_"));
    let wid = s(&hook["id"]);
    let (st, body) = api.get("/notifications/webhooks").await;
    c.check("listAppWebhooks", st, &body);
    let (st, body) = api.get(&format!("/notifications/webhooks/{wid}")).await;
    c.check("getWebhook", st, &body);
    let (st, body) = api
        .post(
            &format!("/notifications/webhooks/{wid}"),
            json!({ "url": "https://example.com/hook2", "subscribedEvents": ["user.updated", "connection.deleted"] }),
        )
        .await;
    c.check("updateWebhook", st, &body);
    let (st, body) = api.post("/notifications/messages/test", json!({ "eventTypeId": "user.updated" })).await;
    c.check("testMessage", st, &body);
    let (st, msgs) = api.get(&format!("/notifications/webhooks/{wid}/messages")).await;
    c.check("listMessages", st, &msgs);
    let mid = s(&msgs["data"][0]["id"]);
    let (st, body) = api.get(&format!("/notifications/webhooks/{wid}/messages/{mid}")).await;
    c.check("getWebhookMessage", st, &body);

    // deletes
    let (st, body) = api.post(&format!("/users/{uid}/connections/{conn}/purge"), json!({})).await;
    c.check("purgeConnectionData", st, &body);
    let (st, body) = api.delete(&format!("/users/{uid}/connections/{conn}")).await;
    c.check("deleteConnection", st, &body);
    let (_, msgs) = api.get(&format!("/notifications/webhooks/{wid}/messages")).await;
    assert!(msgs["data"].as_array().unwrap().iter().any(|m| m["eventTypeId"] == "connection.deleted"), "{msgs}");
    let (st, body) = api.delete(&format!("/notifications/webhooks/{wid}")).await;
    c.check("deleteWebhook", st, &body);
    let (st, body) = api.delete(&format!("/users/{uid}/auth_link")).await;
    c.check("deleteAuthLink", st, &body);
    let (st, body) = api.delete(&format!("/users/{uid}/consents/{consent_id}")).await;
    c.check("deleteConsent", st, &body);
    let (st, body) = api.delete(&format!("/users/{uid}")).await;
    c.check("deleteUser", st, &body);

    let all: BTreeSet<String> = c.spec.successes().keys().cloned().collect();
    let seen = c.seen.lock().unwrap().clone();
    let missing: Vec<&String> = all.difference(&seen).collect();
    assert_eq!(all.len(), 56);
    assert!(missing.is_empty(), "operations not exercised: {missing:?}");
}
