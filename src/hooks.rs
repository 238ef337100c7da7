//! progenitor's client hooks: where every generated call gets its token, retries, replay after
//! a refused token, error-body normalisation and its tracing span.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use progenitor_client::{ClientHooks, OperationInfo};
use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, HeaderValue, USER_AGENT};
use reqwest::{Method, Request, Response, StatusCode};
use tokio::time::Instant;
use tracing::{Instrument, field};

use crate::auth::{self, Scope, TOKEN_OPERATION};
use crate::error::{ApiError, TOKEN_ERROR_TAG, non_json_item};
use crate::retry::{self, RetryPolicy};
use crate::secret::Secret;
use crate::transport::Transport;

/// Facade state carried inside the generated [`Client`](crate::Client); cheap to clone.
#[derive(Clone)]
pub struct Inner(pub(crate) Arc<Shared>);

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inner")
            .field("base_url", &self.0.base_url)
            .field("api_key", &self.0.api_key)
            .field("retry", &self.0.retry)
            .finish_non_exhaustive()
    }
}

/// Everything the hooks need, shared by all clones of a client.
pub(crate) struct Shared {
    pub(crate) api_key: Secret,
    pub(crate) base_url: String,
    /// The path part of `base_url` without its trailing slash (empty for a bare host).
    pub(crate) base_path: String,
    pub(crate) http: reqwest::Client,
    pub(crate) transport: Arc<dyn Transport>,
    pub(crate) tokens: auth::TokenCache,
    pub(crate) retry: RetryPolicy,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) user_agent: HeaderValue,
}

impl ClientHooks<Inner> for crate::Client {
    async fn pre<E>(&self, request: &mut Request, info: &OperationInfo) -> Result<(), progenitor_client::Error<E>> {
        let shared = &self.inner.0;
        prepare(shared, request);
        check_path(&shared.base_path, request, info.operation_id).map_err(progenitor_client::Error::InvalidRequest)?;
        if info.operation_id == TOKEN_OPERATION {
            let key = auth::basic(&shared.api_key).map_err(|e| token_error(&e))?;
            request.headers_mut().insert(AUTHORIZATION, key);
            request.headers_mut().insert("basiq-version", HeaderValue::from_static(auth::API_VERSION));
            return Ok(());
        }
        let token = auth::usable(shared, Scope::Server).await.map_err(|e| token_error(&e))?;
        request.headers_mut().insert(AUTHORIZATION, token.header);
        Ok(())
    }

    async fn exec(&self, request: Request, info: &OperationInfo) -> reqwest::Result<Response> {
        let shared = &self.inner.0;
        let span = call_span(info.operation_id, &request);
        execute(shared, request, info.operation_id).instrument(span).await
    }
}

fn token_error<E>(error: &crate::error::TokenError) -> progenitor_client::Error<E> {
    let json = serde_json::to_string(error).unwrap_or_default();
    progenitor_client::Error::Custom(format!("{TOKEN_ERROR_TAG}{json}"))
}

/// Headers every request carries: our user agent, an explicit empty length on body-less writes,
/// no progenitor `api-version`; and the per-attempt timeout.
pub(crate) fn prepare(shared: &Shared, request: &mut Request) {
    let needs_length =
        request.body().is_none() && matches!(*request.method(), Method::POST | Method::PUT | Method::PATCH);
    let headers = request.headers_mut();
    headers.remove("api-version");
    if !headers.contains_key(USER_AGENT) {
        headers.insert(USER_AGENT, shared.user_agent.clone());
    }
    if needs_length {
        headers.insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
    }
    if request.timeout().is_none() {
        *request.timeout_mut() = shared.attempt_timeout;
    }
}

/// Refuses a request whose path no longer matches its operation's template: an identifier such
/// as `..` or `.` is resolved away by URL parsing and would reach a different endpoint.
pub(crate) fn check_path(base_path: &str, request: &Request, operation: &str) -> Result<(), String> {
    let Some(op) = crate::OPERATIONS.iter().find(|o| o.name == operation) else { return Ok(()) };
    let path = request.url().path();
    let path = path.strip_prefix(base_path).unwrap_or(path);
    let sent: Vec<&str> = path.split('/').collect();
    let template: Vec<&str> = op.path.split('/').collect();
    let matches = sent.len() == template.len()
        && sent.iter().zip(&template).all(|(s, t)| if t.starts_with('{') { !s.is_empty() } else { s == t });
    if matches {
        Ok(())
    } else {
        Err(format!(
            "{operation}: an identifier is empty or is a dot segment (`.`/`..`), so the request would not reach {}",
            op.path
        ))
    }
}

/// `Bearer <token>`, marked sensitive.
pub(crate) fn bearer(token: &Secret) -> HeaderValue {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
        .unwrap_or_else(|_| HeaderValue::from_static("Bearer invalid"));
    value.set_sensitive(true);
    value
}

/// The span every call runs in; filled with status, attempts, latency and correlationId.
pub(crate) fn call_span(operation: &str, request: &Request) -> tracing::Span {
    tracing::info_span!(
        "basiq.call",
        operation = operation,
        method = %request.method(),
        path = request.url().path(),
        status = field::Empty,
        attempts = field::Empty,
        latency_ms = field::Empty,
        correlation_id = field::Empty,
    )
}

/// Sends a generated call: retries, one replay with a fresh token after a refusal, and error
/// bodies normalised to Basiq's envelope.
async fn execute(shared: &Arc<Shared>, request: Request, operation: &str) -> reqwest::Result<Response> {
    let started = Instant::now();
    let refused_token = bearer_of(&request);
    let (response, spare) = send_keeping_spare(shared, request, operation).await;
    let mut response = response?;

    let may_be_refusal = matches!(response.status(), StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN);
    if let (true, Some(mut replay), Some(refused)) = (may_be_refusal, spare, refused_token) {
        let (status, headers, body) = split(response).await?;
        response = rebuild(status, headers, body.clone());
        if token_refused(status, &body) {
            tracing::debug!("token refused; replaying once with a fresh token");
            shared.tokens.invalidate(&Scope::Server, &refused);
            if let Ok(fresh) = auth::usable(shared, Scope::Server).await {
                replay.headers_mut().insert(AUTHORIZATION, fresh.header);
                response = send(shared, replay, operation).await?;
            }
        }
    }

    let response = normalise_error_body(response).await?;
    let span = tracing::Span::current();
    span.record("status", response.status().as_u16());
    span.record("latency_ms", started.elapsed().as_millis() as u64);
    Ok(response)
}

/// Sends `request`, retrying per the client's policy; records the attempt count on the span.
pub(crate) async fn send(shared: &Shared, request: Request, operation: &str) -> reqwest::Result<Response> {
    send_keeping_spare(shared, request, operation).await.0
}

/// Like [`send`], and also hands back an unsent copy of the request (when it can be cloned), so
/// the caller can replay it once more.
async fn send_keeping_spare(
    shared: &Shared,
    request: Request,
    operation: &str,
) -> (reqwest::Result<Response>, Option<Request>) {
    let idempotent = retry::is_idempotent(request.method(), operation);
    let mut retry_no = 0;
    let mut current = request;
    loop {
        let spare = current.try_clone();
        let outcome = shared.transport.send(current).await;
        tracing::Span::current().record("attempts", retry_no + 1);
        let delay = match &outcome {
            Ok(response) => {
                shared.retry.delay_after_status(retry_no, response.status(), response.headers(), idempotent)
            }
            Err(error) => shared.retry.delay_after_transport_error(retry_no, error, idempotent),
        };
        let (Some(delay), Some(next)) = (delay, spare.as_ref().and_then(Request::try_clone)) else {
            return (outcome, spare);
        };
        tracing::debug!(retry = retry_no + 1, delay_ms = delay.as_millis() as u64, "retrying");
        tokio::time::sleep(delay).await;
        retry_no += 1;
        current = next;
    }
}

fn bearer_of(request: &Request) -> Option<String> {
    let value = request.headers().get(AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(str::to_owned)
}

/// Basiq's two ways of saying the token is no longer good: 401, or 403 "Token has expired".
fn token_refused(status: StatusCode, body: &[u8]) -> bool {
    match status {
        StatusCode::UNAUTHORIZED => true,
        StatusCode::FORBIDDEN => {
            let api = ApiError::from_body(403, None, body);
            api.mentions("expired") || (api.has_code("access-denied") && !api.mentions("disabled"))
        }
        _ => false,
    }
}

async fn split(response: Response) -> reqwest::Result<(StatusCode, reqwest::header::HeaderMap, Bytes)> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await?;
    Ok((status, headers, body))
}

fn rebuild(status: StatusCode, headers: reqwest::header::HeaderMap, body: Bytes) -> Response {
    let mut response = http::Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    Response::from(response)
}

/// Error bodies that are not JSON are replaced by an envelope carrying a redacted excerpt, so the
/// caller still learns the status; the correlationId of real envelopes is put on the span.
async fn normalise_error_body(response: Response) -> reqwest::Result<Response> {
    if response.status().is_success() || response.status().is_informational() {
        return Ok(response);
    }
    let (status, mut headers, body) = split(response).await?;
    match serde_json::from_slice::<crate::types::BasiqError>(&body) {
        Ok(envelope) => {
            if let Some(id) = &envelope.correlation_id {
                tracing::Span::current().record("correlation_id", id.as_str());
            }
            Ok(rebuild(status, headers, body))
        }
        Err(_) => {
            let envelope = serde_json::json!({
                "type": "list",
                "correlationId": null,
                "data": non_json_item(&body).map(|i| vec![serde_json::json!({
                    "type": "error",
                    "title": i.title,
                    "detail": i.detail,
                })]).unwrap_or_default(),
            });
            headers.insert(reqwest::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            headers.remove(reqwest::header::CONTENT_LENGTH);
            Ok(rebuild(status, headers, Bytes::from(envelope.to_string())))
        }
    }
}

/// Sends a handwritten request (paging links, uploads) through the same hooks as generated calls.
pub(crate) async fn send_through_hooks(
    client: &crate::Client,
    mut request: Request,
    operation: &'static str,
) -> Result<Response, crate::Error> {
    let info = OperationInfo { operation_id: operation };
    client
        .pre::<crate::types::BasiqError>(&mut request, &info)
        .await
        .map_err(|e| crate::Error::from(e).with_operation(operation))?;
    let response =
        client.exec(request, &info).await.map_err(|e| crate::Error::from_reqwest(Some(operation.to_owned()), e))?;
    if response.status().is_success() {
        return Ok(response);
    }
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(|e| crate::Error::from_reqwest(Some(operation.to_owned()), e))?;
    Err(crate::Error::Api(ApiError::from_body(status, Some(operation.to_owned()), &body)))
}

/// Sends a handwritten request through the hooks and decodes its success body as `T`; a body
/// that does not decode names the operation, the field path and the status.
pub(crate) async fn send_json<T: serde::de::DeserializeOwned>(
    client: &crate::Client,
    request: Request,
    operation: &'static str,
) -> Result<T, crate::Error> {
    let response = send_through_hooks(client, request, operation).await?;
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(|e| crate::Error::from_reqwest(Some(operation.to_owned()), e))?;
    serde_json::from_slice(&body)
        .map_err(|e| crate::Error::Decode(crate::call::decode_error::<T>(operation, Some(status), &body, e)))
}

/// GETs an absolute URL that Basiq handed out (such as `links.next`) and decodes it as `T`.
///
/// The URL must point at the client's own base URL: the bearer token is never sent elsewhere.
pub(crate) async fn get_json<T: serde::de::DeserializeOwned>(
    client: &crate::Client,
    url: &str,
    operation: &'static str,
) -> Result<T, crate::Error> {
    let base = &client.inner.0.base_url;
    let same_origin = url.strip_prefix(base.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    if !same_origin {
        return Err(crate::Error::InvalidInput(format!(
            "refusing to follow {url:?}: it is not under the client's base URL {base}"
        )));
    }
    let request = client
        .inner
        .0
        .http
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .build()
        .map_err(|e| crate::Error::InvalidInput(format!("cannot request {url:?}: {e}")))?;
    send_json(client, request, operation).await
}
