//! Lenient reading where Basiq's own examples disagree with its schema (openapi/DEVIATIONS.md,
//! "Lenient fields"): both spellings of a property, one object where a list is promised, and a
//! malformed optional detail that must not fail the list around it.

use crate::support::spec;
use basiq::types;
use serde_json::{Value, json};

fn fixture(operation_id: &str) -> Value {
    serde_json::from_str(&spec::response_fixture(operation_id)).unwrap()
}

#[test]
fn merchant_abn_is_read_in_either_case() {
    let mut body = fixture("enrich");
    let merchant = &mut body["data"]["merchant"];
    merchant.as_object_mut().unwrap().remove("ABN");
    merchant["abn"] = json!("71000016345");
    let enriched: types::EnrichResult = serde_json::from_value(body).unwrap();
    let abn = enriched.data.and_then(|d| d.merchant).and_then(|m| m.abn);
    assert_eq!(abn.as_deref(), Some("71000016345"));

    let report: types::ReportTransactionMerchant = serde_json::from_value(json!({"abn": "71000016345"})).unwrap();
    assert_eq!(report.abn, Some(json!("71000016345")));
}

#[test]
fn affordability_sub_class_code_is_read_in_either_case_keeping_leading_zeros() {
    let mut body = fixture("getAffordabilitySnapshotTransactions");
    body["data"][0]["subClass"] = json!({"title": "Telecommunications", "code": "0902019999"});
    body["data"][1]["subClass"] = json!({"title": "Groceries", "Code": "0101010101"});
    let list: types::AffordabilityTransactionList = serde_json::from_value(body).unwrap();
    let code = |n: usize| list.data[n].sub_class.as_ref().and_then(|s| s.code.clone());
    assert_eq!(code(0), Some(json!("0902019999")));
    assert_eq!(code(1), Some(json!("0101010101")));
}

#[test]
fn one_object_where_a_list_is_promised_reads_as_a_list_of_one() {
    let mut body = fixture("listAppWebhooks");
    let first = body["data"][0].clone();
    body["data"] = first;
    let list: types::WebhookList = serde_json::from_value(body).unwrap();
    assert_eq!(list.data.len(), 1);

    let rate: types::AccountDepositRate =
        serde_json::from_value(json!({"depositRateType": "FIXED", "rate": "0.05", "tiers": {"name": "Up to $10k"}}))
            .unwrap();
    assert_eq!(rate.tiers.map(|t| t.len()), Some(1));
    let fee: types::AccountFee =
        serde_json::from_value(json!({"name": "Monthly", "discounts": {"description": "Waived"}})).unwrap();
    assert_eq!(fee.discounts.map(|d| d.len()), Some(1));
}

#[test]
fn a_malformed_optional_detail_does_not_fail_the_list() {
    let mut body = fixture("getAccounts");
    body["data"][0]["meta"] = json!({"fees": 5, "depositRates": "none"});
    let list: types::AccountList = serde_json::from_value(body.clone()).unwrap();
    assert!(list.data[0].meta.is_none(), "the unreadable meta is dropped");
    assert_eq!(list.data.len(), body["data"].as_array().unwrap().len(), "every account is kept");

    let mut body = fixture("getTransactions");
    body["data"][0]["enrich"] = json!(["not", "an", "object"]);
    let list: types::TransactionList = serde_json::from_value(body).unwrap();
    assert!(list.data[0].enrich.is_none());
}
