//! Flattening request and response schemas into dotted field paths with their types.

use crate::load::{deref, resolve};
use crate::operations::Operation;
use crate::types::{BaseType, Fields, Types};
use serde_json::Value;

/// Flattens schemas of one document into [`Fields`].
struct Flattener<'a> {
    root: &'a Value,
    /// `$ref`s being expanded on the current path, to stop recursion.
    stack: Vec<&'a str>,
    fields: Fields,
}

impl<'a> Flattener<'a> {
    fn new(root: &'a Value) -> Self {
        Flattener { root, stack: Vec::new(), fields: Fields::new() }
    }

    /// Adds the fields of a body schema (the body itself has the empty path and is not listed).
    fn add_body(&mut self, schema: &'a Value) {
        self.visit(schema, "");
    }

    /// Records the fields below `schema` (at `path`) and returns the schema's own types.
    fn visit(&mut self, schema: &'a Value, path: &str) -> Types {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            return self.visit_ref(reference, path);
        }
        let mut types = declared_types(schema);
        for key in ["allOf", "oneOf", "anyOf"] {
            for part in schema.get(key).and_then(Value::as_array).into_iter().flatten() {
                let part_types = self.visit(part, path);
                types.merge(&part_types);
            }
        }
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for (name, property) in properties {
                self.field(property, &join(path, name));
            }
        }
        if let Some(values) = schema.get("additionalProperties").filter(|v| v.is_object()) {
            self.field(values, &join(path, "*"));
        }
        if let Some(items) = schema.get("items") {
            self.field(items, &format!("{path}[]"));
        }
        types.finished()
    }

    fn visit_ref(&mut self, reference: &'a str, path: &str) -> Types {
        let Some(target) = resolve(self.root, reference) else {
            eprintln!("spec-diff: warning: cannot resolve $ref {reference}; treating it as any");
            return Types::one(BaseType::Any);
        };
        if self.stack.contains(&reference) {
            return declared_types(target).finished();
        }
        self.stack.push(reference);
        let types = self.visit(target, path);
        self.stack.pop();
        types
    }

    /// Visits the schema of a named field and records its types.
    fn field(&mut self, schema: &'a Value, path: &str) {
        let types = self.visit(schema, path);
        self.fields.entry(path.to_owned()).or_default().merge(&types);
    }
}

/// The types a schema declares itself: `type` (a name or list of names), else `object` for
/// `properties`/`additionalProperties` and `array` for `items`.
fn declared_types(schema: &Value) -> Types {
    let mut types = Types::default();
    match schema.get("type") {
        Some(Value::String(name)) => types.extend_named(name),
        Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).for_each(|name| types.extend_named(name)),
        _ => {
            if schema.get("properties").is_some() || schema.get("additionalProperties").is_some_and(Value::is_object) {
                types.add(BaseType::Object);
            }
            if schema.get("items").is_some() {
                types.add(BaseType::Array);
            }
        }
    }
    types
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() { name.to_owned() } else { format!("{path}.{name}") }
}

/// Request and response fields of one operation.
pub struct Bodies {
    /// The request body's fields (JSON, multipart or form-urlencoded).
    pub request: Fields,
    /// The union of the 2xx JSON responses' fields.
    pub response: Fields,
}

impl Bodies {
    /// Flattens the request body and the successful responses of `op`.
    pub fn of(op: &Operation<'_>) -> Self {
        let root = &op.spec.root;
        let mut request = Flattener::new(root);
        if let Some(body) = op.node.get("requestBody").and_then(|b| deref(root, b)) {
            for schema in media_schemas(body, is_request_media) {
                request.add_body(schema);
            }
        }
        let mut response = Flattener::new(root);
        let responses = op.node.get("responses").and_then(Value::as_object);
        let successes = responses.into_iter().flatten().filter(|(status, _)| status.starts_with('2'));
        for (_, node) in successes {
            let Some(node) = deref(root, node) else {
                continue;
            };
            for schema in media_schemas(node, |media| media.contains("json")) {
                response.add_body(schema);
            }
        }
        Bodies { request: request.fields, response: response.fields }
    }
}

/// The schemas of a request body's or response's `content` entries accepted by `wanted`.
fn media_schemas(node: &Value, wanted: fn(&str) -> bool) -> Vec<&Value> {
    let content = node.get("content").and_then(Value::as_object);
    content
        .into_iter()
        .flatten()
        .filter(|(media, _)| wanted(&media.to_ascii_lowercase()))
        .filter_map(|(_, entry)| entry.get("schema"))
        .collect()
}

fn is_request_media(media: &str) -> bool {
    media.contains("json") || media.starts_with("multipart/") || media.starts_with("application/x-www-form-urlencoded")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Spec, parse_yaml};
    use crate::operations::index_operations;

    fn fields_of(yaml: &str, schema: &str) -> Result<Vec<String>, serde_yaml::Error> {
        let root = parse_yaml(yaml)?;
        let mut flattener = Flattener::new(&root);
        let reference = Value::String(format!("#/components/schemas/{schema}"));
        let body = Value::Object(serde_json::Map::from_iter([("$ref".to_owned(), reference)]));
        flattener.add_body(&body);
        Ok(flattener.fields.iter().map(|(path, types)| format!("{path}: {types}")).collect())
    }

    const SCHEMAS: &str = r#"
components:
  schemas:
    AccountList:
      type: object
      properties:
        data:
          type: array
          items: {$ref: '#/components/schemas/Account'}
    Account:
      allOf:
        - $ref: '#/components/schemas/Base'
        - properties:
            balance: {type: string, format: decimal, nullable: true}
            class:
              type: object
              properties:
                type: {type: string, enum: [savings]}
    Base:
      type: object
      required: [id]
      properties:
        id: {type: string}
        meta: {description: untyped}
    Node:
      type: object
      properties:
        name: {type: string}
        children:
          type: array
          items: {$ref: '#/components/schemas/Node'}
    Step:
      type: object
      properties:
        result:
          oneOf:
            - {type: string}
            - {type: integer}
        detail:
          anyOf:
            - {type: object, properties: {code: {type: string}}}
            - {type: object, properties: {when: {type: integer}}}
    Tags:
      type: object
      additionalProperties: {type: array, items: {type: string}}
"#;

    #[test]
    fn flattens_refs_all_of_and_arrays() -> Result<(), serde_yaml::Error> {
        let fields = fields_of(SCHEMAS, "AccountList")?;
        let expected = [
            "data: array",
            "data[]: object",
            "data[].balance: string",
            "data[].class: object",
            "data[].class.type: string",
            "data[].id: string",
            "data[].meta: any",
        ];
        assert_eq!(fields, expected);
        Ok(())
    }

    #[test]
    fn unites_one_of_and_any_of() -> Result<(), serde_yaml::Error> {
        let fields = fields_of(SCHEMAS, "Step")?;
        let expected = ["detail: object", "detail.code: string", "detail.when: integer", "result: integer|string"];
        assert_eq!(fields, expected);
        Ok(())
    }

    #[test]
    fn stops_at_recursive_refs() -> Result<(), serde_yaml::Error> {
        let fields = fields_of(SCHEMAS, "Node")?;
        // The inner `Node` is not expanded again: its items keep only their own type.
        let expected = ["children: array", "children[]: object", "name: string"];
        assert_eq!(fields, expected);
        Ok(())
    }

    #[test]
    fn gives_additional_properties_a_star_segment() -> Result<(), serde_yaml::Error> {
        let fields = fields_of(SCHEMAS, "Tags")?;
        assert_eq!(fields, ["*: array", "*[]: string"]);
        Ok(())
    }

    #[test]
    fn reads_request_media_and_only_successful_json_responses() -> Result<(), serde_yaml::Error> {
        let yaml = r#"
paths:
  /statements:
    post:
      requestBody:
        $ref: '#/components/requestBodies/Upload'
      responses:
        '202':
          content:
            application/json: {schema: {properties: {jobId: {type: string}}}}
        '400':
          content:
            application/json: {schema: {properties: {error: {type: string}}}}
        '200':
          content:
            text/plain: {schema: {properties: {text: {type: string}}}}
components:
  requestBodies:
    Upload:
      content:
        multipart/form-data: {schema: {properties: {file: {type: string}}}}
        text/csv: {schema: {properties: {line: {type: string}}}}
"#;
        let specs = [Spec { name: "t.yml".to_owned(), root: parse_yaml(yaml)? }];
        let index = index_operations(&specs);
        let bodies: Vec<Bodies> = index.values().map(Bodies::of).collect();
        let [body] = bodies.as_slice() else {
            panic!("expected one operation, found {}", bodies.len());
        };
        assert_eq!(body.request.keys().collect::<Vec<_>>(), ["file"]);
        assert_eq!(body.response.keys().collect::<Vec<_>>(), ["jobId"]);
        Ok(())
    }
}
