//! Connecting personas: the happy path, failing logins, MFA, the consent page, refresh and
//! determinism.

use crate::expr;
use crate::support as helpers;

use std::time::Duration;

use basiq_sandbox::{Sandbox, SandboxError};
use helpers::{Api, err, token};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

#[tokio::test]
async fn happy_path_gavin_belson() {
    // Steps of half a second: the first look below must see step 0 still running, even on a
    // loaded machine.
    let api = Api::with(Sandbox::builder().job_step_delay(Duration::from_millis(500))).await;
    let user = api.user().await;
    let outcome = api.sb.complete_consent(&user, "AU00000", "gavinBelson", "hooli2016").unwrap();
    let conn = outcome.connection_id.clone().expect("connection id");

    // Right after consent the job is running and nothing is visible yet.
    let (_, first) = api.get(&format!("/jobs/{}", outcome.job_id)).await;
    assert_eq!(first["steps"][0]["status"], "in-progress");
    assert_eq!(first["steps"][2]["status"], "pending");
    assert!(first["steps"][2]["result"].is_null());
    let (_, accounts) = api.get(&format!("/users/{user}/accounts")).await;
    assert_eq!(accounts["data"].as_array().unwrap().len(), 0);

    let job = api.wait_job(&outcome.job_id).await;
    assert_eq!(job["type"], "job");
    assert_eq!(job["jobType"], "connection");
    assert_eq!(
        Api::steps(&job),
        [("verify-credentials", "success"), ("retrieve-accounts", "success"), ("retrieve-transactions", "success")]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    assert_eq!(job["steps"][0]["result"]["url"], format!("/users/{user}/connections/{conn}"));
    let accounts = format!("/users/{user}/accounts");
    assert_eq!(job["steps"][1]["result"]["url"], expr::plain_url(&accounts, "institution.id.eq('AU00000')"));
    assert_eq!(job["links"]["self"], format!("{}/jobs/{}", api.base, outcome.job_id));
    assert_eq!(job["links"]["source"], format!("{}/users/{user}/connections/{conn}", api.base));

    let (st, c) = api.get(&format!("/users/{user}/connections/{conn}")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(c["status"], "active");
    assert_eq!(c["institution"]["id"], "AU00000");
    assert_eq!(c["profile"]["firstName"], "Gavin");

    let (st, accounts) = api.get(&format!("/users/{user}/accounts")).await;
    assert_eq!(st, StatusCode::OK);
    let list = accounts["data"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    let classes: Vec<&str> = list.iter().map(|a| s(&a["class"]["type"])).collect();
    assert_eq!(classes, ["transaction", "credit-card", "loan"]);
    assert!(list.iter().all(|a| a["balance"].is_string() && a["connection"] == conn.as_str()));
    let acc_id = s(&list[0]["id"]).to_owned();
    let (st, one) = api.get(&format!("/users/{user}/accounts/{acc_id}")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(one["id"], acc_id.as_str());

    let (_, u) = api.get(&format!("/users/{user}")).await;
    assert_eq!(u["connections"]["count"], 1);
    assert_eq!(u["accounts"]["count"], 3);

    // Page through all transactions with limit 200.
    let mut url = format!("/users/{user}/transactions?limit=200");
    let mut seen = Vec::new();
    let mut pages = 0;
    let mut last_date = String::from("9999");
    loop {
        let (st, page) = api.get(&url).await;
        assert_eq!(st, StatusCode::OK, "{page}");
        assert_eq!(page["size"], 200);
        let data = page["data"].as_array().unwrap();
        assert_eq!(page["count"], data.len());
        for t in data {
            let date = s(&t["postDate"]).to_owned();
            let date = if date.is_empty() { s(&t["transactionDate"]).to_owned() } else { date };
            assert!(date <= last_date, "not newest first: {date} after {last_date}");
            last_date = date;
            assert!(t["amount"].is_string());
            seen.push(s(&t["id"]).to_owned());
        }
        pages += 1;
        match page["links"]["next"].as_str() {
            Some(next) => {
                assert!(next.starts_with(&format!("{}/users/{user}/transactions?next=", api.base)), "{next}");
                assert_eq!(data.len(), 200);
                url = next.to_owned();
            }
            None => break,
        }
    }
    assert!(pages >= 3, "expected several pages, got {pages}");
    let total = seen.len();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), total, "duplicate transactions across pages");

    // The default page (limit 500) starts with the same items.
    let (_, default_page) = api.get(&format!("/users/{user}/transactions")).await;
    assert_eq!(default_page["size"], 500);
    assert_eq!(default_page["data"].as_array().unwrap().len(), 500.min(total));
    let tid = s(&default_page["data"][0]["id"]).to_owned();
    let (st, t) = api.get(&format!("/users/{user}/transactions/{tid}")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(t["id"], tid.as_str());
}

#[tokio::test]
async fn failing_logins_fail_at_their_step() {
    let api = Api::new().await;
    let user = api.user().await;
    let cases = [
        ("gavinBelson", "wrong", 0, "invalid-credentials", None),
        ("bighead", "password", 0, "invalid-credentials", Some("Account is locked")),
        ("erlich", "aviato", 1, "account-not-accessible-requires-user-action", None),
        ("jianYang", "nothotdog", 2, "service-unavailable", None),
    ];
    for (login, password, step, code, detail) in cases {
        let outcome = api.sb.complete_consent(&user, "AU00000", login, password).unwrap();
        let job = api.wait_job(&outcome.job_id).await;
        let steps = job["steps"].as_array().unwrap();
        assert_eq!(steps[step]["status"], "failed", "{login}: {job}");
        assert_eq!(steps[step]["result"]["code"], code, "{login}");
        if let Some(d) = detail {
            assert_eq!(steps[step]["result"]["detail"], d);
        }
        for later in &steps[step + 1..] {
            assert_eq!(later["status"], "pending", "{login}");
            assert!(later["result"].is_null());
        }
        for earlier in &steps[..step] {
            assert_eq!(earlier["status"], "success", "{login}");
        }
        assert_eq!(outcome.connection_id.is_some(), step > 0, "{login}");
    }
    // erlich's connection is invalid and has no accounts; jianYang's accounts are visible without transactions.
    let (_, conns) = api.get(&format!("/users/{user}/connections")).await;
    let statuses: Vec<&str> = conns["data"].as_array().unwrap().iter().map(|c| s(&c["status"])).collect();
    assert_eq!(statuses, ["invalid", "invalid"]);
    let (_, accounts) = api.get(&format!("/users/{user}/accounts")).await;
    assert_eq!(accounts["data"].as_array().unwrap().len(), 1);
    let (_, txns) = api.get(&format!("/users/{user}/transactions")).await;
    assert_eq!(txns["count"], 0);
    assert!(txns["links"].get("next").is_none());
}

#[tokio::test]
async fn mfa_at_pied_piper_answered() {
    let api = Api::new().await;
    let user = api.user().await;
    let outcome = api.sb.complete_consent(&user, "AU00002", "Whistler", "ShowBox").unwrap();
    let job = api.wait_job(&outcome.job_id).await;
    let mfa = &job["steps"][1];
    assert_eq!(job["steps"].as_array().unwrap().len(), 4);
    assert_eq!(mfa["title"], "mfa-challenge");
    assert_eq!(mfa["status"], "in-progress");
    assert_eq!(mfa["result"]["type"], "mfa");
    assert_eq!(mfa["result"]["method"], "security-questions");
    assert_eq!(mfa["result"]["input"].as_array().unwrap().len(), 2);
    assert_eq!(mfa["result"]["expiryMs"], 120000);
    let respond = s(&mfa["result"]["links"]["response"]).to_owned();
    assert_eq!(respond, format!("{}/jobs/{}/mfa", api.base, outcome.job_id));
    assert_eq!(job["steps"][2]["status"], "pending");

    // Answered with a CLIENT_ACCESS token, as the consent UI would.
    let (_, t) = token(&api.http, &api.sb, &[("scope", "CLIENT_ACCESS"), ("userId", &user)]).await;
    let client = s(&t["access_token"]).to_owned();
    let (st, body) = api.post_with(&respond, json!({ "mfa-response": ["Basiq", "AU00000"] }), &client).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["type"], "job");
    assert_eq!(body["id"], outcome.job_id.as_str());

    let job = api.wait_job(&outcome.job_id).await;
    assert!(Api::steps(&job).iter().all(|(_, st)| st == "success"), "{job}");
    let (_, accounts) = api.get(&format!("/users/{user}/accounts")).await;
    assert_eq!(accounts["data"].as_array().unwrap().len(), 2);

    // Answering again: nothing is waiting any more.
    let (st, _) = api.post(&respond, json!({ "mfa-response": ["Basiq", "AU00000"] })).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn wrong_mfa_answer_fails_the_step() {
    let api = Api::new().await;
    let user = api.user().await;
    let outcome = api.sb.complete_consent(&user, "AU00002", "jared", "django").unwrap();
    let job = api.wait_job(&outcome.job_id).await;
    assert_eq!(job["steps"][1]["result"]["input"][0], "OTP Password");
    let (st, body) = api.post(&format!("/jobs/{}/mfa", outcome.job_id), json!({ "mfa-response": ["0000"] })).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(err(&body)["code"], "invalid-credentials");
    let (_, job) = api.get(&format!("/jobs/{}", outcome.job_id)).await;
    assert_eq!(job["steps"][1]["status"], "failed");
    assert_eq!(job["steps"][2]["status"], "pending");
    let (st, _) = api.post(&format!("/jobs/{}/mfa", outcome.job_id), json!({})).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn nucleus_asks_for_mfa_about_half_the_time() {
    let api = Api::new().await;
    let mut with_mfa = 0;
    for _ in 0..20 {
        let user = api.user().await;
        let o = api.sb.complete_consent(&user, "AU00003", "richard", "tabsnotspaces").unwrap();
        let (_, job) = api.get(&format!("/jobs/{}", o.job_id)).await;
        if job["steps"].as_array().unwrap().len() == 4 {
            with_mfa += 1;
        }
    }
    assert!((3..=17).contains(&with_mfa), "{with_mfa} of 20 jobs had MFA");
}

#[tokio::test]
async fn consent_page_round_trip() {
    let api = Api::new().await;
    let user = api.user().await;
    let (_, t) = token(&api.http, &api.sb, &[("scope", "CLIENT_ACCESS"), ("userId", &user)]).await;
    let client = s(&t["access_token"]).to_owned();
    let no_redirect = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();

    let page = no_redirect
        .get(api.sb.consent_url_base())
        .query(&[("token", client.as_str()), ("state", "a b&c=d/é"), ("institutionId", "AU00000")])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Share your financial data"), "{html}");
    assert!(html.contains("id=\"agree\""), "{html}");
    assert!(html.contains("name=\"institutionId\" value=\"AU00000\""), "the preselection travels on: {html}");

    let resp = no_redirect
        .post(api.sb.consent_url_base())
        .form(&[
            ("token", client.as_str()),
            ("state", "a b&c=d/é"),
            ("institutionId", "AU00000"),
            ("loginId", "gavinBelson"),
            ("password", "hooli2016"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&format!("{}/consent/done?jobIds=", api.base)), "{location}");
    let parsed = url::Url::parse(&location).unwrap();
    let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    assert_eq!(pairs[1], ("state".to_owned(), "a b&c=d/é".to_owned()));
    let job_id = pairs[0].1.clone();
    let job = api.wait_job(&job_id).await;
    assert!(Api::steps(&job).iter().all(|(_, st)| st == "success"));

    let bad = no_redirect.get(format!("{}?token=nope", api.sb.consent_url_base())).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
    let server_token_page =
        no_redirect.get(format!("{}?token={}", api.sb.consent_url_base(), api.token)).send().await.unwrap();
    assert_eq!(server_token_page.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn consent_page_uses_custom_redirect_url() {
    let api = Api::with(Sandbox::builder().redirect_url("https://app.example/callback?x=1")).await;
    let user = api.user().await;
    let client = api.sb.client_token(&user).unwrap();
    let no_redirect = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let resp = no_redirect
        .post(api.sb.consent_url_base())
        .form(&[
            ("token", client.as_str()),
            ("institutionId", "AU00000"),
            ("loginId", "ashMann"),
            ("password", "hooli2024"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let location = resp.headers()["location"].to_str().unwrap();
    assert!(location.starts_with("https://app.example/callback?x=1&jobIds="), "{location}");
    assert!(!location.contains("state="));
}

#[tokio::test]
async fn refresh_returns_running_job_then_new_job() {
    let api = Api::with(Sandbox::builder().job_step_delay(Duration::from_millis(150))).await;
    let user = api.user().await;
    let o = api.sb.complete_consent(&user, "AU00000", "ashMann", "hooli2024").unwrap();
    let conn = o.connection_id.unwrap();
    let (st, body) = api.post(&format!("/users/{user}/connections/{conn}/refresh"), json!({})).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["id"], o.job_id.as_str());
    api.wait_job(&o.job_id).await;
    let (st, body) = api.post(&format!("/users/{user}/connections/{conn}/refresh"), json!({})).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    assert_ne!(body["id"], o.job_id.as_str());
    let (st, all) = api.post(&format!("/users/{user}/connections/refresh"), json!({})).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    assert_eq!(all["data"][0]["id"], body["id"]);

    let user_jobs = format!("/users/{user}/jobs");
    let (_, jobs) = api.get(&expr::url(&user_jobs, &expr::statement("connection.id", "eq", &[&conn]))).await;
    assert_eq!(jobs["data"].as_array().unwrap().len(), 2);
    assert_eq!(jobs["data"][0]["institution"]["id"], "AU00000");
    let (_, none) = api.get(&expr::url(&user_jobs, "connection.id.eq('other')")).await;
    assert_eq!(none["data"].as_array().unwrap().len(), 0);

    // purge removes data; the next refresh brings it back.
    api.wait_job(s(&body["id"])).await;
    let (st, _) = api.post(&format!("/users/{user}/connections/{conn}/purge"), json!({})).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, accounts) = api.get(&format!("/users/{user}/accounts")).await;
    assert_eq!(accounts["data"].as_array().unwrap().len(), 0);
    let (_, r) = api.post(&format!("/users/{user}/connections/{conn}/refresh"), json!({})).await;
    api.wait_job(s(&r["id"])).await;
    let (_, accounts) = api.get(&format!("/users/{user}/accounts")).await;
    assert_eq!(accounts["data"].as_array().unwrap().len(), 2);

    let (st, _) = api.delete(&format!("/users/{user}/connections/{conn}")).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = api.get(&format!("/users/{user}/connections/{conn}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

async fn snapshot(seed: u64) -> (Vec<String>, Vec<(String, String)>) {
    let api = Api::with(Sandbox::builder().seed(seed).job_step_delay(Duration::from_millis(5))).await;
    let user = api.user().await;
    let o = api.sb.complete_consent(&user, "AU00000", "jared", "django").unwrap();
    api.wait_job(&o.job_id).await;
    let (_, accounts) = api.get(&format!("/users/{user}/accounts")).await;
    let ids = accounts["data"].as_array().unwrap().iter().map(|a| s(&a["id"]).to_owned()).collect();
    let (_, txns) = api.get(&format!("/users/{user}/transactions?limit=50")).await;
    let t =
        txns["data"].as_array().unwrap().iter().map(|t| (s(&t["id"]).to_owned(), s(&t["amount"]).to_owned())).collect();
    (ids, t)
}

#[tokio::test]
async fn same_seed_same_data() {
    let a = snapshot(7).await;
    let b = snapshot(7).await;
    let c = snapshot(8).await;
    assert_eq!(a.0.len(), 4);
    assert_eq!(a, b);
    assert_ne!(a.0, c.0);
    assert_ne!(a.1, c.1);
}

#[tokio::test]
async fn complete_consent_errors() {
    let sb = Sandbox::start().await.unwrap();
    assert!(matches!(sb.complete_consent("nobody", "AU00000", "a", "b"), Err(SandboxError::UnknownUser(_))));
    let user = sb.create_user("x@y.co");
    assert!(matches!(sb.complete_consent(&user, "AU12345", "a", "b"), Err(SandboxError::UnknownInstitution(_))));
}
