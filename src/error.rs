//! The crate's one error type, [`Error`], and the mapping from generated-client errors into it.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::redact;
use crate::types;

/// Everything that can go wrong talking to Basiq. Match on the variant, or use the helpers
/// ([`status`](Error::status), [`correlation_id`](Error::correlation_id), [`codes`](Error::codes),
/// [`is_retryable`](Error::is_retryable)).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Basiq answered with an error status and (usually) its error envelope.
    #[error("{0}")]
    Api(ApiError),
    /// No access token could be obtained from `/token`.
    #[error("{0}")]
    Token(TokenError),
    /// The request never got an HTTP answer (DNS, connect, TLS, reset...).
    #[error("{} could not reach Basiq: {source}", op(.operation))]
    Transport {
        /// Operation that was being called, when known.
        operation: Option<String>,
        /// The underlying network error.
        #[source]
        source: reqwest::Error,
    },
    /// An attempt took longer than the configured timeout.
    #[error("{} timed out waiting for Basiq", op(.operation))]
    Timeout {
        /// Operation that was being called, when known.
        operation: Option<String>,
    },
    /// A successful response did not have the expected shape.
    #[error("{0}")]
    Decode(DecodeError),
    /// The client is misconfigured (for example a missing API key).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A value passed by the caller cannot be used (for example a malformed redirect URL).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A Basiq job finished with a failed step.
    #[error("{0}")]
    JobFailed(JobFailure),
    /// A paging stream was handed a `links.next` it had already followed; following it again
    /// would loop forever, so the stream ends here.
    #[error("paging {operation} stopped: Basiq linked back to a page already read ({url})")]
    PageLoop {
        /// The list operation being paged.
        operation: String,
        /// The repeated link.
        url: String,
    },
    /// A paging stream reached its page limit ([`ClientBuilder::max_pages`](crate::ClientBuilder::max_pages)).
    #[error("paging {operation} stopped after {limit} pages, the configured limit")]
    PageLimit {
        /// The list operation being paged.
        operation: String,
        /// The limit that was reached.
        limit: usize,
    },
    /// A job did not finish before the caller's deadline.
    #[error("job {job_id} did not finish within {waited:?}{}", .step.as_deref().map(|s| format!(" (still at step {s})")).unwrap_or_default())]
    JobDeadline {
        /// The job being waited for.
        job_id: String,
        /// How long the caller waited.
        waited: Duration,
        /// The step in progress when time ran out.
        step: Option<String>,
    },
}

fn op(operation: &Option<String>) -> String {
    match operation {
        Some(o) => format!("the call to {o}"),
        None => "the request".to_owned(),
    }
}

/// Basiq's answer to a failed request: HTTP status plus every item of its error envelope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// HTTP status code.
    pub status: u16,
    /// Operation that failed, when known.
    pub operation: Option<String>,
    /// Basiq's request identifier; quote it to Basiq support.
    pub correlation_id: Option<String>,
    /// The problems Basiq reported (possibly none, for a body that was not an envelope).
    pub items: Vec<ErrorItem>,
}

/// One problem from Basiq's error envelope.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorItem {
    /// Machine-readable slug, e.g. `resource-not-found`.
    pub code: Option<String>,
    /// Short summary.
    pub title: Option<String>,
    /// Request-specific explanation.
    pub detail: Option<String>,
    /// Offending parameter, from `source.parameter`.
    pub parameter: Option<String>,
    /// Offending body location, from `source.pointer`.
    pub pointer: Option<String>,
    /// On a payment submission, your `requestId` of the entry that failed (the item's `id`).
    pub request_id: Option<String>,
}

impl ApiError {
    /// Builds an error from a status and a decoded envelope.
    pub(crate) fn from_envelope(status: u16, operation: Option<String>, envelope: types::BasiqError) -> Self {
        let items = envelope
            .data
            .into_iter()
            .map(|item| ErrorItem {
                code: item.code,
                title: item.title,
                detail: item.detail,
                parameter: item.source.as_ref().and_then(|s| s.parameter.clone()),
                pointer: item.source.and_then(|s| s.pointer),
                request_id: item.id,
            })
            .collect();
        Self { status, operation, correlation_id: envelope.correlation_id, items }
    }

    /// Builds an error from a status and a raw body, parsing the envelope when there is one.
    pub(crate) fn from_body(status: u16, operation: Option<String>, body: &[u8]) -> Self {
        match serde_json::from_slice::<types::BasiqError>(body) {
            Ok(envelope) => Self::from_envelope(status, operation, envelope),
            Err(_) => {
                Self { status, operation, correlation_id: None, items: non_json_item(body).into_iter().collect() }
            }
        }
    }

    /// True when any item carries this code.
    pub fn has_code(&self, code: &str) -> bool {
        self.items.iter().any(|i| i.code.as_deref() == Some(code))
    }

    /// True when any item's title or detail contains `text`, ignoring case.
    pub(crate) fn mentions(&self, text: &str) -> bool {
        let needle = text.to_ascii_lowercase();
        self.items
            .iter()
            .any(|i| [&i.title, &i.detail].into_iter().flatten().any(|t| t.to_ascii_lowercase().contains(&needle)))
    }
}

/// Stands in for the envelope when an error body is not JSON, so its status and text survive.
pub(crate) fn non_json_item(body: &[u8]) -> Option<ErrorItem> {
    (!body.is_empty()).then(|| ErrorItem {
        title: Some("response body is not a Basiq error envelope".to_owned()),
        detail: Some(redact::excerpt(body)),
        ..ErrorItem::default()
    })
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reason = reqwest::StatusCode::from_u16(self.status).ok().and_then(|s| s.canonical_reason()).unwrap_or("");
        write!(f, "Basiq answered {} with HTTP {} {reason}", op(&self.operation), self.status)?;
        for (n, item) in self.items.iter().enumerate() {
            f.write_str(if n == 0 { ": " } else { "; " })?;
            let text = [item.title.as_deref(), item.detail.as_deref()]
                .into_iter()
                .flatten()
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(" - ");
            f.write_str(if text.is_empty() { "(no description)" } else { &text })?;
            if let Some(code) = &item.code {
                write!(f, " [{code}]")?;
            }
            if let Some(p) = item.parameter.as_ref().or(item.pointer.as_ref()) {
                write!(f, " (at {p})")?;
            }
            if let Some(id) = &item.request_id {
                write!(f, " (entry {id})")?;
            }
        }
        if let Some(id) = &self.correlation_id {
            write!(f, " (correlationId {id})")?;
        }
        Ok(())
    }
}

/// Why no access token could be obtained.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum TokenErrorKind {
    /// Basiq did not recognise the API key (wrong key, deleted key, or wrong environment).
    InvalidApiKey,
    /// The Basiq account behind the key is disabled.
    AccountDisabled,
    /// Too many token requests; Basiq allows about 1,500 per 5 minutes.
    RateLimited,
    /// Basiq refused the token request for another reason.
    Rejected,
    /// The token request failed on the network or timed out.
    Unreachable,
    /// The token answer could not be understood.
    Malformed,
}

/// A failure to obtain an access token, with Basiq's answer when there was one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenError {
    /// What went wrong.
    pub kind: TokenErrorKind,
    /// Basiq's error answer, when it sent one.
    pub api: Option<ApiError>,
    /// Extra context (never a secret).
    pub message: Option<String>,
    /// True when this error was served from the failure cache during back-off.
    pub backing_off: bool,
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TokenErrorKind::InvalidApiKey => {
                "could not get a Basiq access token: the API key was not accepted (check BASIQ_API_KEY and the environment)"
            }
            TokenErrorKind::AccountDisabled => {
                "could not get a Basiq access token: the Basiq account is disabled (contact Basiq support)"
            }
            TokenErrorKind::RateLimited => {
                "could not get a Basiq access token: too many token requests (Basiq allows about 1,500 per 5 minutes)"
            }
            TokenErrorKind::Rejected => "could not get a Basiq access token: the request was refused",
            TokenErrorKind::Unreachable => "could not get a Basiq access token: Basiq could not be reached",
            TokenErrorKind::Malformed => "could not get a Basiq access token: the answer was not understood",
        };
        f.write_str(what)?;
        if let Some(m) = &self.message {
            write!(f, " ({m})")?;
        }
        if let Some(api) = &self.api {
            write!(f, "; {api}")?;
        }
        if self.backing_off {
            f.write_str("; not retried yet because the previous attempt failed moments ago")?;
        }
        Ok(())
    }
}

/// A response that arrived but did not match the expected shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Operation whose response failed to decode, when known.
    pub operation: Option<String>,
    /// HTTP status of the response, when known.
    pub status: Option<u16>,
    /// Path of the offending field, e.g. `data[3].balance`.
    pub path: Option<String>,
    /// What the decoder expected.
    pub message: String,
    /// A bounded, redacted excerpt of the body.
    pub excerpt: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not read the response to {}", op(&self.operation).trim_start_matches("the call to "))?;
        if let Some(s) = self.status {
            write!(f, " (HTTP {s})")?;
        }
        if let Some(p) = &self.path {
            write!(f, " at field `{p}`")?;
        }
        write!(f, ": {}; body starts: {}", self.message, self.excerpt)
    }
}

/// A job step that failed, with Basiq's reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobFailure {
    /// The failed job.
    pub job_id: String,
    /// Title of the failed step, e.g. `verify-credentials`.
    pub step: String,
    /// Basiq's failure code, e.g. `invalid-credentials`.
    pub code: Option<String>,
    /// Basiq's short summary.
    pub title: Option<String>,
    /// Basiq's explanation.
    pub detail: Option<String>,
}

impl fmt::Display for JobFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "job {} failed at step {}", self.job_id, self.step)?;
        if let Some(code) = &self.code {
            write!(f, " [{code}]")?;
        }
        let text: Vec<&str> = [self.title.as_deref(), self.detail.as_deref()].into_iter().flatten().collect();
        if !text.is_empty() {
            write!(f, ": {}", text.join(" - "))?;
        }
        Ok(())
    }
}

impl Error {
    /// HTTP status of Basiq's answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Token(e) => e.api.as_ref().map(|a| a.status),
            Error::Decode(e) => e.status,
            Error::Transport { source, .. } => source.status().map(|s| s.as_u16()),
            _ => None,
        }
    }

    /// Basiq's `correlationId` for the failed request, when it sent one.
    pub fn correlation_id(&self) -> Option<&str> {
        self.api().and_then(|a| a.correlation_id.as_deref())
    }

    /// Every error code Basiq reported (or the failed job step's code).
    pub fn codes(&self) -> Vec<&str> {
        match self {
            Error::JobFailed(j) => j.code.as_deref().into_iter().collect(),
            _ => self.api().map(|a| a.items.iter().filter_map(|i| i.code.as_deref()).collect()).unwrap_or_default(),
        }
    }

    /// Basiq's error answer, for API and token errors.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            Error::Token(e) => e.api.as_ref(),
            _ => None,
        }
    }

    /// True when making the same call again later is safe and may succeed.
    ///
    /// Safe means it cannot do the work twice. Reads and deletes (GET, DELETE) and the token
    /// request can always be repeated. A write (such as `create_user` or `post_job_mfa`, both
    /// POST) is only reported retryable when Basiq cannot have acted on it: a 429 (refused
    /// unprocessed), a connection that was never established, or a token that could not be
    /// obtained (the write was never sent). A timeout, a dropped connection or a 502/503/504 on a
    /// write is not retryable, because the write may have been done: look it up (for example
    /// list the user's connections or jobs) before sending it again. An error whose operation
    /// is unknown counts as a write.
    pub fn is_retryable(&self) -> bool {
        let repeatable =
            |operation: &Option<String>| operation.as_deref().is_some_and(crate::retry::operation_is_idempotent);
        match self {
            Error::Api(e) => match e.status {
                429 => true,
                408 | 502 | 503 | 504 => repeatable(&e.operation),
                _ => false,
            },
            Error::Token(e) => matches!(e.kind, TokenErrorKind::RateLimited | TokenErrorKind::Unreachable),
            Error::Transport { operation, source } => source.is_connect() || repeatable(operation),
            Error::Timeout { operation } => repeatable(operation),
            _ => false,
        }
    }

    /// Attaches the operation name to errors that lack it.
    pub(crate) fn with_operation(mut self, name: &str) -> Self {
        let slot = match &mut self {
            Error::Api(e) => &mut e.operation,
            Error::Transport { operation, .. } | Error::Timeout { operation } => operation,
            Error::Decode(e) => &mut e.operation,
            _ => return self,
        };
        if slot.is_none() {
            *slot = Some(name.to_owned());
        }
        self
    }

    pub(crate) fn from_reqwest(operation: Option<String>, source: reqwest::Error) -> Self {
        if source.is_timeout() { Error::Timeout { operation } } else { Error::Transport { operation, source } }
    }
}

impl std::error::Error for ApiError {}
impl std::error::Error for TokenError {}
impl std::error::Error for DecodeError {}
impl std::error::Error for JobFailure {}

/// Prefix marking a [`TokenError`] smuggled through progenitor's `Error::Custom(String)`.
pub(crate) const TOKEN_ERROR_TAG: &str = "basiq-token-error:";
/// The `Error::Custom` message that stands for a call whose overall deadline passed.
pub(crate) const DEADLINE_TAG: &str = "basiq-call-deadline";

impl From<progenitor_client::Error<types::BasiqError>> for Error {
    fn from(error: progenitor_client::Error<types::BasiqError>) -> Self {
        use progenitor_client::Error as P;
        match error {
            P::ErrorResponse(rv) => {
                let status = rv.status().as_u16();
                Error::Api(ApiError::from_envelope(status, None, rv.into_inner()))
            }
            P::UnexpectedResponse(response) => Error::Api(ApiError {
                status: response.status().as_u16(),
                operation: None,
                correlation_id: None,
                items: Vec::new(),
            }),
            P::InvalidResponsePayload(bytes, e) => Error::Decode(DecodeError {
                operation: None,
                status: None,
                path: None,
                message: e.to_string(),
                excerpt: redact::excerpt(&bytes),
            }),
            P::CommunicationError(e) | P::ResponseBodyError(e) | P::InvalidUpgrade(e) => Error::from_reqwest(None, e),
            P::InvalidRequest(message) => Error::InvalidInput(message),
            P::Custom(message) if message == DEADLINE_TAG => Error::Timeout { operation: None },
            P::Custom(message) => match message.strip_prefix(TOKEN_ERROR_TAG) {
                Some(json) => match serde_json::from_str::<TokenError>(json) {
                    Ok(token) => Error::Token(token),
                    Err(_) => Error::Config(message),
                },
                None => Error::Config(message),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(items: Vec<ErrorItem>) -> ApiError {
        ApiError { status: 404, operation: Some("get_user".into()), correlation_id: Some("ac5ah5i".into()), items }
    }

    fn token(kind: TokenErrorKind, api: Option<ApiError>) -> TokenError {
        TokenError { kind, api, message: None, backing_off: false }
    }

    fn decode(status: Option<u16>) -> DecodeError {
        DecodeError { operation: None, status, path: None, message: "m".into(), excerpt: String::new() }
    }

    #[test]
    fn display_reads_like_a_sentence_with_every_item() {
        let e = Error::Api(api(vec![
            ErrorItem {
                code: Some("resource-not-found".into()),
                title: Some("Resource not found".into()),
                detail: Some("Requested user does not exist.".into()),
                parameter: Some("userId".into()),
                pointer: None,
                request_id: None,
            },
            ErrorItem { code: Some("other".into()), ..ErrorItem::default() },
        ]));
        let text = e.to_string();
        assert_eq!(
            text,
            "Basiq answered the call to get_user with HTTP 404 Not Found: Resource not found - Requested user does not exist. [resource-not-found] (at userId); (no description) [other] (correlationId ac5ah5i)"
        );
        assert_eq!(e.codes(), vec!["resource-not-found", "other"]);
        assert_eq!(e.correlation_id(), Some("ac5ah5i"));
        assert_eq!(e.status(), Some(404));
    }

    #[test]
    fn non_json_error_bodies_keep_status_and_text() {
        let a = ApiError::from_body(502, None, b"<html>Bad gateway</html>");
        assert_eq!(a.status, 502);
        assert!(a.items[0].detail.as_deref().unwrap_or("").contains("Bad gateway"));
        assert_eq!(a.items[0].title.as_deref(), Some("response body is not a Basiq error envelope"));
        assert!(ApiError::from_body(502, None, b"").items.is_empty(), "an empty body has no item");
    }

    #[test]
    fn token_errors_survive_the_custom_channel() {
        let t = token(TokenErrorKind::InvalidApiKey, None);
        let p: progenitor_client::Error<types::BasiqError> =
            progenitor_client::Error::Custom(format!("{TOKEN_ERROR_TAG}{}", serde_json::to_string(&t).unwrap()));
        match Error::from(p) {
            Error::Token(back) => assert_eq!(back, t),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_job_failure_reads_with_or_without_basiq_text() {
        let mut f = JobFailure {
            job_id: "j1".into(),
            step: "verify-credentials".into(),
            code: Some("invalid-credentials".into()),
            title: None,
            detail: None,
        };
        assert_eq!(f.to_string(), "job j1 failed at step verify-credentials [invalid-credentials]");
        f.title = Some("Cannot login".into());
        f.detail = Some("Wrong password".into());
        assert_eq!(
            f.to_string(),
            "job j1 failed at step verify-credentials [invalid-credentials]: Cannot login - Wrong password"
        );
    }

    #[test]
    fn status_and_answer_come_from_wherever_basiq_answered() {
        let refused = Error::Token(token(TokenErrorKind::Rejected, Some(api(vec![]))));
        assert_eq!(refused.status(), Some(404));
        assert_eq!(refused.correlation_id(), Some("ac5ah5i"), "a token error carries Basiq's answer too");
        assert_eq!(Error::Decode(decode(Some(200))).status(), Some(200));
        let answer = reqwest::Response::from(http::Response::builder().status(502).body("").unwrap());
        let source = answer.error_for_status().unwrap_err();
        assert_eq!(Error::Transport { operation: None, source }.status(), Some(502));
        assert_eq!(Error::Timeout { operation: None }.status(), None);
    }

    #[test]
    fn retryable_means_safe_to_repeat() {
        let answer = |status, operation: &str| {
            Error::Api(ApiError { status, operation: Some(operation.into()), correlation_id: None, items: vec![] })
        };
        assert!(answer(429, "create_user").is_retryable(), "a 429 was refused unprocessed, even a write");
        assert!(answer(503, "get_user").is_retryable() && !answer(503, "create_user").is_retryable());
        assert!(!answer(404, "get_user").is_retryable());
        let timeout = |operation: &str| Error::Timeout { operation: Some(operation.into()) };
        assert!(timeout("get_user").is_retryable() && !timeout("create_user").is_retryable());
        assert!(!Error::Timeout { operation: None }.is_retryable(), "an unknown operation counts as a write");
        let failed = |kind| Error::Token(token(kind, None));
        assert!(
            failed(TokenErrorKind::RateLimited).is_retryable() && failed(TokenErrorKind::Unreachable).is_retryable()
        );
        assert!(
            !failed(TokenErrorKind::InvalidApiKey).is_retryable() && !failed(TokenErrorKind::Rejected).is_retryable()
        );
    }

    #[test]
    fn the_operation_is_named_once_on_every_kind_that_has_a_slot() {
        match Error::Decode(decode(None)).with_operation("get_user").with_operation("get_job") {
            Error::Decode(d) => assert_eq!(d.operation.as_deref(), Some("get_user"), "the first name stays"),
            other => panic!("{other:?}"),
        }
        let named = Error::Api(api(vec![])).with_operation("get_job");
        assert_eq!(named.api().and_then(|a| a.operation.as_deref()), Some("get_user"));
    }

    #[test]
    fn has_code_looks_at_every_item() {
        let a = api(vec![
            ErrorItem::default(),
            ErrorItem { code: Some("resource-not-found".into()), ..ErrorItem::default() },
        ]);
        assert!(a.has_code("resource-not-found"));
        assert!(!a.has_code("access-denied"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 2048, failure_persistence: None, ..proptest::prelude::ProptestConfig::default() })]

        /// Any bytes with any status become an `ApiError` keeping the status; its text never panics.
        #[test]
        fn any_error_body_becomes_an_error(status in 100u16..1000, body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            let api = ApiError::from_body(status, Some("get_user".into()), &body);
            proptest::prop_assert_eq!(api.status, status);
            let error = Error::Api(api);
            let _ = (error.to_string(), error.codes(), error.is_retryable());
        }

        /// Envelopes with arbitrary item fields are read item for item.
        #[test]
        fn envelopes_keep_every_item(codes in proptest::collection::vec("[a-z-]{0,20}", 0..6), detail in ".{0,60}") {
            let items: Vec<serde_json::Value> = codes
                .iter()
                .map(|c| serde_json::json!({"type": "error", "code": c, "detail": detail}))
                .collect();
            let body = serde_json::json!({"type": "list", "correlationId": "c", "data": items}).to_string();
            let api = ApiError::from_body(400, None, body.as_bytes());
            proptest::prop_assert_eq!(api.items.len(), codes.len());
            proptest::prop_assert_eq!(api.correlation_id.as_deref(), Some("c"));
        }
    }
}
