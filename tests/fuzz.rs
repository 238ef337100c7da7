//! Schema-driven fuzzing of the sandbox against our own spec (`openapi/basiq.yaml`).
//!
//! For every operation of the spec, proptest strategies built from the operation's parameters
//! and request schema draw requests: path parameters from the real ids of a connected user (and
//! random ones), query parameters, and JSON, form or multipart bodies from the request schemas
//! with random mutations (`null`, `""`, wrong types, unknown fields, broken JSON). Each request
//! goes to an in-process sandbox, and each answer is checked: no 5xx, a status the spec declares
//! for the operation, the declared content type, and a body valid against the spec for that
//! status. The run is bounded by a request budget (`FUZZ_REQUESTS`, default 3,000) and a time
//! guard; it prints the request count and duration.

#[path = "spec_schema/mod.rs"]
mod spec_schema;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use basiq_sandbox::Sandbox;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Map, Value, json};
use spec_schema::{Spec, problems};

/// Requests per run unless `FUZZ_REQUESTS` says otherwise.
const DEFAULT_BUDGET: usize = 3_000;
/// Requests against one seeded world before a fresh one is seeded (deletes run at its end).
const ROUND: usize = 250;
/// The run stops early past this, whatever the budget.
const TIME_GUARD: Duration = Duration::from_secs(50);

/// One operation of the spec.
struct Op {
    id: String,
    method: String,
    path: String,
    params: Vec<Param>,
    /// Content type and schema of the request body.
    body: Option<(String, Value)>,
    responses: Map<String, Value>,
    /// Operations that remove state run at the end of a round.
    destructive: bool,
}

struct Param {
    name: String,
    location: String,
    required: bool,
    schema: Value,
}

/// Follow a local `$ref` (`#/components/...`) to what it names.
fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
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

fn operations(doc: &Value) -> Vec<Op> {
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

/// Values that reach the sandbox's interesting branches more often than random text.
const LITERALS: &[&str] = &[
    "2024-01",
    "2025-06",
    "2024-01-01",
    "2100-01-01",
    "AU00000",
    "AU00002",
    "AU00004",
    "user.created",
    "consent.archived",
    "https://hooks.example.com/basiq",
    "a@b.co",
    "+61410888999",
    "CON_AFFOR_01",
    "STATEMENT_01",
    "SERVER_ACCESS",
    "CLIENT_ACCESS",
    "web",
    "ABN",
    "WOOLWORTHS",
];

fn text(ids: &[String]) -> BoxedStrategy<Value> {
    let mut pool: Vec<String> = ids.to_vec();
    pool.extend(LITERALS.iter().map(|s| (*s).to_owned()));
    prop_oneof![
        4 => prop::sample::select(pool),
        2 => prop::collection::vec(prop::char::range('a', 'z'), 0..10).prop_map(|c| c.into_iter().collect()),
        1 => prop::collection::vec(any::<char>(), 0..8).prop_map(|c| c.into_iter().collect()),
    ]
    .prop_map(Value::String)
    .boxed()
}

/// A value of some other JSON type than the schema asks for, or null, or "".
fn mutation() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        Just(json!("")),
        Just(json!(12345)),
        Just(json!(false)),
        Just(json!(87.09)),
        Just(json!({"x": [1, 2]})),
        Just(json!([null])),
    ]
    .boxed()
}

/// Values for a schema, with a mutation now and then.
/// `mutate`: out of 8 values, how many are replaced by a mutation (0 = well-typed values only).
fn value(doc: &Value, schema: &Value, depth: u32, ids: &[String], mutate: u32) -> BoxedStrategy<Value> {
    let s = resolve(doc, schema);
    let base: BoxedStrategy<Value> = if let Some(values) = s["enum"].as_array().filter(|v| !v.is_empty()) {
        prop::sample::select(values.clone()).boxed()
    } else {
        match s["type"].as_str() {
            Some("string") => text(ids),
            Some("integer") => prop_oneof![0i64..600, any::<i64>()].prop_map(Value::from).boxed(),
            Some("number") => prop_oneof![(0i64..100_000).prop_map(|n| n as f64 / 100.0), any::<f64>()]
                .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number))
                .boxed(),
            Some("boolean") => any::<bool>().prop_map(Value::from).boxed(),
            Some("array") if depth < 4 => prop::collection::vec(value(doc, &s["items"], depth + 1, ids, mutate), 0..3)
                .prop_map(Value::Array)
                .boxed(),
            Some("array") => Just(json!([])).boxed(),
            _ if depth < 4 => object(doc, s, depth, ids, mutate),
            _ => Just(json!({})).boxed(),
        }
    };
    if mutate == 0 { base } else { prop_oneof![8 - mutate.min(7) => base, mutate.min(7) => mutation()].boxed() }
}

fn object(doc: &Value, s: &Value, depth: u32, ids: &[String], mutate: u32) -> BoxedStrategy<Value> {
    let required: BTreeSet<&str> = s["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    let fields: Vec<BoxedStrategy<Option<(String, Value)>>> = s["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, prop)| {
            let name = name.clone();
            let v = match named(&name) {
                Some(good) => prop_oneof![3 => good, 1 => value(doc, prop, depth + 1, ids, mutate)].boxed(),
                None => value(doc, prop, depth + 1, ids, mutate),
            };
            if required.contains(name.as_str()) {
                if mutate == 0 {
                    v.prop_map(move |v| Some((name.clone(), v))).boxed()
                } else {
                    prop_oneof![12 => v.prop_map(move |v| Some((name.clone(), v))), 1 => Just(None)].boxed()
                }
            } else {
                prop::option::weighted(0.5, v.prop_map(move |v| (name.clone(), v))).boxed()
            }
        })
        .collect();
    (fields, prop::option::weighted(0.1, text(ids)))
        .prop_map(|(fields, unknown)| {
            let mut map: Map<String, Value> = fields.into_iter().flatten().collect();
            if let Some(v) = unknown {
                map.insert("unknownField".to_owned(), v);
            }
            Value::Object(map)
        })
        .boxed()
}

/// Placeholders for the seeded user and account in drawn bodies (replaced when sending).
const USER: &str = "@USER@";
const ACCOUNT: &str = "@ACCOUNT@";

/// Well-formed values for fields whose name says what they hold, so that creates succeed often.
fn named(field: &str) -> Option<BoxedStrategy<Value>> {
    let word =
        || prop::collection::vec(prop::char::range('a', 'z'), 1..8).prop_map(|c| c.into_iter().collect::<String>());
    Some(match field {
        "email" => word().prop_map(|w| Value::String(format!("{w}@example.com"))).boxed(),
        "url" => word().prop_map(|w| Value::String(format!("https://hooks.example.com/{w}"))).boxed(),
        "mobile" => (10_000_000u32..99_999_999).prop_map(|n| Value::String(format!("+614{n}"))).boxed(),
        "title" => word().prop_map(Value::String).boxed(),
        "reportType" => prop::sample::select(vec![json!("CON_AFFOR_01"), json!("STATEMENT_01")]).boxed(),
        "filters" => Just(json!([
            {"name": "fromDate", "value": "2000-01-01"}, {"name": "toDate", "value": "2100-01-01"},
            {"name": "accounts", "value": [ACCOUNT]}, {"name": "users", "value": [USER]}]))
        .boxed(),
        "mfa-response" => {
            prop::sample::select(vec![json!(["1234"]), json!(["Hooli"]), json!(["Basiq", "AU00000"])]).boxed()
        }
        _ => return None,
    })
}

/// A query or header value as text.
fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The real ids of one connected user (and the app's other resources), by path parameter.
#[derive(Default)]
struct World {
    ids: HashMap<String, Vec<String>>,
    filters: Vec<String>,
}

impl World {
    fn add(&mut self, key: &str, id: impl Into<String>) {
        let id = id.into();
        if !id.is_empty() {
            self.ids.entry(key.to_owned()).or_default().push(id);
        }
    }

    fn all(&self) -> Vec<String> {
        self.ids.values().flatten().cloned().collect()
    }

    /// The pool for a path parameter of `path`.
    fn pool(&self, path: &str, name: &str) -> Vec<String> {
        let key = match name {
            "snapshotId" if path.contains("/expenses/") => "expensesId",
            "snapshotId" if path.contains("/income/") => "incomeId",
            "snapshotId" => "affordabilityId",
            "id" if path.starts_with("/events/types") => "eventTypeId",
            "id" if path.starts_with("/events") => "eventId",
            "id" | "reportId" => "reportId",
            other => other,
        };
        self.ids.get(key).cloned().unwrap_or_default()
    }
}

struct Fuzz {
    sandbox: Sandbox,
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Fuzz {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("seed request");
        resp.json().await.unwrap_or(Value::Null)
    }

    async fn wait_job(&self, job: &str) -> Value {
        for _ in 0..400 {
            let j = self.call(reqwest::Method::GET, &format!("/jobs/{job}"), None).await;
            let steps = j["steps"].as_array().cloned().unwrap_or_default();
            if steps.iter().all(|s| s["status"] == "success") || steps.iter().any(|s| s["status"] == "failed") {
                return j;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("seed job {job} never finished");
    }

    /// A fresh user with a connected persona, and one of every other resource.
    async fn seed(&mut self, round: usize) -> World {
        use reqwest::Method;
        self.token = self.sandbox.server_token();
        let mut w = World::default();
        let (login, password, institution) = if round.is_multiple_of(2) {
            ("gavinBelson", "hooli2016", "AU00000")
        } else {
            ("laurieBream", "business2024", "AU00004")
        };
        let user = self.sandbox.create_user(&format!("fuzz{round}@example.com"));
        let outcome = self.sandbox.complete_consent(&user, institution, login, password).expect("consent");
        self.wait_job(&outcome.job_id).await;
        w.add("userId", &user);
        w.add("jobId", &outcome.job_id);
        let ids = |v: &Value| -> Vec<String> {
            v["data"].as_array().into_iter().flatten().filter_map(|i| i["id"].as_str().map(str::to_owned)).collect()
        };
        for (list, key) in [
            ("accounts", "accountId"),
            ("transactions?limit=10", "transactionId"),
            ("connections", "connectionId"),
            ("consents", "consentId"),
            ("identities", "identityId"),
        ] {
            let v = self.call(Method::GET, &format!("/users/{user}/{list}"), None).await;
            for id in ids(&v) {
                w.add(key, id);
            }
        }
        for (kind, key) in [("affordability", "affordabilityId"), ("expenses", "expensesId"), ("income", "incomeId")] {
            let v = self.call(Method::POST, &format!("/users/{user}/{kind}"), Some(json!({}))).await;
            w.add(key, v["id"].as_str().unwrap_or_default());
        }
        let account = w.pool("", "accountId").first().cloned().unwrap_or_default();
        let job = self
            .call(
                Method::POST,
                "/reports",
                Some(json!({"reportType": "CON_AFFOR_01", "title": "fuzz", "filters": [
                    {"name": "fromDate", "value": "2000-01-01"}, {"name": "toDate", "value": "2100-01-01"},
                    {"name": "accounts", "value": [account]}, {"name": "users", "value": [user]}]})),
            )
            .await;
        if let Some(job) = job["id"].as_str() {
            let done = self.wait_job(job).await;
            let url = done["steps"][0]["result"]["url"].as_str().unwrap_or_default();
            w.add("reportId", url.rsplit('/').next().unwrap_or_default());
        }
        self.call(Method::POST, &format!("/users/{user}/auth_link"), Some(json!({"mobile": "+61410888999"}))).await;
        // A job waiting at its MFA step (Pied Piper Bank always asks).
        if let Ok(mfa) = self.sandbox.complete_consent(&user, "AU00002", "jared", "django") {
            w.add("jobId", mfa.job_id);
        }
        let hook = self
            .call(
                Method::POST,
                "/notifications/webhooks",
                Some(json!({"url": format!("https://hooks.example.com/{round}"), "subscribedEvents": ["user.created", "user.updated"]})),
            )
            .await;
        let hook_id = hook["id"].as_str().unwrap_or_default().to_owned();
        w.add("webhookId", &hook_id);
        self.call(Method::POST, "/notifications/messages/test", Some(json!({"eventTypeId": "user.created"}))).await;
        let messages = self.call(Method::GET, &format!("/notifications/webhooks/{hook_id}/messages"), None).await;
        for id in ids(&messages) {
            w.add("messageId", id);
        }
        let events = self.call(Method::GET, "/events?limit=20", None).await;
        for id in ids(&events) {
            w.add("eventId", id);
        }
        for id in ids(&self.call(Method::GET, "/events/types", None).await) {
            w.add("eventTypeId", id);
        }
        for id in ids(&self.call(Method::GET, "/reports/types", None).await) {
            w.add("reportTypeId", id);
        }
        let connectors = self.call(Method::GET, "/connectors", None).await;
        for c in connectors["data"].as_array().into_iter().flatten().take(5) {
            w.add("connectorId", c["id"].as_str().unwrap_or_default());
            w.add("method", c["method"].as_str().unwrap_or_default());
        }
        let conn = w.pool("", "connectionId").first().cloned().unwrap_or_default();
        w.filters = vec![
            format!("connection.id.eq('{conn}')"),
            format!("account.id.eq('{account}')"),
            format!("user.id.eq('{user}')"),
            "event.entity.eq('user')".to_owned(),
            "transaction.postDate.bt('2024-01-01','2100-01-01')".to_owned(),
            "institution.id.in('AU00000','AU00004')".to_owned(),
            "status.eq('active')".to_owned(),
            "eventTypeId.eq('user.created')".to_owned(),
            "nonsense(".to_owned(),
        ];
        w
    }
}

/// A request drawn for an operation.
#[derive(Debug)]
struct Drawn {
    path: String,
    query: Vec<(String, String)>,
    body: Option<Value>,
    /// 0 = proper credentials; 1 = none; 2 = garbage.
    auth: u8,
    broken_json: bool,
}

fn request_strategy(doc: &Value, op: &Op, w: &World) -> BoxedStrategy<Drawn> {
    let all = w.all();
    let mut path_parts: Vec<BoxedStrategy<(String, String)>> = Vec::new();
    let mut query_parts: Vec<BoxedStrategy<Option<(String, String)>>> = Vec::new();
    for p in &op.params {
        let name = p.name.clone();
        match p.location.as_str() {
            "path" => {
                let pool = w.pool(&op.path, &p.name);
                let real = if pool.is_empty() {
                    text(&all)
                } else {
                    prop::sample::select(pool).prop_map(Value::String).boxed()
                };
                let s = prop_oneof![6 => real, 1 => text(&all)];
                path_parts.push(s.prop_map(move |v| (name.clone(), as_text(&v))).boxed());
            }
            "query" => {
                let s: BoxedStrategy<Value> = match p.name.as_str() {
                    "filter" => prop_oneof![3 => prop::sample::select(w.filters.clone()).prop_map(Value::String), 1 => text(&all)].boxed(),
                    "limit" => prop_oneof![(1i64..30).prop_map(Value::from), (-5i64..600).prop_map(Value::from), text(&all)].boxed(),
                    "q" => prop_oneof![Just(json!("WOOLWORTHS 1624 SYDNEY")), Just(json!("UBER *EATS")), text(&all)].boxed(),
                    _ => value(doc, &p.schema, 1, &all, 1),
                };
                let s = s.prop_map(move |v| (name.clone(), as_text(&v)));
                let weight = if p.required { 0.95 } else { 0.5 };
                query_parts.push(prop::option::weighted(weight, s).boxed());
            }
            _ => {}
        }
    }
    let body: BoxedStrategy<Option<Value>> = match &op.body {
        Some((_, schema)) => {
            prop_oneof![value(doc, schema, 0, &all, 0).prop_map(Some), value(doc, schema, 0, &all, 2).prop_map(Some),]
                .boxed()
        }
        None => Just(None).boxed(),
    };
    let template = op.path.clone();
    let user = w.pool("", "userId").first().cloned().unwrap_or_default();
    let account = w.pool("", "accountId").first().cloned().unwrap_or_default();
    let body = body
        .prop_map(move |b| {
            b.map(|b| {
                let text = b.to_string().replace(USER, &user).replace(ACCOUNT, &account);
                serde_json::from_str(&text).unwrap_or(b)
            })
        })
        .boxed();
    (
        path_parts,
        query_parts,
        body,
        prop_oneof![30 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8)],
        prop::bool::weighted(0.03),
    )
        .prop_map(move |(paths, query, body, auth, broken_json)| {
            let mut path = template.clone();
            for (name, v) in paths {
                path = path.replace(&format!("{{{name}}}"), &utf8_percent_encode(&v, NON_ALPHANUMERIC).to_string());
            }
            Drawn { path, query: query.into_iter().flatten().collect(), body, auth, broken_json }
        })
        .boxed()
}

/// What the spec says about one status of an operation: the response entry that covers it.
fn declared<'a>(doc: &'a Value, op: &'a Op, status: u16) -> Option<&'a Value> {
    let exact = status.to_string();
    let range = format!("{}XX", status / 100);
    op.responses
        .get(&exact)
        .or_else(|| op.responses.get(&range))
        .or_else(|| op.responses.get("default"))
        .map(|r| resolve(doc, r))
}

struct Checker {
    spec: Spec,
    validators: HashMap<String, jsonschema::Validator>,
    findings: BTreeMap<String, String>,
    /// Bodies checked against a schema.
    validated: usize,
}

impl Checker {
    fn finding(&mut self, key: String, example: String) {
        self.findings.entry(key).or_insert(example);
    }

    fn check(&mut self, doc: &Value, op: &Op, d: &Drawn, status: u16, content_type: &str, body: &[u8]) {
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
fn generic_path(path: &str) -> String {
    path.split('/')
        .map(|p| if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) { "*" } else { p })
        .collect::<Vec<_>>()
        .join("/")
}

fn resolve_name(schema: &Value) -> Option<String> {
    schema["$ref"].as_str().map(|r| r.rsplit('/').next().unwrap_or_default().to_owned())
}

async fn send(f: &Fuzz, op: &Op, d: &Drawn) -> (u16, String, Vec<u8>) {
    let method = reqwest::Method::from_bytes(op.method.as_bytes()).expect("method");
    let mut req = f.http.request(method, format!("{}{}", f.base, d.path)).query(&d.query);
    if op.id == "postToken" {
        req = req.header("basiq-version", "3.0");
        req = match d.auth {
            0 => req.header("Authorization", format!("Basic {}", f.sandbox.api_key())),
            1 => req,
            _ => req.header("Authorization", "Basic bm90LWEta2V5"),
        };
    } else {
        req = match d.auth {
            0 => req.bearer_auth(&f.token),
            1 => req,
            _ => req.bearer_auth("not-a-token"),
        };
    }
    match (&op.body, &d.body) {
        (Some(_), _) if d.broken_json => {
            req = req.header("content-type", "application/json").body("{\"broken\": ");
        }
        (Some((ct, _)), Some(body)) if ct == "application/x-www-form-urlencoded" => {
            let pairs: Vec<(String, String)> =
                body.as_object().into_iter().flatten().map(|(k, v)| (k.clone(), as_text(v))).collect();
            req = req.form(&pairs);
        }
        (Some((ct, _)), Some(body)) if ct == "multipart/form-data" => {
            let institution = body["institutionId"].as_str().unwrap_or("AU00002").to_owned();
            let csv = "date,description,amount\n2025-01-02,COFFEE,-4.50\n2025-01-03,SALARY,2500.00\n";
            let form = reqwest::multipart::Form::new()
                .text("institutionId", institution)
                .part("statement", reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("s.csv"));
            req = req.multipart(form);
        }
        (Some(_), Some(body)) => req = req.json(body),
        _ => {}
    }
    let resp = req.send().await.expect("the sandbox answers");
    let status = resp.status().as_u16();
    let ct = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let body = resp.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
    (status, ct, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_answers_every_operation_as_the_spec_says() {
    let budget: usize = std::env::var("FUZZ_REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_BUDGET);
    let spec = Spec::load_exact();
    let doc = spec.doc().clone();
    let ops = operations(&doc);
    assert_eq!(ops.len(), 56, "every operation of the spec is fuzzed");
    let sandbox = Sandbox::builder().seed(9).job_step_delay(Duration::from_millis(1)).start().await.expect("sandbox");
    let base = sandbox.base_url();
    let mut f = Fuzz { sandbox, http: reqwest::Client::new(), base, token: String::new() };
    let mut checker = Checker { spec, validators: HashMap::new(), findings: BTreeMap::new(), validated: 0 };
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &[9; 32]));
    let started = Instant::now();
    let mut sent = 0usize;
    let mut per_op: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut round = 0usize;
    while sent < budget && started.elapsed() < TIME_GUARD {
        let world = f.seed(round).await;
        let strategies: Vec<BoxedStrategy<Drawn>> = ops.iter().map(|op| request_strategy(&doc, op, &world)).collect();
        let picks = prop::collection::vec(0..ops.len(), ROUND.min(budget - sent));
        let mut order = picks.new_tree(&mut runner).expect("pick operations").current();
        // Every operation at least once per round, state-removing ones last.
        order.extend(0..ops.len());
        order.sort_by_key(|&i| ops[i].destructive);
        for i in order {
            if sent >= budget || started.elapsed() >= TIME_GUARD {
                break;
            }
            let op = &ops[i];
            let drawn = strategies[i].new_tree(&mut runner).expect("draw a request").current();
            let (status, ct, body) = send(&f, op, &drawn).await;
            sent += 1;
            let counts = per_op.entry(op.id.clone()).or_default();
            counts.0 += 1;
            if (200..300).contains(&status) {
                counts.1 += 1;
            }
            checker.check(&doc, op, &drawn, status, &ct, &body);
        }
        round += 1;
    }
    let elapsed = started.elapsed();
    let never_ok: Vec<&String> = per_op.iter().filter(|(_, (_, ok))| *ok == 0).map(|(id, _)| id).collect();
    println!(
        "fuzz: {sent} requests over {} operations in {:.1} s ({round} seeded users), {} bodies validated, {} answered 2xx; \
         operations never answered 2xx: {never_ok:?}",
        per_op.len(),
        elapsed.as_secs_f64(),
        checker.validated,
        per_op.values().map(|(_, ok)| ok).sum::<usize>(),
    );
    assert!(sent >= budget.min(500), "the time guard stopped the run after {sent} requests");
    assert_eq!(per_op.len(), ops.len(), "every operation was called");
    let report: Vec<String> = checker.findings.iter().map(|(k, v)| format!("{k}\n    e.g. {v}")).collect();
    assert!(report.is_empty(), "{} kinds of spec violations:\n{}", report.len(), report.join("\n"));
}

/// The checker itself can fail: a wrong body, an undeclared status and a 5xx are all reported.
#[test]
fn the_checker_reports_what_the_spec_does_not_allow() {
    let spec = Spec::load();
    let doc = spec.doc().clone();
    let ops = operations(&doc);
    let op = ops.iter().find(|o| o.id == "getUser").expect("getUser");
    let d = Drawn { path: "/users/u".into(), query: Vec::new(), body: None, auth: 0, broken_json: false };
    let mut c = Checker { spec, validators: HashMap::new(), findings: BTreeMap::new(), validated: 0 };
    c.check(&doc, op, &d, 200, "application/json", br#"{"type":"user","id":5,"connections":"many"}"#);
    assert!(c.findings.keys().any(|k| k.contains("getUser 200 (User)")), "{:?}", c.findings);
    c.check(&doc, op, &d, 200, "text/plain", b"{}");
    assert!(c.findings.keys().any(|k| k.contains("content type")), "{:?}", c.findings);
    c.check(&doc, op, &d, 503, "application/json", br#"{"type":"list","data":[]}"#);
    assert!(c.findings.keys().any(|k| k.ends_with(": 503")), "{:?}", c.findings);
    let ops_204 = ops.iter().find(|o| o.id == "deleteUser").expect("deleteUser");
    c.check(&doc, ops_204, &d, 204, "", b"x");
    assert!(c.findings.keys().any(|k| k.contains("has a body")), "{:?}", c.findings);
}
