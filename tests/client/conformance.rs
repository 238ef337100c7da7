//! Conformance: every one of the 78 operations (Basiq's 56 v3 operations and the 22 of CDR
//! Insights, Payees, Analytics and Payments), called through the generated client against the
//! embedded sandbox, answers with the spec's success status and a body that validates against the
//! spec's schema for that operation (JSON Schema, closed value sets checked). The operations are
//! enumerated from the spec, so a new operation without a sandbox route fails this suite.

use crate::spec_schema;
use crate::support;

use std::time::Duration;

use basiq::filter::InsightFilter;
use basiq::statements::StatementFile;
use basiq::{Call, Client, OPERATIONS, types};
use basiq_sandbox::Sandbox;
use serde_json::{Value, json};
use spec_schema::Spec;
use support::recorder::{Exchange, Recorder};
use support::spec::match_template;

fn body<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).unwrap()
}

/// Polls a job until no step is pending or running, a step failed, or MFA is awaited.
async fn settle(client: &Client, job_id: &str) -> types::Job {
    for _ in 0..200 {
        let job = client.get_jobs().job_id(job_id).call().await.unwrap();
        let busy = job.steps.iter().flatten().any(|s| {
            let status = s.status.as_ref().map(|s| s.as_str()).unwrap_or("pending");
            status == "pending" || status == "in-progress"
        });
        let waiting_on_mfa = job.steps.iter().flatten().any(|s| {
            s.title.as_ref().is_some_and(|t| t.as_str() == "mfa-challenge")
                && s.status.as_ref().is_some_and(|st| st.as_str() == "in-progress")
        });
        let failed = job.steps.iter().flatten().any(|s| s.status.as_ref().is_some_and(|st| st.as_str() == "failed"));
        if !busy || waiting_on_mfa || failed {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("job {job_id} did not settle");
}

fn j<T: serde::Serialize>(value: T) -> Value {
    serde_json::to_value(value).unwrap()
}

fn first_id(list: &Value) -> String {
    list["data"][0]["id"].as_str().unwrap_or_else(|| panic!("no id in {list}")).to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_answers_with_a_schema_valid_body() {
    let sandbox = Sandbox::builder().job_step_delay(Duration::from_millis(5)).start().await.unwrap();
    let recorder = Recorder::default();
    let client = recorder.client_for(&sandbox);
    let c = &client;

    // Token, users.
    c.post_token().body(body::<types::TokenRequest>(json!({"scope": "SERVER_ACCESS"}))).call().await.unwrap();
    let user = c
        .create_user()
        .body(body::<types::UserCreateRequest>(
            json!({"email": "gavin@hooli.com", "mobile": "+61410888999", "firstName": "Gavin"}),
        ))
        .call()
        .await
        .unwrap();
    let u = user.id.as_str();
    c.get_user().user_id(u).call().await.unwrap();
    c.update_user()
        .user_id(u)
        .body(body::<types::UserUpdateRequest>(json!({"lastName": "Belson"})))
        .call()
        .await
        .unwrap();

    // A connection through consent, and its job.
    let outcome = sandbox.complete_consent(u, "AU00000", "gavinBelson", "hooli2016").unwrap();
    let job = settle(c, &outcome.job_id).await;
    assert!(
        job.steps.iter().flatten().all(|s| s.status.as_ref().is_some_and(|st| st.as_str() == "success")),
        "{job:?}"
    );
    c.get_user_jobs().user_id(u).call().await.unwrap();
    let connection = j(c.get_connections().user_id(u).call().await.unwrap());
    let conn = first_id(&connection);
    c.get_connection().user_id(u).connection_id(&conn).call().await.unwrap();

    // MFA on Pied Piper, answered.
    let mfa_user = c
        .create_user()
        .body(body::<types::UserCreateRequest>(json!({"email": "jared@piedpiper.com"})))
        .call()
        .await
        .unwrap();
    let mfa = sandbox.complete_consent(&mfa_user.id, "AU00002", "jared", "django").unwrap();
    settle(c, &mfa.job_id).await;
    c.post_job_mfa()
        .job_id(&mfa.job_id)
        .body(body::<types::JobMfaRequest>(json!({"mfa-response": ["1234"]})))
        .call()
        .await
        .unwrap();

    // Data.
    let accounts = j(c.get_accounts().user_id(u).call().await.unwrap());
    let account = first_id(&accounts);
    c.get_account().user_id(u).account_id(&account).call().await.unwrap();
    let transactions = j(c.get_transactions().user_id(u).limit(5).call().await.unwrap());
    c.get_transaction().user_id(u).transaction_id(first_id(&transactions)).call().await.unwrap();
    c.get_connectors().call().await.unwrap();
    c.get_connector().connector_id("AU00000").method("web").call().await.unwrap();
    let upload = c
        .create_statement(u, "AU00002", StatementFile::csv("statement.csv", "date,amount\n2025-01-02,-12.50\n"))
        .await
        .unwrap();
    settle(c, &upload.id).await;

    // Consents, auth links, identities, enrich.
    let consents = j(c.get_consents().user_id(u).call().await.unwrap());
    c.post_auth_link()
        .user_id(u)
        .body(body::<types::AuthLinkCreateRequest>(json!({"mobile": "+61410888999"})))
        .call()
        .await
        .unwrap();
    c.get_auth_link().user_id(u).call().await.unwrap();
    c.delete_auth_link().user_id(u).call().await.unwrap();
    let identities = j(c.get_user_identities().user_id(u).call().await.unwrap());
    c.get_user_identity().user_id(u).identity_id(first_id(&identities)).call().await.unwrap();
    c.enrich().q("WOOLWORTHS 1234 SYDNEY").institution("AU00000").country("AU").call().await.unwrap();

    // Affordability, expenses, income.
    let period = json!({"fromMonth": "2024-01", "toMonth": "2030-12"});
    let snapshot = c
        .post_affordability()
        .user_id(u)
        .body(body::<types::AffordabilityPeriodRequest>(period.clone()))
        .call()
        .await
        .unwrap()
        .unwrap();
    let snapshot_id = snapshot.id.clone();
    c.get_affordability_list().user_id(u).call().await.unwrap();
    c.get_affordability().user_id(u).snapshot_id(&snapshot_id).call().await.unwrap();
    c.get_affordability_snapshot_transactions().user_id(u).snapshot_id(&snapshot_id).call().await.unwrap();
    let expenses = c
        .post_expenses()
        .user_id(u)
        .body(body::<types::AffordabilityPeriodRequest>(period.clone()))
        .call()
        .await
        .unwrap()
        .unwrap();
    c.get_expenses().user_id(u).snapshot_id(expenses.id.clone()).call().await.unwrap();
    let income = c
        .post_income()
        .user_id(u)
        .body(body::<types::AffordabilityPeriodRequest>(period))
        .call()
        .await
        .unwrap()
        .unwrap();
    c.get_income().user_id(u).snapshot_id(income.id.clone()).call().await.unwrap();

    // Reports.
    let report_job = c
        .create_report()
        .body(body::<types::ReportCreateRequest>(json!({
            "reportType": "CON_AFFOR_01",
            "title": "Conformance",
            "filters": [
                {"name": "fromDate", "value": "2024-01-01"},
                {"name": "toDate", "value": "2030-12-31"},
                {"name": "accounts", "value": [account]},
                {"name": "users", "value": [u]}
            ]
        })))
        .call()
        .await
        .unwrap();
    settle(c, &report_job.id).await;
    let reports = j(c.list_all_reports().call().await.unwrap());
    let report = first_id(&reports);
    c.retrieve_report().id(&report).call().await.unwrap();
    c.retrieve_report_transactions().report_id(&report).call().await.unwrap();
    let types_list = j(c.list_report_types().call().await.unwrap());
    c.retrieve_specific_report_type().report_type_id(first_id(&types_list)).call().await.unwrap();

    // Events.
    let events = j(c.get_events().call().await.unwrap());
    c.get_type_by_id().id(first_id(&events)).call().await.unwrap();
    let event_types = j(c.list_event_types().call().await.unwrap());
    c.get_event_type_by_id().id(first_id(&event_types)).call().await.unwrap();

    // Webhooks.
    let hook = c
        .add_webhook()
        .body(body::<types::WebhookRequest>(
            json!({"name": "conf", "url": "https://hooks.example.com/basiq", "subscribedEvents": ["user.created"]}),
        ))
        .call()
        .await
        .unwrap();
    let hook_id = hook.id.clone();
    c.list_app_webhooks().call().await.unwrap();
    c.get_webhook().webhook_id(&hook_id).call().await.unwrap();
    c.update_webhook()
        .webhook_id(&hook_id)
        .body(body::<types::WebhookRequest>(json!({"name": "conf-2", "url": "https://hooks.example.com/basiq", "subscribedEvents": ["user.created", "user.deleted"]})))
        .call()
        .await
        .unwrap();
    c.test_message()
        .body(body::<types::TestMessageRequest>(json!({"eventTypeId": "user.created", "Text": "hello"})))
        .call()
        .await
        .unwrap();
    let messages = j(c.list_messages().webhook_id(&hook_id).call().await.unwrap());
    c.get_webhook_message().webhook_id(&hook_id).message_id(first_id(&messages)).call().await.unwrap();

    // The newer domains, boxed so the test's future stays small enough for the test thread's stack.
    Box::pin(newer_domains(c, u)).await;

    // Writes and deletes last.
    let refresh = c.refresh_connection().user_id(u).connection_id(&conn).call().await.unwrap();
    settle(c, &refresh.id).await;
    c.refresh_connections().user_id(u).call().await.unwrap();
    c.purge_connection_data().user_id(u).connection_id(&conn).call().await.unwrap();
    c.delete_connection().user_id(u).connection_id(&conn).call().await.unwrap();
    c.delete_consent().user_id(u).consent_id(first_id(&consents)).call().await.unwrap();
    c.delete_report().id(&report).call().await.unwrap();
    c.delete_webhook().webhook_id(&hook_id).call().await.unwrap();
    c.delete_user().user_id(u).call().await.unwrap();

    // Every operation of the spec was answered with its success status and a valid body.
    let spec = Spec::load();
    let successes = spec.successes();
    let log = recorder.exchanges();
    let mut problems = Vec::new();
    for op in OPERATIONS {
        let success = &successes[op.operation_id];
        let answered: Vec<&Exchange> = log
            .iter()
            .filter(|e| {
                best_operation(&e.method, &e.path) == Some(op.operation_id) && success.statuses.contains(&e.status)
            })
            .collect();
        if answered.is_empty() {
            problems.push(format!("{}: never answered with {:?}", op.operation_id, success.statuses));
            continue;
        }
        for exchange in answered {
            match &success.schema {
                // The declared body-less 204 beside a JSON 200 (x-basiq-empty-success).
                Some(_) if exchange.status == 204 && exchange.body.is_empty() => {}
                Some(schema) => {
                    let value: Value = serde_json::from_slice(&exchange.body).unwrap_or(Value::Null);
                    for p in spec.validate(schema, &value) {
                        problems.push(format!("{} ({schema}): {p}", op.operation_id));
                    }
                }
                None if !exchange.body.is_empty() => {
                    problems.push(format!("{}: expected no body", op.operation_id));
                }
                None => {}
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(OPERATIONS.len(), 78);
}

/// CDR Insights, Payees, Analytics and Payments for a connected, named user `u` (its consent and
/// year of transactions feed the insights and payees; its account pays and gets paid).
async fn newer_domains(c: &Client, u: &str) {
    // CDR Insights (the user has an active consent and a year of transactions).
    c.get_insight_types().call().await.unwrap();
    c.get_insight_type().type_id("EXPENSE_RATIO_VERIFICATION").call().await.unwrap();
    let account_insight = j(c
        .get_account_insights()
        .user_id(u)
        .body(body::<types::AccountInsightRequest>(json!({"accountNumber": "032096658830", "accountType": "savings"})))
        .call()
        .await
        .unwrap());
    c.get_balance_insights()
        .user_id(u)
        .body(body::<types::BalanceInsightRequest>(json!({"balance": {"min": "1"}})))
        .call()
        .await
        .unwrap();
    c.get_identity_insights()
        .user_id(u)
        .body(body::<types::IdentityInsightRequest>(json!({
            "name": "Gavin Belson", "phone": "+61410000001", "email": "gavin@hooli.com", "address": "1 Hooli Way Sydney"
        })))
        .call()
        .await
        .unwrap();
    c.verify_income_insight()
        .user_id(u)
        .body(body::<types::IncomeInsightRequest>(json!({"income": {"min": "1", "max": "100000"}})))
        .call()
        .await
        .unwrap();
    c.get_expense_ratio_insights()
        .user_id(u)
        .body(body::<types::ExpenseRatioInsightRequest>(json!({"expense": "2750"})))
        .call()
        .await
        .unwrap();
    c.create_insight()
        .body(body::<types::InsightCreateRequest>(
            json!({"users": [u], "type": "EXPENSE_RATIO_VERIFICATION", "data": {"expense": "2750"}}),
        ))
        .call()
        .await
        .unwrap();
    c.list_user_insights().user_id(u).call().await.unwrap();
    c.list_user_insights().user_id(u).filter(InsightFilter::insight_type().eq("balance")).call().await.unwrap();
    let insight_id = account_insight["id"].as_str().unwrap().to_owned();
    c.get_insight_by_id().user_id(u).insight_id(&insight_id).call().await.unwrap();

    // Payees: every one of the user's payees (domestic and biller details).
    let payees = j(c.get_payees().user_id(u).call().await.unwrap());
    let payee_ids: Vec<String> =
        payees["data"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_owned()).collect();
    assert!(payee_ids.len() >= 2, "{payees}");
    for payee in &payee_ids {
        c.get_payee_details().user_id(u).payee_id(payee).call().await.unwrap();
    }

    // Analytics.
    c.get_user_analytics().interval(types::AnalyticsInterval::Monthly).call().await.unwrap();
    c.get_user_analytics().interval(types::AnalyticsInterval::Daily).connection_type("cdr,web").call().await.unwrap();
    c.get_connection_analytics().interval(types::AnalyticsInterval::Weekly).call().await.unwrap();

    // Payments: a payout and a pay request that complete, and one that fails with a reason.
    let payouts = j(c
        .submit_payouts()
        .body(body::<types::PayoutSubmitRequest>(json!({"payouts": [{
            "requestId": "conformance-payout-1", "method": "fast/batch",
            "payee": {"payeeUserId": u, "payeeBankBranchCode": "730002", "payeeAccountNumber": "123456789"},
            "description": "Dividends", "amount": 173.45
        }]})))
        .call()
        .await
        .unwrap());
    let payout = payouts["jobs"][0]["id"].as_str().unwrap().to_owned();
    let payrequests = j(c
        .submit_payrequests()
        .body(body::<types::PayrequestSubmitRequest>(json!({"payrequests": [
            {"requestId": "conformance-payrequest-1", "payer": {"payerUserId": u}, "description": "Investment", "amount": 50},
            {"requestId": "conformance-payrequest-2", "payer": {"payerUserId": u}, "description": "Too much",
             "amount": 40000, "checkAccountBalance": true}
        ]})))
        .call()
        .await
        .unwrap());
    for job in [&payouts["jobs"][0], &payrequests["jobs"][0], &payrequests["jobs"][1]] {
        settle(c, job["id"].as_str().unwrap()).await;
    }
    c.list_payouts().call().await.unwrap();
    c.get_payout().id(&payout).call().await.unwrap();
    c.list_payrequests().limit(10).call().await.unwrap();
    for job in payrequests["jobs"].as_array().unwrap() {
        c.get_payrequest().id(job["id"].as_str().unwrap()).call().await.unwrap();
    }
    let floats = j(c.list_float_accounts().call().await.unwrap());
    let float = j(c.get_float_account().id(first_id(&floats)).call().await.unwrap());
    let balance = float["availableBalance"].as_f64().unwrap_or_default();
    assert!((balance - 9876.55).abs() < 1e-6, "the float moved by the payout and the collected request: {float}");
}

/// The operation a request was for: among the templates it matches (`/events/types` also matches
/// `/events/{id}`), the one with the most literal segments.
fn best_operation(method: &str, path: &str) -> Option<&'static str> {
    OPERATIONS
        .iter()
        .filter(|op| op.method == method && match_template(op.path, path).is_some())
        .max_by_key(|op| op.path.split('/').filter(|s| !s.starts_with('{')).count())
        .map(|op| op.operation_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refreshing_a_connection_whose_job_is_running_returns_that_job() {
    let sandbox = Sandbox::builder().job_step_delay(Duration::from_millis(200)).start().await.unwrap();
    let client = Client::builder().api_key(sandbox.api_key()).base_url(sandbox.base_url()).build().unwrap();
    let user = sandbox.create_user("gavin@hooli.com");
    let outcome = sandbox.complete_consent(&user, "AU00000", "gavinBelson", "hooli2016").unwrap();
    client.wait_for_job(&outcome.job_id).initial_interval(Duration::from_millis(50)).wait().await.unwrap();
    let connection = outcome.connection_id.unwrap();
    let first = client.refresh_connection().user_id(&user).connection_id(&connection).call().await.unwrap();
    let again = client.refresh_connection().user_id(&user).connection_id(&connection).send().await.unwrap();
    assert_eq!(again.status().as_u16(), 200, "the second refresh is answered with the running job");
    assert_eq!(again.into_inner().id, first.id);
}
