//! Token rules of the embedded sandbox.

use crate::support as helpers;

use std::time::Duration;

use basiq_sandbox::Sandbox;
use helpers::{Api, err, token};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn raw_token(
    sb: &Sandbox,
    auth: Option<&str>,
    version: Option<&str>,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new().post(format!("{}/token", sb.base_url())).form(form);
    if let Some(a) = auth {
        req = req.header("Authorization", a);
    }
    if let Some(v) = version {
        req = req.header("basiq-version", v);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap())
}

#[tokio::test]
async fn token_header_and_form_rules() {
    let sb = Sandbox::start().await.unwrap();
    let key = format!("Basic {}", sb.api_key());
    let server = [("scope", "SERVER_ACCESS")];

    let (s, b) = raw_token(&sb, Some(&key), Some("3.0"), &server).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["token_type"], "Bearer");
    assert_eq!(b["expires_in"], 3600);
    assert!(b["access_token"].as_str().unwrap().len() >= 32);

    let (s, b) = raw_token(&sb, None, Some("3.0"), &server).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(err(&b)["code"], "parameter-not-valid");
    assert_eq!(err(&b)["source"]["parameter"], "Authorization");

    let (s, b) = raw_token(&sb, Some("Basic bm90LXRoZS1rZXk="), Some("3.0"), &server).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(err(&b)["code"], "parameter-not-valid");
    assert!(err(&b)["detail"].as_str().unwrap().starts_with("Unable to authenticate"));

    let (s, b) = raw_token(&sb, Some(&key), None, &server).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(err(&b)["source"]["parameter"], "basiq-version");
    let (s, _) = raw_token(&sb, Some(&key), Some("2.1"), &server).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    let (s, b) = raw_token(&sb, Some(&key), Some("3.0"), &[]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(err(&b)["source"]["parameter"], "scope");
    let (s, _) = raw_token(&sb, Some(&key), Some("3.0"), &[("scope", "EVERYTHING")]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, b) = raw_token(&sb, Some(&key), Some("3.0"), &[("scope", "CLIENT_ACCESS")]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(err(&b)["source"]["parameter"], "userId");
    let (s, _) = raw_token(&sb, Some(&key), Some("3.0"), &[("scope", "CLIENT_ACCESS"), ("userId", "nobody")]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    assert_eq!(sb.token_requests(), 9);
}

fn b64decode(s: &str) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let (mut acc, mut bits, mut out) = (0u32, 0, Vec::new());
    for c in s.bytes().filter(|c| *c != b'=') {
        acc = (acc << 6) | T.iter().position(|x| *x == c).expect("base64 char") as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    String::from_utf8(out).expect("utf8")
}

#[tokio::test]
async fn api_key_is_base64_of_two_uuids_and_debug_hides_it() {
    let sb = Sandbox::start().await.unwrap();
    let key = sb.api_key().to_owned();
    let decoded = b64decode(&key);
    let (a, b) = decoded.split_once(':').expect("two parts");
    for part in [a, b] {
        assert_eq!(part.len(), 36, "{part}");
        assert_eq!(part.matches('-').count(), 4, "{part}");
    }
    assert!(!format!("{sb:?}").contains(&key));
    assert!(sb.base_url().starts_with("http://127.0.0.1:"));
    assert_eq!(sb.consent_url_base(), format!("{}/consent/home", sb.base_url()));
}

#[tokio::test]
async fn bearer_rules() {
    let api = Api::new().await;
    let (s, b) = api.get_with("/connectors", "garbage").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(err(&b)["code"], "invalid-authorization-token");
    assert_eq!(err(&b)["detail"], "Invalid authorization token.");

    let resp = api.http.get(api.url("/connectors")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    let (s, _) = api.get("/connectors").await;
    assert_eq!(s, StatusCode::OK);
    api.sb.revoke_all_tokens();
    let (s, b) = api.get("/connectors").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(err(&b)["code"], "access-denied");
    assert_eq!(err(&b)["detail"], "Token has expired");
}

#[tokio::test]
async fn tokens_expire_after_lifetime() {
    let api = Api::with(Sandbox::builder().token_lifetime(Duration::from_millis(300))).await;
    let (s, _) = api.get("/connectors").await;
    assert_eq!(s, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (s, b) = api.get("/connectors").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(err(&b)["detail"], "Token has expired");
}

#[tokio::test]
async fn client_access_token_is_limited_to_its_users_jobs() {
    let api = Api::new().await;
    let user = api.user().await;
    let other = api.user().await;
    let (s, b) = token(&api.http, &api.sb, &[("scope", "CLIENT_ACCESS"), ("userId", &user)]).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let client = b["access_token"].as_str().unwrap().to_owned();

    for path in [format!("/users/{user}"), format!("/users/{user}/accounts"), "/connectors".to_owned()] {
        let (s, b) = api.get_with(&path, &client).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(err(&b)["code"], "forbidden-access");
        assert_eq!(err(&b)["detail"], "Access to this resource is forbidden");
    }
    let (s, _) = api.post_with("/users", json!({"email": "a@b.co"}), &client).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let own = api.sb.complete_consent(&user, "AU00000", "gavinBelson", "hooli2016").unwrap();
    let (s, job) = api.get_with(&format!("/jobs/{}", own.job_id), &client).await;
    assert_eq!(s, StatusCode::OK, "{job}");
    assert_eq!(job["id"], own.job_id.as_str());

    let theirs = api.sb.complete_consent(&other, "AU00000", "gavinBelson", "hooli2016").unwrap();
    let (s, b) = api.get_with(&format!("/jobs/{}", theirs.job_id), &client).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(err(&b)["code"], "forbidden-access");
}

#[tokio::test]
async fn unknown_routes_and_ids_are_404_envelopes() {
    let api = Api::new().await;
    let (s, b) = api.get("/nope/nothing").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(err(&b)["code"], "resource-not-found");
    let (s, b) = api.get("/users/does-not-exist").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(err(&b)["detail"], "Requested user does not exist.");
    let user = api.user().await;
    for path in [
        format!("/users/{user}/accounts/x"),
        format!("/users/{user}/transactions/x"),
        format!("/users/{user}/connections/x"),
        "/jobs/x".to_owned(),
        "/events/x".to_owned(),
        "/events/types/x".to_owned(),
        "/reports/x".to_owned(),
        "/reports/types/x".to_owned(),
        "/notifications/webhooks/x".to_owned(),
        "/connectors/AU99999/web".to_owned(),
    ] {
        let (s, b) = api.get(&path).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}: {b}");
        assert_eq!(err(&b)["code"], "resource-not-found", "{path}");
    }
    let resp = api.http.put(api.url("/users")).bearer_auth(&api.token).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
}
