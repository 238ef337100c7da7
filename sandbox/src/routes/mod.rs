//! The HTTP surface: one guarded route per Basiq operation, plus the consent pages.
//!
//! Every operation route is wrapped by [`guard`], which applies armed faults for the route's
//! operation id, then checks the bearer token and the token's scope.

// What several route files share.
mod account_json;
mod envelopes;
mod event_types;
mod insight_period;
mod list_params;
mod paging;
mod profile_json;
mod report_data;
mod txn_lists;

// One file per resource.
mod accounts;
mod analytics;
mod cdr_insights;
mod connections;
mod connectors;
mod enrich;
mod events;
mod identities;
mod insights;
mod jobs;
mod newer;
mod payees;
mod payments;
mod reports;
mod statements;
mod users;
mod webhooks;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, Uri};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, post};

use super::auth;
use super::consent;
use super::consent_ui;
use super::errors::ApiError;
use super::faults::FaultKind;
use super::state::{Scope, Shared};

pub(crate) use users::add_user;

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// No bearer token (the token endpoint and the consent pages).
    Public,
    /// SERVER_ACCESS tokens only.
    Server,
    /// SERVER_ACCESS, or CLIENT_ACCESS bound to the resource's user.
    Client,
}

/// An operation: its operationId, Basiq's original id where ours differs, and its access rule.
#[derive(Debug, Clone, Copy)]
struct Op {
    id: &'static str,
    alias: Option<&'static str>,
    access: Access,
}

const fn server(id: &'static str) -> Op {
    Op { id, alias: None, access: Access::Server }
}

const fn aliased(id: &'static str, alias: &'static str) -> Op {
    Op { id, alias: Some(alias), access: Access::Server }
}

const fn public(id: &'static str) -> Op {
    Op { id, alias: None, access: Access::Public }
}

const fn client(id: &'static str) -> Op {
    Op { id, alias: None, access: Access::Client }
}

/// Marker put on a response to make the connection layer drop the connection instead.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DropConnection;

#[derive(Clone)]
struct Guard {
    shared: Arc<Shared>,
    op: Op,
}

async fn guard(State(g): State<Guard>, mut req: Request, next: Next) -> Response {
    if g.op.id == "postToken" {
        g.shared.token_requests.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
    if let Some(kind) = g.shared.faults.take(g.op.id, g.op.alias) {
        tracing::debug!(operation = g.op.id, ?kind, "sandbox fault injected");
        match kind {
            FaultKind::TooManyRequests { retry_after } => {
                let secs = retry_after.map(|d| d.as_secs() + u64::from(d.subsec_nanos() > 0));
                return ApiError::too_many_requests(secs).into_response();
            }
            FaultKind::Unavailable => return ApiError::unavailable().into_response(),
            FaultKind::Latency(d) => tokio::time::sleep(d).await,
            FaultKind::RevokeToken => {
                if let Some(token) = auth::bearer(req.headers()) {
                    auth::revoke(&g.shared, token);
                }
            }
            FaultKind::DropConnection => {
                let mut resp = Response::new(Body::empty());
                resp.extensions_mut().insert(DropConnection);
                return resp;
            }
        }
    }
    if g.op.access != Access::Public {
        match auth::check_token(&g.shared, auth::bearer(req.headers())) {
            Ok(caller) => {
                if caller.scope == Scope::Client && g.op.access == Access::Server {
                    return ApiError::forbidden().into_response();
                }
                req.extensions_mut().insert(caller);
            }
            Err(e) => return e.into_response(),
        }
    }
    next.run(req).await
}

/// Build the sandbox router.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let s = shared.clone();
    let r = move |op: Op, mr: MethodRouter<Arc<Shared>>| {
        mr.route_layer(from_fn_with_state(Guard { shared: s.clone(), op }, guard))
    };
    Router::new()
        // core: token, users, consents, auth links
        .route("/token", r(public("postToken"), post(auth::post_token)))
        .route("/users", r(server("createUser"), post(users::create_user)))
        .route(
            "/users/{userId}",
            r(server("getUser"), get(users::get_user))
                .merge(r(server("updateUser"), post(users::update_user)))
                .merge(r(server("deleteUser"), delete(users::delete_user))),
        )
        .route("/users/{userId}/consents", r(server("getConsents"), get(users::get_consents)))
        .route("/users/{userId}/consents/{consentId}", r(server("deleteConsent"), delete(users::delete_consent)))
        .route(
            "/users/{userId}/auth_link",
            r(server("postAuthLink"), post(users::post_auth_link))
                .merge(r(server("getAuthLink"), get(users::get_auth_link)))
                .merge(r(server("deleteAuthLink"), delete(users::delete_auth_link))),
        )
        // events
        .route("/events", r(server("getEvents"), get(events::get_events)))
        .route("/events/types", r(server("listEventTypes"), get(events::list_event_types)))
        .route("/events/types/{id}", r(server("getEventTypeById"), get(events::get_event_type)))
        .route("/events/{id}", r(server("getTypeById"), get(events::get_event)))
        // jobs
        .route("/users/{userId}/jobs", r(server("getUserJobs"), get(jobs::get_user_jobs)))
        .route("/jobs/{jobId}", r(client("getJobs"), get(jobs::get_job)))
        .route("/jobs/{jobId}/mfa", r(client("postJobMfa"), post(jobs::post_job_mfa)))
        // data
        .route("/users/{userId}/accounts", r(server("getAccounts"), get(accounts::get_accounts)))
        .route("/users/{userId}/accounts/{accountId}", r(server("getAccount"), get(accounts::get_account)))
        .route("/users/{userId}/transactions", r(server("getTransactions"), get(accounts::get_transactions)))
        .route(
            "/users/{userId}/transactions/{transactionId}",
            r(server("getTransaction"), get(accounts::get_transaction)),
        )
        .route("/users/{userId}/connections", r(server("getConnections"), get(connections::get_connections)))
        .route("/users/{userId}/connections/refresh", r(server("refreshConnections"), post(connections::refresh_all)))
        .route(
            "/users/{userId}/connections/{connectionId}",
            r(server("getConnection"), get(connections::get_connection))
                .merge(r(server("deleteConnection"), delete(connections::delete_connection))),
        )
        .route(
            "/users/{userId}/connections/{connectionId}/refresh",
            r(server("refreshConnection"), post(connections::refresh_one)),
        )
        .route(
            "/users/{userId}/connections/{connectionId}/purge",
            r(server("purgeConnectionData"), post(connections::purge)),
        )
        .route("/users/{userId}/statements", r(server("createStatement"), post(statements::create_statement)))
        .route("/connectors", r(server("getConnectors"), get(connectors::get_connectors)))
        .route("/connectors/{connectorId}/{method}", r(server("getConnector"), get(connectors::get_connector)))
        // insights
        .route(
            "/users/{userId}/affordability",
            r(server("getAffordabilityList"), get(insights::list_affordability))
                .merge(r(server("postAffordability"), post(insights::post_affordability))),
        )
        .route(
            "/users/{userId}/affordability/{snapshotId}",
            r(server("getAffordability"), get(insights::get_affordability)),
        )
        .route(
            "/users/{userId}/affordability/{snapshotId}/transactions",
            r(server("getAffordabilitySnapshotTransactions"), get(insights::get_affordability_transactions)),
        )
        .route("/users/{userId}/expenses", r(server("postExpenses"), post(insights::post_expenses)))
        .route("/users/{userId}/expenses/{snapshotId}", r(server("getExpenses"), get(insights::get_expenses)))
        .route("/users/{userId}/income", r(server("postIncome"), post(insights::post_income)))
        .route("/users/{userId}/income/{snapshotId}", r(server("getIncome"), get(insights::get_income)))
        .route("/users/{userId}/identities", r(server("getUserIdentities"), get(identities::get_identities)))
        .route("/users/{userId}/identities/{identityId}", r(server("getUserIdentity"), get(identities::get_identity)))
        .route("/enrich", r(aliased("enrich", "Enrich"), get(enrich::enrich)))
        // reports
        .route(
            "/reports",
            r(aliased("createReport", "createreport"), post(reports::create_report))
                .merge(r(aliased("listAllReports", "listallreports"), get(reports::list_reports))),
        )
        .route("/reports/types", r(server("listReportTypes"), get(reports::list_report_types)))
        .route("/reports/types/{reportTypeId}", r(server("retrieveSpecificReportType"), get(reports::get_report_type)))
        .route(
            "/reports/{id}",
            r(server("retrieveReport"), get(reports::get_report))
                .merge(r(server("deleteReport"), delete(reports::delete_report))),
        )
        .route(
            "/reports/{reportId}/transactions",
            r(server("retrieveReportTransactions"), get(reports::get_report_transactions)),
        )
        // webhooks
        .route(
            "/notifications/webhooks",
            r(server("addWebhook"), post(webhooks::add_webhook))
                .merge(r(server("listAppWebhooks"), get(webhooks::list_webhooks))),
        )
        .route(
            "/notifications/webhooks/{webhookId}",
            r(server("getWebhook"), get(webhooks::get_webhook))
                .merge(r(server("updateWebhook"), post(webhooks::update_webhook)))
                .merge(r(server("deleteWebhook"), delete(webhooks::delete_webhook))),
        )
        .route("/notifications/webhooks/{webhookId}/messages", r(server("listMessages"), get(webhooks::list_messages)))
        .route(
            "/notifications/webhooks/{webhookId}/messages/{messageId}",
            r(server("getWebhookMessage"), get(webhooks::get_message)),
        )
        .route("/notifications/messages/test", r(server("testMessage"), post(webhooks::test_message)))
        // consent pages (not Basiq API operations)
        .route("/consent/home", r(public("consentPage"), get(consent_ui::home).post(consent::submit)))
        .route("/consent/done", r(public("consentDone"), get(consent::done)))
        .route("/connect/{linkId}", r(public("authLinkPage"), get(consent::auth_link_page)))
        .merge(consent_ui::router())
        // CDR Insights, Payees, Analytics, Payments
        .merge(newer::router(&shared))
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(shared)
}

async fn route_not_found(uri: Uri) -> Response {
    ApiError::not_found(format!("Route not found for this API version: {}", uri.path())).into_response()
}

async fn method_not_allowed() -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "Method not allowed",
        "The HTTP method is not supported on this route.",
    )
    .into_response()
}
