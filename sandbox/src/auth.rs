//! Access tokens: `POST /token` and bearer checks on every other route.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use serde_json::json;

use super::errors::{ApiError, ApiResult};
use super::form;
use super::http::read_body;
use super::ids;
use super::state::{Scope, Shared, Token};

/// Who is calling, as established from the bearer token.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub(crate) scope: Scope,
    pub(crate) user_id: Option<String>,
}

impl Caller {
    /// Whether a CLIENT_ACCESS caller may touch this user's resources (SERVER_ACCESS always may).
    pub(crate) fn may_access_user(&self, user_id: &str) -> bool {
        self.scope == Scope::Server || self.user_id.as_deref() == Some(user_id)
    }
}

/// The bearer token in an `Authorization` header, if any.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

/// Check a token string: 401 when unknown, 403 when expired or revoked.
pub(crate) fn check_token(shared: &Shared, token: Option<&str>) -> ApiResult<Caller> {
    let token = token.ok_or_else(ApiError::invalid_token)?;
    let inner = shared.read();
    let t = inner.tokens.get(token).ok_or_else(ApiError::invalid_token)?;
    if t.revoked || shared.cfg.clock.now() >= t.expires {
        return Err(ApiError::token_expired());
    }
    Ok(Caller { scope: t.scope, user_id: t.user_id.clone() })
}

/// Mark a token revoked (no-op for unknown tokens).
pub(crate) fn revoke(shared: &Shared, token: &str) {
    if let Some(t) = shared.write().tokens.get_mut(token) {
        t.revoked = true;
    }
}

/// Issue a token directly (used by auth links and tests).
pub(crate) fn issue(shared: &Shared, scope: Scope, user_id: Option<String>) -> String {
    let token = ids::random_token(&mut rand::rng(), 64);
    let expires = shared.cfg.clock.now() + shared.cfg.token_lifetime;
    shared.write().tokens.insert(token.clone(), Token { scope, user_id, expires, revoked: false });
    token
}

/// `POST /token` (postToken).
pub(crate) async fn post_token(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Body) -> ApiResult {
    let auth = headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::invalid_param("Authorization", "Authorization header parameter is required"))?
        .to_str()
        .map_err(|_| ApiError::invalid_param("Authorization", "Invalid authorization header"))?;
    let key = match auth.split_once(' ') {
        Some((scheme, key)) if scheme.eq_ignore_ascii_case("basic") && !key.trim().is_empty() => key.trim(),
        _ => return Err(ApiError::invalid_param("Authorization", "Invalid authorization header")),
    };
    let version = headers.get("basiq-version").and_then(|v| v.to_str().ok()).map(str::trim).ok_or_else(|| {
        ApiError::missing_param("basiq-version", "Basiq-version must be specified in HTTP request header")
    })?;
    if version != "3.0" {
        return Err(ApiError::invalid_param(
            "basiq-version",
            format!("Version {version} is not supported by this API. Please use version 3.0"),
        ));
    }
    if key != shared.cfg.api_key {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "parameter-not-valid",
            "We have encountered an error",
            "Unable to authenticate. Please, check your API key",
        )
        .param("header/Authorization"));
    }
    let body = read_body(body, 64 * 1024).await?;
    let form = form::parse_form(&String::from_utf8_lossy(&body));
    let scope = match form::field(&form, "scope").map(str::trim) {
        None | Some("") => return Err(ApiError::missing_param("scope", "Scope parameter is required.")),
        Some("SERVER_ACCESS") => Scope::Server,
        Some("CLIENT_ACCESS") => Scope::Client,
        Some(other) => {
            return Err(ApiError::invalid_param(
                "scope",
                format!("Scope {other} is not supported; use SERVER_ACCESS or CLIENT_ACCESS."),
            ));
        }
    };
    let user_id = match scope {
        Scope::Server => None,
        Scope::Client => {
            let id = form::field(&form, "userId")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| ApiError::missing_param("userId", "User ID not supplied"))?;
            if !shared.read().users.contains_key(id) {
                return Err(ApiError::invalid_param("userId", "User ID value is not valid"));
            }
            Some(id.to_owned())
        }
    };
    let token = issue(&shared, scope, user_id);
    Ok((
        StatusCode::OK,
        axum::Json(json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": shared.cfg.token_lifetime.as_secs(),
        })),
    )
        .into_response())
}

/// Reject a CLIENT_ACCESS caller that is not bound to `user_id`.
pub(crate) fn require_user(caller: &Caller, user_id: &str) -> ApiResult<()> {
    if caller.may_access_user(user_id) { Ok(()) } else { Err(ApiError::forbidden()) }
}
