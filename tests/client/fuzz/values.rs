//! Proptest strategies for JSON values from schemas: well-typed values, literals that reach the
//! sandbox's interesting branches, well-formed values for telling field names, and mutations
//! (`null`, `""`, other JSON types, unknown fields).

use std::collections::BTreeSet;

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::spec_ops::resolve;

/// Values that reach the sandbox's interesting branches more often than random text.
pub(super) const LITERALS: &[&str] = &[
    "2024-01",
    "2025-06",
    "2024-01-01",
    "2100-01-01",
    "AU00000",
    "AU00002",
    "AU00004",
    "user.created",
    "consent.archived",
    "https://hooks.example.com/basiq",
    "a@b.co",
    "+61410888999",
    "CON_AFFOR_01",
    "STATEMENT_01",
    "SERVER_ACCESS",
    "CLIENT_ACCESS",
    "web",
    "ABN",
    "WOOLWORTHS",
];

pub(super) fn text(ids: &[String]) -> BoxedStrategy<Value> {
    let mut pool: Vec<String> = ids.to_vec();
    pool.extend(LITERALS.iter().map(|s| (*s).to_owned()));
    prop_oneof![
        4 => prop::sample::select(pool),
        2 => prop::collection::vec(prop::char::range('a', 'z'), 0..10).prop_map(|c| c.into_iter().collect()),
        1 => prop::collection::vec(any::<char>(), 0..8).prop_map(|c| c.into_iter().collect()),
    ]
    .prop_map(Value::String)
    .boxed()
}

/// A value of some other JSON type than the schema asks for, or null, or "".
pub(super) fn mutation() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        Just(json!("")),
        Just(json!(12345)),
        Just(json!(false)),
        Just(json!(87.09)),
        Just(json!({"x": [1, 2]})),
        Just(json!([null])),
    ]
    .boxed()
}

/// Values for a schema, with a mutation now and then.
/// `mutate`: out of 8 values, how many are replaced by a mutation (0 = well-typed values only).
pub(super) fn value(doc: &Value, schema: &Value, depth: u32, ids: &[String], mutate: u32) -> BoxedStrategy<Value> {
    let s = resolve(doc, schema);
    let base: BoxedStrategy<Value> = if let Some(values) = s["enum"].as_array().filter(|v| !v.is_empty()) {
        prop::sample::select(values.clone()).boxed()
    } else {
        match s["type"].as_str() {
            Some("string") => text(ids),
            Some("integer") => prop_oneof![0i64..600, any::<i64>()].prop_map(Value::from).boxed(),
            Some("number") => prop_oneof![(0i64..100_000).prop_map(|n| n as f64 / 100.0), any::<f64>()]
                .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number))
                .boxed(),
            Some("boolean") => any::<bool>().prop_map(Value::from).boxed(),
            Some("array") if depth < 4 => prop::collection::vec(value(doc, &s["items"], depth + 1, ids, mutate), 0..3)
                .prop_map(Value::Array)
                .boxed(),
            Some("array") => Just(json!([])).boxed(),
            _ if depth < 4 => object(doc, s, depth, ids, mutate),
            _ => Just(json!({})).boxed(),
        }
    };
    if mutate == 0 { base } else { prop_oneof![8 - mutate.min(7) => base, mutate.min(7) => mutation()].boxed() }
}

pub(super) fn object(doc: &Value, s: &Value, depth: u32, ids: &[String], mutate: u32) -> BoxedStrategy<Value> {
    let required: BTreeSet<&str> = s["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    let fields: Vec<BoxedStrategy<Option<(String, Value)>>> = s["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, prop)| {
            let name = name.clone();
            let v = match named(&name) {
                Some(good) => prop_oneof![3 => good, 1 => value(doc, prop, depth + 1, ids, mutate)].boxed(),
                None => value(doc, prop, depth + 1, ids, mutate),
            };
            if required.contains(name.as_str()) {
                if mutate == 0 {
                    v.prop_map(move |v| Some((name.clone(), v))).boxed()
                } else {
                    prop_oneof![12 => v.prop_map(move |v| Some((name.clone(), v))), 1 => Just(None)].boxed()
                }
            } else {
                prop::option::weighted(0.5, v.prop_map(move |v| (name.clone(), v))).boxed()
            }
        })
        .collect();
    (fields, prop::option::weighted(0.1, text(ids)))
        .prop_map(|(fields, unknown)| {
            let mut map: Map<String, Value> = fields.into_iter().flatten().collect();
            if let Some(v) = unknown {
                map.insert("unknownField".to_owned(), v);
            }
            Value::Object(map)
        })
        .boxed()
}

/// Placeholders for the seeded user and account in drawn bodies (replaced when sending).
pub(super) const USER: &str = "@USER@";
pub(super) const ACCOUNT: &str = "@ACCOUNT@";

/// Well-formed values for fields whose name says what they hold, so that creates succeed often.
pub(super) fn named(field: &str) -> Option<BoxedStrategy<Value>> {
    let word =
        || prop::collection::vec(prop::char::range('a', 'z'), 1..8).prop_map(|c| c.into_iter().collect::<String>());
    Some(match field {
        "email" => word().prop_map(|w| Value::String(format!("{w}@example.com"))).boxed(),
        "url" => word().prop_map(|w| Value::String(format!("https://hooks.example.com/{w}"))).boxed(),
        "mobile" => (10_000_000u32..99_999_999).prop_map(|n| Value::String(format!("+614{n}"))).boxed(),
        "title" => word().prop_map(Value::String).boxed(),
        "reportType" => prop::sample::select(vec![json!("CON_AFFOR_01"), json!("STATEMENT_01")]).boxed(),
        "filters" => Just(json!([
            {"name": "fromDate", "value": "2000-01-01"}, {"name": "toDate", "value": "2100-01-01"},
            {"name": "accounts", "value": [ACCOUNT]}, {"name": "users", "value": [USER]}]))
        .boxed(),
        "mfa-response" => {
            prop::sample::select(vec![json!(["1234"]), json!(["Hooli"]), json!(["Basiq", "AU00000"])]).boxed()
        }
        _ => return None,
    })
}

/// A query or header value as text.
pub(super) fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
