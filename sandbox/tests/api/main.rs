//! The sandbox's integration tests, one binary (one link of the crate) for all of them. None of
//! them changes the process environment; a test that does belongs in a binary of its own.

mod auth;
mod cdr_insights;
mod connect;
mod consent_journey;
mod expr;
mod faults;
mod filters;
mod fuzz_findings;
mod payees_analytics;
mod payments;
mod resources;
mod support;
