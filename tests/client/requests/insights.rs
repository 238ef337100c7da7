//! CDR Insights: creating and reading insights, insight types and the per-check verifications.

use basiq::filter::InsightFilter;
use basiq::{Call, types};
use time::macros::date;

use super::{SLASH_QUERY_FRAGMENT, assert_segment};
use crate::support::ops::{INSIGHT_TYPE, USER};
use crate::support::spec::request_fixture;

request_test!(create_insight, "createInsight", |client| client
    .create_insight()
    .body(request_fixture::<types::InsightCreateRequest>("createInsight"))
    .call());

request_test!(get_insight_types, "getInsightTypes", |client| client.get_insight_types().call());

request_test!(
    get_insight_type,
    "getInsightType",
    |client| client.get_insight_type().type_id(INSIGHT_TYPE).call(),
    |request| {
        assert_eq!(request.path(), "/insights/types/BALANCE_VERIFICATION");
    }
);

request_test!(
    list_user_insights,
    "listUserInsights",
    |client| client
        .list_user_insights()
        .user_id(USER)
        .filter(
            InsightFilter::created()
                .between(date!(2026 - 04 - 01), date!(2026 - 04 - 30))
                .and(InsightFilter::insight_type().eq("expense-ratio")),
        )
        .call(),
    |request| {
        assert_eq!(
            request.query_pairs(),
            [("filter".to_owned(), "created.bt('2026-04-01','2026-04-30'),insightType.eq('expense-ratio')".to_owned())]
        );
    }
);

request_test!(
    get_insight_by_id,
    "getInsightById",
    |client| client.get_insight_by_id().user_id(USER).insight_id(SLASH_QUERY_FRAGMENT).call(),
    |request| {
        // An id that could be read as one of the literal check routes must stay one segment.
        assert_segment(&request, "getInsightById", "insightId", SLASH_QUERY_FRAGMENT, "a%2Fb%3Fc%23d");
        assert_segment(&request, "getInsightById", "userId", USER, USER);
    }
);

request_test!(get_account_insights, "getAccountInsights", |client| client
    .get_account_insights()
    .user_id(USER)
    .body(request_fixture::<types::AccountInsightRequest>("getAccountInsights"))
    .call());

request_test!(
    get_balance_insights,
    "getBalanceInsights",
    |client| client
        .get_balance_insights()
        .user_id(USER)
        .body(request_fixture::<types::BalanceInsightRequest>("getBalanceInsights"))
        .call(),
    |request| {
        // The bounds are decimal strings on the wire, never numbers.
        assert_eq!(request.body_json()["balance"]["min"], serde_json::json!("1500.00"));
    }
);

request_test!(get_identity_insights, "getIdentityInsights", |client| client
    .get_identity_insights()
    .user_id(USER)
    .body(request_fixture::<types::IdentityInsightRequest>("getIdentityInsights"))
    .call());

request_test!(verify_income_insight, "verifyIncomeInsight", |client| client
    .verify_income_insight()
    .user_id(USER)
    .body(request_fixture::<types::IncomeInsightRequest>("verifyIncomeInsight"))
    .call());

request_test!(get_expense_ratio_insights, "getExpenseRatioInsights", |client| client
    .get_expense_ratio_insights()
    .user_id(USER)
    .body(request_fixture::<types::ExpenseRatioInsightRequest>("getExpenseRatioInsights"))
    .call());
