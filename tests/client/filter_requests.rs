//! Typed filters on the wire: for each filtered endpoint, the exact URL-encoded query one typed
//! filter produces (pinned in `tests/client/snapshots/client__filter_requests__<endpoint>.snap`), and invalid
//! filters stopping a call before any request, as `Error::InvalidInput`.

use crate::support;

use basiq::filter::{
    AccountFilter, ConnectionFilter, ConnectorFilter, EventFilter, JobFilter, ReportTransactionFilter,
    TransactionFilter, WebhookMessageFilter,
};
use basiq::open::{
    ConnectionStatus, ConnectorStatus, EventEntity, EventType, EventTypeId, InstitutionType, TransactionClass,
    TransactionDirection, TransactionStatus,
};
use basiq::{Call, Error};
use futures::StreamExt;
use support::capture::{Answer, Capture, Captured};
use support::ops::{ACCOUNT, CONNECTION, REPORT, USER, WEBHOOK};
use time::macros::{date, datetime};

/// Runs one call against a capture answering with `operation`'s fixture and returns its request.
async fn sent<T, F>(operation: &str, call: impl FnOnce(basiq::Client) -> F) -> Captured
where
    F: Future<Output = Result<T, Error>>,
    T: std::fmt::Debug,
{
    let capture = Capture::answering(Answer::success(operation));
    let outcome = call(capture.client()).await;
    assert!(outcome.is_ok(), "{operation}: {:?}", outcome.err());
    capture.only_api_request()
}

/// The decoded `filter` parameter, which must be the only one unless `others` are expected.
fn filter_of(request: &Captured) -> String {
    let pairs = request.query_pairs();
    let (name, value) = pairs.iter().find(|(name, _)| name == "filter").expect("a filter parameter").clone();
    assert_eq!(name, "filter");
    let raw = request.query().unwrap();
    assert!(!raw.contains(['(', ')', '\'', ',']), "the filter's reserved characters must be encoded: {raw}");
    value
}

#[tokio::test]
async fn accounts() {
    let request = sent("getAccounts", |client| async move {
        let filter = AccountFilter::connection_id().eq(CONNECTION).and(AccountFilter::institution_id().ne("AU00002"));
        client.get_accounts().user_id(USER).filter(filter).call().await
    })
    .await;
    assert_eq!(filter_of(&request), ["connection.id.eq('", CONNECTION, "'),institution.id.ne('AU00002')"].concat());
    insta::assert_yaml_snapshot!("accounts", request.snapshot());
}

#[tokio::test]
async fn transactions() {
    let request = sent("getTransactions", |client| async move {
        let filter = TransactionFilter::status()
            .eq(TransactionStatus::Posted)
            .and(TransactionFilter::post_date().between(date!(2024 - 07 - 01), datetime!(2024-09-30 18:00 +10:00)))
            .and(TransactionFilter::account_id().eq(ACCOUNT))
            .and(TransactionFilter::class().eq(TransactionClass::Payment));
        client.get_transactions().user_id(USER).filter(filter).limit(100).call().await
    })
    .await;
    assert_eq!(
        filter_of(&request),
        [
            "transaction.status.eq('posted'),transaction.postDate.bt('2024-07-01','2024-09-30T08:00:00Z'),",
            "account.id.eq('",
            ACCOUNT,
            "'),transaction.class.eq('payment')"
        ]
        .concat()
    );
    insta::assert_yaml_snapshot!("transactions", request.snapshot());
}

#[tokio::test]
async fn report_transactions() {
    let request = sent("retrieveReportTransactions", |client| async move {
        let filter = ReportTransactionFilter::post_date()
            .between(date!(2024 - 01 - 01), date!(2024 - 01 - 31))
            .and(ReportTransactionFilter::direction().eq(TransactionDirection::Credit));
        client.retrieve_report_transactions().report_id(REPORT).filter(filter).call().await
    })
    .await;
    assert_eq!(
        filter_of(&request),
        "transaction.postDate.bt('2024-01-01,2024-01-31'),transaction.direction.eq('credit')"
    );
    insta::assert_yaml_snapshot!("report_transactions", request.snapshot());
}

#[tokio::test]
async fn connections() {
    let request = sent("getConnections", |client| async move {
        let filter = ConnectionFilter::status()
            .eq(ConnectionStatus::Active)
            .and(ConnectionFilter::institution_id().eq("AU00000"));
        client.get_connections().user_id(USER).filter(filter).call().await
    })
    .await;
    assert_eq!(filter_of(&request), "status.eq('active'),institution.id.eq('AU00000')");
    insta::assert_yaml_snapshot!("connections", request.snapshot());
}

#[tokio::test]
async fn user_jobs() {
    let request = sent("getUserJobs", |client| async move {
        client.get_user_jobs().user_id(USER).filter(JobFilter::connection_id().eq(CONNECTION)).call().await
    })
    .await;
    assert_eq!(filter_of(&request), ["connection.id.eq('", CONNECTION, "')"].concat());
    insta::assert_yaml_snapshot!("user_jobs", request.snapshot());
}

#[tokio::test]
async fn events() {
    let request = sent("getEvents", |client| async move {
        let filter = EventFilter::user_id()
            .eq(USER)
            .and(EventFilter::entity().eq(EventEntity::Connection))
            .and(EventFilter::event_type().eq(EventType::Created));
        client.get_events().filter(filter).call().await
    })
    .await;
    assert_eq!(
        filter_of(&request),
        ["user.id.eq('", USER, "'),event.entity.eq('connection'),event.type.eq('created')"].concat()
    );
    insta::assert_yaml_snapshot!("events", request.snapshot());
}

#[tokio::test]
async fn connectors() {
    let request = sent("getConnectors", |client| async move {
        let filter = ConnectorFilter::status()
            .one_of([ConnectorStatus::Operational, ConnectorStatus::DegradedPerformance])
            .and(ConnectorFilter::institution_type().ne(InstitutionType::ForeignBank));
        client.get_connectors().filter(filter).call().await
    })
    .await;
    assert_eq!(
        filter_of(&request),
        "connector.status.in('operational','degraded-performance'),connector.institution.type.ne('Bank (Foreign)')"
    );
    insta::assert_yaml_snapshot!("connectors", request.snapshot());
}

#[tokio::test]
async fn webhook_messages() {
    let request = sent("listMessages", |client| async move {
        let filter = WebhookMessageFilter::event_type_id().eq(EventTypeId::ConnectionCreated);
        client.list_messages().webhook_id(WEBHOOK).filter(filter).call().await
    })
    .await;
    assert_eq!(filter_of(&request), "eventTypeId.eq('connection.created')");
    insta::assert_yaml_snapshot!("webhook_messages", request.snapshot());
}

#[tokio::test]
async fn a_raw_filter_is_sent_as_written() {
    let request = sent("getTransactions", |client| async move {
        let filter = TransactionFilter::raw("transaction.class.ne('transfer')").and(TransactionFilter::id().eq("t-1"));
        client.get_transactions().user_id(USER).filter(filter).call().await
    })
    .await;
    assert_eq!(filter_of(&request), "transaction.class.ne('transfer'),transaction.id.eq('t-1')");
}

fn assert_invalid_input(outcome: Result<impl std::fmt::Debug, Error>, capture: &Capture) {
    assert!(matches!(outcome, Err(Error::InvalidInput(_))), "{outcome:?}");
    assert!(capture.requests().is_empty(), "nothing may be sent: {:#?}", capture.requests());
}

#[tokio::test]
async fn an_invalid_filter_fails_the_generated_call_before_sending() {
    let capture = Capture::new();
    let client = capture.client();
    let quote = AccountFilter::account_id().eq("x') ,account.id.ne('y");
    assert_invalid_input(client.get_accounts().user_id(USER).filter(quote).call().await, &capture);
    let empty = ConnectorFilter::status().one_of(Vec::<ConnectorStatus>::new());
    assert_invalid_input(client.get_connectors().filter(empty).call().await, &capture);
    let reversed = TransactionFilter::post_date().between(date!(2024 - 02 - 01), date!(2024 - 01 - 01));
    assert_invalid_input(client.get_transactions().user_id(USER).filter(reversed).call().await, &capture);
}

#[tokio::test]
async fn an_invalid_filter_is_the_only_item_of_a_paging_stream() {
    let capture = Capture::new();
    let client = capture.client();
    let comma = TransactionFilter::account_id().eq("a,b");
    let items: Vec<_> = client.transactions(USER).filter(comma).stream().collect().await;
    assert_eq!(items.len(), 1);
    match &items[0] {
        Err(Error::InvalidInput(message)) => {
            assert_eq!(message, "invalid filter on account.id: a value holds a comma");
        }
        other => panic!("{other:?}"),
    }
    let pages: Vec<_> =
        client.webhook_messages(WEBHOOK).filter(WebhookMessageFilter::event_id().eq("")).pages().collect().await;
    assert!(matches!(pages.as_slice(), [Err(Error::InvalidInput(_))]), "{pages:?}");
    assert!(capture.requests().is_empty());
}

#[tokio::test]
async fn a_paging_stream_sends_its_typed_filter() {
    let capture = Capture::answering(Answer::success("getTransactions"));
    let client = capture.client();
    let filter = TransactionFilter::direction().eq(TransactionDirection::Debit);
    let first = client.transactions(USER).filter(filter).limit(5).pages().next().await.unwrap();
    assert!(first.is_ok(), "{first:?}");
    let request = &capture.api_requests()[0];
    assert_eq!(request.query(), Some("filter=transaction.direction.eq%28%27debit%27%29&limit=5"));
}

#[tokio::test]
async fn new_job_discovery_checks_and_sends_its_filter() {
    let capture = Capture::new();
    let client = capture.client();
    let bad = client
        .wait_for_new_connection_job(USER, Vec::<String>::new())
        .filter(JobFilter::connection_id().eq("a'b"))
        .await;
    assert_invalid_input(bad, &capture);

    let capture = Capture::answering(Answer::success("getUserJobs"));
    let client = capture.client();
    let known = ["no-such-job"];
    let found = client
        .wait_for_new_connection_job(USER, known)
        .filter(JobFilter::connection_id().eq(CONNECTION))
        .deadline(std::time::Duration::from_millis(1))
        .await;
    let request = &capture.api_requests()[0];
    assert_eq!(request.path(), ["/users/", USER, "/jobs"].concat());
    assert_eq!(filter_of(request), ["connection.id.eq('", CONNECTION, "')"].concat());
    let _ = found;
}
