//! The exact HTTP request every operation sends, captured without a network and pinned in an
//! insta snapshot named after the operationId (`tests/client/snapshots/client__requests__<operationId>.snap`).
//!
//! Besides the snapshot, each test checks what must hold for every call: the implicit
//! SERVER_ACCESS token request comes first, the call goes to the spec's method and path
//! template, carries `Bearer <token>`, our user agent and no `api-version`, and its body is
//! the request fixture it was built from. Hostile identifiers check path encoding.

use crate::support;

use std::collections::BTreeSet;

use basiq::{Call, Error};
use support::capture::{Answer, Capture, Captured, TOKEN};
use support::ops::USER;
use support::spec::{self, decode_segment, match_template, request_fixture_json};

const USER_AGENT: &str = concat!("basiq-rs/", env!("CARGO_PKG_VERSION"));

/// Identifiers a caller may pass that must survive as one path segment.
const SLASH_QUERY_FRAGMENT: &str = "a/b?c#d";
const UNICODE: &str = "ünïcødé";
const SPACE_PLUS_AMP: &str = "x y+z&w=1";
const ENCODED_SLASH: &str = "%2F";

/// The template an operation must be sent to: its `basiq::OPERATIONS` entry, which must agree
/// with the spec. An operation missing from the table (see `operations_table_lists_every_spec_operation`)
/// falls back to the spec so its request is still checked.
fn template(operation_id: &str) -> (&'static str, &'static str) {
    let spec = spec::operation(operation_id);
    match basiq::OPERATIONS.iter().find(|o| o.operation_id == operation_id) {
        Some(entry) => {
            assert_eq!((entry.method, entry.path), (spec.method.as_str(), spec.path.as_str()), "{operation_id}");
            (entry.method, entry.path)
        }
        None => (spec.method.as_str(), spec.path.as_str()),
    }
}

/// Checks the traffic of one operation call and returns the operation's own request.
fn check_operation(operation_id: &str, capture: &Capture) -> Captured {
    let all = capture.requests();
    assert_eq!(all.len(), 2, "{operation_id}: expected the token request and one call, got {all:#?}");
    let (token, request) = (&all[0], &all[1]);
    assert!(token.is_token(), "{operation_id}: the first request must fetch the SERVER_ACCESS token");
    assert_eq!(token.form(), [("scope".to_owned(), "SERVER_ACCESS".to_owned())]);

    let spec = spec::operation(operation_id);
    let (method, path) = template(operation_id);
    assert_eq!(request.method, method, "{operation_id}: HTTP method");
    assert!(
        match_template(path, request.path()).is_some(),
        "{operation_id}: {} does not match the template {path}",
        request.path()
    );
    assert!(request.url.fragment().is_none(), "{operation_id}: a fragment leaked into {}", request.url);
    for (name, _) in request.query_pairs() {
        assert!(spec.query_params.contains(&name), "{operation_id}: query parameter {name} is not in the spec");
    }

    assert_eq!(request.header("authorization"), Some(format!("Bearer {TOKEN}").as_str()), "{operation_id}");
    assert_eq!(request.header("user-agent"), Some(USER_AGENT), "{operation_id}");
    assert_eq!(request.header("accept"), Some("application/json"), "{operation_id}");
    assert!(request.headers.get("api-version").is_none(), "{operation_id}: progenitor's api-version leaked");
    assert!(request.headers.get("basiq-version").is_none(), "{operation_id}: basiq-version belongs on /token only");

    match spec.request_content_type.as_deref() {
        Some("application/json") => {
            assert_eq!(request.header("content-type"), Some("application/json"), "{operation_id}");
            assert_eq!(request.body_json(), request_fixture_json(operation_id), "{operation_id}: body != fixture");
        }
        Some("multipart/form-data") => {
            let content_type = request.header("content-type").unwrap_or_default();
            assert!(content_type.starts_with("multipart/form-data; boundary="), "{operation_id}: {content_type}");
        }
        Some(other) => panic!("{operation_id}: no check written for request bodies of type {other}"),
        None => {
            assert!(request.body.as_deref().is_none_or(<[u8]>::is_empty), "{operation_id}: unexpected body");
            assert!(request.headers.get("content-type").is_none(), "{operation_id}: content type without a body");
        }
    }
    request.clone()
}

/// Asserts that path parameter `param` was sent as the single segment `encoded`, which decodes
/// back to `sent`, and that nothing of it spilled into the query or a fragment.
fn assert_segment(request: &Captured, operation_id: &str, param: &str, sent: &str, encoded: &str) {
    let (_, path) = template(operation_id);
    let params = match_template(path, request.path()).expect("path matches its template");
    let raw = &params.iter().find(|(name, _)| name == param).unwrap_or_else(|| panic!("no {{{param}}} in {path}")).1;
    assert_eq!(raw, encoded, "{operation_id}: {param} {sent:?} was sent as {raw:?}");
    assert!(request.path().contains(encoded));
    assert_eq!(decode_segment(raw), sent, "{operation_id}: {param} does not decode back");
    assert!(!request.path().contains(['?', '#']), "{operation_id}: raw ? or # in {}", request.path());
    assert!(!request.url.as_str().contains('#'), "{operation_id}: fragment in {}", request.url);
}

/// One test per operation: call it against a capture transport that answers with the
/// operation's response fixture and success status, check the traffic, snapshot the request.
macro_rules! request_test {
    ($test:ident, $operation:literal, |$client:ident| $call:expr) => {
        request_test!($test, $operation, |$client| $call, |_request| {});
    };
    ($test:ident, $operation:literal, |$client:ident| $call:expr, |$request:ident| $extra:block) => {
        #[tokio::test]
        async fn $test() {
            let capture = $crate::support::capture::Capture::answering($crate::support::capture::Answer::success($operation));
            let $client = capture.client();
            let outcome = $call.await;
            assert!(outcome.is_ok(), "{}: {:?}", $operation, outcome.err());
            let $request = $crate::requests::check_operation($operation, &capture);
            $extra
            $crate::requests::snapshot($operation, &$request);
        }
    };
}

/// Pins `request` in `tests/client/snapshots/client__requests__<name>.snap`, whichever file of
/// this module the test lives in.
fn snapshot(name: &str, request: &Captured) {
    insta::with_settings!({ snapshot_path => "../snapshots" }, {
        insta::assert_yaml_snapshot!(name, request.snapshot());
    });
}

mod core;
mod data;
mod insights;
mod payees_analytics;
mod payments;
mod reports;
mod token;
mod webhooks;

// ---- identifiers that cannot be sent as a path segment -------------------------------------

/// `.` and `..` are dot-segments: URL parsing removes them (`/users/u/consents/..` becomes
/// `/users/u/`), and `%2E%2E` is treated the same way, so they cannot be sent as an id. The
/// client must refuse them instead of calling another endpoint (here: DELETE on the user).
#[tokio::test]
async fn dot_segment_identifiers_never_reach_another_endpoint() {
    for id in ["..", "."] {
        let capture = Capture::answering(Answer::empty(204));
        let client = capture.client();
        let outcome = client.delete_consent().user_id(USER).consent_id(id).call().await;
        let sent: Vec<String> = capture.api_requests().iter().map(|r| r.path().to_owned()).collect();
        match outcome {
            Err(Error::InvalidInput(_)) => assert!(sent.is_empty(), "refused, yet sent {sent:?}"),
            other => {
                assert_eq!(sent.len(), 1, "{id:?}: {other:?}");
                let params = match_template(template("deleteConsent").1, &sent[0]);
                assert!(params.is_some(), "consent id {id:?} sent DELETE {} instead of a consent", sent[0]);
            }
        }
    }
}

// ---- token requests carry the same client settings as API calls ----------------------------

#[tokio::test]
async fn token_requests_carry_the_user_agent_and_the_attempt_timeout() {
    let capture = Capture::answering(Answer::success("getUser"));
    let client = capture.client();
    client.get_user().user_id(USER).call().await.unwrap();
    let all = capture.requests();
    assert_eq!(all[1].header("user-agent"), Some(USER_AGENT));
    assert!(all[1].timeout.is_some(), "API calls have a per-attempt timeout");
    assert_eq!(all[0].header("user-agent"), Some(USER_AGENT), "token request user agent");
    assert_eq!(all[0].timeout, all[1].timeout, "token request timeout");
}

// ---- the operation table and the snapshots -------------------------------------------------

#[test]
fn operations_table_entries_match_the_spec() {
    assert!(!basiq::OPERATIONS.is_empty());
    for entry in basiq::OPERATIONS {
        let spec = spec::operation(entry.operation_id);
        assert_eq!((entry.method, entry.path), (spec.method.as_str(), spec.path.as_str()), "{}", entry.operation_id);
        assert_eq!(entry.generated, entry.operation_id != "createStatement", "{}", entry.operation_id);
    }
    let ids: BTreeSet<&str> = basiq::OPERATIONS.iter().map(|o| o.operation_id).collect();
    assert_eq!(ids.len(), basiq::OPERATIONS.len(), "duplicate operationIds in OPERATIONS");
}

#[test]
fn operations_table_lists_every_spec_operation() {
    let table: BTreeSet<&str> = basiq::OPERATIONS.iter().map(|o| o.operation_id).collect();
    let missing: Vec<&str> =
        spec::operations().iter().map(|o| o.operation_id.as_str()).filter(|id| !table.contains(id)).collect();
    assert!(missing.is_empty(), "operations missing from basiq::OPERATIONS: {missing:?}");
    assert_eq!(basiq::OPERATIONS.len(), 78, "Basiq's 56 v3 operations and the 22 of its newer domains");
}

/// Names of every snapshot this file must have: each operation, plus the implicit token requests.
fn expected_snapshots() -> BTreeSet<String> {
    let mut names: BTreeSet<String> = basiq::OPERATIONS.iter().map(|o| o.operation_id.to_owned()).collect();
    names.extend(spec::operations().iter().map(|o| o.operation_id.clone()));
    names.extend(["implicit_server_token".to_owned(), "implicit_client_token".to_owned()]);
    names
}

#[test]
fn every_operation_has_a_request_snapshot() {
    assert_eq!(spec::operations().len(), 78, "the spec describes Basiq's 56 v3 operations and 22 newer ones");
    let dir = spec::root().join("tests/client/snapshots");
    let missing: Vec<String> = expected_snapshots()
        .into_iter()
        .filter(|name| !dir.join(format!("client__requests__{name}.snap")).is_file())
        .collect();
    assert!(missing.is_empty(), "no request snapshot for {missing:?}: add a test to a file of tests/client/requests/");
}

#[test]
fn no_request_snapshot_is_stale() {
    let expected = expected_snapshots();
    let dir = spec::root().join("tests/client/snapshots");
    let stale: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|file| file.strip_prefix("client__requests__")?.strip_suffix(".snap").map(str::to_owned))
        .filter(|name| !expected.contains(name))
        .collect();
    assert!(stale.is_empty(), "snapshots for operations that no longer exist: {stale:?}");
}
