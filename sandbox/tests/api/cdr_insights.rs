//! CDR Insights: the checks follow the persona's accounts, balances, profile and transactions;
//! insights are stored, listed, filtered and paged; bad input gets Basiq's error envelope.

use crate::expr;
use crate::support as helpers;

use helpers::{Api, err};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// A user connected as gavinBelson, and its accounts.
async fn gavin(api: &Api) -> (String, Vec<Value>) {
    let user = api.user().await;
    api.connect(&user, "AU00000", "gavinBelson", "hooli2016").await;
    let (st, accounts) = api.get(&format!("/users/{user}/accounts")).await;
    assert_eq!(st, StatusCode::OK, "{accounts}");
    let list = accounts["data"].as_array().cloned().unwrap_or_default();
    assert!(list.len() >= 2, "{accounts}");
    (user, list)
}

fn matches(insight: &Value, field: &str) -> Vec<bool> {
    insight["data"].as_array().map_or_else(Vec::new, |items| {
        items.iter().map(|i| i[field]["match"].as_bool().unwrap_or_else(|| panic!("no match in {i}"))).collect()
    })
}

#[tokio::test]
async fn account_and_balance_checks_follow_the_accounts() {
    let api = Api::new().await;
    let (user, accounts) = gavin(&api).await;
    let first = &accounts[0];

    let (st, ins) = api
        .post(
            &format!("/users/{user}/insights/account"),
            json!({ "accountNumber": s(&first["unmaskedAccNum"]), "accountType": s(&first["class"]["type"]) }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{ins}");
    assert_eq!(ins["type"], "insight");
    assert_eq!(ins["insightType"], "account");
    assert_eq!(ins["data"].as_array().map(Vec::len), Some(accounts.len()), "one item per account");
    let mut expected = vec![false; accounts.len()];
    expected[0] = true;
    assert_eq!(matches(&ins, "accountNumber"), expected);
    assert_eq!(ins["data"][0]["accountId"], first["id"]);
    assert_eq!(ins["data"][0]["accountType"]["match"], true);
    assert_eq!(ins["data"][0]["accountNumber"]["confidence"], 1.0);
    let id = s(&ins["id"]);
    assert!(s(&ins["links"]["self"]).ends_with(&format!("/users/{user}/insights/{id}")), "{ins}");

    // BSB + number works too; a number the user does not hold matches nowhere.
    let (_, ins) =
        api.post(&format!("/users/{user}/insights/account"), json!({ "accountNumber": s(&first["accountNo"]) })).await;
    assert_eq!(matches(&ins, "accountNumber"), expected);
    assert!(ins["data"][0].get("accountType").is_none(), "no accountType cell when none was asked: {ins}");
    let (_, ins) = api.post(&format!("/users/{user}/insights/account"), json!({ "accountNumber": "000111222" })).await;
    assert_eq!(matches(&ins, "accountNumber"), vec![false; accounts.len()]);

    // Balance range against the real balances.
    let balance = s(&first["balance"]);
    let (st, ins) = api
        .post(&format!("/users/{user}/insights/balance"), json!({ "balance": { "min": balance, "max": balance } }))
        .await;
    assert_eq!(st, StatusCode::OK, "{ins}");
    assert_eq!(ins["insightType"], "balance");
    assert!(matches(&ins, "accountNumber")[0], "{ins}");
    assert_eq!(ins["data"][0]["accountNumber"]["input"], json!({ "min": balance, "max": balance }));
    let (_, ins) =
        api.post(&format!("/users/{user}/insights/balance"), json!({ "balance": { "min": "99999999" } })).await;
    assert_eq!(matches(&ins, "accountNumber"), vec![false; accounts.len()]);
    assert_eq!(ins["data"][0]["accountNumber"]["input"]["max"], "", "a missing max is echoed as \"\"");
    let (_, ins) =
        api.post(&format!("/users/{user}/insights/balance"), json!({ "balance": { "min": "10", "max": "5" } })).await;
    assert_eq!(matches(&ins, "accountNumber"), vec![false; accounts.len()], "min above max matches nothing");
}

#[tokio::test]
async fn identity_income_and_expense_ratio() {
    let api = Api::new().await;
    let (user, _) = gavin(&api).await;
    let (st, ins) = api
        .post(
            &format!("/users/{user}/insights/identity"),
            json!({ "name": "gavin BELSON", "phone": "0410 000 001", "email": "gavin@hooli.com", "address": "1 Hooli Way Sydney" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{ins}");
    let item = &ins["data"][0];
    assert_eq!(item["name"]["match"], true, "{ins}");
    assert_eq!(item["phones"][0]["match"], true, "{ins}");
    assert_eq!(item["emails"][0]["match"], true, "{ins}");
    assert_eq!(item["addresses"][0]["match"], true, "{ins}");
    let (_, ins) = api
        .post(
            &format!("/users/{user}/insights/identity"),
            json!({ "name": "Richard Hendricks", "email": "", "phone": "" }),
        )
        .await;
    assert_eq!(ins["data"][0]["name"]["match"], false);
    assert!(ins["data"][0].get("phones").is_none(), "empty inputs are not checked: {ins}");

    // The expense-ratio bucket and the income check agree on the same income.
    let (st, ins) = api.post(&format!("/users/{user}/insights/expense-ratio"), json!({ "expense": "3000" })).await;
    assert_eq!(st, StatusCode::OK, "{ins}");
    assert_eq!(ins["data"][0]["input"]["expense"], "3000");
    let range = s(&ins["data"][0]["result"]["range"]);
    let low: f64 = range.split('%').next().and_then(|p| p.trim().parse().ok()).unwrap_or_else(|| panic!("{range}"));
    assert!(low > 0.0, "gavin's salary keeps 3000 above 0-10% and below 100%: {range}");
    let (income_min, income_max) = (3000.0 / ((low + 10.0) / 100.0), 3000.0 / (low / 100.0));
    let (st, ins) = api
        .post(
            &format!("/users/{user}/insights/income"),
            json!({ "income": { "min": format!("{:.2}", income_min + 0.01), "max": format!("{:.2}", income_max) } }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{ins}");
    assert_eq!(ins["insightType"], "income");
    assert_eq!(ins["data"][0]["match"], true, "income within the bucket's bounds: {range} {ins}");
    let (_, ins) = api
        .post(
            &format!("/users/{user}/insights/income"),
            json!({ "income": { "min": format!("{:.2}", income_max + 1.0) } }),
        )
        .await;
    assert_eq!(ins["data"][0]["match"], false);
    assert_eq!(ins["data"][0]["confidence"], 0.0);
    let (_, ins) = api.post(&format!("/users/{user}/insights/expense-ratio"), json!({ "expense": "1000000" })).await;
    assert_eq!(ins["data"][0]["result"]["range"], "Income Exceeded");
}

#[tokio::test]
async fn bad_input_and_ineligible_users() {
    let api = Api::new().await;
    let (user, _) = gavin(&api).await;
    let cases = [
        (
            "balance",
            json!({ "balance": {} }),
            "parameter-not-valid",
            json!({ "pointer": "balance/min/max", "parameter": "min/max" }),
        ),
        (
            "balance",
            json!({ "balance": { "min": "ash" } }),
            "parameter-not-valid",
            json!({ "pointer": "balance/min", "parameter": "min" }),
        ),
        (
            "balance",
            json!({ "balance": { "min": 1 } }),
            "invalid-content",
            json!({ "pointer": "balance/min", "parameter": "min" }),
        ),
        (
            "income",
            json!({ "income": { "max": "10" } }),
            "parameter-not-valid",
            json!({ "pointer": "income/min", "parameter": "min" }),
        ),
        (
            "identity",
            json!({ "name": "R2-D2" }),
            "parameter-not-valid",
            json!({ "pointer": "name", "parameter": "name" }),
        ),
        (
            "identity",
            json!({ "phone": "04xx xxx 123" }),
            "parameter-not-valid",
            json!({ "pointer": "phone", "parameter": "phone" }),
        ),
        (
            "identity",
            json!({ "email": "not-an-email" }),
            "parameter-not-valid",
            json!({ "pointer": "email", "parameter": "email" }),
        ),
        (
            "identity",
            json!({ "name": "" }),
            "parameter-not-valid",
            json!({ "pointer": "identity", "parameter": "name/phone/email/address" }),
        ),
        (
            "expense-ratio",
            json!({ "expense": "-5" }),
            "parameter-not-valid",
            json!({ "pointer": "expense-ratio", "parameter": "expense" }),
        ),
        (
            "expense-ratio",
            json!({ "expense": "12345678901234567890" }),
            "parameter-not-valid",
            json!({ "pointer": "expense-ratio", "parameter": "expense" }),
        ),
        (
            "account",
            json!({ "accountNumber": 12345 }),
            "invalid-content",
            json!({ "pointer": "accountNumber", "parameter": "accountNumber" }),
        ),
        (
            "account",
            json!({}),
            "parameter-not-valid",
            json!({ "pointer": "accountNumber", "parameter": "accountNumber" }),
        ),
    ];
    for (kind, body, code, source) in cases {
        let (st, b) = api.post(&format!("/users/{user}/insights/{kind}"), body.clone()).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{kind} {body}: {b}");
        assert_eq!(err(&b)["code"], code, "{kind} {body}: {b}");
        assert_eq!(err(&b)["source"], source, "{kind} {body}: {b}");
    }
    let (st, b) = api.post(&format!("/users/{user}/insights/balance"), json!([1])).await;
    assert_eq!((st, s(&err(&b)["code"])), (StatusCode::BAD_REQUEST, "invalid-content".to_owned()));

    // Unknown user, and a user without consent: 404.
    let (st, b) = api
        .post("/users/7d1c2f7e-4d3a-4a61-8f0e-2c5d7b6a9e14/insights/income", json!({ "income": { "min": "1" } }))
        .await;
    assert_eq!((st, s(&err(&b)["code"])), (StatusCode::NOT_FOUND, "resource-not-found".to_owned()));
    let fresh = api.user().await;
    let (st, b) = api.post(&format!("/users/{fresh}/insights/income"), json!({ "income": { "min": "1" } })).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{b}");
    assert!(s(&err(&b)["detail"]).contains("consent"), "{b}");

    // A connected user whose transactions could not be read: no income to compare with.
    let no_txns = api.user().await;
    api.connect(&no_txns, "AU00000", "jianYang", "nothotdog").await;
    let (st, b) = api.post(&format!("/users/{no_txns}/insights/expense-ratio"), json!({ "expense": "100" })).await;
    assert_eq!((st, s(&err(&b)["code"])), (StatusCode::BAD_REQUEST, "invalid-content".to_owned()), "{b}");

    // Only SERVER_ACCESS tokens.
    let client = api.sb.client_token(&user).unwrap();
    let (st, _) =
        api.post_with(&format!("/users/{user}/insights/income"), json!({ "income": { "min": "1" } }), &client).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn insights_are_stored_listed_filtered_and_paged() {
    let api = Api::new().await;
    let (user, _) = gavin(&api).await;
    let mut ids = Vec::new();
    for n in 0..22 {
        let (kind, body) = if n % 2 == 0 {
            ("balance", json!({ "balance": { "min": "1" } }))
        } else {
            ("expense-ratio", json!({ "expense": "500" }))
        };
        let (st, ins) = api.post(&format!("/users/{user}/insights/{kind}"), body).await;
        assert_eq!(st, StatusCode::OK, "{ins}");
        ids.push(s(&ins["id"]));
    }
    let insights = format!("/users/{user}/insights");
    let (st, page) = api.get(&insights).await;
    assert_eq!(st, StatusCode::OK, "{page}");
    assert_eq!(page["count"], 22);
    let first: Vec<String> = page["data"].as_array().unwrap().iter().map(|i| s(&i["id"])).collect();
    assert_eq!(first.len(), 20);
    assert_eq!(first[0], ids[21], "newest first");
    let next = s(&page["links"]["next"]);
    assert!(!next.is_empty(), "{page}");
    let (_, rest) = api.get(&next).await;
    assert_eq!(rest["data"].as_array().map(Vec::len), Some(2));
    assert!(rest["links"].get("next").is_none(), "{rest}");
    assert_eq!(s(&rest["data"][1]["id"]), ids[0]);

    let (_, bal) = api.get(&expr::url(&insights, "insightType.eq('balance')")).await;
    assert_eq!(bal["count"], 11);
    assert!(bal["data"].as_array().unwrap().iter().all(|i| i["insightType"] == "balance"));
    let (_, none) = api.get(&expr::url(&insights, "created.gteq('2999-01-01')")).await;
    assert_eq!(none["count"], 0);
    let both = expr::all(&[
        expr::statement("created", "bt", &["2000-01-01", "2999-12-31"]),
        expr::statement("insightType", "eq", &["expense-ratio"]),
    ]);
    let (_, all) = api.get(&expr::url(&insights, &both)).await;
    assert_eq!(all["count"], 11);
    for bad in [
        "foo.eq('x')",
        "insightType.eq('not-supported')",
        "created.eq('2025-13-01')",
        "created.bt('2025-09-02','2025-08-25')",
        "created",
    ] {
        let (st, b) = api.get(&expr::url(&insights, bad)).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{bad}: {b}");
        assert_eq!(err(&b)["code"], "invalid-content", "{bad}");
        assert!(s(&err(&b)["detail"]).starts_with("Invalid filter param:"), "{bad}: {b}");
    }

    let (st, one) = api.get(&format!("/users/{user}/insights/{}", ids[3])).await;
    assert_eq!(st, StatusCode::OK, "{one}");
    assert_eq!(one["id"], ids[3].as_str());
    assert_eq!(one["insightType"], "expense-ratio");
    let (st, _) = api.get(&format!("/users/{user}/insights/{}/", ids[3])).await;
    assert_eq!(st, StatusCode::OK, "trailing slash");
    let (st, b) = api.get(&format!("/users/{user}/insights/00000000-0000-4000-8000-000000000000")).await;
    assert_eq!((st, s(&err(&b)["code"])), (StatusCode::NOT_FOUND, "resource-not-found".to_owned()));
    let (st, b) = api.get(&format!("/users/{user}/insights/not-a-uuid")).await;
    assert_eq!((st, s(&err(&b)["code"])), (StatusCode::BAD_REQUEST, "invalid-content".to_owned()));
    let other = api.user().await;
    let (st, _) = api.get(&format!("/users/{other}/insights/{}", ids[3])).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "another user's insight is not visible");
}

#[tokio::test]
async fn types_and_create_insight() {
    let api = Api::new().await;
    let (st, types) = api.get("/insights/types").await;
    assert_eq!(st, StatusCode::OK, "{types}");
    assert_eq!(types["count"], 5);
    let ids: Vec<String> = types["data"].as_array().unwrap().iter().map(|t| s(&t["id"])).collect();
    assert_eq!(
        ids,
        [
            "ACCOUNT_VERIFICATION",
            "BALANCE_VERIFICATION",
            "IDENTITY_VERIFICATION",
            "INCOME_VERIFICATION",
            "EXPENSE_RATIO_VERIFICATION"
        ]
    );
    let multi: Vec<bool> =
        types["data"].as_array().unwrap().iter().map(|t| t["supportMultipleUsers"] == true).collect();
    assert_eq!(multi, [false, false, false, false, true]);
    let (st, one) = api.get("/insights/types/INCOME_VERIFICATION/").await;
    assert_eq!(st, StatusCode::OK, "{one}");
    assert_eq!(one["type"], "insightType");
    assert_eq!(one["dataSchema"]["income"]["min"], "string");
    let (st, b) = api.get("/insights/types/NOPE").await;
    assert_eq!((st, s(&err(&b)["code"])), (StatusCode::NOT_FOUND, "resource-not-found".to_owned()));

    let (a, _) = gavin(&api).await;
    let b_user = api.user().await;
    api.connect(&b_user, "AU00000", "Whistler", "ShowBox").await;
    let (st, ins) = api
        .post(
            "/insights",
            json!({ "users": [a, b_user], "type": "EXPENSE_RATIO_VERIFICATION", "data": { "expense": "2750" } }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{ins}");
    assert_eq!(ins["users"], json!([a, b_user]));
    assert_eq!(ins["insightType"], "expense-ratio");
    assert!(s(&ins["links"]["self"]).contains(&format!("/users/{a}/insights/")), "self names the first user");
    let id = s(&ins["id"]);
    for u in [&a, &b_user] {
        let (st, got) = api.get(&format!("/users/{u}/insights/{id}")).await;
        assert_eq!(st, StatusCode::OK, "visible to every user it covers: {got}");
        assert_eq!(got["users"], json!([a, b_user]));
    }
    // Two users' income together lower the ratio than one user's alone.
    let (_, alone) = api.post(&format!("/users/{a}/insights/expense-ratio"), json!({ "expense": "2750" })).await;
    let low = |v: &Value| {
        s(&v["data"][0]["result"]["range"]).split('%').next().and_then(|p| p.parse::<u32>().ok()).unwrap_or(200)
    };
    assert!(low(&ins) <= low(&alone), "{ins} vs {alone}");

    let (st, ins) = api
        .post(
            "/insights",
            json!({ "users": [a], "type": "ACCOUNT_VERIFICATION", "data": { "accountNumber": "123456" } }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{ins}");
    assert_eq!(ins["insightType"], "account");
    let bad = [
        json!({ "users": [a, b_user], "type": "ACCOUNT_VERIFICATION", "data": { "accountNumber": "1" } }),
        json!({ "users": vec![a.clone(); 11], "type": "EXPENSE_RATIO_VERIFICATION", "data": { "expense": "1" } }),
        json!({ "users": [a], "type": "FOO", "data": {} }),
        json!({ "users": [], "type": "INCOME_VERIFICATION", "data": { "income": { "min": "1" } } }),
        json!({ "users": [a], "type": "INCOME_VERIFICATION" }),
        json!({ "users": [a], "type": "INCOME_VERIFICATION", "data": { "income": { "min": "x" } } }),
    ];
    for body in bad {
        let (st, b) = api.post("/insights", body.clone()).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{body}: {b}");
        assert_eq!(err(&b)["code"], "parameter-not-valid", "{body}: {b}");
        assert!(err(&b)["source"].is_object(), "{body}: {b}");
    }
    let (st, _) = api
        .post("/insights", json!({ "users": ["7d1c2f7e-4d3a-4a61-8f0e-2c5d7b6a9e14"], "type": "INCOME_VERIFICATION", "data": { "income": { "min": "1" } } }))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}
