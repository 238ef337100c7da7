//! Connectors: the sandbox's static list of test institutions.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::Uri;
use serde_json::{Value, json};

use super::list_params::filter_param;
use crate::errors::{ApiError, ApiResult};
use crate::filter::{EQ_NE, EQ_NE_IN, FieldSpec, Kind};
use crate::http::{ok, query, self_url};
use crate::institutions::{INSTITUTIONS, Institution, MfaPolicy};
use crate::state::Shared;

const CONNECTOR_FIELDS: &[FieldSpec] = &[
    FieldSpec { name: "connector.id", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "connector.method", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "connector.status", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "connector.stage", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "connector.institution.country", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "connector.institution.tier", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "connector.institution.type", kind: Kind::Text, ops: EQ_NE },
    FieldSpec { name: "connector.authorization.type", kind: Kind::Text, ops: EQ_NE_IN },
];

fn auth_type(i: &Institution) -> &'static str {
    match i.mfa {
        MfaPolicy::Never => "user",
        MfaPolicy::Always => "user-mfa",
        MfaPolicy::Sometimes => "user-mfa-intermittent",
    }
}

fn connector_json(i: &Institution, base: &str) -> Value {
    json!({
        "type": "connector",
        "id": i.id,
        "method": "web",
        "stage": "live",
        "status": "operational",
        "institution": {
            "type": "Test Bank",
            "name": i.name,
            "shortName": i.short_name,
            "tier": "4",
            "country": "Australia",
            "logo": {
                "type": "image",
                "links": {
                    "full": format!("{base}/static/{}-full.svg", i.id),
                    "square": format!("{base}/static/{}-square.svg", i.id),
                },
                "colors": { "primary": i.color },
            },
        },
        "scopes": ["ACCOUNT_NO", "TRANSACTIONS", "ACCOUNTS", "CUSTOMER_DETAILS"],
        "authorization": {
            "type": auth_type(i),
            "meta": {
                "login_id_caption": "Login ID",
                "password_caption": "Password",
                "forgotten_password_url": "",
            },
        },
        "stats": {
            "averageDurationMs": {
                "verifyCredentials": 50,
                "retrieveAccounts": 50,
                "retrieveTransactions": 50,
                "retrieveMeta": 0,
                "total": 150,
            },
        },
        "links": { "self": format!("{base}/connectors/{}/web", i.id) },
    })
}

/// `GET /connectors` (getConnectors).
pub(crate) async fn get_connectors(State(s): State<Arc<Shared>>, uri: Uri) -> ApiResult {
    let f = filter_param(&query(&uri), CONNECTOR_FIELDS)?;
    let base = &s.cfg.base_url;
    let data: Vec<Value> = INSTITUTIONS
        .iter()
        .filter(|i| {
            f.matches_text(|field| {
                Some(match field {
                    "connector.id" => i.id,
                    "connector.method" => "web",
                    "connector.status" => "operational",
                    "connector.stage" => "live",
                    "connector.institution.country" => "Australia",
                    "connector.institution.tier" => "4",
                    "connector.institution.type" => "Test Bank",
                    "connector.authorization.type" => auth_type(i),
                    _ => return None,
                })
            })
        })
        .map(|i| connector_json(i, base))
        .collect();
    ok(json!({
        "type": "list",
        "totalCount": data.len(),
        "data": data,
        "links": { "self": self_url(&s, &uri) },
    }))
}

/// `GET /connectors/{connectorId}/{method}` (getConnector).
pub(crate) async fn get_connector(
    State(s): State<Arc<Shared>>,
    Path((id, method)): Path<(String, String)>,
) -> ApiResult {
    let inst = INSTITUTIONS
        .iter()
        .find(|i| i.id == id && method == "web")
        .ok_or_else(|| ApiError::not_found("Requested connector does not exist.").param("connectorId"))?;
    ok(connector_json(inst, &s.cfg.base_url))
}
