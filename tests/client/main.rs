//! The client's integration tests, in one test binary: every file here would otherwise link the
//! whole crate on its own. Tests that change process-wide state live apart: the environment (`tests/env.rs`) and
//! tracing's callsite registry (`tests/spans.rs`).

mod scripted;
mod spec_schema;
mod support;

#[path = "../../examples/quickstart.rs"]
#[allow(dead_code)]
mod quickstart_example;

mod auth;
mod conformance;
mod consent;
mod decoding;
mod fidelity;
mod filter_agreement;
mod filter_requests;
mod fixtures_schema;
mod fuzz;
mod http;
mod jobs;
mod lenient;
mod open_values;
mod pages;
mod payments;
mod properties;
mod quickstart;
mod requests;
mod retries;
mod tokens;
mod webhooks;
