//! Checking one answer against the spec: no 5xx, a declared status, the declared content type, a
//! body valid for that status, and no 2xx for a JSON body the spec refuses.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::requests::Drawn;
use super::spec_ops::{Op, declared, resolve_name};
use crate::spec_schema::{Spec, problems};

pub(super) struct Checker {
    pub(super) spec: Spec,
    pub(super) validators: HashMap<String, jsonschema::Validator>,
    pub(super) findings: BTreeMap<String, String>,
    /// Bodies checked against a schema.
    pub(super) validated: usize,
}

impl Checker {
    fn finding(&mut self, key: String, example: String) {
        self.findings.entry(key).or_insert(example);
    }

    pub(super) fn check(&mut self, doc: &Value, op: &Op, d: &Drawn, status: u16, content_type: &str, body: &[u8]) {
        let what = format!("{} {}", op.method, d.path);
        self.check_input(op, d, status, &what);
        if status >= 500 {
            self.finding(format!("{}: {status}", op.id), what.clone());
        }
        let Some(response) = declared(doc, op, status) else {
            self.finding(format!("{}: undeclared status {status}", op.id), what);
            return;
        };
        let media = response["content"].as_object();
        match media.and_then(|m| m.iter().next()) {
            None if !body.is_empty() => self.finding(format!("{}: {status} has a body, none declared", op.id), what),
            None => {}
            Some((ct, m)) => {
                if !content_type.starts_with(ct.as_str()) {
                    self.finding(
                        format!("{}: {status} content type {content_type:?}, declared {ct}", op.id),
                        what.clone(),
                    );
                }
                let Some(schema) = resolve_name(&m["schema"]) else { return };
                let parsed: Value = match serde_json::from_slice(body) {
                    Ok(v) => v,
                    Err(_) => {
                        self.finding(format!("{}: {status} body is not JSON", op.id), what);
                        return;
                    }
                };
                self.validated += 1;
                let validator = self.validators.entry(schema.clone()).or_insert_with(|| self.spec.validator(&schema));
                for p in problems(validator, &parsed).into_iter().take(3) {
                    let field = generic_path(p.rsplit(" at ").next().unwrap_or_default());
                    self.finding(format!("{} {status} ({schema}) at {field}", op.id), format!("{what}: {p}"));
                }
            }
        }
    }
}

impl Checker {
    /// A JSON body our spec refuses (wrong type, `null` where not nullable, missing required
    /// field) must not be answered 2xx: the sandbox is as strict as Basiq with input.
    fn check_input(&mut self, op: &Op, d: &Drawn, status: u16, what: &str) {
        if !(200..300).contains(&status) || d.broken_json {
            return;
        }
        let (Some((ct, schema)), Some(body)) = (&op.body, &d.body) else { return };
        if ct != "application/json" {
            return;
        }
        let Some(name) = resolve_name(schema) else { return };
        let validator = self.validators.entry(name.clone()).or_insert_with(|| self.spec.validator(&name));
        if let Some(p) = problems(validator, body).into_iter().next() {
            let field = generic_path(p.rsplit(" at ").next().unwrap_or_default());
            self.finding(
                format!("{} accepted invalid input ({name}) at {field}", op.id),
                format!("{what} {body}: {p}"),
            );
        }
    }
}

/// An instance path with list positions blurred (`/data/3/enrich` → `/data/*/enrich`).
pub(super) fn generic_path(path: &str) -> String {
    path.split('/')
        .map(|p| if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) { "*" } else { p })
        .collect::<Vec<_>>()
        .join("/")
}
