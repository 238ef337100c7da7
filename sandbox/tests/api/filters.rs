//! Filters, limits, cursors and large histories.

use crate::expr;
use crate::support as helpers;

use std::time::Instant;

use helpers::{Api, err};
use reqwest::StatusCode;
use serde_json::Value;

fn ids(v: &Value) -> Vec<String> {
    v["data"].as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap().to_owned()).collect()
}

async fn connected() -> (Api, String) {
    let api = Api::new().await;
    let user = api.user().await;
    api.connect(&user, "AU00000", "Wentworth-Smith", "whislter").await;
    api.connect(&user, "AU00004", "Whistler", "ShowBox").await;
    (api, user)
}

#[tokio::test]
async fn account_filters() {
    let (api, user) = connected().await;
    let accounts = format!("/users/{user}/accounts");
    let (_, all) = api.get(&accounts).await;
    assert_eq!(ids(&all).len(), 6);
    let (s, hooli) = api.get(&expr::url(&accounts, "institution.id.eq('AU00000')")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ids(&hooli).len(), 4);
    assert!(hooli["data"].as_array().unwrap().iter().all(|a| a["institution"] == "AU00000"));
    let (_, not_hooli) = api.get(&expr::url(&accounts, "institution.id.ne('AU00000')")).await;
    assert_eq!(ids(&not_hooli).len(), 2);
    let first = ids(&all)[0].clone();
    let (_, one) = api.get(&expr::url(&accounts, &expr::statement("account.id", "eq", &[&first]))).await;
    assert_eq!(ids(&one), [first]);
    let conn = all["data"][0]["connection"].as_str().unwrap().to_owned();
    let (_, by_conn) = api.get(&expr::url(&accounts, &expr::statement("connection.id", "eq", &[&conn]))).await;
    assert_eq!(ids(&by_conn).len(), 4);

    for bad in [
        "institution.id.gt('AU00000')",
        "institution.id.eq(AU00000",
        "transaction.postDate.eq('2024-01-01')",
        "nonsense",
    ] {
        let (s, b) = api.get(&expr::url(&accounts, bad)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}");
        let e = err(&b);
        assert_eq!(e["code"], "parameter-not-valid");
        assert_eq!(e["title"], "Parameter value is not valid");
        assert_eq!(e["detail"], "The provided filter parameter is in invalid format or unsupported");
        assert_eq!(e["source"]["parameter"], "filter");
    }
}

/// Sum of `count` over every page of a list.
async fn count_all(api: &Api, path: &str) -> u64 {
    let mut url = path.to_owned();
    let mut n = 0;
    loop {
        let (s, page) = api.get(&url).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        n += page["count"].as_u64().unwrap();
        match page["links"]["next"].as_str() {
            Some(next) => url = next.to_owned(),
            None => return n,
        }
    }
}

#[tokio::test]
async fn transaction_filters() {
    let (api, user) = connected().await;
    let transactions = format!("/users/{user}/transactions");
    let get = |f: &str| {
        let path = expr::url(&transactions, f);
        let api = &api;
        async move { api.get(&path).await }
    };
    let (_, all) = api.get(&transactions).await;
    let total = count_all(&api, &transactions).await;
    assert!(total > 500);

    let (_, debits) = get("transaction.direction.eq('debit')").await;
    assert!(debits["data"].as_array().unwrap().iter().all(|t| t["direction"] == "debit"));
    let debit_n = count_all(&api, &expr::url(&transactions, "transaction.direction.eq('debit')")).await;
    let credit_n = count_all(&api, &expr::url(&transactions, "transaction.direction.eq('credit')")).await;
    assert!(debit_n > 0 && credit_n > 0);
    assert_eq!(debit_n + credit_n, total);

    let (_, pending) = get("transaction.status.eq('pending')").await;
    assert!(pending["count"].as_u64().unwrap() >= 2);
    assert!(pending["data"].as_array().unwrap().iter().all(|t| t["postDate"].is_null()));

    let date = all["data"][20]["postDate"].as_str().unwrap()[..10].to_owned();
    let (_, on_day) = get(&expr::statement("transaction.postDate", "eq", &[&date])).await;
    assert!(on_day["count"].as_u64().unwrap() >= 1);
    assert!(on_day["data"].as_array().unwrap().iter().all(|t| t["postDate"].as_str().unwrap().starts_with(&date)));
    let (_, after) = get(&expr::statement("transaction.postDate", "gt", &[&date])).await;
    assert!(after["data"].as_array().unwrap().iter().all(|t| t["postDate"].as_str().unwrap()[..10] > *date.as_str()));
    let (_, range) = get(&expr::statement("transaction.postDate", "bt", &[&date, &date])).await;
    assert_eq!(range["count"], on_day["count"]);
    let (_, joined) = get(&expr::statement("transaction.postDate", "bt", &[&[date.as_str(), &date].join(",")])).await;
    assert_eq!(joined["count"], on_day["count"]);

    let combo = expr::all(&[
        expr::statement("institution.id", "eq", &["AU00004"]),
        expr::statement("transaction.postDate", "lteq", &[&date]),
    ]);
    let (_, combo) = get(&combo).await;
    assert!(combo["data"].as_array().unwrap().iter().all(|t| t["institution"] == "AU00004"));
    let (_, classes) = get("transaction.class.in('loan-repayment','loan-interest')").await;
    assert!(classes["count"].as_u64().unwrap() > 0);
    assert!(
        classes["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["class"] == "loan-repayment" || t["class"] == "loan-interest")
    );
    let acc = all["data"][0]["account"].as_str().unwrap().to_owned();
    let (_, by_acc) = get(&expr::statement("account.id", "eq", &[&acc])).await;
    assert!(by_acc["data"].as_array().unwrap().iter().all(|t| t["account"] == acc.as_str()));

    for bad in [
        "transaction.postDate.eq('yesterday')",
        "transaction.amount.gt('5')",
        "account.id.eq('a'),",
        "transaction.postDate.bt('2024-01-01')",
    ] {
        let (s, b) = get(bad).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(err(&b)["source"]["parameter"], "filter");
    }
}

#[tokio::test]
async fn limits_and_cursors() {
    let (api, user) = connected().await;
    let (s, b) = api.get(&format!("/users/{user}/transactions?limit=501")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(err(&b)["detail"], "Maximum limit allowed is 500");
    assert_eq!(err(&b)["source"]["parameter"], "limit");
    let (s, b) = api.get(&format!("/users/{user}/transactions?limit=ten")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(err(&b)["source"]["parameter"], "limit");
    let (s, b) = api.get(&format!("/users/{user}/transactions?next=garbage!")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(err(&b)["source"]["parameter"], "next");

    // A filtered walk keeps the filter across pages.
    let limited = format!("/users/{user}/transactions?limit=7");
    let mut url = expr::url(&limited, "institution.id.eq('AU00004')");
    let mut n = 0;
    for _ in 0..1000 {
        let (s, page) = api.get(&url).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page["data"].as_array().unwrap().iter().all(|t| t["institution"] == "AU00004"));
        n += page["count"].as_u64().unwrap();
        match page["links"]["next"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
    }
    let transactions = format!("/users/{user}/transactions");
    let (_, whole) = api.get(&expr::url(&transactions, "institution.id.eq('AU00004')")).await;
    assert!(n > 7);
    assert_eq!(n, whole["count"].as_u64().unwrap());
}

#[tokio::test]
async fn hundred_thousand_transactions_page_quickly() {
    let api = Api::new().await;
    let user = api.user().await;
    let account = api.sb.set_transaction_history(&user, None, 100_000).unwrap();
    let start = Instant::now();
    let (s, accounts) = api.get(&format!("/users/{user}/accounts")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(accounts["data"][0]["id"], account.as_str());
    let mut url = format!("/users/{user}/transactions");
    let mut total = 0;
    let mut pages = 0;
    loop {
        let (s, page) = api.get(&url).await;
        assert_eq!(s, StatusCode::OK);
        total += page["count"].as_u64().unwrap();
        pages += 1;
        match page["links"]["next"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(total, 100_000);
    assert_eq!(pages, 200);
    assert!(start.elapsed().as_secs() < 60, "paging took {:?}", start.elapsed());
}
