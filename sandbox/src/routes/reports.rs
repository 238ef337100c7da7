//! Reports: create (a one-step `create-report` job), list, get, delete, transactions, types.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use serde_json::{Value, json};

use super::envelopes::{counted_list, page_list};
use super::list_params::{page_links, paging_params};
use super::paging;
use super::report_data::{affordability_data, statement_data};
use super::txn_lists::{TXN_FIELDS, page};
use crate::analysis;
use crate::data::Txn;
use crate::dates::{self, DAY};
use crate::errors::{ApiError, ApiResult};
use crate::http::{json, no_content, ok, query, read_json, self_url};
use crate::jobs::{Job, job_reference};
use crate::money;
use crate::state::{self, Inner, Report, Shared, User};

/// A report type's filter: name, JSON type, required.
type FilterDef = (&'static str, &'static str, bool);
/// A report type: id, name, description, filters.
type ReportTypeDef = (&'static str, &'static str, &'static str, &'static [FilterDef]);

/// The filters of both affordability report types.
const AFFORDABILITY_FILTERS: &[FilterDef] = &[
    ("fromDate", "string", true),
    ("toDate", "string", true),
    ("accounts", "array", true),
    ("users", "array", true),
    ("includeGroups", "array", false),
    ("includeMetrics", "array", false),
];

/// Report types: id, name, description, filters (name, type, required).
const REPORT_TYPES: &[ReportTypeDef] = &[
    (
        "CON_AFFOR_01",
        "Consumer affordability",
        "Income, spending and liabilities of one or more consumers over a period.",
        AFFORDABILITY_FILTERS,
    ),
    (
        "STATEMENT_01",
        "Account statement",
        "Details and transactions of a single account over a period.",
        &[
            ("fromDate", "string", true),
            ("toDate", "string", false),
            ("account", "string", true),
            ("user", "string", true),
        ],
    ),
    (
        "BUS_AFFOR_01",
        "Business affordability",
        "Revenue, costs and liabilities of a business over a period.",
        AFFORDABILITY_FILTERS,
    ),
];

fn report_type_json(t: &ReportTypeDef) -> Value {
    json!({
        "type": "reportType",
        "id": t.0,
        "name": t.1,
        "description": t.2,
        "filters": t.3.iter().map(|(n, ty, r)| json!({ "name": n, "type": ty, "required": r })).collect::<Vec<_>>(),
    })
}

fn report_not_found() -> ApiError {
    ApiError::not_found("Requested report does not exist.").param("id")
}

fn filter_str(filters: &[(String, Value)], name: &str) -> Option<String> {
    filters.iter().find(|(n, _)| n == name).and_then(|(_, v)| match v {
        Value::String(s) => Some(s.clone()),
        Value::Array(a) => a.first().and_then(Value::as_str).map(str::to_owned),
        _ => None,
    })
}

fn filter_list(filters: &[(String, Value)], name: &str) -> Vec<String> {
    filters
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
            _ => Vec::new(),
        })
        .unwrap_or_default()
}

fn date_filter(filters: &[(String, Value)], name: &str) -> ApiResult<Option<i64>> {
    match filter_str(filters, name) {
        None => Ok(None),
        Some(s) => dates::parse_date(&s).map(Some).ok_or_else(|| {
            ApiError::invalid_param("filters", format!("{name} must be a YYYY-MM-DD date."))
                .pointer(&format!("filters/{name}"))
        }),
    }
}

/// `POST /reports` (createReport).
pub(crate) async fn create_report(State(s): State<Arc<Shared>>, body: Body) -> ApiResult {
    let v = read_json(body, 256 * 1024, "Posted report").await?;
    let report_type = v
        .get("reportType")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::missing_param("reportType", "reportType is required.").pointer("reportType"))?;
    let rtype = REPORT_TYPES.iter().find(|t| t.0 == report_type).ok_or_else(|| {
        ApiError::invalid_param("reportType", format!("Report type {report_type} is not supported."))
            .pointer("reportType")
    })?;
    let title = v
        .get("title")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::missing_param("title", "title is required.").pointer("title"))?;
    if title.chars().count() > 50 {
        return Err(ApiError::invalid_param("title", "title must be at most 50 characters.").pointer("title"));
    }
    let filters: Vec<(String, Value)> = v
        .get("filters")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::missing_param("filters", "filters is required.").pointer("filters"))?
        .iter()
        .filter_map(|f| Some((f.get("name")?.as_str()?.to_owned(), f.get("value").cloned().unwrap_or(Value::Null))))
        .collect();
    for (name, _, required) in rtype.3 {
        if *required && !filters.iter().any(|(n, _)| n == name) {
            return Err(ApiError::missing_param("filters", format!("Filter {name} is required for {report_type}."))
                .pointer(&format!("filters/{name}")));
        }
    }
    let now = s.cfg.clock.now_wall();
    let from = date_filter(&filters, "fromDate")?.unwrap_or(now - 365 * DAY);
    let to = date_filter(&filters, "toDate")?.map_or(now, |d| d + DAY - 1);
    if to < from {
        return Err(ApiError::invalid_param("filters", "toDate must not be before fromDate.").pointer("filters/toDate"));
    }
    let statement = rtype.0 == "STATEMENT_01";
    let (user_ids, account_ids) = if statement {
        (
            filter_str(&filters, "user").into_iter().collect::<Vec<_>>(),
            filter_str(&filters, "account").into_iter().collect::<Vec<_>>(),
        )
    } else {
        (filter_list(&filters, "users"), filter_list(&filters, "accounts"))
    };
    if user_ids.is_empty() {
        return Err(ApiError::missing_param("filters", "At least one user is required.").pointer("filters/users"));
    }
    for id in &user_ids {
        s.write().settle_user(&s.cfg, id);
    }
    let mut inner = s.write();
    let users: Vec<&User> = user_ids.iter().map(|u| inner.user(u)).collect::<ApiResult<_>>()?;
    let all_accounts: Vec<String> = users.iter().flat_map(|u| u.accounts.iter().map(|a| a.id.clone())).collect();
    let accounts: Vec<String> = if account_ids.is_empty() { all_accounts.clone() } else { account_ids };
    if let Some(bad) = accounts.iter().find(|a| !all_accounts.contains(a)) {
        return Err(ApiError::invalid_param(
            "filters",
            format!("Account {bad} does not belong to the report's users."),
        )
        .pointer("filters/accounts"));
    }
    let base = &s.cfg.base_url;
    let data = if statement {
        let user = users[0];
        let acc = accounts
            .first()
            .and_then(|id| user.accounts.iter().find(|a| a.id == *id))
            .ok_or_else(|| ApiError::missing_param("filters", "account is required.").pointer("filters/account"))?;
        statement_data(&inner, user, acc, base)
    } else {
        affordability_data(&users, &accounts, from, to, &filters, base)
    };
    let report_id = inner.new_id();
    let job_id = inner.new_id();
    let created_at = s.cfg.clock.now();
    let mut data = data;
    data["transactions"] = json!(format!("{base}/reports/{report_id}/transactions"));
    inner.reports.push(Report {
        id: report_id.clone(),
        title: title.to_owned(),
        report_type: rtype.0.to_owned(),
        created: now,
        expires: now + 14 * DAY,
        ready_at: created_at + s.cfg.step_delay,
        filters: json!(filters.iter().map(|(n, v)| json!({ "name": n, "value": v })).collect::<Vec<_>>()),
        users: user_ids.clone(),
        accounts,
        from,
        to,
        data,
    });
    inner.jobs.insert(job_id.clone(), Job::report(job_id.clone(), user_ids[0].clone(), created_at, report_id));
    Ok(json(StatusCode::ACCEPTED, job_reference(&job_id, base)))
}

fn report_json(r: &Report, base: &str, with_data: bool) -> Value {
    let mut out = json!({
        "type": "report",
        "id": r.id,
        "title": r.title,
        "reportType": r.report_type,
        "createdDate": dates::fmt_datetime(r.created),
        "createdBy": "sandbox",
        "expiresAt": dates::fmt_datetime(r.expires),
        "filters": r.filters,
        "transactions": format!("{base}/reports/{}/transactions", r.id),
        "links": { "self": format!("{base}/reports/{}", r.id) },
    });
    if with_data {
        out["data"] = r.data.clone();
    }
    out
}

fn ready<'a>(s: &Shared, inner: &'a Inner, id: &str) -> ApiResult<&'a Report> {
    let now = s.cfg.clock.now();
    inner.reports.iter().find(|r| r.id == id && r.ready_at <= now).ok_or_else(report_not_found)
}

/// `GET /reports` (listAllReports), newest first; reports appear once their job finished.
pub(crate) async fn list_reports(State(s): State<Arc<Shared>>, uri: Uri) -> ApiResult {
    let cursor = paging::cursor(&query(&uri))?;
    let base = &s.cfg.base_url;
    let inner = s.read();
    let now = s.cfg.clock.now();
    let data: Vec<Value> = inner
        .reports
        .iter()
        .rev()
        .filter(|r| r.ready_at <= now)
        .skip(paging::skip(&cursor))
        .take(paging::take(&cursor))
        .map(|r| report_json(r, base, false))
        .collect();
    ok(paging::finish(data, &cursor, self_url(&s, &uri), &format!("{base}/reports")))
}

/// `GET /reports/{id}` (retrieveReport).
pub(crate) async fn get_report(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    let inner = s.read();
    ok(report_json(ready(&s, &inner, &id)?, &s.cfg.base_url, true))
}

/// `DELETE /reports/{id}` (deleteReport).
pub(crate) async fn delete_report(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    if !state::remove_where(&mut s.write().reports, |r| r.id == id) {
        return Err(report_not_found());
    }
    no_content()
}

/// `GET /reports/{reportId}/transactions` (retrieveReportTransactions), paged like getTransactions.
pub(crate) async fn get_report_transactions(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    uri: Uri,
) -> ApiResult {
    let q = query(&uri);
    let (cursor, f) = paging_params(&q, TXN_FIELDS)?;
    let base = &s.cfg.base_url;
    let inner = s.read();
    let r = ready(&s, &inner, &id)?;
    let in_scope = |t: &Txn| analysis::in_window(t, &r.accounts, r.from, r.to);
    let users: Vec<&User> = r.users.iter().filter_map(|u| inner.users.get(u)).collect();
    let (items, owners, next): (Vec<&Txn>, Vec<&str>, Option<usize>) = if let [u] = users.as_slice() {
        let (idx, next) = page(&u.txns, cursor.pos, cursor.limit, &f, in_scope);
        let items: Vec<&Txn> = idx.into_iter().map(|i| &u.txns[i]).collect();
        let owners = vec![u.id.as_str(); items.len()];
        (items, owners, next)
    } else {
        let mut all: Vec<(&Txn, &str)> =
            users.iter().flat_map(|u| u.txns.iter().map(move |t| (t, u.id.as_str()))).collect();
        all.sort_by(|a, b| b.0.when().cmp(&a.0.when()).then_with(|| a.0.id.cmp(&b.0.id)));
        let refs: Vec<&Txn> = all.iter().map(|(t, _)| *t).collect();
        let (idx, next) = page(&refs, cursor.pos, cursor.limit, &f, in_scope);
        let (items, owners) = idx.into_iter().map(|i| all[i]).unzip();
        (items, owners, next)
    };
    let data: Vec<Value> = items
        .iter()
        .zip(owners)
        .map(|(t, uid)| {
            let mut out = json!({
                "type": "transaction",
                "id": t.id,
                "account": &*t.account,
                "amount": money::decimal(t.amount),
                "class": t.class,
                "connection": &*t.connection,
                "description": t.description,
                "direction": t.direction(),
                "institution": &*t.institution,
                "postDate": t.post.map(dates::fmt_datetime),
                "status": t.status(),
                "transactionDate": t.date.map(dates::fmt_datetime),
                "links": {
                    "self": format!("{base}/users/{uid}/transactions/{}", t.id),
                    "account": format!("{base}/users/{uid}/accounts/{}", t.account),
                    "institution": format!("{base}/institutions/{}", t.institution),
                    "connection": format!("{base}/users/{uid}/connections/{}", t.connection),
                },
            });
            // A pending transaction has no running balance: the field is left out, never null.
            if let Some(balance) = t.balance {
                out["balance"] = json!(money::decimal(balance));
            }
            out
        })
        .collect();
    let links = page_links(self_url(&s, &uri), &format!("{base}/reports/{id}/transactions"), &cursor, next);
    ok(page_list(data, cursor.limit, links))
}

/// `GET /reports/types` (listReportTypes).
pub(crate) async fn list_report_types(State(s): State<Arc<Shared>>) -> ApiResult {
    let data: Vec<Value> = REPORT_TYPES.iter().map(report_type_json).collect();
    ok(counted_list(data, format!("{}/reports/types", s.cfg.base_url)))
}

/// `GET /reports/types/{reportTypeId}` (retrieveSpecificReportType).
pub(crate) async fn get_report_type(Path(id): Path<String>) -> ApiResult {
    let t = REPORT_TYPES
        .iter()
        .find(|t| t.0 == id)
        .ok_or_else(|| ApiError::not_found("Requested report type does not exist.").param("reportTypeId"))?;
    ok(report_type_json(t))
}
