//! Connections: list, get, delete, refresh, purge.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use serde_json::{Value, json};

use super::list_params::paging_params;
use super::paging;
use super::profile_json::{address_json, person_json};
use crate::dates;
use crate::errors::ApiResult;
use crate::filter::{self, EQ_NE, EQ_NE_IN, FieldSpec, Kind};
use crate::http::{json, no_content, ok, query, self_url};
use crate::institutions::institution_ref;
use crate::jobs::job_reference;
use crate::money;
use crate::state::{Connection, Inner, Shared, User};

const CONNECTION_FIELDS: &[FieldSpec] = &[
    FieldSpec { name: "id", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "connection.id", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "status", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "connection.status", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "institution.id", kind: Kind::Text, ops: EQ_NE },
];

/// The connection's status right now (derived from its latest job while that runs).
fn live_status(inner: &Inner, s: &Shared, c: &Connection) -> &'static str {
    if !c.pending {
        return c.status;
    }
    match inner.jobs.get(&c.job_id) {
        Some(job) => {
            let v = job.view(s.cfg.clock.now(), s.cfg.step_delay, &s.cfg.base_url);
            if v.failed {
                "invalid"
            } else if v.succeeded {
                "active"
            } else if c.status == "pending" {
                "pending"
            } else {
                c.status
            }
        }
        None => c.status,
    }
}

fn connection_json(inner: &Inner, s: &Shared, user: &User, c: &Connection, detail: bool) -> Value {
    let base = &s.cfg.base_url;
    let uid = &user.id;
    let inst = &c.institution;
    let mut out = json!({
        "type": "connection",
        "id": c.id,
        "method": c.method,
        "status": live_status(inner, s, c),
        "createdDate": dates::fmt_datetime(c.created),
        "expiryDate": "",
        "lastUsed": dates::fmt_datetime(c.last_used),
        "institution": institution_ref(inst, base),
        "links": {
            "self": format!("{base}/users/{uid}/connections/{}", c.id),
            "accounts": filter::eq_link(&format!("{base}/users/{uid}/accounts"), "connection.id", &c.id),
            "transactions": filter::eq_link(&format!("{base}/users/{uid}/transactions"), "connection.id", &c.id),
            "institution": format!("{base}/institutions/{inst}"),
            "user": format!("{base}/users/{uid}"),
        },
    });
    if detail {
        let accounts: Vec<Value> = user
            .accounts
            .iter()
            .filter(|a| *a.connection == *c.id)
            .map(|a| {
                json!({
                    "type": "account",
                    "id": a.id,
                    "name": a.name,
                    "accountNo": a.account_no(),
                    "currency": "AUD",
                    "class": { "type": a.class, "product": a.product },
                    "balance": money::decimal(a.balance),
                    "availableFunds": money::decimal(a.available),
                    "lastUpdated": dates::fmt_datetime(a.last_updated),
                    "status": "available",
                    "links": {
                        "self": format!("{base}/users/{uid}/accounts/{}", a.id),
                        "transactions": filter::eq_link(&format!("{base}/users/{uid}/transactions"), "account.id", &a.id),
                    },
                })
            })
            .collect();
        out["accounts"] = json!({ "type": "list", "data": accounts });
        if let Some(p) = &c.profile {
            let mut profile = person_json(p);
            profile["physicalAddresses"] = json!([address_json(p)]);
            out["profile"] = profile;
        }
    }
    out
}

/// `GET /users/{userId}/connections` (getConnections).
pub(crate) async fn get_connections(State(s): State<Arc<Shared>>, Path(user_id): Path<String>, uri: Uri) -> ApiResult {
    let (cursor, f) = paging_params(&query(&uri), CONNECTION_FIELDS)?;
    let inner = s.settled(&user_id);
    let user = inner.user(&user_id)?;
    let data: Vec<Value> = user
        .connections
        .iter()
        .filter(|c| {
            let status = live_status(&inner, &s, c);
            f.matches_text(|field| {
                Some(match field {
                    "id" | "connection.id" => &c.id,
                    "status" | "connection.status" => status,
                    "institution.id" => &c.institution,
                    _ => return None,
                })
            })
        })
        .skip(paging::skip(&cursor))
        .take(paging::take(&cursor))
        .map(|c| connection_json(&inner, &s, user, c, false))
        .collect();
    let list_url = format!("{}/users/{user_id}/connections", s.cfg.base_url);
    ok(paging::finish(data, &cursor, self_url(&s, &uri), &list_url))
}

/// `GET /users/{userId}/connections/{connectionId}` (getConnection).
pub(crate) async fn get_connection(
    State(s): State<Arc<Shared>>,
    Path((user_id, conn_id)): Path<(String, String)>,
) -> ApiResult {
    let inner = s.settled(&user_id);
    let user = inner.user(&user_id)?;
    let c = user.connection(&conn_id)?;
    ok(connection_json(&inner, &s, user, c, true))
}

/// `DELETE /users/{userId}/connections/{connectionId}` (deleteConnection). Accounts and
/// transactions already retrieved are kept, as Basiq documents.
pub(crate) async fn delete_connection(
    State(s): State<Arc<Shared>>,
    Path((user_id, conn_id)): Path<(String, String)>,
) -> ApiResult {
    let mut inner = s.settled_mut(&user_id);
    let user = inner.user_mut(&user_id)?;
    user.connection(&conn_id)?;
    user.connections.retain(|c| c.id != conn_id);
    let data = json!({ "type": "connection", "id": conn_id });
    inner.record_event(
        &s.cfg,
        "connection",
        "deleted",
        &user_id,
        format!("{}/users/{user_id}/connections/{conn_id}", s.cfg.base_url),
        data,
    );
    no_content()
}

/// `POST /users/{userId}/connections/{connectionId}/refresh` (refreshConnection): 202 with a new
/// job, or 200 with the running job when one is still in progress.
pub(crate) async fn refresh_one(
    State(s): State<Arc<Shared>>,
    Path((user_id, conn_id)): Path<(String, String)>,
) -> ApiResult {
    let mut inner = s.settled_mut(&user_id);
    let (job_id, created) = inner.refresh(&s.cfg, &user_id, &conn_id)?;
    let status = if created { StatusCode::ACCEPTED } else { StatusCode::OK };
    Ok(json(status, job_reference(&job_id, &s.cfg.base_url)))
}

/// `POST /users/{userId}/connections/refresh` (refreshConnections).
pub(crate) async fn refresh_all(State(s): State<Arc<Shared>>, Path(user_id): Path<String>, uri: Uri) -> ApiResult {
    let mut inner = s.settled_mut(&user_id);
    let ids: Vec<String> =
        inner.user(&user_id)?.connections.iter().filter(|c| c.method == "web").map(|c| c.id.clone()).collect();
    let mut data = Vec::new();
    for id in ids {
        let (job_id, _) = inner.refresh(&s.cfg, &user_id, &id)?;
        data.push(job_reference(&job_id, &s.cfg.base_url));
    }
    Ok(json(StatusCode::ACCEPTED, json!({ "type": "list", "data": data, "links": { "self": self_url(&s, &uri) } })))
}

/// `POST /users/{userId}/connections/{connectionId}/purge` (purgeConnectionData): deletes the
/// connection's accounts and transactions; a later refresh brings them back.
pub(crate) async fn purge(State(s): State<Arc<Shared>>, Path((user_id, conn_id)): Path<(String, String)>) -> ApiResult {
    let mut inner = s.settled_mut(&user_id);
    let user = inner.user_mut(&user_id)?;
    user.connection(&conn_id)?;
    user.accounts.retain(|a| *a.connection != *conn_id);
    user.touch_accounts();
    user.txns.retain(|t| *t.connection != *conn_id);
    if let Some(c) = user.connections.iter_mut().find(|c| c.id == conn_id) {
        c.accounts_loaded = false;
        c.txns_loaded = false;
    }
    no_content()
}
