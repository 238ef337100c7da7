//! What a schema-driven fuzzer found (issue 9): the sandbox answers like Basiq for nested and
//! optional input, sends Basiq's JSON types, pages every list, keeps its stores bounded and gives
//! every user its own ids.

use crate::support as helpers;

use std::collections::HashSet;
use std::time::Duration;

use basiq_sandbox::Sandbox;
use helpers::{Api, err};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// Every value found under `key` anywhere in `v`.
fn all_under<'a>(v: &'a Value, key: &str, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(map) => {
            for (k, inner) in map {
                if k == key {
                    out.push(inner);
                }
                all_under(inner, key, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| all_under(i, key, out)),
        _ => {}
    }
}

/// A connected user (ashMann: salary, rent, gambling, cash, crypto) and its first account.
async fn connected(api: &Api) -> (String, String) {
    let user = api.user().await;
    api.connect(&user, "AU00000", "ashMann", "hooli2024").await;
    let (_, accounts) = api.get(&format!("/users/{user}/accounts")).await;
    (user.clone(), s(&accounts["data"][0]["id"]))
}

/// A finished CON_AFFOR_01 report over the user's whole history.
async fn affordability_report(api: &Api, user: &str, account: &str) -> Value {
    let (st, job) = api
        .post(
            "/reports",
            json!({
                "reportType": "CON_AFFOR_01", "title": "Affordability",
                "filters": [{ "name": "fromDate", "value": "2000-01-01" }, { "name": "toDate", "value": "2100-01-01" },
                            { "name": "accounts", "value": [account] }, { "name": "users", "value": [user] }]
            }),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{job}");
    let job = api.wait_job(&s(&job["id"])).await;
    let rid = s(&job["steps"][0]["result"]["url"]).trim_start_matches("/reports/").to_owned();
    let (st, report) = api.get(&format!("/reports/{rid}")).await;
    assert_eq!(st, StatusCode::OK, "{report}");
    report
}

/// Item 1: nested fields of `businessAddress` are checked, never echoed when wrong.
#[tokio::test]
async fn nested_business_address_fields_are_validated() {
    let api = Api::new().await;
    let bad = json!({"email": "a@b.co", "businessAddress": {"countryCode": {"x": [1, 2]}, "addressLine1": false, "postcode": 12345}});
    let (st, body) = api.post("/users", bad).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(err(&body)["code"], "parameter-not-valid");
    assert!(s(&err(&body)["source"]["pointer"]).starts_with("businessAddress/"), "{body}");
    let (_, events) = api.get("/events").await;
    assert_eq!(events["data"].as_array().map(Vec::len), Some(0), "a refused user makes no event: {events}");

    let good =
        json!({"email": "a@b.co", "businessName": "Biz", "businessAddress": {"postcode": "2000", "unknown": {"x": 1}}});
    let (st, body) = api.post("/users", good).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (_, user) = api.get(&format!("/users/{}", s(&body["id"]))).await;
    assert_eq!(user["businessAddress"], json!({"postcode": "2000"}));
}

/// Items 2 and 3: report metric values are strings; no group carries `""` as a date.
#[tokio::test]
async fn report_metrics_are_strings_and_dates_are_never_empty() {
    let api = Api::new().await;
    let (user, account) = connected(&api).await;
    let report = affordability_report(&api, &user, &account).await;
    let metrics = report["data"]["metrics"].as_array().cloned().unwrap_or_default();
    assert!(!metrics.is_empty(), "{report}");
    for m in &metrics {
        assert!(m["result"]["value"].is_string(), "metric {} value {}", m["id"], m["result"]["value"]);
    }
    let mut dates = Vec::new();
    all_under(&report["data"]["groups"], "date", &mut dates);
    assert!(!dates.is_empty());
    for d in dates {
        let d = d.as_str().unwrap_or_default();
        assert!(d.len() == 10 && d.as_bytes()[4] == b'-', "not a date: {d:?}");
    }
}

/// Item 4: a personal identity has an organisation object (empty strings), as Basiq sends it.
#[tokio::test]
async fn personal_identities_have_an_organisation_object() {
    let api = Api::new().await;
    let (user, _) = connected(&api).await;
    let (st, list) = api.get(&format!("/users/{user}/identities")).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    let identity = &list["data"][0];
    assert!(identity["organisation"].is_object(), "{identity}");
    assert_eq!(identity["organisation"]["businessName"], "");
}

/// Item 5: optional webhook strings are left out, never null.
#[tokio::test]
async fn webhook_without_name_leaves_name_and_description_out() {
    let api = Api::new().await;
    let (st, hook) = api.post("/notifications/webhooks", json!({ "url": "https://x.example/h" })).await;
    assert_eq!(st, StatusCode::CREATED, "{hook}");
    for key in ["name", "description"] {
        assert!(hook.get(key).is_none(), "{key} in {hook}");
    }
    let (_, hook) = api.get(&format!("/notifications/webhooks/{}", s(&hook["id"]))).await;
    assert!(hook.get("name").is_none() && hook.get("description").is_none(), "{hook}");
}

/// Items 6 and 8: pending transactions carry no `balance: null`; no transaction sends
/// `enrich: null` (transactions and report transactions).
#[tokio::test]
async fn transactions_leave_out_missing_balance_and_enrich() {
    let api = Api::new().await;
    let (user, account) = connected(&api).await;
    let (_, txns) = api.get(&format!("/users/{user}/transactions?limit=50")).await;
    let report = affordability_report(&api, &user, &account).await;
    let (_, rtx) = api.get(&format!("/reports/{}/transactions?limit=50", s(&report["id"]))).await;
    let pending = txns["data"].as_array().into_iter().flatten().filter(|t| t["status"] == "pending").count();
    assert!(pending > 0, "no pending transaction to check");
    for list in [&txns, &rtx] {
        let items = list["data"].as_array().cloned().unwrap_or_default();
        assert!(!items.is_empty());
        for t in &items {
            assert!(t.get("enrich").is_none_or(|e| !e.is_null()), "{t}");
            assert!(t.get("balance").is_none_or(Value::is_string), "{t}");
        }
    }
}

/// Item 7: `null`, `""` or a wrong type in optional input is a 400 with a pointer, not "absent".
#[tokio::test]
async fn null_empty_or_mistyped_optional_input_is_refused() {
    let api = Api::new().await;
    let (user, _) = connected(&api).await;
    let (_, hook) = api.post("/notifications/webhooks", json!({ "url": "https://x.example/h" })).await;
    let hook = s(&hook["id"]);
    let cases: Vec<(String, Value, &str)> = vec![
        (format!("/users/{user}"), json!({"verificationDate": null}), "verificationDate"),
        // Found by the fuzz test (tests/client/fuzz) beyond the list: null in any optional user field.
        ("/users".to_owned(), json!({"email": "a@b.co", "verificationStatus": null}), "verificationStatus"),
        ("/users".to_owned(), json!({"email": "a@b.co", "mobile": null}), "mobile"),
        ("/users".to_owned(), json!({"email": "a@b.co", "businessAddress": null}), "businessAddress"),
        (format!("/users/{user}"), json!({"lastName": ""}), "lastName"),
        (format!("/users/{user}"), json!({"lastName": 7}), "lastName"),
        (format!("/users/{user}/auth_link"), json!({"mobile": null}), "mobile"),
        (format!("/users/{user}/auth_link"), json!({"mobile": ""}), "mobile"),
        (
            format!("/notifications/webhooks/{hook}"),
            json!({"url": "https://x.example/h", "subscribedEvents": null}),
            "subscribedEvents",
        ),
        (
            format!("/notifications/webhooks/{hook}"),
            json!({"url": "https://x.example/h", "subscribedEvents": "user.created"}),
            "subscribedEvents",
        ),
        // Found by the fuzz test (tests/client/fuzz) after the merge, with a larger budget.
        (
            "/notifications/webhooks".to_owned(),
            json!({"url": "https://x.example/n", "description": null}),
            "description",
        ),
        ("/notifications/webhooks".to_owned(), json!({"url": "https://x.example/n", "name": null}), "name"),
        (format!("/notifications/webhooks/{hook}"), json!({"url": "https://x.example/h", "name": null}), "name"),
        (format!("/users/{user}/affordability"), json!({"accounts": null}), "accounts"),
        (format!("/users/{user}/affordability"), json!({"accounts": ""}), "accounts"),
        (format!("/users/{user}/expenses"), json!({"fromMonth": null}), "fromMonth"),
        (format!("/users/{user}/income"), json!({"toMonth": ""}), "toMonth"),
        (format!("/users/{user}/income"), json!({"toMonth": 202401}), "toMonth"),
        ("/notifications/messages/test".to_owned(), json!({"eventTypeId": "user.created", "Text": null}), "Text"),
        ("/notifications/messages/test".to_owned(), json!({"eventTypeId": "user.created", "Text": 5}), "Text"),
        // Found by the fuzz test once it covered the 2026 operations.
        (format!("/users/{user}/insights/identity"), json!({"name": "Ash Mann", "phone": null}), "phone"),
        (format!("/users/{user}/insights/identity"), json!({"name": "Ash Mann", "email": null}), "email"),
    ];
    for (path, body, field) in cases {
        let (st, answer) = api.post(&path, body.clone()).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "POST {path} {body}: {answer}");
        assert_eq!(err(&answer)["code"], "parameter-not-valid", "POST {path} {body}: {answer}");
        assert_eq!(err(&answer)["source"]["pointer"], field, "POST {path} {body}: {answer}");
    }
    let (st, answer) = api.get("/enrich?q=WOOLWORTHS&amount=lots").await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(err(&answer)["source"]["parameter"], "amount");
}

/// Item 8: `consent.archived` is an event type webhooks can subscribe to.
#[tokio::test]
async fn consent_archived_can_be_subscribed_to() {
    let api = Api::new().await;
    let (st, hook) = api
        .post(
            "/notifications/webhooks",
            json!({ "url": "https://x.example/h", "subscribedEvents": ["consent.archived"] }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{hook}");
    let (st, _) = api.get("/events/types/consent.archived").await;
    assert_eq!(st, StatusCode::OK);
}

/// Follow `links.next` from `first` and collect every item id (bounded: at most 1,000 pages).
async fn walk(api: &Api, first: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut url = Some(first.to_owned());
    for _ in 0..1000 {
        let Some(u) = url.take() else { break };
        let (st, page) = api.get(&u).await;
        assert_eq!(st, StatusCode::OK, "{u}: {page}");
        ids.extend(page["data"].as_array().into_iter().flatten().map(|i| s(&i["id"])));
        url = page["links"]["next"].as_str().map(str::to_owned);
    }
    ids
}

/// Item 9: events and the other lists page with `limit` and `links.next`.
#[tokio::test]
async fn events_and_other_lists_page_with_limit_and_next() {
    let api = Api::new().await;
    for i in 0..23 {
        let (st, _) = api.post("/users", json!({ "email": format!("u{i}@example.com") })).await;
        assert_eq!(st, StatusCode::CREATED);
    }
    let (_, first) = api.get("/events?limit=5").await;
    assert_eq!(first["data"].as_array().map(Vec::len), Some(5), "{first}");
    assert!(first["links"]["next"].is_string(), "{first}");
    let ids = walk(&api, "/events?limit=5").await;
    assert_eq!(ids.len(), 23);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 23, "pages overlap");
    let (st, b) = api.get("/events?limit=501").await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{b}");

    for i in 0..5 {
        api.post("/notifications/webhooks", json!({ "url": format!("https://x.example/{i}") })).await;
    }
    let ids = walk(&api, "/notifications/webhooks?limit=2").await;
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 5);
    let (_, page) = api.get("/notifications/webhooks?limit=2").await;
    assert_eq!(page["data"].as_array().map(Vec::len), Some(2));
}

/// Item 9: events age out after the retention period and every growing store is capped.
#[tokio::test]
async fn stores_are_bounded() {
    let mut api = Api::with(Sandbox::builder().max_events(20).max_entries(30).max_documents(3)).await;
    for i in 0..60 {
        api.post("/users", json!({ "email": format!("u{i}@example.com") })).await;
        helpers::token(&api.http, &api.sb, &[("scope", "SERVER_ACCESS")]).await;
    }
    let sizes = api.sb.store_sizes();
    assert!(sizes.events <= 20, "{sizes:?}");
    assert!(sizes.tokens <= 30, "{sizes:?}");
    // The cap dropped the oldest tokens, ours among them: take the newest.
    api.token = api.sb.server_token();
    let user = api.user().await;
    api.connect(&user, "AU00000", "gavinBelson", "hooli2016").await;
    for _ in 0..8 {
        let (st, _) = api.post(&format!("/users/{user}/income"), json!({})).await;
        assert_eq!(st, StatusCode::OK);
    }
    assert!(api.sb.store_sizes().snapshots <= 3, "{:?}", api.sb.store_sizes());
    let ids = walk(&api, "/events?limit=7").await;
    assert!(ids.len() <= 20 && !ids.is_empty(), "{}", ids.len());

    let api = Api::with(Sandbox::builder().event_retention(Duration::from_secs(1))).await;
    api.post("/users", json!({ "email": "old@example.com" })).await;
    let (_, events) = api.get("/events").await;
    assert_eq!(events["data"].as_array().map(Vec::len), Some(1));
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (_, events) = api.get("/events").await;
    assert_eq!(events["data"].as_array().map(Vec::len), Some(0), "{events}");
    api.post("/users", json!({ "email": "new@example.com" })).await;
    assert_eq!(api.sb.store_sizes().events, 1);
}

/// Item 10: two users connecting the same persona get different connection, account and
/// transaction ids.
#[tokio::test]
async fn two_users_of_one_persona_share_no_ids() {
    let api = Api::new().await;
    let mut seen: Vec<HashSet<String>> = Vec::new();
    for _ in 0..2 {
        let user = api.user().await;
        api.connect(&user, "AU00000", "gavinBelson", "hooli2016").await;
        let mut ids = HashSet::new();
        for list in ["connections", "accounts", "transactions?limit=100"] {
            let (_, page) = api.get(&format!("/users/{user}/{list}")).await;
            let items = page["data"].as_array().cloned().unwrap_or_default();
            assert!(!items.is_empty(), "{list}: {page}");
            ids.extend(items.iter().map(|i| s(&i["id"])));
        }
        seen.push(ids);
    }
    let shared: Vec<_> = seen[0].intersection(&seen[1]).collect();
    assert!(shared.is_empty(), "shared ids: {shared:?}");
}
