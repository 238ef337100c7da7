//! What the spec (`openapi/basiq.yaml`) says about each operation, and the fixture files.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// One operation as the spec declares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecOperation {
    pub operation_id: String,
    pub method: String,
    pub path: String,
    /// The one 2xx status the spec declares.
    pub success_status: u16,
    /// True when that success response has a body schema.
    pub success_has_body: bool,
    /// `x-basiq-empty-success`: Basiq may also answer 204 with no body.
    pub empty_success_too: bool,
    /// Names of the query parameters, in spec order.
    pub query_params: Vec<String>,
    /// Media type of the request body, when the operation takes one.
    pub request_content_type: Option<String>,
}

/// The crate root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every operation of the spec, in spec order.
pub fn operations() -> &'static [SpecOperation] {
    static OPS: OnceLock<Vec<SpecOperation>> = OnceLock::new();
    OPS.get_or_init(|| {
        let text = std::fs::read_to_string(root().join("openapi/basiq.yaml")).expect("read openapi/basiq.yaml");
        let spec: serde_yaml::Value = serde_yaml::from_str(&text).expect("parse openapi/basiq.yaml");
        let paths = spec["paths"].as_mapping().expect("spec has paths");
        let mut out = Vec::new();
        for (path, item) in paths {
            let path = path.as_str().expect("path is a string");
            for method in ["get", "post", "put", "patch", "delete"] {
                let op = &item[method];
                if op.is_null() {
                    continue;
                }
                let responses = op["responses"].as_mapping().expect("operation has responses");
                let successes: Vec<(u16, &serde_yaml::Value)> = responses
                    .iter()
                    .filter_map(|(code, response)| {
                        let code = match code {
                            serde_yaml::Value::String(s) => s.parse::<u16>().ok()?,
                            serde_yaml::Value::Number(n) => u16::try_from(n.as_u64()?).ok()?,
                            _ => return None,
                        };
                        (200..300).contains(&code).then_some((code, response))
                    })
                    // The body-less 204 of an `x-basiq-empty-success` operation is the optional empty answer.
                    .filter(|(code, response)| {
                        !(*code == 204
                            && op["x-basiq-empty-success"].as_bool() == Some(true)
                            && response["content"].is_null())
                    })
                    .collect();
                // One success body type; a second 2xx may only repeat it (refreshConnection: 202 new job, 200 running job).
                assert!(!successes.is_empty(), "{path} {method}: a success status expected");
                let (status, response) = successes[0];
                let body = &response["content"]["application/json"]["schema"];
                assert!(
                    successes.iter().all(|(_, r)| &r["content"]["application/json"]["schema"] == body),
                    "{path} {method}: every success status must share one body type"
                );
                out.push(SpecOperation {
                    operation_id: op["operationId"].as_str().expect("operationId").to_owned(),
                    method: method.to_ascii_uppercase(),
                    path: path.to_owned(),
                    success_status: status,
                    success_has_body: response["content"]["application/json"]["schema"].is_mapping(),
                    empty_success_too: op["x-basiq-empty-success"].as_bool().unwrap_or(false),
                    query_params: op["parameters"]
                        .as_sequence()
                        .into_iter()
                        .flatten()
                        .filter(|p| p["in"].as_str() == Some("query"))
                        .map(|p| p["name"].as_str().expect("parameter name").to_owned())
                        .collect(),
                    request_content_type: op["requestBody"]["content"]
                        .as_mapping()
                        .and_then(|m| m.keys().next())
                        .and_then(|k| k.as_str())
                        .map(str::to_owned),
                });
            }
        }
        out
    })
}

/// The spec's operation `operation_id`; panics if there is none.
pub fn operation(operation_id: &str) -> &'static SpecOperation {
    operations()
        .iter()
        .find(|o| o.operation_id == operation_id)
        .unwrap_or_else(|| panic!("the spec has no operation {operation_id}"))
}

/// `tests/fixtures/responses/<operationId>.json`.
pub fn response_fixture_path(operation_id: &str) -> PathBuf {
    root().join("tests/fixtures/responses").join(format!("{operation_id}.json"))
}

/// The response fixture of `operation_id`, as text.
pub fn response_fixture(operation_id: &str) -> String {
    let path = response_fixture_path(operation_id);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The request fixture of `operation_id`, decoded into the operation's body type.
pub fn request_fixture<T: serde::de::DeserializeOwned>(operation_id: &str) -> T {
    let path = root().join("tests/fixtures/requests").join(format!("{operation_id}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} does not fit the body type: {e}", path.display()))
}

/// The request fixture of `operation_id` as a JSON value.
pub fn request_fixture_json(operation_id: &str) -> serde_json::Value {
    request_fixture(operation_id)
}

/// Matches a sent path against a template such as `/users/{userId}/accounts/{accountId}`:
/// the same number of segments, the literal ones equal, each `{param}` a non-empty segment.
/// Returns the raw (still percent-encoded) value of each parameter, in template order.
pub fn match_template(template: &str, path: &str) -> Option<Vec<(String, String)>> {
    let want: Vec<&str> = template.split('/').collect();
    let got: Vec<&str> = path.split('/').collect();
    if want.len() != got.len() {
        return None;
    }
    let mut params = Vec::new();
    for (w, g) in want.iter().zip(&got) {
        match w.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
            Some(name) if !g.is_empty() => params.push((name.to_owned(), (*g).to_owned())),
            Some(_) => return None,
            None if w == g => {}
            None => return None,
        }
    }
    Some(params)
}

/// Percent-decodes one path segment.
pub fn decode_segment(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment).decode_utf8().expect("segment decodes to UTF-8").into_owned()
}
