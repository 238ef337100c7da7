//! progenitor's client hooks: every generated call gets its token here, runs through the request
//! pipeline ([`crate::send`]) and is replayed once with a fresh token when Basiq refuses the old one.
//! Handwritten requests (paging links, uploads) enter through the same hooks.

use std::sync::Arc;

use progenitor_client::{ClientHooks, OperationInfo};
use reqwest::header::{AUTHORIZATION, HeaderValue};
use reqwest::{Request, Response, StatusCode};
use tokio::time::Instant;
use tracing::Instrument;

use crate::call::TOKEN_OPERATION;
use crate::error::{ApiError, DEADLINE_TAG, TOKEN_ERROR_TAG};
use crate::send::{call_span, check_path, normalise_error_body, prepare, rebuild, send, send_keeping_spare, split};
use crate::state::{ClientState, Shared};
use crate::token_cache::Scope;
use crate::token_refusal::token_refused;
use crate::{auth, clock, deadline};

impl ClientHooks<ClientState> for crate::Client {
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
        let deadline = self.inner.1.deadline.map(|d| clock::after(Instant::now(), d));
        if let Some(at) = deadline {
            deadline::stamp(request, at);
        }
        let token = auth::usable(shared, Scope::Server);
        let token = match deadline {
            Some(at) => tokio::time::timeout_at(at, token)
                .await
                .map_err(|_| progenitor_client::Error::Custom(DEADLINE_TAG.to_owned()))?,
            None => token.await,
        };
        request.headers_mut().insert(AUTHORIZATION, token.map_err(|e| token_error(&e))?.header);
        Ok(())
    }

    async fn exec(&self, mut request: Request, info: &OperationInfo) -> reqwest::Result<Response> {
        let shared = &self.inner.0;
        let deadline =
            deadline::take(&mut request).or_else(|| self.inner.1.deadline.map(|d| clock::after(Instant::now(), d)));
        let span = call_span(info.operation_id, &request);
        execute(shared, request, info.operation_id, deadline).instrument(span).await
    }
}

fn token_error<E>(error: &crate::error::TokenError) -> progenitor_client::Error<E> {
    let json = serde_json::to_string(error).unwrap_or_default();
    progenitor_client::Error::Custom(format!("{TOKEN_ERROR_TAG}{json}"))
}

/// Sends a generated call: retries, one replay with a fresh token after a refusal, and error
/// bodies normalised to Basiq's envelope; all of it within `deadline`.
async fn execute(
    shared: &Arc<Shared>,
    request: Request,
    operation: &str,
    deadline: Option<Instant>,
) -> reqwest::Result<Response> {
    let started = Instant::now();
    let refused_token = bearer_of(&request);
    let (response, spare) = send_keeping_spare(shared, request, operation, deadline).await;
    let mut response = response?;

    let may_be_refusal = matches!(response.status(), StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN);
    if let (true, Some(mut replay), Some(refused)) = (may_be_refusal, spare, refused_token) {
        let (status, headers, body) = split(response).await?;
        response = rebuild(status, headers, body.clone());
        if token_refused(status, &body) {
            tracing::debug!("token refused; replaying once with a fresh token");
            shared.tokens.invalidate(&Scope::Server, &refused);
            let fresh = auth::usable(shared, Scope::Server);
            let fresh = match deadline {
                Some(at) => tokio::time::timeout_at(at, fresh).await.ok(),
                None => Some(fresh.await),
            };
            if let Some(Ok(fresh)) = fresh {
                replay.headers_mut().insert(AUTHORIZATION, fresh.header);
                response = send(shared, replay, operation, deadline).await?;
            }
        }
    }

    let response = normalise_error_body(response).await?;
    let span = tracing::Span::current();
    span.record("status", response.status().as_u16());
    span.record("latency_ms", started.elapsed().as_millis() as u64);
    Ok(response)
}

fn bearer_of(request: &Request) -> Option<String> {
    let value = request.headers().get(AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(str::to_owned)
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
