//! Reading OpenAPI documents (YAML or JSON) into JSON values, and following their local `$ref`s.

use serde_json::Value;
use std::path::{Path, PathBuf};

/// One parsed OpenAPI document; `$ref`s are resolved against its own root.
#[derive(Debug)]
pub struct Spec {
    /// The path it was read from, as given.
    pub name: String,
    /// The whole document.
    pub root: Value,
}

impl Spec {
    /// Reads and parses one document; it must have a `paths` mapping.
    pub fn load(path: &Path) -> Result<Self, String> {
        let root = parse_document(path)?;
        if !root.get("paths").is_some_and(Value::is_object) {
            return Err(format!("{}: no `paths` mapping", path.display()));
        }
        Ok(Spec { name: path.display().to_string(), root })
    }

    /// Short name for listings: the file name only.
    pub fn short_name(&self) -> &str {
        Path::new(&self.name).file_name().and_then(|name| name.to_str()).unwrap_or(&self.name)
    }
}

/// Loads every upstream file, expanding directories to their `*.yml`/`*.yaml`/`*.json`.
pub fn load_upstream(paths: &[PathBuf]) -> Result<Vec<Spec>, String> {
    let mut specs = Vec::new();
    for path in paths {
        if path.is_dir() {
            let files = spec_files_in(path)?;
            if files.is_empty() {
                return Err(format!("{}: no *.yml, *.yaml or *.json files", path.display()));
            }
            for file in files {
                specs.push(Spec::load(&file)?);
            }
        } else {
            specs.push(Spec::load(path)?);
        }
    }
    Ok(specs)
}

/// The spec files directly inside `dir`, sorted.
fn spec_files_in(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|err| format!("{}: cannot read: {err}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|err| format!("{}: cannot read: {err}", dir.display()))?.path();
        let is_spec =
            path.extension().and_then(|ext| ext.to_str()).is_some_and(|ext| matches!(ext, "yml" | "yaml" | "json"));
        if is_spec && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Reads a YAML or JSON document (JSON by `.json` extension) into a JSON value.
fn parse_document(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|err| format!("{}: cannot read: {err}", path.display()))?;
    let is_json = path.extension().is_some_and(|ext| ext == "json");
    if is_json {
        serde_json::from_str(&text).map_err(|err| format!("{}: invalid JSON: {err}", path.display()))
    } else {
        parse_yaml(&text).map_err(|err| format!("{}: invalid YAML: {err}", path.display()))
    }
}

/// Parses YAML text (merge keys applied) into a JSON value.
pub fn parse_yaml(text: &str) -> Result<Value, serde_yaml::Error> {
    let mut value: serde_yaml::Value = serde_yaml::from_str(text)?;
    value.apply_merge()?;
    Ok(yaml_to_json(value))
}

/// Converts YAML to JSON, turning non-string keys (such as unquoted `200:`) into strings.
fn yaml_to_json(value: serde_yaml::Value) -> Value {
    use serde_yaml::Value as Yaml;
    match value {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => n
            .as_i64()
            .map(Value::from)
            .or_else(|| n.as_u64().map(Value::from))
            .or_else(|| n.as_f64().and_then(serde_json::Number::from_f64).map(Value::Number))
            .unwrap_or(Value::Null),
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Yaml::Mapping(map) => {
            Value::Object(map.into_iter().map(|(key, value)| (yaml_key(key), yaml_to_json(value))).collect())
        }
        Yaml::Tagged(tagged) => yaml_to_json(tagged.value),
    }
}

fn yaml_key(key: serde_yaml::Value) -> String {
    match yaml_to_json(key) {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

/// Follows a local `#/...` JSON pointer inside `root`.
pub fn resolve<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    root.pointer(reference.strip_prefix('#')?)
}

/// Follows `$ref` chains on a non-schema object (response, request body); at most 16 hops.
pub fn deref<'a>(root: &'a Value, mut node: &'a Value) -> Option<&'a Value> {
    for _ in 0..16 {
        match node.get("$ref").and_then(Value::as_str) {
            Some(reference) => node = resolve(root, reference)?,
            None => return Some(node),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_unquoted_status_keys() -> Result<(), serde_yaml::Error> {
        let root = parse_yaml("responses:\n  200: {description: ok}\n")?;
        assert!(root.pointer("/responses/200").is_some());
        Ok(())
    }

    #[test]
    fn applies_merge_keys() -> Result<(), serde_yaml::Error> {
        let root = parse_yaml("base: &base {type: string}\nfield:\n  <<: *base\n  format: date\n")?;
        assert_eq!(root.pointer("/field/type").and_then(Value::as_str), Some("string"));
        assert_eq!(root.pointer("/field/format").and_then(Value::as_str), Some("date"));
        Ok(())
    }

    #[test]
    fn follows_ref_chains_and_gives_up_on_loops() -> Result<(), serde_yaml::Error> {
        let root = parse_yaml(
            "components:\n  responses:\n    A: {$ref: '#/components/responses/B'}\n    B: {description: ok}\n    \
             Loop: {$ref: '#/components/responses/Loop'}\n",
        )?;
        let start = Value::Object(serde_json::Map::from_iter([(
            "$ref".to_owned(),
            Value::String("#/components/responses/A".to_owned()),
        )]));
        let target = deref(&root, &start).and_then(|node| node.get("description")).and_then(Value::as_str);
        assert_eq!(target, Some("ok"));
        let looping = root.pointer("/components/responses/Loop").map(|node| deref(&root, node));
        assert_eq!(looping, Some(None));
        assert!(resolve(&root, "other.yml#/components").is_none());
        Ok(())
    }
}
