//! Users, consents, auth links, webhooks, events, reports, insights and statements: the rules
//! and error answers beyond the happy path.

use crate::expr;
use crate::support as helpers;

use helpers::{Api, err};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn user_validation() {
    let api = Api::new().await;
    let cases = [
        (json!({}), "parameter-not-supplied", "One of 'email' or 'mobile' is required."),
        (json!({ "email": "" , "mobile": "" }), "parameter-not-supplied", "One of 'email' or 'mobile' is required."),
        (json!({ "email": "not-an-email" }), "parameter-not-valid", "Provided email is in bad format."),
        (json!({ "mobile": "12ab" }), "parameter-not-valid", "Provided mobile is in bad format."),
        (
            json!({ "email": "a@b.co", "businessIdNo": "123" }),
            "parameter-not-supplied",
            "Business name is required when business number is provided.",
        ),
        (json!([1, 2]), "invalid-content", "Posted user is not in valid format."),
    ];
    for (body, code, detail) in cases {
        let (st, b) = api.post("/users", body.clone()).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(err(&b)["code"], code, "{body}");
        assert_eq!(err(&b)["detail"], detail, "{body}");
    }
    let resp = api
        .http
        .post(api.url("/users"))
        .bearer_auth(&api.token)
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let b: Value = resp.json().await.unwrap();
    assert_eq!(err(&b)["code"], "invalid-content");

    let (st, u) = api.post("/users", json!({ "mobile": "+61410888999", "firstName": "Ann" })).await;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(u["type"], "user");
    assert_eq!(u["mobile"], "+61410888999");
    assert_eq!(u["email"], "");
    let id = s(&u["id"]);
    let (st, b) = api.post(&format!("/users/{id}"), json!({ "email": "bad" })).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{b}");
    let (_, still) = api.get(&format!("/users/{id}")).await;
    assert_eq!(still["email"], "", "a rejected update must not change the user");
    let (st, b) = api.post(&format!("/users/{id}"), json!({ "email": "ann@example.com" })).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(b["firstName"], "Ann");
    assert_eq!(b["email"], "ann@example.com");

    // delete cascades: the user, its jobs and data are gone.
    let job = api.sb.complete_consent(&id, "AU00000", "ashMann", "hooli2024").unwrap().job_id;
    api.wait_job(&job).await;
    let (st, _) = api.delete(&format!("/users/{id}")).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(api.get(&format!("/users/{id}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(api.get(&format!("/users/{id}/accounts")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(api.get(&format!("/jobs/{job}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(api.delete(&format!("/users/{id}")).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn auth_links_expire_into_410() {
    let api = Api::new().await;
    let (_, u) = api.post("/users", json!({ "email": "no-mobile@example.com" })).await;
    let id = s(&u["id"]);
    let (st, b) = api.post(&format!("/users/{id}/auth_link"), json!({})).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "no mobile anywhere: {b}");
    assert_eq!(api.get(&format!("/users/{id}/auth_link")).await.0, StatusCode::NOT_FOUND);
    let (st, link) = api.post(&format!("/users/{id}/auth_link"), json!({ "mobile": "+61400000000" })).await;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(link["type"], "auth_link");
    assert_eq!(link["userId"], id.as_str());
    let (st, got) = api.get(&format!("/users/{id}/auth_link")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(got["links"]["public"], link["links"]["public"]);

    // The public link is single use: it opens the consent page, then is gone.
    let no_redirect = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let resp = no_redirect.get(s(&link["links"]["public"])).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&api.sb.consent_url_base()));
    assert_eq!(no_redirect.get(&location).send().await.unwrap().status(), StatusCode::OK);
    let (st, b) = api.get(&format!("/users/{id}/auth_link")).await;
    assert_eq!(st, StatusCode::GONE);
    assert_eq!(err(&b)["code"], "resource-no-longer-available");

    let (_, _) = api.post(&format!("/users/{id}/auth_link"), json!({ "mobile": "+61400000000" })).await;
    assert_eq!(api.delete(&format!("/users/{id}/auth_link")).await.0, StatusCode::NO_CONTENT);
    assert_eq!(api.get(&format!("/users/{id}/auth_link")).await.0, StatusCode::GONE);
    assert_eq!(api.delete(&format!("/users/{id}/auth_link")).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn consents_are_created_by_connecting_and_deleted_with_data() {
    let api = Api::new().await;
    let user = api.user().await;
    let (_, c) = api.get(&format!("/users/{user}/consents")).await;
    assert_eq!(c["data"].as_array().unwrap().len(), 0);
    api.connect(&user, "AU00000", "gavinBelson", "hooli2016").await;
    api.connect(&user, "AU00000", "Whistler", "ShowBox").await;
    let (_, c) = api.get(&format!("/users/{user}/consents")).await;
    assert_eq!(c["data"].as_array().unwrap().len(), 1, "one consent covers both connections");
    assert_eq!(c["data"][0]["status"], "active");
    let cid = s(&c["data"][0]["id"]);
    assert_eq!(api.delete(&format!("/users/{user}/consents/{cid}")).await.0, StatusCode::NO_CONTENT);
    let (_, c) = api.get(&format!("/users/{user}/consents")).await;
    assert_eq!(c["data"][0]["status"], "revoked");
    assert!(c["data"][0]["revoked"].is_string());
    let (_, conns) = api.get(&format!("/users/{user}/connections")).await;
    assert_eq!(conns["data"].as_array().unwrap().len(), 0);
    let (_, accounts) = api.get(&format!("/users/{user}/accounts")).await;
    assert_eq!(accounts["data"].as_array().unwrap().len(), 0);
    assert_eq!(api.delete(&format!("/users/{user}/consents/{cid}")).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn webhook_rules() {
    let api = Api::new().await;
    let (st, b) = api.post("/notifications/messages/test", json!({ "eventTypeId": "user.created" })).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(err(&b)["code"], "no-webhooks-found");
    let (st, b) = api.post("/notifications/webhooks", json!({ "url": "not a url" })).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(err(&b)["code"], "invalid-content");
    let (st, _) = api
        .post("/notifications/webhooks", json!({ "url": "https://x.example/h", "subscribedEvents": ["user.exploded"] }))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, hook) = api
        .post("/notifications/webhooks", json!({ "url": "https://x.example/h", "subscribedEvents": ["user.created"] }))
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, b) = api.post("/notifications/webhooks", json!({ "url": "https://x.example/h" })).await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(err(&b)["code"], "resource-already-exists");
    let secret = s(&hook["secret"]);
    assert!(secret.starts_with("whsec_") && secret.len() > 30);

    // Events fan out into messages for subscribed webhooks only.
    api.user().await;
    let wid = s(&hook["id"]);
    let (_, msgs) = api.get(&format!("/notifications/webhooks/{wid}/messages")).await;
    let list = msgs["data"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["eventTypeId"], "user.created");
    let event = s(&list[0]["eventId"]);
    let (st, e) = api.get(&format!("/events/{event}")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(e["entity"], "user");
    assert_eq!(e["eventType"], "created");
    let messages = format!("/notifications/webhooks/{wid}/messages");
    let (_, filtered) = api.get(&expr::url(&messages, "eventTypeId.eq('user.deleted')")).await;
    assert_eq!(filtered["data"].as_array().unwrap().len(), 0);
    assert_eq!(api.delete(&format!("/notifications/webhooks/{wid}")).await.0, StatusCode::NO_CONTENT);
    assert_eq!(api.get(&format!("/notifications/webhooks/{wid}")).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn events_filter_by_user_and_type() {
    let api = Api::new().await;
    let a = api.user().await;
    let b = api.user().await;
    api.connect(&a, "AU00000", "jared", "django").await;
    let (_, events) = api.get(&expr::url("/events", &expr::statement("user.id", "eq", &[&b]))).await;
    let list = events["data"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["userId"], b.as_str());
    let (_, events) = api.get("/events?filter=event.entity.eq('connection'),event.type.eq('created')").await;
    assert_eq!(events["data"].as_array().unwrap().len(), 1);
    let (_, events) = api.get(&expr::url("/events", &expr::bare_eq("user.id", &a))).await;
    assert!(events["data"].as_array().unwrap().len() >= 4, "{events}");
    let (st, _) = api.get("/events?filter=event.colour.eq('red')").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn insights_need_transactions() {
    let api = Api::new().await;
    let user = api.user().await;
    let (st, body) = api.post(&format!("/users/{user}/affordability"), json!({})).await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(api.post(&format!("/users/{user}/income"), json!({})).await.0, StatusCode::NO_CONTENT);
    api.connect(&user, "AU00000", "Gilfoyle", "PiedPiper").await;
    let (st, inc) = api.post(&format!("/users/{user}/income"), json!({})).await;
    assert_eq!(st, StatusCode::OK);
    let sources: Vec<String> = inc["regular"].as_array().unwrap().iter().map(|r| s(&r["source"])).collect();
    assert!(sources.contains(&"CENTRELINK JOBSEEKER".to_owned()), "{sources:?}");
    assert!(sources.contains(&"SALARY PIED PIPER INC".to_owned()), "{sources:?}");
    let centrelink = inc["regular"].as_array().unwrap().iter().find(|r| r["source"] == "CENTRELINK JOBSEEKER").unwrap();
    assert_eq!(centrelink["frequency"], "bi-weekly");
    let (_, exp) = api.post(&format!("/users/{user}/expenses"), json!({})).await;
    assert!(exp["bankFees"]["summary"].as_str().unwrap().starts_with('-'), "late fees count as bank fees: {exp}");
    let (_, aff) = api.post(&format!("/users/{user}/affordability"), json!({})).await;
    assert_eq!(aff["liabilities"]["credit"].as_array().unwrap().len(), 1);
    assert!(aff["external"].as_array().unwrap().iter().any(|e| e["source"] == "AFTERPAY"));
    let (st, b) = api.post(&format!("/users/{user}/affordability"), json!({ "fromMonth": "2024-13" })).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{b}");
    let (st, _) = api
        .post(&format!("/users/{user}/affordability"), json!({ "fromMonth": "2025-06", "toMonth": "2025-01" }))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, _) = api.post(&format!("/users/{user}/affordability"), json!({ "accounts": ["someone-elses"] })).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(api.get(&format!("/users/{user}/income/nope")).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn report_validation_and_readiness() {
    let api = Api::new().await;
    let user = api.user().await;
    api.connect(&user, "AU00000", "ashMann", "hooli2024").await;
    let (st, b) = api.post("/reports", json!({ "reportType": "NOPE", "title": "x", "filters": [] })).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(err(&b)["source"]["pointer"], "reportType");
    let long = "x".repeat(51);
    let (st, _) = api.post("/reports", json!({ "reportType": "CON_AFFOR_01", "title": long, "filters": [] })).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, b) = api.post("/reports", json!({ "reportType": "CON_AFFOR_01", "title": "t", "filters": [{ "name": "fromDate", "value": "2024-01-01" }] })).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(err(&b)["code"], "parameter-not-supplied");
    let (_, accounts) = api.get(&format!("/users/{user}/accounts")).await;
    let acc = s(&accounts["data"][0]["id"]);
    let (st, job) = api
        .post("/reports", json!({
            "reportType": "STATEMENT_01", "title": "Statement",
            "filters": [{ "name": "fromDate", "value": "2000-01-01" }, { "name": "account", "value": acc }, { "name": "user", "value": user }]
        }))
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{job}");
    let job = api.wait_job(&s(&job["id"])).await;
    let rid = s(&job["steps"][0]["result"]["url"]).trim_start_matches("/reports/").to_owned();
    let (st, report) = api.get(&format!("/reports/{rid}")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(report["data"]["account"][0]["id"], acc.as_str());
    assert_eq!(report["data"]["identity"]["firstName"], "Ash");
    let (_, txns) = api.get(&format!("/reports/{rid}/transactions")).await;
    assert!(txns["data"].as_array().unwrap().iter().all(|t| t["account"] == acc.as_str()));
    assert!(txns["count"].as_u64().unwrap() > 10);
    let (st, _) = api
        .post(
            "/reports",
            json!({
                "reportType": "CON_AFFOR_01", "title": "t",
                "filters": [{ "name": "fromDate", "value": "2024-01-01" }, { "name": "toDate", "value": "2024-02-01" },
                            { "name": "accounts", "value": [acc] }, { "name": "users", "value": ["ghost"] }]
            }),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn statements() {
    let api = Api::new().await;
    let user = api.user().await;
    let upload = |inst: &'static str, data: &'static [u8], name: &'static str| {
        let form = reqwest::multipart::Form::new()
            .text("institutionId", inst)
            .part("statement", reqwest::multipart::Part::bytes(data.to_vec()).file_name(name));
        api.http.post(api.url(&format!("/users/{user}/statements"))).bearer_auth(&api.token).multipart(form).send()
    };
    let resp = upload("AU00000", b"%PDF-1.4 fake", "s.pdf").await.unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let b: Value = resp.json().await.unwrap();
    assert_eq!(err(&b)["detail"], "Institution AU00000 is not supported on this endpoint");

    let resp = upload("AU00003", b"", "empty.csv").await.unwrap();
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let job: Value = resp.json().await.unwrap();
    let job = api.wait_job(&s(&job["id"])).await;
    assert_eq!(job["steps"][0]["status"], "failed");
    assert_eq!(job["steps"][0]["result"]["code"], "empty-file");

    let resp = upload("AU00003", b"%PDF-1.4 statement", "s.pdf").await.unwrap();
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let job: Value = resp.json().await.unwrap();
    api.wait_job(&s(&job["id"])).await;
    let (_, conns) = api.get(&format!("/users/{user}/connections")).await;
    assert_eq!(conns["data"][0]["method"], "pdf");
    let (_, txns) = api.get(&format!("/users/{user}/transactions")).await;
    assert_eq!(txns["count"], 40);

    let form = reqwest::multipart::Form::new().text("institutionId", "AU00003");
    let resp = api
        .http
        .post(api.url(&format!("/users/{user}/statements")))
        .bearer_auth(&api.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn enrich_and_connectors() {
    let api = Api::new().await;
    let (st, e) = api.get("/enrich?q=UBER%20*EATS%20HELP.UBER.COM&amount=-23.50").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(e["data"]["merchant"]["businessName"], "Uber Eats");
    assert_eq!(e["direction"], "debit");
    let (st, e) = api.get("/enrich?q=ZZZ%20UNKNOWN%20SHOP").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(e["data"]["category"]["matchType"], "none");
    assert_eq!(api.get("/enrich").await.0, StatusCode::BAD_REQUEST);

    let (_, c) = api.get("/connectors?filter=connector.authorization.type.eq('user-mfa')").await;
    let ids: Vec<String> = c["data"].as_array().unwrap().iter().map(|x| s(&x["id"])).collect();
    assert_eq!(ids, ["AU00002"]);
    let (_, c) = api.get("/connectors?filter=connector.id.in('AU00000','AU00004')").await;
    assert_eq!(c["totalCount"], 2);
    assert_eq!(api.get("/connectors?filter=connector.colour.eq('x')").await.0, StatusCode::BAD_REQUEST);
    assert_eq!(api.get("/connectors/AU00000/openbanking").await.0, StatusCode::NOT_FOUND);
}
