//! A new value from Basiq never fails a call: no response schema in the spec may carry a closed
//! enum, except the open value sets that build.rs replaces with `basiq::open` enums.

use serde_json::Value;

/// The schema names listed in build.rs's `OPEN_ENUMS`.
fn open_enums() -> Vec<String> {
    let build = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/build.rs")).unwrap();
    let start = build.find("const OPEN_ENUMS").expect("build.rs lists OPEN_ENUMS");
    let end = start + build[start..].find("];").unwrap();
    build[start..end].split('"').skip(1).step_by(2).map(str::to_owned).collect()
}

fn find_enums(node: &Value, path: String, out: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            if map.contains_key("enum") {
                out.push(path.clone());
            }
            for (k, v) in map {
                find_enums(v, format!("{path}/{k}"), out);
            }
        }
        Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| find_enums(v, format!("{path}/{i}"), out)),
        _ => {}
    }
}

#[test]
fn only_request_schemas_and_replaced_open_sets_have_enums() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/basiq.yaml")).unwrap();
    let spec: Value = serde_yaml::from_str(&text).unwrap();
    let open = open_enums();
    assert!(open.len() >= 13, "{open:?}");
    let mut closed = Vec::new();
    for (name, schema) in spec["components"]["schemas"].as_object().unwrap() {
        let request_only = name.ends_with("Request") || schema.get("x-request-only").is_some();
        if request_only || open.contains(name) {
            continue;
        }
        find_enums(schema, format!("components/schemas/{name}"), &mut closed);
    }
    assert!(closed.is_empty(), "closed enums in response schemas: {closed:#?}");
}

#[test]
fn every_open_set_in_build_rs_is_a_string_enum_of_the_spec_and_an_open_rust_type() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/basiq.yaml")).unwrap();
    let spec: Value = serde_yaml::from_str(&text).unwrap();
    let generated = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/generated/basiq.rs")).unwrap();
    for name in open_enums() {
        let schema = &spec["components"]["schemas"][&name];
        assert_eq!(schema["type"], "string", "{name}");
        assert!(schema["enum"].is_array(), "{name} documents its known values");
        assert!(!generated.contains(&format!("pub enum {name} ")), "{name} must not be generated as a closed enum");
        assert!(generated.contains(&format!("crate::open::{name}")), "{name} is used through basiq::open");
    }
}
