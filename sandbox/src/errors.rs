//! Basiq's error envelope and the sandbox's internal error type for HTTP handlers.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::filter::FilterError;
use super::ids;

/// Where in the request an error points.
#[derive(Debug, Clone)]
pub(crate) enum ErrorSource {
    /// A query, path or header parameter.
    Parameter(String),
    /// A path into the JSON body.
    Pointer(String),
}

/// An error answered with Basiq's `{"type":"list","correlationId",...,"data":[...]}` envelope.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) title: &'static str,
    pub(crate) detail: String,
    pub(crate) source: Option<ErrorSource>,
    pub(crate) retry_after: Option<u64>,
}

/// Handler result type.
pub(crate) type ApiResult<T = Response> = Result<T, ApiError>;

impl ApiError {
    /// A new error with explicit status, code, title and detail.
    pub(crate) fn new(status: StatusCode, code: &'static str, title: &'static str, detail: impl Into<String>) -> Self {
        ApiError { status, code, title, detail: detail.into(), source: None, retry_after: None }
    }

    /// Point the error at a parameter.
    pub(crate) fn param(mut self, name: &str) -> Self {
        self.source = Some(ErrorSource::Parameter(name.to_owned()));
        self
    }

    /// Point the error at a body field.
    pub(crate) fn pointer(mut self, path: &str) -> Self {
        self.source = Some(ErrorSource::Pointer(path.to_owned()));
        self
    }

    /// 400 parameter-not-valid.
    pub(crate) fn invalid_param(name: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "parameter-not-valid", "Parameter value is not valid", detail).param(name)
    }

    /// 400 parameter-not-supplied.
    pub(crate) fn missing_param(name: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "parameter-not-supplied", "Required parameter not supplied", detail)
            .param(name)
    }

    /// 400 invalid-content (unparsable or unacceptable body).
    pub(crate) fn invalid_content(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid-content", "Content is not valid", detail)
    }

    /// 400 for a filter the endpoint cannot understand.
    pub(crate) fn bad_filter() -> Self {
        Self::invalid_param("filter", "The provided filter parameter is in invalid format or unsupported")
    }

    /// 404 resource-not-found with a specific detail.
    pub(crate) fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "resource-not-found", "Requested resource is not found", detail)
    }

    /// 404 for an unknown user.
    pub(crate) fn user_not_found() -> Self {
        Self::not_found("Requested user does not exist.").pointer("users/userId")
    }

    /// 401 for a missing or unreadable bearer token.
    pub(crate) fn invalid_token() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid-authorization-token",
            "Invalid authorization token",
            "Invalid authorization token.",
        )
        .param("Authorization")
    }

    /// 403 for an expired or revoked token.
    pub(crate) fn token_expired() -> Self {
        Self::new(StatusCode::FORBIDDEN, "access-denied", "Access denied", "Token has expired").param("Authorization")
    }

    /// 403 for a token whose scope does not cover the endpoint.
    pub(crate) fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden-access", "Forbidden access", "Access to this resource is forbidden")
            .param("Authorization")
    }

    /// 429 too-many-requests.
    pub(crate) fn too_many_requests(retry_after: Option<u64>) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too-many-requests",
            "Too many requests",
            "You have exceeded the rate limit for this API.",
        );
        e.retry_after = retry_after;
        e
    }

    /// 503 service-unavailable.
    pub(crate) fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service-unavailable",
            "Service unavailable",
            "Service is currently unavailable. Please try again later.",
        )
    }

    /// The JSON envelope for this error.
    pub(crate) fn body(&self) -> Value {
        let mut item = json!({
            "type": "error",
            "code": self.code,
            "title": self.title,
            "detail": self.detail,
        });
        if let Some(src) = &self.source {
            item["source"] = match src {
                ErrorSource::Parameter(p) => json!({ "parameter": p }),
                ErrorSource::Pointer(p) => json!({ "pointer": p }),
            };
        }
        json!({
            "type": "list",
            "correlationId": ids::random_uuid(&mut rand::rng()),
            "data": [item],
        })
    }
}

impl From<FilterError> for ApiError {
    fn from(_: FilterError) -> Self {
        ApiError::bad_filter()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, axum::Json(self.body())).into_response();
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}

/// Parse a JSON body, mapping failures to Basiq's invalid-content error.
pub(crate) fn parse_json(body: &[u8], what: &str) -> ApiResult<Value> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid_content(format!("{what} is not in valid format.")));
    }
    serde_json::from_slice::<Value>(body)
        .map_err(|_| ApiError::invalid_content(format!("{what} is not in valid format.")))
}

/// Like [`parse_json`], but an empty (all-whitespace) body reads as `{}`.
pub(crate) fn parse_json_or_empty(body: &[u8], what: &str) -> ApiResult<Value> {
    if body.iter().all(u8::is_ascii_whitespace) { Ok(json!({})) } else { parse_json(body, what) }
}
