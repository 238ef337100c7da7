//! The exact HTTP request every operation sends, captured without a network and pinned in an
//! insta snapshot named after the operationId (`tests/client/snapshots/client__requests__<operationId>.snap`).
//!
//! Besides the snapshot, each test checks what must hold for every call: the implicit
//! SERVER_ACCESS token request comes first, the call goes to the spec's method and path
//! template, carries `Bearer <token>`, our user agent and no `api-version`, and its body is
//! the request fixture it was built from. Hostile identifiers check path encoding.

use crate::support;

use std::collections::BTreeSet;

use basiq::filter::{
    AccountFilter, ConnectionFilter, ConnectorFilter, EventFilter, JobFilter, ReportTransactionFilter,
    TransactionFilter, WebhookMessageFilter,
};
use basiq::open::{
    ConnectionMethod, ConnectorStatus, EventEntity, EventTypeId, TransactionDirection, TransactionStatus,
};
use basiq::{Call, Error, types};
use support::capture::{API_KEY, Answer, Capture, Captured, TOKEN};
use support::ops::{
    CONNECTION, CONSENT, EVENT, EVENT_TYPE, IDENTITY, INSTITUTION, JOB, REPORT, REPORT_TYPE, SNAPSHOT, USER, WEBHOOK,
    statement_fixture,
};
use support::spec::{self, decode_segment, match_template, request_fixture, request_fixture_json};
use time::macros::date;

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
            let capture = Capture::answering(Answer::success($operation));
            let $client = capture.client();
            let outcome = $call.await;
            assert!(outcome.is_ok(), "{}: {:?}", $operation, outcome.err());
            let $request = check_operation($operation, &capture);
            $extra
            insta::assert_yaml_snapshot!($operation, $request.snapshot());
        }
    };
}

// ---- token ---------------------------------------------------------------------------------

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
    insta::assert_yaml_snapshot!("postToken", request.snapshot());
}

#[tokio::test]
async fn implicit_server_token() {
    let capture = Capture::answering(Answer::success("getUser"));
    let client = capture.client();
    client.get_user().user_id(USER).call().await.unwrap();
    let token = &capture.requests()[0];
    check_token_request(token, &[("scope", "SERVER_ACCESS")]);
    insta::assert_yaml_snapshot!("implicit_server_token", token.snapshot());
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
    insta::assert_yaml_snapshot!("implicit_client_token", all[0].snapshot());
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

// ---- users, consents, auth links -----------------------------------------------------------

request_test!(create_user, "createUser", |client| client
    .create_user()
    .body(request_fixture::<types::UserCreateRequest>("createUser"))
    .call());

request_test!(get_user, "getUser", |client| client.get_user().user_id(SLASH_QUERY_FRAGMENT).call(), |request| {
    assert_segment(&request, "getUser", "userId", SLASH_QUERY_FRAGMENT, "a%2Fb%3Fc%23d");
    assert_eq!(request.query(), None);
});

request_test!(update_user, "updateUser", |client| client
    .update_user()
    .user_id(USER)
    .body(request_fixture::<types::UserUpdateRequest>("updateUser"))
    .call());

request_test!(delete_user, "deleteUser", |client| client.delete_user().user_id(UNICODE).call(), |request| {
    assert_segment(&request, "deleteUser", "userId", UNICODE, "%C3%BCn%C3%AFc%C3%B8d%C3%A9");
});

request_test!(get_consents, "getConsents", |client| client.get_consents().user_id(USER).call());

request_test!(delete_consent, "deleteConsent", |client| client
    .delete_consent()
    .user_id(USER)
    .consent_id(CONSENT)
    .call());

request_test!(get_auth_link, "getAuthLink", |client| client.get_auth_link().user_id(USER).call());

request_test!(post_auth_link, "postAuthLink", |client| client
    .post_auth_link()
    .user_id(USER)
    .body(request_fixture::<types::AuthLinkCreateRequest>("postAuthLink"))
    .call());

request_test!(delete_auth_link, "deleteAuthLink", |client| client.delete_auth_link().user_id(USER).call());

// ---- events and jobs -----------------------------------------------------------------------

request_test!(
    get_events,
    "getEvents",
    |client| client
        .get_events()
        .filter(EventFilter::user_id().eq(USER).and(EventFilter::entity().eq(EventEntity::Connection)))
        .call(),
    |request| {
        assert_eq!(
            request.query_pairs(),
            [("filter".to_owned(), ["user.id.eq('", USER, "'),event.entity.eq('connection')"].concat())]
        );
    }
);

request_test!(get_type_by_id, "getTypeById", |client| client.get_type_by_id().id(EVENT).call());

request_test!(list_event_types, "listEventTypes", |client| client.list_event_types().call());

request_test!(get_event_type_by_id, "getEventTypeById", |client| client.get_event_type_by_id().id(EVENT_TYPE).call());

request_test!(get_user_jobs, "getUserJobs", |client| client
    .get_user_jobs()
    .user_id(USER)
    .filter(JobFilter::connection_id().eq(CONNECTION))
    .call());

request_test!(get_jobs, "getJobs", |client| client.get_jobs().job_id(JOB).call());

request_test!(post_job_mfa, "postJobMfa", |client| client
    .post_job_mfa()
    .job_id(JOB)
    .body(request_fixture::<types::JobMfaRequest>("postJobMfa"))
    .call());

// ---- accounts, transactions, connections, statements, connectors ---------------------------

request_test!(
    get_accounts,
    "getAccounts",
    |client| client.get_accounts().user_id(USER).filter(AccountFilter::connection_id().eq(CONNECTION)).call(),
    |request| {
        let query = request.query().unwrap();
        assert!(!query.contains(['(', ')', '\'']), "filter reserved characters must be encoded: {query}");
        assert_eq!(request.query_pairs(), [("filter".to_owned(), ["connection.id.eq('", CONNECTION, "')"].concat())]);
    }
);

request_test!(
    get_account,
    "getAccount",
    |client| client.get_account().user_id(USER).account_id(UNICODE).call(),
    |request| {
        assert_segment(&request, "getAccount", "accountId", UNICODE, "%C3%BCn%C3%AFc%C3%B8d%C3%A9");
        assert_segment(&request, "getAccount", "userId", USER, USER);
    }
);

request_test!(
    get_transactions,
    "getTransactions",
    |client| client
        .get_transactions()
        .user_id(USER)
        .filter(
            TransactionFilter::post_date()
                .between(date!(2024 - 07 - 01), date!(2024 - 09 - 30))
                .and(TransactionFilter::status().eq(TransactionStatus::Posted))
        )
        .limit(500)
        .next("eyJvZmZzZXQiOjUwMCwiayI6IjMrNC81In0=")
        .call(),
    |request| {
        assert_eq!(
            request.query_pairs(),
            [
                (
                    "filter".to_owned(),
                    "transaction.postDate.bt('2024-07-01','2024-09-30'),transaction.status.eq('posted')".to_owned()
                ),
                ("limit".to_owned(), "500".to_owned()),
                ("next".to_owned(), "eyJvZmZzZXQiOjUwMCwiayI6IjMrNC81In0=".to_owned()),
            ]
        );
        // The cursor's `=` must be encoded, or it would read as a second `=` in the pair.
        assert!(request.query().unwrap().ends_with("next=eyJvZmZzZXQiOjUwMCwiayI6IjMrNC81In0%3D"));
    }
);

request_test!(
    get_transaction,
    "getTransaction",
    |client| client.get_transaction().user_id(USER).transaction_id(SPACE_PLUS_AMP).call(),
    |request| {
        // Space must be encoded; `+`, `&` and `=` are literal in a path segment (RFC 3986 sub-delims).
        assert_segment(&request, "getTransaction", "transactionId", SPACE_PLUS_AMP, "x%20y+z&w=1");
        assert_eq!(request.query(), None, "nothing of the id may become a query");
    }
);

request_test!(get_connections, "getConnections", |client| client
    .get_connections()
    .user_id(USER)
    .filter(ConnectionFilter::institution_id().eq(INSTITUTION))
    .call());

request_test!(refresh_connections, "refreshConnections", |client| client.refresh_connections().user_id(USER).call());

request_test!(get_connection, "getConnection", |client| client
    .get_connection()
    .user_id(USER)
    .connection_id(CONNECTION)
    .call());

request_test!(
    delete_connection,
    "deleteConnection",
    |client| client.delete_connection().user_id(USER).connection_id(ENCODED_SLASH).call(),
    |request| {
        // An id that looks percent-encoded is sent with its `%` encoded, never decoded into a `/`.
        assert_segment(&request, "deleteConnection", "connectionId", ENCODED_SLASH, "%252F");
    }
);

request_test!(refresh_connection, "refreshConnection", |client| client
    .refresh_connection()
    .user_id(USER)
    .connection_id(CONNECTION)
    .call());

request_test!(purge_connection_data, "purgeConnectionData", |client| client
    .purge_connection_data()
    .user_id(USER)
    .connection_id(CONNECTION)
    .call());

#[tokio::test]
async fn create_statement() {
    let capture = Capture::answering(Answer::success("createStatement"));
    let client = capture.client();
    let (institution, file) = statement_fixture();
    let job = client.create_statement(SLASH_QUERY_FRAGMENT, &institution, file).await.unwrap();
    assert_eq!(job.id, "7c3f0a9e-5b21-4d84-a6e7-2f1c9b8d0e35");

    let request = check_operation("createStatement", &capture);
    assert_segment(&request, "createStatement", "userId", SLASH_QUERY_FRAGMENT, "a%2Fb%3Fc%23d");
    let fixture: types::StatementUploadRequest = request_fixture("createStatement");
    let parts = request.multipart();
    assert_eq!(parts.len(), 2, "{parts:#?}");
    assert_eq!(parts[0].name.as_deref(), Some("institutionId"));
    assert_eq!(parts[0].filename, None);
    assert_eq!(parts[0].content, support::capture::PartContent::Text(fixture.institution_id));
    assert_eq!(parts[1].name.as_deref(), Some("statement"));
    assert_eq!(parts[1].filename.as_deref(), Some("statement-2024-09.csv"));
    assert_eq!(parts[1].content_type.as_deref(), Some("text/csv"));
    assert_eq!(parts[1].content, support::capture::PartContent::Text(fixture.statement));
    insta::assert_yaml_snapshot!("createStatement", request.snapshot());
}

request_test!(get_connectors, "getConnectors", |client| client
    .get_connectors()
    .filter(
        ConnectorFilter::status()
            .eq(ConnectorStatus::Operational)
            .and(ConnectorFilter::method().eq(ConnectionMethod::Web))
    )
    .call());

request_test!(
    get_connector,
    "getConnector",
    |client| client.get_connector().connector_id(INSTITUTION).method(SLASH_QUERY_FRAGMENT).call(),
    |request| {
        assert_segment(&request, "getConnector", "connectorId", INSTITUTION, INSTITUTION);
        assert_segment(&request, "getConnector", "method", SLASH_QUERY_FRAGMENT, "a%2Fb%3Fc%23d");
    }
);

// ---- affordability, expenses, income, identities, enrich -----------------------------------

request_test!(get_affordability_list, "getAffordabilityList", |client| client
    .get_affordability_list()
    .user_id(USER)
    .call());

request_test!(post_affordability, "postAffordability", |client| client
    .post_affordability()
    .user_id(USER)
    .body(request_fixture::<types::AffordabilityPeriodRequest>("postAffordability"))
    .call());

request_test!(get_affordability, "getAffordability", |client| client
    .get_affordability()
    .user_id(USER)
    .snapshot_id(SNAPSHOT)
    .call());

request_test!(get_affordability_snapshot_transactions, "getAffordabilitySnapshotTransactions", |client| client
    .get_affordability_snapshot_transactions()
    .user_id(USER)
    .snapshot_id(SNAPSHOT)
    .limit(100)
    .call());

request_test!(post_expenses, "postExpenses", |client| client
    .post_expenses()
    .user_id(USER)
    .body(request_fixture::<types::AffordabilityPeriodRequest>("postExpenses"))
    .call());

request_test!(get_expenses, "getExpenses", |client| client.get_expenses().user_id(USER).snapshot_id(SNAPSHOT).call());

request_test!(post_income, "postIncome", |client| client
    .post_income()
    .user_id(USER)
    .body(request_fixture::<types::AffordabilityPeriodRequest>("postIncome"))
    .call());

request_test!(get_income, "getIncome", |client| client.get_income().user_id(USER).snapshot_id(SNAPSHOT).call());

request_test!(get_user_identities, "getUserIdentities", |client| client.get_user_identities().user_id(USER).call());

request_test!(get_user_identity, "getUserIdentity", |client| client
    .get_user_identity()
    .user_id(USER)
    .identity_id(IDENTITY)
    .call());

request_test!(
    enrich,
    "enrich",
    |client| client
        .enrich()
        .q("WOOLWORTHS 1234 SYDNEY NS AUS & CO")
        .institution(INSTITUTION)
        .country("AU")
        .mcc("5411")
        .account_type("transaction")
        .amount("-87.15")
        .call(),
    |request| {
        let mut pairs = request.query_pairs();
        pairs.sort();
        assert_eq!(
            pairs,
            [
                ("accountType".to_owned(), "transaction".to_owned()),
                ("amount".to_owned(), "-87.15".to_owned()),
                ("country".to_owned(), "AU".to_owned()),
                ("institution".to_owned(), INSTITUTION.to_owned()),
                ("mcc".to_owned(), "5411".to_owned()),
                ("q".to_owned(), "WOOLWORTHS 1234 SYDNEY NS AUS & CO".to_owned()),
            ]
        );
        assert!(request.query().unwrap().contains("%26"), "a literal & must be encoded inside a value");
    }
);

// ---- reports -------------------------------------------------------------------------------

request_test!(list_all_reports, "listAllReports", |client| client.list_all_reports().call());

request_test!(create_report, "createReport", |client| client
    .create_report()
    .body(request_fixture::<types::ReportCreateRequest>("createReport"))
    .call());

request_test!(retrieve_report, "retrieveReport", |client| client.retrieve_report().id(REPORT).call());

request_test!(delete_report, "deleteReport", |client| client.delete_report().id(REPORT).call());

request_test!(retrieve_report_transactions, "retrieveReportTransactions", |client| client
    .retrieve_report_transactions()
    .report_id(REPORT)
    .filter(
        ReportTransactionFilter::post_date()
            .between(date!(2024 - 01 - 01), date!(2024 - 01 - 31))
            .and(ReportTransactionFilter::direction().eq(TransactionDirection::Credit))
    )
    .call());

request_test!(list_report_types, "listReportTypes", |client| client.list_report_types().call());

request_test!(retrieve_specific_report_type, "retrieveSpecificReportType", |client| client
    .retrieve_specific_report_type()
    .report_type_id(REPORT_TYPE)
    .call());

// ---- webhooks ------------------------------------------------------------------------------

request_test!(list_app_webhooks, "listAppWebhooks", |client| client.list_app_webhooks().call());

request_test!(add_webhook, "addWebhook", |client| client
    .add_webhook()
    .body(request_fixture::<types::WebhookRequest>("addWebhook"))
    .call());

request_test!(get_webhook, "getWebhook", |client| client.get_webhook().webhook_id(ENCODED_SLASH).call(), |request| {
    assert_segment(&request, "getWebhook", "webhookId", ENCODED_SLASH, "%252F");
});

request_test!(update_webhook, "updateWebhook", |client| client
    .update_webhook()
    .webhook_id(WEBHOOK)
    .body(request_fixture::<types::WebhookRequest>("updateWebhook"))
    .call());

request_test!(delete_webhook, "deleteWebhook", |client| client.delete_webhook().webhook_id(WEBHOOK).call());

request_test!(list_messages, "listMessages", |client| client
    .list_messages()
    .webhook_id(WEBHOOK)
    .filter(WebhookMessageFilter::event_type_id().eq(EventTypeId::ConnectionCreated))
    .limit(50)
    .call());

request_test!(
    get_webhook_message,
    "getWebhookMessage",
    |client| client.get_webhook_message().webhook_id(WEBHOOK).message_id(SPACE_PLUS_AMP).call(),
    |request| {
        assert_segment(&request, "getWebhookMessage", "messageId", SPACE_PLUS_AMP, "x%20y+z&w=1");
        assert_segment(&request, "getWebhookMessage", "webhookId", WEBHOOK, WEBHOOK);
    }
);

request_test!(test_message, "testMessage", |client| client
    .test_message()
    .body(request_fixture::<types::TestMessageRequest>("testMessage"))
    .call());

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
    assert_eq!(basiq::OPERATIONS.len(), 56);
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
    assert_eq!(spec::operations().len(), 56, "the spec describes Basiq's 56 operations");
    let dir = spec::root().join("tests/client/snapshots");
    let missing: Vec<String> = expected_snapshots()
        .into_iter()
        .filter(|name| !dir.join(format!("client__requests__{name}.snap")).is_file())
        .collect();
    assert!(missing.is_empty(), "no request snapshot for {missing:?}: add a test in tests/client/requests.rs");
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
