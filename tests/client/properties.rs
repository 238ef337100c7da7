//! Properties of everything that reads outside input: consent redirects, error bodies and
//! mutated response fixtures never panic, and what is built survives a round trip. (Webhook
//! properties live in tests/client/webhooks.rs; `Retry-After` and error envelopes also have unit
//! properties next to their private parsers.)

use crate::support::capture::{Answer, Capture};
use crate::support::ops::call_op;
use crate::support::spec;
use basiq::{ConsentRedirect, ConsentUrl, Error};
use proptest::prelude::*;
use serde_json::Value;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap()
}

/// Any JSON value, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        Just(Value::String(String::new())),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-zA-Z]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Replaces the `pick`-th node (in depth-first order) of `value` with `with`.
fn mutate(value: &mut Value, pick: &mut usize, with: &Value) -> bool {
    if *pick == 0 {
        *value = with.clone();
        return true;
    }
    *pick -= 1;
    match value {
        Value::Array(items) => items.iter_mut().any(|v| mutate(v, pick, with)),
        Value::Object(map) => map.values_mut().any(|v| mutate(v, pick, with)),
        _ => false,
    }
}

fn fixture_ids() -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(spec::root().join("tests/fixtures/responses"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    ids.sort();
    ids
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any text is read as a redirect or refused with a typed error.
    #[test]
    fn any_redirect_text_parses_or_is_refused(input in ".{0,200}") {
        match ConsentRedirect::parse(&input) {
            Ok(redirect) => prop_assert_eq!(redirect.is_error(), redirect.error.is_some() || redirect.error_description.is_some()),
            Err(e) => prop_assert!(matches!(e, Error::InvalidInput(_))),
        }
    }

    /// Whatever the state and job ids, what the consent URL carries comes back from the redirect.
    #[test]
    fn state_and_job_ids_survive_a_round_trip(
        state in ".{1,40}",
        jobs in proptest::collection::vec("[a-zA-Z0-9-]{1,12}", 0..5),
        fragment in proptest::option::of(".{0,20}"),
    ) {
        let built = ConsentUrl::new("token").with_base("https://app.example/cb").state(state.clone()).build().unwrap();
        let mut url = format!("{built}&jobIds={}", jobs.join(","));
        if let Some(fragment) = &fragment {
            url.push('#');
            url.push_str(fragment);
        }
        let redirect = ConsentRedirect::parse(&url).unwrap();
        prop_assert_eq!(redirect.state, Some(state));
        let mut unique: Vec<String> = Vec::new();
        for job in jobs { if !unique.contains(&job) { unique.push(job); } }
        prop_assert_eq!(redirect.job_ids, unique);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any status and any bytes as an error answer become an `Error`, through the whole client.
    #[test]
    fn any_error_answer_becomes_an_error(
        status in 400u16..600,
        body in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let capture = Capture::new();
        // Every request gets the same answer, so a replay after a 401 sees it too.
        capture.fallback(Answer::json(status, body));
        let client = capture.builder().retry_policy(basiq::RetryPolicy::disabled()).build().unwrap();
        let outcome = runtime().block_on(call_op(&client, "getUser"));
        let error = outcome.expect_err("an error status is an error");
        prop_assert_eq!(error.status(), Some(status));
        let _ = error.to_string();
    }

    /// A response fixture with any one node replaced by any JSON decodes or fails with a typed error.
    #[test]
    fn mutated_fixtures_decode_or_fail_cleanly(
        which in any::<prop::sample::Index>(),
        node in any::<prop::sample::Index>(),
        with in json_value(),
    ) {
        let ids = fixture_ids();
        let id = which.get(&ids);
        let mut body: Value = serde_json::from_str(&spec::response_fixture(id)).unwrap();
        let nodes = serde_json::to_string(&body).unwrap().len();
        let mut pick = node.index(nodes.max(1));
        mutate(&mut body, &mut pick, &with);
        let capture = Capture::new();
        let answer = Answer::json(spec::operation(id).success_status, serde_json::to_vec(&body).unwrap());
        if id == "postToken" { capture.token_answer(answer) } else { capture.push(answer) }
        let client = capture.builder().retry_policy(basiq::RetryPolicy::disabled()).build().unwrap();
        if let Err(error) = runtime().block_on(call_op(&client, id)) {
            prop_assert!(
                matches!(error, Error::Decode(_) | Error::Token(_) | Error::Api(_) | Error::InvalidInput(_)),
                "{}: {:?}", id, error
            );
        }
    }
}
