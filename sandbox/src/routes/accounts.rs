//! Accounts and transactions, with filters and cursor pagination.

use std::borrow::Borrow;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{Uri, header};
use axum::response::IntoResponse;
use serde::Serialize;
use serde_json::{Value, json};

use super::{ok, query, self_url};
use crate::data::{Account, Txn};
use crate::errors::{ApiError, ApiResult};
use crate::filter::{self, DATE_OPS, EQ_NE, EQ_NE_IN, FieldSpec, Filter, Kind};
use crate::state::Shared;
use crate::util;

/// Filter fields accepted by getAccounts.
const ACCOUNT_FIELDS: &[FieldSpec] = &[
    FieldSpec { name: "account.id", kind: Kind::Text, ops: EQ_NE },
    FieldSpec { name: "connection.id", kind: Kind::Text, ops: EQ_NE },
    FieldSpec { name: "institution.id", kind: Kind::Text, ops: EQ_NE },
];

/// Filter fields accepted on transaction lists.
pub(crate) const TXN_FIELDS: &[FieldSpec] = &[
    FieldSpec { name: "account.id", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "connection.id", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "institution.id", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "transaction.id", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "transaction.postDate", kind: Kind::Time, ops: DATE_OPS },
    FieldSpec { name: "transaction.status", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "transaction.direction", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "transaction.class", kind: Kind::Text, ops: EQ_NE_IN },
];

/// Default and maximum page size for transactions.
pub(crate) const MAX_LIMIT: usize = 500;

/// The account object.
pub(crate) fn account_json(a: &Account, user_id: &str, base: &str) -> Value {
    let money = |c: i64| Value::from(util::money(c));
    let mut out = json!({
        "type": "account",
        "id": a.id,
        "name": a.name,
        "accountNo": a.account_no(),
        "maskedNumber": a.masked(),
        "bsb": a.bsb,
        "unmaskedAccNum": a.number,
        "accountHolder": a.holder,
        "isOwned": true,
        "accountOwnership": a.ownership,
        "balance": money(a.balance),
        "availableFunds": money(a.available),
        "creditLimit": a.credit_limit.map_or(Value::Null, money),
        "currency": "AUD",
        "class": { "type": a.class, "product": a.product },
        "status": "available",
        "connection": &*a.connection,
        "institution": &*a.institution,
        "lastUpdated": util::fmt_datetime(a.last_updated),
        "creationDate": util::fmt_date(a.opened),
        "transactionIntervals": [{ "from": util::fmt_date(a.interval.0), "to": util::fmt_date(a.interval.1) }],
        "links": {
            "self": format!("{base}/users/{user_id}/accounts/{}", a.id),
            "transactions": format!("{base}/users/{user_id}/transactions?filter=account.id.eq('{}')", a.id),
            "connection": format!("{base}/users/{user_id}/connections/{}", a.connection),
            "institution": format!("{base}/institutions/{}", a.institution),
        },
    });
    if a.class == "credit-card" {
        let due = (-a.balance).max(0);
        out["meta"] = json!({
            "creditCard": {
                "minPaymentAmount": util::money(due / 50),
                "paymentDueAmount": util::money(due),
                "paymentCurrency": "AUD",
                "paymentDueDate": util::fmt_date(a.last_updated + 14 * util::DAY),
            }
        });
    }
    out
}

/// The transaction object, serialised straight from borrowed data (the hot path of paging).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TxnOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    status: &'static str,
    description: &'a str,
    reference: &'static str,
    amount: String,
    currency: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    balance: Option<String>,
    direction: &'static str,
    class: &'static str,
    sub_class: SubClassOut,
    account: &'a str,
    institution: &'a str,
    connection: &'a str,
    transaction_date: Option<String>,
    post_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    enrich: Option<()>,
    links: TxnLinksOut,
}

#[derive(Serialize)]
struct SubClassOut {
    code: &'static str,
    title: &'static str,
}

#[derive(Serialize)]
struct TxnLinksOut {
    #[serde(rename = "self")]
    this: String,
    account: String,
    institution: String,
    connection: String,
}

impl<'a> TxnOut<'a> {
    /// Borrow a transaction for output.
    pub(crate) fn new(t: &'a Txn, user_id: &str, base: &str) -> Self {
        let (code, title) = t.sub_class.unwrap_or(("", ""));
        TxnOut {
            kind: "transaction",
            id: &t.id,
            status: t.status(),
            description: &t.description,
            reference: "",
            amount: util::money(t.amount),
            currency: "AUD",
            balance: t.balance.map(util::money),
            direction: t.direction(),
            class: t.class,
            sub_class: SubClassOut { code, title },
            account: &t.account,
            institution: &t.institution,
            connection: &t.connection,
            transaction_date: t.date.map(util::fmt_datetime),
            post_date: t.post.map(util::fmt_datetime),
            enrich: None,
            links: TxnLinksOut {
                this: format!("{base}/users/{user_id}/transactions/{}", t.id),
                account: format!("{base}/users/{user_id}/accounts/{}", t.account),
                institution: format!("{base}/institutions/{}", t.institution),
                connection: format!("{base}/users/{user_id}/connections/{}", t.connection),
            },
        }
    }
}

/// A page of transactions.
#[derive(Serialize)]
struct TxnPage<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    count: usize,
    size: usize,
    data: Vec<TxnOut<'a>>,
    links: Value,
}

/// Field lookup used by transaction filters.
pub(crate) fn txn_field<'a>(t: &'a Txn, field: &str) -> Option<filter::Value<'a>> {
    use filter::Value::{Text, Time};
    Some(match field {
        "account.id" => Text(&t.account),
        "connection.id" => Text(&t.connection),
        "institution.id" => Text(&t.institution),
        "transaction.id" => Text(&t.id),
        "transaction.postdate" => Time(t.post),
        "transaction.status" => Text(t.status()),
        "transaction.direction" => Text(t.direction()),
        "transaction.class" => Text(t.class),
        _ => return None,
    })
}

fn account_list(accounts: &[&Account], user_id: &str, base: &str, self_link: String) -> Value {
    json!({
        "type": "list",
        "count": accounts.len(),
        "data": accounts.iter().map(|a| account_json(a, user_id, base)).collect::<Vec<_>>(),
        "links": { "self": self_link },
    })
}

/// `GET /users/{userId}/accounts` (getAccounts). The unfiltered body is rendered once per change
/// of the user's accounts and then served from a cache.
pub(crate) async fn get_accounts(State(s): State<Arc<Shared>>, Path(user_id): Path<String>, uri: Uri) -> ApiResult {
    let base = &s.cfg.base_url;
    let cacheable = uri.query().is_none() && s.settled(&user_id).user(&user_id)?.accounts.len() <= MAX_LIMIT;
    if cacheable {
        let inner = s.settled(&user_id);
        let user = inner.user(&user_id)?;
        let body = user.accounts_body.get_or_init(|| {
            let all: Vec<&Account> = user.accounts.iter().collect();
            let v = account_list(&all, &user_id, base, self_url(&s, &uri));
            Bytes::from(serde_json::to_vec(&v).unwrap_or_default())
        });
        return Ok(([(header::CONTENT_TYPE, "application/json")], body.clone()).into_response());
    }
    let (cursor, f) = paging_params(&query(&uri), ACCOUNT_FIELDS)?;
    let inner = s.settled(&user_id);
    let user = inner.user(&user_id)?;
    let data: Vec<Value> = user
        .accounts
        .iter()
        .filter(|a| {
            f.matches_text(|field| {
                Some(match field {
                    "account.id" => &a.id,
                    "connection.id" => &a.connection,
                    "institution.id" => &a.institution,
                    _ => return None,
                })
            })
        })
        .skip(cursor.pos)
        .take(cursor.limit.saturating_add(1))
        .map(|a| account_json(a, &user_id, base))
        .collect();
    let list_url = format!("{base}/users/{user_id}/accounts");
    ok(super::paging::finish(data, &cursor, self_url(&s, &uri), &list_url))
}

/// `GET /users/{userId}/accounts/{accountId}` (getAccount).
pub(crate) async fn get_account(
    State(s): State<Arc<Shared>>,
    Path((user_id, account_id)): Path<(String, String)>,
) -> ApiResult {
    let inner = s.settled(&user_id);
    let user = inner.user(&user_id)?;
    let acc = user
        .accounts
        .iter()
        .find(|a| a.id == account_id)
        .ok_or_else(|| ApiError::not_found("Requested account does not exist.").pointer("accounts/accountId"))?;
    ok(account_json(acc, &user_id, &s.cfg.base_url))
}

/// A decoded pagination cursor: where to resume, the page size and the filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cursor {
    pub(crate) pos: usize,
    pub(crate) limit: usize,
    pub(crate) filter: String,
}

impl Cursor {
    /// Opaque URL-safe encoding.
    pub(crate) fn encode(&self) -> String {
        util::base64url_encode(format!("v1|{}|{}|{}", self.pos, self.limit, self.filter).as_bytes())
    }

    /// Decode; `None` when tampered with.
    pub(crate) fn decode(s: &str) -> Option<Cursor> {
        let raw = String::from_utf8(util::base64url_decode(s)?).ok()?;
        let mut parts = raw.splitn(4, '|');
        if parts.next()? != "v1" {
            return None;
        }
        let pos = parts.next()?.parse().ok()?;
        let limit: usize = parts.next()?.parse().ok()?;
        let filter = parts.next()?.to_owned();
        (1..=MAX_LIMIT).contains(&limit).then_some(Cursor { pos, limit, filter })
    }
}

/// Parse `limit` (default 500, 1..=500).
pub(crate) fn parse_limit(raw: Option<&str>) -> ApiResult<usize> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(MAX_LIMIT);
    };
    let n: i64 = raw.parse().map_err(|_| ApiError::invalid_param("limit", "Limit value is not valid"))?;
    if n < 1 {
        return Err(ApiError::invalid_param("limit", "Limit value is not valid"));
    }
    if n > MAX_LIMIT as i64 {
        return Err(ApiError::invalid_param("limit", "Maximum limit allowed is 500"));
    }
    Ok(n as usize)
}

/// One page of a newest-first transaction slice: the indices of the page's items and the index
/// of the next page's first item. Scanning starts at `start`, so only the page is visited when
/// there is nothing to skip.
pub(crate) fn page<T: Borrow<Txn>>(
    txns: &[T],
    start: usize,
    limit: usize,
    f: &Filter,
    extra: impl Fn(&Txn) -> bool,
) -> (Vec<usize>, Option<usize>) {
    let mut out = Vec::with_capacity(limit.min(txns.len()));
    for (i, t) in txns.iter().enumerate().skip(start) {
        let t: &Txn = t.borrow();
        if extra(t) && (f.is_empty() || f.matches(|field| txn_field(t, field))) {
            if out.len() == limit {
                return (out, Some(i));
            }
            out.push(i);
        }
    }
    (out, None)
}

/// The cursor from the `next` query parameter, or a first page of `limit` items with `filter`.
pub(crate) fn cursor_param(q: &[(String, String)], filter: &str) -> ApiResult<Cursor> {
    match util::field(q, "next").filter(|n| !n.is_empty()) {
        Some(next) => Cursor::decode(next).ok_or_else(|| ApiError::invalid_param("next", "Next value is not valid")),
        None => Ok(Cursor { pos: 0, limit: parse_limit(util::field(q, "limit"))?, filter: filter.to_owned() }),
    }
}

/// Resolve `limit`/`filter`/`next` query parameters into a cursor and parsed filter.
pub(crate) fn paging_params(q: &[(String, String)], fields: &[FieldSpec]) -> ApiResult<(Cursor, Filter)> {
    let cursor = cursor_param(q, util::field(q, "filter").unwrap_or(""))?;
    let f = Filter::parse_for(&cursor.filter, fields)?;
    Ok((cursor, f))
}

/// A page's `links`: `self`, plus `next` (`{list_url}?next=<cursor>`) while more items remain.
pub(crate) fn page_links(self_link: String, list_url: &str, cursor: &Cursor, next: Option<usize>) -> Value {
    let mut links = json!({ "self": self_link });
    if let Some(pos) = next {
        let c = Cursor { pos, ..cursor.clone() };
        links["next"] = json!(format!("{list_url}?next={}", c.encode()));
    }
    links
}

/// `GET /users/{userId}/transactions` (getTransactions).
pub(crate) async fn get_transactions(State(s): State<Arc<Shared>>, Path(user_id): Path<String>, uri: Uri) -> ApiResult {
    let q = query(&uri);
    let (cursor, f) = paging_params(&q, TXN_FIELDS)?;
    let base = &s.cfg.base_url;
    let (items, next) = {
        let inner = s.settled(&user_id);
        let user = inner.user(&user_id)?;
        let (idx, next) = page(&user.txns, cursor.pos, cursor.limit, &f, |_| true);
        let items: Vec<Txn> = idx.into_iter().map(|i| user.txns[i].clone()).collect();
        (items, next)
    };
    let data: Vec<TxnOut<'_>> = items.iter().map(|t| TxnOut::new(t, &user_id, base)).collect();
    let links = page_links(self_url(&s, &uri), &format!("{base}/users/{user_id}/transactions"), &cursor, next);
    Ok(axum::Json(TxnPage { kind: "list", count: data.len(), size: cursor.limit, data, links }).into_response())
}

/// `GET /users/{userId}/transactions/{transactionId}` (getTransaction).
pub(crate) async fn get_transaction(
    State(s): State<Arc<Shared>>,
    Path((user_id, txn_id)): Path<(String, String)>,
) -> ApiResult {
    let inner = s.settled(&user_id);
    let user = inner.user(&user_id)?;
    let t = user.txns.iter().find(|t| t.id == txn_id).ok_or_else(|| {
        ApiError::not_found("Requested transaction does not exist.").pointer("transactions/transactionId")
    })?;
    Ok(axum::Json(TxnOut::new(t, &user_id, &s.cfg.base_url)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip_and_tamper() {
        let c = Cursor { pos: 1500, limit: 500, filter: "account.id.eq('a|b')".into() };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("!!!"), None);
        assert_eq!(Cursor::decode(&util::base64url_encode(b"v1|x|500|")), None);
        assert_eq!(Cursor::decode(&util::base64url_encode(b"v1|0|501|")), None);
    }

    #[test]
    fn limits() {
        assert_eq!(parse_limit(None).unwrap(), 500);
        assert_eq!(parse_limit(Some("20")).unwrap(), 20);
        assert_eq!(parse_limit(Some("501")).unwrap_err().detail, "Maximum limit allowed is 500");
        assert_eq!(parse_limit(Some("abc")).unwrap_err().detail, "Limit value is not valid");
        assert!(parse_limit(Some("0")).is_err());
    }
}
