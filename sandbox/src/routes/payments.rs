//! Payments: submit pay requests and payouts (answered with job references), read them back, and
//! the float account they move money through.
//!
//! A submit is checked whole: any wrong entry rejects the request with one 400 listing every
//! error. Accepted entries get a payment and a three-step job; what the sandbox's "bank" would
//! refuse (user names and emails, missing account details, the payer's balance, the transaction
//! limit) fails a step of that job instead, and the payment shows `failed` with the reason.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::list_params::{Cursor, parse_limit};
use crate::errors::{ApiError, ApiResult};
use crate::filter::{self, DATE_OPS, EQ_NE_IN, FieldSpec, Kind};
use crate::form;
use crate::http::{json, ok, query, read_body, self_url};
use crate::jobs::Job;
use crate::money;
use crate::payment_input::{self, Entry, EntryError, Rejection};
use crate::payments::{Direction, Now, Party, Payment, TRANSACTION_LIMIT, TRANSACTION_LIMIT_REACHED};
use crate::personas::Failure;
use crate::state::{Inner, Shared, User};

/// Largest submit body accepted.
const BODY_LIMIT: usize = 1024 * 1024;

const INVALID_NAME: Failure = Failure {
    code: "invalid-user-name",
    title: "Invalid user name.",
    detail: "The user needs a first and a last name of at least two letters each.",
};
const INVALID_EMAIL: Failure = Failure {
    code: "invalid-user-email",
    title: "Invalid user email.",
    detail: "The user needs a valid email address.",
};
const MISSING_PAYER_ACCOUNT: Failure = Failure {
    code: "missing-payer-account-details",
    title: "Missing payer account details.",
    detail: "No bank account was given for the payer and the payer has no connected transaction account.",
};
const MISSING_PAYEE_ACCOUNT: Failure = Failure {
    code: "missing-payee-account-details",
    title: "Missing payee account details.",
    detail: "No bank account was given for the payee and the payee has no connected transaction account.",
};
const INSUFFICIENT_FUNDS: Failure = Failure {
    code: "check-balance-insufficient-funds",
    title: "Insufficient funds.",
    detail: "The payer's available balance is below the amount requested.",
};
const BALANCE_UNKNOWN: Failure = Failure {
    code: "account-balance-outdated",
    title: "Account balance outdated.",
    detail: "The payer's balance cannot be checked: the account is not one of the payer's connected accounts.",
};

fn letters(s: Option<&str>) -> usize {
    s.map_or(0, |n| n.chars().filter(|c| c.is_alphabetic()).count())
}

fn valid_email(e: Option<&str>) -> bool {
    e.and_then(|e| e.split_once('@')).is_some_and(|(local, domain)| {
        !local.is_empty() && domain.split('.').count() >= 2 && domain.split('.').all(|p| !p.is_empty())
    })
}

/// The account a payment uses and the failure its job will end with, if any.
fn plan(dir: Direction, e: &Entry, user: &User) -> (Party, Option<Failure>) {
    let mut party = Party {
        user_id: e.user_id.clone(),
        bsb: e.bsb.clone(),
        account_number: e.account_number.clone(),
        account_id: None,
    };
    let account = match (&e.bsb, &e.account_number) {
        (Some(b), Some(n)) => user.accounts.iter().find(|a| a.bsb == *b && a.number == *n),
        _ => user.accounts.iter().find(|a| a.class == "transaction"),
    };
    if let Some(acc) = account {
        party.account_id = Some(acc.id.clone());
        party.bsb = Some(acc.bsb.clone());
        party.account_number = Some(acc.number.clone());
    }
    let failure = if letters(user.first_name.as_deref()) < 2 || letters(user.last_name.as_deref()) < 2 {
        Some(INVALID_NAME)
    } else if !valid_email(user.email.as_deref()) {
        Some(INVALID_EMAIL)
    } else if party.bsb.is_none() {
        Some(if dir == Direction::Payrequest { MISSING_PAYER_ACCOUNT } else { MISSING_PAYEE_ACCOUNT })
    } else if dir == Direction::Payrequest && e.check_balance == Some(true) {
        match account {
            None => Some(BALANCE_UNKNOWN),
            Some(acc) if acc.available < e.amount => Some(INSUFFICIENT_FUNDS),
            Some(_) => None,
        }
    } else {
        None
    };
    (party, failure.or((e.amount > TRANSACTION_LIMIT).then_some(TRANSACTION_LIMIT_REACHED)))
}

fn now(s: &Shared) -> Now<'_> {
    Now { at: s.cfg.clock.now(), delay: s.cfg.step_delay, base: &s.cfg.base_url }
}

/// Errors only the state can tell: unknown users, reused request ids, payouts beyond the float.
fn check_against_state(dir: Direction, entries: &[Entry], inner: &Inner, s: &Shared) -> Vec<EntryError> {
    let key = dir.plural();
    let user_key = format!("{}UserId", dir.party());
    let mut errors = Vec::new();
    let mut float = inner.payments.float_available(&inner.jobs, now(s));
    for (i, e) in entries.iter().enumerate() {
        let id = Some(e.request_id.as_str());
        if !inner.users.contains_key(&e.user_id) {
            errors.push(EntryError::invalid(
                id,
                format!("/{key}[{i}]/{user_key}"),
                format!("User {} does not exist.", e.user_id),
            ));
        }
        if inner.payments.has_request_id(&e.request_id) {
            errors.push(EntryError::duplicate(&e.request_id, format!("/{key}[{i}]/requestId")));
        }
        if dir == Direction::Payout {
            if e.amount > float {
                errors.push(EntryError::invalid(
                    id,
                    format!("/{key}[{i}]/amount"),
                    format!(
                        "The float account's available balance of {} AUD does not cover this payout of {} AUD.",
                        money::decimal(float),
                        money::decimal(e.amount)
                    ),
                ));
            } else {
                float -= e.amount;
            }
        }
    }
    errors
}

async fn submit(s: &Shared, dir: Direction, body: Body) -> Response {
    let raw = match read_body(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let entries = match payment_input::parse(dir, &raw) {
        Ok(e) => e,
        Err(r) => return r.into_response(),
    };
    let mut inner = s.write();
    for e in &entries {
        inner.settle_user(&s.cfg, &e.user_id);
    }
    let errors = check_against_state(dir, &entries, &inner, s);
    if !errors.is_empty() {
        return Rejection(errors).into_response();
    }
    let created = s.cfg.clock.now();
    let base = &s.cfg.base_url;
    let mut refs = Vec::with_capacity(entries.len());
    for e in entries {
        let (party, failure) = match inner.users.get(&e.user_id) {
            Some(user) => plan(dir, &e, user),
            None => continue,
        };
        let id = inner.new_id();
        let payment = Payment {
            id: id.clone(),
            request_id: e.request_id.clone(),
            direction: dir,
            created,
            method: e.method,
            requested_method: e.requested_method,
            party,
            description: e.description,
            amount: e.amount,
            to_float: e.collect_to_float.unwrap_or(true),
            failure,
        };
        inner.add_job(Job::payment(id.clone(), e.user_id, dir.job_kind(), created, payment.steps()));
        let Inner { payments, jobs, .. } = &mut *inner;
        payments.add(payment, jobs);
        refs.push(json!({
            "type": "job",
            "id": id,
            "requestId": e.request_id,
            "links": { "self": format!("{base}/jobs/{id}") },
        }));
    }
    json(StatusCode::CREATED, json!({ "jobs": refs }))
}

/// `POST /payments/payrequests` (submitPayrequests).
pub(crate) async fn submit_payrequests(State(s): State<Arc<Shared>>, body: Body) -> Response {
    submit(&s, Direction::Payrequest, body).await
}

/// `POST /payments/payouts` (submitPayouts).
pub(crate) async fn submit_payouts(State(s): State<Arc<Shared>>, body: Body) -> Response {
    submit(&s, Direction::Payout, body).await
}

const PAYMENT_FIELDS: &[FieldSpec] = &[
    FieldSpec { name: "status", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "payer.user.id", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "payee.user.id", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "date", kind: Kind::Time, ops: DATE_OPS },
    FieldSpec { name: "created", kind: Kind::Time, ops: DATE_OPS },
];

fn list(s: &Shared, dir: Direction, uri: &Uri) -> ApiResult {
    let q = query(uri);
    let cursor = match form::field(&q, "next") {
        Some(raw) => {
            Cursor::decode(raw).ok_or_else(|| ApiError::invalid_param("next", "The next cursor is not valid."))?
        }
        None => Cursor {
            pos: 0,
            limit: parse_limit(form::field(&q, "limit"))?,
            filter: form::field(&q, "filter").unwrap_or("").to_owned(),
        },
    };
    let f = filter::Filter::parse_for(&cursor.filter, PAYMENT_FIELDS)?;
    let inner = s.read();
    let at = now(s);
    let clock = &s.cfg.clock;
    let user_field = format!("{}.user.id", dir.party());
    let matching: Vec<Value> = inner
        .payments
        .list(dir)
        .filter_map(|p| {
            let st = p.state(&inner.jobs, at);
            let created = clock.wall(p.created);
            f.matches(|field| match field {
                "status" => Some(filter::Value::Text(st.status)),
                "date" | "created" => Some(filter::Value::Time(Some(created))),
                other if other == user_field => Some(filter::Value::Text(&p.party.user_id)),
                _ => None,
            })
            .then(|| p.to_json(st, |at| clock.wall(at)))
        })
        .collect();
    let total = matching.len();
    let data: Vec<Value> = matching.into_iter().skip(cursor.pos).take(cursor.limit).collect();
    let base = &s.cfg.base_url;
    let mut links = json!({ "self": self_url(s, uri) });
    if cursor.pos + cursor.limit < total {
        let next = Cursor { pos: cursor.pos + cursor.limit, ..cursor.clone() };
        links["next"] = json!(format!("{base}/payments/{}?next={}", dir.plural(), next.encode()));
    }
    ok(json!({ "type": "list", "count": total, "size": data.len(), "data": data, "links": links }))
}

/// `GET /payments/payrequests` (listPayrequests): newest first, `limit` 1–500, `filter`, `links.next`.
pub(crate) async fn list_payrequests(State(s): State<Arc<Shared>>, uri: Uri) -> ApiResult {
    list(&s, Direction::Payrequest, &uri)
}

/// `GET /payments/payouts/` (listPayouts).
pub(crate) async fn list_payouts(State(s): State<Arc<Shared>>, uri: Uri) -> ApiResult {
    list(&s, Direction::Payout, &uri)
}

fn get(s: &Shared, dir: Direction, id: &str) -> ApiResult {
    let inner = s.read();
    let p = inner.payments.get(dir, id).ok_or_else(|| {
        let what = if dir == Direction::Payrequest { "Payment request not found" } else { "Payout not found" };
        ApiError::not_found(what).param("id")
    })?;
    ok(p.to_json(p.state(&inner.jobs, now(s)), |at| s.cfg.clock.wall(at)))
}

/// `GET /payments/payrequests/{id}` (getPayrequest).
pub(crate) async fn get_payrequest(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    get(&s, Direction::Payrequest, &id)
}

/// `GET /payments/payouts/{id}` (getPayout).
pub(crate) async fn get_payout(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    get(&s, Direction::Payout, &id)
}

/// `GET /payments/float-accounts/` (listFloatAccounts): the one float account.
pub(crate) async fn list_float_accounts(State(s): State<Arc<Shared>>) -> ApiResult {
    let inner = s.read();
    let account = inner.payments.float_json(&inner.jobs, now(&s));
    ok(json!({
        "type": "list",
        "count": 1,
        "size": 1,
        "data": [account],
        "links": { "self": "/payments/float-accounts/" },
    }))
}

/// `GET /payments/float-accounts/{id}` (getFloatAccount).
pub(crate) async fn get_float_account(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    let inner = s.read();
    if inner.payments.float.id != id {
        return Err(ApiError::not_found("Float account not found").param("id"));
    }
    ok(inner.payments.float_json(&inner.jobs, now(&s)))
}
