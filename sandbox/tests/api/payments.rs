//! Payments: jobs that go through validate-payment, external-processing and payment-completed;
//! a float account whose balance moves; and the documented failures.

use crate::expr;
use crate::support as helpers;

use basiq_sandbox::{Fault, FaultKind};
use helpers::{Api, err};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// A named, connected user (payments need a first and last name and an email).
async fn named(api: &Api, first: &str, last: &str, login: &str, password: &str) -> String {
    let (st, u) = api
        .post("/users", json!({ "email": format!("{first}@example.com"), "firstName": first, "lastName": last }))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{u}");
    let id = s(&u["id"]);
    api.connect(&id, "AU00000", login, password).await;
    id
}

async fn float(api: &Api) -> f64 {
    let (st, list) = api.get("/payments/float-accounts/").await;
    assert_eq!(st, StatusCode::OK, "{list}");
    list["data"][0]["availableBalance"].as_f64().unwrap_or_else(|| panic!("{list}"))
}

fn payout(request_id: &str, payee: &str, amount: Value) -> Value {
    json!({
        "requestId": request_id,
        "payee": { "payeeUserId": payee, "payeeBankBranchCode": "730002", "payeeAccountNumber": "123456789" },
        "description": "Dividends",
        "amount": amount,
    })
}

fn payrequest(request_id: &str, payer: &str, amount: Value) -> Value {
    json!({ "requestId": request_id, "payer": { "payerUserId": payer }, "description": "Investment", "amount": amount })
}

/// Submit one entry and return its job id (asserting 201).
async fn submit(api: &Api, kind: &str, entry: Value) -> String {
    let (st, b) = api.post(&format!("/payments/{kind}"), json!({ kind: [entry] })).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    s(&b["jobs"][0]["id"])
}

#[tokio::test]
async fn a_payout_runs_three_steps_and_moves_the_float() {
    let api = Api::new().await;
    let jared = named(&api, "Jared", "Dunn", "jared", "django").await;
    let (st, list) = api.get("/payments/float-accounts").await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!((list["count"].clone(), list["type"].clone()), (json!(1), json!("list")));
    let account = &list["data"][0];
    assert_eq!(account["type"], "floataccount");
    assert_eq!(account["bankBranchCode"], "802919");
    assert_eq!(account["availableBalance"], 10000.0);
    let (st, one) = api.get(&format!("/payments/float-accounts/{}", s(&account["id"]))).await;
    assert_eq!((st, one["id"].clone()), (StatusCode::OK, account["id"].clone()));
    assert_eq!(api.get("/payments/float-accounts/nope").await.0, StatusCode::NOT_FOUND);

    let (st, b) = api.post("/payments/payouts", json!({ "payouts": [payout("p-1", &jared, json!(173.45))] })).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let job_ref = &b["jobs"][0];
    assert_eq!(job_ref["type"], "job");
    assert_eq!(job_ref["requestId"], "p-1");
    let id = s(&job_ref["id"]);
    assert!(s(&job_ref["links"]["self"]).ends_with(&format!("/jobs/{id}")));
    assert!((float(&api).await - 9826.55).abs() < 1e-9, "a payout holds its amount at once");

    let (_, running) = api.get(&format!("/jobs/{id}")).await;
    assert_eq!(
        Api::steps(&running).into_iter().map(|(t, _)| t).collect::<Vec<_>>(),
        ["validate-payment", "external-processing", "payment-completed"]
    );
    assert!(s(&running["links"]["source"]).ends_with(&format!("/payments/payouts/{id}")), "{running}");
    let job = api.wait_job(&id).await;
    assert!(Api::steps(&job).iter().all(|(_, st)| st == "success"), "{job}");
    assert_eq!(job["steps"][2]["result"], json!({ "type": "link", "url": format!("/payments/payouts/{id}") }));

    let (st, p) = api.get(&format!("/payments/payouts/{id}")).await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["type"], "payout");
    assert_eq!(p["status"], "successful");
    assert_eq!(p["amount"], 173.45);
    assert_eq!(p["currency"], "AUD");
    assert_eq!(p["method"], "batch");
    assert_eq!(p["payee"]["payeeUserId"], jared.as_str());
    assert_eq!(p["payee"]["payeeBankBranchCode"], "730002");
    assert_eq!(p["links"], json!({ "self": format!("/payments/payouts/{id}"), "job": format!("/jobs/{id}") }));
    assert!((float(&api).await - 9826.55).abs() < 1e-9);

    // fast/batch runs as fast; the payee's connected account is used when no details are given.
    let fast = json!({ "requestId": "p-2", "method": "fast/batch", "payee": { "payeeUserId": jared }, "description": "Refund", "amount": "26.55" });
    let id2 = submit(&api, "payouts", fast).await;
    let (_, p2) = api.get(&format!("/payments/payouts/{id2}/")).await;
    assert_eq!((p2["method"].clone(), p2["requestedMethod"].clone()), (json!("fast"), json!("fast/batch")));
    assert!(p2["payee"]["payeeAccountId"].is_string(), "{p2}");
    assert!((float(&api).await - 9800.0).abs() < 1e-9);

    // The payee's CLIENT_ACCESS token may follow its payment job; payments themselves need SERVER_ACCESS.
    let client = api.sb.client_token(&jared).unwrap();
    assert_eq!(api.get_with(&format!("/jobs/{id}"), &client).await.0, StatusCode::OK);
    assert_eq!(api.get_with(&format!("/payments/payouts/{id}"), &client).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn submit_errors_are_one_envelope_per_request() {
    let api = Api::new().await;
    let jared = named(&api, "Jared", "Dunn", "jared", "django").await;
    submit(&api, "payouts", payout("used", &jared, json!(1))).await;
    let before = float(&api).await;

    let check = |b: &Value, expected: &[(&str, Option<&str>, Option<&str>)]| {
        let got: Vec<(String, Option<String>, Option<String>)> = b["data"]
            .as_array()
            .unwrap_or_else(|| panic!("{b}"))
            .iter()
            .map(|e| {
                (s(&e["code"]), e["source"]["pointer"].as_str().map(str::to_owned), e["id"].as_str().map(str::to_owned))
            })
            .collect();
        let want: Vec<(String, Option<String>, Option<String>)> =
            expected.iter().map(|(c, p, i)| ((*c).to_owned(), p.map(str::to_owned), i.map(str::to_owned))).collect();
        assert_eq!(got, want, "{b}");
    };
    let mut bad_bsb = payout("b-1", &jared, json!(5));
    bad_bsb["payee"]["payeeBankBranchCode"] = json!("12-34");
    let mut bad_method = payout("b-2", &jared, json!(5));
    bad_method["method"] = json!("slow");
    let (st, b) = api
        .post("/payments/payouts", json!({ "payouts": [bad_bsb, payout("b-3", &jared, json!(0)), bad_method, payout("used", &jared, json!(1))] }))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(b["correlationId"].is_string());
    check(
        &b,
        &[
            ("parameter-not-valid", Some("/payouts[0]/payeeBankBranchCode"), Some("b-1")),
            ("parameter-not-valid", Some("/payouts[1]/amount"), Some("b-3")),
            ("parameter-not-valid", Some("/payouts[2]/method"), Some("b-2")),
        ],
    );
    let (_, b) = api.post("/payments/payouts", json!({ "payouts": [payout("used", &jared, json!(1))] })).await;
    check(&b, &[("resource-already-exists", Some("/payouts[0]/requestId"), Some("used"))]);

    // Payouts beyond the float's available balance.
    let (st, b) = api
        .post(
            "/payments/payouts",
            json!({ "payouts": [payout("f-1", &jared, json!(9000)), payout("f-2", &jared, json!(1500))] }),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    check(&b, &[("parameter-not-valid", Some("/payouts[1]/amount"), Some("f-2"))]);
    assert!(s(&b["data"][0]["detail"]).contains("float"), "{b}");
    assert_eq!(float(&api).await, before, "a rejected submit moves nothing");

    let many: Vec<Value> = (0..101).map(|n| payout(&format!("m-{n}"), &jared, json!(1))).collect();
    let (_, b) = api.post("/payments/payouts", json!({ "payouts": many })).await;
    check(&b, &[("maximum-count-exceeded", None, None)]);
    // No pointer for a body-level error: the item leaves `source` out (the spec has no null there).
    assert!(b["data"][0].as_object().is_some_and(|e| !e.contains_key("source")), "{b}");
    let resp =
        api.http.post(api.url("/payments/payrequests")).bearer_auth(&api.token).body("{oops").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let b: Value = resp.json().await.unwrap();
    check(&b, &[("invalid-content", None, None)]);
    let (_, b) = api
        .post(
            "/payments/payrequests",
            json!({ "payrequests": [payrequest("u-1", "7d1c2f7e-4d3a-4a61-8f0e-2c5d7b6a9e14", json!(5))] }),
        )
        .await;
    check(&b, &[("parameter-not-valid", Some("/payrequests[0]/payerUserId"), Some("u-1"))]);
    let (_, b) = api
        .post("/payments/payrequests", json!({ "payrequests": [{ "requestId": "x", "payer": { "payerUserId": jared, "payerAccountNumber": "123456" }, "description": "d", "amount": 1 }] }))
        .await;
    check(&b, &[("parameter-not-valid", Some("/payrequests[0]/payerBankBranchCode"), Some("x"))]);
    assert_eq!(api.get("/payments/payrequests").await.1["count"], 0, "nothing was stored");
}

#[tokio::test]
async fn pay_requests_collect_into_the_float_or_fail_with_a_reason() {
    let api = Api::new().await;
    let gavin = named(&api, "Gavin", "Belson", "gavinBelson", "hooli2016").await;

    let ok = submit(&api, "payrequests", payrequest("r-ok", &gavin, json!(50))).await;
    api.wait_job(&ok).await;
    let (_, p) = api.get(&format!("/payments/payrequests/{ok}")).await;
    assert_eq!(p["status"], "successful", "{p}");
    assert_eq!(p["method"], "batch");
    assert!(p["payer"]["payerAccountId"].is_string(), "the payer's transaction account was used: {p}");
    assert!((float(&api).await - 10050.0).abs() < 1e-9, "collected into the float");

    let mut kept = payrequest("r-kept", &gavin, json!(20));
    kept["collectFundsToFloat"] = json!(false);
    api.wait_job(&submit(&api, "payrequests", kept).await).await;
    assert!((float(&api).await - 10050.0).abs() < 1e-9, "not collected into the float");

    // The payer's balance is checked when asked: 40,000 is more than gavin has available.
    let mut checked = payrequest("r-check", &gavin, json!(40000));
    checked["checkAccountBalance"] = json!(true);
    let id = submit(&api, "payrequests", checked).await;
    let job = api.wait_job(&id).await;
    assert_eq!(
        Api::steps(&job),
        [
            ("validate-payment".into(), "failed".into()),
            ("external-processing".into(), "pending".into()),
            ("payment-completed".into(), "pending".into())
        ]
    );
    assert_eq!(job["steps"][0]["result"]["code"], "check-balance-insufficient-funds");
    let (_, p) = api.get(&format!("/payments/payrequests/{id}")).await;
    assert_eq!(p["status"], "failed");
    assert_eq!(p["reason"]["code"], "check-balance-insufficient-funds");

    // Above the sandbox bank's single-payment limit: external processing fails.
    let big = submit(&api, "payrequests", payrequest("r-big", &gavin, json!(60000))).await;
    let job = api.wait_job(&big).await;
    assert_eq!(job["steps"][1]["status"], "failed", "{job}");
    assert_eq!(job["steps"][1]["result"]["code"], "transaction-limit-reached");

    // Users without names, or without any account to debit.
    let nameless = api.user().await;
    let id = submit(&api, "payrequests", payrequest("r-nameless", &nameless, json!(5))).await;
    api.wait_job(&id).await;
    assert_eq!(api.get(&format!("/payments/payrequests/{id}")).await.1["reason"]["code"], "invalid-user-name");
    let (_, u) = api.post("/users", json!({ "email": "ann@example.com", "firstName": "Ann", "lastName": "Lee" })).await;
    let id = submit(&api, "payrequests", payrequest("r-no-account", &s(&u["id"]), json!(5))).await;
    api.wait_job(&id).await;
    assert_eq!(
        api.get(&format!("/payments/payrequests/{id}")).await.1["reason"]["code"],
        "missing-payer-account-details"
    );
    assert!((float(&api).await - 10050.0).abs() < 1e-9, "failed requests collect nothing");

    // Lists: newest first, filters, paging, unknown ids.
    let (st, list) = api.get("/payments/payrequests").await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(list["count"], 6);
    assert_eq!(list["data"][0]["requestId"], "r-no-account");
    let (_, failed) = api.get(&expr::url("/payments/payrequests", "status.eq('failed')")).await;
    assert_eq!(failed["count"], 4);
    let (_, mine) =
        api.get(&expr::url("/payments/payrequests", &expr::statement("payer.user.id", "eq", &[&gavin]))).await;
    assert_eq!(mine["count"], 4);
    let (_, page) = api.get("/payments/payrequests?limit=4").await;
    assert_eq!(page["data"].as_array().map(Vec::len), Some(4));
    let (_, rest) = api.get(&s(&page["links"]["next"])).await;
    assert_eq!(rest["data"][1]["requestId"], "r-ok");
    assert!(rest["links"].get("next").is_none());
    let (st, b) = api.get(&expr::url("/payments/payrequests", "colour.eq('red')")).await;
    assert_eq!((st, s(&err(&b)["code"])), (StatusCode::BAD_REQUEST, "parameter-not-valid".to_owned()));
    let (st, b) = api.get(&format!("/payments/payouts/{ok}")).await;
    assert_eq!(
        (st, s(&err(&b)["detail"])),
        (StatusCode::NOT_FOUND, "Payout not found".to_owned()),
        "a payrequest is no payout"
    );
    let (st, b) = api.get("/payments/payrequests/nope").await;
    assert_eq!((st, s(&err(&b)["detail"])), (StatusCode::NOT_FOUND, "Payment request not found".to_owned()));
    let (st, outs) = api.get("/payments/payouts/").await;
    assert_eq!((st, outs["count"].clone()), (StatusCode::OK, json!(0)));

    // Faults reach the new operations by their operationId like any other.
    api.sb.inject(Fault::new("listPayrequests", FaultKind::Unavailable, 1));
    assert_eq!(api.get("/payments/payrequests").await.0, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(api.get("/payments/payrequests").await.0, StatusCode::OK);
}
