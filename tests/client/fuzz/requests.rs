//! Drawing one request for an operation (path ids from the seeded world or random, query
//! parameters, a JSON, form or multipart body, sometimes no or bad credentials or broken JSON) and
//! sending it to the sandbox.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use proptest::prelude::*;
use serde_json::{Value, json};

use super::spec_ops::Op;
use super::values::{ACCOUNT, USER, as_text, text, value};
use super::world::{Fuzz, World};

/// A request drawn for an operation.
#[derive(Debug)]
pub(super) struct Drawn {
    pub(super) path: String,
    pub(super) query: Vec<(String, String)>,
    pub(super) body: Option<Value>,
    /// 0 = proper credentials; 1 = none; 2 = garbage.
    pub(super) auth: u8,
    pub(super) broken_json: bool,
}

pub(super) fn request_strategy(doc: &Value, op: &Op, w: &World) -> BoxedStrategy<Drawn> {
    let all = w.all();
    let mut path_parts: Vec<BoxedStrategy<(String, String)>> = Vec::new();
    let mut query_parts: Vec<BoxedStrategy<Option<(String, String)>>> = Vec::new();
    for p in &op.params {
        let name = p.name.clone();
        match p.location.as_str() {
            "path" => {
                let pool = w.pool(&op.path, &p.name);
                let real = if pool.is_empty() {
                    text(&all)
                } else {
                    prop::sample::select(pool).prop_map(Value::String).boxed()
                };
                let s = prop_oneof![6 => real, 1 => text(&all)];
                // An empty segment would name another resource (`/insights/types/` is the list), not
                // a value of this parameter.
                path_parts.push(
                    s.prop_map(move |v| {
                        (name.clone(), Some(as_text(&v)).filter(|t| !t.is_empty()).unwrap_or("0".into()))
                    })
                    .boxed(),
                );
            }
            "query" => {
                let s: BoxedStrategy<Value> = match p.name.as_str() {
                    "filter" => prop_oneof![3 => prop::sample::select(w.filters.clone()).prop_map(Value::String), 1 => text(&all)].boxed(),
                    "limit" => prop_oneof![(1i64..30).prop_map(Value::from), (-5i64..600).prop_map(Value::from), text(&all)].boxed(),
                    "q" => prop_oneof![Just(json!("WOOLWORTHS 1624 SYDNEY")), Just(json!("UBER *EATS")), text(&all)].boxed(),
                    _ => value(doc, &p.schema, 1, &all, 1),
                };
                let s = s.prop_map(move |v| (name.clone(), as_text(&v)));
                let weight = if p.required { 0.95 } else { 0.5 };
                query_parts.push(prop::option::weighted(weight, s).boxed());
            }
            _ => {}
        }
    }
    let body: BoxedStrategy<Option<Value>> = match &op.body {
        Some((_, schema)) => {
            prop_oneof![value(doc, schema, 0, &all, 0).prop_map(Some), value(doc, schema, 0, &all, 2).prop_map(Some),]
                .boxed()
        }
        None => Just(None).boxed(),
    };
    let template = op.path.clone();
    let user = w.pool("", "userId").first().cloned().unwrap_or_default();
    let account = w.pool("", "accountId").first().cloned().unwrap_or_default();
    let body = body
        .prop_map(move |b| {
            b.map(|b| {
                let text = b.to_string().replace(USER, &user).replace(ACCOUNT, &account);
                serde_json::from_str(&text).unwrap_or(b)
            })
        })
        .boxed();
    (
        path_parts,
        query_parts,
        body,
        prop_oneof![30 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8)],
        prop::bool::weighted(0.03),
    )
        .prop_map(move |(paths, query, body, auth, broken_json)| {
            let mut path = template.clone();
            for (name, v) in paths {
                path = path.replace(&format!("{{{name}}}"), &utf8_percent_encode(&v, NON_ALPHANUMERIC).to_string());
            }
            Drawn { path, query: query.into_iter().flatten().collect(), body, auth, broken_json }
        })
        .boxed()
}

pub(super) async fn send(f: &Fuzz, op: &Op, d: &Drawn) -> (u16, String, Vec<u8>) {
    let method = reqwest::Method::from_bytes(op.method.as_bytes()).expect("method");
    let mut req = f.http.request(method, format!("{}{}", f.base, d.path)).query(&d.query);
    if op.id == "postToken" {
        req = req.header("basiq-version", "3.0");
        req = match d.auth {
            0 => req.header("Authorization", format!("Basic {}", f.sandbox.api_key())),
            1 => req,
            _ => req.header("Authorization", "Basic bm90LWEta2V5"),
        };
    } else {
        req = match d.auth {
            0 => req.bearer_auth(&f.token),
            1 => req,
            _ => req.bearer_auth("not-a-token"),
        };
    }
    match (&op.body, &d.body) {
        (Some(_), _) if d.broken_json => {
            req = req.header("content-type", "application/json").body("{\"broken\": ");
        }
        (Some((ct, _)), Some(body)) if ct == "application/x-www-form-urlencoded" => {
            let pairs: Vec<(String, String)> =
                body.as_object().into_iter().flatten().map(|(k, v)| (k.clone(), as_text(v))).collect();
            req = req.form(&pairs);
        }
        (Some((ct, _)), Some(body)) if ct == "multipart/form-data" => {
            let institution = body["institutionId"].as_str().unwrap_or("AU00002").to_owned();
            let csv = "date,description,amount\n2025-01-02,COFFEE,-4.50\n2025-01-03,SALARY,2500.00\n";
            let form = reqwest::multipart::Form::new()
                .text("institutionId", institution)
                .part("statement", reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("s.csv"));
            req = req.multipart(form);
        }
        (Some(_), Some(body)) => req = req.json(body),
        _ => {}
    }
    let resp = req.send().await.expect("the sandbox answers");
    let status = resp.status().as_u16();
    let ct = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let body = resp.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
    (status, ct, body)
}
