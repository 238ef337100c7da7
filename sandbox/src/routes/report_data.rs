//! What a report holds: the affordability metrics, transaction groups and accounts, or the
//! statement's account, institution and holder identity.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::account_json::account_json;
use super::envelopes::extend_object;
use super::profile_json::unknown_identity_details;
use crate::analysis::{self, posted};
use crate::data::{Account, Txn};
use crate::dates::{self, DAY};
use crate::institutions;
use crate::money;
use crate::state::{Inner, User};

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
        "range": { "startDate": dates::fmt_date(first), "endDate": dates::fmt_date(last), "duration": (last - first) / DAY },
        "amount": {
            "total": money::decimal(total),
            "min": money::decimal(amounts.iter().copied().min().unwrap_or(0)),
            "max": money::decimal(amounts.iter().copied().max().unwrap_or(0)),
            "average": {
                "transaction": money::decimal(avg_tx),
                "month": money::decimal(total / months),
                "medianTransaction": money::decimal(analysis::median(amounts.clone())),
                "medianMonth": money::decimal(analysis::median(monthly.iter().map(|(_, a)| *a).collect())),
                "ongoingMonth": money::decimal(monthly.last().map_or(0, |(_, a)| *a)),
            },
            "stableMonths": monthly.len(),
            "secureMonths": monthly.len(),
        },
        "frequency": {
            "type": ftype,
            "amount": money::decimal(avg_tx),
            "display": display,
            "next": { "amount": money::decimal(avg_tx) },
        },
    });
    // No next occurrence: the date is left out (never "", which is not a date).
    if gap > 0 {
        out["frequency"]["next"]["date"] = json!(dates::fmt_date(last + gap * DAY));
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

/// The affordability report's data over `from..=to`: metrics, transaction groups and accounts.
pub(crate) fn affordability_data(
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
            json!(money::decimal(credit)),
            "money",
        ),
        metric(
            "ME002",
            "Total debits",
            "Sum of money spent in the period.",
            "expenses",
            json!(money::decimal(debit)),
            "money",
        ),
        metric(
            "ME003",
            "Average monthly regular income",
            "Regular income per month.",
            "income",
            json!(money::decimal(regular_total / months)),
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
        metric("ME006", "Cash withdrawals", "Total cash withdrawn.", "risk", json!(money::decimal(cash)), "money"),
        metric(
            "ME007",
            "Buy now pay later repayments",
            "Total paid to buy-now-pay-later providers.",
            "liabilities",
            json!(money::decimal(bnpl)),
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
                            "date": dates::fmt_date(posted(t)),
                            "description": t.description,
                            "amount": money::decimal(t.amount),
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

/// The statement report's data: the account, its institution and the holder's identity.
pub(crate) fn statement_data(inner: &Inner, user: &User, acc: &Account, base: &str) -> Value {
    let _ = inner;
    let inst = institutions::institution(&acc.institution);
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
