//! Responses decoded through the whole client path (transport, hooks, `.call()`): every
//! response fixture, plus the quirks real Basiq payloads have and the error shapes it sends.

use crate::support;

use std::collections::BTreeSet;

use basiq::open::{AccountClassType, TransactionStatus};
use basiq::{Call, Error, RetryPolicy};
use serde_json::{Value, json};
use support::capture::{Answer, Capture};
use support::ops::{USER, call_op};
use support::spec;

/// Calls `operation_id` against a client whose transport answers with `answer`
/// (or, for `postToken`, answers `/token` with it).
async fn call_with(operation_id: &str, answer: Answer) -> (Result<Value, Error>, Capture) {
    let capture = Capture::new();
    if operation_id == "postToken" {
        capture.token_answer(answer);
    } else {
        capture.push(answer);
    }
    let client = capture.client();
    let outcome = call_op(&client, operation_id).await;
    (outcome, capture)
}

/// The response fixture of `operation_id`, parsed.
fn fixture(operation_id: &str) -> Value {
    serde_json::from_str(&spec::response_fixture(operation_id)).unwrap()
}

/// Operation ids of the files in `tests/fixtures/responses`.
fn fixture_ids() -> BTreeSet<String> {
    std::fs::read_dir(spec::root().join("tests/fixtures/responses"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .collect()
}

#[tokio::test]
async fn every_response_fixture_decodes_through_call() {
    let ids = fixture_ids();
    assert!(ids.len() >= 40, "only {} response fixtures found", ids.len());
    let mut failures = Vec::new();
    for id in &ids {
        let op = spec::operation(id);
        let (outcome, capture) = call_with(id, Answer::success(id)).await;
        let decoded = match outcome {
            Ok(decoded) => decoded,
            Err(e) => {
                failures.push(format!("{id} (HTTP {}): {e}", op.success_status));
                continue;
            }
        };
        // The fixture really went through the client: one call to the operation.
        let sent = capture.requests().iter().filter(|r| r.is_token() == (id == "postToken")).count();
        assert_eq!(sent, 1, "{id}: {:#?}", capture.requests());
        // The decoded value carries the fixture's identity and list length.
        let raw = fixture(id);
        if let Some(want) = raw.get("id") {
            assert_eq!(decoded.get("id"), Some(want), "{id}: id lost in decoding");
        }
        if let Some(Value::Array(items)) = raw.get("data") {
            let got = decoded.get("data").and_then(Value::as_array).map(Vec::len);
            assert_eq!(got, Some(items.len()), "{id}: data items lost in decoding");
        }
        if op.empty_success_too {
            assert!(!decoded.is_null(), "{id}: a 200 with a body must decode to Some");
        }
    }
    assert!(failures.is_empty(), "fixtures that do not decode:\n{}", failures.join("\n"));
}

#[test]
fn every_operation_with_a_response_body_has_a_fixture() {
    let ids = fixture_ids();
    let missing: Vec<&str> = spec::operations()
        .iter()
        .filter(|op| op.success_has_body && !ids.contains(&op.operation_id))
        .map(|op| op.operation_id.as_str())
        .collect();
    assert!(missing.is_empty(), "operations with a response body but no tests/fixtures/responses file: {missing:?}");
    let unexpected: Vec<&String> = ids
        .iter()
        .filter(|id| !spec::operations().iter().any(|op| &op.operation_id == *id && op.success_has_body))
        .collect();
    assert!(unexpected.is_empty(), "response fixtures for no operation with a body: {unexpected:?}");
}

// ---- quirks real payloads have -------------------------------------------------------------

#[tokio::test]
async fn an_unknown_enum_value_arrives_as_unknown() {
    let mut body = fixture("getAccounts");
    body["data"][0]["class"]["type"] = json!("crypto-wallet");
    let capture = Capture::answering(Answer::json(200, body.to_string()));
    let accounts = capture.client().get_accounts().user_id(USER).call().await.unwrap();
    let class = accounts.data[0].class.as_ref().unwrap().type_.as_ref().unwrap();
    assert_eq!(class, &AccountClassType::Unknown("crypto-wallet".into()));
    assert_eq!(class.as_str(), "crypto-wallet");
    // Known values still map to their variant.
    let second = accounts.data[1].class.as_ref().unwrap().type_.as_ref().unwrap();
    assert!(!second.is_unknown(), "{second:?}");
}

#[tokio::test]
async fn empty_dates_nulls_and_unknown_fields_do_not_fail() {
    let mut body = fixture("getTransactions");
    let txn = &mut body["data"][0];
    txn["transactionDate"] = json!("");
    txn["postDate"] = Value::Null;
    txn["status"] = json!("pending");
    txn["enrich"] = Value::Null;
    txn["balance"] = Value::Null;
    txn["subClass"] = Value::Null;
    txn["cardScheme"] = json!({"network": "visa", "tokenised": true});
    body["pageInfo"] = json!({"cursor": 42});
    let capture = Capture::answering(Answer::json(200, body.to_string()));
    let page = capture.client().get_transactions().user_id(USER).call().await.unwrap();
    let txn = &page.data[0];
    assert_eq!(txn.transaction_date.as_deref(), Some(""));
    assert_eq!(txn.post_date, None);
    assert_eq!(txn.status, Some(TransactionStatus::Pending));
    assert!(txn.enrich.is_none() && txn.balance.is_none() && txn.sub_class.is_none());

    let mut body = fixture("getConnection");
    body["expiryDate"] = json!("");
    body["lastUsed"] = Value::Null;
    body["institution"]["rank"] = json!(7);
    let capture = Capture::answering(Answer::json(200, body.to_string()));
    let connection = capture.client().get_connection().user_id(USER).connection_id("c-1").call().await.unwrap();
    assert_eq!(connection.expiry_date.as_deref(), Some(""));
    assert_eq!(connection.last_used, None);
}

#[tokio::test]
async fn a_204_from_the_snapshot_operations_is_no_result() {
    for id in ["postAffordability", "postExpenses", "postIncome"] {
        assert!(spec::operation(id).empty_success_too, "{id} is not marked x-basiq-empty-success");
        let (outcome, _) = call_with(id, Answer::empty(204)).await;
        assert_eq!(outcome.unwrap(), Value::Null, "{id}: a 204 must be Ok(None)");
        // ...and a 200 with a body is Some.
        let (outcome, _) = call_with(id, Answer::success(id)).await;
        assert!(outcome.unwrap().is_object(), "{id}: a 200 must be Ok(Some(..))");
    }
    // Typed: the output really is an Option.
    let capture = Capture::answering(Answer::empty(204));
    let none = capture.client().post_income().user_id(USER).call().await.unwrap();
    assert!(none.is_none());
}

// ---- errors --------------------------------------------------------------------------------

#[tokio::test]
async fn a_404_envelope_is_an_api_error_with_its_details() {
    let envelope = json!({
        "type": "list",
        "correlationId": "ac5ah5i",
        "data": [{
            "type": "error",
            "code": "resource-not-found",
            "title": "Requested resource is not found.",
            "detail": "Requested user does not exist.",
            "source": {"parameter": "userId"}
        }]
    });
    let capture = Capture::answering(Answer::json(404, envelope.to_string()));
    let err = capture.client().get_user().user_id(USER).call().await.unwrap_err();
    let Error::Api(api) = &err else { panic!("expected Error::Api, got {err:?}") };
    assert_eq!(api.status, 404);
    assert_eq!(api.correlation_id.as_deref(), Some("ac5ah5i"));
    assert_eq!(api.operation.as_deref(), Some("get_user"));
    assert_eq!(api.items.len(), 1);
    assert_eq!(api.items[0].parameter.as_deref(), Some("userId"));
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.correlation_id(), Some("ac5ah5i"));
    assert_eq!(err.codes(), ["resource-not-found"]);
    assert!(!err.is_retryable());
    assert_eq!(capture.api_requests().len(), 1, "a 404 is not retried");
}

#[tokio::test]
async fn an_html_502_is_an_api_error_with_its_status() {
    let html = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>";
    let capture = Capture::answering(Answer::with_type(502, "text/html", html));
    let client = capture.builder().retry_policy(RetryPolicy::disabled()).build().unwrap();
    let err = client.get_accounts().user_id(USER).call().await.unwrap_err();
    let Error::Api(api) = &err else { panic!("expected Error::Api, got {err:?}") };
    assert_eq!(api.status, 502);
    assert_eq!(api.correlation_id, None);
    assert_eq!(api.operation.as_deref(), Some("get_accounts"));
    assert!(err.is_retryable());
    assert!(err.to_string().contains("502"), "{err}");
    assert_eq!(capture.api_requests().len(), 1, "retries are disabled");
}

#[tokio::test]
async fn a_malformed_success_body_is_a_decode_error_naming_operation_and_field() {
    let mut body = fixture("getAccounts");
    body["data"][1]["balance"] = json!(-842.10);
    let capture = Capture::answering(Answer::json(200, body.to_string()));
    let err = capture.client().get_accounts().user_id(USER).call().await.unwrap_err();
    let Error::Decode(decode) = &err else { panic!("expected Error::Decode, got {err:?}") };
    assert_eq!(decode.operation.as_deref(), Some("get_accounts"));
    assert_eq!(decode.path.as_deref(), Some("data[1].balance"));
    assert_eq!(decode.status, Some(200));
    let text = err.to_string();
    assert!(text.contains("get_accounts") && text.contains("data[1].balance"), "{text}");
}

#[tokio::test]
async fn a_body_that_is_not_json_at_all_is_a_decode_error() {
    let capture = Capture::answering(Answer::json(200, "<html>maintenance</html>"));
    let err = capture.client().get_jobs().job_id("j-1").call().await.unwrap_err();
    let Error::Decode(decode) = &err else { panic!("expected Error::Decode, got {err:?}") };
    assert_eq!(decode.operation.as_deref(), Some("get_jobs"));
    assert_eq!(decode.path, None);
    assert_eq!(decode.status, Some(200));
    assert!(decode.excerpt.contains("maintenance"), "{decode:?}");
}

#[tokio::test]
async fn a_malformed_statement_answer_names_the_field() {
    let capture = Capture::answering(Answer::json(202, r#"{"type":"job","id":17}"#));
    let (institution, file) = support::ops::statement_fixture();
    let err = capture.client().create_statement(USER, &institution, file).await.unwrap_err();
    let Error::Decode(decode) = &err else { panic!("expected Error::Decode, got {err:?}") };
    assert_eq!(decode.operation.as_deref(), Some("create_statement"));
    assert_eq!(decode.path.as_deref(), Some("id"));
    assert_eq!(decode.status, Some(202));
}
