//! HTTP helpers the handlers share: reading bodies (bounded) and query strings, building JSON
//! and empty responses, and the absolute URL of the current request.

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::errors::{ApiError, ApiResult, parse_json};
use crate::form;
use crate::state::Shared;

/// Read a request body up to `limit` bytes (413 envelope beyond).
pub(crate) async fn read_body(body: Body, limit: usize) -> ApiResult<Bytes> {
    axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid-content",
            "Request Too Long",
            format!("The request body exceeds {limit} bytes."),
        )
    })
}

/// Read a request body up to `limit` bytes and parse it as JSON (`what` names it in errors).
pub(crate) async fn read_json(body: Body, limit: usize, what: &str) -> ApiResult<Value> {
    parse_json(&read_body(body, limit).await?, what)
}

/// Query string pairs of a request.
pub(crate) fn query(uri: &Uri) -> Vec<(String, String)> {
    form::parse_form(uri.query().unwrap_or(""))
}

/// A JSON response with a status.
pub(crate) fn json(status: StatusCode, value: Value) -> Response {
    (status, axum::Json(value)).into_response()
}

/// 200 with a JSON body.
pub(crate) fn ok(value: Value) -> ApiResult {
    Ok(json(StatusCode::OK, value))
}

/// 204 with no body.
pub(crate) fn no_content() -> ApiResult {
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The absolute URL of the current request (for `links.self`).
pub(crate) fn self_url(shared: &Shared, uri: &Uri) -> String {
    let pq = uri.path_and_query().map_or(uri.path(), |pq| pq.as_str());
    format!("{}{pq}", shared.cfg.base_url)
}
