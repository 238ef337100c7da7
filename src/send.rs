//! The request pipeline below the hooks: common headers, the retry loop, error bodies normalised
//! to Basiq's envelope, and the tracing span of a call.

use bytes::Bytes;
use reqwest::header::{CONTENT_LENGTH, HeaderValue, USER_AGENT};
use reqwest::{Method, Request, Response, StatusCode};
use tracing::field;

use std::time::Duration;

use tokio::time::Instant;

use crate::error::non_json_item;
use crate::state::Shared;
use crate::{clock, deadline, retry};

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

/// Sends `request`, retrying per the client's policy within `deadline`; records the attempt count on the span.
pub(crate) async fn send(
    shared: &Shared,
    request: Request,
    operation: &str,
    deadline: Option<Instant>,
) -> reqwest::Result<Response> {
    send_keeping_spare(shared, request, operation, deadline).await.0
}

/// Like [`send`], and also hands back an unsent copy of the request (when it can be cloned), so
/// the caller can replay it once more.
///
/// With a `deadline`, no attempt's timeout reaches past it, and no retry is made whose pause
/// would end after it: the call then ends with the last answer, or a timeout.
pub(crate) async fn send_keeping_spare(
    shared: &Shared,
    request: Request,
    operation: &str,
    deadline: Option<Instant>,
) -> (reqwest::Result<Response>, Option<Request>) {
    let idempotent = retry::is_idempotent(request.method(), operation);
    let attempt_timeout = request.timeout().copied();
    let mut retry_no = 0;
    let mut current = request;
    loop {
        let spare = current.try_clone();
        if let Some(at) = deadline {
            let left = deadline::remaining(at);
            *current.timeout_mut() = Some(attempt_timeout.map_or(left, |t| t.min(left)));
        }
        let outcome = shared.transport.send(current).await;
        tracing::Span::current().record("attempts", retry_no + 1);
        let delay = match &outcome {
            Ok(response) => {
                shared.retry.delay_after_status(retry_no, response.status(), response.headers(), idempotent)
            }
            Err(error) => shared.retry.delay_after_transport_error(retry_no, error, idempotent),
        };
        let in_time = |delay: Duration| deadline.is_none_or(|at| clock::after(Instant::now(), delay) < at);
        let (Some(delay), Some(next)) = (delay.filter(|d| in_time(*d)), spare.as_ref().and_then(Request::try_clone))
        else {
            return (outcome, spare);
        };
        tracing::debug!(retry = retry_no + 1, delay_ms = delay.as_millis() as u64, "retrying");
        tokio::time::sleep(delay).await;
        retry_no += 1;
        current = next;
    }
}

pub(crate) async fn split(response: Response) -> reqwest::Result<(StatusCode, reqwest::header::HeaderMap, Bytes)> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await?;
    Ok((status, headers, body))
}

pub(crate) fn rebuild(status: StatusCode, headers: reqwest::header::HeaderMap, body: Bytes) -> Response {
    let mut response = http::Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    Response::from(response)
}

/// Error bodies that are not JSON are replaced by an envelope carrying a redacted excerpt, so the
/// caller still learns the status; the correlationId of real envelopes is put on the span.
pub(crate) async fn normalise_error_body(response: Response) -> reqwest::Result<Response> {
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
