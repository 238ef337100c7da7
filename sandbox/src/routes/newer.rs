//! The route table of the domains Basiq added after the 2024 v3 specification: CDR Insights,
//! Payees, Analytics and Payments (22 operations). Every path answers with and without a
//! trailing slash; every operation takes SERVER_ACCESS tokens only.

use std::sync::Arc;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodRouter, get, post};

use super::{Guard, Op, aliased, analytics, cdr_insights, guard, payees, payments, server};
use crate::state::Shared;

/// Router with the 22 newer operations, to be merged into the main one.
pub(super) fn router(shared: &Arc<Shared>) -> Router<Arc<Shared>> {
    let s = shared.clone();
    let r = move |op: Op, mr: MethodRouter<Arc<Shared>>| {
        mr.route_layer(from_fn_with_state(Guard { shared: s.clone(), op }, guard))
    };
    let table: Vec<(&str, MethodRouter<Arc<Shared>>)> = vec![
        // CDR Insights
        ("/insights", r(server("createInsight"), post(cdr_insights::create_insight))),
        ("/insights/types", r(server("getInsightTypes"), get(cdr_insights::list_types))),
        ("/insights/types/{typeId}", r(server("getInsightType"), get(cdr_insights::get_type))),
        ("/users/{userId}/insights", r(server("listUserInsights"), get(cdr_insights::list_user_insights))),
        ("/users/{userId}/insights/{insightId}", r(server("getInsightById"), get(cdr_insights::get_insight))),
        ("/users/{userId}/insights/account", r(server("getAccountInsights"), post(cdr_insights::post_account))),
        ("/users/{userId}/insights/balance", r(server("getBalanceInsights"), post(cdr_insights::post_balance))),
        ("/users/{userId}/insights/identity", r(server("getIdentityInsights"), post(cdr_insights::post_identity))),
        ("/users/{userId}/insights/income", r(server("verifyIncomeInsight"), post(cdr_insights::post_income))),
        (
            "/users/{userId}/insights/expense-ratio",
            r(server("getExpenseRatioInsights"), post(cdr_insights::post_expense_ratio)),
        ),
        // Payees
        ("/users/{userId}/payees", r(aliased("getPayees", "GetPayees"), get(payees::list_payees))),
        ("/users/{userId}/payees/{payeeId}", r(aliased("getPayeeDetails", "GetPayeeDetails"), get(payees::get_payee))),
        // Analytics
        ("/analytics/users", r(server("getUserAnalytics"), get(analytics::user_analytics))),
        ("/analytics/connections", r(server("getConnectionAnalytics"), get(analytics::connection_analytics))),
        // Payments
        (
            "/payments/payrequests",
            r(server("submitPayrequests"), post(payments::submit_payrequests))
                .merge(r(server("listPayrequests"), get(payments::list_payrequests))),
        ),
        ("/payments/payrequests/{id}", r(server("getPayrequest"), get(payments::get_payrequest))),
        (
            "/payments/payouts",
            r(server("submitPayouts"), post(payments::submit_payouts))
                .merge(r(server("listPayouts"), get(payments::list_payouts))),
        ),
        ("/payments/payouts/{id}", r(server("getPayout"), get(payments::get_payout))),
        ("/payments/float-accounts", r(server("listFloatAccounts"), get(payments::list_float_accounts))),
        ("/payments/float-accounts/{id}", r(server("getFloatAccount"), get(payments::get_float_account))),
    ];
    table
        .into_iter()
        .fold(Router::new(), |router, (path, mr)| router.route(path, mr.clone()).route(&format!("{path}/"), mr))
}
