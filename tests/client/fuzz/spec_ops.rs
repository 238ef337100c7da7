//! The operations of our spec as the fuzzer sees them: method, path, parameters, request body
//! and declared responses, with local `$ref`s followed.

use serde_json::{Map, Value};

/// One operation of the spec.
pub(super) struct Op {
    pub(super) id: String,
    pub(super) method: String,
    pub(super) path: String,
    pub(super) params: Vec<Param>,
    /// Content type and schema of the request body.
    pub(super) body: Option<(String, Value)>,
    pub(super) responses: Map<String, Value>,
    /// Operations that remove state run at the end of a round.
    pub(super) destructive: bool,
}

pub(super) struct Param {
    pub(super) name: String,
    pub(super) location: String,
    pub(super) required: bool,
    pub(super) schema: Value,
}

/// Follow a local `$ref` (`#/components/...`) to what it names.
pub(super) fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let mut at = doc;
            for part in r.trim_start_matches("#/").split('/') {
                at = &at[part];
            }
            resolve(doc, at)
        }
        None => v,
    }
}

pub(super) fn operations(doc: &Value) -> Vec<Op> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let Some(id) = op["operationId"].as_str() else { continue };
            let params = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| resolve(doc, p))
                .map(|p| Param {
                    name: p["name"].as_str().unwrap_or_default().to_owned(),
                    location: p["in"].as_str().unwrap_or_default().to_owned(),
                    required: p["required"].as_bool().unwrap_or(false),
                    schema: p["schema"].clone(),
                })
                .collect();
            let body = op["requestBody"]["content"]
                .as_object()
                .and_then(|c| c.iter().next())
                .map(|(ct, media)| (ct.clone(), media["schema"].clone()));
            let method = method.to_ascii_uppercase();
            out.push(Op {
                id: id.to_owned(),
                destructive: method == "DELETE" || path.ends_with("/purge"),
                method,
                path: path.clone(),
                params,
                body,
                responses: op["responses"].as_object().cloned().unwrap_or_default(),
            });
        }
    }
    out
}

/// What the spec says about one status of an operation: the response entry that covers it.
pub(super) fn declared<'a>(doc: &'a Value, op: &'a Op, status: u16) -> Option<&'a Value> {
    let exact = status.to_string();
    let range = format!("{}XX", status / 100);
    op.responses
        .get(&exact)
        .or_else(|| op.responses.get(&range))
        .or_else(|| op.responses.get("default"))
        .map(|r| resolve(doc, r))
}

pub(super) fn resolve_name(schema: &Value) -> Option<String> {
    schema["$ref"].as_str().map(|r| r.rsplit('/').next().unwrap_or_default().to_owned())
}
