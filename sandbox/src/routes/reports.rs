//! Reports: create (a one-step `create-report` job), list, get, delete, transactions, types.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use serde_json::{Value, json};

use super::accounts::{TXN_FIELDS, account_json, page, page_links, paging_params};
use super::identities::unknown_identity_details;
use super::{counted_list, extend_object, json, no_content, ok, page_list, paging, query, read_json, self_url};
use crate::analysis::{self, posted};
use crate::data::{Account, Txn};
use crate::errors::{ApiError, ApiResult};
use crate::jobs::{Job, job_reference};
use crate::state::{Inner, Report, Shared, User};
use crate::util::{self, DAY};

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

/// A transaction group used in report `groups`.
struct GroupDef {
    id: &'static str,
    title: &'static str,
    section: &'static str,
    matches: fn(&Txn) -> bool,
}

fn sub_code(t: &Txn) -> &str {
    t.sub_class.map_or("", |s| s.0)
}

const GROUPS: &[GroupDef] = &[
    GroupDef {
        id: "INC-001",
        title: "Salary and wages",
        section: "income",
        matches: |t| t.amount > 0 && t.class == "direct-credit",
    },
    GroupDef {
        id: "INC-002",
        title: "Other credits",
        section: "income",
        matches: |t| t.amount > 0 && t.class != "direct-credit",
    },
    GroupDef {
        id: "EXP-001",
        title: "Groceries",
        section: "expenses",
        matches: |t| t.amount < 0 && sub_code(t) == "4110",
    },
    GroupDef {
        id: "EXP-002",
        title: "Dining and takeaway",
        section: "expenses",
        matches: |t| t.amount < 0 && sub_code(t).starts_with("45"),
    },
    GroupDef {
        id: "EXP-003",
        title: "Transport and fuel",
        section: "expenses",
        matches: |t| t.amount < 0 && (sub_code(t).starts_with("46") || sub_code(t) == "4000"),
    },
    GroupDef {
        id: "EXP-004",
        title: "Utilities and telecommunications",
        section: "expenses",
        matches: |t| t.amount < 0 && (sub_code(t).starts_with("26") || sub_code(t).starts_with("58")),
    },
    GroupDef { id: "EXP-005", title: "Gambling", section: "risk", matches: |t| t.amount < 0 && sub_code(t) == "9209" },
    GroupDef { id: "EXP-006", title: "Cash withdrawals", section: "risk", matches: |t| t.class == "cash-withdrawal" },
    GroupDef {
        id: "EXP-007",
        title: "Buy now pay later",
        section: "liabilities",
        matches: |t| t.amount < 0 && sub_code(t) == "6230",
    },
    GroupDef { id: "EXP-008", title: "Bank fees", section: "expenses", matches: |t| t.class == "bank-fee" },
    GroupDef {
        id: "LIA-001",
        title: "Loan repayments",
        section: "liabilities",
        matches: |t| t.class == "loan-repayment" || (t.amount < 0 && t.description.contains("LOAN")),
    },
    GroupDef {
        id: "EXP-009",
        title: "Crypto currency",
        section: "risk",
        matches: |t| t.amount < 0 && sub_code(t) == "6240",
    },
];

fn analysis_json(items: &[&Txn], from: i64, to: i64, all_credit: i64, all_debit: i64) -> Value {
    let total: i64 = items.iter().map(|t| t.amount).sum();
    let amounts: Vec<i64> = items.iter().map(|t| t.amount).collect();
    let monthly = analysis::monthly(items.iter().copied());
    let months = analysis::months(from, to);
    let (credit, debit) = analysis::credits_and_debits(items.iter().copied());
    let first = items.last().map_or(from, |t| posted(t));
    let last = items.first().map_or(to, |t| posted(t));
    let gap = analysis::median_gap_days(items);
    let (ftype, display) = match gap {
        0 => ("irregular", "Irregular"),
        1..=9 => ("weekly", "Weekly"),
        10..=18 => ("fortnightly", "Fortnightly"),
        19..=45 => ("monthly", "Monthly"),
        _ => ("irregular", "Irregular"),
    };
    let avg_tx = if items.is_empty() { 0 } else { total / items.len() as i64 };
    let mut out = json!({
        "summary": {
            "transactionCount": items.len(),
            "overallPercentage": {
                "credit": analysis::percent(credit, all_credit),
                "debit": analysis::percent(debit, all_debit),
            },
        },
        "range": { "startDate": util::fmt_date(first), "endDate": util::fmt_date(last), "duration": (last - first) / DAY },
        "amount": {
            "total": util::money(total),
            "min": util::money(amounts.iter().copied().min().unwrap_or(0)),
            "max": util::money(amounts.iter().copied().max().unwrap_or(0)),
            "average": {
                "transaction": util::money(avg_tx),
                "month": util::money(total / months),
                "medianTransaction": util::money(analysis::median(amounts.clone())),
                "medianMonth": util::money(analysis::median(monthly.iter().map(|(_, a)| *a).collect())),
                "ongoingMonth": util::money(monthly.last().map_or(0, |(_, a)| *a)),
            },
            "stableMonths": monthly.len(),
            "secureMonths": monthly.len(),
        },
        "frequency": {
            "type": ftype,
            "amount": util::money(avg_tx),
            "display": display,
            "next": { "amount": util::money(avg_tx) },
        },
    });
    // No next occurrence: the date is left out (never "", which is not a date).
    if gap > 0 {
        out["frequency"]["next"]["date"] = json!(util::fmt_date(last + gap * DAY));
    }
    out
}

/// `includeMetrics`/`includeGroups`: absent or `[]` = all, a list = only those, `null` = none.
fn selection(filters: &[(String, Value)], name: &str) -> Option<Vec<String>> {
    match filters.iter().find(|(n, _)| n == name).map(|(_, v)| v) {
        None => Some(Vec::new()),
        Some(Value::Null) => None,
        Some(Value::Array(items)) => Some(items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect()),
        Some(Value::String(s)) => Some(vec![s.clone()]),
        Some(_) => Some(Vec::new()),
    }
}

fn wanted(sel: &Option<Vec<String>>, id: &str) -> bool {
    sel.as_ref().is_some_and(|l| l.is_empty() || l.iter().any(|x| x == id))
}

/// The account object as reports embed it: [`account_json`] without the bank details, the card
/// meta and the connection link.
fn report_account_json(a: &Account, user_id: &str, base: &str) -> Value {
    let mut out = account_json(a, user_id, base);
    if let Some(obj) = out.as_object_mut() {
        for key in ["bsb", "unmaskedAccNum", "meta"] {
            obj.remove(key);
        }
        if let Some(links) = obj.get_mut("links").and_then(Value::as_object_mut) {
            links.remove("connection");
        }
    }
    out
}

/// A metric value as Basiq sends it: always a string (`"true"`, `"26.2"`, `"4"`).
fn metric_text(value: Value) -> Value {
    match value {
        Value::String(_) | Value::Null => value,
        Value::Bool(b) => Value::String(b.to_string()),
        Value::Number(n) => Value::String(n.to_string()),
        other => Value::String(other.to_string()),
    }
}

fn metric(id: &str, title: &str, description: &str, section: &str, value: Value, format: &str) -> Value {
    json!({
        "id": id,
        "title": title,
        "description": description,
        "sections": [section],
        "result": { "value": metric_text(value), "format": format },
    })
}

fn affordability_data(
    users: &[&User],
    accounts: &[String],
    from: i64,
    to: i64,
    filters: &[(String, Value)],
    base: &str,
) -> Value {
    let txns: Vec<&Txn> =
        users.iter().flat_map(|u| u.txns.iter()).filter(|t| analysis::in_window(t, accounts, from, to)).collect();
    let (credit, debit) = analysis::credits_and_debits(txns.iter().copied());
    let months = analysis::months(from, to);
    let by = |g: fn(&Txn) -> bool| txns.iter().copied().filter(|t| g(t)).collect::<Vec<_>>();
    let gambling = by(GROUPS[6].matches);
    let cash: i64 = by(GROUPS[7].matches).iter().map(|t| t.amount).sum();
    let bnpl: i64 = by(GROUPS[8].matches).iter().map(|t| t.amount).sum();
    let (regular, _, _) = analysis::credit_streams(&txns);
    let regular_total: i64 = regular.iter().map(analysis::Stream::total).sum();
    let mut negative_days: BTreeMap<i64, bool> = BTreeMap::new();
    for t in &txns {
        if t.balance.is_some_and(|b| b < 0) && t.sub_class.is_some() {
            negative_days.insert(posted(t) / DAY, true);
        }
    }
    let spend_ratio = analysis::percent(-debit, credit);
    let metrics_sel = selection(filters, "includeMetrics");
    let all_metrics = vec![
        metric(
            "ME001",
            "Total credits",
            "Sum of money received in the period.",
            "income",
            json!(util::money(credit)),
            "money",
        ),
        metric(
            "ME002",
            "Total debits",
            "Sum of money spent in the period.",
            "expenses",
            json!(util::money(debit)),
            "money",
        ),
        metric(
            "ME003",
            "Average monthly regular income",
            "Regular income per month.",
            "income",
            json!(util::money(regular_total / months)),
            "money",
        ),
        metric(
            "ME004",
            "Gambling transactions",
            "Number of gambling transactions.",
            "risk",
            json!(gambling.len()),
            "integer",
        ),
        metric(
            "ME005",
            "Has gambling",
            "Whether any gambling was seen.",
            "risk",
            json!(!gambling.is_empty()),
            "boolean",
        ),
        metric("ME006", "Cash withdrawals", "Total cash withdrawn.", "risk", json!(util::money(cash)), "money"),
        metric(
            "ME007",
            "Buy now pay later repayments",
            "Total paid to buy-now-pay-later providers.",
            "liabilities",
            json!(util::money(bnpl)),
            "money",
        ),
        metric(
            "ME008",
            "Days with a negative balance",
            "Days on which an account was overdrawn.",
            "risk",
            json!(negative_days.len()),
            "integer",
        ),
        metric(
            "ME009",
            "Spend to income ratio",
            "Debits as a percentage of credits.",
            "expenses",
            json!(spend_ratio),
            "percent",
        ),
    ];
    let metrics: Vec<Value> =
        all_metrics.into_iter().filter(|m| wanted(&metrics_sel, m["id"].as_str().unwrap_or(""))).collect();
    let groups_sel = selection(filters, "includeGroups");
    let groups: Vec<Value> = GROUPS
        .iter()
        .filter(|g| wanted(&groups_sel, g.id))
        .map(|g| {
            let items = by(g.matches);
            let mut subs: BTreeMap<&str, Vec<&Txn>> = BTreeMap::new();
            for t in &items {
                subs.entry(t.description.as_str()).or_default().push(t);
            }
            let subgroup: Vec<Value> = subs
                .iter()
                .enumerate()
                .map(|(i, (name, list))| {
                    json!({
                        "id": format!("{}-{}", g.id, i + 1),
                        "name": name,
                        "analysis": analysis_json(list, from, to, credit, debit),
                        "transactions": list.iter().take(50).map(|t| json!({
                            "id": t.id,
                            "date": util::fmt_date(posted(t)),
                            "description": t.description,
                            "amount": util::money(t.amount),
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            json!({
                "id": g.id,
                "title": g.title,
                "sections": [g.section],
                "analysis": analysis_json(&items, from, to, credit, debit),
                "subgroup": subgroup,
            })
        })
        .collect();
    let accounts_json: Vec<Value> = users
        .iter()
        .flat_map(|u| {
            u.accounts.iter().filter(|a| accounts.contains(&a.id)).map(move |a| report_account_json(a, &u.id, base))
        })
        .collect();
    json!({ "metrics": metrics, "groups": groups, "accounts": accounts_json })
}

fn statement_data(inner: &Inner, user: &User, acc: &Account, base: &str) -> Value {
    let _ = inner;
    let inst = crate::data::institution(&acc.institution);
    let profile = user.connections.iter().find(|c| *c.id == *acc.connection).and_then(|c| c.profile);
    let identity = profile.map_or(Value::Null, |p| {
        let mut identity = json!({
            "customerType": if p.business.is_some() { "organisation" } else { "person" },
            "fullName": p.full_name(),
            "firstName": p.first,
            "lastName": p.last,
            "phoneNumbers": [p.phone],
            "emails": [p.email],
            "businessName": p.business.map(|b| b.0),
            "abn": p.business.map(|b| b.1),
            "physicalAddresses": [{
                "addressLine1": p.street, "addressLine2": "", "addressLine3": "",
                "postCode": p.postcode, "city": p.city, "state": p.state, "country": "Australia",
            }],
        });
        extend_object(&mut identity, unknown_identity_details());
        identity
    });
    json!({
        "account": [report_account_json(acc, &user.id, base)],
        "institution": {
            "logo": format!("{base}/static/{}-full.svg", acc.institution),
            "name": inst.map_or("Unknown institution", |i| i.name),
            "abn": "",
            "acn": "",
        },
        "identity": identity,
        "accreditation": {
            "cdrAccessModel": "sandbox",
            "entityName": "basiq sandbox",
            "title": "Offline sandbox",
            "licenceNo": "",
            "description": "Generated by the offline basiq sandbox.",
        },
    })
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
        Some(s) => util::parse_date(&s).map(Some).ok_or_else(|| {
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
        "createdDate": util::fmt_datetime(r.created),
        "createdBy": "sandbox",
        "expiresAt": util::fmt_datetime(r.expires),
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
    if !util::remove_where(&mut s.write().reports, |r| r.id == id) {
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
                "amount": util::money(t.amount),
                "balance": t.balance.map(util::money),
                "class": t.class,
                "connection": &*t.connection,
                "description": t.description,
                "direction": t.direction(),
                "institution": &*t.institution,
                "postDate": t.post.map(util::fmt_datetime),
                "status": t.status(),
                "transactionDate": t.date.map(util::fmt_datetime),
                "links": {
                    "self": format!("{base}/users/{uid}/transactions/{}", t.id),
                    "account": format!("{base}/users/{uid}/accounts/{}", t.account),
                    "institution": format!("{base}/institutions/{}", t.institution),
                    "connection": format!("{base}/users/{uid}/connections/{}", t.connection),
                },
            });
            // A pending transaction has no running balance: leave the field out.
            if t.balance.is_none()
                && let Some(obj) = out.as_object_mut()
            {
                obj.remove("balance");
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
