//! `GET /.well-known/basiq-sandbox`: tells a client where this server's consent page is (and
//! where it redirects), so a program pointed at the sandbox builds consent links that work
//! instead of links to Basiq's hosted page. Basiq's own API has no such document.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::state::Shared;

/// Where the document is served.
pub(crate) const PATH: &str = "/.well-known/basiq-sandbox";

/// The discovery document: `{type:"sandbox", consentUrl, redirectUrl, skipErrorScreen}`.
pub(crate) async fn document(State(s): State<Arc<Shared>>) -> Json<Value> {
    Json(json!({
        "type": "sandbox",
        "consentUrl": format!("{}/consent/home", s.cfg.base_url),
        "redirectUrl": s.cfg.redirect_url,
        "skipErrorScreen": s.cfg.skip_error_screen,
    }))
}
