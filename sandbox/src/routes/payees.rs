//! Payees: the people and billers a user pays, derived from its transactions.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::Uri;
use serde_json::{Value, json};

use super::list_params::{Cursor, parse_limit};
use crate::errors::{ApiError, ApiResult};
use crate::filter::{self, DATE_OPS, EQ_NE_IN, FieldSpec, Filter, Kind};
use crate::form;
use crate::http::{ok, query, self_url};
use crate::payees::{self, PayeeKind};
use crate::state::Shared;

/// Page size when `limit` is not given.
const DEFAULT_LIMIT: usize = 25;

const PAYEE_FIELDS: &[FieldSpec] = &[
    FieldSpec { name: "type", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "connectionId", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "created", kind: Kind::Time, ops: DATE_OPS },
];

fn payee_filter(raw: &str) -> ApiResult<Filter> {
    let f = Filter::parse_for(raw, PAYEE_FIELDS)?;
    let bad_type = f
        .conds
        .iter()
        .filter(|c| c.field.eq_ignore_ascii_case("type"))
        .flat_map(|c| &c.values)
        .find(|v| !PayeeKind::NAMES.contains(&v.as_str()));
    if let Some(v) = bad_type {
        return Err(ApiError::invalid_param("filter", format!("Payee type {v} is not one of {:?}.", PayeeKind::NAMES)));
    }
    Ok(f)
}

/// `GET /users/{userId}/payees` (getPayees): oldest first, `limit` 1–500 (default 25), `links.next`
/// carrying an opaque `cursor`.
pub(crate) async fn list_payees(State(s): State<Arc<Shared>>, Path(user_id): Path<String>, uri: Uri) -> ApiResult {
    let q = query(&uri);
    let cursor = match form::field(&q, "cursor") {
        Some(raw) => {
            Cursor::decode(raw).ok_or_else(|| ApiError::invalid_param("cursor", "The cursor is not valid."))?
        }
        None => {
            let limit = match form::field(&q, "limit") {
                None => DEFAULT_LIMIT,
                some => parse_limit(some)?,
            };
            Cursor { pos: 0, limit, filter: form::field(&q, "filter").unwrap_or("").to_owned() }
        }
    };
    let f = payee_filter(&cursor.filter)?;
    let inner = s.settled(&user_id);
    let user = inner.user(&user_id)?;
    let base = &s.cfg.base_url;
    let matching: Vec<payees::Payee> = payees::derive(s.cfg.seed, user)
        .into_iter()
        .filter(|p| {
            f.matches(|field| match field {
                "type" => Some(filter::Value::Text(p.kind.as_str())),
                "connectionid" => Some(filter::Value::Text(&p.connection_id)),
                "created" => Some(filter::Value::Time(Some(p.created))),
                _ => None,
            })
        })
        .collect();
    let data: Vec<Value> =
        matching.iter().skip(cursor.pos).take(cursor.limit).map(|p| p.summary(&user_id, base)).collect();
    let mut links = json!({ "self": self_url(&s, &uri) });
    if cursor.pos + cursor.limit < matching.len() {
        let next = Cursor { pos: cursor.pos + cursor.limit, ..cursor.clone() };
        links["next"] = json!(format!("{base}/users/{user_id}/payees?limit={}&cursor={}", cursor.limit, next.encode()));
    }
    ok(json!({ "type": "list", "count": matching.len(), "size": cursor.limit, "data": data, "links": links }))
}

/// `GET /users/{userId}/payees/{payeeId}` (getPayeeDetails).
pub(crate) async fn get_payee(
    State(s): State<Arc<Shared>>,
    Path((user_id, payee_id)): Path<(String, String)>,
) -> ApiResult {
    let well_formed = !payee_id.is_empty()
        && payee_id.len() <= 64
        && payee_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !well_formed {
        return Err(ApiError::invalid_param("payeeId", "The payeeId value is not valid."));
    }
    let inner = s.settled(&user_id);
    let user = inner.user(&user_id)?;
    payees::derive(s.cfg.seed, user).iter().find(|p| p.id == payee_id).map_or_else(
        || Err(ApiError::not_found("Payee not found").param("payeeId")),
        |p| ok(p.details(&user_id, &s.cfg.base_url)),
    )
}
