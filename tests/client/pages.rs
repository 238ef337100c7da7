//! Paging against a scripted server on 127.0.0.1: following `links.next` page by page, errors
//! mid-stream, and next links that leave the client's base URL.

use crate::scripted;

use basiq::filter::{InsightFilter, PayeeFilter, TransactionFilter};
use basiq::open::TransactionStatus;
use basiq::{Call, Error, pages};
use futures::StreamExt;
use scripted::{Scripted, Seen};
use serde_json::{Value, json};

/// A transaction page whose ids are `prefix-0..n`, linking to `next` when given.
fn page(prefix: &str, n: usize, next: Option<String>) -> (u16, Value) {
    let data: Vec<Value> =
        (0..n).map(|i| json!({"type": "transaction", "id": format!("{prefix}-{i}"), "amount": "-1.00"})).collect();
    let mut links = json!({"self": "ignored"});
    if let Some(next) = next {
        links["next"] = json!(next);
    }
    (200, json!({"type": "list", "count": n, "size": 2, "data": data, "links": links}))
}

/// Three pages of 2, 2 and 1 transactions, chained by absolute next links with a `next` cursor.
fn three_pages(seen: &Seen) -> (u16, Value) {
    let next = |cursor: &str| Some(format!("{}/users/u1/transactions?next={cursor}", seen.origin()));
    match seen.query.split('&').find_map(|p| p.strip_prefix("next=")) {
        None => page("p1", 2, next("c2")),
        Some("c2") => page("p2", 2, next("c3")),
        Some("c3") => page("p3", 1, None),
        Some(other) => {
            (400, json!({"type": "list", "data": [{"type": "error", "title": format!("bad cursor {other}")}]}))
        }
    }
}

#[tokio::test]
async fn a_transaction_stream_follows_next_links_and_stops_at_the_last_page() {
    let server = Scripted::api(|seen, _| three_pages(seen)).await;
    let client = server.client();
    let items: Vec<_> = client
        .transactions("u1")
        .filter(TransactionFilter::status().eq(TransactionStatus::Posted))
        .limit(2)
        .stream()
        .collect()
        .await;
    let ids: Vec<String> = items.into_iter().map(|t| t.unwrap().id).collect();
    assert_eq!(ids, ["p1-0", "p1-1", "p2-0", "p2-1", "p3-0"]);
    let requests = server.requests("/users/u1/transactions");
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[0].query, "filter=transaction.status.eq%28%27posted%27%29&limit=2");
    assert_eq!(requests[1].query, "next=c2");
    assert_eq!(requests[2].query, "next=c3");
}

#[tokio::test]
async fn pages_are_fetched_one_at_a_time_as_items_are_taken() {
    let server = Scripted::api(|seen, _| three_pages(seen)).await;
    let client = server.client();
    let mut stream = client.transactions("u1").stream();
    for _ in 0..2 {
        stream.next().await.unwrap().unwrap();
    }
    assert_eq!(server.requests("/users/u1/transactions").len(), 1, "page 2 must not be fetched before it is needed");
    assert_eq!(stream.next().await.unwrap().unwrap().id, "p2-0");
    assert_eq!(server.requests("/users/u1/transactions").len(), 2);
}

#[tokio::test]
async fn whole_pages_can_be_streamed_for_their_counts() {
    let server = Scripted::api(|seen, _| three_pages(seen)).await;
    let client = server.client();
    let counts: Vec<Option<i64>> = client.transactions("u1").pages().map(|p| p.unwrap().count).collect().await;
    assert_eq!(counts, [Some(2), Some(2), Some(1)]);
}

#[tokio::test]
async fn an_error_on_page_two_is_yielded_as_an_err_item_and_ends_the_stream() {
    let server = Scripted::api(|seen, _| {
        if seen.query.contains("next=") {
            (
                400,
                json!({"type": "list", "correlationId": "k1", "data": [{"type": "error", "code": "parameter-not-valid",
                         "title": "Parameter value is not valid", "detail": "Next value is not valid"}]}),
            )
        } else {
            page("p1", 2, Some(format!("{}/users/u1/transactions?next=c2", seen.origin())))
        }
    })
    .await;
    let client = server.client();
    let items: Vec<_> = client.transactions("u1").stream().collect().await;
    assert_eq!(items.len(), 3, "{items:?}");
    assert!(items[0].is_ok() && items[1].is_ok());
    let Err(error) = &items[2] else { panic!("expected an error item") };
    assert_eq!(error.status(), Some(400));
    assert_eq!(error.codes(), ["parameter-not-valid"]);
    assert_eq!(server.requests("/users/u1/transactions").len(), 2);
}

#[tokio::test]
async fn an_error_on_the_first_page_is_the_only_item() {
    let server =
        Scripted::api(|_, _| (404, json!({"type": "list", "data": [{"type": "error", "code": "resource-not-found"}]})))
            .await;
    let client = server.client();
    let items: Vec<_> = client.transactions("nobody").stream().collect().await;
    assert_eq!(items.len(), 1);
    assert!(matches!(&items[0], Err(e) if e.status() == Some(404)), "{items:?}");
}

#[tokio::test]
async fn a_next_link_to_a_foreign_host_is_refused_and_never_requested() {
    let foreign = Scripted::api(|_, _| page("evil", 1, None)).await;
    let foreign_next = format!("{}/users/u1/transactions?next=c2", foreign.url);
    let server = Scripted::api(move |_, _| page("p1", 1, Some(foreign_next.clone()))).await;
    let client = server.client();
    let items: Vec<_> = client.transactions("u1").stream().collect().await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0].as_ref().map(|t| t.id.as_str()).ok(), Some("p1-0"));
    assert!(matches!(&items[1], Err(Error::InvalidInput(m)) if m.contains(&foreign.url)), "{items:?}");
    assert!(foreign.seen().is_empty(), "the foreign host must receive nothing, not even a token request");
}

#[tokio::test]
async fn a_relative_next_link_is_followed_on_the_base_url() {
    let server = Scripted::api(|seen, _| match seen.query.as_str() {
        "" => page("p1", 1, Some("/users/u1/transactions?next=c2".into())),
        _ => page("p2", 1, None),
    })
    .await;
    let client = server.client();
    let ids: Vec<String> = client.transactions("u1").stream().map(|t| t.unwrap().id).collect().await;
    assert_eq!(ids, ["p1-0", "p2-0"]);
}

#[tokio::test]
async fn webhook_messages_stream_across_pages() {
    let server = Scripted::api(|seen, _| {
        let message = |id: &str| json!({"type": "webhook-message", "id": id, "webhookId": "w1"});
        if seen.query.contains("cursor=2") {
            (200, json!({"type": "list", "data": [message("m3")], "links": {}}))
        } else {
            let next = format!("{}/notifications/webhooks/w1/messages?cursor=2", seen.origin());
            (200, json!({"type": "list", "data": [message("m1"), message("m2")], "links": {"next": next}}))
        }
    })
    .await;
    let client = server.client();
    let ids: Vec<String> = client.webhook_messages("w1").limit(2).stream().map(|m| m.unwrap().id).collect().await;
    assert_eq!(ids, ["m1", "m2", "m3"]);
    assert_eq!(server.requests("/notifications/webhooks/w1/messages")[0].query, "limit=2");
}

#[tokio::test]
async fn any_generated_list_call_can_be_paginated() {
    let server = Scripted::api(|seen, _| {
        let report = |id: &str| json!({"type": "report", "id": id});
        if seen.query.contains("page=2") {
            (200, json!({"type": "list", "data": [report("r3")]}))
        } else {
            let next = format!("{}/reports?page=2", seen.origin());
            (200, json!({"type": "list", "data": [report("r1"), report("r2")], "links": {"next": next}}))
        }
    })
    .await;
    let client = server.client();
    let reports = pages::items(pages::paginate(&client, client.list_all_reports().call(), "list_all_reports"));
    let ids: Vec<String> = reports.map(|r| r.unwrap().id).collect().await;
    assert_eq!(ids, ["r1", "r2", "r3"]);
    assert_eq!(server.requests("/reports").len(), 2);
}

#[tokio::test]
async fn a_next_link_that_repeats_ends_the_stream_with_a_typed_error() {
    // Page 1 links to page 2, and page 2 links to itself.
    let server = Scripted::api(|seen, _| {
        let next = Some(format!("{}/users/u1/transactions?next=c2", seen.origin()));
        if seen.query.contains("next=c2") { page("p2", 1, next) } else { page("p1", 1, next) }
    })
    .await;
    let client = server.client();
    let items: Vec<_> =
        tokio::time::timeout(std::time::Duration::from_secs(10), client.transactions("u1").stream().collect())
            .await
            .expect("the stream ends");
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(items[0].as_ref().unwrap().id, "p1-0");
    assert_eq!(items[1].as_ref().unwrap().id, "p2-0");
    match &items[2] {
        Err(Error::PageLoop { operation, url }) => {
            assert_eq!(operation, "get_transactions");
            assert!(url.ends_with("next=c2"));
        }
        other => panic!("expected a paging loop error, got {other:?}"),
    }
    assert_eq!(server.requests("/users/u1/transactions").len(), 2, "no link is requested twice");

    let pages: Vec<_> = client.transactions("u1").pages().take(200).collect().await;
    assert_eq!(pages.len(), 3);
    assert_eq!(server.requests("/users/u1/transactions").len(), 4);
}

#[tokio::test]
async fn an_endless_chain_of_new_links_stops_at_the_page_limit() {
    let server = Scripted::api(|seen, n| {
        page(&format!("p{n}"), 1, Some(format!("{}/users/u1/transactions?next=c{n}", seen.origin())))
    })
    .await;
    let client =
        basiq::Client::builder().api_key(scripted::API_KEY).base_url(&server.url).max_pages(5).build().unwrap();
    let items: Vec<_> = client.transactions("u1").stream().collect().await;
    assert_eq!(items.len(), 6);
    assert!(items[..5].iter().all(Result::is_ok));
    match &items[5] {
        Err(e @ Error::PageLimit { operation, limit: 5 }) => {
            assert_eq!(operation, "get_transactions");
            assert!(e.to_string().contains("get_transactions"), "{e}");
        }
        other => panic!("expected the page limit, got {other:?}"),
    }
    assert_eq!(server.requests("/users/u1/transactions").len(), 5);
}

// ---- the newer domains' lists ----------------------------------------------------------------

#[tokio::test]
async fn payees_follow_their_opaque_cursor_links() {
    let server = Scripted::api(|seen, _| {
        let payee = |id: &str| json!({"type": "payee", "id": id, "payeeType": "domestic"});
        if seen.query.contains("cursor=abc") {
            (200, json!({"type": "list", "count": 3, "size": 2, "data": [payee("payee-3")], "links": {}}))
        } else {
            let next = format!("{}/users/u1/payees?limit=2&cursor=abc", seen.origin());
            (
                200,
                json!({"type": "list", "count": 3, "size": 2, "data": [payee("payee-1"), payee("payee-2")],
                         "links": {"self": "x", "next": next}}),
            )
        }
    })
    .await;
    let client = server.client();
    let items: Vec<_> =
        client.payees("u1").filter(PayeeFilter::payee_type().eq("domestic")).limit(2).stream().collect().await;
    let ids: Vec<String> = items.into_iter().map(|p| p.unwrap().id).collect();
    assert_eq!(ids, ["payee-1", "payee-2", "payee-3"]);
    let requests = server.requests("/users/u1/payees");
    assert_eq!(requests[0].query, "filter=type.eq%28%27domestic%27%29&limit=2");
    assert_eq!(requests[1].query, "limit=2&cursor=abc");
}

#[tokio::test]
async fn payouts_and_payrequests_stream_every_page() {
    let server = Scripted::api(|seen, _| {
        let kind = if seen.path.ends_with("payouts") { "payout" } else { "payrequest" };
        if seen.query.contains("next=2") {
            (200, json!({"type": "list", "data": [{"type": kind, "id": "b", "amount": 2.5}], "links": {}}))
        } else {
            let next = format!("{}{}?next=2", seen.origin(), seen.path);
            (
                200,
                json!({"type": "list", "data": [{"type": kind, "id": "a", "amount": 173.45}], "links": {"next": next}}),
            )
        }
    })
    .await;
    let client = server.client();
    let payouts: Vec<_> = client.payouts().stream().map(|p| p.unwrap().amount).collect().await;
    assert_eq!(payouts, [Some(173.45), Some(2.5)]);
    let payrequests: Vec<_> = client.payrequests().limit(1).stream().map(|p| p.unwrap().id).collect().await;
    assert_eq!(payrequests, ["a", "b"]);
    assert_eq!(server.requests("/payments/payrequests")[0].query, "limit=1");
}

#[tokio::test]
async fn a_users_insights_stream_and_refuse_a_page_size() {
    let server = Scripted::api(|seen, _| {
        let insight = |id: &str| json!({"type": "insight", "id": id, "insightType": "balance"});
        if seen.query.contains("page=2") {
            (200, json!({"type": "list", "count": 2, "data": [insight("i2")], "links": {"prev": "p"}}))
        } else {
            let next = format!("{}/users/u1/insights?page=2", seen.origin());
            (200, json!({"type": "list", "count": 2, "data": [insight("i1")], "links": {"next": next}}))
        }
    })
    .await;
    let client = server.client();
    let ids: Vec<String> = client
        .user_insights("u1")
        .filter(InsightFilter::insight_type().eq("balance"))
        .stream()
        .map(|i| i.unwrap().id)
        .collect()
        .await;
    assert_eq!(ids, ["i1", "i2"]);
    let first: Vec<_> = client.user_insights("u1").limit(5).stream().collect().await;
    assert!(matches!(first.as_slice(), [Err(Error::InvalidInput(_))]), "{first:?}");
    assert_eq!(server.requests("/users/u1/insights").len(), 2, "the refused list sent nothing");
}

#[test]
fn a_list_pages_debug_shows_what_it_will_request() {
    let client = basiq::Client::builder().api_key("a2V5").build().unwrap();
    let list = client.transactions("user-9").limit(50);
    let shown = format!("{list:?}");
    assert!(shown.starts_with("ListPages { client: "), "{shown}");
    assert!(
        shown.ends_with("owner: \"user-9\", filter: None, limit: Some(50), operation: \"get_transactions\", .. }"),
        "{shown}"
    );
    assert!(!shown.contains("a2V5"), "{shown}");
}
