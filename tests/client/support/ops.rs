//! Calls any operation by its operationId with realistic arguments (bodies from
//! `tests/fixtures/requests`), through `.call()`, returning the decoded body as JSON.

use basiq::statements::StatementFile;
use basiq::{Call, Client, Error, types};
use serde::Serialize;

use super::spec::request_fixture;

pub const USER: &str = "9b1c2f7e-4d3a-4a61-8f0e-2c5d7b6a9e14";
pub const ACCOUNT: &str = "5d2e9f07-3a4b-4c81-9d6e-b7f2a1c0e843";
pub const TRANSACTION: &str = "d9f1b6a3-2e47-4c08-b5d9-3a7e0c2f8b16";
pub const CONNECTION: &str = "c8e2a4d1-5b7f-4e93-a0c6-1d9f3e7b2a58";
pub const CONSENT: &str = "5b8e1f3a-6c27-4d90-b4e2-83a1f7c05d69";
pub const JOB: &str = "6e3b9a17-d25c-4f08-b71e-4a9c2e5d803f";
pub const EVENT: &str = "ccafc36912330083e99a0aac1172efeb807709f1bcf68c96e1c4717304163d29";
pub const EVENT_TYPE: &str = "consent.warning";
pub const SNAPSHOT: &str = "b81f4a06-6e2d-4c39-9f75-3a1e8d20c6b7";
pub const IDENTITY: &str = "6f3e0a91-c27b-4d58-a4e6-13b9d0f7c285";
pub const REPORT: &str = "9a41c3e2-5b7d-4f08-86a1-d2e4c07b19f3";
pub const REPORT_TYPE: &str = "STATEMENT_01";
pub const WEBHOOK: &str = "6d0e3b8a-41f7-4c92-b5a3-e87f2c1d9b04";
pub const MESSAGE: &str = "msg_2Zq8b4c1e7f0a9d3";
pub const INSTITUTION: &str = "AU00000";

fn json<T: Serialize>(value: T) -> serde_json::Value {
    serde_json::to_value(value).expect("decoded body serialises back to JSON")
}

/// The `createStatement` upload built from its request fixture.
pub fn statement_fixture() -> (String, StatementFile) {
    let fixture: types::StatementUploadRequest = request_fixture("createStatement");
    (fixture.institution_id, StatementFile::csv("statement-2024-09.csv", fixture.statement.into_bytes()))
}

/// Calls `operation_id` with default arguments and returns the decoded body as JSON.
pub async fn call_op(client: &Client, operation_id: &str) -> Result<serde_json::Value, Error> {
    let c = client;
    Ok(match operation_id {
        "postToken" => json(c.post_token().body(request_fixture::<types::TokenRequest>("postToken")).call().await?),
        "createUser" => {
            json(c.create_user().body(request_fixture::<types::UserCreateRequest>("createUser")).call().await?)
        }
        "getUser" => json(c.get_user().user_id(USER).call().await?),
        "updateUser" => json(
            c.update_user()
                .user_id(USER)
                .body(request_fixture::<types::UserUpdateRequest>("updateUser"))
                .call()
                .await?,
        ),
        "deleteUser" => json(c.delete_user().user_id(USER).call().await?),
        "getConsents" => json(c.get_consents().user_id(USER).call().await?),
        "deleteConsent" => json(c.delete_consent().user_id(USER).consent_id(CONSENT).call().await?),
        "getAuthLink" => json(c.get_auth_link().user_id(USER).call().await?),
        "postAuthLink" => json(
            c.post_auth_link()
                .user_id(USER)
                .body(request_fixture::<types::AuthLinkCreateRequest>("postAuthLink"))
                .call()
                .await?,
        ),
        "deleteAuthLink" => json(c.delete_auth_link().user_id(USER).call().await?),
        "getEvents" => json(c.get_events().call().await?),
        "getTypeById" => json(c.get_type_by_id().id(EVENT).call().await?),
        "listEventTypes" => json(c.list_event_types().call().await?),
        "getEventTypeById" => json(c.get_event_type_by_id().id(EVENT_TYPE).call().await?),
        "getUserJobs" => json(c.get_user_jobs().user_id(USER).call().await?),
        "getJobs" => json(c.get_jobs().job_id(JOB).call().await?),
        "postJobMfa" => {
            json(c.post_job_mfa().job_id(JOB).body(request_fixture::<types::JobMfaRequest>("postJobMfa")).call().await?)
        }
        "getAccounts" => json(c.get_accounts().user_id(USER).call().await?),
        "getAccount" => json(c.get_account().user_id(USER).account_id(ACCOUNT).call().await?),
        "getTransactions" => json(c.get_transactions().user_id(USER).call().await?),
        "getTransaction" => json(c.get_transaction().user_id(USER).transaction_id(TRANSACTION).call().await?),
        "getConnections" => json(c.get_connections().user_id(USER).call().await?),
        "refreshConnections" => json(c.refresh_connections().user_id(USER).call().await?),
        "getConnection" => json(c.get_connection().user_id(USER).connection_id(CONNECTION).call().await?),
        "deleteConnection" => json(c.delete_connection().user_id(USER).connection_id(CONNECTION).call().await?),
        "refreshConnection" => json(c.refresh_connection().user_id(USER).connection_id(CONNECTION).call().await?),
        "purgeConnectionData" => json(c.purge_connection_data().user_id(USER).connection_id(CONNECTION).call().await?),
        "createStatement" => {
            let (institution, file) = statement_fixture();
            json(c.create_statement(USER, &institution, file).await?)
        }
        "getConnectors" => json(c.get_connectors().call().await?),
        "getConnector" => json(c.get_connector().connector_id(INSTITUTION).method("openbanking").call().await?),
        "getAffordabilityList" => json(c.get_affordability_list().user_id(USER).call().await?),
        "postAffordability" => json(
            c.post_affordability()
                .user_id(USER)
                .body(request_fixture::<types::AffordabilityPeriodRequest>("postAffordability"))
                .call()
                .await?,
        ),
        "getAffordability" => json(c.get_affordability().user_id(USER).snapshot_id(SNAPSHOT).call().await?),
        "getAffordabilitySnapshotTransactions" => {
            json(c.get_affordability_snapshot_transactions().user_id(USER).snapshot_id(SNAPSHOT).call().await?)
        }
        "postExpenses" => json(
            c.post_expenses()
                .user_id(USER)
                .body(request_fixture::<types::AffordabilityPeriodRequest>("postExpenses"))
                .call()
                .await?,
        ),
        "getExpenses" => json(c.get_expenses().user_id(USER).snapshot_id(SNAPSHOT).call().await?),
        "postIncome" => json(
            c.post_income()
                .user_id(USER)
                .body(request_fixture::<types::AffordabilityPeriodRequest>("postIncome"))
                .call()
                .await?,
        ),
        "getIncome" => json(c.get_income().user_id(USER).snapshot_id(SNAPSHOT).call().await?),
        "getUserIdentities" => json(c.get_user_identities().user_id(USER).call().await?),
        "getUserIdentity" => json(c.get_user_identity().user_id(USER).identity_id(IDENTITY).call().await?),
        "enrich" => json(c.enrich().q("WOOLWORTHS 1234 SYDNEY").institution(INSTITUTION).country("AU").call().await?),
        "listAllReports" => json(c.list_all_reports().call().await?),
        "createReport" => {
            json(c.create_report().body(request_fixture::<types::ReportCreateRequest>("createReport")).call().await?)
        }
        "retrieveReport" => json(c.retrieve_report().id(REPORT).call().await?),
        "deleteReport" => json(c.delete_report().id(REPORT).call().await?),
        "retrieveReportTransactions" => json(c.retrieve_report_transactions().report_id(REPORT).call().await?),
        "listReportTypes" => json(c.list_report_types().call().await?),
        "retrieveSpecificReportType" => {
            json(c.retrieve_specific_report_type().report_type_id(REPORT_TYPE).call().await?)
        }
        "listAppWebhooks" => json(c.list_app_webhooks().call().await?),
        "addWebhook" => {
            json(c.add_webhook().body(request_fixture::<types::WebhookRequest>("addWebhook")).call().await?)
        }
        "getWebhook" => json(c.get_webhook().webhook_id(WEBHOOK).call().await?),
        "updateWebhook" => json(
            c.update_webhook()
                .webhook_id(WEBHOOK)
                .body(request_fixture::<types::WebhookRequest>("updateWebhook"))
                .call()
                .await?,
        ),
        "deleteWebhook" => json(c.delete_webhook().webhook_id(WEBHOOK).call().await?),
        "listMessages" => json(c.list_messages().webhook_id(WEBHOOK).call().await?),
        "getWebhookMessage" => json(c.get_webhook_message().webhook_id(WEBHOOK).message_id(MESSAGE).call().await?),
        "testMessage" => {
            json(c.test_message().body(request_fixture::<types::TestMessageRequest>("testMessage")).call().await?)
        }
        other => panic!("support::ops::call_op does not know operation {other}; add it"),
    })
}
