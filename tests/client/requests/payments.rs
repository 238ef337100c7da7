//! Payments: payrequests, payouts and float accounts.

use basiq::filter::PayrequestFilter;
use basiq::{Call, types};

use super::{UNICODE, assert_segment};
use crate::support::ops::{PAYOUT, PAYREQUEST};
use crate::support::spec::request_fixture;

request_test!(
    submit_payrequests,
    "submitPayrequests",
    |client| client
        .submit_payrequests()
        .body(request_fixture::<types::PayrequestSubmitRequest>("submitPayrequests"))
        .call(),
    |request| {
        // Amounts are JSON numbers with their cents intact; unset flags stay out of the body.
        let body = request.body_json();
        assert_eq!(body["payrequests"][0]["amount"], serde_json::json!(173.45));
        assert!(body["payrequests"][1].get("checkAccountBalance").is_none());
    }
);

request_test!(
    list_payrequests,
    "listPayrequests",
    |client| client.list_payrequests().limit(10).filter(PayrequestFilter::status().eq("failed")).call(),
    |request| {
        // A plain limit, not Basiq's deepObject form limit[...]=.
        request.assert_query(&[("filter", "status.eq('failed')"), ("limit", "10")]);
    }
);

request_test!(get_payrequest, "getPayrequest", |client| client.get_payrequest().id(PAYREQUEST).call());

request_test!(
    submit_payouts,
    "submitPayouts",
    |client| client.submit_payouts().body(request_fixture::<types::PayoutSubmitRequest>("submitPayouts")).call(),
    |request| {
        let body = request.body_json();
        assert_eq!(body["payouts"][0]["amount"], serde_json::json!(0.01));
        assert_eq!(body["payouts"][0]["method"], serde_json::json!("fast/batch"));
    }
);

request_test!(list_payouts, "listPayouts", |client| client.list_payouts().limit(500).call(), |request| {
    // Basiq documents this path with a trailing slash; the normalised path is sent.
    assert_eq!(request.path(), "/payments/payouts");
});

request_test!(get_payout, "getPayout", |client| client.get_payout().id(PAYOUT).call());

request_test!(list_float_accounts, "listFloatAccounts", |client| client.list_float_accounts().call(), |request| {
    assert_eq!(request.path(), "/payments/float-accounts");
});

request_test!(
    get_float_account,
    "getFloatAccount",
    |client| client.get_float_account().id(UNICODE).call(),
    |request| {
        assert_segment(&request, "getFloatAccount", "id", UNICODE, "%C3%BCn%C3%AFc%C3%B8d%C3%A9");
    }
);
