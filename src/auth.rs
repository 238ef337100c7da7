//! Access tokens: fetched from `/token`, cached, refreshed before they expire, one fetch at a time.
//!
//! * The SERVER_ACCESS token is refreshed in the background once a third of its lifetime is
//!   left (Basiq advises refreshing two or three times an hour), so callers keep using the
//!   current token instead of waiting.
//! * Single flight: when there is no usable token, one fetch runs on its own task and every
//!   caller waits for it; 1,000 concurrent callers cause one `/token` request, and callers that
//!   give up (a timeout, a dropped request handler) do not cancel it.
//! * After a failed fetch the error is served from cache for a back-off period that doubles with
//!   each consecutive failure, so a broken key or a rate limit does not turn into a storm.
//! * CLIENT_ACCESS tokens are cached per user with the same rules.

use std::sync::{Arc, PoisonError};

use futures::FutureExt;
use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use serde::Deserialize;
use tokio::time::Instant;

use crate::call::TOKEN_OPERATION;
use crate::clock;
use crate::error::{ApiError, TokenError, TokenErrorKind};
use crate::secret::Secret;
use crate::send;
use crate::state::Shared;
use crate::token_cache::{Cached, Failure, Flight, Scope, Slot};

/// The API version this crate speaks; sent as `basiq-version` on token requests.
pub const API_VERSION: &str = "3.0";

const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Returns a usable token for `scope`, fetching or refreshing it as needed.
pub(crate) async fn token(shared: &Arc<Shared>, scope: Scope) -> Result<Secret, TokenError> {
    usable(shared, scope).await.map(|c| c.token())
}

/// Returns a usable cached token for `scope` (with its header), fetching or refreshing it as needed.
pub(crate) async fn usable(shared: &Arc<Shared>, scope: Scope) -> Result<Cached, TokenError> {
    let slot = shared.tokens.slot(&scope);
    if let Some(cached) = slot.cached() {
        let now = Instant::now();
        if now < cached.refresh_at {
            return Ok(cached);
        }
        if now < cached.expires_at {
            if tokio::runtime::Handle::try_current().is_ok() {
                drop(flight(shared, &slot, &scope));
            }
            return Ok(cached);
        }
    }
    flight(shared, &slot, &scope).await
}

/// The fetch under way for `slot`, or a new one. It runs on its own task (when there is a
/// runtime), so callers that stop waiting do not cancel it, and it serves everyone who waits.
fn flight(shared: &Arc<Shared>, slot: &Arc<Slot>, scope: &Scope) -> Flight {
    let mut under_way = slot.flight.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(flight) = under_way.as_ref() {
        return flight.clone();
    }
    let now = Instant::now();
    if let Some(cached) = slot.cached().filter(|c| now < c.refresh_at) {
        return futures::future::ready(Ok(cached)).boxed().shared();
    }
    let (task_shared, task_slot, task_scope) = (shared.clone(), slot.clone(), scope.clone());
    let fetch = async move {
        let outcome = fetch_into(&task_shared, &task_slot, &task_scope).await;
        *task_slot.flight.lock().unwrap_or_else(PoisonError::into_inner) = None;
        outcome
    };
    let flight: Flight = match tokio::runtime::Handle::try_current() {
        Ok(runtime) => {
            let task = runtime.spawn(fetch);
            async move {
                task.await.unwrap_or_else(|e| Err(unreachable(format!("the token fetch did not finish: {e}"))))
            }
            .boxed()
            .shared()
        }
        Err(_) => fetch.boxed().shared(),
    };
    *under_way = Some(flight.clone());
    flight
}

/// Fetches a token and records the outcome in `slot`.
async fn fetch_into(shared: &Shared, slot: &Slot, scope: &Scope) -> Result<Cached, TokenError> {
    let consecutive = {
        let failure = slot.failure.lock().unwrap_or_else(PoisonError::into_inner);
        match failure.as_ref() {
            Some(f) if Instant::now() < f.retry_at => {
                return Err(TokenError { backing_off: true, ..f.error.clone() });
            }
            Some(f) => f.consecutive,
            None => 0,
        }
    };
    let started = Instant::now();
    match request_token(shared, scope).await {
        Ok(answer) => {
            let cached = lifetimes(answer, started);
            slot.store(Some(cached.clone()));
            *slot.failure.lock().unwrap_or_else(PoisonError::into_inner) = None;
            Ok(cached)
        }
        Err(error) => {
            *slot.failure.lock().unwrap_or_else(PoisonError::into_inner) = Some(Box::new(Failure {
                error: error.clone(),
                retry_at: clock::after(Instant::now(), backoff(consecutive)),
                consecutive: consecutive.saturating_add(1),
            }));
            Err(error)
        }
    }
}

/// How long failures are served from cache after `consecutive` earlier failures: 1 s, doubling, at most 60 s.
pub(crate) fn backoff(consecutive: u32) -> Duration {
    FIRST_BACKOFF.saturating_mul(2u32.saturating_pow(consecutive.min(10))).min(MAX_BACKOFF)
}

/// When a token fetched at `started` is refreshed (two thirds into its life) and stops being
/// used (a tenth of its life, at most 30 s, before it expires); saturating for any `expires_in`.
fn lifetimes(answer: TokenAnswer, started: Instant) -> Cached {
    let lifetime = Duration::from_secs(answer.expires_in.max(1));
    let margin = (lifetime / 10).min(Duration::from_secs(30));
    Cached {
        header: answer.header,
        refresh_at: clock::after(started, lifetime / 3 * 2),
        expires_at: clock::after(started, lifetime.saturating_sub(margin)),
    }
}

fn unreachable(message: String) -> TokenError {
    TokenError { kind: TokenErrorKind::Unreachable, api: None, message: Some(message), backing_off: false }
}

struct TokenAnswer {
    header: HeaderValue,
    expires_in: u64,
}

#[derive(Deserialize)]
struct RawTokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// Builds the exact `/token` request Basiq documents: Basic key verbatim, form body, version header.
pub(crate) fn token_request(shared: &Shared, scope: &Scope) -> Result<reqwest::Request, TokenError> {
    let form: Vec<(&str, &str)> = match scope {
        Scope::Server => vec![("scope", "SERVER_ACCESS")],
        Scope::Client(user) => vec![("scope", "CLIENT_ACCESS"), ("userId", user.as_str())],
    };
    let mut request = shared
        .http
        .post(format!("{}/token", shared.base_url))
        .form(&form)
        .build()
        .map_err(|e| malformed(format!("could not build the token request: {e}")))?;
    let headers = request.headers_mut();
    headers.insert(AUTHORIZATION, basic(&shared.api_key)?);
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/x-www-form-urlencoded"));
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    headers.insert("basiq-version", HeaderValue::from_static(API_VERSION));
    send::prepare(shared, &mut request);
    Ok(request)
}

/// `Basic <key>`, marked sensitive so it is never logged.
pub(crate) fn basic(key: &Secret) -> Result<HeaderValue, TokenError> {
    let mut value = HeaderValue::from_str(&format!("Basic {}", key.expose()))
        .map_err(|_| malformed("the API key contains characters that cannot be sent in a header".into()))?;
    value.set_sensitive(true);
    Ok(value)
}

/// `Bearer <token>`, marked sensitive; `None` when the token cannot be sent in a header.
pub(crate) fn bearer(token: &str) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(&format!("Bearer {token}")).ok()?;
    value.set_sensitive(true);
    Some(value)
}

fn malformed(message: String) -> TokenError {
    TokenError { kind: TokenErrorKind::Malformed, api: None, message: Some(message), backing_off: false }
}

async fn request_token(shared: &Shared, scope: &Scope) -> Result<TokenAnswer, TokenError> {
    let request = token_request(shared, scope)?;
    let response = send::send(shared, request, TOKEN_OPERATION, None).await.map_err(|e| TokenError {
        kind: TokenErrorKind::Unreachable,
        api: None,
        message: Some(if e.is_timeout() { "timed out".into() } else { e.to_string() }),
        backing_off: false,
    })?;
    let status = response.status();
    let body = response.bytes().await.map_err(|e| TokenError {
        kind: TokenErrorKind::Unreachable,
        api: None,
        message: Some(e.to_string()),
        backing_off: false,
    })?;
    if !status.is_success() {
        let api = ApiError::from_body(status.as_u16(), Some(TOKEN_OPERATION.into()), &body);
        return Err(TokenError { kind: classify(&api), api: Some(api), message: None, backing_off: false });
    }
    let raw: RawTokenAnswer =
        serde_json::from_slice(&body).map_err(|e| malformed(format!("expected access_token and expires_in: {e}")))?;
    let header = bearer(&raw.access_token)
        .ok_or_else(|| malformed("the access token contains characters that cannot be sent in a header".into()))?;
    Ok(TokenAnswer { header, expires_in: raw.expires_in.unwrap_or(3600) })
}

/// Names the reason behind a refused token request, from Basiq's documented answers.
fn classify(api: &ApiError) -> TokenErrorKind {
    match api.status {
        401 | 404 => TokenErrorKind::InvalidApiKey,
        429 => TokenErrorKind::RateLimited,
        403 if api.mentions("disabled") => TokenErrorKind::AccountDisabled,
        403 if api.mentions("invalid request") => TokenErrorKind::RateLimited,
        400 if api.mentions("authori") => TokenErrorKind::InvalidApiKey,
        _ => TokenErrorKind::Rejected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorItem;

    fn api(status: u16, detail: &str) -> ApiError {
        ApiError {
            status,
            operation: None,
            correlation_id: None,
            items: vec![ErrorItem { detail: Some(detail.into()), ..ErrorItem::default() }],
        }
    }

    /// A client whose `/token` goes to a closed port on this machine, so any fetch fails fast.
    fn unreachable_client() -> crate::Client {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap();
        crate::Client::builder()
            .api_key("key")
            .base_url(format!("http://127.0.0.1:{port}"))
            .retry_policy(crate::RetryPolicy::disabled())
            .build()
            .unwrap()
    }

    fn fetching(slot: &Slot) -> bool {
        slot.flight.lock().unwrap().is_some()
    }

    #[tokio::test(start_paused = true)]
    async fn a_fresh_token_is_served_without_a_fetch() {
        let client = unreachable_client();
        let shared = client.inner.0.clone();
        let slot = shared.tokens.slot(&Scope::Server);
        slot.store(Some(Cached::in_test(Duration::from_secs(60), Duration::from_secs(120))));
        let flight = flight(&shared, &slot, &Scope::Server);
        assert!(!fetching(&slot), "a token before its refresh time needs no fetch");
        assert_eq!(flight.await.unwrap().token().expose(), "t");
        assert_eq!(usable(&shared, Scope::Server).await.unwrap().token().expose(), "t");
        assert!(!fetching(&slot));
    }

    #[tokio::test(start_paused = true)]
    async fn at_its_refresh_time_a_token_is_still_served_while_a_new_one_is_fetched() {
        let client = unreachable_client();
        let shared = client.inner.0.clone();
        let slot = shared.tokens.slot(&Scope::Server);
        slot.store(Some(Cached::in_test(Duration::ZERO, Duration::from_secs(60))));
        assert_eq!(usable(&shared, Scope::Server).await.unwrap().token().expose(), "t");
        assert!(fetching(&slot), "the refresh starts exactly at the refresh time");
        drop(flight(&shared, &slot, &Scope::Server));
        assert!(fetching(&slot));
    }

    #[tokio::test(start_paused = true)]
    async fn at_its_expiry_a_token_is_not_served() {
        let client = unreachable_client();
        let shared = client.inner.0.clone();
        shared.tokens.slot(&Scope::Server).store(Some(Cached::in_test(Duration::ZERO, Duration::ZERO)));
        let refused = usable(&shared, Scope::Server).await.err().expect("an expired token is not served");
        assert_eq!(refused.kind, TokenErrorKind::Unreachable);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failure_is_served_until_its_retry_time_and_not_at_it() {
        let client = unreachable_client();
        let shared = client.inner.0.clone();
        let slot = shared.tokens.slot(&Scope::Server);
        let earlier = malformed("earlier".into());
        let remember = |retry_at| {
            *slot.failure.lock().unwrap() =
                Some(Box::new(Failure { error: earlier.clone(), retry_at, consecutive: 1 }));
        };
        remember(Instant::now() + Duration::from_secs(1));
        let served = fetch_into(&shared, &slot, &Scope::Server).await.err().unwrap();
        assert!(served.backing_off);
        assert_eq!(served.kind, TokenErrorKind::Malformed);
        remember(Instant::now());
        let fresh = fetch_into(&shared, &slot, &Scope::Server).await.err().unwrap();
        assert!(!fresh.backing_off, "at the retry time a new fetch is made");
        assert_eq!(fresh.kind, TokenErrorKind::Unreachable);
        assert_eq!(slot.failure.lock().unwrap().as_ref().map(|f| f.consecutive), Some(2));
    }

    #[test]
    fn classifies_basiqs_documented_token_refusals() {
        assert_eq!(
            classify(&api(404, "Unable to authenticate. Please, check your API key")),
            TokenErrorKind::InvalidApiKey
        );
        assert_eq!(
            classify(&api(403, "Your account has been disabled. Please contact Basiq support.")),
            TokenErrorKind::AccountDisabled
        );
        assert_eq!(classify(&api(403, "Invalid request")), TokenErrorKind::RateLimited);
        assert_eq!(classify(&api(429, "Too many requests")), TokenErrorKind::RateLimited);
        assert_eq!(classify(&api(401, "Unauthorized")), TokenErrorKind::InvalidApiKey);
        assert_eq!(classify(&api(403, "Access to this resource is forbidden")), TokenErrorKind::Rejected);
        assert_eq!(classify(&api(400, "Invalid authorization header")), TokenErrorKind::InvalidApiKey);
        assert_eq!(classify(&api(400, "Authorization header parameter is required")), TokenErrorKind::InvalidApiKey);
        assert_eq!(
            classify(&api(400, "Accept type application/json is not supported on requested endpoint.")),
            TokenErrorKind::Rejected
        );
        assert_eq!(classify(&api(500, "Internal server error")), TokenErrorKind::Rejected);
    }
}
