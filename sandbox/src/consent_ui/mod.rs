//! The sandbox's Consent UI: the journey a person takes from the consent link back to the
//! application, modelled on Basiq's hosted Consent UI, as plain HTML forms that work without
//! JavaScript.
//!
//! Steps: consent (what is shared, why, for how long) → institution (search and choose) → login
//! (persona credentials) → multi-factor answer when the institution asks → progress while the
//! connection job runs → redirect to the redirect URL with `jobIds` and `state`. A failed job shows
//! an error screen, or redirects at once when the sandbox skips it. The `action` parameter picks
//! `connect`, `manage`, `extend`, `update` or `reauthorise`; `institutionId` and `connectionId`
//! preselect. Every page checks the token again; an invalid or expired one gets a plain 401 page.

mod actions;
mod consent_step;
mod context;
mod discovery;
mod institution;
mod login;
mod page;
mod progress;
mod request;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

use crate::state::Shared;

pub(crate) use consent_step::home;

/// The journey's routes under `/consent/` (the entry `GET /consent/home` is mounted with the
/// API routes) and the discovery document.
pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/consent/agree", post(consent_step::agree))
        .route("/consent/cancel", post(consent_step::cancel))
        .route("/consent/institutions", get(institution::page))
        .route("/consent/login", get(login::page).post(login::submit))
        .route("/consent/progress", get(progress::page))
        .route("/consent/mfa", post(progress::answer))
        .route("/consent/manage/delete-connection", post(actions::delete_connection))
        .route("/consent/manage/revoke", post(actions::revoke))
        .route("/consent/extend", post(actions::extend))
        .route(discovery::PATH, get(discovery::document))
}
