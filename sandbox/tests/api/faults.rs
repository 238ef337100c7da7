//! Fault injection.

use crate::support as helpers;

use std::time::{Duration, Instant};

use basiq_sandbox::{Fault, FaultKind, Sandbox};
use helpers::{Api, err};
use reqwest::StatusCode;

#[tokio::test]
async fn too_many_requests_with_retry_after() {
    let api = Api::new().await;
    let user = api.user().await;
    api.sb.inject(Fault::new(
        "getAccounts",
        FaultKind::TooManyRequests { retry_after: Some(Duration::from_secs(7)) },
        2,
    ));
    for _ in 0..2 {
        let resp =
            api.http.get(api.url(&format!("/users/{user}/accounts"))).bearer_auth(&api.token).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(resp.headers()["retry-after"], "7");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(err(&body)["code"], "too-many-requests");
    }
    let (s, _) = api.get(&format!("/users/{user}/accounts")).await;
    assert_eq!(s, StatusCode::OK, "fault should be used up after 2 requests");
    // Other operations were never affected.
    api.sb.inject(Fault::new("getAccounts", FaultKind::TooManyRequests { retry_after: None }, 1));
    let (s, _) = api.get(&format!("/users/{user}")).await;
    assert_eq!(s, StatusCode::OK);
    let resp = api.http.get(api.url(&format!("/users/{user}/accounts"))).bearer_auth(&api.token).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().get("retry-after").is_none());
}

#[tokio::test]
async fn unavailable_from_builder_and_wildcard() {
    let api = Api::with(Sandbox::builder().fault(Fault::new("getConnectors", FaultKind::Unavailable, 1))).await;
    let (s, b) = api.get("/connectors").await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(err(&b)["code"], "service-unavailable");
    let (s, _) = api.get("/connectors").await;
    assert_eq!(s, StatusCode::OK);
    api.sb.inject(Fault::always("*", FaultKind::Unavailable));
    let (s, _) = api.get("/events/types").await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
    let (s, _) = api.get("/reports/types").await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
    api.sb.clear_faults();
    let (s, _) = api.get("/reports/types").await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn token_endpoint_can_fail_too() {
    let api = Api::new().await;
    api.sb.inject(Fault::new("postToken", FaultKind::Unavailable, 1));
    let (s, _) = helpers::token(&api.http, &api.sb, &[("scope", "SERVER_ACCESS")]).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
    let (s, _) = helpers::token(&api.http, &api.sb, &[("scope", "SERVER_ACCESS")]).await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn latency_delays_the_answer() {
    let api = Api::new().await;
    api.sb.inject(Fault::new("listReportTypes", FaultKind::Latency(Duration::from_millis(400)), 1));
    let start = Instant::now();
    let (s, _) = api.get("/reports/types").await;
    assert_eq!(s, StatusCode::OK);
    assert!(start.elapsed() >= Duration::from_millis(400), "{:?}", start.elapsed());
    let start = Instant::now();
    api.get("/reports/types").await;
    assert!(start.elapsed() < Duration::from_millis(400));
}

#[tokio::test]
async fn revoke_token_fault() {
    let api = Api::new().await;
    api.sb.inject(Fault::new("getUser", FaultKind::RevokeToken, 1));
    let user = api.user().await;
    let (s, b) = api.get(&format!("/users/{user}")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(err(&b)["detail"], "Token has expired");
    // The token stays revoked for every later call.
    let (s, _) = api.get("/connectors").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn drop_connection_is_a_transport_error() {
    let api = Api::new().await;
    api.sb.inject(Fault::new("getConnectors", FaultKind::DropConnection, 1));
    let res = api.http.get(api.url("/connectors")).bearer_auth(&api.token).send().await;
    let e = res.expect_err("the connection must be dropped without a response");
    assert!(e.is_request() || e.is_connect(), "{e:?}");
    assert!(e.status().is_none());
    let (s, _) = api.get("/connectors").await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn dropping_the_sandbox_stops_the_server() {
    let sb = Sandbox::start().await.unwrap();
    let base = sb.base_url();
    let http = reqwest::Client::new();
    assert!(http.get(format!("{base}/connectors")).send().await.is_ok());
    sb.shutdown().await;
    let fresh = reqwest::Client::new();
    assert!(fresh.get(format!("{base}/connectors")).send().await.is_err());

    let sb = Sandbox::start().await.unwrap();
    let base = sb.base_url();
    drop(sb);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(reqwest::Client::new().get(format!("{base}/connectors")).send().await.is_err());
}
