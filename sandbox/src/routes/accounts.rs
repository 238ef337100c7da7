//! Accounts and transactions, with filters and cursor pagination.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{Uri, header};
use axum::response::IntoResponse;
use serde::Serialize;
use serde_json::{Value, json};

use super::account_json::account_json;
use super::list_params::{MAX_LIMIT, page_links, paging_params};
use super::paging;
use super::txn_lists::{TXN_FIELDS, page};
use crate::data::{Account, Txn};
use crate::dates;
use crate::errors::{ApiError, ApiResult};
use crate::filter::{EQ_NE, FieldSpec, Kind};
use crate::http::{ok, query, self_url};
use crate::money;
use crate::state::Shared;

/// Filter fields accepted by getAccounts.
const ACCOUNT_FIELDS: &[FieldSpec] = &[
    FieldSpec { name: "account.id", kind: Kind::Text, ops: EQ_NE },
    FieldSpec { name: "connection.id", kind: Kind::Text, ops: EQ_NE },
    FieldSpec { name: "institution.id", kind: Kind::Text, ops: EQ_NE },
];

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
    /// Left out for pending transactions (Basiq's schema has no null balance).
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
    /// Never sent (the sandbox does not enrich listed transactions; our spec has no null here).
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
            amount: money::decimal(t.amount),
            currency: "AUD",
            balance: t.balance.map(money::decimal),
            direction: t.direction(),
            class: t.class,
            sub_class: SubClassOut { code, title },
            account: &t.account,
            institution: &t.institution,
            connection: &t.connection,
            transaction_date: t.date.map(dates::fmt_datetime),
            post_date: t.post.map(dates::fmt_datetime),
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

fn account_list(accounts: &[&Account], user_id: &str, base: &str, self_link: String) -> Value {
    json!({
        "type": "list",
        "count": accounts.len(),
        "data": accounts.iter().map(|a| account_json(a, user_id, base)).collect::<Vec<_>>(),
        "links": { "self": self_link },
    })
}

/// `GET /users/{userId}/accounts` (getAccounts), paged. The unfiltered body of a user with no
/// more than one page of accounts is rendered once per change of the accounts and then served
/// from a cache.
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
        .skip(paging::skip(&cursor))
        .take(paging::take(&cursor))
        .map(|a| account_json(a, &user_id, base))
        .collect();
    let list_url = format!("{base}/users/{user_id}/accounts");
    ok(paging::finish(data, &cursor, self_url(&s, &uri), &list_url))
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
