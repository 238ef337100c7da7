//! Payees derived from the persona's transactions; analytics counted from the sandbox's own users
//! and connections.

use crate::expr;
use crate::support as helpers;

use helpers::{Api, err};
use reqwest::StatusCode;
use serde_json::Value;

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn items(list: &Value) -> Vec<Value> {
    list["data"].as_array().cloned().unwrap_or_default()
}

fn nicknames(list: &Value) -> Vec<String> {
    items(list).iter().map(|p| s(&p["nickname"])).collect()
}

#[tokio::test]
async fn payees_come_from_the_transactions() {
    let api = Api::new().await;
    let user = api.user().await;
    api.connect(&user, "AU00000", "Whistler", "ShowBox").await;
    let (st, list) = api.get(&format!("/users/{user}/payees")).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(list["type"], "list");
    assert_eq!(list["size"], 25);
    let names = nicknames(&list);
    assert!(names.contains(&"Ray White".to_owned()), "rent payee: {names:?}");
    assert!(names.contains(&"Jared Dunn".to_owned()), "the one-off transfer: {names:?}");
    assert!(!names.iter().any(|n| n.contains("Saver")), "own accounts are not payees: {names:?}");
    assert!(!names.iter().any(|n| n.eq_ignore_ascii_case("afterpay")), "card-style spending is not a payee: {names:?}");
    assert_eq!(list["count"], names.len());
    let rent = items(&list).into_iter().find(|p| p["nickname"] == "Ray White").unwrap();
    assert_eq!(rent["payeeType"], "domestic");
    assert_eq!(rent["description"], "RENT - RAY WHITE");
    let (_, connections) = api.get(&format!("/users/{user}/connections")).await;
    assert_eq!(rent["connectionId"], connections["data"][0]["id"]);

    let (st, detail) = api.get(&s(&rent["links"]["self"])).await;
    assert_eq!(st, StatusCode::OK, "{detail}");
    assert_eq!(detail["id"], rent["id"]);
    let bsb = s(&detail["domestic"]["account"]["bsb"]);
    assert!(bsb.len() == 6 && bsb.bytes().all(|b| b.is_ascii_digit()), "{detail}");
    assert_eq!(detail["domestic"]["payeeAccountUType"], "account");
    assert_eq!(detail["domestic"]["account"]["accountName"], "Ray White");

    // Same seed, same payee ids.
    let (_, again) = api.get(&format!("/users/{user}/payees/")).await;
    assert_eq!(
        items(&again).iter().map(|p| s(&p["id"])).collect::<Vec<_>>(),
        items(&list).iter().map(|p| s(&p["id"])).collect::<Vec<_>>()
    );

    // Paging by cursor.
    let (_, first) = api.get(&format!("/users/{user}/payees?limit=1")).await;
    assert_eq!(items(&first).len(), 1);
    let next = s(&first["links"]["next"]);
    assert!(next.contains("cursor="), "{first}");
    let (st, second) = api.get(&next).await;
    assert_eq!(st, StatusCode::OK, "{second}");
    assert_eq!(second["data"][0]["id"], list["data"][1]["id"]);
}

#[tokio::test]
async fn billers_filters_and_errors() {
    let api = Api::new().await;
    let user = api.user().await;
    api.connect(&user, "AU00000", "gavinBelson", "hooli2016").await;
    let payees = format!("/users/{user}/payees");
    let (_, billers) = api.get(&expr::url(&payees, "type.eq('biller')")).await;
    let names = nicknames(&billers);
    assert!(names.contains(&"Agl Energy".to_owned()) && names.contains(&"Telstra Prepaid".to_owned()), "{names:?}");
    assert!(!names.iter().any(|n| n.contains("Netflix")), "subscriptions by card are not billers: {names:?}");
    assert!(items(&billers).iter().all(|p| p["payeeType"] == "biller"));
    let agl = items(&billers).into_iter().find(|p| p["nickname"] == "Agl Energy").unwrap();
    let (_, detail) = api.get(&format!("/users/{user}/payees/{}", s(&agl["id"]))).await;
    assert_eq!(detail["biller"]["billerName"], "Agl Energy");
    assert!(!s(&detail["biller"]["billerCode"]).is_empty() && !s(&detail["biller"]["crn"]).is_empty());
    let (_, all) = api.get(&format!("/users/{user}/payees")).await;
    assert!(!nicknames(&all).iter().any(|n| n.contains("Loan") || n.contains("Credit Card")), "{all}");
    let (_, none) = api.get(&expr::url(&payees, "created.gt('2999-01-01')")).await;
    assert_eq!(none["count"], 0);

    for bad in ["type.eq('bogus')", "nickname.eq('x')", "created.eq('yesterday')"] {
        let (st, b) = api.get(&expr::url(&payees, bad)).await;
        assert_eq!((st, s(&err(&b)["code"])), (StatusCode::BAD_REQUEST, "parameter-not-valid".to_owned()), "{bad}");
    }
    let (st, b) = api.get(&format!("/users/{user}/payees?limit=501")).await;
    assert_eq!((st, s(&err(&b)["source"]["parameter"])), (StatusCode::BAD_REQUEST, "limit".to_owned()));
    let (st, b) = api.get(&format!("/users/{user}/payees/bad%20id!")).await;
    assert_eq!((st, s(&err(&b)["source"]["parameter"])), (StatusCode::BAD_REQUEST, "payeeId".to_owned()), "{b}");
    let (st, b) = api.get(&format!("/users/{user}/payees/payee-001")).await;
    assert_eq!((st, s(&err(&b)["detail"])), (StatusCode::NOT_FOUND, "Payee not found".to_owned()));
    let (st, _) = api.get("/users/7d1c2f7e-4d3a-4a61-8f0e-2c5d7b6a9e14/payees").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let client = api.sb.client_token(&user).unwrap();
    assert_eq!(api.get_with(&format!("/users/{user}/payees"), &client).await.0, StatusCode::FORBIDDEN);
}

fn last(list: &Value) -> Value {
    items(list).last().cloned().unwrap_or(Value::Null)
}

#[tokio::test]
async fn analytics_count_the_sandbox_users_and_connections() {
    let api = Api::new().await;
    let a = api.user().await;
    api.connect(&a, "AU00000", "gavinBelson", "hooli2016").await;
    let b = api.user().await;
    api.connect(&b, "AU00000", "Whistler", "ShowBox").await;
    let c = api.user().await;
    api.connect(&c, "AU00000", "erlich", "aviato").await;
    let _d = api.user().await;
    assert_eq!(api.delete(&format!("/users/{b}")).await.0, StatusCode::NO_CONTENT);

    let (st, users) = api.get("/analytics/users?interval=daily").await;
    assert_eq!(st, StatusCode::OK, "{users}");
    assert_eq!(users["interval"], "daily");
    let today = last(&users);
    assert_eq!(users["toDate"], today["date"]);
    assert_eq!(today["created"], 4, "{users}");
    assert_eq!(today["deleted"], 1, "{users}");
    assert_eq!(today["active"]["total"], 3, "{users}");
    assert_eq!(today["active"]["connected"]["total"], 2, "a and c have connections: {users}");
    assert_eq!(today["active"]["connected"]["distribution"]["WEB"], 2);
    assert_eq!(users["meta"]["totalRecords"], items(&users).len());
    let (_, pdf) = api.get("/analytics/users?interval=daily&connectionType=pdf,csv").await;
    assert_eq!(last(&pdf)["active"]["connected"]["total"], 0);
    let (_, monthly) = api.get("/analytics/users?interval=monthly&fromDate=2025-01-01").await;
    assert_eq!(monthly["fromDate"], "2025-01-01");
    assert_eq!(monthly["data"][0]["date"], "2025-01-01");
    assert_eq!(monthly["data"][0]["created"], 0, "nothing existed in 2025-01");
    assert_eq!(last(&monthly)["active"]["total"], 3);
    assert_eq!(monthly["initial"]["created"], 0);

    let (st, conns) = api.get("/analytics/connections?interval=weekly").await;
    assert_eq!(st, StatusCode::OK, "{conns}");
    let week = last(&conns);
    assert_eq!(week["created"]["count"], 2, "b's connection went with b: {conns}");
    assert_eq!(week["nonDeleted"]["count"], 2);
    assert_eq!(week["nonDeleted"]["statusDistribution"]["successful"], 1);
    assert_eq!(week["nonDeleted"]["statusDistribution"]["failed"], 1, "erlich's connection is invalid");
    assert_eq!(week["nonDeleted"]["methodDistribution"]["WEB"]["failed"], 1);
    assert_eq!(week["disruptionRate"], "50.0");
    let (_, later) = api.get("/analytics/connections?interval=annually&fromDate=2999-01-01&toDate=2999-12-31").await;
    assert_eq!(later["initial"]["created"]["count"], 2);

    let bad = [
        ("/analytics/users", "parameter-not-supplied", "interval"),
        ("/analytics/users?interval=hourly", "parameter-not-valid", "interval"),
        ("/analytics/users?interval=daily&fromDate=2025-13-01", "parameter-not-valid", "fromDate"),
        ("/analytics/users?interval=daily&fromDate=2025-02-01&toDate=2025-01-01", "parameter-not-valid", "fromDate"),
        ("/analytics/users?interval=daily&fromDate=1900-01-01", "parameter-not-valid", "fromDate"),
        ("/analytics/users?interval=daily&connectionType=CDR", "parameter-not-valid", "connectionType"),
        ("/analytics/connections?interval=weekly&toDate=tomorrow", "parameter-not-valid", "toDate"),
    ];
    for (path, code, param) in bad {
        let (st, b) = api.get(path).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{path}: {b}");
        assert_eq!(err(&b)["code"], code, "{path}");
        assert_eq!(err(&b)["source"]["parameter"], param, "{path}");
    }
    let (st, _) = api.get("/analytics/users/?interval=daily").await;
    assert_eq!(st, StatusCode::OK, "trailing slash");
}
