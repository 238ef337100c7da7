//! The consent journey's pages over plain HTTP (no browser): each step's form leads to the next,
//! the actions answer as documented, and bad links get a plain page. The same journey is driven
//! in headless Chromium by the client's `tests/browser.rs`.

use std::time::Duration;

use crate::support::Api;
use basiq_sandbox::Sandbox;
use reqwest::StatusCode;

/// A client that does not follow redirects, so each 303 can be checked.
fn browser() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn get(api: &Api, path_and_query: &str) -> (StatusCode, String, Option<String>) {
    let resp = browser().get(format!("{}{path_and_query}", api.base)).send().await.unwrap();
    let location = resp.headers().get("location").map(|l| l.to_str().unwrap().to_owned());
    (resp.status(), resp.text().await.unwrap(), location)
}

async fn post(api: &Api, path: &str, form: &[(&str, &str)]) -> (StatusCode, String, Option<String>) {
    let resp = browser().post(format!("{}{path}", api.base)).form(form).send().await.unwrap();
    let location = resp.headers().get("location").map(|l| l.to_str().unwrap().to_owned());
    (resp.status(), resp.text().await.unwrap(), location)
}

fn query_of(location: &str) -> Vec<(String, String)> {
    let url = url::Url::parse(&format!("http://x{location}")).or_else(|_| url::Url::parse(location)).unwrap();
    url.query_pairs().into_owned().collect()
}

fn value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn the_journey_goes_from_consent_to_redirect_through_mfa() {
    let api = Api::with(Sandbox::builder().job_step_delay(Duration::from_millis(5))).await;
    let user = api.user().await;
    let token = api.sb.client_token(&user).unwrap();

    let (st, html, _) = get(&api, &format!("/consent/home?token={token}&state=s%201")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("transaction.detail") && html.contains("12 months"), "{html}");

    let (st, _, to) = post(&api, "/consent/agree", &[("token", &token), ("state", "s 1")]).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let to = to.unwrap();
    assert!(to.starts_with("/consent/institutions?"), "{to}");

    let (_, html, _) = get(&api, &format!("{to}&q=pied")).await;
    assert!(html.contains("value=\"AU00002\"") && !html.contains("value=\"AU00000\""), "{html}");

    let form = [("token", token.as_str()), ("state", "s 1"), ("institutionId", "AU00002")];
    let login = [&form[..], &[("loginId", "jared"), ("password", "django")]].concat();
    let (st, _, to) = post(&api, "/consent/login", &login).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let progress = to.unwrap();
    let job_id = value(&query_of(&progress), "jobId").unwrap().to_owned();

    let mut html = String::new();
    for _ in 0..100 {
        html = get(&api, &progress).await.1;
        if html.contains("answer0") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(html.contains("OTP Password"), "{html}");
    let answer = [&form[..], &[("jobId", job_id.as_str()), ("answer0", "1234")]].concat();
    let (st, _, _) = post(&api, "/consent/mfa", &answer).await;
    assert_eq!(st, StatusCode::SEE_OTHER);

    let job = api.wait_job(&job_id).await;
    assert!(Api::steps(&job).iter().all(|(_, st)| st == "success"), "{job}");
    let (st, _, to) = get(&api, &progress).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let back = query_of(&to.unwrap());
    assert_eq!(value(&back, "jobIds"), Some(job_id.as_str()));
    assert_eq!(value(&back, "state"), Some("s 1"));
}

#[tokio::test]
async fn bad_links_and_actions_without_a_consent_get_plain_pages() {
    let api = Api::new().await;
    let user = api.user().await;
    let token = api.sb.client_token(&user).unwrap();

    let (st, html, _) = get(&api, "/consent/home?token=nope").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert!(html.contains("not valid") && html.starts_with("<!doctype html>"), "{html}");
    let (st, _, _) = get(&api, &format!("/consent/home?token={}", api.token)).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "a SERVER_ACCESS token cannot open the journey");

    for action in ["extend", "update"] {
        let (st, html, _) = get(&api, &format!("/consent/home?token={token}&action={action}")).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{action}");
        assert!(html.contains(&format!("no active consent to {action}")), "{html}");
    }
    let (st, html, _) = get(&api, &format!("/consent/home?token={token}&action=reauthorise")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("not modelled"), "{html}");
    let (st, _, _) = get(&api, &format!("/consent/home?token={token}&action=fly")).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, _, _) = get(&api, &format!("/consent/home?token={token}&connectionId=missing")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    api.sb.revoke_all_tokens();
    let (st, html, _) = post(&api, "/consent/agree", &[("token", &token)]).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert!(html.contains("expired"), "{html}");
}

#[tokio::test]
async fn extend_moves_the_expiry_and_cancel_returns_the_state() {
    let api = Api::new().await;
    let user = api.user().await;
    let token = api.sb.client_token(&user).unwrap();
    let o = api.sb.complete_consent(&user, "AU00000", "ashMann", "hooli2024").unwrap();
    api.wait_job(&o.job_id).await;
    let (_, before) = api.get(&format!("/users/{user}/consents")).await;

    let (st, _, _) = get(&api, &format!("/consent/home?token={token}&action=extend")).await;
    assert_eq!(st, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (st, _, to) = post(&api, "/consent/extend", &[("token", &token), ("action", "extend"), ("state", "x")]).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(value(&query_of(&to.unwrap()), "state"), Some("x"));
    let (_, after) = api.get(&format!("/users/{user}/consents")).await;
    assert_eq!(after["data"][0]["status"], "active");
    assert_ne!(after["data"][0]["updated"], before["data"][0]["updated"], "{after}");

    let (st, _, to) = post(&api, "/consent/cancel", &[("token", &token), ("state", "y")]).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let back = query_of(&to.unwrap());
    assert_eq!(value(&back, "state"), Some("y"));
    assert_eq!(value(&back, "error"), Some("cancelled"));
}

#[tokio::test]
async fn the_discovery_document_names_the_consent_page() {
    let api = Api::with(Sandbox::builder().redirect_url("http://127.0.0.1:9/cb").skip_error_screen(true)).await;
    let doc: serde_json::Value =
        reqwest::get(format!("{}/.well-known/basiq-sandbox", api.base)).await.unwrap().json().await.unwrap();
    assert_eq!(doc["consentUrl"], api.sb.consent_url_base());
    assert_eq!(doc["redirectUrl"], "http://127.0.0.1:9/cb");
    assert_eq!(doc["skipErrorScreen"], true);
}

#[tokio::test]
async fn a_wrong_mfa_answer_fails_the_job_and_goes_back_to_the_login_page() {
    let api = Api::with(Sandbox::builder().job_step_delay(Duration::from_millis(5))).await;
    let user = api.user().await;
    let token = api.sb.client_token(&user).unwrap();
    let form = [("token", token.as_str()), ("institutionId", "AU00002")];
    let login = [&form[..], &[("loginId", "Gilfoyle"), ("password", "PiedPiper")]].concat();
    let progress = post(&api, "/consent/login", &login).await.2.unwrap();
    let job_id = value(&query_of(&progress), "jobId").unwrap().to_owned();
    for _ in 0..100 {
        if get(&api, &progress).await.1.contains("first company") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let answer = [&form[..], &[("jobId", job_id.as_str()), ("answer0", "Aviato")]].concat();
    post(&api, "/consent/mfa", &answer).await;
    let (st, html, _) = get(&api, &progress).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(html.contains("challenge was not correct") && html.contains("id=\"password\""), "{html}");
    let job = api.wait_job(&job_id).await;
    assert_eq!(job["steps"][1]["status"], "failed", "{job}");
}
