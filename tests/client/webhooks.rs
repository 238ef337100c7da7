//! Webhook verification against signatures our code did not make: the Standard Webhooks
//! specification's published example, and a Basiq-shaped delivery signed with Python's `hmac`;
//! then properties over random headers and bodies.

use basiq::webhooks::{Verifier, VerifyError, WebhookSecret};
use proptest::prelude::*;

/// The example of the Standard Webhooks specification (repository standard-webhooks/standard-webhooks,
/// `libraries/go/webhook_test.go`, `TestWebhookSign`).
const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SPEC_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const SPEC_TIMESTAMP: u64 = 1_614_265_330;
const SPEC_BODY: &[u8] = br#"{"test": 2432232314}"#;
const SPEC_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

/// A Basiq-shaped delivery signed outside this crate, with
/// `base64(hmac.new(b64decode(key), f"{id}.{ts}.".encode() + body, sha256).digest())` in Python 3.
const BASIQ_SECRET: &str = "whsec_c2VjcmV0LWZyb20tYmFzaXEtZGFzaGJvYXJkLTEyMzQ=";
const BASIQ_ID: &str = "msg_2Kq9";
const BASIQ_TIMESTAMP: u64 = 1_733_040_000;
const BASIQ_BODY: &[u8] = br#"{"eventTypeId":"connection.created","eventId":"61723","links":{"event":"https://au-api.basiq.io/events/61723","eventEntity":"https://au-api.basiq.io/users/ea3a81/connections/8fce3b"}}"#;
const BASIQ_SIGNATURE: &str = "v1,LBXXEEX/vVaiMfidm9DsxOSN3lw0PpHZdwXTpwq26vk=";

#[test]
fn the_specifications_example_signature_is_reproduced_and_accepted() {
    let secret = WebhookSecret::new(SPEC_SECRET);
    assert_eq!(secret.sign(SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY).unwrap(), SPEC_SIGNATURE);
    let verdict = Verifier::new(secret).verify_at(
        SPEC_ID,
        &SPEC_TIMESTAMP.to_string(),
        SPEC_SIGNATURE,
        SPEC_BODY,
        SPEC_TIMESTAMP,
    );
    // The signature matches; the body is simply not a Basiq event.
    assert!(matches!(verdict, Err(VerifyError::InvalidPayload(_))), "{verdict:?}");
    // The same secret without its prefix derives the same key.
    let bare = WebhookSecret::new(SPEC_SECRET.trim_start_matches("whsec_"));
    assert_eq!(bare.sign(SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY).unwrap(), SPEC_SIGNATURE);
}

#[test]
fn a_delivery_signed_independently_verifies() {
    let verifier = Verifier::new(WebhookSecret::new(BASIQ_SECRET));
    let event = verifier
        .verify_at(BASIQ_ID, &BASIQ_TIMESTAMP.to_string(), BASIQ_SIGNATURE, BASIQ_BODY, BASIQ_TIMESTAMP + 10)
        .unwrap();
    assert_eq!(event.event_id.as_deref(), Some("61723"));
    let wrong_key = Verifier::new(WebhookSecret::new(SPEC_SECRET));
    assert_eq!(
        wrong_key.verify_at(BASIQ_ID, &BASIQ_TIMESTAMP.to_string(), BASIQ_SIGNATURE, BASIQ_BODY, BASIQ_TIMESTAMP),
        Err(VerifyError::BadSignature)
    );
}

#[test]
fn a_prefix_with_nothing_after_it_is_refused() {
    for empty in ["whsec_", " whsec_ ", "", "   "] {
        let secret = WebhookSecret::new(empty);
        assert_eq!(secret.sign("m", 1, b"{}"), Err(VerifyError::InvalidSecret), "{empty:?}");
        let verdict = Verifier::new(secret).verify_at("m", "1", "v1,AAAA", b"{}", 1);
        assert_eq!(verdict, Err(VerifyError::InvalidSecret), "{empty:?}");
    }
}

#[test]
fn a_delivery_exactly_at_the_tolerance_is_accepted_and_one_second_past_it_is_not() {
    let verifier = Verifier::new(WebhookSecret::new(BASIQ_SECRET)).tolerance(std::time::Duration::from_secs(300));
    let at = |now| verifier.verify_at(BASIQ_ID, &BASIQ_TIMESTAMP.to_string(), BASIQ_SIGNATURE, BASIQ_BODY, now);
    assert!(at(BASIQ_TIMESTAMP + 300).is_ok(), "300 s old with a 300 s tolerance");
    assert!(at(BASIQ_TIMESTAMP - 300).is_ok(), "300 s early with a 300 s tolerance");
    assert_eq!(at(BASIQ_TIMESTAMP + 301), Err(VerifyError::OutsideTolerance));
}

#[test]
fn every_refusal_says_what_was_wrong() {
    let cases = [
        (VerifyError::MissingHeader("webhook-id"), "webhook-id"),
        (VerifyError::InvalidTimestamp, "not a Unix time"),
        (VerifyError::OutsideTolerance, "too far from now"),
        (VerifyError::BadSignature, "no signature matches"),
        (VerifyError::InvalidSecret, "secret is empty"),
        (VerifyError::InvalidPayload("missing field `eventTypeId`".into()), "eventTypeId"),
    ];
    for (error, says) in cases {
        assert!(error.to_string().contains(says), "{error:?} displays as {error}");
    }
}

fn headers(id: &str, timestamp: &str, signature: &str) -> http::HeaderMap {
    let mut map = http::HeaderMap::new();
    for (name, value) in [("webhook-id", id), ("webhook-timestamp", timestamp), ("webhook-signature", signature)] {
        if let Ok(value) = http::HeaderValue::from_str(value) {
            map.insert(name, value);
        }
    }
    map
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    /// Whatever arrives, verification answers with a value, never a panic.
    #[test]
    fn random_deliveries_never_panic(
        secret in ".{0,48}",
        id in ".{0,40}",
        timestamp in ".{0,24}",
        signature in ".{0,120}",
        body in proptest::collection::vec(any::<u8>(), 0..512),
        now in any::<u64>(),
    ) {
        let verifier = Verifier::new(WebhookSecret::new(secret));
        let _ = verifier.verify_at(&id, &timestamp, &signature, &body, now);
        let _ = verifier.verify(&headers(&id, &timestamp, &signature), &body);
    }

    /// A delivery signed with the secret always verifies (up to the payload check).
    #[test]
    fn valid_signatures_always_verify(
        key in proptest::collection::vec(any::<u8>(), 1..64),
        id in "[a-zA-Z0-9_]{1,32}",
        timestamp in 0u64..4_000_000_000,
        event_id in "[a-z0-9]{1,16}",
    ) {
        use base64::Engine;
        let secret = WebhookSecret::new(format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(&key)));
        let body = format!(r#"{{"eventTypeId":"user.created","eventId":"{event_id}"}}"#);
        let signature = secret.sign(&id, timestamp, body.as_bytes()).unwrap();
        let event = Verifier::new(secret).verify_at(&id, &timestamp.to_string(), &signature, body.as_bytes(), timestamp);
        prop_assert_eq!(event.unwrap().event_id, Some(event_id));
    }

    /// Flipping any bit of the body, the id or the signature makes verification fail.
    #[test]
    fn any_flipped_byte_fails(position in any::<prop::sample::Index>(), bit in 0u8..8, part in 0usize..3) {
        let secret = WebhookSecret::new(BASIQ_SECRET);
        let verifier = Verifier::new(secret);
        let (mut id, mut body, mut signature) =
            (BASIQ_ID.as_bytes().to_vec(), BASIQ_BODY.to_vec(), BASIQ_SIGNATURE.as_bytes()[3..].to_vec());
        let target = match part { 0 => &mut id, 1 => &mut body, _ => &mut signature };
        let at = position.index(target.len());
        target[at] ^= 1 << bit;
        let id = String::from_utf8_lossy(&id).into_owned();
        let signature = format!("v1,{}", String::from_utf8_lossy(&signature));
        let verdict = verifier.verify_at(&id, &BASIQ_TIMESTAMP.to_string(), &signature, &body, BASIQ_TIMESTAMP);
        prop_assert!(verdict.is_err(), "part {} byte {} bit {} still verified", part, at, bit);
    }
}
