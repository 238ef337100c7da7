//! Payees and analytics.

use basiq::filter::PayeeFilter;
use basiq::{Call, types};

use super::assert_segment;
use crate::support::ops::{PAYEE, USER};

request_test!(
    get_payees,
    "getPayees",
    |client| client.get_payees().user_id(USER).limit(25).filter(PayeeFilter::payee_type().eq("biller")).call(),
    |request| {
        request.assert_query(&[("filter", "type.eq('biller')"), ("limit", "25")]);
    }
);

request_test!(
    get_payee_details,
    "getPayeeDetails",
    |client| client.get_payee_details().user_id(USER).payee_id(PAYEE).call(),
    |request| {
        assert_segment(&request, "getPayeeDetails", "payeeId", PAYEE, PAYEE);
    }
);

request_test!(
    get_user_analytics,
    "getUserAnalytics",
    |client| client
        .get_user_analytics()
        .interval(types::AnalyticsInterval::Quarterly)
        .from_date("2026-01-01")
        .to_date("2026-06-30")
        .connection_type("cdr,pdf")
        .call(),
    |request| {
        request.assert_query(&[
            ("connectionType", "cdr,pdf"),
            ("fromDate", "2026-01-01"),
            ("interval", "quarterly"),
            ("toDate", "2026-06-30"),
        ]);
    }
);

request_test!(
    get_connection_analytics,
    "getConnectionAnalytics",
    |client| client.get_connection_analytics().interval(types::AnalyticsInterval::Annually).call(),
    |request| {
        assert_eq!(request.query_pairs(), [("interval".to_owned(), "annually".to_owned())]);
    }
);
