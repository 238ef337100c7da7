//! Affordability, expenses and income snapshots computed from the user's transactions.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use serde_json::{Value, json};

use super::envelopes::{extend_object, page_list};
use super::insight_period::{Period, in_period, parse_period};
use super::list_params::{cursor_param, page_links};
use super::paging;
use super::txn_lists::page;
use crate::analysis::{self, Stream, posted};
use crate::data::{Account, Txn};
use crate::dates::{self, DAY};
use crate::errors::{ApiError, ApiResult};
use crate::filter::Filter;
use crate::http::{json, no_content, ok, query, read_body, self_url};
use crate::money;
use crate::state::{Inner, Shared, Snapshot, SnapshotKind, User};

/// An ANZSIC (code, title) pair.
type CodeTitle = (&'static str, &'static str);

/// A snapshot body: `{type, id, coverageDays, fromMonth, toMonth, links: {self, accounts}}` plus
/// `fields`; `kind` is both the type and the path segment of `links.self`.
fn snapshot_json(kind: &str, id: &str, p: &Period, uid: &str, base: &str, fields: Value) -> Value {
    let mut out = json!({
        "type": kind,
        "id": id,
        "coverageDays": (p.to - p.from + 1) / DAY,
        "fromMonth": dates::fmt_month(p.from),
        "toMonth": dates::fmt_month(p.to),
        "links": {
            "self": format!("{base}/users/{uid}/{kind}/{id}"),
            "accounts": p.accounts.iter().map(|a| format!("{base}/users/{uid}/accounts/{a}")).collect::<Vec<_>>(),
        },
    });
    extend_object(&mut out, fields);
    out
}

/// The newest twelve of `items` as `{amount, date, source}` entries.
fn change_history(items: &[&Txn], source: &str) -> Vec<Value> {
    items
        .iter()
        .take(12)
        .map(|t| json!({ "amount": m(t.amount), "date": dates::fmt_date(posted(t)), "source": source }))
        .collect()
}

fn m(c: i64) -> String {
    money::decimal(c)
}

fn dated(history: &[(String, i64)]) -> Vec<Value> {
    history.iter().map(|(d, a)| json!({ "amount": m(*a), "date": d })).collect()
}

fn balance_range(txns: &[&Txn], acc: &Account, since: i64) -> (i64, i64) {
    let bals: Vec<i64> = txns
        .iter()
        .filter(|t| *t.account == *acc.id && posted(t) >= since)
        .filter_map(|t| t.balance)
        .chain([acc.balance])
        .collect();
    (bals.iter().copied().min().unwrap_or(acc.balance), bals.iter().copied().max().unwrap_or(acc.balance))
}

/// An affordability asset or liability entry: the account's class, funds, balance and
/// institution, plus `fields`.
fn holding(acc: &Account, fields: Value) -> Value {
    let mut out = json!({
        "account": { "type": acc.class, "product": acc.product },
        "availableFunds": m(acc.available),
        "balance": m(acc.balance),
        "currency": "AUD",
        "institution": &*acc.institution,
    });
    extend_object(&mut out, fields);
    out
}

fn affordability(user: &User, p: &Period, id: &str, base: &str, now: i64) -> Value {
    let txns = in_period(user, p);
    let uid = &user.id;
    let accounts: Vec<&Account> = user.accounts.iter().filter(|a| p.accounts.contains(&a.id)).collect();
    let six_months_ago = p.to - 182 * DAY;
    let month_ago = p.to - 30 * DAY;
    let months = analysis::months(p.from, p.to);
    let mut assets = Vec::new();
    let mut credit = Vec::new();
    let mut loans = Vec::new();
    let (mut total_assets, mut total_liabilities, mut credit_limit, mut savings, mut loan_monthly) =
        (0i64, 0i64, 0i64, 0i64, 0i64);
    for acc in &accounts {
        let (min, max) = balance_range(&txns, acc, six_months_ago);
        let recent: Vec<&Txn> =
            txns.iter().copied().filter(|t| *t.account == *acc.id && posted(t) >= month_ago).collect();
        let (credits, debits) = analysis::credits_and_debits(recent.iter().copied());
        match acc.class {
            "credit-card" => {
                total_liabilities += acc.balance.min(0);
                credit_limit += acc.credit_limit.unwrap_or(0);
                let (pmin, pmax) = balance_range(&txns, acc, month_ago);
                credit.push(holding(
                    acc,
                    json!({
                        "creditLimit": m(acc.credit_limit.unwrap_or(0)),
                        "previous6Months": { "cashAdvances": m(0) },
                        "previousMonth": {
                            "maxBalance": m(pmax),
                            "minBalance": m(pmin),
                            "totalCredits": m(credits),
                            "totalDebits": m(debits),
                        },
                    }),
                ));
            }
            "mortgage" | "loan" => {
                total_liabilities += acc.balance.min(0);
                let repayments: i64 = txns
                    .iter()
                    .filter(|t| *t.account == *acc.id && t.class == "loan-repayment")
                    .map(|t| t.amount)
                    .sum();
                loan_monthly += repayments / months;
                let interest: i64 = recent.iter().filter(|t| t.class == "loan-interest").map(|t| t.amount).sum();
                let history: Vec<Value> = txns
                    .iter()
                    .filter(|t| *t.account == *acc.id)
                    .take(12)
                    .map(|t| json!({ "amount": m(t.amount), "date": dates::fmt_date(posted(t)), "direction": t.direction(), "source": t.description }))
                    .collect();
                loans.push(holding(
                    acc,
                    json!({
                        "changeHistory": history,
                        "previous6Months": { "arrears": m(0) },
                        "previousMonth": {
                            "totalCredits": m(credits),
                            "totalDebits": m(debits),
                            "totalInterestCharged": m(interest),
                            "totalRepayments": m(recent.iter().filter(|t| t.class == "loan-repayment").map(|t| t.amount).sum()),
                        },
                    }),
                ));
            }
            _ => {
                total_assets += acc.balance.max(0);
                if acc.class == "savings" || acc.class == "term-deposit" {
                    savings += acc.balance.max(0);
                }
                assets.push(holding(
                    acc,
                    json!({
                        "type": "asset",
                        "previous6Months": { "maxBalance": m(max), "minBalance": m(min) },
                    }),
                ));
            }
        }
    }
    let mut bnpl: BTreeMap<&str, Vec<&Txn>> = BTreeMap::new();
    for t in txns.iter().filter(|t| t.amount < 0) {
        let d = t.description.as_str();
        if ["AFTERPAY", "ZIP PAY", "HUMM", "LATITUDE PAY"].iter().any(|k| d.contains(k)) {
            bnpl.entry(d).or_default().push(t);
        }
    }
    let external: Vec<Value> = bnpl
        .iter()
        .map(|(source, items)| {
            let total: i64 = items.iter().map(|t| t.amount).sum();
            json!({
                "source": source,
                "payments": [{
                    "amountAvg": m(total / items.len().max(1) as i64),
                    "amountAvgMonthly": m(total / months),
                    "first": dates::fmt_date(items.last().map_or(0, |t| posted(t))),
                    "last": dates::fmt_date(items.first().map_or(0, |t| posted(t))),
                    "noOccurrences": items.len(),
                    "total": m(total),
                }],
                "changeHistory": change_history(items, source),
            })
        })
        .collect();
    let (regular, _, _) = analysis::credit_streams(&txns);
    let three_months_ago = p.to - 91 * DAY;
    let regular_3m: i64 =
        regular.iter().flat_map(|s| s.items.iter()).filter(|t| posted(t) >= three_months_ago).map(|t| t.amount).sum();
    let expenses: i64 = txns.iter().filter(|t| t.amount < 0 && t.class != "transfer").map(|t| t.amount).sum();
    let mut out = snapshot_json(
        "affordability",
        id,
        p,
        uid,
        base,
        json!({
            "generatedDate": dates::fmt_datetime(now),
            "assets": assets,
            "external": external,
            "liabilities": { "credit": credit, "loan": loans },
            "summary": {
                "assets": m(total_assets),
                "creditLimit": m(credit_limit),
                "expenses": m(expenses / months),
                "liabilities": m(total_liabilities),
                "loanRepaymentMonthly": m(loan_monthly),
                "netPosition": m(total_assets + total_liabilities),
                "potentialLiabilitiesMonthly": m(0),
                "regularIncome": { "previous3Months": { "avgMonthly": m(regular_3m / 3) } },
                "savings": m(savings),
            },
        }),
    );
    out["links"]["expenses"] = json!(format!("{base}/users/{uid}/expenses"));
    out["links"]["income"] = json!(format!("{base}/users/{uid}/income"));
    out
}

fn class_summary<'a>(txns: impl Iterator<Item = &'a Txn> + Clone, months: i64) -> Value {
    let total: i64 = txns.clone().map(|t| t.amount).sum();
    json!({
        "avgMonthly": m(total / months),
        "summary": m(total),
        "changeHistory": dated(&analysis::monthly(txns)),
    })
}

fn expenses(user: &User, p: &Period, id: &str, base: &str) -> Value {
    let txns = in_period(user, p);
    let months = analysis::months(p.from, p.to);
    let debits = || txns.iter().copied().filter(|t| t.amount < 0);
    let by_class = |class: &'static str| debits().filter(move |t| t.class == class);
    let payments_total: i64 = debits().filter(|t| t.class == "payment").map(|t| t.amount).sum();
    let mut divisions: BTreeMap<CodeTitle, BTreeMap<CodeTitle, Vec<&Txn>>> = BTreeMap::new();
    for t in debits().filter(|t| t.class == "payment") {
        let (code, title) = t.sub_class.unwrap_or(("9999", "Other"));
        divisions.entry(analysis::division(code)).or_default().entry((code, title)).or_default().push(t);
    }
    let payments: Vec<Value> = divisions
        .iter()
        .map(|((dcode, dtitle), classes)| {
            let total: i64 = classes.values().flatten().map(|t| t.amount).sum();
            let pct = analysis::percent(total, payments_total);
            json!({
                "division": dtitle,
                "avgMonthly": m(total / months),
                "percentageTotal": pct,
                "subCategory": classes.iter().map(|((code, title), items)| json!({
                    "category": { "expenseClass": {
                        "classCode": code,
                        "classTitle": title,
                        "divisionCode": dcode,
                        "divisionTitle": dtitle,
                    } },
                    "summary": m(items.iter().map(|t| t.amount).sum()),
                    "changeHistory": dated(&analysis::monthly(items.iter().copied())),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let uid = &user.id;
    snapshot_json(
        "expenses",
        id,
        p,
        uid,
        base,
        json!({
            "bankFees": class_summary(by_class("bank-fee"), months),
            "cashWithdrawals": class_summary(by_class("cash-withdrawal"), months),
            "externalTransfers": class_summary(by_class("transfer"), months),
            "loanInterests": class_summary(by_class("loan-interest"), months),
            "loanRepayments": class_summary(by_class("loan-repayment"), months),
            "payments": payments,
        }),
    )
}

fn income(user: &User, p: &Period, id: &str, base: &str, now: i64) -> Value {
    let txns = in_period(user, p);
    let months = analysis::months(p.from, p.to);
    let (regular, irregular, other) = analysis::credit_streams(&txns);
    let age = |s: &Stream<'_>| (now - s.first()) / DAY;
    let three_months_ago = p.to - 91 * DAY;
    let year_start = dates::parse_date(&format!("{}-01-01", &dates::fmt_date(p.to)[..4])).unwrap_or(p.from);
    let mut regular_total_year = 0;
    let mut regular_ytd = 0;
    let regular_json: Vec<Value> = regular
        .iter()
        .map(|s| {
            let recent: Vec<i64> = s.items.iter().filter(|t| posted(t) >= three_months_ago).map(|t| t.amount).collect();
            let recent_total: i64 = recent.iter().sum();
            let avg = if recent.is_empty() { 0 } else { recent_total / recent.len() as i64 };
            let var = recent.iter().map(|a| (a - avg).abs()).max().unwrap_or(0);
            regular_total_year += s.total();
            regular_ytd += s.items.iter().filter(|t| posted(t) >= year_start).map(|t| t.amount).sum::<i64>();
            let last = s.last();
            json!({
                "source": s.source,
                "ageDays": age(s),
                "frequency": s.frequency(),
                "current": {
                    "amount": m(s.items.first().map_or(0, |t| t.amount)),
                    "date": dates::fmt_date(last),
                    "nextDate": dates::fmt_date(last + s.gap_days.max(1) * DAY),
                },
                "previous3Months": {
                    "amountAvg": m(avg),
                    "amountAvgMonthly": m(recent_total / 3),
                    "variance": m(var),
                },
                "irregularity": { "gaps": Vec::<String>::new(), "stability": if var * 10 <= avg { "stable" } else { "variable" } },
                "changeHistory": change_history(&s.items, s.source),
            })
        })
        .collect();
    let occurrence = |s: &Stream<'_>| format!("{:.2}", s.items.len() as f64 / months as f64);
    let irregular_json: Vec<Value> = irregular
        .iter()
        .map(|s| {
            json!({
                "source": s.source,
                "ageDays": age(s),
                "amountAvg": m(s.average()),
                "avgMonthlyOccurence": occurrence(s),
                "frequency": "irregular",
                "noOccurrences": s.items.len(),
                "current": { "amount": m(s.items.first().map_or(0, |t| t.amount)), "date": dates::fmt_date(s.last()) },
                "changeHistory": change_history(&s.items, s.source),
            })
        })
        .collect();
    let other_json: Vec<Value> = other
        .iter()
        .map(|s| {
            let label = s.items.first().map_or("other", |t| t.class);
            json!({
                "source": s.source,
                "ageDays": age(s),
                "amountAvg": m(s.average()),
                "avgMonthlyOccurence": occurrence(s),
                "frequency": if s.items.len() >= 3 { s.frequency() } else { "other" },
                "noOccurrences": s.items.len(),
                "current": { "amount": m(s.items.first().map_or(0, |t| t.amount)), "date": dates::fmt_date(s.last()), "otherCreditLabel": label },
                "changeHistory": change_history(&s.items, s.source),
            })
        })
        .collect();
    let irregular_total: i64 = irregular.iter().map(Stream::total).sum();
    let uid = &user.id;
    snapshot_json(
        "income",
        id,
        p,
        uid,
        base,
        json!({
            "regular": regular_json,
            "irregular": irregular_json,
            "otherCredit": other_json,
            "summary": {
                "irregularIncomeAvg": m(irregular_total / months),
                "regularIncomeAvg": m(regular_total_year / months),
                "regularIncomeYTD": m(regular_ytd),
                "regularIncomeYear": m(regular_total_year),
            },
        }),
    )
}

async fn create(s: Arc<Shared>, user_id: String, body: Body, kind: SnapshotKind) -> ApiResult {
    let body = read_body(body, 64 * 1024).await?;
    let now = s.cfg.clock.now_wall();
    let mut inner = s.settled_mut(&user_id);
    let user = inner.user(&user_id)?;
    let period = parse_period(&body, user, now)?;
    if user.txns.is_empty() {
        return no_content();
    }
    let id = inner.new_id();
    let user = inner.user(&user_id)?;
    let base = &s.cfg.base_url;
    let out = match kind {
        SnapshotKind::Affordability => affordability(user, &period, &id, base, now),
        SnapshotKind::Expenses => expenses(user, &period, &id, base),
        SnapshotKind::Income => income(user, &period, &id, base, now),
    };
    inner.snapshots.push(Snapshot {
        id,
        user_id,
        kind,
        body: out.clone(),
        accounts: period.accounts,
        from: period.from,
        to: period.to,
    });
    Ok(json(StatusCode::OK, out))
}

fn find_snapshot<'a>(inner: &'a Inner, user_id: &str, id: &str, kind: SnapshotKind) -> ApiResult<&'a Snapshot> {
    inner.user(user_id)?;
    inner
        .snapshots
        .iter()
        .find(|sn| sn.id == id && sn.user_id == user_id && sn.kind == kind)
        .ok_or_else(|| ApiError::not_found("Requested snapshot does not exist.").param("snapshotId"))
}

/// `POST /users/{userId}/affordability` (postAffordability): 200 snapshot, 204 without transactions.
pub(crate) async fn post_affordability(
    State(s): State<Arc<Shared>>,
    Path(user_id): Path<String>,
    body: Body,
) -> ApiResult {
    create(s, user_id, body, SnapshotKind::Affordability).await
}

/// `POST /users/{userId}/expenses` (postExpenses).
pub(crate) async fn post_expenses(State(s): State<Arc<Shared>>, Path(user_id): Path<String>, body: Body) -> ApiResult {
    create(s, user_id, body, SnapshotKind::Expenses).await
}

/// `POST /users/{userId}/income` (postIncome).
pub(crate) async fn post_income(State(s): State<Arc<Shared>>, Path(user_id): Path<String>, body: Body) -> ApiResult {
    create(s, user_id, body, SnapshotKind::Income).await
}

/// `GET /users/{userId}/affordability/{snapshotId}` (getAffordability).
pub(crate) async fn get_affordability(
    State(s): State<Arc<Shared>>,
    Path((u, id)): Path<(String, String)>,
) -> ApiResult {
    let inner = s.read();
    ok(find_snapshot(&inner, &u, &id, SnapshotKind::Affordability)?.body.clone())
}

/// `GET /users/{userId}/expenses/{snapshotId}` (getExpenses).
pub(crate) async fn get_expenses(State(s): State<Arc<Shared>>, Path((u, id)): Path<(String, String)>) -> ApiResult {
    let inner = s.read();
    ok(find_snapshot(&inner, &u, &id, SnapshotKind::Expenses)?.body.clone())
}

/// `GET /users/{userId}/income/{snapshotId}` (getIncome).
pub(crate) async fn get_income(State(s): State<Arc<Shared>>, Path((u, id)): Path<(String, String)>) -> ApiResult {
    let inner = s.read();
    ok(find_snapshot(&inner, &u, &id, SnapshotKind::Income)?.body.clone())
}

/// `GET /users/{userId}/affordability` (getAffordabilityList).
pub(crate) async fn list_affordability(
    State(s): State<Arc<Shared>>,
    Path(user_id): Path<String>,
    uri: Uri,
) -> ApiResult {
    let cursor = paging::cursor(&query(&uri))?;
    let inner = s.read();
    let user = inner.user(&user_id)?;
    let base = &s.cfg.base_url;
    let data: Vec<Value> = inner
        .snapshots
        .iter()
        .rev()
        .filter(|sn| sn.user_id == user_id && sn.kind == SnapshotKind::Affordability)
        .skip(paging::skip(&cursor))
        .take(paging::take(&cursor))
        .map(|sn| {
            let mut institutions: Vec<&str> =
                user.accounts.iter().filter(|a| sn.accounts.contains(&a.id)).map(|a| &*a.institution).collect();
            institutions.sort_unstable();
            institutions.dedup();
            json!({
                "type": "affordability",
                "id": sn.id,
                "coverageDays": sn.body["coverageDays"],
                "fromMonth": sn.body["fromMonth"],
                "toMonth": sn.body["toMonth"],
                "generatedDate": sn.body["generatedDate"],
                "institutions": institutions,
                "links": {
                    "self": format!("{base}/users/{user_id}/affordability/{}", sn.id),
                    "expenses": format!("{base}/users/{user_id}/expenses"),
                    "income": format!("{base}/users/{user_id}/income"),
                },
            })
        })
        .collect();
    let list_url = format!("{base}/users/{user_id}/affordability");
    ok(paging::finish(data, &cursor, self_url(&s, &uri), &list_url))
}

/// `GET /users/{userId}/affordability/{snapshotId}/transactions` (getAffordabilitySnapshotTransactions).
pub(crate) async fn get_affordability_transactions(
    State(s): State<Arc<Shared>>,
    Path((user_id, id)): Path<(String, String)>,
    uri: Uri,
) -> ApiResult {
    let cursor = cursor_param(&query(&uri), "")?;
    let base = &s.cfg.base_url;
    let inner = s.read();
    let snap = find_snapshot(&inner, &user_id, &id, SnapshotKind::Affordability)?;
    let user = inner.user(&user_id)?;
    let (idx, next) = page(&user.txns, cursor.pos, cursor.limit, &Filter::default(), |t| {
        !t.pending && snap.accounts.iter().any(|a| **a == *t.account) && (snap.from..=snap.to).contains(&posted(t))
    });
    let data: Vec<Value> = idx
        .iter()
        .map(|&i| {
            let t = &user.txns[i];
            let (code, title) = t.sub_class.unwrap_or(("", ""));
            let mut out = json!({
                "type": "transaction",
                "id": t.id,
                "account": &*t.account,
                "amount": m(t.amount),
                "class": t.class,
                "description": t.description,
                "direction": t.direction(),
                "institution": &*t.institution,
                "postDate": t.post.map(dates::fmt_datetime),
                "transactionDate": t.date.map(dates::fmt_datetime),
                "status": t.status(),
                "subClass": { "title": title, "Code": code },
                "links": {
                    "account": format!("{base}/users/{user_id}/accounts/{}", t.account),
                    "institution": format!("{base}/institutions/{}", t.institution),
                },
            });
            // A pending transaction has no running balance: the field is left out, never null.
            if let Some(balance) = t.balance {
                out["balance"] = json!(m(balance));
            }
            out
        })
        .collect();
    let list_url = format!("{base}/users/{user_id}/affordability/{id}/transactions");
    ok(page_list(data, cursor.limit, page_links(self_url(&s, &uri), &list_url, &cursor, next)))
}
