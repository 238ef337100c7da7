//! The token requests: `postToken`, the implicit SERVER_ACCESS and CLIENT_ACCESS tokens and their caching.

use basiq::{Call, types};

use super::{USER_AGENT, template};
use crate::support::capture::{API_KEY, Answer, Capture, Captured, TOKEN};
use crate::support::ops::USER;
use crate::support::spec::{match_template, request_fixture, request_fixture_json};

/// Checks a `/token` request: Basic key verbatim, form body, version header, no bearer token.
fn check_token_request(request: &Captured, form: &[(&str, &str)]) {
    assert_eq!(request.method, "POST");
    assert_eq!(request.path(), "/token");
    assert_eq!(request.query(), None);
    assert_eq!(request.header("authorization"), Some(format!("Basic {API_KEY}").as_str()));
    assert_eq!(request.header("content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(request.header("basiq-version"), Some("3.0"));
    assert_eq!(request.header("accept"), Some("application/json"));
    assert!(request.headers.get("api-version").is_none());
    let want: Vec<(String, String)> = form.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    assert_eq!(request.form(), want);
}

#[tokio::test]
async fn post_token() {
    let capture = Capture::new();
    let client = capture.client();
    let body: types::TokenRequest = request_fixture("postToken");
    let token = client.post_token().body(body).call().await.unwrap();
    assert_eq!(token.access_token, TOKEN);

    // No implicit token request before the token request itself.
    let all = capture.requests();
    assert_eq!(all.len(), 1, "{all:#?}");
    let request = &all[0];
    assert_eq!(request.header("user-agent"), Some(USER_AGENT));
    // The form carries every field of the fixture, values intact.
    let mut sent = request.form();
    sent.sort();
    let fixture = request_fixture_json("postToken");
    let mut want: Vec<(String, String)> =
        fixture.as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())).collect();
    want.sort();
    assert_eq!(sent, want);
    assert_eq!(request.header("authorization"), Some(format!("Basic {API_KEY}").as_str()));
    assert_eq!(request.header("content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(request.header("basiq-version"), Some("3.0"));
    assert!(request.headers.get("api-version").is_none());
    assert!(match_template(template("postToken").1, request.path()).is_some());
    super::snapshot("postToken", request);
}

#[tokio::test]
async fn implicit_server_token() {
    let capture = Capture::answering(Answer::success("getUser"));
    let client = capture.client();
    client.get_user().user_id(USER).call().await.unwrap();
    let token = &capture.requests()[0];
    check_token_request(token, &[("scope", "SERVER_ACCESS")]);
    super::snapshot("implicit_server_token", token);
}

#[tokio::test]
async fn implicit_client_token() {
    let capture = Capture::new();
    let client = capture.client();
    let token = client.client_token("user-1").await.unwrap();
    assert_eq!(token.expose(), TOKEN);
    let all = capture.requests();
    assert_eq!(all.len(), 1, "a client token needs no server token first: {all:#?}");
    check_token_request(&all[0], &[("scope", "CLIENT_ACCESS"), ("userId", "user-1")]);
    super::snapshot("implicit_client_token", &all[0]);
}

#[tokio::test]
async fn the_server_token_is_fetched_once_and_reused() {
    let capture = Capture::new();
    capture.fallback(Answer::success("getUser"));
    let client = capture.client();
    for _ in 0..3 {
        client.get_user().user_id(USER).call().await.unwrap();
    }
    assert_eq!(capture.token_requests().len(), 1);
    assert_eq!(capture.api_requests().len(), 3);
}

#[tokio::test]
async fn the_client_token_is_bound_to_its_user() {
    let capture = Capture::new();
    let client = capture.client();
    client.client_token("user-1").await.unwrap();
    client.client_token("user-2").await.unwrap();
    client.client_token("user-1").await.unwrap();
    let forms: Vec<_> = capture.token_requests().iter().map(Captured::form).collect();
    assert_eq!(forms.len(), 2, "one token per user, cached: {forms:?}");
    assert_eq!(forms[1][1], ("userId".to_owned(), "user-2".to_owned()));
}
