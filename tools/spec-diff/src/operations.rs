//! The operations of a set of specs, indexed by method and normalised path.

use crate::load::Spec;
use serde_json::Value;
use std::collections::BTreeMap;

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];
/// Extension naming the original Basiq operationId of an operation we renamed.
pub const ORIGINAL_ID: &str = "x-basiq-operation-id";

/// One operation of one spec.
#[derive(Debug)]
pub struct Operation<'a> {
    /// Upper-case HTTP method.
    pub method: String,
    /// The path as written in the spec.
    pub path: String,
    pub id: Option<String>,
    /// `x-basiq-operation-id`: the Basiq operationId this (renamed) operation stands for.
    pub original_id: Option<String>,
    /// The document the operation is in (its `$ref`s resolve there).
    pub spec: &'a Spec,
    /// The operation object itself.
    pub node: &'a Value,
}

impl Operation<'_> {
    /// The operationId, or `METHOD path` when there is none.
    pub fn label(&self) -> String {
        self.id.clone().unwrap_or_else(|| format!("{} {}", self.method, self.path))
    }
}

/// `(METHOD, normalised path)`.
pub type OpKey = (String, String);

/// All operations of `specs`, keyed by method and normalised path; the first of duplicates wins.
pub fn index_operations(specs: &[Spec]) -> BTreeMap<OpKey, Operation<'_>> {
    let mut index: BTreeMap<OpKey, Operation<'_>> = BTreeMap::new();
    for spec in specs {
        for op in operations(spec) {
            let key = (op.method.clone(), normalise_path(&op.path));
            if let Some(first) = index.get(&key) {
                eprintln!(
                    "spec-diff: warning: {} {} in {} duplicates the one in {}; keeping the first",
                    op.method, op.path, spec.name, first.spec.name
                );
                continue;
            }
            index.insert(key, op);
        }
    }
    index
}

fn operations(spec: &Spec) -> Vec<Operation<'_>> {
    let Some(paths) = spec.root.get("paths").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut ops = Vec::new();
    for (path, item) in paths {
        for method in METHODS {
            let Some(node) = item.get(*method).filter(|node| node.is_object()) else {
                continue;
            };
            let text = |key: &str| node.get(key).and_then(Value::as_str).map(str::to_owned);
            ops.push(Operation {
                method: method.to_uppercase(),
                path: path.clone(),
                id: text("operationId"),
                original_id: text(ORIGINAL_ID),
                spec,
                node,
            });
        }
    }
    ops
}

/// Replaces every `{name}` path parameter with `{}` so parameter names do not matter.
fn normalise_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' if in_param => in_param = false,
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::parse_yaml;

    #[test]
    fn normalises_path_parameters() {
        assert_eq!(normalise_path("/reports/{id}/x"), "/reports/{}/x");
        assert_eq!(normalise_path("/reports/{reportId}/x"), normalise_path("/reports/{id}/x"));
        assert_ne!(normalise_path("/reports/{id}/x"), normalise_path("/reports/{id}/y"));
    }

    #[test]
    fn indexes_operations_first_duplicate_wins() -> Result<(), serde_yaml::Error> {
        let spec = |name: &str, yaml: &str| parse_yaml(yaml).map(|root| Spec { name: name.to_owned(), root });
        let first = spec(
            "a.yml",
            "paths:\n  /users/{userId}:\n    get: {operationId: getUser}\n    \
             post: {operationId: updateUser, x-basiq-operation-id: postUser}\n    parameters: []\n",
        )?;
        let second =
            spec("b.yml", "paths:\n  /users/{id}:\n    get: {operationId: fetchUser}\n  /jobs:\n    get: {}\n")?;
        let specs = [first, second];
        let index = index_operations(&specs);
        let summary: Vec<(String, String, Option<&str>)> = index
            .iter()
            .map(|((method, path), op)| (method.clone(), path.clone(), op.original_id.as_deref()))
            .collect();
        let expected = [
            ("GET".to_owned(), "/jobs".to_owned(), None),
            ("GET".to_owned(), "/users/{}".to_owned(), None),
            ("POST".to_owned(), "/users/{}".to_owned(), Some("postUser")),
        ];
        assert_eq!(summary, expected);
        let get_user = index.get(&("GET".to_owned(), "/users/{}".to_owned())).map(Operation::label);
        assert_eq!(get_user.as_deref(), Some("getUser"));
        let jobs = index.get(&("GET".to_owned(), "/jobs".to_owned())).map(Operation::label);
        assert_eq!(jobs.as_deref(), Some("GET /jobs"));
        Ok(())
    }
}
