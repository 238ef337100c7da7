//! Receiving Basiq webhooks: signature verification and the typed event envelope.
//!
//! Basiq signs deliveries the Svix way: `webhook-id`, `webhook-timestamp` (Unix seconds) and
//! `webhook-signature` (space-separated `v1,<base64>` entries) headers, over
//! `<id>.<timestamp>.<raw body>` with HMAC-SHA256 keyed by the base64 part of the `whsec_…`
//! secret. Deliveries older or newer than five minutes are refused, so replays fail.
//!
//! ```
//! use basiq::webhooks::{Verifier, WebhookSecret};
//! let secret = WebhookSecret::new("whsec_c2VjcmV0LWZvci10ZXN0cw==");
//! let body = br#"{"eventTypeId":"user.created","eventId":"e1","links":{"event":"https://au-api.basiq.io/events/e1"}}"#;
//! let now = 1_700_000_000;
//! let signature = secret.sign("msg_1", now, body).unwrap();
//! let event = Verifier::new(secret)
//!     .verify_at("msg_1", &now.to_string(), &signature, body, now)
//!     .unwrap();
//! assert_eq!(event.event_id.as_deref(), Some("e1"));
//! ```

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::open::EventTypeId;
use crate::secret::Secret;

/// Header carrying the message id (the same on redelivery).
pub const HEADER_ID: &str = "webhook-id";
/// Header carrying the delivery time in Unix seconds.
pub const HEADER_TIMESTAMP: &str = "webhook-timestamp";
/// Header carrying the signatures.
pub const HEADER_SIGNATURE: &str = "webhook-signature";
/// How far the delivery time may be from now (Basiq: five minutes).
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// A webhook signing secret (`whsec_…`); never printed.
#[derive(Clone, Debug)]
pub struct WebhookSecret(Secret);

impl WebhookSecret {
    /// Wraps the secret Basiq returned when the webhook was created.
    pub fn new(secret: impl Into<Secret>) -> Self {
        Self(secret.into())
    }

    /// The HMAC key: the base64 payload after `whsec_`, or the raw bytes if it is not base64.
    fn key(&self) -> Result<Vec<u8>, VerifyError> {
        let raw = self.0.expose().trim();
        let body = raw.strip_prefix("whsec_").unwrap_or(raw);
        if body.is_empty() {
            return Err(VerifyError::InvalidSecret);
        }
        Ok(STANDARD.decode(body).unwrap_or_else(|_| body.as_bytes().to_vec()))
    }

    /// The `webhook-signature` value Basiq would send; use it to build test deliveries.
    pub fn sign(&self, id: &str, timestamp: u64, body: &[u8]) -> Result<String, VerifyError> {
        let mac = self.mac(id, &timestamp.to_string(), body)?;
        Ok(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
    }

    fn mac(&self, id: &str, timestamp: &str, body: &[u8]) -> Result<Hmac<Sha256>, VerifyError> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key()?).map_err(|_| VerifyError::InvalidSecret)?;
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        Ok(mac)
    }
}

/// Why a delivery was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// A `webhook-*` header is absent.
    MissingHeader(&'static str),
    /// `webhook-timestamp` is not a Unix time in seconds.
    InvalidTimestamp,
    /// The delivery is older or newer than the tolerance allows (possible replay).
    OutsideTolerance,
    /// No `v1` signature matched the body.
    BadSignature,
    /// The secret is empty (or is `whsec_` with nothing after it).
    InvalidSecret,
    /// The signature matched but the body is not a Basiq event envelope.
    InvalidPayload(String),
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::MissingHeader(h) => write!(f, "webhook delivery refused: header {h} is missing"),
            VerifyError::InvalidTimestamp => {
                f.write_str("webhook delivery refused: webhook-timestamp is not a Unix time")
            }
            VerifyError::OutsideTolerance => {
                f.write_str("webhook delivery refused: its timestamp is too far from now (replayed or clock skew)")
            }
            VerifyError::BadSignature => f.write_str("webhook delivery refused: no signature matches the body"),
            VerifyError::InvalidSecret => f.write_str("webhook delivery refused: the webhook secret is empty"),
            VerifyError::InvalidPayload(e) => write!(f, "webhook body is not a Basiq event: {e}"),
        }
    }
}

impl std::error::Error for VerifyError {}

/// The body of a webhook delivery: which event happened and where to read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEvent {
    /// Event type, e.g. `connection.created`.
    pub event_type_id: EventTypeId,
    /// Id of the event; read it with `client.get_type_by_id().id(..)`.
    #[serde(default)]
    pub event_id: Option<String>,
    /// Links to the event and the entity it concerns.
    #[serde(default)]
    pub links: WebhookEventLinks,
}

/// Links carried by a webhook delivery.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEventLinks {
    /// URL of the full event.
    #[serde(default)]
    pub event: Option<String>,
    /// URL of the affected user, connection, account or consent.
    #[serde(default)]
    pub event_entity: Option<String>,
}

/// Checks deliveries against one secret.
#[derive(Clone, Debug)]
pub struct Verifier {
    secret: WebhookSecret,
    tolerance: Duration,
}

impl Verifier {
    /// A verifier with Basiq's five-minute tolerance.
    pub fn new(secret: WebhookSecret) -> Self {
        Self { secret, tolerance: DEFAULT_TOLERANCE }
    }

    /// Changes how far the delivery time may be from now.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Verifies a delivery from its headers and raw body, against the current time.
    pub fn verify(&self, headers: &http::HeaderMap, body: &[u8]) -> Result<WebhookEvent, VerifyError> {
        let get = |name: &'static str| {
            headers.get(name).and_then(|v| v.to_str().ok()).ok_or(VerifyError::MissingHeader(name))
        };
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        self.verify_at(get(HEADER_ID)?, get(HEADER_TIMESTAMP)?, get(HEADER_SIGNATURE)?, body, now)
    }

    /// Verifies a delivery given the header values and the current Unix time.
    pub fn verify_at(
        &self,
        id: &str,
        timestamp: &str,
        signatures: &str,
        body: &[u8],
        now: u64,
    ) -> Result<WebhookEvent, VerifyError> {
        let sent: u64 = timestamp.trim().parse().map_err(|_| VerifyError::InvalidTimestamp)?;
        if sent.abs_diff(now) > self.tolerance.as_secs() {
            return Err(VerifyError::OutsideTolerance);
        }
        let expected = self.secret.mac(id, timestamp.trim(), body)?.finalize().into_bytes();
        let matched = signatures
            .split_whitespace()
            .filter_map(|entry| entry.strip_prefix("v1,"))
            .filter_map(|sig| STANDARD.decode(sig).ok())
            .any(|sig| bool::from(sig.as_slice().ct_eq(expected.as_slice())));
        if !matched {
            return Err(VerifyError::BadSignature);
        }
        serde_json::from_slice(body).map_err(|e| VerifyError::InvalidPayload(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"eventTypeId":"connection.created","eventId":"ev1","links":{"event":"https://au-api.basiq.io/events/ev1","eventEntity":"https://au-api.basiq.io/users/u1/connections/c1"}}"#;

    fn verifier() -> (Verifier, WebhookSecret) {
        let secret = WebhookSecret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        (Verifier::new(secret.clone()), secret)
    }

    #[test]
    fn a_correctly_signed_delivery_is_accepted_and_typed() {
        let (v, s) = verifier();
        let sig = s.sign("msg_1", 1000, BODY).unwrap();
        let event = v.verify_at("msg_1", "1000", &format!("v1,bm9wZQ== {sig}"), BODY, 1010).unwrap();
        assert_eq!(event.event_type_id, EventTypeId::ConnectionCreated);
        assert_eq!(event.links.event_entity.as_deref(), Some("https://au-api.basiq.io/users/u1/connections/c1"));
    }

    #[test]
    fn a_tampered_body_or_id_is_refused() {
        let (v, s) = verifier();
        let sig = s.sign("msg_1", 1000, BODY).unwrap();
        let mut tampered = BODY.to_vec();
        tampered[20] ^= 1;
        assert_eq!(v.verify_at("msg_1", "1000", &sig, &tampered, 1000), Err(VerifyError::BadSignature));
        assert_eq!(v.verify_at("msg_2", "1000", &sig, BODY, 1000), Err(VerifyError::BadSignature));
    }

    #[test]
    fn old_and_future_deliveries_are_refused() {
        let (v, s) = verifier();
        let sig = s.sign("msg_1", 1000, BODY).unwrap();
        assert_eq!(v.verify_at("msg_1", "1000", &sig, BODY, 1301), Err(VerifyError::OutsideTolerance));
        assert_eq!(v.verify_at("msg_1", "1000", &sig, BODY, 699), Err(VerifyError::OutsideTolerance));
        assert_eq!(v.verify_at("msg_1", "soon", &sig, BODY, 1000), Err(VerifyError::InvalidTimestamp));
    }

    #[test]
    fn missing_headers_are_named() {
        let (v, _) = verifier();
        assert_eq!(v.verify(&http::HeaderMap::new(), BODY), Err(VerifyError::MissingHeader(HEADER_ID)));
    }

    #[test]
    fn the_secret_never_prints() {
        let (v, _) = verifier();
        assert!(!format!("{v:?}").contains("MfKQ9r8"));
    }
}
