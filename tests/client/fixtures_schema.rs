//! Every response fixture we wrote validates against the spec as the client reads it: open value
//! sets accept values Basiq may add (the fixtures carry some on purpose).

use crate::spec_schema;

use spec_schema::Spec;

#[test]
fn response_fixtures_match_the_spec_with_open_value_sets() {
    let spec = Spec::load_open();
    let mut checked = 0;
    let with_body = spec.successes().values().filter(|s| s.schema.is_some()).count();
    let mut problems = Vec::new();
    for (op, success) in spec.successes() {
        let Some(schema) = success.schema else { continue };
        let path = format!("{}/tests/fixtures/responses/{op}.json", env!("CARGO_MANIFEST_DIR"));
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let body: serde_json::Value = serde_json::from_str(&text).unwrap();
        checked += 1;
        problems.extend(spec.validate(&schema, &body).into_iter().map(|p| format!("{op}: {p}")));
    }
    assert_eq!(checked, with_body, "every operation with a response body has a fixture");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
