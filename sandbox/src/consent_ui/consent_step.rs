//! The entry page and the consent step: `GET /consent/home` dispatches on `action`,
//! `connectionId` and `institutionId`; the consent screen says what is shared, why and for how
//! long; agreeing moves on to the institution, cancelling goes back to the application.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;

use super::actions::{self, CONSENT_DAYS, has_active_consent};
use super::context::Journey;
use super::request::{open_form, open_query};
use super::{institution, login, page};
use crate::dates::DAY;
use crate::state::Shared;

/// The data the sandbox asks to share: (scope, what the person sees).
const PERMISSIONS: &[(&str, &str)] = &[
    ("account.basic", "Account names, types and balances"),
    ("account.detail", "Account numbers and account details"),
    ("transaction.detail", "Transactions: amounts, dates, descriptions and merchants"),
    ("customer.person.detail", "Your name, email, phone number and address"),
];

/// `GET /consent/home?token=..[&action=..][&state=..][&institutionId=..][&connectionId=..]`.
pub(crate) async fn home(State(s): State<Arc<Shared>>, uri: Uri) -> Response {
    let (journey, _, user) = match open_query(&s, &uri) {
        Ok(v) => v,
        Err(resp) => return *resp,
    };
    let credential_update = journey.connection_id.is_some();
    match journey.action.as_deref() {
        None | Some("connect") | Some("reauthorise") if credential_update => {
            login::credential_update_page(&s, &journey, &user, None)
        }
        None => consent_screen(&s, &journey, None),
        Some("connect") if has_active_consent(&s, &user) => after_consent(&journey),
        Some("connect") => consent_screen(
            &s,
            &journey,
            Some("You have no active consent yet, so please agree to share your data first."),
        ),
        Some("manage") => actions::manage_page(&s, &journey, &user),
        Some("extend") => actions::extend_page(&s, &journey, &user, false),
        Some("update") => actions::extend_page(&s, &journey, &user, true),
        Some("reauthorise") => actions::reauthorise_page(&s, &journey),
        Some(other) => page::render(
            StatusCode::BAD_REQUEST,
            "Unknown action",
            &format!(
                "{}<p>Use one of <code>connect</code>, <code>manage</code>, <code>extend</code>, \
<code>update</code> or <code>reauthorise</code>, or no action to give consent.</p>",
                page::error_box(Some(&format!("The action \"{other}\" is not one the Consent UI knows.")))
            ),
        ),
    }
}

/// The consent screen (step 1).
fn consent_screen(s: &Shared, journey: &Journey, note: Option<&str>) -> Response {
    let until = crate::dates::fmt_date(s.cfg.clock.now_wall() + CONSENT_DAYS * DAY);
    let items: String = PERMISSIONS
        .iter()
        .map(|(scope, text)| format!("<li>{} <span class=\"note\">({scope})</span></li>", page::escape(text)))
        .collect();
    let note = note.map(|n| format!("<p class=\"note\">{}</p>", page::escape(n))).unwrap_or_default();
    let body = format!(
        "{note}<p><strong>Sandbox application</strong> asks to read data from your bank through Basiq.</p>\
<dl><dt>Data shared</dt><dd><ul id=\"permissions\">{items}</ul></dd>\
<dt>Purpose</dt><dd>To show you your accounts and spending in the application (sandbox data only).</dd>\
<dt>Duration</dt><dd>12 months, until <span id=\"expiry\">{until}</span>. You can stop sharing at any time.</dd>\
<dt>Shared with</dt><dd>Sandbox application, through Basiq (the sandbox imitates both).</dd></dl>\
{agree}{cancel}",
        agree = journey.post_button("agree", "agree", "I agree", "primary", ""),
        cancel = journey.cancel_button(),
    );
    page::render(StatusCode::OK, "Share your financial data", &body)
}

/// Where the journey goes once consent is given: the preselected institution's login, or the picker.
fn after_consent(journey: &Journey) -> Response {
    match journey.institution_id.as_deref().map(crate::institutions::institution) {
        Some(Some(_)) => page::see_other(&journey.link("login")),
        Some(None) => institution::render(journey, "", Some("The preselected institution is not available.")),
        None => page::see_other(&journey.link("institutions")),
    }
}

/// `POST /consent/agree`: consent given, on to the institution.
pub(crate) async fn agree(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    match open_form(&s, &body) {
        Ok((journey, _, _)) => after_consent(&journey),
        Err(resp) => *resp,
    }
}

/// `POST /consent/cancel`: back to the application with `state`, any job started, and
/// `error=cancelled` (Basiq does not document what its cancel sends back; this is the sandbox's choice).
pub(crate) async fn cancel(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    match open_form(&s, &body) {
        Ok((journey, _, _)) => page::see_other(&journey.redirect_target(
            &s,
            &[("error", "cancelled"), ("error_description", "The person cancelled the consent journey.")],
        )),
        Err(resp) => *resp,
    }
}
