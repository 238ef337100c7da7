//! Submitting payments and waiting for their jobs, against a scripted server on 127.0.0.1: the
//! exact submission, one outcome per entry, a failed payment's reason, and batches refused
//! before anything is sent.

use crate::scripted;

use std::time::Duration;

use axum::http::Method;
use basiq::{Error, types};
use scripted::Scripted;
use serde_json::{Value, json};

fn payout(request_id: &str, amount: f64) -> types::PayoutRequest {
    types::PayoutRequest {
        request_id: request_id.into(),
        amount,
        description: "Dividends".into(),
        method: Some(types::PayoutMethod::FastBatch),
        payee: types::PayoutPayeeRequest {
            payee_user_id: "4198c70f-210f-433f-b4a0-912ae64bb572".into(),
            payee_bank_branch_code: Some("730002".into()),
            payee_account_number: Some("123456789".into()),
        },
    }
}

fn payment_job(id: &str, last: &str) -> Value {
    let link = json!({"type": "link", "url": format!("/payments/payouts/{id}")});
    json!({"type": "job", "id": id, "steps": [
        {"title": "validate-payment", "status": "success", "result": link},
        {"title": "external-processing", "status": "success", "result": link},
        {"title": "payment-completed", "status": last, "result": link},
    ], "links": {"self": format!("/jobs/{id}"), "source": format!("/payments/payouts/{id}")}})
}

/// Submissions answer 201 with two jobs; job `j-ok` succeeds, job `j-bad` fails and its payout says why.
async fn server() -> Scripted {
    Scripted::api(|seen, _| match (seen.method.as_str(), seen.path.as_str()) {
        ("POST", "/payments/payouts") => (
            201,
            json!({"jobs": [
                {"type": "job", "id": "j-ok", "requestId": "r-1", "links": {"self": "/jobs/j-ok"}},
                {"type": "job", "id": "j-bad", "requestId": "r-2", "links": {"self": "/jobs/j-bad"}},
            ]}),
        ),
        ("GET", "/jobs/j-ok") => (200, payment_job("j-ok", "success")),
        ("GET", "/jobs/j-bad") => (200, payment_job("j-bad", "failed")),
        ("GET", "/payments/payouts/j-bad") => (
            200,
            json!({"type": "payout", "id": "j-bad", "status": "failed", "amount": 20.5,
                   "reason": {"code": "daily-limit-reached", "title": "Daily limit reached.", "detail": "Over the limit."}}),
        ),
        _ => (404, json!({"type": "list", "data": [{"type": "error", "code": "resource-not-found"}]})),
    })
    .await
}

#[tokio::test]
async fn each_payout_ends_in_its_own_outcome_and_a_failure_carries_the_payouts_reason() {
    let server = server().await;
    let client = server.client();
    let outcomes = client
        .submit_payouts_and_wait(vec![payout("r-1", 173.45), payout("r-2", 20.5)])
        .initial_interval(Duration::from_millis(5))
        .deadline(Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(outcomes.len(), 2);
    assert_eq!((outcomes[0].request_id.as_deref(), outcomes[0].job_id.as_str()), (Some("r-1"), "j-ok"));
    let done = outcomes[0].result.as_ref().unwrap();
    assert_eq!(done.payout_id.as_deref(), Some("j-ok"));
    match &outcomes[1].result {
        Err(Error::JobFailed(failure)) => {
            assert_eq!(failure.step, "payment-completed");
            assert_eq!(failure.code.as_deref(), Some("daily-limit-reached"));
            assert_eq!(failure.title.as_deref(), Some("Daily limit reached."));
        }
        other => panic!("expected the payout's failure, got {other:?}"),
    }

    let submitted = server.requests("/payments/payouts");
    assert_eq!(submitted.len(), 1);
    let body: Value = serde_json::from_str(&submitted[0].body).unwrap();
    assert_eq!(
        body["payouts"][0],
        json!({"requestId": "r-1", "amount": 173.45, "description": "Dividends", "method": "fast/batch",
               "payee": {"payeeUserId": "4198c70f-210f-433f-b4a0-912ae64bb572", "payeeBankBranchCode": "730002",
                         "payeeAccountNumber": "123456789"}})
    );
    assert_eq!(server.count(Method::GET, "/payments/payouts/j-ok"), 0, "a success needs no extra fetch");
    assert_eq!(server.count(Method::GET, "/payments/payouts/j-bad"), 1);
}

#[tokio::test]
async fn a_batch_basiq_would_refuse_is_refused_before_anything_is_sent() {
    let server = server().await;
    let client = server.client();
    let too_many: Vec<_> = (0..101).map(|i| payout(&format!("r-{i}"), 1.0)).collect();
    for batch in [Vec::new(), too_many, vec![payout("same", 1.0), payout("same", 2.0)], vec![payout("r", 0.0)]] {
        let outcome = client.submit_payouts_and_wait(batch).await;
        assert!(matches!(outcome, Err(Error::InvalidInput(_))), "{outcome:?}");
    }
    assert!(server.seen().is_empty(), "nothing may be sent: {:?}", server.seen());
}

#[tokio::test]
async fn a_refused_submission_is_an_api_error_naming_the_entry() {
    let server = Scripted::api(|_, _| {
        (
            400,
            json!({"type": "list", "correlationId": "ac5ah5i", "data": [{"type": "error", "code": "parameter-not-valid",
                   "title": "Parameter not valid.", "id": "r-1", "source": {"pointer": "/payouts[0]/payeeBankBranchCode"}}]}),
        )
    })
    .await;
    let client = server.client();
    match client.submit_payouts_and_wait(vec![payout("r-1", 5.0)]).await {
        Err(Error::Api(error)) => {
            assert_eq!(error.status, 400);
            assert_eq!(error.items[0].request_id.as_deref(), Some("r-1"));
            assert_eq!(error.items[0].pointer.as_deref(), Some("/payouts[0]/payeeBankBranchCode"));
            assert!(error.to_string().contains("(entry r-1)"), "{error}");
        }
        other => panic!("expected the API's refusal, got {other:?}"),
    }
}
