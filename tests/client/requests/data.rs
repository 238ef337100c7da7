//! Accounts, transactions, connections, statements, connectors; affordability, expenses, income,
//! identities and enrich.

use basiq::filter::{AccountFilter, ConnectionFilter, ConnectorFilter, TransactionFilter};
use basiq::open::{ConnectionMethod, ConnectorStatus, TransactionStatus};
use basiq::{Call, types};
use time::macros::date;

use super::{ENCODED_SLASH, SLASH_QUERY_FRAGMENT, SPACE_PLUS_AMP, UNICODE, assert_segment, check_operation};
use crate::support::capture::{Answer, Capture, PartContent};
use crate::support::ops::{CONNECTION, IDENTITY, INSTITUTION, SNAPSHOT, USER, statement_fixture};
use crate::support::spec::request_fixture;

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
    assert_eq!(parts[0].content, PartContent::Text(fixture.institution_id));
    assert_eq!(parts[1].name.as_deref(), Some("statement"));
    assert_eq!(parts[1].filename.as_deref(), Some("statement-2024-09.csv"));
    assert_eq!(parts[1].content_type.as_deref(), Some("text/csv"));
    assert_eq!(parts[1].content, PartContent::Text(fixture.statement));
    super::snapshot("createStatement", &request);
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
        request.assert_query(&[
            ("accountType", "transaction"),
            ("amount", "-87.15"),
            ("country", "AU"),
            ("institution", INSTITUTION),
            ("mcc", "5411"),
            ("q", "WOOLWORTHS 1234 SYDNEY NS AUS & CO"),
        ]);
        assert!(request.query().unwrap().contains("%26"), "a literal & must be encoded inside a value");
    }
);
