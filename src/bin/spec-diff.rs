//! `spec-diff`: compare Basiq's published OpenAPI files with our own `openapi/basiq.yaml`.
//!
//! Maintainers' tool (feature `codegen`). Our spec is written by hand, in our own words, and
//! deliberately differs from Basiq's files in places (lenient response types, fixed list
//! envelopes, renamed operations...). Every deliberate difference must be documented in
//! `openapi/DEVIATIONS.md`; this tool finds the differences and checks that each one is.
//!
//! ```text
//! cargo run --quiet --features codegen --bin spec-diff -- <basiq-spec-file-or-dir>... \
//!     [--ours openapi/basiq.yaml] [--deviations openapi/DEVIATIONS.md]
//! ```
//!
//! What it reports:
//!
//! 1. **Operations**, matched by `(METHOD, path)` with path parameter names ignored
//!    (`{id}` and `{reportId}` are the same slot): upstream operations missing from ours,
//!    operations only we have, and operationId changes. An operation of ours carrying
//!    `x-basiq-operation-id: <original>` is a documented rename; any other changed
//!    operationId is an unexplained difference.
//! 2. **Fields** of each matched operation: the request body (JSON, multipart or
//!    form-urlencoded) and the union of the 2xx JSON response bodies are flattened into
//!    dotted paths with a base type (`data[].class.type: string`). `$ref`s are resolved
//!    within their own file, `allOf` is merged, `oneOf`/`anyOf` alternatives are united,
//!    array items get a `[]` segment and `additionalProperties` schemas a `*` segment.
//!    `format`, `enum`, `nullable`, `required` and descriptions are ignored. Upstream fields
//!    absent from ours and fields typed differently are differences; fields only we have are
//!    listed as "extra" (informational). Fields nested under a field that already differs
//!    are folded into that line (`+N nested`).
//! 3. **Explanations**: a difference is explained when one line of the deviations file
//!    holds, in backticks, the operationId (ours or Basiq's, or `*` for every operation)
//!    and the field path or a prefix of it ending at a segment boundary (`meta` explains
//!    `meta.fees[].amount`).
//!
//! Exit status: 0 when every upstream operation is present and every difference is
//! explained, 1 otherwise, 2 when an input cannot be read or parsed.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: spec-diff <basiq-spec-file-or-dir>... [--ours openapi/basiq.yaml] \
                     [--deviations openapi/DEVIATIONS.md]";
const DEFAULT_OURS: &str = "openapi/basiq.yaml";
const DEFAULT_DEVIATIONS: &str = "openapi/DEVIATIONS.md";
const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];
/// Extension naming the original Basiq operationId of an operation we renamed.
const ORIGINAL_ID: &str = "x-basiq-operation-id";

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(message) => {
            eprintln!("spec-diff: {message}");
            ExitCode::from(2)
        }
    }
}

/// Loads everything, prints the report and tells whether the check passed.
fn run() -> Result<bool, String> {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    if raw.iter().any(|arg| arg == "-h" || arg == "--help") {
        println!("{USAGE}");
        return Ok(true);
    }
    let args = Args::parse(raw.into_iter())?;
    let upstream = load_upstream(&args.upstream)?;
    let ours = Spec::load(&args.ours)?;
    let deviations = Deviations::load(&args.deviations, args.deviations_given)?;

    let theirs_ops = index_operations(&upstream);
    let ours_ops = index_operations(std::slice::from_ref(&ours));
    let report = Report::build(&theirs_ops, &ours_ops, &deviations);

    println!(
        "spec-diff: upstream {} file(s), {} operations; ours {}, {} operations; deviations {} ({} lines with backticks)",
        upstream.len(),
        theirs_ops.len(),
        ours.name,
        ours_ops.len(),
        args.deviations.display(),
        deviations.lines.len(),
    );
    report.print();
    Ok(report.passed())
}

// ---------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------

/// Parsed command line.
#[derive(Debug)]
struct Args {
    upstream: Vec<PathBuf>,
    ours: PathBuf,
    deviations: PathBuf,
    /// Whether `--deviations` was given: only then is a missing file an error.
    deviations_given: bool,
}

impl Args {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Self, String> {
        let mut parsed = Args {
            upstream: Vec::new(),
            ours: PathBuf::from(DEFAULT_OURS),
            deviations: PathBuf::from(DEFAULT_DEVIATIONS),
            deviations_given: false,
        };
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => (flag.to_owned(), Some(value)),
                _ => (arg.clone(), None),
            };
            let mut value = |name: &str| {
                inline
                    .map(str::to_owned)
                    .or_else(|| args.next())
                    .map(PathBuf::from)
                    .ok_or_else(|| format!("{name} needs a path ({USAGE})"))
            };
            match flag.as_str() {
                "--ours" => parsed.ours = value("--ours")?,
                "--deviations" => {
                    parsed.deviations = value("--deviations")?;
                    parsed.deviations_given = true;
                }
                other if other.starts_with('-') => {
                    return Err(format!("unknown option {other} ({USAGE})"));
                }
                _ => parsed.upstream.push(PathBuf::from(arg)),
            }
        }
        if parsed.upstream.is_empty() {
            return Err(format!("no Basiq spec file or directory given ({USAGE})"));
        }
        Ok(parsed)
    }
}

// ---------------------------------------------------------------------------------------
// Loading specs
// ---------------------------------------------------------------------------------------

/// One parsed OpenAPI document; `$ref`s are resolved against its own root.
#[derive(Debug)]
struct Spec {
    name: String,
    root: Value,
}

impl Spec {
    fn load(path: &Path) -> Result<Self, String> {
        let root = parse_document(path)?;
        if !root.get("paths").is_some_and(Value::is_object) {
            return Err(format!("{}: no `paths` mapping", path.display()));
        }
        Ok(Spec { name: path.display().to_string(), root })
    }

    /// Short name for listings: the file name only.
    fn short_name(&self) -> &str {
        Path::new(&self.name).file_name().and_then(|name| name.to_str()).unwrap_or(&self.name)
    }
}

/// Loads every upstream file, expanding directories to their `*.yml`/`*.yaml`/`*.json`.
fn load_upstream(paths: &[PathBuf]) -> Result<Vec<Spec>, String> {
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

fn parse_yaml(text: &str) -> Result<Value, serde_yaml::Error> {
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
fn resolve<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    root.pointer(reference.strip_prefix('#')?)
}

/// Follows `$ref` chains on a non-schema object (response, request body); at most 16 hops.
fn deref<'a>(root: &'a Value, mut node: &'a Value) -> Option<&'a Value> {
    for _ in 0..16 {
        match node.get("$ref").and_then(Value::as_str) {
            Some(reference) => node = resolve(root, reference)?,
            None => return Some(node),
        }
    }
    None
}

// ---------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------

/// One operation of one spec.
#[derive(Debug)]
struct Operation<'a> {
    method: String,
    path: String,
    id: Option<String>,
    /// `x-basiq-operation-id`: the Basiq operationId this (renamed) operation stands for.
    original_id: Option<String>,
    spec: &'a Spec,
    node: &'a Value,
}

impl Operation<'_> {
    /// The operationId, or `METHOD path` when there is none.
    fn label(&self) -> String {
        self.id.clone().unwrap_or_else(|| format!("{} {}", self.method, self.path))
    }
}

/// `(METHOD, normalised path)`.
type OpKey = (String, String);

/// All operations of `specs`, keyed by method and normalised path; the first of duplicates wins.
fn index_operations(specs: &[Spec]) -> BTreeMap<OpKey, Operation<'_>> {
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

// ---------------------------------------------------------------------------------------
// Field flattening
// ---------------------------------------------------------------------------------------

/// The base JSON type of a field; `Any` when the schema declares none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum BaseType {
    Any,
    Array,
    Boolean,
    Integer,
    Number,
    Object,
    String,
}

impl BaseType {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "array" => Self::Array,
            "boolean" => Self::Boolean,
            "integer" => Self::Integer,
            "number" => Self::Number,
            "object" => Self::Object,
            "string" => Self::String,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::Any => "any",
            Self::Array => "array",
            Self::Boolean => "boolean",
            Self::Integer => "integer",
            Self::Number => "number",
            Self::Object => "object",
            Self::String => "string",
        }
    }
}

/// The types a field may have (several through `oneOf`/`anyOf`). `Any` only stands alone:
/// a concrete type from another branch wins over an untyped one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Types(BTreeSet<BaseType>);

impl Types {
    fn one(base: BaseType) -> Self {
        Types(BTreeSet::from([base]))
    }

    fn add(&mut self, base: BaseType) {
        if base == BaseType::Any && !self.0.is_empty() {
            return;
        }
        if base != BaseType::Any {
            self.0.remove(&BaseType::Any);
        }
        self.0.insert(base);
    }

    fn extend_named(&mut self, name: &str) {
        if let Some(base) = BaseType::from_name(name) {
            self.add(base);
        }
    }

    fn merge(&mut self, other: &Types) {
        for base in &other.0 {
            self.add(*base);
        }
    }

    /// The types, or `any` when nothing was declared.
    fn finished(mut self) -> Self {
        if self.0.is_empty() {
            self.0.insert(BaseType::Any);
        }
        self
    }
}

impl fmt::Display for Types {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|base| base.name()).collect();
        f.write_str(&names.join("|"))
    }
}

/// Dotted field path -> types.
type Fields = BTreeMap<String, Types>;

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
struct Bodies {
    request: Fields,
    response: Fields,
}

impl Bodies {
    fn of(op: &Operation<'_>) -> Self {
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

// ---------------------------------------------------------------------------------------
// Deviations
// ---------------------------------------------------------------------------------------

/// The backticked tokens of each line of the deviations file that has any.
#[derive(Debug, Default)]
struct Deviations {
    lines: Vec<BTreeSet<String>>,
}

impl Deviations {
    fn load(path: &Path, required: bool) -> Result<Self, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => Ok(Self::parse(&text)),
            Err(err) if !required && err.kind() == std::io::ErrorKind::NotFound => {
                eprintln!("spec-diff: note: {} not found; no difference counts as explained", path.display());
                Ok(Self::default())
            }
            Err(err) => Err(format!("{}: cannot read: {err}", path.display())),
        }
    }

    fn parse(text: &str) -> Self {
        let lines = text.lines().map(backticked).filter(|tokens| !tokens.is_empty()).collect();
        Deviations { lines }
    }

    /// Whether one line names one of `op_ids` (or `*`) and covers `field`.
    fn explains(&self, op_ids: &[&str], field: &str) -> bool {
        self.lines.iter().any(|tokens| {
            let names_op = tokens.contains("*") || op_ids.iter().any(|id| tokens.contains(*id));
            names_op && tokens.iter().any(|token| covers(token, field))
        })
    }
}

/// The closed backtick spans of a line, trimmed.
fn backticked(line: &str) -> BTreeSet<String> {
    let pieces: Vec<&str> = line.split('`').collect();
    // Odd pieces are inside backticks, but only when a closing backtick follows them.
    pieces
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 2 == 1 && i + 1 < pieces.len())
        .map(|(_, token)| token.trim())
        .filter(|token| !token.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Whether `prefix` is `field` or a leading run of its segments.
fn covers(prefix: &str, field: &str) -> bool {
    field.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
}

/// The strict ancestors of a field path: `a[].b.c` -> `a`, `a[]`, `a[].b`.
fn ancestors(field: &str) -> impl Iterator<Item = &str> {
    field.char_indices().filter(|(i, c)| *i > 0 && (*c == '.' || *c == '[')).map(|(i, _)| &field[..i])
}

// ---------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Section {
    Request,
    Response,
}

impl Section {
    fn name(self) -> &'static str {
        match self {
            Section::Request => "request",
            Section::Response => "response",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Change {
    /// Upstream has the field, we do not.
    Missing(Types),
    /// Both have it with different types.
    Retyped { theirs: Types, ours: Types },
    /// Only we have it (informational).
    Extra(Types),
}

/// One difference in the fields of an operation.
#[derive(Debug, Clone)]
struct FieldDiff {
    section: Section,
    field: String,
    change: Change,
    /// Differences below this field folded into this line.
    nested: usize,
    explained: bool,
}

impl FieldDiff {
    fn is_extra(&self) -> bool {
        matches!(self.change, Change::Extra(_))
    }

    /// Whether a difference `change` below this one is folded into it.
    fn absorbs(&self, change: &Change) -> bool {
        matches!(
            (&self.change, change),
            (Change::Retyped { .. }, Change::Missing(_) | Change::Extra(_))
                | (Change::Missing(_), Change::Missing(_))
                | (Change::Extra(_), Change::Extra(_))
        )
    }

    fn describe(&self) -> String {
        let (label, text) = match &self.change {
            Change::Missing(theirs) => ("missing", format!("{}: {theirs}", self.field)),
            Change::Retyped { theirs, ours } => ("type", format!("{}: {theirs} (ours: {ours})", self.field)),
            Change::Extra(ours) => ("extra", format!("{}: {ours}", self.field)),
        };
        let nested = match self.nested {
            0 => String::new(),
            n => format!(" (+{n} nested)"),
        };
        format!("{:<8} {label:<7} {text}{nested}", self.section.name())
    }
}

/// Compares one section; returns differences sorted by field, nested ones folded.
fn compare_fields(section: Section, theirs: &Fields, ours: &Fields) -> Vec<FieldDiff> {
    let paths: BTreeSet<&String> = theirs.keys().chain(ours.keys()).collect();
    let mut diffs: Vec<FieldDiff> = Vec::new();
    let mut anchors: BTreeMap<&str, usize> = BTreeMap::new();
    for path in paths {
        let change = match (theirs.get(path), ours.get(path)) {
            (Some(t), Some(o)) if t == o => continue,
            (Some(t), Some(o)) => Change::Retyped { theirs: t.clone(), ours: o.clone() },
            (Some(t), None) => Change::Missing(t.clone()),
            (None, Some(o)) => Change::Extra(o.clone()),
            (None, None) => continue,
        };
        let parent = ancestors(path)
            .filter_map(|ancestor| anchors.get(ancestor).copied())
            .find(|&index| diffs[index].absorbs(&change));
        match parent {
            Some(index) => diffs[index].nested += 1,
            None => {
                anchors.insert(path, diffs.len());
                diffs.push(FieldDiff { section, field: path.clone(), change, nested: 0, explained: false });
            }
        }
    }
    diffs
}

/// How an operation's operationId compares.
#[derive(Debug, Clone, PartialEq, Eq)]
enum IdNote {
    Same,
    /// Ours carries `x-basiq-operation-id` naming theirs.
    Renamed,
    /// Differs without a matching `x-basiq-operation-id`: an unexplained difference.
    Mismatch,
}

/// The comparison of one matched operation.
struct OpReport<'a> {
    theirs: &'a Operation<'a>,
    ours: &'a Operation<'a>,
    id_note: IdNote,
    diffs: Vec<FieldDiff>,
}

impl<'a> OpReport<'a> {
    fn build(theirs: &'a Operation<'a>, ours: &'a Operation<'a>, deviations: &Deviations) -> Self {
        let id_note = if theirs.id == ours.id {
            IdNote::Same
        } else if theirs.id.is_some() && ours.original_id == theirs.id {
            IdNote::Renamed
        } else {
            IdNote::Mismatch
        };
        let (their_bodies, our_bodies) = (Bodies::of(theirs), Bodies::of(ours));
        let mut diffs = compare_fields(Section::Request, &their_bodies.request, &our_bodies.request);
        diffs.extend(compare_fields(Section::Response, &their_bodies.response, &our_bodies.response));
        let ids: Vec<&str> = [&ours.id, &theirs.id].into_iter().flatten().map(String::as_str).collect();
        for diff in diffs.iter_mut().filter(|diff| !diff.is_extra()) {
            diff.explained = deviations.explains(&ids, &diff.field);
        }
        OpReport { theirs, ours, id_note, diffs }
    }

    fn differences(&self) -> impl Iterator<Item = &FieldDiff> {
        self.diffs.iter().filter(|diff| !diff.is_extra())
    }

    fn extras(&self) -> impl Iterator<Item = &FieldDiff> {
        self.diffs.iter().filter(|diff| diff.is_extra())
    }

    fn print(&self) {
        let renamed = match self.id_note {
            IdNote::Same => String::new(),
            IdNote::Renamed => format!("  (renamed from {})", self.theirs.label()),
            IdNote::Mismatch => {
                format!("  (operationId differs from {}; add `{ORIGINAL_ID}`)  UNEXPLAINED", self.theirs.label())
            }
        };
        println!("\n{}  {} {}{renamed}", self.ours.label(), self.theirs.method, self.theirs.path);
        let lines: Vec<(String, &str)> = self
            .differences()
            .map(|diff| (diff.describe(), mark(diff.explained)))
            .chain(self.extras().map(|diff| (diff.describe(), "(informational)")))
            .collect();
        let width = lines.iter().map(|(text, _)| text.len()).max().unwrap_or(0);
        for (text, mark) in lines {
            println!("  {text:<width$}  {mark}");
        }
    }
}

fn mark(explained: bool) -> &'static str {
    if explained { "explained" } else { "UNEXPLAINED" }
}

// ---------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------

/// The whole comparison.
struct Report<'a> {
    matched: Vec<OpReport<'a>>,
    missing_in_ours: Vec<&'a Operation<'a>>,
    only_in_ours: Vec<&'a Operation<'a>>,
    upstream_total: usize,
}

impl<'a> Report<'a> {
    fn build(
        theirs: &'a BTreeMap<OpKey, Operation<'a>>,
        ours: &'a BTreeMap<OpKey, Operation<'a>>,
        deviations: &Deviations,
    ) -> Self {
        let mut matched = Vec::new();
        let mut missing_in_ours = Vec::new();
        for (key, their_op) in theirs {
            match ours.get(key) {
                Some(our_op) => matched.push(OpReport::build(their_op, our_op, deviations)),
                None => missing_in_ours.push(their_op),
            }
        }
        let mut only_in_ours: Vec<_> =
            ours.iter().filter(|(key, _)| !theirs.contains_key(*key)).map(|(_, op)| op).collect();
        matched.sort_by_key(|op| (op.ours.label(), op.theirs.method.clone()));
        missing_in_ours.sort_by_key(|op| op.label());
        only_in_ours.sort_by_key(|op| op.label());
        Report { matched, missing_in_ours, only_in_ours, upstream_total: theirs.len() }
    }

    fn differences(&self) -> impl Iterator<Item = &FieldDiff> {
        self.matched.iter().flat_map(OpReport::differences)
    }

    fn id_mismatches(&self) -> usize {
        self.matched.iter().filter(|op| op.id_note == IdNote::Mismatch).count()
    }

    fn unexplained(&self) -> usize {
        self.differences().filter(|diff| !diff.explained).count() + self.id_mismatches()
    }

    fn passed(&self) -> bool {
        self.missing_in_ours.is_empty() && self.unexplained() == 0
    }

    fn print(&self) {
        self.print_operations();
        self.print_fields();
        self.print_summary();
    }

    fn print_operations(&self) {
        println!("\noperations: {} of {} upstream operations present in ours", self.matched.len(), self.upstream_total);
        print_op_list("missing in ours", &self.missing_in_ours, true);
        print_op_list("only in ours (not upstream)", &self.only_in_ours, false);
        let renamed: Vec<_> = self.matched.iter().filter(|op| op.id_note == IdNote::Renamed).collect();
        if !renamed.is_empty() {
            println!("renamed ({}):", renamed.len());
            for op in renamed {
                println!("  {} -> {}  ({} {})", op.theirs.label(), op.ours.label(), op.theirs.method, op.theirs.path);
            }
        }
    }

    fn print_fields(&self) {
        let changed: Vec<_> =
            self.matched.iter().filter(|op| !op.diffs.is_empty() || op.id_note == IdNote::Mismatch).collect();
        println!("\nfields: {} of {} matched operations differ", changed.len(), self.matched.len());
        println!(
            "(missing: upstream field absent from ours; type: upstream type, ours in parentheses; \
             extra: only in ours; +N nested: differences below that field, folded in)"
        );
        for op in changed {
            op.print();
        }
    }

    fn print_summary(&self) {
        let total = self.differences().count() + self.id_mismatches();
        let unexplained = self.unexplained();
        let extras = self.matched.iter().flat_map(OpReport::extras).count();
        println!(
            "\nsummary: operations {} matched, {} missing in ours, {} only in ours; \
             differences {total} total, {} explained, {unexplained} UNEXPLAINED; \
             {extras} extra in ours (informational)",
            self.matched.len(),
            self.missing_in_ours.len(),
            self.only_in_ours.len(),
            total - unexplained,
        );
    }
}

fn print_op_list(title: &str, ops: &[&Operation<'_>], show_file: bool) {
    if ops.is_empty() {
        return;
    }
    println!("{title} ({}):", ops.len());
    let width = ops.iter().map(|op| op.label().len()).max().unwrap_or(0);
    for op in ops {
        let file = if show_file { format!("  [{}]", op.spec.short_name()) } else { String::new() };
        println!("  {:<width$}  {:<6} {}{file}", op.label(), op.method, op.path);
    }
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

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
    fn folds_nested_differences() {
        let theirs = Fields::from([
            ("meta".to_owned(), Types::one(BaseType::Object)),
            ("meta.fees".to_owned(), Types::one(BaseType::Array)),
            ("meta.fees[].amount".to_owned(), Types::one(BaseType::Number)),
            ("name".to_owned(), Types::one(BaseType::String)),
        ]);
        let ours = Fields::from([
            ("meta".to_owned(), Types::one(BaseType::Any)),
            ("links".to_owned(), Types::one(BaseType::Object)),
            ("links.self".to_owned(), Types::one(BaseType::String)),
        ]);
        let diffs = compare_fields(Section::Response, &theirs, &ours);
        let summary: Vec<(&str, usize)> = diffs.iter().map(|d| (d.field.as_str(), d.nested)).collect();
        assert_eq!(summary, [("links", 1), ("meta", 2), ("name", 0)]);
    }

    #[test]
    fn explains_by_operation_and_field_prefix() {
        let deviations = Deviations::parse(
            "- `getAccounts`: `meta` is untyped because it varies.\n\
             - `*` `links.next` may be absent.\n\
             - `getJob` `steps[]` unclosed `result\n",
        );
        assert!(deviations.explains(&["getAccounts"], "meta"));
        assert!(deviations.explains(&["getAccounts"], "meta.fees[].amount"));
        assert!(!deviations.explains(&["getAccounts"], "metadata"));
        assert!(!deviations.explains(&["getAccount"], "meta"));
        assert!(deviations.explains(&["renamedOp", "getAccounts"], "meta"));
        assert!(deviations.explains(&["anything"], "links.next"));
        assert!(!deviations.explains(&["anything"], "links"));
        assert!(deviations.explains(&["getJob"], "steps[].result"));
        assert!(!deviations.explains(&["getJob"], "result"));
    }

    #[test]
    fn normalises_path_parameters() {
        assert_eq!(normalise_path("/reports/{id}/x"), "/reports/{}/x");
        assert_eq!(normalise_path("/reports/{reportId}/x"), normalise_path("/reports/{id}/x"));
    }

    #[test]
    fn parses_unquoted_status_keys() -> Result<(), serde_yaml::Error> {
        let root = parse_yaml("responses:\n  200: {description: ok}\n")?;
        assert!(root.pointer("/responses/200").is_some());
        Ok(())
    }
}
