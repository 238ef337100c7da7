//! Our OpenAPI spec as JSON Schema, for validating real response bodies in tests.
//!
//! OpenAPI 3.0 schemas are close to JSON Schema; the differences handled here are `nullable`
//! (becomes a `null` type) and optional `$ref` properties, which the generated client reads as
//! `Option` and so accept `null`.

#![allow(dead_code)]

use std::collections::BTreeMap;

use serde_json::{Value, json};

/// The spec, parsed once per test binary.
pub struct Spec {
    doc: Value,
    components: Value,
}

/// What an operation answers on success, per the spec.
#[derive(Debug, Clone)]
pub struct Success {
    /// Every 2xx status the operation documents (refreshConnection has two: new job, running job).
    pub statuses: Vec<u16>,
    pub schema: Option<String>,
}

impl Spec {
    /// The spec as written: open value sets are checked against their documented values.
    pub fn load() -> Spec {
        Self::load_with(false)
    }

    /// The spec as the client reads it: open value sets (string enums) accept any string.
    pub fn load_open() -> Spec {
        Self::load_with(true)
    }

    /// The spec as a writer must follow it: `null` only where a field is `nullable` (the other
    /// loads also accept `null` for optional object fields, as the client reads them).
    pub fn load_exact() -> Spec {
        Self::load_from(false, false)
    }

    fn load_with(open: bool) -> Spec {
        Self::load_from(open, true)
    }

    fn load_from(open: bool, lenient_refs: bool) -> Spec {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/basiq.yaml")).unwrap();
        let doc: Value = serde_yaml::from_str(&text).unwrap();
        let mut schemas = doc["components"]["schemas"].clone();
        if let Value::Object(map) = &mut schemas {
            for schema in map.values_mut() {
                if let Value::Object(s) = schema
                    && open
                    && s.get("type").and_then(Value::as_str) == Some("string")
                    && !s.contains_key("x-request-only")
                {
                    s.remove("enum");
                }
                convert(schema, lenient_refs);
            }
        }
        Spec { components: json!({ "schemas": schemas }), doc }
    }

    /// The success status and body schema name of every operation, by operationId.
    pub fn successes(&self) -> BTreeMap<String, Success> {
        let mut out = BTreeMap::new();
        for item in self.doc["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                let Some(id) = op["operationId"].as_str() else { continue };
                for (code, response) in op["responses"].as_object().unwrap() {
                    let Ok(status) = code.parse::<u16>() else { continue };
                    if !(200..300).contains(&status) {
                        continue;
                    }
                    let schema = response["content"]
                        .as_object()
                        .and_then(|c| c.values().next())
                        .and_then(|m| m["schema"]["$ref"].as_str())
                        .map(|r| r.rsplit('/').next().unwrap().to_owned());
                    let entry = out.entry(id.to_owned()).or_insert(Success { statuses: Vec::new(), schema: None });
                    entry.statuses.push(status);
                    entry.schema = entry.schema.take().or(schema);
                }
            }
        }
        out
    }

    /// Validates `body` against component `schema`; returns the problems found.
    pub fn validate(&self, schema: &str, body: &Value) -> Vec<String> {
        problems(&self.validator(schema), body)
    }

    /// The compiled validator of component `schema` (compile once to check many bodies).
    pub fn validator(&self, schema: &str) -> jsonschema::Validator {
        let root = json!({
            "$ref": format!("#/components/schemas/{schema}"),
            "components": self.components,
        });
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&root)
            .unwrap_or_else(|e| panic!("schema {schema} does not compile: {e}"))
    }

    /// The spec document as JSON.
    pub fn doc(&self) -> &Value {
        &self.doc
    }
}

/// What `validator` finds wrong with `body`.
pub fn problems(validator: &jsonschema::Validator, body: &Value) -> Vec<String> {
    validator.iter_errors(body).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

/// Rewrites one OpenAPI 3.0 schema (recursively) into JSON Schema 2020-12.
fn convert(schema: &mut Value, lenient_refs: bool) {
    let Value::Object(map) = schema else { return };
    if map.remove("nullable").and_then(|v| v.as_bool()).unwrap_or(false) {
        if let Some(t) = map.get("type").and_then(|t| t.as_str()).map(str::to_owned) {
            map.insert("type".into(), json!([t, "null"]));
        }
        if let Some(Value::Array(values)) = map.get_mut("enum") {
            values.push(Value::Null);
        }
    }
    for key in ["x-known-values", "x-request-only", "example", "discriminator", "xml", "externalDocs"] {
        map.remove(key);
    }
    if map.get("type").and_then(|t| t.as_str()) == Some("string")
        && map.get("format").and_then(|f| f.as_str()) == Some("binary")
    {
        map.remove("format");
    }
    let required: Vec<String> = map
        .get("required")
        .and_then(|r| r.as_array())
        .map(|r| r.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        for (name, prop) in props.iter_mut() {
            convert(prop, lenient_refs);
            if lenient_refs && prop.get("$ref").is_some() && !required.contains(name) {
                *prop = json!({ "anyOf": [prop.clone(), { "type": "null" }] });
            }
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(inner) = map.get_mut(key) {
            convert(inner, lenient_refs);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(list)) = map.get_mut(key) {
            list.iter_mut().for_each(|s| convert(s, lenient_refs));
        }
    }
}
