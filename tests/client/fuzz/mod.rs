//! Schema-driven fuzzing of the sandbox against our own spec (`openapi/basiq.yaml`).
//!
//! For every operation of the spec, proptest strategies built from the operation's parameters
//! and request schema draw requests: path parameters from the real ids of a connected user (and
//! random ones), query parameters, and JSON, form or multipart bodies from the request schemas
//! with random mutations (`null`, `""`, wrong types, unknown fields, broken JSON). Each request
//! goes to an in-process sandbox, and each answer is checked: no 5xx, a status the spec declares
//! for the operation, the declared content type, and a body valid against the spec for that
//! status. The run is bounded by a request budget (`FUZZ_REQUESTS`, default 6,000: about 25 s in a
//! debug build on two busy cores) and a time guard (`FUZZ_SECONDS`, default 50), and prints (to
//! stderr) its request count and duration. Longer explorations: `FUZZ_REQUESTS=40000
//! FUZZ_SECONDS=600 cargo test --test client -- fuzz:: --nocapture`.
//!
//! - `spec_ops`: the spec's operations; `values`: JSON value strategies from schemas;
//!   `world`: the seeded user and resources; `requests`: drawing and sending a request;
//!   `checks`: what an answer must satisfy.

mod checks;
mod requests;
mod spec_ops;
mod values;
mod world;

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use basiq_sandbox::Sandbox;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use crate::spec_schema::Spec;
use checks::Checker;
use requests::{Drawn, request_strategy, send};
use spec_ops::operations;
use world::Fuzz;

/// Requests per run unless `FUZZ_REQUESTS` says otherwise.
const DEFAULT_BUDGET: usize = 6_000;
/// Requests against one seeded world before a fresh one is seeded (deletes run at its end).
const ROUND: usize = 250;
/// The run stops early past this many seconds unless `FUZZ_SECONDS` says otherwise, whatever the budget.
const TIME_GUARD_SECS: u64 = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_answers_every_operation_as_the_spec_says() {
    let budget: usize = std::env::var("FUZZ_REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_BUDGET);
    let guard =
        Duration::from_secs(std::env::var("FUZZ_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(TIME_GUARD_SECS));
    let spec = Spec::load_exact();
    let doc = spec.doc().clone();
    let ops = operations(&doc);
    assert_eq!(ops.len(), 78, "every operation of the spec is fuzzed");
    let sandbox = Sandbox::builder().seed(9).job_step_delay(Duration::from_millis(1)).start().await.expect("sandbox");
    let base = sandbox.base_url();
    let mut f = Fuzz { sandbox, http: reqwest::Client::new(), base, token: String::new() };
    let mut checker = Checker { spec, validators: HashMap::new(), findings: BTreeMap::new(), validated: 0 };
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &[9; 32]));
    let started = Instant::now();
    let mut sent = 0usize;
    let mut per_op: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut round = 0usize;
    while sent < budget && started.elapsed() < guard {
        let world = f.seed(round).await;
        let strategies: Vec<BoxedStrategy<Drawn>> = ops.iter().map(|op| request_strategy(&doc, op, &world)).collect();
        let picks = prop::collection::vec(0..ops.len(), ROUND.min(budget - sent));
        let mut order = picks.new_tree(&mut runner).expect("pick operations").current();
        // Every operation at least once per round, state-removing ones last.
        order.extend(0..ops.len());
        order.sort_by_key(|&i| ops[i].destructive);
        for i in order {
            if sent >= budget || started.elapsed() >= guard {
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
    eprintln!(
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
