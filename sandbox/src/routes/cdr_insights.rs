//! CDR Insights: the insight type definitions, a user's stored insights, and the five checks
//! (account, balance, identity, income, expense ratio), each stored as an insight when asked for.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::Uri;
use serde_json::{Map, Value, json};

use super::list_params::Cursor;
use crate::cdr_insights::{InsightKind, StoredInsight};
use crate::dates;
use crate::errors::{ApiError, ApiResult};
use crate::filter::{self, DATE_OPS, Filter, Op};
use crate::form;
use crate::http::{ok, query, read_json, self_url};
use crate::insight_checks::{self as checks, Known, Verdict};
use crate::state::{Inner, Shared, User};

const BODY_LIMIT: usize = 64 * 1024;
/// Insights per page of `GET /users/{userId}/insights`.
const PAGE: usize = 20;
/// Most users one `POST /insights` may name.
const MAX_USERS: usize = 10;

/// Whether an id has the 8-4-4-4-12 hex shape of a UUID.
pub(crate) fn uuid_shaped(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { c == '-' } else { c.is_ascii_hexdigit() })
}

fn invalid(field: &str, detail: impl Into<String>) -> ApiError {
    ApiError::invalid_param(field, detail).pointer_and_param(field, field)
}

fn wrong_type(pointer: &str, parameter: &str) -> ApiError {
    ApiError::invalid_content(format!("{parameter} must be a string.")).pointer_and_param(pointer, parameter)
}

fn object<'a>(v: &'a Value, what: &str) -> ApiResult<&'a Map<String, Value>> {
    v.as_object().ok_or_else(|| ApiError::invalid_content(format!("{what} is not in valid format.")))
}

/// An optional string member: absent and `""` read as `None` (nothing to check); `null` or another
/// JSON type is a 400, as the schema has no null there.
fn opt_str<'a>(obj: &'a Map<String, Value>, key: &str, pointer: &str) -> ApiResult<Option<&'a str>> {
    match obj.get(key) {
        None => Ok(None),
        Some(Value::Null) => Err(invalid(key, format!("{key} must not be null."))),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) if s.len() > 256 => Err(invalid(key, format!("{key} is too long."))),
        Some(Value::String(s)) => Ok(Some(s.trim())),
        Some(_) => Err(wrong_type(pointer, key)),
    }
}

/// A `{min, max}` range object under `key` (`balance` or `income`): cents plus the strings to echo.
struct Range {
    min: i64,
    max: Option<i64>,
    echo: Value,
}

fn range(obj: &Map<String, Value>, key: &str) -> ApiResult<Range> {
    let inner = match obj.get(key) {
        Some(Value::Object(o)) => o,
        None | Some(Value::Null) => return Err(invalid(key, format!("{key} is required."))),
        Some(_) => {
            return Err(ApiError::invalid_content(format!("{key} must be an object.")).pointer_and_param(key, key));
        }
    };
    let min_ptr = format!("{key}/min");
    let max_ptr = format!("{key}/max");
    let min = opt_str(inner, "min", &min_ptr)?;
    let max = opt_str(inner, "max", &max_ptr)?;
    let Some(min) = min else {
        let (pointer, parameter) =
            if max.is_none() { (format!("{key}/min/max"), "min/max") } else { (min_ptr.clone(), "min") };
        return Err(ApiError::invalid_param(parameter, "Parameters are not in valid format.")
            .pointer_and_param(&pointer, parameter));
    };
    let parse = |s: &str, pointer: &str, parameter: &str| {
        checks::parse_cents(s).ok_or_else(|| {
            ApiError::invalid_param(parameter, format!("{parameter} must be a decimal amount such as \"1500.00\"."))
                .pointer_and_param(pointer, parameter)
        })
    };
    let min_cents = parse(min, &min_ptr, "min")?;
    let max_cents = max.map(|m| parse(m, &max_ptr, "max")).transpose()?;
    Ok(Range { min: min_cents, max: max_cents, echo: json!({ "min": min, "max": max.unwrap_or("") }) })
}

fn cell(input: Value, v: Verdict) -> Value {
    json!({ "input": input, "match": v.matched, "confidence": v.confidence })
}

fn account_items(user: &User, data: &Map<String, Value>) -> ApiResult<Vec<Value>> {
    let number = opt_str(data, "accountNumber", "accountNumber")?
        .ok_or_else(|| invalid("accountNumber", "accountNumber is required."))?;
    if !number.chars().all(|c| c.is_ascii_digit() || c == ' ' || c == '-') || number.len() > 34 {
        return Err(invalid("accountNumber", "accountNumber must hold digits only."));
    }
    let kind = opt_str(data, "accountType", "accountType")?;
    Ok(user
        .accounts
        .iter()
        .map(|acc| {
            let mut item = json!({
                "accountId": acc.id,
                "accountNumber": cell(json!(number), Verdict::certain(checks::account_number_matches(acc, number))),
            });
            if let Some(k) = kind {
                item["accountType"] = cell(json!(k), Verdict::certain(checks::account_type_matches(acc, k)));
            }
            item
        })
        .collect())
}

fn balance_items(user: &User, data: &Map<String, Value>) -> ApiResult<Vec<Value>> {
    let r = range(data, "balance")?;
    Ok(user
        .accounts
        .iter()
        .map(|acc| {
            let verdict = Verdict::certain(checks::in_range(acc.balance, r.min, r.max));
            json!({ "accountId": acc.id, "accountNumber": cell(r.echo.clone(), verdict) })
        })
        .collect())
}

fn identity_items(user: &User, data: &Map<String, Value>) -> ApiResult<Vec<Value>> {
    let name = opt_str(data, "name", "name")?;
    let phone = opt_str(data, "phone", "phone")?;
    let email = opt_str(data, "email", "email")?;
    let address = opt_str(data, "address", "address")?;
    if name.is_none() && phone.is_none() && email.is_none() && address.is_none() {
        return Err(ApiError::invalid_param("name", "At least one of name, phone, email or address is required.")
            .pointer_and_param("identity", "name/phone/email/address"));
    }
    if name.is_some_and(|n| !n.chars().all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '.'))) {
        return Err(invalid("name", "name holds characters a name cannot have."));
    }
    if let Some(p) = phone {
        let compact: String = p.chars().filter(|c| *c != ' ').collect();
        let d = compact.strip_prefix('+').unwrap_or(&compact);
        if !(8..=15).contains(&d.len()) || !d.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("phone", "phone must be a full phone number, such as +61400000000."));
        }
    }
    if let Some(e) = email {
        let ok = e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.split('.').count() >= 2
                && domain.split('.').all(|p| !p.is_empty())
        });
        if !ok || e.contains(char::is_whitespace) {
            return Err(invalid("email", "email is not a valid email address."));
        }
    }
    let known = Known::of(user);
    let mut item = json!({});
    if let Some(n) = name {
        item["name"] = cell(json!(n), known.name(n));
    }
    if let Some(p) = phone {
        item["phones"] = json!([cell(json!(p), known.phone(p))]);
    }
    if let Some(e) = email {
        item["emails"] = json!([cell(json!(e), known.email(e))]);
    }
    if let Some(a) = address {
        item["addresses"] = json!([cell(json!(a), known.address(a))]);
    }
    Ok(vec![item])
}

fn no_transactions() -> ApiError {
    ApiError::invalid_content("The user has no transactions to compute this insight from.")
}

fn income_items(user: &User, data: &Map<String, Value>, now: i64) -> ApiResult<Vec<Value>> {
    let r = range(data, "income")?;
    let income = checks::monthly_income(user, now).ok_or_else(no_transactions)?;
    Ok(vec![cell(r.echo, Verdict::certain(checks::in_range(income, r.min, r.max)))])
}

fn expense_ratio_items(users: &[&User], data: &Map<String, Value>, now: i64) -> ApiResult<Vec<Value>> {
    let bad = || {
        ApiError::invalid_param("expense", "expense must be a positive amount such as \"2500\".")
            .pointer_and_param("expense-ratio", "expense")
    };
    let expense = opt_str(data, "expense", "expense")?.ok_or_else(bad)?;
    let cents = checks::parse_cents(expense).filter(|c| *c > 0 && expense.len() <= 15).ok_or_else(bad)?;
    let mut income = 0i64;
    for user in users {
        income += checks::monthly_income(user, now).ok_or_else(no_transactions)?;
    }
    Ok(vec![
        json!({ "input": { "expense": expense }, "result": { "range": checks::expense_ratio_range(cents, income) } }),
    ])
}

/// Run one check for `users` (one user unless the type allows several).
fn compute(kind: InsightKind, users: &[&User], data: &Map<String, Value>, now: i64) -> ApiResult<Vec<Value>> {
    let Some(first) = users.first() else {
        return Err(invalid("users", "At least one user is required."));
    };
    match kind {
        InsightKind::Account => account_items(first, data),
        InsightKind::Balance => balance_items(first, data),
        InsightKind::Identity => identity_items(first, data),
        InsightKind::Income => income_items(first, data, now),
        InsightKind::ExpenseRatio => expense_ratio_items(users, data, now),
    }
}

/// A user insights may be computed for: it exists and has an active consent (else 404).
fn eligible<'a>(inner: &'a Inner, user_id: &str) -> ApiResult<&'a User> {
    let user = inner.user(user_id)?;
    if !user.consents.iter().any(|c| c.status == "active") {
        return Err(ApiError::not_found("The user has no active consent to share data.").pointer("users/userId"));
    }
    Ok(user)
}

/// Store a computed insight and answer it.
fn store(
    s: &Shared,
    inner: &mut Inner,
    kind: InsightKind,
    users: Vec<String>,
    show_users: bool,
    data: Vec<Value>,
) -> ApiResult {
    let insight = StoredInsight { id: inner.new_id(), created: s.cfg.clock.now_wall(), users, show_users, kind, data };
    let body = insight.to_json(&s.cfg.base_url);
    inner.cdr_insights.add(insight);
    ok(body)
}

async fn verify(s: &Shared, kind: InsightKind, user_id: &str, body: Body) -> ApiResult {
    let v = read_json(body, BODY_LIMIT, "Insight request").await?;
    let data = object(&v, "Insight request")?;
    let mut inner = s.settled_mut(user_id);
    let items = compute(kind, &[eligible(&inner, user_id)?], data, s.cfg.clock.now_wall())?;
    store(s, &mut inner, kind, vec![user_id.to_owned()], false, items)
}

/// `POST /users/{userId}/insights/account` (getAccountInsights).
pub(crate) async fn post_account(State(s): State<Arc<Shared>>, Path(user_id): Path<String>, body: Body) -> ApiResult {
    verify(&s, InsightKind::Account, &user_id, body).await
}

/// `POST /users/{userId}/insights/balance` (getBalanceInsights).
pub(crate) async fn post_balance(State(s): State<Arc<Shared>>, Path(user_id): Path<String>, body: Body) -> ApiResult {
    verify(&s, InsightKind::Balance, &user_id, body).await
}

/// `POST /users/{userId}/insights/identity` (getIdentityInsights).
pub(crate) async fn post_identity(State(s): State<Arc<Shared>>, Path(user_id): Path<String>, body: Body) -> ApiResult {
    verify(&s, InsightKind::Identity, &user_id, body).await
}

/// `POST /users/{userId}/insights/income` (verifyIncomeInsight).
pub(crate) async fn post_income(State(s): State<Arc<Shared>>, Path(user_id): Path<String>, body: Body) -> ApiResult {
    verify(&s, InsightKind::Income, &user_id, body).await
}

/// `POST /users/{userId}/insights/expense-ratio` (getExpenseRatioInsights).
pub(crate) async fn post_expense_ratio(
    State(s): State<Arc<Shared>>,
    Path(user_id): Path<String>,
    body: Body,
) -> ApiResult {
    verify(&s, InsightKind::ExpenseRatio, &user_id, body).await
}

/// `POST /insights` (createInsight): any type for one user, the expense ratio for up to ten.
pub(crate) async fn create_insight(State(s): State<Arc<Shared>>, body: Body) -> ApiResult {
    let v = read_json(body, BODY_LIMIT, "Insight request").await?;
    let obj = object(&v, "Insight request")?;
    let users: Vec<String> = match obj.get("users") {
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|u| u.as_str().map(str::to_owned).ok_or_else(|| invalid("users", "users must be user ids.")))
            .collect::<ApiResult<_>>()?,
        Some(Value::Array(_)) | None | Some(Value::Null) => return Err(invalid("users", "users is required.")),
        Some(_) => return Err(invalid("users", "users must be a list of user ids.")),
    };
    if users.len() > MAX_USERS {
        return Err(invalid("users", format!("At most {MAX_USERS} users may be given.")));
    }
    let kind = match obj.get("type") {
        Some(Value::String(t)) => InsightKind::from_type_id(t)
            .ok_or_else(|| invalid("type", format!("Insight type {t} is not supported.")))?,
        _ => return Err(invalid("type", "type is required.")),
    };
    if users.len() > 1 && !kind.multiple_users() {
        return Err(invalid("users", format!("{} takes exactly one user.", kind.type_id())));
    }
    let data = match obj.get("data") {
        Some(Value::Object(d)) => d,
        _ => return Err(invalid("data", "data must be an object.")),
    };
    let mut inner = s.write();
    for u in &users {
        inner.settle_user(&s.cfg, u);
    }
    let items = {
        let found = users.iter().map(|u| eligible(&inner, u)).collect::<ApiResult<Vec<&User>>>()?;
        compute(kind, &found, data, s.cfg.clock.now_wall())?
    };
    store(&s, &mut inner, kind, users, true, items)
}

/// `GET /insights/types` (getInsightTypes).
pub(crate) async fn list_types() -> ApiResult {
    let data: Vec<Value> = InsightKind::ALL.iter().map(|k| k.definition()).collect();
    ok(json!({ "type": "list", "count": data.len(), "data": data }))
}

/// `GET /insights/types/{typeId}` (getInsightType).
pub(crate) async fn get_type(Path(type_id): Path<String>) -> ApiResult {
    InsightKind::from_type_id(&type_id)
        .map(InsightKind::definition)
        .map_or_else(|| Err(ApiError::not_found(format!("Insight type {type_id} does not exist.")).param("typeId")), ok)
}

fn bad_filter(detail: &str) -> ApiError {
    ApiError::invalid_content(format!("Invalid filter param: {detail}")).param("filter")
}

/// Parse the insights filter: `created` (dates, `eq gt gteq lt lteq bt`) and `insightType`.
fn insight_filter(raw: &str) -> ApiResult<Filter> {
    let f = filter::parse(raw).map_err(|_| bad_filter("expected field.operator('value') clauses"))?;
    for c in &f.conds {
        match c.field.as_str() {
            "created" => {
                if !DATE_OPS.contains(&c.op) {
                    return Err(bad_filter("created takes eq, gt, gteq, lt, lteq or bt"));
                }
                let days: Vec<Option<i64>> = c.values.iter().map(|v| dates::parse_date(v)).collect();
                if days.iter().any(Option::is_none) {
                    return Err(bad_filter("created takes dates in YYYY-MM-DD format"));
                }
                if c.op == Op::Bt && days.first() > days.get(1) {
                    return Err(bad_filter("the to-date is earlier than the from-date"));
                }
            }
            "insightType" => {
                if !matches!(c.op, Op::Eq | Op::Ne | Op::In) {
                    return Err(bad_filter("insightType takes eq, ne or in"));
                }
                if let Some(v) = c.values.iter().find(|v| InsightKind::from_slug(v).is_none()) {
                    return Err(bad_filter(&format!("insightType {v} is not supported")));
                }
            }
            other => return Err(bad_filter(&format!("field {other} is not supported"))),
        }
    }
    Ok(f)
}

/// `GET /users/{userId}/insights` (listUserInsights): newest first, 20 a page, `links.next`.
pub(crate) async fn list_user_insights(
    State(s): State<Arc<Shared>>,
    Path(user_id): Path<String>,
    uri: Uri,
) -> ApiResult {
    let q = query(&uri);
    let cursor = match form::field(&q, "next") {
        Some(raw) => Cursor::decode(raw)
            .filter(|c| c.limit == PAGE)
            .ok_or_else(|| ApiError::invalid_param("next", "The next cursor is not valid."))?,
        None => Cursor { pos: 0, limit: PAGE, filter: form::field(&q, "filter").unwrap_or("").to_owned() },
    };
    let f = insight_filter(&cursor.filter)?;
    let inner = s.read();
    inner.user(&user_id)?;
    let matching: Vec<&StoredInsight> = inner
        .cdr_insights
        .for_user(&user_id)
        .filter(|i| {
            f.matches(|field| match field {
                "created" => Some(filter::Value::Time(Some(i.created))),
                "insighttype" => Some(filter::Value::Text(i.kind.slug())),
                _ => None,
            })
        })
        .collect();
    let base = &s.cfg.base_url;
    let data: Vec<Value> = matching.iter().skip(cursor.pos).take(PAGE).map(|i| i.to_json(base)).collect();
    let mut links = json!({ "self": self_url(&s, &uri) });
    if cursor.pos + PAGE < matching.len() {
        let next = Cursor { pos: cursor.pos + PAGE, ..cursor };
        links["next"] = json!(format!("{base}/users/{user_id}/insights?next={}", next.encode()));
    }
    ok(json!({ "type": "list", "count": matching.len(), "data": data, "links": links }))
}

/// `GET /users/{userId}/insights/{insightId}` (getInsightById).
pub(crate) async fn get_insight(
    State(s): State<Arc<Shared>>,
    Path((user_id, insight_id)): Path<(String, String)>,
) -> ApiResult {
    if !uuid_shaped(&insight_id) {
        return Err(ApiError::invalid_content("The insight id is not in a valid format.")
            .pointer_and_param("insightId", "insightId"));
    }
    let inner = s.read();
    inner.user(&user_id)?;
    inner.cdr_insights.for_user(&user_id).find(|i| i.id == insight_id).map_or_else(
        || Err(ApiError::not_found("No CDR insight with this id exists for the user.").param("insightId")),
        |i| ok(i.to_json(&s.cfg.base_url)),
    )
}
